//! The review workflow over HTTP: every transition allowed and refused, by role; `If-Match` on
//! writes and actions; dry runs that store nothing; concurrent writers to one report; the
//! revision history and changelog with their paging; the checks against a commune's own past
//! (carry-over, outliers); and the audit log every write leaves.

use std::collections::BTreeSet;

use cchc_api::config::RulesArgs;
use cchc_domain::Role;
use cchc_tests::{
    Options, Reply, TestApp, backend_tests, dossier_report, finding, report_path, seed_body, seed_with, this_month,
};
use futures_util::future::join_all;
use reqwest::Method;
use reqwest::header::IF_MATCH;
use serde_json::{Value, json};

const SEED: &str = "/api/v1/communes/07273/reports/2024-06";
const SEED_ETAG: &str = "\"07273-2024-06-r1\"";

// ---------------------------------------------------------------------------------------------
// Helpers

fn action_path(code: &str, period: &str, action: &str) -> String {
    format!("/api/v1/communes/{code}/reports/{period}/{action}")
}

fn etag(code: &str, period: &str, revision: i64) -> String {
    format!("\"{code}-{period}-r{revision}\"")
}

fn commune(app: &TestApp, code: &str) -> String {
    app.token(Role::Commune, Some(code))
}

fn district(app: &TestApp, code: &str) -> String {
    app.token(Role::District, Some(code))
}

fn province(app: &TestApp, code: &str) -> String {
    app.token(Role::Province, Some(code))
}

/// Any request, with a JSON body and extra headers when given.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    Reply::from(req.send().await.expect("the server answers")).await
}

/// A report `PUT` to `path` (which may carry a query) with extra headers.
async fn put_with(app: &TestApp, path: &str, token: &str, body: &Value, headers: &[(&str, &str)]) -> Reply {
    send(app, Method::PUT, path, Some(token), Some(body), headers).await
}

/// A workflow action, with `{"reason": …}` when a reason is given and no body at all otherwise.
async fn act(app: &TestApp, token: &str, code: &str, period: &str, action: &str, reason: Option<&str>) -> Reply {
    act_with(app, token, code, period, action, reason, &[]).await
}

async fn act_with(
    app: &TestApp,
    token: &str,
    code: &str,
    period: &str,
    action: &str,
    reason: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply {
    let body = reason.map(|r| json!({"reason": r}));
    send(app, Method::POST, &action_path(code, period, action), Some(token), body.as_ref(), headers).await
}

/// An action with a raw body (no content type).
async fn act_raw(app: &TestApp, token: &str, code: &str, period: &str, action: &str, raw: &str) -> Reply {
    let req = app.client.post(app.url(&action_path(code, period, action))).bearer_auth(token).body(raw.to_owned());
    Reply::from(req.send().await.expect("the server answers")).await
}

/// Asserts an RFC 9457 problem with this status, naming `path` and the request's id.
fn problem<'a>(r: &'a Reply, status: u16, path: &str) -> &'a Value {
    let p = r.problem(status);
    assert_eq!(p["instance"], json!(path), "{}", r.text);
    let id = p["request_id"].as_str().unwrap_or_else(|| panic!("no request_id: {}", r.text));
    assert!(!id.is_empty(), "{}", r.text);
    assert_eq!(r.header("x-request-id"), Some(id), "the problem's request_id is the X-Request-Id header");
    p
}

/// Asserts a successful action answering the report view with this status and revision.
fn assert_acted(r: &Reply, code: &str, period: &str, status: &str, revision: i64) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("etag"), Some(etag(code, period, revision).as_str()));
    assert_eq!(r.body["unit_code"], code);
    assert_eq!(r.body["period"], period);
    assert_eq!(r.body["status"], status, "{}", r.text);
    assert_eq!(r.body["revision"], revision, "{}", r.text);
}

/// The stored report as an admin reads it (drafts included), with its ETag.
async fn stored(app: &TestApp, code: &str, period: &str) -> Reply {
    let r = app.get(&report_path(code, period), &app.admin()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

/// Every item of a paged list, following `next` with pages of `limit`.
async fn all_pages(app: &TestApp, path: &str, token: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let sep = if path.contains('?') { '&' } else { '?' };
    for _ in 0..10_000 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let r = app.get(&url, token).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let page = r.body["items"].as_array().unwrap_or_else(|| panic!("no items: {}", r.text)).clone();
        assert!(page.len() <= limit, "{url}: a page holds at most {limit}: {}", r.text);
        match r.body["next"].as_str() {
            Some(next) => {
                assert_eq!(page.len(), limit, "{url}: only the last page may be short");
                items.extend(page);
                cursor = Some(next.to_owned());
            }
            None => {
                assert_eq!(r.body["next"], Value::Null, "{}", r.text);
                items.extend(page);
                return items;
            }
        }
    }
    panic!("paging through {path} never ended");
}

/// Every revision of a report, oldest first, as an admin reads them.
async fn revisions(app: &TestApp, code: &str, period: &str) -> Vec<Value> {
    let r = app.get(&format!("{}/revisions", report_path(code, period)), &app.admin()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["next"], Value::Null, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

/// A query of the audit log.
async fn audit(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Reply {
    let req = app.client.get(app.url("/api/v1/audit")).bearer_auth(token).query(query);
    Reply::from(req.send().await.expect("the server answers")).await
}

/// The audit entries about reports, newest first, as an admin reads them.
async fn report_audit(app: &TestApp) -> Vec<Value> {
    let r = audit(app, &app.admin(), &[("target_type", "report"), ("limit", "1000")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["next"], Value::Null);
    r.body["items"].as_array().unwrap().clone()
}

async fn aggregate(app: &TestApp, unit: &str, period: &str) -> Value {
    let r = app.get(&format!("/api/v1/units/{unit}/aggregates?period={period}"), &app.admin()).await;
    assert_eq!(r.status, 200, "aggregates of {unit} for {period}: {}", r.text);
    r.body
}

/// How many of district 215's three communes count for June 2024.
async fn reported(app: &TestApp) -> i64 {
    let agg = aggregate(app, "215", "2024-06").await;
    assert_eq!(agg["communes_expected"], 3);
    assert_eq!(agg["communes_reported"], agg["reports_counted"]);
    agg["communes_reported"].as_i64().unwrap()
}

/// District 215's June 2024 dossiers received online, summed over the counted reports.
async fn online(app: &TestApp) -> Value {
    aggregate(app, "215", "2024-06").await["indicators"]["dossiers_received_online"]["value"].clone()
}

/// Files the seed report as the commune and checks it was created.
async fn file_seed(app: &TestApp, period: &str) -> Reply {
    let r = app.file("07273", period, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["revision"], 1);
    r
}

/// An action that must be refused with `status`, leaving the report exactly as it was.
#[allow(clippy::too_many_arguments)]
async fn assert_action_refused(
    app: &TestApp,
    token: &str,
    code: &str,
    period: &str,
    action: &str,
    reason: Option<&str>,
    status: u16,
    kind: &str,
) -> Reply {
    let before = stored(app, code, period).await;
    let revs = revisions(app, code, period).await.len();
    let audit_entries = report_audit(app).await.len();
    let r = act(app, token, code, period, action, reason).await;
    let p = problem(&r, status, &action_path(code, period, action));
    assert_eq!(p["type"], format!("urn:cchc:problem:{kind}"), "{action}: {}", r.text);
    let after = stored(app, code, period).await;
    assert_eq!(after.body, before.body, "a refused {action} changed the report");
    assert_eq!(after.header("etag"), before.header("etag"));
    assert_eq!(revisions(app, code, period).await.len(), revs, "a refused {action} made a revision");
    assert_eq!(report_audit(app).await.len(), audit_entries, "a refused {action} was audited");
    r
}

// ---------------------------------------------------------------------------------------------
// The lifecycle

async fn a_report_goes_through_every_state(app: TestApp) {
    app.seed_units().await;
    let month = this_month();
    let path = report_path("07273", &month);
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");
    let bac_giang = province(&app, "24");

    // A draft first.
    let r = app.put(&format!("{path}?draft=true"), &own, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["review_note"], Value::Null);
    assert_eq!(r.body["reviewed_by"], Value::Null);
    assert_eq!(r.body["reviewed_at"], Value::Null);
    let draft_values = r.body["values"].clone();
    assert_eq!(draft_values["computers"], 20);

    // The commune submits it: a new revision, the form unchanged.
    let r = act(&app, &own, "07273", &month, "submit", None).await;
    assert_acted(&r, "07273", &month, "submitted", 2);
    assert!(r.body["submitted_at"].is_string(), "{}", r.text);
    assert_eq!(r.body["values"], draft_values, "a submission keeps the form");
    assert_eq!(r.body["updated_by"], "test-commune");
    assert_eq!(r.body["reviewed_by"], Value::Null, "a submission is no review");
    let submitted_at = r.body["submitted_at"].clone();

    // The district returns it, with a reason.
    let reason = "Số liệu hồ sơ chưa khớp với Cổng dịch vụ công";
    let r = act(&app, &yen_the, "07273", &month, "return", Some(reason)).await;
    assert_acted(&r, "07273", &month, "returned", 3);
    assert_eq!(r.body["review_note"], reason);
    assert_eq!(r.body["reviewed_by"], "test-district");
    assert_eq!(r.body["updated_by"], "test-district");
    assert!(r.body["reviewed_at"].as_str().is_some_and(|t| t.ends_with("+07:00")), "{}", r.text);
    assert_eq!(r.body["submitted_at"], submitted_at, "timeliness is judged by the first submission");
    let reviewed_at = r.body["reviewed_at"].clone();
    // The district still sees a returned report (only drafts are private).
    let g = app.get(&path, &yen_the).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.body["status"], "returned");

    // The commune corrects it as a draft, then submits it with a plain PUT.
    let corrected = seed_with(json!({"computers": 21}));
    let r = app.put(&format!("{path}?draft=true"), &own, &corrected).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["revision"], 4);
    assert_eq!(r.body["review_note"], reason, "the reason stays until the next review");
    assert_eq!(r.body["reviewed_by"], "test-district");
    assert_eq!(r.body["reviewed_at"], reviewed_at);
    let r = app.put(&path, &own, &corrected).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["revision"], 5);
    assert_eq!(r.header("etag"), Some(etag("07273", &month, 5).as_str()));

    // The district approves it: closed to edits.
    let r = act(&app, &yen_the, "07273", &month, "approve", None).await;
    assert_acted(&r, "07273", &month, "approved", 6);
    assert_eq!(r.body["reviewed_by"], "test-district");
    assert_eq!(r.body["values"]["computers"], 21);
    for query in ["", "?draft=true"] {
        let p = problem(&app.put(&format!("{path}{query}"), &own, &seed_body()).await, 409, &path).clone();
        assert_eq!(p["type"], "urn:cchc:problem:report-closed");
        assert!(p["detail"].as_str().unwrap().contains("approved"), "{p}");
    }
    // Not even an admin edits an approved report.
    problem(&app.put(&path, &app.admin(), &seed_body()).await, 409, &path);

    // The province reopens it, with a reason: submitted again, editable again.
    let why = "Sai số liệu máy tính";
    let r = act(&app, &bac_giang, "07273", &month, "reopen", Some(why)).await;
    assert_acted(&r, "07273", &month, "submitted", 7);
    assert_eq!(r.body["review_note"], why);
    assert_eq!(r.body["reviewed_by"], "test-province");

    // An admin approves it again.
    let r = act(&app, &app.admin(), "07273", &month, "approve", None).await;
    assert_acted(&r, "07273", &month, "approved", 8);
    assert_eq!(r.body["reviewed_by"], "test-admin");

    // Every reader sees the approved report at revision 8.
    for token in [&own, &yen_the, &bac_giang] {
        let g = app.get(&path, token).await;
        assert_eq!(g.status, 200, "{}", g.text);
        assert_eq!(g.body["status"], "approved");
        assert_eq!(g.body["revision"], 8);
        assert_eq!(g.header("etag"), Some(etag("07273", &month, 8).as_str()));
        assert_eq!(g.body["submitted_at"], submitted_at);
    }

    // The history tells the whole story.
    let revs = revisions(&app, "07273", &month).await;
    let story: Vec<_> = revs
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
                r["actor"].as_str().unwrap(),
                r["actor_role"].as_str().unwrap(),
                r["reason"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        story,
        vec![
            (1, "draft", "save_draft", "test-commune", "commune", None),
            (2, "submitted", "submit", "test-commune", "commune", None),
            (3, "returned", "return", "test-district", "district", Some(reason)),
            (4, "draft", "save_draft", "test-commune", "commune", None),
            (5, "submitted", "submit", "test-commune", "commune", None),
            (6, "approved", "approve", "test-district", "district", None),
            (7, "submitted", "reopen", "test-province", "province", Some(why)),
            (8, "approved", "approve", "test-admin", "admin", None),
        ]
    );
}

async fn a_returned_report_is_resubmitted_by_the_submit_action(app: TestApp) {
    app.seed_units().await;
    file_seed(&app, "2024-06").await;
    let own = commune(&app, "07273");
    let r = act(&app, &district(&app, "215"), "07273", "2024-06", "return", Some("  Thiếu số liệu  ")).await;
    assert_acted(&r, "07273", "2024-06", "returned", 2);
    assert_eq!(r.body["review_note"], "Thiếu số liệu", "the reason is trimmed");

    // The commune resubmits as it is: a new revision, its reason kept.
    let r = act(&app, &own, "07273", "2024-06", "submit", None).await;
    assert_acted(&r, "07273", "2024-06", "submitted", 3);
    assert_eq!(r.body["review_note"], "Thiếu số liệu");
    assert_eq!(r.body["reviewed_by"], "test-district");
    assert_eq!(r.body["updated_by"], "test-commune");

    // A returned report may also be submitted by an admin, and by a plain PUT.
    let r = act(&app, &province(&app, "24"), "07273", "2024-06", "return", Some("Lần hai")).await;
    assert_acted(&r, "07273", "2024-06", "returned", 4);
    let r = act(&app, &app.admin(), "07273", "2024-06", "submit", None).await;
    assert_acted(&r, "07273", "2024-06", "submitted", 5);
    assert_eq!(r.body["updated_by"], "test-admin");
    let r = act(&app, &app.admin(), "07273", "2024-06", "return", Some("Lần ba")).await;
    assert_acted(&r, "07273", "2024-06", "returned", 6);
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "submitted", "the same form, submitted again");
    assert_eq!(r.body["revision"], 7);
    // Resubmitting the very same form once more is no change.
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 7);
}

