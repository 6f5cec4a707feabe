//! When a report changes, the report of the next month that carries its history — the commune's
//! own, or its successor's in the month after a merger — is checked anew: its stored findings
//! (the form's, the carry-over against this month's pending, outliers, the portal's records)
//! become what a dry run would say now. No new revision: the findings are the report's current
//! view. The feed tells of it (`findings.recomputed`) when they change, unless it is a draft.

use chrono::Utc;

use cchc_domain::feed::{self, Recomputed, report_subject};
use cchc_domain::hierarchy::successor_at;
use cchc_domain::validation::validate;
use cchc_domain::{Calendar, Month, UnitCode};
use cchc_persistence::reports::{self, NewFindings};
use cchc_persistence::{DbConnection, units};

use super::file_report::own_records_findings;
use crate::error::{ApiResult, AppError};
use crate::state::AppState;

/// Rechecks the report of `month`'s next month after `code`'s report of `month` changed.
pub fn run(conn: &mut DbConnection, st: &AppState, cal: &Calendar, code: &UnitCode, month: Month) -> ApiResult<()> {
    let next = month.next();
    let around = units::topology_around(conn, code)?;
    let target = successor_at(&around.merges, code, next);
    let topology = if &target == code { around } else { units::topology_around(conn, &target)? };
    // Most writes are of the latest month: no report to recheck, no write lock to take.
    if !topology.at(next).contains(&target) || reports::get(conn, &target, next.into())?.is_none() {
        return Ok(());
    }
    let province = topology.at(next).province_of(&target);
    let cause = report_subject(code, month);
    reports::refresh_findings(conn, &target, next.into(), Utc::now(), |c, current| -> Result<_, AppError> {
        let values = &current.form.values;
        let mut findings = validate(&st.catalog, &current.form.to_raw()).findings;
        findings.extend(own_records_findings(c, st, cal, &topology, &target, next, values)?);
        let told = feed::findings_event(&Recomputed {
            commune: &target,
            month: next,
            province: province.as_ref(),
            status: current.status,
            revision: current.revision,
            cause: cause.clone(),
            before: &current.findings,
            after: &findings,
        });
        Ok(NewFindings { findings, events: told.into_iter().collect() })
    })?;
    Ok(())
}
