//! Monthly reports and their revisions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::feed::FeedEvent;
use cchc_domain::report::ReportStatus;
use cchc_domain::workflow::Action;
use cchc_domain::{Finding, Month, MonthFigures, Period, ReportForm, UnitCode, Values};

use crate::audit::{self, NewEntry};
use crate::codec::{self, enum_str, from_db_time, json, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::{DbError, DbResult};
use crate::feed;
use crate::schema::{report_revisions, reports};
use crate::scores::{NewScore, ScoreRow, insert_rows};

/// A report's row as inserted, by a filing or by the bulk loader.
#[derive(Insertable)]
#[diesel(table_name = reports)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewReportRow {
    pub unit_code: String,
    pub period: String,
    pub status: String,
    pub revision: i32,
    pub values_json: String,
    pub narrative_json: String,
    pub findings_json: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub submitted_at: Option<chrono::NaiveDateTime>,
    pub updated_by: String,
}

/// A revision's row as inserted.
#[derive(Insertable)]
#[diesel(table_name = report_revisions)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewRevisionRow {
    pub report_id: i64,
    pub revision: i32,
    pub status: String,
    pub action: String,
    pub values_json: String,
    pub narrative_json: String,
    pub findings_json: String,
    pub actor: String,
    pub actor_role: String,
    pub created_at: chrono::NaiveDateTime,
    pub reason: Option<String>,
    pub request_id: Option<String>,
}

/// A report as stored now.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub id: i64,
    pub unit_code: UnitCode,
    /// A month, or a longer period for a periodic report (`2024Q2`, `2022M9`, `2024`).
    pub period: Period,
    pub status: ReportStatus,
    pub revision: i32,
    pub form: ReportForm,
    pub findings: Vec<Finding>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it was first submitted: what timeliness is judged by.
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_by: String,
    /// The reason given with the last return or reopening.
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = reports)]
struct ReportRow {
    id: i64,
    unit_code: String,
    period: String,
    status: String,
    revision: i32,
    values_json: String,
    narrative_json: String,
    findings_json: String,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    submitted_at: Option<chrono::NaiveDateTime>,
    updated_by: String,
    review_note: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<chrono::NaiveDateTime>,
}

impl ReportRow {
    fn into_domain(self) -> DbResult<StoredReport> {
        Ok(StoredReport {
            id: self.id,
            unit_code: codec::unit_code(&self.unit_code)?,
            period: codec::period(&self.period)?,
            status: codec::parse_enum(&self.status)?,
            revision: self.revision,
            form: ReportForm {
                values: codec::from_json(&self.values_json)?,
                narrative: codec::from_json(&self.narrative_json)?,
            },
            findings: codec::from_json(&self.findings_json)?,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
            submitted_at: self.submitted_at.map(from_db_time),
            updated_by: self.updated_by,
            review_note: self.review_note,
            reviewed_by: self.reviewed_by,
            reviewed_at: self.reviewed_at.map(from_db_time),
        })
    }
}

pub fn get(conn: &mut DbConnection, unit: &UnitCode, period: Period) -> DbResult<Option<StoredReport>> {
    reports::table
        .filter(reports::unit_code.eq(unit.as_str()))
        .filter(reports::period.eq(period.to_string()))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()?
        .map(ReportRow::into_domain)
        .transpose()
}

/// Reads the current report and locks it for this transaction (PostgreSQL: `FOR UPDATE`;
/// SQLite's `BEGIN IMMEDIATE` already holds the write lock).
fn get_for_update(conn: &mut DbConnection, unit: &UnitCode, period: Period) -> DbResult<Option<StoredReport>> {
    let period = period.to_string();
    // `as_select` is generic over the backend, so the query is built once per arm.
    let query =
        || reports::table.filter(reports::unit_code.eq(unit.as_str())).filter(reports::period.eq(period.clone()));
    let row = match conn {
        DbConnection::Postgresql(pg) => query().select(ReportRow::as_select()).for_update().first(pg).optional()?,
        DbConnection::Sqlite(lite) => query().select(ReportRow::as_select()).first(lite).optional()?,
    };
    row.map(ReportRow::into_domain).transpose()
}

