//! Aggregates over the communes below a unit, checked against totals worked out by hand:
//! counts are summed, derived rates recomputed from summed numerators and denominators (never
//! averaged), reported rates are a labelled plain mean, yes/no is the share answering yes.
//! Longer periods roll each commune's months up first; drafts never count.

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{Reply, TestApp, backend_tests};

/// The eight Biểu 06 dossier figures, in the order of the form:
/// carried over, received online, received direct, resolved early, on time, overdue,
/// pending within the deadline, pending overdue.
fn dossiers(v: [i64; 8]) -> Value {
    json!({
        "dossiers_carried_over": v[0],
        "dossiers_received_online": v[1],
        "dossiers_received_direct": v[2],
        "dossiers_resolved_early": v[3],
        "dossiers_resolved_on_time": v[4],
        "dossiers_resolved_overdue": v[5],
        "dossiers_pending_within_deadline": v[6],
        "dossiers_pending_overdue": v[7],
    })
}

/// A report body: the dossier figures plus `extra` values.
fn report(figures: [i64; 8], extra: Value) -> Value {
    // carried + online + direct must equal resolved + pending, or the report is refused.
    let received = figures[0] + figures[1] + figures[2];
    let settled = figures[3..].iter().sum::<i64>();
    assert_eq!(received, settled, "a test report must be identity-consistent: {figures:?}");
    let mut values = dossiers(figures);
    for (k, v) in extra.as_object().expect("extra values are an object") {
        values[k] = v.clone();
    }
    json!({"values": values, "narrative": {"results": "Báo cáo kiểm thử."}})
}

