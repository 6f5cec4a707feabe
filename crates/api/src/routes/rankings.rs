use std::sync::Arc;

use actix_web::http::header::{self, ETag, EntityTag, IfNoneMatch};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use cchc_domain::scoring::BandDefinition;
use cchc_domain::{Period, UnitCode};
use cchc_persistence::DbConnection;
use cchc_persistence::schemes::SchemeRef;
use cchc_persistence::units::Topology;

use crate::auth::Caller;
use crate::error::{ApiResult, bad_request, forbidden};
use crate::export::{self, Cell, ExportFormat, Table};
use crate::params;
use crate::ranking::cache::{CachedRanking, RankingKey};
use crate::ranking::{self, RankingRequest, RankingView};
use crate::scope::{describe, ensure_can_view};
use crate::scoring::{self, province_of};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
    /// `code` or `code@version`; the built-in `commune-par`, latest version valid in the period, by default.
    pub scheme: Option<String>,
    /// `criteria` adds each entry's per-criterion breakdown.
    pub detail: Option<String>,
    /// `json` (default), `csv` or `xlsx`; or ask with the `Accept` header.
    pub format: Option<ExportFormat>,
}

impl RankingQuery {
    fn detail(&self) -> ApiResult<bool> {
        match self.detail.as_deref() {
            None | Some("") | Some("none") => Ok(false),
            Some("criteria") => Ok(true),
            Some(other) => Err(bad_request(format!("detail must be `criteria`, not `{other}`"))),
        }
    }
}

async fn rank_units(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    unit: Option<UnitCode>,
    query: RankingQuery,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, query.format);
    let period: Period = params::period(&query.period)?;
    let detail = query.detail()?;
    // A ranking computed since the last commit is served without leaving this thread.
    let ranking = match cached_ranking(&state, &caller, unit.as_ref(), period, query.scheme.as_deref(), detail)? {
        Some(hit) => hit,
        None => {
            let st = state.clone();
            state
                .db(move |conn| rank_for(conn, &st, &caller, unit.as_ref(), period, query.scheme.as_deref(), detail))
                .await?
        }
    };
    match format {
        ExportFormat::Json => Ok(json_response(&req, &ranking)),
        f => export::respond(f, &ranking_table(&ranking.view, &ranking.bands)),
    }
}

