//! A commune's page: its score, trend, latest report (figures, narrative, changes, history)
//! and the review forms; for the clerk, its months.

use askama::Template;

use cchc_domain::derived::derived_figure;
use cchc_domain::ranking::Standing;
use cchc_domain::scoring::{CriterionStatus, Scheme};
use cchc_domain::{Catalog, Period, Severity, Value};

use super::{Badge, Chrome, Picker, band_badge, period_groups, time_text, value_text};
use crate::app::read_report::ReportView;
use crate::dashboard::charts::{self, ChartText, TrendInput};
use crate::dashboard::data::{CommuneData, TrendPoint, awaiting_review};
use crate::dashboard::i18n::{Lang, Tr};

pub struct CriterionRow {
    pub group: String,
    pub criterion: String,
    pub numerator: String,
    pub denominator: String,
    pub ratio: String,
    pub score: String,
    pub max: String,
    pub note: Option<&'static str>,
}

pub struct TrendRow {
    pub month: String,
    pub score: String,
    pub rate: String,
}

pub struct FigureRow {
    pub label: String,
    pub value: String,
}

pub struct FindingRow {
    pub severity: &'static str,
    pub class: &'static str,
    pub message: String,
    pub indicators: String,
}

/// A revision of the report, for the reviewer: who did what, when, and why.
pub struct HistoryRow {
    pub revision: i32,
    pub action: String,
    pub actor: String,
    pub role: &'static str,
    pub at: String,
    pub reason: Option<String>,
}

/// An indicator whose value changed.
pub struct ChangeRow {
    pub label: String,
    pub before: String,
    pub after: String,
}

pub struct NarrativeBlock {
    pub title: String,
    pub text: String,
}

pub struct ReportBlock {
    /// `YYYY-MM`.
    pub period: String,
    pub period_label: String,
    pub narrative: Vec<NarrativeBlock>,
    pub history: Vec<HistoryRow>,
    /// What the last revision changed (empty for a first revision).
    pub since_revision: Vec<ChangeRow>,
    pub previous_revision: Option<i32>,
    /// What differs from the month before's counted report.
    pub since_month: Vec<ChangeRow>,
    pub month_before: Option<String>,
    pub reviewed: Option<String>,
    pub status: &'static str,
    pub revision: i32,
    pub submitted_at: Option<String>,
    pub timeliness: Option<&'static str>,
    pub review_note: Option<String>,
    pub figures: Vec<FigureRow>,
    pub derived: Vec<FigureRow>,
    pub findings: Vec<FindingRow>,
}

/// The approve and return forms, for the commune's reviewer.
pub struct ReviewBlock {
    /// Whether the report waits for review (the forms show only then).
    pub open: bool,
    pub approve_action: String,
    pub return_action: String,
    /// Whether the report is approved or locked, and so may be reopened with a reason.
    pub reopenable: bool,
    pub reopen_action: String,
    pub etag: String,
}

/// The outcome of an action, shown once after the redirect.
pub struct Flash {
    pub class: &'static str,
    pub text: &'static str,
}

impl Flash {
    /// `?done=` and `?error=` as the review actions set them; anything else shows nothing.
    pub fn from_query(tr: &Tr, done: Option<&str>, error: Option<&str>) -> Option<Flash> {
        let success = |text| Some(Flash { class: "flash success", text });
        let failure = |text| Some(Flash { class: "flash error", text });
        match (done, error) {
            (Some("approved"), _) => success(tr.t("review.done_approved")),
            (Some("returned"), _) => success(tr.t("review.done_returned")),
            (Some("reopened"), _) => success(tr.t("review.done_reopened")),
            (Some("submitted"), _) => success(tr.t("entry.done_submitted")),
            (_, Some("reason_required")) => failure(tr.t("review.err_reason_required")),
            (_, Some("reason_too_long")) => failure(tr.t("review.err_reason_too_long")),
            (_, Some("wrong_state")) => failure(tr.t("review.err_wrong_state")),
            (_, Some("stale")) => failure(tr.t("review.err_stale")),
            (_, Some("not_found")) => failure(tr.t("review.err_not_found")),
            _ => None,
        }
    }
}