/// What a write should make of the report.
#[derive(Debug, Clone)]
pub struct NewState {
    pub status: ReportStatus,
    pub form: ReportForm,
    pub findings: Vec<Finding>,
    /// What happened, for the revision log.
    pub action: Action,
    pub actor: String,
    pub actor_role: String,
    /// Scores of the new revision, one per scheme version that applies.
    pub scores: Vec<NewScore>,
    /// A review action (approve, return, reopen) records its reviewer; return and reopen a reason.
    pub review: Option<Review>,
    pub request_id: Option<String>,
    /// Recorded in the same transaction as the write.
    pub audit: Option<NewEntry>,
    /// Change-feed items, in the same transaction.
    pub events: Vec<FeedEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub reason: Option<String>,
    /// Return and reopen replace the report's review note with their reason; an approval keeps
    /// it (the last reason the commune was given).
    pub replaces_note: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Created(StoredReport),
    Updated(StoredReport),
    /// The new state equals the stored one: no new revision.
    Unchanged(StoredReport),
}

impl WriteOutcome {
    pub fn report(&self) -> &StoredReport {
        match self {
            WriteOutcome::Created(r) | WriteOutcome::Updated(r) | WriteOutcome::Unchanged(r) => r,
        }
    }

    pub fn into_report(self) -> StoredReport {
        match self {
            WriteOutcome::Created(r) | WriteOutcome::Updated(r) | WriteOutcome::Unchanged(r) => r,
        }
    }
}

/// How often a write is retried when a concurrent first insert or a serialization failure gets
/// in its way. Each retry finds the row the other writer committed, so a few suffice.
const MAX_ATTEMPTS: usize = 8;

/// Writes one report in one transaction. `decide` sees the current report (locked) and returns
/// the new state, or an error that aborts the write (a stale `If-Match`, a refused transition);
/// it may read through the connection (the schemes to score with), inside the same transaction.
/// A new state equal to the stored one creates no revision.
pub fn write<E, F>(
    conn: &mut DbConnection,
    unit: &UnitCode,
    period: Period,
    now: DateTime<Utc>,
    mut decide: F,
) -> Result<WriteOutcome, E>
where
    E: From<DbError>,
    F: FnMut(&mut DbConnection, Option<&StoredReport>) -> Result<NewState, E>,
{
    let now = codec::storable(now);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = write_transaction(conn, |c| -> Result<Result<WriteOutcome, E>, DbError> {
            let current = get_for_update(c, unit, period)?;
            let next = match decide(c, current.as_ref()) {
                Ok(next) => next,
                Err(e) => return Ok(Err(e)),
            };
            Ok(Ok(apply(c, unit, period, now, current, next)?))
        });
        match result {
            Ok(outcome) => return outcome,
            Err(e) if attempt < MAX_ATTEMPTS && retryable(&e) => {
                log::debug!("retrying a report write after: {e}");
                continue;
            }
            Err(e) => return Err(E::from(e)),
        }
    }
}

/// A unique violation on the first insert means another writer created the row first; a
/// serialization failure means PostgreSQL chose us as the loser. Both are retried.
fn retryable(e: &DbError) -> bool {
    matches!(e, DbError::Duplicate(_)) || e.is_retryable()
}

