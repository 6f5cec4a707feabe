//! `PUT`/`GET /api/v1/communes/{code}/reports/{period}`: filing the seed report, the dossier
//! identities, replace semantics, idempotency, drafts, `If-Match`, and every way a request is
//! refused — always as a problem document, and never with anything stored.

use cchc_domain::{Month, Role};
use cchc_tests::{DOSSIER_PARTS, Reply, TestApp, backend_tests, finding, report_path, seed_body, seed_with};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, IF_MATCH};
use serde_json::{Value, json};

const SEED: &str = "/api/v1/communes/07273/reports/2024-06";
const SEED_ETAG: &str = "\"07273-2024-06-r1\"";
const MIB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers

fn commune(app: &TestApp, code: &str) -> String {
    app.token(Role::Commune, Some(code))
}

fn sorted(mut v: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    v.sort();
    v
}

/// A `PUT` of raw bytes with the given content type (none when `None`).
async fn put_raw(app: &TestApp, path: &str, token: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = app.client.put(app.url(path)).bearer_auth(token).body(body);
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    Reply::from(req.send().await.expect("the server answers")).await
}

/// A JSON `PUT` sent with `Transfer-Encoding: chunked` (no `Content-Length`), over a plain
/// socket: the client has no streaming bodies. Sending stops quietly if the server hangs up.
async fn put_chunked(app: &TestApp, path: &str, token: &str, chunks: Vec<Vec<u8>>) -> Reply {
    use std::io::{Read, Write};
    let addr = app.address.trim_start_matches("http://").to_owned();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let raw = actix_web::rt::task::spawn_blocking(move || {
        let stream = std::net::TcpStream::connect(&addr).expect("a connection");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let sender = std::thread::spawn(move || -> std::io::Result<()> {
            writer.write_all(head.as_bytes())?;
            for chunk in chunks {
                writer.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                writer.write_all(&chunk)?;
                writer.write_all(b"\r\n")?;
            }
            writer.write_all(b"0\r\n\r\n")
        });
        let mut raw = Vec::new();
        let mut reader = stream;
        let mut buf = [0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                Err(e) if raw.is_empty() => panic!("no response: {e}"),
                Err(_) => break,
            }
        }
        let _ = sender.join();
        raw
    })
    .await
    .expect("the request thread finishes");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("not an HTTP response: {text}"));
    let mut lines = head.split("\r\n");
    let code: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).expect("a status line");
    let mut headers = reqwest::header::HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').expect("a header line");
        headers.append(
            reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            reqwest::header::HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    assert!(headers.get("transfer-encoding").is_none(), "a problem body has a length: {head}");
    Reply {
        status: reqwest::StatusCode::from_u16(code).unwrap(),
        headers,
        body: serde_json::from_str(body).unwrap_or(Value::Null),
        text: body.to_owned(),
    }
}

/// A JSON `PUT` with an `If-Match` header.
async fn put_if_match(app: &TestApp, path: &str, token: &str, if_match: &str, body: &Value) -> Reply {
    let req = app.client.put(app.url(path)).bearer_auth(token).header(IF_MATCH, if_match).json(body);
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

/// Files the seed report (revision 1) and returns what a `GET` then shows.
async fn file_seed(app: &TestApp) -> Value {
    app.seed_units().await;
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let g = app.get(SEED, &commune(app, "07273")).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.body["revision"], 1);
    g.body
}

/// The findings of severity `severity` in a problem's `errors` (which holds every finding).
fn of_severity(r: &Reply, severity: &str) -> Vec<(String, Vec<String>)> {
    let all = r.findings("errors");
    let severities = r.body["errors"].as_array().cloned().unwrap_or_default();
    all.into_iter().zip(severities).filter(|(_, f)| f["severity"] == severity).map(|(x, _)| x).collect()
}

/// `PUT`s `body` over the stored seed report, asserts a 422 whose errors are exactly
/// `expected` (code and indicators, in order; warnings may come along), and that the stored
/// report is still `before`.
async fn assert_refused(app: &TestApp, before: &Value, body: &Value, expected: &[(&str, &[&str])]) -> Reply {
    let r = app.file("07273", "2024-06", body).await;
    let p = problem(&r, 422, SEED);
    assert_eq!(p["type"], "urn:cchc:problem:validation-failed");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.starts_with(&format!("{} error(s)", expected.len())), "{}", r.text);
    assert!(detail.ends_with("nothing was stored"), "{}", r.text);
    let want: Vec<_> = expected.iter().map(|(c, i)| finding(c, i)).collect();
    assert_eq!(of_severity(&r, "error"), want, "{}", r.text);
    let n = r.body["errors"].as_array().unwrap().len();
    assert_eq!(n, want.len() + of_severity(&r, "warning").len(), "errors and warnings only: {}", r.text);
    assert_unchanged(app, before).await;
    r
}

/// The stored seed report is exactly `before`: same revision, values, narrative, everything.
async fn assert_unchanged(app: &TestApp, before: &Value) {
    let g = app.get(SEED, &commune(app, "07273")).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.body["revision"], before["revision"]);
    assert_eq!(g.body["values"], before["values"]);
    assert_eq!(&g.body, before, "the stored report changed");
    let etag = format!("\"07273-2024-06-r{}\"", before["revision"]);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
}

// ---------------------------------------------------------------------------------------------
// The seed report

