//! Totals over the communes below a unit, each indicator by its own rule: JSON, or a table as
//! CSV or XLSX.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::UnitPeriod;
use crate::app::aggregate::{self, AggregateView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat};
use crate::params;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AggregateQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
    /// `json` (default), `csv` or `xlsx`; or ask with the `Accept` header.
    pub format: Option<ExportFormat>,
}

/// Aggregates over every commune below a unit for a month, quarter, half-year or year:
/// counts summed, derived rates recomputed from summed numerators and denominators, reported
/// rates as a labelled mean over reporting communes, yes/no as the share answering yes.
#[utoipa::path(get, path = "/api/v1/units/{code}/aggregates", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), AggregateQuery),
    responses(
        (status = 200, description = "The aggregates (JSON), or a table with Vietnamese headers (`format=csv|xlsx`)",
            content((AggregateView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<AggregateQuery>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, query.format);
    let q = UnitPeriod { code: params::unit_code(&path)?, period: params::period(&query.period)? };
    let view = state.run(move |conn, st| aggregate::run(conn, st, &caller, &q)).await?;
    match format {
        ExportFormat::Json => Ok(HttpResponse::Ok().json(view)),
        f => export::respond(f, &aggregate::table(&view, &state.catalog)),
    }
}
