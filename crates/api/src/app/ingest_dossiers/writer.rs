//! Writes batches one after another while the next is being read: at most one write is in
//! flight, so memory stays bounded and a dry run's state passes from batch to batch in order.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::web;
use chrono::Utc;

use cchc_domain::portal::{Conflict, Dossier, Outcome};
use cchc_persistence::portal_dossiers::{self, DryRunState};

use super::ImportSummary;
use crate::error::ApiResult;
use crate::state::AppState;

/// Records written per transaction.
pub const BATCH: usize = 4000;

/// What a batch's write answers: each record's outcome with its position, and what a dry run
/// carries to the next batch.
type Written = (Vec<(usize, Outcome)>, Option<DryRunState>);

pub struct Writer {
    state: web::Data<AppState>,
    /// The communes whose stored dossiers the sender may replace; `None`: any.
    holdable: Option<Arc<HashSet<String>>>,
    dry_run: Option<DryRunState>,
    in_flight: Option<Pin<Box<dyn Future<Output = ApiResult<Written>>>>>,
}

impl Writer {
    pub fn new(state: web::Data<AppState>, holdable: Option<HashSet<String>>, dry_run: bool) -> Writer {
        Writer { state, holdable: holdable.map(Arc::new), dry_run: dry_run.then(DryRunState::new), in_flight: None }
    }

    /// Waits for the write in flight, then starts writing `batch`.
    pub async fn write(&mut self, batch: &mut Vec<(usize, Dossier)>, summary: &mut ImportSummary) -> ApiResult<()> {
        self.settle(summary).await?;
        if batch.is_empty() {
            return Ok(());
        }
        let (indexes, records): (Vec<usize>, Vec<Dossier>) = std::mem::take(batch).into_iter().unzip();
        let db = self.state.db.clone();
        let holdable = self.holdable.clone();
        let mut overlay = self.dry_run.take();
        // `web::block` starts the work at once; the future only collects its answer.
        let task = web::block(move || -> ApiResult<Written> {
            let mut conn = db.conn()?;
            let may_take = |unit: &str| holdable.as_ref().is_none_or(|h| h.contains(unit));
            let outcomes = portal_dossiers::upsert(&mut conn, &records, Utc::now(), &may_take, overlay.as_mut())?;
            Ok((indexes.into_iter().zip(outcomes).collect(), overlay))
        });
        self.in_flight = Some(Box::pin(async move { task.await? }));
        Ok(())
    }

    /// Waits for the write in flight and counts its outcomes.
    pub async fn settle(&mut self, summary: &mut ImportSummary) -> ApiResult<()> {
        let Some(task) = self.in_flight.take() else { return Ok(()) };
        let (outcomes, overlay) = task.await?;
        self.dry_run = overlay;
        for (index, o) in outcomes {
            match o {
                Outcome::Imported => summary.imported += 1,
                Outcome::Updated => summary.updated += 1,
                Outcome::Ignored => summary.ignored += 1,
                Outcome::Refused(reason) => summary.conflict(vec![Conflict { index, field: "MaHoSo".into(), reason }]),
            }
        }
        Ok(())
    }
}
