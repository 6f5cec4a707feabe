//! Periodic reports: Xã Đông Sơn (07273) files April–June 2024, reads the prefill of 2024Q2
//! (the months rolled up, worked out by hand below), files the quarterly report with its own
//! narrative, corrects two figures (warned of as `differs_from_months`), and the district reads
//! aggregates and rankings of 2024Q2 from the filed quarterly reports or from the months.

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{Reply, TestApp, backend_tests, dossier_report};

/// April, May and June: carried over, online, direct, early, on time, overdue, pending within
/// the deadline, pending overdue. Each month carries over the last one's pending.
const APRIL: [i64; 8] = [3, 10, 2, 8, 4, 1, 2, 0];
const MAY: [i64; 8] = [2, 20, 0, 15, 5, 0, 1, 1];
const JUNE: [i64; 8] = [2, 30, 1, 25, 6, 0, 2, 0];

/// The months filed: Đông Sơn's quarter, and Hương Vĩ (07279) in June only.
async fn file_months(app: &TestApp) {
    app.seed_units().await;
    for (period, figures, rate) in [("2024-04", APRIL, 90.0), ("2024-05", MAY, 95.0), ("2024-06", JUNE, 97.0)] {
        let mut body = dossier_report(figures);
        body["values"]["edocs_incoming_rate"] = json!(rate);
        let r = app.file("07273", period, &body).await;
        assert_eq!(r.status, 201, "filing 07273 {period}: {}", r.text);
        assert_eq!(r.body["findings"], json!([]), "{period}: {}", r.body["findings"]);
    }
    let r = app.file("07279", "2024-06", &dossier_report([0, 5, 0, 5, 0, 0, 0, 0])).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// A request with one header more (`If-Match`, `Accept`).
async fn with_header(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    header: (&str, &str),
) -> Reply {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token).header(header.0, header.1);
    if let Some(b) = body {
        req = req.json(b);
    }
    Reply::from(req.send().await.expect("the server answers")).await
}

fn quarterly_body(values: &Value) -> Value {
    json!({"values": values, "narrative": {"results": "Quý II năm 2024: kết quả thực hiện nhiệm vụ CCHC."}})
}

