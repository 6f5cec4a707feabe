//! Rankings, score cards and completeness, checked against scores worked out by hand under the
//! built-in 100-point scheme `commune-par` version 1 (docs/scoring.md).
//!
//! Every test report below carries the same non-dossier values (`base_values`): every yes/no
//! answered yes, 10 civil servants all meeting the standard with 8 graduates (80 %, full marks
//! at 80 %) and 7 with political theory (70 %, full marks at 70 %), 100 % signed, 90 %
//! exchanged electronically (full marks at 90 %), 100 % official e-mail. Those earn all of the
//! 68 points that do not come from dossiers, so a report's score is 68 plus its dossier points:
//!
//! - progress (20): 20 × (early + on time + pending within the deadline) / received total;
//! - online share (10): 10 × min(1, (online / (online + direct)) / 80 %);
//! - pending overdue (2, lower is better): 2 × (1 − overdue / pending); full when nothing is pending.

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{DOSSIER_PARTS, TestApp, backend_tests, dossier_report, seed_body};

// ---------------------------------------------------------------------------------------------
// Helpers (also used by `schemes.rs`)

/// The values that earn the 68 points not computed from dossiers (see the module comment).
fn base_values() -> Value {
    json!({
        "procedures_publicly_posted": true,
        "satisfaction_survey_conducted": true,
        "par_plan_issued": true,
        "par_communication_plan_issued": true,
        "par_inspection_plan_issued": true,
        "staff_total": 20,
        "civil_servants": 10,
        "civil_servants_meeting_standard": 10,
        "civil_servants_university_degree": 8,
        "civil_servants_political_theory_intermediate": 7,
        "internal_spending_rules_issued": true,
        "documents_digitally_signed_rate": 100,
        "edocs_exchange_rate": 90,
        "official_email_use_rate": 100,
        "iso_9001_applied": true,
        "online_services_level_3_4": true,
    })
}

/// Every dossier criterion at full marks: 100 received online, all resolved early or on time,
/// nothing pending. 68 + 20 + 10 + 2 = 100.00.
pub(crate) const CLEAN: [i64; 8] = [0, 100, 0, 90, 10, 0, 0, 0];
/// 2 + 60 + 40 = 102 received = (50 + 30 + 10) 90 resolved + (8 + 4) 12 pending.
/// progress 20 × 88/102 = 17.2549; online 60 % of 80 % → 7.5; pending overdue 4/12 = 33.33 %
/// → 2 × 0.6667 = 1.3333. 68 + 26.0882 = 94.0882 → 94.09.
pub(crate) const BUSY: [i64; 8] = [2, 60, 40, 50, 30, 10, 8, 4];
/// BUSY with a worse on-time record: ten of the dossiers resolved early are resolved overdue.
/// progress 20 × 78/102 = 15.2941; 68 + 15.2941 + 7.5 + 1.3333 = 92.1275 → 92.13.
pub(crate) const LATE: [i64; 8] = [2, 60, 40, 40, 30, 20, 8, 4];

/// A full report body: `base_values`, the dossier figures, then `extra` (`null` removes a value).
pub(crate) fn report(figures: [i64; 8], extra: Value) -> Value {
    let received = figures[0] + figures[1] + figures[2];
    let settled = figures[3..].iter().sum::<i64>();
    assert_eq!(received, settled, "a test report must be identity-consistent: {figures:?}");
    let mut values = base_values();
    for (code, v) in DOSSIER_PARTS.iter().zip(figures) {
        values[*code] = json!(v);
    }
    let values_map = values.as_object_mut().expect("values are an object");
    for (k, v) in extra.as_object().expect("extra values are an object") {
        if v.is_null() {
            values_map.remove(k);
        } else {
            values_map.insert(k.clone(), v.clone());
        }
    }
    json!({"values": values, "narrative": {"results": "Báo cáo kiểm thử."}})
}

