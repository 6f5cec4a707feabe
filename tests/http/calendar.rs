//! The working calendar an admin extends: a published day off moves the due dates that fall on
//! it (report, a commune's months, completeness), on every instance; a make-up working day
//! keeps a due date where it falls.

use reqwest::Method;
use serde_json::{Value, json};

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests, seed_body};

use crate::rankings::{CLEAN, file, report};

async fn due_dates(app: &TestApp, token: &str) -> (Value, Value, Value) {
    let r = app.get("/api/v1/communes/07273/reports/2024-07", token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let months = app.get("/api/v1/communes/07273/reports?from=2024-07&to=2024-07", token).await;
    assert_eq!(months.status, 200, "{}", months.text);
    let c = app.get("/api/v1/units/215/completeness?period=2024-07", token).await;
    assert_eq!(c.status, 200, "{}", c.text);
    (r.body["due_date"].clone(), months.body["items"][0]["due_date"].clone(), c.body["due_date"].clone())
}

fn all(day: &str) -> (Value, Value, Value) {
    (json!(day), json!(day), json!(day))
}

async fn a_day_off_the_admin_publishes_moves_a_due_date(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-07", &report(CLEAN, json!({}))).await;
    let admin = app.admin();
    let district = app.token(Role::District, Some("215"));
    let other = app.another_instance().await;
    // Tuesday 16 July 2024 is a working day: July is due on it.
    assert_eq!(due_dates(&app, &district).await, all("2024-07-16"));
    assert_eq!(due_dates(&other, &district).await, all("2024-07-16"));

    // Only an admin publishes.
    let body = json!({"name": "Ngày nghỉ thử"});
    for role in [Role::Commune, Role::District, Role::Province, Role::Portal] {
        let unit = match role {
            Role::Commune => "07273",
            Role::District => "215",
            _ => "24",
        };
        let r = app.put("/api/v1/holidays/2024-07-16", &app.token(role, Some(unit)), &body).await;
        assert_eq!(r.problem(403)["type"], "urn:cchc:problem:role-not-allowed", "{role}");
    }
    let r = app.put("/api/v1/holidays/2024-07-16", &admin, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/api/v1/holidays/2024-07-16"));
    assert_eq!(r.body, json!({"date": "2024-07-16", "kind": "day_off", "name": "Ngày nghỉ thử"}));
    // Due the next working day, Wednesday 17 July — on this instance and the other.
    assert_eq!(due_dates(&app, &district).await, all("2024-07-17"));
    assert_eq!(due_dates(&other, &district).await, all("2024-07-17"));

    // The next day off too: Thursday 18 July.
    let r = other.put("/api/v1/holidays/2024-07-17", &admin, &json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["name"], "Ngày nghỉ");
    assert_eq!(due_dates(&app, &district).await, all("2024-07-18"));
    // Publishing a date again replaces it.
    let r = app.put("/api/v1/holidays/2024-07-17", &admin, &json!({"name": "Nghỉ bù"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Nghỉ bù");

    // Withdrawn, the 16th is a working day again.
    let r = app.request(Method::DELETE, "/api/v1/holidays/2024-07-16", Some(&admin), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Ngày nghỉ thử");
    assert_eq!(due_dates(&other, &district).await, all("2024-07-16"));
    let r = app.request(Method::DELETE, "/api/v1/holidays/2024-07-16", Some(&admin), None).await;
    r.problem(404);

    // Every publication is audited.
    let audit = app.get("/api/v1/audit?action=calendar.publish", &admin).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let targets: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["2024-07-17", "2024-07-17", "2024-07-16"]);
}

async fn june_2024_is_due_on_monday_17_june_unless_sunday_is_worked(app: TestApp) {
    app.seed_units().await;
    let r = app.file("07273", "2024-06", &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["due_date"], "2024-06-17", "16 June 2024 was a Sunday");
    let admin = app.admin();
    // A Sunday published as a make-up working day keeps the due date on it.
    let r = app.put("/api/v1/holidays/2024-06-16", &admin, &json!({"kind": "working_day", "name": "Làm bù"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let own = app.token(Role::Commune, Some("07273"));
    assert_eq!(app.get("/api/v1/communes/07273/reports/2024-06", &own).await.body["due_date"], "2024-06-16");
    // A day off on a weekend, a make-up day on a weekday and a date that is none are refused.
    let p = app.put("/api/v1/holidays/2024-06-15", &admin, &json!({})).await;
    assert!(p.problem(400)["detail"].as_str().unwrap().contains("2024-06-15 is a Sat"), "{}", p.text);
    let p = app.put("/api/v1/holidays/2024-06-18", &admin, &json!({"kind": "working_day"})).await;
    assert!(p.problem(400)["detail"].as_str().unwrap().contains("a make-up working day is a Saturday or Sunday"));
    app.put("/api/v1/holidays/2024-02-30", &admin, &json!({})).await.problem(400);
    app.put("/api/v1/holidays/2024-07-16", &admin, &json!({"name": "a\u{0}b"})).await.problem(400);
    app.put("/api/v1/holidays/2024-07-16", &admin, &json!({"kind": "holiday"})).await.problem(400);
}

async fn the_published_days_of_2024(app: TestApp) {
    let own = app.token(Role::Commune, Some("07273"));
    let r = app.get("/api/v1/holidays?year=2024", &own).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["year"], 2024);
    let days: Vec<(&str, &str)> = r.body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    let off = |d| (d, "day_off");
    assert_eq!(
        days,
        [
            off("2024-01-01"),
            off("2024-02-08"),
            off("2024-02-09"),
            off("2024-02-12"),
            off("2024-02-13"),
            off("2024-02-14"),
            off("2024-04-18"),
            off("2024-04-29"),
            off("2024-04-30"),
            off("2024-05-01"),
            ("2024-05-04", "working_day"),
            off("2024-09-02"),
            off("2024-09-03"),
        ]
    );
    let all = app.get("/api/v1/holidays", &own).await;
    assert_eq!(all.body["year"], Value::Null);
    assert_eq!(all.body["days"].as_array().map(Vec::len), Some(50), "2023–2026");
    app.get("/api/v1/holidays?year=20245", &own).await.problem(400);
}

backend_tests!(
    a_day_off_the_admin_publishes_moves_a_due_date,
    june_2024_is_due_on_monday_17_june_unless_sunday_is_worked,
    the_published_days_of_2024
);
