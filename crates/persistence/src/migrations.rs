//! Embedded migrations, one set per backend (`migrations/<backend>/`).

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::DbConnection;
use crate::error::DbError;

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Any constant will do, as long as nothing else in the database takes the same advisory lock.
const MIGRATION_LOCK: i64 = 0x0000_cc4c_2024_0601;

/// Runs `f` holding the migration lock: on PostgreSQL an advisory lock keeps two instances that
/// start at once on a fresh database from racing (on the schema, and on the data seeded after
/// it); on SQLite one write transaction does.
pub fn locked<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    if conn.backend() == crate::Backend::Sqlite {
        // One IMMEDIATE transaction around everything; each migration nests as a savepoint.
        return crate::connection::write_transaction(conn, f);
    }
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let result = f(conn);
    let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    let value = result?;
    unlocked?;
    Ok(value)
}

/// Applies pending migrations; returns the versions applied. Call it inside `locked`.
pub fn run(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        DbConnection::Postgresql(pg) => {
            let applied = pg.run_pending_migrations(POSTGRES).map_err(err)?;
            Ok(applied.iter().map(|m| m.to_string()).collect())
        }
        DbConnection::Sqlite(lite) => {
            let applied = lite.run_pending_migrations(SQLITE).map_err(err)?;
            Ok(applied.iter().map(|m| m.to_string()).collect())
        }
    }
}

/// Whether migrations are pending (used by health checks and tests).
pub fn pending(conn: &mut DbConnection) -> Result<usize, DbError> {
    let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        DbConnection::Postgresql(pg) => pg.pending_migrations(POSTGRES).map(|v| v.len()).map_err(err),
        DbConnection::Sqlite(lite) => lite.pending_migrations(SQLITE).map(|v| v.len()).map_err(err),
    }
}
