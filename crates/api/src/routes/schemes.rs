//! Scoring schemes: upload a version (admin: national; province: its own), list, fetch.

use actix_web::{HttpResponse, web};

use cchc_domain::scoring::SchemeDefinition;

use crate::app::add_scheme::{self, UploadedScheme};
use crate::app::read_schemes::{self, SchemeList, SchemeView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params;
use crate::state::{AppState, RunOnDb};

/// Adds a version of a scoring scheme (a new code starts at version 1). The definition is
/// checked against the indicator catalog; every problem is returned with `422`. Existing reports
/// in the version's periods are re-scored before the response, in the same transaction: a
/// failure leaves no trace. `409` when the code belongs to another owner or `version` is not the
/// next one.
#[utoipa::path(post, path = "/api/v1/schemes", tag = "schemes", security(("bearer" = [])), request_body(content = SchemeDefinition, description = "The scheme: criteria, weights, bands, validity"),
    responses((status = 201, description = "Stored as the scheme's next version; affected scores recomputed", body = UploadedScheme, headers(("Location" = String, description = "The new version's address")))))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: params::Body<SchemeDefinition>,
) -> ApiResult<HttpResponse> {
    let definition = body.into_inner();
    let uploaded = state.run(move |conn, st| add_scheme::run(conn, st, &caller, definition)).await?;
    let location = format!("/api/v1/schemes/{}/versions/{}", uploaded.version.code, uploaded.version.version);
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(uploaded))
}

/// Every version of every scheme the caller may use.
#[utoipa::path(get, path = "/api/v1/schemes", tag = "schemes", security(("bearer" = [])),
    responses((status = 200, description = "The schemes the caller may use", body = SchemeList)))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let list = state.run(move |conn, _| read_schemes::list(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The latest version of a scheme, with its full definition.
#[utoipa::path(get, path = "/api/v1/schemes/{code}", tag = "schemes", security(("bearer" = [])),
    params(("code" = String, Path, description = "Scheme code", example = "commune-par")),
    responses((status = 200, description = "The scheme's latest version", body = SchemeView)))]
pub async fn latest(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code = path.into_inner();
    let view = state.run(move |conn, _| read_schemes::get(conn, &caller, &code, None)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// One version of a scheme, with its full definition.
#[utoipa::path(get, path = "/api/v1/schemes/{code}/versions/{version}", tag = "schemes", security(("bearer" = [])),
    params(("code" = String, Path, description = "Scheme code", example = "commune-par"), ("version" = i32, Path, description = "Version number, from 1", example = 1)),
    responses((status = 200, description = "That version of the scheme", body = SchemeView)))]
pub async fn version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, version) = path.into_inner();
    let view = state.run(move |conn, _| read_schemes::get(conn, &caller, &code, Some(version))).await?;
    Ok(HttpResponse::Ok().json(view))
}
