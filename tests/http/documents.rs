//! The official documents as Word files: the commune's report (`GET` of the report with the
//! Word media type, or `…/document.docx`) and the Interior Office's consolidated report — the
//! same scope, drafts and errors as their JSON routes, and the words inside `word/document.xml`.
//!
//! The data: June 2024 — Đông Sơn the seed report, Hương Vĩ a small report, both filed now and
//! so late; Bố Hạ nothing. The current month — Đông Sơn on time, Cao Xá a draft.

use std::io::{Cursor, Read};

use serde_json::{Value, json};

use cchc_domain::official_report::count;
use cchc_domain::{Role, seed};
use cchc_tests::{TestApp, backend_tests, dossier_report, seed_body, this_month};

use crate::exports::{Download, download};

pub(crate) const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The document's XML and its text, a paragraph a line.
#[track_caller]
fn docx(d: &Download, name: &str) -> (String, String) {
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.bytes));
    assert_eq!(d.content_type, DOCX);
    assert_eq!(d.disposition, format!("attachment; filename=\"{name}.docx\""));
    docx_text(&d.bytes)
}

/// A Word file's `word/document.xml` and its text, a paragraph a line.
pub(crate) fn docx_text(bytes: &[u8]) -> (String, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a .docx is a zip archive");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).expect("UTF-8 XML");
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in xml.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' => {
                in_tag = false;
                if tag == "/w:p" {
                    text.push('\n');
                }
            }
            c if in_tag => tag.push(c),
            c => text.push(c),
        }
    }
    let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    (xml, text)
}

#[track_caller]
fn has(text: &str, phrases: &[&str]) {
    for p in phrases {
        assert!(text.contains(p), "{p:?} is not in the document:\n{text}");
    }
}

async fn file_june(app: &TestApp) {
    app.seed_units().await;
    assert_eq!(app.file("07273", "2024-06", &seed_body()).await.status, 201);
    assert_eq!(app.file("07279", "2024-06", &dossier_report([0, 10, 2, 5, 4, 1, 2, 0])).await.status, 201);
}

async fn the_commune_report_is_an_official_word_document(app: TestApp) {
    file_june(&app).await;
    let commune = app.token(Role::Commune, Some("07273"));
    let r = app.put("/api/v1/units/07273/signatory", &commune, &json!({"name": "  Đặng Quý   Hưng "})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"unit_code": "07273", "name": "Đặng Quý Hưng"}));
    let district = app.token(Role::District, Some("215"));
    assert_eq!(app.get("/api/v1/units/07273/signatory", &district).await.body["name"], "Đặng Quý Hưng");

    let d = download(&app, &district, "/api/v1/communes/07273/reports/2024-06", Some(DOCX)).await;
    let (_, text) = docx(&d, "bao-cao-cchc-07273-2024-06");
    has(
        &text,
        &[
            "ỦY BAN NHÂN DÂN\nXÃ ĐÔNG SƠN\n",
            "Số: …/BC-UBND",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n",
            "Đông Sơn, ngày ",
            "BÁO CÁO\nKết quả thực hiện nhiệm vụ công tác CCHC tháng 06 năm 2024 và phương hướng, nhiệm vụ tháng 07 năm 2024\n",
            "III. ĐÁNH GIÁ CHUNG\n",
            "Nơi nhận:\n- UBND huyện Yên Thế (Phòng Nội vụ);\n",
            "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n",
            "\nĐặng Quý Hưng\n",
            "của UBND xã Đông Sơn./.",
        ],
    );
    // The dossier paragraph, from the figures, in the seed's words.
    let dossiers =
        text.lines().find(|l| l.starts_with("Kết quả thực hiện việc tiếp nhận")).expect("the dossier paragraph");
    has(
        dossiers,
        &[
            "tháng 06 năm 2024 là: Tổng số hồ sơ tiếp nhận 168 hồ sơ",
            "trực tuyến 168/168 hồ sơ đạt 100%, kỳ trước chuyển qua 0 hồ sơ",
            "đã trả trước hạn là 132 hồ sơ; trả đúng hạn 33 hồ sơ; 01 hồ sơ quá hạn; 02 hồ sơ đang trong quá trình giải quyết",
        ],
    );
    assert_eq!(text.matches("Tổng số hồ sơ tiếp nhận").count(), 1, "the clerk's own paragraph is replaced");
    // Each narrative section, from its first line to its last.
    let body = seed_body();
    for (key, section) in body["narrative"].as_object().expect("a narrative") {
        let lines: Vec<&str> =
            section.as_str().expect("text").lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let (first, last) = (lines[0], lines[lines.len() - 1]);
        assert!(text.contains(&format!("{first}\n")), "{key}: {first:?}");
        assert!(text.contains(last), "{key}: {last:?}");
    }
    // The download operation gives the same document; no Accept is still JSON.
    let again = download(&app, &district, "/api/v1/communes/07273/reports/2024-06/document.docx", None).await;
    assert_eq!(docx(&again, "bao-cao-cchc-07273-2024-06").1, text);
    let json = app.get("/api/v1/communes/07273/reports/2024-06", &district).await;
    assert_eq!((json.status.as_u16(), json.body["values"]["dossiers_resolved_early"].clone()), (200, json!(132)));
}

