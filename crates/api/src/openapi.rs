//! The OpenAPI 3.1 document, generated from the routes table (`routes::RoutesDoc`), the
//! handlers' annotations and the types. Committed as `openapi/openapi.json`; a test fails when
//! the two differ, and another when the routes table and the document list different
//! operations. Problem responses are declared here once for every operation.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::Problem;
use crate::routes::RoutesDoc;

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

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .build()
        .into()
}

/// The problem responses every operation can give, the shapes of the path parameters the whole
/// API shares, and the list of problem types — added once here rather than on every handler.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::Schema;
        for item in openapi.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
            for op in ops.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                responses.entry("4XX".into()).or_insert_with(|| {
                    problem("A problem with the request; `type` names it (see the list of problem types)")
                });
                responses
                    .entry("5XX".into())
                    .or_insert_with(|| problem("A fault of the server or its database; retry"));
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
        // A closed set: `type` takes one of the kinds' URNs.
        let types: Vec<serde_json::Value> = Problem::ALL.iter().map(|p| p.type_uri().into()).collect();
        let schemas = openapi.components.as_mut().map(|c| &mut c.schemas);
        if let Some(RefOr::T(Schema::Object(problem))) = schemas.and_then(|s| s.get_mut("Problem"))
            && let Some(RefOr::T(Schema::Object(kind))) = problem.properties.get_mut("type")
        {
            kind.enum_values = Some(types);
        }
        let mut list = String::from("\n\nProblem types (`urn:cchc:problem:<type>`, with the HTTP status):\n");
        for p in Problem::ALL {
            list.push_str(&format!("\n- `{}` ({}): {} — {}", p.slug(), p.status().as_u16(), p.title(), p.title_vi()));
        }
        openapi.info.description = Some(format!("{}{list}", openapi.info.description.clone().unwrap_or_default()));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cchc — commune administrative-reform (CCHC) reporting",
        description = "Communes file monthly CCHC reports; districts and provinces aggregate, check and rank them. Errors are RFC 9457 problem documents whose `type` names the problem.",
        version = "1.0.0",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(schemas(crate::error::ProblemDocument, crate::export::ExportFormat)),
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
struct ApiDoc;

/// The whole document: the routes' operations, the shared components, the common responses.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(RoutesDoc::openapi());
    BearerAuth.modify(&mut doc);
    CommonResponses.modify(&mut doc);
    doc
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document() -> String {
    let mut s = api_doc().to_pretty_json().expect("the OpenAPI document serializes");
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

    /// The routes actix serves and the operations the document describes are the same paths and
    /// methods (a handler annotated with another path than it is registered at shows here).
    #[test]
    fn the_routes_table_and_the_document_agree() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).expect("the document is JSON");
        let mut documented: Vec<String> = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("a path item").keys() {
                documented.push(format!("{} {path}", method.to_uppercase()));
            }
        }
        let mut served: Vec<String> = crate::routes::TABLE
            .iter()
            .flat_map(|(path, methods)| methods.iter().map(move |m| format!("{m} {path}")))
            .collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
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
