//! What every handler shares. Nothing here is state another instance would need: the catalog
//! and keys are read from the database at start-up and are the same for every instance, and
//! cached schemes are immutable versions.

use std::sync::Arc;

use actix_web::web;

use cchc_domain::{Catalog, ReportingCalendar};
use cchc_persistence::{Database, DbConnection};

use crate::auth::JwtKeys;
use crate::error::AppError;
use crate::scoring::SchemeCache;

pub struct AppState {
    pub db: Database,
    pub catalog: Arc<Catalog>,
    pub schemes: Arc<SchemeCache>,
    /// The unit tree, re-read whenever a unit changes (checked against the database each time).
    pub topology: Arc<cchc_persistence::units::TopologyCache>,
    pub keys: JwtKeys,
    pub calendar: ReportingCalendar,
    pub token_ttl: i64,
    pub rules: Rules,
}

/// Review, validation and sign-in rules (configuration).
#[derive(Debug, Clone)]
pub struct Rules {
    pub lock_after_days: i64,
    pub carry_over: cchc_domain::history::CarryOverRule,
    pub login_max_failures: i32,
    pub login_max_failures_per_address: i32,
    pub trust_proxy: bool,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await?
    }
}