async fn the_quarter_is_prefilled_from_the_months_and_filed(app: TestApp) {
    file_months(&app).await;
    let commune = app.token(Role::Commune, Some("07273"));
    let r = app.get("/api/v1/communes/07273/reports/2024Q2/prefill", &commune).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["months_expected"], 3);
    assert_eq!(r.body["months_reported"], json!(["2024-04", "2024-05", "2024-06"]));
    let v = &r.body["values"];
    // Carried over: April's 3; flows: 10+20+30, 2+0+1, 8+15+25, 4+5+6, 1+0+0; pending: June's.
    for (code, n) in [
        ("dossiers_carried_over", 3),
        ("dossiers_received_online", 60),
        ("dossiers_received_direct", 3),
        ("dossiers_resolved_early", 48),
        ("dossiers_resolved_on_time", 15),
        ("dossiers_resolved_overdue", 1),
        ("dossiers_pending_within_deadline", 2),
        ("dossiers_pending_overdue", 0),
        ("dossiers_received_total", 66),
        ("dossiers_resolved_total", 64),
    ] {
        assert_eq!(v[code], json!(n), "{code}: {v}");
    }
    assert_eq!(v["edocs_incoming_rate"], json!(94.0), "(90 + 95 + 97) / 3: {v}");
    assert_eq!(r.body["derived"]["resolved_on_time_rate"], json!(98.44), "(48 + 15) / 64");

    // Filed as prefilled: no warning, due on Thursday 20 June 2024.
    let prefill = v.clone();
    let r = app.file("07273", "2024Q2", &quarterly_body(&prefill)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/api/v1/communes/07273/reports/2024Q2"));
    assert_eq!((r.body["period"].clone(), r.body["status"].clone()), (json!("2024Q2"), json!("submitted")));
    assert_eq!(r.body["findings"], json!([]));
    assert_eq!(r.body["due_date"], "2024-06-20");
    assert_eq!(r.body["revision"], 1);
    let etag = r.header("etag").map(str::to_owned).expect("an entity tag");
    assert_eq!(etag, "\"07273-2024Q2-r1\"");

    // Two corrected figures (and their totals): a warning each, stored with the report.
    let mut corrected = prefill.clone();
    corrected["dossiers_received_online"] = json!(61);
    corrected["dossiers_received_total"] = json!(67);
    corrected["dossiers_resolved_early"] = json!(49);
    corrected["dossiers_resolved_total"] = json!(65);
    let path = "/api/v1/communes/07273/reports/2024Q2";
    let body = quarterly_body(&corrected);
    let stale = with_header(&app, Method::PUT, path, &commune, Some(&body), ("if-match", "\"07273-2024Q2-r0\"")).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let r = with_header(&app, Method::PUT, path, &commune, Some(&body), ("if-match", &etag)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    let mut warned: Vec<(String, String)> = r.body["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["indicators"][0].as_str().unwrap().to_owned()))
        .collect();
    warned.sort();
    let differs = |code: &str| ("differs_from_months".to_owned(), code.to_owned());
    assert_eq!(
        warned,
        [
            differs("dossiers_received_online"),
            differs("dossiers_received_total"),
            differs("dossiers_resolved_early"),
            differs("dossiers_resolved_total"),
        ]
    );
    let online =
        r.body["findings"].as_array().unwrap().iter().find(|f| f["indicators"][0] == "dossiers_received_online");
    let online = online.expect("the online warning");
    assert_eq!(online["severity"], "warning");
    assert_eq!(
        online["message_vi"],
        "“Số hồ sơ mới tiếp nhận trực tuyến” của kỳ báo cáo là 61, khác số tổng hợp từ các báo cáo tháng (60)"
    );

    // Read back, with its history, and reviewed by the district like a month.
    let district = app.token(Role::District, Some("215"));
    let r = app.get(path, &district).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["values"]["dossiers_received_online"], 61);
    assert_eq!(r.body["narrative"]["results"], "Quý II năm 2024: kết quả thực hiện nhiệm vụ CCHC.");
    let r = app.get(&format!("{path}/revisions"), &district).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(2));
    let r = app.post(&format!("{path}/approve"), &district, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Approved, and read as locked at once: 30 days after its due date 20 June 2024 are long past.
    assert_eq!((r.body["status"].clone(), r.body["revision"].clone()), (json!("locked"), json!(3)));

    // The months are untouched by it: June still reads as filed.
    let r = app.get("/api/v1/communes/07273/reports/2024-06", &district).await;
    assert_eq!(r.body["values"]["dossiers_received_online"], 30);
    // A commune's months list only months.
    let r = app.get("/api/v1/communes/07273/reports?from=2024-01&to=2024-12", &commune).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["items"].as_array().unwrap().iter().all(|i| i["period"].as_str().unwrap().len() == 7), "{}", r.body);
}

