//! The audit log: every write, who made it and from which request. Queried by admins (all) and
//! province staff (their province's).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::UnitCode;

use crate::codec::{from_db_time, json, storable, to_db_time};
use crate::connection::DbConnection;
use crate::error::DbResult;
use crate::schema::audit_log;

/// One write to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub actor: String,
    pub actor_role: String,
    pub actor_unit: Option<String>,
    /// What was done: `report.submit`, `report.approve`, `unit.create`, `user.disable`, …
    pub action: String,
    /// `report`, `unit`, `user`, `scheme`.
    pub target_type: String,
    /// `07273/2024-06`, `07273`, `dongson`, `commune-par@2`.
    pub target: String,
    /// The province of the target, for province staff's queries.
    pub province: Option<UnitCode>,
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

/// A recorded entry: what was recorded, and when, under which id.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub recorded: NewEntry,
}

pub fn record(conn: &mut DbConnection, e: &NewEntry, at: DateTime<Utc>) -> DbResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(to_db_time(storable(at))),
            audit_log::actor.eq(&e.actor),
            audit_log::actor_role.eq(&e.actor_role),
            audit_log::actor_unit.eq(e.actor_unit.as_deref()),
            audit_log::action.eq(&e.action),
            audit_log::target_type.eq(&e.target_type),
            audit_log::target.eq(&e.target),
            audit_log::province_code.eq(e.province.as_ref().map(UnitCode::as_str)),
            audit_log::details_json.eq(json(&e.details)?),
            audit_log::request_id.eq(e.request_id.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters for a query; every one optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    /// An exact action, or a prefix ending in `.` (`report.`).
    pub action: Option<String>,
    /// An exact target, or a prefix ending in `/` (`07273/`).
    pub target: Option<String>,
    pub target_type: Option<String>,
    /// Only entries about this province's units.
    pub province: Option<UnitCode>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Entries older than this id (paging newest first).
    pub before_id: Option<i64>,
}

type Row = (
    i64,
    chrono::NaiveDateTime,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// Newest first, at most `limit`.
pub fn query(conn: &mut DbConnection, f: &Filter, limit: i64) -> DbResult<Vec<Entry>> {
    let mut q = audit_log::table.into_boxed();
    if let Some(a) = &f.actor {
        q = q.filter(audit_log::actor.eq(a.clone()));
    }
    match f.action.as_deref() {
        Some(a) if a.ends_with('.') => {
            q = q.filter(audit_log::action.like(format!("{}%", escape_like(a))).escape('\\'))
        }
        Some(a) => q = q.filter(audit_log::action.eq(a.to_owned())),
        None => {}
    }
    match f.target.as_deref() {
        Some(t) if t.ends_with('/') => {
            q = q.filter(audit_log::target.like(format!("{}%", escape_like(t))).escape('\\'))
        }
        Some(t) => q = q.filter(audit_log::target.eq(t.to_owned())),
        None => {}
    }
    if let Some(t) = &f.target_type {
        q = q.filter(audit_log::target_type.eq(t.clone()));
    }
    if let Some(p) = &f.province {
        q = q.filter(audit_log::province_code.eq(p.to_string()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::at.ge(to_db_time(from)));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_log::at.le(to_db_time(to)));
    }
    if let Some(id) = f.before_id {
        q = q.filter(audit_log::id.lt(id));
    }
    let rows: Vec<Row> = q
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::actor,
            audit_log::actor_role,
            audit_log::actor_unit,
            audit_log::action,
            audit_log::target_type,
            audit_log::target,
            audit_log::province_code,
            audit_log::details_json,
            audit_log::request_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                at,
                actor,
                actor_role,
                actor_unit,
                action,
                target_type,
                target,
                province_code,
                details,
                request_id,
            )| {
                Ok(Entry {
                    id,
                    at: from_db_time(at),
                    recorded: NewEntry {
                        actor,
                        actor_role,
                        actor_unit,
                        action,
                        target_type,
                        target,
                        province: province_code.as_deref().map(crate::codec::unit_code).transpose()?,
                        details: crate::codec::from_json(&details)?,
                        request_id,
                    },
                })
            },
        )
        .collect()
}

/// `LIKE` treats `%` and `_` as wildcards; the prefixes we build come from user input.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