fn apply(
    c: &mut DbConnection,
    unit: &UnitCode,
    period: Period,
    now: DateTime<Utc>,
    current: Option<StoredReport>,
    next: NewState,
) -> DbResult<WriteOutcome> {
    let values_json = json(&next.form.values)?;
    let narrative_json = json(&next.form.narrative)?;
    let findings_json = json(&next.findings)?;
    let status = enum_str(&next.status);
    let t = to_db_time(now);
    let submitting = next.status == ReportStatus::Submitted;
    // A review keeps its reason on the report until the next review; other writes keep the last.
    let (review_note, reviewed_by, reviewed_at) = match (&next.review, &current) {
        (Some(r), cur) => (
            if r.replaces_note { r.reason.clone() } else { cur.as_ref().and_then(|c| c.review_note.clone()) },
            Some(next.actor.clone()),
            Some(now),
        ),
        (None, Some(cur)) => (cur.review_note.clone(), cur.reviewed_by.clone(), cur.reviewed_at),
        (None, None) => (None, None, None),
    };

    let (report_id, revision, created) = match &current {
        // Findings count too: a resubmission re-checks against today's history and portal data.
        Some(cur)
            if cur.status == next.status
                && cur.form == next.form
                && cur.findings == next.findings
                && next.review.is_none() =>
        {
            return Ok(WriteOutcome::Unchanged(cur.clone()));
        }
        Some(cur) => {
            let revision = cur.revision + 1;
            let submitted_at = cur.submitted_at.map(to_db_time).or(submitting.then_some(t));
            // Compare-and-set on the revision: the row lock makes it succeed, but it keeps a
            // lost update impossible even if locking were ever weakened.
            let n = diesel::update(
                reports::table.filter(reports::id.eq(cur.id)).filter(reports::revision.eq(cur.revision)),
            )
            .set((
                reports::status.eq(&status),
                reports::revision.eq(revision),
                reports::values_json.eq(&values_json),
                reports::narrative_json.eq(&narrative_json),
                reports::findings_json.eq(&findings_json),
                reports::updated_at.eq(t),
                reports::submitted_at.eq(submitted_at),
                reports::updated_by.eq(&next.actor),
                reports::review_note.eq(review_note.as_deref()),
                reports::reviewed_by.eq(reviewed_by.as_deref()),
                reports::reviewed_at.eq(reviewed_at.map(to_db_time)),
            ))
            .execute(c)?;
            if n != 1 {
                return Err(DbError::Contention);
            }
            (cur.id, revision, false)
        }
        None => {
            let row = NewReportRow {
                unit_code: unit.to_string(),
                period: period.to_string(),
                status: status.clone(),
                revision: 1,
                values_json: values_json.clone(),
                narrative_json: narrative_json.clone(),
                findings_json: findings_json.clone(),
                created_at: t,
                updated_at: t,
                submitted_at: submitting.then_some(t),
                updated_by: next.actor.clone(),
            };
            let id: i64 = diesel::insert_into(reports::table).values(&row).returning(reports::id).get_result(c)?;
            (id, 1, true)
        }
    };
    diesel::insert_into(report_revisions::table)
        .values(&NewRevisionRow {
            report_id,
            revision,
            status,
            action: next.action.as_str().to_owned(),
            values_json,
            narrative_json,
            findings_json,
            actor: next.actor.clone(),
            actor_role: next.actor_role.clone(),
            created_at: t,
            reason: next.review.as_ref().and_then(|r| r.reason.clone()),
            request_id: next.request_id.clone(),
        })
        .execute(c)?;
    // Only monthly reports are scored when stored; longer periods are scored from their figures.
    let rows: Vec<ScoreRow> = match period {
        Period::Month(month) => next
            .scores
            .iter()
            .map(|score| ScoreRow::new(report_id, revision, unit, month, score, now))
            .collect::<DbResult<_>>()?,
        _ => Vec::new(),
    };
    insert_rows(c, &rows)?;
    for event in &next.events {
        let mut event = event.clone();
        if let serde_json::Value::Object(p) = &mut event.payload {
            p.insert("revision".into(), revision.into());
        }
        feed::append(c, &event, now)?;
    }
    if let Some(entry) = &next.audit {
        let mut entry = entry.clone();
        if let serde_json::Value::Object(details) = &mut entry.details {
            details.insert("revision".into(), revision.into());
        }
        audit::record(c, &entry, now)?;
    }
    let stored = StoredReport {
        id: report_id,
        unit_code: unit.clone(),
        period,
        status: next.status,
        revision,
        form: next.form,
        findings: next.findings,
        created_at: current.as_ref().map(|c| c.created_at).unwrap_or(now),
        updated_at: now,
        submitted_at: current.as_ref().and_then(|c| c.submitted_at).or(submitting.then_some(now)),
        updated_by: next.actor,
        review_note,
        reviewed_by,
        reviewed_at,
    };
    Ok(if created { WriteOutcome::Created(stored) } else { WriteOutcome::Updated(stored) })
}