async fn approved_reports_of_a_closed_month_are_locked_until_reopened(app: TestApp) {
    app.seed_units().await;
    file_seed(&app, "2024-06").await;
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");

    // June 2024 closed long ago: approved now, it is locked at once.
    let r = act(&app, &yen_the, "07273", "2024-06", "approve", None).await;
    assert_acted(&r, "07273", "2024-06", "locked", 2);
    for token in [&own, &yen_the, &app.admin()] {
        let g = app.get(SEED, token).await;
        assert_eq!(g.status, 200, "{}", g.text);
        assert_eq!(g.body["status"], "locked");
        assert_eq!(g.body["revision"], 2);
    }
    // The history keeps what was done: an approval.
    let revs = revisions(&app, "07273", "2024-06").await;
    assert_eq!(revs[1]["status"], "approved");
    assert_eq!(revs[1]["action"], "approve");

    // No edit of a locked report, draft or not, by the commune or an admin.
    for (query, token) in [("", &own), ("?draft=true", &own), ("", &app.admin())] {
        let r = app.put(&format!("{SEED}{query}"), token, &seed_with(json!({"computers": 21}))).await;
        let p = problem(&r, 409, SEED);
        assert!(p["detail"].as_str().unwrap().contains("locked"), "{}", r.text);
    }
    assert_eq!(stored(&app, "07273", "2024-06").await.body["revision"], 2);

    // Reopening needs a reason.
    let r = assert_action_refused(&app, &yen_the, "07273", "2024-06", "reopen", None, 409, "reason-required").await;
    assert!(r.body["detail"].as_str().unwrap().contains("reason"), "{}", r.text);
    assert_action_refused(&app, &yen_the, "07273", "2024-06", "reopen", Some("   "), 409, "reason-required").await;

    // Reopened, it is submitted again and can be edited.
    let r = act(&app, &yen_the, "07273", "2024-06", "reopen", Some("Cần sửa số máy tính")).await;
    assert_acted(&r, "07273", "2024-06", "submitted", 3);
    assert_eq!(r.body["review_note"], "Cần sửa số máy tính");
    let r = app.file("07273", "2024-06", &seed_with(json!({"computers": 21}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 4);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["values"]["computers"], 21);

    // Approved again, it locks again.
    let r = act(&app, &province(&app, "24"), "07273", "2024-06", "approve", None).await;
    assert_acted(&r, "07273", "2024-06", "locked", 5);
}

async fn an_approved_report_locks_the_day_after_its_period_closes(app: TestApp) {
    // June 2024 was due on Monday 17 June 2024 (the 16th was a Sunday); it closes
    // `lock_after_days` later, and locks the day after.
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let due = chrono::NaiveDate::from_ymd_opt(2024, 6, 17).unwrap();
    let days = (today - due).num_days();
    for (lock_after_days, status) in [(days, "approved"), (days - 1, "locked"), (days + 365, "approved")] {
        let rules = RulesArgs { lock_after_days, ..RulesArgs::default() };
        let other = TestApp::spawn_with(app.backend, Options { rules, ..Options::default() }).await;
        other.seed_units().await;
        file_seed(&other, "2024-06").await;
        let r = act(&other, &district(&other, "215"), "07273", "2024-06", "approve", None).await;
        assert_acted(&r, "07273", "2024-06", status, 2);
        assert_eq!(stored(&other, "07273", "2024-06").await.body["status"], status, "{lock_after_days} days");
        // Closed to edits either way, and reopened either way.
        let p = problem(&other.file("07273", "2024-06", &seed_with(json!({"computers": 21}))).await, 409, SEED).clone();
        assert!(p["detail"].as_str().unwrap().contains(&format!("the report is {status}")), "{p}");
        let r = act(&other, &district(&other, "215"), "07273", "2024-06", "reopen", Some("Mở lại")).await;
        assert_acted(&r, "07273", "2024-06", "submitted", 3);
    }
}

async fn actions_from_the_wrong_state_are_conflicts(app: TestApp) {
    app.seed_units().await;
    let month = this_month();
    let own = commune(&app, "07273");
    let reviewer = district(&app, "215");
    let refuse = |token: String, action: &'static str, reason: Option<&'static str>, state: &'static str| {
        let app = &app;
        let month = month.clone();
        async move {
            let r = assert_action_refused(app, &token, "07273", &month, action, reason, 409, "wrong-state").await;
            let detail = r.body["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains(&format!("but this one is {state}")), "{action} from {state}: {detail}");
        }
    };

    // No report yet: nothing to act on.
    for (token, action) in [(&own, "submit"), (&reviewer, "approve"), (&reviewer, "return"), (&reviewer, "reopen")] {
        let path = action_path("07273", &month, action);
        let r = act(&app, token, "07273", &month, action, Some("Lý do")).await;
        let p = problem(&r, 404, &path);
        assert_eq!(p["type"], "urn:cchc:problem:report-not-found");
    }

    // A draft: only the commune's submit.
    let r = app.put(&format!("{}?draft=true", report_path("07273", &month)), &own, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    refuse(reviewer.clone(), "approve", None, "draft").await;
    refuse(reviewer.clone(), "return", Some("Lý do"), "draft").await;
    refuse(reviewer.clone(), "reopen", Some("Lý do"), "draft").await;

    // Submitted: approve or return, not submit or reopen.
    assert_acted(&act(&app, &own, "07273", &month, "submit", None).await, "07273", &month, "submitted", 2);
    refuse(own.clone(), "submit", None, "submitted").await;
    refuse(reviewer.clone(), "reopen", Some("Lý do"), "submitted").await;
    // A return needs a reason: none, an empty body, or blanks are refused.
    for reason in [None, Some(""), Some(" \n\t ")] {
        let r = assert_action_refused(&app, &reviewer, "07273", &month, "return", reason, 409, "reason-required").await;
        assert_eq!(r.body["detail"], "a return needs a reason", "{}", r.text);
    }

    // Returned: only submit.
    assert_acted(&act(&app, &reviewer, "07273", &month, "return", Some("Lý do")).await, "07273", &month, "returned", 3);
    refuse(reviewer.clone(), "approve", None, "returned").await;
    refuse(reviewer.clone(), "return", Some("Lý do"), "returned").await;
    refuse(reviewer.clone(), "reopen", Some("Lý do"), "returned").await;

    // Approved: only reopen.
    assert_acted(&act(&app, &own, "07273", &month, "submit", None).await, "07273", &month, "submitted", 4);
    assert_acted(&act(&app, &reviewer, "07273", &month, "approve", None).await, "07273", &month, "approved", 5);
    refuse(own.clone(), "submit", None, "approved").await;
    refuse(reviewer.clone(), "approve", None, "approved").await;
    refuse(reviewer.clone(), "return", Some("Lý do"), "approved").await;
    let r = assert_action_refused(&app, &reviewer, "07273", &month, "reopen", None, 409, "reason-required").await;
    assert_eq!(r.body["detail"], "a reopening needs a reason");

    // Locked (an approved report of a closed month): only reopen.
    file_seed(&app, "2024-06").await;
    assert_acted(&act(&app, &reviewer, "07273", "2024-06", "approve", None).await, "07273", "2024-06", "locked", 2);
    for (token, action, reason) in
        [(&own, "submit", None), (&reviewer, "approve", None), (&reviewer, "return", Some("Lý do"))]
    {
        let r = assert_action_refused(&app, token, "07273", "2024-06", action, reason, 409, "wrong-state").await;
        assert!(r.body["detail"].as_str().unwrap().contains("but this one is locked"), "{}", r.text);
    }
}

async fn who_may_take_each_action(app: TestApp) {
    app.seed_units().await;
    file_seed(&app, "2024-06").await;
    let own = commune(&app, "07273");
    let neighbour = commune(&app, "07279");
    let yen_the = district(&app, "215");
    let tan_yen = district(&app, "216");
    let bac_giang = province(&app, "24");
    let elsewhere = province(&app, "25");

    // Reviews belong to the reviewing unit (district 215), the province, and admins: never to
    // a commune, another district or another province — whatever the report's state.
    for action in ["approve", "return", "reopen"] {
        for token in [&own, &neighbour, &tan_yen, &elsewhere] {
            let r = assert_action_refused(&app, token, "07273", "2024-06", action, Some("Lý do"), 403, "outside-scope")
                .await;
            assert!(r.body["detail"].as_str().unwrap().contains("07273"), "{}", r.text);
        }
    }
    // District 215 reviews its own communes only (not Cao Xá, of district 216).
    let r = act(&app, &yen_the, "07312", "2024-06", "approve", None).await;
    problem(&r, 403, &action_path("07312", "2024-06", "approve"));
    // Submitting belongs to the commune itself (and admins).
    for token in [&neighbour, &yen_the, &tan_yen, &bac_giang] {
        assert_action_refused(&app, token, "07273", "2024-06", "submit", None, 403, "outside-scope").await;
    }
    // Without a token, nothing.
    for action in ["submit", "approve", "return", "reopen"] {
        let path = action_path("07273", "2024-06", action);
        let r = send(&app, Method::POST, &path, None, Some(&json!({"reason": "x"})), &[]).await;
        problem(&r, 401, &path);
    }
    assert_eq!(stored(&app, "07273", "2024-06").await.body["revision"], 1);

    // Each reviewer may take each review action.
    let steps: Vec<(&String, &str, Option<&str>, &str)> = vec![
        (&yen_the, "approve", None, "locked"),
        (&bac_giang, "reopen", Some("Tỉnh mở lại"), "submitted"),
        (&bac_giang, "return", Some("Tỉnh trả lại"), "returned"),
        (&own, "submit", None, "submitted"),
        (&bac_giang, "approve", None, "locked"),
        (&yen_the, "reopen", Some("Huyện mở lại"), "submitted"),
        (&yen_the, "return", Some("Huyện trả lại"), "returned"),
    ];
    let admin = app.admin();
    let admin_steps: Vec<(&String, &str, Option<&str>, &str)> = vec![
        (&admin, "submit", None, "submitted"),
        (&admin, "approve", None, "locked"),
        (&admin, "reopen", Some("Quản trị mở lại"), "submitted"),
        (&admin, "return", Some("Quản trị trả lại"), "returned"),
    ];
    let mut revision = 1;
    for (token, action, reason, status) in steps.into_iter().chain(admin_steps) {
        revision += 1;
        let r = act(&app, token, "07273", "2024-06", action, reason).await;
        assert_acted(&r, "07273", "2024-06", status, revision);
        if let Some(reason) = reason {
            assert_eq!(r.body["review_note"], reason);
        }
    }
    let actors: Vec<String> = revisions(&app, "07273", "2024-06")
        .await
        .iter()
        .map(|r| format!("{} {}", r["actor_role"].as_str().unwrap(), r["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actors,
        [
            "commune submit",
            "district approve",
            "province reopen",
            "province return",
            "commune submit",
            "province approve",
            "district reopen",
            "district return",
            "admin submit",
            "admin approve",
            "admin reopen",
            "admin return",
        ]
    );
}

async fn action_requests_are_checked_before_anything_happens(app: TestApp) {
    app.seed_units().await;
    file_seed(&app, "2024-06").await;
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");
    let submit = action_path("07273", "2024-06", "submit");
    let ret = action_path("07273", "2024-06", "return");

    // Bodies that are not `{"reason": "…"}` are bad requests.
    for raw in [r#"{"reason": "x", "note": "y"}"#, r#"{"note": "y"}"#, r#"{"reason": 5}"#, "not json", "[]"] {
        let before = stored(&app, "07273", "2024-06").await.body;
        let r = act_raw(&app, &yen_the, "07273", "2024-06", "return", raw).await;
        let p = problem(&r, 400, &ret);
        assert_eq!(p["type"], "urn:cchc:problem:bad-request", "{raw}");
        assert_eq!(stored(&app, "07273", "2024-06").await.body, before);
    }
    let r = act_raw(&app, &yen_the, "07273", "2024-06", "return", r#"{"reason": "x", "note": "y"}"#).await;
    assert!(r.body["detail"].as_str().unwrap().contains("note"), "{}", r.text);
    // A reason is at most 2000 characters.
    let long = "ý".repeat(2001);
    let r = act(&app, &yen_the, "07273", "2024-06", "return", Some(&long)).await;
    problem(&r, 400, &ret);
    assert_eq!(stored(&app, "07273", "2024-06").await.body["status"], "submitted");
    let just = "ý".repeat(2000);
    let r = act(&app, &yen_the, "07273", "2024-06", "return", Some(&just)).await;
    assert_acted(&r, "07273", "2024-06", "returned", 2);
    assert_eq!(r.body["review_note"], json!(just));

    // An empty body, blanks, `{}` or a null reason are no reason, and fine for a submit.
    for raw in ["", "  \n", "{}", r#"{"reason": null}"#] {
        let r = act_raw(&app, &own, "07273", "2024-06", "submit", raw).await;
        assert_eq!(r.status, 200, "{raw:?}: {}", r.text);
        assert_eq!(r.body["status"], "submitted");
        let r = act(&app, &yen_the, "07273", "2024-06", "return", Some("Trả lại")).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    // Paths that name no commune report, and methods the action does not allow.
    for path in [
        action_path("215", "2024-06", "submit"),
        action_path("07273", "2024-13", "submit"),
        action_path("07273", "2024Q7", "submit"),
    ] {
        let r = send(&app, Method::POST, &path, Some(&app.admin()), None, &[]).await;
        problem(&r, 400, &path);
    }
    // A quarter is a periodic report's period: none is filed yet.
    let quarter = action_path("07273", "2024Q2", "submit");
    problem(&send(&app, Method::POST, &quarter, Some(&app.admin()), None, &[]).await, 404, &quarter);
    let ghost = action_path("07999", "2024-06", "submit");
    problem(&send(&app, Method::POST, &ghost, Some(&app.admin()), None, &[]).await, 404, &ghost);
    let r = send(&app, Method::GET, &submit, Some(&own), None, &[]).await;
    problem(&r, 405, &submit);
    assert_eq!(r.header("allow"), Some("POST"));
    let withdraw = action_path("07273", "2024-06", "withdraw");
    let r = send(&app, Method::POST, &withdraw, Some(&own), None, &[]).await;
    problem(&r, 404, &withdraw);
}

// ---------------------------------------------------------------------------------------------
// If-Match

async fn a_stale_if_match_refuses_an_action(app: TestApp) {
    app.seed_units().await;
    file_seed(&app, "2024-06").await;
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");
    // The commune changes the report after the district read it.
    let r = app.file("07273", "2024-06", &seed_with(json!({"computers": 21}))).await;
    assert_eq!(r.body["revision"], 2);

    let approve = action_path("07273", "2024-06", "approve");
    for tag in [SEED_ETAG, "W/\"07273-2024-06-r2\"", "\"07273-2024-06-r3\"", "\"07279-2024-06-r2\""] {
        let before = stored(&app, "07273", "2024-06").await;
        let r = act_with(&app, &yen_the, "07273", "2024-06", "approve", None, &[("if-match", tag)]).await;
        let p = problem(&r, 412, &approve);
        assert_eq!(p["type"], "urn:cchc:problem:stale-revision");
        assert!(p["detail"].as_str().unwrap().contains("revision 2"), "{}", r.text);
        assert_eq!(stored(&app, "07273", "2024-06").await.body, before.body, "nothing changes");
    }
    let r = act_with(&app, &yen_the, "07273", "2024-06", "return", Some("x"), &[("if-match", SEED_ETAG)]).await;
    problem(&r, 412, &action_path("07273", "2024-06", "return"));
    assert_eq!(revisions(&app, "07273", "2024-06").await.len(), 2);
    assert_eq!(report_audit(&app).await.len(), 2);

    // The current tag (or `*`, or a list holding it) lets the action through.
    let current = "\"07273-2024-06-r2\"";
    let r = act_with(&app, &yen_the, "07273", "2024-06", "return", Some("Sửa lại"), &[("if-match", current)]).await;
    assert_acted(&r, "07273", "2024-06", "returned", 3);
    // A tag is stale after an action too: the commune's r2 no longer fits.
    let r = act_with(&app, &own, "07273", "2024-06", "submit", None, &[("if-match", current)]).await;
    problem(&r, 412, &action_path("07273", "2024-06", "submit"));
    let r = put_with(&app, SEED, &own, &seed_body(), &[("if-match", current)]).await;
    problem(&r, 412, SEED);
    assert_eq!(stored(&app, "07273", "2024-06").await.body["status"], "returned");
    let list = format!("{SEED_ETAG}, \"07273-2024-06-r3\"");
    let r = act_with(&app, &own, "07273", "2024-06", "submit", None, &[("if-match", &list)]).await;
    assert_acted(&r, "07273", "2024-06", "submitted", 4);
    let r = act_with(&app, &yen_the, "07273", "2024-06", "approve", None, &[("if-match", "*")]).await;
    assert_acted(&r, "07273", "2024-06", "locked", 5);

    // A stale tag is refused before the state is judged: a wrong-state action with a stale tag
    // is a 412, with the current tag a 409.
    let r = act_with(&app, &yen_the, "07273", "2024-06", "approve", None, &[("if-match", current)]).await;
    problem(&r, 412, &approve);
    let r =
        act_with(&app, &yen_the, "07273", "2024-06", "approve", None, &[("if-match", "\"07273-2024-06-r5\"")]).await;
    problem(&r, 409, &approve);
    // On a report that does not exist, an action is not found, tag or not.
    let r = act_with(&app, &yen_the, "07273", "2024-05", "approve", None, &[("if-match", "*")]).await;
    problem(&r, 404, &action_path("07273", "2024-05", "approve"));
}

// ---------------------------------------------------------------------------------------------
// Dry runs

/// No seed report, no revisions, no audit entry about a report.
async fn assert_nothing_stored(app: &TestApp) {
    problem(&app.get(SEED, &commune(app, "07273")).await, 404, SEED);
    problem(&app.get(SEED, &app.admin()).await, 404, SEED);
    let revisions_path = format!("{SEED}/revisions");
    problem(&app.get(&revisions_path, &app.admin()).await, 404, &revisions_path);
    assert_eq!(report_audit(app).await, Vec::<Value>::new(), "a dry run is not audited");
}

async fn a_dry_run_stores_nothing(app: TestApp) {
    app.seed_units().await;
    let own = commune(&app, "07273");
    let dry = format!("{SEED}?dry_run=true");

    // Before any report: the whole answer, revision 0, and nothing stored (two chairs: a
    // warning, answered too).
    let r = app.put(&dry, &own, &seed_with(json!({"committee_chairs": 2}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("etag"), None, "a dry run has no entity to tag");
    assert_eq!(r.header("location"), None);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let b = &r.body;
    assert_eq!(b["dry_run"], true);
    assert_eq!(b["revision"], 0);
    assert_eq!(b["status"], "submitted");
    assert_eq!(b["unit_code"], "07273");
    assert_eq!(b["unit_name"], "Xã Đông Sơn");
    assert_eq!(b["period"], "2024-06");
    assert_eq!(b["updated_by"], "test-commune");
    assert_eq!(b["values"].as_object().unwrap().len(), 39);
    assert_eq!(b["derived"]["resolved_on_time_rate"], json!(99.4));
    assert_eq!(b["derived"]["dossiers_received_total"], json!(168));
    assert_eq!(r.findings("findings"), vec![finding("implausible_value", &["committee_chairs"])]);
    assert_eq!(b["findings"][0]["severity"], "warning");
    assert_nothing_stored(&app).await;

    // As a draft, as an admin: still nothing.
    let r = app.put(&format!("{SEED}?draft=true&dry_run=true"), &own, &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["dry_run"], true);
    assert_eq!(r.body["submitted_at"], Value::Null);
    let r = app.put(&dry, &app.admin(), &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["updated_by"], "test-admin");
    // A dry run of a report with errors is refused like the real thing.
    let r = app.put(&dry, &own, &seed_with(json!({"dossiers_resolved_early": 133}))).await;
    let p = problem(&r, 422, SEED);
    assert_eq!(p["type"], "urn:cchc:problem:validation-failed");
    assert!(r.findings("errors").contains(&finding(
        "intake_outcome_mismatch",
        &[
            "dossiers_carried_over",
            "dossiers_received_online",
            "dossiers_received_direct",
            "dossiers_resolved_early",
            "dossiers_resolved_on_time",
            "dossiers_resolved_overdue",
            "dossiers_pending_within_deadline",
            "dossiers_pending_overdue",
        ]
    )));
    // If-Match without a report fails a dry run too; a dry run is judged for its scope.
    problem(&put_with(&app, &dry, &own, &seed_body(), &[("if-match", "*")]).await, 412, SEED);
    problem(&app.put(&dry, &commune(&app, "07279"), &seed_body()).await, 403, SEED);
    assert_nothing_stored(&app).await;

    // With a stored report: the current revision, the new figures, and still nothing stored.
    let filed = file_seed(&app, "2024-06").await;
    let before = stored(&app, "07273", "2024-06").await;
    let r = app.put(&dry, &own, &seed_with(json!({"computers": 21}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["dry_run"], true);
    assert_eq!(r.body["revision"], 1, "the current revision: nothing changes");
    assert_eq!(r.body["values"]["computers"], 21);
    assert_eq!(r.body["created_at"], before.body["created_at"]);
    assert_eq!(r.body["submitted_at"], before.body["submitted_at"]);
    assert_eq!(r.header("etag"), None);
    assert!(filed.body.get("dry_run").is_none(), "a real write is no dry run: {}", filed.text);
    let r = put_with(&app, &dry, &own, &seed_with(json!({"computers": 22})), &[("if-match", SEED_ETAG)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["values"]["computers"], 22);
    // What a real write would refuse, a dry run refuses.
    let p = problem(&app.put(&format!("{dry}&draft=true"), &own, &seed_body()).await, 409, SEED).clone();
    assert!(p["detail"].as_str().unwrap().contains("already submitted"), "{p}");
    let stale = put_with(&app, &dry, &own, &seed_body(), &[("if-match", "\"07273-2024-06-r7\"")]).await;
    problem(&stale, 412, SEED);

    let after = stored(&app, "07273", "2024-06").await;
    assert_eq!(after.body, before.body, "dry runs changed the stored report");
    assert_eq!(after.header("etag"), Some(SEED_ETAG));
    assert_eq!(revisions(&app, "07273", "2024-06").await.len(), 1);
    assert_eq!(report_audit(&app).await.len(), 1);

    // Over a returned report a dry-run draft is a draft; over a locked one, a conflict.
    let yen_the = district(&app, "215");
    assert_acted(
        &act(&app, &yen_the, "07273", "2024-06", "return", Some("x")).await,
        "07273",
        "2024-06",
        "returned",
        2,
    );
    let r = app.put(&format!("{dry}&draft=true"), &own, &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["review_note"], "x");
    assert_acted(&act(&app, &own, "07273", "2024-06", "submit", None).await, "07273", "2024-06", "submitted", 3);
    assert_acted(&act(&app, &yen_the, "07273", "2024-06", "approve", None).await, "07273", "2024-06", "locked", 4);
    let p = problem(&app.put(&dry, &own, &seed_body()).await, 409, SEED).clone();
    assert!(p["detail"].as_str().unwrap().contains("locked"), "{p}");
    assert_eq!(stored(&app, "07273", "2024-06").await.body["revision"], 4);
    assert_eq!(revisions(&app, "07273", "2024-06").await.len(), 4);
    assert_eq!(report_audit(&app).await.len(), 4);
    // `dry_run` must be a boolean.
    let r = app.put(&format!("{SEED}?dry_run=perhaps"), &own, &seed_body()).await;
    problem(&r, 400, SEED);
}

// ---------------------------------------------------------------------------------------------
// What counts

async fn drafts_and_returned_reports_are_not_counted(app: TestApp) {
    app.seed_units().await;
    let yen_the = district(&app, "215");
    file_seed(&app, "2024-06").await; // 168 online
    let r = app.file("07279", "2024-06", &dossier_report([0, 50, 0, 40, 8, 0, 2, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .put(&format!("{}?draft=true", report_path("07294", "2024-06")), &commune(&app, "07294"), &seed_body())
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(reported(&app).await, 2, "the draft is not counted");
    assert_eq!(online(&app).await, json!(218), "168 + 50");

    // Returned: no longer counted.
    assert_acted(
        &act(&app, &yen_the, "07279", "2024-06", "return", Some("Sai")).await,
        "07279",
        "2024-06",
        "returned",
        2,
    );
    assert_eq!(reported(&app).await, 1);
    assert_eq!(online(&app).await, json!(168));
    // Approved (and so locked): still counted.
    assert_acted(&act(&app, &yen_the, "07273", "2024-06", "approve", None).await, "07273", "2024-06", "locked", 2);
    assert_eq!(reported(&app).await, 1);
    // A returned report saved as a draft: not counted; submitted again: counted.
    let r = app
        .put(
            &format!("{}?draft=true", report_path("07279", "2024-06")),
            &commune(&app, "07279"),
            &dossier_report([0, 60, 0, 50, 8, 0, 2, 0]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(reported(&app).await, 1);
    assert_acted(
        &act(&app, &commune(&app, "07279"), "07279", "2024-06", "submit", None).await,
        "07279",
        "2024-06",
        "submitted",
        4,
    );
    assert_eq!(reported(&app).await, 2);
    // The draft submitted: all three.
    assert_acted(
        &act(&app, &commune(&app, "07294"), "07294", "2024-06", "submit", None).await,
        "07294",
        "2024-06",
        "submitted",
        2,
    );
    assert_eq!(reported(&app).await, 3);
    assert_eq!(online(&app).await, json!(168 + 60 + 168));
    // Reopened: submitted, so still counted.
    let r = act(&app, &yen_the, "07273", "2024-06", "reopen", Some("Mở lại")).await;
    assert_acted(&r, "07273", "2024-06", "submitted", 3);
    assert_eq!(reported(&app).await, 3);
}

// ---------------------------------------------------------------------------------------------
// History: revisions and changes

async fn revisions_and_changes_page_one_at_a_time(app: TestApp) {
    app.seed_units().await;
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");
    let mut ids = Vec::new();
    let mut write = |r: Reply, status: u16, revision: i64| {
        assert_eq!(r.status, status, "{}", r.text);
        assert_eq!(r.body["revision"], revision, "{}", r.text);
        ids.push(r.header("x-request-id").unwrap().to_owned());
    };
    write(app.file("07273", "2024-06", &seed_body()).await, 201, 1);
    write(app.file("07273", "2024-06", &seed_with(json!({"computers": 21}))).await, 200, 2);
    // The third form has a warning (two chairs) the first two do not.
    let third = seed_with(
        json!({"computers": 21, "edocs_outgoing_rate": 85, "one_stop_allowance_vnd": null, "committee_chairs": 2}),
    );
    write(app.file("07273", "2024-06", &third).await, 200, 3);
    write(act(&app, &yen_the, "07273", "2024-06", "return", Some("Kiểm tra lại")).await, 200, 4);
    write(app.put(&format!("{SEED}?draft=true"), &own, &third).await, 200, 5);
    write(app.file("07273", "2024-06", &third).await, 200, 6);
    write(act(&app, &yen_the, "07273", "2024-06", "approve", None).await, 200, 7);

    let revs = revisions(&app, "07273", "2024-06").await;
    assert_eq!(revs.len(), 7);
    let numbers: Vec<i64> = revs.iter().map(|r| r["revision"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7], "oldest first");
    let actions: Vec<&str> = revs.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submit", "submit", "submit", "return", "save_draft", "submit", "approve"]);
    let statuses: Vec<&str> = revs.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["submitted", "submitted", "submitted", "returned", "draft", "submitted", "approved"]);
    let reasons: Vec<&Value> = revs.iter().map(|r| &r["reason"]).collect();
    assert_eq!(
        reasons,
        [&Value::Null, &Value::Null, &Value::Null, &json!("Kiểm tra lại"), &Value::Null, &Value::Null, &Value::Null]
    );
    let request_ids: Vec<&str> = revs.iter().map(|r| r["request_id"].as_str().unwrap()).collect();
    assert_eq!(request_ids, ids, "each revision names the request that made it");
    for (i, r) in revs.iter().enumerate() {
        let (actor, role) = if i == 3 || i == 6 { ("test-district", "district") } else { ("test-commune", "commune") };
        assert_eq!(r["actor"], actor, "{r}");
        assert_eq!(r["actor_role"], role, "{r}");
        assert!(r["created_at"].as_str().unwrap().ends_with("+07:00"), "{r}");
    }
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> =
        revs.iter().map(|r| chrono::DateTime::parse_from_rfc3339(r["created_at"].as_str().unwrap()).unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // Each revision keeps its own values and findings.
    assert_eq!(revs[0]["values"].as_object().unwrap().len(), 39);
    assert_eq!(revs[0]["values"]["computers"], 20);
    assert_eq!(revs[1]["values"]["computers"], 21);
    assert_eq!(revs[2]["values"].as_object().unwrap().len(), 38);
    assert_eq!(revs[2]["values"]["edocs_outgoing_rate"], json!(85.0));
    for r in &revs[2..] {
        assert_eq!(r["values"], revs[2]["values"], "review actions keep the form");
    }
    assert_eq!(revs[0]["findings"], json!([]));
    assert_eq!(
        revs[2]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect::<Vec<_>>(),
        ["implausible_value"]
    );
    // What GET shows is the last revision.
    let g = stored(&app, "07273", "2024-06").await;
    assert_eq!(g.body["values"], revs[6]["values"]);
    assert_eq!(g.body["findings"], revs[6]["findings"]);

    // Paging one at a time visits each revision exactly once, in order; other sizes agree.
    let path = format!("{SEED}/revisions");
    for limit in [1, 2, 3, 6, 7, 8, 1000] {
        assert_eq!(all_pages(&app, &path, &app.admin(), limit).await, revs, "limit {limit}");
    }
    // Bad paging is a bad request.
    for query in ["limit=0", "limit=1001", "limit=x", "cursor=nonsense", "cursor=djE6eA"] {
        let r = app.get(&format!("{path}?{query}"), &app.admin()).await;
        problem(&r, 400, &path);
    }

    // The changelog: revision 1 lists every value; status-only revisions change nothing.
    let changes_path = format!("{SEED}/changes");
    let r = app.get(&changes_path, &own).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["next"], Value::Null);
    let sets = r.body["items"].as_array().unwrap().clone();
    assert_eq!(sets.len(), 7);
    for (set, rev) in sets.iter().zip(&revs) {
        for key in ["revision", "action", "actor", "created_at"] {
            assert_eq!(set[key], rev[key], "{key}");
        }
    }
    let first = sets[0]["changes"].as_array().unwrap();
    assert_eq!(first.len(), 39);
    for c in first {
        assert_eq!(c["old"], Value::Null, "{c}");
        assert_eq!(c["new"], revs[0]["values"][c["indicator"].as_str().unwrap()], "{c}");
    }
    let indicators: BTreeSet<&str> = first.iter().map(|c| c["indicator"].as_str().unwrap()).collect();
    let reported: BTreeSet<&str> = revs[0]["values"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(indicators, reported);
    assert_eq!(sets[1]["changes"], json!([{"indicator": "computers", "old": 20, "new": 21}]));
    let mut third_changes = sets[2]["changes"].as_array().unwrap().clone();
    third_changes.sort_by(|a, b| a["indicator"].as_str().cmp(&b["indicator"].as_str()));
    assert_eq!(
        third_changes,
        vec![
            json!({"indicator": "committee_chairs", "old": 1, "new": 2}),
            json!({"indicator": "edocs_outgoing_rate", "old": 80.0, "new": 85.0}),
            json!({"indicator": "one_stop_allowance_vnd", "old": 250000, "new": null}),
        ]
    );
    for set in &sets[3..] {
        assert_eq!(set["changes"], json!([]), "a status-only revision: {set}");
    }
    // Paged, each change set still compares with the revision before it.
    for limit in [1, 2, 3, 7] {
        assert_eq!(all_pages(&app, &changes_path, &own, limit).await, sets, "limit {limit}");
    }

    // Who reads the history: whoever reads the report.
    for token in [&own, &yen_the, &province(&app, "24")] {
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 7);
    }
    for token in [commune(&app, "07279"), district(&app, "216")] {
        for p in [&path, &changes_path] {
            problem(&app.get(p, &token).await, 403, p);
        }
    }
    problem(&app.request(Method::GET, &path, None, None).await, 401, &path);
    let may = format!("{}/revisions", report_path("07273", "2024-05"));
    problem(&app.get(&may, &app.admin()).await, 404, &may);
}

async fn the_history_of_a_draft_is_the_communes_own(app: TestApp) {
    app.seed_units().await;
    let path = report_path("07279", "2024-06");
    let own = commune(&app, "07279");
    let r = app.put(&format!("{path}?draft=true"), &own, &dossier_report([0, 5, 0, 5, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let revisions_path = format!("{path}/revisions");
    let changes_path = format!("{path}/changes");
    for p in [&revisions_path, &changes_path] {
        for token in [district(&app, "215"), province(&app, "24")] {
            let r = app.get(p, &token).await;
            let d = problem(&r, 404, p);
            assert_eq!(d["type"], "urn:cchc:problem:report-not-found");
        }
        for token in [&own, &app.admin()] {
            let r = app.get(p, token).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
        }
    }
    // Submitted, it is the district's to read too.
    assert_acted(&act(&app, &own, "07279", "2024-06", "submit", None).await, "07279", "2024-06", "submitted", 2);
    let r = app.get(&revisions_path, &district(&app, "215")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let actions: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["save_draft", "submit"]);
    let r = app.get(&changes_path, &district(&app, "215")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][1]["changes"], json!([]));
    assert_eq!(r.body["items"][0]["changes"].as_array().unwrap().len(), 8);
}

// ---------------------------------------------------------------------------------------------
// Checks against the commune's own history

async fn carry_over_is_checked_against_last_months_counted_report(app: TestApp) {
    app.seed_units().await;
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");
    let carry = ["dossiers_carried_over", "dossiers_pending_within_deadline", "dossiers_pending_overdue"];

    // April: nothing before it to compare with. It leaves 2 + 1 = 3 pending.
    let r = app.file("07273", "2024-04", &dossier_report([0, 10, 0, 5, 2, 0, 2, 1])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]));

    // May carries 0 over: a warning, stored with the report — not a refusal.
    let r = app.file("07273", "2024-05", &dossier_report([0, 10, 0, 8, 0, 0, 2, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.findings("findings"), vec![finding("carry_over_mismatch", &carry)]);
    let f = &r.body["findings"][0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["message_en"], "0 dossiers carried over, but last month's report left 2 + 1 = 3 pending");
    assert!(f["message_vi"].as_str().unwrap().contains("(2 + 1 = 3)"), "{f}");
    let g = stored(&app, "07273", "2024-05").await;
    assert_eq!(g.findings("findings"), vec![finding("carry_over_mismatch", &carry)]);
    assert_eq!(revisions(&app, "07273", "2024-05").await[0]["findings"], r.body["findings"]);

    // Carrying the 3 over fixes it.
    let r = app.file("07273", "2024-05", &dossier_report([3, 10, 0, 8, 3, 0, 2, 0])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["findings"], json!([]));

    // June against May (2 + 0 pending): a dry run shows the warning, a matching figure none.
    let june_dry = format!("{}?dry_run=true", report_path("07273", "2024-06"));
    let r = app.put(&june_dry, &own, &dossier_report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.findings("findings"), vec![finding("carry_over_mismatch", &carry)]);
    assert_eq!(
        r.body["findings"][0]["message_en"],
        "0 dossiers carried over, but last month's report left 2 + 0 = 2 pending"
    );
    let r = app.put(&june_dry, &own, &dossier_report([2, 10, 0, 12, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]));

    // A returned May is not history: nothing to compare with.
    assert_acted(
        &act(&app, &yen_the, "07273", "2024-05", "return", Some("Sai")).await,
        "07273",
        "2024-05",
        "returned",
        3,
    );
    let r = app.put(&june_dry, &own, &dossier_report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]), "a returned report is not history");
    // Nor is a draft May.
    let r = app
        .put(
            &format!("{}?draft=true", report_path("07273", "2024-05")),
            &own,
            &dossier_report([3, 10, 0, 8, 3, 0, 2, 0]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    let r = app.put(&june_dry, &own, &dossier_report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    assert_eq!(r.body["findings"], json!([]), "a draft is not history");
    // Submitted again, and approved: history again.
    assert_acted(&act(&app, &own, "07273", "2024-05", "submit", None).await, "07273", "2024-05", "submitted", 5);
    let r = app.put(&june_dry, &own, &dossier_report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    assert_eq!(r.findings("findings"), vec![finding("carry_over_mismatch", &carry)]);
    assert_acted(&act(&app, &yen_the, "07273", "2024-05", "approve", None).await, "07273", "2024-05", "locked", 6);
    let r = app.file("07273", "2024-06", &dossier_report([1, 10, 0, 11, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.findings("findings"), vec![finding("carry_over_mismatch", &carry)]);
    assert_eq!(
        r.body["findings"][0]["message_en"],
        "1 dossiers carried over, but last month's report left 2 + 0 = 2 pending"
    );

    // Only the month just before counts: April's pending says nothing about June.
    problem(&app.get(&report_path("07273", "2024-03"), &own).await, 404, &report_path("07273", "2024-03"));
    // Another commune's history is its own.
    let r = app.file("07279", "2024-05", &dossier_report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]));
}

async fn carry_over_can_be_configured_as_an_error(app: TestApp) {
    let rules = RulesArgs { carry_over_check: "error".into(), ..RulesArgs::default() };
    // A second app on a database of its own; the first stays alive until the end of the test.
    let strict = TestApp::spawn_with(app.backend, Options { rules, ..Options::default() }).await;
    strict.seed_units().await;
    let carry = ["dossiers_carried_over", "dossiers_pending_within_deadline", "dossiers_pending_overdue"];
    let r = strict.file("07273", "2024-04", &dossier_report([0, 10, 0, 5, 2, 0, 2, 1])).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let may = report_path("07273", "2024-05");
    for path in [may.clone(), format!("{may}?dry_run=true")] {
        let r =
            put_with(&strict, &path, &commune(&strict, "07273"), &dossier_report([0, 10, 0, 8, 0, 0, 2, 0]), &[]).await;
        let p = problem(&r, 422, &may);
        assert_eq!(p["type"], "urn:cchc:problem:validation-failed");
        assert_eq!(p["detail"], "1 error(s) in the report: carry_over_mismatch; nothing was stored");
        assert_eq!(r.findings("errors"), vec![finding("carry_over_mismatch", &carry)]);
        assert_eq!(r.body["errors"][0]["severity"], "error");
    }
    problem(&strict.get(&may, &strict.admin()).await, 404, &may);
    let r = strict.file("07273", "2024-05", &dossier_report([3, 10, 0, 8, 3, 0, 2, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]));
    drop(strict);
    drop(app);
}

/// One month of a steady commune: 2 carried over and 2 left pending every month, 30 resolved
/// on time, the rest of what came in online resolved early.
fn steady(online: i64) -> Value {
    dossier_report([2, online, 0, online - 30, 30, 0, 2, 0])
}

async fn a_figure_far_from_the_communes_own_past_is_an_outlier(app: TestApp) {
    app.seed_units().await;
    let own = commune(&app, "07273");
    let online = [100, 110, 95, 105, 98, 102, 107];
    let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"];
    let outliers =
        vec![finding("outlier", &["dossiers_received_online"]), finding("outlier", &["dossiers_resolved_early"])];
    let dry = |month: &str| format!("{}?dry_run=true", report_path("07273", month));

    // Five months are too few to judge.
    for (month, n) in months.iter().zip(online).take(5) {
        let r = app.file("07273", month, &steady(n)).await;
        assert_eq!(r.status, 201, "{month}: {}", r.text);
        assert_eq!(r.body["findings"], json!([]), "{month}: consistent, chained months: {}", r.text);
    }
    let r = app.put(&dry("2024-06"), &own, &steady(1000)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]), "five months of history say nothing yet");

    // A sixth month as a draft is no history either.
    let r = app.put(&format!("{}?draft=true", report_path("07273", "2024-06")), &own, &steady(online[5])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app.put(&dry("2024-07"), &own, &steady(1000)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]), "a draft is not history");
    // Submitted, it makes six: enough.
    assert_acted(&act(&app, &own, "07273", "2024-06", "submit", None).await, "07273", "2024-06", "submitted", 2);
    let r = app.put(&dry("2024-07"), &own, &steady(1000)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.findings("findings"), outliers);

    let r = app.file("07273", "2024-07", &steady(online[6])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["findings"], json!([]));

    // August: ten times the usual intake (identities kept) is an outlier, stored as a warning.
    let r = app.file("07273", "2024-08", &steady(1000)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.findings("findings"), outliers);
    let f = &r.body["findings"][0];
    assert_eq!(f["severity"], "warning");
    // Past online: median 102, MAD 4 → scale 5.93; (1000 − 102) / 5.93 = 151.4; 102 ± 3.5 × 5.93.
    assert_eq!(
        f["message_en"],
        "`dossiers_received_online` = 1000 is far from this commune's own past months (expected 82–122; modified z-score 151.4)"
    );
    assert_eq!(
        r.body["findings"][1]["message_en"],
        "`dossiers_resolved_early` = 970 is far from this commune's own past months (expected 52–92; modified z-score 151.4)"
    );
    assert_eq!(stored(&app, "07273", "2024-08").await.findings("findings"), outliers);

    // A usual month is no outlier; a fall as steep as the rise is.
    let r = app.file("07273", "2024-08", &steady(104)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["findings"], json!([]));
    let r = app.put(&dry("2024-08"), &own, &steady(40)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.findings("findings"), outliers);
    assert!(r.body["findings"][0]["message_en"].as_str().unwrap().contains("modified z-score -10.5"), "{}", r.text);
}

// ---------------------------------------------------------------------------------------------
// Concurrency

async fn forty_concurrent_writers_get_one_revision_each(app: TestApp) {
    app.seed_units().await;
    let own = commune(&app, "07273");
    let admin = app.admin();
    let writes = (0..40i64).map(|i| {
        let token = if i % 2 == 0 { own.clone() } else { admin.clone() };
        // 100 + i online, 36 resolved on time, overdue or pending: the rest resolved early.
        let body = seed_with(json!({"dossiers_received_online": 100 + i, "dossiers_resolved_early": 64 + i}));
        let req =
            app.client.put(app.url(SEED)).bearer_auth(token).header("x-request-id", format!("writer-{i}")).json(&body);
        async move { (i, Reply::from(req.send().await.expect("the server answers")).await) }
    });
    let replies = join_all(writes).await;

    let statuses: Vec<u16> = replies.iter().map(|(_, r)| r.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "every concurrent write is acknowledged: {statuses:?}\n{}",
        replies
            .iter()
            .filter(|(_, r)| !r.status.is_success())
            .map(|(i, r)| format!("writer-{i}: {}", r.text))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "one creation: {statuses:?}");
    // writer → revision, from what each was told.
    let mut by_revision = std::collections::BTreeMap::new();
    for (i, r) in &replies {
        let rev = r.body["revision"].as_i64().unwrap_or_else(|| panic!("writer-{i}: {}", r.text));
        assert_eq!(r.header("x-request-id"), Some(format!("writer-{i}").as_str()));
        assert_eq!(r.header("etag"), Some(etag("07273", "2024-06", rev).as_str()));
        assert_eq!(r.body["values"]["dossiers_received_online"], 100 + i, "writer-{i} is told its own form");
        assert_eq!(r.body["status"], "submitted");
        if r.status == 201 {
            assert_eq!(rev, 1, "the creation is revision 1");
        }
        assert!(by_revision.insert(rev, *i).is_none(), "revision {rev} was acknowledged twice");
    }
    assert_eq!(
        by_revision.keys().copied().collect::<Vec<_>>(),
        (1..=40).collect::<Vec<_>>(),
        "revisions 1..=40, no gaps"
    );

    // The history holds exactly the acknowledged writes, each as its writer sent it.
    let revs = revisions(&app, "07273", "2024-06").await;
    assert_eq!(revs.len(), 40);
    for r in &revs {
        let rev = r["revision"].as_i64().unwrap();
        let i = by_revision[&rev];
        assert_eq!(r["values"]["dossiers_received_online"], 100 + i, "revision {rev}");
        assert_eq!(r["values"]["dossiers_resolved_early"], 64 + i, "revision {rev}");
        assert_eq!(r["request_id"], format!("writer-{i}"), "revision {rev}");
        assert_eq!(r["actor"], if i % 2 == 0 { "test-commune" } else { "test-admin" });
        assert_eq!(r["action"], "submit");
    }
    // Paged one at a time, each revision once.
    assert_eq!(all_pages(&app, &format!("{SEED}/revisions"), &admin, 1).await, revs);

    // What is stored is the write that got the last revision.
    let last = by_revision[&40];
    let g = stored(&app, "07273", "2024-06").await;
    assert_eq!(g.body["revision"], 40);
    assert_eq!(g.header("etag"), Some(etag("07273", "2024-06", 40).as_str()));
    assert_eq!(g.body["values"]["dossiers_received_online"], 100 + last);
    assert_eq!(g.body["values"]["dossiers_resolved_early"], 64 + last);
    let winner = &replies.iter().find(|(i, _)| *i == last).unwrap().1;
    assert_eq!(g.body["values"], winner.body["values"]);
    assert_eq!(g.body["updated_by"], winner.body["updated_by"]);

    // One audit entry per acknowledged write, naming its request and revision.
    let entries = report_audit(&app).await;
    assert_eq!(entries.len(), 40);
    for e in &entries {
        let rev = e["details"]["revision"].as_i64().unwrap();
        assert_eq!(e["request_id"], format!("writer-{}", by_revision[&rev]));
        assert_eq!(e["action"], "report.submit");
    }
}

async fn concurrent_writers_with_one_if_match_let_exactly_one_through(app: TestApp) {
    app.seed_units().await;
    file_seed(&app, "2024-06").await;
    let own = commune(&app, "07273");

    let writes = (0..10i64).map(|i| {
        let body = seed_with(json!({"dossiers_received_online": 100 + i, "dossiers_resolved_early": 64 + i}));
        let req = app.client.put(app.url(SEED)).bearer_auth(&own).header(IF_MATCH, SEED_ETAG).json(&body);
        async move { (i, Reply::from(req.send().await.expect("the server answers")).await) }
    });
    let replies = join_all(writes).await;
    let ok: Vec<&(i64, Reply)> = replies.iter().filter(|(_, r)| r.status == 200).collect();
    let statuses: Vec<u16> = replies.iter().map(|(_, r)| r.status.as_u16()).collect();
    assert_eq!(ok.len(), 1, "exactly one write wins: {statuses:?}");
    for (_, r) in replies.iter().filter(|(_, r)| r.status != 200) {
        let p = problem(r, 412, SEED);
        assert!(p["detail"].as_str().unwrap().contains("revision 2"), "{}", r.text);
    }
    let (winner, won) = ok[0];
    assert_eq!(won.body["revision"], 2);
    let g = stored(&app, "07273", "2024-06").await;
    assert_eq!(g.body["revision"], 2);
    assert_eq!(g.body["values"]["dossiers_received_online"], 100 + winner);
    assert_eq!(revisions(&app, "07273", "2024-06").await.len(), 2);

    // The same for actions: ten approvals on the same tag, one goes through.
    let current = etag("07273", "2024-06", 2);
    let yen_the = district(&app, "215");
    let approvals = (0..10).map(|_| {
        let req = app
            .client
            .post(app.url(&action_path("07273", "2024-06", "approve")))
            .bearer_auth(&yen_the)
            .header(IF_MATCH, current.as_str());
        async move { Reply::from(req.send().await.expect("the server answers")).await }
    });
    let replies = join_all(approvals).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 9, "{statuses:?}");

    // Without a tag, ten reopenings of the same locked report: one goes through, the others
    // find it already reopened.
    let reopenings = (0..10).map(|i| {
        let req = app
            .client
            .post(app.url(&action_path("07273", "2024-06", "reopen")))
            .bearer_auth(&yen_the)
            .json(&json!({"reason": format!("Mở lại {i}")}));
        async move { Reply::from(req.send().await.expect("the server answers")).await }
    });
    let replies = join_all(reopenings).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    for r in replies.iter().filter(|r| r.status != 200) {
        let p = problem(r, 409, &action_path("07273", "2024-06", "reopen"));
        assert!(p["detail"].as_str().unwrap().contains("but this one is submitted"), "{}", r.text);
    }
    let revs = revisions(&app, "07273", "2024-06").await;
    let actions: Vec<&str> = revs.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submit", "submit", "approve", "reopen"]);
    assert_eq!(report_audit(&app).await.len(), 4);
}

// ---------------------------------------------------------------------------------------------
// The audit log

async fn the_audit_log_records_every_workflow_write(app: TestApp) {
    app.seed_units().await;
    app.create_unit("01", "Thành phố Hà Nội", None).await;
    app.create_unit("001", "Quận Ba Đình", Some("01")).await;
    app.create_unit("00001", "Phường Phúc Xá", Some("001")).await;
    let own = commune(&app, "07273");
    let yen_the = district(&app, "215");
    let bac_giang = province(&app, "24");
    let admin = app.admin();
    let id = |n: u32| format!("test-req-{n}");

    // Seven writes, each with its own request id, echoed in the response.
    let steps: Vec<Reply> = vec![
        put_with(&app, &format!("{SEED}?draft=true"), &own, &seed_body(), &[("x-request-id", &id(1))]).await,
        act_with(&app, &own, "07273", "2024-06", "submit", None, &[("x-request-id", &id(2))]).await,
        act_with(&app, &yen_the, "07273", "2024-06", "return", Some("Thiếu số liệu"), &[("x-request-id", &id(3))])
            .await,
        put_with(&app, SEED, &admin, &seed_with(json!({"computers": 21})), &[("x-request-id", &id(4))]).await,
        act_with(&app, &bac_giang, "07273", "2024-06", "approve", None, &[("x-request-id", &id(5))]).await,
        act_with(&app, &yen_the, "07273", "2024-06", "reopen", Some("Mở lại"), &[("x-request-id", &id(6))]).await,
    ];
    for (n, r) in steps.iter().enumerate() {
        assert!(r.status.is_success(), "step {}: {}", n + 1, r.text);
        assert_eq!(r.header("x-request-id"), Some(id(n as u32 + 1).as_str()));
    }
    // Writes that change nothing, or are refused, leave no entry.
    let quiet: Vec<(Reply, u16)> = vec![
        (
            put_with(&app, SEED, &own, &seed_with(json!({"computers": 21})), &[("x-request-id", "test-req-7")]).await,
            200,
        ),
        (
            put_with(&app, &format!("{SEED}?dry_run=true"), &own, &seed_body(), &[("x-request-id", "test-req-8")])
                .await,
            200,
        ),
        (
            act_with(
                &app,
                &district(&app, "216"),
                "07273",
                "2024-06",
                "approve",
                None,
                &[("x-request-id", "test-req-9")],
            )
            .await,
            403,
        ),
        (
            act_with(&app, &yen_the, "07273", "2024-06", "reopen", Some("x"), &[("x-request-id", "test-req-10")]).await,
            409,
        ),
        (
            act_with(
                &app,
                &yen_the,
                "07273",
                "2024-06",
                "approve",
                None,
                &[("x-request-id", "test-req-11"), ("if-match", SEED_ETAG)],
            )
            .await,
            412,
        ),
        (
            put_with(&app, SEED, &own, &json!({"values": {"computers": -1}}), &[("x-request-id", "test-req-12")]).await,
            422,
        ),
    ];
    for (r, status) in &quiet {
        assert_eq!(r.status.as_u16(), *status, "{}", r.text);
    }
    assert_eq!(quiet[0].0.body["revision"], 6, "an identical form is no change");
    // A report in another province.
    let phuc_xa = put_with(
        &app,
        &report_path("00001", "2024-06"),
        &commune(&app, "00001"),
        &dossier_report([0, 4, 0, 4, 0, 0, 0, 0]),
        &[("x-request-id", "test-req-13")],
    )
    .await;
    assert_eq!(phuc_xa.status, 201, "{}", phuc_xa.text);

    // Newest first, every field.
    let entries = report_audit(&app).await;
    let target = "07273/2024-06";
    let expected = vec![
        (
            "test-commune",
            "commune",
            json!("00001"),
            "report.submit",
            "00001/2024-06",
            "01",
            json!({"status": "submitted", "revision": 1}),
            "test-req-13",
        ),
        (
            "test-district",
            "district",
            json!("215"),
            "report.reopen",
            target,
            "24",
            json!({"from": "locked", "to": "submitted", "reason": "Mở lại", "revision": 6}),
            "test-req-6",
        ),
        (
            "test-province",
            "province",
            json!("24"),
            "report.approve",
            target,
            "24",
            json!({"from": "submitted", "to": "approved", "reason": null, "revision": 5}),
            "test-req-5",
        ),
        (
            "test-admin",
            "admin",
            Value::Null,
            "report.submit",
            target,
            "24",
            json!({"status": "submitted", "revision": 4}),
            "test-req-4",
        ),
        (
            "test-district",
            "district",
            json!("215"),
            "report.return",
            target,
            "24",
            json!({"from": "submitted", "to": "returned", "reason": "Thiếu số liệu", "revision": 3}),
            "test-req-3",
        ),
        (
            "test-commune",
            "commune",
            json!("07273"),
            "report.submit",
            target,
            "24",
            json!({"from": "draft", "to": "submitted", "reason": null, "revision": 2}),
            "test-req-2",
        ),
        (
            "test-commune",
            "commune",
            json!("07273"),
            "report.save_draft",
            target,
            "24",
            json!({"status": "draft", "revision": 1}),
            "test-req-1",
        ),
    ];
    assert_eq!(entries.len(), expected.len(), "{entries:#?}");
    for (e, (actor, role, unit, action, tgt, prov, details, req)) in entries.iter().zip(&expected) {
        assert_eq!(e["actor"], *actor, "{e}");
        assert_eq!(e["actor_role"], *role, "{e}");
        assert_eq!(e["actor_unit"], *unit, "{e}");
        assert_eq!(e["action"], *action, "{e}");
        assert_eq!(e["target_type"], "report", "{e}");
        assert_eq!(e["target"], *tgt, "{e}");
        assert_eq!(e["province_code"], *prov, "{e}");
        assert_eq!(e["details"], *details, "{e}");
        assert_eq!(e["request_id"], *req, "{e}");
        assert!(e["at"].as_str().unwrap().ends_with("+07:00"), "{e}");
    }
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    // The revisions name the same requests.
    let revs = revisions(&app, "07273", "2024-06").await;
    let rev_ids: Vec<&str> = revs.iter().map(|r| r["request_id"].as_str().unwrap()).collect();
    assert_eq!(rev_ids, ["test-req-1", "test-req-2", "test-req-3", "test-req-4", "test-req-5", "test-req-6"]);

    // Filters.
    let query = |q: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = audit(app, &admin, &q).await;
            assert_eq!(r.status, 200, "{q:?}: {}", r.text);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["request_id"].as_str().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let s = |v: &str| v.to_owned();
    assert_eq!(query(vec![("action", s("report.approve"))]).await, ["test-req-5"]);
    assert_eq!(query(vec![("action", s("report.submit"))]).await, ["test-req-13", "test-req-4", "test-req-2"]);
    let all_reports: Vec<String> = entries.iter().map(|e| e["request_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(query(vec![("action", s("report."))]).await, all_reports);
    assert_eq!(query(vec![("action", s("report"))]).await, Vec::<String>::new(), "exact unless it ends with a dot");
    assert_eq!(query(vec![("action", s("report.sub"))]).await, Vec::<String>::new());
    let ours = &all_reports[1..];
    assert_eq!(query(vec![("target", s(target))]).await, ours);
    assert_eq!(query(vec![("target", s("07273/"))]).await, ours);
    assert_eq!(query(vec![("target", s("07273/2024"))]).await, Vec::<String>::new());
    assert_eq!(query(vec![("target", s("07273")), ("target_type", s("report"))]).await, Vec::<String>::new());
    assert_eq!(query(vec![("target", s("00001/")), ("target_type", s("report"))]).await, ["test-req-13"]);
    assert_eq!(query(vec![("actor", s("test-district"))]).await, ["test-req-6", "test-req-3"]);
    assert_eq!(query(vec![("actor", s("test-province")), ("action", s("report."))]).await, ["test-req-5"]);
    assert_eq!(query(vec![("target_type", s("user"))]).await, Vec::<String>::new());
    // From and to, inclusive, in any offset.
    let at = |e: &Value| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap();
    let pivot = at(&entries[3]);
    let from: Vec<String> =
        entries.iter().filter(|e| at(e) >= pivot).map(|e| e["request_id"].as_str().unwrap().to_owned()).collect();
    let to: Vec<String> =
        entries.iter().filter(|e| at(e) <= pivot).map(|e| e["request_id"].as_str().unwrap().to_owned()).collect();
    assert!(from.contains(&s("test-req-4")) && to.contains(&s("test-req-4")));
    let report = || ("target_type", s("report"));
    assert_eq!(query(vec![report(), ("from", pivot.to_rfc3339())]).await, from);
    assert_eq!(query(vec![report(), ("to", pivot.to_rfc3339())]).await, to);
    assert_eq!(query(vec![report(), ("from", pivot.to_utc().to_rfc3339())]).await, from, "UTC is the same instant");
    assert_eq!(query(vec![report(), ("from", pivot.to_rfc3339()), ("to", pivot.to_rfc3339())]).await, ["test-req-4"]);
    assert_eq!(query(vec![report(), ("from", s("2099-01-01T00:00:00Z"))]).await, Vec::<String>::new());
    assert_eq!(query(vec![report(), ("to", s("2000-01-01T00:00:00+07:00"))]).await, Vec::<String>::new());
    // Paged newest first, each entry once.
    let paged = all_pages(&app, "/api/v1/audit?target_type=report", &admin, 2).await;
    assert_eq!(paged, entries);
    for bad in [vec![("from", "yesterday")], vec![("limit", "0")], vec![("cursor", "nonsense")]] {
        let r = audit(&app, &admin, &bad).await;
        problem(&r, 400, "/api/v1/audit");
    }

    // A province sees its own province's entries only.
    let r = audit(&app, &bac_giang, &[("target_type", "report")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().as_slice(), &entries[1..]);
    let r = audit(&app, &bac_giang, &[("limit", "1000")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    assert!(items.len() > 6);
    assert!(items.iter().all(|e| e["province_code"] == "24"), "{}", r.text);
    let r = audit(&app, &province(&app, "01"), &[("target_type", "report")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().as_slice(), &entries[..1]);
    // Districts and communes do not read it; nobody without a token.
    for token in [yen_the, own, commune(&app, "00001")] {
        let r = audit(&app, &token, &[]).await;
        let p = problem(&r, 403, "/api/v1/audit");
        assert_eq!(p["type"], "urn:cchc:problem:role-not-allowed");
    }
    problem(&app.request(Method::GET, "/api/v1/audit", None, None).await, 401, "/api/v1/audit");

    // A request id the server will not take is replaced by one of its own, and that is recorded.
    let r = act_with(&app, &admin, "07273", "2024-06", "approve", None, &[("x-request-id", "not an id!")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let given = r.header("x-request-id").unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&given).is_ok(), "{given}");
    let newest = &report_audit(&app).await[0];
    assert_eq!(newest["request_id"], json!(given));
    assert_eq!(newest["action"], "report.approve");
}

backend_tests!(
    an_identical_resubmission_refreshes_stale_findings,
    an_approval_keeps_the_review_note,
    a_report_goes_through_every_state,
    a_returned_report_is_resubmitted_by_the_submit_action,
    approved_reports_of_a_closed_month_are_locked_until_reopened,
    an_approved_report_locks_the_day_after_its_period_closes,
    actions_from_the_wrong_state_are_conflicts,
    who_may_take_each_action,
    action_requests_are_checked_before_anything_happens,
    a_stale_if_match_refuses_an_action,
    a_dry_run_stores_nothing,
    drafts_and_returned_reports_are_not_counted,
    revisions_and_changes_page_one_at_a_time,
    the_history_of_a_draft_is_the_communes_own,
    carry_over_is_checked_against_last_months_counted_report,
    carry_over_can_be_configured_as_an_error,
    a_figure_far_from_the_communes_own_past_is_an_outlier,
    forty_concurrent_writers_get_one_revision_each,
    concurrent_writers_with_one_if_match_let_exactly_one_through,
    the_audit_log_records_every_workflow_write,
);

// ---------------------------------------------------------------------------------------------
async fn an_identical_resubmission_refreshes_stale_findings(app: TestApp) {
    app.seed_units().await;
    let own = commune(&app, "07273");
    let may = dossier_report([0, 10, 0, 8, 0, 0, 2, 0]);
    assert_eq!(app.file("07273", "2024-04", &dossier_report([0, 10, 0, 5, 2, 0, 2, 1])).await.status, 201);
    let r = app.file("07273", "2024-05", &may).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.findings("findings").len(), 1, "May: carried 0, April left 3 pending");
    // April is corrected: nothing left pending, so May's carry-over of 0 is now right.
    let r = app.file("07273", "2024-04", &dossier_report([0, 10, 0, 5, 5, 0, 0, 0])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let dry = app.put(&format!("{}?dry_run=true", report_path("07273", "2024-05")), &own, &may).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["findings"], json!([]), "the dry run finds nothing wrong");
    // The same form, for real: it must answer (and store) what the dry run found.
    let r = app.file("07273", "2024-05", &may).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["findings"], dry.body["findings"], "the PUT answers a stale warning");
    assert_eq!(stored(&app, "07273", "2024-05").await.body["findings"], json!([]), "GET shows a stale warning");
}

async fn an_approval_keeps_the_review_note(app: TestApp) {
    app.seed_units().await;
    let month = this_month();
    let r = app.file("07273", &month, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let yen_the = district(&app, "215");
    let r = act(&app, &yen_the, "07273", &month, "return", Some("Thiếu số liệu")).await;
    assert_acted(&r, "07273", &month, "returned", 2);
    let r = act(&app, &commune(&app, "07273"), "07273", &month, "submit", None).await;
    assert_acted(&r, "07273", &month, "submitted", 3);
    assert_eq!(r.body["review_note"], "Thiếu số liệu");
    let r = act(&app, &yen_the, "07273", &month, "approve", None).await;
    assert_acted(&r, "07273", &month, "approved", 4);
    assert_eq!(r.body["review_note"], "Thiếu số liệu", "the last return's reason (actual: null)");
    let r = act(&app, &yen_the, "07273", &month, "reopen", Some("Sai số máy tính")).await;
    assert_acted(&r, "07273", &month, "submitted", 5);
    let r = act(&app, &yen_the, "07273", &month, "approve", Some("Đồng ý")).await;
    assert_acted(&r, "07273", &month, "approved", 6);
    assert_eq!(r.body["review_note"], "Sai số máy tính", "the last reopening's reason (actual: the approval's)");
}
