//! Sign-in rate limiting shared by every instance: failed attempts per key (a username, a client
//! address) in a fixed window, kept in the database.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::codec::{from_db_time, storable, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::{DbError, DbResult};
use crate::schema::login_attempts;

/// When a key that has reached `max` failures within `window` may try again; `None` when it may now.
pub fn blocked_until(
    conn: &mut DbConnection,
    key: &str,
    max: i32,
    window: Duration,
    now: DateTime<Utc>,
) -> DbResult<Option<DateTime<Utc>>> {
    let row: Option<(chrono::NaiveDateTime, i32)> = login_attempts::table
        .find(key)
        .select((login_attempts::window_start, login_attempts::failures))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(start, failures)| {
        let until = from_db_time(start) + window;
        (failures >= max && until > now).then_some(until)
    }))
}

/// Counts one failure for `key`, starting a new window when the last one is over.
pub fn record_failure(conn: &mut DbConnection, key: &str, window: Duration, now: DateTime<Utc>) -> DbResult<()> {
    let now = storable(now);
    for _ in 0..3 {
        let result = write_transaction(conn, |c| {
            let start: Option<chrono::NaiveDateTime> =
                login_attempts::table.find(key).select(login_attempts::window_start).first(c).optional()?;
            match start {
                Some(s) if from_db_time(s) + window > now => {
                    diesel::update(login_attempts::table.find(key))
                        .set(login_attempts::failures.eq(login_attempts::failures + 1))
                        .execute(c)?;
                }
                Some(_) => {
                    diesel::update(login_attempts::table.find(key))
                        .set((login_attempts::window_start.eq(to_db_time(now)), login_attempts::failures.eq(1)))
                        .execute(c)?;
                }
                None => {
                    diesel::insert_into(login_attempts::table)
                        .values((
                            login_attempts::key.eq(key),
                            login_attempts::window_start.eq(to_db_time(now)),
                            login_attempts::failures.eq(1),
                        ))
                        .execute(c)?;
                }
            }
            Ok::<_, DbError>(())
        });
        match result {
            // Another instance inserted the same key first: count on its row.
            Err(DbError::Duplicate(_)) => continue,
            other => return other,
        }
    }
    Err(DbError::Contention)
}

pub fn clear(conn: &mut DbConnection, key: &str) -> DbResult<()> {
    diesel::delete(login_attempts::table.find(key)).execute(conn)?;
    Ok(())
}
