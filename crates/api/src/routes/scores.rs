//! One commune's score: the criterion breakdown, its rank among its parent's communes, and its
//! history.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::score_card::{self, CommuneScoreView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
    /// `code` or `code@version` (default: the built-in `commune-par`; `qd766` for the groups of QĐ 766/QĐ-TTg).
    pub scheme: Option<String>,
}

/// One commune's score breakdown for a period, its rank among its parent's communes, and its
/// history over the last 12 periods of the same kind.
#[utoipa::path(get, path = "/api/v1/communes/{code}/scores", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Commune code", example = "07273"), ScoreQuery),
    responses((status = 200, description = "The commune's score, criterion by criterion, and its rank", body = CommuneScoreView)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ScoreQuery>,
) -> ApiResult<HttpResponse> {
    let (code, period) = (params::commune_code(&path)?, params::period(&query.period)?);
    let scheme = query.into_inner().scheme;
    let (view, _) =
        state.run(move |conn, st| score_card::run(conn, st, &caller, &code, period, scheme.as_deref())).await?;
    Ok(HttpResponse::Ok().json(view))
}
