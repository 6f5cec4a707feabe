//! One commune's score for a period: the criterion breakdown, its rank among its parent's
//! communes, and its history over the last 12 periods of the same kind.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::derived::round2;
use cchc_domain::ranking::Standing;
use cchc_domain::scoring::{Scheme, ScoreCard};
use cchc_domain::{Period, UnitCode};
use cchc_persistence::DbConnection;

use super::rank::{self, RankingRequest, SchemeSummary};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

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
    pub status: Standing,
    pub score: Option<f64>,
    pub band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneScoreView {
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    pub scheme: SchemeSummary,
    pub status: Standing,
    pub score: Option<f64>,
    pub band: Option<String>,
    /// Its rank among its parent's communes; null for a commune's own token (which could learn
    /// its siblings' scores from it) and for a commune without a parent in the period.
    pub rank: Option<RankAmong>,
    /// Each criterion's numerator, denominator, ratio, score and maximum; null when nothing counted.
    pub card: Option<ScoreCard>,
    /// The last 12 periods of the same kind, oldest first, ending with this one.
    pub history: Vec<HistoryPoint>,
}

/// The score view of `code` for `period` under the scheme `scheme` names, and that scheme.
pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    code: &UnitCode,
    period: Period,
    scheme: Option<&str>,
) -> ApiResult<(CommuneScoreView, Arc<Scheme>)> {
    let topology = st.topology.get(conn, caller.epoch.as_ref())?;
    caller.ensure_can_view(code, &topology, period.last_month(), super::this_month())?;
    let tree = topology.at(period.last_month());
    let missing = || Problem::UnitNotFound.error(format!("commune {code} does not exist in {period}"));
    let node = tree.get(code).ok_or_else(missing)?;
    let refs = st.scheme_refs(conn, caller.epoch.as_ref())?;
    let chosen = super::apply_schemes::choose_for(caller, &topology, &refs, scheme, period)?;
    let parsed = st.schemes.get(conn, &st.catalog, chosen.id)?;
    let standing_in = |conn: &mut DbConnection, p: Period, detail: bool| {
        rank::standings(conn, st, &topology, Some(code), (p, Default::default()), &chosen, &parsed, detail)
            .map(|mut s| s.pop())
    };
    let own = standing_in(conn, period, true)?.ok_or_else(missing)?;
    let rank = match &node.parent {
        Some(parent) if tree.contains(parent) && caller.sees_sibling_ranks() => {
            let req = RankingRequest {
                unit: Some(parent.clone()),
                period,
                scheme: None,
                detail: false,
                source: Default::default(),
            };
            let view = rank::compute(conn, st, &topology, &chosen, &parsed, &req)?;
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
    for back in (1..12).rev() {
        let p = period.shifted(-back);
        history.push(match standing_in(conn, p, false)? {
            Some(s) => {
                HistoryPoint { period: p.to_string(), status: s.standing, score: s.total.map(round2), band: s.band }
            }
            None => HistoryPoint { period: p.to_string(), status: Standing::NotExisting, score: None, band: None },
        });
    }
    history.push(HistoryPoint {
        period: period.to_string(),
        status: own.standing,
        score: own.total.map(round2),
        band: own.band.clone(),
    });
    let view = CommuneScoreView {
        unit_code: code.to_string(),
        unit_name: node.name.clone(),
        period: period.to_string(),
        scheme: SchemeSummary::of(&chosen, &parsed),
        status: own.standing,
        score: own.total.map(round2),
        band: own.band,
        rank,
        card: own.card,
        history,
    };
    Ok((view, parsed))
}
