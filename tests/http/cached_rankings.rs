//! Rankings are cached per process while the database's epoch stands: every kind of change,
//! through this instance or another on the same database, shows in the very next request, and
//! a client that holds the current bytes gets `304`.

use reqwest::Method;
use serde_json::json;

use cchc_domain::Role;
use cchc_tests::{TestApp, backend_tests};

use crate::rankings::{BUSY, CLEAN, LATE, file, report, standings};

async fn get_ranking(app: &TestApp, token: &str, if_none_match: Option<&str>) -> (u16, String, serde_json::Value) {
    let mut req = app.client.get(app.url("/api/v1/units/215/rankings?period=2024-06")).bearer_auth(token);
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    let r = cchc_tests::Reply::from(req.send().await.expect("the server answers")).await;
    let tag = r.headers.get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if r.status == 200 {
        assert_eq!(r.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-cache"));
    }
    (r.status.as_u16(), tag, r.body)
}

async fn every_change_shows_in_the_next_request_and_unchanged_rankings_revalidate(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &report(LATE, json!({}))).await; // 92.13
    file(&app, "07279", "2024-06", &report(BUSY, json!({}))).await; // 94.09
    let yen_the = app.token(Role::District, Some("215"));

    let (status, tag, first) = get_ranking(&app, &yen_the, None).await;
    assert_eq!(status, 200);
    assert_eq!(tag.len(), 26, "a strong tag of 24 hex digits: {tag}");
    assert_eq!(
        standings(&first),
        json!([["07279", 1, 94.09, "submitted"], ["07273", 2, 92.13, "submitted"], ["07294", null, null, "missing"]])
    );
    // Nothing changed: the same bytes, and 304 for a client that holds them.
    let (status, again, body) = get_ranking(&app, &yen_the, None).await;
    assert_eq!((status, &again, &body), (200, &tag, &first));
    let (status, same, _) = get_ranking(&app, &yen_the, Some(&tag)).await;
    assert_eq!((status, same), (304, tag.clone()));
    let (status, _, _) = get_ranking(&app, &yen_the, Some(&format!("\"other\", W/{tag}"))).await;
    assert_eq!(status, 304, "one of a list, compared weakly");
    assert_eq!(get_ranking(&app, &yen_the, Some("*")).await.0, 304, "`*` matches any current ranking");
    assert_eq!(get_ranking(&app, &yen_the, Some("\"other\"")).await.0, 200);

    // A new revision.
    file(&app, "07273", "2024-06", &report(CLEAN, json!({}))).await;
    let (status, tag2, body) = get_ranking(&app, &yen_the, Some(&tag)).await;
    assert_eq!(status, 200);
    assert_ne!(tag2, tag);
    assert_eq!(
        standings(&body),
        json!([["07273", 1, 100.0, "submitted"], ["07279", 2, 94.09, "submitted"], ["07294", null, null, "missing"]])
    );

    // A review action that changes no figure: a returned report is not ranked.
    let r =
        app.post("/api/v1/communes/07279/reports/2024-06/return", &yen_the, &json!({"reason": "Thiếu phụ lục"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (status, tag3, body) = get_ranking(&app, &yen_the, Some(&tag2)).await;
    assert_eq!(status, 200);
    assert_ne!(tag3, tag2);
    assert_eq!(
        standings(&body),
        json!([["07273", 1, 100.0, "submitted"], ["07279", null, null, "returned"], ["07294", null, null, "missing"]])
    );

    // A new commune in the district.
    app.create_unit("07297", "Xã Tam Tiến", Some("215")).await;
    let (status, _, body) = get_ranking(&app, &yen_the, Some(&tag3)).await;
    assert_eq!(status, 200);
    assert_eq!(body["communes"], 4);
    assert_eq!(body["missing"], 2);

    // The cache never lets anyone past the scope check: a sibling district is still refused.
    let tan_yen = app.token(Role::District, Some("216"));
    let r = app.get("/api/v1/units/215/rankings?period=2024-06", &tan_yen).await;
    r.problem(403);
}

async fn a_write_through_another_instance_shows_in_the_next_request(app: TestApp) {
    app.seed_units().await;
    file(&app, "07273", "2024-06", &report(LATE, json!({}))).await;
    file(&app, "07279", "2024-06", &report(BUSY, json!({}))).await;
    let other = app.another_instance().await;
    let yen_the = app.token(Role::District, Some("215"));

    // Both instances have computed and kept the ranking.
    for instance in [&app, &other] {
        let (status, _, body) = get_ranking(instance, &yen_the, None).await;
        assert_eq!(status, 200);
        assert_eq!(standings(&body)[0], json!(["07279", 1, 94.09, "submitted"]));
    }
    // Đông Sơn's correction goes through the other instance; this one answers next.
    file(&other, "07273", "2024-06", &report(CLEAN, json!({}))).await;
    let (_, _, body) = get_ranking(&app, &yen_the, None).await;
    assert_eq!(
        standings(&body),
        json!([["07273", 1, 100.0, "submitted"], ["07279", 2, 94.09, "submitted"], ["07294", null, null, "missing"]])
    );
    // And the other way round: a user disabled through this instance is refused by the other.
    let r = app
        .post(
            "/api/v1/users",
            &app.admin(),
            &json!({"username": "yt", "password": "mat-khau-dung", "role": "district", "unit_code": "215"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = other
        .request(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(&json!({"username": "yt", "password": "mat-khau-dung"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.body["access_token"].as_str().expect("an access token").to_owned();
    assert_eq!(get_ranking(&other, &token, None).await.0, 200);
    let r = app.post("/api/v1/users/yt/disable", &app.admin(), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(get_ranking(&other, &token, None).await.0, 401);
}

/// Epoch reads that arrive while one is under way share the next: under a crowd of readers, a
/// commit is still seen by every read that begins after it.
async fn an_epoch_read_after_a_commit_sees_it_while_readers_crowd(app: TestApp) {
    use diesel::RunQueryDsl;
    use std::sync::atomic::{AtomicBool, Ordering};
    let db = &app.db;
    let stop = AtomicBool::new(false);
    /// Stops the readers however the writer's loop ends, so that a failure is reported, not hung.
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    std::thread::scope(|s| {
        let _stop = Stop(&stop);
        for _ in 0..4 {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    db.epoch().expect("an epoch");
                }
            });
        }
        let mut conn = db.conn().expect("a connection");
        let epoch = || db.epoch().expect("an epoch").expect("a watchable database");
        for i in 0..200 {
            let before = epoch();
            diesel::sql_query(format!("INSERT INTO settings (key, value) VALUES ('epoch-test-{i}', 'x')"))
                .execute(&mut *conn)
                .expect("a committed write");
            assert_ne!(before, epoch(), "write {i} committed, yet the epoch read after it is the one before");
        }
    });
}

backend_tests!(
    an_epoch_read_after_a_commit_sees_it_while_readers_crowd,
    every_change_shows_in_the_next_request_and_unchanged_rankings_revalidate,
    a_write_through_another_instance_shows_in_the_next_request,
);