async fn seed_report_is_filed_with_its_derived_figures(app: TestApp) {
    app.seed_units().await;
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some(SEED));
    assert_eq!(r.header("etag"), Some(SEED_ETAG));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = &r.body;
    assert_eq!(b["unit_code"], "07273");
    assert_eq!(b["unit_name"], "Xã Đông Sơn");
    assert_eq!(b["period"], "2024-06");
    assert_eq!(b["status"], "submitted");
    assert_eq!(b["revision"], 1);
    assert_eq!(b["updated_by"], "test-commune");
    assert_eq!(b["due_date"], "2024-06-17");
    assert_eq!(b["on_time"], false, "filed long after 17 June 2024");
    assert!(b["submitted_at"].is_string(), "{}", r.text);
    assert!(b["created_at"].as_str().unwrap().ends_with("+07:00"), "Vietnam time: {}", b["created_at"]);

    // 41 values sent, two of them null: 39 reported.
    let values = b["values"].as_object().unwrap();
    assert_eq!(values.len(), 39);
    assert!(!values.contains_key("legal_documents_issued"), "null is not reported");
    assert!(!values.contains_key("satisfaction_rate"), "the report gives no satisfaction rate");
    assert_eq!(values["complaints_received"], 0, "no complaints, as the report says");
    assert_eq!(values["complaints_resolved"], 0);
    assert_eq!(values["dossiers_received_online"], 168);
    assert_eq!(values["dossiers_resolved_early"], 132);
    assert_eq!(values["dossiers_received_direct"], 0, "zero is a figure");
    assert_eq!(values["one_stop_allowance_vnd"], 250000);
    assert_eq!(values["iso_9001_applied"], true);
    assert_eq!(values["edocs_outgoing_rate"], json!(80.0), "percents are numbers");
    assert_eq!(b["narrative"], seed_body()["narrative"]);

    let d = &b["derived"];
    assert_eq!(d["resolved_on_time_rate"], json!(99.4));
    assert_eq!(d["online_rate"], json!(100.0));
    assert_eq!(d["dossiers_received_total"], json!(168));
    assert_eq!(d["dossiers_resolved_total"], json!(166));
    assert_eq!(d["dossiers_pending_total"], json!(2));
    assert_eq!(d["dossiers_received_new"], json!(168));
    assert_eq!(d["progress_rate"], json!(99.4), "(132 + 33 + 2) / 168");
    assert_eq!(d["civil_servants_standard_rate"], json!(100.0));
    // 10 graduates among the 20 staff (cán bộ, công chức, viên chức), not 10 / 9 = 111.11 %.
    assert_eq!(d["civil_servants_university_rate"], json!(50.0));
    assert_eq!(d["civil_servants_political_theory_rate"], json!(77.78), "7 of the 9 civil servants");
    assert_eq!(d["computers_per_staff"], json!(1.0), "20 computers for 20 staff");

    // Nothing in it contradicts anything any more: no findings.
    assert_eq!(b["findings"], json!([]));
}

async fn seed_report_reads_back_for_commune_district_and_province(app: TestApp) {
    app.seed_units().await;
    let put = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(put.status, 201, "{}", put.text);

    let mut bodies = Vec::new();
    for (role, unit) in [(Role::Commune, "07273"), (Role::District, "215"), (Role::Province, "24")] {
        let g = app.get(SEED, &app.token(role, Some(unit))).await;
        assert_eq!(g.status, 200, "{role} {unit}: {}", g.text);
        assert_eq!(g.header("etag"), Some(SEED_ETAG));
        assert_eq!(g.header("content-type"), Some("application/json"));
        bodies.push(g.body);
    }
    let admin = app.get(SEED, &app.admin()).await;
    assert_eq!(admin.status, 200, "{}", admin.text);
    bodies.push(admin.body);
    assert!(bodies.iter().all(|b| b == &bodies[0]), "every reader sees the same report");

    // What GET shows is what PUT answered.
    let got = &bodies[0];
    for key in ["unit_code", "unit_name", "period", "status", "revision", "values", "narrative", "derived"] {
        assert_eq!(got[key], put.body[key], "{key}");
    }
    for key in ["findings", "updated_by", "due_date", "on_time"] {
        assert_eq!(got[key], put.body[key], "{key}");
    }
    // Timestamps agree to the microsecond. (On PostgreSQL the PUT answer carries nanoseconds the
    // TIMESTAMP column does not keep, so the strings differ there: a known defect, reported.)
    for key in ["created_at", "updated_at", "submitted_at"] {
        let micros = |v: &Value| {
            chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{key}: {v}")))
                .unwrap()
                .timestamp_micros()
        };
        assert_eq!(micros(&got[key]), micros(&put.body[key]), "{key}");
    }
    assert_eq!(got["derived"]["resolved_on_time_rate"], json!(99.4));
    assert_eq!(got["values"].as_object().unwrap().len(), 39);
}

// ---------------------------------------------------------------------------------------------
// Revisions: idempotency, changes, replace semantics

