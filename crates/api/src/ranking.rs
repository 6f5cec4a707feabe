//! Rankings of the communes below a unit (or the whole country) for any period: monthly from the
//! scores stored with each report, longer periods scored from summed figures.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::ranking::{rank, rank_change};
use cchc_domain::scoring::{CriterionScore, ScoreCard};
use cchc_domain::{Period, UnitCode, UnitLevel};
use cchc_persistence::DbConnection;
use cchc_persistence::reports;
use cchc_persistence::schemes::SchemeRef;
use cchc_persistence::scores;
use cchc_persistence::units::Topology;

pub mod cache;

use crate::error::{ApiResult, not_found};
use crate::routes::aggregates::load_period_figures;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchemeSummary {
    pub code: String,
    pub version: i32,
    pub name_vi: String,
    pub name_en: String,
    pub max_score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingEntry {
    pub unit_code: String,
    pub unit_name: String,
    /// Standard competition rank ("1224"); null when the commune is not ranked.
    pub rank: Option<u32>,
    /// Two decimals; null when not ranked.
    pub score: Option<f64>,
    pub band: Option<String>,
    /// `submitted`, `approved`, `locked` (ranked); `draft`, `returned`, `missing` (not ranked);
    /// for longer periods `partial` when some months are missing.
    pub status: String,
    /// Rank in the previous period of the same kind.
    pub previous_rank: Option<u32>,
    /// Places gained since the previous period (negative: lost).
    pub rank_change: Option<i64>,
    /// With `detail=criteria`: numerator, denominator, ratio, score and maximum of each criterion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Vec<CriterionScore>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingView {
    /// Null for the whole country.
    pub unit_code: Option<String>,
    pub unit_name: String,
    pub level: Option<UnitLevel>,
    pub period: String,
    pub scheme: SchemeSummary,
    /// Communes below the unit in the period (the tree of its last month).
    pub communes: usize,
    pub ranked: usize,
    pub missing: usize,
    pub entries: Vec<RankingEntry>,
}

/// One commune's standing before ranking.
pub struct Standing {
    pub code: UnitCode,
    pub name: String,
    pub status: String,
    pub card: Option<ScoreCard>,
    pub total: Option<f64>,
    pub band: Option<String>,
}

pub struct RankingRequest<'a> {
    pub unit: Option<&'a UnitCode>,
    pub period: Period,
    pub scheme: &'a SchemeRef,
    pub detail: bool,
}

pub fn compute(
    conn: &mut DbConnection,
    state: &AppState,
    topology: &Topology,
    req: &RankingRequest<'_>,
) -> ApiResult<RankingView> {
    let last = req.period.last_month();
    let tree = topology.at(last);
    let (unit_name, level) = match req.unit {
        Some(code) => {
            let node =
                tree.get(code).ok_or_else(|| not_found(format!("unit {code} does not exist in {}", req.period)))?;
            (node.name.clone(), Some(node.level))
        }
        None => ("Toàn quốc".to_owned(), None),
    };
    let parsed = state.schemes.get(conn, &state.catalog, req.scheme.id)?;
    let scheme = SchemeSummary {
        code: req.scheme.code.clone(),
        version: req.scheme.version,
        name_vi: parsed.definition.name_vi.clone(),
        name_en: parsed.definition.name_en.clone(),
        max_score: parsed.definition.max_score,
    };
    let current = standings(conn, state, topology, req.unit, req.period, req.scheme, req.detail)?;
    // The previous period's ranks, over the units as they stood then.
    let previous = standings(conn, state, topology, req.unit, req.period.previous(), req.scheme, false)
        .map(|s| {
            rank(s, |s| s.total, |s| s.code.as_str()).into_iter().map(|(s, r)| (s.code, r)).collect::<HashMap<_, _>>()
        })
        .unwrap_or_default();
    let communes = current.len();
    let ranked_list = rank(current, |s| s.total, |s| s.code.as_str());
    let ranked = ranked_list.iter().filter(|(_, r)| r.is_some()).count();
    let missing = ranked_list.iter().filter(|(s, _)| s.status == "missing").count();
    let entries = ranked_list
        .into_iter()
        .map(|(s, r)| {
            let previous_rank = previous.get(&s.code).copied().flatten();
            RankingEntry {
                unit_code: s.code.to_string(),
                unit_name: s.name,
                rank: r,
                score: s.total.map(cchc_domain::derived::round2),
                band: s.band,
                status: s.status,
                previous_rank,
                rank_change: rank_change(previous_rank, r),
                criteria: s.card.map(|c| c.criteria),
            }
        })
        .collect();
    Ok(RankingView {
        unit_code: req.unit.map(UnitCode::to_string),
        unit_name,
        level,
        period: req.period.to_string(),
        scheme,
        communes,
        ranked,
        missing,
        entries,
    })
}

