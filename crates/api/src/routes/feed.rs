//! The outbound change feed the portal syncs from.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::change_feed::{self, FeedPage};
use crate::app::paging;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next` of the previous page; from the beginning when absent.
    pub since: Option<String>,
    /// At most this many items (1–1000, default 100).
    pub limit: Option<usize>,
}

/// Approved and reopened reports, score changes, recomputed findings, unit merges and new scheme versions, in a
/// stable order: page with `since=next`; every item comes exactly once, even while writes
/// commit out of order. Portal and province tokens read their province's items and national
/// ones; admins read everything.
#[utoipa::path(get, path = "/api/v1/feed", tag = "portal", security(("bearer" = [])), params(FeedQuery),
    responses((status = 200, description = "The events after `since`, oldest first, and the cursor to ask with next", body = FeedPage)))]
pub async fn get(state: web::Data<AppState>, caller: Caller, query: web::Query<FeedQuery>) -> ApiResult<HttpResponse> {
    let FeedQuery { since, limit } = query.into_inner();
    let limit = paging::limit(limit)?;
    let page = state.run(move |conn, _| change_feed::read(conn, &caller, since.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
