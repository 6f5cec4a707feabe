//! Units, their effective-dated versions and merges.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::hierarchy::{Merge, UnitVersion, exists_throughout};
use cchc_domain::{Month, UnitCode};

use crate::codec::{self, enum_str, to_db_time};
use crate::connection::{DbConnection, write_transaction};
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
        insert_version(c, first, now)
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

/// Unit versions and merges: enough to build the tree of any month.
pub struct Topology {
    pub versions: Vec<UnitVersion>,
    pub merges: Vec<Merge>,
}

pub fn topology(conn: &mut DbConnection) -> DbResult<Topology> {
    Ok(Topology { versions: all_versions(conn)?, merges: all_merges(conn)? })
}

impl Topology {
    pub fn at(&self, m: Month) -> cchc_domain::hierarchy::Hierarchy {
        cchc_domain::hierarchy::Hierarchy::at(&self.versions, m)
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
    Ok(Topology { versions, merges })
}
