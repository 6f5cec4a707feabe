//! The audit log, for admins (everything) and province staff (their province's units).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::Role;
use cchc_domain::period::to_vietnam_time;
use cchc_persistence::audit::{self, Filter};

use crate::auth::Caller;
use crate::error::{ApiResult, bad_request, forbidden};
use crate::params::{Paging, encode_cursor};
use crate::scope::describe;
use crate::state::AppState;

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

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<FixedOffset>,
    pub actor: String,
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

/// Every write, newest first, with filters and paging.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery, Paging),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let province = match caller.role {
        Role::Admin => None,
        Role::Province => caller.unit().cloned(),
        _ => {
            return Err(forbidden(format!(
                "the audit log is for admins and province staff; this is {}",
                describe(&caller)
            )));
        }
    };
    let limit = paging.limit()?;
    let before_id = paging
        .after()?
        .map(|c| c.parse::<i64>().map_err(|_| bad_request("the cursor is not one this server issued")))
        .transpose()?;
    let q = query.into_inner();
    let filter = Filter {
        actor: q.actor,
        action: q.action,
        target: q.target,
        target_type: q.target_type,
        province,
        from: q.from.map(|t| t.to_utc()),
        to: q.to.map(|t| t.to_utc()),
        before_id,
    };
    let page = state
        .db(move |conn| {
            let mut rows = audit::query(conn, &filter, limit as i64 + 1)?;
            let next = (rows.len() > limit).then(|| {
                rows.truncate(limit);
                encode_cursor(&rows[limit - 1].id.to_string())
            });
            let items = rows
                .into_iter()
                .map(|e| AuditEntry {
                    id: e.id,
                    at: to_vietnam_time(e.at),
                    actor: e.actor,
                    actor_role: e.actor_role,
                    actor_unit: e.actor_unit,
                    action: e.action,
                    target_type: e.target_type,
                    target: e.target,
                    province_code: e.province_code,
                    details: e.details,
                    request_id: e.request_id,
                })
                .collect();
            Ok(AuditPage { items, next })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