/// "1 / 10" in "Hạng trong Huyện Yên Thế".
pub struct RankStat {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "dashboard/commune.html")]
pub struct CommunePage {
    pub chrome: Chrome,
    pub picker: Picker,
    pub name: String,
    pub code: String,
    pub period_label: String,
    pub score: String,
    pub max: String,
    pub band: Option<Badge>,
    pub status: &'static str,
    pub rank: Option<RankStat>,
    pub scheme_name: String,
    pub breakdown: Vec<CriterionRow>,
    pub total: Option<String>,
    pub chart: String,
    pub trend: Vec<TrendRow>,
    pub report: Option<ReportBlock>,
    pub review: Option<ReviewBlock>,
    pub flash: Option<Flash>,
    /// The commune's months with a link to the form, for whoever files its reports.
    pub months: Vec<MonthRow>,
    /// The browser's copy of a form the server has just stored, to forget.
    pub forget: Option<String>,
}

/// A month on the clerk's start page.
pub struct MonthRow {
    pub label: String,
    pub status: &'static str,
    pub due: String,
    pub timeliness: Option<&'static str>,
    pub note: Option<String>,
    pub edit: String,
}

fn breakdown(tr: &Tr, scheme: &Scheme, data: &CommuneData) -> Vec<CriterionRow> {
    let Some(card) = &data.score.card else { return Vec::new() };
    let def = &scheme.definition;
    let vi = tr.lang == Lang::Vi;
    card.criteria
        .iter()
        .map(|c| {
            let group = def.groups.iter().find(|g| g.code == c.group);
            let criterion = group.and_then(|g| g.criteria.iter().find(|x| x.code == c.code));
            let label = |vi_text: Option<&String>, en_text: Option<&String>, code: &str| {
                if vi { vi_text } else { en_text }.cloned().unwrap_or_else(|| code.to_owned())
            };
            CriterionRow {
                group: label(group.map(|g| &g.label_vi), group.map(|g| &g.label_en), &c.group),
                criterion: label(criterion.map(|x| &x.label_vi), criterion.map(|x| &x.label_en), &c.code),
                numerator: tr.opt_decimal(c.numerator),
                denominator: tr.opt_decimal(c.denominator),
                ratio: tr.opt_decimal(c.ratio),
                score: tr.opt_decimal(c.score),
                max: tr.decimal(c.max),
                note: match c.status {
                    CriterionStatus::Scored => None,
                    CriterionStatus::Missing => Some(tr.t("criterion.missing")),
                    CriterionStatus::ZeroDenominator => Some(tr.t("criterion.zero_denominator")),
                    CriterionStatus::Skipped => Some(tr.t("criterion.skipped")),
                    CriterionStatus::NotJudged => Some(tr.t("criterion.not_judged")),
                },
            }
        })
        .collect()
}

fn change_rows(
    tr: &Tr,
    catalog: &Catalog,
    before: &cchc_domain::Values,
    after: &cchc_domain::Values,
) -> Vec<ChangeRow> {
    let text = |v: Option<&Value>| v.map(|v| value_text(tr, v)).unwrap_or_else(|| "—".into());
    cchc_domain::history::changes(catalog, before, after)
        .into_iter()
        .map(|c| ChangeRow {
            label: catalog
                .get(&c.indicator)
                .map(|i| if tr.lang == Lang::Vi { i.label_vi.clone() } else { i.label_en.clone() })
                .unwrap_or_else(|| c.indicator.clone()),
            before: text(c.old.as_ref()),
            after: text(c.new.as_ref()),
        })
        .collect()
}

