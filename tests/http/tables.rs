//! The read routes commune apps and district spreadsheets use: the unit list of a period, a
//! commune's months, and the consolidated table of a unit with its totals row — scoped, paged,
//! and as CSV and XLSX.
//!
//! The data (see exports.rs): May 2024 — Bố Hạ CLEAN (100.00), Hương Vĩ BUSY (94.09), Đông Sơn
//! LATE (92.13); June 2024 — Đông Sơn the seed report (99.88), Hương Vĩ BUSY, Bố Hạ nothing.

use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests};

use crate::exports::{XLSX, csv_text, download, file_may_and_june, parse_csv, xlsx_rows};
use crate::rankings::{CLEAN, report};

fn codes(r: &Value) -> Vec<&str> {
    r["items"].as_array().expect("items").iter().map(|i| i["code"].as_str().expect("a code")).collect()
}

async fn the_unit_list_is_scoped_filtered_and_paged(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let r = app.get("/api/v1/units?period=2024-06", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(codes(&r.body), ["07273", "07279", "07294", "07312", "215", "216", "24"]);
    assert_eq!(r.body["next"], Value::Null);
    assert_eq!(r.body["as_of"], "2024-06");
    assert_eq!(
        r.body["items"][0],
        json!({"code": "07273", "name": "Xã Đông Sơn", "level": "commune", "parent_code": "215",
               "valid_from": null, "valid_to": null})
    );

    // Pages of three, following `next`, give every unit once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/units?period=2024-06&limit=3".to_owned();
    loop {
        let r = app.get(&path, &admin).await;
        assert_eq!(r.status, 200, "{}", r.text);
        seen.extend(codes(&r.body).into_iter().map(str::to_owned));
        match r.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/units?period=2024-06&limit=3&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["07273", "07279", "07294", "07312", "215", "216", "24"]);

    // A district sees itself and what is below it; filters narrow the list.
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/units?period=2024-06", &yen_the).await;
    assert_eq!(codes(&r.body), ["07273", "07279", "07294", "215"]);
    let r = app.get("/api/v1/units?level=commune&parent=216", &admin).await;
    assert_eq!(codes(&r.body), ["07312"]);
    let r = app.get("/api/v1/units?q=%C4%90%C3%94NG", &admin).await; // "ĐÔNG", any case
    assert_eq!(codes(&r.body), ["07273"]);
    let r = app.get("/api/v1/units?q=072", &admin).await;
    assert_eq!(codes(&r.body), ["07273", "07279", "07294"]);

    // As a table: the whole list, codes with their leading zero.
    let d = download(&app, &yen_the, "/api/v1/units?period=2024-06&format=csv&limit=1", None).await;
    let text = csv_text(&d, "don-vi-2024-06");
    let records = parse_csv(&text);
    assert_eq!(records[0], ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Hiệu lực từ", "Hiệu lực đến"]);
    // June 2024: the commune level holds xã, phường and thị trấn (Bố Hạ is one).
    assert_eq!(records[1], ["07273", "Xã Đông Sơn", "xã/phường/thị trấn", "215", "", ""]);
    assert_eq!(records[3], ["07294", "Thị trấn Bố Hạ", "xã/phường/thị trấn", "215", "", ""]);
    assert_eq!(records.len(), 5);

    // Bad paging and filters are problems.
    let p = app.get("/api/v1/units?limit=1001", &admin).await;
    assert_eq!(p.problem(400)["type"], "urn:cchc:problem:invalid-paging");
    let p = app.get("/api/v1/units?level=hamlet", &admin).await;
    p.problem(400);
}

async fn a_communes_months_are_listed(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let own = app.token(Role::Commune, Some("07273"));
    let r = app.get("/api/v1/communes/07273/reports?from=2024-04&to=2024-06", &own).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_name"], "Xã Đông Sơn");
    assert_eq!(r.body["scheme"], "commune-par@1");
    let items = r.body["items"].as_array().unwrap();
    let periods: Vec<&str> = items.iter().map(|i| i["period"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2024-06", "2024-05", "2024-04"]);
    let june = &items[0];
    assert_eq!(june["status"], "submitted");
    assert_eq!(june["revision"], 1);
    assert_eq!(june["standing"], "submitted");
    assert_eq!(june["score"], json!(99.88));
    assert_eq!(june["due_date"], "2024-06-17");
    assert_eq!(june["on_time"], false, "filed today, long after its due day");
    let stored = app.get("/api/v1/communes/07273/reports/2024-06", &own).await;
    assert_eq!(june["etag"].as_str(), stored.header("etag"));
    assert_eq!(items[1]["score"], json!(92.13));
    let april = &items[2];
    assert_eq!((april["status"].clone(), april["standing"].clone()), (Value::Null, json!("missing")));
    assert_eq!((april["score"].clone(), april["etag"].clone()), (Value::Null, Value::Null));

    // Paged: two, then the rest.
    let r = app.get("/api/v1/communes/07273/reports?from=2024-04&to=2024-06&limit=2", &own).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    let next = r.body["next"].as_str().expect("a next page");
    let r =
        app.get(&format!("/api/v1/communes/07273/reports?from=2024-04&to=2024-06&limit=2&cursor={next}"), &own).await;
    assert_eq!(r.body["items"][0]["period"], "2024-04");
    assert_eq!(r.body["next"], Value::Null);

    // A draft is the commune's own: its district sees no report for that month.
    let draft = app
        .put(
            "/api/v1/communes/07294/reports/2024-06?draft=true",
            &app.token(Role::Commune, Some("07294")),
            &report(CLEAN, json!({})),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/communes/07294/reports?from=2024-06&to=2024-06", &yen_the).await;
    assert_eq!(r.body["items"][0]["status"], Value::Null, "{}", r.text);
    let r = app
        .get("/api/v1/communes/07294/reports?from=2024-06&to=2024-06", &app.token(Role::Commune, Some("07294")))
        .await;
    assert_eq!(r.body["items"][0]["status"], "draft");

    // Out of scope, or a range that is not one: problems.
    app.get("/api/v1/communes/07273/reports", &app.token(Role::District, Some("216"))).await.problem(403);
    let p = app.get("/api/v1/communes/07273/reports?from=2024-06&to=2024-05", &own).await;
    assert_eq!(p.problem(400)["type"], "urn:cchc:problem:invalid-period");
    let p = app.get("/api/v1/communes/07273/reports?from=2010-01&to=2024-05", &own).await;
    p.problem(400);

    // As a spreadsheet.
    let d = download(&app, &own, "/api/v1/communes/07273/reports?from=2024-05&to=2024-06", Some(XLSX)).await;
    let (_, rows) = xlsx_rows(&d, "bao-cao-07273");
    assert_eq!(rows[1][0], "2024-06");
    assert_eq!(rows[1][5], json!(99.88));
    assert_eq!(rows[2][1], "Đã gửi");
}

async fn the_consolidated_table_totals_equal_the_aggregates(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let yen_the = app.token(Role::District, Some("215"));
    for period in ["2024-06", "2024Q2"] {
        let r = app.get(&format!("/api/v1/units/215/reports?period={period}"), &yen_the).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let a = app.get(&format!("/api/v1/units/215/aggregates?period={period}"), &yen_the).await;
        assert_eq!(r.body["totals"]["indicators"], a.body["indicators"], "{period}");
        assert_eq!(r.body["totals"]["derived"], a.body["derived"], "{period}");
        assert_eq!(r.body["communes"], 3);
        let rows = r.body["items"].as_array().unwrap();
        let codes: Vec<&str> = rows.iter().map(|x| x["unit_code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["07273", "07279", "07294"]);
    }
    let r = app.get("/api/v1/units/215/reports?period=2024-06", &yen_the).await;
    let dong_son = &r.body["items"][0];
    assert_eq!(dong_son["values"]["dossiers_received_online"], 168);
    assert_eq!(dong_son["derived"]["resolved_on_time_rate"], json!(99.4));
    assert_eq!((dong_son["score"].clone(), dong_son["rank"].clone()), (json!(99.88), json!(1)));
    assert_eq!(dong_son["months_reported"], 1);
    let bo_ha = &r.body["items"][2];
    assert_eq!((bo_ha["standing"].clone(), bo_ha["values"].clone()), (json!("missing"), json!({})));
    // A quarter rolls up each commune's months: received online is a flow, May's 60 + June's 168.
    let q = app.get("/api/v1/units/215/reports?period=2024Q2", &yen_the).await;
    assert_eq!(q.body["months_expected"], 3);
    assert_eq!(q.body["items"][0]["months_reported"], 2);
    assert_eq!(q.body["items"][0]["values"]["dossiers_received_online"], 228);

    // Paged rows, the same totals on every page.
    let p1 = app.get("/api/v1/units/215/reports?period=2024-06&limit=2", &yen_the).await;
    assert_eq!(p1.body["items"].as_array().unwrap().len(), 2);
    let next = p1.body["next"].as_str().expect("a next page");
    let p2 = app.get(&format!("/api/v1/units/215/reports?period=2024-06&limit=2&cursor={next}"), &yen_the).await;
    assert_eq!(p2.body["items"][0]["unit_code"], "07294");
    assert_eq!(p2.body["totals"], p1.body["totals"]);

    // The spreadsheet: a row per commune and the totals row, checked against the JSON.
    let d = download(&app, &yen_the, "/api/v1/units/215/reports?period=2024-06&format=xlsx", None).await;
    let (_, rows) = xlsx_rows(&d, "bieu-tong-hop-215-2024-06");
    assert_eq!(rows.len(), 5, "header, three communes, totals");
    let col = rows[0].iter().position(|h| h == "Số hồ sơ mới tiếp nhận trực tuyến").expect("a column per indicator");
    assert_eq!((rows[1][0].clone(), rows[1][col].clone()), (json!("07273"), json!(168.0)));
    assert_eq!(rows[3][col], Value::Null, "Bố Hạ reported nothing");
    assert_eq!((rows[4][1].clone(), rows[4][col].clone()), (json!("Tổng cộng"), json!(228.0)));
    let d = download(&app, &yen_the, "/api/v1/units/215/reports?period=2024-06", Some("text/csv")).await;
    let records = parse_csv(&csv_text(&d, "bieu-tong-hop-215-2024-06"));
    assert_eq!(records[1][0], "07273");
    assert_eq!(records[1][col], "168");

    // Scope: neither a commune nor another district reads the district's table.
    app.get("/api/v1/units/215/reports?period=2024-06", &app.token(Role::District, Some("216"))).await.problem(403);
    app.get("/api/v1/units/215/reports?period=2024-06", &app.token(Role::Commune, Some("07273"))).await.problem(403);
}

/// Each table also downloads by its extension (one operation per file, for generated clients),
/// with the same rows as the negotiated one; `detail=criteria` adds a column per criterion.
async fn downloads_are_named_by_their_extension(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let yen_the = app.token(Role::District, Some("215"));
    for (negotiated, file, name) in [
        (
            "/api/v1/units/215/reports?period=2024-06&format=xlsx",
            "/api/v1/units/215/reports.xlsx?period=2024-06",
            "bieu-tong-hop-215-2024-06",
        ),
        (
            "/api/v1/units/215/aggregates?period=2024Q2&format=xlsx",
            "/api/v1/units/215/aggregates.xlsx?period=2024Q2",
            "tong-hop-215-2024Q2",
        ),
        (
            "/api/v1/units/215/rankings?period=2024-06&format=xlsx",
            "/api/v1/units/215/rankings.xlsx?period=2024-06",
            "xep-hang-215-2024-06",
        ),
        ("/api/v1/units?format=xlsx&parent=215", "/api/v1/units.xlsx?parent=215", "don-vi-2026-12"),
        (
            "/api/v1/communes/07273/reports?from=2024-05&to=2024-06&format=xlsx",
            "/api/v1/communes/07273/reports.xlsx?from=2024-05&to=2024-06",
            "bao-cao-07273",
        ),
    ] {
        let (a, b) = (download(&app, &yen_the, negotiated, None).await, download(&app, &yen_the, file, None).await);
        let name = if name == "don-vi-2026-12" {
            format!("don-vi-{}", cchc_domain::Month::current(chrono::Utc::now()))
        } else {
            name.to_owned()
        };
        assert_eq!(xlsx_rows(&a, &name).1, xlsx_rows(&b, &name).1, "{file}");
    }
    // Completeness: who is late and who is missing, named.
    let d = download(&app, &yen_the, "/api/v1/units/215/completeness.csv?period=2024-06", None).await;
    let records = parse_csv(&csv_text(&d, "tinh-hinh-bao-cao-215-2024-06"));
    let named: Vec<(&str, &str)> = records[1..].iter().map(|r| (r[0].as_str(), r[3].as_str())).collect();
    assert_eq!(named, [("07273", "Trễ hạn"), ("07279", "Trễ hạn"), ("07294", "Chưa báo cáo")]);
    let json = app.get("/api/v1/units/215/completeness?period=2024-06", &yen_the).await;
    assert_eq!(json.body["late_reports"].as_array().map(Vec::len), Some(2));
    let d = download(&app, &yen_the, "/api/v1/units/215/completeness?period=2024-06", Some(XLSX)).await;
    assert_eq!(xlsx_rows(&d, "tinh-hinh-bao-cao-215-2024-06").1.len(), 4);
    let csv = download(&app, &yen_the, "/api/v1/units/215/reports.csv?period=2024-06", None).await;
    assert_eq!(parse_csv(&csv_text(&csv, "bieu-tong-hop-215-2024-06")).len(), 5);
    app.get("/api/v1/units/215/aggregates.pdf?period=2024-06", &yen_the).await.problem(400);

    // A column per criterion, each the score the JSON gives.
    let json = app.get("/api/v1/units/215/rankings?period=2024-06&detail=criteria", &yen_the).await;
    let criteria = json.body["entries"][0]["criteria"].as_array().expect("criteria").clone();
    let d = download(&app, &yen_the, "/api/v1/units/215/rankings.xlsx?period=2024-06&detail=criteria", None).await;
    let (_, rows) = xlsx_rows(&d, "xep-hang-215-2024-06");
    assert_eq!(rows[0].len(), 8 + criteria.len());
    assert_eq!(rows[1][1], json.body["entries"][0]["unit_code"]);
    for (i, c) in criteria.iter().enumerate() {
        assert_eq!(
            rows[0][8 + i],
            json!(format!("{} (tối đa {})", c["code"].as_str().unwrap(), c["max"].as_f64().unwrap())),
            "{c}"
        );
        assert_eq!(rows[1][8 + i].as_f64(), c["score"].as_f64(), "{c}");
    }
}

backend_tests!(
    downloads_are_named_by_their_extension,
    the_unit_list_is_scoped_filtered_and_paged,
    a_communes_months_are_listed,
    the_consolidated_table_totals_equal_the_aggregates
);
