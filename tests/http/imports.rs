//! `POST /api/v1/report-imports`: a commune's report written as text or in Word read into the
//! form, every figure with its sentence; the commune found among the units the caller may see,
//! the month from the closing sentence; nothing stored.

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use cchc_domain::{Role, seed};
use cchc_tests::{Reply, TestApp, backend_tests, seed_body};

use crate::documents::DOCX;

const TEXT: &str = "text/plain; charset=utf-8";

async fn import(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let req = app
        .client
        .post(app.url(&format!("/api/v1/report-imports{query}")))
        .bearer_auth(token)
        .header(CONTENT_TYPE, content_type)
        .body(body);
    Reply::from(req.send().await.expect("the server answers")).await
}

/// The seed report as a Word file: a paragraph a line, as the original was typed.
fn seed_docx() -> Vec<u8> {
    let mut doc = docx_rs::Docx::new();
    for line in seed::DONG_SON_2024_06_TEXT.lines() {
        doc = doc.add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(line)));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).expect("the document packs");
    out.into_inner()
}

/// The seed fixture's figures, without those it leaves unreported (null).
fn seed_values() -> Value {
    let values = seed_body()["values"].as_object().expect("values").clone();
    Value::Object(values.into_iter().filter(|(_, v)| !v.is_null()).collect())
}

fn evidence(r: &Reply, code: &str) -> Vec<String> {
    let items = r.body["evidence"].as_array().expect("evidence");
    items.iter().filter(|e| e["indicator"] == code).filter_map(|e| e["text"].as_str().map(str::to_owned)).collect()
}

/// Stored things a read must not touch: the commune's reports, and the audit log.
async fn stored(app: &TestApp) -> (Value, Value) {
    let admin = app.admin();
    let reports = app.get("/api/v1/communes/07273/reports", &admin).await.body["items"].clone();
    let audit = app.get("/api/v1/audit", &admin).await.body["items"].clone();
    (reports, audit)
}

async fn the_seed_text_is_read_into_the_seed_form(app: TestApp) {
    app.seed_units().await;
    let before = stored(&app).await;
    let token = app.token(Role::Commune, Some("07273"));
    let r = import(&app, &token, "", TEXT, seed::DONG_SON_2024_06_TEXT.as_bytes().to_vec()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["commune_code"], "07273");
    assert_eq!(r.body["period"], "2024-06");
    assert_eq!(r.body["values"], seed_values());
    assert_eq!(r.body["values"].as_object().map(|v| v.len()), Some(39));
    assert_eq!(r.body["values"]["dossiers_received_online"], 168);
    assert_eq!(r.body["values"]["dossiers_resolved_early"], 132);
    assert_eq!(r.body["values"]["dossiers_resolved_on_time"], 33);
    assert_eq!(r.body["values"]["dossiers_resolved_overdue"], 1);
    assert_eq!(r.body["values"]["dossiers_pending_within_deadline"], 2);
    assert_eq!(r.body["values"]["civil_servants"], 9);
    assert_eq!(r.body["values"]["one_stop_allowance_vnd"], 250000);
    assert_eq!(r.body["narrative"], seed_body()["narrative"]);
    assert_eq!(evidence(&r, "dossiers_resolved_on_time"), ["trả đúng hạn 33 hồ sơ"]);
    assert_eq!(evidence(&r, "dossiers_resolved_overdue"), ["01 hồ sơ quá hạn"]);
    assert_eq!(evidence(&r, "civil_servants_university_degree"), ["Trong đó: trình độ đại học 10 người (100%)"]);
    assert_eq!(
        evidence(&r, "edocs_incoming_rate"),
        ["Kết quả gửi nhận văn bản điện tử:Tỉ lệ văn bản đến điện tử đạt: 99%"]
    );
    for code in r.body["values"].as_object().expect("values").keys() {
        assert!(!evidence(&r, code).is_empty(), "{code} has no evidence");
    }
    assert_eq!(r.body["unread"], json!([]));
    assert_eq!(r.body["findings"], json!([]));
    // Nothing stored: no report, no audit entry.
    assert_eq!(stored(&app).await, before);
    assert_eq!(app.get("/api/v1/communes/07273/reports/2024-06", &app.admin()).await.status, 404);
}

