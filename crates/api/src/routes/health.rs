//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{HttpResponse, web};

use crate::app::health::{self, Health};
use crate::error::ApiResult;
use crate::state::{AppState, RunOnDb};

/// Liveness and readiness: answers `ok` when the database does; `503` when it does not.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, description = "The service and its database answer", body = Health)))]
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let health = state.run(|conn, _| health::check(conn)).await?;
    Ok(HttpResponse::Ok().json(health))
}
