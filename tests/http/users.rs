//! Stored users and sign-in hardening: who manages whom (admins everyone; province staff the
//! users of their province, never admins), disabling (tokens stop at once), password resets,
//! moving users to a successor commune, sign-in rate limiting kept in the database, the audit
//! trail (without secrets), and the plumbing (405 with `Allow`, request ids).

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{Options, Reply, TestApp, backend_tests, seed_body};

// ---------------------------------------------------------------------------------------------
// Helpers

const PASSWORD: &str = "mat-khau-dung";

async fn login(app: &TestApp, username: &str, password: &str) -> Reply {
    app.request(Method::POST, "/api/v1/auth/token", None, Some(&json!({"username": username, "password": password})))
        .await
}

/// Signs in and returns the access token.
async fn sign_in(app: &TestApp, username: &str, password: &str) -> String {
    let r = login(app, username, password).await;
    assert_eq!(r.status, 200, "signing in as {username}: {}", r.text);
    r.body["access_token"].as_str().expect("an access token").to_owned()
}

fn user_body(username: &str, role: &str, unit: Option<&str>) -> Value {
    json!({"username": username, "password": PASSWORD, "role": role, "unit_code": unit})
}

/// Creates a user as admin.
async fn create_user(app: &TestApp, username: &str, role: &str, unit: Option<&str>) -> Reply {
    let r = app.post("/api/v1/users", &app.admin(), &user_body(username, role, unit)).await;
    assert_eq!(r.status, 201, "creating {username}: {}", r.text);
    r
}

/// Every username the token's holder is shown, paging with `limit`; also the pages.
async fn list_all(app: &TestApp, token: &str, limit: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/users?limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let page: Vec<String> = r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect();
        assert!(page.len() <= limit, "{path}: {page:?}");
        pages.push(page);
        assert!(pages.len() <= 100, "paging does not end");
        match r.body.get("next").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    pages
}

async fn usernames(app: &TestApp, token: &str) -> Vec<String> {
    list_all(app, token, 1000).await.into_iter().flatten().collect()
}

/// A unit-scoped read that every commune user of 07273 may make.
const DONG_SON: &str = "/api/v1/units/07273?period=2024-06";

// ---------------------------------------------------------------------------------------------
// Creating users

