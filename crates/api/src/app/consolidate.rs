//! The consolidated table (*biểu tổng hợp*) the Interior Office builds by hand today: one row
//! per commune below a unit for a month, quarter or year — every indicator rolled up over the
//! period, the derived figures, how many months were reported and on time, the standing and
//! score — and a totals row computed by the aggregation rules, equal to the unit's aggregates.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::aggregation::{UnitsAggregate, aggregate_units};
use cchc_domain::derived::{DERIVED, derive, derived_figure, round2};
use cchc_domain::hierarchy::successor_at;
use cchc_domain::ranking::Standing;
use cchc_domain::{Catalog, Period, UnitCode, UnitLevel, Values};
use cchc_persistence::DbConnection;

use super::UnitPeriod;
use super::aggregate::load_period_figures;
use super::paging::page;
use super::rank::{self, RankingRequest};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{Cell, Table};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsolidatedRow {
    pub unit_code: String,
    pub unit_name: String,
    /// Months of the period with a counted report (submitted, approved or locked).
    pub months_reported: usize,
    /// Of those, months first submitted by their due date.
    pub months_on_time: usize,
    pub standing: Standing,
    pub rank: Option<u32>,
    /// Score under the scheme, two decimals; null when not ranked.
    pub score: Option<f64>,
    pub band: Option<String>,
    /// The commune's figures rolled up over the period, each indicator by its own rule.
    #[schema(schema_with = crate::openapi::report_values)]
    pub values: Values,
    /// Rates recomputed from the rolled-up figures; null where an input is missing.
    pub derived: BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsolidatedView {
    pub unit_code: String,
    pub unit_name: String,
    pub level: UnitLevel,
    pub period: String,
    /// The scheme the scores are under: `code@version`.
    pub scheme: String,
    /// Communes below the unit in the period (the tree of its last month).
    pub communes: usize,
    /// Months each commune is expected to report.
    pub months_expected: usize,
    pub items: Vec<ConsolidatedRow>,
    /// Pass as `cursor` for the next page of rows; null on the last. The totals are always
    /// the whole unit's.
    pub next: Option<String>,
    /// The totals row: the unit's aggregates (`GET /api/v1/units/{code}/aggregates`).
    pub totals: UnitsAggregate,
    /// The scheme's band names in Vietnamese, by code, for the spreadsheet.
    #[serde(skip)]
    pub band_names: HashMap<String, String>,
}

/// The table for `q`; rows after the commune code `after`, at most `limit` (all when `None`).
pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    q: &UnitPeriod,
    limit: Option<usize>,
    after: Option<String>,
) -> ApiResult<ConsolidatedView> {
    let (topology, unit) = super::unit_in_view(conn, st, caller, q)?;
    let (code, period) = (&q.code, q.period);
    let ask =
        RankingRequest { unit: Some(code.clone()), period, detail: false, scheme: None, source: Default::default() };
    let ranking = rank::run(conn, st, caller, &ask)?;
    let entries: HashMap<&str, &rank::RankingEntry> =
        ranking.view.entries.iter().map(|e| (e.unit_code.as_str(), e)).collect();
    let figures = load_period_figures(conn, &st.catalog, &topology, Some(code), period)?;
    let last = period.last_month();
    let cal = st.calendar(conn, caller.epoch.as_ref())?;
    let mut on_time: HashMap<UnitCode, usize> = HashMap::new();
    for f in &figures.monthly {
        if f.submitted_at.is_some_and(|t| cal.is_on_time(&Period::Month(f.period), t)) {
            *on_time.entry(successor_at(&topology.merges, &f.unit_code, last)).or_default() += 1;
        }
    }
    let empty = Values::new();
    let rows: Vec<ConsolidatedRow> = figures
        .communes
        .iter()
        .filter(|(c, _)| after.as_deref().is_none_or(|a| c.as_str() > a))
        .take(limit.map_or(usize::MAX, |l| l + 1))
        .map(|(c, name)| {
            let values = figures.values.get(c).unwrap_or(&empty);
            let entry = entries.get(c.as_str());
            ConsolidatedRow {
                unit_code: c.to_string(),
                unit_name: name.clone(),
                months_reported: figures.months_reported.get(c).copied().unwrap_or(0),
                months_on_time: on_time.get(c).copied().unwrap_or(0).min(period.len_months() as usize),
                standing: entry.map_or(Standing::Missing, |e| e.status),
                rank: entry.and_then(|e| e.rank),
                score: entry.and_then(|e| e.score),
                band: entry.and_then(|e| e.band.clone()),
                values: values.clone(),
                derived: derived_of(values),
            }
        })
        .collect();
    let (items, next) = match limit {
        Some(l) => page(rows, l, |r| r.unit_code.clone()),
        None => (rows, None),
    };
    Ok(ConsolidatedView {
        unit_code: code.to_string(),
        unit_name: unit.name,
        level: unit.level,
        period: period.to_string(),
        scheme: format!("{}@{}", ranking.view.scheme.code, ranking.view.scheme.version),
        communes: figures.communes.len(),
        months_expected: period.len_months() as usize,
        items,
        next,
        totals: aggregate_units(&st.catalog, figures.values.values()),
        band_names: ranking.bands.iter().map(|b| (b.code.clone(), b.label_vi.clone())).collect(),
    })
}

