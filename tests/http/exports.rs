//! Rankings and aggregates as downloads: CSV (UTF-8 with a byte-order mark, Vietnamese headers)
//! and XLSX (read back with calamine), chosen by `?format=` or the `Accept` header.
//!
//! The data: May 2024 — Bố Hạ CLEAN (100.00), Hương Vĩ BUSY (94.09), Đông Sơn LATE (92.13);
//! June 2024 — Đông Sơn the seed report (99.88), Hương Vĩ BUSY (94.09), Bố Hạ nothing
//! (see rankings.rs for the scores).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, seed_body};

use crate::rankings::{BUSY, CLEAN, LATE, file, report};

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const RANKING_HEADER: &str = "Hạng,Mã đơn vị,Tên đơn vị,Điểm,Xếp loại,Trạng thái,Hạng kỳ trước,Thay đổi thứ hạng";
const AGGREGATE_HEADER: &str = "Mã chỉ tiêu,Chỉ tiêu,Giá trị,Cách tổng hợp,Số đơn vị báo cáo";

pub(crate) async fn file_may_and_june(app: &TestApp) {
    file(app, "07294", "2024-05", &report(CLEAN, json!({}))).await;
    file(app, "07279", "2024-05", &report(BUSY, json!({}))).await;
    file(app, "07273", "2024-05", &report(LATE, json!({}))).await;
    file(app, "07273", "2024-06", &seed_body()).await;
    file(app, "07279", "2024-06", &report(BUSY, json!({}))).await;
}

/// A download: status, content type, content disposition and the raw bytes.
pub(crate) struct Download {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) disposition: String,
    pub(crate) bytes: Vec<u8>,
}

pub(crate) async fn download(app: &TestApp, token: &str, path: &str, accept: Option<&str>) -> Download {
    let mut req = app.client.get(app.url(path)).bearer_auth(token);
    if let Some(a) = accept {
        req = req.header(ACCEPT, a);
    }
    let res = req.send().await.expect("the server answers");
    let header = |name| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (content_type, disposition) = (header(CONTENT_TYPE), header(CONTENT_DISPOSITION));
    let status = res.status().as_u16();
    let bytes = res.bytes().await.expect("a readable body").to_vec();
    Download { status, content_type, disposition, bytes }
}

/// Asserts a CSV download named `name`.csv and returns its text, without the byte-order mark.
#[track_caller]
pub(crate) fn csv_text(d: &Download, name: &str) -> String {
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.bytes));
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    assert_eq!(d.disposition, format!("attachment; filename=\"{name}.csv\""));
    assert!(d.bytes.starts_with(BOM), "no byte-order mark: {:?}", &d.bytes[..d.bytes.len().min(8)]);
    String::from_utf8(d.bytes[BOM.len()..].to_vec()).expect("UTF-8")
}

/// Asserts an XLSX download named `name`.xlsx and returns its one sheet's name and cells, each
/// number as an f64, each string as a string, each empty cell as null.
#[track_caller]
pub(crate) fn xlsx_rows(d: &Download, name: &str) -> (String, Vec<Vec<Value>>) {
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.bytes));
    assert_eq!(d.content_type, XLSX);
    assert_eq!(d.disposition, format!("attachment; filename=\"{name}.xlsx\""));
    assert!(d.bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(d.bytes.clone())).expect("a readable workbook");
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 1, "{sheets:?}");
    let range = book.worksheet_range(&sheets[0]).expect("a readable sheet");
    assert_eq!(range.start(), Some((0, 0)), "the table starts at A1");
    let rows: Vec<Vec<Value>> = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Int(i) => json!(*i as f64),
                    Data::Float(x) => json!(x),
                    Data::String(s) => json!(s),
                    Data::Empty => Value::Null,
                    other => panic!("an unexpected cell: {other:?}"),
                })
                .collect()
        })
        .collect();
    // A title row and the time the figures were taken come above the table.
    assert!(rows[0][0].as_str().is_some_and(|t| !t.is_empty()), "a title row: {:?}", rows[0]);
    assert!(rows[1][0].as_str().is_some_and(|t| t.starts_with("Số liệu lấy lúc ")), "{:?}", rows[1]);
    (sheets[0].clone(), rows[2..].to_vec())
}

/// Splits CSV text into records (quoted fields may hold commas, quotes and newlines).
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted && field.is_empty() && record.is_empty(), "the CSV ends with a newline: {text:?}");
    records
}

// ---------------------------------------------------------------------------------------------
// Rankings