pub(crate) async fn file(app: &TestApp, commune: &str, period: &str, body: &Value) {
    let r = app.file(commune, period, body).await;
    assert!(r.status == 201 || r.status == 200, "filing {commune} {period}: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], "submitted");
}

pub(crate) async fn draft(app: &TestApp, commune: &str, period: &str, body: &Value) {
    let token = app.token(Role::Commune, Some(commune));
    let r = app.put(&format!("/api/v1/communes/{commune}/reports/{period}?draft=true"), &token, body).await;
    assert!(r.status == 201 || r.status == 200, "drafting {commune} {period}: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], "draft");
}

/// `GET /api/v1/units/{unit}/rankings?{query}`, which must succeed.
pub(crate) async fn ranking(app: &TestApp, token: &str, unit: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/units/{unit}/rankings?{query}"), token).await;
    assert_eq!(r.status, 200, "ranking {unit} ?{query}: {}", r.text);
    r.body
}

/// Each entry as `[unit_code, rank, score, status]`, in the order listed.
pub(crate) fn standings(view: &Value) -> Value {
    let entries = view["entries"].as_array().expect("entries");
    Value::Array(
        entries.iter().map(|e| json!([e["unit_code"], e["rank"], e["score"], e["status"]])).collect::<Vec<_>>(),
    )
}

/// Each entry as `[unit_code, previous_rank, rank_change]`.
fn changes(view: &Value) -> Value {
    let entries = view["entries"].as_array().expect("entries");
    Value::Array(entries.iter().map(|e| json!([e["unit_code"], e["previous_rank"], e["rank_change"]])).collect())
}

/// The entry of one commune.
pub(crate) fn entry<'a>(view: &'a Value, code: &str) -> &'a Value {
    view["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["unit_code"] == code)
        .unwrap_or_else(|| panic!("no entry for {code}: {view}"))
}

/// One criterion of a score card, as the API shows it.
#[allow(clippy::too_many_arguments)]
fn criterion(
    group: &str,
    code: &str,
    numerator: Value,
    denominator: Value,
    ratio: Value,
    score: f64,
    max: f64,
    status: &str,
) -> Value {
    json!({
        "group": group, "code": code, "numerator": numerator, "denominator": denominator,
        "ratio": ratio, "score": score, "max": max, "status": status,
    })
}

/// A yes/no criterion answered yes.
fn yes(group: &str, code: &str, max: f64) -> Value {
    criterion(group, code, json!(1.0), json!(1.0), json!(100.0), max, max, "scored")
}

/// The seed report's seventeen criteria under `commune-par` version 1 (docs/scoring.md).
fn seed_criteria() -> Value {
    json!([
        // (132 + 33 + 2) / 168 = 99.405 %; 20 × 0.99405 = 19.881.
        criterion("procedures", "progress", json!(167.0), json!(168.0), json!(99.4), 19.88, 20.0, "scored"),
        // 168 / 168 online, above the 80 % that earns full marks.
        criterion("procedures", "online_share", json!(168.0), json!(168.0), json!(100.0), 10.0, 10.0, "scored"),
        // 0 of 2 pending dossiers overdue: lower is better, 0 % earns full marks.
        criterion("procedures", "pending_overdue", json!(0.0), json!(2.0), json!(0.0), 2.0, 2.0, "scored"),
        yes("procedures", "publicity", 4.0),
        yes("procedures", "satisfaction_survey", 4.0),
        yes("direction", "par_plan", 4.0),
        yes("direction", "communication_plan", 3.0),
        yes("direction", "inspection_plan", 3.0),
        criterion("civil_service", "standard_civil_servants", json!(9.0), json!(9.0), json!(100.0), 8.0, 8.0, "scored"),
        // min(10 graduates, 9 civil servants) = 9.
        criterion("civil_service", "university_degree", json!(9.0), json!(9.0), json!(100.0), 4.0, 4.0, "scored"),
        // 7 / 9 = 77.78 %, above the 70 % that earns full marks.
        criterion("civil_service", "political_theory", json!(7.0), json!(9.0), json!(77.78), 3.0, 3.0, "scored"),
        yes("public_finance", "spending_rules", 5.0),
        // Targets: the value against 100.
        criterion(
            "digital_government",
            "digital_signatures",
            json!(100.0),
            json!(100.0),
            json!(100.0),
            8.0,
            8.0,
            "scored"
        ),
        // 95 % exchanged electronically, above the 90 % that earns full marks.
        criterion(
            "digital_government",
            "electronic_exchange",
            json!(95.0),
            json!(100.0),
            json!(95.0),
            7.0,
            7.0,
            "scored"
        ),
        criterion("digital_government", "official_email", json!(100.0), json!(100.0), json!(100.0), 5.0, 5.0, "scored"),
        yes("digital_government", "iso_9001", 5.0),
        yes("digital_government", "online_services", 5.0),
    ])
}

// ---------------------------------------------------------------------------------------------
// Rankings

async fn identical_figures_share_a_rank_and_the_next_is_skipped(app: TestApp) {
    app.seed_units().await;
    // Đông Sơn and Bố Hạ report the same figures (94.09); Hương Vĩ resolves ten of the same
    // dossiers overdue instead of early (92.13).
    file(&app, "07273", "2024-06", &report(BUSY, json!({}))).await;
    file(&app, "07279", "2024-06", &report(LATE, json!({}))).await;
    file(&app, "07294", "2024-06", &report(BUSY, json!({}))).await;

    let yen_the = app.token(Role::District, Some("215"));
    let view = ranking(&app, &yen_the, "215", "period=2024-06").await;
    assert_eq!(view["unit_code"], "215");
    assert_eq!(view["unit_name"], "Huyện Yên Thế");
    assert_eq!(view["level"], "district");
    assert_eq!(view["period"], "2024-06");
    assert_eq!(
        view["scheme"],
        json!({
            "code": "commune-par", "version": 1,
            "name_vi": "Bộ tiêu chí đánh giá CCHC hằng tháng cấp xã",
            "name_en": "Monthly commune administrative-reform scorecard",
            "max_score": 100.0,
        })
    );
    assert_eq!(view["communes"], 3);
    assert_eq!(view["ranked"], 3);
    assert_eq!(view["missing"], 0);
    // "1224": the tie shares rank 1 (listed by code), the next is 3, not 2.
    assert_eq!(
        standings(&view),
        json!([["07273", 1, 94.09, "submitted"], ["07294", 1, 94.09, "submitted"], ["07279", 3, 92.13, "submitted"],])
    );
    let first = entry(&view, "07273");
    assert_eq!(first["unit_name"], "Xã Đông Sơn");
    assert_eq!(first["band"], "excellent");
    // Nothing was reported in May: no previous rank, no change.
    assert_eq!(first["previous_rank"], Value::Null);
    assert_eq!(first["rank_change"], Value::Null);
    // Without `detail=criteria` there is no breakdown at all.
    assert!(first.get("criteria").is_none(), "{first}");
    assert_eq!(entry(&view, "07279")["band"], "excellent");

    // The province sees the same order, with Cao Xá (216) listed as missing after them.
    let province = app.token(Role::Province, Some("24"));
    let all = ranking(&app, &province, "24", "period=2024-06").await;
    assert_eq!(
        standings(&all),
        json!([
            ["07273", 1, 94.09, "submitted"],
            ["07294", 1, 94.09, "submitted"],
            ["07279", 3, 92.13, "submitted"],
            ["07312", null, null, "missing"],
        ])
    );
    assert_eq!(entry(&all, "07312")["band"], Value::Null);
    assert_eq!(
        (all["communes"].as_u64(), all["ranked"].as_u64(), all["missing"].as_u64()),
        (Some(4), Some(3), Some(1))
    );

    // Scores are compared at two decimals: Cao Xá's different figures give 94.0896, not BUSY's
    // 94.0882, yet both show as 94.09 and tie. All dossiers in time, 26.12 % of documents signed:
    // 100 − 8 × (1 − 0.2612) = 100 − 5.9104 = 94.0896 → 94.09. Three share rank 1, the next is 4.
    file(&app, "07312", "2024-06", &report(CLEAN, json!({"documents_digitally_signed_rate": 26.12}))).await;
    let all = ranking(&app, &province, "24", "period=2024-06").await;
    assert_eq!(
        standings(&all),
        json!([
            ["07273", 1, 94.09, "submitted"],
            ["07294", 1, 94.09, "submitted"],
            ["07312", 1, 94.09, "submitted"],
            ["07279", 4, 92.13, "submitted"],
        ])
    );
}

async fn a_province_ranks_across_its_districts_and_drafts_are_not_ranked(app: TestApp) {
    app.seed_units().await;
    // Đông Sơn (215) files the seed report (99.88); Cao Xá (216) files LATE (92.13); Hương Vĩ
    // only saves a draft that would score 100; Bố Hạ files nothing.
    file(&app, "07273", "2024-06", &seed_body()).await;
    file(&app, "07312", "2024-06", &report(LATE, json!({}))).await;
    draft(&app, "07279", "2024-06", &report(CLEAN, json!({}))).await;

    let province = app.token(Role::Province, Some("24"));
    let view = ranking(&app, &province, "24", "period=2024-06").await;
    assert_eq!(view["unit_name"], "Tỉnh Bắc Giang");
    assert_eq!(view["level"], "province");
    // Ranked first, then the unranked by code: the draft and the missing alike have no rank.
    assert_eq!(
        standings(&view),
        json!([
            ["07273", 1, 99.88, "submitted"],
            ["07312", 2, 92.13, "submitted"],
            ["07279", null, null, "draft"],
            ["07294", null, null, "missing"],
        ])
    );
    // `missing` counts the communes with nothing filed; the draft is neither ranked nor missing.
    assert_eq!(view["communes"], 4);
    assert_eq!(view["ranked"], 2);
    assert_eq!(view["missing"], 1);
    assert_eq!(entry(&view, "07279")["band"], Value::Null);
    assert_eq!(entry(&view, "07279")["unit_name"], "Xã Hương Vĩ");
    assert_eq!(entry(&view, "07312")["unit_name"], "Xã Cao Xá");

    // A district ranks its own communes only.
    let yen_the = app.token(Role::District, Some("215"));
    let own = ranking(&app, &yen_the, "215", "period=2024-06").await;
    assert_eq!(
        standings(&own),
        json!([["07273", 1, 99.88, "submitted"], ["07279", null, null, "draft"], ["07294", null, null, "missing"]])
    );
    assert_eq!(
        (own["communes"].as_u64(), own["ranked"].as_u64(), own["missing"].as_u64()),
        (Some(3), Some(1), Some(1))
    );
    // Not a sibling district, nor the province above it.
    app.get("/api/v1/units/216/rankings?period=2024-06", &yen_the).await.problem(403);
    app.get("/api/v1/units/24/rankings?period=2024-06", &yen_the).await.problem(403);
    // The province ranks either district.
    let tan_yen = ranking(&app, &province, "216", "period=2024-06").await;
    assert_eq!(standings(&tan_yen), json!([["07312", 1, 92.13, "submitted"]]));
    // A commune ranks itself only.
    let dong_son = app.token(Role::Commune, Some("07273"));
    let itself = ranking(&app, &dong_son, "07273", "period=2024-06").await;
    assert_eq!(itself["level"], "commune");
    assert_eq!(itself["communes"], 1);
    assert_eq!(standings(&itself), json!([["07273", 1, 99.88, "submitted"]]));
    app.get("/api/v1/units/215/rankings?period=2024-06", &dong_son).await.problem(403);
    app.get("/api/v1/units/07279/rankings?period=2024-06", &dong_son).await.problem(403);
    app.get("/api/v1/units/07312/rankings?period=2024-06", &yen_the).await.problem(403);

    // Once Hương Vĩ submits its draft, it is ranked — first, with full marks.
    file(&app, "07279", "2024-06", &report(CLEAN, json!({}))).await;
    let view = ranking(&app, &province, "24", "period=2024-06").await;
    assert_eq!(
        standings(&view),
        json!([
            ["07279", 1, 100.0, "submitted"],
            ["07273", 2, 99.88, "submitted"],
            ["07312", 3, 92.13, "submitted"],
            ["07294", null, null, "missing"],
        ])
    );
    assert_eq!((view["ranked"].as_u64(), view["missing"].as_u64()), (Some(3), Some(1)));
}

async fn a_resubmission_changes_the_ranking_in_the_next_request(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &report(LATE, json!({}))).await; // 92.13
    file(&app, "07279", "2024-06", &report(BUSY, json!({}))).await; // 94.09
    let yen_the = app.token(Role::District, Some("215"));
    let before = ranking(&app, &yen_the, "215", "period=2024-06").await;
    assert_eq!(
        standings(&before),
        json!([["07279", 1, 94.09, "submitted"], ["07273", 2, 92.13, "submitted"], ["07294", null, null, "missing"]])
    );

    // Đông Sơn corrects its report: every dossier now resolved in time (100.00).
    file(&app, "07273", "2024-06", &report(CLEAN, json!({}))).await;
    let after = ranking(&app, &yen_the, "215", "period=2024-06").await;
    assert_eq!(
        standings(&after),
        json!([["07273", 1, 100.0, "submitted"], ["07279", 2, 94.09, "submitted"], ["07294", null, null, "missing"]])
    );
    // Its own score card follows at once too.
    let card = app.get("/api/v1/communes/07273/scores?period=2024-06", &yen_the).await;
    assert_eq!(card.status, 200, "{}", card.text);
    assert_eq!(card.body["score"], json!(100.0));
    assert_eq!(card.body["rank"]["rank"], 1);

    // And back again: without the survey (−4) and ISO 9001 (−5) it falls to 100 − 9 = 91.00.
    file(
        &app,
        "07273",
        "2024-06",
        &report(CLEAN, json!({"satisfaction_survey_conducted": false, "iso_9001_applied": false})),
    )
    .await;
    let again = ranking(&app, &yen_the, "215", "period=2024-06").await;
    assert_eq!(
        standings(&again),
        json!([["07279", 1, 94.09, "submitted"], ["07273", 2, 91.0, "submitted"], ["07294", null, null, "missing"]])
    );
}

