//! HTTP in and out, one module per resource of the field: a handler parses the request, calls
//! one use case in `crate::app` and writes the response. Every route is listed once, in the
//! table below, which registers it with actix (a wrong method answers 405 with `Allow`) and
//! with the OpenAPI document.

pub mod aggregates;
pub mod audit;
pub mod completeness;
pub mod consolidated;
pub mod feed;
pub mod health;
pub mod history;
pub mod holidays;
pub mod imports;
pub mod indicators;
pub mod portal;
pub mod rankings;
pub mod reconciliation;
pub mod reports;
pub mod review;
pub mod schemes;
pub mod scores;
pub mod tokens;
pub mod units;
pub mod users;

use actix_web::http::header::{self, IfMatch};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};

use crate::app::read_report::ReportView;
use crate::startup::{allow, json_config, read, resource};

/// Bodies of report writes may be large (a long narrative); everything else stays small.
pub const REPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
pub const SCHEME_BODY_LIMIT: usize = 1024 * 1024;

/// The route of one method of a resource.
fn method(name: &str) -> actix_web::Route {
    match name {
        "GET" => read(),
        "PUT" => web::put(),
        "DELETE" => web::delete(),
        _ => web::post(),
    }
}

/// Declares every route once: `path [app_data] => { METHOD handler as "operationId", … }`.
/// Gives `configure` (for actix), `TABLE` (the operations' ids, and for the test that the
/// document lists the same) and `RoutesDoc` (the operations of the OpenAPI document).
macro_rules! api_routes {
    ($($path:literal $([$data:expr])? => { $($method:ident $handler:path as $id:literal),+ $(,)? }),+ $(,)?) => {
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                let mut r = resource($path, allow(&[$(stringify!($method)),+]));
                $(r = r.app_data($data);)?
                $(r = r.route(method(stringify!($method)).to($handler));)+
                cfg.service(r);
            )+
        }

        /// Every path with its methods and their operation ids, as registered.
        pub const TABLE: &[(&str, &[(&str, &str)])] = &[$(($path, &[$((stringify!($method), $id)),+])),+];

        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($($handler,)+)+))]
        pub struct RoutesDoc;
    };
}

api_routes! {
    // The routes requested most come first: actix tries each resource in turn.
    "/api/v1/units/{code}/rankings" => { GET rankings::for_unit as "getUnitRankings" },
    "/api/v1/communes/{code}/reports/{period}" [json_config(REPORT_BODY_LIMIT)] => { GET reports::get as "getCommuneReport", PUT reports::put as "putCommuneReport" },
    "/api/v1/rankings" => { GET rankings::national as "getNationalRankings" },
    "/api/v1/units/{code}/rankings.{format}" => { GET rankings::download_for_unit as "downloadUnitRankings" },
    "/api/v1/portal/dossiers" [web::PayloadConfig::new(crate::app::ingest_dossiers::MAX_BODY)] => { POST portal::ingest as "pushPortalDossiers" },
    "/health" => { GET health::health as "getHealth" },
    "/api/v1/auth/token" => { POST tokens::issue as "issueToken" },
    "/api/v1/indicators" => { GET indicators::list as "listIndicators" },
    "/api/v1/units" => { GET units::list as "listUnits", POST units::create as "createUnit" },
    "/api/v1/units.{format}" => { GET units::download_list as "downloadUnits" },
    "/api/v1/units/{code}" => { GET units::get as "getUnit" },
    "/api/v1/units/{code}/children" => { GET units::children as "listUnitChildren" },
    "/api/v1/units/{code}/versions" => { POST units::change as "addUnitVersion" },
    "/api/v1/units/{code}/end" => { POST units::end as "endUnit" },
    "/api/v1/units/{code}/merge" => { POST units::merge as "mergeUnit" },
    "/api/v1/units/{code}/aggregates" => { GET aggregates::get as "getUnitAggregates" },
    "/api/v1/units/{code}/aggregates.{format}" => { GET aggregates::download as "downloadUnitAggregates" },
    "/api/v1/units/{code}/completeness" => { GET completeness::get as "getUnitCompleteness" },
    "/api/v1/units/{code}/completeness.{format}" => { GET completeness::download as "downloadUnitCompleteness" },
    "/api/v1/units/{code}/reconciliation" => { GET reconciliation::get as "getUnitReconciliation" },
    "/api/v1/communes/{code}/reports" => { GET reports::list as "listCommuneReports" },
    "/api/v1/communes/{code}/reports.{format}" => { GET reports::download_list as "downloadCommuneReports" },
    "/api/v1/units/{code}/reports" => { GET consolidated::get as "getUnitReportTable" },
    "/api/v1/units/{code}/reports.{format}" => { GET consolidated::download as "downloadUnitReportTable" },
    "/api/v1/units/{code}/reports/document.docx" => { GET consolidated::download_document as "downloadUnitReportDocument" },
    "/api/v1/communes/{code}/reports/{period}/document.docx" => { GET reports::download_document as "downloadCommuneReportDocument" },
    "/api/v1/communes/{code}/reports/{period}/prefill" => { GET reports::prefill as "getPeriodicReportPrefill" },
    "/api/v1/units/{code}/signatory" => { GET units::signatory as "getUnitSignatory", PUT units::set_signatory as "setUnitSignatory" },
    "/api/v1/communes/{code}/scores" => { GET scores::get as "getCommuneScores" },
    "/api/v1/schemes" [json_config(SCHEME_BODY_LIMIT)] => { GET schemes::list as "listSchemes", POST schemes::create as "createScheme" },
    "/api/v1/schemes/{code}" => { GET schemes::latest as "getScheme" },
    "/api/v1/schemes/{code}/versions/{version}" => { GET schemes::version as "getSchemeVersion" },
    "/api/v1/communes/{code}/reports/{period}/submit" => { POST review::submit as "submitCommuneReport" },
    "/api/v1/communes/{code}/reports/{period}/approve" => { POST review::approve as "approveCommuneReport" },
    "/api/v1/communes/{code}/reports/{period}/return" => { POST review::return_report as "returnCommuneReport" },
    "/api/v1/communes/{code}/reports/{period}/reopen" => { POST review::reopen as "reopenCommuneReport" },
    "/api/v1/communes/{code}/reports/{period}/revisions" => { GET history::revisions as "listReportRevisions" },
    "/api/v1/communes/{code}/reports/{period}/changes" => { GET history::changelog as "listReportChanges" },
    "/api/v1/audit" => { GET audit::list as "listAuditEntries" },
    "/api/v1/feed" => { GET feed::get as "getFeed" },
    "/api/v1/users" => { GET users::list as "listUsers", POST users::create as "createUser" },
    "/api/v1/users/{username}/disable" => { POST users::disable as "disableUser" },
    "/api/v1/users/{username}/enable" => { POST users::enable as "enableUser" },
    "/api/v1/users/{username}/password" => { POST users::reset_password as "setUserPassword" },
    "/api/v1/users/{username}/unit" => { PUT users::move_unit as "moveUser" },
    "/api/v1/report-imports" [web::PayloadConfig::new(crate::documents::reading::MAX_DOCUMENT)] => { POST imports::import as "importReportDocument" },
    "/api/v1/holidays" => { GET holidays::list as "listCalendarDays" },
    "/api/v1/holidays/{date}" => { PUT holidays::put as "putCalendarDay", DELETE holidays::delete as "deleteCalendarDay" },
}

