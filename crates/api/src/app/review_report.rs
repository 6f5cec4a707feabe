//! Review and lifecycle actions on a stored report: submit (the commune), approve, return and
//! reopen (the reviewing unit, or the commune's province). Each is a new revision, audited, and
//! honours `If-Match`.

use actix_web::http::header::IfMatch;
use chrono::Utc;

use cchc_domain::validation::missing_required;
use cchc_domain::workflow::{Action, ReviewReason, may_review, transition};
use cchc_domain::{Denied, Period, UnitCode};
use cchc_persistence::DbConnection;
use cchc_persistence::reports;
use cchc_persistence::units;

use super::read_report::{ReportView, check_if_match, commune_in, status_now, view};
use super::revision::{self, Author, Revision};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Problem, validation_failed};
use crate::state::AppState;

pub struct ReviewAction {
    pub commune: UnitCode,
    /// A month, or the longer period of a periodic report.
    pub period: Period,
    pub action: Action,
    /// Required to return or reopen; at most 2,000 characters.
    pub reason: Option<String>,
    pub if_match: Option<IfMatch>,
}

pub fn run(conn: &mut DbConnection, st: &AppState, caller: &Caller, cmd: ReviewAction) -> ApiResult<ReportView> {
    let reason = ReviewReason::parse(cmd.reason.as_deref())?.map(|r| r.as_str().to_owned());
    let (code, period, action) = (&cmd.commune, cmd.period, cmd.action);
    let month = period.last_month();
    if !action.is_review() {
        caller.ensure_can_submit(code)?;
    }
    let topology = units::topology_around(conn, code)?;
    let name = commune_in(&topology, code, month)?;
    let then = topology.at(month);
    if action.is_review() && !may_review(caller, code, &then, &topology.at(super::this_month())) {
        return Err(Denied::Scope {
            caller: caller.describe(),
            what: format!("review commune {code}: its reviewing unit (or its province) does"),
        }
        .into());
    }
    let province = then.province_of(code);
    let cal = st.calendar(conn, caller.epoch.as_ref())?;
    let outcome = reports::write(conn, code, period, Utc::now(), |c, current| -> Result<_, AppError> {
        let current = current
            .ok_or_else(|| Problem::ReportNotFound.error(format!("commune {code} has no report for {period}")))?;
        check_if_match(cmd.if_match.as_ref(), Some(current))?;
        let from = status_now(st, &cal, current);
        let status = transition(from, action, reason.as_deref())?;
        // A draft becomes a report only once it carries the required figures.
        if action == Action::Submit
            && let Some(missing) = missing_required(&st.catalog, &current.form.values)
        {
            return Err(validation_failed(vec![missing]));
        }
        let r = Revision {
            commune: code,
            period,
            province: province.as_ref(),
            action,
            status,
            form: current.form.clone(),
            findings: current.findings.clone(),
            reason: reason.clone(),
            details: serde_json::json!({"from": from, "to": status, "reason": reason}),
        };
        revision::build(c, st, Some(current), &Author::Caller(caller), r)
    })?;
    // Whether this month counts decides the next month's carry-over check.
    if let Period::Month(month) = period {
        super::recheck_next_month::run(conn, st, &cal, code, month)?;
    }
    Ok(view(st, &cal, &outcome.into_report(), name))
}
