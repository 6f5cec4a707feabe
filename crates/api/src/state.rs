//! What every handler shares. Nothing here is state another instance would need: the catalog
//! and keys are read from the database at start-up and are the same for every instance, and
//! cached schemes are immutable versions.

use std::sync::Arc;

use actix_web::web;

use cchc_domain::scoring::SchemeRef;
use cchc_domain::{Calendar, Catalog, ReportingCalendar, WorkingCalendar};
use cchc_persistence::epoch::EpochCache;
use cchc_persistence::{Database, DbConnection, Epoch};
use cchc_persistence::{calendar_days, schemes};

use crate::app::apply_schemes::SchemeCache;
use crate::app::rank::cache::{CachedRanking, RankingKey};
use crate::auth::JwtKeys;
use crate::error::{ApiResult, AppError};

pub struct AppState {
    pub db: Database,
    pub catalog: Arc<Catalog>,
    pub schemes: Arc<SchemeCache>,
    /// The unit tree, re-read whenever a unit changes (checked against the database unless
    /// nothing has been committed since the last check).
    pub topology: Arc<cchc_persistence::units::TopologyCache>,
    pub keys: JwtKeys,
    /// The configured reporting days; with the published working days (data, cached under the
    /// epoch) they make the [`Calendar`] of [`AppState::calendar`].
    pub reporting_calendar: ReportingCalendar,
    pub token_ttl: i64,
    pub rules: Rules,
    pub caches: Caches,
}

/// What is kept between requests while the database's epoch stands
/// ([`cchc_persistence::epoch`]): read once per change, by any instance, instead of per request.
/// The unit tree has its own cache ([`AppState::topology`]).
pub struct Caches {
    pub scheme_refs: EpochCache<(), Arc<Vec<SchemeRef>>>,
    /// Whether a token's subject is a disabled user, and its token generation.
    pub users: EpochCache<String, Option<(bool, i32)>>,
    pub rankings: EpochCache<RankingKey, Arc<CachedRanking>>,
    /// The published working days (an admin may change them at any time, on any instance).
    pub working_days: EpochCache<(), Arc<WorkingCalendar>>,
}

impl Caches {
    pub fn new(ranking_bytes: usize) -> Self {
        Caches {
            scheme_refs: EpochCache::new(1),
            users: EpochCache::new(10_000),
            rankings: EpochCache::new(ranking_bytes),
            working_days: EpochCache::new(1),
        }
    }
}

/// Review, validation and sign-in rules (configuration).
#[derive(Debug, Clone)]
pub struct Rules {
    pub lock_after_days: i64,
    pub carry_over: cchc_domain::history::CarryOverRule,
    pub login_max_failures: i32,
    pub login_max_failures_per_address: i32,
    pub trust_proxy: bool,
    pub ranking_cache_bytes: usize,
    /// The address clients reach the API at, for the OpenAPI document's `servers`.
    pub public_url: Option<String>,
}

impl AppState {
    /// Every scheme version's identity and validity as of `epoch` (taken before this call).
    pub fn scheme_refs(&self, conn: &mut DbConnection, epoch: Option<&Epoch>) -> ApiResult<Arc<Vec<SchemeRef>>> {
        Ok(self.caches.scheme_refs.get_or_load(epoch, (), || schemes::refs(conn).map(Arc::new))?)
    }

    /// When reports are due and dossiers count, with the working days as of `epoch` (taken
    /// before this call).
    pub fn calendar(&self, conn: &mut DbConnection, epoch: Option<&Epoch>) -> ApiResult<Calendar> {
        let working =
            self.caches.working_days.get_or_load(epoch, (), || calendar_days::working_calendar(conn).map(Arc::new))?;
        Ok(Calendar::new(self.reporting_calendar, working))
    }
}

/// Running a use case: on the blocking thread pool, with a pooled connection and the state.
pub trait RunOnDb {
    fn run<T, F>(&self, f: F) -> impl std::future::Future<Output = ApiResult<T>>
    where
        F: FnOnce(&mut DbConnection, &AppState) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static;
}

impl RunOnDb for web::Data<AppState> {
    async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection, &AppState) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let st = self.clone();
        web::block(move || {
            let mut conn = st.db.conn()?;
            f(&mut conn, &st)
        })
        .await?
    }
}
