//! Changes to the tree of units (admin): create a unit, start a new version of it, end it,
//! merge it into another. `cchc_domain::hierarchy` says whether the change fits the stored
//! history; each change and its audit entry are one transaction.

use chrono::Utc;

use cchc_domain::feed::merge_event;
use cchc_domain::hierarchy::{self, Merge, UnitVersion};
use cchc_domain::{Month, UnitCode, UnitName};
use cchc_persistence::connection::write_transaction;
use cchc_persistence::{DbConnection, audit, feed, reports, units};

use super::read_units::{UnitView, unit_view};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Problem};

/// A new name and/or parent from a month on.
pub struct UnitChange {
    pub from: Month,
    pub name: Option<UnitName>,
    pub parent: Option<UnitCode>,
}

/// Records a change's audit entry, under the unit's province now (or when it last existed).
fn audited(
    c: &mut DbConnection,
    caller: &Caller,
    code: &UnitCode,
    action: &str,
    details: serde_json::Value,
) -> ApiResult<()> {
    let province = units::topology_around(c, code)?.province_now(code, super::this_month());
    let entry = super::audit_entry(caller, action, "unit", code.to_string(), province, details);
    Ok(audit::record(c, &entry, Utc::now())?)
}

fn view_now(conn: &mut DbConnection, code: &UnitCode, at: Month) -> ApiResult<UnitView> {
    unit_view(code, &units::topology_around(conn, code)?, at)
}

pub fn create(conn: &mut DbConnection, caller: &Caller, first: UnitVersion) -> ApiResult<UnitView> {
    caller.require_admin("only an admin creates units")?;
    hierarchy::check_parent(first.level, first.parent.as_ref())
        .map_err(|e| Problem::InvalidParent.error(e.to_string()))?;
    let details = serde_json::json!({"name": first.name, "level": first.level, "parent_code": first.parent});
    write_transaction(conn, |c| -> Result<(), AppError> {
        let taken = units::exists(c, &first.code)?;
        let parent_versions = match &first.parent {
            Some(p) => units::versions_of(c, p)?,
            None => Vec::new(),
        };
        hierarchy::check_create(&first, taken, &parent_versions)?;
        units::create(c, &first, Utc::now())?;
        audited(c, caller, &first.code, "unit.create", details)
    })?;
    view_now(conn, &first.code, first.valid_from.unwrap_or_else(super::this_month))
}

pub fn change(conn: &mut DbConnection, caller: &Caller, code: &UnitCode, change: UnitChange) -> ApiResult<UnitView> {
    caller.require_admin("only an admin changes units")?;
    if change.name.is_none() && change.parent.is_none() {
        return Err(Problem::BadRequest.error("give a new name, a new parent_code, or both"));
    }
    let details = serde_json::json!({"from": change.from, "name": change.name.as_ref().map(UnitName::as_str),
        "parent_code": change.parent});
    write_transaction(conn, |c| -> Result<(), AppError> {
        let (ids, versions): (Vec<i64>, Vec<UnitVersion>) = units::versions_with_ids(c, code)?.into_iter().unzip();
        let (ends, next) =
            hierarchy::plan_change(code, &versions, change.from, change.name.as_ref(), change.parent.as_ref())?;
        let parent_versions = match &next.parent {
            Some(p) => units::versions_of(c, p)?,
            None => Vec::new(),
        };
        hierarchy::check_parent_throughout(&next, &parent_versions)?;
        units::set_valid_to(c, ids[ends], Some(change.from.previous()))?;
        units::add_version(c, &next, Utc::now())?;
        audited(c, caller, code, "unit.change", details)
    })?;
    view_now(conn, code, super::this_month())
}

/// Ends `code` after `last`, in the caller's transaction.
fn end_in(c: &mut DbConnection, code: &UnitCode, last: Month) -> ApiResult<()> {
    let (ids, versions): (Vec<i64>, Vec<UnitVersion>) = units::versions_with_ids(c, code)?.into_iter().unzip();
    let reports_after = reports::periods_after(c, code, last)?;
    let children = units::child_versions(c, code)?;
    if let Some(i) = hierarchy::check_end(code, &versions, last, &reports_after, &children)? {
        units::set_valid_to(c, ids[i], Some(last))?;
    }
    Ok(())
}

pub fn end(conn: &mut DbConnection, caller: &Caller, code: &UnitCode, last: Month) -> ApiResult<UnitView> {
    caller.require_admin("only an admin ends units")?;
    write_transaction(conn, |c| -> Result<(), AppError> {
        end_in(c, code, last)?;
        audited(c, caller, code, "unit.end", serde_json::json!({"last": last}))
    })?;
    view_now(conn, code, super::this_month())
}

/// `absorbed` merges into `into` from `effective`: its last month is the one before, and its
/// history counts towards the successor from then on.
pub fn merge(
    conn: &mut DbConnection,
    caller: &Caller,
    absorbed: &UnitCode,
    into: &UnitCode,
    effective: Month,
) -> ApiResult<UnitView> {
    caller.require_admin("only an admin merges units")?;
    write_transaction(conn, |c| -> Result<(), AppError> {
        let absorbed_versions = units::versions_of(c, absorbed)?;
        let successor_versions = units::versions_of(c, into)?;
        let merges = units::all_merges(c)?;
        hierarchy::check_merge(absorbed, into, effective, &absorbed_versions, &successor_versions, &merges)?;
        let now = Utc::now();
        let merge = Merge { absorbed: absorbed.clone(), successor: into.clone(), effective };
        units::insert_merge(c, &merge, now)?;
        let province = units::topology_around(c, into)?.province_now(into, super::this_month());
        feed::append(c, &merge_event(absorbed, into, effective, province.as_ref()), now)?;
        end_in(c, absorbed, effective.previous())?;
        audited(c, caller, absorbed, "unit.merge", serde_json::json!({"into": into, "effective_from": effective}))
    })?;
    view_now(conn, absorbed, super::this_month())
}
