//! What the templates show: page structs (askama templates) and the small view models built
//! from the data in the reader's language. Numbers are formatted here; templates only place
//! and escape them.

use std::sync::OnceLock;

use actix_web::HttpRequest;
use askama::Template;

use cchc_domain::derived::derived_figure;
use cchc_domain::scoring::{BandDefinition, CriterionStatus, Scheme};
use cchc_domain::{Catalog, Month, Period, Severity, Value};

use cchc_domain::ranking::Standing;

use crate::app::rank::RankingEntry;
use crate::app::read_report::ReportView;

use super::charts::{self, ChartText, TrendInput};
use super::data::{CommuneData, CompletenessData, RankingData, TrendPoint, UnitChoice, awaiting_review};
use super::encode_pairs;
use super::i18n::{Lang, Tr};
use super::session::Session;

pub const CSS: &str = include_str!("../../assets/dashboard.css");
pub const JS: &str = include_str!("../../assets/dashboard.js");
pub const FORM_JS: &str = include_str!("../../assets/report-form.js");
pub const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// A fingerprint of the embedded assets, in their URLs, so that browsers may cache them for
/// good and still fetch a new build's at once.
pub fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        // FNV-1a: a fingerprint, not a security measure.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in CSS.bytes().chain(JS.bytes()).chain(FORM_JS.bytes()).chain(FAVICON.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    })
}

/// Who is signed in, for the page header.
pub struct UserBadge {
    pub name: String,
    pub role: &'static str,
    pub unit: Option<String>,
}

/// What every page shares: language, header, navigation, the sign-out form's CSRF token.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub user: Option<UserBadge>,
    pub csrf: String,
    /// `rankings`, `completeness`, `commune`, `login` or `error`.
    pub active: &'static str,
    pub show_rankings: bool,
    pub my_commune: Option<String>,
    pub lang_href: String,
    pub other_lang: &'static str,
    pub asset_version: &'static str,
}

impl Chrome {
    pub fn new(
        req: &HttpRequest,
        lang: Lang,
        session: Option<&Session>,
        active: &'static str,
        title: String,
    ) -> Chrome {
        let tr = Tr::new(lang);
        let caller = session.map(|s| &s.caller.principal);
        let is_commune = caller.is_some_and(|c| c.role == cchc_domain::Role::Commune);
        Chrome {
            tr,
            title,
            user: caller.map(|c| UserBadge {
                name: c.subject.clone(),
                role: tr.role(c.role),
                unit: c.unit().map(|u| u.to_string()),
            }),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            active,
            show_rankings: caller.is_some() && !is_commune,
            my_commune: caller.filter(|_| is_commune).and_then(|c| c.unit()).map(|u| format!("/app/communes/{u}")),
            lang_href: lang_href(req.path(), req.query_string(), lang.other()),
            other_lang: lang.other().code(),
            asset_version: asset_version(),
        }
    }
}

/// The current page in the other language.
pub fn lang_href(path: &str, query: &str, lang: Lang) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs.retain(|(k, _)| k != "lang");
    let mut refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    refs.push(("lang", lang.code()));
    format!("{path}?{}", encode_pairs(&refs))
}

/// An `<option>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct OptionGroup {
    pub label: String,
    pub options: Vec<Choice>,
}

/// The period (and unit) picker: a plain GET form, usable without JavaScript.
pub struct Picker {
    pub action: String,
    pub groups: Vec<OptionGroup>,
    /// Units to choose from; empty when there is no choice to make.
    pub units: Vec<Choice>,
    /// The unit to keep when there is no choice.
    pub unit: Option<String>,
}

