//! What the templates show: page structs (askama templates) and the small view models built
//! from the data in the reader's language. Numbers are formatted here; templates only place
//! and escape them.

use std::sync::OnceLock;

use actix_web::HttpRequest;
use askama::Template;

use cchc_domain::scoring::BandDefinition;
use cchc_domain::{Month, Period, Value};

use crate::app::rank::RankingEntry;

use super::data::{CompletenessData, RankingData, UnitChoice};
use super::encode_pairs;
use super::i18n::{Lang, Tr};
use super::session::Session;

mod commune;
mod consolidated;

pub use commune::*;
pub use consolidated::*;

pub const CSS: &str = include_str!("../../../assets/dashboard.css");
pub const JS: &str = include_str!("../../../assets/dashboard.js");
pub const FORM_JS: &str = include_str!("../../../assets/report-form.js");
pub const FAVICON: &str = include_str!("../../../assets/favicon.svg");

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

pub(super) fn value_text(tr: &Tr, v: &Value) -> String {
    match v {
        Value::Flag(true) => tr.t("commune.yes").to_owned(),
        Value::Flag(false) => tr.t("commune.no").to_owned(),
        Value::Count(n) => tr.number(*n as f64, 0),
        Value::Number(x) => tr.decimal(*x),
    }
}

pub(super) fn time_text(tr: &Tr, t: chrono::DateTime<chrono::FixedOffset>) -> String {
    match tr.lang {
        Lang::Vi => t.format("%H:%M %d/%m/%Y").to_string(),
        Lang::En => t.format("%-d %b %Y %H:%M").to_string(),
    }
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
