//! Completeness and timeliness of the reports expected below a unit: JSON, or who is late and
//! who is missing as CSV or XLSX (negotiated, or downloaded by its extension).

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::UnitPeriod;
use crate::app::completeness::{self, CompletenessView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat, FileFormat, FormatQuery};
use crate::params::{self, ForPeriod};
use crate::state::{AppState, RunOnDb};

/// Expected, reported, on time, late and missing monthly reports of the communes below a unit:
/// each commune that exists in a month is expected to report it.
#[utoipa::path(get, path = "/api/v1/units/{code}/completeness", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), ForPeriod, FormatQuery),
    responses((status = 200, description = "Who reported, on time or late, and who has not (JSON), or the late and missing as a table (`format=csv|xlsx`)",
        content((CompletenessView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
    format: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, &format);
    completeness_of(state, caller, path.into_inner(), &query.period, format).await
}

/// Who is late and who is missing, as a spreadsheet named by its extension:
/// `completeness.xlsx` or `completeness.csv`.
#[utoipa::path(get, path = "/api/v1/units/{code}/completeness.{format}", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ("format" = FileFormat, Path, description = "`xlsx` or `csv`"), ForPeriod),
    responses((status = 200, description = "The late and missing reports, the counts in the title",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
pub async fn download(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, FileFormat)>,
    query: web::Query<ForPeriod>,
) -> ApiResult<HttpResponse> {
    let (code, file) = path.into_inner();
    completeness_of(state, caller, code, &query.period, file.into()).await
}

async fn completeness_of(
    state: web::Data<AppState>,
    caller: Caller,
    code: String,
    period: &str,
    format: ExportFormat,
) -> ApiResult<HttpResponse> {
    let q = UnitPeriod { code: params::unit_code(&code)?, period: params::period(period)? };
    let view: CompletenessView = state.run(move |conn, st| completeness::run(conn, st, &caller, &q)).await?;
    export::reply(format, view, completeness::table)
}
