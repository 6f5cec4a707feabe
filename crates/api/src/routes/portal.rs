//! Dossier records pushed by the provincial portal: a JSON array, or NDJSON streamed line by
//! line for large batches. Valid records are kept when others fail; the answer is an import
//! summary with every conflict, like DHIS2's.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::portal::{Conflict, Dossier, parse_record};
use cchc_domain::{Month, Role, UnitCode, UnitLevel};
use cchc_persistence::dossiers::{self, DryRunState, Outcome};
use cchc_persistence::units::Topology;

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, ErrorCode, bad_request, forbidden};
use crate::params::current_month;
use crate::scope::describe;
use crate::state::AppState;

/// Records a request may carry.
pub const MAX_RECORDS: usize = 100_000;
/// A JSON array is read whole; larger batches go as NDJSON.
pub const MAX_JSON_ARRAY: usize = 32 * 1024 * 1024;
/// One NDJSON line.
pub const MAX_LINE: usize = 1024 * 1024;
/// Records written per transaction.
const BATCH: usize = 4000;
/// Conflicts listed in the summary (all are counted).
const MAX_LISTED: usize = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IngestOptions {
    /// Validate and classify every record; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

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

/// Which communes a caller may push records for: a portal token its province's (as the unit tree
/// stood in the dossier's month, or stands now); an admin any commune that exists.
struct Scope {
    province: Option<UnitCode>,
    topology: Arc<Topology>,
}

impl Scope {
    fn allows(&mut self, unit: &UnitCode, month: Month) -> Result<(), String> {
        let known = self.topology.versions.iter().any(|v| &v.code == unit && v.level == UnitLevel::Commune);
        if !known {
            return Err(format!("there is no commune {unit}"));
        }
        let Some(province) = self.province.clone() else { return Ok(()) };
        for m in [month, current_month()] {
            if self.topology.at(m).is_within(unit, &province) {
                return Ok(());
            }
        }
        Err(format!("commune {unit} is outside province {province}"))
    }
}

impl Scope {
    /// Every commune that was in the sender's province at some time: whose stored dossiers it
    /// may replace. `None` for an admin, who may replace any.
    fn holdable(&mut self) -> Option<Arc<HashSet<String>>> {
        let province = self.province.clone()?;
        let now = current_month();
        let mut out = HashSet::new();
        let months: Vec<(String, Month)> = self
            .topology
            .versions
            .iter()
            .filter(|v| v.level == UnitLevel::Commune)
            .map(|v| (v.code.to_string(), v.valid_to.unwrap_or(now).min(now)))
            .collect();
        for (code, m) in months {
            let tree = self.topology.at(m);
            if UnitCode::parse(&code).is_ok_and(|c| tree.is_within(&c, &province)) {
                out.insert(code);
            }
        }
        Some(Arc::new(out))
    }
}

/// Validates one record and checks it is in scope.
fn check(index: usize, json: &serde_json::Value, scope: &mut Scope) -> Result<Dossier, Vec<Conflict>> {
    let d = parse_record(index, json)?;
    let month = d.received_at.map(|t| Month::of_date(t.date())).unwrap_or_else(current_month);
    scope.allows(&d.unit, month).map_err(|reason| vec![Conflict { index, field: "DonViXuLy".into(), reason }])?;
    Ok(d)
}

/// What a batch's write answers: each record's outcome with its position, and what a dry run
/// carries to the next batch.
type Written = (Vec<(usize, Outcome)>, Option<DryRunState>);

/// Writes batches one after another while the next is being read: at most one write is in
/// flight, so memory stays bounded and a dry run's state passes from batch to batch in order.
struct Writer {
    state: web::Data<AppState>,
    holdable: Option<Arc<HashSet<String>>>,
    dry_run: Option<DryRunState>,
    in_flight: Option<Pin<Box<dyn Future<Output = ApiResult<Written>>>>>,
}

impl Writer {
    async fn write(&mut self, batch: &mut Vec<(usize, Dossier)>, summary: &mut ImportSummary) -> ApiResult<()> {
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
            let outcomes = dossiers::upsert(&mut conn, &records, Utc::now(), &may_take, overlay.as_mut())?;
            Ok((indexes.into_iter().zip(outcomes).collect(), overlay))
        });
        self.in_flight = Some(Box::pin(async move { task.await? }));
        Ok(())
    }

    /// Waits for the write in flight and counts its outcomes.
    async fn settle(&mut self, summary: &mut ImportSummary) -> ApiResult<()> {
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

/// One NDJSON line: a record to store, or a conflict.
fn read_line(
    line: &[u8],
    summary: &mut ImportSummary,
    batch: &mut Vec<(usize, Dossier)>,
    index: &mut usize,
    scope: &mut Scope,
) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let i = *index;
    *index += 1;
    summary.total += 1;
    if i >= MAX_RECORDS {
        summary.conflict(too_many(i));
        return;
    }
    match serde_json::from_slice::<serde_json::Value>(line) {
        Err(e) => {
            summary.conflict(vec![Conflict { index: i, field: String::new(), reason: format!("not valid JSON: {e}") }])
        }
        Ok(v) => match check(i, &v, scope) {
            Ok(d) => batch.push((i, d)),
            Err(c) => summary.conflict(c),
        },
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
/// A record replaces the stored one unless its latest event is older; replaying a batch changes
/// nothing. Send `application/json` (an array) or `application/x-ndjson` (one record per line,
/// streamed, up to 100,000 records). Unknown fields — applicant data among them — are ignored
/// and never stored.
#[utoipa::path(post, path = "/api/v1/portal/dossiers", tag = "portal", security(("bearer" = [])),
    params(IngestOptions),
    request_body(description = "Dossier records with the national portal's field names (a record that is not an object is answered as that record's conflict, the rest still import): MaHoSo, MaTTHC, KenhThucHien, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, TrangThaiHoSo, DonViXuLy, HoSoCoThanhPhanSoHoa, DuocThanhToanTrucTuyen, DanhSachHoSoBoSung — a JSON array, or one record per line",
        content((Vec<serde_json::Value> = "application/json"), (String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "The import summary; conflicts list refused records", body = ImportSummary),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn ingest(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    mut payload: web::Payload,
    options: web::Query<IngestOptions>,
) -> ApiResult<HttpResponse> {
    let province = match caller.role {
        Role::Portal => caller.unit().cloned(),
        Role::Admin => None,
        _ => return Err(forbidden(format!("dossier records come from the portal; this is {}", describe(&caller)))),
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let ndjson = match essence.as_str() {
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => true,
        "application/json" => false,
        _ => {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "send a JSON array as application/json, or one record per line as application/x-ndjson",
            ));
        }
    };
    let st = state.clone();
    let topology = state.db(move |conn| Ok(st.topology.get(conn, None)?)).await?;
    let mut scope = Scope { province, topology };
    let dry_run = options.dry_run;
    let mut summary = ImportSummary { dry_run, ..Default::default() };
    let mut batch: Vec<(usize, Dossier)> = Vec::with_capacity(BATCH);
    let mut writer = Writer {
        state: state.clone(),
        holdable: scope.holdable(),
        dry_run: dry_run.then(DryRunState::new),
        in_flight: None,
    };

    if ndjson {
        let mut buffer: Vec<u8> = Vec::new();
        let mut index = 0usize;
        let mut skipping_long_line = false;
        let mut received = 0usize;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| bad_request(format!("the body could not be read: {e}")))?;
            received += chunk.len();
            if received > super::PORTAL_BODY_LIMIT {
                // What was read so far is stored; the summary says how far it got.
                writer.write(&mut batch, &mut summary).await?;
                writer.settle(&mut summary).await?;
                return Err(AppError::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "the body is larger than {} bytes; the first {} records were processed ({} imported, {} updated)",
                        super::PORTAL_BODY_LIMIT,
                        summary.total,
                        summary.imported,
                        summary.updated
                    ),
                ));
            }
            let mut rest: &[u8] = &chunk;
            while let Some(pos) = rest.iter().position(|b| *b == b'\n') {
                if skipping_long_line {
                    skipping_long_line = false;
                } else {
                    buffer.extend_from_slice(&rest[..pos]);
                    read_line(&buffer, &mut summary, &mut batch, &mut index, &mut scope);
                }
                buffer.clear();
                rest = &rest[pos + 1..];
            }
            if !skipping_long_line {
                buffer.extend_from_slice(rest);
                if buffer.len() > MAX_LINE {
                    summary.total += 1;
                    summary.conflict(vec![Conflict {
                        index,
                        field: String::new(),
                        reason: format!("a line is longer than {MAX_LINE} bytes"),
                    }]);
                    index += 1;
                    buffer.clear();
                    skipping_long_line = true;
                }
            }
            if batch.len() >= BATCH {
                writer.write(&mut batch, &mut summary).await?;
            }
        }
        if !skipping_long_line && !buffer.is_empty() {
            read_line(&buffer, &mut summary, &mut batch, &mut index, &mut scope);
        }
    } else {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| bad_request(format!("the body could not be read: {e}")))?;
            if body.len() + chunk.len() > MAX_JSON_ARRAY {
                return Err(AppError::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "a JSON array may be at most {MAX_JSON_ARRAY} bytes; send larger batches as application/x-ndjson"
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let records: Vec<serde_json::Value> = serde_json::from_slice(&body)
            .map_err(|e| bad_request(format!("the body must be a JSON array of records: {e}")))?;
        for (i, v) in records.iter().enumerate() {
            summary.total += 1;
            if i >= MAX_RECORDS {
                summary.conflict(too_many(i));
                continue;
            }
            match check(i, v, &mut scope) {
                Ok(d) => batch.push((i, d)),
                Err(c) => summary.conflict(c),
            }
            if batch.len() >= BATCH {
                writer.write(&mut batch, &mut summary).await?;
            }
        }
    }
    writer.write(&mut batch, &mut summary).await?;
    writer.settle(&mut summary).await?;
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
    Ok(HttpResponse::Ok().json(summary))
}
