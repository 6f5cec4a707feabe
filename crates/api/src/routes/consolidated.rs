//! The consolidated table (*biểu tổng hợp*) of the communes below a unit: JSON, or CSV or XLSX
//! (negotiated, or downloaded by its extension); and the Interior Office's consolidated report
//! on it as a Word document.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::UnitPeriod;
use crate::app::consolidate::{self, ConsolidatedView};
use crate::app::official_documents;
use crate::auth::Caller;
use crate::documents;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat, FileFormat, FormatQuery};
use crate::params::{self, ForPeriod, Paging};
use crate::state::{AppState, RunOnDb};

/// One row per commune below a unit for a period — every indicator rolled up over it, the
/// derived figures, months reported and on time, standing, rank and score — with a totals row
/// computed by the aggregation rules (the same as the unit's aggregates). With `Accept:
/// application/vnd.openxmlformats-officedocument.wordprocessingml.document` (and no `format`),
/// the Interior Office's consolidated report as a Word document (also `…/reports/document.docx`).
#[utoipa::path(get, path = "/api/v1/units/{code}/reports", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ForPeriod, FormatQuery, Paging),
    responses((status = 200, description = "A page of rows with the totals (JSON), the whole table (`format=csv|xlsx`), or the consolidated report (Word)",
        content((ConsolidatedView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
    format: web::Query<FormatQuery>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    if format.format.is_none()
        && documents::preferred(&req, &["application/json", export::CSV_TYPE, export::XLSX, documents::DOCX])?
            == documents::DOCX
    {
        return document(state, caller, path.into_inner(), &query.period).await;
    }
    let format = export::negotiate(&req, &format);
    let page = match format {
        ExportFormat::Json => Some((paging.limit()?, paging.after()?)),
        _ => None,
    };
    table(state, caller, path.into_inner(), &query.period, format, page).await
}

/// The Interior Office's consolidated report on the communes below a unit for a period, as a
/// Word document for the officer to edit and sign: the totals as sentences (the unit's
/// aggregates), who reported late and who not at all, the ranking with its bands, the communes
/// with the most overdue dossiers, and the consolidated table as a landscape annex.
#[utoipa::path(get, path = "/api/v1/units/{code}/reports/document.docx", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ForPeriod),
    responses((status = 200, description = "The consolidated report as a Word document",
        content((String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))))]
pub async fn download_document(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
) -> ApiResult<HttpResponse> {
    document(state, caller, path.into_inner(), &query.period).await
}

async fn document(state: web::Data<AppState>, caller: Caller, code: String, period: &str) -> ApiResult<HttpResponse> {
    let q = UnitPeriod { code: params::unit_code(&code)?, period: params::period(period)? };
    let doc = state.run(move |conn, st| official_documents::consolidated(conn, st, &caller, &q)).await?;
    let bytes = documents::consolidated::docx(&doc)?;
    Ok(documents::respond(&documents::consolidated::file_name(&doc), bytes))
}

/// The consolidated table as a spreadsheet, named by its extension: `reports.xlsx` or
/// `reports.csv` — every row and the totals row last.
#[utoipa::path(get, path = "/api/v1/units/{code}/reports.{format}", tag = "aggregates", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ("format" = FileFormat, Path, description = "`xlsx` or `csv`"), ForPeriod),
    responses((status = 200, description = "The consolidated table with Vietnamese headers",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
pub async fn download(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, FileFormat)>,
    query: web::Query<ForPeriod>,
) -> ApiResult<HttpResponse> {
    let (code, file) = path.into_inner();
    table(state, caller, code, &query.period, file.into(), None).await
}

async fn table(
    state: web::Data<AppState>,
    caller: Caller,
    code: String,
    period: &str,
    format: ExportFormat,
    page: Option<(usize, Option<String>)>,
) -> ApiResult<HttpResponse> {
    let q = UnitPeriod { code: params::unit_code(&code)?, period: params::period(period)? };
    let (limit, after) = page.map_or((None, None), |(l, a)| (Some(l), a));
    let view: ConsolidatedView =
        state.run(move |conn, st| consolidate::run(conn, st, &caller, &q, limit, after)).await?;
    export::reply(format, view, |v| consolidate::table(v, &state.catalog))
}
