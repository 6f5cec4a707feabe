//! The commune's report form: `/app/communes/{code}/reports/{period}/edit`. The clerk types
//! every figure and the narrative; the form posts to its own address with `action=draft`
//! (store a draft), `check` (the API's dry run: every finding beside its field) or `submit`
//! (file the report) — the same use case as the API's `PUT`, with the same entity-tag
//! protection: a report changed meanwhile is shown, not overwritten. It works without
//! JavaScript; the script checks the Biểu 06 identities as the clerk types and keeps the form in
//! the browser until the server has it.

use actix_web::http::StatusCode;
use actix_web::http::header::{EntityTag, IfMatch};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use cchc_domain::catalog::{IndicatorKind, ParDomain};
use cchc_domain::data_entry::{read_typed_form, typed_value};
use cchc_domain::dossier_figures;
use cchc_domain::report::{NarrativeSection, RawForm};
use cchc_domain::{Catalog, Finding, Period, Severity};

use crate::app::file_report::{self, FileReport, Filed};
use crate::app::read_report::ReportView;
use crate::app::report_form::{self, FormStart};
use crate::error::{AppError, Problem, internal};
use crate::params;
use crate::state::{AppState, RunOnDb};

use super::i18n::{Lang, Tr};
use super::session::Session;
use super::views::Chrome;
use super::{PageResult, encode_pairs};

#[derive(Debug, Deserialize)]
pub struct EditQuery {
    pub done: Option<String>,
}

/// The report form of a month: what is stored, or a starting point.
pub async fn edit(
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<EditQuery>,
) -> PageResult {
    let (code, month) = (params::commune_code(&path.0)?, params::report_month(&path.1)?);
    let caller = session.caller.clone();
    let start = state.run(move |conn, st| report_form::run(conn, st, &caller, &code, month)).await?;
    let notice = match query.done.as_deref() {
        Some("draft") => Some(Notice::success(Tr::new(lang).t("entry.done_draft"))),
        _ => None,
    };
    let saved = query.done.is_some();
    let content = Content::stored(&start);
    render(&req, lang, &session, &state.catalog, &start, content, notice, saved, StatusCode::OK)
}

/// The form posted back: draft, check or submit.
pub async fn save(
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> PageResult {
    let fields: Vec<(String, String)> = super::pages::form(&body)?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    session.check_csrf(&state, field("csrf"))?;
    let action = EntryAction::parse(field("action"))?;
    let (code, month) = (params::commune_code(&path.0)?, params::report_month(&path.1)?);
    let form = read_typed_form(&state.catalog, fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let cmd = FileReport {
        commune: code.clone(),
        period: month.into(),
        form: form.clone(),
        draft: action == EntryAction::Draft,
        dry_run: action == EntryAction::Check,
        if_match: based_on(field("etag")),
        expect_new: field("etag").trim().is_empty(),
    };
    let caller = session.caller.clone();
    let outcome = state.run(move |conn, st| file_report::run(conn, st, &caller, cmd)).await;
    let tr = Tr::new(lang);
    let back = format!("/app/communes/{code}/reports/{month}/edit");
    let (notice, findings, status) = match outcome {
        Ok(Filed::Preview(v)) => (checked(&tr, &v.findings), v.findings, StatusCode::OK),
        Ok(_) if action == EntryAction::Draft => return Ok(see_other(&format!("{back}?done=draft"))),
        Ok(_) => {
            let pairs = [("period", month.to_string()), ("done", "submitted".to_owned())];
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            return Ok(see_other(&format!("/app/communes/{code}?{}", encode_pairs(&pairs))));
        }
        Err(e) => match refused(&tr, e) {
            Ok(refusal) => refusal,
            Err(e) => return Err(e.into()),
        },
    };
    // The form shows again as typed, over what is stored now (its entity tag, its status).
    let caller = session.caller.clone();
    let start = state.run(move |conn, st| report_form::run(conn, st, &caller, &code, month)).await?;
    let changed = status == StatusCode::PRECONDITION_FAILED;
    let content = Content::typed(&state.catalog, &fields, form, findings, field("etag"), changed);
    render(&req, lang, &session, &state.catalog, &start, content, Some(notice), false, status)
}

/// What the clerk asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryAction {
    Draft,
    Check,
    Submit,
}

impl EntryAction {
    fn parse(s: &str) -> Result<EntryAction, AppError> {
        match s {
            "draft" => Ok(EntryAction::Draft),
            "check" => Ok(EntryAction::Check),
            "submit" => Ok(EntryAction::Submit),
            _ => Err(Problem::BadRequest.error("the form's action is draft, check or submit")),
        }
    }
}

/// The report the form was based on: its entity tag, or none for a report not stored when the
/// form was shown (`FileReport::expect_new` then refuses one created meanwhile).
fn based_on(etag: &str) -> Option<IfMatch> {
    match etag.trim() {
        "" => None,
        t => Some(IfMatch::Items(t.parse::<EntityTag>().into_iter().collect())),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location)).finish()
}

