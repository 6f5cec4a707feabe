//! The 1 July 2025 reform, as it happened in Bắc Giang: Tỉnh Bắc Giang (24) is renamed Tỉnh Bắc
//! Ninh, Huyện Yên Thế (215) ends after June 2025, Thị trấn Bố Hạ (07294) becomes Xã Bố Hạ
//! directly under the province, and Xã Đông Sơn (07273) and Xã Hương Vĩ (07279) merge into it.
//! Huyện Tân Yên (216) with Xã Cao Xá (07312) stays, as a sibling to check scope against.
//!
//! Past periods keep the tree of their time; the successor carries its predecessors' history
//! (aggregates, scope); review passes to the nearest unit that still exists.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{Reply, TestApp, backend_tests, seed_body, this_month};

// ---------------------------------------------------------------------------------------------
// Helpers (`reform` is also used by `users.rs`)

/// A report body with the eight Biểu 06 figures, in the order of the form: carried over,
/// received online, received direct, resolved early, on time, overdue, pending within the
/// deadline, pending overdue.
fn report(v: [i64; 8]) -> Value {
    assert_eq!(v[0] + v[1] + v[2], v[3..].iter().sum::<i64>(), "a test report must be identity-consistent: {v:?}");
    json!({
        "values": {
            "dossiers_carried_over": v[0],
            "dossiers_received_online": v[1],
            "dossiers_received_direct": v[2],
            "dossiers_resolved_early": v[3],
            "dossiers_resolved_on_time": v[4],
            "dossiers_resolved_overdue": v[5],
            "dossiers_pending_within_deadline": v[6],
            "dossiers_pending_overdue": v[7],
            "staff_total": 20,
            "iso_9001_applied": true,
        },
        "narrative": {"results": "Báo cáo kiểm thử."},
    })
}

