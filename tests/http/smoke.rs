use cchc_tests::{TestApp, backend_tests, seed_body};
use serde_json::json;

async fn seed_report_round_trip(app: TestApp) {
    app.seed_units().await;
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["derived"]["resolved_on_time_rate"], json!(99.4));
    assert_eq!(r.body["derived"]["online_rate"], json!(100.0));
    assert_eq!(r.body["derived"]["dossiers_received_total"], json!(168));
}

/// The served document is the committed one; Swagger UI names the service, calls no online
/// validator, and is served under a Content-Security-Policy and `nosniff`.
async fn the_document_and_swagger_ui(app: TestApp) {
    let doc = app.client.get(app.url("/api-docs/openapi.json")).send().await.expect("the document");
    assert_eq!(doc.status(), 200);
    let served: serde_json::Value = doc.json().await.expect("JSON");
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("the committed document");
    assert!(served == committed, "the served document differs from openapi/openapi.json");
    let page = app.client.get(app.url("/docs/")).send().await.expect("Swagger UI");
    assert_eq!(page.status(), 200);
    let header = |name: &str| page.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(header("content-security-policy").contains("connect-src 'self'"), "{}", header("content-security-policy"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(page.text().await.expect("HTML").contains("<title>cchc — API (CCHC reporting)</title>"));
    let init = app.client.get(app.url("/docs/swagger-initializer.js")).send().await.expect("the initializer");
    let init = init.text().await.expect("text");
    assert!(init.contains(r#""validatorUrl": null"#), "{init}");
    assert!(init.contains(r#""/api-docs/openapi.json""#), "{init}");
}

backend_tests!(seed_report_round_trip, the_document_and_swagger_ui);

/// Two instances starting at once on a fresh database: one migrates while the other waits, and
/// both come up.
fn two_instances_migrate_at_once(url: String) {
    let instances: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let db = cchc_persistence::Database::connect(&url, Default::default()).expect("connect");
                db.migrate().expect("migrate")
            })
        })
        .collect();
    let applied: Vec<Vec<String>> = instances.into_iter().map(|t| t.join().expect("an instance")).collect();
    // One applied every migration; the other found nothing left to do.
    let mut counts: Vec<usize> = applied.iter().map(Vec::len).collect();
    counts.sort();
    assert_eq!(counts[0], 0, "{applied:?}");
    assert!(counts[1] >= 5, "{applied:?}");
}

#[test]
fn two_instances_migrate_a_fresh_postgres_database_at_once() {
    let scratch = cchc_tests::postgres::Scratch::create_empty();
    two_instances_migrate_at_once(scratch.url().to_owned());
}

#[test]
fn two_instances_migrate_a_fresh_sqlite_database_at_once() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    two_instances_migrate_at_once(format!("sqlite://{}", dir.path().join("race.db").display()));
}
