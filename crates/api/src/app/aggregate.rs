//! Totals over the communes below a unit for a month, quarter, half-year or year, each
//! indicator by its own rule, with predecessors' reports counted towards their successors; as
//! JSON or as a table with Vietnamese headers.

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::aggregation::{
    AggregateRule, PeriodFigures, UnitsAggregate, aggregate_units, period_figures, reporting_units,
};
use cchc_domain::derived::{DERIVED, round2};
use cchc_domain::periodic_report::{FiguresSource, filed_period_figures};
use cchc_domain::{Catalog, Month, Period, Principal, Topology, UnitCode, UnitLevel};
use cchc_persistence::{DbConnection, reports};

use super::UnitPeriod;
use crate::error::{ApiResult, Problem};
use crate::export::{Cell, Table};
use crate::state::AppState;

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
    /// Counted commune-month reports (submitted, approved or locked; never drafts); with
    /// `source=filed` a counted periodic report counts for every month of its period.
    pub reports_counted: usize,
    /// Where a longer period's figures come from: `months` (rolled up) or `filed` (periodic reports).
    pub source: FiguresSource,
    #[serde(flatten)]
    pub aggregate: UnitsAggregate,
}

/// The name and level of `unit` in a period's last month (the country for `None`).
pub fn unit_in(topology: &Topology, unit: Option<&UnitCode>, period: Period) -> ApiResult<(String, Option<UnitLevel>)> {
    let Some(code) = unit else { return Ok(("Toàn quốc".to_owned(), None)) };
    let tree = topology.at(period.last_month());
    let node =
        tree.get(code).ok_or_else(|| Problem::UnitNotFound.error(format!("unit {code} does not exist in {period}")))?;
    Ok((node.name.clone(), Some(node.level)))
}

/// The communes below `unit` (the country for `None`) in the tree of the period's last month,
/// with their counted figures rolled up over the period.
pub fn load_period_figures(
    conn: &mut DbConnection,
    catalog: &Catalog,
    topology: &Topology,
    unit: Option<&UnitCode>,
    period: Period,
) -> ApiResult<PeriodFigures> {
    let last = period.last_month();
    let communes: Vec<(UnitCode, String)> =
        topology.at(last).communes_below(unit).into_iter().map(|n| (n.code.clone(), n.name.clone())).collect();
    let codes: Vec<UnitCode> = communes.iter().map(|(c, _)| c.clone()).collect();
    let wanted = reporting_units(&codes, &topology.merges);
    let months: Vec<Month> = period.months().collect();
    let scope: Option<Vec<&UnitCode>> = unit.map(|_| wanted.iter().collect());
    let reports = reports::figures(conn, &months, scope.as_deref())?;
    Ok(period_figures(catalog, communes, &topology.merges, last, reports))
}

/// The period's figures from the source asked for: the months rolled up, or the filed periodic
/// reports (a month's are its monthly reports either way).
pub fn load_figures(
    conn: &mut DbConnection,
    catalog: &Catalog,
    topology: &Topology,
    unit: Option<&UnitCode>,
    period: Period,
    source: FiguresSource,
) -> ApiResult<PeriodFigures> {
    if source == FiguresSource::Months || period.as_month().is_ok() {
        return load_period_figures(conn, catalog, topology, unit, period);
    }
    let communes: Vec<(UnitCode, String)> = topology
        .at(period.last_month())
        .communes_below(unit)
        .into_iter()
        .map(|n| (n.code.clone(), n.name.clone()))
        .collect();
    let codes: Vec<UnitCode> = communes.iter().map(|(c, _)| c.clone()).collect();
    let wanted = reporting_units(&codes, &topology.merges);
    let scope: Option<Vec<&UnitCode>> = unit.map(|_| wanted.iter().collect());
    let filed = reports::periodic_figures(conn, period, scope.as_deref())?;
    let filed = filed.into_iter().map(|f| (f.unit_code, f.status, f.values)).collect();
    Ok(filed_period_figures(communes, &topology.merges, period, filed))
}

pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    q: &UnitPeriod,
    source: FiguresSource,
) -> ApiResult<AggregateView> {
    let (topology, unit) = super::unit_in_view(conn, st, caller, q)?;
    let (code, period) = (&q.code, q.period);
    let figures = load_figures(conn, &st.catalog, &topology, Some(code), period, source)?;
    Ok(AggregateView {
        unit_code: code.to_string(),
        unit_name: unit.name,
        level: unit.level,
        period: period.to_string(),
        communes_expected: figures.communes.len(),
        communes_reported: figures.values.len(),
        reports_expected: figures.communes.len() * period.len_months() as usize,
        reports_counted: figures.months_reported.values().sum(),
        source,
        aggregate: aggregate_units(&st.catalog, figures.values.values()),
    })
}

/// The aggregates as a spreadsheet table with Vietnamese headers.
pub fn table(view: &AggregateView, catalog: &Catalog) -> Table {
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
        title: format!("Tổng hợp số liệu CCHC — {} ({}), kỳ {}", view.unit_name, view.unit_code, view.period),
        headers: ["Mã chỉ tiêu", "Chỉ tiêu", "Giá trị", "Cách tổng hợp", "Số đơn vị báo cáo"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}