/// What a recomputation makes of a stored report's findings: the findings now, and the feed
/// items telling so.
pub struct NewFindings {
    pub findings: Vec<Finding>,
    pub events: Vec<FeedEvent>,
}

/// Replaces the findings of a stored report, locked for the transaction, with what `recompute`
/// says of it — no new revision: the findings are the report's current view. Nothing is
/// written when there is no report or the findings stay as they are. Retried like a write.
pub fn refresh_findings<E, F>(
    conn: &mut DbConnection,
    unit: &UnitCode,
    period: Period,
    now: DateTime<Utc>,
    mut recompute: F,
) -> Result<Option<StoredReport>, E>
where
    E: From<DbError>,
    F: FnMut(&mut DbConnection, &StoredReport) -> Result<NewFindings, E>,
{
    let now = codec::storable(now);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = write_transaction(conn, |c| -> Result<Result<Option<StoredReport>, E>, DbError> {
            let Some(current) = get_for_update(c, unit, period)? else { return Ok(Ok(None)) };
            let next = match recompute(c, &current) {
                Ok(next) => next,
                Err(e) => return Ok(Err(e)),
            };
            if next.findings == current.findings {
                return Ok(Ok(None));
            }
            let n = diesel::update(
                reports::table.filter(reports::id.eq(current.id)).filter(reports::revision.eq(current.revision)),
            )
            .set(reports::findings_json.eq(json(&next.findings)?))
            .execute(c)?;
            if n != 1 {
                return Err(DbError::Contention);
            }
            for event in &next.events {
                feed::append(c, event, now)?;
            }
            Ok(Ok(Some(StoredReport { findings: next.findings, ..current })))
        });
        match result {
            Ok(outcome) => return outcome,
            Err(e) if attempt < MAX_ATTEMPTS && (retryable(&e) || matches!(e, DbError::Contention)) => continue,
            Err(e) => return Err(E::from(e)),
        }
    }
}

/// One stored revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub revision: i32,
    pub status: ReportStatus,
    pub action: Action,
    pub values: Values,
    pub findings: Vec<Finding>,
    pub actor: String,
    pub actor_role: String,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Revisions of a report after `after` (oldest first), at most `limit`.
