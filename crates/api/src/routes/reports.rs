//! A commune's monthly report: `PUT` replaces the whole form, `GET` reads it back.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::derived::{Derived, derive};
use cchc_domain::period::to_vietnam_time;
use cchc_domain::report::{Narrative, RawForm, ReportStatus};
use cchc_domain::validation::validate;
use cchc_domain::workflow::status_after_put;
use cchc_domain::{Finding, Month, Period, Principal, UnitCode, Values};
use cchc_persistence::DbConnection;
use cchc_persistence::reports::{self, NewState, StoredReport, WriteOutcome};
use cchc_persistence::units::{self, Topology};

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, conflict, forbidden, not_found, precondition_failed, validation_failed};
use crate::filing;
use crate::params;
use crate::scope::{describe, ensure_can_view};
use crate::scoring;
use crate::state::AppState;

/// The body of a report `PUT`: the whole form. Unknown top-level fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// Indicator code → number, boolean, or null for "not reported". Zero is a figure; null
    /// and absence are not. See `GET /api/v1/indicators`.
    #[schema(value_type = Object, example = json!({"dossiers_received_online": 168, "dossiers_received_direct": 0, "iso_9001_applied": true}))]
    pub values: BTreeMap<String, serde_json::Value>,
    /// Narrative sections: `direction`, `results`, `strengths`, `limitations`, `causes`, `next_month`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub narrative: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PutOptions {
    /// Store a draft: visible to the commune only, never counted in aggregates or rankings.
    #[serde(default)]
    pub draft: bool,
    /// Validate and compute everything, store nothing: no revision, no audit entry.
    #[serde(default)]
    pub dry_run: bool,
}

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
    #[schema(value_type = BTreeMap<String, cchc_domain::Value>)]
    pub values: Values,
    /// Narrative sections by key (direction, results, strengths, limitations, causes, next_month).
    #[schema(value_type = BTreeMap<String, String>)]
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
}

pub(crate) fn etag(r: &StoredReport) -> String {
    etag_of(r.unit_code.as_str(), &r.period.to_string(), r.revision)
}

/// The entity tag of a report revision: `"07273-2024-06-r3"`.
pub(crate) fn etag_of(unit_code: &str, period: &str, revision: i32) -> String {
    format!("\"{unit_code}-{period}-r{revision}\"")
}

pub(crate) fn view(state: &AppState, r: &StoredReport, unit_name: String) -> ReportView {
    let period = Period::Month(r.period);
    ReportView {
        unit_code: r.unit_code.to_string(),
        unit_name,
        period: r.period.to_string(),
        status: filing::status_now(state, r),
        revision: r.revision,
        derived: derive(&r.form.values),
        values: r.form.values.clone(),
        narrative: r.form.narrative.clone(),
        findings: r.findings.clone(),
        created_at: to_vietnam_time(r.created_at),
        updated_at: to_vietnam_time(r.updated_at),
        submitted_at: r.submitted_at.map(to_vietnam_time),
        updated_by: r.updated_by.clone(),
        due_date: state.calendar.due_date(&period),
        on_time: r.submitted_at.map(|t| state.calendar.is_on_time(&period, t)),
        review_note: r.review_note.clone(),
        reviewed_by: r.reviewed_by.clone(),
        reviewed_at: r.reviewed_at.map(to_vietnam_time),
        dry_run: false,
    }
}

pub(crate) fn respond(
    mut res: actix_web::HttpResponseBuilder,
    state: &AppState,
    r: &StoredReport,
    name: String,
) -> HttpResponse {
    res.insert_header((header::ETAG, etag(r)))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(view(state, r, name))
}

/// The commune's name in `month`, or 404 when the commune does not exist then.
pub(crate) fn commune_in(topology: &Topology, code: &UnitCode, month: Month) -> ApiResult<String> {
    let tree = topology.at(month);
    match tree.get(code) {
        Some(node) => Ok(node.name.clone()),
        None if topology.versions.iter().any(|v| &v.code == code) => {
            Err(not_found(format!("commune {code} does not exist in {month}")))
        }
        None => Err(not_found(format!("there is no commune {code}"))),
    }
}

