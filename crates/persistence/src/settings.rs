//! Instance-wide settings kept in the database, so that every API instance agrees.

use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::{DbError, DbResult};
use crate::schema::settings;

pub fn get(conn: &mut DbConnection, key: &str) -> DbResult<Option<String>> {
    Ok(settings::table.find(key).select(settings::value).first(conn).optional()?)
}

/// Returns the stored value, or stores `make()` and returns it. Two instances starting at once
/// agree: the loser of the insert race reads the winner's value. The flag says whether this
/// call created it.
pub fn get_or_insert(conn: &mut DbConnection, key: &str, make: impl FnOnce() -> String) -> DbResult<(String, bool)> {
    if let Some(v) = get(conn, key)? {
        return Ok((v, false));
    }
    let value = make();
    match diesel::insert_into(settings::table).values((settings::key.eq(key), settings::value.eq(&value))).execute(conn)
    {
        Ok(_) => Ok((value, true)),
        Err(e) => match DbError::from(e) {
            DbError::Duplicate(_) => get(conn, key)?.map(|v| (v, false)).ok_or(DbError::NotFound),
            other => Err(other),
        },
    }
}

/// Stores `value` under `key`, or removes the key for `None` (in the caller's transaction).
pub fn set(conn: &mut DbConnection, key: &str, value: Option<&str>) -> DbResult<()> {
    diesel::delete(settings::table.find(key)).execute(conn)?;
    if let Some(v) = value {
        diesel::insert_into(settings::table).values((settings::key.eq(key), settings::value.eq(v))).execute(conn)?;
    }
    Ok(())
}
