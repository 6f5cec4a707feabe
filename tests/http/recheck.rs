//! Stale warnings: when a report changes, the stored findings of the next month's report — the
//! commune's own, or its successor's after a merger — are recomputed (no new revision), and the
//! feed says so.

use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, dossier_report};

/// The `findings.recomputed` items of the feed, once `n` have arrived (PostgreSQL shows an item
/// only once every older transaction of the server has ended).
async fn recomputed(app: &TestApp, n: usize) -> Vec<Value> {
    let admin = app.admin();
    let mut items = Vec::new();
    for _ in 0..200 {
        let r = app.get("/api/v1/feed?limit=1000", &admin).await;
        assert_eq!(r.status, 200, "{}", r.text);
        items = r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["kind"] == "findings.recomputed")
            .cloned()
            .collect();
        if items.len() >= n {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    items
}

async fn filed(app: &TestApp, code: &str, period: &str, v: [i64; 8]) -> Value {
    let r = app.file(code, period, &dossier_report(v)).await;
    assert!(r.status == 201 || r.status == 200, "{code} {period}: {}", r.text);
    r.body
}

async fn revising_julys_pending_rechecks_augusts_carry_over(app: TestApp) {
    app.seed_units().await;
    // July leaves 3 + 2 pending; August carries over 5: no finding.
    filed(&app, "07273", "2024-07", [0, 10, 0, 5, 0, 0, 3, 2]).await;
    let august = filed(&app, "07273", "2024-08", [5, 10, 0, 15, 0, 0, 0, 0]).await;
    assert_eq!((august["revision"].as_i64(), august["findings"].clone()), (Some(1), json!([])));

    // July is revised: 4 + 2 pending. August's stored check now disagrees, at the same revision.
    let july = filed(&app, "07273", "2024-07", [0, 10, 0, 4, 0, 0, 4, 2]).await;
    assert_eq!(july["revision"], 2);
    let district = app.token(Role::District, Some("215"));
    let r = app.get("/api/v1/communes/07273/reports/2024-08", &district).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 1, "no new revision");
    assert_eq!(r.header("etag"), Some("\"07273-2024-08-r1\""));
    let findings = r.body["findings"].clone();
    assert_eq!(findings.as_array().map(Vec::len), Some(1), "{findings}");
    assert_eq!(findings[0]["code"], "carry_over_mismatch");
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(findings[0]["message_en"], "5 dossiers carried over, but last month's report left 4 + 2 = 6 pending");
    // The revision log of August is untouched.
    let revisions = app.get("/api/v1/communes/07273/reports/2024-08/revisions", &district).await;
    assert_eq!(revisions.body["items"].as_array().map(Vec::len), Some(1), "{}", revisions.text);

    let items = recomputed(&app, 1).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["subject"], "07273/2024-08");
    assert_eq!(items[0]["province_code"], "24");
    let p = &items[0]["payload"];
    assert_eq!(
        (&p["unit_code"], &p["period"], &p["status"], &p["revision"], &p["caused_by"]),
        (&json!("07273"), &json!("2024-08"), &json!("submitted"), &json!(1), &json!("07273/2024-07"))
    );
    assert_eq!(p["findings"], findings);

    // Returned, July no longer counts: nothing to compare, the warning goes, and the feed says so.
    let reviewer = app.token(Role::District, Some("215"));
    let r = app
        .post("/api/v1/communes/07273/reports/2024-07/return", &reviewer, &json!({"reason": "Số liệu chưa khớp"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get("/api/v1/communes/07273/reports/2024-08", &district).await;
    assert_eq!((r.body["revision"].clone(), r.body["findings"].clone()), (json!(1), json!([])));
    let items = recomputed(&app, 2).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[1]["payload"]["findings"], json!([]));
    assert_eq!(items[1]["payload"]["caused_by"], "07273/2024-07");

    // A change that leaves August's findings as they are tells nothing: July resubmitted as
    // returned-then-corrected with the same 4 + 2 brings the warning back once, not twice.
    filed(&app, "07273", "2024-07", [0, 10, 0, 4, 0, 0, 4, 2]).await;
    filed(&app, "07273", "2024-07", [0, 10, 0, 4, 0, 0, 4, 2]).await;
    let items = recomputed(&app, 3).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(recomputed(&app, 3).await.len(), 3, "{items:?}");
}

async fn a_predecessors_revision_rechecks_its_successors_first_month(app: TestApp) {
    app.seed_units().await;
    let admin = app.admin();
    let r = app.post("/api/v1/units/07273/merge", &admin, &json!({"into": "07294", "effective_from": "2025-07"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // June 2025: Bố Hạ leaves 4 + 2 pending, Đông Sơn 2 + 1; Bố Hạ's July carries over 9.
    filed(&app, "07294", "2025-06", [0, 20, 0, 10, 4, 0, 4, 2]).await;
    filed(&app, "07273", "2025-06", [0, 10, 0, 5, 2, 0, 2, 1]).await;
    let july = filed(&app, "07294", "2025-07", [9, 10, 0, 10, 9, 0, 0, 0]).await;
    assert_eq!(july["findings"], json!([]));
    // Đông Sơn's June is corrected to 3 + 1 pending: Bố Hạ's July no longer adds up.
    filed(&app, "07273", "2025-06", [0, 10, 0, 5, 1, 0, 3, 1]).await;
    let bo_ha = app.token(Role::Commune, Some("07294"));
    let r = app.get("/api/v1/communes/07294/reports/2025-07", &bo_ha).await;
    assert_eq!(r.body["revision"], 1);
    assert_eq!(
        r.body["findings"][0]["message_en"],
        "9 dossiers carried over, but last month's report left 7 + 3 = 10 pending"
    );
    let items = recomputed(&app, 1).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["subject"], "07294/2025-07");
    assert_eq!(items[0]["payload"]["caused_by"], "07273/2025-06");
}

backend_tests!(
    revising_julys_pending_rechecks_augusts_carry_over,
    a_predecessors_revision_rechecks_its_successors_first_month
);
