//! What a periodic report (a quarter, half-year, nine months or year) starts from: the
//! commune's counted monthly reports of the period rolled up by each indicator's rule, with the
//! months behind them. The same roll-up is what a filed periodic report is checked against.

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::aggregation::with_totals;
use cchc_domain::derived::{Derived, derive};
use cchc_domain::{Period, Principal, Topology, UnitCode, Values};
use cchc_persistence::{DbConnection, units};

use super::aggregate::load_period_figures;
use super::read_report::commune_in;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// The months' roll-up a periodic report is prefilled with.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrefillView {
    pub unit_code: String,
    /// The commune's name in the period's last month.
    pub unit_name: String,
    pub period: String,
    /// Months in the period.
    pub months_expected: usize,
    /// The months with a counted report (submitted, approved or locked), in order; a merged
    /// commune's months include its predecessors'.
    pub months_reported: Vec<String>,
    /// The rolled-up figures: flows summed, stocks the last month's, carried over the first
    /// month's, reported rates their mean, events yes if any month says yes.
    #[schema(schema_with = crate::openapi::report_values)]
    pub values: Values,
    pub derived: Derived,
}

/// The roll-up of one commune's months over a period.
pub struct MonthsRollUp {
    pub values: Values,
    pub months: Vec<String>,
}

/// The commune's counted months of `period`, rolled up (with the dossier totals their parts give).
pub fn months_roll_up(
    conn: &mut DbConnection,
    st: &AppState,
    topology: &Topology,
    code: &UnitCode,
    period: Period,
) -> ApiResult<MonthsRollUp> {
    let figures = load_period_figures(conn, &st.catalog, topology, Some(code), period)?;
    let mut months: Vec<String> = figures.monthly.iter().map(|f| f.period.to_string()).collect();
    months.sort();
    months.dedup();
    let values = figures.values.get(code).map(|v| with_totals(&st.catalog, v)).unwrap_or_default();
    Ok(MonthsRollUp { values, months })
}

/// `GET …/reports/{period}/prefill`: for whoever may see the commune in the period's last month.
pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    code: &UnitCode,
    period: Period,
) -> ApiResult<PrefillView> {
    if let Period::Month(m) = period {
        return Err(Problem::InvalidPeriod.error(format!(
            "{m} is a month: a prefill rolls months up into a quarter, half-year, nine months or year"
        )));
    }
    let topology = units::topology_around(conn, code)?;
    let last = period.last_month();
    caller.ensure_can_view(code, &topology, last, super::this_month())?;
    let unit_name = commune_in(&topology, code, last)?;
    let MonthsRollUp { values, months } = months_roll_up(conn, st, &topology, code, period)?;
    Ok(PrefillView {
        unit_code: code.to_string(),
        unit_name,
        period: period.to_string(),
        months_expected: period.len_months() as usize,
        months_reported: months,
        derived: derive(&values),
        values,
    })
}
