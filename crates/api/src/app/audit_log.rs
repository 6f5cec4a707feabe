//! The audit log: every write, newest first — all of it for admins, their province's for
//! province staff.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::period::to_vietnam_time;
use cchc_persistence::DbConnection;
use cchc_persistence::audit::{self, Entry};

use super::paging::page;
use crate::auth::Caller;
use crate::error::ApiResult;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    #[schema(value_type = cchc_domain::Role)]
    pub actor_role: String,
    pub actor_unit: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target: String,
    pub province_code: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// Which entries: every filter optional; its province is the caller's scope's, whatever it says.
pub use cchc_persistence::audit::Filter as AuditFilter;

/// Entries matching `filter` within the caller's scope, newest first.
pub fn list(conn: &mut DbConnection, caller: &Caller, mut filter: AuditFilter, limit: usize) -> ApiResult<AuditPage> {
    filter.province = caller.audit_scope()?;
    let rows = audit::query(conn, &filter, limit as i64 + 1)?;
    let (rows, next) = page(rows, limit, |e| e.id.to_string());
    let items = rows
        .into_iter()
        .map(|Entry { id, at, recorded: e }| AuditEntry {
            id,
            at: to_vietnam_time(at),
            actor: e.actor,
            actor_role: e.actor_role,
            actor_unit: e.actor_unit,
            action: e.action,
            target_type: e.target_type,
            target: e.target,
            province_code: e.province.map(|p| p.to_string()),
            details: e.details,
            request_id: e.request_id,
        })
        .collect();
    Ok(AuditPage { items, next })
}
