//! Rankings of the communes below a unit, or of the whole country (admin), for any period: JSON
//! with an `ETag` (`304` while nothing moved), or a table as CSV or XLSX.

use std::sync::Arc;

use actix_web::http::header::{self, ETag, EntityTag, IfNoneMatch};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use cchc_domain::UnitCode;

use crate::app::rank::cache::CachedRanking;
use crate::app::rank::{self, RankingRequest, RankingView};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::export::{self, ExportFormat, FileFormat, FormatQuery};
use crate::params;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`), nine months (`2022M9`) or year (`2024`).
    pub period: String,
    /// A longer period's figures: `months` (default) rolls up the monthly reports; `filed` scores
    /// the periodic reports filed for the period. A month reads its monthly reports either way.
    #[serde(default)]
    pub source: cchc_domain::periodic_report::FiguresSource,
    /// `code` or `code@version`; the built-in `commune-par`, latest version valid in the period, by default (`qd766`: the groups of QĐ 766/QĐ-TTg).
    pub scheme: Option<String>,
    /// `criteria` adds each entry's per-criterion breakdown (in a table, a column per criterion).
    pub detail: Option<String>,
}

fn detail(q: &RankingQuery) -> ApiResult<bool> {
    match q.detail.as_deref() {
        None | Some("") | Some("none") => Ok(false),
        Some("criteria") => Ok(true),
        Some(other) => Err(Problem::BadRequest.error(format!("detail must be `criteria`, not `{other}`"))),
    }
}

async fn rank_units(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    unit: Option<UnitCode>,
    q: RankingQuery,
    format: ExportFormat,
) -> ApiResult<HttpResponse> {
    let (period, detail, source) = (params::period(&q.period)?, detail(&q)?, q.source);
    let ask = RankingRequest { unit, period, detail, scheme: q.scheme, source };
    // A ranking computed since the last commit is served without leaving this thread.
    let ranking = match rank::cached(&state, &caller, &ask)? {
        Some(hit) => hit,
        None => state.run(move |conn, st| rank::run(conn, st, &caller, &ask)).await?,
    };
    match format {
        ExportFormat::Json => Ok(json_response(&req, &ranking)),
        f => export::respond(f, &rank::table(&ranking.view, &ranking.bands)),
    }
}

/// The serialised ranking with its entity tag; `304` when the client holds these bytes already.
fn json_response(req: &HttpRequest, ranking: &Arc<CachedRanking>) -> HttpResponse {
    let tag = EntityTag::new_strong(ranking.etag.clone());
    let held = match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        None => false,
    };
    let mut response = if held { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header(ETag(tag)).insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if held { response.finish() } else { response.content_type(header::ContentType::json()).body(ranking.json.clone()) }
}

/// Ranks every commune below a unit (by the tree of the period) under a scoring scheme.
/// Communes that did not report are listed with `rank: null`, `status: "missing"`.
#[utoipa::path(get, path = "/api/v1/units/{code}/rankings", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), RankingQuery, FormatQuery),
    responses(
        (status = 200, description = "The ranking (JSON, with an `ETag`), or a table with Vietnamese headers (`format=csv|xlsx`)",
            headers(("ETag" = String, description = "JSON only: changes whenever the ranking does")),
            content((RankingView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 304, description = "JSON only: the ranking still has the `If-None-Match` tag"),
    ))]
pub async fn for_unit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<RankingQuery>,
    format: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let (code, format) = (params::unit_code(&path)?, export::negotiate(&req, &format));
    rank_units(state, caller, req, Some(code), query.into_inner(), format).await
}

/// The ranking below a unit as a spreadsheet, named by its extension: `rankings.xlsx` or
/// `rankings.csv`.
#[utoipa::path(get, path = "/api/v1/units/{code}/rankings.{format}", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, example = "215"), ("format" = FileFormat, Path, description = "`xlsx` or `csv`"), RankingQuery),
    responses((status = 200, description = "The ranking as a table with Vietnamese headers",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
pub async fn download_for_unit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, FileFormat)>,
    query: web::Query<RankingQuery>,
) -> ApiResult<HttpResponse> {
    let (code, file) = path.into_inner();
    rank_units(state, caller, req, Some(params::unit_code(&code)?), query.into_inner(), file.into()).await
}

/// Ranks every commune of the country (admin).
#[utoipa::path(get, path = "/api/v1/rankings", tag = "rankings", security(("bearer" = [])),
    params(RankingQuery, FormatQuery),
    responses(
        (status = 200, description = "The ranking (JSON, with an `ETag`), or a table with Vietnamese headers (`format=csv|xlsx`)",
            headers(("ETag" = String, description = "JSON only: changes whenever the ranking does")),
            content((RankingView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 304, description = "JSON only: the ranking still has the `If-None-Match` tag"),
    ))]
pub async fn national(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<RankingQuery>,
    format: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, &format);
    rank_units(state, caller, req, None, query.into_inner(), format).await
}
