//! Units: creating them (admin only), reading one as of a period, and paging through children.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{Reply, TestApp, backend_tests, this_month};

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
}

async fn create(app: &TestApp, body: Value) -> Reply {
    app.post("/api/v1/units", &app.admin(), &body).await
}

/// The codes of one page of children.
fn codes(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|i| i["code"].as_str().unwrap().to_owned()).collect()
}

/// Pages through all the children of `code` with `limit`, returning the pages' codes.
async fn all_pages(app: &TestApp, token: &str, code: &str, limit: usize, period: Option<&str>) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/units/{code}/children?limit={limit}");
        if let Some(p) = period {
            path.push_str(&format!("&period={p}"));
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.body["parent_code"], code);
        let page = codes(&r.body);
        assert!(page.len() <= limit, "{path}: {page:?}");
        pages.push(page);
        assert!(pages.len() <= 100, "paging does not end");
        match r.body.get("next").and_then(Value::as_str) {
            Some(next) => {
                assert!(!next.is_empty());
                cursor = Some(next.to_owned());
            }
            None => break,
        }
    }
    pages
}

async fn create_returns_the_unit_with_its_location(app: TestApp) {
    let r =
        create(&app, json!({"code": "24", "name": "Tỉnh Bắc Giang", "level": "province", "parent_code": null})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/api/v1/units/24"));
    assert_eq!(
        r.body,
        json!({
            "code": "24",
            "name": "Tỉnh Bắc Giang",
            "level": "province",
            "parent_code": null,
            "as_of": this_month(),
            "exists": true,
            "merged_into": null,
            "predecessors": [],
            "versions": [{"name": "Tỉnh Bắc Giang", "level": "province", "parent_code": null, "valid_from": null, "valid_to": null}],
        })
    );

    // A district with a start month: `as_of` is that month; the name is trimmed.
    let r = create(
        &app,
        json!({"code": "215", "name": "  Huyện Yên Thế ", "level": "district", "parent_code": "24", "valid_from": "2020-01"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/api/v1/units/215"));
    assert_eq!(r.body["name"], "Huyện Yên Thế");
    assert_eq!(r.body["level"], "district");
    assert_eq!(r.body["parent_code"], "24");
    assert_eq!(r.body["as_of"], "2020-01");
    assert_eq!(r.body["exists"], true);
    assert_eq!(
        r.body["versions"],
        json!([{"name": "Huyện Yên Thế", "level": "district", "parent_code": "24", "valid_from": "2020-01", "valid_to": null}])
    );
    assert_eq!(
        keys(&r.body),
        BTreeSet::from([
            "code",
            "name",
            "level",
            "parent_code",
            "as_of",
            "exists",
            "merged_into",
            "predecessors",
            "versions"
        ])
    );

    // A commune below it, with a leading zero that must survive; and one directly below the
    // province, as communes are since the 2025 reform.
    let r = create(
        &app,
        json!({"code": "07273", "name": "Xã Đông Sơn", "level": "commune", "parent_code": "215", "valid_from": "2020-01"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["code"], "07273");
    assert_eq!(r.header("location"), Some("/api/v1/units/07273"));
    let r =
        create(&app, json!({"code": "07300", "name": "Xã Bắc Lũng", "level": "commune", "parent_code": "24"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["parent_code"], "24");

    // What the Location names reads back the same.
    let admin = app.admin();
    let got = app.get("/api/v1/units/07273", &admin).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["name"], "Xã Đông Sơn");
    assert_eq!(got.body["parent_code"], "215");
    assert_eq!(got.body["as_of"], this_month());
    // A name of 200 characters (not bytes) is fine.
    let long_name: String = "Ă".repeat(200);
    let r = create(
        &app,
        json!({"code": "07279", "name": long_name, "level": "commune", "parent_code": "215", "valid_from": "2020-01"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["name"].as_str().unwrap().chars().count(), 200);
}

async fn create_refuses_bad_units(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();

    // Duplicates and missing parents are conflicts.
    let cases_409 = [
        ("duplicate province", json!({"code": "24", "name": "Tỉnh Bắc Giang", "level": "province"})),
        ("duplicate commune", json!({"code": "07273", "name": "Xã Khác", "level": "commune", "parent_code": "215"})),
        (
            "duplicate under another parent",
            json!({"code": "07273", "name": "Xã Đông Sơn", "level": "commune", "parent_code": "216"}),
        ),
        (
            "parent does not exist",
            json!({"code": "217", "name": "Huyện Lạng Giang", "level": "district", "parent_code": "25"}),
        ),
        (
            "commune's district does not exist",
            json!({"code": "07999", "name": "Xã Ma", "level": "commune", "parent_code": "299"}),
        ),
    ];
    for (what, body) in cases_409 {
        let r = app.post("/api/v1/units", &admin, &body).await;
        let kind = if what.starts_with("duplicate") { "unit-exists" } else { "unit-conflict" };
        assert_eq!(r.problem(409)["type"], format!("urn:cchc:problem:{kind}"), "{what}");
    }

    // Malformed units are bad requests.
    let cases_400 = [
        (
            "commune with a district-length code",
            "invalid-unit-code",
            json!({"code": "215", "name": "x", "level": "commune", "parent_code": "215"}),
        ),
        (
            "district with a commune-length code",
            "invalid-unit-code",
            json!({"code": "07274", "name": "x", "level": "district", "parent_code": "24"}),
        ),
        ("province with 3 digits", "invalid-unit-code", json!({"code": "250", "name": "x", "level": "province"})),
        (
            "4 digits",
            "invalid-unit-code",
            json!({"code": "7274", "name": "x", "level": "commune", "parent_code": "215"}),
        ),
        (
            "letters",
            "invalid-unit-code",
            json!({"code": "0727a", "name": "x", "level": "commune", "parent_code": "215"}),
        ),
        ("empty code", "invalid-unit-code", json!({"code": "", "name": "x", "level": "province"})),
        ("code as a number", "bad-request", json!({"code": 25, "name": "x", "level": "province"})),
        ("commune without parent", "invalid-parent", json!({"code": "07274", "name": "x", "level": "commune"})),
        (
            "commune with null parent",
            "invalid-parent",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": null}),
        ),
        ("district without parent", "invalid-parent", json!({"code": "217", "name": "x", "level": "district"})),
        (
            "province with a parent",
            "invalid-parent",
            json!({"code": "25", "name": "x", "level": "province", "parent_code": "24"}),
        ),
        (
            "district below a district",
            "invalid-parent",
            json!({"code": "217", "name": "x", "level": "district", "parent_code": "215"}),
        ),
        (
            "district below a commune",
            "invalid-parent",
            json!({"code": "217", "name": "x", "level": "district", "parent_code": "07273"}),
        ),
        (
            "commune below a commune",
            "invalid-parent",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "07273"}),
        ),
        (
            "malformed parent",
            "invalid-unit-code",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "2150"}),
        ),
        ("unknown level", "bad-request", json!({"code": "07274", "name": "x", "level": "ward", "parent_code": "215"})),
        (
            "level in capitals",
            "bad-request",
            json!({"code": "07274", "name": "x", "level": "Commune", "parent_code": "215"}),
        ),
        ("no level", "bad-request", json!({"code": "07274", "name": "x", "parent_code": "215"})),
        ("no name", "bad-request", json!({"code": "07274", "level": "commune", "parent_code": "215"})),
        (
            "blank name",
            "invalid-unit-name",
            json!({"code": "07274", "name": "   ", "level": "commune", "parent_code": "215"}),
        ),
        (
            "name too long",
            "invalid-unit-name",
            json!({"code": "07274", "name": "Ă".repeat(201), "level": "commune", "parent_code": "215"}),
        ),
        (
            "unknown field",
            "bad-request",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "215", "population": 9000}),
        ),
        ("misspelt field", "bad-request", json!({"code": "07274", "name": "x", "level": "commune", "parent": "215"})),
        (
            "valid_from not a month",
            "invalid-period",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "215", "valid_from": "2024-13"}),
        ),
        (
            "valid_from a quarter",
            "invalid-period",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "215", "valid_from": "2024Q1"}),
        ),
        (
            "valid_to a date",
            "invalid-period",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "215", "valid_to": "2024-06-30"}),
        ),
        (
            "from after to",
            "invalid-period",
            json!({"code": "07274", "name": "x", "level": "commune", "parent_code": "215", "valid_from": "2024-07", "valid_to": "2024-06"}),
        ),
        ("not an object", "bad-request", json!(["07274"])),
    ];
    for (what, kind, body) in cases_400 {
        let r = app.post("/api/v1/units", &admin, &body).await;
        let p = r.problem(400);
        assert_eq!(p["type"], format!("urn:cchc:problem:{kind}"), "{what}");
        assert!(p["request_id"].is_string() && p["instance"] == "/api/v1/units", "{what}: {p}");
    }
    // Not JSON at all.
    let r = app
        .client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"code\": \"07274\",")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Only an admin creates units; without a token, 401.
    let good = json!({"code": "217", "name": "Huyện Lạng Giang", "level": "district", "parent_code": "24"});
    for (role, unit) in [
        (Role::Commune, Some("07273")),
        (Role::District, Some("215")),
        (Role::Province, Some("24")),
        (Role::Portal, Some("24")),
    ] {
        let p = app.post("/api/v1/units", &app.token(role, unit), &good).await;
        assert_eq!(p.problem(403)["type"], "urn:cchc:problem:role-not-allowed", "{role}");
    }
    let r = app.request(Method::POST, "/api/v1/units", None, Some(&good)).await;
    r.problem(401);

    // Nothing refused was stored: the tree is as seeded.
    let prov = app.get("/api/v1/units/24/children", &admin).await;
    assert_eq!(codes(&prov.body), ["215", "216"]);
    let yen_the = app.get("/api/v1/units/215/children", &admin).await;
    assert_eq!(codes(&yen_the.body), ["07273", "07279", "07294"]);
    assert_eq!(app.get("/api/v1/units/07273", &admin).await.body["name"], "Xã Đông Sơn");
    for code in ["217", "25", "07274", "07999", "250"] {
        app.get(&format!("/api/v1/units/{code}"), &admin).await.problem(404);
    }
    // The good one is still creatable.
    let r = app.post("/api/v1/units", &admin, &good).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn get_unit_as_of_a_period(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();

    let r = app.get("/api/v1/units/07273?period=2024-06", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "code": "07273",
            "name": "Xã Đông Sơn",
            "level": "commune",
            "parent_code": "215",
            "as_of": "2024-06",
            "exists": true,
            "merged_into": null,
            "predecessors": [],
            "versions": [{"name": "Xã Đông Sơn", "level": "commune", "parent_code": "215", "valid_from": null, "valid_to": null}],
        })
    );
    // Longer periods are taken at their last month; no period means now.
    for (period, as_of) in [("2024Q2", "2024-06"), ("2024S1", "2024-06"), ("2024", "2024-12"), ("2023Q4", "2023-12")] {
        let r = app.get(&format!("/api/v1/units/215?period={period}"), &admin).await;
        assert_eq!(r.status, 200, "{period}: {}", r.text);
        assert_eq!(r.body["as_of"], as_of, "{period}");
        assert_eq!(r.body["name"], "Huyện Yên Thế");
        assert_eq!(r.body["level"], "district");
        assert_eq!(r.body["parent_code"], "24");
    }
    let r = app.get("/api/v1/units/24", &admin).await;
    assert_eq!(r.body["as_of"], this_month());
    assert_eq!(r.body["parent_code"], Value::Null);

    // Who may read: the unit itself and those above it.
    let cases = [
        (Role::Commune, "07273", "07273", 200),
        (Role::Commune, "07273", "07279", 403),
        (Role::Commune, "07273", "215", 403),
        (Role::District, "215", "215", 200),
        (Role::District, "215", "07294", 200),
        (Role::District, "215", "07312", 403),
        (Role::District, "215", "216", 403),
        (Role::District, "215", "24", 403),
        (Role::Province, "24", "24", 200),
        (Role::Province, "24", "07312", 200),
        (Role::Province, "24", "215", 200),
        (Role::Province, "25", "215", 403),
    ];
    for (role, unit, target, status) in cases {
        let t = app.token(role, Some(unit));
        let r = app.get(&format!("/api/v1/units/{target}?period=2024-06"), &t).await;
        assert_eq!(r.status, status, "{role} {unit} → {target}: {}", r.text);
        if status == 403 {
            r.problem(403);
        } else {
            assert_eq!(r.body["code"], target);
        }
    }

    // Unknown units: 404 for an admin; a scoped caller learns nothing (403).
    let p = app.get("/api/v1/units/99", &admin).await;
    assert!(p.problem(404)["detail"].as_str().unwrap().contains("99"));
    app.get("/api/v1/units/07999?period=2024-06", &admin).await.problem(404);
    app.get("/api/v1/units/07999", &app.token(Role::District, Some("215"))).await.problem(403);

    // Malformed codes and periods.
    for code in ["7273", "0727a", "123456", "1", "%20215", "-215"] {
        app.get(&format!("/api/v1/units/{code}"), &admin).await.problem(400);
    }
    for period in ["2024-13", "2024Q5", "24-06", "June", "2024-6", ""] {
        let r = app.get(&format!("/api/v1/units/215?period={period}"), &admin).await;
        r.problem(400);
    }
    // Unauthenticated.
    app.request(Method::GET, "/api/v1/units/215", None, None).await.problem(401);
}

