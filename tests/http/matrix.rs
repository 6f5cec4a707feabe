//! The role × route matrix, generated from the served OpenAPI document: every operation, called
//! by callers of every role scoped to a unit's own, a child, a sibling, another district and
//! another province, over every unit of a fixture that holds a district that moved province and
//! a merged commune. No 2xx answer may name a unit (code or name, in JSON, CSV or XLSX) the
//! caller may not see, and a refused write must leave the database as it was. A new route is
//! covered without editing this file; one the matrix cannot call fails it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests};

use crate::rankings::{CLEAN, report};

/// The fixture's units: code, name, parent in 2024, parent from 2025-01 when it moves.
const UNITS: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    ("91", "Tỉnh Kilo", None, None),
    ("92", "Tỉnh Lima", None, None),
    ("911", "Huyện Golf", Some("91"), None),
    ("912", "Huyện Hotel", Some("91"), None),
    ("926", "Huyện India", Some("92"), Some("91")),
    ("927", "Huyện Juliet", Some("92"), None),
    ("91101", "Xã Alpha", Some("911"), None),
    ("91102", "Xã Bravo", Some("911"), None),
    ("91201", "Xã Charlie", Some("912"), None),
    ("92601", "Xã Delta", Some("926"), Some("927")),
    ("92602", "Xã Echo", Some("926"), None),
    ("92701", "Xã Foxtrot", Some("927"), None),
];

/// Each caller, and the units it may see — in 2024 or today, and the predecessors of its
/// units (Bravo merged into Alpha from 2025-01) — with the units above those (then or now),
/// whose codes a view of theirs carries as its parents.
fn callers() -> Vec<(Role, Option<&'static str>, Vec<&'static str>)> {
    let province_91 = vec!["91", "911", "912", "926", "91101", "91102", "91201", "92602"];
    let with_parents = |mut sees: Vec<&'static str>| {
        let mut i = 0;
        while i < sees.len() {
            for (code, _, then, now) in UNITS {
                if *code == sees[i] {
                    sees.extend([*then, *now].into_iter().flatten().filter(|p| !sees.contains(p)).collect::<Vec<_>>());
                }
            }
            i += 1;
        }
        sees
    };
    vec![
        (Role::Commune, Some("91101"), vec!["91101", "91102"]),
        (Role::Commune, Some("92602"), vec!["92602"]),
        (Role::District, Some("911"), vec!["911", "91101", "91102"]),
        (Role::District, Some("926"), vec!["926", "92601", "92602"]),
        (Role::Province, Some("91"), province_91.clone()),
        (Role::Province, Some("92"), vec!["92", "926", "927", "92601", "92602", "92701"]),
        (Role::Portal, Some("91"), province_91),
        (Role::Admin, None, UNITS.iter().map(|u| u.0).collect()),
    ]
    .into_iter()
    .map(|(role, unit, sees)| (role, unit, with_parents(sees)))
    .collect()
}