fn report_block(tr: &Tr, catalog: &Catalog, r: &ReportView, data: &CommuneData) -> ReportBlock {
    let vi = tr.lang == Lang::Vi;
    let narrative = cchc_domain::report::NarrativeSection::ALL
        .iter()
        .filter_map(|s| {
            r.narrative.get(s).map(|text| NarrativeBlock {
                title: if vi {
                    s.title_vi().to_owned()
                } else {
                    tr.t(&format!("entry.section.{}", s.key())).to_owned()
                },
                text: text.clone(),
            })
        })
        .collect();
    let history: Vec<HistoryRow> = data
        .history
        .iter()
        .map(|h| HistoryRow {
            revision: h.revision,
            action: tr.t(&format!("action.{}", h.action.as_str())).to_owned(),
            actor: h.actor.clone(),
            role: h.actor_role.parse::<cchc_domain::Role>().map(|role| tr.role(role)).unwrap_or("—"),
            at: time_text(tr, h.created_at),
            reason: h.reason.clone(),
        })
        .collect();
    let n = data.history.len();
    let (since_revision, previous_revision) = match n {
        2.. => (
            change_rows(tr, catalog, &data.history[n - 2].values, &data.history[n - 1].values),
            Some(data.history[n - 2].revision),
        ),
        _ => (Vec::new(), None),
    };
    let since_month =
        data.month_before.as_ref().map(|m| change_rows(tr, catalog, &m.values, &r.values)).unwrap_or_default();
    let month_before = data.month_before.as_ref().map(|m| tr.period(&Period::Month(m.period)));
    let reviewed = match (&r.reviewed_by, r.reviewed_at) {
        (Some(by), Some(at)) => Some(format!("{by} · {}", time_text(tr, at))),
        _ => None,
    };
    let figures = catalog
        .indicators()
        .iter()
        .filter_map(|i| {
            r.values.get(&i.code).map(|v| FigureRow {
                label: if vi { i.label_vi.clone() } else { i.label_en.clone() },
                value: value_text(tr, v),
            })
        })
        .collect();
    let derived = r
        .derived
        .iter()
        .filter_map(|(code, v)| {
            let f = derived_figure(code)?;
            Some(FigureRow {
                label: if vi { f.label_vi } else { f.label_en }.to_owned(),
                value: v.map(|x| tr.decimal(x)).unwrap_or_else(|| "—".into()),
            })
        })
        .collect();
    let findings = r
        .findings
        .iter()
        .map(|f| FindingRow {
            severity: tr.t(if f.severity == Severity::Error { "commune.error" } else { "commune.warning" }),
            class: if f.severity == Severity::Error { "finding error" } else { "finding warning" },
            message: if vi { f.message_vi.clone() } else { f.message_en.clone() },
            indicators: f.indicators.join(", "),
        })
        .collect();
    ReportBlock {
        period: r.period.clone(),
        period_label: Period::parse(&r.period).map(|p| tr.period(&p)).unwrap_or_else(|_| r.period.clone()),
        narrative,
        history,
        since_revision,
        previous_revision,
        since_month,
        month_before,
        reviewed,
        status: tr.status(Standing::of_report(Some(r.status))),
        revision: r.revision,
        submitted_at: r.submitted_at.map(|t| time_text(tr, t)),
        timeliness: r.on_time.map(|ok| tr.t(if ok { "commune.on_time" } else { "commune.late" })),
        review_note: r.review_note.clone(),
        figures,
        derived,
        findings,
    }
}

fn trend_chart(tr: &Tr, trend: &[TrendPoint], score_max: f64) -> Result<String, askama::Error> {
    let labels: Vec<String> = trend.iter().map(|p| tr.month_short(p.month)).collect();
    let number = |x: f64| tr.decimal(x);
    charts::trend(
        "trend-chart",
        &TrendInput {
            labels,
            score: trend.iter().map(|p| p.score).collect(),
            score_max,
            rate: trend.iter().map(|p| p.on_time_rate).collect(),
            text: ChartText {
                title: tr.t("commune.trend"),
                description: tr.t("commune.trend_desc"),
                score: tr.t("col.score"),
                rate: tr.t("commune.on_time_rate"),
                no_data: tr.t("commune.no_data"),
                number: &number,
            },
        },
    )
}

