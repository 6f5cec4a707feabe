//! Scoring in the service: which scheme versions apply to a report, scoring at write time, bulk
//! re-scoring when a version is added, and the built-in default scheme.
//!
//! Parsed schemes are cached by id. That is safe with several instances: a stored version
//! never changes, and which versions exist is read from the database every time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;

use cchc_domain::hierarchy::Hierarchy;
use cchc_domain::scoring::{DEFAULT_SCHEME_CODE, DEFAULT_SCHEME_JSON, Scheme, SchemeDefinition};
use cchc_domain::{Catalog, Month, Principal, UnitCode, UnitLevel, Values};
use cchc_persistence::reports;
use cchc_persistence::schemes::{self, NewScheme, SchemeRef};
use cchc_persistence::scores::NewScore;
use cchc_persistence::{Database, DbConnection, DbError};

use crate::error::{ApiResult, bad_request, internal, not_found};

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

/// The province a unit belongs to in a month's tree (itself for a province).
pub fn province_of(tree: &Hierarchy, unit: &UnitCode) -> Option<UnitCode> {
    if unit.level() == UnitLevel::Province {
        return Some(unit.clone());
    }
    tree.ancestors(unit).into_iter().find(|n| n.level == UnitLevel::Province).map(|n| n.code.clone())
}

/// Scheme versions that score a report of `month` from a commune in `province`: national ones
/// and those the province owns, valid in the month.
pub fn applicable(conn: &mut DbConnection, month: Month, province: Option<&UnitCode>) -> ApiResult<Vec<SchemeRef>> {
    Ok(schemes::refs(conn)?
        .into_iter()
        .filter(|r| r.applies_to(month) && (r.owner.is_none() || r.owner.as_ref() == province))
        .collect())
}

pub fn score_with(
    conn: &mut DbConnection,
    cache: &SchemeCache,
    catalog: &Catalog,
    refs: &[SchemeRef],
    values: &Values,
) -> ApiResult<Vec<NewScore>> {
    refs.iter().map(|r| Ok(NewScore { scheme_id: r.id, card: cache.get(conn, catalog, r.id)?.score(values) })).collect()
}

/// Whether `caller` may use a scheme: national ones, and their own province's.
pub fn visible_to(r: &SchemeRef, caller: &Principal, caller_province: Option<&UnitCode>) -> bool {
    owner_visible(r.owner.as_ref(), caller, caller_province)
}

pub fn owner_visible(owner: Option<&UnitCode>, caller: &Principal, caller_province: Option<&UnitCode>) -> bool {
    caller.is_admin() || owner.is_none() || owner == caller_province
}

/// The province a caller's unit belongs to today (or when it last existed).
pub fn caller_province(conn: &mut DbConnection, caller: &Principal) -> ApiResult<Option<UnitCode>> {
    let Some(unit) = caller.unit() else { return Ok(None) };
    let topology = cchc_persistence::units::topology_around(conn, unit)?;
    let now = crate::params::current_month();
    if let Some(p) = province_of(&topology.at(now), unit) {
        return Ok(Some(p));
    }
    let last = topology.versions.iter().filter(|v| &v.code == unit).filter_map(|v| v.valid_to).max();
    Ok(last.and_then(|m| province_of(&topology.at(m), unit)))
}

/// Chooses the scheme version for a view of `month`: `code` or `code@version` (default: the
/// built-in scheme), the latest version valid in the month when no version is named.
pub fn choose(
    refs: &[SchemeRef],
    param: Option<&str>,
    month: Month,
    visible: impl Fn(&SchemeRef) -> bool,
) -> ApiResult<SchemeRef> {
    let param = param.unwrap_or(DEFAULT_SCHEME_CODE);
    let (code, version) = match param.split_once('@') {
        Some((c, v)) => {
            (c, Some(v.parse::<i32>().map_err(|_| bad_request(format!("`{param}`: use code or code@version")))?))
        }
        None => (param, None),
    };
    let candidates: Vec<&SchemeRef> = refs.iter().filter(|r| r.code == code && visible(r)).collect();
    if candidates.is_empty() {
        return Err(not_found(format!("there is no scoring scheme `{code}` you may use")));
    }
    match version {
        Some(v) => candidates
            .into_iter()
            .find(|r| r.version == v)
            .cloned()
            .ok_or_else(|| not_found(format!("scheme `{code}` has no version {v}"))),
        None => candidates
            .into_iter()
            .filter(|r| r.applies_to(month))
            .max_by_key(|r| r.version)
            .cloned()
            .ok_or_else(|| not_found(format!("no version of scheme `{code}` applies to {month}"))),
    }
}

/// Scores every current report the version applies to, in chunks, skipping reports already
/// scored by it. Returns how many were scored.
pub fn rescore(db: &Database, cache: &SchemeCache, catalog: &Catalog, scheme: &SchemeRef) -> ApiResult<usize> {
    let mut conn = db.conn()?;
    let parsed = cache.get(&mut conn, catalog, scheme.id)?;
    let topology = match &scheme.owner {
        Some(_) => Some(cchc_persistence::units::topology(&mut conn)?),
        None => None,
    };
    let (mut after, mut total) = (0i64, 0usize);
    loop {
        let page = reports::current_values_page(&mut conn, after, 1000, scheme.valid_from, scheme.valid_to)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let scored: Vec<_> = page
            .iter()
            .filter(|r| match (&scheme.owner, &topology) {
                (Some(owner), Some(t)) => province_of(&t.at(r.period), &r.unit_code).as_ref() == Some(owner),
                _ => true,
            })
            .map(|r| (r, NewScore { scheme_id: scheme.id, card: parsed.score(&r.values) }))
            .collect();
        total += reports::store_scores(&mut conn, &scored, Utc::now())?;
    }
    Ok(total)
}

/// Stores the built-in scheme as version 1 of `commune-par` on a database that has none, and
/// scores the reports already there.
pub fn seed_builtin(db: &Database, cache: &SchemeCache, catalog: &Catalog) -> Result<(), DbError> {
    let mut conn = db.conn()?;
    if schemes::refs(&mut conn)?.iter().any(|r| r.code == DEFAULT_SCHEME_CODE) {
        return Ok(());
    }
    let definition: SchemeDefinition =
        serde_json::from_str(DEFAULT_SCHEME_JSON).map_err(|e| DbError::Corrupt(format!("built-in scheme: {e}")))?;
    let to_json = |version: i32| {
        let mut d = definition.clone();
        d.version = Some(version as u32);
        serde_json::to_string(&d).unwrap_or_default()
    };
    let new = NewScheme {
        code: DEFAULT_SCHEME_CODE,
        expected_version: Some(1),
        owner: None,
        definition: &to_json,
        valid_from: None,
        valid_to: None,
        created_by: "cchc (built-in)",
    };
    let stored = match schemes::insert(&mut conn, &new, Utc::now()) {
        Ok(s) => s,
        // Another instance seeded it first.
        Err(DbError::Duplicate(_) | DbError::Conflict(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    drop(conn);
    let r = SchemeRef {
        id: stored.id,
        code: stored.code,
        version: stored.version,
        owner: None,
        valid_from: None,
        valid_to: None,
    };
    let n = rescore(db, cache, catalog, &r).map_err(|e| DbError::Corrupt(e.detail))?;
    log::info!(
        "stored the built-in scoring scheme `{DEFAULT_SCHEME_CODE}` version 1 and scored {n} existing report(s)"
    );
    Ok(())
}
