//! The provincial portal over HTTP: dossier records pushed as a JSON array or NDJSON, each
//! classified (imported, updated, ignored, rejected with its conflicts); the Biểu 06 figures they
//! imply, read back through the reconciliation endpoint's `portal` column and checked against a
//! hand-worked set; reconciliation against the communes' own reports and the `portal_mismatch`
//! warning; and the change feed, read page by page — also while writes commit concurrently.
//!
//! The data window of June 2024 runs from 15 May to 14 June 2024 (see `docs/portal.md`).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures_util::future::{join, join_all};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use cchc_domain::Role;
use cchc_tests::{DOSSIER_PARTS, Reply, TestApp, backend_tests, seed_body};

const INGEST: &str = "/api/v1/portal/dossiers";
const BUILTIN_SCHEME: &str = include_str!("../../crates/domain/schemes/commune-par-v1.json");
const NDJSON: &str = "application/x-ndjson";

// ---------------------------------------------------------------------------------------------
// Helpers

/// A portal record with the national portal's field names, applicant data included (it must
/// never be stored). `finished` is `NgayKetThucXuLy`; empty times are left out.
fn rec(code: &str, commune: &str, channel: u8, status: u8, received: &str, due: &str, finished: &str) -> Value {
    let mut r = json!({
        "MaHoSo": code,
        "MaTTHC": "1.001234",
        "KenhThucHien": channel,
        "TrangThaiHoSo": status,
        "DonViXuLy": commune,
        "ChuHoSo": "Nguyễn Văn A",
        "SoGiayToChuHoSo": "001090000001",
    });
    for (field, t) in [("NgayTiepNhan", received), ("NgayHenTra", due), ("NgayKetThucXuLy", finished)] {
        if !t.is_empty() {
            r[field] = json!(t);
        }
    }
    r
}

/// `rec` with more fields set.
fn with(mut r: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().expect("extra fields are an object") {
        r[k] = v.clone();
    }
    r
}

fn portal(app: &TestApp, province: &str) -> String {
    app.token(Role::Portal, Some(province))
}

