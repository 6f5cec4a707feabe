//! The SQLite ceiling for report writes: single-row inserts of a report-sized row, one
//! `BEGIN IMMEDIATE` transaction each, from N threads with their own connections and the
//! server's own PRAGMAs (`SQLITE_INIT`). Prints rows per second.
//! `cargo run --release -p cchc-persistence --example sqlite_insert_ceiling -- PATH THREADS SECONDS`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

use cchc_persistence::connection::SQLITE_INIT;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).cloned().unwrap_or_else(|| "target/bench/ceiling.db".into());
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(8);
    let seconds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let mut setup = SqliteConnection::establish(&path).expect("open");
    setup.batch_execute(SQLITE_INIT).expect("pragmas");
    setup
        .batch_execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, period TEXT NOT NULL, payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL)")
        .expect("table");
    // The size of a report's stored values (the seed report's 37 values).
    let payload = Arc::new("x".repeat(1300));
    let count = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (path, payload, count, stop) = (path.clone(), payload.clone(), count.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut conn = SqliteConnection::establish(&path).expect("open");
                conn.batch_execute(SQLITE_INIT).expect("pragmas");
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    conn.immediate_transaction(|c| {
                        diesel::sql_query(format!(
                            "INSERT INTO rows (unit, period, payload, created_at) VALUES ('{t:05}', '2026-{:02}', '{payload}', CURRENT_TIMESTAMP)",
                            i % 12 + 1
                        ))
                        .execute(c)
                    })
                    .expect("insert");
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("thread");
    }
    let n = count.load(Ordering::Relaxed);
    println!("{:.1}", n as f64 / started.elapsed().as_secs_f64());
}
