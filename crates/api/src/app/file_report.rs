//! A commune files its monthly report: the whole form replaces what was stored. The form is
//! validated, then checked against the commune's own history (carry-over, outliers) and the
//! portal's records; errors refuse it with every finding, warnings are stored with it. A dry run
//! answers what would be stored and stores nothing. A periodic report (a quarter, half-year,
//! nine months, year) is filed the same way; its figures are checked against the roll-up of the
//! commune's months instead (`differs_from_months`).

use actix_web::http::header::IfMatch;
use chrono::Utc;

use cchc_domain::hierarchy::{carried_into, records_of};
use cchc_domain::history::{check_carry_over, check_outliers};
use cchc_domain::periodic_report::differs_from_months;
use cchc_domain::reconciliation::{mismatch_findings, portal_figures};
use cchc_domain::validation::{missing_required, validate};
use cchc_domain::workflow::{Action, status_after_put};
use cchc_domain::{Calendar, Finding, Month, MonthFigures, Period, RawForm, UnitCode, Values};
use cchc_persistence::DbConnection;
use cchc_persistence::reports::{self, StoredReport, WriteOutcome};
use cchc_persistence::{portal_dossiers, units};

use super::read_report::{ReportView, check_if_match, commune_in, status_now, view};
use super::revision::{self, Author, Revision};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, validation_failed};
use crate::state::AppState;

/// How far back a commune's own history is read for outliers.
const HISTORY_MONTHS: i64 = 12;

pub struct FileReport {
    pub commune: UnitCode,
    /// A month, or the longer period of a periodic report.
    pub period: Period,
    pub form: RawForm,
    /// Store a draft: the commune's own, never counted.
    pub draft: bool,
    /// Validate and compute everything, store nothing.
    pub dry_run: bool,
    pub if_match: Option<IfMatch>,
    /// The form was shown for a report not stored yet: one stored meanwhile is not overwritten.
    pub expect_new: bool,
}

pub enum Filed {
    Created(ReportView),
    Updated(ReportView),
    /// A dry run: what would be stored.
    Preview(ReportView),
}

pub fn run(conn: &mut DbConnection, st: &AppState, caller: &Caller, cmd: FileReport) -> ApiResult<Filed> {
    caller.ensure_can_submit(&cmd.commune)?;
    // Messages name indicators as the report's month does (the terms of a reform).
    let catalog = st.catalog.in_period(cmd.period.last_month());
    let mut validated = validate(&catalog, &cmd.form);
    // Like the identities, the rule over the whole form speaks once every value is readable.
    if !cmd.draft && !validated.has_errors() {
        validated.findings.extend(missing_required(&catalog, &validated.form.values));
    }
    if validated.has_errors() {
        return Err(validation_failed(validated.findings));
    }
    let (code, period) = (&cmd.commune, cmd.period);
    let month = period.last_month();
    let topology = units::topology_around(conn, code)?;
    let name = commune_in(&topology, code, month)?;
    let province = topology.at(month).province_of(code);
    let values = &validated.form.values;
    let cal = st.calendar(conn, caller.epoch.as_ref())?;
    let mut findings = validated.findings.clone();
    findings.extend(match period {
        Period::Month(month) => own_records_findings(conn, st, &cal, &topology, code, month, values)?,
        _ => {
            let months = super::periodic_prefill::months_roll_up(conn, st, &topology, code, period)?;
            differs_from_months(&catalog, values, &months.values)
        }
    });
    if findings.iter().any(Finding::is_error) {
        return Err(validation_failed(findings));
    }
    let action = Action::of_put(cmd.draft);
    if cmd.dry_run {
        let current = reports::get(conn, code, period)?;
        check_if_match(cmd.if_match.as_ref(), current.as_ref())?;
        check_new(cmd.expect_new, current.as_ref())?;
        let status = status_after_put(current.as_ref().map(|r| status_now(st, &cal, r)), cmd.draft)?;
        let preview = preview(current, code, period, status, validated.form, findings, caller);
        return Ok(Filed::Preview(ReportView { dry_run: true, ..view(st, &cal, &preview, name) }));
    }
    let outcome = reports::write(conn, code, period, Utc::now(), |c, current| -> Result<_, AppError> {
        check_if_match(cmd.if_match.as_ref(), current)?;
        check_new(cmd.expect_new, current)?;
        let status = status_after_put(current.map(|r| status_now(st, &cal, r)), cmd.draft)?;
        let r = Revision {
            commune: code,
            period,
            province: province.as_ref(),
            action,
            status,
            form: validated.form.clone(),
            findings: findings.clone(),
            reason: None,
            details: serde_json::json!({"status": status}),
        };
        revision::build(c, st, current, &Author::Caller(caller), r)
    })?;
    // The next month's checks read this one: they are made again (also after an identical
    // resubmission, which repairs a recheck that failed after an earlier write).
    if let Period::Month(month) = period {
        super::recheck_next_month::run(conn, st, &cal, code, month)?;
    }
    Ok(match outcome {
        WriteOutcome::Created(r) => Filed::Created(view(st, &cal, &r, name)),
        WriteOutcome::Updated(r) | WriteOutcome::Unchanged(r) => Filed::Updated(view(st, &cal, &r, name)),
    })
}