/// The `If-Match` of a request. A header that is not a list of entity tags names no tag, and so
/// matches no report.
pub(crate) fn if_match(req: &HttpRequest) -> Option<IfMatch> {
    use actix_web::HttpMessage;
    match req.get_header::<IfMatch>() {
        Some(condition) => Some(condition),
        None if req.headers().contains_key(header::IF_MATCH) => Some(IfMatch::Items(Vec::new())),
        None => None,
    }
}

/// A report, with its entity tag; clients revalidate every time.
pub(crate) fn report(mut res: HttpResponseBuilder, view: &ReportView) -> HttpResponse {
    res.insert_header((header::ETAG, view.etag.as_str())).insert_header((header::CACHE_CONTROL, "no-cache")).json(view)
}

#[cfg(test)]
mod tests {
    /// The routes' own sources, by file name.
    fn sources() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
        let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
            .expect("the routes are readable")
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(e.path()).expect("a readable route module"))
            })
            .collect();
        out.sort();
        out
    }

    /// Handlers parse, call one use case and respond: from signature to closing brace, none is
    /// longer than 30 lines.
    #[test]
    fn handlers_stay_short() {
        let mut long = Vec::new();
        for (file, text) in sources() {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if line.starts_with("pub async fn ") || line.starts_with("async fn ") {
                    let len = lines[i..].iter().position(|l| *l == "}").map_or(lines.len() - i, |end| end + 1);
                    if len > 30 {
                        long.push(format!("{file}:{} ({len} lines)", i + 1));
                    }
                }
            }
        }
        assert!(long.is_empty(), "handlers longer than 30 lines: {long:?}");
    }

    /// Routes reach storage only through `crate::app`; the dashboard never through the routes.
    #[test]
    fn the_layers_stay_apart() {
        for (file, text) in sources() {
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            assert!(!code.contains("cchc_persistence"), "routes/{file} uses persistence directly");
        }
        // The dashboard's modules, those in its subfolders included.
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dashboard")];
        let mut files = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).expect("the dashboard is readable").flatten() {
                if entry.path().is_dir() {
                    dirs.push(entry.path());
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(entry.path()).expect("a readable dashboard module");
                assert!(!text.contains("crate::routes"), "dashboard {:?} uses the routes", entry.path());
            }
        }
        assert!(files >= 10, "only {files} dashboard modules found");
    }
}
