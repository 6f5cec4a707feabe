//! Dossier records pushed by the provincial portal: a JSON array, or NDJSON streamed line by
//! line for large batches (`framing`); each record read and checked against the sender's
//! province (`scope`); batches written while the next is read (`writer`). Valid records are
//! kept when others fail; the answer is an import summary with every conflict, like DHIS2's.

pub mod framing;
pub mod scope;
pub mod writer;

use actix_web::error::PayloadError;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::portal::{Conflict, Dossier};

use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::state::{AppState, RunOnDb};
use framing::{Frame, Lines, MAX_JSON_ARRAY};
use scope::Scope;
use writer::{BATCH, Writer};

/// Records a request may carry.
pub const MAX_RECORDS: usize = 100_000;
/// Conflicts listed in the summary (all are counted).
const MAX_LISTED: usize = 1000;
/// The portal's NDJSON batches stream through; this only bounds one request's size.
pub const MAX_BODY: usize = 512 * 1024 * 1024;

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Records read.
    pub total: usize,
    /// New dossiers stored.
    pub imported: usize,
    /// Stored dossiers replaced by a newer record.
    pub updated: usize,
    /// Records older than, or identical to, the stored dossier.
    pub ignored: usize,
    /// Records refused for their conflicts.
    pub rejected: usize,
    /// Every problem, with the record's 0-based index and field (the first 1,000).
    pub conflicts: Vec<Conflict>,
    pub conflicts_truncated: bool,
    pub dry_run: bool,
}

impl ImportSummary {
    fn conflict(&mut self, mut c: Vec<Conflict>) {
        self.rejected += 1;
        let room = MAX_LISTED.saturating_sub(self.conflicts.len());
        if c.len() > room {
            self.conflicts_truncated = true;
        }
        c.truncate(room);
        self.conflicts.extend(c);
    }
}

/// How the body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    JsonArray,
    Ndjson,
}

/// Reads records off the body and hands them to the writer, a batch at a time.
struct Intake {
    scope: Scope,
    writer: Writer,
    summary: ImportSummary,
    batch: Vec<(usize, Dossier)>,
}

impl Intake {
    async fn take(&mut self, frame: Frame) -> ApiResult<()> {
        self.summary.total += 1;
        let (index, result) = match frame {
            Frame::Record(i, _) | Frame::Unreadable(i, _) if i >= MAX_RECORDS => (i, Err(too_many(i))),
            Frame::Record(i, json) => (i, self.scope.check(i, &json)),
            Frame::Unreadable(i, reason) => (i, Err(vec![Conflict { index: i, field: String::new(), reason }])),
        };
        match result {
            Ok(d) => self.batch.push((index, d)),
            Err(c) => self.summary.conflict(c),
        }
        if self.batch.len() >= BATCH {
            self.writer.write(&mut self.batch, &mut self.summary).await?;
        }
        Ok(())
    }

    async fn finish(mut self) -> ApiResult<ImportSummary> {
        self.writer.write(&mut self.batch, &mut self.summary).await?;
        self.writer.settle(&mut self.summary).await?;
        Ok(self.summary)
    }
}

fn too_many(index: usize) -> Vec<Conflict> {
    vec![Conflict {
        index,
        field: String::new(),
        reason: format!("beyond the {MAX_RECORDS} records a request may carry; send it again in another batch"),
    }]
}

/// Upserts dossier records by `MaHoSo` (portal tokens: their province's communes; admins: any).
pub async fn run(
    st: &web::Data<AppState>,
    caller: &Caller,
    framing: Framing,
    mut body: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin,
    dry_run: bool,
) -> ApiResult<ImportSummary> {
    let dossiers = caller.dossier_scope()?;
    let topology = st.run(|conn, st| Ok(st.topology.get(conn, None)?)).await?;
    let scope = Scope { dossiers, topology, now: crate::app::this_month() };
    let writer = Writer::new(st.clone(), scope.holdable(), dry_run);
    let summary = ImportSummary { dry_run, ..Default::default() };
    let mut intake = Intake { scope, writer, summary, batch: Vec::with_capacity(BATCH) };
    let unreadable = |e: PayloadError| Problem::BadRequest.error(format!("the body could not be read: {e}"));
    match framing {
        Framing::Ndjson => {
            let (mut lines, mut received) = (Lines::default(), 0usize);
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(unreadable)?;
                received += chunk.len();
                if received > MAX_BODY {
                    // What was read so far is stored; the answer says how far it got.
                    let s = intake.finish().await?;
                    return Err(Problem::PayloadTooLarge.error(format!(
                        "the body is larger than {MAX_BODY} bytes; the first {} records were processed ({} imported, {} updated)",
                        s.total, s.imported, s.updated
                    )));
                }
                lines.push(&chunk);
                while let Some(frame) = lines.next_frame(false) {
                    intake.take(frame).await?;
                }
            }
            while let Some(frame) = lines.next_frame(true) {
                intake.take(frame).await?;
            }
        }
        Framing::JsonArray => {
            let mut whole = BytesMut::new();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(unreadable)?;
                if whole.len() + chunk.len() > MAX_JSON_ARRAY {
                    return Err(Problem::PayloadTooLarge.error(format!(
                        "a JSON array may be at most {MAX_JSON_ARRAY} bytes; send larger batches as application/x-ndjson"
                    )));
                }
                whole.extend_from_slice(&chunk);
            }
            let records: Vec<serde_json::Value> = serde_json::from_slice(&whole)
                .map_err(|e| Problem::BadRequest.error(format!("the body must be a JSON array of records: {e}")))?;
            for (i, v) in records.into_iter().enumerate() {
                intake.take(Frame::Record(i, v)).await?;
            }
        }
    }
    let summary = intake.finish().await?;
    log::info!(
        "req={} dossiers from {}: {} read, {} imported, {} updated, {} ignored, {} rejected{}",
        caller.request_id.as_deref().unwrap_or("-"),
        caller.subject,
        summary.total,
        summary.imported,
        summary.updated,
        summary.ignored,
        summary.rejected,
        if dry_run { " (dry run)" } else { "" }
    );
    Ok(summary)
}
