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

backend_tests!(a_moved_district_does_not_drag_along_a_commune_that_stayed);
