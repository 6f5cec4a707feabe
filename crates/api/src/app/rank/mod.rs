//! Rankings of the communes below a unit (or the whole country) for any period: monthly from the
//! scores stored with each report, longer periods scored from rolled-up figures; with each
//! commune's rank change since the previous period. A ranking is computed once per database
//! epoch and served from memory to everyone allowed to see it (`cache`).

pub mod cache;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::derived::round2;
use cchc_domain::ranking::{Standing, rank_change, rank_complete_first};
use cchc_domain::scoring::{BandDefinition, CriterionScore, Scheme, SchemeRef, ScoreCard};
use cchc_domain::{Month, Period, Topology, UnitCode, UnitLevel};
use cchc_persistence::{DbConnection, reports, scores};

use super::aggregate::{load_figures, unit_in};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{Cell, Table};
use crate::state::AppState;
use cache::{CachedRanking, RankingKey};
use cchc_domain::periodic_report::FiguresSource;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchemeSummary {
    pub code: String,
    pub version: i32,
    pub name_vi: String,
    pub name_en: String,
    pub max_score: f64,
}

impl SchemeSummary {
    pub fn of(r: &SchemeRef, parsed: &Scheme) -> SchemeSummary {
        SchemeSummary {
            code: r.code.clone(),
            version: r.version,
            name_vi: parsed.definition.name_vi.clone(),
            name_en: parsed.definition.name_en.clone(),
            max_score: parsed.definition.max_score,
        }
    }
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
    /// for longer periods `partial` when some months are missing, ranked after every commune
    /// that reported all of them.
    pub status: Standing,
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

/// One commune's score before ranking.
pub struct CommuneScore {
    pub code: UnitCode,
    pub name: String,
    pub standing: Standing,
    pub card: Option<ScoreCard>,
    pub total: Option<f64>,
    pub band: Option<String>,
}

/// What a ranking is asked for.
#[derive(Debug, Clone)]
pub struct RankingRequest {
    /// The unit whose communes are ranked; the country for `None`.
    pub unit: Option<UnitCode>,
    pub period: Period,
    /// `code` or `code@version`; the built-in scheme by default.
    pub scheme: Option<String>,
    /// Each entry's per-criterion breakdown.
    pub detail: bool,
    /// A longer period's figures: the months rolled up (default) or the filed periodic reports.
    pub source: FiguresSource,
}

/// The ranking of the communes below the requested unit (the country for `None`), under the
/// scheme it names, for a caller who must be allowed to see the unit and the scheme; from the
/// cache while the caller's epoch stands. Shared by the API and the dashboard.
pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    req: &RankingRequest,
) -> ApiResult<Arc<CachedRanking>> {
    let epoch = caller.epoch.as_ref();
    let topology = st.topology.get(conn, epoch)?;
    let refs = st.scheme_refs(conn, epoch)?;
    let key = key_for(caller, &topology, &refs, req)?;
    if let Some(hit) = epoch.and_then(|e| st.caches.rankings.get(e, &key)) {
        return Ok(hit);
    }
    let Some(scheme) = refs.iter().find(|r| r.id == key.scheme_id) else {
        return Err(crate::error::internal(format!("scheme {} vanished from its own list", key.scheme_id)));
    };
    let parsed = st.schemes.get(conn, &st.catalog, scheme.id)?;
    let topology = match &req.unit {
        Some(u) if key.scope.is_some() => super::in_view(caller, topology, u, req.period.last_month()),
        _ => topology,
    };
    let view = compute(conn, st, &topology, scheme, &parsed, req)?;
    let computed = CachedRanking::new(view, parsed.definition.bands.clone())?;
    if let Some(e) = epoch {
        st.caches.rankings.put(e, key, computed.clone(), computed.weight());
    }
    Ok(computed)
}

/// The ranking from the caches alone, when the caller's epoch still holds everything it needs;
/// the caller's scope is checked all the same. Served without leaving the request's thread.
pub fn cached(st: &AppState, caller: &Caller, req: &RankingRequest) -> ApiResult<Option<Arc<CachedRanking>>> {
    let Some(epoch) = caller.epoch.as_ref() else { return Ok(None) };
    let (Some(topology), Some(refs)) = (st.topology.peek(epoch), st.caches.scheme_refs.get(epoch, &())) else {
        return Ok(None);
    };
    let key = key_for(caller, &topology, &refs, req)?;
    Ok(st.caches.rankings.get(epoch, &key))
}