async fn rank_change_is_against_the_previous_month(app: TestApp) {
    app.seed_units().await;
    // May: Bố Hạ 99.88, Đông Sơn 94.09, Hương Vĩ 92.13.
    file(&app, "07294", "2024-05", &seed_body()).await;
    file(&app, "07273", "2024-05", &report(BUSY, json!({}))).await;
    file(&app, "07279", "2024-05", &report(LATE, json!({}))).await;
    // June: Hương Vĩ 99.88, Đông Sơn 94.09, Bố Hạ 92.13.
    file(&app, "07279", "2024-06", &seed_body()).await;
    file(&app, "07273", "2024-06", &report(BUSY, json!({}))).await;
    file(&app, "07294", "2024-06", &report(LATE, json!({}))).await;
    // July: only Đông Sơn.
    file(&app, "07273", "2024-07", &report(CLEAN, json!({}))).await;

    let admin = app.admin();
    let may = ranking(&app, &admin, "215", "period=2024-05").await;
    assert_eq!(
        standings(&may),
        json!([["07294", 1, 99.88, "submitted"], ["07273", 2, 94.09, "submitted"], ["07279", 3, 92.13, "submitted"]])
    );
    // Nothing in April to compare with.
    assert_eq!(changes(&may), json!([["07294", null, null], ["07273", null, null], ["07279", null, null]]));

    let june = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(
        standings(&june),
        json!([["07279", 1, 99.88, "submitted"], ["07273", 2, 94.09, "submitted"], ["07294", 3, 92.13, "submitted"]])
    );
    // rank_change = previous rank − rank: up two, unchanged, down two.
    assert_eq!(changes(&june), json!([["07279", 3, 2], ["07273", 2, 0], ["07294", 1, -2]]));

    let july = ranking(&app, &admin, "215", "period=2024-07").await;
    assert_eq!(
        standings(&july),
        json!([["07273", 1, 100.0, "submitted"], ["07279", null, null, "missing"], ["07294", null, null, "missing"]])
    );
    // The missing keep their June rank as previous_rank, but have no change.
    assert_eq!(changes(&july), json!([["07273", 2, 1], ["07279", 1, null], ["07294", 3, null]]));
}

