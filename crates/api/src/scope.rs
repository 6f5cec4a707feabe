//! Scope checks for handlers: the rule lives in `cchc_domain::access`; this loads what it needs.

use cchc_domain::{Month, Principal, UnitCode};
use cchc_persistence::units::Topology;

use crate::error::{ApiResult, forbidden};
use crate::params::current_month;

pub fn describe(p: &Principal) -> String {
    match p.unit() {
        Some(u) => format!("a {} token for unit {u}", p.role),
        None => format!("an {} token", p.role),
    }
}

/// Refuses, with 403, a caller who may not see `target`'s data for a period whose tree is
/// taken at `month`.
pub fn ensure_can_view(caller: &Principal, topology: &Topology, target: &UnitCode, month: Month) -> ApiResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    let then = topology.at(month);
    let now = topology.at(current_month());
    if caller.can_view(target, &then, &now, &topology.merges) {
        Ok(())
    } else {
        Err(forbidden(format!("{} may not see unit {target}", describe(caller))))
    }
}
