//! One connection type over both backends, chosen by the scheme of `DATABASE_URL`, and the
//! r2d2 manager that opens it with each backend's per-connection settings.

use std::fmt;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same code against whichever connection is inside, for the few places where the
/// backends need different Diesel calls (`FOR UPDATE`, `ON CONFLICT`, batch inserts).
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::DbConnection::Postgresql($c) => $body,
            $crate::connection::DbConnection::Sqlite($c) => $body,
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Postgres => "PostgreSQL",
            Backend::Sqlite => "SQLite",
        })
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Where to connect, parsed from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    /// A file path (or `file:` URI) for SQLite.
    Sqlite(String),
}

impl fmt::Debug for Target {
    // Never print a password that may be in the URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Postgres(url) => write!(f, "Postgres({})", redact(url)),
            Target::Sqlite(path) => write!(f, "Sqlite({path})"),
        }
    }
}

/// Hides the password of a connection URL for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "DATABASE_URL scheme `{0}` is not supported: use postgres://… for PostgreSQL or sqlite://path (or a plain file path) for SQLite"
    )]
    Scheme(String),
    #[error("DATABASE_URL is empty")]
    Empty,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(TargetError::Empty);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            return Ok(Target::Sqlite(rest.to_owned()));
        }
        if url.starts_with("file:") {
            return Ok(Target::Sqlite(url.to_owned()));
        }
        match url.find("://") {
            Some(i) => Err(TargetError::Scheme(url[..i].to_owned())),
            None => Ok(Target::Sqlite(url.to_owned())),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// SQLite per-connection settings. WAL lets readers run beside the writer; `synchronous=FULL`
/// syncs the WAL at every commit, so an acknowledged write survives a crash of the process or
/// the machine; the busy timeout makes writers queue instead of failing. Reads go through a
/// memory map and a 16 MiB page cache rather than a copy per page.
pub const SQLITE_INIT: &str = "PRAGMA busy_timeout = 15000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
PRAGMA mmap_size = 1073741824;
PRAGMA cache_size = -16384;";

/// Opens connections of one backend, with its init statements.
#[derive(Debug, Clone)]
pub struct Manager {
    target: Target,
}

impl Manager {
    pub fn new(target: Target) -> Manager {
        Manager { target }
    }

    pub fn establish(&self) -> Result<DbConnection, ConnectionError> {
        match &self.target {
            Target::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // Timestamps are stored as UTC.
                conn.batch_execute("SET TIME ZONE 'UTC'").map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgresql(conn))
            }
            Target::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_INIT).map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1").map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking()
            || <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// Runs `f` in a transaction that takes the write lock at once. On SQLite a transaction that
/// reads and then writes must begin `IMMEDIATE`, or concurrent writers get `SQLITE_BUSY` that
/// no busy timeout waits out; PostgreSQL begins an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    // Inside a transaction already (a handler that writes and audits in one), nest as a
    // savepoint: the outer transaction holds the write lock.
    let depth = Tm::transaction_manager_status_mut(conn).transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    match conn {
        DbConnection::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?,
        DbConnection::Postgresql(_) => Tm::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = Tm::rollback_transaction(conn) {
                log::error!("rollback failed after an error: {rollback}");
            }
            Err(e)
        }
    }
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions { max_size: 10, connection_timeout: Duration::from_secs(10) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(Target::parse("postgres://u@h/db").unwrap(), Target::Postgres("postgres://u@h/db".into()));
        assert_eq!(Target::parse("postgresql://h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(Target::parse("sqlite://cchc.db").unwrap(), Target::Sqlite("cchc.db".into()));
        assert_eq!(Target::parse("sqlite:///var/lib/cchc.db").unwrap(), Target::Sqlite("/var/lib/cchc.db".into()));
        assert_eq!(Target::parse("data/cchc.db").unwrap(), Target::Sqlite("data/cchc.db".into()));
        assert!(matches!(Target::parse("mysql://h/db"), Err(TargetError::Scheme(s)) if s == "mysql"));
        assert!(matches!(Target::parse(" "), Err(TargetError::Empty)));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://cchc:s3cret@db:5432/cchc"), "postgres://cchc:***@db:5432/cchc");
        assert_eq!(redact("postgres://cchc@db/cchc"), "postgres://cchc@db/cchc");
        assert_eq!(format!("{:?}", Target::parse("postgres://a:b@h/d").unwrap()), "Postgres(postgres://a:***@h/d)");
    }
}
