//! Every refusal names its own problem type, and no answer carries what SQLite or PostgreSQL
//! said: a repeated merge, a duplicate unit and a duplicate user each answer 409 with their own
//! type — also when the duplicates arrive at the same moment and only the database's unique
//! key can tell.

use futures_util::future::join_all;
use serde_json::json;

use cchc_tests::{Reply, TestApp, backend_tests};

/// Words only a database puts in an error.
const DATABASE_WORDS: [&str; 9] =
    ["constraint", "UNIQUE", "unique_violation", "duplicate key", "violates", "pkey", "SQLSTATE", "sqlite", "postgres"];

#[track_caller]
fn assert_own_words(r: &Reply) {
    for word in DATABASE_WORDS {
        assert!(!r.text.to_lowercase().contains(&word.to_lowercase()), "`{word}` from the database: {}", r.text);
    }
}

#[track_caller]
fn assert_conflict(r: &Reply, kind: &str) {
    let p = r.problem(409);
    assert_eq!(p["type"], format!("urn:cchc:problem:{kind}"), "{}", r.text);
    assert_own_words(r);
}

async fn a_repeated_merge_is_a_unit_conflict_in_the_field_s_words(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let merge = json!({"into": "07294", "effective_from": "2025-07"});
    let r = app.post("/api/v1/units/07273/merge", &admin, &merge).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let again = app.post("/api/v1/units/07273/merge", &admin, &merge).await;
    assert_conflict(&again, "unit-conflict");
    assert_eq!(again.body["detail"], "unit 07273 already merged into 07294 from 2025-07");
    let elsewhere =
        app.post("/api/v1/units/07273/merge", &admin, &json!({"into": "07279", "effective_from": "2025-07"})).await;
    assert_conflict(&elsewhere, "unit-conflict");
    assert_eq!(elsewhere.body["detail"], "unit 07273 already merged into 07294 from 2025-07");
}

async fn a_duplicate_unit_is_unit_exists(app: TestApp) {
    app.seed_units().await;
    let body = json!({"code": "07273", "name": "Xã Đông Sơn", "level": "commune", "parent_code": "215"});
    let r = app.post("/api/v1/units", &app.admin(), &body).await;
    assert_conflict(&r, "unit-exists");
    assert_eq!(r.body["detail"], "unit 07273 already exists");
}

async fn a_duplicate_user_is_user_exists(app: TestApp) {
    app.seed_units().await;
    let body = json!({"username": "dongson", "password": "mat-khau-dung", "role": "commune", "unit_code": "07273"});
    assert_eq!(app.post("/api/v1/users", &app.admin(), &body).await.status, 201);
    let mut again = body.clone();
    again["username"] = json!("DongSon");
    let r = app.post("/api/v1/users", &app.admin(), &again).await;
    assert_conflict(&r, "user-exists");
    assert_eq!(r.body["detail"], "there is already a user dongson");
}

/// Twelve requests create the same unit, and twelve the same user, at once: one of each
/// succeeds; the others are conflicts of the field's own kinds, whichever check caught them.
async fn simultaneous_duplicates_are_answered_without_database_text(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let unit = json!({"code": "07299", "name": "Xã Mới", "level": "commune", "parent_code": "215"});
    let user = json!({"username": "xamoi", "password": "mat-khau-dung", "role": "commune", "unit_code": "07273"});
    for (path, body, kind) in [("/api/v1/units", &unit, "unit-exists"), ("/api/v1/users", &user, "user-exists")] {
        let replies = join_all((0..12).map(|_| app.post(path, &admin, body))).await;
        let created = replies.iter().filter(|r| r.status == 201).count();
        assert_eq!(created, 1, "{path}: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != 201) {
            let p = r.problem(409);
            let t = p["type"].as_str().unwrap_or_default();
            assert!(
                [format!("urn:cchc:problem:{kind}"), "urn:cchc:problem:concurrent-change".into()]
                    .contains(&t.to_owned()),
                "{}",
                r.text
            );
            assert_own_words(r);
        }
    }
}

/// Serde would read a struct from an array (`[null, null]`); the document says objects, and so
/// does every body extractor: 400, nothing stored.
async fn a_body_that_is_not_an_object_is_refused(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    for (method, path, body) in [
        (reqwest::Method::PUT, "/api/v1/holidays/2024-07-16", json!([null, null])),
        (reqwest::Method::PUT, "/api/v1/units/07273/signatory", json!(["Đặng Quý Hưng"])),
        (reqwest::Method::POST, "/api/v1/users", json!(["lan", "mat-khau-dai-du", "commune", "07273"])),
        (reqwest::Method::PUT, "/api/v1/communes/07273/reports/2024-06", json!([{}, {}])),
    ] {
        let r = app.request(method.clone(), path, Some(&admin), Some(&body)).await;
        assert_eq!(r.status, 400, "{method} {path}: {}", r.text);
        assert_eq!(r.body["type"], "urn:cchc:problem:bad-request", "{}", r.text);
    }
    assert_eq!(app.get("/api/v1/holidays?year=2024", &admin).await.body["days"].as_array().map(Vec::len), Some(13));
    assert_eq!(app.get("/api/v1/communes/07273/reports/2024-06", &admin).await.status, 404);
}

backend_tests!(
    a_body_that_is_not_an_object_is_refused,
    a_repeated_merge_is_a_unit_conflict_in_the_field_s_words,
    a_duplicate_unit_is_unit_exists,
    a_duplicate_user_is_user_exists,
    simultaneous_duplicates_are_answered_without_database_text,
);
