//! Dossier records pushed by the provincial portal: a JSON array, or NDJSON streamed line by
//! line for large batches. Valid records are kept when others fail; the answer is an import
//! summary with every conflict, like DHIS2's.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use cchc_domain::hierarchy::Hierarchy;
use cchc_domain::portal::{Conflict, Dossier, parse_record};
use cchc_domain::{Month, Role, UnitCode, UnitLevel};
use cchc_persistence::dossiers::{self, DryRunState, Outcome};
use cchc_persistence::units::{self, Topology};

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
const BATCH: usize = 2000;
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
    topology: Topology,
    trees: HashMap<Month, Hierarchy>,
}

impl Scope {
    fn allows(&mut self, unit: &UnitCode, month: Month) -> Result<(), String> {
        let known = self.topology.versions.iter().any(|v| &v.code == unit && v.level == UnitLevel::Commune);
        if !known {
            return Err(format!("there is no commune {unit}"));
        }
        let Some(province) = self.province.clone() else { return Ok(()) };
        for m in [month, current_month()] {
            let topology = &self.topology;
            let tree = self.trees.entry(m).or_insert_with(|| topology.at(m));
            if tree.is_within(unit, &province) {
                return Ok(());
            }
        }
        Err(format!("commune {unit} is outside province {province}"))
    }
}

impl Scope {
    /// Whether a dossier stored for `unit` may be replaced by this sender.
    fn may_take(&mut self, unit: &str) -> bool {
        match UnitCode::parse(unit) {
            Ok(u) => self.allows(&u, current_month()).is_ok() || self.province.is_none(),
            Err(_) => self.province.is_none(),
        }
    }
}

/// Validates one record and checks it is in scope.
fn check(index: usize, json: &serde_json::Value, scope: &mut Scope) -> Result<Dossier, Vec<Conflict>> {
    let d = parse_record(index, json)?;
    let month = d.received_at.map(|t| Month::of_date(t.date())).unwrap_or_else(current_month);
    scope.allows(&d.unit, month).map_err(|reason| vec![Conflict { index, field: "DonViXuLy".into(), reason }])?;
    Ok(d)
}

/// Writes (or, in a dry run, classifies) a batch; `indexes` are the records' positions.
async fn flush(
    state: &web::Data<AppState>,
    batch: &mut Vec<(usize, Dossier)>,
    scope: &mut Scope,
    dry_run: &mut Option<DryRunState>,
    summary: &mut ImportSummary,
) -> ApiResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let (indexes, records): (Vec<usize>, Vec<Dossier>) = std::mem::take(batch).into_iter().unzip();
    // Which stored units the sender may take over is judged here, where the unit tree is loaded.
    let holders: Vec<String> = state
        .db({
            let codes: Vec<String> = records.iter().map(|d| d.code.clone()).collect();
            move |conn| Ok(dossiers::holders(conn, &codes)?)
        })
        .await?;
    let allowed: std::collections::HashSet<String> = holders.into_iter().filter(|u| scope.may_take(u)).collect();
    let mut overlay = dry_run.take();
    let (outcomes, overlay) = state
        .db(move |conn| {
            let may_take = |unit: &str| allowed.contains(unit);
            let outcomes = dossiers::upsert(conn, &records, Utc::now(), &may_take, overlay.as_mut())?;
            Ok((outcomes, overlay))
        })
        .await?;
    *dry_run = overlay;
    for (o, index) in outcomes.into_iter().zip(indexes) {
        match o {
            Outcome::Imported => summary.imported += 1,
            Outcome::Updated => summary.updated += 1,
            Outcome::Ignored => summary.ignored += 1,
            Outcome::Refused(reason) => summary.conflict(vec![Conflict { index, field: "MaHoSo".into(), reason }]),
        }
    }
    Ok(())
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
    request_body(description = "Dossier records with the national portal's field names: MaHoSo, MaTTHC, KenhThucHien, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, TrangThaiHoSo, DonViXuLy, HoSoCoThanhPhanSoHoa, DuocThanhToanTrucTuyen, DanhSachHoSoBoSung — a JSON array, or one record per line",
        content((Vec<Object> = "application/json"), (String = "application/x-ndjson"))),
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
    let topology = state.db(|conn| Ok(units::topology(conn)?)).await?;
    let mut scope = Scope { province, topology, trees: HashMap::new() };
    let dry_run = options.dry_run;
    let mut summary = ImportSummary { dry_run, ..Default::default() };
    let mut batch: Vec<(usize, Dossier)> = Vec::with_capacity(BATCH);
    let mut dry_state: Option<DryRunState> = dry_run.then(DryRunState::new);

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
                flush(&state, &mut batch, &mut scope, &mut dry_state, &mut summary).await?;
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
                flush(&state, &mut batch, &mut scope, &mut dry_state, &mut summary).await?;
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
                flush(&state, &mut batch, &mut scope, &mut dry_state, &mut summary).await?;
            }
        }
    }
    flush(&state, &mut batch, &mut scope, &mut dry_state, &mut summary).await?;
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