/// The outcome of `check`: how many errors and warnings.
fn checked(tr: &Tr, findings: &[Finding]) -> Notice {
    let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    if warnings == 0 {
        Notice::success(tr.t("entry.checked_clean"))
    } else {
        Notice { class: "flash warning", text: format!("{} {warnings}", tr.t("entry.checked_warnings")) }
    }
}

/// A refusal the form answers itself (shown with the typed form), or the error for an error page.
fn refused(tr: &Tr, e: AppError) -> Result<(Notice, Vec<Finding>, StatusCode), AppError> {
    let failure = |key: &str| Notice { class: "flash error", text: tr.t(key).to_owned() };
    Ok(match e.problem {
        Problem::ValidationFailed => {
            let errors = e.findings.iter().filter(|f| f.is_error()).count();
            let notice = Notice { class: "flash error", text: format!("{} {errors}", tr.t("entry.has_errors")) };
            (notice, e.findings, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Problem::StaleRevision => (failure("entry.changed_meanwhile"), Vec::new(), StatusCode::PRECONDITION_FAILED),
        Problem::AlreadySubmitted => (failure("entry.already_submitted"), Vec::new(), StatusCode::CONFLICT),
        Problem::ReportClosed | Problem::WrongState => (failure("entry.closed"), Vec::new(), StatusCode::CONFLICT),
        _ => return Err(e),
    })
}

/// A message above the form.
pub struct Notice {
    pub class: &'static str,
    pub text: String,
}

impl Notice {
    fn success(text: &str) -> Notice {
        Notice { class: "flash success", text: text.to_owned() }
    }
}

/// What the fields hold: the stored report (or the starting point), or what the clerk typed.
struct Content {
    form: RawForm,
    findings: Vec<Finding>,
    /// The entity tag the clerk's typing is based on (`""` for a report not stored yet).
    etag: Option<String>,
    changed_meanwhile: bool,
}

impl Content {
    fn stored(start: &FormStart) -> Content {
        let (values, narrative, findings) = match (&start.current, &start.prefill) {
            (Some(r), _) => (&r.values, &r.narrative, r.findings.clone()),
            (None, Some(p)) => (&p.values, &p.narrative, Vec::new()),
            (None, None) => {
                return Content {
                    form: RawForm::default(),
                    findings: Vec::new(),
                    etag: None,
                    changed_meanwhile: false,
                };
            }
        };
        let form = RawForm {
            values: values.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(typed_value(v)))).collect(),
            narrative: narrative
                .iter()
                .map(|(k, v)| (k.key().to_owned(), serde_json::Value::String(v.clone())))
                .collect(),
        };
        Content { form, findings, etag: None, changed_meanwhile: false }
    }

    /// The form as the clerk typed it (figures as text, exactly as typed), with what the
    /// server found.
    fn typed(
        catalog: &Catalog,
        fields: &[(String, String)],
        form: RawForm,
        findings: Vec<Finding>,
        etag: &str,
        changed_meanwhile: bool,
    ) -> Content {
        let values = fields
            .iter()
            .filter(|(k, v)| catalog.get(k).is_some() && !v.trim().is_empty())
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let etag = (!changed_meanwhile).then(|| etag.to_owned());
        Content { form: RawForm { values, narrative: form.narrative }, findings, etag, changed_meanwhile }
    }

    fn text(&self, code: &str) -> String {
        self.form.values.get(code).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
    }
}

/// One input of the form.
pub struct FieldView {
    pub code: String,
    pub label: String,
    pub unit: &'static str,
    pub help: Option<String>,
    pub yes_no: bool,
    pub value: String,
    pub required: bool,
    pub inputmode: &'static str,
    pub findings: Vec<FindingText>,
}

pub struct FindingText {
    pub class: &'static str,
    pub severity: &'static str,
    pub message: String,
}

pub struct GroupView {
    pub id: &'static str,
    pub title: &'static str,
    pub fields: Vec<FieldView>,
}

/// A block of the Biểu 06 table: its parts and its total.
pub struct DossierBlock {
    pub title: &'static str,
    /// The total's code.
    pub total: &'static str,
    /// The parts, then the total.
    pub fields: Vec<FieldView>,
    /// The parts' codes, for the script's live sum.
    pub parts_list: String,
}

pub struct NarrativeView {
    pub key: &'static str,
    pub title: String,
    pub value: String,
    pub findings: Vec<FindingText>,
}