/// Files a report as the commune; it must be stored as submitted.
async fn file(app: &TestApp, commune: &str, period: &str, body: &Value) -> Reply {
    let r = app.file(commune, period, body).await;
    assert!(r.status == 201 || r.status == 200, "filing {commune} {period}: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], "submitted", "{commune} {period}: {}", r.text);
    r
}

/// The seeded tree plus the June 2024 reports of every commune.
async fn june_2024(app: &TestApp) {
    file(app, "07273", "2024-06", &seed_body()).await;
    file(app, "07279", "2024-06", &report([1, 40, 10, 30, 15, 2, 4, 0])).await;
    file(app, "07294", "2024-06", &report([0, 80, 20, 60, 30, 5, 5, 0])).await;
    file(app, "07312", "2024-06", &report([2, 50, 0, 40, 10, 0, 2, 0])).await;
}

async fn post_ok(app: &TestApp, path: &str, body: Value) -> Reply {
    let r = app.post(path, &app.admin(), &body).await;
    assert_eq!(r.status, 200, "POST {path} {body}: {}", r.text);
    r
}

/// Runs the reform on the seeded units, checking each step's answer, including that the
/// district cannot end while communes still hang below it.
pub(crate) async fn reform(app: &TestApp) {
    let admin = app.admin();

    let r = post_ok(app, "/api/v1/units/24/versions", json!({"from": "2025-07", "name": "Tỉnh Bắc Ninh"})).await;
    assert_eq!(r.body["code"], "24");
    assert_eq!(r.body["name"], "Tỉnh Bắc Ninh");
    assert_eq!(r.body["parent_code"], Value::Null);
    assert_eq!(r.body["exists"], true);

    // Ending Yên Thế first is refused, naming every commune still below it.
    let r = app.post("/api/v1/units/215/end", &admin, &json!({"last": "2025-06"})).await;
    let detail = r.problem(409)["detail"].as_str().unwrap().to_owned();
    for code in ["07273", "07279", "07294"] {
        assert!(detail.contains(code), "{code} is not named: {detail}");
    }

    let r = post_ok(
        app,
        "/api/v1/units/07294/versions",
        json!({"from": "2025-07", "name": "Xã Bố Hạ", "parent_code": "24"}),
    )
    .await;
    assert_eq!(r.body["name"], "Xã Bố Hạ");
    assert_eq!(r.body["parent_code"], "24");
    assert_eq!(r.body["level"], "commune");

    // Bố Hạ no longer hangs below Yên Thế after June; the other two still do.
    let r = app.post("/api/v1/units/215/end", &admin, &json!({"last": "2025-06"})).await;
    let detail = r.problem(409)["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("07273") && detail.contains("07279"), "{detail}");
    assert!(!detail.contains("07294"), "07294 was re-parented: {detail}");

    for absorbed in ["07273", "07279"] {
        let r = post_ok(
            app,
            &format!("/api/v1/units/{absorbed}/merge"),
            json!({"into": "07294", "effective_from": "2025-07"}),
        )
        .await;
        assert_eq!(r.body["code"], absorbed);
        assert_eq!(r.body["exists"], false, "{}", r.text);
        assert_eq!(r.body["merged_into"], json!({"successor_code": "07294", "effective_from": "2025-07"}));
        assert_eq!(r.body["versions"][0]["valid_to"], "2025-06", "{}", r.text);
    }

    let r = post_ok(app, "/api/v1/units/215/end", json!({"last": "2025-06"})).await;
    assert_eq!(r.body["code"], "215");
    assert_eq!(r.body["exists"], false);
    assert_eq!(
        r.body["versions"],
        json!([{"name": "Huyện Yên Thế", "level": "district", "parent_code": "24", "valid_from": null, "valid_to": "2025-06"}])
    );
}

fn codes(items: &Value) -> Vec<String> {
    items.as_array().expect("an array").iter().map(|i| i["code"].as_str().unwrap().to_owned()).collect()
}

async fn ranking(app: &TestApp, token: &str, unit: &str, period: &str) -> Reply {
    app.get(&format!("/api/v1/units/{unit}/rankings?period={period}"), token).await
}

/// A ranking's entries: code → (name, status, whether ranked).
fn entries(r: &Reply) -> BTreeMap<String, (String, String, bool)> {
    r.body["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries: {}", r.text))
        .iter()
        .map(|e| {
            (
                e["unit_code"].as_str().unwrap().to_owned(),
                (
                    e["unit_name"].as_str().unwrap().to_owned(),
                    e["status"].as_str().unwrap().to_owned(),
                    e["rank"].is_u64(),
                ),
            )
        })
        .collect()
}

async fn aggregate(app: &TestApp, token: &str, unit: &str, period: &str) -> Value {
    let r = app.get(&format!("/api/v1/units/{unit}/aggregates?period={period}"), token).await;
    assert_eq!(r.status, 200, "aggregates of {unit} for {period}: {}", r.text);
    r.body
}

/// Asserts summed counts: indicator → (value, reporting units).
#[track_caller]
fn assert_counts(agg: &Value, expected: &[(&str, i64, u64)]) {
    for &(code, value, units) in expected {
        let ind = &agg["indicators"][code];
        assert_eq!(ind["value"], value, "{code}: {ind}");
        assert_eq!(ind["reporting_units"], units, "{code}: {ind}");
    }
}

// ---------------------------------------------------------------------------------------------
// The tree before and after

async fn the_reform_changes_the_tree_from_july_2025(app: TestApp) {
    app.seed_units().await;
    reform(&app).await;
    let admin = app.admin();

    // Bố Hạ today: renamed, directly under the province, carrying its predecessors.
    let r = app.get("/api/v1/units/07294", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "code": "07294",
            "name": "Xã Bố Hạ",
            "level": "commune",
            "parent_code": "24",
            "as_of": this_month(),
            "exists": true,
            "merged_into": null,
            "predecessors": ["07273", "07279"],
            "versions": [
                {"name": "Thị trấn Bố Hạ", "level": "commune", "parent_code": "215", "valid_from": null, "valid_to": "2025-06"},
                {"name": "Xã Bố Hạ", "level": "commune", "parent_code": "24", "valid_from": "2025-07", "valid_to": null},
            ],
        })
    );
    // As it was: a township of Yên Thế, up to and including June 2025.
    for (period, as_of, name, parent) in [
        ("2024-06", "2024-06", "Thị trấn Bố Hạ", "215"),
        ("2025-06", "2025-06", "Thị trấn Bố Hạ", "215"),
        ("2025S1", "2025-06", "Thị trấn Bố Hạ", "215"),
        ("2025-07", "2025-07", "Xã Bố Hạ", "24"),
        ("2025Q3", "2025-09", "Xã Bố Hạ", "24"),
        ("2025", "2025-12", "Xã Bố Hạ", "24"),
    ] {
        let r = app.get(&format!("/api/v1/units/07294?period={period}"), &admin).await;
        assert_eq!(r.status, 200, "{period}: {}", r.text);
        assert_eq!(r.body["as_of"], as_of, "{period}");
        assert_eq!(r.body["name"], name, "{period}");
        assert_eq!(r.body["parent_code"], parent, "{period}");
        assert_eq!(r.body["exists"], true, "{period}");
    }

    // Đông Sơn: merged into Bố Hạ from July 2025, gone today, there in June 2025.
    let r = app.get("/api/v1/units/07273", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "code": "07273",
            "name": "Xã Đông Sơn",
            "level": "commune",
            "parent_code": "215",
            "as_of": this_month(),
            "exists": false,
            "merged_into": {"successor_code": "07294", "effective_from": "2025-07"},
            "predecessors": [],
            "versions": [{"name": "Xã Đông Sơn", "level": "commune", "parent_code": "215", "valid_from": null, "valid_to": "2025-06"}],
        })
    );
    for (period, exists) in [("2024-06", true), ("2025-06", true), ("2025-07", false), ("2025", false)] {
        let r = app.get(&format!("/api/v1/units/07273?period={period}"), &admin).await;
        assert_eq!(r.body["exists"], exists, "{period}: {}", r.text);
        assert_eq!(r.body["merged_into"]["successor_code"], "07294", "{period}");
    }
    let r = app.get("/api/v1/units/07279", &admin).await;
    assert_eq!(r.body["exists"], false);
    assert_eq!(r.body["merged_into"], json!({"successor_code": "07294", "effective_from": "2025-07"}));

    // The province keeps its code under its new name.
    let r = app.get("/api/v1/units/24", &admin).await;
    assert_eq!(r.body["name"], "Tỉnh Bắc Ninh");
    assert_eq!(r.body["exists"], true);
    assert_eq!(
        r.body["versions"],
        json!([
            {"name": "Tỉnh Bắc Giang", "level": "province", "parent_code": null, "valid_from": null, "valid_to": "2025-06"},
            {"name": "Tỉnh Bắc Ninh", "level": "province", "parent_code": null, "valid_from": "2025-07", "valid_to": null},
        ])
    );
    assert_eq!(app.get("/api/v1/units/24?period=2024-06", &admin).await.body["name"], "Tỉnh Bắc Giang");

    // Yên Thế: there until June 2025.
    let r = app.get("/api/v1/units/215", &admin).await;
    assert_eq!(r.body["exists"], false);
    assert_eq!(app.get("/api/v1/units/215?period=2025-06", &admin).await.body["exists"], true);

    // Children follow the tree of the month.
    let now = app.get("/api/v1/units/24/children", &admin).await;
    assert_eq!(now.status, 200, "{}", now.text);
    assert_eq!(
        now.body["items"],
        json!([
            {"code": "07294", "name": "Xã Bố Hạ", "level": "commune"},
            {"code": "216", "name": "Huyện Tân Yên", "level": "district"},
        ])
    );
    let then = app.get("/api/v1/units/24/children?period=2024-06", &admin).await;
    assert_eq!(codes(&then.body["items"]), ["215", "216"]);
    let june = app.get("/api/v1/units/215/children?period=2025-06", &admin).await;
    assert_eq!(
        june.body["items"],
        json!([
            {"code": "07273", "name": "Xã Đông Sơn", "level": "commune"},
            {"code": "07279", "name": "Xã Hương Vĩ", "level": "commune"},
            {"code": "07294", "name": "Thị trấn Bố Hạ", "level": "commune"},
        ])
    );
    app.get("/api/v1/units/215/children", &admin).await.problem(404);
    app.get("/api/v1/units/215/children?period=2025-07", &admin).await.problem(404);
    assert_eq!(codes(&app.get("/api/v1/units/216/children", &admin).await.body["items"]), ["07312"]);
}

