//! A commune's monthly report as a caller may read it: within their scope, a draft only for the
//! commune itself and admins, in the status in force today (an approved report locks when its
//! period closes), with what its figures imply and its entity tag.

use actix_web::http::header::{EntityTag, IfMatch};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::derived::{Derived, derive};
use cchc_domain::period::to_vietnam_time;
use cchc_domain::report::{Narrative, ReportStatus};
use cchc_domain::workflow::effective_status;
use cchc_domain::{Calendar, Finding, Month, MonthFigures, Period, Principal, Topology, UnitCode, Values};
use cchc_persistence::reports::{self, StoredReport};
use cchc_persistence::{DbConnection, units};

use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// A stored report with what its figures imply.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub unit_code: String,
    /// The commune's name in the report's month.
    pub unit_name: String,
    pub period: String,
    pub status: ReportStatus,
    /// Starts at 1 and grows with every change; an identical resubmission keeps it.
    pub revision: i32,
    /// The reported values (not-reported indicators are absent).
    #[schema(schema_with = crate::openapi::report_values)]
    pub values: Values,
    /// Narrative sections by key (direction, results, strengths, limitations, causes, next_month).
    #[schema(schema_with = crate::openapi::report_narrative)]
    pub narrative: Narrative,
    pub derived: Derived,
    /// Warnings stored with the report (a report with errors is never stored).
    pub findings: Vec<Finding>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// When the report was first submitted (Vietnam time); null for a draft never submitted.
    pub submitted_at: Option<DateTime<FixedOffset>>,
    /// The subject of the token that made the last change.
    pub updated_by: String,
    /// The last day a submission counts as on time.
    pub due_date: NaiveDate,
    /// Whether it was first submitted by the due date; null while never submitted.
    pub on_time: Option<bool>,
    /// The reason given with the last return or reopening.
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<FixedOffset>>,
    /// True for `?dry_run=true`: validated and computed, nothing stored.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// The entity tag of this revision (also the `ETag` header).
    #[serde(skip)]
    pub etag: String,
}

/// The entity tag of a report revision: `"07273-2024-06-r3"` (the quotes are the tag's).
pub fn etag(r: &StoredReport) -> EntityTag {
    EntityTag::new_strong(format!("{}-{}-r{}", r.unit_code, r.period, r.revision))
}

/// The status in force today: an approved report locks once its period closes.
pub fn status_now(st: &AppState, cal: &Calendar, r: &StoredReport) -> ReportStatus {
    let today = to_vietnam_time(Utc::now()).date_naive();
    effective_status(r.status, r.period, today, cal, st.rules.lock_after_days)
}

pub fn view(st: &AppState, cal: &Calendar, r: &StoredReport, unit_name: String) -> ReportView {
    let period = r.period;
    ReportView {
        unit_code: r.unit_code.to_string(),
        unit_name,
        period: r.period.to_string(),
        status: status_now(st, cal, r),
        revision: r.revision,
        derived: derive(&r.form.values),
        values: r.form.values.clone(),
        narrative: r.form.narrative.clone(),
        findings: r.findings.clone(),
        created_at: to_vietnam_time(r.created_at),
        updated_at: to_vietnam_time(r.updated_at),
        submitted_at: r.submitted_at.map(to_vietnam_time),
        updated_by: r.updated_by.clone(),
        due_date: cal.due_date(&period),
        on_time: r.submitted_at.map(|t| cal.is_on_time(&period, t)),
        review_note: r.review_note.clone(),
        reviewed_by: r.reviewed_by.clone(),
        reviewed_at: r.reviewed_at.map(to_vietnam_time),
        dry_run: false,
        etag: etag(r).to_string(),
    }
}

/// The commune's name in `month`, or why there is none.
pub fn commune_in(topology: &Topology, code: &UnitCode, month: Month) -> ApiResult<String> {
    match topology.at(month).get(code) {
        Some(node) => Ok(node.name.clone()),
        None if topology.knows(code) => {
            Err(Problem::UnitNotFound.error(format!("commune {code} does not exist in {month}")))
        }
        None => Err(Problem::UnitNotFound.error(format!("there is no commune {code}"))),
    }
}

/// Whether an `If-Match` condition holds for the current report (strong comparison: a weak tag
/// never matches). A header that is not a list of tags can match nothing.
pub fn check_if_match(condition: Option<&IfMatch>, current: Option<&StoredReport>) -> ApiResult<()> {
    let stale = |detail: String| Problem::StaleRevision.error(detail);
    match (condition, current) {
        (None, _) | (Some(IfMatch::Any), Some(_)) => Ok(()),
        (Some(_), None) => Err(stale("If-Match was given, but there is no report yet".into())),
        (Some(IfMatch::Items(tags)), Some(cur)) => {
            let current = etag(cur);
            if tags.iter().any(|t| t.strong_eq(&current)) {
                return Ok(());
            }
            Err(stale(format!(
                "If-Match does not name the current report {current} (revision {}): reload it and apply your change again",
                cur.revision
            )))
        }
    }
}

/// A commune's report of a month (or a periodic report) as `caller` may read it, with the
/// commune's name in that month (the period's last month).
pub fn load(
    conn: &mut DbConnection,
    caller: &Principal,
    code: &UnitCode,
    period: Period,
) -> ApiResult<(StoredReport, String)> {
    let topology = units::topology_around(conn, code)?;
    let month = period.last_month();
    caller.ensure_can_view(code, &topology, month, super::this_month())?;
    let name = commune_in(&topology, code, month)?;
    let report = reports::get(conn, code, period)?
        .filter(|r| caller.can_read_report(code, r.status))
        .ok_or_else(|| Problem::ReportNotFound.error(format!("commune {code} has no report for {period}")))?;
    Ok((report, name))
}

/// What a commune filed in these months (any status), for whoever may see the commune in the
/// last of them.
pub fn filed(
    conn: &mut DbConnection,
    caller: &Principal,
    code: &UnitCode,
    months: &[Month],
) -> ApiResult<Vec<MonthFigures>> {
    let topology = units::topology_around(conn, code)?;
    let last = months.iter().max().copied().unwrap_or_else(super::this_month);
    caller.ensure_can_view(code, &topology, last, super::this_month())?;
    Ok(reports::figures(conn, months, Some(&[code]))?)
}

/// `GET` of a report.
pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    code: &UnitCode,
    period: Period,
) -> ApiResult<ReportView> {
    let (report, name) = load(conn, caller, code, period)?;
    let cal = st.calendar(conn, None)?;
    Ok(view(st, &cal, &report, name))
}
