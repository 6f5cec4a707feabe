//! The consolidated table (*biểu tổng hợp*) as its page shows it.

use askama::Template;

use cchc_domain::derived::derived_figure;
use cchc_domain::{Catalog, Value};

use super::{Badge, Chrome, Picker, encode_pairs, period_groups, unit_options, value_text};
use crate::dashboard::i18n::Lang;

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

pub fn consolidated_page(
    chrome: Chrome,
    catalog: &Catalog,
    data: &crate::dashboard::data::ConsolidatedData,
) -> ConsolidatedPage {
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
            Some(serde_json::Value::Bool(b)) => value_text(&tr, &Value::Flag(b.to_owned())),
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
