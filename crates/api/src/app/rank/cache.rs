//! Computed rankings kept per process while the database's epoch stands, so that a ranking
//! polled by a province's worth of officers is computed once per change, not once per request.
//! The epoch moves with every commit by any instance, so a cached ranking is never stale.

use std::sync::Arc;

use actix_web::web::Bytes;
use sha2::{Digest, Sha256};

use cchc_domain::periodic_report::FiguresSource;
use cchc_domain::scoring::BandDefinition;
use cchc_domain::{Period, UnitCode};

use super::RankingView;
use crate::error::{ApiResult, internal};

/// What a ranking depends on besides the database: who may see it is checked on every request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RankingKey {
    pub unit: Option<UnitCode>,
    pub period: Period,
    pub scheme_id: i64,
    pub detail: bool,
    pub source: FiguresSource,
    /// The caller's unit, when it may not see every commune below `unit`: its ranking leaves
    /// those out, and is kept apart from the whole one.
    pub scope: Option<UnitCode>,
}

/// A ranking with its scheme's bands, serialised once, and the entity tag of those bytes.
pub struct CachedRanking {
    pub view: RankingView,
    pub bands: Vec<BandDefinition>,
    pub json: Bytes,
    pub etag: String,
}

impl CachedRanking {
    pub fn new(view: RankingView, bands: Vec<BandDefinition>) -> ApiResult<Arc<CachedRanking>> {
        let json = Bytes::from(serde_json::to_vec(&view).map_err(internal)?);
        let digest = Sha256::digest(&json);
        let etag = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Arc::new(CachedRanking { view, bands, json, etag }))
    }

    /// Roughly what the entry holds in memory: the bytes and the view they came from.
    pub fn weight(&self) -> usize {
        self.json.len() * 3
    }
}