pub struct StoredCompare {
    pub label: String,
    pub stored: String,
    pub typed: String,
}

#[derive(Template)]
#[template(path = "dashboard/report_form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub name: String,
    pub code: String,
    pub period: String,
    pub period_label: String,
    pub action: String,
    pub etag: String,
    pub status: String,
    pub due_date: String,
    pub notice: Option<Notice>,
    /// The findings of the whole form (those about no single field among them).
    pub findings: Vec<FindingText>,
    pub dossier_blocks: Vec<DossierBlock>,
    pub dossier_findings: Vec<FindingText>,
    pub groups: Vec<GroupView>,
    pub narrative: Vec<NarrativeView>,
    pub review_note: Option<String>,
    pub prefilled: bool,
    /// The stored report differs from what the clerk typed: shown side by side.
    pub compare: Vec<StoredCompare>,
    pub changed_meanwhile: bool,
    /// Set when the server has just stored the form: the script forgets its copy.
    pub saved: bool,
    /// Where the script keeps the clerk's typing.
    pub storage_key: String,
    pub editable: bool,
    pub dossier_identity: String,
}

fn finding_text(tr: &Tr, f: &Finding) -> FindingText {
    let error = f.severity == Severity::Error;
    FindingText {
        class: if error { "finding error" } else { "finding warning" },
        severity: tr.t(if error { "commune.error" } else { "commune.warning" }),
        message: if tr.lang == Lang::Vi { f.message_vi.clone() } else { f.message_en.clone() },
    }
}

fn domain_title(tr: &Tr, d: ParDomain) -> (&'static str, &'static str) {
    let (id, key) = match d {
        ParDomain::Direction => ("direction", "entry.domain.direction"),
        ParDomain::Institutions => ("institutions", "entry.domain.institutions"),
        ParDomain::Procedures => ("procedures", "entry.domain.procedures"),
        ParDomain::Organization => ("organization", "entry.domain.organization"),
        ParDomain::CivilService => ("civil-service", "entry.domain.civil_service"),
        ParDomain::PublicFinance => ("public-finance", "entry.domain.public_finance"),
        ParDomain::DigitalGovernment => ("digital-government", "entry.domain.digital_government"),
        ParDomain::Impact => ("impact", "entry.domain.impact"),
    };
    (id, tr.t(key))
}

fn unit_of(tr: &Tr, kind: IndicatorKind) -> &'static str {
    tr.t(match kind {
        IndicatorKind::Count => "entry.unit.count",
        IndicatorKind::Percent => "entry.unit.percent",
        IndicatorKind::AmountVnd => "entry.unit.vnd",
        IndicatorKind::AreaM2 => "entry.unit.m2",
        IndicatorKind::YesNo => "entry.unit.yes_no",
    })
}

#[allow(clippy::too_many_arguments)]
fn render(
    req: &HttpRequest,
    lang: Lang,
    session: &Session,
    catalog: &Catalog,
    start: &FormStart,
    content: Content,
    notice: Option<Notice>,
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let tr = Tr::new(lang);
    let period = Period::Month(start.month);
    let title = format!("{} · {} · {}", tr.t("entry.title"), start.name, tr.period(&period));
    let chrome = Chrome::new(req, lang, Some(session), "commune", title);
    let page = form_page(chrome, catalog, start, content, notice, saved);
    let body = page.render().map_err(internal)?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body))
}

