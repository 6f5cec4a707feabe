//! A report's history: every revision with who, when, values and findings, and a per-indicator
//! changelog, in pages.

use actix_web::{HttpResponse, web};

use crate::app::paging;
use crate::app::report_history::{self, ChangePage, HistoryPage, RevisionPage};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params::{self, Paging};
use crate::state::{AppState, RunOnDb};

fn history_page(path: (String, String), q: &Paging) -> ApiResult<HistoryPage> {
    Ok(HistoryPage {
        commune: params::commune_code(&path.0)?,
        period: params::period(&path.1)?,
        after: q.cursor.as_deref().map(paging::decode_number).transpose()?.unwrap_or(0),
        limit: q.limit()?,
    })
}

/// Every revision of a report, oldest first, in pages.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}/revisions", tag = "history", security(("bearer" = [])),
    params(("code" = String, Path, description = "Commune code (5 digits)", example = "07273"), ("period" = String, Path, description = "Month `YYYY-MM`, or a periodic report's period (`2024Q2`, `2024S1`, `2022M9`, `2024`)", example = "2024-06"), Paging),
    responses((status = 200, description = "A page of the report's revisions, newest first", body = RevisionPage)))]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let q = history_page(path.into_inner(), &paging)?;
    let page = state.run(move |conn, _| report_history::revisions(conn, &caller, q)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// What changed in each revision, indicator by indicator, oldest first, in pages.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}/changes", tag = "history", security(("bearer" = [])),
    params(("code" = String, Path, description = "Commune code (5 digits)", example = "07273"), ("period" = String, Path, description = "Month `YYYY-MM`, or a periodic report's period (`2024Q2`, `2024S1`, `2022M9`, `2024`)", example = "2024-06"), Paging),
    responses((status = 200, description = "A page of what each revision changed, newest first", body = ChangePage)))]
pub async fn changelog(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let q = history_page(path.into_inner(), &paging)?;
    let page = state.run(move |conn, st| report_history::changelog(conn, st, &caller, q)).await?;
    Ok(HttpResponse::Ok().json(page))
}
