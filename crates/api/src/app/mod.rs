//! The use cases, one module each. A use case is a function over a connection, the state, the
//! caller and a command; it opens the transaction where it writes, asks `cchc_domain` whether
//! the caller may and what the rules say, reads and writes through `cchc_persistence`, and
//! returns an outcome or an error of the field (`crate::error::Problem`). The API's routes and
//! the dashboard's pages both call these functions, and nothing else below them; see
//! `docs/architecture.md`.

pub mod add_scheme;
pub mod aggregate;
pub mod apply_schemes;
pub mod audit_log;
pub mod calendar;
pub mod change_feed;
pub mod change_units;
pub mod commune_reports;
pub mod completeness;
pub mod consolidate;
pub mod file_report;
pub mod health;
pub mod import_report;
pub mod indicators;
pub mod ingest_dossiers;
pub mod manage_users;
pub mod official_documents;
pub mod paging;
pub mod periodic_prefill;
pub mod rank;
pub mod read_report;
pub mod read_schemes;
pub mod read_units;
pub mod recheck_next_month;
pub mod reconcile;
pub mod report_form;
pub mod report_history;
pub mod review_report;
pub mod revision;
pub mod score_card;
pub mod sign_in;
pub mod signatory;

use std::sync::Arc;

use chrono::Utc;

use cchc_domain::hierarchy::Node;
use cchc_domain::{Month, Period, Principal, Topology, UnitCode};
use cchc_persistence::DbConnection;
use cchc_persistence::audit::NewEntry;

use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// The current month in Vietnam.
pub fn this_month() -> Month {
    Month::current(Utc::now())
}

/// A view of one unit's data for a period: the command of aggregates, completeness and
/// reconciliation.
#[derive(Debug, Clone)]
pub struct UnitPeriod {
    pub code: UnitCode,
    pub period: Period,
}

/// The unit tree as the caller may see it — without the units below the unit it may not see
/// (`Principal::hidden_below`) — once it may see the unit for the period, with the unit as it
/// stood in the period's last month: where every view of a unit's data starts.
pub fn unit_in_view(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    q: &UnitPeriod,
) -> ApiResult<(Arc<Topology>, Node)> {
    let (code, period) = (&q.code, q.period);
    let topology = st.topology.get(conn, None)?;
    caller.ensure_can_view(code, &topology, period.last_month(), this_month())?;
    let topology = in_view(caller, topology, code, period.last_month());
    let node = topology
        .at(period.last_month())
        .get(code)
        .cloned()
        .ok_or_else(|| Problem::UnitNotFound.error(format!("unit {code} does not exist in {period}")))?;
    Ok((topology, node))
}

/// `topology` without what the caller may not see below `unit` in `month` (itself, usually).
pub fn in_view(caller: &Principal, topology: Arc<Topology>, unit: &UnitCode, month: Month) -> Arc<Topology> {
    let hidden = caller.hidden_below(&topology, unit, month, this_month());
    if hidden.is_empty() { topology } else { Arc::new(topology.without(&hidden)) }
}

/// An audit entry for a write by `caller`: what, on which target, in which province.
pub fn audit_entry(
    caller: &Caller,
    action: &str,
    target_type: &str,
    target: String,
    province: Option<UnitCode>,
    details: serde_json::Value,
) -> NewEntry {
    NewEntry {
        actor: caller.subject.clone(),
        actor_role: caller.role.to_string(),
        actor_unit: caller.unit().map(UnitCode::to_string),
        action: action.to_owned(),
        target_type: target_type.to_owned(),
        target,
        province,
        details,
        request_id: caller.request_id.clone(),
    }
}