/// Checks that the caller may see the unit in the period (and, for the country, is an admin),
/// and names the ranking: the unit, the period, the scheme version chosen, the detail.
fn key_for(caller: &Caller, topology: &Topology, refs: &[SchemeRef], req: &RankingRequest) -> ApiResult<RankingKey> {
    match &req.unit {
        Some(u) => caller.ensure_can_view(u, topology, req.period.last_month(), super::this_month())?,
        None => caller.require_admin("the national ranking is for admins")?,
    }
    let scheme = super::apply_schemes::choose_for(caller, topology, refs, req.scheme.as_deref(), req.period)?;
    // A caller who may not see every commune below the unit gets a ranking of its own.
    let hides =
        |u: &UnitCode| !caller.hidden_below(topology, u, req.period.last_month(), super::this_month()).is_empty();
    let scope = req.unit.as_ref().filter(|u| hides(u)).and(caller.unit().cloned());
    Ok(RankingKey {
        unit: req.unit.clone(),
        period: req.period,
        scheme_id: scheme.id,
        detail: req.detail,
        source: req.source,
        scope,
    })
}

pub fn compute(
    conn: &mut DbConnection,
    st: &AppState,
    topology: &Topology,
    scheme: &SchemeRef,
    parsed: &Scheme,
    req: &RankingRequest,
) -> ApiResult<RankingView> {
    let unit = req.unit.as_ref();
    let (unit_name, level) = unit_in(topology, unit, req.period)?;
    let current = standings(conn, st, topology, unit, (req.period, req.source), scheme, parsed, req.detail)?;
    // The previous period's ranks, over the units as they stood then, from the same source.
    let previous_period = (req.period.previous(), req.source);
    let before = standings(conn, st, topology, unit, previous_period, scheme, parsed, false)?;
    let partial = |s: &CommuneScore| s.standing == Standing::Partial;
    let previous: HashMap<UnitCode, Option<u32>> =
        rank_complete_first(before, |s| s.total, partial, |s| s.code.as_str())
            .into_iter()
            .map(|(s, r)| (s.code, r))
            .collect();
    let communes = current.len();
    let ranked_list = rank_complete_first(current, |s| s.total, partial, |s| s.code.as_str());
    let ranked = ranked_list.iter().filter(|(_, r)| r.is_some()).count();
    let missing = ranked_list.iter().filter(|(s, _)| s.standing == Standing::Missing).count();
    let entries = ranked_list
        .into_iter()
        .map(|(s, r)| {
            let previous_rank = previous.get(&s.code).copied().flatten();
            RankingEntry {
                unit_code: s.code.to_string(),
                unit_name: s.name,
                rank: r,
                score: s.total.map(round2),
                band: s.band,
                status: s.standing,
                previous_rank,
                rank_change: rank_change(previous_rank, r),
                criteria: s.card.map(|c| c.criteria),
            }
        })
        .collect();
    Ok(RankingView {
        unit_code: unit.map(UnitCode::to_string),
        unit_name,
        level,
        period: req.period.to_string(),
        scheme: SchemeSummary::of(scheme, parsed),
        communes,
        ranked,
        missing,
        entries,
    })
}

/// Every commune below `unit` (the commune itself when `unit` is one) with its score.
#[allow(clippy::too_many_arguments)]
pub fn standings(
    conn: &mut DbConnection,
    st: &AppState,
    topology: &Topology,
    unit: Option<&UnitCode>,
    (period, source): (Period, FiguresSource),
    scheme: &SchemeRef,
    parsed: &Scheme,
    detail: bool,
) -> ApiResult<Vec<CommuneScore>> {
    if let Some(u) = unit
        && !topology.at(period.last_month()).contains(u)
    {
        return Ok(Vec::new());
    }
    let Period::Month(month) = period else {
        let figures = load_figures(conn, &st.catalog, topology, unit, period, source)?;
        let expected = period.len_months() as usize;
        return Ok(figures
            .communes
            .into_iter()
            .map(|(code, name)| {
                let card = figures.values.get(&code).map(|v| parsed.score(v));
                let reported = figures.months_reported.get(&code).copied().unwrap_or(0);
                CommuneScore {
                    standing: Standing::of_months(reported, expected),
                    total: card.as_ref().map(|c| c.total),
                    band: card.as_ref().and_then(|c| c.band.clone()),
                    card: if detail { card } else { None },
                    code,
                    name,
                }
            })
            .collect());
    };
    let tree = topology.at(month);
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
    // Standings say what the reports say: an approved report of a closed month is locked.
    let cal = st.calendar(conn, None)?;
    let today = cchc_domain::period::to_vietnam_time(chrono::Utc::now()).date_naive();
    let in_force =
        |status| cchc_domain::workflow::effective_status(status, month, today, &cal, st.rules.lock_after_days);
    Ok(communes
        .into_iter()
        .map(|n| {
            let row = by_unit.get(&n.code);
            let standing = Standing::of_report(row.map(|r| in_force(r.status)));
            let mut score = CommuneScore {
                code: n.code.clone(),
                name: n.name.clone(),
                standing,
                card: None,
                total: None,
                band: None,
            };
            // Only a counted report has a score.
            if let Some(r) = row.filter(|r| r.status.counts()) {
                let computed_card = computed.remove(&n.code);
                score.total = r.total.or(computed_card.as_ref().map(|c| c.total));
                score.band = r.band.clone().or(computed_card.as_ref().and_then(|c| c.band.clone()));
                if detail {
                    score.card = cards.remove(&r.report_id).or(computed_card);
                }
            }
            score
        })
        .collect())
}

