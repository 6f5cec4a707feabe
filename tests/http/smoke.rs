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

backend_tests!(seed_report_round_trip);