async fn aggregates_and_rankings_read_the_filed_reports_or_the_months(app: TestApp) {
    file_months(&app).await;
    let commune = app.token(Role::Commune, Some("07273"));
    let prefill = app.get("/api/v1/communes/07273/reports/2024Q2/prefill", &commune).await.body["values"].clone();
    let mut corrected = prefill;
    corrected["dossiers_received_online"] = json!(61);
    corrected["dossiers_received_total"] = json!(67);
    corrected["dossiers_resolved_early"] = json!(49);
    corrected["dossiers_resolved_total"] = json!(65);
    let r = app.file("07273", "2024Q2", &quarterly_body(&corrected)).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let district = app.token(Role::District, Some("215"));
    let agg = |source: &'static str| {
        let (app, district) = (&app, &district);
        async move {
            let r = app.get(&format!("/api/v1/units/215/aggregates?period=2024Q2{source}"), district).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body
        }
    };
    // The months (the default): Đông Sơn's 60 online and Hương Vĩ's June 5.
    for months in [agg("").await, agg("&source=months").await] {
        assert_eq!(months["source"], "months");
        assert_eq!(months["indicators"]["dossiers_received_online"]["value"], 65);
        assert_eq!(months["communes_reported"], 2);
        assert_eq!(months["reports_counted"], 4);
    }
    // The filed quarterly reports: Đông Sơn's corrected 61; Hương Vĩ filed none.
    let filed = agg("&source=filed").await;
    assert_eq!(filed["source"], "filed");
    assert_eq!(filed["indicators"]["dossiers_received_online"]["value"], 61);
    assert_eq!(filed["indicators"]["dossiers_resolved_early"]["value"], 49);
    assert_eq!(filed["communes_reported"], 1);
    assert_eq!(filed["reports_counted"], 3);
    // (49 + 15) / 65 = 98.46 % from the filed report; (48 + 15 + 5) / 69 = 98.55 % from the months.
    assert_eq!(filed["derived"]["resolved_on_time_rate"], json!(98.46));
    assert_eq!(agg("").await["derived"]["resolved_on_time_rate"], json!(98.55));
    let r = app.get("/api/v1/units/215/aggregates?period=2024Q2&source=portal", &district).await;
    assert_eq!(r.status, 400, "{}", r.text);

    let ranking = |source: &'static str| {
        let (app, district) = (&app, &district);
        async move {
            let r = app.get(&format!("/api/v1/units/215/rankings?period=2024Q2{source}"), district).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let entries = r.body["entries"].as_array().expect("entries").clone();
            entries
                .iter()
                .map(|e| {
                    (
                        e["unit_code"].as_str().unwrap().to_owned(),
                        e["status"].as_str().unwrap().to_owned(),
                        e["rank"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let row = |code: &str, status: &str, rank: Value| (code.to_owned(), status.to_owned(), rank);
    // From the months Hương Vĩ reported one month of three: partial, ranked after Đông Sơn.
    let months = ranking("&source=months").await;
    assert_eq!(
        months,
        [row("07273", "submitted", json!(1)), row("07279", "partial", json!(2)), row("07294", "missing", Value::Null)]
    );
    assert_eq!(ranking("").await, months);
    // From the filed reports only Đông Sơn's quarter counts.
    assert_eq!(
        ranking("&source=filed").await,
        [
            row("07273", "submitted", json!(1)),
            row("07279", "missing", Value::Null),
            row("07294", "missing", Value::Null)
        ]
    );
}

async fn periodic_reports_refuse_what_they_cannot_be(app: TestApp) {
    file_months(&app).await;
    let commune = app.token(Role::Commune, Some("07273"));
    // A month has no prefill; a period not yet reached cannot be filed; another commune's is 403.
    let r = app.get("/api/v1/communes/07273/reports/2024-06/prefill", &commune).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let body = quarterly_body(&json!({"dossiers_carried_over": 0}));
    let r = app.file("07273", "2999Q1", &body).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let other = app.token(Role::Commune, Some("07279"));
    let r = app.put("/api/v1/communes/07273/reports/2024Q2", &other, &body).await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Nine months and years are periods of their own: Đông Sơn's months so far, as 2024M9.
    let r = app.get("/api/v1/communes/07273/reports/2024M9/prefill", &commune).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["months_expected"].clone(), r.body["values"]["dossiers_received_online"].clone()),
        (json!(9), json!(60))
    );
    // A periodic report is not a Word document (that is a month's).
    let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    app.file(
        "07273",
        "2024Q2",
        &quarterly_body(&app.get("/api/v1/communes/07273/reports/2024Q2/prefill", &commune).await.body["values"]),
    )
    .await;
    let r =
        with_header(&app, Method::GET, "/api/v1/communes/07273/reports/2024Q2", &commune, None, ("accept", docx)).await;
    assert_eq!(r.status, 406, "{}", r.text);
}

backend_tests!(
    the_quarter_is_prefilled_from_the_months_and_filed,
    aggregates_and_rankings_read_the_filed_reports_or_the_months,
    periodic_reports_refuse_what_they_cannot_be,
);