/// Refuses to overwrite a report stored after the form that expected none was shown.
fn check_new(expect_new: bool, current: Option<&StoredReport>) -> ApiResult<()> {
    match current {
        Some(c) if expect_new => Err(crate::error::Problem::StaleRevision.error(format!(
            "the report was stored meanwhile (revision {}): reload it and apply your change again",
            c.revision
        ))),
        _ => Ok(()),
    }
}

/// The figures against the commune's own records: carry-over against last month and outliers
/// against its past year (counted reports only: a draft is not history), and where its dossier
/// figures differ from those the portal's records give for the month.
pub(crate) fn own_records_findings(
    conn: &mut DbConnection,
    st: &AppState,
    cal: &Calendar,
    topology: &cchc_domain::Topology,
    code: &UnitCode,
    month: Month,
    values: &Values,
) -> ApiResult<Vec<Finding>> {
    let months: Vec<Month> = (1..=HISTORY_MONTHS).map(|i| month.plus(-i)).collect();
    let past = reports::figures(conn, &months, Some(&[code]))?;
    let counted: Vec<_> = past.iter().filter(|f| f.status.counts()).collect();
    let before = carried_reports(conn, topology, code, month, &counted)?;
    let previous: Vec<&Values> = before.iter().map(|f| &f.values).collect();
    let mut findings: Vec<Finding> = check_carry_over(values, &previous, st.rules.carry_over).into_iter().collect();
    let series: Vec<&Values> = counted.iter().map(|f| &f.values).collect();
    let catalog = st.catalog.in_period(month);
    findings.extend(check_outliers(&catalog, values, &series));
    let (start, end) = cal.window(month);
    // The portal's records of every unit whose dossiers the commune now resolves.
    let units = records_of(&topology.merges, code, month);
    let refs: Vec<&UnitCode> = units.iter().collect();
    let records = portal_dossiers::for_window(conn, &refs, start, end)?;
    findings.extend(mismatch_findings(&catalog, values, portal_figures(&records, month, cal).as_ref()));
    Ok(findings)
}

/// Last month's counted reports of every unit whose history the commune carries into `month`:
/// its own, and those of the units merged into it from `month` — none unless each of them
/// reported. `known` is the commune's own counted history when the caller has read it already.
pub(crate) fn carried_reports(
    conn: &mut DbConnection,
    topology: &cchc_domain::Topology,
    code: &UnitCode,
    month: Month,
    known: &[&MonthFigures],
) -> ApiResult<Vec<MonthFigures>> {
    let last = month.previous();
    let carried = carried_into(&topology.merges, code, month, topology.at(last).contains(code));
    let before: Vec<MonthFigures> = if !known.is_empty() && carried.iter().all(|u| u == code) {
        known.iter().filter(|f| f.period == last).map(|f| (*f).clone()).collect()
    } else {
        let refs: Vec<&UnitCode> = carried.iter().collect();
        reports::figures(conn, &[last], Some(&refs))?.into_iter().filter(|f| f.status.counts()).collect()
    };
    let all_reported = carried.iter().all(|u| before.iter().any(|f| &f.unit_code == u));
    Ok(if all_reported { before } else { Vec::new() })
}

/// What a `PUT` would store, for a dry run: the current revision number stays (nothing changes).
fn preview(
    current: Option<StoredReport>,
    code: &UnitCode,
    period: Period,
    status: cchc_domain::ReportStatus,
    form: cchc_domain::ReportForm,
    findings: Vec<Finding>,
    caller: &Caller,
) -> StoredReport {
    let now = Utc::now();
    let keep = |f: fn(&StoredReport) -> Option<chrono::DateTime<Utc>>| current.as_ref().and_then(f);
    StoredReport {
        id: current.as_ref().map_or(0, |c| c.id),
        unit_code: code.clone(),
        period,
        status,
        revision: current.as_ref().map_or(0, |c| c.revision),
        form,
        findings,
        created_at: current.as_ref().map_or(now, |c| c.created_at),
        updated_at: now,
        submitted_at: keep(|c| c.submitted_at),
        updated_by: caller.subject.clone(),
        review_note: current.as_ref().and_then(|c| c.review_note.clone()),
        reviewed_by: current.as_ref().and_then(|c| c.reviewed_by.clone()),
        reviewed_at: keep(|c| c.reviewed_at),
    }
}
