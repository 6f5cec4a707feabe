//! Stored scoring schemes. A version, once stored, never changes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::{Month, UnitCode};

use crate::codec::{self, from_db_time, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::{DbError, DbResult};
use crate::schema::scoring_schemes;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredScheme {
    pub id: i64,
    pub code: String,
    pub version: i32,
    /// The province that owns it; `None` for a national scheme.
    pub owner: Option<UnitCode>,
    pub definition_json: String,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = scoring_schemes)]
struct Row {
    id: i64,
    code: String,
    version: i32,
    owner_code: Option<String>,
    definition_json: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    created_at: chrono::NaiveDateTime,
    created_by: String,
}

impl Row {
    fn into_domain(self) -> DbResult<StoredScheme> {
        Ok(StoredScheme {
            id: self.id,
            code: self.code,
            version: self.version,
            owner: self.owner_code.as_deref().map(codec::unit_code).transpose()?,
            definition_json: self.definition_json,
            valid_from: codec::opt_month(self.valid_from.as_deref())?,
            valid_to: codec::opt_month(self.valid_to.as_deref())?,
            created_at: from_db_time(self.created_at),
            created_by: self.created_by,
        })
    }
}

pub struct NewScheme<'a> {
    pub code: &'a str,
    /// When given, the version must be the next one (optimistic concurrency for uploads).
    pub expected_version: Option<i32>,
    pub owner: Option<&'a UnitCode>,
    /// The definition, with `version` filled in by `insert` through this callback.
    pub definition: &'a dyn Fn(i32) -> String,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
    pub created_by: &'a str,
}

/// Stores the next version of a scheme. A scheme code belongs to one owner: another owner
/// cannot add versions to it.
pub fn insert(conn: &mut DbConnection, new: &NewScheme<'_>, now: DateTime<Utc>) -> DbResult<StoredScheme> {
    write_transaction(conn, |c| {
        let existing: Vec<(i32, Option<String>)> = scoring_schemes::table
            .filter(scoring_schemes::code.eq(new.code))
            .select((scoring_schemes::version, scoring_schemes::owner_code))
            .load(c)?;
        if let Some((_, owner)) = existing.first()
            && owner.as_deref() != new.owner.map(UnitCode::as_str)
        {
            return Err(DbError::Conflict(format!(
                "scheme `{}` belongs to {}; choose another code",
                new.code,
                owner
                    .as_deref()
                    .map(|o| format!("province {o}"))
                    .unwrap_or_else(|| "the national administration".into())
            )));
        }
        let version = existing.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1;
        if let Some(expected) = new.expected_version
            && expected != version
        {
            return Err(DbError::Conflict(format!(
                "scheme `{}` would be version {version}, not {expected}: another version was added meanwhile",
                new.code
            )));
        }
        let id: i64 = diesel::insert_into(scoring_schemes::table)
            .values((
                scoring_schemes::code.eq(new.code),
                scoring_schemes::version.eq(version),
                scoring_schemes::owner_code.eq(new.owner.map(UnitCode::as_str)),
                scoring_schemes::definition_json.eq((new.definition)(version)),
                scoring_schemes::valid_from.eq(new.valid_from.map(|m| m.to_string())),
                scoring_schemes::valid_to.eq(new.valid_to.map(|m| m.to_string())),
                scoring_schemes::created_at.eq(to_db_time(now)),
                scoring_schemes::created_by.eq(new.created_by),
            ))
            .returning(scoring_schemes::id)
            .get_result(c)?;
        get_by_id(c, id)
    })
}

pub fn get_by_id(conn: &mut DbConnection, id: i64) -> DbResult<StoredScheme> {
    scoring_schemes::table.find(id).select(Row::as_select()).first(conn)?.into_domain()
}

/// Every version of every scheme, by code then version.
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<StoredScheme>> {
    scoring_schemes::table
        .order((scoring_schemes::code, scoring_schemes::version))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// The schemes' identities and validity without their definitions: what choosing one needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeRef {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub owner: Option<UnitCode>,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
}

impl SchemeRef {
    pub fn applies_to(&self, m: Month) -> bool {
        self.valid_from.is_none_or(|f| f <= m) && self.valid_to.is_none_or(|t| m <= t)
    }
}

pub fn refs(conn: &mut DbConnection) -> DbResult<Vec<SchemeRef>> {
    type R = (i64, String, i32, Option<String>, Option<String>, Option<String>);
    let rows: Vec<R> = scoring_schemes::table
        .order((scoring_schemes::code, scoring_schemes::version))
        .select((
            scoring_schemes::id,
            scoring_schemes::code,
            scoring_schemes::version,
            scoring_schemes::owner_code,
            scoring_schemes::valid_from,
            scoring_schemes::valid_to,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, code, version, owner, from, to)| {
            Ok(SchemeRef {
                id,
                code,
                version,
                owner: owner.as_deref().map(codec::unit_code).transpose()?,
                valid_from: codec::opt_month(from.as_deref())?,
                valid_to: codec::opt_month(to.as_deref())?,
            })
        })
        .collect()
}

pub fn definition(conn: &mut DbConnection, id: i64) -> DbResult<String> {
    Ok(scoring_schemes::table.find(id).select(scoring_schemes::definition_json).first(conn)?)
}