async fn units_are_effective_dated(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    // A commune that existed 2019–2020 only.
    let r = app
        .post(
            "/api/v1/units",
            &admin,
            &json!({"code": "07295", "name": "Xã Cũ", "level": "commune", "parent_code": "215", "valid_from": "2019-01", "valid_to": "2020-12"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["as_of"], "2019-01");
    assert_eq!(r.body["exists"], true);
    assert_eq!(r.body["versions"][0]["valid_to"], "2020-12");

    let now = app.get("/api/v1/units/07295", &admin).await;
    assert_eq!(now.status, 200, "{}", now.text);
    assert_eq!(now.body["exists"], false, "{}", now.text);
    assert_eq!(now.body["name"], "Xã Cũ");
    for (period, exists) in
        [("2020-06", true), ("2018-12", false), ("2019-01", true), ("2020-12", true), ("2021-01", false)]
    {
        let r = app.get(&format!("/api/v1/units/07295?period={period}"), &admin).await;
        assert_eq!(r.body["exists"], exists, "{period}: {}", r.text);
    }

    // Children follow the tree of the period.
    let now = app.get("/api/v1/units/215/children", &admin).await;
    assert_eq!(now.body["as_of"], this_month());
    assert_eq!(codes(&now.body), ["07273", "07279", "07294"]);
    let then = app.get("/api/v1/units/215/children?period=2020-06", &admin).await;
    assert_eq!(then.body["as_of"], "2020-06");
    assert_eq!(codes(&then.body), ["07273", "07279", "07294", "07295"]);
    let then = app.get("/api/v1/units/215/children?period=2020", &admin).await;
    assert_eq!(then.body["as_of"], "2020-12");
    assert_eq!(codes(&then.body), ["07273", "07279", "07294", "07295"]);
    // A unit that does not exist in the month has no children page.
    app.get("/api/v1/units/07295/children", &admin).await.problem(404);
    let r = app.get("/api/v1/units/07295/children?period=2020-06", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"], json!([]));
    // And the district sees its old commune in its own time.
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/units/07295?period=2020-06", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn children_are_sorted_and_described(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let r = app.get("/api/v1/units/215/children?period=2024-06", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "parent_code": "215",
            "as_of": "2024-06",
            "items": [
                {"code": "07273", "name": "Xã Đông Sơn", "level": "commune"},
                {"code": "07279", "name": "Xã Hương Vĩ", "level": "commune"},
                {"code": "07294", "name": "Thị trấn Bố Hạ", "level": "commune"},
            ],
            "next": null,
        })
    );
    let r = app.get("/api/v1/units/24/children", &admin).await;
    assert_eq!(
        r.body["items"],
        json!([
            {"code": "215", "name": "Huyện Yên Thế", "level": "district"},
            {"code": "216", "name": "Huyện Tân Yên", "level": "district"},
        ])
    );
    // A commune has no children; an unknown unit has no page.
    let r = app.get("/api/v1/units/07273/children", &admin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["items"], json!([]));
    assert!(r.body.get("next").is_none_or(Value::is_null));
    app.get("/api/v1/units/99/children", &admin).await.problem(404);
    app.get("/api/v1/units/9/children", &admin).await.problem(400);
    // The district's own children, as the district.
    let r = app.get("/api/v1/units/215/children", &app.token(Role::District, Some("215"))).await;
    assert_eq!(codes(&r.body), ["07273", "07279", "07294"]);
}