/// Months, quarters and years from the current month back past the latest month with data and
/// the selected period, newest first; the selected period is always among them.
pub fn period_groups(tr: &Tr, selected: Period, latest: Month, now: Month) -> Vec<OptionGroup> {
    let oldest = latest.min(selected.first_month()).min(now).plus(-11).max(now.plus(-71));
    let span = now.index() - oldest.index();
    let choice = |p: Period| Choice { value: p.to_string(), label: tr.period(&p), selected: p == selected };
    let months: Vec<Period> = (0..=span).map(|i| Period::Month(now.plus(-i))).collect();
    let mut quarters: Vec<Period> = Vec::new();
    let mut years: Vec<Period> = Vec::new();
    for m in (0..=span).map(|i| now.plus(-i)) {
        let q = Period::Quarter { year: m.year(), quarter: m.quarter() };
        if !quarters.contains(&q) {
            quarters.push(q);
        }
        let y = Period::Year(m.year());
        if !years.contains(&y) {
            years.push(y);
        }
    }
    let mut groups = vec![
        ("period.months", months),
        ("period.quarters", quarters),
        ("period.halves", Vec::new()),
        ("period.years", years),
    ];
    let listed = groups.iter().any(|(_, ps)| ps.contains(&selected));
    if !listed {
        let index = match selected {
            Period::Month(_) => 0,
            Period::Quarter { .. } => 1,
            Period::Half { .. } | Period::NineMonths(_) => 2,
            Period::Year(_) => 3,
        };
        groups[index].1.insert(0, selected);
    }
    groups
        .into_iter()
        .filter(|(_, ps)| !ps.is_empty())
        .map(|(key, ps)| OptionGroup { label: tr.t(key).to_owned(), options: ps.into_iter().map(choice).collect() })
        .collect()
}

fn unit_options(tr: &Tr, choices: &[UnitChoice], selected: Option<&str>, national: bool) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    if national {
        out.push(Choice {
            value: String::new(),
            label: tr.t("picker.country").to_owned(),
            selected: selected.is_none(),
        });
    }
    out.extend(choices.iter().map(|c| Choice {
        value: c.code.to_string(),
        label: format!("{} ({})", c.name, c.code),
        selected: Some(c.code.as_str()) == selected,
    }));
    if out.len() <= 1 { Vec::new() } else { out }
}

/// A coloured band badge that also says its band in words.
pub struct Badge {
    pub label: String,
    pub class: String,
}

/// The badge of a band: colours by the band's place in the scheme (best first).
pub fn band_badge(tr: &Tr, bands: &[BandDefinition], code: &str) -> Badge {
    let mut ordered: Vec<&BandDefinition> = bands.iter().collect();
    ordered.sort_by(|a, b| b.min_score.total_cmp(&a.min_score));
    let index = ordered.iter().position(|b| b.code == code);
    let label = ordered
        .iter()
        .find(|b| b.code == code)
        .map(|b| if tr.lang == Lang::Vi { b.label_vi.clone() } else { b.label_en.clone() })
        .unwrap_or_else(|| code.to_owned());
    Badge { label, class: format!("badge band-{}", index.unwrap_or(4).min(4)) }
}

/// A rank change: an arrow and a number for the eye, words for screen readers.
pub struct Change {
    pub symbol: &'static str,
    pub number: String,
    pub label: String,
    pub class: &'static str,
    pub sort: String,
}

pub fn rank_change(tr: &Tr, change: Option<i64>) -> Change {
    match change {
        Some(n) if n > 0 => Change {
            symbol: "▲",
            number: n.to_string(),
            label: format!("{} {n} {}", tr.t("change.up"), tr.t("change.places")),
            class: "change up",
            sort: n.to_string(),
        },
        Some(n) if n < 0 => Change {
            symbol: "▼",
            number: n.abs().to_string(),
            label: format!("{} {} {}", tr.t("change.down"), n.abs(), tr.t("change.places")),
            class: "change down",
            sort: n.to_string(),
        },
        Some(_) => Change {
            symbol: "=",
            number: String::new(),
            label: tr.t("change.same").to_owned(),
            class: "change same",
            sort: "0".into(),
        },
        None => Change {
            symbol: "–",
            number: String::new(),
            label: tr.t("change.none").to_owned(),
            class: "change none",
            sort: String::new(),
        },
    }
}

