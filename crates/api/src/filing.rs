//! What every write of a report shares: the checks against the commune's own history, the
//! status in force (approved reports lock when the period closes), scores and the audit entry.

use chrono::Utc;

use cchc_domain::history::{check_carry_over, check_outliers};
use cchc_domain::report::ReportStatus;
use cchc_domain::workflow::effective_status;
use cchc_domain::{Finding, Month, UnitCode, Values};
use cchc_persistence::DbConnection;
use cchc_persistence::audit::NewEntry;
use cchc_persistence::reports::{self, StoredReport};
use cchc_persistence::scores::NewScore;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::scoring;
use crate::state::AppState;

/// How far back a commune's own history is read for outliers.
const HISTORY_MONTHS: i64 = 12;

/// `07273/2024-06`: how reports are named in the audit log.
pub fn report_target(code: &UnitCode, month: Month) -> String {
    format!("{code}/{month}")
}

pub fn audit_entry(
    caller: &Caller,
    action: &str,
    target_type: &str,
    target: String,
    province: Option<UnitCode>,
    details: serde_json::Value,
) -> NewEntry {
    NewEntry {
        actor: caller.subject.clone(),
        actor_role: caller.role.to_string(),
        actor_unit: caller.unit().map(UnitCode::to_string),
        action: action.to_owned(),
        target_type: target_type.to_owned(),
        target,
        province,
        details,
        request_id: caller.request_id.clone(),
    }
}

/// Carry-over against last month and outliers against the commune's past year (counted
/// reports only: a draft is not history).
pub fn history_findings(
    conn: &mut DbConnection,
    state: &AppState,
    code: &UnitCode,
    month: Month,
    values: &Values,
) -> ApiResult<Vec<Finding>> {
    let months: Vec<Month> = (1..=HISTORY_MONTHS).map(|i| month.plus(-i)).collect();
    let past = reports::figures(conn, &months, Some(&[code]))?;
    let counted: Vec<_> = past.iter().filter(|f| f.status.counts()).collect();
    let previous = counted.iter().find(|f| f.period == month.previous()).map(|f| &f.values);
    let mut findings: Vec<Finding> = check_carry_over(values, previous, state.rules.carry_over).into_iter().collect();
    let series: Vec<&Values> = counted.iter().map(|f| &f.values).collect();
    findings.extend(check_outliers(&state.catalog, values, &series));
    Ok(findings)
}

/// The status in force today: an approved report locks once its period closes.
pub fn status_now(state: &AppState, r: &StoredReport) -> ReportStatus {
    let today = cchc_domain::period::to_vietnam_time(Utc::now()).date_naive();
    effective_status(r.status, r.period, today, &state.calendar, state.rules.lock_after_days)
}

/// Scores for a new revision under every scheme version that applies.
pub fn scores_for(
    conn: &mut DbConnection,
    state: &AppState,
    month: Month,
    province: Option<&UnitCode>,
    values: &Values,
) -> ApiResult<Vec<NewScore>> {
    let schemes = scoring::applicable(conn, month, province)?;
    scoring::score_with(conn, &state.schemes, &state.catalog, &schemes, values)
}
