//! Units, their effective-dated versions and merges, as stored. What a change may do is
//! `cchc_domain::hierarchy`'s to decide.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use std::sync::{Arc, Mutex};

use cchc_domain::hierarchy::{Merge, UnitVersion};
use cchc_domain::{Month, Topology, UnitCode};

use crate::codec::{self, enum_str, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::epoch::Epoch;
use crate::error::DbResult;
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

/// Creates a unit with its first version (the rules are `hierarchy::check_create`'s).
pub fn create(conn: &mut DbConnection, first: &UnitVersion, now: DateTime<Utc>) -> DbResult<()> {
    write_transaction(conn, |c| {
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

/// A unit's versions in stored order, each with the id that [`set_valid_to`] takes.
pub fn versions_with_ids(conn: &mut DbConnection, code: &UnitCode) -> DbResult<Vec<(i64, UnitVersion)>> {
    unit_versions::table
        .filter(unit_versions::code.eq(code.as_str()))
        .select(IdVersionRow::as_select())
        .order(unit_versions::id)
        .load(conn)?
        .into_iter()
        .map(|r| Ok((r.id, r.version.into_domain()?)))
        .collect()
}

/// Every version of the units whose parent is `code`, in any month.
pub fn child_versions(conn: &mut DbConnection, code: &UnitCode) -> DbResult<Vec<UnitVersion>> {
    unit_versions::table
        .filter(unit_versions::parent_code.eq(code.as_str()))
        .select(VersionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(VersionRow::into_domain)
        .collect()
}

/// Ends a stored version in month `to` (or opens it again for `None`).
pub fn set_valid_to(conn: &mut DbConnection, id: i64, to: Option<Month>) -> DbResult<()> {
    diesel::update(unit_versions::table.find(id))
        .set(unit_versions::valid_to.eq(to.map(|m| m.to_string())))
        .execute(conn)?;
    bump_revision(conn)
}

/// Adds a version to an existing unit.
pub fn add_version(conn: &mut DbConnection, v: &UnitVersion, now: DateTime<Utc>) -> DbResult<()> {
    insert_version(conn, v, now)?;
    bump_revision(conn)
}

/// Records that `absorbed` merged into `successor` from `effective`.
pub fn insert_merge(conn: &mut DbConnection, m: &Merge, now: DateTime<Utc>) -> DbResult<()> {
    diesel::insert_into(unit_merges::table)
        .values((
            unit_merges::absorbed_code.eq(m.absorbed.as_str()),
            unit_merges::successor_code.eq(m.successor.as_str()),
            unit_merges::effective_from.eq(m.effective.to_string()),
            unit_merges::created_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    bump_revision(conn)
}
