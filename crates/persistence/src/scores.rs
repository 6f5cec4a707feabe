//! Report scores: one row per report revision and scheme version.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::report::ReportStatus;
use cchc_domain::scoring::ScoreCard;
use cchc_domain::{Month, UnitCode};

use crate::codec::{self, from_db_time, json, to_db_time};
use crate::connection::DbConnection;
use crate::error::DbResult;
use crate::schema::{report_scores, reports};

/// A score to store with a report revision.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScore {
    pub scheme_id: i64,
    pub card: ScoreCard,
}

#[derive(Insertable)]
#[diesel(table_name = report_scores)]
pub(crate) struct ScoreRow {
    pub report_id: i64,
    pub revision: i32,
    pub scheme_id: i64,
    pub unit_code: String,
    pub period: String,
    pub total: f64,
    pub band: Option<String>,
    pub card_json: String,
    pub computed_at: chrono::NaiveDateTime,
}

impl ScoreRow {
    pub(crate) fn new(
        report_id: i64,
        revision: i32,
        unit: &UnitCode,
        period: Month,
        score: &NewScore,
        now: DateTime<Utc>,
    ) -> DbResult<ScoreRow> {
        Ok(ScoreRow {
            report_id,
            revision,
            scheme_id: score.scheme_id,
            unit_code: unit.to_string(),
            period: period.to_string(),
            total: score.card.total,
            band: score.card.band.clone(),
            card_json: json(&score.card)?,
            computed_at: to_db_time(now),
        })
    }
}

/// Inserts rows in batches (one statement per batch), skipping rows already stored: a report
/// written while a scheme is being re-scored in bulk may have been scored by both.
pub(crate) fn insert_rows(conn: &mut DbConnection, rows: &[ScoreRow]) -> DbResult<()> {
    // Nine columns a row: 100 rows stay below any bind limit.
    for chunk in rows.chunks(100) {
        match conn {
            DbConnection::Postgresql(pg) => {
                diesel::insert_into(report_scores::table).values(chunk).on_conflict_do_nothing().execute(pg)?
            }
            DbConnection::Sqlite(lite) => {
                diesel::insert_or_ignore_into(report_scores::table).values(chunk).execute(lite)?
            }
        };
    }
    Ok(())
}

/// The current score of each report of a month under one scheme; `total` is `None` where no
/// score is stored for the report's current revision yet.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthScore {
    pub unit_code: UnitCode,
    pub report_id: i64,
    pub revision: i32,
    pub status: ReportStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    pub total: Option<f64>,
    pub band: Option<String>,
}

const CHUNK: usize = 900;

pub fn for_month(
    conn: &mut DbConnection,
    scheme_id: i64,
    month: Month,
    units: Option<&[&UnitCode]>,
) -> DbResult<Vec<MonthScore>> {
    type Row = (String, i64, i32, String, Option<chrono::NaiveDateTime>, Option<f64>, Option<String>);
    let period = month.to_string();
    let query = || {
        reports::table
            .left_join(
                report_scores::table.on(report_scores::report_id
                    .eq(reports::id)
                    .and(report_scores::revision.eq(reports::revision))
                    .and(report_scores::scheme_id.eq(scheme_id))),
            )
            .filter(reports::period.eq(period.clone()))
            .select((
                reports::unit_code,
                reports::id,
                reports::revision,
                reports::status,
                reports::submitted_at,
                report_scores::total.nullable(),
                report_scores::band.nullable(),
            ))
    };
    let mut rows: Vec<Row> = Vec::new();
    match units {
        None => rows = query().load(conn)?,
        Some(units) => {
            for chunk in units.chunks(CHUNK) {
                let codes: Vec<&str> = chunk.iter().map(|c| c.as_str()).collect();
                rows.extend(query().filter(reports::unit_code.eq_any(codes)).load::<Row>(conn)?);
            }
        }
    }
    rows.into_iter()
        .map(|(unit, report_id, revision, status, submitted_at, total, band)| {
            Ok(MonthScore {
                unit_code: codec::unit_code(&unit)?,
                report_id,
                revision,
                status: codec::parse_enum(&status)?,
                submitted_at: submitted_at.map(from_db_time),
                total,
                band,
            })
        })
        .collect()
}

/// Score cards of the given report revisions under one scheme.
pub fn cards(conn: &mut DbConnection, scheme_id: i64, revisions: &[(i64, i32)]) -> DbResult<HashMap<i64, ScoreCard>> {
    let mut out = HashMap::with_capacity(revisions.len());
    let wanted: HashMap<i64, i32> = revisions.iter().copied().collect();
    for chunk in revisions.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let rows: Vec<(i64, i32, String)> = report_scores::table
            .filter(report_scores::scheme_id.eq(scheme_id))
            .filter(report_scores::report_id.eq_any(ids))
            .select((report_scores::report_id, report_scores::revision, report_scores::card_json))
            .load(conn)?;
        for (id, revision, card) in rows {
            if wanted.get(&id) == Some(&revision) {
                out.insert(id, codec::from_json(&card)?);
            }
        }
    }
    Ok(out)
}

/// The stored totals of one report revision, by scheme.
pub fn totals(conn: &mut DbConnection, report_id: i64, revision: i32) -> DbResult<HashMap<i64, f64>> {
    let rows: Vec<(i64, f64)> = report_scores::table
        .filter(report_scores::report_id.eq(report_id))
        .filter(report_scores::revision.eq(revision))
        .select((report_scores::scheme_id, report_scores::total))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
