//! HTTP routes, one module per concept of the field. Resources are registered explicitly so
//! that a wrong method gets `405` with `Allow`.

pub mod aggregates;
pub mod audit;
pub mod completeness;
pub mod feed;
pub mod health;
pub mod history;
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

use actix_web::{HttpResponse, guard, web};

use crate::error::method_not_allowed;

/// Bodies of report writes may be large (a long narrative); everything else stays small.
pub const REPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
pub const SCHEME_BODY_LIMIT: usize = 1024 * 1024;
/// The portal's NDJSON batches stream through; this only bounds one request's size.
pub const PORTAL_BODY_LIMIT: usize = 512 * 1024 * 1024;

/// A resource whose unmatched methods answer 405 with `Allow`.
pub(crate) fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path)
        .default_service(web::to(move || async move { Err::<HttpResponse, _>(method_not_allowed(allow)) }))
}

/// A GET route that answers HEAD too (actix sends no body for HEAD).
pub(crate) fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health", "GET, HEAD").route(read().to(health::health)))
        .service(resource("/api/v1/auth/token", "POST").route(web::post().to(tokens::issue)))
        .service(resource("/api/v1/indicators", "GET, HEAD").route(read().to(indicators::list)))
        .service(resource("/api/v1/units", "POST").route(web::post().to(units::create)))
        .service(resource("/api/v1/units/{code}", "GET, HEAD").route(read().to(units::get)))
        .service(resource("/api/v1/units/{code}/children", "GET, HEAD").route(read().to(units::children)))
        .service(resource("/api/v1/units/{code}/aggregates", "GET, HEAD").route(read().to(aggregates::get)))
        .service(resource("/api/v1/units/{code}/rankings", "GET, HEAD").route(read().to(rankings::for_unit)))
        .service(resource("/api/v1/units/{code}/completeness", "GET, HEAD").route(read().to(completeness::get)))
        .service(resource("/api/v1/rankings", "GET, HEAD").route(read().to(rankings::national)))
        .service(resource("/api/v1/communes/{code}/scores", "GET, HEAD").route(read().to(scores::get)))
        .service(
            resource("/api/v1/schemes", "GET, HEAD, POST")
                .app_data(crate::startup::json_config(SCHEME_BODY_LIMIT))
                .route(read().to(schemes::list))
                .route(web::post().to(schemes::create)),
        )
        .service(resource("/api/v1/schemes/{code}", "GET, HEAD").route(read().to(schemes::latest)))
        .service(resource("/api/v1/schemes/{code}/versions/{version}", "GET, HEAD").route(read().to(schemes::version)))
        .service(
            resource("/api/v1/communes/{code}/reports/{period}", "GET, HEAD, PUT")
                .app_data(crate::startup::json_config(REPORT_BODY_LIMIT))
                .route(read().to(reports::get))
                .route(web::put().to(reports::put)),
        )
        .service(
            resource("/api/v1/communes/{code}/reports/{period}/submit", "POST").route(web::post().to(review::submit)),
        )
        .service(
            resource("/api/v1/communes/{code}/reports/{period}/approve", "POST").route(web::post().to(review::approve)),
        )
        .service(
            resource("/api/v1/communes/{code}/reports/{period}/return", "POST")
                .route(web::post().to(review::return_report)),
        )
        .service(
            resource("/api/v1/communes/{code}/reports/{period}/reopen", "POST").route(web::post().to(review::reopen)),
        )
        .service(
            resource("/api/v1/communes/{code}/reports/{period}/revisions", "GET, HEAD")
                .route(read().to(history::revisions)),
        )
        .service(
            resource("/api/v1/communes/{code}/reports/{period}/changes", "GET, HEAD")
                .route(read().to(history::changelog)),
        )
        .service(resource("/api/v1/units/{code}/versions", "POST").route(web::post().to(units::change)))
        .service(resource("/api/v1/units/{code}/end", "POST").route(web::post().to(units::end)))
        .service(resource("/api/v1/units/{code}/merge", "POST").route(web::post().to(units::merge)))
        .service(resource("/api/v1/audit", "GET, HEAD").route(read().to(audit::list)))
        .service(
            resource("/api/v1/portal/dossiers", "POST")
                .app_data(web::PayloadConfig::new(PORTAL_BODY_LIMIT))
                .route(web::post().to(portal::ingest)),
        )
        .service(resource("/api/v1/units/{code}/reconciliation", "GET, HEAD").route(read().to(reconciliation::get)))
        .service(resource("/api/v1/feed", "GET, HEAD").route(read().to(feed::get)))
        .service(
            resource("/api/v1/users", "GET, HEAD, POST")
                .route(read().to(users::list))
                .route(web::post().to(users::create)),
        )
        .service(resource("/api/v1/users/{username}/disable", "POST").route(web::post().to(users::disable)))
        .service(resource("/api/v1/users/{username}/enable", "POST").route(web::post().to(users::enable)))
        .service(resource("/api/v1/users/{username}/password", "POST").route(web::post().to(users::reset_password)))
        .service(resource("/api/v1/users/{username}/unit", "PUT").route(web::put().to(users::move_unit)));
}
