//! The outbound change feed: approved and reopened reports, score changes, unit merges and
//! new scheme versions, in a stable order the portal reads incrementally.
//!
//! Sequence values commit out of order, so a cursor on a plain id could skip an item for good.
//! On PostgreSQL each item records its transaction id (`txid_current()`), and only items of
//! transactions older than every transaction still running are read, in (transaction, id)
//! order: an item that commits late was never passed over. SQLite runs one writer at a time,
//! so commit order is id order.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use cchc_domain::UnitCode;
use cchc_domain::feed::{FeedEvent, FeedKind};

use crate::codec::{from_db_time, json, storable, to_db_time};
use crate::connection::DbConnection;
use crate::error::DbResult;
use crate::schema::feed_events;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub seq: i64,
    pub kind: FeedKind,
    pub subject: String,
    pub province_code: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Appends an item in the caller's transaction.
pub fn append(conn: &mut DbConnection, e: &FeedEvent, now: DateTime<Utc>) -> DbResult<()> {
    let payload = json(&e.payload)?;
    let t = to_db_time(storable(now));
    // PostgreSQL: the writer's transaction id orders items by commit (see above); SQLite runs one
    // writer at a time, so ids are in commit order and seq 0 leaves the order to them.
    let seq = match conn {
        DbConnection::Postgresql(_) => "txid_current()",
        DbConnection::Sqlite(_) => "0",
    };
    diesel::insert_into(feed_events::table)
        .values((
            feed_events::seq.eq(diesel::dsl::sql::<BigInt>(seq)),
            feed_events::kind.eq(e.kind.as_str()),
            feed_events::subject.eq(&e.subject),
            feed_events::province_code.eq(e.province.as_ref().map(UnitCode::as_str)),
            feed_events::payload_json.eq(&payload),
            feed_events::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

/// Items after the position `(seq, id)`, at most `limit`, that no running transaction can still
/// precede; for a province, its own items and national ones.
pub fn read(
    conn: &mut DbConnection,
    after: (i64, i64),
    limit: i64,
    province: Option<&UnitCode>,
) -> DbResult<Vec<Event>> {
    type Row = (i64, i64, String, String, Option<String>, String, chrono::NaiveDateTime);
    let (seq, id) = after;
    let select = (
        feed_events::id,
        feed_events::seq,
        feed_events::kind,
        feed_events::subject,
        feed_events::province_code,
        feed_events::payload_json,
        feed_events::created_at,
    );
    // A boxed query is tied to one backend, so it is built in each arm.
    macro_rules! query {
        () => {{
            let mut q = feed_events::table
                .filter(feed_events::seq.gt(seq).or(feed_events::seq.eq(seq).and(feed_events::id.gt(id))))
                .into_boxed();
            if let Some(p) = province {
                q = q.filter(feed_events::province_code.eq(p.to_string()).or(feed_events::province_code.is_null()));
            }
            q.order((feed_events::seq, feed_events::id)).limit(limit).select(select)
        }};
    }
    let rows: Vec<Row> = match conn {
        DbConnection::Postgresql(pg) => query!()
            .filter(feed_events::seq.lt(diesel::dsl::sql::<BigInt>("txid_snapshot_xmin(txid_current_snapshot())")))
            .load(pg)?,
        DbConnection::Sqlite(lite) => query!().load(lite)?,
    };
    rows.into_iter()
        .map(|(id, seq, kind, subject, province_code, payload, at)| {
            Ok(Event {
                id,
                seq,
                kind: kind.parse().map_err(crate::error::DbError::Corrupt)?,
                subject,
                province_code,
                payload: crate::codec::from_json(&payload)?,
                created_at: from_db_time(at),
            })
        })
        .collect()
}