pub fn commune_page(
    chrome: Chrome,
    catalog: &Catalog,
    data: &CommuneData,
    flash: Option<Flash>,
    forget: Option<String>,
) -> Result<CommunePage, askama::Error> {
    let tr = chrome.tr;
    let s = &data.score;
    let scheme = &data.scheme;
    let bands = &scheme.definition.bands;
    let rank = s.rank.as_ref().map(|r| RankStat {
        value: match r.rank {
            Some(n) => format!("{n} / {}", r.of),
            None => tr.t("commune.not_ranked").to_owned(),
        },
        label: format!("{} {}", tr.t("commune.rank_in"), r.unit_name),
    });
    let report = data.report.as_ref().map(|r| report_block(&tr, catalog, r, data));
    let review = match &data.report {
        Some(r) if data.reviewer => {
            let base = format!("/app/communes/{}/reports/{}", r.unit_code, r.period);
            Some(ReviewBlock {
                open: awaiting_review(r),
                approve_action: format!("{base}/approve"),
                return_action: format!("{base}/return"),
                reopenable: matches!(r.status, cchc_domain::ReportStatus::Approved | cchc_domain::ReportStatus::Locked),
                reopen_action: format!("{base}/reopen"),
                etag: r.etag.clone(),
            })
        }
        _ => None,
    };
    Ok(CommunePage {
        picker: Picker {
            action: format!("/app/communes/{}", s.unit_code),
            groups: period_groups(&tr, data.period, data.latest, crate::app::this_month()),
            units: Vec::new(),
            unit: None,
        },
        name: s.unit_name.clone(),
        code: s.unit_code.clone(),
        period_label: tr.period(&data.period),
        score: tr.opt_decimal(s.score),
        max: tr.decimal(s.scheme.max_score),
        band: s.band.as_deref().map(|b| band_badge(&tr, bands, b)),
        // The report's status in force (an approved report of a closed period is locked), as
        // everywhere else, when the page shows that month's report.
        status: match &data.report {
            Some(r) if r.period == data.period.to_string() => tr.status(Standing::of_report(Some(r.status))),
            _ => tr.status(s.status),
        },
        rank,
        scheme_name: if tr.lang == Lang::Vi { s.scheme.name_vi.clone() } else { s.scheme.name_en.clone() },
        breakdown: breakdown(&tr, scheme, data),
        total: s.card.as_ref().map(|c| tr.decimal(c.total)),
        chart: trend_chart(&tr, &data.trend, s.scheme.max_score)?,
        trend: data
            .trend
            .iter()
            .map(|p| TrendRow {
                month: tr.period(&Period::Month(p.month)),
                score: tr.opt_decimal(p.score),
                rate: tr.opt_decimal(p.on_time_rate),
            })
            .collect(),
        report,
        review,
        flash,
        months: month_rows(&tr, data),
        forget,
        chrome,
    })
}

fn month_rows(tr: &Tr, data: &CommuneData) -> Vec<MonthRow> {
    let Some(page) = &data.months else { return Vec::new() };
    page.items
        .iter()
        .map(|m| MonthRow {
            label: Period::parse(&m.period).map(|p| tr.period(&p)).unwrap_or_else(|_| m.period.clone()),
            status: match m.status {
                Some(s) => tr.status(Standing::of_report(Some(s))),
                None => tr.t("entry.not_started"),
            },
            due: m.due_date.format("%d/%m/%Y").to_string(),
            timeliness: m.on_time.map(|ok| tr.t(if ok { "commune.on_time" } else { "commune.late" })),
            note: m.review_note.clone(),
            edit: format!("/app/communes/{}/reports/{}/edit", page.unit_code, m.period),
        })
        .collect()
}
