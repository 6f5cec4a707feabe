//! Backups that are real for the embedded default: a consistent online copy of a SQLite
//! database while the server writes to it (`VACUUM INTO`, which reads one snapshot), checked
//! before it is kept; and putting one back, with the server stopped. PostgreSQL is backed up
//! and restored by its own `pg_dump` and `pg_restore`, called when they are installed.

use std::path::Path;
use std::process::Command;

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::{Connection, SqliteConnection};

use crate::connection::Target;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Target(#[from] crate::connection::TargetError),
    #[error("{0} exists already; a backup never overwrites a file")]
    Exists(String),
    #[error("SQLite: {0}")]
    Sqlite(String),
    #[error("the copy is not a sound cchc database: {0}")]
    NotSound(String),
    #[error(
        "{tool} could not be run ({cause}); install PostgreSQL's client tools (Debian: postgresql-client) or run it yourself"
    )]
    Tool { tool: &'static str, cause: String },
    #[error("{tool} failed: {stderr}")]
    Failed { tool: &'static str, stderr: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn sqlite_error(e: impl std::fmt::Display) -> BackupError {
    BackupError::Sqlite(e.to_string())
}

fn plain_path(path: &str) -> Result<&str, BackupError> {
    if path.starts_with("file:") {
        return Err(BackupError::Sqlite("give the database as a plain path (sqlite://path), not a file: URI".into()));
    }
    Ok(path)
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// That `path` is a readable SQLite file that passes `integrity_check` and holds a migrated
/// cchc schema; how many reports it holds.
pub fn check_sqlite(path: &str) -> Result<i64, BackupError> {
    let mut conn = SqliteConnection::establish(&format!("file:{path}?mode=ro")).map_err(sqlite_error)?;
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn).map_err(sqlite_error)?;
    match checks.as_slice() {
        [c] if c.integrity_check == "ok" => {}
        other => {
            let found: Vec<&str> = other.iter().map(|c| c.integrity_check.as_str()).collect();
            return Err(BackupError::NotSound(found.join("; ")));
        }
    }
    let counted: Result<Vec<Count>, _> = diesel::sql_query("SELECT COUNT(*) AS n FROM reports").load(&mut conn);
    match counted {
        Ok(rows) => Ok(rows.first().map_or(0, |c| c.n)),
        Err(e) => Err(BackupError::NotSound(format!("no cchc schema ({e})"))),
    }
}

/// A consistent copy of the database at `url` in `dest` (a new file); safe while the server
/// runs. Returns what was copied, in words.
pub fn backup(url: &str, dest: &Path) -> Result<String, BackupError> {
    if dest.exists() {
        return Err(BackupError::Exists(dest.display().to_string()));
    }
    match Target::parse(url)? {
        Target::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(plain_path(&path)?).map_err(sqlite_error)?;
            // Writers keep writing; VACUUM INTO reads one snapshot. A busy moment is waited out.
            diesel::sql_query("PRAGMA busy_timeout = 30000").execute(&mut conn).map_err(sqlite_error)?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(dest.display().to_string())
                .execute(&mut conn)
                .map_err(sqlite_error)?;
            let reports = check_sqlite(&dest.display().to_string())?;
            Ok(format!("copied {path} to {} ({reports} reports; integrity checked)", dest.display()))
        }
        Target::Postgres(url) => {
            let out = run("pg_dump", &["--format=custom", "--no-owner", "--file", &dest.display().to_string(), &url])?;
            Ok(format!("pg_dump wrote {}{out}", dest.display()))
        }
    }
}

/// Puts the backup `src` in place of the database at `url`, the server stopped: the copy is
/// checked first, then written beside the database and renamed over it, so that a failure
/// leaves the database as it was.
pub fn restore(url: &str, src: &Path) -> Result<String, BackupError> {
    match Target::parse(url)? {
        Target::Sqlite(path) => {
            let path = plain_path(&path)?.to_owned();
            let reports = check_sqlite(&src.display().to_string())?;
            // SQLite cannot tell an idle server's open connection from none, so stopping the
            // server is the operator's part (a server left running keeps the replaced file).
            let staged = format!("{path}.restoring");
            std::fs::copy(src, &staged)?;
            std::fs::File::open(&staged)?.sync_all()?;
            for stale in [format!("{path}-wal"), format!("{path}-shm")] {
                match std::fs::remove_file(&stale) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
            std::fs::rename(&staged, &path)?;
            Ok(format!("restored {} into {path} ({reports} reports)", src.display()))
        }
        Target::Postgres(url) => {
            let out = run(
                "pg_restore",
                &["--clean", "--if-exists", "--no-owner", "--dbname", &url, &src.display().to_string()],
            )?;
            Ok(format!("pg_restore restored {}{out}", src.display()))
        }
    }
}

fn run(tool: &'static str, args: &[&str]) -> Result<String, BackupError> {
    let out = Command::new(tool).args(args).output().map_err(|e| BackupError::Tool { tool, cause: e.to_string() })?;
    if !out.status.success() {
        return Err(BackupError::Failed { tool, stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned() });
    }
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    Ok(if stderr.is_empty() { String::new() } else { format!(" ({stderr})") })
}
