//! Units, their effective-dated versions and merges.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cchc_domain::hierarchy::{Hierarchy, Merge, UnitVersion, exists_throughout};
use cchc_domain::{Month, UnitCode};

use crate::codec::{self, enum_str, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::epoch::Epoch;
use crate::error::{DbError, DbResult};
use crate::schema::{unit_merges, unit_versions, units};

#[derive(Queryable, Selectable)]
#[diesel(table_name = unit_versions)]
struct VersionRow {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
}

impl VersionRow {
    fn into_domain(self) -> DbResult<UnitVersion> {
        Ok(UnitVersion {
            code: codec::unit_code(&self.code)?,
            name: self.name,
            level: codec::parse_enum(&self.level)?,
            parent: self.parent_code.as_deref().map(codec::unit_code).transpose()?,
            valid_from: codec::opt_month(self.valid_from.as_deref())?,
            valid_to: codec::opt_month(self.valid_to.as_deref())?,
        })
    }
}

fn insert_version(conn: &mut DbConnection, v: &UnitVersion, now: DateTime<Utc>) -> DbResult<()> {
    diesel::insert_into(unit_versions::table)
        .values((
            unit_versions::code.eq(v.code.as_str()),
            unit_versions::name.eq(&v.name),
            unit_versions::level.eq(enum_str(&v.level)),
            unit_versions::parent_code.eq(v.parent.as_ref().map(UnitCode::as_str)),
            unit_versions::valid_from.eq(v.valid_from.map(|m| m.to_string())),
            unit_versions::valid_to.eq(v.valid_to.map(|m| m.to_string())),
            unit_versions::created_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Creates a unit with its first version. A code that exists already is a conflict; a parent
/// that does not exist is refused by the foreign key.
pub fn create(conn: &mut DbConnection, first: &UnitVersion, now: DateTime<Utc>) -> DbResult<()> {
    write_transaction(conn, |c| {
        let exists: i64 = units::table.filter(units::code.eq(first.code.as_str())).count().get_result(c)?;
        if exists > 0 {
            return Err(DbError::Conflict(format!("unit {} already exists", first.code)));
        }
        if let Some(parent) = &first.parent {
            let parent_versions = versions_of(c, parent)?;
            if parent_versions.is_empty() {
                return Err(DbError::Conflict(format!("parent unit {parent} does not exist")));
            }
            let refs: Vec<&UnitVersion> = parent_versions.iter().collect();
            if !exists_throughout(&refs, first.valid_from, first.valid_to) {
                let span = |m: Option<Month>, open: &str| m.map(|m| m.to_string()).unwrap_or_else(|| open.to_owned());
                return Err(DbError::Conflict(format!(
                    "parent unit {parent} does not exist throughout {} – {}",
                    span(first.valid_from, "the beginning"),
                    span(first.valid_to, "now")
                )));
            }
        }
        diesel::insert_into(units::table)
            .values((units::code.eq(first.code.as_str()), units::created_at.eq(to_db_time(now))))
            .execute(c)?;
        insert_version(c, first, now)?;
        bump_revision(c)
    })
}

/// Every version of every unit: the input of `Hierarchy::at`.
pub fn all_versions(conn: &mut DbConnection) -> DbResult<Vec<UnitVersion>> {
    unit_versions::table
        .select(VersionRow::as_select())
        .order((unit_versions::code, unit_versions::valid_from))
        .load(conn)?
        .into_iter()
        .map(VersionRow::into_domain)
        .collect()
}

pub fn versions_of(conn: &mut DbConnection, code: &UnitCode) -> DbResult<Vec<UnitVersion>> {
    unit_versions::table
        .filter(unit_versions::code.eq(code.as_str()))
        .select(VersionRow::as_select())
        .order(unit_versions::id)
        .load(conn)?
        .into_iter()
        .map(VersionRow::into_domain)
        .collect()
}

pub fn exists(conn: &mut DbConnection, code: &UnitCode) -> DbResult<bool> {
    let n: i64 = units::table.filter(units::code.eq(code.as_str())).count().get_result(conn)?;
    Ok(n > 0)
}

pub fn all_merges(conn: &mut DbConnection) -> DbResult<Vec<Merge>> {
    let rows: Vec<(String, String, String)> = unit_merges::table
        .select((unit_merges::absorbed_code, unit_merges::successor_code, unit_merges::effective_from))
        .order(unit_merges::absorbed_code)
        .load(conn)?;
    rows.into_iter()
        .map(|(a, s, e)| {
            Ok(Merge {
                absorbed: codec::unit_code(&a)?,
                successor: codec::unit_code(&s)?,
                effective: codec::month(&e)?,
            })
        })
        .collect()
}

/// Unit versions and merges: enough to build the tree of any month. Trees are built once per
/// month and kept.
pub struct Topology {
    pub versions: Vec<UnitVersion>,
    pub merges: Vec<Merge>,
    trees: Mutex<HashMap<Month, Arc<Hierarchy>>>,
}

impl Topology {
    pub fn new(versions: Vec<UnitVersion>, merges: Vec<Merge>) -> Topology {
        Topology { versions, merges, trees: Mutex::new(HashMap::new()) }
    }

    pub fn at(&self, m: Month) -> Arc<Hierarchy> {
        let mut trees = self.trees.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        trees.entry(m).or_insert_with(|| Arc::new(Hierarchy::at(&self.versions, m))).clone()
    }
}

pub fn topology(conn: &mut DbConnection) -> DbResult<Topology> {
    Ok(Topology::new(all_versions(conn)?, all_merges(conn)?))
}

/// The key of `settings` that counts changes to units; a cached topology is good while it stands.
const UNITS_REVISION: &str = "units_revision";

/// Counts a change to units, in the writer's transaction.
pub(crate) fn bump_revision(conn: &mut DbConnection) -> DbResult<()> {
    use crate::schema::settings;
    let current: Option<String> =
        settings::table.find(UNITS_REVISION).select(settings::value).first(conn).optional()?;
    match current {
        Some(v) => {
            let next = v.parse::<i64>().unwrap_or(0) + 1;
            diesel::update(settings::table.find(UNITS_REVISION))
                .set(settings::value.eq(next.to_string()))
                .execute(conn)?
        }
        None => diesel::insert_into(settings::table)
            .values((settings::key.eq(UNITS_REVISION), settings::value.eq("1")))
            .execute(conn)?,
    };
    Ok(())
}

/// The whole topology, from a per-process cache while no unit has changed since it was read.
/// Every instance checks the database's change counter on each call, so none serves a stale
/// tree for longer than the write that changed it.
///
/// Given the request's epoch ([`crate::epoch`]), the counter is not read at all while nothing
/// has been committed since the tree was last checked.
#[derive(Default)]
pub struct TopologyCache {
    cached: Mutex<Option<CachedTopology>>,
}

struct CachedTopology {
    revision: i64,
    /// The epoch at which the revision was last checked.
    checked_at: Option<Epoch>,
    topology: Arc<Topology>,
}

impl TopologyCache {
    /// The tree as of `epoch` (taken before this call), or as of now for `None`.
    pub fn get(&self, conn: &mut DbConnection, epoch: Option<&Epoch>) -> DbResult<Arc<Topology>> {
        use crate::schema::settings;
        if let Some(t) = epoch.and_then(|e| self.peek(e)) {
            return Ok(t);
        }
        let revision: i64 = settings::table
            .find(UNITS_REVISION)
            .select(settings::value)
            .first::<String>(conn)
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if let Some(c) = self.cached.lock().unwrap_or_else(|p| p.into_inner()).as_mut()
            && c.revision == revision
        {
            c.checked_at = epoch.cloned();
            return Ok(c.topology.clone());
        }
        // A change committed between the counter and the units is caught on the next call.
        let fresh = Arc::new(topology(conn)?);
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(CachedTopology { revision, checked_at: epoch.cloned(), topology: fresh.clone() });
        Ok(fresh)
    }

    /// The tree if it was checked at `epoch`, without touching the database.
    pub fn peek(&self, epoch: &Epoch) -> Option<Arc<Topology>> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.as_ref().filter(|c| c.checked_at.as_ref() == Some(epoch)).map(|c| c.topology.clone())
    }
}

/// The part of the topology that decides who may see `code`: its versions, those of the units
/// it merged into, and all their ancestors — a few small queries instead of the whole country.
pub fn topology_around(conn: &mut DbConnection, code: &UnitCode) -> DbResult<Topology> {
    use std::collections::BTreeSet;
    let merges = all_merges(conn)?;
    let mut wanted: BTreeSet<String> = BTreeSet::from([code.to_string()]);
    let mut cur = code.clone();
    for _ in 0..=merges.len() {
        match merges.iter().find(|m| m.absorbed == cur) {
            Some(m) => {
                cur = m.successor.clone();
                wanted.insert(cur.to_string());
            }
            None => break,
        }
    }
    let mut loaded: BTreeSet<String> = BTreeSet::new();
    let mut versions = Vec::new();
    while !wanted.is_empty() {
        let batch: Vec<String> = std::mem::take(&mut wanted).into_iter().filter(|c| !loaded.contains(c)).collect();
        if batch.is_empty() {
            break;
        }
        let rows: Vec<VersionRow> = unit_versions::table
            .filter(unit_versions::code.eq_any(&batch))
            .select(VersionRow::as_select())
            .order(unit_versions::id)
            .load(conn)?;
        loaded.extend(batch);
        for row in rows {
            if let Some(p) = &row.parent_code
                && !loaded.contains(p)
            {
                wanted.insert(p.clone());
            }
            versions.push(row.into_domain()?);
        }
    }
    Ok(Topology::new(versions, merges))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = unit_versions)]
struct IdVersionRow {
    id: i64,
    #[diesel(embed)]
    version: VersionRow,
}

fn versions_with_ids(conn: &mut DbConnection, code: &UnitCode) -> DbResult<Vec<(i64, UnitVersion)>> {
    unit_versions::table
        .filter(unit_versions::code.eq(code.as_str()))
        .select(IdVersionRow::as_select())
        .order(unit_versions::id)
        .load(conn)?
        .into_iter()
        .map(|r| Ok((r.id, r.version.into_domain()?)))
        .collect()
}

fn set_valid_to(conn: &mut DbConnection, id: i64, to: Option<Month>) -> DbResult<()> {
    diesel::update(unit_versions::table.find(id))
        .set(unit_versions::valid_to.eq(to.map(|m| m.to_string())))
        .execute(conn)?;
    Ok(())
}

fn ensure_parent_throughout(c: &mut DbConnection, v: &UnitVersion) -> DbResult<()> {
    if let Some(parent) = &v.parent {
        let parent_versions = versions_of(c, parent)?;
        let refs: Vec<&UnitVersion> = parent_versions.iter().collect();
        if parent_versions.is_empty() || !exists_throughout(&refs, v.valid_from, v.valid_to) {
            return Err(DbError::Conflict(format!(
                "parent unit {parent} does not exist throughout {} – {}",
                v.valid_from.map(|m| m.to_string()).unwrap_or_else(|| "the beginning".into()),
                v.valid_to.map(|m| m.to_string()).unwrap_or_else(|| "now".into())
            )));
        }
    }
    Ok(())
}

/// A change of name and/or parent from a month on: the version in force then ends the month
/// before, and a new one starts (Thị trấn Bố Hạ becomes Xã Bố Hạ under province 24 from 2025-07).
pub fn change(
    conn: &mut DbConnection,
    code: &UnitCode,
    from: Month,
    name: Option<&str>,
    parent: Option<Option<&UnitCode>>,
    now: DateTime<Utc>,
) -> DbResult<UnitVersion> {
    write_transaction(conn, |c| {
        let versions = versions_with_ids(c, code)?;
        let (id, current) = versions
            .iter()
            .find(|(_, v)| v.is_valid_at(from))
            .ok_or_else(|| DbError::Conflict(format!("unit {code} does not exist in {from}")))?;
        if current.valid_from == Some(from) {
            return Err(DbError::Conflict(format!("a version of unit {code} already starts in {from}")));
        }
        let mut next = current.clone();
        if let Some(n) = name {
            next.name = n.to_owned();
        }
        if let Some(p) = parent {
            next.parent = p.cloned();
        }
        cchc_domain::hierarchy::check_parent(next.level, next.parent.as_ref()).map_err(DbError::Conflict)?;
        next.valid_from = Some(from);
        ensure_parent_throughout(c, &next)?;
        set_valid_to(c, *id, Some(from.previous()))?;
        insert_version(c, &next, now)?;
        bump_revision(c)?;
        Ok(next)
    })
}

/// Units that still hang below `code` after `last`.
fn children_after(conn: &mut DbConnection, code: &UnitCode, last: Month) -> DbResult<Vec<String>> {
    let rows: Vec<(String, Option<String>)> = unit_versions::table
        .filter(unit_versions::parent_code.eq(code.as_str()))
        .select((unit_versions::code, unit_versions::valid_to))
        .load(conn)?;
    let mut out: Vec<String> = rows
        .into_iter()
        .filter(|(_, to)| to.as_deref().is_none_or(|t| t > last.to_string().as_str()))
        .map(|(c, _)| c)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Ends a unit after `last` (Huyện Yên Thế ends 2025-06). Units below it must have been
/// re-parented, merged or ended by then.
pub fn end(conn: &mut DbConnection, code: &UnitCode, last: Month) -> DbResult<()> {
    write_transaction(conn, |c| {
        let versions = versions_with_ids(c, code)?;
        if versions.is_empty() {
            return Err(DbError::NotFound);
        }
        let later: Vec<String> = crate::schema::reports::table
            .filter(crate::schema::reports::unit_code.eq(code.as_str()))
            .filter(crate::schema::reports::period.gt(last.to_string()))
            .select(crate::schema::reports::period)
            .order(crate::schema::reports::period)
            .load(c)?;
        if !later.is_empty() {
            return Err(DbError::Conflict(format!(
                "unit {code} has reports after {last} ({}): they would be lost to every view",
                later.join(", ")
            )));
        }
        let orphans = children_after(c, code, last)?;
        if !orphans.is_empty() {
            return Err(DbError::Conflict(format!(
                "units {} are still below {code} after {last}: re-parent, merge or end them first",
                orphans.join(", ")
            )));
        }
        let (id, current) = versions
            .iter()
            .find(|(_, v)| v.is_valid_at(last))
            .ok_or_else(|| DbError::Conflict(format!("unit {code} does not exist in {last}")))?;
        if versions.iter().any(|(_, v)| v.valid_from.is_some_and(|f| f > last)) {
            return Err(DbError::Conflict(format!("unit {code} has versions starting after {last}")));
        }
        if current.valid_to.is_none_or(|t| t > last) {
            set_valid_to(c, *id, Some(last))?;
        }
        bump_revision(c)
    })
}

/// `absorbed` merges into `successor` from `effective`: its last month is the one before, and
/// its history counts towards the successor from then on.
pub fn merge(
    conn: &mut DbConnection,
    absorbed: &UnitCode,
    successor: &UnitCode,
    effective: Month,
    now: DateTime<Utc>,
) -> DbResult<()> {
    write_transaction(conn, |c| {
        if absorbed == successor {
            return Err(DbError::Conflict("a unit cannot merge into itself".into()));
        }
        if absorbed.level() != successor.level() {
            return Err(DbError::Conflict(format!("a {} cannot merge into a {}", absorbed.level(), successor.level())));
        }
        let successor_versions = versions_of(c, successor)?;
        if !successor_versions.iter().any(|v| v.is_valid_at(effective)) {
            return Err(DbError::Conflict(format!("successor {successor} does not exist in {effective}")));
        }
        let last = effective.previous();
        let absorbed_versions = versions_of(c, absorbed)?;
        if !absorbed_versions.iter().any(|v| v.is_valid_at(last)) {
            return Err(DbError::Conflict(format!(
                "unit {absorbed} does not exist in {last}, the month before the merger"
            )));
        }
        if all_merges(c)?.iter().any(|m| &m.absorbed == successor && &m.successor == absorbed) {
            return Err(DbError::Conflict(format!("{successor} already merged into {absorbed}")));
        }
        diesel::insert_into(unit_merges::table)
            .values((
                unit_merges::absorbed_code.eq(absorbed.as_str()),
                unit_merges::successor_code.eq(successor.as_str()),
                unit_merges::effective_from.eq(effective.to_string()),
                unit_merges::created_at.eq(to_db_time(now)),
            ))
            .execute(c)?;
        crate::feed::append(
            c,
            &crate::feed::NewEvent {
                kind: "unit.merged".into(),
                subject: absorbed.to_string(),
                province: None,
                payload: serde_json::json!({"absorbed": absorbed, "successor": successor, "effective_from": effective}),
            },
            now,
        )?;
        end(c, absorbed, last)
    })
}