async fn a_quarter_is_scored_from_its_summed_figures(app: TestApp) {
    app.seed_units().await;
    // Đông Sơn. March: 10 of 10 early → 100.00 (the only month of Q1).
    file(&app, "07273", "2024-03", &report([0, 10, 0, 10, 0, 0, 0, 0], json!({}))).await;
    // April: 5 of 10 overdue → progress 20 × 5/10 = 10 → 90.00.
    file(&app, "07273", "2024-04", &report([0, 10, 0, 5, 0, 5, 0, 0], json!({}))).await;
    // May and June: all early → 100.00 each.
    file(&app, "07273", "2024-05", &report([0, 90, 0, 90, 0, 0, 0, 0], json!({}))).await;
    file(&app, "07273", "2024-06", &report([0, 100, 0, 100, 0, 0, 0, 0], json!({}))).await;
    // The mean of its monthly scores would be (90 + 100 + 100) / 3 = 96.67. The quarter is scored
    // from its figures instead: 0 carried over (April's) + 200 online = 200 received; 195 early;
    // nothing pending at the end of June. progress 20 × 195/200 = 19.5; online 100 % → 10;
    // nothing pending → 2. 68 + 31.5 = 99.50.
    //
    // Hương Vĩ, April and May only (June missing): April 0 + 40 + 10 = 50 = (30 + 10) 40
    // resolved + 10 pending within the deadline → 100.00 (online 40/50 = 80 % is full marks);
    // May 10 + 40 + 10 = 60 = (50 + 10) 60 resolved → 100.00. The quarter: 0 + 80 + 20 = 100
    // received, 100 resolved early or on time, nothing pending at the end of May → 100.00.
    file(&app, "07279", "2024-04", &report([0, 40, 10, 30, 10, 0, 10, 0], json!({}))).await;
    file(&app, "07279", "2024-05", &report([10, 40, 10, 50, 10, 0, 0, 0], json!({}))).await;
    // Bố Hạ only drafts May: it counts for nothing.
    draft(&app, "07294", "2024-05", &report(CLEAN, json!({}))).await;

    let yen_the = app.token(Role::District, Some("215"));
    let q2 = ranking(&app, &yen_the, "215", "period=2024Q2").await;
    assert_eq!(q2["period"], "2024Q2");
    assert_eq!(q2["scheme"]["version"], 1);
    // Hương Vĩ is scored on the months it reported, marked partial, and ranked after every
    // commune that reported the whole quarter: its 100.00 does not outrank Đông Sơn's 99.50.
    assert_eq!(
        standings(&q2),
        json!([["07273", 1, 99.5, "submitted"], ["07279", 2, 100.0, "partial"], ["07294", null, null, "missing"]])
    );
    assert_eq!((q2["communes"].as_u64(), q2["ranked"].as_u64(), q2["missing"].as_u64()), (Some(3), Some(2), Some(1)));
    // The previous quarter: Đông Sơn alone, with March (partial), ranked 1.
    assert_eq!(changes(&q2), json!([["07273", 1, 0], ["07279", null, null], ["07294", null, null]]));
    let q1 = ranking(&app, &yen_the, "215", "period=2024Q1").await;
    assert_eq!(
        standings(&q1),
        json!([["07273", 1, 100.0, "partial"], ["07279", null, null, "missing"], ["07294", null, null, "missing"]])
    );

    // The breakdown shows the summed figures.
    let detailed = ranking(&app, &yen_the, "215", "period=2024Q2&detail=criteria").await;
    let criteria = entry(&detailed, "07273")["criteria"].as_array().expect("criteria").clone();
    assert_eq!(criteria.len(), 17);
    assert_eq!(
        criteria[0],
        criterion("procedures", "progress", json!(195.0), json!(200.0), json!(97.5), 19.5, 20.0, "scored")
    );
    assert_eq!(
        criteria[1],
        criterion("procedures", "online_share", json!(200.0), json!(200.0), json!(100.0), 10.0, 10.0, "scored")
    );
    // Nothing pending at the end of June: the zero denominator earns full marks.
    assert_eq!(
        criteria[2],
        criterion("procedures", "pending_overdue", json!(0.0), json!(0.0), Value::Null, 2.0, 2.0, "zero_denominator")
    );
    // The missing commune has no breakdown.
    assert!(entry(&detailed, "07294").get("criteria").is_none());

    // The monthly ranking of June, for contrast: Đông Sơn's June alone is 100.
    let june = ranking(&app, &yen_the, "215", "period=2024-06").await;
    assert_eq!(
        standings(&june),
        json!([["07273", 1, 100.0, "submitted"], ["07279", null, null, "missing"], ["07294", null, null, "missing"]])
    );

    // The first half: Đông Sơn's March to June (4 of 6 months): 0 + 210 online received,
    // 10 + 5 + 90 + 100 = 205 early; 20 × 205/210 = 19.5238 → 99.52. Hương Vĩ: as in Q2.
    let s1 = ranking(&app, &yen_the, "215", "period=2024S1").await;
    assert_eq!(
        standings(&s1),
        json!([["07279", 1, 100.0, "partial"], ["07273", 2, 99.52, "partial"], ["07294", null, null, "missing"]])
    );
    // And the year, the same figures.
    let year = ranking(&app, &yen_the, "215", "period=2024").await;
    assert_eq!(standings(&year), standings(&s1));

    // The commune's own score card for the quarter, and its history by quarter.
    let card = app.get("/api/v1/communes/07273/scores?period=2024Q2", &yen_the).await;
    assert_eq!(card.status, 200, "{}", card.text);
    let c = &card.body;
    assert_eq!(c["period"], "2024Q2");
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["score"], json!(99.5));
    assert_eq!(c["band"], "excellent");
    assert_eq!(c["rank"], json!({"unit_code": "215", "unit_name": "Huyện Yên Thế", "rank": 1, "of": 3}));
    assert_eq!(c["card"]["total"], json!(99.5));
    assert_eq!(c["card"]["criteria"][0]["numerator"], json!(195.0));
    let history = c["history"].as_array().expect("history");
    assert_eq!(history.len(), 12);
    assert_eq!(history[0]["period"], "2021Q3");
    assert_eq!(history[0]["status"], "missing");
    assert_eq!(history[10], json!({"period": "2024Q1", "status": "partial", "score": 100.0, "band": "excellent"}));
    assert_eq!(history[11], json!({"period": "2024Q2", "status": "submitted", "score": 99.5, "band": "excellent"}));
}

