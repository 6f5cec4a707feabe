//! The indicator catalog: what a report can contain.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::indicators::{CatalogView, catalog};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LabelsAt {
    /// A month (`2025-07`), or a longer period (its last month): every label as in force then
    /// (the one-stop unit is the *Trung tâm phục vụ hành chính công* from July 2025). Without
    /// it, each indicator's first labels and its `labels_from`.
    pub period: Option<String>,
}

/// The indicator catalog: codes, Vietnamese and English labels, types, and how each figure
/// aggregates across units and months; indicators superseded by newer ones say from when.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", security(("bearer" = [])),
    params(LabelsAt),
    responses((status = 200, description = "Every indicator a report can hold, with its kind and aggregation", body = CatalogView)))]
pub async fn list(state: web::Data<AppState>, _caller: Caller, query: web::Query<LabelsAt>) -> ApiResult<HttpResponse> {
    let at = query.period.as_deref().map(params::period).transpose()?;
    Ok(HttpResponse::Ok().json(match at {
        Some(p) => catalog(&state.catalog.in_period(p.last_month())),
        None => catalog(&state.catalog),
    }))
}
