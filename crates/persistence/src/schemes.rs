//! Stored scoring schemes. A version, once stored, never changes; who owns a code and which
//! number comes next is `cchc_domain::scoring`'s to decide.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::scoring::SchemeRef;
use cchc_domain::{Month, UnitCode};

use crate::codec::{self, from_db_time, to_db_time};
use crate::connection::DbConnection;
use crate::error::DbResult;
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

/// A version to store; its number is `scoring::next_version`'s.
pub struct NewScheme<'a> {
    pub code: &'a str,
    pub version: i32,
    pub owner: Option<&'a UnitCode>,
    pub definition_json: &'a str,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
    pub created_by: &'a str,
}

/// The stored versions of a code, with their owners.
pub fn stored_versions(conn: &mut DbConnection, code: &str) -> DbResult<Vec<(i32, Option<UnitCode>)>> {
    let rows: Vec<(i32, Option<String>)> = scoring_schemes::table
        .filter(scoring_schemes::code.eq(code))
        .order(scoring_schemes::version)
        .select((scoring_schemes::version, scoring_schemes::owner_code))
        .load(conn)?;
    rows.into_iter().map(|(v, owner)| Ok((v, owner.as_deref().map(codec::unit_code).transpose()?))).collect()
}

/// Stores a version. Two uploads racing for the same number meet the unique key: the loser
/// gets `DbError::Duplicate`.
pub fn insert(conn: &mut DbConnection, new: &NewScheme<'_>, now: DateTime<Utc>) -> DbResult<StoredScheme> {
    let id: i64 = diesel::insert_into(scoring_schemes::table)
        .values((
            scoring_schemes::code.eq(new.code),
            scoring_schemes::version.eq(new.version),
            scoring_schemes::owner_code.eq(new.owner.map(UnitCode::as_str)),
            scoring_schemes::definition_json.eq(new.definition_json),
            scoring_schemes::valid_from.eq(new.valid_from.map(|m| m.to_string())),
            scoring_schemes::valid_to.eq(new.valid_to.map(|m| m.to_string())),
            scoring_schemes::created_at.eq(to_db_time(now)),
            scoring_schemes::created_by.eq(new.created_by),
        ))
        .returning(scoring_schemes::id)
        .get_result(conn)?;
    get_by_id(conn, id)
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