async fn rankings_as_csv(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let yen_the = app.token(Role::District, Some("215"));
    // The JSON the tables are made from: Đông Sơn up two places, Hương Vĩ unchanged, Bố Hạ
    // missing in June (it keeps its May rank as the previous one, with no change).
    let r = app.get("/api/v1/units/215/rankings?period=2024-06", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let standings: Vec<Value> = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            json!([e["rank"], e["unit_code"], e["score"], e["band"], e["status"], e["previous_rank"], e["rank_change"]])
        })
        .collect();
    assert_eq!(
        standings,
        vec![
            json!([1, "07273", 99.88, "excellent", "submitted", 3, 2]),
            json!([2, "07279", 94.09, "excellent", "submitted", 2, 0]),
            json!([null, "07294", null, null, "missing", 1, null]),
        ]
    );

    let expected = format!(
        "{RANKING_HEADER}\n\
         1,07273,Xã Đông Sơn,99.88,Xuất sắc,Đã gửi,3,2\n\
         2,07279,Xã Hương Vĩ,94.09,Xuất sắc,Đã gửi,2,0\n\
         ,07294,Thị trấn Bố Hạ,,,Chưa báo cáo,1,\n"
    );
    // Asked for with `?format=csv`, or with the Accept header.
    let d = download(&app, &yen_the, "/api/v1/units/215/rankings?period=2024-06&format=csv", None).await;
    assert_eq!(csv_text(&d, "xep-hang-215-2024-06"), expected);
    for accept in ["text/csv", "text/csv; charset=utf-8", "text/html;q=0.9, text/csv, */*"] {
        let d = download(&app, &yen_the, "/api/v1/units/215/rankings?period=2024-06", Some(accept)).await;
        assert_eq!(csv_text(&d, "xep-hang-215-2024-06"), expected, "Accept: {accept}");
    }
    // `?format=` wins over the Accept header.
    let d = download(&app, &yen_the, "/api/v1/units/215/rankings?period=2024-06&format=json", Some("text/csv")).await;
    assert_eq!(d.status, 200);
    assert!(d.content_type.starts_with("application/json"), "{}", d.content_type);
    let d = download(&app, &yen_the, "/api/v1/units/215/rankings?period=2024-06&format=csv", Some(XLSX)).await;
    assert_eq!(csv_text(&d, "xep-hang-215-2024-06"), expected);

    // May: all three ranked, none before them.
    let d = download(&app, &yen_the, "/api/v1/units/215/rankings?period=2024-05&format=csv", None).await;
    assert_eq!(
        csv_text(&d, "xep-hang-215-2024-05"),
        format!(
            "{RANKING_HEADER}\n\
             1,07294,Thị trấn Bố Hạ,100,Xuất sắc,Đã gửi,,\n\
             2,07279,Xã Hương Vĩ,94.09,Xuất sắc,Đã gửi,,\n\
             3,07273,Xã Đông Sơn,92.13,Xuất sắc,Đã gửi,,\n"
        )
    );
    // The national ranking (an admin's): Cao Xá (Tân Yên) never reported.
    let d = download(&app, &app.admin(), "/api/v1/rankings?period=2024-06&format=csv", None).await;
    let text = csv_text(&d, "xep-hang-toan-quoc-2024-06");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], RANKING_HEADER);
    assert_eq!(lines[1], "1,07273,Xã Đông Sơn,99.88,Xuất sắc,Đã gửi,3,2");
    assert!(lines.contains(&",07312,Xã Cao Xá,,,Chưa báo cáo,,"), "{text}");
    // A draft shows as one.
    let r = app
        .put(
            "/api/v1/communes/07294/reports/2024-06?draft=true",
            &app.token(Role::Commune, Some("07294")),
            &report(CLEAN, json!({})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let d = download(&app, &yen_the, "/api/v1/units/215/rankings?period=2024-06&format=csv", None).await;
    assert!(csv_text(&d, "xep-hang-215-2024-06").ends_with("\n,07294,Thị trấn Bố Hạ,,,Bản nháp,1,\n"));
}

async fn rankings_as_xlsx_read_back(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let province = app.token(Role::Province, Some("24"));
    let header: Vec<Value> = RANKING_HEADER.split(',').map(|h| json!(h)).collect();
    for (path, accept) in [
        ("/api/v1/units/215/rankings?period=2024-06&format=xlsx", None),
        ("/api/v1/units/215/rankings?period=2024-06", Some(XLSX)),
        (
            "/api/v1/units/215/rankings?period=2024-06",
            Some("text/plain, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ] {
        let d = download(&app, &province, path, accept).await;
        let (sheet, rows) = xlsx_rows(&d, "xep-hang-215-2024-06");
        assert_eq!(sheet, "xep-hang-215-2024-06");
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[0], header);
        assert_eq!(
            rows[1],
            vec![
                json!(1.0),
                json!("07273"),
                json!("Xã Đông Sơn"),
                json!(99.88),
                json!("Xuất sắc"),
                json!("Đã gửi"),
                json!(3.0),
                json!(2.0)
            ]
        );
        assert_eq!(
            rows[2],
            vec![
                json!(2.0),
                json!("07279"),
                json!("Xã Hương Vĩ"),
                json!(94.09),
                json!("Xuất sắc"),
                json!("Đã gửi"),
                json!(2.0),
                json!(0.0)
            ]
        );
        assert_eq!(
            rows[3],
            vec![
                Value::Null,
                json!("07294"),
                json!("Thị trấn Bố Hạ"),
                Value::Null,
                Value::Null,
                json!("Chưa báo cáo"),
                json!(1.0),
                Value::Null
            ]
        );
    }
    // A quarter of the whole province: every commune listed, Cao Xá as not reported.
    let d = download(&app, &province, "/api/v1/units/24/rankings?period=2024Q2&format=xlsx", None).await;
    let (sheet, rows) = xlsx_rows(&d, "xep-hang-24-2024Q2");
    assert_eq!(sheet, "xep-hang-24-2024Q2");
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), 5, "four communes: {rows:?}");
    let cao_xa = rows.iter().find(|r| r[1] == "07312").expect("Cao Xá is listed");
    assert_eq!(cao_xa[5], "Chưa báo cáo");
}