async fn merged_communes_file_until_their_last_month(app: TestApp) {
    app.seed_units().await;
    // June 2025 was filed before the reform was recorded.
    file(&app, "07273", "2025-06", &report([0, 10, 0, 9, 1, 0, 0, 0])).await;
    reform(&app).await;

    // After its last month Đông Sơn cannot file.
    for period in ["2025-07", "2025-08"] {
        let r = app.file("07273", period, &report([0, 10, 0, 10, 0, 0, 0, 0])).await;
        let detail = r.problem(404)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains(&format!("does not exist in {period}")), "{detail}");
    }
    let r = app.file("07279", "2025-07", &report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    r.problem(404);
    // Nothing was stored.
    app.get("/api/v1/communes/07273/reports/2025-07", &app.admin()).await.problem(404);

    // Its own months stay correctable.
    let r = file(&app, "07273", "2025-06", &report([0, 11, 0, 10, 1, 0, 0, 0])).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["unit_name"], "Xã Đông Sơn");
    let r = file(&app, "07279", "2025-01", &report([0, 5, 0, 5, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 201);

    // The successor files under its name of the month.
    let r = file(&app, "07294", "2025-06", &report([0, 20, 0, 20, 0, 0, 0, 0])).await;
    assert_eq!(r.body["unit_name"], "Thị trấn Bố Hạ");
    let r = file(&app, "07294", "2025-07", &report([0, 40, 0, 40, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["unit_name"], "Xã Bố Hạ");
}

// ---------------------------------------------------------------------------------------------
// Rankings and aggregates

async fn rankings_of_past_periods_show_the_units_of_their_time(app: TestApp) {
    app.seed_units().await;
    june_2024(&app).await;
    reform(&app).await;
    file(&app, "07294", "2025-07", &report([0, 40, 0, 40, 0, 0, 0, 0])).await;
    let admin = app.admin();

    let r = ranking(&app, &admin, "215", "2024-06").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_name"], "Huyện Yên Thế");
    assert_eq!(r.body["communes"], 3);
    assert_eq!(r.body["ranked"], 3);
    let want = |name: &str| (name.to_owned(), "submitted".to_owned(), true);
    assert_eq!(
        entries(&r),
        BTreeMap::from([
            ("07273".to_owned(), want("Xã Đông Sơn")),
            ("07279".to_owned(), want("Xã Hương Vĩ")),
            ("07294".to_owned(), want("Thị trấn Bố Hạ")),
        ])
    );

    let r = ranking(&app, &admin, "24", "2024-06").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_name"], "Tỉnh Bắc Giang");
    assert_eq!(r.body["communes"], 4);
    assert_eq!(
        entries(&r),
        BTreeMap::from([
            ("07273".to_owned(), want("Xã Đông Sơn")),
            ("07279".to_owned(), want("Xã Hương Vĩ")),
            ("07294".to_owned(), want("Thị trấn Bố Hạ")),
            ("07312".to_owned(), want("Xã Cao Xá")),
        ])
    );

    // The district's own officers still see their old communes' ranking.
    let yen_the = app.token(Role::District, Some("215"));
    let r = ranking(&app, &yen_the, "215", "2024-06").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["communes"], 3);

    // Yên Thế does not exist after June 2025.
    for period in ["2025-07", "2025Q3", "2025"] {
        let r = ranking(&app, &admin, "215", period).await;
        let detail = r.problem(404)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("215"), "{period}: {detail}");
    }

    // The province in July 2025: Bố Hạ directly below it, Cao Xá through Tân Yên.
    let r = ranking(&app, &admin, "24", "2025-07").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_name"], "Tỉnh Bắc Ninh");
    assert_eq!(r.body["communes"], 2);
    assert_eq!(
        entries(&r),
        BTreeMap::from([
            ("07294".to_owned(), want("Xã Bố Hạ")),
            ("07312".to_owned(), ("Xã Cao Xá".to_owned(), "missing".to_owned(), false)),
        ])
    );
}

/// Đông Sơn, Hương Vĩ and Bố Hạ each report January–June 2025; Bố Hạ, having absorbed the
/// other two, reports July–December alone. Cao Xá reports March.
async fn file_2025(app: &TestApp) {
    for m in 1..=6 {
        let period = format!("2025-{m:02}");
        // Đông Sơn: 2 carried + 10 online = 12 = 8 + 1 + 1 resolved + 2 pending.
        file(app, "07273", &period, &report([2, 10, 0, 8, 1, 1, 2, 0])).await;
        // Hương Vĩ: 0 + 5 + 1 = 6 = 4 + 2 resolved.
        file(app, "07279", &period, &report([0, 5, 1, 4, 2, 0, 0, 0])).await;
        // Bố Hạ: 1 + 20 = 21 = 15 + 5 resolved + 1 pending.
        file(app, "07294", &period, &report([1, 20, 0, 15, 5, 0, 1, 0])).await;
    }
    file(app, "07312", "2025-03", &report([0, 7, 0, 7, 0, 0, 0, 0])).await;
}

async fn file_2025_after_the_reform(app: &TestApp) {
    for m in 7..=12 {
        // Bố Hạ with its new territory: 3 carried + 30 + 2 = 35 = 22 + 10 resolved + 3 pending.
        file(app, "07294", &format!("2025-{m:02}"), &report([3, 30, 2, 22, 10, 0, 3, 0])).await;
    }
}

async fn a_successor_aggregates_its_predecessors_history(app: TestApp) {
    app.seed_units().await;
    file_2025(&app).await;
    reform(&app).await;
    file_2025_after_the_reform(&app).await;
    let admin = app.admin();

    // 2025 spans the reform: the year belongs to Bố Hạ, with Đông Sơn's and Hương Vĩ's
    // January–June combined into its own months.
    let agg = aggregate(&app, &admin, "07294", "2025").await;
    assert_eq!(agg["unit_name"], "Xã Bố Hạ");
    assert_eq!(agg["level"], "commune");
    assert_eq!(agg["communes_expected"], 1);
    assert_eq!(agg["communes_reported"], 1);
    assert_eq!(agg["reports_expected"], 12);
    assert_counts(
        &agg,
        &[
            // January's carry-over of the three together: 2 + 0 + 1.
            ("dossiers_carried_over", 3, 1),
            // 6 × (10 + 5 + 20) + 6 × 30 = 210 + 180.
            ("dossiers_received_online", 390, 1),
            // 6 × 1 + 6 × 2.
            ("dossiers_received_direct", 18, 1),
            // 6 × (8 + 4 + 15) + 6 × 22 = 162 + 132.
            ("dossiers_resolved_early", 294, 1),
            // 6 × (1 + 2 + 5) + 6 × 10 = 48 + 60.
            ("dossiers_resolved_on_time", 108, 1),
            // 6 × 1.
            ("dossiers_resolved_overdue", 6, 1),
            // December's pending.
            ("dossiers_pending_within_deadline", 3, 1),
            ("dossiers_pending_overdue", 0, 1),
        ],
    );
    // The year's Biểu 06 identity holds: 3 + 390 + 18 = 411 = 294 + 108 + 6 + 3.
    // Resolved on time or early: (294 + 108) / (294 + 108 + 6).
    let rate = agg["derived"]["resolved_on_time_rate"].as_f64().expect("an on-time rate");
    assert!((rate - 100.0 * 402.0 / 408.0).abs() < 0.01, "{rate}");

    // The first half-year ends before the merger: each predecessor still carries its own months.
    let agg = aggregate(&app, &admin, "07294", "2025S1").await;
    assert_eq!(agg["unit_name"], "Thị trấn Bố Hạ");
    assert_counts(&agg, &[("dossiers_received_online", 120, 1), ("dossiers_resolved_early", 90, 1)]);
    let agg = aggregate(&app, &admin, "215", "2025S1").await;
    assert_eq!(agg["communes_expected"], 3);
    assert_eq!(agg["communes_reported"], 3);
    assert_eq!(agg["reports_expected"], 18);
    assert_eq!(agg["reports_counted"], 18);
    assert_counts(&agg, &[("dossiers_received_online", 210, 3), ("dossiers_received_direct", 6, 3)]);
    // The second half is Bố Hạ's alone.
    let agg = aggregate(&app, &admin, "07294", "2025S2").await;
    assert_eq!(agg["reports_counted"], 6);
    assert_counts(&agg, &[("dossiers_received_online", 180, 1), ("dossiers_carried_over", 3, 1)]);
    // Yên Thế has no 2025 as a whole: it ends in June.
    app.get("/api/v1/units/215/aggregates?period=2025", &admin).await.problem(404);

    // The province over 2025, by the tree of December 2025: Bố Hạ (with its predecessors) and
    // Cao Xá.
    let agg = aggregate(&app, &admin, "24", "2025").await;
    assert_eq!(agg["unit_name"], "Tỉnh Bắc Ninh");
    assert_eq!(agg["communes_expected"], 2);
    assert_eq!(agg["communes_reported"], 2);
    assert_eq!(agg["reports_expected"], 24);
    assert_counts(&agg, &[("dossiers_received_online", 390 + 7, 2), ("dossiers_resolved_early", 294 + 7, 2)]);
    // By the tree of June 2025, four communes.
    let agg = aggregate(&app, &admin, "24", "2025S1").await;
    assert_eq!(agg["unit_name"], "Tỉnh Bắc Giang");
    assert_eq!(agg["communes_expected"], 4);
    assert_eq!(agg["communes_reported"], 4);
    assert_counts(&agg, &[("dossiers_received_online", 210 + 7, 4)]);

    // The successor's own officers see the whole year, predecessors included.
    let bo_ha = app.token(Role::Commune, Some("07294"));
    let agg = aggregate(&app, &bo_ha, "07294", "2025").await;
    assert_counts(&agg, &[("dossiers_received_online", 390, 1)]);
}

// ---------------------------------------------------------------------------------------------
// Scope and review

async fn history_stays_visible_through_the_merger(app: TestApp) {
    app.seed_units().await;
    june_2024(&app).await;
    // Before the reform, Yên Thế reviews its communes.
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.post("/api/v1/communes/07294/reports/2024-06/approve", &yen_the, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    reform(&app).await;

    let bo_ha = app.token(Role::Commune, Some("07294"));
    let cao_xa = app.token(Role::Commune, Some("07312"));
    let province = app.token(Role::Province, Some("24"));
    let tan_yen = app.token(Role::District, Some("216"));
    let cases: Vec<(&str, String, &'static str, u16)> = vec![
        // The successor sees its predecessors' history, and its own.
        ("Bố Hạ → Đông Sơn", bo_ha.clone(), "07273", 200),
        ("Bố Hạ → Hương Vĩ", bo_ha.clone(), "07279", 200),
        ("Bố Hạ → itself", bo_ha.clone(), "07294", 200),
        ("Bố Hạ → Cao Xá", bo_ha.clone(), "07312", 403),
        // A sibling never does.
        ("Cao Xá → Đông Sơn", cao_xa.clone(), "07273", 403),
        ("Cao Xá → Bố Hạ", cao_xa.clone(), "07294", 403),
        // Đông Sơn's own (old) token still reads its own history, not its partners'.
        ("Đông Sơn → itself", app.token(Role::Commune, Some("07273")), "07273", 200),
        ("Đông Sơn → Hương Vĩ", app.token(Role::Commune, Some("07273")), "07279", 403),
        // The province sees everything in it.
        ("province → Đông Sơn", province.clone(), "07273", 200),
        ("province → Hương Vĩ", province.clone(), "07279", 200),
        ("province → Bố Hạ", province.clone(), "07294", 200),
        ("province → Cao Xá", province.clone(), "07312", 200),
        // The dissolved district still reads its old communes' data of its time.
        ("Yên Thế → Đông Sơn", yen_the.clone(), "07273", 200),
        ("Yên Thế → Bố Hạ", yen_the.clone(), "07294", 200),
        ("Yên Thế → Cao Xá", yen_the.clone(), "07312", 403),
        ("Tân Yên → Đông Sơn", tan_yen.clone(), "07273", 403),
        ("Tân Yên → Cao Xá", tan_yen.clone(), "07312", 200),
    ];
    for (what, token, code, status) in cases {
        let r = app.get(&format!("/api/v1/communes/{code}/reports/2024-06"), &token).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        if status == 200 {
            assert_eq!(r.body["unit_code"], code, "{what}");
        } else {
            r.problem(status);
        }
    }
    // The unit views too.
    let r = app.get("/api/v1/units/07273?period=2024-06", &bo_ha).await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.get("/api/v1/units/07273?period=2024-06", &cao_xa).await.problem(403);
    let r = app.get("/api/v1/units/07294?period=2024-06", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Thị trấn Bố Hạ");

    // Review after the reform: Yên Thế no longer exists, so the province reviews.
    let r = app.post("/api/v1/communes/07273/reports/2024-06/approve", &yen_the, &json!({})).await;
    r.problem(403);
    let r =
        app.post("/api/v1/communes/07279/reports/2024-06/return", &yen_the, &json!({"reason": "thiếu số liệu"})).await;
    r.problem(403);
    let r =
        app.post("/api/v1/communes/07294/reports/2024-06/reopen", &yen_the, &json!({"reason": "sai số liệu"})).await;
    r.problem(403);
    // Another district never could.
    app.post("/api/v1/communes/07273/reports/2024-06/approve", &tan_yen, &json!({})).await.problem(403);
    // Nothing changed.
    let r = app.get("/api/v1/communes/07273/reports/2024-06", &province).await;
    assert_eq!(r.body["status"], "submitted", "{}", r.text);
    assert_eq!(r.body["revision"], 1);

    let r = app.post("/api/v1/communes/07273/reports/2024-06/approve", &province, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // June 2024 closed long ago: an approved report of it is locked at once.
    assert!(matches!(r.body["status"].as_str(), Some("approved" | "locked")), "{}", r.text);
    assert_eq!(r.body["reviewed_by"], "test-province");
    assert_eq!(r.body["unit_name"], "Xã Đông Sơn");
    let r =
        app.post("/api/v1/communes/07279/reports/2024-06/return", &province, &json!({"reason": "thiếu số liệu"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "returned");
    let r =
        app.post("/api/v1/communes/07294/reports/2024-06/reopen", &province, &json!({"reason": "sai số liệu"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "submitted");
}

// ---------------------------------------------------------------------------------------------
// What cannot be done

async fn hierarchy_changes_refuse_what_cannot_be(app: TestApp) {
    app.seed_units().await;
    reform(&app).await;
    let admin = app.admin();

    let conflicts: Vec<(&str, &str, Value)> = vec![
        ("merge into itself", "/api/v1/units/07294/merge", json!({"into": "07294", "effective_from": "2025-08"})),
        ("merge into a district", "/api/v1/units/07312/merge", json!({"into": "216", "effective_from": "2025-08"})),
        ("merge into a province", "/api/v1/units/07312/merge", json!({"into": "24", "effective_from": "2025-08"})),
        (
            "merge a district into a commune",
            "/api/v1/units/216/merge",
            json!({"into": "07312", "effective_from": "2025-08"}),
        ),
        (
            "merge into a unit that ended before",
            "/api/v1/units/07312/merge",
            json!({"into": "07273", "effective_from": "2025-07"}),
        ),
        (
            "merge into a unit that does not exist",
            "/api/v1/units/07312/merge",
            json!({"into": "07999", "effective_from": "2025-07"}),
        ),
        (
            "merge of a unit that does not exist",
            "/api/v1/units/07999/merge",
            json!({"into": "07294", "effective_from": "2025-07"}),
        ),
        (
            "merge twice, same successor",
            "/api/v1/units/07273/merge",
            json!({"into": "07294", "effective_from": "2025-07"}),
        ),
        ("merge twice, earlier", "/api/v1/units/07273/merge", json!({"into": "07294", "effective_from": "2025-03"})),
        (
            "merge twice, another successor",
            "/api/v1/units/07279/merge",
            json!({"into": "07312", "effective_from": "2025-07"}),
        ),
        ("merge back", "/api/v1/units/07294/merge", json!({"into": "07273", "effective_from": "2025-07"})),
        ("rename after the merger", "/api/v1/units/07273/versions", json!({"from": "2025-08", "name": "Xã Mới"})),
        ("rename after the end", "/api/v1/units/215/versions", json!({"from": "2025-07", "name": "Huyện Mới"})),
        (
            "a second version in the same month",
            "/api/v1/units/07294/versions",
            json!({"from": "2025-07", "name": "Xã Khác"}),
        ),
        (
            "re-parent below a district that ended",
            "/api/v1/units/07312/versions",
            json!({"from": "2025-08", "parent_code": "215"}),
        ),
        ("end after the unit ended", "/api/v1/units/215/end", json!({"last": "2025-09"})),
        ("end a district with communes", "/api/v1/units/216/end", json!({"last": "2025-09"})),
    ];
    for (what, path, body) in &conflicts {
        let r = app.post(path, &admin, body).await;
        assert_eq!(r.status, 409, "{what}: {} {}", r.status, r.text);
        assert_eq!(r.problem(409)["type"], "urn:cchc:problem:unit-conflict", "{what}");
    }

    // An unknown unit has no version to change (a conflict, or not found); a commune cannot hang
    // below a commune (a conflict, or a bad request as when creating one).
    let r = app.post("/api/v1/units/07999/versions", &admin, &json!({"from": "2025-07", "name": "Xã Ma"})).await;
    assert!(matches!(r.status.as_u16(), 404 | 409), "{} {}", r.status, r.text);
    r.problem(r.status.as_u16());
    let r = app.post("/api/v1/units/07312/versions", &admin, &json!({"from": "2025-08", "parent_code": "07294"})).await;
    assert!(matches!(r.status.as_u16(), 400 | 409), "{} {}", r.status, r.text);
    r.problem(r.status.as_u16());

    let bad: Vec<(&str, &str, Value)> = vec![
        ("month 13", "/api/v1/units/07294/versions", json!({"from": "2025-13", "name": "x"})),
        ("a quarter", "/api/v1/units/07294/versions", json!({"from": "2025Q3", "name": "x"})),
        ("a date", "/api/v1/units/07294/versions", json!({"from": "2025-07-01", "name": "x"})),
        ("single-digit month", "/api/v1/units/07312/merge", json!({"into": "07294", "effective_from": "2025-7"})),
        ("a word", "/api/v1/units/07312/merge", json!({"into": "07294", "effective_from": "July"})),
        ("empty month", "/api/v1/units/216/end", json!({"last": ""})),
        ("month 00", "/api/v1/units/216/end", json!({"last": "2025-00"})),
        ("a number", "/api/v1/units/216/end", json!({"last": 202506})),
        ("missing month", "/api/v1/units/216/end", json!({})),
        ("missing effective_from", "/api/v1/units/07312/merge", json!({"into": "07294"})),
        ("missing into", "/api/v1/units/07312/merge", json!({"effective_from": "2025-07"})),
        ("malformed successor", "/api/v1/units/07312/merge", json!({"into": "7294", "effective_from": "2025-07"})),
        ("malformed unit", "/api/v1/units/0731/merge", json!({"into": "07294", "effective_from": "2025-07"})),
        ("malformed parent", "/api/v1/units/07312/versions", json!({"from": "2025-08", "parent_code": "2x"})),
        ("nothing to change", "/api/v1/units/07312/versions", json!({"from": "2025-08"})),
        ("blank name", "/api/v1/units/07312/versions", json!({"from": "2025-08", "name": "  "})),
        ("unknown field", "/api/v1/units/07312/versions", json!({"from": "2025-08", "name": "x", "level": "district"})),
        (
            "unknown field in merge",
            "/api/v1/units/07312/merge",
            json!({"into": "07294", "effective_from": "2025-08", "x": 1}),
        ),
    ];
    for (what, path, body) in &bad {
        let r = app.post(path, &admin, body).await;
        assert_eq!(r.status, 400, "{what}: {} {}", r.status, r.text);
        let p = r.problem(400);
        assert!(p["request_id"].is_string(), "{what}: {p}");
    }

    // Only an admin changes the tree.
    let allowed: Vec<(&str, Value)> = vec![
        ("/api/v1/units/07312/versions", json!({"from": "2025-08", "name": "Xã Cao Xá Mới"})),
        ("/api/v1/units/07312/merge", json!({"into": "07294", "effective_from": "2025-08"})),
        ("/api/v1/units/216/end", json!({"last": "2025-09"})),
    ];
    for (role, unit) in [
        (Role::Province, Some("24")),
        (Role::District, Some("216")),
        (Role::Commune, Some("07312")),
        (Role::Portal, Some("24")),
    ] {
        let token = app.token(role, unit);
        for (path, body) in &allowed {
            let r = app.post(path, &token, body).await;
            assert_eq!(r.problem(403)["type"], "urn:cchc:problem:role-not-allowed", "{role} {path}");
        }
    }
    for (path, body) in &allowed {
        app.request(Method::POST, path, None, Some(body)).await.problem(401);
    }
    // An unknown unit cannot be ended.
    app.post("/api/v1/units/299/end", &admin, &json!({"last": "2025-06"})).await.problem(404);

    // Nothing refused was stored.
    let r = app.get("/api/v1/units/07294", &admin).await;
    assert_eq!(r.body["versions"].as_array().unwrap().len(), 2, "{}", r.text);
    assert_eq!(r.body["predecessors"], json!(["07273", "07279"]));
    assert_eq!(r.body["merged_into"], Value::Null);
    let r = app.get("/api/v1/units/07273", &admin).await;
    assert_eq!(r.body["merged_into"], json!({"successor_code": "07294", "effective_from": "2025-07"}));
    assert_eq!(r.body["versions"][0]["valid_to"], "2025-06");
    let r = app.get("/api/v1/units/07279", &admin).await;
    assert_eq!(r.body["merged_into"]["successor_code"], "07294");
    let r = app.get("/api/v1/units/07312", &admin).await;
    assert_eq!(r.body["exists"], true);
    assert_eq!(r.body["merged_into"], Value::Null);
    assert_eq!(r.body["versions"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/units/216", &admin).await.body["exists"], true);

    // And the allowed changes still go through for an admin.
    let r = post_ok(&app, "/api/v1/units/07312/merge", json!({"into": "07294", "effective_from": "2025-08"})).await;
    assert_eq!(r.body["merged_into"]["effective_from"], "2025-08");
    let r = post_ok(&app, "/api/v1/units/216/end", json!({"last": "2025-09"})).await;
    assert_eq!(r.body["exists"], false);
    let r = app.get("/api/v1/units/07294", &admin).await;
    assert_eq!(r.body["predecessors"], json!(["07273", "07279", "07312"]));

    // Wrong methods.
    for path in ["/api/v1/units/07294/merge", "/api/v1/units/07294/versions", "/api/v1/units/216/end"] {
        let r = app.request(Method::GET, path, Some(&admin), None).await;
        r.problem(405);
        assert_eq!(r.header("allow"), Some("POST"), "{path}");
    }
}

async fn hierarchy_changes_are_audited(app: TestApp) {
    app.seed_units().await;
    reform(&app).await;
    let admin = app.admin();
    let r = app.get("/api/v1/audit?target_type=unit&limit=1000", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().expect("items");
    let mut by_action: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in items {
        assert_eq!(e["actor"], "test-admin", "{e}");
        assert_eq!(e["actor_role"], "admin", "{e}");
        assert_eq!(e["target_type"], "unit", "{e}");
        by_action.entry(e["action"].as_str().unwrap()).or_default().push(e["target"].as_str().unwrap());
    }
    for list in by_action.values_mut() {
        list.sort();
    }
    // Refused changes (ending Yên Thế too early) leave no entry.
    assert_eq!(
        by_action,
        BTreeMap::from([
            ("unit.create", vec!["07273", "07279", "07294", "07312", "215", "216", "24"]),
            ("unit.change", vec!["07294", "24"]),
            ("unit.merge", vec!["07273", "07279"]),
            ("unit.end", vec!["215"]),
        ])
    );
    let merge = items.iter().find(|e| e["action"] == "unit.merge" && e["target"] == "07273").unwrap();
    assert_eq!(merge["details"]["into"], "07294", "{merge}");
    assert_eq!(merge["details"]["effective_from"], "2025-07", "{merge}");
    let change = items.iter().find(|e| e["action"] == "unit.change" && e["target"] == "07294").unwrap();
    assert_eq!(change["details"]["from"], "2025-07", "{change}");
    assert_eq!(change["details"]["name"], "Xã Bố Hạ", "{change}");
    assert_eq!(change["details"]["parent_code"], "24", "{change}");
    let end = items.iter().find(|e| e["action"] == "unit.end").unwrap();
    assert_eq!(end["details"]["last"], "2025-06", "{end}");
    // The province's own staff see their units' entries.
    let r = app.get("/api/v1/audit?action=unit.merge", &app.token(Role::Province, Some("24"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let targets: BTreeSet<&str> =
        r.body["items"].as_array().unwrap().iter().map(|e| e["target"].as_str().unwrap()).collect();
    assert_eq!(targets, BTreeSet::from(["07273", "07279"]));
}

/// Xã Bố Hạ's first month after Đông Sơn merged into it carries over both communes' pending
/// dossiers: 6 of its own and Đông Sơn's 3 make 9 — accepted without a finding, even when a
/// carry-over that differs is an error; its own 6 alone is refused.
async fn a_merged_commune_carries_over_its_predecessors_pending(app: TestApp) {
    let rules = cchc_api::config::RulesArgs { carry_over_check: "error".into(), ..Default::default() };
    let strict = TestApp::spawn_with(app.backend, cchc_tests::Options { rules, ..Default::default() }).await;
    strict.seed_units().await;
    let r = strict
        .post("/api/v1/units/07273/merge", &strict.admin(), &json!({"into": "07294", "effective_from": "2025-07"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // June 2025: Bố Hạ leaves 4 + 2 pending, Đông Sơn 2 + 1.
    let june = [
        ("07294", cchc_tests::dossier_report([0, 20, 0, 10, 4, 0, 4, 2])),
        ("07273", cchc_tests::dossier_report([0, 10, 0, 5, 2, 0, 2, 1])),
    ];
    for (code, body) in june {
        let r = strict.file(code, "2025-06", &body).await;
        assert_eq!(r.status, 201, "{code}: {}", r.text);
    }
    let path = "/api/v1/communes/07294/reports/2025-07";
    let bo_ha = strict.token(Role::Commune, Some("07294"));
    let own_only = strict.put(path, &bo_ha, &cchc_tests::dossier_report([6, 10, 0, 10, 6, 0, 0, 0])).await;
    assert_eq!(own_only.problem(422)["type"], "urn:cchc:problem:validation-failed");
    assert_eq!(own_only.body["errors"][0]["code"], "carry_over_mismatch");
    assert_eq!(
        own_only.body["errors"][0]["message_en"],
        "6 dossiers carried over, but last month's report left 6 + 3 = 9 pending"
    );
    let both = strict.put(path, &bo_ha, &cchc_tests::dossier_report([9, 10, 0, 10, 9, 0, 0, 0])).await;
    assert_eq!(both.status, 201, "{}", both.text);
    assert_eq!(both.body["findings"], json!([]));
    drop(strict);
    drop(app);
}

backend_tests!(
    a_merged_commune_carries_over_its_predecessors_pending,
    a_successors_counted_reports_do_not_exceed_its_expected_reports,
    a_successor_missing_months_is_partial_in_a_yearly_ranking,
    a_merger_does_not_orphan_reports_filed_after_the_last_month,
    the_reform_changes_the_tree_from_july_2025,
    merged_communes_file_until_their_last_month,
    rankings_of_past_periods_show_the_units_of_their_time,
    a_successor_aggregates_its_predecessors_history,
    history_stays_visible_through_the_merger,
    hierarchy_changes_refuse_what_cannot_be,
    hierarchy_changes_are_audited,
);

// ---------------------------------------------------------------------------------------------
async fn a_successors_counted_reports_do_not_exceed_its_expected_reports(app: TestApp) {
    app.seed_units().await;
    file_2025(&app).await;
    reform(&app).await;
    file_2025_after_the_reform(&app).await;
    let agg = aggregate(&app, &app.admin(), "07294", "2025").await;
    assert_eq!(agg["reports_expected"], 12);
    assert_eq!(agg["reports_counted"], 12, "Bố Hạ's 12 months, each counted once: {agg}");
}

async fn a_successor_missing_months_is_partial_in_a_yearly_ranking(app: TestApp) {
    app.seed_units().await;
    file_2025(&app).await;
    reform(&app).await;
    let admin = app.admin();
    let r = app.get("/api/v1/units/07294/completeness?period=2025", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["missing_count"], 6, "{}", r.text);
    let r = ranking(&app, &admin, "24", "2025").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(entries(&r)["07294"].1, "partial", "{}", r.text);
}

async fn a_merger_does_not_orphan_reports_filed_after_the_last_month(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2025-08", &report([0, 100, 0, 100, 0, 0, 0, 0])).await;
    let admin = app.admin();
    post_ok(&app, "/api/v1/units/07294/versions", json!({"from": "2025-07", "name": "Xã Bố Hạ", "parent_code": "24"}))
        .await;
    let r = app.post("/api/v1/units/07273/merge", &admin, &json!({"into": "07294", "effective_from": "2025-07"})).await;
    if r.status == 409 {
        return;
    }
    assert_eq!(r.status, 200, "{}", r.text);
    // The report is out of reach now…
    app.get("/api/v1/communes/07273/reports/2025-08", &admin).await.problem(404);
    app.file("07273", "2025-08", &report([0, 90, 0, 90, 0, 0, 0, 0])).await.problem(404);
    // …but it must not count towards Bố Hạ.
    file(&app, "07294", "2025-08", &report([0, 30, 0, 30, 0, 0, 0, 0])).await;
    let agg = aggregate(&app, &admin, "07294", "2025-08").await;
    assert_eq!(agg["indicators"]["dossiers_received_online"]["value"], 30, "{agg}");
    assert_eq!(agg["reports_counted"], 1, "{agg}");
}