async fn fixture(app: &TestApp) {
    let admin = app.admin();
    for (code, name, parent, _) in UNITS {
        let level = match code.len() {
            2 => "province",
            3 => "district",
            _ => "commune",
        };
        let body = json!({"code": code, "name": name, "level": level, "parent_code": parent});
        let r = app.post("/api/v1/units", &admin, &body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (code, _, _, moved) in UNITS {
        if let Some(parent) = moved {
            let r = app
                .post(
                    &format!("/api/v1/units/{code}/versions"),
                    &admin,
                    &json!({"from": "2025-01", "parent_code": parent}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
    for (code, ..) in UNITS.iter().filter(|u| u.0.len() == 5) {
        let r = app.file(code, "2024-06", &report(CLEAN, json!({}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = app.post("/api/v1/units/91102/merge", &admin, &json!({"into": "91101", "effective_from": "2025-01"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for code in ["91101", "92601", "92602", "92701"] {
        let r = app.file(code, "2025-06", &report(CLEAN, json!({}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (name, role, unit) in [("mx-alpha", "commune", "91101"), ("mx-lima", "province", "92")] {
        let body = json!({"username": name, "password": "mat-khau-dai-du", "role": role, "unit_code": unit});
        assert_eq!(app.post("/api/v1/users", &admin, &body).await.status, 201);
    }
}

/// Whether `text` names `code` as a value: delimited as a JSON string, a CSV field, a path
/// (`91101/2024-06`), an entity tag (`91101-2024-06-r1`), an HTML text or link
/// (`>91101<`, `communes/91101?period=`), never inside a number.
fn mentions(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        let opens = before.is_none_or(|c| "\"/,\n'>=".contains(c));
        let closes = after.is_none_or(|c| "\"/,\r\n-@<?&".contains(c));
        opens && closes
    })
}

/// The readable text of an answer: JSON and CSV as they are, XLSX as its cells, a Word
/// document as its text.
fn text_of(content_type: &str, bytes: &[u8]) -> String {
    if content_type == crate::documents::DOCX {
        return crate::documents::docx_text(bytes).1;
    }
    if content_type.starts_with("application/vnd.openxmlformats") {
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook");
        let mut cells = Vec::new();
        for name in book.sheet_names() {
            if let Ok(range) = book.worksheet_range(&name) {
                cells.extend(range.rows().flat_map(|r| r.iter().map(|c| c.to_string())));
            }
        }
        return cells.join("\n");
    }
    String::from_utf8_lossy(bytes).into_owned()
}

#[derive(QueryableByName, PartialEq, Debug)]
struct Fingerprint {
    #[diesel(sql_type = diesel::sql_types::Text)]
    f: String,
}

/// What a write could change: the rows of every table a write touches.
fn fingerprint(app: &TestApp) -> String {
    let mut conn = app.db.conn().expect("a connection");
    let tables = [
        "units",
        "unit_versions",
        "unit_merges",
        "reports",
        "report_revisions",
        "report_scores",
        "users",
        "scoring_schemes",
        "audit_log",
        "dossiers",
        "feed_events",
        "calendar_days",
    ];
    let parts: Vec<String> = tables.iter().map(|t| format!("(SELECT COUNT(*) FROM {t})")).collect();
    let sql = format!(
        "SELECT CAST({} AS TEXT) || '/' || CAST((SELECT COALESCE(SUM(revision), 0) FROM reports) AS TEXT) \
         || '/' || CAST((SELECT COUNT(*) FROM users WHERE disabled) AS TEXT) AS f",
        parts.join(" || '/' || ")
    );
    let rows: Vec<Fingerprint> = diesel::sql_query(sql).load(&mut conn).expect("the fingerprint");
    rows.into_iter().next().map(|r| r.f).unwrap_or_default()
}

/// The paths to call for one documented path: each of its parameters filled from the fixture.
fn concrete_paths(path: &str) -> Vec<String> {
    let mut out = vec![path.to_owned()];
    let codes: Vec<&str> = if path.starts_with("/api/v1/schemes") {
        vec!["commune-par"]
    } else if path.starts_with("/api/v1/communes") {
        UNITS.iter().map(|u| u.0).filter(|c| c.len() == 5).collect()
    } else {
        UNITS.iter().map(|u| u.0).collect()
    };
    let fill = |out: Vec<String>, name: &str, values: &[&str]| -> Vec<String> {
        let key = format!("{{{name}}}");
        if !out[0].contains(&key) {
            return out;
        }
        out.iter().flat_map(|p| values.iter().map(|v| p.replace(&key, v)).collect::<Vec<_>>()).collect()
    };
    out = fill(out, "code", &codes);
    // A prefill is a longer period's.
    out = fill(out, "period", if path.ends_with("/prefill") { &["2024Q2"] } else { &["2024-06"] });
    out = fill(out, "username", &["mx-alpha", "mx-lima"]);
    out = fill(out, "version", &["1"]);
    out = fill(out, "date", &["2024-07-16"]);
    fill(out, "format", &["csv", "xlsx"])
}

/// The query a documented operation gets: its period-like parameters set.
fn query_of(op: &Value) -> String {
    let mut q = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query") {
        match p["name"].as_str().unwrap_or_default() {
            "period" => q.push("period=2024-06"),
            "from" => q.push("from=2024-06"),
            "to" => q.push("to=2025-06"),
            _ => {}
        }
    }
    if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) }
}

/// A report document for an operation that reads one: it names no unit (the answer echoes the
/// document's own words; which commune it finds in the caller's scope is `imports.rs`'s).
const DOCUMENT: &str = "I. CÔNG TÁC CHỈ ĐẠO\nUBND xã đã ban hành kế hoạch CCHC năm 2024.\nII. KẾT QUẢ\nTrả đúng hạn 33 hồ sơ.\n\
                        Trên đây là báo cáo tháng 06 năm 2024.";

/// Whether an operation takes a document (text or Word) rather than JSON.
fn takes_document(op: &Value) -> bool {
    op["requestBody"]["content"].get("text/plain").is_some()
}

/// A body a write takes: the document's example of its schema, else an empty object.
fn body_of(doc: &Value, op: &Value) -> Value {
    let content = &op["requestBody"]["content"];
    let Some((media, item)) = content.as_object().and_then(|c| c.iter().next()) else { return json!({}) };
    if media != "application/json" {
        return json!([]);
    }
    let schema = match item["schema"]["$ref"].as_str() {
        Some(r) => doc.pointer(r.trim_start_matches('#')).cloned().unwrap_or(Value::Null),
        None => item["schema"].clone(),
    };
    if let Some(example) = schema["examples"].get(0).or(schema.get("example")) {
        return example.clone();
    }
    let mut body = serde_json::Map::new();
    for (name, p) in schema["properties"].as_object().into_iter().flatten() {
        if let Some(example) = p.get("example").or(p["examples"].get(0)) {
            body.insert(name.clone(), example.clone());
        }
    }
    Value::Object(body)
}

async fn the_role_and_route_matrix_leaks_nothing(app: TestApp) {
    fixture(&app).await;
    let doc = app.get("/api-docs/openapi.json", &app.admin()).await.body;
    let mut operations: Vec<(String, String, Value)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            operations.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    // Reads first, then writes, so that a write that succeeds cannot hide a read's leak.
    operations.sort_by_key(|(m, p, _)| (m != "GET", p.clone()));
    let callers = callers();
    let names: BTreeMap<&str, &str> = UNITS.iter().map(|u| (u.0, u.1)).collect();
    let mut cases = 0usize;
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut leaks = Vec::new();
    let mut changed = Vec::new();
    for (method, path, op) in &operations {
        let query = query_of(op);
        let body = body_of(&doc, op);
        for concrete in concrete_paths(path) {
            for (role, unit, sees) in &callers {
                let token = app.token(*role, *unit);
                let url = format!("{concrete}{query}");
                let before = (method != "GET").then(|| fingerprint(&app));
                let mut req =
                    app.client.request(Method::from_bytes(method.as_bytes()).expect("a method"), app.url(&url));
                req = req.bearer_auth(&token);
                if takes_document(op) {
                    req = req.header("content-type", "text/plain; charset=utf-8").body(DOCUMENT);
                } else if method != "GET" {
                    req = req.json(&body);
                }
                let res = req.send().await.expect("the server answers");
                let status = res.status();
                let content_type =
                    res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let bytes = res.bytes().await.expect("a body");
                assert!(
                    status.as_u16() < 500,
                    "{method} {url} as {role} {unit:?}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                );
                cases += 1;
                covered.insert(format!("{method} {path}"));
                if status.is_success() {
                    let text = text_of(&content_type, &bytes);
                    for (code, name) in &names {
                        if !sees.contains(code) && (mentions(&text, code) || text.contains(name)) {
                            leaks.push(format!("{method} {url} as {role} {unit:?} names {code} {name}"));
                        }
                    }
                } else if let Some(before) = before
                    && before != fingerprint(&app)
                {
                    changed
                        .push(format!("{method} {url} as {role} {unit:?} answered {status} but changed the database"));
                }
            }
        }
    }
    // The dashboard's pages and downloads, as each caller's session (the cookie holds the token).
    let mut pages = 0usize;
    for (code, ..) in UNITS {
        let mut paths = vec![
            format!("/app/?unit={code}&period=2024-06"),
            format!("/app/completeness?unit={code}&period=2024-06"),
            format!("/app/export/rankings.csv?unit={code}&period=2024-06"),
            format!("/app/export/rankings.xlsx?unit={code}&period=2024-06"),
            format!("/app/consolidated?unit={code}&period=2024-06"),
            format!("/app/export/consolidated.csv?unit={code}&period=2024-06"),
            format!("/app/export/consolidated.xlsx?unit={code}&period=2024-06"),
            format!("/app/export/consolidated.docx?unit={code}&period=2024-06"),
        ];
        if code.len() == 5 {
            paths.push(format!("/app/communes/{code}?period=2024-06"));
            paths.push(format!("/app/communes/{code}/reports/2024-06/edit"));
            paths.push(format!("/app/communes/{code}/reports/2024-06/document.docx"));
        }
        for path in paths {
            for (role, unit, sees) in &callers {
                let token = app.token(*role, *unit);
                let res = app
                    .client
                    .get(app.url(&path))
                    .header("cookie", format!("cchc_session={token}"))
                    .send()
                    .await
                    .expect("the server answers");
                let status = res.status();
                let content_type =
                    res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let bytes = res.bytes().await.expect("a body");
                assert!(status.as_u16() < 500, "{path} as {role} {unit:?}: {status}");
                pages += 1;
                if status.is_success() {
                    let text = text_of(&content_type, &bytes);
                    // A page's charts hold small numbers (`y="92"`): a province is looked for by
                    // its name there.
                    let html = content_type.starts_with("text/html");
                    for (code, name) in &names {
                        let named = (!html || code.len() > 2) && mentions(&text, code);
                        if !sees.contains(code) && (named || text.contains(name)) {
                            leaks.push(format!("{path} as {role} {unit:?} names {code} {name}"));
                        }
                    }
                }
            }
        }
    }
    println!(
        "role × route matrix: {cases} (operation, caller, target) cases over {} operations, and {pages} dashboard page cases",
        covered.len()
    );
    let missing: Vec<String> =
        operations.iter().map(|(m, p, _)| format!("{m} {p}")).filter(|o| !covered.contains(o)).collect();
    assert_eq!(missing, Vec::<String>::new(), "operations the matrix did not call");
    assert_eq!(leaks, Vec::<String>::new());
    assert_eq!(changed, Vec::<String>::new());
}

backend_tests!(the_role_and_route_matrix_leaks_nothing);
