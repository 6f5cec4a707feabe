//! A report document read into a form: `POST /api/v1/report-imports`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::import_report::{self, ImportReport, ImportedReport};
use crate::auth::Caller;
use crate::documents::reading;
use crate::error::ApiResult;
use crate::params;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportOptions {
    /// The commune the report is from (5 digits), when the document's words should not decide.
    pub commune: Option<String>,
    /// The month it reports on, `YYYY-MM`, when the title and closing sentence should not decide.
    pub period: Option<String>,
}

/// Reads a commune's monthly report written in Word (`.docx`) or as UTF-8 text into the form a
/// `PUT` takes: every figure with the sentence it was read from, the narrative cut at the
/// report's headings, the commune (among the units the caller may see) and the month it names,
/// the sentences not understood, and what validation says. Stores nothing. A figure the text
/// does not state with certainty is left out: a wrong figure is worse than a missing one.
/// Communes, districts, provinces and admins; `415` for a body that is neither text nor Word
/// (an old `.doc` is converted first: `soffice --headless --convert-to docx`).
#[utoipa::path(post, path = "/api/v1/report-imports", tag = "reports", security(("bearer" = [])),
    params(ImportOptions),
    request_body(description = "The report document, up to 10 MiB",
        content((String = "text/plain"), (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
    responses((status = 200, description = "The form read from the document; nothing is stored", body = ImportedReport)))]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    options: web::Query<ImportOptions>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let commune = options.commune.as_deref().map(params::commune_code).transpose()?;
    let month = options.period.as_deref().map(params::report_month).transpose()?;
    // Unpacking a Word file is work for the blocking pool, not the server's event loop.
    let imported = state
        .run(move |conn, st| {
            let text = reading::text_of(&content_type, &body)?;
            import_report::run(conn, st, &caller, ImportReport { text, commune, month })
        })
        .await?;
    Ok(HttpResponse::Ok().json(imported))
}
