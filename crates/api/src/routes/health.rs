use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiResult, unavailable};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the service and its database answer.
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// Liveness and readiness: answers `ok` when the database does.
#[utoipa::path(get, path = "/health", tag = "health",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let backend = state.db.backend();
    state
        .db(|conn| {
            cchc_persistence::Database::ping(conn)
                .map_err(|e| unavailable(format!("the database does not answer: {e}")))
        })
        .await?;
    let database = match backend {
        cchc_persistence::Backend::Postgres => "postgres",
        cchc_persistence::Backend::Sqlite => "sqlite",
    };
    Ok(HttpResponse::Ok().json(Health { status: "ok".into(), database: database.into() }))
}
