//! Each commune's own Biểu 06 figures (and digitised and paid-online counts) beside those its
//! dossier records at the portal give, for the same month and data window.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::hierarchy::{records_of, successor_at};
use cchc_domain::reconciliation::{compare, portal_figures};
use cchc_domain::{Period, Principal, UnitCode, Values};
use cchc_persistence::{DbConnection, portal_dossiers, reports};

use super::UnitPeriod;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationEntry {
    pub unit_code: String,
    pub unit_name: String,
    pub indicator: String,
    /// The commune's own figure (its counted report); null when not reported.
    pub reported: Option<i64>,
    /// The figure derived from the portal's dossier records; null when the portal sent none
    /// for the commune.
    pub portal: Option<i64>,
    /// reported − portal; null when either is missing.
    pub difference: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationView {
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    /// Communes with at least one difference.
    pub communes_with_differences: usize,
    pub entries: Vec<ReconciliationEntry>,
}

/// Reconciliation is by month: the portal's records are counted in a month's data window.
pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    q: &UnitPeriod,
) -> ApiResult<ReconciliationView> {
    let Period::Month(month) = q.period else {
        return Err(Problem::InvalidPeriod.error(format!("reconciliation is by month, not {}", q.period)));
    };
    let (topology, unit) = super::unit_in_view(conn, st, caller, q)?;
    let code = &q.code;
    let tree = topology.at(month);
    let communes = tree.communes_below(Some(code));
    let codes: Vec<&UnitCode> = communes.iter().map(|n| &n.code).collect();
    let cal = st.calendar(conn, None)?;
    let (start, end) = cal.window(month);
    // Each commune's records include those of the units merged into it by this month.
    let mut with_predecessors: Vec<UnitCode> = Vec::new();
    for c in &codes {
        with_predecessors.extend(records_of(&topology.merges, c, month));
    }
    let refs: Vec<&UnitCode> = with_predecessors.iter().collect();
    let records = portal_dossiers::for_window(conn, &refs, start, end)?;
    let reported: HashMap<UnitCode, Values> = reports::figures(conn, &[month], Some(&codes))?
        .into_iter()
        .filter(|f| f.status.counts())
        .map(|f| (f.unit_code, f.values))
        .collect();
    let (mut entries, mut with_differences) = (Vec::new(), 0);
    let empty = Values::new();
    for n in communes {
        let own: Vec<_> =
            records.iter().filter(|d| successor_at(&topology.merges, &d.unit, month) == n.code).cloned().collect();
        let comparisons = compare(reported.get(&n.code).unwrap_or(&empty), portal_figures(&own, month, &cal).as_ref());
        with_differences += usize::from(comparisons.iter().any(|c| c.differs()));
        entries.extend(comparisons.into_iter().map(|c| ReconciliationEntry {
            unit_code: n.code.to_string(),
            unit_name: n.name.clone(),
            indicator: c.indicator.to_owned(),
            reported: c.reported,
            portal: c.portal,
            difference: c.difference(),
        }));
    }
    Ok(ReconciliationView {
        unit_code: code.to_string(),
        unit_name: unit.name,
        period: month.to_string(),
        communes_with_differences: with_differences,
        entries,
    })
}
