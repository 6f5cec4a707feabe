//! Storage for cchc. One Diesel connection type serves SQLite (the embedded default) and
//! PostgreSQL (production), chosen by the scheme of `DATABASE_URL`; repositories speak domain
//! types; migrations are embedded per backend.

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod calendar_days;
pub mod codec;
pub mod connection;
pub mod epoch;
pub mod error;
pub mod feed;
pub mod indicators;
pub mod login;
pub mod migrations;
pub mod portal_dossiers;
pub mod reports;
pub mod schema;
pub mod schemes;
pub mod scores;
pub mod settings;
pub mod units;
pub mod users;

pub use connection::{Backend, DbConnection};
use connection::{Manager, PoolOptions, Target};
pub use diesel::result::Error as DieselError;
pub use epoch::Epoch;
pub use error::{DbError, DbResult};

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    backend: Backend,
    epoch: epoch::EpochSource,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Database {
    /// Connects to `url`. The first connection is opened directly, so that a wrong URL or a
    /// server that is down is reported with the backend's own message.
    pub fn connect(url: &str, options: PoolOptions) -> DbResult<Database> {
        let target = Target::parse(url).map_err(|e| DbError::Unavailable(e.to_string()))?;
        let backend = target.backend();
        let manager = Manager::new(target.clone());
        manager
            .establish()
            .map_err(|e| DbError::Unavailable(format!("cannot open {backend} database {target:?}: {e}")))?;
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            // A SQLite file does not go away under an open connection; testing each checkout
            // would cost a round trip per request for nothing. PostgreSQL connections are tested.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_timeout(options.connection_timeout)
            .build(manager)
            .map_err(|e| DbError::Unavailable(format!("cannot open {backend} database {target:?}: {e}")))?;
        let in_memory = matches!(&target, Target::Sqlite(p) if p.contains(":memory:") || p.contains("mode=memory"));
        let epoch = epoch::EpochSource::new(Manager::new(target.clone()), !in_memory);
        Ok(Database { pool, backend, epoch })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&self) -> DbResult<PooledConnection> {
        Ok(self.pool.get()?)
    }

    /// Applies pending migrations, seeds the indicator catalog and brings stored dossier
    /// fingerprints up to the current way of computing them. A SQLite database that has
    /// never been analysed is analysed now: without statistics its planner picks the primary
    /// key over the covering indexes that rankings rely on.
    pub fn migrate(&self) -> DbResult<Vec<String>> {
        let mut conn = self.conn()?;
        let applied = migrations::locked(&mut conn, |c| {
            let applied = migrations::run(c)?;
            indicators::sync(c, &cchc_domain::Catalog::builtin())?;
            let rewritten = portal_dossiers::refresh_fingerprints(c)?;
            if rewritten > 0 {
                log::info!("recomputed the fingerprints of {rewritten} stored dossier(s)");
            }
            Ok(applied)
        })?;
        if self.backend == Backend::Sqlite {
            use diesel::RunQueryDsl;
            let analysed: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1')",
            ))
            .get_result(&mut *conn)?;
            if analysed == 0 {
                Self::analyze(&mut conn)?;
            }
        }
        Ok(applied)
    }

    /// Refreshes the planner's statistics after a bulk load; on PostgreSQL also the visibility
    /// map, without which the covering indexes cannot be read without the table.
    pub fn analyze(conn: &mut DbConnection) -> DbResult<()> {
        use diesel::connection::SimpleConnection;
        let sql = match conn.backend() {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        Ok(conn.batch_execute(sql)?)
    }

    /// The database's change epoch (see [`epoch`]); `None` where changes cannot be watched,
    /// and then nothing may be cached.
    pub fn epoch(&self) -> DbResult<Option<Epoch>> {
        self.epoch.read()
    }

    /// A round trip to the database.
    pub fn ping(conn: &mut DbConnection) -> DbResult<()> {
        use diesel::connection::SimpleConnection;
        Ok(conn.batch_execute("SELECT 1")?)
    }

    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }
}
