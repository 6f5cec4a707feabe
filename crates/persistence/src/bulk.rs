//! Bulk loading for the synthetic data generator and benchmarks: many units and reports in
//! few statements. Request paths use the per-report `reports::write` instead.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::hierarchy::UnitVersion;
use cchc_domain::report::ReportStatus;
use cchc_domain::workflow::Action;
use cchc_domain::{Finding, Month, Role, UnitCode, Values};

use crate::codec::{enum_str, json, storable, to_db_time};
use crate::connection::{DbConnection, write_transaction};
use crate::error::DbResult;
use crate::reports::{NewReportRow, NewRevisionRow};
use crate::schema::{report_revisions, reports, unit_versions, units};
use crate::scores::{NewScore, ScoreRow, insert_rows};

/// Rows per statement: far below both backends' bind-parameter limits.
const ROWS: usize = 80;

#[derive(Insertable)]
#[diesel(table_name = units)]
struct UnitRow<'a> {
    code: &'a str,
    created_at: chrono::NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = unit_versions)]
struct VersionRow<'a> {
    code: &'a str,
    name: &'a str,
    level: String,
    parent_code: Option<&'a str>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    created_at: chrono::NaiveDateTime,
}

/// Inserts units, one version each, parents before children, in one transaction.
pub fn insert_units(conn: &mut DbConnection, versions: &[UnitVersion], now: DateTime<Utc>) -> DbResult<()> {
    let t = to_db_time(storable(now));
    write_transaction(conn, |c| {
        for chunk in versions.chunks(ROWS) {
            let units: Vec<UnitRow> = chunk.iter().map(|v| UnitRow { code: v.code.as_str(), created_at: t }).collect();
            crate::with_backend!(c, |c| diesel::insert_into(units::table).values(&units).execute(c))?;
            let rows: Vec<VersionRow> = chunk
                .iter()
                .map(|v| VersionRow {
                    code: v.code.as_str(),
                    name: &v.name,
                    level: enum_str(&v.level),
                    parent_code: v.parent.as_ref().map(UnitCode::as_str),
                    valid_from: v.valid_from.map(|m| m.to_string()),
                    valid_to: v.valid_to.map(|m| m.to_string()),
                    created_at: t,
                })
                .collect();
            crate::with_backend!(c, |c| diesel::insert_into(unit_versions::table).values(&rows).execute(c))?;
        }
        crate::units::bump_revision(c)
    })
}

/// A report to load, with its first (and only) revision.
pub struct BulkReport {
    pub unit: UnitCode,
    pub period: Month,
    pub status: ReportStatus,
    pub values: Values,
    pub findings: Vec<Finding>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub actor: String,
    pub scores: Vec<NewScore>,
}

/// Inserts new reports (none may exist yet for the same commune and month) with their first
/// revision and scores, in one transaction.
pub fn insert_reports(conn: &mut DbConnection, batch: &[BulkReport], now: DateTime<Utc>) -> DbResult<usize> {
    let t = to_db_time(storable(now));
    let rows: Vec<NewReportRow> = batch
        .iter()
        .map(|r| {
            Ok(NewReportRow {
                unit_code: r.unit.to_string(),
                period: r.period.to_string(),
                status: enum_str(&r.status),
                revision: 1,
                values_json: json(&r.values)?,
                narrative_json: "{}".into(),
                findings_json: json(&r.findings)?,
                created_at: r.submitted_at.map(|s| to_db_time(storable(s))).unwrap_or(t),
                updated_at: r.submitted_at.map(|s| to_db_time(storable(s))).unwrap_or(t),
                submitted_at: r.submitted_at.map(|s| to_db_time(storable(s))),
                updated_by: r.actor.clone(),
            })
        })
        .collect::<DbResult<_>>()?;
    write_transaction(conn, |c| {
        // RETURNING order is not guaranteed on SQLite: match ids back by commune and month.
        let mut ids: HashMap<(String, String), i64> = HashMap::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS) {
            let returned: Vec<(i64, String, String)> =
                crate::with_backend!(c, |c| diesel::insert_into(reports::table)
                    .values(chunk)
                    .returning((reports::id, reports::unit_code, reports::period))
                    .get_results(c))?;
            ids.extend(returned.into_iter().map(|(id, u, p)| ((u, p), id)));
        }
        let mut revisions = Vec::with_capacity(rows.len());
        let mut scores = Vec::new();
        for (r, row) in batch.iter().zip(&rows) {
            let id = ids[&(row.unit_code.clone(), row.period.clone())];
            revisions.push(NewRevisionRow {
                report_id: id,
                revision: 1,
                status: row.status.clone(),
                action: Action::of_put(r.status == ReportStatus::Draft).as_str().to_owned(),
                values_json: row.values_json.clone(),
                narrative_json: row.narrative_json.clone(),
                findings_json: row.findings_json.clone(),
                actor: r.actor.clone(),
                actor_role: Role::Commune.as_str().to_owned(),
                created_at: row.updated_at,
                reason: None,
                request_id: None,
            });
            for s in &r.scores {
                scores.push(ScoreRow::new(id, 1, &r.unit, r.period, s, now)?);
            }
        }
        for chunk in revisions.chunks(ROWS) {
            crate::with_backend!(c, |c| diesel::insert_into(report_revisions::table).values(chunk).execute(c))?;
        }
        insert_rows(c, &scores)?;
        Ok(rows.len())
    })
}
