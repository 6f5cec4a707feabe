//! HTTP routes, one module per concept of the field. Resources are registered explicitly so
//! that a wrong method gets `405` with `Allow`.

pub mod aggregates;
pub mod health;
pub mod indicators;
pub mod reports;
pub mod tokens;
pub mod units;

use actix_web::{HttpResponse, web};

use crate::error::method_not_allowed;

/// Bodies of report writes may be large (a long narrative); everything else stays small.
pub const REPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A resource whose unmatched methods answer 405 with `Allow`.
pub(crate) fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path)
        .default_service(web::to(move || async move { Err::<HttpResponse, _>(method_not_allowed(allow)) }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health", "GET").route(web::get().to(health::health)))
        .service(resource("/api/v1/auth/token", "POST").route(web::post().to(tokens::issue)))
        .service(resource("/api/v1/indicators", "GET").route(web::get().to(indicators::list)))
        .service(resource("/api/v1/units", "POST").route(web::post().to(units::create)))
        .service(resource("/api/v1/units/{code}", "GET").route(web::get().to(units::get)))
        .service(resource("/api/v1/units/{code}/children", "GET").route(web::get().to(units::children)))
        .service(resource("/api/v1/units/{code}/aggregates", "GET").route(web::get().to(aggregates::get)))
        .service(
            resource("/api/v1/communes/{code}/reports/{period}", "GET, PUT")
                .app_data(crate::startup::json_config(REPORT_BODY_LIMIT))
                .route(web::get().to(reports::get))
                .route(web::put().to(reports::put)),
        );
}
