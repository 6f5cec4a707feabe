//! Dossier records from the portal: upserted by MaHoSo in batches, read back per commune and
//! month window.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::upsert::excluded;

use cchc_domain::UnitCode;
use cchc_domain::portal::{Channel, Dossier};

use crate::codec::{self, json, storable, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::DbResult;
use crate::schema::dossiers;

#[derive(Insertable, Queryable, Selectable, Clone)]
#[diesel(table_name = dossiers)]
struct Row {
    code: String,
    procedure_code: Option<String>,
    channel: i32,
    status: i32,
    unit_code: String,
    received_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    returned_at: Option<NaiveDateTime>,
    digitized: Option<bool>,
    paid_online: Option<bool>,
    supplements_json: String,
    latest_event_at: Option<NaiveDateTime>,
    content_hash: i64,
    updated_at: NaiveDateTime,
}

/// A stable fingerprint of what a record says, to tell an identical resend from a correction.
fn fingerprint(d: &Dossier) -> i64 {
    // FNV-1a over the fields as `Hash` writes them. Should a Rust release change how a field
    // type writes itself, one replay would count as an update; nothing else depends on it.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 ^= u64::from(*b);
                self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    d.hash(&mut h);
    h.finish() as i64
}

fn row(d: &Dossier, now: NaiveDateTime) -> DbResult<Row> {
    Ok(Row {
        code: d.code.clone(),
        procedure_code: d.procedure.clone(),
        channel: d.channel as i32,
        status: i32::from(d.status),
        unit_code: d.unit.to_string(),
        received_at: d.received_at,
        due_at: d.due_at,
        finished_at: d.finished_at,
        returned_at: d.returned_at,
        digitized: d.digitized,
        paid_online: d.paid_online,
        supplements_json: json(&d.supplements)?,
        latest_event_at: d.latest_event(),
        content_hash: fingerprint(d),
        updated_at: now,
    })
}

impl Row {
    fn into_domain(self) -> DbResult<Dossier> {
        Ok(Dossier {
            code: self.code,
            procedure: self.procedure_code,
            channel: match self.channel {
                1 => Channel::Direct,
                2 => Channel::Online,
                _ => Channel::Postal,
            },
            status: self.status as u8,
            unit: codec::unit_code(&self.unit_code)?,
            received_at: self.received_at,
            due_at: self.due_at,
            finished_at: self.finished_at,
            returned_at: self.returned_at,
            digitized: self.digitized,
            paid_online: self.paid_online,
            supplements: codec::from_json(&self.supplements_json)?,
        })
    }
}

/// What an upsert did with each record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    Updated,
    /// Older than the stored record, or identical to it.
    Ignored,
    /// The stored dossier belongs to a commune the sender may not touch.
    Refused(String),
}

/// What the records of one request would leave stored, for a dry run that spans several batches.
pub type DryRunState = HashMap<String, (Option<NaiveDateTime>, i64, String)>;

const CHUNK: usize = 900;

diesel::table! {
    /// Session-local (temporary) copy of `dossiers`' columns, emptied at every commit.
    dossiers_staging (code) {
        code -> Text,
        procedure_code -> Nullable<Text>,
        channel -> Integer,
        status -> Integer,
        unit_code -> Text,
        received_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        digitized -> Nullable<Bool>,
        paid_online -> Nullable<Bool>,
        supplements_json -> Text,
        latest_event_at -> Nullable<Timestamp>,
        content_hash -> BigInt,
        updated_at -> Timestamp,
    }
}

const STAGING: &str = "CREATE TEMP TABLE IF NOT EXISTS dossiers_staging (LIKE dossiers) ON COMMIT DELETE ROWS";
const MERGE_STAGING: &str = "INSERT INTO dossiers SELECT * FROM dossiers_staging ON CONFLICT (code) DO UPDATE SET \
    procedure_code = EXCLUDED.procedure_code, channel = EXCLUDED.channel, status = EXCLUDED.status, \
    unit_code = EXCLUDED.unit_code, received_at = EXCLUDED.received_at, due_at = EXCLUDED.due_at, \
    finished_at = EXCLUDED.finished_at, returned_at = EXCLUDED.returned_at, digitized = EXCLUDED.digitized, \
    paid_online = EXCLUDED.paid_online, supplements_json = EXCLUDED.supplements_json, \
    latest_event_at = EXCLUDED.latest_event_at, content_hash = EXCLUDED.content_hash, updated_at = EXCLUDED.updated_at";

