//! One commune's score: the criterion breakdown, its rank among its parent's communes, and its
//! history.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::scoring::{Scheme, ScoreCard};
use cchc_domain::{Period, Principal, UnitCode};
use cchc_persistence::{DbConnection, schemes};

use crate::auth::Caller;
use crate::error::{ApiResult, not_found};
use crate::params;
use crate::ranking::{self, RankingRequest, SchemeSummary};
use crate::scope::ensure_can_view;
use crate::scoring::{self, province_of};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
    /// `code` or `code@version` (default: the built-in scheme).
    pub scheme: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankAmong {
    /// The unit directly above the commune in the period.
    pub unit_code: String,
    pub unit_name: String,
    pub rank: Option<u32>,
    /// How many communes that unit has.
    pub of: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPoint {
    pub period: String,
    pub status: String,
    pub score: Option<f64>,
    pub band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneScoreView {
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    pub scheme: SchemeSummary,
    pub status: String,
    pub score: Option<f64>,
    pub band: Option<String>,
    pub rank: Option<RankAmong>,
    /// Each criterion's numerator, denominator, ratio, score and maximum; null when nothing counted.
    pub card: Option<ScoreCard>,
    /// The last 12 periods of the same kind, oldest first, ending with this one.
    pub history: Vec<HistoryPoint>,
}

/// One commune's score breakdown for a period, its rank among its parent's communes, and its
/// history over the last 12 periods of the same kind.
#[utoipa::path(get, path = "/api/v1/communes/{code}/scores", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Commune code", example = "07273"), ScoreQuery),
    responses(
        (status = 200, body = CommuneScoreView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ScoreQuery>,
) -> ApiResult<HttpResponse> {
    let code = params::commune_code(&path)?;
    let period: Period = params::period(&query.period)?;
    let scheme_param = query.scheme.clone();
    let st = state.clone();
    let view = state.db(move |conn| score_view(conn, &st, &caller, &code, period, scheme_param.as_deref())).await?.0;
    Ok(HttpResponse::Ok().json(view))
}

/// One commune's score view for a period (scope checked) — what `GET
/// /api/v1/communes/{code}/scores` answers and the dashboard's commune page shows — with the
/// scheme it was scored under.
pub fn score_view(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    code: &UnitCode,
    period: Period,
    scheme_param: Option<&str>,
) -> ApiResult<(CommuneScoreView, Arc<Scheme>)> {
    let topology = st.topology.get(conn, None)?;
    ensure_can_view(caller, &topology, code, period.last_month())?;
    let tree = topology.at(period.last_month());
    let node = tree.get(code).ok_or_else(|| not_found(format!("commune {code} does not exist in {period}")))?;
    let caller_province = caller.unit().and_then(|u| province_of(&tree, u));
    let refs = schemes::refs(conn)?;
    let scheme = scoring::choose(&refs, scheme_param, period.last_month(), |r| {
        scoring::visible_to(r, caller, caller_province.as_ref())
    })?;
    let mut own = ranking::standings(conn, st, &topology, Some(code), period, &scheme, true)?;
    let standing = own.pop().ok_or_else(|| not_found(format!("commune {code} does not exist in {period}")))?;
    let rank = match &node.parent {
        Some(parent) if tree.contains(parent) => {
            let view = ranking::compute(
                conn,
                st,
                &topology,
                &RankingRequest { unit: Some(parent), period, scheme: &scheme, detail: false },
            )?;
            let entry = view.entries.iter().find(|e| e.unit_code == code.as_str());
            Some(RankAmong {
                unit_code: parent.to_string(),
                unit_name: view.unit_name.clone(),
                rank: entry.and_then(|e| e.rank),
                of: view.communes,
            })
        }
        _ => None,
    };
    let mut history = Vec::with_capacity(12);
    for back in (0..12).rev() {
        let p = period.shifted(-back);
        let point = if back == 0 {
            HistoryPoint {
                period: p.to_string(),
                status: standing.status.clone(),
                score: standing.total.map(cchc_domain::derived::round2),
                band: standing.band.clone(),
            }
        } else {
            let mut s = ranking::standings(conn, st, &topology, Some(code), p, &scheme, false)?;
            match s.pop() {
                Some(s) => HistoryPoint {
                    period: p.to_string(),
                    status: s.status,
                    score: s.total.map(cchc_domain::derived::round2),
                    band: s.band,
                },
                None => HistoryPoint { period: p.to_string(), status: "not_existing".into(), score: None, band: None },
            }
        };
        history.push(point);
    }
    let parsed = st.schemes.get(conn, &st.catalog, scheme.id)?;
    let view = CommuneScoreView {
        unit_code: code.to_string(),
        unit_name: node.name.clone(),
        period: period.to_string(),
        scheme: SchemeSummary {
            code: scheme.code.clone(),
            version: scheme.version,
            name_vi: parsed.definition.name_vi.clone(),
            name_en: parsed.definition.name_en.clone(),
            max_score: parsed.definition.max_score,
        },
        status: standing.status,
        score: standing.total.map(cchc_domain::derived::round2),
        band: standing.band,
        rank,
        card: standing.card,
        history,
    };
    Ok((view, parsed))
}
