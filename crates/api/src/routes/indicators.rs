//! The indicator catalog: what a report can contain.

use actix_web::{HttpResponse, web};

use crate::app::indicators::{CatalogView, catalog};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// The indicator catalog: codes, Vietnamese and English labels, types, and how each figure
/// aggregates across units and months.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", security(("bearer" = [])),
    responses((status = 200, description = "Every indicator a report can hold, with its kind and aggregation", body = CatalogView)))]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(catalog(&state.catalog)))
}
