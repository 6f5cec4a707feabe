//! A commune's monthly (or periodic) report: `PUT` replaces the whole form, `GET` reads it
//! back; a periodic report's prefill; the list of a commune's months.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use cchc_domain::RawForm;

use crate::app::commune_reports::{self, CommuneMonthsPage, MonthRange};
use crate::app::file_report::{self, FileReport, Filed};
use crate::app::official_documents;
use crate::app::periodic_prefill::{self, PrefillView};
use crate::app::read_report::{self, ReportView};
use crate::auth::Caller;
use crate::documents;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat, FileFormat, FormatQuery};
use crate::params::{self, Paging};
use crate::state::{AppState, RunOnDb};

/// The body of a report `PUT`: the whole form. Unknown top-level fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// Indicator code → number, boolean, or null for "not reported". Zero is a figure; null
    /// and absence are not. See `GET /api/v1/indicators`.
    #[schema(schema_with = crate::openapi::report_values)]
    pub values: BTreeMap<String, serde_json::Value>,
    /// Narrative sections: `direction`, `results`, `strengths`, `limitations`, `causes`, `next_month`.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::report_narrative)]
    pub narrative: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PutOptions {
    /// Store a draft: visible to the commune only, never counted in aggregates or rankings.
    #[serde(default)]
    pub draft: bool,
    /// Validate and compute everything, store nothing: no revision, no audit entry.
    #[serde(default)]
    pub dry_run: bool,
}

/// Files a commune's monthly report, or its quarterly, six-month, nine-month or annual report
/// (`2024Q2`, `2024S1`, `2022M9`, `2024`), replacing the whole form. `201` the first time, `200`
/// after; an identical resubmission creates no new revision. A periodic report's figures that
/// differ from the roll-up of the commune's months are warned of (`differs_from_months`). A report with errors is refused
/// with `422` and every finding; nothing is stored. Warnings are stored with the report. `409`
/// for a draft over a submitted report or an edit of an approved or locked one; `412` when
/// `If-Match` is stale.
#[utoipa::path(put, path = "/api/v1/communes/{code}/reports/{period}", tag = "reports", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("period" = String, Path, description = "Month `YYYY-MM`, or a quarter `2024Q2`, half-year `2024S1`, nine months `2022M9` or year `2024`; its last month not after the current month", example = "2024-06"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the report this change is based on; 412 when stale"),
        PutOptions,
    ),
    request_body(content = ReportBody, description = "The whole form: every figure and the narrative; what is left out is not reported"),
    responses(
        (status = 200, description = "Replaced (or unchanged), or a dry run", body = ReportView, headers(("ETag" = String, description = "The revision's entity tag, for `If-Match`"))),
        (status = 201, description = "Created", body = ReportView, headers(("ETag" = String, description = "The revision's entity tag, for `If-Match`"), ("Location" = String, description = "The report's address"))),
    ))]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    options: web::Query<PutOptions>,
    body: params::Body<ReportBody>,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let ReportBody { values, narrative } = body.into_inner();
    let cmd = FileReport {
        commune: params::commune_code(&code)?,
        period: params::report_period(&period)?,
        form: RawForm { values, narrative },
        draft: options.draft,
        dry_run: options.dry_run,
        if_match: super::if_match(&req),
        expect_new: false,
    };
    Ok(match state.run(move |conn, st| file_report::run(conn, st, &caller, cmd)).await? {
        Filed::Preview(v) => HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(v),
        Filed::Updated(v) => super::report(HttpResponse::Ok(), &v),
        Filed::Created(v) => {
            let location = format!("/api/v1/communes/{}/reports/{}", v.unit_code, v.period);
            super::report(HttpResponse::Created().insert_header((header::LOCATION, location)).take(), &v)
        }
    })
}

/// Reads a commune's monthly or periodic report. Drafts are visible to the commune itself and admins only.
/// With `Accept: application/vnd.openxmlformats-officedocument.wordprocessingml.document` the
/// report comes as the commune's official Word document (NĐ 30/2020 layout; also
/// `…/{period}/document.docx`); an `Accept` naming neither JSON nor Word is `406`.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}", tag = "reports", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("period" = String, Path, description = "Month `YYYY-MM`, or a periodic report's period (`2024Q2`, `2024S1`, `2022M9`, `2024`); the Word document is a month's only", example = "2024-06"),
    ),
    responses((status = 200, description = "The stored report (JSON), or its official Word document",
        content((ReportView = "application/json"), (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
        headers(("ETag" = String, description = "The revision's entity tag, for `If-Match` (JSON)")))))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let (code, period) = (params::commune_code(&code)?, params::period(&period)?);
    // The official Word document is the monthly report's.
    let offered: &[&str] =
        if period.as_month().is_ok() { &["application/json", documents::DOCX] } else { &["application/json"] };
    if documents::preferred(&req, offered)? == documents::DOCX {
        return document(state, caller, code, period.as_month()?).await;
    }
    let view = state.run(move |conn, st| read_report::run(conn, st, &caller, &code, period)).await?;
    Ok(super::report(HttpResponse::Ok(), &view))
}

