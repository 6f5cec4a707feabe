//! The consolidated table (*biểu tổng hợp*) of the communes below a unit: JSON, CSV or XLSX.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::UnitPeriod;
use crate::app::consolidate::{self, ConsolidatedView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat};
use crate::params::{self, Paging};
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
    /// `json` (default), `csv` or `xlsx` (every row and the totals, unpaged); or ask with `Accept`.
    pub format: Option<ExportFormat>,
}

/// One row per commune below a unit for a period — every indicator rolled up over it, the
/// derived figures, months reported and on time, standing, rank and score — with a totals row
/// computed by the aggregation rules (the same as the unit's aggregates).
#[utoipa::path(get, path = "/api/v1/units/{code}/reports", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), TableQuery, Paging),
    responses((status = 200, description = "A page of rows with the totals (JSON), or the whole table (`format=csv|xlsx`)",
        content((ConsolidatedView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<TableQuery>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, query.format);
    let q = UnitPeriod { code: params::unit_code(&path)?, period: params::period(&query.period)? };
    let (limit, after) = match format {
        ExportFormat::Json => (Some(paging.limit()?), paging.after()?),
        _ => (None, None),
    };
    let view = state.run(move |conn, st| consolidate::run(conn, st, &caller, &q, limit, after)).await?;
    export::reply(format, view, |v| consolidate::table(v, &state.catalog))
}