// ---------------------------------------------------------------------------------------------
// Aggregates

async fn aggregates_as_csv_and_xlsx(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/units/215/aggregates?period=2024-06", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let json_view = r.body;
    let indicators = json_view["indicators"].as_object().unwrap().len();
    let derived = json_view["derived"].as_object().unwrap().len();

    let d = download(&app, &yen_the, "/api/v1/units/215/aggregates?period=2024-06&format=csv", None).await;
    let text = csv_text(&d, "tong-hop-215-2024-06");
    assert!(text.starts_with(&format!("{AGGREGATE_HEADER}\n")), "{text}");
    let records = parse_csv(&text);
    assert_eq!(records.len(), 1 + indicators + derived, "one row per reported indicator and derived figure");
    assert!(records.iter().all(|r| r.len() == 5), "{records:?}");
    let row = |code: &str| -> Vec<String> {
        records.iter().find(|r| r[0] == code).unwrap_or_else(|| panic!("no row for {code}: {text}")).clone()
    };
    // 168 + 60 online, from the two communes that reported.
    assert_eq!(
        row("dossiers_received_online"),
        ["dossiers_received_online", "Số hồ sơ mới tiếp nhận trực tuyến", "228", "Tổng", "2"]
    );
    // A label with commas is quoted.
    assert!(text.contains("\nstaff_total,\"Tổng số cán bộ, công chức, viên chức\",40,Tổng,2\n"), "{text}");
    assert_eq!(row("staff_total"), ["staff_total", "Tổng số cán bộ, công chức, viên chức", "40", "Tổng", "2"]);
    assert_eq!(
        row("iso_9001_applied"),
        [
            "iso_9001_applied",
            "Áp dụng Hệ thống quản lý chất lượng TCVN ISO 9001:2015",
            "100",
            "Tỷ lệ đơn vị trả lời Có (%)",
            "2"
        ]
    );
    assert_eq!(
        row("documents_digitally_signed_rate"),
        ["documents_digitally_signed_rate", "Tỷ lệ văn bản được ký số", "100", "Trung bình các đơn vị báo cáo", "2"]
    );
    // Derived: (132 + 33 + 50 + 30) / (166 + 90) = 245 / 256 = 95.70 %.
    assert_eq!(
        row("resolved_on_time_rate"),
        [
            "resolved_on_time_rate",
            "Tỷ lệ hồ sơ giải quyết đúng và trước hạn (%)",
            "95.7",
            "Tính từ tổng tử số và mẫu số",
            "2"
        ]
    );
    assert_eq!(json_view["derived"]["resolved_on_time_rate"], json!(95.7));
    // Indicators nobody reported have no row.
    assert!(records.iter().all(|r| r[0] != "legal_documents_issued"), "{text}");
    // The Accept header gives the same file.
    let d = download(&app, &yen_the, "/api/v1/units/215/aggregates?period=2024-06", Some("text/csv")).await;
    assert_eq!(csv_text(&d, "tong-hop-215-2024-06"), text);

    // XLSX, asked for with the Accept header: the same table, numbers as numbers.
    let d = download(&app, &yen_the, "/api/v1/units/215/aggregates?period=2024-06", Some(XLSX)).await;
    let (sheet, rows) = xlsx_rows(&d, "tong-hop-215-2024-06");
    assert_eq!(sheet, "tong-hop-215-2024-06");
    let header: Vec<Value> = AGGREGATE_HEADER.split(',').map(|h| json!(h)).collect();
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), records.len());
    let xrow = |code: &str| rows.iter().find(|r| r[0] == code).unwrap_or_else(|| panic!("no row for {code}")).clone();
    assert_eq!(
        xrow("dossiers_received_online"),
        vec![
            json!("dossiers_received_online"),
            json!("Số hồ sơ mới tiếp nhận trực tuyến"),
            json!(228.0),
            json!("Tổng"),
            json!(2.0)
        ]
    );
    assert_eq!(xrow("resolved_on_time_rate")[2], json!(95.7));
    // Row by row, the workbook and the CSV agree.
    for (x, c) in rows.iter().zip(&records) {
        let as_text: Vec<String> = x
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => format!("{}", n.as_f64().unwrap()),
                _ => String::new(),
            })
            .collect();
        assert_eq!(&as_text, c);
    }

    // A quarter by `?format=xlsx`: online dossiers summed over the months, 228 + 120 + 100.
    let d = download(&app, &yen_the, "/api/v1/units/215/aggregates?period=2024Q2&format=xlsx", None).await;
    let (_, rows) = xlsx_rows(&d, "tong-hop-215-2024Q2");
    let online = rows.iter().find(|r| r[0] == "dossiers_received_online").expect("a row for online dossiers");
    assert_eq!(online[2..], [json!(448.0), json!("Tổng"), json!(3.0)]);

    // A month nobody reported: only the derived figures, each empty.
    let d = download(&app, &yen_the, "/api/v1/units/215/aggregates?period=2023-01&format=csv", None).await;
    let records = parse_csv(&csv_text(&d, "tong-hop-215-2023-01"));
    assert_eq!(records.len(), 1 + derived);
    assert!(records[1..].iter().all(|r| r[2].is_empty() && r[4] == "0"), "{records:?}");
}