pub fn revisions(conn: &mut DbConnection, report_id: i64, after: i32, limit: i64) -> DbResult<Vec<Revision>> {
    type Row =
        (i32, String, String, String, String, String, String, Option<String>, Option<String>, chrono::NaiveDateTime);
    let rows: Vec<Row> = report_revisions::table
        .filter(report_revisions::report_id.eq(report_id))
        .filter(report_revisions::revision.gt(after))
        .order(report_revisions::revision)
        .limit(limit)
        .select((
            report_revisions::revision,
            report_revisions::status,
            report_revisions::action,
            report_revisions::values_json,
            report_revisions::findings_json,
            report_revisions::actor,
            report_revisions::actor_role,
            report_revisions::reason,
            report_revisions::request_id,
            report_revisions::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(revision, status, action, values, findings, actor, actor_role, reason, request_id, at)| {
            Ok(Revision {
                revision,
                status: codec::parse_enum(&status)?,
                action: codec::parse_enum(&action)?,
                values: codec::from_json(&values)?,
                findings: codec::from_json(&findings)?,
                actor,
                actor_role,
                reason,
                request_id,
                created_at: from_db_time(at),
            })
        })
        .collect()
}

/// Bind parameters per query stay well below SQLite's limit.
const CHUNK: usize = 900;

/// Reports of the given months, for the given units (all units when `None`), any status.
pub fn figures(conn: &mut DbConnection, months: &[Month], units: Option<&[&UnitCode]>) -> DbResult<Vec<MonthFigures>> {
    let periods: Vec<String> = months.iter().map(Month::to_string).collect();
    type Row = (String, String, String, i32, String, Option<chrono::NaiveDateTime>);
    let select = (
        reports::unit_code,
        reports::period,
        reports::status,
        reports::revision,
        reports::values_json,
        reports::submitted_at,
    );
    let mut rows: Vec<Row> = Vec::new();
    match units {
        None => {
            rows = reports::table.filter(reports::period.eq_any(&periods)).select(select).load(conn)?;
        }
        Some(units) => {
            for chunk in units.chunks(CHUNK) {
                let codes: Vec<&str> = chunk.iter().map(|c| c.as_str()).collect();
                rows.extend(
                    reports::table
                        .filter(reports::period.eq_any(&periods))
                        .filter(reports::unit_code.eq_any(codes))
                        .select(select)
                        .load::<Row>(conn)?,
                );
            }
        }
    }
    rows.into_iter()
        .map(|(unit, period, status, revision, values, submitted_at)| {
            Ok(MonthFigures {
                unit_code: codec::unit_code(&unit)?,
                period: codec::month(&period)?,
                status: codec::parse_enum(&status)?,
                revision,
                values: codec::from_json(&values)?,
                submitted_at: submitted_at.map(from_db_time),
            })
        })
        .collect()
}

/// The months after `last` in which `unit` has a report of any status, in order; a periodic
/// report ending after `last` names its last month.
pub fn periods_after(conn: &mut DbConnection, unit: &UnitCode, last: Month) -> DbResult<Vec<Month>> {
    // Periods compare as text only among months, so the few of one unit are read and compared here.
    let periods: Vec<String> =
        reports::table.filter(reports::unit_code.eq(unit.as_str())).select(reports::period).load(conn)?;
    let mut after: Vec<Month> = periods
        .iter()
        .map(|p| codec::period(p).map(|p| p.last_month()))
        .filter(|m| !matches!(m, Ok(m) if *m <= last))
        .collect::<DbResult<_>>()?;
    after.sort();
    after.dedup();
    Ok(after)
}

/// A report without its form: what a list of a commune's months shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub period: Month,
    pub status: ReportStatus,
    pub revision: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// The current revision's score under the scheme asked for; `None` when not scored by it.
    pub total: Option<f64>,
    pub band: Option<String>,
    /// The reason given with the last return or reopening.
    pub review_note: Option<String>,
}

