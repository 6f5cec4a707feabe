//! Dossier records pushed by the portal, stored by `MaHoSo`. A batch is judged record by record
//! against what is stored (`cchc_domain::portal::classify`) and written in one transaction:
//! replaced dossiers are deleted, and every new row goes in at once (`COPY` on PostgreSQL,
//! multi-row `INSERT`s on SQLite). Read back per commune and data window.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use cchc_domain::UnitCode;
use cchc_domain::portal::{Channel, Dossier, END_STATES, Outcome, StoredDossier, classify};

use crate::codec::{self, json, storable, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::{DbError, DbResult};
use crate::schema::{dossiers, settings};

/// The one description of a stored dossier's columns: inserted, and read back.
#[derive(Insertable, Queryable, Selectable, Clone)]
#[diesel(table_name = dossiers)]
#[diesel(treat_none_as_default_value = false)]
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

impl Row {
    fn new(d: &Dossier, now: NaiveDateTime) -> DbResult<Row> {
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
            content_hash: d.fingerprint(),
            updated_at: now,
        })
    }

    fn into_domain(self) -> DbResult<Dossier> {
        Ok(Dossier {
            code: self.code,
            procedure: self.procedure_code,
            channel: match self.channel {
                1 => Channel::Direct,
                2 => Channel::Online,
                _ => Channel::Postal,
            },
            status: u8::try_from(self.status).map_err(|_| DbError::Corrupt(format!("status {}", self.status)))?,
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

/// What the records of one request would leave stored, for a dry run that spans several batches.
pub type DryRunState = HashMap<String, StoredDossier>;

/// Codes per `IN` list on SQLite, far below its parameter limit.
const CHUNK: usize = 900;
/// Rows per multi-row `INSERT` on SQLite: 15 columns each.
const INSERT_ROWS: usize = 60;
/// A batch meets a concurrent one that stored the same new code: judging again sees it.
const MAX_ATTEMPTS: usize = 8;

/// What is stored for these codes.
fn stored(c: &mut DbConnection, codes: &[&str]) -> DbResult<HashMap<String, StoredDossier>> {
    let mut out = HashMap::with_capacity(codes.len());
    // PostgreSQL binds the whole list as one array; SQLite needs one parameter per code.
    let per_query = if matches!(c, DbConnection::Postgresql(_)) { codes.len().max(1) } else { CHUNK };
    for chunk in codes.chunks(per_query) {
        let rows: Vec<(String, Option<NaiveDateTime>, i64, String)> = dossiers::table
            .filter(dossiers::code.eq_any(chunk))
            .select((dossiers::code, dossiers::latest_event_at, dossiers::content_hash, dossiers::unit_code))
            .load(c)?;
        out.extend(rows.into_iter().map(|(code, latest_event_at, fingerprint, unit)| {
            (code, StoredDossier { latest_event_at, fingerprint, unit })
        }));
    }
    Ok(out)
}

/// A batch judged: each record's outcome, what the batch leaves stored, and for each code it
/// writes the index of the last record writing it and whether a stored dossier is replaced.
type Judged = (Vec<Outcome>, HashMap<String, StoredDossier>, HashMap<String, (usize, bool)>);

/// Judges the batch in order, each record against the state the previous ones left.
fn judge(batch: &[Dossier], mut state: HashMap<String, StoredDossier>, may_take: &dyn Fn(&str) -> bool) -> Judged {
    let mut outcomes = Vec::with_capacity(batch.len());
    // Code → (index of the last record writing it, whether a stored dossier is replaced).
    let mut writes: HashMap<String, (usize, bool)> = HashMap::new();
    for (i, d) in batch.iter().enumerate() {
        let outcome = classify(d, state.get(&d.code), may_take);
        if outcome.writes() {
            let replaces = state.contains_key(&d.code) && writes.get(&d.code).is_none_or(|(_, r)| *r);
            state.insert(d.code.clone(), StoredDossier::of(d));
            writes.insert(d.code.clone(), (i, replaces));
        }
        outcomes.push(outcome);
    }
    (outcomes, state, writes)
}

/// Stores a batch in one transaction and returns each record's outcome, in order. `may_take`
/// says whether the sender may replace a dossier stored for a given commune. `dry_run`, when
/// given, stores nothing and carries what earlier batches of the same request would have stored.
pub fn upsert(
    conn: &mut DbConnection,
    batch: &[Dossier],
    now: DateTime<Utc>,
    may_take: &dyn Fn(&str) -> bool,
    dry_run: Option<&mut DryRunState>,
) -> DbResult<Vec<Outcome>> {
    let codes: Vec<&str> = batch.iter().map(|d| d.code.as_str()).collect();
    if let Some(overlay) = dry_run {
        let mut state = stored(conn, &codes)?;
        state.extend(codes.iter().filter_map(|c| overlay.get(*c).map(|s| ((*c).to_owned(), s.clone()))));
        let (outcomes, after, writes) = judge(batch, state, may_take);
        overlay.extend(after.into_iter().filter(|(code, _)| writes.contains_key(code)));
        return Ok(outcomes);
    }
    let t = to_db_time(storable(now));
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = write_transaction(conn, |c| {
            let (outcomes, _, writes) = judge(batch, stored(c, &codes)?, may_take);
            let replaced: Vec<&str> = writes.iter().filter(|(_, (_, r))| *r).map(|(code, _)| code.as_str()).collect();
            let mut last: Vec<usize> = writes.values().map(|(i, _)| *i).collect();
            last.sort_unstable();
            let rows: Vec<Row> = last.iter().map(|&i| Row::new(&batch[i], t)).collect::<DbResult<_>>()?;
            write_rows(c, &replaced, &rows)?;
            Ok(outcomes)
        });
        match result {
            Err(DbError::Duplicate(e)) if attempt < MAX_ATTEMPTS => {
                log::debug!("a concurrent push stored a dossier of this batch first ({e}); judging again");
            }
            other => return other,
        }
    }
}

/// Deletes the dossiers being replaced and inserts the new rows.
fn write_rows(c: &mut DbConnection, replaced: &[&str], rows: &[Row]) -> DbResult<()> {
    let per_query = if matches!(c, DbConnection::Postgresql(_)) { replaced.len().max(1) } else { CHUNK };
    for chunk in replaced.chunks(per_query) {
        diesel::delete(dossiers::table.filter(dossiers::code.eq_any(chunk))).execute(c)?;
    }
    match c {
        // COPY: one round trip and no parameters, however many rows.
        DbConnection::Postgresql(pg) => {
            diesel::copy_from(dossiers::table).from_insertable(rows).execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            for chunk in rows.chunks(INSERT_ROWS) {
                diesel::insert_into(dossiers::table).values(chunk).execute(lite)?;
            }
        }
    }
    Ok(())
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
    let end_states = END_STATES.map(i32::from);
    let mut out = Vec::new();
    for chunk in units.chunks(CHUNK) {
        let codes: Vec<&str> = chunk.iter().map(|u| u.as_str()).collect();
        let rows: Vec<Row> = dossiers::table
            .filter(dossiers::unit_code.eq_any(codes))
            .filter(dossiers::received_at.lt(end_of_day))
            .filter(
                dossiers::finished_at
                    .is_null()
                    .or(dossiers::finished_at.ge(start_of_day))
                    .or(dossiers::status.ne_all(end_states)),
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

/// How stored fingerprints are computed; a database whose setting differs is brought up to it.
const FINGERPRINT: (&str, &str) = ("dossier_fingerprint", "sha256-json-1");
const REFRESH_PAGE: i64 = 5000;

/// Recomputes every stored fingerprint when they were made another way (before `Dossier`'s
/// SHA-256 fingerprint, they hashed Rust's `Hash` output, which no release promises to keep).
/// Runs under the migration lock; returns how many were rewritten.
pub fn refresh_fingerprints(conn: &mut DbConnection) -> DbResult<usize> {
    let (key, current) = FINGERPRINT;
    let stored: Option<String> = settings::table.find(key).select(settings::value).first(conn).optional()?;
    if stored.as_deref() == Some(current) {
        return Ok(0);
    }
    let mut rewritten = 0;
    let mut after = String::new();
    loop {
        let page: Vec<Row> = dossiers::table
            .filter(dossiers::code.gt(&after))
            .order(dossiers::code)
            .limit(REFRESH_PAGE)
            .select(Row::as_select())
            .load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.code.clone();
        // A page at a time, in one transaction each: a national table has millions of rows.
        rewritten += write_transaction(conn, |c| -> DbResult<usize> {
            let mut n = 0;
            for row in page {
                let (code, old) = (row.code.clone(), row.content_hash);
                let fingerprint = match row.into_domain() {
                    Ok(d) => d.fingerprint(),
                    // A row that no longer reads keeps its fingerprint: a resend replaces it.
                    Err(e) => {
                        log::warn!("dossier {code} cannot be read to recompute its fingerprint: {e}");
                        continue;
                    }
                };
                if fingerprint != old {
                    diesel::update(dossiers::table.find(&code))
                        .set(dossiers::content_hash.eq(fingerprint))
                        .execute(c)?;
                    n += 1;
                }
            }
            Ok(n)
        })?;
    }
    match stored {
        Some(_) => diesel::update(settings::table.find(key)).set(settings::value.eq(current)).execute(conn)?,
        None => diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(current)))
            .execute(conn)?,
    };
    Ok(rewritten)
}