async fn read(req: reqwest::RequestBuilder) -> Reply {
    let res = req.send().await.expect("the server answers");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.expect("a readable body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// Posts a raw body with a content type (none when `None`).
async fn post_raw(app: &TestApp, token: Option<&str>, query: &str, content_type: Option<&str>, body: String) -> Reply {
    let mut req = app.client.post(app.url(&format!("{INGEST}{query}"))).body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    read(req).await
}

/// Pushes a JSON array; returns the import summary.
async fn push(app: &TestApp, token: &str, records: &[Value]) -> Value {
    push_q(app, token, "", records).await
}

async fn push_q(app: &TestApp, token: &str, query: &str, records: &[Value]) -> Value {
    let r =
        post_raw(app, Some(token), query, Some("application/json"), Value::from(records.to_vec()).to_string()).await;
    assert_eq!(r.status, 200, "pushing {} records: {}", records.len(), r.text);
    r.body
}

/// Pushes NDJSON; returns the import summary.
async fn push_ndjson(app: &TestApp, token: &str, body: String) -> Value {
    let r = post_raw(app, Some(token), "", Some(NDJSON), body).await;
    assert_eq!(r.status, 200, "pushing NDJSON: {}", r.text);
    r.body
}

/// Asserts an import summary's counts: total, imported, updated, ignored, rejected.
#[track_caller]
fn assert_counts(s: &Value, counts: [u64; 5], dry_run: bool) {
    let got = ["total", "imported", "updated", "ignored", "rejected"].map(|k| s[k].as_u64().unwrap_or(u64::MAX));
    assert_eq!(got, counts, "total, imported, updated, ignored, rejected: {s}");
    assert_eq!(s["dry_run"], dry_run, "{s}");
    assert_eq!(s["conflicts_truncated"], false, "{s}");
}

fn conflict(index: usize, field: &str, reason: &str) -> Value {
    json!({"index": index, "field": field, "reason": reason})
}

async fn reconciliation(app: &TestApp, token: &str, unit: &str, period: &str) -> Value {
    let r = app.get(&format!("/api/v1/units/{unit}/reconciliation?period={period}"), token).await;
    assert_eq!(r.status, 200, "reconciliation of {unit} for {period}: {}", r.text);
    r.body
}

/// One commune's column (`reported`, `portal` or `difference`) of a reconciliation, by indicator.
fn column(view: &Value, commune: &str, col: &str) -> Value {
    let entries = view["entries"].as_array().expect("entries");
    let mut out = Map::new();
    for e in entries.iter().filter(|e| e["unit_code"] == commune) {
        let indicator = e["indicator"].as_str().expect("an indicator").to_owned();
        assert!(out.insert(indicator, e[col].clone()).is_none(), "one entry per indicator: {view}");
    }
    assert!(!out.is_empty(), "no entries for {commune}: {view}");
    Value::Object(out)
}

/// The eight parts as a `column`, plus `extra` entries (digitised, paid online).
fn parts(v: [i64; 8], extra: Value) -> Value {
    let mut out: Map<String, Value> = DOSSIER_PARTS.iter().zip(v).map(|(c, n)| ((*c).to_owned(), json!(n))).collect();
    out.extend(extra.as_object().expect("extra entries are an object").clone());
    Value::Object(out)
}

/// Every part null: the portal sent nothing for the commune (or it reported nothing).
fn nulls() -> Value {
    Value::Object(DOSSIER_PARTS.iter().map(|c| ((*c).to_owned(), Value::Null)).collect())
}

/// The portal's figures of one commune for one month, read as an admin.
async fn figures(app: &TestApp, commune: &str, period: &str) -> Value {
    let view = reconciliation(app, &app.admin(), commune, period).await;
    column(&view, commune, "portal")
}

/// A report body with only the eight dossier parts, plus `extra` values.
fn report(v: [i64; 8], extra: Value) -> Value {
    assert_eq!(v[0] + v[1] + v[2], v[3..].iter().sum::<i64>(), "a test report must be identity-consistent: {v:?}");
    let mut values = parts(v, json!({}));
    for (k, x) in extra.as_object().expect("extra values are an object") {
        values[k] = x.clone();
    }
    json!({"values": values, "narrative": {"results": "Báo cáo kiểm thử."}})
}

/// The `portal_mismatch` findings of a report, by indicator.
fn mismatches(r: &Reply) -> Vec<Vec<String>> {
    r.findings("findings").into_iter().filter(|(code, _)| code == "portal_mismatch").map(|(_, i)| i).collect()
}

async fn file(app: &TestApp, commune: &str, period: &str, body: &Value) -> Reply {
    let r = app.file(commune, period, body).await;
    assert!(r.status == 201 || r.status == 200, "filing {commune} {period}: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], "submitted", "{}", r.text);
    r
}

/// Province 25 with district 250 and commune 07400, for scope tests.
async fn second_province(app: &TestApp) {
    app.create_unit("25", "Tỉnh Khác", None).await;
    app.create_unit("250", "Huyện Khác", Some("25")).await;
    app.create_unit("07400", "Xã Khác", Some("250")).await;
}

fn dossier_count(app: &TestApp) -> i64 {
    let mut conn = app.db.conn().expect("a pooled connection");
    cchc_persistence::portal_dossiers::count(&mut conn).expect("dossiers are counted")
}

// ---------------------------------------------------------------------------------------------
// Ingest

async fn a_batch_with_valid_and_invalid_records_is_summarised_and_replays_change_nothing(app: TestApp) {
    app.seed_units().await;
    let bac_giang = portal(&app, "24");
    let batch = vec![
        // 0: pending, due after the window: within the deadline (Đông Sơn, online).
        rec("A1", "07273", 2, 4, "20240601080000", "20240620170000", ""),
        // 1: everything wrong at once.
        json!({"MaHoSo": "", "KenhThucHien": 5, "TrangThaiHoSo": 11, "DonViXuLy": "215", "NgayTiepNhan": "soon"}),
        // 2: resolved early (Hương Vĩ, online).
        rec("A2", "07279", 2, 10, "20240520080000", "20240530170000", "20240528100000"),
        // 3: an end state without the time it ended.
        rec("B3", "07273", 2, 9, "20240601080000", "20240605170000", ""),
        // 4: not an object.
        json!([1]),
        // 5: no MaHoSo, and a received dossier without its dates.
        json!({"KenhThucHien": 1, "TrangThaiHoSo": 2, "DonViXuLy": "07273"}),
        // 6: a commune that does not exist.
        rec("B6", "99999", 2, 4, "20240601080000", "20240620170000", ""),
        // 7: due before it was received.
        rec("B7", "07273", 2, 4, "20240601080000", "20240531170000", ""),
        // 8: registered, not yet received: stored, but counted nowhere (Cao Xá).
        json!({"MaHoSo": "A3", "KenhThucHien": 2, "TrangThaiHoSo": 1, "DonViXuLy": "07312"}),
        // 9: resolved on the due day, ISO times with and without an offset (Đông Sơn, direct), digitised.
        with(
            rec("A4", "07273", 1, 9, "2024-06-03T08:00:00", "2024-06-07T17:00:00", "2024-06-07T08:00:00+07:00"),
            json!({"HoSoCoThanhPhanSoHoa": 1}),
        ),
        // 10: record 0 again, in the same batch: identical, ignored.
        rec("A1", "07273", 2, 4, "20240601080000", "20240620170000", ""),
    ];
    let s = push(&app, &bac_giang, &batch).await;
    assert_counts(&s, [11, 4, 0, 1, 6], false);
    let conflicts = json!([
        conflict(1, "MaHoSo", "must be 1–100 characters"),
        conflict(1, "KenhThucHien", "must be 1 (direct), 2 (online) or 3 (postal)"),
        conflict(1, "TrangThaiHoSo", "must be a status from 1 to 10"),
        conflict(1, "DonViXuLy", "`215` is not a commune code (5 digits)"),
        conflict(1, "NgayTiepNhan", "`\"soon\"` is not a time (yyyyMMddHHmmss or ISO 8601)"),
        conflict(3, "NgayKetThucXuLy", "is required for status 9 (an end state)"),
        conflict(4, "", "a record must be a JSON object"),
        conflict(5, "MaHoSo", "is required"),
        conflict(5, "NgayTiepNhan", "is required for status 2"),
        conflict(5, "NgayHenTra", "is required for status 2"),
        conflict(6, "DonViXuLy", "there is no commune 99999"),
        conflict(7, "NgayHenTra", "is before NgayTiepNhan"),
    ]);
    assert_eq!(s["conflicts"], conflicts);
    assert_eq!(dossier_count(&app), 4);

    // June 2024 as the portal's records give it, commune by commune.
    let admin = app.admin();
    let view = reconciliation(&app, &admin, "24", "2024-06").await;
    assert_eq!(view["unit_code"], "24");
    assert_eq!(view["unit_name"], "Tỉnh Bắc Giang");
    assert_eq!(view["period"], "2024-06");
    assert_eq!(view["communes_with_differences"], 0, "nothing was reported, so nothing differs");
    // Đông Sơn: A1 online, pending within the deadline; A4 direct, on time, digitised.
    assert_eq!(column(&view, "07273", "portal"), parts([0, 1, 1, 0, 1, 0, 1, 0], json!({"dossiers_digitized": 1})));
    // Hương Vĩ: A2 online, early. Nothing was said about digitisation: no such entry.
    assert_eq!(column(&view, "07279", "portal"), parts([0, 1, 0, 1, 0, 0, 0, 0], json!({})));
    // Bố Hạ: no records. Cao Xá: only one not yet received, which does not count for the month.
    assert_eq!(column(&view, "07294", "portal"), nulls());
    assert_eq!(column(&view, "07312", "portal"), nulls());
    for c in ["07273", "07279", "07294", "07312"] {
        let reported = column(&view, c, "reported");
        assert!(reported.as_object().unwrap().values().all(Value::is_null), "{c} reported nothing: {reported}");
        let difference = column(&view, c, "difference");
        assert!(difference.as_object().unwrap().values().all(Value::is_null), "{c}: {difference}");
    }
    // Entries come commune by commune, the eight parts first in the order of the form.
    let names: Vec<(&str, &str)> = view["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["unit_code"].as_str().unwrap(), e["indicator"].as_str().unwrap()))
        .collect();
    let mut expected: Vec<(&str, &str)> = Vec::new();
    for c in ["07273", "07279", "07294", "07312"] {
        expected.extend(DOSSIER_PARTS.iter().map(|p| (c, *p)));
        if c == "07273" {
            expected.push((c, "dossiers_digitized"));
        }
    }
    assert_eq!(names, expected);
    let names: Vec<&str> =
        view["entries"].as_array().unwrap().iter().map(|e| e["unit_name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "Xã Đông Sơn");
    assert_eq!(names[9], "Xã Hương Vĩ");

    // Replaying the batch changes nothing: every valid record is ignored, the same conflicts.
    let again = push(&app, &bac_giang, &batch).await;
    assert_counts(&again, [11, 0, 0, 5, 6], false);
    assert_eq!(again["conflicts"], conflicts);
    assert_eq!(reconciliation(&app, &admin, "24", "2024-06").await, view);
    assert_eq!(dossier_count(&app), 4);
    // So does the same batch with different applicant data, unknown fields or time spellings.
    let respelled: Vec<Value> = batch
        .iter()
        .map(|r| match r["MaHoSo"].as_str() {
            Some("A1") => with(
                r.clone(),
                json!({"ChuHoSo": "Trần Thị B", "TruongKhac": 7, "NgayTiepNhan": "2024-06-01T08:00:00",
                    "NgayHenTra": "2024-06-20T10:00:00Z"}),
            ),
            Some("A4") => with(r.clone(), json!({"NgayTiepNhan": "20240603080000", "HoSoCoThanhPhanSoHoa": true})),
            _ => r.clone(),
        })
        .collect();
    let again = push(&app, &bac_giang, &respelled).await;
    assert_counts(&again, [11, 0, 0, 5, 6], false);
    assert_eq!(reconciliation(&app, &admin, "24", "2024-06").await, view);
}

/// The hand-checked set for June 2024 (window 15 May – 14 June), all of Đông Sơn. Outcomes compare
/// days, not hours; a time with an offset is converted to Vietnam time first.
fn hand_checked_set() -> Vec<Value> {
    vec![
        // Online, finished the 28th, due the 30th: early. Digitised and paid online.
        with(
            rec("EARLY", "07273", 2, 10, "20240520080000", "20240530170000", "20240528100000"),
            json!({"HoSoCoThanhPhanSoHoa": 1, "DuocThanhToanTrucTuyen": true}),
        ),
        // Direct, finished at 20:00 on the due day (due at 17:00): on time. Digitised.
        with(
            rec("ONTIME", "07273", 1, 9, "20240521080000", "20240603170000", "20240603200000"),
            json!({"HoSoCoThanhPhanSoHoa": true, "DuocThanhToanTrucTuyen": 0}),
        ),
        // Postal (counted as direct), finished two days after the due day: overdue. Not digitised.
        with(
            rec("LATE", "07273", 3, 9, "20240522080000", "20240604170000", "20240606090000"),
            json!({"HoSoCoThanhPhanSoHoa": "0"}),
        ),
        // Direct, stopped (8) after its due day: an end state, overdue.
        rec("STOPPED", "07273", 1, 8, "20240525080000", "20240605170000", "20240610090000"),
        // Online, withdrawn (7) before its due day: an end state, early.
        rec("WITHDRAWN", "07273", 2, 7, "20240523080000", "20240527170000", "20240524090000"),
        // Online, pending, due on the window's last day: within the deadline.
        rec("WITHIN", "07273", 2, 4, "20240610080000", "20240614170000", ""),
        // Online, pending, due the day before the window's last day: overdue.
        rec("PAST", "07273", 2, 4, "20240601080000", "20240613170000", ""),
        // Online, finished on the 16th, after the window: still pending in June, due the 20th.
        rec("AFTER", "07273", 2, 10, "20240612080000", "20240620170000", "20240616100000"),
        // Direct, received at 20:00 UTC on 14 May = 03:00 on 15 May in Vietnam: June's window.
        rec("UTC", "07273", 1, 2, "2024-05-14T20:00:00Z", "2024-06-20T17:00:00+07:00", ""),
        // Direct, received at 16:59 UTC on 14 May = 23:59 on 14 May in Vietnam: May's window,
        // carried over into June; due 30 May, so pending overdue.
        rec("BEFORE", "07273", 1, 2, "2024-05-14T16:59:00Z", "20240530170000", ""),
        // Refused at reception: never received.
        rec("REFUSED", "07273", 2, 3, "20240524080000", "", ""),
        // Registered, not yet received.
        rec("REGISTERED", "07273", 2, 1, "", "", ""),
        // Received in May's window, finished on its due day in June's: carried over, on time.
        rec("CARRIED", "07273", 2, 9, "20240510080000", "20240520170000", "20240520090000"),
        // Done long before: not in June at all.
        rec("OLD", "07273", 2, 10, "20240401080000", "20240405170000", "20240405090000"),
        // Received on 15 June: July's window.
        rec("NEXT", "07273", 2, 2, "20240615080000", "20240620170000", ""),
    ]
}

async fn bieu_06_figures_from_a_hand_checked_set(app: TestApp) {
    app.seed_units().await;
    let s = push(&app, &portal(&app, "24"), &hand_checked_set()).await;
    assert_counts(&s, [15, 15, 0, 0, 0], false);
    assert_eq!(s["conflicts"], json!([]));

    // June: carried over CARRIED and BEFORE (2); online EARLY, WITHDRAWN, WITHIN, PAST, AFTER (5);
    // direct ONTIME, LATE, STOPPED, UTC (4). 2 + 5 + 4 = 11 =
    // early EARLY, WITHDRAWN (2) + on time ONTIME, CARRIED (2) + overdue LATE, STOPPED (2)
    // + pending within WITHIN, AFTER, UTC (3) + pending overdue PAST, BEFORE (2).
    // Digitised among June's new dossiers: EARLY and ONTIME (LATE said no); paid online: EARLY.
    let yen_the = app.token(Role::District, Some("215"));
    let view = reconciliation(&app, &yen_the, "215", "2024-06").await;
    assert_eq!(view["unit_name"], "Huyện Yên Thế");
    assert_eq!(
        column(&view, "07273", "portal"),
        parts([2, 5, 4, 2, 2, 2, 3, 2], json!({"dossiers_digitized": 2, "dossiers_paid_online": 1}))
    );
    assert_eq!(column(&view, "07279", "portal"), nulls());
    assert_eq!(column(&view, "07294", "portal"), nulls());
    assert!(view["entries"].as_array().unwrap().iter().all(|e| e["unit_code"] != "07312"), "Cao Xá is in 216");

    // July (15 June – 14 July): carried over WITHIN, PAST, AFTER (ended the 16th), UTC, BEFORE
    // (5); received NEXT (1) online. 6 = AFTER early (1) + five pending, all due by 20 June:
    // overdue (5). Nothing received in July said anything about digitisation or payment.
    assert_eq!(figures(&app, "07273", "2024-07").await, parts([5, 1, 0, 1, 0, 0, 0, 5], json!({})));
    // May (15 April – 14 May): CARRIED online and BEFORE direct, both pending within the deadline
    // on 14 May (due the 20th and the 30th). OLD had ended long before.
    assert_eq!(figures(&app, "07273", "2024-05").await, parts([0, 1, 1, 0, 0, 0, 2, 0], json!({})));
    // April (15 March – 14 April): OLD alone, online, finished at 09:00 on its due day: on time.
    assert_eq!(figures(&app, "07273", "2024-04").await, parts([0, 1, 0, 0, 1, 0, 0, 0], json!({})));
    // March: nothing yet.
    assert_eq!(figures(&app, "07273", "2024-03").await, nulls());

    // Applicant data was never stored: the stored rows have nowhere to keep it.
    let mut conn = app.db.conn().expect("a pooled connection");
    let stored = cchc_persistence::portal_dossiers::for_window(
        &mut conn,
        &[&cchc_domain::UnitCode::parse("07273").unwrap()],
        "2024-01-01".parse().unwrap(),
        "2024-12-31".parse().unwrap(),
    )
    .expect("dossiers are read back");
    let text = format!("{stored:?}");
    assert!(!text.contains("Nguyễn") && !text.contains("001090000001"), "{text}");
    // And what was kept is Vietnam time.
    let utc = stored.iter().find(|d| d.code == "UTC").expect("the UTC dossier is stored");
    assert_eq!(utc.received_at.unwrap().to_string(), "2024-05-15 03:00:00");
}

async fn a_status_update_moves_a_dossier_and_stale_resends_are_ignored(app: TestApp) {
    app.seed_units().await;
    let token = portal(&app, "24");
    // Bố Hạ: received online on 3 June, due the 20th, pending: within the deadline in June.
    let pending = rec("P1", "07294", 2, 4, "20240603080000", "20240620170000", "");
    let s = push(&app, &token, std::slice::from_ref(&pending)).await;
    assert_counts(&s, [1, 1, 0, 0, 0], false);
    assert_eq!(figures(&app, "07294", "2024-06").await, parts([0, 1, 0, 0, 0, 0, 1, 0], json!({})));

    // Finished on 11 June: resolved early now.
    let done = rec("P1", "07294", 2, 10, "20240603080000", "20240620170000", "20240611100000");
    let s = push(&app, &token, std::slice::from_ref(&done)).await;
    assert_counts(&s, [1, 0, 1, 0, 0], false);
    let resolved = parts([0, 1, 0, 1, 0, 0, 0, 0], json!({}));
    assert_eq!(figures(&app, "07294", "2024-06").await, resolved);

    // The pending version again, arriving late: its latest event (3 June) is older. Ignored.
    let s = push(&app, &token, std::slice::from_ref(&pending)).await;
    assert_counts(&s, [1, 0, 0, 1, 0], false);
    assert_eq!(figures(&app, "07294", "2024-06").await, resolved);
    // So is an older end state (finished 8 June: 8 < 11), whatever it says.
    let older = rec("P1", "07294", 2, 9, "20240603080000", "20240620170000", "20240608100000");
    let s = push(&app, &token, std::slice::from_ref(&older)).await;
    assert_counts(&s, [1, 0, 0, 1, 0], false);
    assert_eq!(figures(&app, "07294", "2024-06").await, resolved);
    // An identical resend, times spelt differently: ignored.
    let same = rec("P1", "07294", 2, 10, "2024-06-03T08:00:00", "2024-06-20T17:00:00+07:00", "2024-06-11T03:00:00Z");
    let s = push(&app, &token, std::slice::from_ref(&same)).await;
    assert_counts(&s, [1, 0, 0, 1, 0], false);
    // A correction with the same latest event is not older: it replaces the record (direct now).
    let corrected = rec("P1", "07294", 1, 10, "20240603080000", "20240620170000", "20240611100000");
    let s = push(&app, &token, std::slice::from_ref(&corrected)).await;
    assert_counts(&s, [1, 0, 1, 0, 0], false);
    assert_eq!(figures(&app, "07294", "2024-06").await, parts([0, 0, 1, 1, 0, 0, 0, 0], json!({})));

    // In one batch, records are judged in order: new, then updated twice, then a stale one.
    let batch = [
        rec("P2", "07294", 2, 2, "20240604080000", "20240610170000", ""),
        rec("P2", "07294", 2, 4, "20240604080000", "20240610170000", ""),
        rec("P2", "07294", 2, 9, "20240604080000", "20240610170000", "20240612080000"),
        rec("P2", "07294", 2, 9, "20240604080000", "20240610170000", "20240609080000"),
    ];
    let s = push(&app, &token, &batch).await;
    assert_counts(&s, [4, 1, 2, 1, 0], false);
    // P2 finished on the 12th, due the 10th: overdue.
    assert_eq!(figures(&app, "07294", "2024-06").await, parts([0, 1, 1, 1, 0, 1, 0, 0], json!({})));
    assert_eq!(dossier_count(&app), 2);
}

async fn dry_runs_store_nothing(app: TestApp) {
    app.seed_units().await;
    let token = portal(&app, "24");
    let records = [
        rec("D1", "07279", 2, 4, "20240603080000", "20240620170000", ""),
        rec("D2", "07279", 1, 10, "20240603080000", "20240620170000", "20240605080000"),
        rec("D3", "07279", 9, 4, "20240603080000", "20240620170000", ""),
    ];
    let s = push_q(&app, &token, "?dry_run=true", &records).await;
    assert_counts(&s, [3, 2, 0, 0, 1], true);
    assert_eq!(s["conflicts"], json!([conflict(2, "KenhThucHien", "must be 1 (direct), 2 (online) or 3 (postal)")]));
    assert_eq!(dossier_count(&app), 0);
    assert_eq!(figures(&app, "07279", "2024-06").await, nulls());

    // For real: the same classification, stored.
    let s = push(&app, &token, &records).await;
    assert_counts(&s, [3, 2, 0, 0, 1], false);
    let stored = parts([0, 1, 1, 1, 0, 0, 1, 0], json!({}));
    assert_eq!(figures(&app, "07279", "2024-06").await, stored);

    // A dry run of an update and of a resend: classified, nothing changes.
    let update = rec("D1", "07279", 2, 10, "20240603080000", "20240620170000", "20240604080000");
    let new = rec("D4", "07279", 2, 4, "20240603080000", "20240620170000", "");
    let s = push_q(&app, &token, "?dry_run=true", &[update, records[1].clone(), new]).await;
    assert_counts(&s, [3, 1, 1, 1, 0], true);
    assert_eq!(figures(&app, "07279", "2024-06").await, stored);
    assert_eq!(dossier_count(&app), 2);
    // NDJSON too.
    let body = format!("{}\n", rec("D5", "07279", 2, 4, "20240603080000", "20240620170000", ""));
    let r = post_raw(&app, Some(&token), "?dry_run=true", Some(NDJSON), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_counts(&r.body, [1, 1, 0, 0, 0], true);
    assert_eq!(dossier_count(&app), 2);
    // `dry_run=false` is an ordinary push.
    let s = push_q(&app, &token, "?dry_run=false", &[rec("D6", "07279", 2, 4, "20240603080000", "20240620170000", "")])
        .await;
    assert_counts(&s, [1, 1, 0, 0, 0], false);
    assert_eq!(dossier_count(&app), 3);
}

async fn ndjson_of_five_thousand_records_then_the_same_again(app: TestApp) {
    app.seed_units().await;
    let communes = ["07273", "07279", "07294", "07312"];
    // Record i belongs to commune i mod 4; its k = i div 4 decides the channel (even: online).
    // All were received on 1 June, due the 10th, finished the 5th: early.
    let body: String = (0..5000)
        .map(|i| {
            let channel = if (i / 4) % 2 == 0 { 2 } else { 1 };
            let r = rec(
                &format!("G-{i:05}"),
                communes[i % 4],
                channel,
                10,
                "20240601080000",
                "20240610170000",
                "20240605080000",
            );
            format!("{r}\n")
        })
        .collect();
    let s = push_ndjson(&app, &portal(&app, "24"), body.clone()).await;
    assert_counts(&s, [5000, 5000, 0, 0, 0], false);
    assert_eq!(s["conflicts"], json!([]));
    assert_eq!(dossier_count(&app), 5000);
    let view = reconciliation(&app, &app.admin(), "24", "2024-06").await;
    for c in communes {
        // 1250 each: 625 online, 625 direct, all early.
        assert_eq!(column(&view, c, "portal"), parts([0, 625, 625, 1250, 0, 0, 0, 0], json!({})), "{c}");
    }

    let s = push_ndjson(&app, &portal(&app, "24"), body).await;
    assert_counts(&s, [5000, 0, 0, 5000, 0], false);
    assert_eq!(dossier_count(&app), 5000);
    assert_eq!(reconciliation(&app, &app.admin(), "24", "2024-06").await, view);
}

async fn ndjson_lines_are_judged_one_by_one(app: TestApp) {
    app.seed_units().await;
    let token = portal(&app, "24");
    // Blank lines are not records; CRLF endings are fine; the last line needs no newline.
    let body = [
        rec("N0", "07273", 2, 4, "20240603080000", "20240620170000", "").to_string(),
        "{not json".to_owned(),
        String::new(),
        "   ".to_owned(),
        format!("{}\r", rec("N1", "07279", 1, 4, "20240603080000", "20240620170000", "")),
        "[1, 2]".to_owned(),
        rec("N2", "07294", 2, 9, "20240603080000", "20240620170000", "").to_string(),
        rec("N3", "07294", 2, 4, "20240603080000", "20240620170000", "").to_string(),
    ]
    .join("\n");
    let r = post_raw(&app, Some(&token), "", Some("application/x-ndjson; charset=utf-8"), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = &r.body;
    assert_counts(s, [6, 3, 0, 0, 3], false);
    let c = s["conflicts"].as_array().unwrap();
    assert_eq!(c.len(), 3, "{s}");
    assert_eq!((c[0]["index"].as_u64(), c[0]["field"].as_str()), (Some(1), Some("")), "{s}");
    assert!(c[0]["reason"].as_str().unwrap().starts_with("not valid JSON: "), "{s}");
    assert_eq!(c[1], conflict(3, "", "a record must be a JSON object"));
    assert_eq!(c[2], conflict(4, "NgayKetThucXuLy", "is required for status 9 (an end state)"));
    assert_eq!(figures(&app, "07273", "2024-06").await, parts([0, 1, 0, 0, 0, 0, 1, 0], json!({})));
    assert_eq!(figures(&app, "07279", "2024-06").await, parts([0, 0, 1, 0, 0, 0, 1, 0], json!({})));
    assert_eq!(figures(&app, "07294", "2024-06").await, parts([0, 1, 0, 0, 0, 0, 1, 0], json!({})));
    assert_eq!(dossier_count(&app), 3);
    // An empty body is an empty batch.
    let r = post_raw(&app, Some(&token), "", Some(NDJSON), String::new()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_counts(&r.body, [0, 0, 0, 0, 0], false);
    // The other names of the format.
    for (ct, code) in [("application/ndjson", "N4"), ("application/jsonl", "N5")] {
        let body = format!("{}\n", rec(code, "07312", 2, 4, "20240603080000", "20240620170000", ""));
        let r = post_raw(&app, Some(&token), "", Some(ct), body).await;
        assert_eq!(r.status, 200, "{ct}: {}", r.text);
        assert_counts(&r.body, [1, 1, 0, 0, 0], false);
    }
    assert_eq!(dossier_count(&app), 5);
}

async fn conflicts_are_listed_up_to_a_thousand_and_all_counted(app: TestApp) {
    app.seed_units().await;
    let mut records = vec![json!([1]); 1001];
    records.push(rec("OK", "07273", 2, 4, "20240603080000", "20240620170000", ""));
    let s = push(&app, &portal(&app, "24"), &records).await;
    assert_eq!(["total", "imported", "rejected"].map(|k| s[k].as_u64().unwrap()), [1002, 1, 1001], "{}", s["total"]);
    assert_eq!(s["conflicts_truncated"], true);
    let listed = s["conflicts"].as_array().unwrap();
    assert_eq!(listed.len(), 1000);
    assert_eq!(listed[999], conflict(999, "", "a record must be a JSON object"));
}

async fn pushes_are_refused_by_role_content_type_and_shape(app: TestApp) {
    app.seed_units().await;
    let one = Value::from(vec![rec("R1", "07273", 2, 4, "20240603080000", "20240620170000", "")]).to_string();
    // Only portals and admins push records.
    for token in [
        app.token(Role::Province, Some("24")),
        app.token(Role::District, Some("215")),
        app.token(Role::Commune, Some("07273")),
    ] {
        post_raw(&app, Some(&token), "", Some("application/json"), one.clone()).await.problem(403);
    }
    post_raw(&app, None, "", Some("application/json"), one.clone()).await.problem(401);
    let token = portal(&app, "24");
    // JSON arrays and NDJSON only.
    for ct in [Some("text/plain"), Some("application/xml"), Some("text/csv"), None] {
        post_raw(&app, Some(&token), "", ct, one.clone()).await.problem(415);
    }
    // A malformed array, or something else than an array.
    for body in ["[{\"MaHoSo\": ", "{\"MaHoSo\": \"R1\"}", "", "nonsense"] {
        post_raw(&app, Some(&token), "", Some("application/json"), body.to_owned()).await.problem(400);
    }
    assert_eq!(dossier_count(&app), 0);
    // Only POST.
    let r = app.get(INGEST, &token).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.text);
    // An empty array is fine.
    let s = push(&app, &token, &[]).await;
    assert_counts(&s, [0, 0, 0, 0, 0], false);
    // So is an admin's push, for any commune that exists.
    let s = push(&app, &app.admin(), &[serde_json::from_str::<Value>(&one).unwrap()[0].clone()]).await;
    assert_counts(&s, [1, 1, 0, 0, 0], false);
}

async fn a_portal_pushes_only_its_own_provinces_communes(app: TestApp) {
    app.seed_units().await;
    second_province(&app).await;
    let bac_giang = portal(&app, "24");
    let other = portal(&app, "25");
    // Bắc Giang's portal: its own commune is taken, the other province's is a conflict.
    let s = push(
        &app,
        &bac_giang,
        &[
            rec("S1", "07273", 2, 4, "20240603080000", "20240620170000", ""),
            rec("S2", "07400", 2, 4, "20240603080000", "20240620170000", ""),
        ],
    )
    .await;
    assert_counts(&s, [2, 1, 0, 0, 1], false);
    assert_eq!(s["conflicts"], json!([conflict(1, "DonViXuLy", "commune 07400 is outside province 24")]));
    // The other province's portal may not push Đông Sơn's records, and may push its own.
    let s = push(
        &app,
        &other,
        &[
            rec("S3", "07273", 2, 4, "20240603080000", "20240620170000", ""),
            rec("S4", "07400", 1, 4, "20240603080000", "20240620170000", ""),
        ],
    )
    .await;
    assert_counts(&s, [2, 1, 0, 0, 1], false);
    assert_eq!(s["conflicts"], json!([conflict(0, "DonViXuLy", "commune 07273 is outside province 25")]));
    // NDJSON is scoped the same way.
    let body = format!("{}\n", rec("S5", "07273", 2, 4, "20240603080000", "20240620170000", ""));
    let s = push_ndjson(&app, &other, body).await;
    assert_counts(&s, [1, 0, 0, 0, 1], false);
    assert_eq!(s["conflicts"], json!([conflict(0, "DonViXuLy", "commune 07273 is outside province 25")]));
    // An admin may push for any commune that exists.
    let s = push(
        &app,
        &app.admin(),
        &[
            rec("S6", "07400", 2, 4, "20240603080000", "20240620170000", ""),
            rec("S7", "07279", 2, 4, "20240603080000", "20240620170000", ""),
            rec("S8", "07999", 2, 4, "20240603080000", "20240620170000", ""),
        ],
    )
    .await;
    assert_counts(&s, [3, 2, 0, 0, 1], false);
    assert_eq!(s["conflicts"], json!([conflict(2, "DonViXuLy", "there is no commune 07999")]));
    assert_eq!(figures(&app, "07273", "2024-06").await, parts([0, 1, 0, 0, 0, 0, 1, 0], json!({})));
    assert_eq!(figures(&app, "07400", "2024-06").await, parts([0, 1, 1, 0, 0, 0, 2, 0], json!({})));
    assert_eq!(dossier_count(&app), 4);
}

async fn scope_follows_the_tree_of_the_reception_month_or_today(app: TestApp) {
    app.seed_units().await;
    second_province(&app).await;
    // Xã Khác moves to Huyện Yên Thế (Bắc Giang) from July 2025.
    let r =
        app.post("/api/v1/units/07400/versions", &app.admin(), &json!({"from": "2025-07", "parent_code": "215"})).await;
    assert!(r.status.is_success(), "{}", r.text);
    let june_2024 = |code: &str| rec(code, "07400", 2, 4, "20240603080000", "20240620170000", "");
    let august_2025 = |code: &str| rec(code, "07400", 2, 4, "20250803080000", "20250820170000", "");
    // Province 25's portal: its commune in June 2024, not in August 2025 (nor today).
    let s = push(&app, &portal(&app, "25"), &[june_2024("T1"), august_2025("T2")]).await;
    assert_counts(&s, [2, 1, 0, 0, 1], false);
    assert_eq!(s["conflicts"], json!([conflict(1, "DonViXuLy", "commune 07400 is outside province 25")]));
    // Bắc Giang's portal: its commune today, so both are taken.
    let s = push(&app, &portal(&app, "24"), &[june_2024("T3"), august_2025("T4")]).await;
    assert_counts(&s, [2, 2, 0, 0, 0], false);
    // A third province's portal: neither.
    app.create_unit("26", "Tỉnh Thứ Ba", None).await;
    let s = push(&app, &portal(&app, "26"), &[june_2024("T5")]).await;
    assert_counts(&s, [1, 0, 0, 0, 1], false);
    assert_eq!(s["conflicts"], json!([conflict(0, "DonViXuLy", "commune 07400 is outside province 26")]));
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

/// Đông Sơn: D1 online early (digitised), D2 direct pending within the deadline.
/// Hương Vĩ: E1 online on time, E2 online overdue, E3 direct pending overdue.
fn reconciliation_records() -> Vec<Value> {
    vec![
        with(
            rec("D1", "07273", 2, 10, "20240520080000", "20240530170000", "20240528100000"),
            json!({"HoSoCoThanhPhanSoHoa": 1}),
        ),
        rec("D2", "07273", 1, 4, "20240610080000", "20240620170000", ""),
        rec("E1", "07279", 2, 9, "20240601080000", "20240605170000", "20240605160000"),
        rec("E2", "07279", 2, 9, "20240602080000", "20240604170000", "20240607080000"),
        rec("E3", "07279", 1, 2, "20240603080000", "20240610170000", ""),
    ]
}

async fn reconciliation_flags_a_planted_discrepancy(app: TestApp) {
    app.seed_units().await;
    let s = push(&app, &portal(&app, "24"), &reconciliation_records()).await;
    assert_counts(&s, [5, 5, 0, 0, 0], false);

    // Đông Sơn reports what the portal says, digitisation included: no warning.
    let r = file(&app, "07273", "2024-06", &report([0, 1, 1, 1, 0, 0, 1, 0], json!({"dossiers_digitized": 1}))).await;
    assert_eq!(mismatches(&r), Vec::<Vec<String>>::new(), "{}", r.text);
    // Hương Vĩ reports three online and none direct; the portal has two online and one direct.
    // The report is stored, with one warning per differing indicator.
    let planted = report([0, 3, 0, 0, 1, 1, 0, 1], json!({}));
    let r = file(&app, "07279", "2024-06", &planted).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(mismatches(&r), vec![vec!["dossiers_received_online"], vec!["dossiers_received_direct"]], "{}", r.text);
    let warning =
        r.body["findings"].as_array().unwrap().iter().find(|f| f["code"] == "portal_mismatch").unwrap().clone();
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["message_en"], "`dossiers_received_online` = 3, but the portal's dossier records give 2");
    let stored = app.get("/api/v1/communes/07279/reports/2024-06", &app.admin()).await;
    assert_eq!(mismatches(&stored), mismatches(&r));
    // Bố Hạ reports; the portal sent nothing for it: nothing to compare, no warning.
    let r = file(&app, "07294", "2024-06", &report([0, 5, 0, 5, 0, 0, 0, 0], json!({}))).await;
    assert!(mismatches(&r).is_empty(), "{}", r.text);

    let yen_the = app.token(Role::District, Some("215"));
    let view = reconciliation(&app, &yen_the, "215", "2024-06").await;
    assert_eq!(view["communes_with_differences"], 1, "{view}");
    assert_eq!(column(&view, "07273", "reported"), parts([0, 1, 1, 1, 0, 0, 1, 0], json!({"dossiers_digitized": 1})));
    assert_eq!(column(&view, "07273", "portal"), parts([0, 1, 1, 1, 0, 0, 1, 0], json!({"dossiers_digitized": 1})));
    assert_eq!(column(&view, "07273", "difference"), parts([0; 8], json!({"dossiers_digitized": 0})));
    assert_eq!(column(&view, "07279", "reported"), parts([0, 3, 0, 0, 1, 1, 0, 1], json!({})));
    assert_eq!(column(&view, "07279", "portal"), parts([0, 2, 1, 0, 1, 1, 0, 1], json!({})));
    assert_eq!(column(&view, "07279", "difference"), parts([0, 1, -1, 0, 0, 0, 0, 0], json!({})));
    assert_eq!(column(&view, "07294", "reported"), parts([0, 5, 0, 5, 0, 0, 0, 0], json!({})));
    assert_eq!(column(&view, "07294", "portal"), nulls());
    assert_eq!(column(&view, "07294", "difference"), nulls());
    // The province and an admin see the same; so does the commune itself, for itself.
    assert_eq!(reconciliation(&app, &app.token(Role::Province, Some("24")), "215", "2024-06").await, view);
    assert_eq!(reconciliation(&app, &app.admin(), "215", "2024-06").await, view);
    let own = reconciliation(&app, &app.token(Role::Commune, Some("07279")), "07279", "2024-06").await;
    assert_eq!(own["communes_with_differences"], 1);
    assert_eq!(column(&own, "07279", "difference"), column(&view, "07279", "difference"));

    // E3 is finished on 12 June, after its due day (the 10th): overdue, no longer pending.
    let s = push(
        &app,
        &portal(&app, "24"),
        &[rec("E3", "07279", 1, 10, "20240603080000", "20240610170000", "20240612090000")],
    )
    .await;
    assert_counts(&s, [1, 0, 1, 0, 0], false);
    let view = reconciliation(&app, &yen_the, "215", "2024-06").await;
    assert_eq!(column(&view, "07279", "portal"), parts([0, 2, 1, 0, 1, 2, 0, 0], json!({})));
    assert_eq!(column(&view, "07279", "difference"), parts([0, 1, -1, 0, 0, -1, 0, 1], json!({})));
    // Hương Vĩ corrects its report to the portal's figures: no warning, no difference.
    let r = file(&app, "07279", "2024-06", &report([0, 2, 1, 0, 1, 2, 0, 0], json!({}))).await;
    assert!(mismatches(&r).is_empty(), "{}", r.text);
    let view = reconciliation(&app, &yen_the, "215", "2024-06").await;
    assert_eq!(view["communes_with_differences"], 0, "{view}");
    assert_eq!(column(&view, "07279", "difference"), parts([0; 8], json!({})));

    // A report filed before the records arrive: reconciliation flags it, and submitting the same
    // form again now carries the warning (a new revision).
    let r = file(&app, "07312", "2024-06", &report([0, 4, 0, 4, 0, 0, 0, 0], json!({}))).await;
    assert_eq!(r.body["revision"], 1);
    let s = push(
        &app,
        &portal(&app, "24"),
        &[rec("F1", "07312", 2, 10, "20240601080000", "20240610170000", "20240605080000")],
    )
    .await;
    assert_counts(&s, [1, 1, 0, 0, 0], false);
    let tan_yen = reconciliation(&app, &app.admin(), "216", "2024-06").await;
    assert_eq!(tan_yen["communes_with_differences"], 1);
    assert_eq!(column(&tan_yen, "07312", "difference"), parts([0, 3, 0, 3, 0, 0, 0, 0], json!({})));
    let r = file(&app, "07312", "2024-06", &report([0, 4, 0, 4, 0, 0, 0, 0], json!({}))).await;
    assert_eq!(r.body["revision"], 2, "{}", r.text);
    assert_eq!(mismatches(&r), vec![vec!["dossiers_received_online"], vec!["dossiers_resolved_early"]]);
}

async fn reconciliation_refuses_bad_requests(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    for period in ["2024Q2", "2024", "2024S1", "2024-13", "june"] {
        app.get(&format!("/api/v1/units/215/reconciliation?period={period}"), &admin).await.problem(400);
    }
    app.get("/api/v1/units/215/reconciliation", &admin).await.problem(400);
    app.get("/api/v1/units/2150/reconciliation?period=2024-06", &admin).await.problem(400);
    app.get("/api/v1/units/99/reconciliation?period=2024-06", &admin).await.problem(404);
    app.get("/api/v1/units/215/reconciliation?period=2024-06", &app.token(Role::District, Some("216")))
        .await
        .problem(403);
    app.get("/api/v1/units/07273/reconciliation?period=2024-06", &app.token(Role::Commune, Some("07279")))
        .await
        .problem(403);
    app.request(Method::GET, "/api/v1/units/215/reconciliation?period=2024-06", None, None).await.problem(401);
    // No records and no reports: every commune and part, all null.
    let view = reconciliation(&app, &admin, "215", "2024-06").await;
    assert_eq!(view["communes_with_differences"], 0);
    assert_eq!(view["entries"].as_array().unwrap().len(), 3 * 8);
    assert!(
        view["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["reported"].is_null() && e["portal"].is_null() && e["difference"].is_null())
    );
}

// ---------------------------------------------------------------------------------------------
// The change feed

/// One page of the feed.
async fn feed_page(app: &TestApp, token: &str, since: Option<&str>, limit: usize) -> (Vec<Value>, String) {
    let path = match since {
        Some(s) => format!("/api/v1/feed?since={s}&limit={limit}"),
        None => format!("/api/v1/feed?limit={limit}"),
    };
    let r = app.get(&path, token).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    let items = r.body["items"].as_array().expect("items").clone();
    assert!(items.len() <= limit, "{}", r.text);
    (items, r.body["next"].as_str().expect("next is always present").to_owned())
}

/// The whole feed in one page.
async fn whole_feed(app: &TestApp, token: &str) -> Vec<Value> {
    feed_page(app, token, None, 1000).await.0
}

/// The feed after `since` once it holds at least `expected` items. On PostgreSQL an item shows
/// only once every transaction older than its own has ended — in any database of the server, so
/// other tests' writes can hold it back for a moment.
async fn settled(app: &TestApp, token: &str, since: Option<&str>, expected: usize) -> (Vec<Value>, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (items, next) = feed_page(app, token, since, 1000).await;
        if items.len() >= expected || Instant::now() > deadline {
            return (items, next);
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The whole feed, once it holds at least `expected` items.
async fn settled_feed(app: &TestApp, token: &str, expected: usize) -> Vec<Value> {
    settled(app, token, None, expected).await.0
}

/// What identifies an item: its kind, subject and payload.
fn key(item: &Value) -> (String, String, String) {
    (
        item["kind"].as_str().expect("a kind").to_owned(),
        item["subject"].as_str().expect("a subject").to_owned(),
        item["payload"].to_string(),
    )
}

/// Each item as `[kind, subject, province_code]`.
fn kinds(items: &[Value]) -> Value {
    Value::Array(items.iter().map(|i| json!([i["kind"], i["subject"], i["province_code"]])).collect())
}

async fn act(app: &TestApp, token: &str, commune: &str, period: &str, action: &str, reason: Option<&str>) -> Reply {
    let body = reason.map(|r| json!({"reason": r}));
    app.request(
        Method::POST,
        &format!("/api/v1/communes/{commune}/reports/{period}/{action}"),
        Some(token),
        body.as_ref(),
    )
    .await
}

/// The seed report with one dossier moved from on time to overdue.
fn seed_one_more_overdue() -> Value {
    let mut body = seed_body();
    body["values"]["dossiers_resolved_on_time"] = json!(32);
    body["values"]["dossiers_resolved_overdue"] = json!(2);
    body
}

async fn the_feed_tells_each_change_once_in_order(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let (items, start) = feed_page(&app, &admin, None, 10).await;
    assert!(items.is_empty());

    // The first submission scores it under both built-in schemes: 99.88 under commune-par (see
    // rankings.rs), 34.88 under qd766 (see qd766.rs). Submitting it again changes nothing.
    file(&app, "07273", "2024-06", &seed_body()).await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    // Huyện Yên Thế approves it (June 2024 closed long ago: it locks at once).
    let r = act(&app, &app.token(Role::District, Some("215")), "07273", "2024-06", "approve", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The province reopens it, with a reason.
    let r = act(&app, &app.token(Role::Province, Some("24")), "07273", "2024-06", "reopen", Some("Sai số liệu")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Đông Sơn corrects it: one of the 166 resolved was overdue, not on time. Progress
    // (132 + 32 + 2) / 168 → 20 × 166/168 = 19.76 instead of 19.88: 99.76; under qd766
    // 9 + 19.761905 + 6 = 34.76.
    file(&app, "07273", "2024-06", &seed_one_more_overdue()).await;
    // An admin approves it again.
    let r = act(&app, &admin, "07273", "2024-06", "approve", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A draft never scores; a submission elsewhere does.
    let r = app
        .put(
            "/api/v1/communes/07279/reports/2024-06?draft=true",
            &app.token(Role::Commune, Some("07279")),
            &seed_body(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let all = settled_feed(&app, &admin, 7).await;
    assert_eq!(
        kinds(&all),
        json!([
            ["score.changed", "07273/2024-06", "24"],
            ["score.changed", "07273/2024-06", "24"],
            ["report.approved", "07273/2024-06", "24"],
            ["report.reopened", "07273/2024-06", "24"],
            ["score.changed", "07273/2024-06", "24"],
            ["score.changed", "07273/2024-06", "24"],
            ["report.approved", "07273/2024-06", "24"],
        ])
    );
    let scheme_id = all[0]["payload"]["scheme_id"].clone();
    assert!(scheme_id.is_i64() || scheme_id.is_string(), "{}", all[0]);
    let qd766_id = all[1]["payload"]["scheme_id"].clone();
    assert_ne!(qd766_id, scheme_id);
    assert_eq!(
        all[0]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "scheme_id": scheme_id, "score": 99.88,
            "previous_score": null, "band": "excellent", "revision": 1})
    );
    assert_eq!(
        all[1]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "scheme_id": qd766_id, "score": 34.88,
            "previous_score": null, "band": "weak", "revision": 1})
    );
    let first_values = app.get("/api/v1/communes/07273/reports/2024-06", &admin).await.body["values"].clone();
    assert_eq!(first_values["dossiers_resolved_on_time"], 32, "{first_values}");
    let mut seed_values = first_values.clone();
    seed_values["dossiers_resolved_on_time"] = json!(33);
    seed_values["dossiers_resolved_overdue"] = json!(1);
    assert_eq!(
        all[2]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "status": "approved", "values": seed_values,
            "revision": 2})
    );
    assert_eq!(
        all[3]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "status": "submitted", "revision": 3})
    );
    assert_eq!(
        all[4]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "scheme_id": scheme_id, "score": 99.76,
            "previous_score": 99.88, "band": "excellent", "revision": 4})
    );
    assert_eq!(
        all[5]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "scheme_id": qd766_id, "score": 34.76,
            "previous_score": 34.88, "band": "weak", "revision": 4})
    );
    assert_eq!(
        all[6]["payload"],
        json!({"unit_code": "07273", "period": "2024-06", "status": "approved", "values": first_values,
            "revision": 5})
    );
    for item in &all {
        let at = item["created_at"].as_str().expect("created_at");
        assert!(
            chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|t| t.offset().local_minus_utc() == 7 * 3600),
            "{at}"
        );
    }

    // Paging with limit 2: every item once, in the same order; then empty pages that keep `next`.
    let mut paged = Vec::new();
    let mut since = None;
    loop {
        let (items, next) = feed_page(&app, &admin, since.as_deref(), 2).await;
        if items.is_empty() {
            assert_eq!(since.as_deref(), Some(next.as_str()), "an empty page keeps the cursor");
            break;
        }
        paged.extend(items);
        since = Some(next);
    }
    assert_eq!(paged, all);
    // Starting from the cursor of an empty feed gives everything.
    let (from_start, _) = feed_page(&app, &admin, Some(&start), 100).await;
    assert_eq!(from_start, all);
    // Going on from the end: the new items (a score under each scheme), only those.
    let end = since.unwrap();
    file(&app, "07294", "2024-06", &seed_body()).await;
    let (items, next) = settled(&app, &admin, Some(&end), 2).await;
    assert_eq!(
        kinds(&items),
        json!([["score.changed", "07294/2024-06", "24"], ["score.changed", "07294/2024-06", "24"]])
    );
    let (items, again) = feed_page(&app, &admin, Some(&next), 100).await;
    assert!(items.is_empty());
    assert_eq!(again, next);

    // Bad cursors and limits.
    for since in ["nope", "djE6YWJj", "%%%", "djE6MS4y3"] {
        app.get(&format!("/api/v1/feed?since={since}"), &admin).await.problem(400);
    }
    for limit in ["0", "1001", "-1", "x"] {
        let r = app.get(&format!("/api/v1/feed?limit={limit}"), &admin).await;
        assert_eq!(r.status, 400, "limit={limit}: {}", r.text);
    }
}

async fn the_feed_is_scoped_to_a_province(app: TestApp) {
    app.seed_units().await;
    second_province(&app).await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    let r = act(&app, &app.token(Role::District, Some("215")), "07273", "2024-06", "approve", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    file(&app, "07400", "2024-06", &seed_body()).await;
    let r = act(&app, &app.token(Role::Province, Some("25")), "07400", "2024-06", "approve", None).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // A score under each built-in scheme, then the approval.
    let mine = json!([
        ["score.changed", "07273/2024-06", "24"],
        ["score.changed", "07273/2024-06", "24"],
        ["report.approved", "07273/2024-06", "24"]
    ]);
    let theirs = json!([
        ["score.changed", "07400/2024-06", "25"],
        ["score.changed", "07400/2024-06", "25"],
        ["report.approved", "07400/2024-06", "25"]
    ]);
    let everything = settled_feed(&app, &app.admin(), 6).await;
    assert_eq!(kinds(&whole_feed(&app, &portal(&app, "24")).await), mine);
    assert_eq!(kinds(&whole_feed(&app, &app.token(Role::Province, Some("24"))).await), mine);
    assert_eq!(kinds(&whole_feed(&app, &portal(&app, "25")).await), theirs);
    assert_eq!(kinds(&whole_feed(&app, &app.token(Role::Province, Some("25"))).await), theirs);
    assert_eq!(
        kinds(&everything),
        json!([
            ["score.changed", "07273/2024-06", "24"],
            ["score.changed", "07273/2024-06", "24"],
            ["report.approved", "07273/2024-06", "24"],
            ["score.changed", "07400/2024-06", "25"],
            ["score.changed", "07400/2024-06", "25"],
            ["report.approved", "07400/2024-06", "25"],
        ])
    );
    // New scheme versions: a national one concerns everyone, Bắc Giang's own only Bắc Giang.
    let mut national: Value = serde_json::from_str(BUILTIN_SCHEME).expect("the built-in scheme is JSON");
    national.as_object_mut().unwrap().remove("version");
    let mut own = national.clone();
    own["code"] = json!("bac-giang-par");
    for (token, definition) in [(app.admin(), &national), (app.token(Role::Province, Some("24")), &own)] {
        let r = app.post("/api/v1/schemes", &token, definition).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let everything = settled_feed(&app, &app.admin(), 8).await;
    assert_eq!(
        kinds(&everything[6..]),
        json!([["scheme.added", "commune-par@2", null], ["scheme.added", "bac-giang-par@1", "24"]])
    );
    assert_eq!(everything[6]["payload"]["code"], "commune-par");
    assert_eq!(everything[6]["payload"]["version"], 2);
    let mut mine_now = mine.as_array().unwrap().clone();
    mine_now.extend(kinds(&everything[6..]).as_array().unwrap().iter().cloned());
    assert_eq!(kinds(&whole_feed(&app, &portal(&app, "24")).await), Value::Array(mine_now));
    let mut theirs_now = theirs.as_array().unwrap().clone();
    theirs_now.push(json!(["scheme.added", "commune-par@2", null]));
    let theirs = Value::Array(theirs_now);
    assert_eq!(kinds(&whole_feed(&app, &portal(&app, "25")).await), theirs);

    // Paging a province's feed with a small limit skips the other province's items, never its own.
    let mut paged = Vec::new();
    let mut since: Option<String> = None;
    for _ in 0..10 {
        let (items, next) = feed_page(&app, &portal(&app, "25"), since.as_deref(), 1).await;
        if items.is_empty() {
            break;
        }
        paged.extend(items);
        since = Some(next);
    }
    assert_eq!(kinds(&paged), theirs);

    // Districts and communes have no feed; the anonymous neither.
    app.get("/api/v1/feed", &app.token(Role::District, Some("215"))).await.problem(403);
    app.get("/api/v1/feed", &app.token(Role::Commune, Some("07273"))).await.problem(403);
    app.request(Method::GET, "/api/v1/feed", None, None).await.problem(401);
}

/// A report body with only the dossier parts: all early, or a busier month. Their scores differ.
fn calm() -> Value {
    report([0, 100, 0, 90, 10, 0, 0, 0], json!({}))
}

fn busy() -> Value {
    report([2, 60, 40, 50, 30, 10, 8, 4], json!({}))
}

async fn paging_the_feed_under_concurrent_writes_sees_every_item_once(app: TestApp) {
    app.seed_units().await;
    let communes = ["07273", "07279", "07294", "07312"];
    let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"];
    // Twenty reports: each first submission is a score.changed under each built-in scheme.
    for c in communes {
        for m in months {
            file(&app, c, m, &calm()).await;
        }
    }
    let admin = app.admin();
    assert_eq!(settled_feed(&app, &admin, 40).await.len(), 40);

    // Then, at once: ten approvals (by the province, which may review every commune) and ten
    // resubmissions whose score changes, while two readers page through the feed.
    let bac_giang = app.token(Role::Province, Some("24"));
    let mut to_approve = Vec::new();
    let mut to_resubmit = Vec::new();
    for (i, (c, m)) in communes.iter().flat_map(|c| months.iter().map(move |m| (*c, *m))).enumerate() {
        if i % 2 == 0 { to_approve.push((c, m)) } else { to_resubmit.push((c, m)) }
    }
    assert_eq!((to_approve.len(), to_resubmit.len()), (10, 10));
    let done = Cell::new(false);
    // 40 first scores (20 reports × 2 schemes), 10 approvals, 20 changed scores (calm → busy
    // changes both: commune-par 100 → 94.09, qd766 35 → 29.85), and 8 recomputed findings: a
    // busy resubmission of a month before May leaves 12 pending, which the next month (calm,
    // carrying over 0, and approved) now disagrees with.
    let expected = 78;
    let writers = async {
        let approvals = to_approve.iter().map(|(c, m)| {
            let token = bac_giang.clone();
            let app = &app;
            async move {
                let r = act(app, &token, c, m, "approve", None).await;
                assert_eq!(r.status, 200, "approving {c} {m}: {}", r.text);
            }
        });
        let resubmissions = to_resubmit.iter().map(|(c, m)| {
            let app = &app;
            async move {
                let r = app.file(c, m, &busy()).await;
                assert_eq!(r.status, 200, "resubmitting {c} {m}: {}", r.text);
                assert_eq!(r.body["revision"], 2, "{}", r.text);
            }
        });
        let approvals: Vec<_> = approvals.collect();
        let resubmissions: Vec<_> = resubmissions.collect();
        join(join_all(approvals), join_all(resubmissions)).await;
        done.set(true);
    };
    let reader = |limit: usize| {
        let app = &app;
        let admin = admin.clone();
        let done = &done;
        async move {
            let mut seen: Vec<Value> = Vec::new();
            let mut since: Option<String> = None;
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut pages = 0;
            loop {
                let finished = done.get();
                let (items, next) = feed_page(app, &admin, since.as_deref(), limit).await;
                pages += 1;
                since = Some(next);
                if items.is_empty() {
                    if finished && seen.len() >= expected {
                        break;
                    }
                    assert!(Instant::now() < deadline, "the feed never showed all {expected} items: {}", seen.len());
                    actix_web::rt::time::sleep(Duration::from_millis(10)).await;
                }
                seen.extend(items);
            }
            (seen, pages)
        }
    };
    let ((), ((by_three, pages3), (by_two, pages2))) = join(writers, join(reader(3), reader(2))).await;
    assert!(pages3 >= 14 && pages2 >= 21, "the readers paged: {pages3} and {pages2} pages");

    // Read once at the end, the feed has every change once.
    let all = settled_feed(&app, &admin, expected).await;
    assert_eq!(all.len(), expected);
    let keys: Vec<_> = all.iter().map(key).collect();
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), expected, "no item twice");
    let count = |kind: &str, first: Option<bool>| {
        all.iter()
            .filter(|i| i["kind"] == kind && first.is_none_or(|f| i["payload"]["previous_score"].is_null() == f))
            .count()
    };
    assert_eq!(count("score.changed", Some(true)), 40, "first submissions");
    assert_eq!(count("score.changed", Some(false)), 20, "resubmissions");
    assert_eq!(count("report.approved", None), 10);
    assert_eq!(count("findings.recomputed", None), 8);
    let recomputed: BTreeSet<String> = all
        .iter()
        .filter(|i| i["kind"] == "findings.recomputed")
        .map(|i| i["subject"].as_str().unwrap().to_owned())
        .collect();
    let next_of_resubmitted: BTreeSet<String> = to_resubmit
        .iter()
        .filter(|(_, m)| *m != "2024-05")
        .map(|(c, m)| format!("{c}/2024-0{}", m[6..].parse::<u32>().unwrap() + 1))
        .collect();
    assert_eq!(recomputed, next_of_resubmitted);
    let approved: BTreeSet<String> = all
        .iter()
        .filter(|i| i["kind"] == "report.approved")
        .map(|i| i["subject"].as_str().unwrap().to_owned())
        .collect();
    let expected_approved: BTreeSet<String> = to_approve.iter().map(|(c, m)| format!("{c}/{m}")).collect();
    assert_eq!(approved, expected_approved);

    // Each reader saw exactly the same items — the same multiset, indeed the same order.
    for (name, seen) in [("limit 3", &by_three), ("limit 2", &by_two)] {
        let mut a: Vec<_> = seen.iter().map(key).collect();
        let mut b = keys.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{name}: the items seen paging are those of the feed, each once");
        assert_eq!(seen.iter().map(key).collect::<Vec<_>>(), keys, "{name}: in the feed's order");
    }
}

/// Fingerprints made another way (before they were SHA-256 over the record, they hashed Rust's
/// `Hash` output) are recomputed when an instance starts: an identical resend afterwards is
/// still recognised, and a correction still is one.
async fn stored_fingerprints_are_brought_up_to_date_at_start(app: TestApp) {
    use diesel::RunQueryDsl;
    app.seed_units().await;
    let token = portal(&app, "24");
    let records = [
        rec("F1", "07273", 2, 4, "20240603080000", "20240620170000", ""),
        rec("F2", "07279", 1, 10, "20240603080000", "20240620170000", "20240610100000"),
    ];
    assert_counts(&push(&app, &token, &records).await, [2, 2, 0, 0, 0], false);
    {
        let mut conn = app.db.conn().expect("a pooled connection");
        diesel::sql_query("UPDATE dossiers SET content_hash = 12345").execute(&mut *conn).expect("old fingerprints");
        diesel::sql_query("DELETE FROM settings WHERE key = 'dossier_fingerprint'")
            .execute(&mut *conn)
            .expect("the fingerprints' version is forgotten");
    }
    let restarted = app.another_instance().await;
    assert_counts(&push(&restarted, &token, &records).await, [2, 0, 0, 2, 0], false);
    let corrected = [rec("F1", "07273", 2, 9, "20240603080000", "20240620170000", "20240605100000")];
    assert_counts(&push(&restarted, &token, &corrected).await, [1, 0, 1, 0, 0], false);
}

/// A supplement request after the due day cannot revive an overdue dossier, and the clock
/// stops for working days, not calendar days (June 2024's window: 15 May – 14 June).
async fn a_supplement_request_after_the_due_day_revives_nothing(app: TestApp) {
    app.seed_units().await;
    let asked = |requested: &str, supplied: &str| {
        let mut s = json!({"NgayYeuCauBoSung": requested});
        if !supplied.is_empty() {
            s["NgayTiepNhanBoSung"] = json!(supplied);
        }
        json!({"DanhSachHoSoBoSung": [s]})
    };
    let records = [
        // Due 1 June; supplements asked on 10 June, still awaited on 14 June: pending overdue.
        with(rec("LATE-ASK", "07273", 2, 5, "20240520080000", "20240601170000", ""), asked("20240610080000", "")),
        // Due 1 June; asked on 10 June, supplied on 12 June, finished on 13 June: overdue.
        with(
            rec("LATE-DONE", "07273", 2, 10, "20240520080000", "20240601170000", "20240613100000"),
            asked("20240610080000", "20240612080000"),
        ),
        // Due Tuesday 28 May; asked Friday 24 May, supplied Monday 3 June: 6 working days, so due
        // Wednesday 5 June, and finished on 6 June it is overdue (10 calendar days would say early).
        with(
            rec("PAUSE", "07273", 1, 9, "20240520080000", "20240528170000", "20240606090000"),
            asked("20240524150000", "20240603080000"),
        ),
        // Due 12 June, asked on 3 June and still awaited: the clock is stopped, within deadline.
        with(rec("WAITING", "07273", 2, 5, "20240521080000", "20240612170000", ""), asked("20240603080000", "")),
    ];
    let summary = push(&app, &portal(&app, "24"), &records).await;
    assert_counts(&summary, [4, 4, 0, 0, 0], false);
    let view = reconciliation(&app, &app.admin(), "07273", "2024-06").await;
    assert_eq!(
        column(&view, "07273", "portal"),
        json!({
            "dossiers_carried_over": 0,
            "dossiers_received_online": 3,
            "dossiers_received_direct": 1,
            "dossiers_resolved_early": 0,
            "dossiers_resolved_on_time": 0,
            "dossiers_resolved_overdue": 2,
            "dossiers_pending_within_deadline": 1,
            "dossiers_pending_overdue": 1,
        })
    );
}

/// A merged commune's records include its predecessors': Đông Sơn's dossier still pending when
/// it merges into Bố Hạ (July 2025) is carried over by Bố Hạ, in the portal's figures and in the
/// check of Bố Hạ's own report.
async fn a_successor_s_portal_figures_include_its_predecessors_records(app: TestApp) {
    app.seed_units().await;
    let r = app
        .post("/api/v1/units/07273/merge", &app.admin(), &json!({"into": "07294", "effective_from": "2025-07"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = portal(&app, "24");
    // July 2025's window: 15 June – 14 July.
    let records = [
        // Đông Sơn's, received in June's window, still pending, due 20 July: within the deadline.
        rec("DS-PENDING", "07273", 2, 4, "20250610080000", "20250720170000", ""),
        // Bố Hạ's own, received in June's window, finished after its due day: overdue.
        rec("BH-LATE", "07294", 1, 10, "20250611080000", "20250630170000", "20250703100000"),
        // Bố Hạ's own, received online in July's window, pending within the deadline.
        rec("BH-NEW", "07294", 2, 4, "20250620080000", "20250725170000", ""),
    ];
    assert_counts(&push(&app, &token, &records).await, [3, 3, 0, 0, 0], false);
    // carried over 2 (one of them Đông Sơn's), online 1, resolved overdue 1, pending within 2.
    assert_eq!(figures(&app, "07294", "2025-07").await, parts([2, 1, 0, 0, 0, 1, 2, 0], json!({})));
    // Bố Hạ's own report agrees with them: no portal_mismatch warning.
    let bo_ha = app.token(Role::Commune, Some("07294"));
    let r =
        app.put("/api/v1/communes/07294/reports/2025-07", &bo_ha, &report([2, 1, 0, 0, 0, 1, 2, 0], json!({}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(mismatches(&r), Vec::<Vec<String>>::new());
}

backend_tests!(
    a_successor_s_portal_figures_include_its_predecessors_records,
    a_supplement_request_after_the_due_day_revives_nothing,
    stored_fingerprints_are_brought_up_to_date_at_start,
    a_portal_cannot_take_over_another_provinces_dossier,
    a_dry_run_classifies_like_the_real_push_across_batches,
    a_batch_with_valid_and_invalid_records_is_summarised_and_replays_change_nothing,
    bieu_06_figures_from_a_hand_checked_set,
    a_status_update_moves_a_dossier_and_stale_resends_are_ignored,
    dry_runs_store_nothing,
    ndjson_of_five_thousand_records_then_the_same_again,
    ndjson_lines_are_judged_one_by_one,
    conflicts_are_listed_up_to_a_thousand_and_all_counted,
    pushes_are_refused_by_role_content_type_and_shape,
    a_portal_pushes_only_its_own_provinces_communes,
    scope_follows_the_tree_of_the_reception_month_or_today,
    reconciliation_flags_a_planted_discrepancy,
    reconciliation_refuses_bad_requests,
    the_feed_tells_each_change_once_in_order,
    the_feed_is_scoped_to_a_province,
    paging_the_feed_under_concurrent_writes_sees_every_item_once,
);

async fn a_portal_cannot_take_over_another_provinces_dossier(app: TestApp) {
    app.seed_units().await;
    second_province(&app).await;
    let s = push(&app, &portal(&app, "25"), &[rec("X1", "07400", 2, 4, "20240603080000", "20240620170000", "")]).await;
    assert_counts(&s, [1, 1, 0, 0, 0], false);
    let theirs = parts([0, 1, 0, 0, 0, 0, 1, 0], json!({}));
    assert_eq!(figures(&app, "07400", "2024-06").await, theirs);
    let s = push(&app, &portal(&app, "24"), &[rec("X1", "07273", 2, 4, "20240604080000", "20240620170000", "")]).await;
    assert_eq!(s["rejected"], 1, "{s}");
    assert_eq!(s["updated"], 0, "{s}");
    assert_eq!(figures(&app, "07400", "2024-06").await, theirs);
}

async fn a_dry_run_classifies_like_the_real_push_across_batches(app: TestApp) {
    app.seed_units().await;
    let mut records: Vec<Value> =
        (0..2000).map(|i| rec(&format!("B{i}"), "07273", 2, 4, "20240603080000", "20240620170000", "")).collect();
    records.push(records[0].clone());
    let dry = push_q(&app, &portal(&app, "24"), "?dry_run=true", &records).await;
    assert_eq!(dossier_count(&app), 0);
    let real = push(&app, &portal(&app, "24"), &records).await;
    assert_counts(&real, [2001, 2000, 0, 1, 0], false);
    assert_counts(&dry, [2001, 2000, 0, 1, 0], true);
}
