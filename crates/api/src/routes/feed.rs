//! The outbound change feed the portal syncs from.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::Role;
use cchc_domain::period::to_vietnam_time;
use cchc_persistence::feed;

use crate::auth::Caller;
use crate::error::{ApiResult, bad_request, forbidden};
use crate::params::{DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor};
use crate::scope::describe;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next` of the previous page; from the beginning when absent.
    pub since: Option<String>,
    /// At most this many items (1–1000, default 100).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    /// `report.approved`, `report.reopened`, `score.changed`, `unit.merged`, `scheme.added`.
    pub kind: String,
    /// What it is about: `07273/2024-06`, `07273`, `commune-par@2`.
    pub subject: String,
    pub province_code: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Where to continue; ask again with `since=next`, also when `items` is empty.
    pub next: String,
}

fn position(cursor: Option<&str>) -> ApiResult<(i64, i64)> {
    let Some(c) = cursor else { return Ok((i64::MIN, i64::MIN)) };
    let bad = || bad_request("the cursor is not one this server issued; start again without `since`");
    let text = decode_cursor(c)?;
    let (seq, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((seq.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// Approved and reopened reports, score changes, unit merges and new scheme versions, in a
/// stable order: page with `since=next`; every item comes exactly once, even while writes
/// commit out of order. Portal and province tokens read their province's items and national
/// ones; admins read everything.
#[utoipa::path(get, path = "/api/v1/feed", tag = "portal", security(("bearer" = [])), params(FeedQuery),
    responses(
        (status = 200, body = FeedPage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(state: web::Data<AppState>, caller: Caller, query: web::Query<FeedQuery>) -> ApiResult<HttpResponse> {
    let province = match caller.role {
        Role::Admin => None,
        Role::Portal | Role::Province => caller.unit().cloned(),
        _ => {
            return Err(forbidden(format!(
                "the feed is for the portal, province staff and admins; this is {}",
                describe(&caller)
            )));
        }
    };
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(n) => return Err(bad_request(format!("limit must be between 1 and {MAX_LIMIT}, not {n}"))),
    };
    let after = position(query.since.as_deref())?;
    let since = query.since.clone();
    let events = state.db(move |conn| Ok(feed::read(conn, after, limit as i64, province.as_ref())?)).await?;
    let next = match events.last() {
        Some(e) => encode_cursor(&format!("{}.{}", e.seq, e.id)),
        None => since.unwrap_or_else(|| encode_cursor(&format!("{}.{}", i64::MIN, i64::MIN))),
    };
    let items = events
        .into_iter()
        .map(|e| FeedItem {
            kind: e.kind,
            subject: e.subject,
            province_code: e.province_code,
            created_at: to_vietnam_time(e.created_at),
            payload: e.payload,
        })
        .collect();
    Ok(HttpResponse::Ok().json(FeedPage { items, next }))
}