async fn detail_criteria_shows_each_criterion(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    // Hương Vĩ reports its dossiers only: 10 of 10 received online, all early. The three dossier
    // criteria earn 20 + 10 + 2; the fourteen others have no input and earn nothing → 32.00.
    file(&app, "07279", "2024-06", &dossier_report([0, 10, 0, 10, 0, 0, 0, 0])).await;
    draft(&app, "07294", "2024-06", &report(CLEAN, json!({}))).await;

    let admin = app.admin();
    let view = ranking(&app, &admin, "215", "period=2024-06&detail=criteria").await;
    assert_eq!(
        standings(&view),
        json!([["07273", 1, 99.88, "submitted"], ["07279", 2, 32.0, "submitted"], ["07294", null, null, "draft"]])
    );
    let seed = entry(&view, "07273");
    assert_eq!(seed["band"], "excellent");
    assert_eq!(seed["criteria"], seed_criteria());
    // The progress criterion of the seed: 167 of 168, 99.4 %, 19.88 of 20.
    assert_eq!(seed["criteria"][0]["numerator"], json!(167.0));
    assert_eq!(seed["criteria"][0]["denominator"], json!(168.0));
    assert_eq!(seed["criteria"][0]["ratio"], json!(99.4));
    assert_eq!(seed["criteria"][0]["score"], json!(19.88));
    assert_eq!(seed["criteria"][0]["max"], json!(20.0));

    let thin = entry(&view, "07279");
    assert_eq!(thin["band"], "weak");
    let criteria = thin["criteria"].as_array().expect("criteria");
    assert_eq!(criteria.len(), 17);
    assert_eq!(
        criteria[0],
        criterion("procedures", "progress", json!(10.0), json!(10.0), json!(100.0), 20.0, 20.0, "scored")
    );
    // Nothing pending: a zero denominator, which this criterion counts as full marks.
    assert_eq!(
        criteria[2],
        criterion("procedures", "pending_overdue", json!(0.0), json!(0.0), Value::Null, 2.0, 2.0, "zero_denominator")
    );
    // Not reported: no value, nothing earned.
    assert_eq!(
        criteria[3],
        criterion("procedures", "publicity", Value::Null, json!(1.0), Value::Null, 0.0, 4.0, "missing")
    );
    assert_eq!(
        criteria[8],
        criterion(
            "civil_service",
            "standard_civil_servants",
            Value::Null,
            Value::Null,
            Value::Null,
            0.0,
            8.0,
            "missing"
        )
    );
    assert_eq!(
        criteria[12],
        criterion(
            "digital_government",
            "digital_signatures",
            Value::Null,
            json!(100.0),
            Value::Null,
            0.0,
            8.0,
            "missing"
        )
    );
    let missing = criteria.iter().filter(|c| c["status"] == "missing").count();
    assert_eq!(missing, 14);
    // The draft has no breakdown.
    assert!(entry(&view, "07294").get("criteria").is_none());

    // `detail=none` (or empty) is the plain ranking; anything else is refused.
    for query in ["period=2024-06&detail=none", "period=2024-06&detail=", "period=2024-06"] {
        let plain = ranking(&app, &admin, "215", query).await;
        assert!(plain["entries"].as_array().unwrap().iter().all(|e| e.get("criteria").is_none()), "{query}");
        assert_eq!(standings(&plain), standings(&view), "{query}");
    }
    let bad = app.get("/api/v1/units/215/rankings?period=2024-06&detail=groups", &admin).await;
    assert!(bad.problem(400)["detail"].as_str().unwrap().contains("criteria"), "{}", bad.text);
}

