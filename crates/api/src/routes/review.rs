//! Review and lifecycle actions on a stored report: submit (the commune), approve, return and
//! reopen (the reviewing unit). Each is a new revision, audited, and honours `If-Match`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use cchc_domain::workflow::Action;

use crate::app::read_report::ReportView;
use crate::app::review_report::{self, ReviewAction};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::params;
use crate::state::{AppState, RunOnDb};

/// The body of an action: a reason, required to return or reopen a report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(example = "Số liệu hồ sơ chưa khớp với Cổng dịch vụ công")]
    pub reason: Option<String>,
}

/// An empty body is no reason.
fn reason(bytes: &[u8]) -> ApiResult<Option<String>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let body: ActionBody = serde_json::from_slice(bytes)
        .map_err(|e| Problem::BadRequest.error(format!("the body must be {{\"reason\": \"…\"}} or empty: {e}")))?;
    Ok(body.reason)
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
    let cmd = ReviewAction {
        commune: params::commune_code(&code)?,
        period: params::period(&period)?,
        action,
        reason: reason(&body)?,
        if_match: super::if_match(&req),
    };
    let view = state.run(move |conn, st| review_report::run(conn, st, &caller, cmd)).await?;
    Ok(super::report(HttpResponse::Ok(), &view))
}

macro_rules! action_route {
    ($name:ident, $action:expr, $path:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "review", security(("bearer" = [])),
            params(
                ("code" = String, Path, description = "Commune code", example = "07273"),
                ("period" = String, Path, description = "Month `YYYY-MM`, or a periodic report's period (`2024Q2`, `2024S1`, `2022M9`, `2024`)", example = "2024-06"),
                ("If-Match" = Option<String>, Header, description = "The ETag the action is based on; 412 when stale"),
            ),
            request_body(content = Option<ActionBody>, description = "A reason: required to return or reopen"),
            responses((status = 200, description = "The report after the action", body = ReportView, headers(("ETag" = String, description = "The new revision's entity tag")))))]
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
    "Submits a draft or returned report (the commune). `409` from any other status."
);
action_route!(
    approve,
    Action::Approve,
    "/api/v1/communes/{code}/reports/{period}/approve",
    "Approves a submitted report (the reviewing unit): no more edits until it is reopened. `409` from any other status."
);
action_route!(
    return_report,
    Action::Return,
    "/api/v1/communes/{code}/reports/{period}/return",
    "Returns a submitted report to the commune for correction, with a reason (the reviewing unit). `409` without a reason or from another status."
);
action_route!(
    reopen,
    Action::Reopen,
    "/api/v1/communes/{code}/reports/{period}/reopen",
    "Reopens an approved or locked report for edits, with a reason (the reviewing unit). `409` without a reason or from another status."
);