fn form_page(
    chrome: Chrome,
    catalog: &Catalog,
    start: &FormStart,
    content: Content,
    notice: Option<Notice>,
    saved: bool,
) -> FormPage {
    let tr = chrome.tr;
    let vi = tr.lang == Lang::Vi;
    let beside = |code: &str| -> Vec<FindingText> {
        content
            .findings
            .iter()
            .filter(|f| f.indicators.iter().any(|i| i == code))
            .map(|f| finding_text(&tr, f))
            .collect()
    };
    let field = |code: &str| -> Option<FieldView> {
        let i = catalog.get(code)?;
        Some(FieldView {
            code: i.code.clone(),
            label: if vi { i.label_vi.clone() } else { i.label_en.clone() },
            unit: unit_of(&tr, i.kind),
            help: i.source.clone(),
            yes_no: i.kind == IndicatorKind::YesNo,
            value: content.text(code),
            required: i.required_on_submit,
            inputmode: if i.kind.is_integral() { "numeric" } else { "decimal" },
            findings: Vec::new(),
        })
    };
    let in_table: Vec<&str> = dossier_figures::BLOCKS
        .iter()
        .flat_map(|(t, parts)| std::iter::once(*t).chain(parts.iter().copied()))
        .collect();
    let block_titles = ["entry.block.received", "entry.block.resolved", "entry.block.pending"];
    let dossier_blocks = dossier_figures::BLOCKS
        .iter()
        .zip(block_titles)
        .filter_map(|((total, parts), key)| {
            // The table's figures share one source, named in its legend.
            let fields: Vec<FieldView> = parts
                .iter()
                .chain(std::iter::once(total))
                .filter_map(|c| field(c).map(|f| FieldView { help: None, ..f }))
                .collect();
            (fields.len() == parts.len() + 1).then(|| DossierBlock {
                title: tr.t(key),
                total,
                fields,
                parts_list: parts.join(" "),
            })
        })
        .collect();
    let dossier_findings = content
        .findings
        .iter()
        .filter(|f| f.indicators.iter().any(|i| in_table.contains(&i.as_str())))
        .map(|f| finding_text(&tr, f))
        .collect();
    let mut groups: Vec<GroupView> = Vec::new();
    for i in catalog.indicators().iter().filter(|i| !in_table.contains(&i.code.as_str())) {
        let (id, title) = domain_title(&tr, i.domain);
        if groups.last().is_none_or(|g| g.id != id) {
            groups.push(GroupView { id, title, fields: Vec::new() });
        }
        if let (Some(g), Some(mut f)) = (groups.last_mut(), field(&i.code)) {
            f.findings = beside(&i.code);
            g.fields.push(f);
        }
    }
    let narrative = NarrativeSection::ALL
        .iter()
        .map(|s| NarrativeView {
            key: s.key(),
            title: if vi { s.title_vi().to_owned() } else { tr.t(&format!("entry.section.{}", s.key())).to_owned() },
            value: content.form.narrative.get(s.key()).and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
            findings: content
                .findings
                .iter()
                .filter(|f| f.path.as_deref() == Some(&format!("/narrative/{}", s.key())))
                .map(|f| finding_text(&tr, f))
                .collect(),
        })
        .collect();
    let general = content
        .findings
        .iter()
        .filter(|f| f.indicators.is_empty() && f.path.as_deref().is_none_or(|p| !p.starts_with("/narrative/")))
        .map(|f| finding_text(&tr, f))
        .collect();
    let current = start.current.as_ref();
    let compare = match current {
        Some(r) if content.changed_meanwhile => compare_rows(&tr, catalog, r, &content),
        _ => Vec::new(),
    };
    let etag = content.etag.clone().unwrap_or_else(|| current.map(|r| r.etag.clone()).unwrap_or_default());
    let editable = current.is_none_or(|r| {
        matches!(
            r.status,
            cchc_domain::ReportStatus::Draft
                | cchc_domain::ReportStatus::Submitted
                | cchc_domain::ReportStatus::Returned
        )
    });
    let status = match current {
        Some(r) => tr.status(cchc_domain::ranking::Standing::of_report(Some(r.status))).to_owned(),
        None => tr.t("entry.not_started").to_owned(),
    };
    FormPage {
        name: start.name.clone(),
        code: start.commune.to_string(),
        period: start.month.to_string(),
        period_label: tr.period(&Period::Month(start.month)),
        action: format!("/app/communes/{}/reports/{}/edit", start.commune, start.month),
        etag,
        status,
        due_date: start.due_date.format("%d/%m/%Y").to_string(),
        notice,
        findings: general,
        dossier_blocks,
        dossier_findings,
        groups,
        narrative,
        review_note: current.and_then(|r| r.review_note.clone()),
        prefilled: start.prefill.as_ref().is_some_and(|p| !p.values.is_empty() || !p.narrative.is_empty()),
        compare,
        changed_meanwhile: content.changed_meanwhile,
        saved,
        storage_key: format!("cchc.report.{}.{}", start.commune, start.month),
        editable,
        dossier_identity: format!(
            "{} {} {}",
            dossier_figures::RECEIVED_TOTAL,
            dossier_figures::RESOLVED_TOTAL,
            dossier_figures::PENDING_TOTAL
        ),
        chrome,
    }
}

/// The figures where the stored report and the clerk's typing differ.
fn compare_rows(tr: &Tr, catalog: &Catalog, stored: &ReportView, content: &Content) -> Vec<StoredCompare> {
    catalog
        .indicators()
        .iter()
        .filter_map(|i| {
            let was = stored.values.get(&i.code).map(typed_value).unwrap_or_default();
            let typed = content.text(&i.code);
            (was != typed).then(|| StoredCompare {
                label: if tr.lang == Lang::Vi { i.label_vi.clone() } else { i.label_en.clone() },
                stored: if was.is_empty() { "—".into() } else { was },
                typed: if typed.is_empty() { "—".into() } else { typed },
            })
        })
        .collect()
}