/// What `If-Match` asks for: any current report (`*`) or one of these entity tags.
pub enum IfMatch {
    Any,
    Tags(Vec<String>),
}

pub(crate) fn if_match(req: &HttpRequest) -> ApiResult<Option<IfMatch>> {
    let values: Vec<&str> = req.headers().get_all(header::IF_MATCH).filter_map(|v| v.to_str().ok()).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let tags: Vec<String> =
        values.iter().flat_map(|v| v.split(',')).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    if tags.iter().any(|t| t == "*") {
        return Ok(Some(IfMatch::Any));
    }
    Ok(Some(IfMatch::Tags(tags)))
}

pub(crate) fn check_if_match(cond: &Option<IfMatch>, current: Option<&StoredReport>) -> ApiResult<()> {
    match (cond, current) {
        (None, _) => Ok(()),
        (Some(IfMatch::Any), Some(_)) => Ok(()),
        (Some(_), None) => Err(precondition_failed("If-Match was given, but there is no report yet")),
        // Strong comparison: a weak tag never matches.
        (Some(IfMatch::Tags(tags)), Some(cur)) => {
            let current = etag(cur);
            if tags.iter().any(|t| t == &current) {
                Ok(())
            } else {
                Err(precondition_failed(format!(
                    "If-Match {} does not match the current report {current} (revision {}): reload it and apply your change again",
                    tags.join(", "),
                    cur.revision
                )))
            }
        }
    }
}

