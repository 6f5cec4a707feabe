//! The audit log, for admins (everything) and province staff (their province's units).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::audit_log::{self, AuditFilter, AuditPage};
use crate::app::paging;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params::Paging;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The token subject that acted.
    pub actor: Option<String>,
    /// An action (`report.approve`), or a prefix ending in `.` (`report.`).
    pub action: Option<String>,
    /// A target (`07273/2024-06`), or a prefix ending in `/` (`07273/`).
    pub target: Option<String>,
    /// `report`, `unit`, `user` or `scheme`.
    pub target_type: Option<String>,
    /// From this time (RFC 3339), inclusive.
    pub from: Option<DateTime<FixedOffset>>,
    /// Up to this time (RFC 3339), inclusive.
    pub to: Option<DateTime<FixedOffset>>,
}

/// Every write, newest first, with filters and paging.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery, Paging), responses((status = 200, description = "A page of audit entries, newest first", body = AuditPage)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let limit = paging.limit()?;
    let before_id = paging.cursor.as_deref().map(paging::decode_number).transpose()?;
    let q = query.into_inner();
    for (field, text) in
        [("actor", &q.actor), ("action", &q.action), ("target", &q.target), ("target_type", &q.target_type)]
    {
        text.as_deref().map(|t| cchc_domain::text::check_line(field, t)).transpose()?;
    }
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        target: q.target,
        target_type: q.target_type,
        province: None,
        from: q.from.map(|t| t.to_utc()),
        to: q.to.map(|t| t.to_utc()),
        before_id,
    };
    let page = state.run(move |conn, _| audit_log::list(conn, &caller, filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