pub struct RankRow {
    pub rank: String,
    pub rank_sort: String,
    pub code: String,
    pub name: String,
    pub href: String,
    pub score: String,
    pub score_sort: String,
    pub band: Option<Badge>,
    pub band_sort: String,
    pub change: Change,
    pub status: &'static str,
    pub status_code: String,
    /// Not counted in the ranking: no report, a draft, a returned report.
    pub highlight: bool,
}

fn rank_row(tr: &Tr, bands: &[BandDefinition], period: &Period, e: &RankingEntry) -> RankRow {
    let band = e.band.as_deref().map(|b| band_badge(tr, bands, b));
    RankRow {
        rank: e.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        rank_sort: e.rank.map(|r| r.to_string()).unwrap_or_default(),
        code: e.unit_code.clone(),
        name: e.unit_name.clone(),
        href: format!("/app/communes/{}?{}", e.unit_code, encode_pairs(&[("period", &period.to_string())])),
        score: e.score.map(|x| tr.number(x, 2)).unwrap_or_else(|| "—".into()),
        score_sort: e.score.map(|s| s.to_string()).unwrap_or_default(),
        band_sort: band.as_ref().map(|b| b.class.trim_start_matches("badge band-").to_owned()).unwrap_or_default(),
        band,
        change: rank_change(tr, e.rank_change),
        status: tr.status(e.status),
        status_code: e.status.as_str().to_owned(),
        highlight: e.rank.is_none(),
    }
}

#[derive(Template)]
#[template(path = "dashboard/rankings.html")]
pub struct RankingsPage {
    pub chrome: Chrome,
    pub picker: Picker,
    pub unit_name: String,
    pub period_label: String,
    pub scheme_name: String,
    pub communes: usize,
    pub ranked: usize,
    pub missing: usize,
    pub rows: Vec<RankRow>,
    pub csv_href: String,
    pub xlsx_href: String,
}

pub fn rankings_page(chrome: Chrome, data: &RankingData) -> RankingsPage {
    let tr = chrome.tr;
    let view = &data.ranking.view;
    let unit_name = match data.unit {
        Some(_) => view.unit_name.clone(),
        None => tr.t("picker.country").to_owned(),
    };
    let unit = data.unit.as_ref().map(|u| u.to_string());
    let query = |extra: Option<&str>| {
        let period = data.period.to_string();
        let mut pairs: Vec<(&str, &str)> = vec![("period", &period)];
        if let Some(u) = &unit {
            pairs.push(("unit", u));
        }
        if let Some(e) = extra {
            pairs.push(("lang", e));
        }
        encode_pairs(&pairs)
    };
    RankingsPage {
        picker: Picker {
            action: "/app/".into(),
            groups: period_groups(&tr, data.period, data.latest, crate::app::this_month()),
            units: unit_options(&tr, &data.choices, unit.as_deref(), data.unit.is_none() || chrome_is_admin(&chrome)),
            unit: unit.clone(),
        },
        period_label: tr.period(&data.period),
        scheme_name: if tr.lang == Lang::Vi { view.scheme.name_vi.clone() } else { view.scheme.name_en.clone() },
        communes: view.communes,
        ranked: view.ranked,
        missing: view.missing,
        rows: view.entries.iter().map(|e| rank_row(&tr, &data.ranking.bands, &data.period, e)).collect(),
        csv_href: format!("/app/export/rankings.csv?{}", query(None)),
        xlsx_href: format!("/app/export/rankings.xlsx?{}", query(None)),
        unit_name,
        chrome,
    }
}

fn chrome_is_admin(chrome: &Chrome) -> bool {
    chrome.user.as_ref().is_some_and(|u| u.unit.is_none())
}

pub struct Stat {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
}

pub struct MissingRow {
    pub code: String,
    pub name: String,
    pub href: String,
    pub period: String,
    pub period_code: String,
    pub status: &'static str,
    pub due: String,
}