async fn children_paging_returns_each_child_once(app: TestApp) {
    app.seed_units().await;
    // Tân Yên gets more communes, created out of order.
    for (code, name) in
        [("07321", "Xã Liên Chung"), ("07306", "Xã Ngọc Thiện"), ("07318", "Xã Việt Lập"), ("07303", "Xã Lam Cốt")]
    {
        app.create_unit(code, name, Some("216")).await;
    }
    // And the province a commune directly below it (as after the 2025 reform).
    app.create_unit("07400", "Xã Trực Thuộc", Some("24")).await;
    let admin = app.admin();
    let expected_216 = ["07303", "07306", "07312", "07318", "07321"];

    for limit in [1, 2, 3, 4, 5, 6, 1000] {
        let pages = all_pages(&app, &admin, "216", limit, None).await;
        let flat: Vec<String> = pages.iter().flatten().cloned().collect();
        assert_eq!(flat, expected_216, "limit {limit}: {pages:?}");
        assert_eq!(pages.len(), expected_216.len().div_ceil(limit).max(1), "limit {limit}: {pages:?}");
        assert!(pages.iter().all(|p| !p.is_empty()), "no empty page, limit {limit}: {pages:?}");
    }
    // The province: districts and a commune, by code.
    let pages = all_pages(&app, &admin, "24", 1, None).await;
    assert_eq!(pages, [["07400"], ["215"], ["216"]]);
    let pages = all_pages(&app, &admin, "215", 1, Some("2024-06")).await;
    assert_eq!(pages, [["07273"], ["07279"], ["07294"]]);
    // As the district (scope allows its own subtree), with limit=1.
    let tan_yen = app.token(Role::District, Some("216"));
    let flat: Vec<String> = all_pages(&app, &tan_yen, "216", 1, None).await.into_iter().flatten().collect();
    assert_eq!(flat, expected_216);

    // A page that exactly fills the limit is the last one: no `next`.
    let r = app.get("/api/v1/units/215/children?limit=3", &admin).await;
    assert_eq!(codes(&r.body).len(), 3);
    assert!(r.body.get("next").is_none_or(Value::is_null), "{}", r.text);
    // A cursor stays valid with another limit.
    let first = app.get("/api/v1/units/216/children?limit=2", &admin).await;
    assert_eq!(codes(&first.body), ["07303", "07306"]);
    let next = first.body["next"].as_str().expect("a next cursor").to_owned();
    let rest = app.get(&format!("/api/v1/units/216/children?limit=10&cursor={next}"), &admin).await;
    assert_eq!(codes(&rest.body), ["07312", "07318", "07321"]);
    assert!(rest.body.get("next").is_none_or(Value::is_null));
    // A unit created between pages, after the cursor, shows up; one before it does not repeat.
    let page1 = app.get("/api/v1/units/216/children?limit=2", &admin).await;
    let cursor = page1.body["next"].as_str().unwrap().to_owned();
    app.create_unit("07300", "Xã Trước", Some("216")).await;
    app.create_unit("07330", "Xã Sau", Some("216")).await;
    let page2 = app.get(&format!("/api/v1/units/216/children?limit=100&cursor={cursor}"), &admin).await;
    assert_eq!(codes(&page2.body), ["07312", "07318", "07321", "07330"]);
}

