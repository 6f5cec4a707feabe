//! The OpenAPI 3.1 document, generated from the handlers and types. Committed as
//! `openapi/openapi.json`; a test fails when the two differ.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some(
            "HS256 JWT with claims sub, role (commune, district, province, portal, admin), unit (every role but admin) and exp"
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cchc — commune administrative-reform (CCHC) reporting",
        description = "Communes file monthly CCHC reports; districts and provinces aggregate, check and rank them. Errors are RFC 9457 problem documents.",
        version = "1.0.0",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        routes::health::health,
        routes::tokens::issue,
        routes::indicators::list,
        routes::units::create,
        routes::units::get,
        routes::units::children,
        routes::reports::put,
        routes::reports::get,
        routes::aggregates::get,
        routes::rankings::for_unit,
        routes::rankings::national,
        routes::scores::get,
        routes::completeness::get,
        routes::schemes::create,
        routes::schemes::list,
        routes::schemes::latest,
        routes::schemes::version,
        routes::review::submit,
        routes::review::approve,
        routes::review::return_report,
        routes::review::reopen,
        routes::history::revisions,
        routes::history::changelog,
        routes::units::change,
        routes::units::end,
        routes::units::merge,
        routes::audit::list,
        routes::users::create,
        routes::users::list,
        routes::users::disable,
        routes::users::enable,
        routes::users::reset_password,
        routes::users::move_unit,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness"),
        (name = "auth", description = "Tokens"),
        (name = "indicators", description = "The indicator catalog"),
        (name = "units", description = "Provinces, districts and communes, effective-dated"),
        (name = "reports", description = "A commune's monthly report"),
        (name = "aggregates", description = "Totals over the communes below a unit"),
        (name = "rankings", description = "Scores, rankings, completeness and timeliness"),
        (name = "schemes", description = "Scoring schemes, versioned"),
        (name = "review", description = "Submit, approve, return and reopen reports"),
        (name = "history", description = "Revisions and changes of a report"),
        (name = "audit", description = "Every write: who, what, when"),
        (name = "users", description = "Stored users"),
    )
)]
pub struct ApiDoc;

/// The document as committed: pretty JSON with a trailing newline.
pub fn document() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    /// The committed document is what the code generates. After changing the API, run
    /// `UPDATE_OPENAPI=1 cargo test -p cchc-api openapi` (or `cargo run -- openapi > openapi/openapi.json`).
    #[test]
    fn committed_openapi_matches_the_code() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
        let generated = super::document();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).expect("write openapi/openapi.json");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "openapi/openapi.json differs from the code: run `UPDATE_OPENAPI=1 cargo test -p cchc-api openapi` and commit the result"
        );
    }
}
