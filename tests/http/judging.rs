//! Missing data earns no points, rates never exceed 100 %, the seed's figures that had no
//! indicator, and officers' messages in their own words (issue 13, items 3, 4, 6 and 10).
//!
//! Scores are the built-in `commune-par` version 1 (docs/scoring.md): the seed report earns
//! 99.88, of which 15 come from the three civil-service criteria (8 + 4 + 3) and 30 from
//! progress (19.88) and the online share (10).

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, finding, seed_body, seed_with};
use serde_json::{Value, json};

const SEED: &str = "/api/v1/communes/07273/reports/2024-06";

/// One criterion of a score card, by code.
fn criterion<'a>(card: &'a Value, code: &str) -> &'a Value {
    card["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no criterion {code}: {card}"))
}

/// `[numerator, denominator, ratio, score, max, status]` of a criterion.
fn row(card: &Value, code: &str) -> Value {
    let c = criterion(card, code);
    json!([c["numerator"], c["denominator"], c["ratio"], c["score"], c["max"], c["status"]])
}

/// The score view of Đông Sơn for June 2024, as its district reads it.
async fn score(app: &TestApp) -> Value {
    let r = app.get("/api/v1/communes/07273/scores?period=2024-06", &app.token(Role::District, Some("215"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn zero_civil_servants_are_stored_with_a_warning_and_earn_nothing(app: TestApp) {
    app.seed_units().await;
    // The seed report, but no civil servants (so none meeting the standard or with political
    // theory); its 10 graduates stay among its 20 staff.
    let body = seed_with(json!({
        "civil_servants": 0, "civil_servants_meeting_standard": 0, "civil_servants_political_theory_intermediate": 0
    }));
    let own = app.token(Role::Commune, Some("07273"));
    // A draft carries the warning already.
    let draft = app.put(&format!("{SEED}?draft=true"), &own, &body).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    assert_eq!(draft.findings("findings"), vec![finding("no_civil_servants", &["civil_servants"])]);

    let r = app.put(SEED, &own, &body).await;
    assert_eq!(r.status, 200, "stored, not refused: {}", r.text);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.findings("findings"), vec![finding("no_civil_servants", &["civil_servants"])]);
    let f = &r.body["findings"][0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["message_vi"],
        "“Số công chức cấp xã” bằng 0: các tỷ lệ tính trên số công chức không tính được, các tiêu chí tính trên số công chức không được chấm điểm (0 điểm)"
    );
    let d = &r.body["derived"];
    assert_eq!(d["civil_servants_standard_rate"], Value::Null, "0 / 0 is not a rate");
    assert_eq!(d["civil_servants_political_theory_rate"], Value::Null);
    assert_eq!(d["civil_servants_university_rate"], json!(50.0), "10 of the 20 staff");

    // The score card: every criterion over civil servants not judged, 0 of its points, and the
    // maximum still 100. 99.88 − 15 = 84.88.
    let view = score(&app).await;
    assert_eq!(view["score"], json!(84.88));
    let card = &view["card"];
    assert_eq!(card["total"], json!(84.88));
    assert_eq!(card["max"], json!(100.0));
    assert_eq!(card["not_judged_criteria"], 3);
    assert_eq!(card["missing_criteria"], 0);
    assert_eq!(row(card, "standard_civil_servants"), json!([0.0, 0.0, null, 0.0, 8.0, "not_judged"]));
    // min(10 graduates, 0 civil servants) over 0 civil servants.
    assert_eq!(row(card, "university_degree"), json!([0.0, 0.0, null, 0.0, 4.0, "not_judged"]));
    assert_eq!(row(card, "political_theory"), json!([0.0, 0.0, null, 0.0, 3.0, "not_judged"]));
    assert_eq!(row(card, "progress"), json!([167.0, 168.0, 99.4, 19.88, 20.0, "scored"]));
    let civil_service = card["groups"].as_array().unwrap().iter().find(|g| g["code"] == "civil_service").unwrap();
    assert_eq!(civil_service["score"], json!(0.0));
    assert_eq!(civil_service["max"], json!(15.0));
}

async fn an_all_zero_dossier_month_scores_below_the_seed(app: TestApp) {
    app.seed_units().await;
    // Hương Vĩ files the seed report (99.88); Đông Sơn the same with no dossiers at all.
    let seed = app.file("07279", "2024-06", &seed_body()).await;
    assert_eq!(seed.status, 201, "{}", seed.text);
    assert_eq!(seed.body["findings"], json!([]));
    let zeros = seed_with(json!({
        "dossiers_carried_over": 0, "dossiers_received_online": 0, "dossiers_received_direct": 0,
        "dossiers_resolved_early": 0, "dossiers_resolved_on_time": 0, "dossiers_resolved_overdue": 0,
        "dossiers_pending_within_deadline": 0, "dossiers_pending_overdue": 0
    }));
    let r = app.file("07273", "2024-06", &zeros).await;
    assert_eq!(r.status, 201, "stored, not refused: {}", r.text);
    assert_eq!(
        r.findings("findings"),
        vec![finding(
            "no_dossiers",
            &["dossiers_carried_over", "dossiers_received_online", "dossiers_received_direct"]
        )]
    );
    assert_eq!(r.body["findings"][0]["severity"], "warning");
    assert_eq!(
        r.body["findings"][0]["message_en"],
        "No dossiers at all this month (carried over, received online and in person are all 0): progress and the online share cannot be computed, and the criteria over them are not judged (0 points)"
    );
    assert_eq!(r.body["derived"]["progress_rate"], Value::Null);
    assert_eq!(r.body["derived"]["online_rate"], Value::Null);

    // Progress (20) and the online share (10) not judged; nothing pending means none overdue,
    // which the scheme does count as full marks (2). 100 − 20 − 10 = 70.00.
    let view = score(&app).await;
    let card = &view["card"];
    assert_eq!(view["score"], json!(70.0));
    assert_eq!(view["band"], "fair");
    assert_eq!(row(card, "progress"), json!([0.0, 0.0, null, 0.0, 20.0, "not_judged"]));
    assert_eq!(row(card, "online_share"), json!([0.0, 0.0, null, 0.0, 10.0, "not_judged"]));
    assert_eq!(row(card, "pending_overdue"), json!([0.0, 0.0, null, 2.0, 2.0, "zero_denominator"]));
    assert_eq!(card["not_judged_criteria"], 2);

    // It no longer outranks the seed report (it scored 100.00 when missing data paid).
    let ranking = app.get("/api/v1/units/215/rankings?period=2024-06", &app.admin()).await;
    assert_eq!(ranking.status, 200, "{}", ranking.text);
    let entries: Vec<Value> = ranking.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["unit_code"], e["rank"], e["score"], e["status"]]))
        .collect();
    assert_eq!(
        entries,
        vec![
            json!(["07279", 1, 99.88, "submitted"]),
            json!(["07273", 2, 70.0, "submitted"]),
            json!(["07294", null, null, "missing"])
        ]
    );
}