async fn exports_refuse_what_json_refuses(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let admin = app.admin();
    // Unknown formats.
    for path in [
        "/api/v1/units/215/rankings?period=2024-06&format=pdf",
        "/api/v1/units/215/aggregates?period=2024-06&format=ods",
    ] {
        let d = download(&app, &admin, path, None).await;
        assert_eq!(d.status, 400, "{path}: {}", String::from_utf8_lossy(&d.bytes));
    }
    // Bad periods and units, and scope, exactly as for JSON.
    for (path, token, status) in [
        ("/api/v1/units/215/rankings?period=2024-13&format=csv", admin.clone(), 400),
        ("/api/v1/units/99/aggregates?period=2024-06&format=xlsx", admin.clone(), 404),
        ("/api/v1/units/215/rankings?period=2024-06&format=csv", app.token(Role::District, Some("216")), 403),
        ("/api/v1/units/215/aggregates?period=2024-06&format=xlsx", app.token(Role::Commune, Some("07273")), 403),
        ("/api/v1/rankings?period=2024-06&format=csv", app.token(Role::Province, Some("24")), 403),
    ] {
        let d = download(&app, &token, path, None).await;
        assert_eq!(d.status, status, "{path}: {}", String::from_utf8_lossy(&d.bytes));
        assert_eq!(d.content_type, "application/problem+json", "{path}");
    }
    // Without a format or an Accept header that names one: JSON.
    for accept in [None, Some("*/*"), Some("application/json"), Some("text/html")] {
        let d = download(&app, &admin, "/api/v1/units/215/aggregates?period=2024-06", accept).await;
        assert_eq!(d.status, 200);
        assert!(d.content_type.starts_with("application/json"), "{accept:?}: {}", d.content_type);
        assert!(d.disposition.is_empty(), "{accept:?}");
    }
}

backend_tests!(
    accept_q_values_are_honoured,
    rankings_as_csv,
    rankings_as_xlsx_read_back,
    aggregates_as_csv_and_xlsx,
    exports_refuse_what_json_refuses
);

async fn accept_q_values_are_honoured(app: TestApp) {
    app.seed_units().await;
    file_may_and_june(&app).await;
    let province = app.token(Role::Province, Some("24"));
    let path = "/api/v1/units/215/rankings?period=2024-06";
    let d = download(&app, &province, path, Some(&format!("application/json;q=0.5, {XLSX}"))).await;
    let (_, rows) = xlsx_rows(&d, "xep-hang-215-2024-06");
    assert_eq!(rows.len(), 4);
    let d = download(&app, &province, path, Some("application/json;q=0.1, text/csv")).await;
    assert!(csv_text(&d, "xep-hang-215-2024-06").starts_with(RANKING_HEADER));
}
