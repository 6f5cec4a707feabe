//! Scoring schemes as data: uploading versions (admins for the nation, province staff for their
//! province), re-scoring the reports already stored, choosing a version by validity or by name,
//! and refusing malformed schemes with a JSON pointer to each problem.
//!
//! Scores are worked out by hand; see `rankings.rs` for the reports' 68 points of base values
//! and the dossier criteria.

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, seed_body};

use crate::rankings::{CLEAN, LATE, draft, entry, file, ranking, report, standings};

const BUILTIN: &str = include_str!("../../crates/domain/schemes/commune-par-v1.json");

/// The built-in scheme's definition, without its `version`.
fn builtin() -> Value {
    let mut d: Value = serde_json::from_str(BUILTIN).expect("the built-in scheme is JSON");
    d.as_object_mut().unwrap().remove("version");
    d
}

/// A re-weighting that still adds up to 100: progress 20 → 30 (procedures 40 → 50); digital
/// signatures 8 → 4 and electronic exchange 7 → 1 (digital government 30 → 20).
fn reweighted() -> Value {
    let mut d = builtin();
    d["groups"][0]["max"] = json!(50);
    d["groups"][0]["criteria"][0]["max"] = json!(30);
    d["groups"][4]["max"] = json!(20);
    d["groups"][4]["criteria"][0]["max"] = json!(4);
    d["groups"][4]["criteria"][1]["max"] = json!(1);
    d
}

/// Eight of ten dossiers early, two overdue: progress 80 %, everything else at full marks.
/// Version 1: 100 − 20 × 0.2 = 96.00. Version 2: 100 − 30 × 0.2 = 94.00.
fn slow() -> Value {
    report([0, 10, 0, 8, 0, 2, 0, 0], json!({}))
}

/// All dossiers in time, but only 25 % of documents signed.
/// Version 1: 100 − 8 × 0.75 = 94.00. Version 2: 100 − 4 × 0.75 = 97.00.
fn unsigned() -> Value {
    report(CLEAN, json!({"documents_digitally_signed_rate": 25}))
}

/// Bắc Giang's scheme: the built-in one under its own code and names, with `skip` for the
/// pending-overdue criterion when nothing is pending.
fn bac_giang_scheme() -> Value {
    let mut own = builtin();
    own["code"] = json!("bac-giang-par");
    own["name_vi"] = json!("Bộ tiêu chí CCHC cấp xã tỉnh Bắc Giang");
    own["name_en"] = json!("Bắc Giang commune PAR scorecard");
    own["groups"][0]["criteria"][2]["zero_denominator"] = json!("skip");
    own
}

async fn upload(app: &TestApp, token: &str, definition: &Value) -> Value {
    let r = app.post("/api/v1/schemes", token, definition).await;
    assert_eq!(r.status, 201, "uploading {}: {}", definition["code"], r.text);
    let code = r.body["code"].as_str().unwrap();
    let version = r.body["version"].as_i64().unwrap();
    assert_eq!(r.header("location"), Some(format!("/api/v1/schemes/{code}/versions/{version}").as_str()));
    r.body
}

/// The `(code, version, owner_code)` of every scheme version a caller may see.
async fn listed(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/schemes", token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    Value::Array(
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| json!([i["code"], i["version"], i["owner_code"]]))
            .collect(),
    )
}

