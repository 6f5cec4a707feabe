//! The commune's report form in the dashboard (`/app/communes/{code}/reports/{period}/edit`):
//! what it starts from, figures typed in either notation, check / draft / submit through the
//! API's own use case, the entity-tag protection, and who may open it.

use serde_json::json;

use cchc_tests::{TestApp, backend_tests};

use crate::dashboard::{Browser, PASSWORD, setup};

const FORM: &str = "/app/communes/07273/reports/2024-07/edit";

/// The typed value of the form's input `name`.
fn value_of(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!(r#"name="{name}""#))?;
    let rest = &html[at..];
    let start = rest.find(r#"value=""#)? + 7;
    Some(rest[start..].split('"').next()?.to_owned())
}

/// The form's fields for July: Đông Sơn's seed figures, some in Vietnamese notation.
fn july(csrf: &str, etag: &str, action: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = cchc_tests::seed_body()["values"]
        .as_object()
        .expect("the seed has values")
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    for (k, v) in [
        ("dossiers_carried_over", "2"),
        ("dossiers_received_online", "166"),
        ("one_stop_allowance_vnd", "1.500.000"),
        ("edocs_outgoing_rate", "99,5"),
        ("iso_9001_applied", "false"),
        ("one_stop_room_area_m2", ""),
    ] {
        fields.retain(|(name, _)| name != k);
        fields.push((k.to_owned(), v.to_owned()));
    }
    fields.push(("narrative.results".into(), "Tiếp nhận 168 hồ sơ.\r\nGiải quyết đúng hạn.".into()));
    for (k, v) in [("csrf", csrf), ("etag", etag), ("action", action)] {
        fields.push((k.to_owned(), v.to_owned()));
    }
    fields
}

async fn post(b: &mut Browser<'_>, fields: &[(String, String)]) -> crate::dashboard::Page {
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(FORM, &form).await
}

async fn the_clerk_checks_saves_and_submits_through_the_form(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("dongson", PASSWORD).await.status, 303);
    // A month not started: last month's pending (2 + 0) as carried over, last month's text.
    let page = b.get(FORM).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(value_of(&page.text, "dossiers_carried_over").as_deref(), Some("2"));
    assert_eq!(value_of(&page.text, "dossiers_received_online").as_deref(), Some(""));
    assert!(page.text.contains("Chưa nhập") && page.text.contains(r#"name="narrative.direction""#));
    let csrf = page.csrf();

    // Check: a number that is not one is named beside its field; nothing is stored.
    let mut typed = july(&csrf, "", "check");
    typed.push(("computers".into(), "hai mươi".into()));
    typed.retain(|(k, v)| k != "computers" || v == "hai mươi");
    let checked = post(&mut b, &typed).await;
    assert_eq!(checked.status, 422, "{}", checked.text);
    assert!(checked.text.contains(r#"id="fd-computers""#), "{}", checked.text);
    assert_eq!(value_of(&checked.text, "computers").as_deref(), Some("hai mươi"));
    assert_eq!(app.get("/api/v1/communes/07273/reports/2024-07", &app.admin()).await.status, 404);
    // Check the correct form: no finding at all.
    let checked = post(&mut b, &july(&csrf, "", "check")).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(checked.text.contains("Kiểm tra xong: số liệu không có lỗi hay cảnh báo."), "{}", checked.text);
    assert_eq!(value_of(&checked.text, "one_stop_allowance_vnd").as_deref(), Some("1.500.000"));
    // Two committee chairs: a warning, beside its field.
    let mut typed = july(&csrf, "", "check");
    typed.retain(|(k, _)| k != "committee_chairs");
    typed.push(("committee_chairs".into(), "2".into()));
    let checked = post(&mut b, &typed).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(checked.text.contains("Kiểm tra xong, không có lỗi; số cảnh báo: 1"), "{}", checked.text);
    assert!(checked.text.contains(r#"id="fd-committee_chairs""#), "{}", checked.text);

    // Draft, then submit on the draft's entity tag.
    let saved = post(&mut b, &july(&csrf, "", "draft")).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(saved.header("location"), Some(format!("{FORM}?done=draft").as_str()));
    let draft = app.get("/api/v1/communes/07273/reports/2024-07", &app.admin()).await;
    assert_eq!(draft.body["status"], "draft");
    assert_eq!(draft.body["values"]["one_stop_allowance_vnd"], 1_500_000);
    assert_eq!(draft.body["values"]["edocs_outgoing_rate"], 99.5);
    assert_eq!(draft.body["values"]["iso_9001_applied"], false);
    assert!(draft.body["values"].get("one_stop_room_area_m2").is_none(), "an empty field is not reported");
    assert_eq!(draft.body["narrative"]["results"], "Tiếp nhận 168 hồ sơ.\nGiải quyết đúng hạn.");
    let page = b.get(&format!("{FORM}?done=draft")).await;
    assert!(page.text.contains("Đã lưu nháp") && page.text.contains("saved-marker"), "{}", page.text);
    assert_eq!(value_of(&page.text, "one_stop_allowance_vnd").as_deref(), Some("1.500.000"));
    assert_eq!(value_of(&page.text, "etag").as_deref(), Some("&#34;07273-2024-07-r1&#34;"));

    let submitted = post(&mut b, &july(&csrf, "\"07273-2024-07-r1\"", "submit")).await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);
    assert_eq!(submitted.header("location"), Some("/app/communes/07273?period=2024-07&done=submitted"));
    let filed = app.get("/api/v1/communes/07273/reports/2024-07", &app.admin()).await;
    assert_eq!(filed.body["status"], "submitted");
    assert_eq!(filed.body["revision"], 2);
    assert_eq!(filed.body["values"]["dossiers_received_online"], 166);
    // The commune's page says so, and lists the month with its status.
    let page = b.get("/app/communes/07273?period=2024-07&done=submitted").await;
    assert!(page.text.contains("Đã gửi báo cáo.") && page.text.contains(r#"data-forget="cchc.report.07273.2024-07""#));
    // The clerk's start page: the last twelve months, each with its form.
    let months = page.text.split(r#"id="months""#).nth(1).and_then(|t| t.split("</table>").next()).expect("the months");
    assert_eq!(months.matches(r#"/edit">"#).count(), 12);
}

async fn a_report_changed_meanwhile_is_shown_not_overwritten(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("dongson", PASSWORD).await.status, 303);
    let csrf = b.get(FORM).await.csrf();
    // The form was shown with no report; one is filed through the API meanwhile.
    let body =
        cchc_tests::seed_with(json!({"dossiers_carried_over": 2, "dossiers_received_online": 166, "computers": 30}));
    assert_eq!(app.file("07273", "2024-07", &body).await.status, 201);
    let refused = post(&mut b, &july(&csrf, "", "submit")).await;
    assert_eq!(refused.status, 412, "{}", refused.text);
    assert!(refused.text.contains(r#"id="changed-meanwhile""#), "{}", refused.text);
    assert!(refused.text.contains(r#"id="compare""#), "{}", refused.text);
    let stored = app.get("/api/v1/communes/07273/reports/2024-07", &app.admin()).await;
    assert_eq!(stored.body["revision"], 1);
    assert_eq!(stored.body["values"]["computers"], 30);
    // The page now carries the stored report's tag: sending it again files the clerk's form.
    assert_eq!(value_of(&refused.text, "etag").as_deref(), Some("&#34;07273-2024-07-r1&#34;"));
    // A stale tag is refused the same way.
    let stale = post(&mut b, &july(&csrf, "\"07273-2024-07-r9\"", "submit")).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let again = post(&mut b, &july(&csrf, "\"07273-2024-07-r1\"", "submit")).await;
    assert_eq!(again.status, 303, "{}", again.text);
    let stored = app.get("/api/v1/communes/07273/reports/2024-07", &app.admin()).await;
    assert_eq!(stored.body["revision"], 2);
    assert_eq!(stored.body["values"]["computers"], 20);
}

async fn only_the_commune_opens_and_posts_its_form(app: TestApp) {
    setup(&app).await;
    let mut district = Browser::new(&app);
    assert_eq!(district.sign_in("yenthe", PASSWORD).await.status, 303);
    assert_eq!(district.get(FORM).await.status, 403);
    let mut clerk = Browser::new(&app);
    assert_eq!(clerk.sign_in("dongson", PASSWORD).await.status, 303);
    assert_eq!(clerk.get("/app/communes/07279/reports/2024-07/edit").await.status, 403);
    let csrf = clerk.get(FORM).await.csrf();
    // Without the CSRF token, nothing is stored.
    let forged = post(&mut clerk, &july("forged", "", "submit")).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    let unknown = post(&mut clerk, &july(&csrf, "", "publish")).await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert_eq!(app.get("/api/v1/communes/07273/reports/2024-07", &app.admin()).await.status, 404);
    // An approved report's form is shown, not editable.
    let reviewer = app.token(cchc_domain::Role::District, Some("215"));
    let r = app.post("/api/v1/communes/07273/reports/2024-06/approve", &reviewer, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = clerk.get("/app/communes/07273/reports/2024-06/edit").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(r#"id="not-editable""#) && !page.text.contains(r#"id="report-form""#));
}

async fn the_reviewer_reads_the_text_the_history_and_what_changed_and_reopens(app: TestApp) {
    setup(&app).await;
    // Đông Sơn corrects its June report once: 20 → 21 computers.
    assert_eq!(app.file("07273", "2024-06", &cchc_tests::seed_with(json!({"computers": 21}))).await.status, 200);
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    let page = b.get("/app/communes/07273?period=2024-06").await;
    assert_eq!(page.status, 200);
    // The whole narrative, under the report's own headings.
    let seed = cchc_tests::seed_body();
    let results = seed["narrative"]["results"].as_str().expect("the seed has results");
    let first_line = results.lines().next().expect("a first line");
    assert!(page.text.contains("II. Kết quả thực hiện công tác CCHC"), "{}", page.text);
    assert!(page.text.contains(first_line.trim()), "{first_line}");
    // What the correction changed, and who did what.
    let since = page.text.split(r#"id="since-revision""#).nth(1).expect("the changes since revision 1");
    let row = since.split("</tr>").nth(1).expect("a changed row");
    assert!(row.contains("Số máy tính tại cơ quan") && row.contains(">20<") && row.contains(">21<"), "{row}");
    let body_rows = |table: &str| {
        table.split("<tbody>").nth(1).and_then(|t| t.split("</tbody>").next()).map(|t| t.matches("<tr>").count())
    };
    assert_eq!(body_rows(since), Some(1));
    let history = page.text.split(r#"id="history-table""#).nth(1).expect("the history");
    assert_eq!(body_rows(history), Some(2));
    assert!(history.contains("Gửi báo cáo"), "{history}");
    // Approved in a closed period, the report reads "Đã khóa" on the card and in the facts.
    let csrf = page.csrf();
    let act = "/app/communes/07273/reports/2024-06";
    assert_eq!(b.post(&format!("{act}/approve"), &[("csrf", &csrf)]).await.status, 303);
    let page = b.get("/app/communes/07273?period=2024-06").await;
    assert_eq!(page.text.matches("Đã khóa").count(), 2, "{}", page.text);
    assert!(!page.text.contains("Đã duyệt"), "{}", page.text);
    assert!(
        page.text.contains(r#"id="reviewed">test-"#) || page.text.contains(r#"id="reviewed">yenthe"#),
        "{}",
        page.text
    );
    // The same word in the API, the ranking and its spreadsheet, and the commune's months.
    let admin = app.admin();
    let report = app.get("/api/v1/communes/07273/reports/2024-06", &admin).await;
    assert_eq!(report.body["status"], "locked");
    let ranking = app.get("/api/v1/units/215/rankings?period=2024-06", &admin).await;
    let entry = ranking.body["entries"].as_array().and_then(|e| e.iter().find(|e| e["unit_code"] == "07273")).cloned();
    assert_eq!(entry.map(|e| e["status"].clone()), Some(json!("locked")), "{}", ranking.text);
    let csv = b.get("/app/export/rankings.csv?unit=215&period=2024-06").await;
    let line = csv.text.lines().find(|l| l.contains("07273")).unwrap_or_default().to_owned();
    assert!(line.contains("Đã khóa") && !line.contains("Đã duyệt"), "{line}");
    let months = app.get("/api/v1/communes/07273/reports?from=2024-06&to=2024-06", &admin).await;
    assert_eq!(months.body["items"][0]["standing"], "locked", "{}", months.text);
    // Reopened with a reason, it goes back to the commune.
    assert!(page.text.contains(r#"id="reopen""#), "{}", page.text);
    let r = b.post(&format!("{act}/reopen"), &[("csrf", &csrf)]).await;
    assert_eq!(r.header("location"), Some("/app/communes/07273?period=2024-06&error=reason_required"));
    let r = b.post(&format!("{act}/reopen"), &[("csrf", &csrf), ("reason", "Bổ sung số liệu máy tính")]).await;
    assert_eq!(r.header("location"), Some("/app/communes/07273?period=2024-06&done=reopened"));
    let stored = app.get("/api/v1/communes/07273/reports/2024-06", &app.admin()).await;
    assert_eq!(stored.body["status"], "submitted");
    assert_eq!(stored.body["review_note"], "Bổ sung số liệu máy tính");
    let page = b.get("/app/communes/07273?period=2024-06&done=reopened").await;
    assert!(
        page.text.contains("Đã mở lại báo cáo: xã có thể chỉnh sửa, báo cáo chờ thẩm định lại.")
            && page.text.contains("Mở lại"),
        "{}",
        page.text
    );
}

async fn the_interior_office_reads_the_consolidated_table_and_who_was_late(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    let page = b.get("/app/consolidated?unit=215&period=2024-06").await;
    assert_eq!(page.status, 200, "{}", page.text);
    // One row per commune of Yên Thế in June 2024 (Đông Sơn, Hương Vĩ, Bố Hạ), and the totals.
    let body = page.text.split("<tbody>").nth(1).and_then(|t| t.split("</tbody>").next()).expect("the rows");
    assert_eq!(body.matches("<tr data-code=").count(), 3);
    let totals = page.text.split(r#"id="consolidated-totals""#).nth(1).expect("the totals row");
    let totals = totals.split("</tr>").next().expect("one row");
    let aggregates = app.get("/api/v1/units/215/aggregates?period=2024-06", &app.admin()).await;
    let received = aggregates.body["derived"]["dossiers_received_total"].as_f64().expect("a received total");
    assert_eq!(received, 336.0);
    assert!(totals.contains(r#"<td class="num">336</td>"#), "{totals}");
    let csv = b.get("/app/export/consolidated.csv?unit=215&period=2024-06").await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.contains("Tổng cộng"), "{}", csv.text);
    // The Word documents, from the pages' buttons.
    let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    let report = b.get("/app/export/consolidated.docx?unit=215&period=2024-06").await;
    assert_eq!((report.status.as_u16(), report.header("content-type")), (200, Some(docx)));
    let report = b.get("/app/communes/07273/reports/2024-06/document.docx").await;
    assert_eq!((report.status.as_u16(), report.header("content-type")), (200, Some(docx)));
    let page = b.get("/app/communes/07273?period=2024-06").await;
    assert!(page.text.contains(r#"href="/app/communes/07273/reports/2024-06/document.docx""#));
    // Completeness names who is missing (Bố Hạ) and who was late.
    let late = cchc_tests::seed_body();
    let r = app.file("07294", "2024-06", &late).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let page = b.get("/app/completeness?unit=215&period=2024-06").await;
    let late_table = page.text.split(r#"id="late""#).nth(1).expect("the late communes");
    assert!(late_table.contains("07294") && late_table.contains("Thị trấn Bố Hạ"), "{late_table}");
    let mut clerk = Browser::new(&app);
    assert_eq!(clerk.sign_in("dongson", PASSWORD).await.status, 303);
    assert_eq!(clerk.get("/app/consolidated?unit=215&period=2024-06").await.status, 403);
    assert_eq!(clerk.get("/app/export/consolidated.docx?unit=215&period=2024-06").await.status, 403);
    assert_eq!(clerk.get("/app/communes/07279/reports/2024-06/document.docx").await.status, 403);
}

backend_tests!(
    the_interior_office_reads_the_consolidated_table_and_who_was_late,
    the_reviewer_reads_the_text_the_history_and_what_changed_and_reopens,
    the_clerk_checks_saves_and_submits_through_the_form,
    a_report_changed_meanwhile_is_shown_not_overwritten,
    only_the_commune_opens_and_posts_its_form,
);
