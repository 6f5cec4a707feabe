//! Completeness and timeliness of the reports expected below a unit.

use actix_web::{HttpResponse, web};

use crate::app::UnitPeriod;
use crate::app::completeness::{self, CompletenessView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params::{self, ForPeriod};
use crate::state::{AppState, RunOnDb};

/// Expected, reported, on time, late and missing monthly reports of the communes below a unit:
/// each commune that exists in a month is expected to report it.
#[utoipa::path(get, path = "/api/v1/units/{code}/completeness", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), ForPeriod),
    responses((status = 200, description = "Who reported, on time or late, and who has not", body = CompletenessView)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
) -> ApiResult<HttpResponse> {
    let q = UnitPeriod { code: params::unit_code(&path)?, period: params::period(&query.period)? };
    let view = state.run(move |conn, st| completeness::run(conn, st, &caller, &q)).await?;
    Ok(HttpResponse::Ok().json(view))
}
