//! Dossier records pushed by the provincial portal: a JSON array, or NDJSON streamed line by
//! line for large batches.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::ingest_dossiers::{self, Framing, ImportSummary};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IngestOptions {
    /// Validate and classify every record; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The framing a content type names.
fn framing(req: &HttpRequest) -> ApiResult<Framing> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    match content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => Ok(Framing::Ndjson),
        "application/json" => Ok(Framing::JsonArray),
        _ => Err(Problem::UnsupportedMediaType
            .error("send a JSON array as application/json, or one record per line as application/x-ndjson")),
    }
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
    responses((status = 200, description = "The import summary; conflicts list refused records", body = ImportSummary)))]
pub async fn ingest(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    options: web::Query<IngestOptions>,
) -> ApiResult<HttpResponse> {
    let framing = framing(&req)?;
    let summary = ingest_dossiers::run(&state, &caller, framing, payload, options.dry_run).await?;
    Ok(HttpResponse::Ok().json(summary))
}