#[derive(Template)]
#[template(path = "dashboard/completeness.html")]
pub struct CompletenessPage {
    pub chrome: Chrome,
    pub picker: Picker,
    pub unit_name: String,
    pub period_label: String,
    pub due: Option<String>,
    pub stats: Vec<Stat>,
    pub missing: Vec<MissingRow>,
    pub late: Vec<LateRow>,
}

/// A commune that reported after its due date.
pub struct LateRow {
    pub code: String,
    pub name: String,
    pub href: String,
    pub period: String,
    pub due: String,
    pub submitted: String,
}

fn date(tr: &Tr, d: chrono::NaiveDate) -> String {
    match tr.lang {
        Lang::Vi => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

pub fn completeness_page(chrome: Chrome, data: &CompletenessData) -> CompletenessPage {
    let tr = chrome.tr;
    let c = &data.view.completeness;
    let count = |n: usize| tr.number(n as f64, 0);
    let rate = |r: Option<f64>| r.map(|r| format!("{} %", tr.decimal(r))).unwrap_or_else(|| "—".into());
    let unit = data.unit.to_string();
    CompletenessPage {
        picker: Picker {
            action: "/app/completeness".into(),
            groups: period_groups(&tr, data.period, data.latest, crate::app::this_month()),
            units: unit_options(&tr, &data.choices, Some(&unit), false),
            unit: Some(unit.clone()),
        },
        unit_name: format!("{} ({})", data.view.unit_name, data.view.unit_code),
        period_label: tr.period(&data.period),
        due: data.view.due_date.map(|d| date(&tr, d)),
        stats: vec![
            Stat { key: "expected", label: tr.t("completeness.expected"), value: count(c.expected) },
            Stat { key: "reported", label: tr.t("completeness.reported"), value: count(c.reported) },
            Stat { key: "on-time", label: tr.t("completeness.on_time"), value: count(c.on_time) },
            Stat { key: "late", label: tr.t("completeness.late"), value: count(c.late) },
            Stat { key: "missing", label: tr.t("completeness.missing"), value: count(c.missing_count) },
            Stat { key: "rate", label: tr.t("completeness.rate"), value: rate(c.completeness_rate) },
            Stat { key: "timeliness", label: tr.t("completeness.timeliness"), value: rate(c.timeliness_rate) },
        ],
        missing: c
            .missing
            .iter()
            .map(|m| MissingRow {
                code: m.unit_code.to_string(),
                name: m.unit_name.clone(),
                href: format!("/app/communes/{}?{}", m.unit_code, encode_pairs(&[("period", &m.period)])),
                period: Period::parse(&m.period).map(|p| tr.period(&p)).unwrap_or_else(|_| m.period.clone()),
                period_code: m.period.clone(),
                status: tr.status(m.status),
                due: date(&tr, m.due_date),
            })
            .collect(),
        late: c
            .late_reports
            .iter()
            .map(|l| LateRow {
                code: l.unit_code.to_string(),
                name: l.unit_name.clone(),
                href: format!("/app/communes/{}?{}", l.unit_code, encode_pairs(&[("period", &l.period)])),
                period: Period::parse(&l.period).map(|p| tr.period(&p)).unwrap_or_else(|_| l.period.clone()),
                due: date(&tr, l.due_date),
                submitted: l.submitted_at.map(|t| time_text(&tr, t)).unwrap_or_else(|| "—".into()),
            })
            .collect(),
        chrome,
    }
}

/// A row of the consolidated table as the page shows it: the Biểu 06 figures, timeliness,
/// status and score (the downloads carry every indicator).
pub struct ConsolidatedRowView {
    pub code: String,
    pub name: String,
    pub href: Option<String>,
    pub months: String,
    pub cells: Vec<String>,
    pub status: &'static str,
    pub score: String,
    pub band: Option<Badge>,
}

#[derive(Template)]
#[template(path = "dashboard/consolidated.html")]
pub struct ConsolidatedPage {
    pub chrome: Chrome,
    pub picker: Picker,
    pub unit_name: String,
    pub period_label: String,
    pub headers: Vec<Heading>,
    pub rows: Vec<ConsolidatedRowView>,
    pub totals: Vec<String>,
    pub months_total: String,
    pub download_query: String,
}

pub struct Heading {
    pub short: String,
    pub full: String,
}

/// The page's figure columns: indicators reported, or derived from them.
pub const CONSOLIDATED_COLUMNS: [&str; 9] = [
    "dossiers_received_total",
    "dossiers_received_online",
    "dossiers_resolved_early",
    "dossiers_resolved_on_time",
    "dossiers_resolved_overdue",
    "dossiers_pending_total",
    "dossiers_pending_overdue",
    "resolved_on_time_rate",
    "online_rate",
];

pub fn consolidated_page(chrome: Chrome, catalog: &Catalog, data: &super::data::ConsolidatedData) -> ConsolidatedPage {
    let tr = chrome.tr;
    let v = &data.view;
    let vi = tr.lang == Lang::Vi;
    // Short headings that fit a printed column, the indicator's whole label as their title.
    let headers = CONSOLIDATED_COLUMNS
        .iter()
        .map(|code| {
            let full = match (catalog.get(code), derived_figure(code)) {
                (Some(i), _) => {
                    if vi {
                        i.label_vi.clone()
                    } else {
                        i.label_en.clone()
                    }
                }
                (None, Some(d)) => if vi { d.label_vi } else { d.label_en }.to_owned(),
                (None, None) => (*code).to_owned(),
            };
            Heading { short: tr.t(&format!("consolidated.col.{code}")).to_owned(), full }
        })
        .collect();
    let count = |x: f64| tr.number(x, 0);
    let cell = |values: &cchc_domain::Values, derived: &dyn Fn(&str) -> Option<f64>, code: &str| -> String {
        match values.get(code) {
            Some(v) => value_text(&tr, v),
            None => derived(code)
                .map(|x| {
                    if derived_figure(code).is_some_and(|d| d.code.ends_with("_rate")) {
                        tr.decimal(x)
                    } else {
                        count(x)
                    }
                })
                .unwrap_or_else(|| "—".into()),
        }
    };
    let bands = &data.view.band_names;
    let rows = v
        .items
        .iter()
        .map(|r| ConsolidatedRowView {
            code: r.unit_code.clone(),
            name: r.unit_name.clone(),
            href: Some(format!("/app/communes/{}?{}", r.unit_code, encode_pairs(&[("period", &v.period)]))),
            months: format!("{} / {}", r.months_reported, r.months_on_time),
            cells: CONSOLIDATED_COLUMNS
                .iter()
                .map(|c| cell(&r.values, &|code| r.derived.get(code).copied().flatten(), c))
                .collect(),
            status: tr.status(r.standing),
            score: tr.opt_decimal(r.score),
            band: r.band.as_ref().map(|b| Badge {
                class: "badge".to_owned(),
                label: bands.get(b).cloned().unwrap_or_else(|| b.clone()),
            }),
        })
        .collect();
    let totals = CONSOLIDATED_COLUMNS
        .iter()
        .map(|c| match v.totals.indicators.get(*c).map(|a| &a.value) {
            Some(serde_json::Value::Number(n)) => n.as_f64().map(count).unwrap_or_default(),
            Some(serde_json::Value::Bool(b)) => value_text(&tr, &Value::Flag(*b)),
            _ => v
                .totals
                .derived
                .get(c)
                .map(|x| if c.ends_with("_rate") { tr.decimal(cchc_domain::derived::round2(x)) } else { count(x) })
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let unit = data.unit.to_string();
    let reported: usize = v.items.iter().map(|r| r.months_reported).sum();
    let on_time: usize = v.items.iter().map(|r| r.months_on_time).sum();
    ConsolidatedPage {
        picker: Picker {
            action: "/app/consolidated".into(),
            groups: period_groups(&tr, data.period, data.latest, crate::app::this_month()),
            units: unit_options(&tr, &data.choices, Some(&unit), false),
            unit: Some(unit.clone()),
        },
        unit_name: format!("{} ({})", v.unit_name, v.unit_code),
        period_label: tr.period(&data.period),
        headers,
        rows,
        totals,
        months_total: format!("{reported} / {on_time}"),
        download_query: encode_pairs(&[("unit", &unit), ("period", &v.period)]),
        chrome,
    }
}

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

fn value_text(tr: &Tr, v: &Value) -> String {
    match v {
        Value::Flag(true) => tr.t("commune.yes").to_owned(),
        Value::Flag(false) => tr.t("commune.no").to_owned(),
        Value::Count(n) => tr.number(*n as f64, 0),
        Value::Number(x) => tr.decimal(*x),
    }
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

fn time_text(tr: &Tr, t: chrono::DateTime<chrono::FixedOffset>) -> String {
    match tr.lang {
        Lang::Vi => t.format("%H:%M %d/%m/%Y").to_string(),
        Lang::En => t.format("%-d %b %Y %H:%M").to_string(),
    }
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

#[derive(Template)]
#[template(path = "dashboard/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub next: String,
    pub username: String,
    pub message: Option<String>,
    pub notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "dashboard/error.html")]
pub struct ErrorTemplate {
    pub chrome: Chrome,
    pub status: u16,
    pub title_key: String,
    pub text_key: String,
    pub detail: Option<String>,
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_picker_reaches_back_to_the_data() {
        let tr = Tr::new(Lang::Vi);
        let m = |s: &str| s.parse::<Month>().unwrap();
        let groups = period_groups(&tr, Period::Month(m("2024-06")), m("2024-06"), m("2026-11"));
        assert_eq!(groups.len(), 3, "months, quarters, years");
        let months = &groups[0].options;
        assert_eq!(months[0].value, "2026-11");
        assert!(months.iter().any(|o| o.value == "2024-06" && o.selected && o.label == "Tháng 6/2024"));
        assert_eq!(months.last().map(|o| o.value.as_str()), Some("2023-07"));
        assert!(groups[1].options.iter().any(|o| o.value == "2024Q2" && !o.selected));
        assert!(groups[2].options.iter().any(|o| o.value == "2024"));
        // A half-year asked for in the URL is offered too.
        let groups = period_groups(&tr, Period::parse("2024S1").unwrap(), m("2024-06"), m("2026-11"));
        assert!(groups.iter().any(|g| g.options.iter().any(|o| o.value == "2024S1" && o.selected)));
    }

    #[test]
    fn rank_changes_read_out_in_words() {
        let tr = Tr::new(Lang::En);
        let up = rank_change(&tr, Some(2));
        assert_eq!((up.symbol, up.number.as_str(), up.label.as_str()), ("▲", "2", "Up 2 places"));
        let down = rank_change(&Tr::new(Lang::Vi), Some(-3));
        assert_eq!((down.symbol, down.label.as_str()), ("▼", "Giảm 3 bậc"));
        assert_eq!(rank_change(&tr, None).label, "No previous rank");
    }

    #[test]
    fn bands_are_coloured_by_their_place_and_named() {
        let band = |code: &str, min| BandDefinition {
            code: code.into(),
            label_vi: format!("vi {code}"),
            label_en: format!("en {code}"),
            min_score: min,
        };
        let bands = vec![band("weak", 0.0), band("excellent", 90.0), band("good", 80.0)];
        let b = band_badge(&Tr::new(Lang::Vi), &bands, "excellent");
        assert_eq!((b.class.as_str(), b.label.as_str()), ("badge band-0", "vi excellent"));
        assert_eq!(band_badge(&Tr::new(Lang::En), &bands, "weak").class, "badge band-2");
        assert_eq!(band_badge(&Tr::new(Lang::En), &bands, "unknown").label, "unknown");
    }

    #[test]
    fn the_language_link_keeps_the_rest_of_the_query() {
        assert_eq!(lang_href("/app/", "period=2024-06&lang=vi", Lang::En), "/app/?period=2024-06&lang=en");
        assert_eq!(lang_href("/app/completeness", "", Lang::Vi), "/app/completeness?lang=vi");
    }
}