async fn the_national_ranking_is_for_admins(app: TestApp) {
    app.seed_units().await;
    // A second province: Hà Nội, Quận Ba Đình, Phường Phúc Xá.
    app.create_unit("01", "Thành phố Hà Nội", None).await;
    app.create_unit("001", "Quận Ba Đình", Some("01")).await;
    app.create_unit("00001", "Phường Phúc Xá", Some("001")).await;
    file(&app, "07273", "2024-06", &seed_body()).await; // 99.88
    file(&app, "00001", "2024-06", &report(BUSY, json!({}))).await; // 94.09
    file(&app, "07312", "2024-06", &report(CLEAN, json!({}))).await; // 100.00

    let admin = app.admin();
    let r = app.get("/api/v1/rankings?period=2024-06", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let view = &r.body;
    assert_eq!(view["unit_code"], Value::Null);
    assert_eq!(view["unit_name"], "Toàn quốc");
    assert_eq!(view["level"], Value::Null);
    assert_eq!(view["communes"], 5);
    assert_eq!(view["ranked"], 3);
    assert_eq!(view["missing"], 2);
    assert_eq!(
        standings(view),
        json!([
            ["07312", 1, 100.0, "submitted"],
            ["07273", 2, 99.88, "submitted"],
            ["00001", 3, 94.09, "submitted"],
            ["07279", null, null, "missing"],
            ["07294", null, null, "missing"],
        ])
    );
    // With the breakdown too.
    let detailed = app.get("/api/v1/rankings?period=2024-06&detail=criteria", &admin).await;
    assert_eq!(detailed.status, 200, "{}", detailed.text);
    assert_eq!(entry(&detailed.body, "07273")["criteria"], seed_criteria());

    // Nobody else may see it.
    for token in [
        app.token(Role::Province, Some("24")),
        app.token(Role::District, Some("215")),
        app.token(Role::Commune, Some("07273")),
    ] {
        app.get("/api/v1/rankings?period=2024-06", &token).await.problem(403);
    }
    app.request(Method::GET, "/api/v1/rankings?period=2024-06", None, None).await.problem(401);
    // A province ranks its own communes, not the other province's.
    let province = app.token(Role::Province, Some("24"));
    let own = ranking(&app, &province, "24", "period=2024-06").await;
    assert_eq!(own["communes"], 4);
    assert!(own["entries"].as_array().unwrap().iter().all(|e| e["unit_code"] != "00001"));
    app.get("/api/v1/units/01/rankings?period=2024-06", &province).await.problem(403);
    // The national ranking checks its query like the others.
    app.get("/api/v1/rankings?period=2024-6", &admin).await.problem(400);
    app.get("/api/v1/rankings", &admin).await.problem(400);
    app.get("/api/v1/rankings?period=2024-06&scheme=nope", &admin).await.problem(404);
}

async fn rankings_refuse_bad_requests(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    // The period is required and must be a period.
    app.get("/api/v1/units/215/rankings", &admin).await.problem(400);
    for period in ["", "2024-13", "2024Q5", "2024S3", "24", "2024-6", "June"] {
        app.get(&format!("/api/v1/units/215/rankings?period={period}"), &admin).await.problem(400);
    }
    // Unknown schemes and versions are not found; a malformed version is a bad request.
    let p = app.get("/api/v1/units/215/rankings?period=2024-06&scheme=no-such-scheme", &admin).await;
    assert!(p.problem(404)["detail"].as_str().unwrap().contains("no-such-scheme"), "{}", p.text);
    app.get("/api/v1/units/215/rankings?period=2024-06&scheme=commune-par@2", &admin).await.problem(404);
    app.get("/api/v1/units/215/rankings?period=2024-06&scheme=commune-par@two", &admin).await.problem(400);
    // The built-in scheme by name, and by version, is the default.
    let default = ranking(&app, &admin, "215", "period=2024-06").await;
    for scheme in ["commune-par", "commune-par@1"] {
        let named = ranking(&app, &admin, "215", &format!("period=2024-06&scheme={scheme}")).await;
        assert_eq!(named, default, "{scheme}");
    }
    // Units: malformed, unknown.
    app.get("/api/v1/units/2150/rankings?period=2024-06", &admin).await.problem(400);
    app.get("/api/v1/units/99/rankings?period=2024-06", &admin).await.problem(404);
    // Unauthenticated.
    app.request(Method::GET, "/api/v1/units/215/rankings?period=2024-06", None, None).await.problem(401);
    // Nothing reported: every commune listed, none ranked.
    assert_eq!(
        standings(&default),
        json!([["07273", null, null, "missing"], ["07279", null, null, "missing"], ["07294", null, null, "missing"]])
    );
    assert_eq!((default["ranked"].as_u64(), default["missing"].as_u64()), (Some(0), Some(3)));
}

// ---------------------------------------------------------------------------------------------
// One commune's scores

async fn a_communes_scores_with_rank_and_history(app: TestApp) {
    app.seed_units().await;
    // Đông Sơn: April only drafted, May LATE (92.13), June the seed (99.88).
    draft(&app, "07273", "2024-04", &report(CLEAN, json!({}))).await;
    file(&app, "07273", "2024-05", &report(LATE, json!({}))).await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    // Hương Vĩ: June with full marks, ahead of Đông Sơn.
    file(&app, "07279", "2024-06", &report(CLEAN, json!({}))).await;

    let dong_son = app.token(Role::Commune, Some("07273"));
    let r = app.get("/api/v1/communes/07273/scores?period=2024-06", &dong_son).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = &r.body;
    assert_eq!(s["unit_code"], "07273");
    assert_eq!(s["unit_name"], "Xã Đông Sơn");
    assert_eq!(s["period"], "2024-06");
    assert_eq!(s["scheme"]["code"], "commune-par");
    assert_eq!(s["scheme"]["version"], 1);
    assert_eq!(s["scheme"]["max_score"], json!(100.0));
    assert_eq!(s["status"], "submitted");
    assert_eq!(s["score"], json!(99.88));
    assert_eq!(s["band"], "excellent");
    // Its own token is not told its rank among its siblings; its district is: second of
    // Huyện Yên Thế's three communes, behind Hương Vĩ's 100.
    assert_eq!(s["rank"], Value::Null);
    let by_district =
        app.get("/api/v1/communes/07273/scores?period=2024-06", &app.token(Role::District, Some("215"))).await;
    assert_eq!(by_district.body["rank"], json!({"unit_code": "215", "unit_name": "Huyện Yên Thế", "rank": 2, "of": 3}));
    let card = &s["card"];
    assert_eq!(card["total"], json!(99.88));
    assert_eq!(card["max"], json!(100.0));
    assert_eq!(card["band"], "excellent");
    assert_eq!(card["missing_criteria"], 0);
    // procedures: 19.88 + 10 + 2 + 4 + 4 = 39.88 of 40; every other group at full marks.
    assert_eq!(
        card["groups"],
        json!([
            {"code": "procedures", "score": 39.88, "max": 40.0},
            {"code": "direction", "score": 10.0, "max": 10.0},
            {"code": "civil_service", "score": 15.0, "max": 15.0},
            {"code": "public_finance", "score": 5.0, "max": 5.0},
            {"code": "digital_government", "score": 30.0, "max": 30.0},
        ])
    );
    assert_eq!(card["criteria"], seed_criteria());
    // Twelve months, oldest first, ending with June 2024.
    let history = s["history"].as_array().expect("history");
    assert_eq!(history.len(), 12);
    let periods: Vec<&str> = history.iter().map(|h| h["period"].as_str().unwrap()).collect();
    assert_eq!(
        periods,
        [
            "2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03",
            "2024-04", "2024-05", "2024-06"
        ]
    );
    for h in &history[..9] {
        assert_eq!(h, &json!({"period": h["period"], "status": "missing", "score": null, "band": null}));
    }
    assert_eq!(history[9], json!({"period": "2024-04", "status": "draft", "score": null, "band": null}));
    assert_eq!(history[10], json!({"period": "2024-05", "status": "submitted", "score": 92.13, "band": "excellent"}));
    assert_eq!(history[11], json!({"period": "2024-06", "status": "submitted", "score": 99.88, "band": "excellent"}));

    // A commune that did not report: no score, no card, no rank, but its place in the district.
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/communes/07294/scores?period=2024-06", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["unit_name"], "Thị trấn Bố Hạ");
    assert_eq!(r.body["status"], "missing");
    assert_eq!(r.body["score"], Value::Null);
    assert_eq!(r.body["band"], Value::Null);
    assert_eq!(r.body["card"], Value::Null);
    assert_eq!(r.body["rank"], json!({"unit_code": "215", "unit_name": "Huyện Yên Thế", "rank": null, "of": 3}));
    assert_eq!(r.body["history"].as_array().unwrap().len(), 12);

    // Cao Xá ranks among Huyện Tân Yên's one commune; the province may read it.
    file(&app, "07312", "2024-06", &report(LATE, json!({}))).await;
    let province = app.token(Role::Province, Some("24"));
    let r = app.get("/api/v1/communes/07312/scores?period=2024-06", &province).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["score"], json!(92.13));
    assert_eq!(r.body["rank"], json!({"unit_code": "216", "unit_name": "Huyện Tân Yên", "rank": 1, "of": 1}));

    // Scope and bad requests.
    app.get("/api/v1/communes/07312/scores?period=2024-06", &yen_the).await.problem(403);
    app.get("/api/v1/communes/07279/scores?period=2024-06", &dong_son).await.problem(403);
    app.get("/api/v1/communes/215/scores?period=2024-06", &yen_the).await.problem(400);
    app.get("/api/v1/communes/07273/scores?period=2024-13", &dong_son).await.problem(400);
    app.get("/api/v1/communes/07273/scores", &dong_son).await.problem(400);
    app.get("/api/v1/communes/07273/scores?period=2024-06&scheme=nope", &dong_son).await.problem(404);
    app.get("/api/v1/communes/09999/scores?period=2024-06", &app.admin()).await.problem(404);
}