/// The serialised ranking with its entity tag; `304` when the client holds these bytes already.
/// Clients revalidate every time (`no-cache`): the tag changes with the ranking.
fn json_response(req: &HttpRequest, ranking: &CachedRanking) -> HttpResponse {
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

/// The ranking of the communes below `unit` (the country for `None`) for a period, under the
/// scheme `scheme_param` names (the caller must be allowed to see the unit and the scheme), with
/// the scheme's bands; from the cache while the caller's epoch stands. Shared by the API and the
/// dashboard.
pub fn rank_for(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    unit: Option<&UnitCode>,
    period: Period,
    scheme_param: Option<&str>,
    detail: bool,
) -> ApiResult<Arc<CachedRanking>> {
    let epoch = caller.epoch.as_ref();
    let topology = st.topology.get(conn, epoch)?;
    let refs = st.scheme_refs(conn, epoch)?;
    let scheme = resolve_scheme(caller, &topology, &refs, unit, period, scheme_param)?;
    let key = RankingKey { unit: unit.cloned(), period, scheme_id: scheme.id, detail };
    if let Some(hit) = epoch.and_then(|e| st.caches.rankings.get(e, &key)) {
        return Ok(hit);
    }
    let view = ranking::compute(conn, st, &topology, &RankingRequest { unit, period, scheme: &scheme, detail })?;
    let bands = st.schemes.get(conn, &st.catalog, scheme.id)?.definition.bands.clone();
    let computed = CachedRanking::new(view, bands)?;
    if let Some(e) = epoch {
        st.caches.rankings.put(e, key, computed.clone(), computed.weight());
    }
    Ok(computed)
}

/// The ranking from the caches alone, when the caller's epoch still holds everything it needs;
/// the caller's scope is checked all the same.
fn cached_ranking(
    st: &AppState,
    caller: &Caller,
    unit: Option<&UnitCode>,
    period: Period,
    scheme_param: Option<&str>,
    detail: bool,
) -> ApiResult<Option<Arc<CachedRanking>>> {
    let Some(epoch) = caller.epoch.as_ref() else { return Ok(None) };
    let (Some(topology), Some(refs)) = (st.topology.peek(epoch), st.caches.scheme_refs.get(epoch, &())) else {
        return Ok(None);
    };
    let scheme = resolve_scheme(caller, &topology, &refs, unit, period, scheme_param)?;
    let key = RankingKey { unit: unit.cloned(), period, scheme_id: scheme.id, detail };
    Ok(st.caches.rankings.get(epoch, &key))
}

/// Checks that the caller may see `unit` in the period and chooses the scheme to rank with.
fn resolve_scheme(
    caller: &Caller,
    topology: &Topology,
    refs: &[SchemeRef],
    unit: Option<&UnitCode>,
    period: Period,
    scheme_param: Option<&str>,
) -> ApiResult<SchemeRef> {
    if let Some(u) = unit {
        ensure_can_view(caller, topology, u, period.last_month())?;
    }
    let caller_province = caller.unit().and_then(|u| {
        province_of(&topology.at(params::current_month()), u)
            .or_else(|| province_of(&topology.at(period.last_month()), u))
    });
    scoring::choose(refs, scheme_param, period.last_month(), |r| {
        scoring::visible_to(r, caller, caller_province.as_ref())
    })
}

/// The ranking as a spreadsheet table with Vietnamese headers.
pub fn ranking_table(view: &RankingView, bands: &[BandDefinition]) -> Table {
    let band = |code: &Option<String>| {
        code.as_ref()
            .map(|c| bands.iter().find(|b| &b.code == c).map(|b| b.label_vi.clone()).unwrap_or_else(|| c.clone()))
    };
    Table {
        name: format!("xep-hang-{}-{}", view.unit_code.as_deref().unwrap_or("toan-quoc"), view.period),
        headers: vec![
            "Hạng",
            "Mã đơn vị",
            "Tên đơn vị",
            "Điểm",
            "Xếp loại",
            "Trạng thái",
            "Hạng kỳ trước",
            "Thay đổi thứ hạng",
        ],
        rows: view
            .entries
            .iter()
            .map(|e| {
                vec![
                    Cell::from(e.rank.map(i64::from)),
                    Cell::from(e.unit_code.clone()),
                    Cell::from(e.unit_name.clone()),
                    Cell::from(e.score),
                    band(&e.band).map(Cell::from).unwrap_or(Cell::Empty),
                    Cell::from(export::status_vi(&e.status)),
                    Cell::from(e.previous_rank.map(i64::from)),
                    Cell::from(e.rank_change),
                ]
            })
            .collect(),
    }
}

/// Ranks every commune below a unit (by the tree of the period) under a scoring scheme.
/// Communes that did not report are listed with `rank: null`, `status: "missing"`.
#[utoipa::path(get, path = "/api/v1/units/{code}/rankings", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), RankingQuery),
    responses(
        (status = 200, description = "The ranking (JSON, with an `ETag`), or a table with Vietnamese headers (`format=csv|xlsx`)",
            headers(("ETag" = String, description = "JSON only: changes whenever the ranking does")),
            content((RankingView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 304, description = "JSON only: the ranking still has the `If-None-Match` tag"),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn for_unit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<RankingQuery>,
) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    rank_units(state, caller, req, Some(code), query.into_inner()).await
}

/// Ranks every commune of the country (admin).
#[utoipa::path(get, path = "/api/v1/rankings", tag = "rankings", security(("bearer" = [])),
    params(RankingQuery),
    responses(
        (status = 200, description = "The ranking (JSON, with an `ETag`), or a table with Vietnamese headers (`format=csv|xlsx`)",
            headers(("ETag" = String, description = "JSON only: changes whenever the ranking does")),
            content((RankingView = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 304, description = "JSON only: the ranking still has the `If-None-Match` tag"),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn national(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<RankingQuery>,
) -> ApiResult<HttpResponse> {
    if !caller.is_admin() {
        return Err(forbidden(format!("the national ranking is for admins; this is {}", describe(&caller))));
    }
    rank_units(state, caller, req, None, query.into_inner()).await
}