#[derive(Insertable)]
#[diesel(table_name = dossiers_staging)]
#[diesel(treat_none_as_default_value = false)]
struct StagingRow<'a> {
    code: &'a str,
    procedure_code: Option<&'a str>,
    channel: i32,
    status: i32,
    unit_code: &'a str,
    received_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    returned_at: Option<NaiveDateTime>,
    digitized: Option<bool>,
    paid_online: Option<bool>,
    supplements_json: &'a str,
    latest_event_at: Option<NaiveDateTime>,
    content_hash: i64,
    updated_at: NaiveDateTime,
}

impl<'a> From<&'a Row> for StagingRow<'a> {
    fn from(r: &'a Row) -> Self {
        StagingRow {
            code: &r.code,
            procedure_code: r.procedure_code.as_deref(),
            channel: r.channel,
            status: r.status,
            unit_code: &r.unit_code,
            received_at: r.received_at,
            due_at: r.due_at,
            finished_at: r.finished_at,
            returned_at: r.returned_at,
            digitized: r.digitized,
            paid_online: r.paid_online,
            supplements_json: &r.supplements_json,
            latest_event_at: r.latest_event_at,
            content_hash: r.content_hash,
            updated_at: r.updated_at,
        }
    }
}

/// Upserts a batch in one transaction: a record replaces the stored one unless its latest event
/// is older; an identical resend changes nothing. Returns the outcome of each record, in order;
/// a dry run classifies without writing.
/// `may_take` says whether the sender may replace a dossier stored for a given commune (a
/// portal may not take over another province's dossier by sending its code). `dry_run`, when
/// given, stores nothing and carries what earlier batches of the same request would have stored.
pub fn upsert(
    conn: &mut DbConnection,
    batch: &[Dossier],
    now: DateTime<Utc>,
    may_take: &dyn Fn(&str) -> bool,
    dry_run: Option<&mut DryRunState>,
) -> DbResult<Vec<Outcome>> {
    let t = to_db_time(storable(now));
    write_transaction(conn, |c| {
        let codes: Vec<&str> = batch.iter().map(|d| d.code.as_str()).collect();
        let mut stored: HashMap<String, (Option<NaiveDateTime>, i64, String)> = HashMap::with_capacity(batch.len());
        // PostgreSQL binds the whole list as one array; SQLite needs one parameter per code.
        let per_query = if matches!(c, DbConnection::Postgresql(_)) { codes.len().max(1) } else { CHUNK };
        for chunk in codes.chunks(per_query) {
            let rows: Vec<(String, Option<NaiveDateTime>, i64, String)> = dossiers::table
                .filter(dossiers::code.eq_any(chunk))
                .select((dossiers::code, dossiers::latest_event_at, dossiers::content_hash, dossiers::unit_code))
                .load(c)?;
            stored.extend(rows.into_iter().map(|(code, at, h, unit)| (code, (at, h, unit))));
        }
        if let Some(overlay) = dry_run.as_deref() {
            for code in &codes {
                if let Some(v) = overlay.get(*code) {
                    stored.insert((*code).to_owned(), v.clone());
                }
            }
        }
        // Records are judged in order, each against the state the previous ones left.
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, d) in batch.iter().enumerate() {
            let latest = d.latest_event();
            let hash = fingerprint(d);
            let outcome = match stored.get(&d.code) {
                None => Outcome::Imported,
                Some((_, _, unit)) if unit != d.unit.as_str() && !may_take(unit) => {
                    Outcome::Refused(format!("dossier {} is held by commune {unit}, outside your province", d.code))
                }
                Some((at, h, _)) if *h == hash || latest < *at => Outcome::Ignored,
                Some(_) => Outcome::Updated,
            };
            if matches!(outcome, Outcome::Imported | Outcome::Updated) {
                stored.insert(d.code.clone(), (latest, hash, d.unit.to_string()));
                last.insert(&d.code, i);
            }
            outcomes.push(outcome);
        }
        if let Some(overlay) = dry_run {
            for &i in last.values() {
                let d = &batch[i];
                if let Some(v) = stored.get(&d.code) {
                    overlay.insert(d.code.clone(), v.clone());
                }
            }
            return Ok(outcomes);
        }
        let mut writes: Vec<usize> = last.into_values().collect();
        writes.sort_unstable();
        let rows: Vec<Row> = writes.iter().map(|&i| row(&batch[i], t)).collect::<DbResult<_>>()?;
        // PostgreSQL takes many rows per statement; SQLite's batch insert cannot carry an
        // upsert in Diesel, but row by row inside one transaction, with the statement cached,
        // it is just as quick.
        macro_rules! upsert {
            ($c:expr, $values:expr) => {
                diesel::insert_into(dossiers::table)
                    .values($values)
                    .on_conflict(dossiers::code)
                    .do_update()
                    .set((
                        dossiers::procedure_code.eq(excluded(dossiers::procedure_code)),
                        dossiers::channel.eq(excluded(dossiers::channel)),
                        dossiers::status.eq(excluded(dossiers::status)),
                        dossiers::unit_code.eq(excluded(dossiers::unit_code)),
                        dossiers::received_at.eq(excluded(dossiers::received_at)),
                        dossiers::due_at.eq(excluded(dossiers::due_at)),
                        dossiers::finished_at.eq(excluded(dossiers::finished_at)),
                        dossiers::returned_at.eq(excluded(dossiers::returned_at)),
                        dossiers::digitized.eq(excluded(dossiers::digitized)),
                        dossiers::paid_online.eq(excluded(dossiers::paid_online)),
                        dossiers::supplements_json.eq(excluded(dossiers::supplements_json)),
                        dossiers::latest_event_at.eq(excluded(dossiers::latest_event_at)),
                        dossiers::content_hash.eq(excluded(dossiers::content_hash)),
                        dossiers::updated_at.eq(excluded(dossiers::updated_at)),
                    ))
                    .execute($c)
            };
        }
        match c {
            DbConnection::Postgresql(pg) => {
                // COPY into a session-local staging table, then one INSERT … ON CONFLICT: far
                // fewer round trips and parameters than multi-row VALUES.
                pg.batch_execute(STAGING)?;
                let staged: Vec<StagingRow<'_>> = rows.iter().map(StagingRow::from).collect();
                diesel::copy_from(dossiers_staging::table).from_insertable(&staged).execute(pg)?;
                pg.batch_execute(MERGE_STAGING)?;
            }
            DbConnection::Sqlite(lite) => {
                for r in &rows {
                    upsert!(lite, r)?;
                }
            }
        }
        Ok(outcomes)
    })
}

/// The dossiers of these communes that matter for a window ending on `end`: received by then
/// and not ended before `start`.
pub fn for_window(
    conn: &mut DbConnection,
    units: &[&UnitCode],
    start: NaiveDate,
    end: NaiveDate,
) -> DbResult<Vec<Dossier>> {
    let end_of_day = end.succ_opt().unwrap_or(end).and_hms_opt(0, 0, 0).unwrap_or_default();
    let start_of_day = start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut out = Vec::new();
    for chunk in units.chunks(CHUNK) {
        let codes: Vec<&str> = chunk.iter().map(|u| u.as_str()).collect();
        let rows: Vec<Row> = dossiers::table
            .filter(dossiers::unit_code.eq_any(codes))
            .filter(dossiers::received_at.lt(end_of_day))
            .filter(
                dossiers::finished_at.is_null().or(dossiers::finished_at.ge(start_of_day)).or(dossiers::status.lt(7)),
            )
            .select(Row::as_select())
            .load(conn)?;
        for r in rows {
            out.push(r.into_domain()?);
        }
    }
    Ok(out)
}

pub fn count(conn: &mut DbConnection) -> DbResult<i64> {
    Ok(dossiers::table.count().get_result(conn)?)
}