async fn the_seeds_university_rate_is_a_share_of_its_staff(app: TestApp) {
    app.seed_units().await;
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["derived"]["civil_servants_university_rate"], json!(50.0), "10 graduates ÷ 20 staff");
    assert_eq!(r.body["derived"]["computers_per_staff"], json!(1.0), "20 computers ÷ 20 staff");
    assert_eq!(r.body["values"]["complaints_received"], 0);
    assert_eq!(r.body["values"]["complaints_resolved"], 0);
    assert!(r.body["values"].get("satisfaction_rate").is_none(), "the seed gives no satisfaction rate");

    // The catalog says what is divided by what, in both languages.
    let catalog = app.get("/api/v1/indicators", &app.admin()).await;
    assert_eq!(catalog.status, 200, "{}", catalog.text);
    let derived = |code: &str| -> Value {
        catalog.body["derived"].as_array().unwrap().iter().find(|d| d["code"] == code).cloned().unwrap()
    };
    assert_eq!(
        derived("civil_servants_university_rate"),
        json!({
            "code": "civil_servants_university_rate",
            "label_vi": "Tỷ lệ có trình độ đại học trở lên: số cán bộ, công chức, viên chức có trình độ đại học trở lên ÷ tổng số cán bộ, công chức, viên chức (%)",
            "label_en": "University degree or higher: officials, civil servants and public employees with one ÷ all officials, civil servants and public employees (%)",
            "formula": "ratio",
            "numerator": ["civil_servants_university_degree"],
            "denominator": ["staff_total"],
        })
    );
    assert_eq!(derived("computers_per_staff")["formula"], "quotient");
    assert_eq!(derived("computers_per_staff")["denominator"], json!(["staff_total"]));
    let indicator = |code: &str| -> Value {
        catalog.body["indicators"].as_array().unwrap().iter().find(|d| d["code"] == code).cloned().unwrap()
    };
    let complaints = indicator("complaints_received");
    assert_eq!(complaints["label_vi"], "Số đơn thư khiếu nại, tố cáo tiếp nhận");
    assert_eq!(complaints["label_en"], "Complaints and denunciations received");
    assert_eq!((&complaints["unit_aggregation"], &complaints["time_aggregation"]), (&json!("sum"), &json!("sum")));
    assert_eq!(indicator("complaints_resolved")["label_vi"], "Số đơn thư khiếu nại, tố cáo đã giải quyết");
    let satisfaction = indicator("satisfaction_rate");
    assert_eq!(satisfaction["kind"], "percent");
    assert_eq!(satisfaction["unit_aggregation"], "mean");

    // The district's aggregate: complaints summed over the communes that reported them.
    let agg = app.get("/api/v1/units/215/aggregates?period=2024-06", &app.token(Role::District, Some("215"))).await;
    assert_eq!(agg.status, 200, "{}", agg.text);
    assert_eq!(agg.body["indicators"]["complaints_received"]["value"], json!(0));
    assert_eq!(agg.body["indicators"]["complaints_received"]["reporting_units"], 1);
    assert!(agg.body["indicators"].get("satisfaction_rate").is_none(), "no commune reported it");
    assert_eq!(agg.body["derived"]["civil_servants_university_rate"], json!(50.0));

    // More graduates than staff contradict each other: a warning, and no rate above 100 %.
    let r = app.file("07273", "2024-06", &seed_with(json!({"civil_servants_university_degree": 25}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.findings("findings"),
        vec![finding("part_exceeds_whole", &["civil_servants_university_degree", "staff_total"])]
    );
    assert_eq!(
        r.body["findings"][0]["message_vi"],
        "“Số cán bộ, công chức, viên chức có trình độ đại học trở lên” (25) lớn hơn “Tổng số cán bộ, công chức, viên chức” (20); tỷ lệ giữa hai số này không được tính"
    );
    assert_eq!(r.body["derived"]["civil_servants_university_rate"], Value::Null);
}

async fn officers_read_labels_not_codes(app: TestApp) {
    app.seed_units().await;
    let r = app.file("07273", "2024-06", &seed_with(json!({"civil_servants": "chín", "computers": -1}))).await;
    let p = r.problem(422);
    let errors = p["errors"].as_array().expect("errors");
    let vi: Vec<(&str, &str)> =
        errors.iter().map(|e| (e["code"].as_str().unwrap(), e["message_vi"].as_str().unwrap())).collect();
    assert_eq!(
        vi,
        vec![
            ("wrong_type", "Chỉ tiêu “Số công chức cấp xã” phải là số đếm (số nguyên không âm)"),
            ("negative_value", "Chỉ tiêu “Số máy tính tại cơ quan” không được âm (nhận được -1)"),
        ]
    );
    // English keeps the codes, for whoever writes the client.
    assert_eq!(errors[1]["message_en"], "`computers` cannot be negative (got -1)");
    assert!(errors.iter().all(|e| !e["message_vi"].as_str().unwrap().contains('`')), "{}", r.text);
}

backend_tests!(
    zero_civil_servants_are_stored_with_a_warning_and_earn_nothing,
    an_all_zero_dossier_month_scores_below_the_seed,
    the_seeds_university_rate_is_a_share_of_its_staff,
    officers_read_labels_not_codes,
);