async fn file(app: &TestApp, commune: &str, period: &str, body: &Value) {
    let r = app.file(commune, period, body).await;
    assert!(r.status == 201 || r.status == 200, "filing {commune} {period}: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], "submitted");
}

async fn draft(app: &TestApp, commune: &str, period: &str, body: &Value) {
    let token = app.token(Role::Commune, Some(commune));
    let r = app.put(&format!("/api/v1/communes/{commune}/reports/{period}?draft=true"), &token, body).await;
    assert!(r.status == 201 || r.status == 200, "drafting {commune} {period}: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], "draft");
}

async fn aggregate(app: &TestApp, token: &str, unit: &str, period: &str) -> Value {
    let r = app.get(&format!("/api/v1/units/{unit}/aggregates?period={period}"), token).await;
    assert_eq!(r.status, 200, "aggregates of {unit} for {period}: {}", r.text);
    r.body
}

/// Asserts one indicator's aggregate: value, rule, reporting units and (for yes/no) the yes count.
#[track_caller]
fn assert_indicator(agg: &Value, code: &str, value: Value, rule: &str, reporting_units: u64, yes: Option<u64>) {
    let ind = &agg["indicators"][code];
    assert!(ind.is_object(), "indicator {code} is missing: {}", agg["indicators"]);
    assert_eq!(ind["value"], value, "{code}: {ind}");
    assert_eq!(ind["rule"], rule, "{code}: {ind}");
    assert_eq!(ind["reporting_units"], reporting_units, "{code}: {ind}");
    match yes {
        Some(y) => assert_eq!(ind["yes"], y, "{code}: {ind}"),
        None => assert!(ind.get("yes").is_none(), "{code} is not yes/no: {ind}"),
    }
}

/// Đông Sơn, Hương Vĩ and Bố Hạ (Huyện Yên Thế) for 2024-06, and Cao Xá (Huyện Tân Yên).
async fn file_june(app: &TestApp) {
    // Đông Sơn: 0 + 168 + 0 = 168 received = (132 + 33 + 1) 166 resolved + (2 + 0) 2 pending.
    // Its own on-time rate is 165/166 = 99.40 %.
    let dong_son = report(
        [0, 168, 0, 132, 33, 1, 2, 0],
        json!({
            "legal_documents_issued": 2, "training_courses_attended": 1, "staff_total": 20, "computers": 20,
            "edocs_incoming_rate": 99, "documents_digitally_signed_rate": 100,
            "iso_9001_applied": true, "satisfaction_survey_conducted": true,
            "one_stop_allowance_vnd": 250000, "one_stop_room_area_m2": 40,
        }),
    );
    // Hương Vĩ: 4 + 50 + 50 = 104 received = (40 + 40 + 20) 100 resolved + (3 + 1) 4 pending.
    // Its own on-time rate is 80/100 = 80 %.
    let huong_vi = report(
        [4, 50, 50, 40, 40, 20, 3, 1],
        json!({
            "legal_documents_issued": 0, "staff_total": 18, "computers": 15,
            "edocs_incoming_rate": 80, "documents_digitally_signed_rate": 90,
            "iso_9001_applied": false, "satisfaction_survey_conducted": false,
            "one_stop_allowance_vnd": 200000, "one_stop_room_area_m2": 25.5,
        }),
    );
    // Bố Hạ: 1 + 9 + 1 = 11 received = (5 + 5 + 0) 10 resolved + (1 + 0) 1 pending; on time 100 %.
    // It reports neither legal documents, nor edocs_incoming_rate, nor a survey, nor an allowance.
    let bo_ha = report(
        [1, 9, 1, 5, 5, 0, 1, 0],
        json!({
            "staff_total": 15, "computers": 12, "documents_digitally_signed_rate": 95,
            "iso_9001_applied": true, "one_stop_room_area_m2": 30,
        }),
    );
    // Cao Xá (other district): 1000 online, all resolved early.
    let cao_xa = report(
        [0, 1000, 0, 1000, 0, 0, 0, 0],
        json!({"staff_total": 10, "edocs_incoming_rate": 10, "iso_9001_applied": false}),
    );
    file(app, "07273", "2024-06", &dong_son).await;
    file(app, "07279", "2024-06", &huong_vi).await;
    file(app, "07294", "2024-06", &bo_ha).await;
    file(app, "07312", "2024-06", &cao_xa).await;
}

async fn three_communes_add_up_to_hand_computed_totals(app: TestApp) {
    app.seed_units().await;
    file_june(&app).await;
    // Read as Huyện Yên Thế's own officer.
    let yen_the = app.token(Role::District, Some("215"));
    let agg = aggregate(&app, &yen_the, "215", "2024-06").await;

    assert_eq!(agg["unit_code"], "215");
    assert_eq!(agg["unit_name"], "Huyện Yên Thế");
    assert_eq!(agg["level"], "district");
    assert_eq!(agg["period"], "2024-06");
    assert_eq!(agg["communes_expected"], 3);
    assert_eq!(agg["communes_reported"], 3);
    assert_eq!(agg["reports_expected"], 3);
    assert_eq!(agg["reports_counted"], 3, "Cao Xá is in another district");

    // Counts are summed over the communes that reported them.
    assert_indicator(&agg, "dossiers_carried_over", json!(5), "sum", 3, None); // 0 + 4 + 1
    assert_indicator(&agg, "dossiers_received_online", json!(227), "sum", 3, None); // 168 + 50 + 9
    assert_indicator(&agg, "dossiers_received_direct", json!(51), "sum", 3, None); // 0 + 50 + 1
    assert_indicator(&agg, "dossiers_resolved_early", json!(177), "sum", 3, None); // 132 + 40 + 5
    assert_indicator(&agg, "dossiers_resolved_on_time", json!(78), "sum", 3, None); // 33 + 40 + 5
    assert_indicator(&agg, "dossiers_resolved_overdue", json!(21), "sum", 3, None); // 1 + 20 + 0
    assert_indicator(&agg, "dossiers_pending_within_deadline", json!(6), "sum", 3, None); // 2 + 3 + 1
    assert_indicator(&agg, "dossiers_pending_overdue", json!(1), "sum", 3, None); // 0 + 1 + 0
    // Totals no commune reported are filled in from each commune's parts before summing.
    assert_indicator(&agg, "dossiers_received_total", json!(283), "sum", 3, None); // 168 + 104 + 11
    assert_indicator(&agg, "dossiers_resolved_total", json!(276), "sum", 3, None); // 166 + 100 + 10
    assert_indicator(&agg, "dossiers_pending_total", json!(7), "sum", 3, None); // 2 + 4 + 1
    assert_indicator(&agg, "staff_total", json!(53), "sum", 3, None); // 20 + 18 + 15
    assert_indicator(&agg, "computers", json!(47), "sum", 3, None); // 20 + 15 + 12
    // Bố Hạ did not report these: they are summed over the two that did.
    assert_indicator(&agg, "legal_documents_issued", json!(2), "sum", 2, None); // 2 + 0
    assert_indicator(&agg, "training_courses_attended", json!(1), "sum", 1, None);

    // Reported rates: the plain mean over the communes that reported them.
    assert_indicator(&agg, "edocs_incoming_rate", json!(89.5), "mean_of_reported", 2, None); // (99 + 80) / 2
    assert_indicator(&agg, "documents_digitally_signed_rate", json!(95.0), "mean_of_reported", 3, None); // (100 + 90 + 95) / 3
    // Amounts and areas reported per commune are means too.
    assert_indicator(&agg, "one_stop_allowance_vnd", json!(225000.0), "mean_of_reported", 2, None); // (250000 + 200000) / 2
    assert_indicator(&agg, "one_stop_room_area_m2", json!(31.83), "mean_of_reported", 3, None); // 95.5 / 3 = 31.833

    // Yes/no: the share answering yes, in percent, with the count of yes.
    assert_indicator(&agg, "iso_9001_applied", json!(66.67), "share_yes", 3, Some(2)); // 2 of 3
    assert_indicator(&agg, "satisfaction_survey_conducted", json!(50.0), "share_yes", 2, Some(1)); // 1 of 2

    // Not reported by anyone: absent, not zero.
    assert!(agg["indicators"].get("civil_servants").is_none(), "{}", agg["indicators"]);
    assert!(agg["indicators"].get("regulation_feedback_received").is_none());

    // Derived figures, recomputed from the sums.
    let d = &agg["derived"];
    assert_eq!(d["dossiers_received_new"], json!(278)); // 227 + 51
    assert_eq!(d["dossiers_received_total"], json!(283)); // 5 + 227 + 51
    assert_eq!(d["dossiers_resolved_total"], json!(276)); // 177 + 78 + 21
    assert_eq!(d["dossiers_pending_total"], json!(7)); // 6 + 1
    // (177 + 78) / 276 = 255 / 276 = 92.391 %. Averaging the communes' own rates would give
    // (99.40 + 80 + 100) / 3 = 93.13 %: that is not the district's rate.
    assert_eq!(d["resolved_on_time_rate"], json!(92.39));
    // 227 / 278 = 81.655 %.
    assert_eq!(d["online_rate"], json!(81.65));
    // (177 + 78 + 6) / 283 = 261 / 283 = 92.226 %.
    assert_eq!(d["progress_rate"], json!(92.23));
    // No civil-servant figures were reported, so their rates are unknown, not zero.
    assert_eq!(d["civil_servants_standard_rate"], Value::Null);

    // The same aggregate as the province, as an admin: identical.
    let province = app.token(Role::Province, Some("24"));
    let as_province = aggregate(&app, &province, "215", "2024-06").await;
    assert_eq!(as_province, agg);
    assert_eq!(aggregate(&app, &app.admin(), "215", "2024-06").await, agg);
}

async fn the_province_adds_both_districts(app: TestApp) {
    app.seed_units().await;
    file_june(&app).await;
    let province = app.token(Role::Province, Some("24"));
    let agg = aggregate(&app, &province, "24", "2024-06").await;
    assert_eq!(agg["unit_name"], "Tỉnh Bắc Giang");
    assert_eq!(agg["level"], "province");
    assert_eq!(agg["communes_expected"], 4);
    assert_eq!(agg["communes_reported"], 4);
    assert_eq!(agg["reports_counted"], 4);
    assert_indicator(&agg, "dossiers_received_online", json!(1227), "sum", 4, None); // 227 + 1000
    assert_indicator(&agg, "dossiers_received_total", json!(1283), "sum", 4, None); // 283 + 1000
    assert_indicator(&agg, "staff_total", json!(63), "sum", 4, None); // 53 + 10
    // (99 + 80 + 10) / 3 = 63: Cao Xá's 10 % weighs as much as Đông Sơn's 99 %.
    assert_indicator(&agg, "edocs_incoming_rate", json!(63.0), "mean_of_reported", 3, None);
    assert_indicator(&agg, "iso_9001_applied", json!(50.0), "share_yes", 4, Some(2)); // 2 of 4
    let d = &agg["derived"];
    assert_eq!(d["dossiers_received_total"], json!(1283));
    // (255 + 1000) / (276 + 1000) = 1255 / 1276 = 98.354 %.
    assert_eq!(d["resolved_on_time_rate"], json!(98.35));
    // 1227 / (278 + 1000) = 96.009 %.
    assert_eq!(d["online_rate"], json!(96.01));
    // (261 + 1000) / 1283 = 98.285 %.
    assert_eq!(d["progress_rate"], json!(98.29));

    // Tân Yên alone: Cao Xá's figures, and its reported rate as it stands.
    let tan_yen = aggregate(&app, &province, "216", "2024-06").await;
    assert_eq!(tan_yen["communes_expected"], 1);
    assert_eq!(tan_yen["communes_reported"], 1);
    assert_eq!(tan_yen["derived"]["dossiers_received_total"], json!(1000));
    assert_eq!(tan_yen["derived"]["resolved_on_time_rate"], json!(100.0));
    assert_eq!(tan_yen["derived"]["online_rate"], json!(100.0));
    assert_indicator(&tan_yen, "edocs_incoming_rate", json!(10.0), "mean_of_reported", 1, None);
    assert_indicator(&tan_yen, "iso_9001_applied", json!(0.0), "share_yes", 1, Some(0));

    // One commune as its own unit, read by the commune itself: its own report's figures.
    let dong_son = app.token(Role::Commune, Some("07273"));
    let one = aggregate(&app, &dong_son, "07273", "2024-06").await;
    assert_eq!(one["level"], "commune");
    assert_eq!(one["unit_name"], "Xã Đông Sơn");
    assert_eq!(one["communes_expected"], 1);
    assert_eq!(one["communes_reported"], 1);
    assert_eq!(one["derived"]["dossiers_received_total"], json!(168));
    assert_eq!(one["derived"]["resolved_on_time_rate"], json!(99.4)); // 165 / 166
    assert_eq!(one["derived"]["online_rate"], json!(100.0));
    // It agrees with the report's own derived figures.
    let r = app.get("/api/v1/communes/07273/reports/2024-06", &dong_son).await;
    assert_eq!(r.body["derived"], one["derived"]);
}

async fn drafts_never_count(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    // Đông Sơn submits; Hương Vĩ only saves a draft, with figures that would stand out.
    file(
        &app,
        "07273",
        "2024-06",
        &report([0, 168, 0, 132, 33, 1, 2, 0], json!({"iso_9001_applied": true, "edocs_incoming_rate": 99})),
    )
    .await;
    let huong_vi =
        report([0, 500, 500, 0, 0, 1000, 0, 0], json!({"iso_9001_applied": false, "edocs_incoming_rate": 1}));
    draft(&app, "07279", "2024-06", &huong_vi).await;

    let agg = aggregate(&app, &admin, "215", "2024-06").await;
    assert_eq!(agg["communes_expected"], 3);
    assert_eq!(agg["communes_reported"], 1);
    assert_eq!(agg["reports_expected"], 3);
    assert_eq!(agg["reports_counted"], 1);
    assert_indicator(&agg, "dossiers_received_online", json!(168), "sum", 1, None);
    assert_indicator(&agg, "edocs_incoming_rate", json!(99.0), "mean_of_reported", 1, None);
    assert_indicator(&agg, "iso_9001_applied", json!(100.0), "share_yes", 1, Some(1));
    assert_eq!(agg["derived"]["dossiers_received_total"], json!(168));
    assert_eq!(agg["derived"]["resolved_on_time_rate"], json!(99.4));
    // The district does not see the draft either.
    let yen_the = app.token(Role::District, Some("215"));
    app.get("/api/v1/communes/07279/reports/2024-06", &yen_the).await.problem(404);
    assert_eq!(aggregate(&app, &yen_the, "215", "2024-06").await, agg);
    // A commune with only a draft has nothing to aggregate.
    let only_draft = aggregate(&app, &admin, "07279", "2024-06").await;
    assert_eq!(only_draft["communes_reported"], 0);
    assert_eq!(only_draft["reports_counted"], 0);
    assert_eq!(only_draft["indicators"], json!({}));
    assert_eq!(only_draft["derived"]["resolved_on_time_rate"], Value::Null);
    assert_eq!(only_draft["derived"]["dossiers_received_total"], Value::Null);

    // Once Hương Vĩ submits, it counts: 500 online + 500 direct, all 1000 resolved overdue.
    file(&app, "07279", "2024-06", &huong_vi).await;
    let agg = aggregate(&app, &admin, "215", "2024-06").await;
    assert_eq!(agg["communes_reported"], 2);
    assert_eq!(agg["reports_counted"], 2);
    assert_indicator(&agg, "dossiers_received_online", json!(668), "sum", 2, None); // 168 + 500
    assert_eq!(agg["derived"]["dossiers_received_total"], json!(1168)); // 168 + 1000
    // (132 + 33) / (166 + 1000) = 165 / 1166 = 14.15 %.
    assert_eq!(agg["derived"]["resolved_on_time_rate"], json!(14.15));
    assert_indicator(&agg, "iso_9001_applied", json!(50.0), "share_yes", 2, Some(1));
}

async fn a_quarter_rolls_up_a_communes_months(app: TestApp) {
    app.seed_units().await;
    // Đông Sơn, March to June 2024. Each month: carried over + online + direct = resolved +
    // pending, and each month's carried-over figure is the previous month's pending.
    //            carried online direct early on_time overdue within p_overdue
    let march = report(
        [7, 6, 0, 9, 1, 0, 3, 0],
        json!({"staff_total": 18, "edocs_incoming_rate": 85, "satisfaction_survey_conducted": false, "iso_9001_applied": false}),
    );
    let april = report(
        [3, 10, 0, 8, 3, 0, 2, 0],
        json!({"staff_total": 19, "edocs_incoming_rate": 90, "satisfaction_survey_conducted": false, "iso_9001_applied": true}),
    );
    let may = report(
        [2, 20, 2, 20, 4, 0, 0, 0],
        json!({"staff_total": 20, "edocs_incoming_rate": 96, "satisfaction_survey_conducted": true, "iso_9001_applied": true}),
    );
    let june = report(
        [0, 30, 5, 25, 5, 2, 2, 1],
        json!({"staff_total": 21, "edocs_incoming_rate": 99, "satisfaction_survey_conducted": false, "iso_9001_applied": false}),
    );
    for (period, body) in [("2024-03", &march), ("2024-04", &april), ("2024-05", &may), ("2024-06", &june)] {
        file(&app, "07273", period, body).await;
    }
    // Noise that must not count in 2024Q2: a draft of Hương Vĩ inside the quarter, and a
    // submitted report of Hương Vĩ just after it.
    draft(&app, "07279", "2024-05", &report([0, 900, 0, 900, 0, 0, 0, 0], json!({"staff_total": 99}))).await;
    file(&app, "07279", "2024-07", &report([0, 800, 0, 800, 0, 0, 0, 0], json!({"staff_total": 98}))).await;

    let yen_the = app.token(Role::District, Some("215"));
    let q2 = aggregate(&app, &yen_the, "215", "2024Q2").await;
    assert_eq!(q2["period"], "2024Q2");
    assert_eq!(q2["communes_expected"], 3);
    assert_eq!(q2["communes_reported"], 1);
    assert_eq!(q2["reports_expected"], 9); // 3 communes × 3 months
    assert_eq!(q2["reports_counted"], 3); // April, May, June of Đông Sơn
    // Carried over: April's, the first month of the quarter (not March's 7, not 3 + 2 + 0).
    assert_indicator(&q2, "dossiers_carried_over", json!(3), "sum", 1, None);
    // Flows are summed over the months.
    assert_indicator(&q2, "dossiers_received_online", json!(60), "sum", 1, None); // 10 + 20 + 30
    assert_indicator(&q2, "dossiers_received_direct", json!(7), "sum", 1, None); // 0 + 2 + 5
    assert_indicator(&q2, "dossiers_resolved_early", json!(53), "sum", 1, None); // 8 + 20 + 25
    assert_indicator(&q2, "dossiers_resolved_on_time", json!(12), "sum", 1, None); // 3 + 4 + 5
    assert_indicator(&q2, "dossiers_resolved_overdue", json!(2), "sum", 1, None); // 0 + 0 + 2
    // Stocks are June's.
    assert_indicator(&q2, "dossiers_pending_within_deadline", json!(2), "sum", 1, None);
    assert_indicator(&q2, "dossiers_pending_overdue", json!(1), "sum", 1, None);
    assert_indicator(&q2, "staff_total", json!(21), "sum", 1, None);
    // Reported rates: the mean over the months, (90 + 96 + 99) / 3.
    assert_indicator(&q2, "edocs_incoming_rate", json!(95.0), "mean_of_reported", 1, None);
    // An event: held in some month of the quarter (May).
    assert_indicator(&q2, "satisfaction_survey_conducted", json!(100.0), "share_yes", 1, Some(1));
    // A state: as in June.
    assert_indicator(&q2, "iso_9001_applied", json!(0.0), "share_yes", 1, Some(0));
    let d = &q2["derived"];
    // 3 carried over + 60 online + 7 direct = 70 = 67 resolved + 3 pending.
    assert_eq!(d["dossiers_received_new"], json!(67));
    assert_eq!(d["dossiers_received_total"], json!(70));
    assert_eq!(d["dossiers_resolved_total"], json!(67)); // 53 + 12 + 2
    assert_eq!(d["dossiers_pending_total"], json!(3)); // 2 + 1
    assert_indicator(&q2, "dossiers_received_total", json!(70), "sum", 1, None);
    assert_indicator(&q2, "dossiers_resolved_total", json!(67), "sum", 1, None);
    assert_indicator(&q2, "dossiers_pending_total", json!(3), "sum", 1, None);
    // (53 + 12) / 67 = 97.015 %; 60 / 67 = 89.552 %; (53 + 12 + 2) / 70 = 95.714 %.
    assert_eq!(d["resolved_on_time_rate"], json!(97.01));
    assert_eq!(d["online_rate"], json!(89.55));
    assert_eq!(d["progress_rate"], json!(95.71));

    // The commune's own view of the quarter is the same roll-up.
    let dong_son = app.token(Role::Commune, Some("07273"));
    let own = aggregate(&app, &dong_son, "07273", "2024Q2").await;
    assert_eq!(own["derived"], q2["derived"]);
    assert_eq!(own["indicators"], q2["indicators"]);
    assert_eq!(own["reports_expected"], 3);

    // The year, and its first half: March to June, carried over from March.
    // 7 + (6 + 60) + (0 + 7) = 80 received = (9 + 53) + (1 + 12) + (0 + 2) = 77 resolved + 3 pending.
    for (period, expected) in [("2024", 12), ("2024S1", 6)] {
        let y = aggregate(&app, &dong_son, "07273", period).await;
        assert_eq!(y["reports_expected"], expected, "{period}");
        assert_eq!(y["reports_counted"], 4, "{period}");
        assert_indicator(&y, "dossiers_carried_over", json!(7), "sum", 1, None);
        assert_indicator(&y, "dossiers_received_online", json!(66), "sum", 1, None);
        assert_indicator(&y, "staff_total", json!(21), "sum", 1, None);
        // (85 + 90 + 96 + 99) / 4
        assert_indicator(&y, "edocs_incoming_rate", json!(92.5), "mean_of_reported", 1, None);
        assert_eq!(y["derived"]["dossiers_received_total"], json!(80), "{period}");
        assert_eq!(y["derived"]["dossiers_resolved_total"], json!(77), "{period}");
        assert_eq!(y["derived"]["dossiers_pending_total"], json!(3), "{period}");
        // (62 + 13) / 77 = 97.403 %; 66 / 73 = 90.411 %.
        assert_eq!(y["derived"]["resolved_on_time_rate"], json!(97.4), "{period}");
        assert_eq!(y["derived"]["online_rate"], json!(90.41), "{period}");
    }
    // The first quarter has March only: its figures as they stand.
    let q1 = aggregate(&app, &dong_son, "07273", "2024Q1").await;
    assert_eq!(q1["reports_counted"], 1);
    assert_eq!(q1["derived"]["dossiers_received_total"], json!(13));
    assert_eq!(q1["derived"]["resolved_on_time_rate"], json!(100.0));
    // The third quarter of the district: only Hương Vĩ's July.
    let q3 = aggregate(&app, &yen_the, "215", "2024Q3").await;
    assert_eq!(q3["communes_reported"], 1);
    assert_eq!(q3["reports_counted"], 1);
    assert_eq!(q3["derived"]["dossiers_received_total"], json!(800));
}

async fn aggregates_refuse_bad_requests(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    // The period is required and must be a period.
    let p = app.get("/api/v1/units/215/aggregates", &admin).await;
    assert!(p.problem(400)["detail"].as_str().unwrap().contains("period"), "{}", p.text);
    for period in ["", "2024-13", "2024Q5", "2024S3", "24", "2024-6", "last-month", "2024Q2&period=2024Q3x"] {
        app.get(&format!("/api/v1/units/215/aggregates?period={period}"), &admin).await.problem(400);
    }
    // Malformed and unknown units.
    app.get("/api/v1/units/2150/aggregates?period=2024-06", &admin).await.problem(400);
    app.get("/api/v1/units/abc/aggregates?period=2024-06", &admin).await.problem(400);
    app.get("/api/v1/units/99/aggregates?period=2024-06", &admin).await.problem(404);
    // Unauthenticated.
    let r = app.request(Method::GET, "/api/v1/units/215/aggregates?period=2024-06", None, None).await;
    r.problem(401);
    // A period without reports: everything expected, nothing counted, no figures.
    let empty = aggregate(&app, &admin, "215", "2023-01").await;
    assert_eq!(empty["communes_expected"], 3);
    assert_eq!(empty["communes_reported"], 0);
    assert_eq!(empty["reports_expected"], 3);
    assert_eq!(empty["reports_counted"], 0);
    assert_eq!(empty["indicators"], json!({}));
    let derived = empty["derived"].as_object().expect("derived");
    assert!(!derived.is_empty() && derived.values().all(Value::is_null), "{}", empty["derived"]);
}

// A commune that reports a dossier total in some months and only its parts in others: the
// quarter's totals and rates must come out as if it had reported parts throughout.
async fn quarter_with_totals_reported_in_some_months(app: TestApp) {
    app.seed_units().await;
    // April reports the resolved and pending totals alongside their parts (11 = 8 + 3 + 0,
    // 2 = 2 + 0); May and June report the parts only. All three months are valid.
    let mut april = report([3, 10, 0, 8, 3, 0, 2, 0], json!({}));
    april["values"]["dossiers_resolved_total"] = json!(11);
    april["values"]["dossiers_pending_total"] = json!(2);
    let may = report([2, 20, 2, 20, 4, 0, 0, 0], json!({}));
    let june = report([0, 30, 5, 25, 5, 2, 2, 1], json!({}));
    for (period, body) in [("2024-04", &april), ("2024-05", &may), ("2024-06", &june)] {
        file(&app, "07273", period, body).await;
    }
    let q2: Reply = app.get("/api/v1/units/215/aggregates?period=2024Q2", &app.admin()).await;
    assert_eq!(q2.status, 200, "{}", q2.text);
    let d = &q2.body["derived"];
    // The same figures as in `a_quarter_rolls_up_a_communes_months`: reporting a total that
    // equals its parts must not change anything.
    assert_eq!(d["dossiers_resolved_total"], json!(67), "8+3+0 + 20+4+0 + 25+5+2: {d}");
    assert_eq!(d["dossiers_pending_total"], json!(3), "June's 2 + 1: {d}");
    assert_eq!(d["resolved_on_time_rate"], json!(97.01), "65 / 67: {d}");
    assert_indicator(&q2.body, "dossiers_resolved_total", json!(67), "sum", 1, None);
}

backend_tests!(
    quarter_with_totals_reported_in_some_months,
    three_communes_add_up_to_hand_computed_totals,
    the_province_adds_both_districts,
    drafts_never_count,
    a_quarter_rolls_up_a_communes_months,
    aggregates_refuse_bad_requests,
);
