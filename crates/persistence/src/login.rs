//! Sign-in rate limiting shared by every instance: attempts per key (a username, a client
//! address) in a fixed window, kept in the database.
//!
//! An attempt is counted before its password is checked, in one atomic step with the check of
//! the limit, so that simultaneous attempts cannot all slip under it; a successful sign-in then
//! takes its attempt back.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::codec::{from_db_time, storable, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::{DbError, DbResult};
use crate::schema::login_attempts;

/// Counts an attempt for `key`, unless `max` attempts were already made in the current window;
/// then returns when the key may try again.
pub fn begin_attempt(
    conn: &mut DbConnection,
    key: &str,
    max: i32,
    window: Duration,
    now: DateTime<Utc>,
) -> DbResult<Option<DateTime<Utc>>> {
    let now = storable(now);
    for _ in 0..5 {
        let result = write_transaction(conn, |c| -> DbResult<Option<Option<DateTime<Utc>>>> {
            let row: Option<(chrono::NaiveDateTime, i32)> = login_attempts::table
                .find(key)
                .select((login_attempts::window_start, login_attempts::failures))
                .first(c)
                .optional()?;
            match row {
                None => {
                    diesel::insert_into(login_attempts::table)
                        .values((
                            login_attempts::key.eq(key),
                            login_attempts::window_start.eq(to_db_time(now)),
                            login_attempts::failures.eq(1),
                        ))
                        .execute(c)?;
                    Ok(Some(None))
                }
                Some((start, _)) if from_db_time(start) + window <= now => {
                    // A new window; compare-and-set on the old one's start.
                    let n =
                        diesel::update(login_attempts::table.find(key).filter(login_attempts::window_start.eq(start)))
                            .set((login_attempts::window_start.eq(to_db_time(now)), login_attempts::failures.eq(1)))
                            .execute(c)?;
                    Ok(if n == 1 { Some(None) } else { None })
                }
                Some((start, _)) => {
                    // The condition is evaluated on the row as it stands once any concurrent
                    // update has committed, so no two attempts can take the last place.
                    let n = diesel::update(
                        login_attempts::table
                            .find(key)
                            .filter(login_attempts::window_start.eq(start))
                            .filter(login_attempts::failures.lt(max)),
                    )
                    .set(login_attempts::failures.eq(login_attempts::failures + 1))
                    .execute(c)?;
                    Ok(Some(if n == 1 { None } else { Some(from_db_time(start) + window) }))
                }
            }
        });
        match result {
            Ok(Some(outcome)) => return Ok(outcome),
            // The window moved under us, or another instance inserted the key first: look again.
            Ok(None) | Err(DbError::Duplicate(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(DbError::Contention)
}

/// A successful sign-in: the user's count starts again, and the address gets its attempt back.
pub fn succeeded(conn: &mut DbConnection, user_key: &str, address_key: Option<&str>) -> DbResult<()> {
    diesel::delete(login_attempts::table.find(user_key)).execute(conn)?;
    if let Some(address_key) = address_key {
        diesel::update(login_attempts::table.find(address_key).filter(login_attempts::failures.gt(0)))
            .set(login_attempts::failures.eq(login_attempts::failures - 1))
            .execute(conn)?;
    }
    Ok(())
}