async fn identical_resubmission_keeps_the_revision(app: TestApp) {
    let before = file_seed(&app).await;
    let again = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("location"), None, "only a creation has a Location");
    assert_eq!(again.header("etag"), Some(SEED_ETAG));
    assert_eq!(again.body["revision"], 1);
    assert_eq!(again.body, before, "an identical resubmission answers the stored report as it was");

    // The same figures spelled differently are the same form: 168.0 is 168, null is absence.
    let respelled = seed_with(json!({"dossiers_received_online": 168.0}));
    let mut respelled_no_null = respelled.clone();
    respelled_no_null["values"].as_object_mut().unwrap().remove("legal_documents_issued");
    for body in [respelled, respelled_no_null] {
        let r = app.file("07273", "2024-06", &body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["revision"], 1);
        assert_eq!(r.header("etag"), Some(SEED_ETAG));
    }
    assert_unchanged(&app, &before).await;
}

async fn a_real_change_increments_the_revision(app: TestApp) {
    let before = file_seed(&app).await;
    let changed = seed_with(json!({"computers": 21}));
    let r = app.file("07273", "2024-06", &changed).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.header("etag"), Some("\"07273-2024-06-r2\""));
    assert_eq!(r.body["values"]["computers"], 21);
    assert_eq!(r.body["created_at"], before["created_at"], "the report was created once");
    assert_eq!(r.body["submitted_at"], before["submitted_at"], "first submission is what timeliness is judged by");

    // Sending the changed form again is no change.
    let again = app.file("07273", "2024-06", &changed).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["revision"], 2);

    // A narrative edit alone is a change too.
    let mut narrative_edit = changed.clone();
    narrative_edit["narrative"]["causes"] = json!("Nguyên nhân: đã sửa.");
    let r3 = app.file("07273", "2024-06", &narrative_edit).await;
    assert_eq!(r3.status, 200, "{}", r3.text);
    assert_eq!(r3.body["revision"], 3);
    assert_eq!(r3.body["narrative"]["causes"], "Nguyên nhân: đã sửa.");

    let g = app.get(SEED, &commune(&app, "07273")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["revision"], 3);
    assert_eq!(g.header("etag"), Some("\"07273-2024-06-r3\""));
    assert_eq!(g.body["values"]["computers"], 21);
}