async fn an_uploaded_version_rescores_existing_reports(app: TestApp) {
    app.seed_units().await;
    // June: Đông Sơn the seed, Hương Vĩ slow, Bố Hạ unsigned. May: Cao Xá with full marks, and a
    // draft of Hương Vĩ. Five stored reports.
    // Đông Sơn first files LATE, then corrects it to the seed: one report, two revisions.
    file(&app, "07273", "2024-06", &report(LATE, json!({}))).await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    file(&app, "07279", "2024-06", &slow()).await;
    file(&app, "07294", "2024-06", &unsigned()).await;
    file(&app, "07312", "2024-05", &report(CLEAN, json!({}))).await;
    draft(&app, "07279", "2024-05", &report(LATE, json!({}))).await;

    let admin = app.admin();
    let v1 = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(v1["scheme"]["version"], 1);
    assert_eq!(
        standings(&v1),
        json!([["07273", 1, 99.88, "submitted"], ["07279", 2, 96.0, "submitted"], ["07294", 3, 94.0, "submitted"]])
    );

    // Version 2 of the national scheme.
    let uploaded = upload(&app, &admin, &reweighted()).await;
    assert_eq!(uploaded["code"], "commune-par");
    assert_eq!(uploaded["version"], 2);
    assert_eq!(uploaded["owner_code"], Value::Null);
    assert_eq!(uploaded["name_vi"], "Bộ tiêu chí đánh giá CCHC hằng tháng cấp xã");
    assert_eq!(uploaded["valid_from"], Value::Null);
    assert_eq!(uploaded["valid_to"], Value::Null);
    assert_eq!(uploaded["created_by"], "test-admin");
    assert!(uploaded["created_at"].is_string(), "{uploaded}");
    // Every stored report, drafts included, was scored with it (its current revision only).
    assert_eq!(uploaded["rescored_reports"], 5);

    // The very next ranking uses version 2, the latest valid in June, and the order changes:
    // seed 30 × 167/168 = 29.82 + 70 → 99.82; Bố Hạ 97.00; Hương Vĩ 94.00.
    let v2 = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(v2["scheme"]["version"], 2);
    assert_eq!(v2["scheme"]["max_score"], json!(100.0));
    assert_eq!(
        standings(&v2),
        json!([["07273", 1, 99.82, "submitted"], ["07294", 2, 97.0, "submitted"], ["07279", 3, 94.0, "submitted"]])
    );
    assert_eq!(ranking(&app, &admin, "215", "period=2024-06&scheme=commune-par").await, v2);
    // The breakdown shows the new maxima.
    let detailed = ranking(&app, &admin, "215", "period=2024-06&detail=criteria").await;
    let progress = &entry(&detailed, "07273")["criteria"][0];
    assert_eq!((progress["score"].clone(), progress["max"].clone()), (json!(29.82), json!(30.0)));
    let signatures = &entry(&detailed, "07294")["criteria"][12];
    assert_eq!(signatures["code"], "digital_signatures");
    assert_eq!((signatures["score"].clone(), signatures["max"].clone()), (json!(1.0), json!(4.0)));
    // Version 1 by name still gives the old scores.
    let old = ranking(&app, &admin, "215", "period=2024-06&scheme=commune-par@1").await;
    assert_eq!(old["scheme"]["version"], 1);
    assert_eq!(standings(&old), standings(&v1));
    // So does a commune's score card.
    let r = app.get("/api/v1/communes/07273/scores?period=2024-06", &admin).await;
    assert_eq!((r.body["scheme"]["version"].clone(), r.body["score"].clone()), (json!(2), json!(99.82)));
    assert_eq!(r.body["card"]["groups"][0], json!({"code": "procedures", "score": 49.82, "max": 50.0}));
    let r = app.get("/api/v1/communes/07273/scores?period=2024-06&scheme=commune-par@1", &admin).await;
    assert_eq!((r.body["scheme"]["version"].clone(), r.body["score"].clone()), (json!(1), json!(99.88)));

    // A report filed afterwards is scored by both versions: Bố Hạ corrects its signatures (100).
    file(&app, "07294", "2024-06", &report(CLEAN, json!({}))).await;
    let v2 = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(
        standings(&v2),
        json!([["07294", 1, 100.0, "submitted"], ["07273", 2, 99.82, "submitted"], ["07279", 3, 94.0, "submitted"]])
    );
    let v1 = ranking(&app, &admin, "215", "period=2024-06&scheme=commune-par@1").await;
    assert_eq!(
        standings(&v1),
        json!([["07294", 1, 100.0, "submitted"], ["07273", 2, 99.88, "submitted"], ["07279", 3, 96.0, "submitted"]])
    );

    // Both versions are listed; the scheme's latest is version 2, with its definition.
    assert_eq!(
        listed(&app, &admin).await,
        json!([["commune-par", 1, null], ["commune-par", 2, null], ["qd766", 1, null]])
    );
    let r = app.get("/api/v1/schemes", &admin).await;
    assert_eq!(r.body["items"][0]["created_by"], "cchc (built-in)");
    let r = app.get("/api/v1/schemes/commune-par", &app.token(Role::District, Some("215"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["versions"], json!([1, 2]));
    assert_eq!(r.body["definition"]["version"], 2);
    assert_eq!(r.body["definition"]["groups"][0]["max"], json!(50.0));
    assert_eq!(r.body["definition"]["groups"][0]["criteria"][0]["max"], json!(30.0));
    let r = app.get("/api/v1/schemes/commune-par/versions/1", &admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["versions"], json!([1, 2]));
    assert_eq!(r.body["definition"]["version"], 1);
    assert_eq!(r.body["definition"]["groups"][0]["max"], json!(40.0));
    app.get("/api/v1/schemes/commune-par/versions/3", &admin).await.problem(404);
    app.get("/api/v1/schemes/commune-par/versions/two", &admin).await.problem(400);
    app.get("/api/v1/schemes/no-such-scheme", &admin).await.problem(404);
    app.request(Method::GET, "/api/v1/schemes", None, None).await.problem(401);
}

async fn a_version_applies_from_its_first_month(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-05", &seed_body()).await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    file(&app, "07279", "2024-06", &slow()).await;

    // Version 2 (named explicitly), from June 2024 on: only the two June reports are re-scored.
    let admin = app.admin();
    let mut v2 = reweighted();
    v2["version"] = json!(2);
    v2["valid_from"] = json!("2024-06");
    let uploaded = upload(&app, &admin, &v2).await;
    assert_eq!(uploaded["version"], 2);
    assert_eq!(uploaded["valid_from"], "2024-06");
    assert_eq!(uploaded["rescored_reports"], 2);

    // May is still ranked under version 1, June under version 2.
    let may = ranking(&app, &admin, "215", "period=2024-05").await;
    assert_eq!(may["scheme"]["version"], 1);
    assert_eq!(entry(&may, "07273")["score"], json!(99.88));
    let june = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(june["scheme"]["version"], 2);
    assert_eq!(
        standings(&june),
        json!([["07273", 1, 99.82, "submitted"], ["07279", 2, 94.0, "submitted"], ["07294", null, null, "missing"]])
    );
    // Version 2 named for May: May's report is scored with it on the fly.
    let may_v2 = ranking(&app, &admin, "215", "period=2024-05&scheme=commune-par@2").await;
    assert_eq!(may_v2["scheme"]["version"], 2);
    assert_eq!(entry(&may_v2, "07273")["score"], json!(99.82));
    let may_v2 = ranking(&app, &admin, "215", "period=2024-05&scheme=commune-par@2&detail=criteria").await;
    let progress = &entry(&may_v2, "07273")["criteria"][0];
    assert_eq!((progress["score"].clone(), progress["max"].clone()), (json!(29.82), json!(30.0)));
    // The second quarter ends in June: version 2. Đông Sơn's May and June summed: 0 carried over
    // + 336 received, 264 + 66 resolved in time + 2 pending within the deadline = 332;
    // version 2: 30 × 332/336 = 29.64 → 99.64; version 1: 20 × 332/336 = 19.76 → 99.76.
    let q2 = ranking(&app, &admin, "215", "period=2024Q2").await;
    assert_eq!(q2["scheme"]["version"], 2);
    assert_eq!(entry(&q2, "07273")["score"], json!(99.64));
    assert_eq!(entry(&q2, "07273")["status"], "partial");
    let q2_v1 = ranking(&app, &admin, "215", "period=2024Q2&scheme=commune-par@1").await;
    assert_eq!(entry(&q2_v1, "07273")["score"], json!(99.76));
}

async fn malformed_schemes_are_refused_with_paths(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    let admin = app.admin();
    let mut bad = builtin();
    bad["code"] = json!("thu-nghiem");
    // The procedures group claims 45 points: the groups add up to 105, its criteria to 40.
    bad["groups"][0]["max"] = json!(45);
    // An unknown indicator in a formula; a formula that does not parse; yes/no on a count.
    bad["groups"][0]["criteria"][0]["numerator"] = json!("dossiers_resolved_early + no_such_indicator");
    bad["groups"][0]["criteria"][1]["denominator"] = json!("dossiers_received_online +");
    bad["groups"][0]["criteria"][3]["indicator"] = json!("staff_total");
    let r = app.post("/api/v1/schemes", &admin, &bad).await;
    let p = r.problem(422);
    assert!(p["detail"].as_str().unwrap().contains("5 problem(s)"), "{}", r.text);
    let errors = p["errors"].as_array().expect("errors");
    let found: Vec<(&str, &str, &str, Value)> = errors
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap(),
                e["severity"].as_str().unwrap(),
                e["path"].as_str().unwrap(),
                e["indicators"].clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("invalid_scheme", "error", "/max_score", json!([])),
            ("invalid_scheme", "error", "/groups/0/max", json!([])),
            ("invalid_scheme", "error", "/groups/0/criteria/0/numerator", json!(["no_such_indicator"])),
            ("invalid_scheme", "error", "/groups/0/criteria/1/denominator", json!([])),
            ("invalid_scheme", "error", "/groups/0/criteria/3/indicator", json!(["staff_total"])),
        ]
    );
    assert!(errors.iter().all(|e| e["message_vi"].is_string() && e["message_en"].is_string()));
    // Nothing was stored.
    app.get("/api/v1/schemes/thu-nghiem", &admin).await.problem(404);
    assert_eq!(listed(&app, &admin).await, json!([["commune-par", 1, null], ["qd766", 1, null]]));

    // More problems, one at a time: each with its path.
    let cases: Vec<(Value, &str)> = vec![
        (json!({"code": "Thu Nghiem"}), "/code"),
        (json!({"valid_from": "2024-13"}), "/valid_from"),
        (json!({"valid_from": "2024-07", "valid_to": "2024-06"}), "/valid_to"),
        (json!({"max_score": 0}), "/max_score"),
    ];
    for (change, path) in cases {
        let mut d = builtin();
        d["code"] = json!("thu-nghiem");
        for (k, v) in change.as_object().unwrap() {
            d[k] = v.clone();
        }
        let r = app.post("/api/v1/schemes", &admin, &d).await;
        let paths: Vec<&str> =
            r.problem(422)["errors"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
        assert!(paths.contains(&path), "{change}: {paths:?}");
    }
    // A criterion-level problem: a target criterion without a positive target.
    let mut d = builtin();
    d["code"] = json!("thu-nghiem");
    d["groups"][4]["criteria"][0]["target"] = json!(0);
    let r = app.post("/api/v1/schemes", &admin, &d).await;
    assert_eq!(r.problem(422)["errors"][0]["path"], "/groups/4/criteria/0/target");
    // A yes/no criterion without its indicator.
    let mut d = builtin();
    d["code"] = json!("thu-nghiem");
    d["groups"][1]["criteria"][0].as_object_mut().unwrap().remove("indicator");
    let r = app.post("/api/v1/schemes", &admin, &d).await;
    assert_eq!(r.problem(422)["errors"][0]["path"], "/groups/1/criteria/0/indicator");

    // Not the shape of a scheme at all: 400.
    let mut d = builtin();
    d["weights"] = json!({"progress": 30});
    let r = app.post("/api/v1/schemes", &admin, &d).await;
    assert!(r.problem(400)["detail"].as_str().unwrap().contains("weights"), "{}", r.text);
    let mut d = builtin();
    d["groups"][0]["criteria"][0]["weight"] = json!(2);
    app.post("/api/v1/schemes", &admin, &d).await.problem(400);
    let mut d = builtin();
    d.as_object_mut().unwrap().remove("name_en");
    app.post("/api/v1/schemes", &admin, &d).await.problem(400);
    app.post("/api/v1/schemes", &admin, &json!([1, 2, 3])).await.problem(400);
    assert_eq!(listed(&app, &admin).await, json!([["commune-par", 1, null], ["qd766", 1, null]]));
    // And the ranking is untouched.
    let view = ranking(&app, &admin, "215", "period=2024-06").await;
    assert_eq!(view["scheme"]["version"], 1);
    assert_eq!(entry(&view, "07273")["score"], json!(99.88));
}

async fn who_may_upload_and_see_a_scheme(app: TestApp) {
    app.seed_units().await;
    app.create_unit("01", "Thành phố Hà Nội", None).await;
    app.create_unit("001", "Quận Ba Đình", Some("01")).await;
    app.create_unit("00001", "Phường Phúc Xá", Some("001")).await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    file(&app, "07312", "2024-06", &report(LATE, json!({}))).await;
    file(&app, "00001", "2024-06", &report(CLEAN, json!({}))).await;
    let admin = app.admin();
    let bac_giang = app.token(Role::Province, Some("24"));
    let ha_noi = app.token(Role::Province, Some("01"));

    // Districts, communes and portals may not upload; nor may the anonymous.
    for token in [
        app.token(Role::District, Some("215")),
        app.token(Role::Commune, Some("07273")),
        app.token(Role::Portal, Some("24")),
    ] {
        app.post("/api/v1/schemes", &token, &reweighted()).await.problem(403);
    }
    app.request(Method::POST, "/api/v1/schemes", None, Some(&reweighted())).await.problem(401);
    // A province may not add a version to the national scheme; the answer does not say whose
    // the code is.
    let r = app.post("/api/v1/schemes", &bac_giang, &reweighted()).await;
    assert_eq!(
        r.problem(409)["detail"],
        "scheme code `commune-par` is taken by another owner; choose another code",
        "{}",
        r.text
    );
    // A version number, when given, must be the next one.
    for version in [1, 3] {
        let mut d = reweighted();
        d["version"] = json!(version);
        app.post("/api/v1/schemes", &admin, &d).await.problem(409);
    }
    // A new code starts at version 1.
    let mut d = bac_giang_scheme();
    d["version"] = json!(2);
    app.post("/api/v1/schemes", &bac_giang, &d).await.problem(409);
    assert_eq!(listed(&app, &admin).await, json!([["commune-par", 1, null], ["qd766", 1, null]]));

    // Bắc Giang's own scheme: the built-in weights under its own code, except that a commune
    // with nothing pending is not judged on pending dossiers (`skip`) rather than given the 2
    // points. Only its two reports are scored with it, not Hà Nội's.
    let own = bac_giang_scheme();
    let uploaded = upload(&app, &bac_giang, &own).await;
    assert_eq!(uploaded["code"], "bac-giang-par");
    assert_eq!(uploaded["version"], 1);
    assert_eq!(uploaded["owner_code"], "24");
    assert_eq!(uploaded["created_by"], "test-province");
    assert_eq!(uploaded["rescored_reports"], 2);
    // The code is Bắc Giang's: neither Hà Nội nor the national administration may add to it.
    let r = app.post("/api/v1/schemes", &ha_noi, &own).await;
    let detail = r.problem(409)["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("taken by another owner") && !detail.contains("24"), "the owner is not named: {detail}");
    app.post("/api/v1/schemes", &admin, &own).await.problem(409);

    // Who sees what.
    let both = json!([["bac-giang-par", 1, "24"], ["commune-par", 1, null], ["qd766", 1, null]]);
    assert_eq!(listed(&app, &admin).await, both);
    assert_eq!(listed(&app, &bac_giang).await, both);
    assert_eq!(listed(&app, &ha_noi).await, json!([["commune-par", 1, null], ["qd766", 1, null]]));
    app.get("/api/v1/schemes/bac-giang-par", &ha_noi).await.problem(404);
    app.get("/api/v1/schemes/bac-giang-par/versions/1", &ha_noi).await.problem(404);
    let r = app.get("/api/v1/schemes/bac-giang-par", &bac_giang).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["owner_code"], "24");
    assert_eq!(r.body["definition"]["code"], "bac-giang-par");
    assert_eq!(r.body["definition"]["version"], 1);

    // Bắc Giang ranks with it (both reports have pending dossiers: the same scores)...
    let view = ranking(&app, &bac_giang, "24", "period=2024-06&scheme=bac-giang-par").await;
    assert_eq!(
        view["scheme"],
        json!({
            "code": "bac-giang-par", "version": 1,
            "name_vi": "Bộ tiêu chí CCHC cấp xã tỉnh Bắc Giang", "name_en": "Bắc Giang commune PAR scorecard",
            "max_score": 100.0,
        })
    );
    assert_eq!(
        standings(&view),
        json!([
            ["07273", 1, 99.88, "submitted"],
            ["07312", 2, 92.13, "submitted"],
            ["07279", null, null, "missing"],
            ["07294", null, null, "missing"],
        ])
    );
    // ...and a report filed afterwards in Bắc Giang is scored with it too. Hương Vĩ has nothing
    // pending: the criterion is skipped and the total rescaled over the 98 points that count,
    // (16 + 10 + 68) × 100 / 98 = 95.918 → 95.92 (96.00 under the national scheme).
    file(&app, "07279", "2024-06", &slow()).await;
    let view = ranking(&app, &bac_giang, "24", "period=2024-06&scheme=bac-giang-par&detail=criteria").await;
    assert_eq!(
        standings(&view),
        json!([
            ["07273", 1, 99.88, "submitted"],
            ["07279", 2, 95.92, "submitted"],
            ["07312", 3, 92.13, "submitted"],
            ["07294", null, null, "missing"],
        ])
    );
    assert_eq!(
        entry(&view, "07279")["criteria"][2],
        json!({
            "group": "procedures", "code": "pending_overdue", "numerator": 0.0, "denominator": 0.0,
            "ratio": null, "score": null, "max": 2.0, "status": "skipped",
        })
    );
    let national = ranking(&app, &bac_giang, "24", "period=2024-06").await;
    assert_eq!(entry(&national, "07279")["score"], json!(96.0));
    // Hà Nội may not use it.
    app.get("/api/v1/units/01/rankings?period=2024-06&scheme=bac-giang-par", &ha_noi).await.problem(404);
    // The national scheme is unchanged for everyone.
    let national = ranking(&app, &ha_noi, "01", "period=2024-06").await;
    assert_eq!(national["scheme"]["code"], "commune-par");
    assert_eq!(standings(&national), json!([["00001", 1, 100.0, "submitted"]]));
}

/// What an upload leaves behind: versions of the code, audit entries about it, feed items.
/// The stored versions of `code`, the audit entries of schemes and the feed's `scheme.added`
/// items, once the feed holds `feed_expected` of them: on PostgreSQL a feed item shows only once
/// every older transaction of the server has ended, and other tests' writes can hold it back.
async fn traces(app: &TestApp, code: &str, feed_expected: usize) -> (usize, usize, usize) {
    let admin = app.admin();
    let versions = app.get(&format!("/api/v1/schemes/{code}"), &admin).await;
    let versions = versions.body["versions"].as_array().map_or(0, Vec::len);
    let audit = app.get("/api/v1/audit?target_type=scheme", &admin).await;
    let audit = audit.body["items"].as_array().expect("audit items").len();
    let mut feed = 0;
    for _ in 0..200 {
        let r = app.get("/api/v1/feed", &admin).await;
        feed = r.body["items"].as_array().expect("feed items").iter().filter(|i| i["kind"] == "scheme.added").count();
        if feed >= feed_expected {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    (versions, audit, feed)
}

/// Storing a version, re-scoring the reports, its feed item and its audit entry are one
/// transaction: when re-scoring fails half-way, none of them is left; when it succeeds, one of
/// each.
async fn a_scheme_upload_is_all_or_nothing(app: TestApp) {
    app.seed_units().await;
    for c in ["07273", "07279", "07294"] {
        file(&app, c, "2024-06", &seed_body()).await;
    }
    let admin = app.admin();
    let mut scheme = reweighted();
    scheme["code"] = json!("bac-giang-thu");
    // One stored report that can no longer be read: re-scoring reaches it and fails.
    let set_values = |json: &str| {
        use diesel::RunQueryDsl;
        let mut conn = app.db.conn().expect("a pooled connection");
        diesel::sql_query(format!("UPDATE reports SET values_json = '{json}' WHERE unit_code = '07294'"))
            .execute(&mut *conn)
            .expect("the report's values are set");
    };
    let stored = app.get("/api/v1/communes/07294/reports/2024-06", &admin).await.body["values"].to_string();
    set_values("not json");
    let r = app.post("/api/v1/schemes", &admin, &scheme).await;
    let p = r.problem(500);
    assert_eq!(p["type"], "urn:cchc:problem:internal", "{}", r.text);
    assert_eq!(traces(&app, "bac-giang-thu", 0).await, (0, 0, 0), "nothing of the upload is left");
    assert_eq!(app.get("/api/v1/schemes/bac-giang-thu", &admin).await.status, 404);
    // Repaired, the same upload goes through whole, as version 1.
    set_values(&stored);
    let uploaded = upload(&app, &admin, &scheme).await;
    assert_eq!((uploaded["version"].clone(), uploaded["rescored_reports"].clone()), (json!(1), json!(3)));
    assert_eq!(traces(&app, "bac-giang-thu", 1).await, (1, 1, 1));
    let entry = &app.get("/api/v1/audit?target_type=scheme", &admin).await.body["items"][0];
    assert_eq!((entry["action"].as_str(), entry["target"].as_str()), (Some("scheme.add"), Some("bac-giang-thu@1")));
    assert_eq!(entry["details"]["rescored_reports"], 3);
}

backend_tests!(
    a_scheme_upload_is_all_or_nothing,
    a_district_sees_the_province_schemes_it_may_rank_with,
    an_uploaded_version_rescores_existing_reports,
    a_version_applies_from_its_first_month,
    malformed_schemes_are_refused_with_paths,
    who_may_upload_and_see_a_scheme,
);

// Everyone in a province may use — and see — the province's own schemes.
async fn a_district_sees_the_province_schemes_it_may_rank_with(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &seed_body()).await;
    upload(&app, &app.token(Role::Province, Some("24")), &bac_giang_scheme()).await;
    let yen_the = app.token(Role::District, Some("215"));
    // Huyện Yên Thế, in Bắc Giang, may rank with its province's scheme...
    let view = ranking(&app, &yen_the, "215", "period=2024-06&scheme=bac-giang-par").await;
    assert_eq!(view["scheme"]["code"], "bac-giang-par");
    assert_eq!(entry(&view, "07273")["score"], json!(99.88));
    // ...so `GET /api/v1/schemes` ("every version of every scheme the caller may use") lists it,
    // and it can read its definition.
    assert_eq!(
        listed(&app, &yen_the).await,
        json!([["bac-giang-par", 1, "24"], ["commune-par", 1, null], ["qd766", 1, null]])
    );
    let r = app.get("/api/v1/schemes/bac-giang-par", &yen_the).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The same for a commune of the province.
    let dong_son = app.token(Role::Commune, Some("07273"));
    ranking(&app, &dong_son, "07273", "period=2024-06&scheme=bac-giang-par").await;
    assert_eq!(
        listed(&app, &dong_son).await,
        json!([["bac-giang-par", 1, "24"], ["commune-par", 1, null], ["qd766", 1, null]])
    );
}
