//! Totals over the communes below a unit, each indicator by its own rule.

use std::collections::{BTreeMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::Catalog;
use cchc_domain::aggregation::{AggregateRule, UnitsAggregate, aggregate_units, combine_reports, roll_up_months};
use cchc_domain::hierarchy::{predecessors, successor_at};
use cchc_domain::{Month, Period, UnitCode, UnitLevel, Values};
use cchc_persistence::DbConnection;
use cchc_persistence::reports::{self, MonthFigures};
use cchc_persistence::units::Topology;

use crate::auth::Caller;
use crate::error::{ApiResult, not_found};
use crate::export::{self, Cell, ExportFormat, Table};
use crate::params;
use crate::scope::ensure_can_view;
use crate::state::AppState;
use cchc_domain::derived::{DERIVED, round2};

#[derive(Serialize, ToSchema)]
pub struct AggregateView {
    pub unit_code: String,
    pub unit_name: String,
    pub level: UnitLevel,
    pub period: String,
    /// Communes below the unit in the period (the tree of its last month).
    pub communes_expected: usize,
    /// Communes with at least one counted report in the period.
    pub communes_reported: usize,
    /// Commune-months expected: communes × months.
    pub reports_expected: usize,
    /// Counted commune-month reports (submitted, approved or locked; never drafts).
    pub reports_counted: usize,
    #[serde(flatten)]
    pub aggregate: UnitsAggregate,
}

/// The communes below `unit` in the period and their counted figures, each commune's months
/// rolled up, with predecessors' reports attributed to their successors.
pub struct PeriodFigures {
    pub unit_name: String,
    pub level: UnitLevel,
    /// Every expected commune with its name, by code.
    pub communes: Vec<(UnitCode, String)>,
    /// Rolled-up values of the communes that reported, by code.
    pub values: BTreeMap<UnitCode, Values>,
    /// The counted monthly reports behind them.
    pub monthly: Vec<MonthFigures>,
    /// Months with at least one counted report, by expected commune (a successor's month counts
    /// once however many of its predecessors reported it).
    pub months_reported: BTreeMap<UnitCode, usize>,
}

pub fn load_period_figures(
    conn: &mut DbConnection,
    state: &AppState,
    topology: &Topology,
    unit: Option<&UnitCode>,
    period: Period,
) -> ApiResult<PeriodFigures> {
    let last = period.last_month();
    let tree = topology.at(last);
    let (unit_name, level) = match unit {
        Some(code) => {
            let node = tree.get(code).ok_or_else(|| not_found(format!("unit {code} does not exist in {period}")))?;
            (node.name.clone(), node.level)
        }
        None => ("Toàn quốc".to_owned(), UnitLevel::Province),
    };
    let communes: Vec<(UnitCode, String)> =
        tree.communes_below(unit).into_iter().map(|n| (n.code.clone(), n.name.clone())).collect();
    let mut wanted: Vec<UnitCode> = communes.iter().map(|(c, _)| c.clone()).collect();
    if !topology.merges.is_empty() {
        for (c, _) in &communes {
            wanted.extend(predecessors(&topology.merges, c));
        }
    }
    let months: Vec<Month> = period.months().collect();
    let scope: Option<Vec<&UnitCode>> = unit.map(|_| wanted.iter().collect());
    // Attribute each report to the unit that carries its history at the end of the period.
    let expected: HashSet<&UnitCode> = communes.iter().map(|(c, _)| c).collect();
    let monthly: Vec<MonthFigures> = reports::figures(conn, &months, scope.as_deref())?
        .into_iter()
        .filter(|f| f.status.counts() && expected.contains(&successor_at(&topology.merges, &f.unit_code, last)))
        .collect();
    let mut by_unit: BTreeMap<UnitCode, Vec<(Month, &Values)>> = BTreeMap::new();
    for f in &monthly {
        let owner = successor_at(&topology.merges, &f.unit_code, last);
        by_unit.entry(owner).or_default().push((f.period, &f.values));
    }
    let values = by_unit
        .into_iter()
        .map(|(code, mut months)| {
            months.sort_by_key(|(m, _)| *m);
            let merged = merge_same_month(&state.catalog, months);
            let refs: Vec<(Month, &Values)> = merged.iter().map(|(m, v)| (*m, v)).collect();
            (code, roll_up_months(&state.catalog, &refs))
        })
        .collect();
    let mut months_reported: BTreeMap<UnitCode, usize> = BTreeMap::new();
    let distinct: HashSet<(UnitCode, Month)> =
        monthly.iter().map(|f| (successor_at(&topology.merges, &f.unit_code, last), f.period)).collect();
    for (owner, _) in distinct {
        *months_reported.entry(owner).or_default() += 1;
    }
    Ok(PeriodFigures { unit_name, level, communes, values, monthly, months_reported })
}

/// Several predecessors may have reported the same month: their figures add up into one.
fn merge_same_month(catalog: &Catalog, months: Vec<(Month, &Values)>) -> Vec<(Month, Values)> {
    let mut out: Vec<(Month, Vec<&Values>)> = Vec::new();
    for (m, v) in months {
        match out.last_mut() {
            Some((last, list)) if *last == m => list.push(v),
            _ => out.push((m, vec![v])),
        }
    }
    out.into_iter()
        .map(|(m, list)| match list.as_slice() {
            [one] => (m, (*one).clone()),
            many => (m, combine_reports(catalog, many)),
        })
        .collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AggregateQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
    /// `json` (default), `csv` or `xlsx`; or ask with the `Accept` header.
    pub format: Option<ExportFormat>,
}

fn aggregate_table(view: &AggregateView, catalog: &Catalog) -> Table {
    let rule = |r: AggregateRule| match r {
        AggregateRule::Sum => "Tổng",
        AggregateRule::ShareYes => "Tỷ lệ đơn vị trả lời Có (%)",
        AggregateRule::MeanOfReported => "Trung bình các đơn vị báo cáo",
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for ind in catalog.indicators() {
        if let Some(a) = view.aggregate.indicators.get(&ind.code) {
            rows.push(vec![
                Cell::from(ind.code.clone()),
                Cell::from(ind.label_vi.clone()),
                Cell::from(a.value.as_f64()),
                Cell::from(rule(a.rule)),
                Cell::Int(a.reporting_units as i64),
            ]);
        }
    }
    for fig in DERIVED {
        rows.push(vec![
            Cell::from(fig.code),
            Cell::from(fig.label_vi),
            Cell::from(view.aggregate.derived.get(fig.code).map(round2)),
            Cell::from("Tính từ tổng tử số và mẫu số"),
            Cell::Int(view.communes_reported as i64),
        ]);
    }
    Table {
        name: format!("tong-hop-{}-{}", view.unit_code, view.period),
        headers: vec!["Mã chỉ tiêu", "Chỉ tiêu", "Giá trị", "Cách tổng hợp", "Số đơn vị báo cáo"],
        rows,
    }
}

/// Aggregates over every commune below a unit for a month, quarter, half-year or year:
/// counts summed, derived rates recomputed from summed numerators and denominators, reported
/// rates as a labelled mean over reporting communes, yes/no as the share answering yes.
#[utoipa::path(get, path = "/api/v1/units/{code}/aggregates", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), AggregateQuery),
    responses(
        (status = 200, description = "The aggregates (JSON), or a table with Vietnamese headers (`format=csv|xlsx`)", 
            content((AggregateView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<AggregateQuery>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, query.format);
    let code = params::unit_code(&path)?;
    let period = params::period(&query.period)?;
    let st = state.clone();
    let view = state
        .db(move |conn| {
            let topology = st.topology.get(conn, None)?;
            ensure_can_view(&caller, &topology, &code, period.last_month())?;
            let figures = load_period_figures(conn, &st, &topology, Some(&code), period)?;
            let aggregate = aggregate_units(&st.catalog, figures.values.values());
            Ok(AggregateView {
                unit_code: code.to_string(),
                unit_name: figures.unit_name,
                level: figures.level,
                period: period.to_string(),
                communes_expected: figures.communes.len(),
                communes_reported: figures.values.len(),
                reports_expected: figures.communes.len() * period.len_months() as usize,
                reports_counted: figures.months_reported.values().sum(),
                aggregate,
            })
        })
        .await?;
    match format {
        ExportFormat::Json => Ok(HttpResponse::Ok().json(view)),
        f => export::respond(f, &aggregate_table(&view, &state.catalog)),
    }
}