async fn a_commune_created_mid_year_is_expected_from_its_first_month(app: TestApp) {
    app.seed_units().await;
    // Xã Tam Hiệp joins Huyện Yên Thế in March 2024.
    let tam_hiep = json!({"code": "07282", "name": "Xã Tam Hiệp", "level": "commune", "parent_code": "215", "valid_from": "2024-03"});
    let r = app.post("/api/v1/units", &app.admin(), &tam_hiep).await;
    assert_eq!(r.status, 201, "{}", r.text);
    file(&app, "07282", "2024-03", &report(CLEAN, json!({}))).await;
    file(&app, "07273", "2024-03", &report(BUSY, json!({}))).await;
    file(&app, "07273", "2024-02", &report(BUSY, json!({}))).await;

    let yen_the = app.token(Role::District, Some("215"));
    // February: three communes; March: four, Tam Hiệp first with 100.
    let feb = ranking(&app, &yen_the, "215", "period=2024-02").await;
    assert_eq!(feb["communes"], 3);
    assert!(feb["entries"].as_array().unwrap().iter().all(|e| e["unit_code"] != "07282"));
    let march = ranking(&app, &yen_the, "215", "period=2024-03").await;
    assert_eq!(march["communes"], 4);
    assert_eq!(
        standings(&march),
        json!([
            ["07282", 1, 100.0, "submitted"],
            ["07273", 2, 94.09, "submitted"],
            ["07279", null, null, "missing"],
            ["07294", null, null, "missing"],
        ])
    );
    // Đông Sơn was first in February, second now; Tam Hiệp has no previous rank.
    assert_eq!(entry(&march, "07273")["previous_rank"], 1);
    assert_eq!(entry(&march, "07273")["rank_change"], -1);
    assert_eq!(entry(&march, "07282")["previous_rank"], Value::Null);
    assert_eq!(entry(&march, "07282")["rank_change"], Value::Null);

    // Its history before March: it did not exist.
    let r = app.get("/api/v1/communes/07282/scores?period=2024-03", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rank"], json!({"unit_code": "215", "unit_name": "Huyện Yên Thế", "rank": 1, "of": 4}));
    let history = r.body["history"].as_array().expect("history");
    assert_eq!(history.len(), 12);
    assert_eq!(history[0], json!({"period": "2023-04", "status": "not_existing", "score": null, "band": null}));
    assert_eq!(history[10], json!({"period": "2024-02", "status": "not_existing", "score": null, "band": null}));
    assert_eq!(history[11], json!({"period": "2024-03", "status": "submitted", "score": 100.0, "band": "excellent"}));

    // Completeness of the first quarter: 3 + 3 + 4 = 10 reports expected, 3 reported.
    let r = app.get("/api/v1/units/215/completeness?period=2024Q1", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expected"], 10);
    assert_eq!(r.body["reported"], 3);
    assert_eq!(r.body["missing_count"], 7);
    assert_eq!(r.body["completeness_rate"], json!(30.0));
    let early: Vec<&Value> =
        r.body["missing"].as_array().unwrap().iter().filter(|m| m["unit_code"] == "07282").collect();
    assert!(early.is_empty(), "Tam Hiệp is not expected before March: {early:?}");
    // The quarter ranks the communes of March's tree: Tam Hiệp's March alone (partial) is 100.
    let q1 = ranking(&app, &yen_the, "215", "period=2024Q1").await;
    assert_eq!(q1["communes"], 4);
    assert_eq!(entry(&q1, "07282")["status"], "partial");
    assert_eq!(entry(&q1, "07282")["rank"], 1);
}

// ---------------------------------------------------------------------------------------------
// Completeness

async fn completeness_counts_reported_late_and_missing(app: TestApp) {
    app.seed_units().await;
    // June 2024: Đông Sơn submits, Hương Vĩ drafts, Bố Hạ files nothing; Cao Xá (216) submits.
    file(&app, "07273", "2024-06", &seed_body()).await;
    draft(&app, "07279", "2024-06", &report(CLEAN, json!({}))).await;
    file(&app, "07312", "2024-06", &report(CLEAN, json!({}))).await;
    // Đông Sơn also April and May.
    file(&app, "07273", "2024-04", &report(CLEAN, json!({}))).await;
    file(&app, "07273", "2024-05", &report(CLEAN, json!({}))).await;

    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/units/215/completeness?period=2024-06", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let dong_son = app.get("/api/v1/communes/07273/reports/2024-06", &yen_the).await;
    // Filed today, long after Monday 17 June 2024 (the 16th was a Sunday): every report counted is late, and named.
    assert_eq!(
        r.body,
        json!({
            "unit_code": "215",
            "unit_name": "Huyện Yên Thế",
            "period": "2024-06",
            "due_date": "2024-06-17",
            "expected": 3,
            "reported": 1,
            "on_time": 0,
            "late": 1,
            "missing_count": 2,
            "completeness_rate": 33.33, // 1 / 3
            "timeliness_rate": 0.0,
            "missing": [
                {"unit_code": "07279", "unit_name": "Xã Hương Vĩ", "period": "2024-06", "status": "draft", "due_date": "2024-06-17"},
                {"unit_code": "07294", "unit_name": "Thị trấn Bố Hạ", "period": "2024-06", "status": "missing", "due_date": "2024-06-17"},
            ],
            "late_reports": [
                {"unit_code": "07273", "unit_name": "Xã Đông Sơn", "period": "2024-06", "due_date": "2024-06-17",
                 "submitted_at": dong_son.body["submitted_at"]},
            ],
        })
    );

    // The province over the quarter: 4 communes × 3 months = 12 expected; Đông Sơn's three and
    // Cao Xá's June are reported (4 of 12 = 33.33 %). Missing month by month, communes by code.
    let province = app.token(Role::Province, Some("24"));
    let r = app.get("/api/v1/units/24/completeness?period=2024Q2", &province).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = &r.body;
    assert_eq!(c["unit_name"], "Tỉnh Bắc Giang");
    assert_eq!(c["period"], "2024Q2");
    assert_eq!(c["due_date"], Value::Null);
    assert_eq!(c["expected"], 12);
    assert_eq!(c["reported"], 4);
    assert_eq!(c["on_time"], 0);
    assert_eq!(c["late"], 4);
    assert_eq!(c["missing_count"], 8);
    assert_eq!(c["completeness_rate"], json!(33.33));
    assert_eq!(c["timeliness_rate"], json!(0.0));
    let missing: Vec<(String, String, String, String)> = c["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (s("period"), s("unit_code"), s("status"), s("due_date"))
        })
        .collect();
    let row = |p: &str, u: &str, s: &str, d: &str| (p.to_owned(), u.to_owned(), s.to_owned(), d.to_owned());
    assert_eq!(
        missing,
        vec![
            row("2024-04", "07279", "missing", "2024-04-16"),
            row("2024-04", "07294", "missing", "2024-04-16"),
            row("2024-04", "07312", "missing", "2024-04-16"),
            row("2024-05", "07279", "missing", "2024-05-16"),
            row("2024-05", "07294", "missing", "2024-05-16"),
            row("2024-05", "07312", "missing", "2024-05-16"),
            row("2024-06", "07279", "draft", "2024-06-17"),
            row("2024-06", "07294", "missing", "2024-06-17"),
        ]
    );

    // One commune: itself.
    let dong_son = app.token(Role::Commune, Some("07273"));
    let r = app.get("/api/v1/units/07273/completeness?period=2024Q2", &dong_son).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((r.body["expected"].as_u64(), r.body["reported"].as_u64()), (Some(3), Some(3)));
    assert_eq!(r.body["completeness_rate"], json!(100.0));
    assert_eq!(r.body["missing"], json!([]));

    // Once Hương Vĩ submits, June is complete but for Bố Hạ.
    file(&app, "07279", "2024-06", &report(CLEAN, json!({}))).await;
    let r = app.get("/api/v1/units/215/completeness?period=2024-06", &yen_the).await;
    assert_eq!((r.body["reported"].as_u64(), r.body["late"].as_u64()), (Some(2), Some(2)));
    assert_eq!(r.body["completeness_rate"], json!(66.67));
    assert_eq!(r.body["missing"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["missing"][0]["unit_code"], "07294");

    // Scope and bad requests.
    app.get("/api/v1/units/216/completeness?period=2024-06", &yen_the).await.problem(403);
    app.get("/api/v1/units/215/completeness?period=2024-06", &dong_son).await.problem(403);
    app.get("/api/v1/units/215/completeness?period=2024-6", &yen_the).await.problem(400);
    app.get("/api/v1/units/215/completeness", &yen_the).await.problem(400);
    app.get("/api/v1/units/99/completeness?period=2024-06", &app.admin()).await.problem(404);
}

backend_tests!(
    identical_figures_share_a_rank_and_the_next_is_skipped,
    a_province_ranks_across_its_districts_and_drafts_are_not_ranked,
    a_resubmission_changes_the_ranking_in_the_next_request,
    rank_change_is_against_the_previous_month,
    a_quarter_is_scored_from_its_summed_figures,
    detail_criteria_shows_each_criterion,
    the_national_ranking_is_for_admins,
    rankings_refuse_bad_requests,
    a_communes_scores_with_rank_and_history,
    a_commune_created_mid_year_is_expected_from_its_first_month,
    completeness_counts_reported_late_and_missing,
);
