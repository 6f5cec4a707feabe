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

/// What every operation can answer besides its own responses, and the shapes of the path
/// parameters the whole API shares — added once here rather than on every handler.
struct CommonResponses;

fn problem(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .build()
        .into()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::Schema;
        for item in openapi.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
            for op in ops.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                if op.request_body.is_some() {
                    responses.entry("400".into()).or_insert_with(|| problem("The body cannot be read"));
                    responses
                        .entry("413".into())
                        .or_insert_with(|| problem("The body is larger than this route accepts"));
                    responses.entry("415".into()).or_insert_with(|| problem("The body is not JSON"));
                }
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    responses.entry("401".into()).or_insert_with(|| problem("No valid bearer token"));
                }
                responses.entry("503".into()).or_insert_with(|| problem("The database is unavailable; retry"));
                for param in op.parameters.iter_mut().flatten() {
                    let pattern = match (param.name.as_str(), &param.parameter_in) {
                        ("code", ParameterIn::Path) => "^([0-9]{2}|[0-9]{3}|[0-9]{5})$",
                        ("period", _) => "^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4]|S[12])?$",
                        _ => continue,
                    };
                    if let Some(RefOr::T(Schema::Object(o))) = &mut param.schema {
                        o.pattern = Some(pattern.into());
                    }
                }
            }
        }
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
        routes::portal::ingest,
        routes::reconciliation::get,
        routes::feed::get,
    ),
    components(schemas(crate::error::Problem, crate::export::ExportFormat)),
    modifiers(&BearerAuth, &CommonResponses),
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
        (name = "portal", description = "The provincial portal: dossier records in, reconciliation, the change feed out"),
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

    /// Every `$ref` points at a schema the document defines: a dangling one makes clients and
    /// fuzzers silently skip the parameter it describes.
    #[test]
    fn every_reference_resolves() {
        fn walk(v: &serde_json::Value, root: &serde_json::Value, missing: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                        let found = r.strip_prefix('#').and_then(|pointer| root.pointer(pointer)).is_some();
                        if !found {
                            missing.push(r.clone());
                        }
                    }
                    map.values().for_each(|x| walk(x, root, missing));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, root, missing)),
                _ => {}
            }
        }
        let doc: serde_json::Value = serde_json::from_str(&super::document()).expect("the document is JSON");
        let mut missing = Vec::new();
        walk(&doc, &doc, &mut missing);
        assert_eq!(missing, Vec::<String>::new());
    }
}