async fn word_and_text_give_the_same_form(app: TestApp) {
    app.seed_units().await;
    let token = app.token(Role::District, Some("215"));
    let text = import(&app, &token, "", TEXT, seed::DONG_SON_2024_06_TEXT.as_bytes().to_vec()).await;
    let word = import(&app, &token, "", DOCX, seed_docx()).await;
    assert_eq!(word.status, 200, "{}", word.text);
    assert_eq!(word.body, text.body);
    assert_eq!(word.body["commune_code"], "07273");
    assert_eq!(word.body["values"], seed_values());
    // A browser that does not know the type sends octet-stream: the bytes decide.
    let unnamed = import(&app, &token, "", "application/octet-stream", seed_docx()).await;
    assert_eq!(unnamed.body["values"], seed_values());
}

async fn the_query_overrides_the_documents_words(app: TestApp) {
    app.seed_units().await;
    let token = app.token(Role::District, Some("215"));
    let body = seed::DONG_SON_2024_06_TEXT.as_bytes().to_vec();
    let r = import(&app, &token, "?commune=07279&period=2024-05", TEXT, body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["commune_code"], "07279");
    assert_eq!(r.body["period"], "2024-05");
    assert_eq!(r.body["values"]["dossiers_received_online"], 168);
    // The commune named must be one the caller may see.
    let r = import(&app, &token, "?commune=07312", TEXT, body.clone()).await;
    assert_eq!(r.problem(403)["type"], "urn:cchc:problem:outside-scope");
    let r = import(&app, &token, "?period=2024-13", TEXT, body).await;
    assert_eq!(r.problem(400)["type"], "urn:cchc:problem:invalid-period");
}

async fn a_commune_outside_the_callers_scope_is_not_found(app: TestApp) {
    app.seed_units().await;
    let body = seed::DONG_SON_2024_06_TEXT.as_bytes().to_vec();
    // Huyện Tân Yên does not see Đông Sơn of Yên Thế: the document names no unit of its own.
    let r = import(&app, &app.token(Role::District, Some("216")), "", TEXT, body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["commune_code"], Value::Null);
    assert_eq!(r.body["period"], "2024-06");
    assert_eq!(r.body["values"], seed_values());
    // Another commune's officer neither.
    let r = import(&app, &app.token(Role::Commune, Some("07279")), "", TEXT, body.clone()).await;
    assert_eq!(r.body["commune_code"], Value::Null);
    // The province and an admin do.
    let r = import(&app, &app.token(Role::Province, Some("24")), "", TEXT, body.clone()).await;
    assert_eq!(r.body["commune_code"], "07273");
    let r = import(&app, &app.admin(), "", TEXT, body.clone()).await;
    assert_eq!(r.body["commune_code"], "07273");
    // The portal files nothing and reviews nothing.
    let r = import(&app, &app.token(Role::Portal, Some("24")), "", TEXT, body).await;
    assert_eq!(r.problem(403)["type"], "urn:cchc:problem:role-not-allowed");
}

async fn what_is_neither_text_nor_word_is_refused(app: TestApp) {
    app.seed_units().await;
    let before = stored(&app).await;
    let token = app.token(Role::Commune, Some("07273"));
    let unreadable = [
        ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec()),
        ("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0".to_vec()),
        ("text/plain", vec![0x00, 0x01, 0xfe, 0xff, 0x80]),
        (DOCX, b"PK\x03\x04 not a zip at all".to_vec()),
        ("application/json", b"{\"values\": {}}".to_vec()),
    ];
    for (content_type, body) in unreadable {
        let r = import(&app, &token, "", content_type, body).await;
        assert_eq!(r.problem(415)["type"], "urn:cchc:problem:unreadable-document", "{content_type}");
    }
    let r = import(&app, &token, "", TEXT, Vec::new()).await;
    assert_eq!(r.problem(400)["type"], "urn:cchc:problem:bad-request");
    let r = import(&app, &token, "", TEXT, vec![b'a'; 11 * 1024 * 1024]).await;
    assert_eq!(r.problem(413)["type"], "urn:cchc:problem:payload-too-large");
    assert_eq!(stored(&app).await, before);
}

backend_tests!(
    the_seed_text_is_read_into_the_seed_form,
    word_and_text_give_the_same_form,
    the_query_overrides_the_documents_words,
    a_commune_outside_the_callers_scope_is_not_found,
    what_is_neither_text_nor_word_is_refused,
);