async fn admins_create_users_who_then_sign_in(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();

    let r = app.post("/api/v1/users", &admin, &user_body(" DongSon ", "commune", Some("07273"))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/api/v1/users/dongson"));
    let keys: BTreeSet<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["username", "role", "unit_code", "disabled", "created_at"]));
    assert_eq!(r.body["username"], "dongson");
    assert_eq!(r.body["role"], "commune");
    assert_eq!(r.body["unit_code"], "07273");
    assert_eq!(r.body["disabled"], false);
    let created = r.body["created_at"].as_str().unwrap();
    assert!(created.ends_with("+07:00"), "Vietnam time: {created}");
    assert!(!r.text.contains(PASSWORD) && !r.text.contains("argon2"), "{}", r.text);

    for (username, role, unit) in [
        ("yenthe", "district", Some("215")),
        ("bacgiang", "province", Some("24")),
        ("cong-dvc", "portal", Some("24")),
        ("quantri", "admin", None),
    ] {
        let r = create_user(&app, username, role, unit).await;
        assert_eq!(r.body["role"], role);
        assert_eq!(r.body["unit_code"], json!(unit));
    }
    // Exactly eight characters is enough, counted as characters.
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "huongvi", "password": "ăăăăăăăă", "role": "commune", "unit_code": "07279"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Sign-in gives a token scoped like the user.
    let r = login(&app, "dongson", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["role"], "commune");
    assert_eq!(r.body["unit"], "07273");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let token = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get(DONG_SON, &token).await.status, 200);
    app.get("/api/v1/units/07279?period=2024-06", &token).await.problem(403);
    // Usernames are case-insensitive; the multi-byte password works.
    assert_eq!(login(&app, "DONGSON", PASSWORD).await.status, 200);
    let hv = sign_in(&app, "huongvi", "ăăăăăăăă").await;
    assert_eq!(app.get("/api/v1/units/07279?period=2024-06", &hv).await.status, 200);
    // A stored admin manages users too.
    let quantri = sign_in(&app, "quantri", PASSWORD).await;
    let r = app.post("/api/v1/users", &quantri, &user_body("tanyen", "district", Some("216"))).await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Duplicates, however spelt.
    for name in ["dongson", "DongSon", "  dongson", "QUANTRI"] {
        let r = app.post("/api/v1/users", &admin, &user_body(name, "commune", Some("07294"))).await;
        let p = r.problem(409);
        assert_eq!(p["type"], "urn:cchc:problem:user-exists", "{name}");
        assert_eq!(p["detail"], "there is already a user dongson".replace("dongson", &name.trim().to_lowercase()));
    }

    let cases_400: Vec<(&str, Value)> = vec![
        ("password of 7", json!({"username": "a1", "password": "1234567", "role": "commune", "unit_code": "07294"})),
        (
            "password of 7 characters",
            json!({"username": "a1", "password": "ăăăăăăă", "role": "commune", "unit_code": "07294"}),
        ),
        ("empty password", json!({"username": "a1", "password": "", "role": "commune", "unit_code": "07294"})),
        ("commune user of a district", user_body("a1", "commune", Some("215"))),
        ("commune user of a province", user_body("a1", "commune", Some("24"))),
        ("district user of a commune", user_body("a1", "district", Some("07294"))),
        ("district user of a province", user_body("a1", "district", Some("24"))),
        ("province user of a district", user_body("a1", "province", Some("215"))),
        ("portal user of a commune", user_body("a1", "portal", Some("07294"))),
        ("admin with a unit", user_body("a1", "admin", Some("24"))),
        ("commune user without a unit", user_body("a1", "commune", None)),
        ("district user without a unit", json!({"username": "a1", "password": PASSWORD, "role": "district"})),
        ("unknown commune", user_body("a1", "commune", Some("07999"))),
        ("unknown province", user_body("a1", "province", Some("99"))),
        ("malformed unit", user_body("a1", "commune", Some("0729"))),
        ("unknown role", user_body("a1", "superuser", Some("07294"))),
        ("role in capitals", user_body("a1", "Commune", Some("07294"))),
        ("empty username", user_body("", "commune", Some("07294"))),
        ("blank username", user_body("   ", "commune", Some("07294"))),
        ("username with a space", user_body("dong son", "commune", Some("07294"))),
        ("username with a slash", user_body("dong/son", "commune", Some("07294"))),
        ("username too long", user_body(&"a".repeat(65), "commune", Some("07294"))),
        ("no password", json!({"username": "a1", "role": "commune", "unit_code": "07294"})),
        (
            "unknown field",
            json!({"username": "a1", "password": PASSWORD, "role": "commune", "unit_code": "07294", "disabled": true}),
        ),
        ("not an object", json!(["a1"])),
    ];
    for (what, body) in &cases_400 {
        let r = app.post("/api/v1/users", &admin, body).await;
        let p = r.problem(400);
        assert!(p["request_id"].is_string() && p["instance"] == "/api/v1/users", "{what}: {p}");
    }
    // 64 characters is the longest username.
    let r = app.post("/api/v1/users", &admin, &user_body(&"a".repeat(64), "commune", Some("07294"))).await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Only admins and province staff manage users; without a token, 401.
    let body = user_body("boha", "commune", Some("07294"));
    for (role, unit) in [(Role::Commune, "07294"), (Role::District, "215"), (Role::Portal, "24")] {
        let r = app.post("/api/v1/users", &app.token(role, Some(unit)), &body).await;
        assert_eq!(r.problem(403)["type"], "urn:cchc:problem:role-not-allowed", "{role}");
        app.get("/api/v1/users", &app.token(role, Some(unit))).await.problem(403);
    }
    app.request(Method::POST, "/api/v1/users", None, Some(&body)).await.problem(401);
    app.request(Method::GET, "/api/v1/users", None, None).await.problem(401);

    // Nothing refused was stored.
    let mut expected = vec!["bacgiang", "cong-dvc", "dongson", "huongvi", "quantri", "tanyen", "yenthe"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    expected.push("a".repeat(64));
    expected.sort();
    assert_eq!(usernames(&app, &admin).await, expected);
    login(&app, "boha", PASSWORD).await.problem(401);
    login(&app, "a1", PASSWORD).await.problem(401);
}