async fn word_documents_have_the_scope_and_errors_of_their_json(app: TestApp) {
    file_june(&app).await;
    let tan_yen = app.token(Role::District, Some("216"));
    let r = app
        .request(reqwest::Method::GET, "/api/v1/communes/07273/reports/2024-06/document.docx", Some(&tan_yen), None)
        .await;
    assert_eq!(r.problem(403)["type"], "urn:cchc:problem:outside-scope");
    let d = download(&app, &tan_yen, "/api/v1/communes/07273/reports/2024-06", Some(DOCX)).await;
    assert_eq!(d.status, 403);
    let d = download(&app, &tan_yen, "/api/v1/units/215/reports?period=2024-06", Some(DOCX)).await;
    assert_eq!(d.status, 403);

    let district = app.token(Role::District, Some("215"));
    let missing = app.get("/api/v1/communes/07294/reports/2024-06/document.docx", &district).await;
    assert_eq!(missing.problem(404)["type"], "urn:cchc:problem:report-not-found");
    let admin = app.admin();
    let unknown = app.get("/api/v1/units/299/reports/document.docx?period=2024-06", &admin).await;
    assert_eq!(unknown.problem(404)["type"], "urn:cchc:problem:unit-not-found");

    // A draft: the commune and admins get its document, the district does not see it.
    let bo_ha = app.token(Role::Commune, Some("07294"));
    let r = app.put("/api/v1/communes/07294/reports/2024-06?draft=true", &bo_ha, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = "/api/v1/communes/07294/reports/2024-06";
    docx(&download(&app, &bo_ha, path, Some(DOCX)).await, "bao-cao-cchc-07294-2024-06");
    docx(&download(&app, &admin, path, Some(DOCX)).await, "bao-cao-cchc-07294-2024-06");
    assert_eq!(download(&app, &district, path, Some(DOCX)).await.status, 404);

    // An Accept we cannot answer is 406; a preference for Word over JSON is honoured.
    let d = download(&app, &district, "/api/v1/communes/07273/reports/2024-06", Some("application/pdf")).await;
    assert_eq!(d.status, 406);
    let body: Value = serde_json::from_slice(&d.bytes).expect("a problem");
    assert_eq!(body["type"], "urn:cchc:problem:not-acceptable");
    let d = download(&app, &district, "/api/v1/units/215/reports?period=2024-06", Some("image/png")).await;
    assert_eq!(d.status, 406);
    let both = format!("application/json;q=0.5, {DOCX}");
    assert_eq!(
        download(&app, &district, path.replace("07294", "07273").as_str(), Some(&both)).await.content_type,
        DOCX
    );

    // Only an admin or the unit's own staff name who signs for it.
    let r = app.put("/api/v1/units/07273/signatory", &district, &json!({"name": "X"})).await;
    assert_eq!(r.problem(403)["type"], "urn:cchc:problem:outside-scope");
    let r = app.put("/api/v1/units/07273/signatory", &admin, &json!({"name": "A\u{0}B"})).await;
    assert_eq!(r.problem(400)["type"], "urn:cchc:problem:invalid-text");
}

/// The sentence of the totals as the aggregates give them.
fn totals_from(aggregates: &Value) -> [String; 3] {
    let d = |c: &str| count(aggregates["derived"][c].as_f64().expect("a total") as i64);
    let i = |c: &str| count(aggregates["indicators"][c]["value"].as_i64().expect("a figure"));
    [
        format!(
            "Tổng số hồ sơ tiếp nhận {} hồ sơ (trong đó kỳ trước chuyển qua {} hồ sơ",
            d("dossiers_received_total"),
            i("dossiers_carried_over")
        ),
        format!(
            "Đã giải quyết {} hồ sơ: trả trước hạn {} hồ sơ, trả đúng hạn {} hồ sơ, quá hạn {} hồ sơ",
            d("dossiers_resolved_total"),
            i("dossiers_resolved_early"),
            i("dossiers_resolved_on_time"),
            i("dossiers_resolved_overdue")
        ),
        format!("Đang giải quyết {} hồ sơ", d("dossiers_pending_total")),
    ]
}

/// Table rows after the annex's title: header, one per commune, totals.
fn annex_rows(xml: &str) -> usize {
    xml.split("PHỤ LỤC").nth(1).expect("an annex").matches("<w:tr>").count()
        + xml.split("PHỤ LỤC").nth(1).expect("an annex").matches("<w:tr ").count()
}

async fn the_district_report_totals_and_names_who_is_late_and_missing(app: TestApp) {
    file_june(&app).await;
    let district = app.token(Role::District, Some("215"));
    let aggregates = app.get("/api/v1/units/215/aggregates?period=2024-06", &district).await;
    assert_eq!(aggregates.status, 200, "{}", aggregates.text);
    let d = download(&app, &district, "/api/v1/units/215/reports?period=2024-06", Some(DOCX)).await;
    let (xml, text) = docx(&d, "bao-cao-tong-hop-215-2024-06");
    has(
        &text,
        &[
            "UBND HUYỆN YÊN THẾ\nPHÒNG NỘI VỤ\n",
            "Số: …/BC-PNV",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Yên Thế, ngày ",
            "BÁO CÁO\nKết quả thực hiện công tác cải cách hành chính cấp xã tháng 06 năm 2024\n",
            "Tổng số hồ sơ tiếp nhận 180 hồ sơ",
            "Số báo cáo đã gửi: 02/03 báo cáo, đạt 66,67%",
            "trễ hạn: 02 báo cáo; chưa báo cáo: 01 báo cáo.",
            "Các đơn vị gửi báo cáo trễ hạn: Xã Đông Sơn (gửi ngày ",
            "; Xã Hương Vĩ (gửi ngày ",
            "Các đơn vị chưa gửi báo cáo: Thị trấn Bố Hạ (chưa báo cáo).",
            "Các đơn vị có nhiều hồ sơ quá hạn nhất: Xã Hương Vĩ (01 hồ sơ: 01 giải quyết quá hạn, 0 đang giải quyết quá hạn); Xã Đông Sơn (01 hồ sơ: 01 giải",
            "Kết quả xếp hạng theo bộ tiêu chí: ",
            "(Kèm theo Báo cáo của Phòng Nội vụ huyện Yên Thế)",
            "Tổng cộng\n",
            "Nơi nhận:\n- UBND huyện Yên Thế (b/c);\n- Sở Nội vụ tỉnh Bắc Giang;\n",
            "TRƯỞNG PHÒNG\n",
        ],
    );
    for sentence in totals_from(&aggregates.body) {
        assert!(text.contains(&sentence), "{sentence:?} not in\n{text}");
    }
    // One row per commune, with the header and the totals row.
    assert_eq!(annex_rows(&xml), 1 + 3 + 1);
    for name in ["\nXã Đông Sơn\n", "\nXã Hương Vĩ\n", "\nThị trấn Bố Hạ\n"] {
        assert!(text.split("PHỤ LỤC").nth(1).is_some_and(|annex| annex.contains(name)), "{name:?}");
    }
    // The annex is a landscape A4 section; the body portrait A4.
    assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />"#), "landscape annex");
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#), "portrait body");
    let again = download(&app, &district, "/api/v1/units/215/reports/document.docx?period=2024-06", None).await;
    assert_eq!(docx(&again, "bao-cao-tong-hop-215-2024-06").1.len(), text.len());
}

async fn the_province_report_for_the_current_month(app: TestApp) {
    app.seed_units().await;
    let month = this_month();
    assert_eq!(app.file("07273", &month, &dossier_report([0, 20, 0, 15, 3, 0, 2, 0])).await.status, 201);
    let cao_xa = app.token(Role::Commune, Some("07312"));
    let r = app.put(&format!("/api/v1/communes/07312/reports/{month}?draft=true"), &cao_xa, &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let province = app.token(Role::Province, Some(seed::PROVINCE_CODE));
    let r = app.put("/api/v1/units/24/signatory", &province, &json!({"name": "Nguyễn Văn A"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let aggregates = app.get(&format!("/api/v1/units/24/aggregates?period={month}"), &province).await;
    let d = download(&app, &province, &format!("/api/v1/units/24/reports?period={month}"), Some(DOCX)).await;
    let (xml, text) = docx(&d, &format!("bao-cao-tong-hop-24-{month}"));
    has(
        &text,
        &[
            "UBND TỈNH BẮC GIANG\nSỞ NỘI VỤ\n",
            "Số: …/BC-SNV",
            "Tổng số hồ sơ tiếp nhận 20 hồ sơ",
            "Số báo cáo đã gửi: 01/04 báo cáo, đạt 25%; đúng hạn",
            ": 01 báo cáo, đạt 25%; trễ hạn: 0 báo cáo; chưa báo cáo: 03 báo cáo.",
            "Xã Hương Vĩ (chưa báo cáo)",
            "Thị trấn Bố Hạ (chưa báo cáo)",
            "Xã Cao Xá (bản nháp)",
            "Không có đơn vị nào có hồ sơ giải quyết quá hạn.",
            "GIÁM ĐỐC\n",
            "\nNguyễn Văn A\n",
        ],
    );
    assert!(!text.contains("trễ hạn: Xã"), "nobody is late");
    for sentence in totals_from(&aggregates.body) {
        assert!(text.contains(&sentence), "{sentence:?} not in\n{text}");
    }
    assert_eq!(annex_rows(&xml), 1 + 4 + 1);
}

backend_tests!(
    the_commune_report_is_an_official_word_document,
    word_documents_have_the_scope_and_errors_of_their_json,
    the_district_report_totals_and_names_who_is_late_and_missing,
    the_province_report_for_the_current_month,
);