fn derived_of(values: &Values) -> BTreeMap<String, Option<f64>> {
    let d = derive(values);
    DERIVED.iter().map(|f| (f.code.to_owned(), d.get(f.code).map(round2))).collect()
}

/// The table as a spreadsheet: a row per commune, a column per indicator (catalog order) and
/// derived figure — a total that is both has its derived column only — and the totals row last.
pub fn table(view: &ConsolidatedView, catalog: &Catalog) -> Table {
    // Headers in the terms of the period's last month.
    let in_period = cchc_domain::Period::parse(&view.period).ok().map(|p| catalog.in_period(p.last_month()));
    let catalog = in_period.as_ref().unwrap_or(catalog);
    let indicators: Vec<&cchc_domain::catalog::Indicator> =
        catalog.indicators().iter().filter(|i| derived_figure(&i.code).is_none()).collect();
    let mut headers: Vec<String> =
        ["Mã xã", "Tên xã", "Tình trạng", "Số tháng đã báo cáo", "Số tháng đúng hạn", "Hạng", "Điểm", "Xếp loại"]
            .map(String::from)
            .to_vec();
    headers.extend(indicators.iter().map(|i| i.label_vi.clone()));
    headers.extend(DERIVED.iter().map(|d| d.label_vi.to_owned()));
    let figure = |v: Option<&cchc_domain::Value>| match v {
        Some(cchc_domain::Value::Count(n)) => Cell::Int(*n),
        Some(cchc_domain::Value::Flag(yes)) => Cell::from(if *yes { "Có" } else { "Không" }),
        Some(other) => Cell::Number(other.as_f64()),
        None => Cell::Empty,
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for r in &view.items {
        let mut row = vec![
            Cell::from(r.unit_code.clone()),
            Cell::from(r.unit_name.clone()),
            Cell::from(r.standing.label_vi()),
            Cell::Int(r.months_reported as i64),
            Cell::Int(r.months_on_time as i64),
            Cell::from(r.rank.map(i64::from)),
            Cell::from(r.score),
            Cell::from(r.band.as_ref().map(|b| view.band_names.get(b).unwrap_or(b).clone()).unwrap_or_default()),
        ];
        row.extend(indicators.iter().map(|i| figure(r.values.get(&i.code))));
        row.extend(DERIVED.iter().map(|d| Cell::from(r.derived.get(d.code).copied().flatten())));
        rows.push(row);
    }
    let mut totals = vec![
        Cell::from(""),
        Cell::from("Tổng cộng"),
        Cell::from(""),
        Cell::Int(view.items.iter().map(|r| r.months_reported as i64).sum()),
        Cell::Int(view.items.iter().map(|r| r.months_on_time as i64).sum()),
        Cell::Empty,
        Cell::Empty,
        Cell::from(""),
    ];
    totals.extend(indicators.iter().map(|i| match view.totals.indicators.get(&i.code).map(|a| &a.value) {
        Some(serde_json::Value::Number(n)) if n.is_i64() => Cell::from(n.as_i64()),
        Some(serde_json::Value::Number(n)) => Cell::from(n.as_f64()),
        _ => Cell::Empty,
    }));
    totals.extend(DERIVED.iter().map(|d| Cell::from(view.totals.derived.get(d.code).map(round2))));
    rows.push(totals);
    Table {
        name: format!("bieu-tong-hop-{}-{}", view.unit_code, view.period),
        title: format!("Biểu tổng hợp kết quả CCHC — {} ({}), kỳ {}", view.unit_name, view.unit_code, view.period),
        headers,
        rows,
    }
}