async fn province_staff_manage_their_province_only(app: TestApp) {
    app.seed_units().await;
    // Tỉnh Lạng Sơn, another province.
    app.create_unit("20", "Tỉnh Lạng Sơn", None).await;
    app.create_unit("178", "Huyện Văn Lãng", Some("20")).await;
    app.create_unit("06100", "Xã Hoàng Văn Thụ", Some("178")).await;
    create_user(&app, "langson", "province", Some("20")).await;
    create_user(&app, "vanlang", "district", Some("178")).await;
    create_user(&app, "hoangvanthu", "commune", Some("06100")).await;
    create_user(&app, "quantri", "admin", None).await;

    let bac_giang = app.token(Role::Province, Some("24"));
    for (username, role, unit) in [
        ("dongson", "commune", "07273"),
        ("caoxa", "commune", "07312"),
        ("yenthe", "district", "215"),
        ("bacgiang", "province", "24"),
        ("cong-dvc", "portal", "24"),
    ] {
        let r = app.post("/api/v1/users", &bac_giang, &user_body(username, role, Some(unit))).await;
        assert_eq!(r.status, 201, "{username}: {}", r.text);
        assert_eq!(r.body["unit_code"], unit);
    }
    // Never outside the province, never an admin.
    for (what, body) in [
        ("a commune of Lạng Sơn", user_body("x1", "commune", Some("06100"))),
        ("a district of Lạng Sơn", user_body("x2", "district", Some("178"))),
        ("Lạng Sơn itself", user_body("x3", "province", Some("20"))),
        ("Lạng Sơn's portal", user_body("x4", "portal", Some("20"))),
        ("an admin", user_body("x5", "admin", None)),
    ] {
        let r = app.post("/api/v1/users", &bac_giang, &body).await;
        assert_eq!(r.problem(403)["type"], "urn:cchc:problem:outside-scope", "{what}");
    }
    // The province's own checks still apply first.
    app.post("/api/v1/users", &bac_giang, &user_body("x6", "commune", Some("07999"))).await.problem(400);
    app.post("/api/v1/users", &bac_giang, &user_body("langson", "commune", Some("07273"))).await.problem(409);

    // Each province lists its own users; the admin everyone.
    assert_eq!(usernames(&app, &bac_giang).await, ["bacgiang", "caoxa", "cong-dvc", "dongson", "yenthe"]);
    let lang_son = app.token(Role::Province, Some("20"));
    assert_eq!(usernames(&app, &lang_son).await, ["hoangvanthu", "langson", "vanlang"]);
    assert_eq!(
        usernames(&app, &app.admin()).await,
        ["bacgiang", "caoxa", "cong-dvc", "dongson", "hoangvanthu", "langson", "quantri", "vanlang", "yenthe"]
    );
    // Filtered pages are still full pages, each user once.
    for limit in [1, 2, 3, 4, 5] {
        let pages = list_all(&app, &bac_giang, limit).await;
        let flat: Vec<String> = pages.iter().flatten().cloned().collect();
        assert_eq!(flat, ["bacgiang", "caoxa", "cong-dvc", "dongson", "yenthe"], "limit {limit}: {pages:?}");
        assert_eq!(pages.len(), 5usize.div_ceil(limit), "limit {limit}: {pages:?}");
    }

    // Users outside the province are not there for its staff.
    for username in ["vanlang", "langson", "quantri", "nobody"] {
        for (path, body) in [
            (format!("/api/v1/users/{username}/disable"), json!({})),
            (format!("/api/v1/users/{username}/enable"), json!({})),
            (format!("/api/v1/users/{username}/password"), json!({"password": "mat-khau-moi"})),
        ] {
            app.post(&path, &bac_giang, &body).await.problem(404);
        }
        app.put(&format!("/api/v1/users/{username}/unit"), &bac_giang, &json!({"unit_code": "07294"}))
            .await
            .problem(404);
    }
    sign_in(&app, "vanlang", PASSWORD).await;
    // Its own users are.
    let r = app.post("/api/v1/users/dongson/disable", &bac_giang, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["disabled"], true);
    let r = app.post("/api/v1/users/dongson/enable", &bac_giang, &json!({})).await;
    assert_eq!(r.body["disabled"], false);
    // But not into another province.
    let r = app.put("/api/v1/users/dongson/unit", &bac_giang, &json!({"unit_code": "06100"})).await;
    r.problem(403);
    let r = app.put("/api/v1/users/dongson/unit", &bac_giang, &json!({"unit_code": "07279"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_code"], "07279");
    // Other roles manage nobody.
    for (role, unit) in [(Role::District, "215"), (Role::Commune, "07273"), (Role::Portal, "24")] {
        let t = app.token(role, Some(unit));
        app.post("/api/v1/users/dongson/disable", &t, &json!({})).await.problem(403);
        app.post("/api/v1/users/dongson/password", &t, &json!({"password": "mat-khau-moi"})).await.problem(403);
        app.put("/api/v1/users/dongson/unit", &t, &json!({"unit_code": "07273"})).await.problem(403);
    }
}

async fn users_are_listed_in_pages_by_username(app: TestApp) {
    app.seed_units().await;
    let names = ["ha", "an", "giang", "binh", "dung", "em", "chi"];
    for (i, name) in names.iter().enumerate() {
        let unit = ["07273", "07279", "07294", "07312"][i % 4];
        create_user(&app, name, "commune", Some(unit)).await;
    }
    let admin = app.admin();
    let mut sorted: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    for limit in [1, 2, 3, 6, 7, 8, 1000] {
        let pages = list_all(&app, &admin, limit).await;
        let flat: Vec<String> = pages.iter().flatten().cloned().collect();
        assert_eq!(flat, sorted, "limit {limit}: {pages:?}");
        assert_eq!(pages.len(), sorted.len().div_ceil(limit), "limit {limit}: {pages:?}");
    }
    // The items are user views.
    let r = app.get("/api/v1/users?limit=1", &admin).await;
    assert_eq!(r.body["items"][0]["username"], "an");
    assert_eq!(r.body["items"][0]["role"], "commune");
    assert_eq!(r.body["items"][0]["unit_code"], "07279");
    assert_eq!(r.body["items"][0]["disabled"], false);
    assert!(!r.text.contains("password") && !r.text.contains("argon2"), "{}", r.text);
    // A cursor stays valid with another limit, and a user created after it shows up.
    let next = r.body["next"].as_str().unwrap().to_owned();
    create_user(&app, "bao", "commune", Some("07273")).await;
    let r = app.get(&format!("/api/v1/users?limit=2&cursor={next}"), &admin).await;
    let page: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(page, ["bao", "binh"]);

    for limit in ["0", "1001", "-1", "x"] {
        app.get(&format!("/api/v1/users?limit={limit}"), &admin).await.problem(400);
    }
    for cursor in ["not-a-cursor", "!!!", "djI6YW4"] {
        let p = app.get(&format!("/api/v1/users?cursor={cursor}"), &admin).await;
        assert!(p.problem(400)["detail"].as_str().unwrap().contains("cursor"), "{cursor}");
    }
}

// ---------------------------------------------------------------------------------------------
// Disabling, passwords, moves

async fn disabling_a_user_stops_their_tokens_at_once(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "dongson", "commune", Some("07273")).await;
    create_user(&app, "huongvi", "commune", Some("07279")).await;
    let token = sign_in(&app, "dongson", PASSWORD).await;
    let other = sign_in(&app, "huongvi", PASSWORD).await;
    assert_eq!(app.get(DONG_SON, &token).await.status, 200);
    assert_eq!(app.file("07273", "2024-06", &seed_body()).await.status, 201);

    let r = app.post("/api/v1/users/dongson/disable", &app.admin(), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["username"], "dongson");
    assert_eq!(r.body["disabled"], true);

    // The token already issued stops working, on every route.
    for r in [
        app.get(DONG_SON, &token).await,
        app.get("/api/v1/communes/07273/reports/2024-06", &token).await,
        app.put("/api/v1/communes/07273/reports/2024-06", &token, &seed_body()).await,
    ] {
        let p = r.problem(401);
        assert_eq!(p["detail"], "this user is disabled", "{p}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    // Signing in fails, with the same answer as a wrong password.
    let r = login(&app, "dongson", PASSWORD).await;
    assert_eq!(r.problem(401)["detail"], "wrong username or password");
    // Another stored user is untouched; so are tokens whose subject is not a stored user.
    assert_eq!(app.get("/api/v1/units/07279?period=2024-06", &other).await.status, 200);
    let minted = app.token(Role::Commune, Some("07273"));
    assert_eq!(app.get(DONG_SON, &minted).await.status, 200, "subject test-commune is not stored");
    let r = app.get("/api/v1/communes/07273/reports/2024-06", &minted).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get("/api/v1/users", &app.admin()).await.status, 200);
    // The list shows the state.
    let r = app.get("/api/v1/users", &app.admin()).await;
    let states: BTreeMap<&str, bool> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["username"].as_str().unwrap(), u["disabled"].as_bool().unwrap()))
        .collect();
    assert_eq!(states, BTreeMap::from([("dongson", true), ("huongvi", false)]));
    // Disabling again changes nothing.
    let r = app.post("/api/v1/users/DongSon/disable", &app.admin(), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["disabled"], true);

    let r = app.post("/api/v1/users/dongson/enable", &app.admin(), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["disabled"], false);
    // Disabling ended the tokens issued before: enabling again does not bring them back.
    let p = app.get(DONG_SON, &token).await;
    assert!(p.problem(401)["detail"].as_str().unwrap().starts_with("this session has ended"), "{}", p.text);
    let fresh = sign_in(&app, "dongson", PASSWORD).await;
    assert_eq!(app.get(DONG_SON, &fresh).await.status, 200);

    // A disabled stored admin loses its powers at once.
    create_user(&app, "quantri", "admin", None).await;
    let quantri = sign_in(&app, "quantri", PASSWORD).await;
    assert_eq!(app.get("/api/v1/users", &quantri).await.status, 200);
    assert_eq!(app.post("/api/v1/users/quantri/disable", &app.admin(), &json!({})).await.status, 200);
    app.get("/api/v1/users", &quantri).await.problem(401);
    app.post("/api/v1/users/quantri/enable", &quantri, &json!({})).await.problem(401);

    // Unknown users.
    app.post("/api/v1/users/nobody/disable", &app.admin(), &json!({})).await.problem(404);
    app.post("/api/v1/users/nobody/enable", &app.admin(), &json!({})).await.problem(404);
}

async fn a_new_password_replaces_the_old(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "dongson", "commune", Some("07273")).await;
    let admin = app.admin();
    let r = app.post("/api/v1/users/dongson/password", &admin, &json!({"password": "mat-khau-moi"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["username"], "dongson");
    assert!(!r.text.contains("mat-khau-moi") && !r.text.contains("argon2"), "{}", r.text);
    login(&app, "dongson", PASSWORD).await.problem(401);
    let token = sign_in(&app, "dongson", "mat-khau-moi").await;
    assert_eq!(app.get(DONG_SON, &token).await.status, 200);

    // The province resets its users' passwords too.
    let r = app
        .post(
            "/api/v1/users/dongson/password",
            &app.token(Role::Province, Some("24")),
            &json!({"password": "mat-khau-ba"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    login(&app, "dongson", "mat-khau-moi").await.problem(401);
    sign_in(&app, "dongson", "mat-khau-ba").await;

    for body in
        [json!({"password": "1234567"}), json!({"password": ""}), json!({}), json!({"password": PASSWORD, "x": 1})]
    {
        app.post("/api/v1/users/dongson/password", &admin, &body).await.problem(400);
    }
    app.post("/api/v1/users/nobody/password", &admin, &json!({"password": "mat-khau-moi"})).await.problem(404);
    app.post(
        "/api/v1/users/dongson/password",
        &app.token(Role::District, Some("215")),
        &json!({"password": "abcdefgh"}),
    )
    .await
    .problem(403);
    // Refused resets changed nothing.
    sign_in(&app, "dongson", "mat-khau-ba").await;
}

async fn users_follow_their_commune_into_the_merger(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "dongson", "commune", Some("07273")).await;
    create_user(&app, "huongvi", "commune", Some("07279")).await;
    create_user(&app, "yenthe", "district", Some("215")).await;
    assert_eq!(app.file("07273", "2024-06", &seed_body()).await.status, 201);
    crate::merges::reform(&app).await;

    // Đông Sơn's officer moves to Bố Hạ, which carries Đông Sơn's history.
    let r = app.put("/api/v1/users/dongson/unit", &app.admin(), &json!({"unit_code": "07294"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_code"], "07294");
    assert_eq!(r.body["role"], "commune");
    let r = login(&app, "dongson", PASSWORD).await;
    assert_eq!(r.body["unit"], "07294", "{}", r.text);
    let token = r.body["access_token"].as_str().unwrap().to_owned();
    let body = json!({"values": {"dossiers_carried_over": 0, "dossiers_received_online": 10, "dossiers_received_direct": 0,
        "dossiers_resolved_early": 10, "dossiers_resolved_on_time": 0, "dossiers_resolved_overdue": 0,
        "dossiers_pending_within_deadline": 0, "dossiers_pending_overdue": 0}});
    let r = app.put("/api/v1/communes/07294/reports/2025-07", &token, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["updated_by"], "dongson");
    let r = app.get("/api/v1/communes/07273/reports/2024-06", &token).await;
    assert_eq!(r.status, 200, "the predecessor's history: {}", r.text);
    app.put("/api/v1/communes/07273/reports/2025-06", &token, &body).await.problem(403);

    // The province moves Hương Vĩ's officer, though Hương Vĩ no longer exists.
    let r = app
        .put("/api/v1/users/huongvi/unit", &app.token(Role::Province, Some("24")), &json!({"unit_code": "07294"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_code"], "07294");

    // Only to a unit of the user's level, that exists.
    for (user, unit) in [("dongson", "215"), ("dongson", "24"), ("yenthe", "07294"), ("yenthe", "24")] {
        let r = app.put(&format!("/api/v1/users/{user}/unit"), &app.admin(), &json!({"unit_code": unit})).await;
        r.problem(400);
    }
    for body in
        [json!({"unit_code": "07999"}), json!({"unit_code": "7294"}), json!({}), json!({"unit_code": "07294", "x": 1})]
    {
        app.put("/api/v1/users/dongson/unit", &app.admin(), &body).await.problem(400);
    }
    app.put("/api/v1/users/nobody/unit", &app.admin(), &json!({"unit_code": "07294"})).await.problem(404);
    // A district officer moves to another district.
    let r = app.put("/api/v1/users/yenthe/unit", &app.admin(), &json!({"unit_code": "216"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get("/api/v1/users", &app.admin()).await;
    let units: BTreeMap<&str, &str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["username"].as_str().unwrap(), u["unit_code"].as_str().unwrap()))
        .collect();
    assert_eq!(units, BTreeMap::from([("dongson", "07294"), ("huongvi", "07294"), ("yenthe", "216")]));
}

// ---------------------------------------------------------------------------------------------
// Rate limiting

/// A sign-in on an app known only by its address: status, `Retry-After`, body.
async fn login_at(
    client: &reqwest::Client,
    address: &str,
    username: &str,
    password: &str,
) -> (StatusCode, Option<String>, Value) {
    let res = client
        .post(format!("{address}/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("the server answers");
    let status = res.status();
    let retry = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = res.json().await.unwrap_or(Value::Null);
    (status, retry, body)
}

#[track_caller]
fn assert_retry_after(r: &Reply) -> i64 {
    r.problem(429);
    assert_eq!(r.body["type"], "urn:cchc:problem:too-many-sign-ins");
    let secs: i64 =
        r.header("retry-after").unwrap_or_else(|| panic!("no Retry-After: {:?}", r.headers)).parse().expect("seconds");
    assert!((1..=15 * 60).contains(&secs), "Retry-After {secs}");
    secs
}

async fn failed_sign_ins_are_limited_per_username_across_instances(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "dongson", "commune", Some("07273")).await;
    create_user(&app, "huongvi", "commune", Some("07279")).await;

    // Three failures on the first instance…
    for _ in 0..3 {
        login(&app, "dongson", "sai-mat-khau").await.problem(401);
    }
    // …two on a second instance on the same database.
    let TestApp { database, address: first, client, backend, .. } = app;
    let second = TestApp::start(backend, database, Options::default()).await;
    assert_ne!(second.address, first);
    login(&second, "DongSon", "sai-mat-khau").await.problem(401);
    login(&second, "dongson", "sai-mat-khau-2").await.problem(401);

    // The sixth attempt is refused even with the right password, on either instance.
    let r = login(&second, "dongson", PASSWORD).await;
    assert_retry_after(&r);
    assert!(r.body["request_id"].is_string(), "{}", r.text);
    let (status, retry, body) = login_at(&client, &first, "dongson", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    let secs: i64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!((1..=15 * 60).contains(&secs), "{secs}");
    // A wrong password too, and the name however spelt.
    assert_retry_after(&login(&second, "dongson", "sai-mat-khau").await);
    assert_retry_after(&login(&second, " DONGSON ", PASSWORD).await);

    // Another username is not blocked.
    assert_eq!(login(&second, "huongvi", PASSWORD).await.status, 200);
    let (status, _, body) = login_at(&client, &first, "huongvi", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    // A success clears that user's failures: four, a success, four more are fine.
    for _ in 0..4 {
        login(&second, "huongvi", "sai-mat-khau").await.problem(401);
    }
    assert_eq!(login(&second, "huongvi", PASSWORD).await.status, 200);
    for _ in 0..4 {
        login(&second, "huongvi", "sai-mat-khau").await.problem(401);
    }
    assert_eq!(login(&second, "huongvi", PASSWORD).await.status, 200);
    // Unknown usernames are limited the same way, without saying they are unknown.
    for _ in 0..5 {
        let r = login(&second, "khong-co", "sai-mat-khau").await;
        assert_eq!(r.problem(401)["detail"], "wrong username or password");
    }
    assert_retry_after(&login(&second, "khong-co", "sai-mat-khau").await);

    // The blocked user's earlier tokens are not affected: the limit guards sign-in only.
    let minted = second.token(Role::Commune, Some("07273"));
    assert_eq!(second.get(DONG_SON, &minted).await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// Audit and plumbing

async fn user_changes_are_audited_without_secrets(app: TestApp) {
    app.seed_units().await;
    crate::merges::reform(&app).await;
    let admin = app.admin();
    create_user(&app, "dongson", "commune", Some("07273")).await;
    assert_eq!(app.post("/api/v1/users/dongson/disable", &admin, &json!({})).await.status, 200);
    assert_eq!(app.post("/api/v1/users/dongson/enable", &admin, &json!({})).await.status, 200);
    let r = app.post("/api/v1/users/dongson/password", &admin, &json!({"password": "mat-khau-moi"})).await;
    assert_eq!(r.status, 200);
    let r = app.put("/api/v1/users/dongson/unit", &admin, &json!({"unit_code": "07294"})).await;
    assert_eq!(r.status, 200);
    // Refused changes are not recorded.
    app.post("/api/v1/users/dongson/password", &admin, &json!({"password": "ngan-7c"})).await.problem(400);
    app.put("/api/v1/users/dongson/unit", &admin, &json!({"unit_code": "215"})).await.problem(400);
    app.post("/api/v1/users", &admin, &user_body("dongson", "commune", Some("07294"))).await.problem(409);

    let r = app.get("/api/v1/audit?target_type=user", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    // Newest first.
    assert_eq!(actions, ["user.move", "user.reset_password", "user.enable", "user.disable", "user.create"]);
    for e in items {
        assert_eq!(e["actor"], "test-admin", "{e}");
        assert_eq!(e["actor_role"], "admin", "{e}");
        assert_eq!(e["target_type"], "user", "{e}");
        assert_eq!(e["target"], "dongson", "{e}");
        assert_eq!(e["province_code"], "24", "{e}");
        assert!(e["request_id"].is_string(), "{e}");
    }
    assert_eq!(items[4]["details"]["role"], "commune");
    assert_eq!(items[0]["details"], json!({"from": "07273", "to": "07294"}));
    // By action, too.
    let r = app.get("/api/v1/audit?action=user.reset_password", &admin).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    let r = app.get("/api/v1/audit?action=user.", &admin).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 5);
    // The province sees its users' entries.
    let r = app.get("/api/v1/audit?target_type=user", &app.token(Role::Province, Some("24"))).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 5, "{}", r.text);
    let r = app.get("/api/v1/audit?target_type=user", &app.token(Role::Province, Some("20"))).await;
    assert_eq!(r.body["items"], json!([]), "{}", r.text);

    // The unit changes of the reform are there as well.
    let r = app.get("/api/v1/audit?target_type=unit&limit=1000", &admin).await;
    let unit_actions: BTreeSet<&str> =
        r.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(unit_actions, BTreeSet::from(["unit.create", "unit.change", "unit.merge", "unit.end"]));

    // No password or hash anywhere in the log.
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/audit?limit=5&cursor={c}"),
            None => "/api/v1/audit?limit=5".to_owned(),
        };
        let r = app.get(&path, &admin).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for secret in [PASSWORD, "mat-khau-moi", "ngan-7c", "argon2", "password_hash"] {
            assert!(!r.text.contains(secret), "`{secret}` in the audit log: {}", r.text);
        }
        seen += r.body["items"].as_array().unwrap().len();
        match r.body["next"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => break,
        }
    }
    assert!(seen >= 5 + 12, "{seen} entries");
}

async fn wrong_methods_get_405_with_allow(app: TestApp) {
    let admin = app.admin();
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/users/x/disable", "POST"),
        (Method::GET, "/api/v1/users/x/disable", "POST"),
        (Method::PUT, "/api/v1/users/x/enable", "POST"),
        (Method::GET, "/api/v1/users/x/password", "POST"),
        (Method::POST, "/api/v1/users/x/unit", "PUT"),
        (Method::DELETE, "/api/v1/users", "GET, HEAD, POST"),
        (Method::PUT, "/api/v1/users", "GET, HEAD, POST"),
        (Method::GET, "/api/v1/auth/token", "POST"),
        (Method::DELETE, "/api/v1/units/07273/merge", "POST"),
        (Method::PUT, "/api/v1/units/215/end", "POST"),
        (Method::DELETE, "/api/v1/units/24/versions", "POST"),
    ] {
        let r = app.request(method.clone(), path, Some(&admin), None).await;
        let p = r.problem(405);
        assert_eq!(p["type"], "urn:cchc:problem:method-not-allowed", "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
        assert!(p["request_id"].is_string(), "{method} {path}: {p}");
        assert_eq!(p["request_id"].as_str(), r.header("x-request-id"), "{method} {path}");
    }
    // Problems from the user routes carry the request id too.
    for r in [
        app.post("/api/v1/users/nobody/disable", &admin, &json!({})).await,
        app.post("/api/v1/users", &app.token(Role::District, Some("215")), &user_body("x1", "commune", Some("07273")))
            .await,
        login(&app, "nobody", "sai-mat-khau").await,
    ] {
        let p = r.problem(r.status.as_u16());
        assert!(p["request_id"].is_string(), "{p}");
        assert_eq!(p["request_id"].as_str(), r.header("x-request-id"), "{p}");
    }
}

backend_tests!(
    concurrent_sign_ins_do_not_bypass_the_limit,
    admins_create_users_who_then_sign_in,
    province_staff_manage_their_province_only,
    users_are_listed_in_pages_by_username,
    disabling_a_user_stops_their_tokens_at_once,
    a_new_password_replaces_the_old,
    users_follow_their_commune_into_the_merger,
    failed_sign_ins_are_limited_per_username_across_instances,
    user_changes_are_audited_without_secrets,
    wrong_methods_get_405_with_allow,
);

// ---------------------------------------------------------------------------------------------
async fn concurrent_sign_ins_do_not_bypass_the_limit(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "dongson", "commune", Some("07273")).await;
    let attempts = (0..20).map(|_| login(&app, "dongson", "sai-mat-khau"));
    let statuses: Vec<u16> =
        futures_util::future::join_all(attempts).await.into_iter().map(|r| r.status.as_u16()).collect();
    let evaluated = statuses.iter().filter(|&&s| s == 401).count();
    assert!(evaluated <= 5, "{evaluated} of 20 concurrent attempts were checked: {statuses:?}");
    assert_retry_after(&login(&app, "dongson", PASSWORD).await);
}