/// `unit`'s reports of the months `from..=to` (any status), in month order, each with its
/// current revision's score under the scheme `scheme_id`: one query for the whole range.
pub fn summaries(
    conn: &mut DbConnection,
    unit: &UnitCode,
    from: Month,
    to: Month,
    scheme_id: i64,
) -> DbResult<Vec<ReportSummary>> {
    use crate::schema::report_scores;
    type Row = (
        String,
        String,
        i32,
        Option<chrono::NaiveDateTime>,
        chrono::NaiveDateTime,
        Option<f64>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = reports::table
        .left_join(
            report_scores::table.on(report_scores::report_id
                .eq(reports::id)
                .and(report_scores::revision.eq(reports::revision))
                .and(report_scores::scheme_id.eq(scheme_id))),
        )
        .filter(reports::unit_code.eq(unit.as_str()))
        .filter(reports::period.ge(from.to_string()))
        .filter(reports::period.le(to.to_string()))
        .filter(reports::period.like(MONTH_PATTERN))
        .select((
            reports::period,
            reports::status,
            reports::revision,
            reports::submitted_at,
            reports::updated_at,
            report_scores::total.nullable(),
            report_scores::band.nullable(),
            reports::review_note,
        ))
        .order(reports::period)
        .load(conn)?;
    rows.into_iter()
        .map(|(period, status, revision, submitted_at, updated_at, total, band, review_note)| {
            Ok(ReportSummary {
                period: codec::month(&period)?,
                status: codec::parse_enum(&status)?,
                revision,
                submitted_at: submitted_at.map(from_db_time),
                updated_at: from_db_time(updated_at),
                total,
                band,
                review_note,
            })
        })
        .collect()
}

/// A report's current revision and values, for re-scoring.
#[derive(Debug, Clone)]
pub struct CurrentValues {
    pub id: i64,
    pub revision: i32,
    pub unit_code: UnitCode,
    pub period: Month,
    pub values: Values,
}

/// Current reports with an id above `after`, in id order, at most `limit`; only months in
/// `[from, to]` when given. Used to re-score in chunks.
pub fn current_values_page(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
    from: Option<Month>,
    to: Option<Month>,
) -> DbResult<Vec<CurrentValues>> {
    let mut query = reports::table
        .filter(reports::id.gt(after))
        .order(reports::id)
        .limit(limit)
        .select((reports::id, reports::revision, reports::unit_code, reports::period, reports::values_json))
        .filter(reports::period.like(MONTH_PATTERN))
        .into_boxed();
    // 'YYYY-MM' sorts chronologically as text.
    if let Some(f) = from {
        query = query.filter(reports::period.ge(f.to_string()));
    }
    if let Some(t) = to {
        query = query.filter(reports::period.le(t.to_string()));
    }
    let rows: Vec<(i64, i32, String, String, String)> = query.load(conn)?;
    rows.into_iter()
        .map(|(id, revision, unit, period, values)| {
            Ok(CurrentValues {
                id,
                revision,
                unit_code: codec::unit_code(&unit)?,
                period: codec::month(&period)?,
                values: codec::from_json(&values)?,
            })
        })
        .collect()
}

/// Stores scores for existing report revisions (bulk re-scoring), skipping any already there.
pub fn store_scores(
    conn: &mut DbConnection,
    scored: &[(&CurrentValues, NewScore)],
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let rows: Vec<ScoreRow> = scored
        .iter()
        .map(|(r, s)| ScoreRow::new(r.id, r.revision, &r.unit_code, r.period, s, now))
        .collect::<DbResult<_>>()?;
    write_transaction(conn, |c| insert_rows(c, &rows))?;
    Ok(rows.len())
}

/// Monthly reports' periods (`YYYY-MM`): a range of months compared as text would otherwise
/// take in periodic reports (`2024Q2` sorts between `2024-12` and `2025-01`).
const MONTH_PATTERN: &str = "____-__";

/// The filed periodic reports of one period (any status; the caller decides what counts).
pub fn periodic_figures(
    conn: &mut DbConnection,
    period: Period,
    units: Option<&[&UnitCode]>,
) -> DbResult<Vec<PeriodicFigures>> {
    let mut query = reports::table
        .filter(reports::period.eq(period.to_string()))
        .select((reports::unit_code, reports::status, reports::values_json))
        .into_boxed();
    if let Some(units) = units {
        let codes: Vec<&str> = units.iter().map(|u| u.as_str()).collect();
        query = query.filter(reports::unit_code.eq_any(codes));
    }
    let rows: Vec<(String, String, String)> = query.load(conn)?;
    rows.into_iter()
        .map(|(unit, status, values)| {
            Ok(PeriodicFigures {
                unit_code: codec::unit_code(&unit)?,
                status: codec::parse_enum(&status)?,
                values: codec::from_json(&values)?,
            })
        })
        .collect()
}

/// A filed periodic report's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodicFigures {
    pub unit_code: UnitCode,
    pub status: ReportStatus,
    pub values: Values,
}