/// The commune's monthly report as its official Word document: the NĐ 30/2020 header, the title,
/// sections I–IV of the narrative with the dossier figures written out, the recipients and the
/// chair's signature (`PUT /api/v1/units/{code}/signatory`). Same access as the JSON report.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}/document.docx", tag = "reports", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("period" = String, Path, description = "Month `YYYY-MM`", example = "2024-06"),
    ),
    responses((status = 200, description = "The report as a Word document",
        content((String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))))]
pub async fn download_document(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let (code, month) = (params::commune_code(&code)?, params::month(&period)?);
    document(state, caller, code, month).await
}

async fn document(
    state: web::Data<AppState>,
    caller: Caller,
    code: cchc_domain::UnitCode,
    month: cchc_domain::Month,
) -> ApiResult<HttpResponse> {
    let doc = state.run(move |conn, _| official_documents::commune(conn, &caller, &code, month)).await?;
    let bytes = documents::commune::docx(&doc)?;
    Ok(documents::respond(&documents::commune::file_name(&doc), bytes))
}

/// What a commune's periodic report starts from: its counted months of the period rolled up by
/// each indicator's rule (flows summed, stocks the last month's, carried over the first month's,
/// reported rates their mean), with the months behind it. A filed periodic report is checked
/// against the same roll-up. `400` for a month.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}/prefill", tag = "reports", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("period" = String, Path, description = "A quarter `2024Q2`, half-year `2024S1`, nine months `2022M9` or year `2024`", example = "2024Q2"),
    ),
    responses((status = 200, description = "The months' roll-up", body = PrefillView)))]
pub async fn prefill(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let (code, period) = (params::commune_code(&code)?, params::period(&period)?);
    let view = state.run(move |conn, st| periodic_prefill::run(conn, st, &caller, &code, period)).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-cache")).json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthsQuery {
    /// First month (`YYYY-MM`); eleven months before `to` by default.
    pub from: Option<String>,
    /// Last month (`YYYY-MM`); the current month by default. At most 120 months in all.
    pub to: Option<String>,
}

/// A commune's months, newest first: for each month it existed, where its report stands, its
/// revision and entity tag, the due date, whether it was on time, and its score.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports", tag = "reports", security(("bearer" = [])),
    params(("code" = String, Path, description = "Commune code (5 digits)", example = "07273"), MonthsQuery, FormatQuery, Paging),
    responses((status = 200, description = "A page of the commune's months (JSON), or the whole range as a table (`format=csv|xlsx`)",
        content((CommuneMonthsPage = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<MonthsQuery>,
    format: web::Query<FormatQuery>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, &format);
    let page = match format {
        ExportFormat::Json => (paging.limit()?, paging.after()?),
        _ => (export::MAX_ROWS, None),
    };
    months(state, caller, path.into_inner(), &query, format, page).await
}

/// A commune's months as a spreadsheet, named by its extension: `reports.xlsx` or `reports.csv`.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports.{format}", tag = "reports", security(("bearer" = [])),
    params(("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("format" = FileFormat, Path, description = "`xlsx` or `csv`"), MonthsQuery),
    responses((status = 200, description = "Every month of the range, as a table with Vietnamese headers",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
pub async fn download_list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, FileFormat)>,
    query: web::Query<MonthsQuery>,
) -> ApiResult<HttpResponse> {
    let (code, file) = path.into_inner();
    months(state, caller, code, &query, file.into(), (export::MAX_ROWS, None)).await
}

async fn months(
    state: web::Data<AppState>,
    caller: Caller,
    code: String,
    query: &MonthsQuery,
    format: ExportFormat,
    (limit, after): (usize, Option<String>),
) -> ApiResult<HttpResponse> {
    let month = |s: Option<&str>| s.map(params::month).transpose();
    let range =
        MonthRange::new(params::commune_code(&code)?, month(query.from.as_deref())?, month(query.to.as_deref())?)?;
    let page = state.run(move |conn, st| commune_reports::list(conn, st, &caller, &range, limit, after)).await?;
    export::reply(format, page, commune_reports::table)
}
