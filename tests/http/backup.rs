//! Backups while communes file: `cchc backup` copies a running database (SQLite's online copy,
//! PostgreSQL's pg_dump), `cchc restore` puts the copy into a fresh place, and every report
//! acknowledged before the backup started is there.

use std::cell::RefCell;

use serde_json::json;

use cchc_domain::{Month, UnitCode};
use cchc_persistence::{Database, backup, reports};
use cchc_tests::{Backend, TestApp, backend_tests};

use crate::rankings::{CLEAN, report};

async fn a_backup_taken_under_puts_restores_every_report_acknowledged_before_it(app: TestApp) {
    app.seed_units().await;
    let dir = tempfile::tempdir().expect("a directory");
    let dest = dir.path().join("cchc.backup");
    let acknowledged: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    // Four communes file month after month while the backup runs.
    let writer = async {
        for month in 1..=18 {
            let period = format!("{}-{:02}", 2023 + (month - 1) / 12, (month - 1) % 12 + 1);
            for code in ["07273", "07279", "07294", "07312"] {
                let r = app.file(code, &period, &report(CLEAN, json!({}))).await;
                assert_eq!(r.status, 201, "{}", r.text);
                acknowledged.borrow_mut().push((code.to_owned(), period.clone()));
            }
        }
    };
    let backer = async {
        while acknowledged.borrow().len() < 12 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let before = acknowledged.borrow().clone();
        let (url, path) = (app.database.url().to_owned(), dest.clone());
        let done = actix_web::rt::task::spawn_blocking(move || backup::backup(&url, &path)).await;
        (before, done)
    };
    let ((), (before, done)) = futures_util::future::join(writer, backer).await;
    let done = done.expect("the backup thread").unwrap_or_else(|e| panic!("the backup failed: {e}"));
    assert!(before.len() >= 12, "{before:?}");
    assert!(acknowledged.borrow().len() == 72, "the writes went on during the backup");

    // Restored into a fresh place, every report acknowledged before the backup is there.
    let (restored_url, _keep) = match app.backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("restored.db").display()), None),
        Backend::Postgres => {
            let fresh = cchc_tests::postgres::Scratch::create_empty();
            (fresh.url().to_owned(), Some(fresh))
        }
    };
    let restored = backup::restore(&restored_url, &dest).unwrap_or_else(|e| panic!("the restore failed: {e}"));
    let db = Database::connect(&restored_url, Default::default()).expect("the restored database opens");
    let mut conn = db.conn().expect("a connection");
    for (code, period) in &before {
        let (unit, month) = (UnitCode::parse(code).expect("a code"), period.parse::<Month>().expect("a month"));
        let found = reports::get(&mut conn, &unit, month.into()).expect("readable");
        assert!(found.is_some(), "{code}/{period} was acknowledged before the backup: {done}; {restored}");
    }
    // A second backup to the same file is refused, never overwriting one.
    let again = backup::backup(app.database.url(), &dest).expect_err("the file exists");
    assert!(again.to_string().contains("exists already"), "{again}");
}

backend_tests!(a_backup_taken_under_puts_restores_every_report_acknowledged_before_it);