/// Every commune below `unit` (the commune itself when `unit` is one) with its score.
pub fn standings(
    conn: &mut DbConnection,
    state: &AppState,
    topology: &Topology,
    unit: Option<&UnitCode>,
    period: Period,
    scheme: &SchemeRef,
    detail: bool,
) -> ApiResult<Vec<Standing>> {
    let parsed = state.schemes.get(conn, &state.catalog, scheme.id)?;
    match period {
        Period::Month(month) => {
            let tree = topology.at(month);
            if let Some(u) = unit
                && !tree.contains(u)
            {
                return Ok(Vec::new());
            }
            let communes = tree.communes_below(unit);
            let codes: Vec<&UnitCode> = communes.iter().map(|n| &n.code).collect();
            let rows = scores::for_month(conn, scheme.id, month, unit.map(|_| codes.as_slice()))?;
            let by_unit: HashMap<&UnitCode, &scores::MonthScore> = rows.iter().map(|r| (&r.unit_code, r)).collect();
            // Reports stored before this scheme version existed and not yet re-scored are scored here.
            let unscored: Vec<&UnitCode> =
                rows.iter().filter(|r| r.status.counts() && r.total.is_none()).map(|r| &r.unit_code).collect();
            let mut computed: HashMap<UnitCode, ScoreCard> = HashMap::new();
            if !unscored.is_empty() {
                for f in reports::figures(conn, &[month], Some(&unscored))? {
                    computed.insert(f.unit_code.clone(), parsed.score(&f.values));
                }
            }
            let mut cards = if detail {
                let revs: Vec<(i64, i32)> =
                    rows.iter().filter(|r| r.status.counts()).map(|r| (r.report_id, r.revision)).collect();
                scores::cards(conn, scheme.id, &revs)?
            } else {
                HashMap::new()
            };
            Ok(communes
                .into_iter()
                .map(|n| {
                    let row = by_unit.get(&n.code);
                    let counted = row.is_some_and(|r| r.status.counts());
                    let computed_card = computed.remove(&n.code);
                    let total = if counted {
                        row.and_then(|r| r.total).or(computed_card.as_ref().map(|c| c.total))
                    } else {
                        None
                    };
                    let band = if counted {
                        row.and_then(|r| r.band.clone()).or(computed_card.as_ref().and_then(|c| c.band.clone()))
                    } else {
                        None
                    };
                    let card = if detail && counted {
                        row.and_then(|r| cards.remove(&r.report_id)).or(computed_card)
                    } else {
                        None
                    };
                    Standing {
                        code: n.code.clone(),
                        name: n.name.clone(),
                        status: row.map(|r| r.status.as_str()).unwrap_or("missing").to_owned(),
                        total,
                        band,
                        card,
                    }
                })
                .collect())
        }
        longer => {
            if let Some(u) = unit
                && !topology.at(longer.last_month()).contains(u)
            {
                return Ok(Vec::new());
            }
            let figures = load_period_figures(conn, state, topology, unit, longer)?;
            let months = &figures.months_reported;
            let expected = longer.len_months() as usize;
            Ok(figures
                .communes
                .into_iter()
                .map(|(code, name)| {
                    let card = figures.values.get(&code).map(|v| parsed.score(v));
                    let n = months.get(&code).copied().unwrap_or(0);
                    let status = match n {
                        0 => "missing",
                        n if n >= expected => "submitted",
                        _ => "partial",
                    };
                    Standing {
                        status: status.to_owned(),
                        total: card.as_ref().map(|c| c.total),
                        band: card.as_ref().and_then(|c| c.band.clone()),
                        card: if detail { card } else { None },
                        code,
                        name,
                    }
                })
                .collect())
        }
    }
}
