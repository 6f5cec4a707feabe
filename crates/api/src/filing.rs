//! What every write of a report shares: the checks against the commune's own history, the
//! status in force (approved reports lock when the period closes), scores and the audit entry.

use chrono::Utc;

use cchc_domain::derived::round2;
use cchc_domain::history::{check_carry_over, check_outliers};
use cchc_domain::portal;
use cchc_domain::report::ReportStatus;
use cchc_domain::workflow::effective_status;
use cchc_domain::{Finding, Month, UnitCode, Values};
use cchc_persistence::audit::NewEntry;
use cchc_persistence::feed::NewEvent;
use cchc_persistence::reports::{self, StoredReport};
use cchc_persistence::scores::{self, NewScore};
use cchc_persistence::{DbConnection, dossiers};

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

/// Where the commune's own dossier figures differ from those derived from the portal's records
/// for the same month: one warning per indicator. Nothing when the portal sent no records.
pub fn portal_findings(
    conn: &mut DbConnection,
    state: &AppState,
    code: &UnitCode,
    month: Month,
    values: &Values,
) -> ApiResult<Vec<Finding>> {
    let (start, end) = state.calendar.window(month);
    let records = dossiers::for_window(conn, &[code], start, end)?;
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let portal = portal::figures(&records, month, &state.calendar);
    Ok(reconcile(values, &portal)
        .into_iter()
        .filter_map(|(indicator, reported, derived)| {
            let (r, p) = (reported?, derived?);
            (r != p).then(|| {
                Finding::warning(
                    "portal_mismatch",
                    &[indicator],
                    format!("`{indicator}` = {r}, nhưng Cổng dịch vụ công ghi nhận {p}"),
                    format!("`{indicator}` = {r}, but the portal's dossier records give {p}"),
                )
            })
        })
        .collect())
}

/// The indicators the portal's records can check, with the reported and derived figures.
pub fn reconcile(reported: &Values, portal: &Values) -> Vec<(&'static str, Option<i64>, Option<i64>)> {
    let count = |v: &Values, c: &str| v.get(c).map(|x| x.as_f64() as i64);
    cchc_domain::dossiers::PARTS
        .iter()
        .chain([portal::DIGITIZED, portal::PAID_ONLINE].iter())
        .filter(|c| portal.contains_key(**c) || cchc_domain::dossiers::PARTS.contains(c))
        .map(|c| (*c, count(reported, c), count(portal, c)))
        .collect()
}

/// A new revision, as the change feed sees it.
pub struct NewRevision<'a> {
    /// The revision it replaces.
    pub current: Option<&'a StoredReport>,
    pub status: ReportStatus,
    /// `submit`, `save_draft`, `approve`, `return`, `reopen`.
    pub action: &'a str,
    pub scores: &'a [NewScore],
    /// `07273/2024-06`.
    pub subject: &'a str,
    pub province: Option<&'a UnitCode>,
    pub values: &'a Values,
}

/// Change-feed items for a new revision: approvals and reopenings, and score changes of counted
/// reports.
pub fn events(conn: &mut DbConnection, r: &NewRevision<'_>) -> ApiResult<Vec<NewEvent>> {
    let mut out = Vec::new();
    let (unit, period) = r.subject.split_once('/').unwrap_or((r.subject, ""));
    let event = |kind: &str, payload: serde_json::Value| NewEvent {
        kind: kind.to_owned(),
        subject: r.subject.to_owned(),
        province: r.province.cloned(),
        payload,
    };
    match r.action {
        "approve" => out.push(event(
            "report.approved",
            serde_json::json!({"unit_code": unit, "period": period, "status": r.status, "values": r.values}),
        )),
        "reopen" => out.push(event(
            "report.reopened",
            serde_json::json!({"unit_code": unit, "period": period, "status": r.status}),
        )),
        _ => {}
    }
    if r.status.counts() {
        let before = match r.current {
            Some(c) if c.status.counts() => scores::totals(conn, c.id, c.revision)?,
            _ => Default::default(),
        };
        for s in r.scores {
            let now = round2(s.card.total);
            let was = before.get(&s.scheme_id).map(|t| round2(*t));
            if was != Some(now) {
                out.push(event(
                    "score.changed",
                    serde_json::json!({"unit_code": unit, "period": period, "scheme_id": s.scheme_id,
                        "score": now, "previous_score": was, "band": s.card.band}),
                ));
            }
        }
    }
    Ok(out)
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