/// How far back the default period of a page looks for a month with reports.
const LOOK_BACK_MONTHS: i64 = 120;

/// The latest month, at most ten years back, in which a commune below `unit` (the whole country
/// for `None`) has a counted report; the current month when there is none.
pub fn latest_month(conn: &mut DbConnection, topology: &Topology, unit: Option<&UnitCode>) -> ApiResult<Month> {
    let now = super::this_month();
    for back in 0..LOOK_BACK_MONTHS {
        let month = now.plus(-back);
        let tree = topology.at(month);
        let codes: Vec<&UnitCode> = match unit {
            Some(u) if !tree.contains(u) => continue,
            Some(u) => tree.communes_below(Some(u)).into_iter().map(|n| &n.code).collect(),
            None => Vec::new(),
        };
        if unit.is_some() && codes.is_empty() {
            continue;
        }
        // Scheme 0 scores nothing: only the reports' statuses are read.
        let rows = scores::for_month(conn, 0, month, unit.map(|_| codes.as_slice()))?;
        if rows.iter().any(|r| r.status.counts()) {
            return Ok(month);
        }
    }
    Ok(now)
}

/// The ranking as a spreadsheet table with Vietnamese headers.
pub fn table(view: &RankingView, bands: &[BandDefinition]) -> Table {
    let band = |code: &Option<String>| {
        code.as_ref()
            .map(|c| bands.iter().find(|b| &b.code == c).map(|b| b.label_vi.clone()).unwrap_or_else(|| c.clone()))
    };
    // With `detail=criteria`, a column per criterion of the scheme, in its order.
    let criteria: Vec<(String, f64)> = view
        .entries
        .iter()
        .find_map(|e| e.criteria.as_ref())
        .map(|cs| cs.iter().map(|c| (c.code.clone(), c.max)).collect())
        .unwrap_or_default();
    let mut headers: Vec<String> =
        ["Hạng", "Mã đơn vị", "Tên đơn vị", "Điểm", "Xếp loại", "Trạng thái", "Hạng kỳ trước", "Thay đổi thứ hạng"]
            .map(String::from)
            .to_vec();
    headers.extend(criteria.iter().map(|(code, max)| format!("{code} (tối đa {max})")));
    let rows = view
        .entries
        .iter()
        .map(|e| {
            let mut row = vec![
                Cell::from(e.rank.map(i64::from)),
                Cell::from(e.unit_code.clone()),
                Cell::from(e.unit_name.clone()),
                Cell::from(e.score),
                band(&e.band).map(Cell::from).unwrap_or(Cell::Empty),
                Cell::from(e.status.label_vi()),
                Cell::from(e.previous_rank.map(i64::from)),
                Cell::from(e.rank_change),
            ];
            row.extend(criteria.iter().map(|(code, _)| {
                let score =
                    e.criteria.as_ref().and_then(|cs| cs.iter().find(|c| &c.code == code)).and_then(|c| c.score);
                Cell::from(score.map(round2))
            }));
            row
        })
        .collect();
    Table {
        name: format!("xep-hang-{}-{}", view.unit_code.as_deref().unwrap_or("toan-quoc"), view.period),
        title: format!("Xếp hạng CCHC — {}, kỳ {}", view.unit_name, view.period),
        headers,
        rows,
    }
}
