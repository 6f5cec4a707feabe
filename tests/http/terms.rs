//! Terms that follow the period (issue 13, item 7): "DVC mức độ 3, 4" superseded from August
//! 2022 by full and partial online services, yet accepted in every period; the one-stop unit
//! named *Trung tâm phục vụ hành chính công* from July 2025; *thị trấn* among the commune level
//! before the 2025 reform.

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, seed_with};
use serde_json::{Value, json};

/// One indicator of `GET /api/v1/indicators{query}`.
async fn indicator(app: &TestApp, query: &str, code: &str) -> Value {
    let r = app.get(&format!("/api/v1/indicators{query}"), &app.admin()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code}: {}", r.text))
}

async fn the_catalog_speaks_the_terms_of_the_period(app: TestApp) {
    app.seed_units().await;
    // Without a period: the first labels, and the later ones beside them.
    let old = indicator(&app, "", "online_services_level_3_4").await;
    assert_eq!(old["label_vi"], "Cung cấp dịch vụ công trực tuyến mức độ 3, 4");
    assert_eq!(old["superseded_from"], "2022-08");
    assert_eq!(old["superseded_by"], json!(["online_services_full", "online_services_partial"]));
    assert_eq!(old["labels_from"][0]["from"], "2022-08");
    // In June 2024 it reads as superseded; in July 2022 it did not yet.
    let june = indicator(&app, "?period=2024-06", "online_services_level_3_4").await;
    assert_eq!(
        june["label_vi"],
        "Cung cấp dịch vụ công trực tuyến mức độ 3, 4 (đã được thay bằng dịch vụ công trực tuyến toàn trình, một phần từ tháng 8/2022)"
    );
    let before = indicator(&app, "?period=2022-07", "online_services_level_3_4").await;
    assert_eq!(before["label_vi"], "Cung cấp dịch vụ công trực tuyến mức độ 3, 4");
    let full = indicator(&app, "?period=2024-06", "online_services_full").await;
    assert_eq!(full["label_vi"], "Số dịch vụ công trực tuyến toàn trình");
    assert_eq!(full["source"], "Nghị định 42/2022/NĐ-CP");
    // The one-stop unit, before and after July 2025 (a quarter reads as its last month).
    let room = |q: &'static str| indicator(&app, q, "one_stop_room_area_m2");
    assert_eq!(room("?period=2025-06").await["label_vi"], "Diện tích phòng Bộ phận Một cửa (m²)");
    assert_eq!(room("?period=2025-07").await["label_vi"], "Diện tích Trung tâm phục vụ hành chính công xã (m²)");
    assert_eq!(room("?period=2025Q3").await["label_en"], "Public administration service centre area (m²)");
    let bad = app.get("/api/v1/indicators?period=2025-13", &app.admin()).await;
    bad.problem(400);

    // The units list names the commune level as the month does.
    let yen_the = app.token(Role::District, Some("215"));
    // The third column of Bố Hạ's CSV row.
    let level = |r: &cchc_tests::Reply| -> String {
        let line = r.text.lines().find(|l| l.starts_with("07294,")).unwrap_or_default();
        line.split(',').nth(2).unwrap_or_default().to_owned()
    };
    let r = app.get("/api/v1/units?period=2024-06&format=csv", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(level(&r), "xã/phường/thị trấn", "Thị trấn Bố Hạ in June 2024");
    let r = app.get("/api/v1/units?period=2025-07&format=csv", &yen_the).await;
    assert_eq!(level(&r), "xã/phường/đặc khu");
}

async fn old_and_new_online_service_figures_are_accepted_in_every_period(app: TestApp) {
    app.seed_units().await;
    // The seed's "DVC mức độ 3, 4" in June 2024, with the new counts beside it.
    let body = seed_with(json!({"online_services_full": 12, "online_services_partial": 30}));
    let r = app.file("07273", "2024-06", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["values"]["online_services_level_3_4"], true);
    assert_eq!(r.body["values"]["online_services_full"], 12);
    assert_eq!(r.body["values"]["online_services_partial"], 30);
    assert_eq!(r.body["findings"], json!([]));
    // The old figure alone in July 2025, and the old one in 2021: both stored.
    for period in ["2025-07", "2021-03"] {
        let r = app.file("07273", period, &seed_with(json!({}))).await;
        assert_eq!(r.status, 201, "{period}: {}", r.text);
        assert_eq!(r.body["values"]["online_services_level_3_4"], true, "{period}");
    }
    // The district's aggregate sums the new counts.
    let agg = app.get("/api/v1/units/215/aggregates?period=2024-06", &app.admin()).await;
    assert_eq!(agg.status, 200, "{}", agg.text);
    assert_eq!(agg.body["indicators"]["online_services_full"]["value"], json!(12));

    // A message of July 2025 names the centre, one of June 2025 the one-stop room.
    for (period, label) in [
        ("2025-07", "Diện tích Trung tâm phục vụ hành chính công xã (m²)"),
        ("2025-06", "Diện tích phòng Bộ phận Một cửa (m²)"),
    ] {
        let r = app.file("07273", period, &seed_with(json!({"one_stop_room_area_m2": -40}))).await;
        let p = r.problem(422);
        assert_eq!(p["errors"][0]["code"], "negative_value");
        assert_eq!(p["errors"][0]["message_vi"], format!("Chỉ tiêu “{label}” không được âm (nhận được -40)"));
    }
}

backend_tests!(
    the_catalog_speaks_the_terms_of_the_period,
    old_and_new_online_service_figures_are_accepted_in_every_period,
);
