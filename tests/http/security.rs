//! What an attacker found, each closed on both backends.

use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests};

use crate::exports::{csv_text, download};
use crate::rankings::{BUSY, CLEAN, report};

/// District 026 is under province 02 until 2024-12 and under 01 from 2025-01; its commune 00703
/// moves to district 027 and stays in 02, while 00704 stays in 026.
async fn a_district_that_moves_province(app: &TestApp) {
    let admin = app.admin();
    for body in [
        json!({"code": "01", "name": "Tỉnh Một", "level": "province"}),
        json!({"code": "02", "name": "Tỉnh Hai", "level": "province"}),
        json!({"code": "026", "name": "Huyện Hai Sáu", "level": "district", "parent_code": "02"}),
        json!({"code": "027", "name": "Huyện Hai Bảy", "level": "district", "parent_code": "02"}),
        json!({"code": "00703", "name": "Xã Bảy Linh Ba", "level": "commune", "parent_code": "026"}),
        json!({"code": "00704", "name": "Xã Bảy Linh Bốn", "level": "commune", "parent_code": "026"}),
    ] {
        let r = app.post("/api/v1/units", &admin, &body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (code, parent) in [("00703", "027"), ("026", "01")] {
        let r = app
            .post(&format!("/api/v1/units/{code}/versions"), &admin, &json!({"from": "2025-01", "parent_code": parent}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    for (code, figures) in [("00703", CLEAN), ("00704", BUSY)] {
        let r = app.file(code, "2024-06", &report(figures, json!({}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

fn codes(list: &Value, key: &str) -> Vec<String> {
    list.as_array().expect("a list").iter().map(|e| e[key].as_str().expect("a code").to_owned()).collect()
}

/// A province sees a district that moved into it, but not, in the district's old months, the
/// commune that stayed behind in the other province: no list, count or table carries it.
async fn a_moved_district_does_not_drag_along_a_commune_that_stayed(app: TestApp) {
    a_district_that_moves_province(&app).await;
    let (one, two) = (app.token(Role::Province, Some("01")), app.token(Role::Province, Some("02")));
    // The commune itself stays closed to province 01.
    app.get("/api/v1/communes/00703/reports/2024-06", &one).await.problem(403);
    // Asked in turn, so that a cached ranking of one is never served to the other.
    for (token, expected) in [(&one, vec!["00704"]), (&two, vec!["00703", "00704"]), (&one, vec!["00704"])] {
        let r = app.get("/api/v1/units/026/rankings?period=2024-06", token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(codes(&r.body["entries"], "unit_code"), expected);
        assert_eq!(r.body["communes"], expected.len());
    }
    for path in [
        "/api/v1/units/026/rankings?period=2024-06",
        "/api/v1/units/026/rankings?period=2024Q2&detail=criteria",
        "/api/v1/units/026/aggregates?period=2024-06",
        "/api/v1/units/026/completeness?period=2024-06",
        "/api/v1/units/026/reconciliation?period=2024-06",
        "/api/v1/units/026/children?period=2024-06",
        "/api/v1/units/026/reports?period=2024-06",
        "/api/v1/units?period=2024-06",
    ] {
        let r = app.get(path, &one).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert!(!r.text.contains("00703") && !r.text.contains("Bảy Linh Ba"), "{path}: {}", r.text);
    }
    let a = app.get("/api/v1/units/026/aggregates?period=2024-06", &one).await;
    assert_eq!((a.body["communes_expected"].clone(), a.body["communes_reported"].clone()), (json!(1), json!(1)));
    let c = app.get("/api/v1/units/026/completeness?period=2024-06", &one).await;
    assert_eq!(c.body["expected"], 1);
    let t = app.get("/api/v1/units/026/reports?period=2024-06", &one).await;
    assert_eq!(codes(&t.body["items"], "unit_code"), ["00704"]);
    assert_eq!(t.body["totals"]["indicators"]["dossiers_received_online"]["value"], BUSY[1]);
    for path in ["/api/v1/units/026/rankings.csv?period=2024-06", "/api/v1/units/026/reports.csv?period=2024-06"] {
        let d = download(&app, &one, path, None).await;
        let name = if path.contains("rankings") { "xep-hang-026-2024-06" } else { "bieu-tong-hop-026-2024-06" };
        let text = csv_text(&d, name);
        assert!(!text.contains("00703"), "{path}: {text}");
    }
    // Province 02 still sees its commune under 026 in 2024-06, and 01 sees 026 as it is now.
    let a = app.get("/api/v1/units/026/aggregates?period=2024-06", &two).await;
    assert_eq!(a.body["communes_expected"], 2);
    let r = app.get("/api/v1/units/026/children", &one).await;
    assert_eq!(codes(&r.body["items"], "code"), ["00704"]);
}

/// A control character is refused with a problem wherever text enters — identically on both
/// backends (PostgreSQL cannot store U+0000, SQLite can) — while multi-line text keeps its tabs
/// and line breaks.
async fn control_characters_are_refused_wherever_text_enters(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let invalid_text = |r: &cchc_tests::Reply| {
        assert_eq!(r.problem(400)["type"], "urn:cchc:problem:invalid-text", "{}", r.text);
    };
    // Without a token.
    let r = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(&json!({"username": "dongson\u{0}", "password": "whatever-it-is"})),
        )
        .await;
    invalid_text(&r);
    let r = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(&json!({"username": "dongson", "password": "pass\u{1}word"})),
        )
        .await;
    invalid_text(&r);
    for path in [
        "/api/v1/audit?actor=a%00b",
        "/api/v1/audit?action=report.%7F",
        "/api/v1/audit?target=07273%2F%1B",
        "/api/v1/audit?target_type=%00",
        "/api/v1/units?q=%C4%90%00",
    ] {
        invalid_text(&app.get(path, &admin).await);
    }
    invalid_text(&app.post("/api/v1/users/dong%00son/disable", &admin, &json!({})).await);
    let unit = json!({"code": "07999", "name": "Xã\u{0}Mới", "level": "commune", "parent_code": "215"});
    invalid_text(&app.post("/api/v1/units", &admin, &unit).await);
    invalid_text(
        &app.post("/api/v1/units/07273/versions", &admin, &json!({"from": "2025-01", "name": "Xã\tĐông Sơn"})).await,
    );
    let user = json!({"username": "moi", "password": "mật khẩu\u{0}dài", "role": "commune", "unit_code": "07273"});
    invalid_text(&app.post("/api/v1/users", &admin, &user).await);
    // A forged cursor that decodes to a control character is not one this server issued.
    let cursor = "djE6AA"; // base64url of "v1:\0"
    let r = app.get(&format!("/api/v1/users?cursor={cursor}"), &admin).await;
    assert_eq!(r.problem(400)["type"], "urn:cchc:problem:invalid-paging");

    // A narrative section may hold tabs and line breaks, not a NUL: a finding, nothing stored.
    let mut body = cchc_tests::seed_body();
    body["narrative"]["results"] = json!("Kết quả\u{0}");
    let r = app.file("07273", "2024-06", &body).await;
    assert_eq!(r.problem(422)["type"], "urn:cchc:problem:validation-failed");
    assert_eq!(r.findings("errors")[0].0, "control_character");
    body["narrative"]["results"] = json!("Dòng một\r\n\tDòng hai");
    let r = app.file("07273", "2024-06", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // So may a reason.
    let district = app.token(Role::District, Some("215"));
    let back = "/api/v1/communes/07273/reports/2024-06/return";
    invalid_text(&app.post(back, &district, &json!({"reason": "thiếu\u{0}"})).await);
    let r = app.post(back, &district, &json!({"reason": "Thiếu số liệu:\n\t- hồ sơ trực tuyến"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["review_note"], "Thiếu số liệu:\n\t- hồ sơ trực tuyến");

    // A portal record with one is that record's conflict; the rest still import.
    let portal = app.token(Role::Portal, Some("24"));
    let records = json!([
        {"MaHoSo": "H07-\u{0}", "KenhThucHien": 2, "TrangThaiHoSo": 1, "DonViXuLy": "07273", "NgayTiepNhan": "20240601080000", "NgayHenTra": "20240610170000"},
        {"MaHoSo": "H07-0002", "MaTTHC": "1.\u{7f}", "KenhThucHien": 2, "TrangThaiHoSo": 1, "DonViXuLy": "07273", "NgayTiepNhan": "20240601080000", "NgayHenTra": "20240610170000"},
        {"MaHoSo": "H07-0003", "KenhThucHien": 2, "TrangThaiHoSo": 1, "DonViXuLy": "07273", "NgayTiepNhan": "20240601080000", "NgayHenTra": "20240610170000"},
    ]);
    let r = app.post("/api/v1/portal/dossiers", &portal, &records).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((r.body["imported"].clone(), r.body["rejected"].clone()), (json!(1), json!(2)), "{}", r.text);
    let fields: Vec<&str> =
        r.body["conflicts"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["MaHoSo", "MaTTHC"]);
}

/// A table cell a spreadsheet would run as a formula is written as text: a unit name planted
/// as `=HYPERLINK(…)` stays inert in every CSV.
async fn csv_cells_never_start_a_formula(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let planted = "=HYPERLINK(\"http://evil.example\",\"Bấm\")";
    let r = app.post("/api/v1/units/07294/versions", &admin, &json!({"from": "2024-01", "name": planted})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.file("07294", "2024-06", &report(CLEAN, json!({}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let district = app.token(Role::District, Some("215"));
    for (path, accept, name) in [
        ("/api/v1/units/215/rankings.csv?period=2024-06", None, "xep-hang-215-2024-06"),
        ("/api/v1/units/215/rankings?period=2024-06", Some("text/csv"), "xep-hang-215-2024-06"),
        ("/api/v1/units/215/reports.csv?period=2024-06", None, "bieu-tong-hop-215-2024-06"),
        ("/api/v1/units.csv?period=2024-06&parent=215", None, "don-vi-2024-06"),
    ] {
        let text = csv_text(&download(&app, &district, path, accept).await, name);
        assert!(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Bấm\"\")\""), "{path}: {text}");
        assert!(
            !text.lines().any(|l| l.split(',').any(|c| c.starts_with('=') || c.starts_with("\"="))),
            "{path}: {text}"
        );
    }
}

/// A new password and disabling end every token the user had; an integration's token (a
/// subject that is no stored user) lasts until it expires.
async fn a_new_password_or_disabling_ends_earlier_tokens(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let body = json!({"username": "dongson", "password": "mật-khẩu-một", "role": "commune", "unit_code": "07273"});
    assert_eq!(app.post("/api/v1/users", &admin, &body).await.status, 201);
    let sign_in = |password: &'static str| {
        let app = &app;
        async move {
            let r = app
                .request(
                    reqwest::Method::POST,
                    "/api/v1/auth/token",
                    None,
                    Some(&json!({"username": "dongson", "password": password})),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["access_token"].as_str().expect("a token").to_owned()
        }
    };
    let first = sign_in("mật-khẩu-một").await;
    assert_eq!(app.get("/api/v1/units/07273", &first).await.status, 200);
    let r = app.post("/api/v1/users/dongson/password", &admin, &json!({"password": "mật-khẩu-hai"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let p = app.get("/api/v1/units/07273", &first).await;
    assert_eq!(p.problem(401)["type"], "urn:cchc:problem:unauthorized");
    let second = sign_in("mật-khẩu-hai").await;
    assert_eq!(app.get("/api/v1/units/07273", &second).await.status, 200);
    assert_eq!(app.post("/api/v1/users/dongson/disable", &admin, &json!({})).await.status, 200);
    app.get("/api/v1/units/07273", &second).await.problem(401);
    assert_eq!(app.post("/api/v1/users/dongson/enable", &admin, &json!({})).await.status, 200);
    app.get("/api/v1/units/07273", &second).await.problem(401);
    assert_eq!(app.get("/api/v1/units/07273", &sign_in("mật-khẩu-hai").await).await.status, 200);
    // An integration's token is not a stored user's: nothing above touches it.
    let portal = app.token(Role::Portal, Some("24"));
    assert_eq!(app.get("/api/v1/feed", &portal).await.status, 200);
}

/// An address locked out by wrong passwords still lets a right one through (an office shares
/// one address); the username's own limit holds whatever the password.
async fn a_locked_out_address_lets_a_right_password_through(app: TestApp) {
    let app = {
        let backend = app.backend;
        drop(app);
        let rules = cchc_api::config::RulesArgs { login_max_failures_per_address: 2, ..Default::default() };
        TestApp::spawn_with(backend, cchc_tests::Options { rules, ..Default::default() }).await
    };
    app.seed_units().await;
    let body = json!({"username": "dongson", "password": "mật-khẩu-một", "role": "commune", "unit_code": "07273"});
    assert_eq!(app.post("/api/v1/users", &app.admin(), &body).await.status, 201);
    let attempt = |username: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.request(
                reqwest::Method::POST,
                "/api/v1/auth/token",
                None,
                Some(&json!({"username": username, "password": password})),
            )
            .await
        }
    };
    for name in ["ke-la-1", "ke-la-2"] {
        assert_eq!(attempt(name, "doan-bua-thoi").await.status, 401);
    }
    let p = attempt("ke-la-3", "doan-bua-thoi").await;
    assert_eq!(p.problem(429)["type"], "urn:cchc:problem:too-many-sign-ins");
    assert!(p.header("retry-after").is_some());
    // The officer behind the same address signs in; a wrong password is still stopped.
    assert_eq!(attempt("dongson", "mật-khẩu-một").await.status, 200);
    attempt("dongson", "sai-mat-khau").await.problem(429);
    // A commune does not see its rank among its siblings (it could learn their scores).
    assert_eq!(app.file("07273", "2024-06", &cchc_tests::seed_body()).await.status, 201);
    let own = app.token(Role::Commune, Some("07273"));
    let card = app.get("/api/v1/communes/07273/scores?period=2024-06", &own).await;
    assert_eq!((card.body["score"].clone(), card.body["rank"].clone()), (json!(99.88), Value::Null), "{}", card.text);
    let district = app.token(Role::District, Some("215"));
    let card = app.get("/api/v1/communes/07273/scores?period=2024-06", &district).await;
    assert_eq!(card.body["rank"]["rank"], 1, "{}", card.text);
    // Every answer says not to sniff its type.
    assert_eq!(card.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(app.get("/api/v1/nope", &district).await.header("x-content-type-options"), Some("nosniff"));
}

/// An oversize address or header is answered with a problem, before any handler reads it.
async fn an_oversize_address_or_header_is_a_problem(app: TestApp) {
    let long_query = format!("/api/v1/units?q={}", "a".repeat(9000));
    let res = app.client.get(app.url(&long_query)).bearer_auth(app.admin()).send().await.expect("an answer");
    assert_eq!(res.status(), 414);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.expect("a problem");
    assert_eq!(body["type"], "urn:cchc:problem:uri-too-long");
    // A forged token of 9,000 bytes, unauthenticated: refused for its size, not read.
    let token = "e".repeat(9000);
    let res = app.client.get(app.url("/api/v1/units")).bearer_auth(&token).send().await.expect("an answer");
    assert_eq!(res.status(), 431);
    let body: Value = res.json().await.expect("a problem");
    assert_eq!(body["type"], "urn:cchc:problem:header-too-large");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("`authorization`")), "{body}");
    // The same without authentication at all, on a public route.
    let res = app.client.get(app.url("/health")).header("x-padding", "p".repeat(9000)).send().await.expect("an answer");
    assert_eq!(res.status(), 431);
}

backend_tests!(
    an_oversize_address_or_header_is_a_problem,
    a_locked_out_address_lets_a_right_password_through,
    a_new_password_or_disabling_ends_earlier_tokens,
    a_moved_district_does_not_drag_along_a_commune_that_stayed,
    control_characters_are_refused_wherever_text_enters,
    csv_cells_never_start_a_formula
);