/// Files a commune's monthly report, replacing the whole form. `201` the first time, `200`
/// after; an identical resubmission creates no new revision. A report with errors is refused
/// with `422` and every finding; nothing is stored. Warnings are stored with the report.
#[utoipa::path(put, path = "/api/v1/communes/{code}/reports/{period}", tag = "reports", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("period" = String, Path, description = "Month `YYYY-MM`, not after the current month", example = "2024-06"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the report this change is based on; 412 when stale"),
        PutOptions,
    ),
    request_body = ReportBody,
    responses(
        (status = 200, description = "Replaced (or unchanged), or a dry run", body = ReportView, headers(("ETag" = String))),
        (status = 201, description = "Created", body = ReportView, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft over a submitted report, or an edit of an approved or locked one", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The report has errors; `errors` lists every finding", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    options: web::Query<PutOptions>,
    body: web::Json<ReportBody>,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let code = params::commune_code(&code)?;
    let month = params::report_month(&period)?;
    if !caller.can_submit(&code) {
        return Err(forbidden(format!("{} may not file the report of commune {code}", describe(&caller))));
    }
    let condition = if_match(&req)?;
    let body = body.into_inner();
    let validated = validate(&state.catalog, &RawForm { values: body.values, narrative: body.narrative });
    if validated.has_errors() {
        return Err(validation_failed(validated.findings));
    }
    let (draft, dry_run) = (options.draft, options.dry_run);
    let action = if draft { "save_draft" } else { "submit" };
    let st = state.clone();
    let (outcome, name) = state
        .db(move |conn| {
            let topology = units::topology_around(conn, &code)?;
            let name = commune_in(&topology, &code, month)?;
            let province = scoring::province_of(&topology.at(month), &code);
            let mut findings = validated.findings.clone();
            findings.extend(filing::history_findings(conn, &st, &code, month, &validated.form.values)?);
            findings.extend(filing::portal_findings(conn, &st, &code, month, &validated.form.values)?);
            if findings.iter().any(|f| f.is_error()) {
                return Err(validation_failed(findings));
            }
            if dry_run {
                let current = reports::get(conn, &code, month)?;
                check_if_match(&condition, current.as_ref())?;
                let status = status_after_put(current.as_ref().map(|r| filing::status_now(&st, r)), draft)
                    .map_err(|e| conflict(e.to_string()))?;
                return Ok((
                    Err(preview(current, &code, month, status, validated.form.clone(), findings, &caller)),
                    name,
                ));
            }
            let target = filing::report_target(&code, month);
            let outcome = reports::write(conn, &code, month, Utc::now(), |c, current| -> Result<NewState, AppError> {
                check_if_match(&condition, current)?;
                let status = status_after_put(current.map(|r| filing::status_now(&st, r)), draft)
                    .map_err(|e| conflict(e.to_string()))?;
                // Scored in the same transaction: no ranking is ever stale.
                let scores = filing::scores_for(c, &st, month, province.as_ref(), &validated.form.values)?;
                let events = filing::events(
                    c,
                    &filing::NewRevision {
                        current,
                        status,
                        action,
                        scores: &scores,
                        subject: &target,
                        province: province.as_ref(),
                        values: &validated.form.values,
                    },
                )?;
                Ok(NewState {
                    events,
                    status,
                    form: validated.form.clone(),
                    findings: findings.clone(),
                    action: action.to_owned(),
                    actor: caller.subject.clone(),
                    actor_role: caller.role.to_string(),
                    scores,
                    review: None,
                    request_id: caller.request_id.clone(),
                    audit: Some(filing::audit_entry(
                        &caller,
                        &format!("report.{action}"),
                        "report",
                        target.clone(),
                        province.clone(),
                        serde_json::json!({"status": status}),
                    )),
                })
            })?;
            Ok((Ok(outcome), name))
        })
        .await?;
    Ok(match outcome {
        Err(preview) => {
            let mut v = view(&state, &preview, name);
            v.dry_run = true;
            HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(v)
        }
        Ok(WriteOutcome::Created(r)) => {
            let mut res = HttpResponse::Created();
            res.insert_header((header::LOCATION, format!("/api/v1/communes/{}/reports/{}", r.unit_code, r.period)));
            respond(res, &state, &r, name)
        }
        Ok(WriteOutcome::Updated(r) | WriteOutcome::Unchanged(r)) => respond(HttpResponse::Ok(), &state, &r, name),
    })
}

/// What a `PUT` would store, for a dry run: the current revision number stays (nothing changes).
fn preview(
    current: Option<StoredReport>,
    code: &UnitCode,
    month: Month,
    status: ReportStatus,
    form: cchc_domain::ReportForm,
    findings: Vec<Finding>,
    caller: &Caller,
) -> StoredReport {
    let now = Utc::now();
    StoredReport {
        id: current.as_ref().map(|c| c.id).unwrap_or(0),
        unit_code: code.clone(),
        period: month,
        status,
        revision: current.as_ref().map(|c| c.revision).unwrap_or(0),
        form,
        findings,
        created_at: current.as_ref().map(|c| c.created_at).unwrap_or(now),
        updated_at: now,
        submitted_at: current.as_ref().and_then(|c| c.submitted_at),
        updated_by: caller.subject.clone(),
        review_note: current.as_ref().and_then(|c| c.review_note.clone()),
        reviewed_by: current.as_ref().and_then(|c| c.reviewed_by.clone()),
        reviewed_at: current.as_ref().and_then(|c| c.reviewed_at),
    }
}

/// Reads a commune's monthly report. Drafts are visible to the commune itself and admins only.
#[utoipa::path(get, path = "/api/v1/communes/{code}/reports/{period}", tag = "reports", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Commune code (5 digits)", example = "07273"),
        ("period" = String, Path, description = "Month `YYYY-MM`", example = "2024-06"),
    ),
    responses(
        (status = 200, body = ReportView, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, period) = path.into_inner();
    let code = params::commune_code(&code)?;
    let month = params::period(&period)?.as_month().map_err(|e| crate::error::bad_request(e.to_string()))?;
    let (report, name) = state.db(move |conn| load(conn, &caller, &code, month)).await?;
    Ok(respond(HttpResponse::Ok(), &state, &report, name))
}

/// A commune's report of a month as `caller` may read it (scope checked; drafts only for the
/// commune itself and admins, 404 otherwise), with the commune's name in that month.
pub fn load(
    conn: &mut DbConnection,
    caller: &Principal,
    code: &UnitCode,
    month: Month,
) -> ApiResult<(StoredReport, String)> {
    let topology = units::topology_around(conn, code)?;
    ensure_can_view(caller, &topology, code, month)?;
    let name = commune_in(&topology, code, month)?;
    let report = reports::get(conn, code, month)?
        .filter(|r| r.status != ReportStatus::Draft || caller.is_admin() || caller.unit() == Some(code))
        .ok_or_else(|| not_found(format!("commune {code} has no report for {month}")))?;
    Ok((report, name))
}
