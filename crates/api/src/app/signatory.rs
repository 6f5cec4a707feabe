//! Who signs a unit's official documents: the commune's chair (*Chủ tịch UBND xã*), the head of
//! the Interior Office. One name per unit, kept as a setting (`signatory.<code>`), set by an
//! admin or by the unit's own staff — they know who signs — and printed under the signature
//! block of the documents; without one the line is left for the officer to type.

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::UnitCode;
use cchc_domain::text::check_line;
use cchc_persistence::connection::write_transaction;
use cchc_persistence::{DbConnection, audit, settings, units};

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Problem};

/// The longest name accepted.
const MAX_NAME: usize = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct SignatoryView {
    pub unit_code: String,
    /// The name printed under the signature; null when none is set.
    pub name: Option<String>,
}

pub fn key(code: &UnitCode) -> String {
    format!("signatory.{code}")
}

/// The name that signs `code`'s documents, if one is set.
pub fn name_of(conn: &mut DbConnection, code: &UnitCode) -> ApiResult<Option<String>> {
    Ok(settings::get(conn, &key(code))?)
}

pub fn get(conn: &mut DbConnection, caller: &Caller, code: &UnitCode) -> ApiResult<SignatoryView> {
    let topology = units::topology_around(conn, code)?;
    let now = super::this_month();
    let month = topology.present_month(code, now).unwrap_or(now);
    caller.ensure_can_view(code, &topology, month, now)?;
    if !topology.knows(code) {
        return Err(Problem::UnitNotFound.error(format!("there is no unit {code}")));
    }
    Ok(SignatoryView { unit_code: code.to_string(), name: name_of(conn, code)? })
}

/// Sets (or, with an empty name, clears) who signs `code`'s documents.
pub fn set(conn: &mut DbConnection, caller: &Caller, code: &UnitCode, name: &str) -> ApiResult<SignatoryView> {
    if !caller.is_admin() && caller.unit() != Some(code) {
        return Err(Problem::OutsideScope.error(format!("only an admin or the staff of {code} name who signs for it")));
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    check_line("name", &name)?;
    if name.chars().count() > MAX_NAME {
        return Err(Problem::BadRequest.error(format!("a name is at most {MAX_NAME} characters")));
    }
    let topology = units::topology_around(conn, code)?;
    if !topology.knows(code) {
        return Err(Problem::UnitNotFound.error(format!("there is no unit {code}")));
    }
    let province = topology.province_now(code, super::this_month());
    let value = (!name.is_empty()).then_some(name.as_str());
    write_transaction(conn, |c| -> Result<(), AppError> {
        settings::set(c, &key(code), value)?;
        let details = serde_json::json!({"name": value});
        let entry = super::audit_entry(caller, "unit.signatory", "unit", code.to_string(), province, details);
        Ok(audit::record(c, &entry, Utc::now())?)
    })?;
    Ok(SignatoryView { unit_code: code.to_string(), name: value.map(str::to_owned) })
}
