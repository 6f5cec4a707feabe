//! Totals over the communes below a unit, each indicator by its own rule: JSON, or a table as
//! CSV or XLSX (negotiated, or downloaded by its extension).

use actix_web::{HttpRequest, HttpResponse, web};

use cchc_domain::periodic_report::FiguresSource;

use crate::app::UnitPeriod;
use crate::app::aggregate::{self, AggregateView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat, FileFormat, FormatQuery};
use crate::params::{self, ForPeriod, SourceQuery};
use crate::state::{AppState, RunOnDb};

/// Aggregates over every commune below a unit for a month, quarter, half-year, nine months or
/// year (from the months rolled up, or with `source=filed` the filed periodic reports):
/// counts summed, derived rates recomputed from summed numerators and denominators, reported
/// rates as a labelled mean over reporting communes, yes/no as the share answering yes.
#[utoipa::path(get, path = "/api/v1/units/{code}/aggregates", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ForPeriod, SourceQuery, FormatQuery),
    responses(
        (status = 200, description = "The aggregates (JSON), or a table with Vietnamese headers (`format=csv|xlsx`)",
            content((AggregateView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
    source: web::Query<SourceQuery>,
    format: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, &format);
    aggregates(state, caller, path.into_inner(), (&query.period, source.source), format).await
}

/// The aggregates as a spreadsheet, named by its extension: `aggregates.xlsx` or `aggregates.csv`.
#[utoipa::path(get, path = "/api/v1/units/{code}/aggregates.{format}", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ("format" = FileFormat, Path, description = "`xlsx` or `csv`"), ForPeriod, SourceQuery),
    responses((status = 200, description = "The aggregates as a table with Vietnamese headers",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
pub async fn download(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, FileFormat)>,
    query: web::Query<ForPeriod>,
    source: web::Query<SourceQuery>,
) -> ApiResult<HttpResponse> {
    let (code, file) = path.into_inner();
    aggregates(state, caller, code, (&query.period, source.source), file.into()).await
}

async fn aggregates(
    state: web::Data<AppState>,
    caller: Caller,
    code: String,
    (period, source): (&str, FiguresSource),
    format: ExportFormat,
) -> ApiResult<HttpResponse> {
    let q = UnitPeriod { code: params::unit_code(&code)?, period: params::period(period)? };
    let view: AggregateView = state.run(move |conn, st| aggregate::run(conn, st, &caller, &q, source)).await?;
    export::reply(format, view, |v| aggregate::table(v, &state.catalog))
}