async fn put_replaces_the_whole_form(app: TestApp) {
    file_seed(&app).await;

    // Drop two figures and the university count, keep one section.
    let mut body = seed_with(
        json!({"one_stop_allowance_vnd": null, "training_courses_attended": null, "civil_servants_university_degree": null}),
    );
    let results = body["narrative"]["results"].clone();
    body["narrative"] = json!({"results": results});
    let r = app.file("07273", "2024-06", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    let values = r.body["values"].as_object().unwrap();
    assert_eq!(values.len(), 36);
    for gone in ["one_stop_allowance_vnd", "training_courses_attended", "civil_servants_university_degree"] {
        assert!(!values.contains_key(gone), "{gone} was not in the new form");
    }
    assert_eq!(r.body["narrative"], json!({"results": results}));
    assert_eq!(r.body["findings"], json!([]));
    assert_eq!(r.body["derived"]["civil_servants_university_rate"], Value::Null);
    assert_eq!(r.body["derived"]["resolved_on_time_rate"], json!(99.4));

    // A submission carries every Biểu 06 figure: one dropped is refused, and nothing is stored.
    let r = app.file("07273", "2024-06", &seed_with(json!({"dossiers_received_direct": null}))).await;
    let p = problem(&r, 422, SEED);
    assert_eq!(p["type"], "urn:cchc:problem:validation-failed");
    assert_eq!(of_severity(&r, "error"), vec![finding("missing_required", &["dossiers_received_direct"])]);
    let g = app.get(SEED, &commune(&app, "07273")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["revision"], 2);
    assert_eq!(g.body["values"]["dossiers_received_direct"], 0);

    // An empty form, the body an API explorer starts from, is not a report.
    let r = app.file("07273", "2024-06", &json!({"values": {}})).await;
    problem(&r, 422, SEED);
    assert_eq!(of_severity(&r, "error"), vec![finding("missing_required", &DOSSIER_PARTS)]);
    // Kept as a draft of a commune that has not submitted, it is the commune's own.
    let r = app
        .put(
            &format!("{}?draft=true", report_path("07279", "2024-06")),
            &commune(&app, "07279"),
            &json!({"values": {}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["findings"], json!([]));
    // Submitting that draft as it stands is refused the same way.
    let submit = format!("{}/submit", report_path("07279", "2024-06"));
    let r = app.post(&submit, &commune(&app, "07279"), &json!({})).await;
    problem(&r, 422, &submit);
    assert_eq!(of_severity(&r, "error"), vec![finding("missing_required", &DOSSIER_PARTS)]);
}

// ---------------------------------------------------------------------------------------------
// Dossier identities: each broken in turn, refused with 422, nothing stored

async fn received_total_mismatch_is_refused(app: TestApp) {
    let before = file_seed(&app).await;
    // 0 + 168 + 1 ≠ 168, while 168 = 166 + 2 still holds.
    let body = seed_with(json!({"dossiers_received_total": 168, "dossiers_received_direct": 1}));
    assert_refused(
        &app,
        &before,
        &body,
        &[(
            "received_total_mismatch",
            &[
                "dossiers_received_total",
                "dossiers_carried_over",
                "dossiers_received_online",
                "dossiers_received_direct",
            ],
        )],
    )
    .await;
}

async fn resolved_total_mismatch_is_refused(app: TestApp) {
    let before = file_seed(&app).await;
    // 132 + 33 + 2 ≠ 166, while 168 = 166 + 2 still holds.
    let body = seed_with(json!({"dossiers_resolved_total": 166, "dossiers_resolved_overdue": 2}));
    let r = assert_refused(
        &app,
        &before,
        &body,
        &[(
            "resolved_total_mismatch",
            &[
                "dossiers_resolved_total",
                "dossiers_resolved_early",
                "dossiers_resolved_on_time",
                "dossiers_resolved_overdue",
            ],
        )],
    )
    .await;
    let f = &r.body["errors"][0];
    assert_eq!(f["severity"], "error");
    assert!(f["message_en"].as_str().unwrap().contains("(166)") && f["message_en"].as_str().unwrap().contains("(167)"));
}

async fn pending_total_mismatch_is_refused(app: TestApp) {
    let before = file_seed(&app).await;
    // 2 + 1 ≠ 2, while 168 = 166 + 2 still holds.
    let body = seed_with(json!({"dossiers_pending_total": 2, "dossiers_pending_overdue": 1}));
    assert_refused(
        &app,
        &before,
        &body,
        &[(
            "pending_total_mismatch",
            &["dossiers_pending_total", "dossiers_pending_within_deadline", "dossiers_pending_overdue"],
        )],
    )
    .await;
}

async fn intake_outcome_mismatch_is_refused(app: TestApp) {
    let before = file_seed(&app).await;
    // 168 received, 167 + 2 accounted for.
    let body = seed_with(json!({"dossiers_resolved_early": 133}));
    let r = assert_refused(&app, &before, &body, &[("intake_outcome_mismatch", &DOSSIER_PARTS)]).await;
    assert!(
        r.body["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("(168) must equal dossiers resolved (167) plus pending (2) = 169"),
        "{}",
        r.text
    );
    assert!(r.body["detail"].as_str().unwrap().contains("intake_outcome_mismatch"), "{}", r.text);
}

async fn a_wrong_received_total_breaks_two_identities(app: TestApp) {
    let before = file_seed(&app).await;
    // Two chairs besides: a warning, which comes back with the errors.
    let body = seed_with(json!({"dossiers_received_total": 170, "committee_chairs": 2}));
    let mut all = vec!["dossiers_received_total"];
    all.extend(DOSSIER_PARTS);
    let r = assert_refused(
        &app,
        &before,
        &body,
        &[
            (
                "received_total_mismatch",
                &[
                    "dossiers_received_total",
                    "dossiers_carried_over",
                    "dossiers_received_online",
                    "dossiers_received_direct",
                ],
            ),
            ("intake_outcome_mismatch", &all),
        ],
    )
    .await;
    assert_eq!(of_severity(&r, "warning"), vec![finding("implausible_value", &["committee_chairs"])]);
    // Officers read the form's labels, not the codes.
    let errors = r.body["errors"].as_array().expect("errors");
    let received = errors.iter().find(|e| e["code"] == "received_total_mismatch").expect("the total's finding");
    assert_eq!(
        received["message_vi"],
        "“Tổng số hồ sơ TTHC tiếp nhận” (170) phải bằng tổng các thành phần “Số hồ sơ TTHC từ kỳ trước chuyển qua” + “Số hồ sơ mới tiếp nhận trực tuyến” + “Số hồ sơ mới tiếp nhận trực tiếp và qua dịch vụ bưu chính” (168)"
    );
}

async fn partial_parts_above_a_reported_total_are_refused(app: TestApp) {
    app.seed_units().await;
    let body = json!({"values": {"dossiers_resolved_total": 10, "dossiers_resolved_early": 11}});
    let r = app.file("07273", "2024-06", &body).await;
    problem(&r, 422, SEED);
    // Every finding comes back, the warning about the missing parts too.
    let mut missing: Vec<&str> = DOSSIER_PARTS.to_vec();
    missing.retain(|p| *p != "dossiers_resolved_early");
    assert_eq!(
        r.findings("errors"),
        vec![
            finding("resolved_total_mismatch", &["dossiers_resolved_total", "dossiers_resolved_early"]),
            finding("incomplete_dossier_figures", &missing),
        ]
    );
    assert_eq!(r.body["errors"][1]["severity"], "warning");
    assert!(r.body["detail"].as_str().unwrap().starts_with("1 error(s)"), "{}", r.text);

    // A first report refused leaves no report at all.
    let g = app.get(SEED, &commune(&app, "07273")).await;
    problem(&g, 404, SEED);
}

// ---------------------------------------------------------------------------------------------
// Values that do not fit their indicator

async fn wrong_types_are_refused(app: TestApp) {
    let before = file_seed(&app).await;
    let cases: Vec<(Value, &str, Vec<&str>)> = vec![
        (json!({"values": {"dossiers_received_online": "168"}}), "wrong_type", vec!["dossiers_received_online"]),
        (json!({"values": {"iso_9001_applied": 1}}), "wrong_type", vec!["iso_9001_applied"]),
        (json!({"values": {"iso_9001_applied": "yes"}}), "wrong_type", vec!["iso_9001_applied"]),
        (json!({"values": {"computers": true}}), "wrong_type", vec!["computers"]),
        (json!({"values": {"edocs_incoming_rate": "99%"}}), "wrong_type", vec!["edocs_incoming_rate"]),
        (json!({"values": {"computers": [20]}}), "wrong_type", vec!["computers"]),
        (json!({"values": {"computers": {"n": 20}}}), "wrong_type", vec!["computers"]),
        (json!({"values": {"dossiers_received_direct": 1.5}}), "not_integer", vec!["dossiers_received_direct"]),
        (json!({"values": {"one_stop_allowance_vnd": 250000.5}}), "not_integer", vec!["one_stop_allowance_vnd"]),
    ];
    for (body, code, indicators) in cases {
        let r = assert_refused(&app, &before, &body, &[(code, &indicators)]).await;
        assert_eq!(r.body["errors"][0]["severity"], "error", "{body}");
    }

    // A narrative section must be text.
    let body = json!({"values": {}, "narrative": {"causes": 3}});
    let r = assert_refused(&app, &before, &body, &[("wrong_type", &[])]).await;
    assert_eq!(r.body["errors"][0]["path"], "/narrative/causes");
}

async fn an_integral_float_is_a_count(app: TestApp) {
    app.seed_units().await;
    let body = seed_with(json!({"dossiers_received_online": 168.0, "computers": 20.0}));
    let r = app.file("07273", "2024-06", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["values"]["dossiers_received_online"], json!(168));
    assert!(r.body["values"]["dossiers_received_online"].is_u64(), "stored as the whole number 168");
    assert_eq!(r.text.matches("168.0").count(), 0, "no float spelling in the answer");
    assert_eq!(r.body["derived"]["dossiers_received_total"], json!(168));
    assert_eq!(r.body["derived"]["resolved_on_time_rate"], json!(99.4));
    let g = app.get(SEED, &commune(&app, "07273")).await;
    assert_eq!(g.body["values"]["dossiers_received_online"], json!(168));
    assert_eq!(g.body["values"]["computers"], json!(20));
    assert!(g.body["values"]["computers"].is_u64());
}

async fn negative_values_are_refused(app: TestApp) {
    let before = file_seed(&app).await;
    for code in [
        "dossiers_received_direct",
        "computers",
        "one_stop_allowance_vnd",
        "edocs_incoming_rate",
        "one_stop_room_area_m2",
    ] {
        let body = json!({"values": {code: -1}});
        assert_refused(&app, &before, &body, &[("negative_value", &[code])]).await;
    }
    // In a full form, the negative count is refused and nothing else breaks.
    let body = seed_with(json!({"dossiers_carried_over": -2, "dossiers_received_online": 170}));
    assert_refused(&app, &before, &body, &[("negative_value", &["dossiers_carried_over"])]).await;
}

async fn a_percentage_above_100_is_refused(app: TestApp) {
    let before = file_seed(&app).await;
    assert_refused(
        &app,
        &before,
        &seed_with(json!({"edocs_incoming_rate": 130})),
        &[("out_of_range", &["edocs_incoming_rate"])],
    )
    .await;
    assert_refused(
        &app,
        &before,
        &json!({"values": {"edocs_outgoing_rate": 100.01}}),
        &[("out_of_range", &["edocs_outgoing_rate"])],
    )
    .await;

    // The bounds themselves are fine, fractional percents too.
    let r =
        app.file("07273", "2024-06", &seed_with(json!({"edocs_incoming_rate": 100, "edocs_outgoing_rate": 0}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["values"]["edocs_incoming_rate"], json!(100.0));
    assert_eq!(r.body["values"]["edocs_outgoing_rate"], json!(0.0));
    let r = app.file("07273", "2024-06", &seed_with(json!({"edocs_outgoing_rate": 80.5}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["values"]["edocs_outgoing_rate"], json!(80.5));
}

async fn unknown_indicators_and_sections_are_refused(app: TestApp) {
    let before = file_seed(&app).await;
    assert_refused(
        &app,
        &before,
        &seed_with(json!({"no_such_indicator": 5})),
        &[("unknown_indicator", &["no_such_indicator"])],
    )
    .await;
    // Even when not reported, an unknown code is an error, not silence.
    assert_refused(
        &app,
        &before,
        &json!({"values": {"dossiers_received": null}}),
        &[("unknown_indicator", &["dossiers_received"])],
    )
    .await;
    // Derived figures are computed, not reported.
    assert_refused(&app, &before, &json!({"values": {"online_rate": 100}}), &[("unknown_indicator", &["online_rate"])])
        .await;

    let mut body = seed_body();
    body["narrative"]["epilogue"] = json!("Hết.");
    let r = assert_refused(&app, &before, &body, &[("unknown_section", &[])]).await;
    assert_eq!(r.body["errors"][0]["path"], "/narrative/epilogue");
    assert!(r.body["errors"][0]["message_en"].as_str().unwrap().contains("epilogue"));
}

async fn every_value_error_is_reported_at_once(app: TestApp) {
    let before = file_seed(&app).await;
    let body = json!({
        "values": {
            "dossiers_received_online": "168",
            "iso_9001_applied": 1,
            "edocs_incoming_rate": 130,
            "computers": -2,
            "dossiers_received_direct": 1.5,
            "no_such_indicator": 5,
            "one_stop_room_area_m2": 40.5
        },
        "narrative": {"epilogue": "x", "results": "Kết quả"}
    });
    let r = app.file("07273", "2024-06", &body).await;
    let p = problem(&r, 422, SEED);
    assert!(p["detail"].as_str().unwrap().starts_with("7 error(s)"), "{}", r.text);
    assert_eq!(
        sorted(r.findings("errors")),
        sorted(vec![
            finding("wrong_type", &["dossiers_received_online"]),
            finding("wrong_type", &["iso_9001_applied"]),
            finding("out_of_range", &["edocs_incoming_rate"]),
            finding("negative_value", &["computers"]),
            finding("not_integer", &["dossiers_received_direct"]),
            finding("unknown_indicator", &["no_such_indicator"]),
            finding("unknown_section", &[]),
        ])
    );
    assert_unchanged(&app, &before).await;
}

// ---------------------------------------------------------------------------------------------
// Requests refused before their content is judged

async fn malformed_json_is_a_bad_request(app: TestApp) {
    let before = file_seed(&app).await;
    let token = commune(&app, "07273");
    for raw in [&b"{\"values\": {"[..], b"{\"values\": {\"computers\": 20,}}", b"not json", b""] {
        let r = put_raw(&app, SEED, &token, Some("application/json"), raw.to_vec()).await;
        let p = problem(&r, 400, SEED);
        assert_eq!(p["type"], "urn:cchc:problem:bad-request");
        assert!(p["detail"].as_str().unwrap().contains("JSON"), "{}", r.text);
    }
    // Invalid UTF-8 inside a string.
    let r = put_raw(
        &app,
        SEED,
        &token,
        Some("application/json"),
        b"{\"values\": {}, \"narrative\": {\"causes\": \"\xff\"}}".to_vec(),
    )
    .await;
    problem(&r, 400, SEED);
    assert_unchanged(&app, &before).await;
}

async fn a_body_of_the_wrong_shape_is_a_bad_request(app: TestApp) {
    let before = file_seed(&app).await;
    let token = commune(&app, "07273");
    let bodies = [
        json!({"values": {}, "extra": 1}),
        json!({"narrative": {}}),
        json!({}),
        json!([]),
        json!(null),
        json!({"values": [1, 2]}),
        json!({"values": {}, "narrative": "text"}),
    ];
    for body in bodies {
        let r = app.put(SEED, &token, &body).await;
        let p = problem(&r, 400, SEED);
        assert!(p.get("errors").is_none(), "not a validation failure: {}", r.text);
    }
    let r = app.put(SEED, &token, &json!({"values": {}, "extra": 1})).await;
    assert!(r.body["detail"].as_str().unwrap().contains("extra"), "{}", r.text);
    let r = app.put(SEED, &token, &json!({"narrative": {}})).await;
    assert!(r.body["detail"].as_str().unwrap().contains("values"), "{}", r.text);
    assert_unchanged(&app, &before).await;
}

async fn a_body_that_is_not_json_is_unsupported(app: TestApp) {
    let before = file_seed(&app).await;
    let token = commune(&app, "07273");
    let body = serde_json::to_vec(&seed_with(json!({"computers": 21}))).unwrap();
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/xml"), None] {
        let r = put_raw(&app, SEED, &token, ct, body.clone()).await;
        let p = problem(&r, 415, SEED);
        assert_eq!(p["type"], "urn:cchc:problem:unsupported-media-type", "{ct:?}");
    }
    assert_unchanged(&app, &before).await;

    // JSON with a charset is JSON.
    let r = put_raw(&app, SEED, &token, Some("application/json; charset=utf-8"), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
}

async fn a_body_over_8_mib_is_too_large(app: TestApp) {
    let before = file_seed(&app).await;
    let body = json!({"values": {}, "narrative": {"results": "x".repeat(9 * MIB)}});
    let r = app.file("07273", "2024-06", &body).await;
    let p = problem(&r, 413, SEED);
    assert_eq!(p["type"], "urn:cchc:problem:payload-too-large");
    assert!(p["detail"].as_str().unwrap().contains(&(8 * MIB).to_string()), "{}", r.text);

    // Without a Content-Length (chunked), the limit holds as the body streams in.
    let mut chunks = vec![b"{\"values\": {}, \"narrative\": {\"results\": \"".to_vec()];
    chunks.extend((0..9).map(|_| vec![b'y'; MIB]));
    chunks.push(b"\"}}".to_vec());
    let r = put_chunked(&app, SEED, &commune(&app, "07273"), chunks).await;
    problem(&r, 413, SEED);
    assert_unchanged(&app, &before).await;
}

async fn a_7_mib_narrative_is_accepted(app: TestApp) {
    app.seed_units().await;
    // Vietnamese text, so the round trip covers multi-byte characters: about 7 MiB of UTF-8.
    let line = "Kết quả thực hiện công tác cải cách hành chính tháng 6 năm 2024 của Xã Đông Sơn.\n";
    let text = line.repeat(7 * MIB / line.len());
    assert!(text.len() > 7 * MIB - line.len() && text.len() <= 7 * MIB);
    let mut body = seed_body();
    body["narrative"]["results"] = json!(text);
    let r = app.file("07273", "2024-06", &body).await;
    assert_eq!(r.status, 201, "{}", &r.text[..r.text.len().min(500)]);
    assert_eq!(r.body["narrative"]["results"].as_str().map(str::len), Some(text.len()));
    let g = app.get(SEED, &commune(&app, "07273")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["narrative"]["results"], json!(text), "the narrative reads back intact");
    assert_eq!(g.body["derived"]["resolved_on_time_rate"], json!(99.4));
}

async fn the_path_must_name_a_commune_and_a_month_not_in_the_future(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let token = commune(&app, "07273");
    let body = seed_body();
    let (code, month) = ("urn:cchc:problem:invalid-unit-code", "urn:cchc:problem:invalid-period");
    for (path, token, kind) in [
        (report_path("215", "2024-06"), &admin, code),
        (report_path("24", "2024-06"), &admin, code),
        (report_path("7273", "2024-06"), &admin, code),
        (report_path("0727x", "2024-06"), &admin, code),
        (report_path("07273", "2024-13"), &token, month),
        (report_path("07273", "2024-00"), &token, month),
        (report_path("07273", "2024Q5"), &token, month),
        (report_path("07273", "2024M8"), &token, month),
        // Periodic reports are filed once their last month has come.
        (report_path("07273", "2099Q1"), &token, month),
        (report_path("07273", "2099"), &token, month),
        (report_path("07273", "2024-6"), &token, month),
        (report_path("07273", "june"), &token, month),
        (report_path("07273", "2099-01"), &token, month),
    ] {
        let r = app.put(&path, token, &body).await;
        let p = problem(&r, 400, &path);
        assert_eq!(p["type"], kind, "{path}");
    }
    // Reading: a district code or a malformed period is no report either; a quarter not filed is 404.
    for path in [report_path("215", "2024-06"), report_path("07273", "2024Q5"), report_path("07273", "2024-13")] {
        let r = app.get(&path, &admin).await;
        problem(&r, 400, &path);
    }
    let quarter = report_path("07273", "2024Q2");
    problem(&app.get(&quarter, &admin).await, 404, &quarter);
    let r = app.get(SEED, &admin).await;
    problem(&r, 404, SEED);

    // The current month itself may be filed.
    let now = Month::current(chrono::Utc::now()).to_string();
    let path = report_path("07273", &now);
    let r = app.put(&path, &token, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["period"], json!(now));
    assert_eq!(r.header("location"), Some(path.as_str()));
}

async fn missing_reports_and_communes_are_not_found(app: TestApp) {
    app.seed_units().await;
    // Never filed.
    for (role, unit) in [(Role::Commune, Some("07273")), (Role::District, Some("215")), (Role::Admin, None)] {
        let r = app.get(SEED, &app.token(role, unit)).await;
        let p = problem(&r, 404, SEED);
        assert_eq!(p["type"], "urn:cchc:problem:report-not-found");
    }
    // Filed for June, not for May.
    assert_eq!(app.file("07273", "2024-06", &seed_body()).await.status, 201);
    let may = report_path("07273", "2024-05");
    problem(&app.get(&may, &commune(&app, "07273")).await, 404, &may);

    // A commune that does not exist: nothing to file, nothing to read.
    let ghost = report_path("07999", "2024-06");
    let r = app.file("07999", "2024-06", &seed_body()).await;
    let p = problem(&r, 404, &ghost);
    assert!(p["detail"].as_str().unwrap().contains("07999"), "{}", r.text);
    problem(&app.get(&ghost, &app.admin()).await, 404, &ghost);
    let r = app.put(&ghost, &app.admin(), &seed_body()).await;
    problem(&r, 404, &ghost);
}

async fn only_the_commune_itself_or_an_admin_may_file(app: TestApp) {
    app.seed_units().await;
    let body = seed_body();
    for (role, unit) in [(Role::Commune, Some("07279")), (Role::District, Some("215")), (Role::Province, Some("24"))] {
        let r = app.put(SEED, &app.token(role, unit), &body).await;
        let p = problem(&r, 403, SEED);
        assert_eq!(p["type"], "urn:cchc:problem:outside-scope");
    }
    let r = app.request(Method::PUT, SEED, None, Some(&body)).await;
    problem(&r, 401, SEED);
    problem(&app.get(SEED, &commune(&app, "07273")).await, 404, SEED);

    let r = app.put(SEED, &app.admin(), &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["updated_by"], "test-admin");
}

// ---------------------------------------------------------------------------------------------
// Drafts

async fn a_draft_is_private_until_submitted(app: TestApp) {
    app.seed_units().await;
    let draft_path = format!("{SEED}?draft=true");
    let own = commune(&app, "07273");
    let district = app.token(Role::District, Some("215"));
    let province = app.token(Role::Province, Some("24"));

    let r = app.put(&draft_path, &own, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some(SEED));
    assert_eq!(r.header("etag"), Some(SEED_ETAG));
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["revision"], 1);
    assert_eq!(r.body["submitted_at"], Value::Null);
    assert_eq!(r.body["on_time"], Value::Null);
    assert_eq!(r.body["derived"]["resolved_on_time_rate"], json!(99.4));
    assert_eq!(r.body["findings"], json!([]), "the seed has nothing to warn about");

    // Saving the same draft again is no change.
    let again = app.put(&draft_path, &own, &seed_body()).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["revision"], 1);
    assert_eq!(again.body["status"], "draft");

    // The commune (and an admin) see the draft; the district and province do not.
    let g = app.get(SEED, &own).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.body["status"], "draft");
    assert_eq!(app.get(SEED, &app.admin()).await.status, 200);
    for token in [&district, &province] {
        let r = app.get(SEED, token).await;
        problem(&r, 404, SEED);
    }

    // Submitting the same form makes it a submitted report, a new revision.
    let r = app.put(SEED, &own, &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.header("etag"), Some("\"07273-2024-06-r2\""));
    assert!(r.body["submitted_at"].is_string(), "{}", r.text);
    assert_eq!(r.body["on_time"], false);
    assert_eq!(r.body["created_at"], g.body["created_at"]);

    for token in [&district, &province, &own] {
        let g = app.get(SEED, token).await;
        assert_eq!(g.status, 200, "{}", g.text);
        assert_eq!(g.body["status"], "submitted");
        assert_eq!(g.body["revision"], 2);
        assert_eq!(g.body["values"], r.body["values"]);
    }

    // Submitting again is no change.
    let r = app.put(SEED, &own, &seed_body()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["revision"], 2);

    // `?draft=false` is a plain submission.
    let other = report_path("07279", "2024-06");
    let r = app.put(&format!("{other}?draft=false"), &commune(&app, "07279"), &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "submitted");
    // A draft flag that is not a boolean is a bad request.
    let bad = format!("{other}?draft=maybe");
    let r = app.put(&bad, &commune(&app, "07279"), &json!({"values": {}})).await;
    problem(&r, 400, &other);
}

// ---------------------------------------------------------------------------------------------
// If-Match

async fn if_match_with_the_current_etag_succeeds(app: TestApp) {
    file_seed(&app).await;
    let token = commune(&app, "07273");
    let r = put_if_match(&app, SEED, &token, SEED_ETAG, &seed_with(json!({"computers": 21}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.header("etag"), Some("\"07273-2024-06-r2\""));

    // One of several tags matching is enough; `*` matches any existing report.
    let list = format!("\"07273-2024-06-r9\", {}", "\"07273-2024-06-r2\"");
    let r = put_if_match(&app, SEED, &token, &list, &seed_with(json!({"computers": 22}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 3);
    let r = put_if_match(&app, SEED, &token, "*", &seed_with(json!({"computers": 23}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 4);

    // The ETag a GET gives is the one to send back.
    let g = app.get(SEED, &token).await;
    let etag = g.header("etag").unwrap().to_owned();
    assert_eq!(etag, "\"07273-2024-06-r4\"");
    let r = put_if_match(&app, SEED, &token, &etag, &seed_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 5);
    assert_eq!(r.body["values"]["computers"], 20);
}

async fn if_match_with_a_stale_etag_is_refused(app: TestApp) {
    file_seed(&app).await;
    let token = commune(&app, "07273");
    // Someone else changes the report first.
    let r = app.file("07273", "2024-06", &seed_with(json!({"computers": 21}))).await;
    assert_eq!(r.body["revision"], 2);
    let before = app.get(SEED, &token).await.body;

    let r = put_if_match(&app, SEED, &token, SEED_ETAG, &seed_with(json!({"computers": 30}))).await;
    let p = problem(&r, 412, SEED);
    assert_eq!(p["type"], "urn:cchc:problem:stale-revision");
    assert!(p["detail"].as_str().unwrap().contains("revision 2"), "{}", r.text);
    assert_unchanged(&app, &before).await;

    // A stale tag is refused even when the form would be unchanged, and weak tags never match.
    for tag in [SEED_ETAG, "W/\"07273-2024-06-r2\"", "\"07273-2024-06-r3\"", "07273-2024-06-r2"] {
        let r = put_if_match(&app, SEED, &token, tag, &seed_with(json!({"computers": 21}))).await;
        problem(&r, 412, SEED);
    }
    assert_unchanged(&app, &before).await;
}

async fn if_match_without_a_report_is_refused(app: TestApp) {
    app.seed_units().await;
    let token = commune(&app, "07273");
    for tag in ["*", SEED_ETAG] {
        let r = put_if_match(&app, SEED, &token, tag, &seed_body()).await;
        let p = problem(&r, 412, SEED);
        assert!(p["detail"].as_str().unwrap().contains("no report yet"), "{}", r.text);
    }
    problem(&app.get(SEED, &token).await, 404, SEED);

    // A refused body is refused for its content first, whatever the precondition.
    let r = put_if_match(&app, SEED, &token, "*", &json!({"values": {"computers": -1}})).await;
    problem(&r, 422, SEED);
    problem(&app.get(SEED, &token).await, 404, SEED);
}

backend_tests!(
    seed_report_is_filed_with_its_derived_figures,
    seed_report_reads_back_for_commune_district_and_province,
    identical_resubmission_keeps_the_revision,
    a_real_change_increments_the_revision,
    put_replaces_the_whole_form,
    received_total_mismatch_is_refused,
    resolved_total_mismatch_is_refused,
    pending_total_mismatch_is_refused,
    intake_outcome_mismatch_is_refused,
    a_wrong_received_total_breaks_two_identities,
    partial_parts_above_a_reported_total_are_refused,
    wrong_types_are_refused,
    an_integral_float_is_a_count,
    negative_values_are_refused,
    a_percentage_above_100_is_refused,
    unknown_indicators_and_sections_are_refused,
    every_value_error_is_reported_at_once,
    malformed_json_is_a_bad_request,
    a_body_of_the_wrong_shape_is_a_bad_request,
    a_body_that_is_not_json_is_unsupported,
    a_body_over_8_mib_is_too_large,
    a_7_mib_narrative_is_accepted,
    the_path_must_name_a_commune_and_a_month_not_in_the_future,
    missing_reports_and_communes_are_not_found,
    only_the_commune_itself_or_an_admin_may_file,
    a_draft_is_private_until_submitted,
    if_match_with_the_current_etag_succeeds,
    if_match_with_a_stale_etag_is_refused,
    if_match_without_a_report_is_refused,
);
