//! Review and lifecycle actions on a stored report: submit (the commune), approve, return and
//! reopen (the reviewing unit). Each is a new revision, audited, and honours `If-Match`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use cchc_domain::workflow::{Action, may_review, transition};
use cchc_domain::{Month, UnitCode};
use cchc_persistence::reports::{self, NewState, Review, StoredReport};
use cchc_persistence::units;

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, bad_request, conflict, forbidden, not_found};
use crate::filing;
use crate::params;
use crate::routes::reports::{IfMatch, ReportView, check_if_match, commune_in, if_match, respond};
use crate::scope::describe;
use crate::scoring;
use crate::state::AppState;

/// The body of an action: a reason, required to return or reopen a report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(example = "Số liệu hồ sơ chưa khớp với Cổng dịch vụ công")]
    pub reason: Option<String>,
}

fn parse_body(bytes: &[u8]) -> ApiResult<ActionBody> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(ActionBody::default());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| bad_request(format!("the body must be {{\"reason\": \"…\"}} or empty: {e}")))
}

async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    action: Action,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let code = params::commune_code(&code)?;
    let month = params::period(&period)?.as_month().map_err(|e| bad_request(e.to_string()))?;
    let reason = parse_body(&body)?.reason;
    let condition = if_match(&req)?;
    let (report, name) = apply(&state, caller, code, month, action, reason, condition).await?;
    Ok(respond(HttpResponse::Ok(), &state, &report, name))
}

/// Applies a review or lifecycle action to a commune's report of `month`, under an `If-Match`
/// condition: the rules (who may act, from which status, a reason where one is
/// needed), a new revision, the change feed and the audit log. Shared by the API and the
/// dashboard's approve and return forms. Returns the new report and the commune's name.
pub async fn apply(
    state: &web::Data<AppState>,
    caller: Caller,
    code: UnitCode,
    month: Month,
    action: Action,
    reason: Option<String>,
    condition: Option<IfMatch>,
) -> ApiResult<(StoredReport, String)> {
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(bad_request("the reason is limited to 2000 characters"));
    }
    if action == Action::Submit && !caller.can_submit(&code) {
        return Err(forbidden(format!("{} may not submit the report of commune {code}", describe(&caller))));
    }
    let st = state.clone();
    state
        .db(move |conn| {
            let topology = units::topology_around(conn, &code)?;
            let name = commune_in(&topology, &code, month)?;
            let then = topology.at(month);
            if action.is_review() && !may_review(&caller, &code, &then, &topology.at(params::current_month())) {
                return Err(forbidden(format!(
                    "{} does not review commune {code}: its reviewing unit (or its province) does",
                    describe(&caller)
                )));
            }
            let province = scoring::province_of(&then, &code);
            let target = filing::report_target(&code, month);
            let outcome = reports::write(conn, &code, month, Utc::now(), |c, current| -> Result<NewState, AppError> {
                let current = current.ok_or_else(|| not_found(format!("commune {code} has no report for {month}")))?;
                check_if_match(&condition, Some(current))?;
                let from = filing::status_now(&st, current);
                let status = transition(from, action, reason.as_deref()).map_err(|e| conflict(e.to_string()))?;
                let scores = filing::scores_for(c, &st, month, province.as_ref(), &current.form.values)?;
                let events = filing::events(
                    c,
                    &filing::NewRevision {
                        current: Some(current),
                        status,
                        action: action.as_str(),
                        scores: &scores,
                        subject: &target,
                        province: province.as_ref(),
                        values: &current.form.values,
                    },
                )?;
                Ok(NewState {
                    events,
                    status,
                    form: current.form.clone(),
                    findings: current.findings.clone(),
                    action: action.as_str().to_owned(),
                    actor: caller.subject.clone(),
                    actor_role: caller.role.to_string(),
                    scores,
                    review: action.is_review().then(|| Review {
                        reason: reason.clone(),
                        replaces_note: matches!(action, Action::Return | Action::Reopen),
                    }),
                    request_id: caller.request_id.clone(),
                    audit: Some(filing::audit_entry(
                        &caller,
                        &format!("report.{}", action.as_str()),
                        "report",
                        target.clone(),
                        province.clone(),
                        serde_json::json!({"from": from, "to": status, "reason": reason}),
                    )),
                })
            })?;
            Ok((outcome.into_report(), name))
        })
        .await
}

macro_rules! action_route {
    ($name:ident, $action:expr, $path:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "review", security(("bearer" = [])),
            params(
                ("code" = String, Path, description = "Commune code", example = "07273"),
                ("period" = String, Path, description = "Month `YYYY-MM`", example = "2024-06"),
                ("If-Match" = Option<String>, Header, description = "The ETag the action is based on; 412 when stale"),
            ),
            request_body(content = Option<ActionBody>, description = "A reason: required to return or reopen"),
            responses(
                (status = 200, body = ReportView, headers(("ETag" = String))),
                (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 409, description = "Not allowed from the report's status, or a reason is missing", body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            req: HttpRequest,
            path: web::Path<(String, String)>,
            body: web::Bytes,
        ) -> ApiResult<HttpResponse> {
            act(state, caller, req, path, body, $action).await
        }
    };
}

action_route!(
    submit,
    Action::Submit,
    "/api/v1/communes/{code}/reports/{period}/submit",
    "Submits a draft or returned report (the commune)."
);
action_route!(
    approve,
    Action::Approve,
    "/api/v1/communes/{code}/reports/{period}/approve",
    "Approves a submitted report (the reviewing unit): no more edits until it is reopened."
);
action_route!(
    return_report,
    Action::Return,
    "/api/v1/communes/{code}/reports/{period}/return",
    "Returns a submitted report to the commune for correction, with a reason (the reviewing unit)."
);
action_route!(
    reopen,
    Action::Reopen,
    "/api/v1/communes/{code}/reports/{period}/reopen",
    "Reopens an approved or locked report for edits, with a reason (the reviewing unit)."
);
