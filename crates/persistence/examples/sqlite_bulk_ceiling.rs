//! The SQLite ceiling for bulk loads: the same dossier rows, multi-row `INSERT`s of 60 rows in
//! transactions of 2,000, with the server's PRAGMAs (`SQLITE_INIT`), on a migrated database.
//! `cargo run --release -p cchc-persistence --example sqlite_bulk_ceiling -- DB CSV`

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

use cchc_persistence::connection::SQLITE_INIT;

fn quote(v: &str) -> String {
    if v.is_empty() { "NULL".into() } else { format!("'{}'", v.replace('\'', "''")) }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (db, csv) = (args.get(1).expect("DB path"), args.get(2).expect("CSV path"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
    let database = cchc_persistence::Database::connect(db, Default::default()).expect("open");
    database.migrate().expect("migrate");
    drop(database);
    let mut conn = SqliteConnection::establish(db).expect("open");
    conn.batch_execute(SQLITE_INIT).expect("pragmas");
    let text = std::fs::read_to_string(csv).expect("read the CSV");
    let rows: Vec<String> = text
        .lines()
        .map(|line| {
            // The generator's CSV has no quoted commas except in `[]`, which has none.
            let fields: Vec<String> = line.split(',').map(quote).collect();
            format!("({})", fields.join(","))
        })
        .collect();
    for tx in rows.chunks(2000) {
        conn.immediate_transaction(|c| {
            for stmt in tx.chunks(60) {
                diesel::sql_query(format!("INSERT INTO dossiers VALUES {}", stmt.join(","))).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .expect("insert");
    }
}
