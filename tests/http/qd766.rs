//! The second built-in scheme, `qd766`: the six groups of the national index of QĐ 766/QĐ-TTg
//! as far as a commune's monthly figures allow (docs/scoring.md), chosen with `?scheme=qd766`;
//! `commune-par` stays the default of every view.

use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, seed_body};

use crate::rankings::{LATE, file, ranking, report, standings};

/// One criterion of a score card, as the API shows it.
fn criterion(group: &str, code: &str, figures: [Value; 4], max: f64, status: &str) -> Value {
    let [numerator, denominator, ratio, score] = figures;
    json!({
        "group": group, "code": code, "numerator": numerator, "denominator": denominator,
        "ratio": ratio, "score": score, "max": max, "status": status,
    })
}

async fn the_seed_reports_qd766_score_card(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    let yen_the = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/communes/07273/scores?period=2024-06&scheme=qd766", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = &r.body;
    assert_eq!(
        s["scheme"],
        json!({
            "code": "qd766", "version": 1,
            "name_vi": "Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg) theo số liệu hằng tháng của xã",
            "name_en": "Service index for citizens and businesses (QĐ 766/QĐ-TTg) from a commune's monthly figures",
            "max_score": 100.0,
        })
    );
    assert_eq!(s["status"], "submitted");
    // Hand computation, from the seed's figures (crates/domain/src/seed.rs): 0 carried over,
    // 168 received online and 0 directly, 132 resolved early, 33 on time, 1 overdue, 2 pending
    // within the deadline and 0 overdue; procedures posted: yes; no satisfaction rate, no count
    // of online services, of dossiers paid online or of digitised dossiers.
    //
    // publicity (18):       procedures_posted yes → 1/1 = 100 % → 9 of 9;
    //                       publicity_on_portal: not scored → 0 of 9 (not_judged).
    // timeliness (20):      progress (132 + 33 + 2) / (0 + 168 + 0) = 167/168 = 99.40 %
    //                       → 20 × 0.994048 = 19.880952 → 19.88.
    // online_services (12): online_share 168 / (168 + 0) = 100 % → 6 of 6;
    //                       full_online_services: online_services_full not reported → 0 of 6 (missing).
    // online_payment (10):  paid_online: dossiers_paid_online not reported (of 168 new) → 0 of 10 (missing).
    // satisfaction (18):    satisfaction_rate not reported (against 100) → 0 of 18 (missing).
    // digitization (22):    dossiers_digitized not reported (of 168 new) → 0 of 11 (missing);
    //                       digital_results: not scored → 0 of 11 (not_judged).
    // Total: 9 + 19.880952 + 6 = 34.880952 → 34.88 of 100, below 50 → weak (Yếu).
    assert_eq!(s["score"], json!(34.88));
    assert_eq!(s["band"], "weak");
    // The only commune of Huyện Yên Thế that reported.
    assert_eq!(s["rank"], json!({"unit_code": "215", "unit_name": "Huyện Yên Thế", "rank": 1, "of": 3}));
    let card = &s["card"];
    assert_eq!(card["total"], json!(34.88));
    assert_eq!(card["max"], json!(100.0));
    assert_eq!(card["band"], "weak");
    assert_eq!(card["missing_criteria"], 4);
    assert_eq!(card["not_judged_criteria"], 2);
    assert_eq!(
        card["groups"],
        json!([
            {"code": "publicity", "score": 9.0, "max": 18.0},
            {"code": "timeliness", "score": 19.88, "max": 20.0},
            {"code": "online_services", "score": 6.0, "max": 12.0},
            {"code": "online_payment", "score": 0.0, "max": 10.0},
            {"code": "satisfaction", "score": 0.0, "max": 18.0},
            {"code": "digitization", "score": 0.0, "max": 22.0},
        ])
    );
    let n = Value::Null;
    assert_eq!(
        card["criteria"],
        json!([
            criterion(
                "publicity",
                "procedures_posted",
                [json!(1.0), json!(1.0), json!(100.0), json!(9.0)],
                9.0,
                "scored"
            ),
            criterion(
                "publicity",
                "publicity_on_portal",
                [n.clone(), n.clone(), n.clone(), json!(0.0)],
                9.0,
                "not_judged"
            ),
            criterion(
                "timeliness",
                "progress",
                [json!(167.0), json!(168.0), json!(99.4), json!(19.88)],
                20.0,
                "scored"
            ),
            criterion(
                "online_services",
                "online_share",
                [json!(168.0), json!(168.0), json!(100.0), json!(6.0)],
                6.0,
                "scored"
            ),
            criterion(
                "online_services",
                "full_online_services",
                [n.clone(), n.clone(), n.clone(), json!(0.0)],
                6.0,
                "missing"
            ),
            criterion(
                "online_payment",
                "paid_online",
                [n.clone(), json!(168.0), n.clone(), json!(0.0)],
                10.0,
                "missing"
            ),
            criterion(
                "satisfaction",
                "satisfaction_rate",
                [n.clone(), json!(100.0), n.clone(), json!(0.0)],
                18.0,
                "missing"
            ),
            criterion(
                "digitization",
                "dossiers_digitized",
                [n.clone(), json!(168.0), n.clone(), json!(0.0)],
                11.0,
                "missing"
            ),
            criterion("digitization", "digital_results", [n.clone(), n.clone(), n, json!(0.0)], 11.0, "not_judged"),
        ])
    );
    // The same report under the default scheme is still the 99.88 of commune-par.
    let default = app.get("/api/v1/communes/07273/scores?period=2024-06", &yen_the).await;
    assert_eq!(default.status, 200, "{}", default.text);
    assert_eq!((&default.body["scheme"]["code"], &default.body["score"]), (&json!("commune-par"), &json!(99.88)));
}

