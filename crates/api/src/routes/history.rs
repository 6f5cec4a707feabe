//! A report's history: every revision with who, when, values and findings, and a per-indicator
//! changelog.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::history::{Change, changes};
use cchc_domain::period::to_vietnam_time;
use cchc_domain::report::ReportStatus;
use cchc_domain::{Finding, Month, UnitCode, Values};
use cchc_persistence::reports::{self, Revision, StoredReport};
use cchc_persistence::{DbConnection, units};

use crate::auth::Caller;
use crate::error::{ApiResult, bad_request, not_found};
use crate::params::{self, Paging, encode_cursor};
use crate::scope::ensure_can_view;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i32,
    pub status: ReportStatus,
    /// `submit`, `save_draft`, `approve`, `return`, `reopen`.
    pub action: String,
    pub actor: String,
    pub actor_role: String,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    #[schema(value_type = BTreeMap<String, cchc_domain::Value>)]
    pub values: Values,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionPage {
    pub items: Vec<RevisionView>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeSet {
    pub revision: i32,
    pub action: String,
    pub actor: String,
    pub created_at: DateTime<FixedOffset>,
    /// Indicators whose value changed from the previous revision (all of them for the first).
    pub changes: Vec<Change>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeSet>,
    pub next: Option<String>,
}

/// The stored report, if the caller may see it (a draft only by its commune and admins).
fn visible_report(conn: &mut DbConnection, caller: &Caller, code: &UnitCode, month: Month) -> ApiResult<StoredReport> {
    let topology = units::topology_around(conn, code)?;
    ensure_can_view(caller, &topology, code, month)?;
    reports::get(conn, code, month)?
        .filter(|r| r.status != ReportStatus::Draft || caller.is_admin() || caller.unit() == Some(code))
        .ok_or_else(|| not_found(format!("commune {code} has no report for {month}")))
}

fn parse(path: (String, String), paging: &Paging) -> ApiResult<(UnitCode, Month, usize, i32)> {
    let code = params::commune_code(&path.0)?;
    let month = params::period(&path.1)?.as_month().map_err(|e| bad_request(e.to_string()))?;
    let after = match paging.after()? {
        Some(a) => a.parse::<i32>().map_err(|_| bad_request("the cursor is not one this server issued"))?,
        None => 0,
    };
    Ok((code, month, paging.limit()?, after))
}

/// A page of revisions and whether more follow.
fn page(
    conn: &mut DbConnection,
    report: &StoredReport,
    after: i32,
    limit: usize,
) -> ApiResult<(Vec<Revision>, Option<String>)> {
    let mut revs = reports::revisions(conn, report.id, after, limit as i64 + 1)?;
    let next = (revs.len() > limit).then(|| {
        revs.truncate(limit);
        encode_cursor(&revs[limit - 1].revision.to_string())
    });
    Ok((revs, next))
}

/// Every revision of a report, oldest first, in pages.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}/revisions", tag = "history", security(("bearer" = [])),
    params(("code" = String, Path, example = "07273"), ("period" = String, Path, example = "2024-06"), Paging),
    responses(
        (status = 200, body = RevisionPage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let (code, month, limit, after) = parse(path.into_inner(), &paging)?;
    let body = state
        .db(move |conn| {
            let report = visible_report(conn, &caller, &code, month)?;
            let (revs, next) = page(conn, &report, after, limit)?;
            let items = revs
                .into_iter()
                .map(|r| RevisionView {
                    revision: r.revision,
                    status: r.status,
                    action: r.action,
                    actor: r.actor,
                    actor_role: r.actor_role,
                    reason: r.reason,
                    request_id: r.request_id,
                    created_at: to_vietnam_time(r.created_at),
                    values: r.values,
                    findings: r.findings,
                })
                .collect();
            Ok(RevisionPage { items, next })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// What changed in each revision, indicator by indicator, oldest first, in pages.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}/changes", tag = "history", security(("bearer" = [])),
    params(("code" = String, Path, example = "07273"), ("period" = String, Path, example = "2024-06"), Paging),
    responses(
        (status = 200, body = ChangePage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn changelog(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let (code, month, limit, after) = parse(path.into_inner(), &paging)?;
    let st = state.clone();
    let body = state
        .db(move |conn| {
            let report = visible_report(conn, &caller, &code, month)?;
            // The revision before the page is the baseline of its first change set.
            let baseline: Values = if after > 0 {
                reports::revisions(conn, report.id, after - 1, 1)?.pop().map(|r| r.values).unwrap_or_default()
            } else {
                Values::new()
            };
            let (revs, next) = page(conn, &report, after, limit)?;
            let mut previous = baseline;
            let mut items = Vec::with_capacity(revs.len());
            for r in revs {
                items.push(ChangeSet {
                    revision: r.revision,
                    action: r.action,
                    actor: r.actor,
                    created_at: to_vietnam_time(r.created_at),
                    changes: changes(&st.catalog, &previous, &r.values),
                });
                previous = r.values;
            }
            Ok(ChangePage { items, next })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
