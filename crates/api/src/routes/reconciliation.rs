//! Each commune's own dossier figures beside those derived from the portal's records.

use actix_web::{HttpResponse, web};

use crate::app::UnitPeriod;
use crate::app::reconcile::{self, ReconciliationView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params::{self, ForPeriod};
use crate::state::{AppState, RunOnDb};

/// Compares each commune's reported Biểu 06 figures (and digitised and paid-online counts) with
/// those derived from the portal's dossier records for the same month and data window.
#[utoipa::path(get, path = "/api/v1/units/{code}/reconciliation", tag = "portal", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), ForPeriod),
    responses((status = 200, description = "Each commune's reported figures beside the portal's", body = ReconciliationView)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
) -> ApiResult<HttpResponse> {
    let q = UnitPeriod { code: params::unit_code(&path)?, period: params::period(&query.period)? };
    let view = state.run(move |conn, st| reconcile::run(conn, st, &caller, &q)).await?;
    Ok(HttpResponse::Ok().json(view))
}