async fn children_paging_refuses_bad_limits_and_cursors(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    for limit in ["0", "1001", "-1", "abc", "1.5", "99999999999999999999999"] {
        let r = app.get(&format!("/api/v1/units/215/children?limit={limit}"), &admin).await;
        let p = r.problem(400);
        assert!(p["detail"].is_string(), "limit {limit}");
    }
    for limit in ["1", "1000"] {
        let r = app.get(&format!("/api/v1/units/215/children?limit={limit}"), &admin).await;
        assert_eq!(r.status, 200, "limit {limit}: {}", r.text);
    }
    // Cursors this server did not issue.
    let b64 = crate::auth::b64url;
    let foreign = [
        "not-a-cursor".to_owned(),
        "!!!".to_owned(),
        "%00".to_owned(),
        b64(b"v2:07273"),
        b64(b"07273"),
        b64(&[0xff, 0xfe, 0x00]),
        "djE6MDcyNzM=".to_owned(), // padded base64
    ];
    for cursor in &foreign {
        let r = app.get(&format!("/api/v1/units/215/children?cursor={cursor}"), &admin).await;
        let p = r.problem(400);
        assert!(p["detail"].as_str().unwrap().contains("cursor"), "{cursor}: {p}");
    }
    // A well-formed cursor past the end is an empty last page.
    let end = b64(b"v1:99999");
    let r = app.get(&format!("/api/v1/units/215/children?cursor={end}"), &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"], json!([]));
    assert!(r.body.get("next").is_none_or(Value::is_null));
    // A bad period too.
    app.get("/api/v1/units/215/children?period=2024-00", &admin).await.problem(400);
}

// A unit must not hang below a parent that does not exist throughout the unit's own dates.
async fn a_unit_cannot_hang_below_a_dissolved_parent(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let old =
        json!({"code": "217", "name": "Huyện Cũ", "level": "district", "parent_code": "24", "valid_to": "2020-12"});
    assert_eq!(app.post("/api/v1/units", &admin, &old).await.status, 201);
    let orphan = json!({"code": "07999", "name": "Xã Mới", "level": "commune", "parent_code": "217"});
    let r = app.post("/api/v1/units", &admin, &orphan).await;
    // Refused like a parent that does not exist (409), or as a bad request (400).
    assert!(matches!(r.status.as_u16(), 400 | 409), "accepted: {} {}", r.status, r.text);
}

backend_tests!(
    a_unit_cannot_hang_below_a_dissolved_parent,
    create_returns_the_unit_with_its_location,
    create_refuses_bad_units,
    get_unit_as_of_a_period,
    units_are_effective_dated,
    children_are_sorted_and_described,
    children_paging_returns_each_child_once,
    children_paging_refuses_bad_limits_and_cursors,
);
