//! Scoring in the service: the parsed schemes (cached by id — a stored version never changes),
//! the scores of a new revision, re-scoring every report a new version applies to, and the
//! scheme a caller's view uses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;

use cchc_domain::scoring::{self, Scheme, SchemeRef};
use cchc_domain::{Catalog, Month, Period, Principal, Topology, UnitCode, Values};
use cchc_persistence::reports;
use cchc_persistence::schemes;
use cchc_persistence::scores::NewScore;
use cchc_persistence::{DbConnection, units};

use crate::error::{ApiResult, internal};
use crate::state::AppState;

#[derive(Default)]
pub struct SchemeCache {
    parsed: Mutex<HashMap<i64, Arc<Scheme>>>,
}

impl SchemeCache {
    pub fn get(&self, conn: &mut DbConnection, catalog: &Catalog, id: i64) -> ApiResult<Arc<Scheme>> {
        if let Some(s) = self.parsed.lock().map_err(internal)?.get(&id) {
            return Ok(s.clone());
        }
        let json = schemes::definition(conn, id)?;
        let scheme = Arc::new(Scheme::from_json(&json, catalog).map_err(|f| {
            internal(format!("stored scheme {id} no longer loads: {:?}", f.first().map(|f| &f.message_en)))
        })?);
        self.parsed.lock().map_err(internal)?.insert(id, scheme.clone());
        Ok(scheme)
    }
}

/// Scores of a report of `month` from a commune of `province` under every version that applies.
pub fn scores_for(
    conn: &mut DbConnection,
    st: &AppState,
    month: Month,
    province: Option<&UnitCode>,
    values: &Values,
) -> ApiResult<Vec<NewScore>> {
    let refs = schemes::refs(conn)?;
    score_under(conn, &st.schemes, &st.catalog, &scoring::applicable(&refs, month, province), values)
}

/// Scores of `values` under each of these versions.
pub fn score_under(
    conn: &mut DbConnection,
    cache: &SchemeCache,
    catalog: &Catalog,
    refs: &[SchemeRef],
    values: &Values,
) -> ApiResult<Vec<NewScore>> {
    refs.iter().map(|r| Ok(NewScore { scheme_id: r.id, card: cache.get(conn, catalog, r.id)?.score(values) })).collect()
}

/// Scores every current report the version `scheme` (parsed as `parsed`) applies to, in chunks,
/// on `conn` — inside the caller's transaction — skipping reports already scored by it. Returns
/// how many were scored. The parsed scheme is passed in rather than taken from the cache: until
/// the transaction commits, its id is not yet a stored version's.
pub fn rescore(conn: &mut DbConnection, parsed: &Scheme, scheme: &SchemeRef) -> ApiResult<usize> {
    let topology = match &scheme.owner {
        Some(_) => Some(units::topology(conn)?),
        None => None,
    };
    let (mut after, mut total) = (0i64, 0usize);
    loop {
        let page = reports::current_values_page(conn, after, 1000, scheme.valid_from, scheme.valid_to)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let scored: Vec<_> = page
            .iter()
            .filter(|r| match (&scheme.owner, &topology) {
                (Some(owner), Some(t)) => t.at(r.period).province_of(&r.unit_code).as_ref() == Some(owner),
                _ => true,
            })
            .map(|r| (r, NewScore { scheme_id: scheme.id, card: parsed.score(&r.values) }))
            .collect();
        total += reports::store_scores(conn, &scored, Utc::now())?;
    }
    Ok(total)
}

/// The scheme version a caller's view of `period` uses: `name` (`code` or `code@version`, the
/// built-in scheme by default) among the versions the caller may use — national ones and
/// their own province's, their province being the one their unit is in now.
pub fn choose_for(
    caller: &Principal,
    topology: &Topology,
    refs: &[SchemeRef],
    name: Option<&str>,
    period: Period,
) -> ApiResult<SchemeRef> {
    let own = caller.unit().and_then(|u| topology.province_now(u, super::this_month()));
    Ok(scoring::choose(refs, name, period.last_month(), |r| caller.may_use_scheme(r.owner.as_ref(), own.as_ref()))?)
}