async fn rankings_without_a_scheme_stay_commune_par(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    // Hương Vĩ: LATE's dossiers (2 carried over, 60 online, 40 direct; 40 early, 30 on time,
    // 20 overdue; 8 pending within the deadline, 4 overdue) with the figures qd766 reads.
    let more = json!({"online_services_full": 10, "online_services_partial": 0, "dossiers_paid_online": 50,
        "satisfaction_rate": 90, "dossiers_digitized": 80});
    file(&app, "07279", "2024-06", &report(LATE, more)).await;
    let admin = app.admin();

    // The default is commune-par: Đông Sơn 99.88 ahead of Hương Vĩ 92.13 (rankings.rs, LATE).
    let default = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(default["scheme"]["code"], "commune-par");
    assert_eq!(default["scheme"]["version"], 1);
    assert_eq!(
        standings(&default),
        json!([["07273", 1, 99.88, "submitted"], ["07279", 2, 92.13, "submitted"], ["07294", null, null, "missing"]])
    );
    assert_eq!(ranking(&app, &admin, "215", "period=2024-06&scheme=commune-par").await, default);

    // Under qd766 the order turns: Hương Vĩ 9 (posted) + 20 × 78/102 = 15.294118 + 6 × 60 %
    // = 3.6 + 6 × 10/10 = 6 + 10 × 50/100 = 5 + 18 × 90 % = 16.2 + 11 × 80/100 = 8.8
    // = 63.894118 → 63.89, ahead of Đông Sơn's 34.88.
    let qd766 = ranking(&app, &admin, "215", "period=2024-06&scheme=qd766").await;
    assert_eq!(qd766["scheme"]["code"], "qd766");
    assert_eq!(
        standings(&qd766),
        json!([["07279", 1, 63.89, "submitted"], ["07273", 2, 34.88, "submitted"], ["07294", null, null, "missing"]])
    );
    assert_eq!(crate::rankings::entry(&qd766, "07279")["band"], "average");

    // Both built-in schemes are stored, national, version 1; the default is unchanged by it.
    let r = app.get("/api/v1/schemes", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let listed: Vec<Value> = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| json!([i["code"], i["version"], i["owner_code"]]))
        .collect();
    assert_eq!(listed, [json!(["commune-par", 1, null]), json!(["qd766", 1, null])]);
    // Before August 2022 the index did not run: no version of qd766 applies.
    let r = app.get("/api/v1/units/215/rankings?period=2022-07&scheme=qd766", &admin).await;
    assert!(r.problem(404)["detail"].as_str().unwrap().contains("no version of scheme `qd766` applies"), "{}", r.text);
}

backend_tests!(the_seed_reports_qd766_score_card, rankings_without_a_scheme_stay_commune_par);
