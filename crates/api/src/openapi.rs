//! The OpenAPI 3.1 document, generated from the routes table (`routes::RoutesDoc`), the
//! handlers' annotations and the types. Committed as `openapi/openapi.json`; a test fails when
//! the two differ, and another when the routes table and the document list different
//! operations. Problem responses are declared here once for every operation.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use cchc_domain::catalog::Catalog;
use cchc_domain::report::NarrativeSection;

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

/// The media types of files: described as bytes, never under a JSON schema.
const FILE_TYPES: [&str; 3] =
    ["text/csv", crate::export::XLSX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"];

/// The first sentence of an operation's documentation, for its summary.
fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(i) => flat[..i].to_owned(),
        None => flat.trim_end_matches('.').to_owned(),
    }
}

/// What every operation shares, set once here rather than on every handler: its id from the
/// routes table, `security: []` where no token is needed, a summary and a description, the
/// problem responses, the shapes of the path parameters the whole API shares, an optional body
/// described as optional, and files described as bytes.
struct Operations;

impl Modify for Operations {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, methods) in crate::routes::TABLE {
            let Some(item) = openapi.paths.paths.get_mut(*path) else { continue };
            for (method, id) in *methods {
                let op = match *method {
                    "GET" => item.get.as_mut(),
                    "PUT" => item.put.as_mut(),
                    "POST" => item.post.as_mut(),
                    "DELETE" => item.delete.as_mut(),
                    _ => None,
                };
                if let Some(op) = op {
                    op.operation_id = Some((*id).to_owned());
                    operation(path, op);
                }
            }
        }
    }
}

fn operation(path: &str, op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{Schema, SchemaFormat, SchemaType, Type};
    if op.security.is_none() {
        op.security = Some(Vec::new());
    }
    if op.description.is_none() {
        op.description = op.summary.clone();
    }
    op.summary = op.summary.as_deref().map(first_sentence);
    let responses = &mut op.responses.responses;
    responses
        .entry("4XX".into())
        .or_insert_with(|| problem("A problem with the request; `type` names it (see the list of problem types)"));
    responses.entry("5XX".into()).or_insert_with(|| problem("A fault of the server or its database; retry"));
    let binary = |content: &mut utoipa::openapi::Content| {
        let bytes = utoipa::openapi::ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)));
        content.schema = Some(RefOr::T(Schema::Object(bytes.build())));
    };
    for response in responses.values_mut() {
        if let RefOr::T(r) = response {
            for (media, content) in r.content.iter_mut() {
                if FILE_TYPES.contains(&media.as_str()) {
                    binary(content);
                }
            }
        }
    }
    // A file sent in (a Word report to import) is bytes too.
    for (media, content) in op.request_body.iter_mut().flat_map(|b| b.content.iter_mut()) {
        if FILE_TYPES.contains(&media.as_str()) {
            binary(content);
        }
    }
    let scheme_path = path.starts_with("/api/v1/schemes");
    for param in op.parameters.iter_mut().flatten() {
        let is_path = matches!(param.parameter_in, ParameterIn::Path);
        let (pattern, description) = match param.name.as_str() {
            "code" if is_path && scheme_path => (None, "Scheme code"),
            "code" if is_path && path.starts_with("/api/v1/communes") => {
                (Some(r"^[0-9]{5}$"), "Commune code (5 digits)")
            }
            "code" if is_path => (
                Some("^([0-9]{2}|[0-9]{3}|[0-9]{5})$"),
                "Unit code: 2 digits for a province, 3 for a district, 5 for a commune",
            ),
            "period" => (Some("^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4]|S[12])?$"), "A month, quarter, half-year or year"),
            "username" => (None, "The user's name"),
            _ => (None, ""),
        };
        if param.description.as_deref().is_none_or(str::is_empty) && !description.is_empty() {
            param.description = Some(description.into());
        }
        if let (Some(pattern), Some(RefOr::T(Schema::Object(o)))) = (pattern, &mut param.schema) {
            o.pattern = Some(pattern.into());
        }
    }
    // `Option<Body>` is an optional body, not a body that may be JSON `null`.
    if let Some(body) = &mut op.request_body
        && body.required.is_none()
    {
        for content in body.content.values_mut() {
            if let Some(RefOr::T(Schema::OneOf(one))) = &content.schema
                && let [a, b] = one.items.as_slice()
            {
                let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
                let kept = if is_null(a) {
                    b.clone()
                } else if is_null(b) {
                    a.clone()
                } else {
                    continue;
                };
                content.schema = Some(kept);
            }
        }
    }
}

/// The report form typed from the indicator catalog: one property per indicator (its JSON
/// type, range and labels), and the six narrative sections. Built from the catalog the server
/// runs with, so the catalog stays the one source.
struct CatalogSchemas<'a>(&'a Catalog);

impl Modify for CatalogSchemas<'_> {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
        let mut values = ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some(
                "Indicator code → figure; null or absent for \"not reported\" (zero is a figure). See `GET /api/v1/indicators`.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for ind in self.0.indicators() {
            let kind = match ind.kind.json_type() {
                "integer" => Type::Integer,
                "number" => Type::Number,
                _ => Type::Boolean,
            };
            let mut description = format!("{} — {}", ind.label_vi, ind.label_en);
            if ind.required_on_submit {
                description.push_str(" (required to submit)");
            }
            for later in &ind.labels_from {
                description.push_str(&format!("; from {}: {} — {}", later.from, later.label_vi, later.label_en));
            }
            if let Some(from) = ind.superseded_from {
                description
                    .push_str(&format!("; superseded from {from} by {}, still accepted", ind.superseded_by.join(", ")));
            }
            let mut p = ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([kind, Type::Null]))
                .description(Some(description));
            if let Some(max) = ind.kind.maximum() {
                p = p.minimum(Some(0)).maximum(Some(max));
            }
            values = values.property(&ind.code, p);
        }
        let mut narrative = ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some("The report's narrative sections, as text"))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for section in NarrativeSection::ALL {
            let text = ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .description(Some(section.title_vi()));
            narrative = narrative.property(section.key(), text);
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        // The example a client (and Swagger UI) starts from is the seed report's figures.
        if let Some(RefOr::T(Schema::Object(body))) = components.schemas.get_mut("ReportBody")
            && let Ok(mut seed) = serde_json::from_str::<serde_json::Value>(cchc_domain::seed::DONG_SON_2024_06_JSON)
        {
            seed["narrative"] = serde_json::json!({"results": "Tổng số hồ sơ tiếp nhận 168 hồ sơ …"});
            body.examples = vec![seed];
        }
        components.schemas.insert("ReportValues".into(), RefOr::T(Schema::Object(values.build())));
        components.schemas.insert("ReportNarrative".into(), RefOr::T(Schema::Object(narrative.build())));
    }
}

/// A feed item's `payload`, one schema per kind, the item discriminated by `kind`: what each
/// kind of write tells the portal (`cchc_domain::feed`).
struct FeedSchemas;

impl Modify for FeedSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use serde_json::json;
        let text = json!({"type": "string"});
        let report = |extra: serde_json::Value| {
            let mut props =
                json!({"unit_code": text, "period": text, "status": {"$ref": "#/components/schemas/ReportStatus"}});
            if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
                p.extend(e.clone());
            }
            props
        };
        let kinds = [
            (
                "report.approved",
                "FeedReportApproved",
                "A report approved, with its figures",
                report(json!({"values": {"$ref": "#/components/schemas/ReportValues"}})),
            ),
            ("report.reopened", "FeedReportReopened", "An approved report reopened for correction", report(json!({}))),
            (
                "score.changed",
                "FeedScoreChanged",
                "A counted report's score changed under a scheme version",
                json!({"unit_code": text, "period": text, "scheme_id": {"type": "integer"}, "score": {"type": "number"},
                       "previous_score": {"type": ["number", "null"]}, "band": {"type": ["string", "null"]}}),
            ),
            (
                "findings.recomputed",
                "FeedFindingsRecomputed",
                "A stored report's findings recomputed, without a new revision, because the report of the month before (`caused_by`: its own, or a merged predecessor's) changed",
                report(json!({"revision": {"type": "integer"}, "caused_by": text,
                    "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}})),
            ),
            (
                "unit.merged",
                "FeedUnitMerged",
                "A unit merged into its successor",
                json!({"absorbed": text, "successor": text, "effective_from": text}),
            ),
            (
                "scheme.added",
                "FeedSchemeAdded",
                "A new scheme version, and how many reports it re-scored",
                json!({"code": text, "version": {"type": "integer"}, "rescored_reports": {"type": "integer"}}),
            ),
        ];
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut one_of = Vec::new();
        let mut mapping = serde_json::Map::new();
        for (kind, name, description, props) in kinds {
            let required: Vec<&String> = props.as_object().map(|p| p.keys().collect()).unwrap_or_default();
            let payload =
                json!({"type": "object", "description": description, "properties": props, "required": required});
            let item = json!({
                "type": "object",
                "description": description,
                "required": ["kind", "subject", "created_at", "payload"],
                "properties": {
                    "kind": {"type": "string", "enum": [kind]},
                    "subject": {"type": "string", "description": "What it is about: `07273/2024-06`, `07273`, `commune-par@2`"},
                    "province_code": {"type": ["string", "null"], "description": "The province it concerns; null for national items"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "payload": {"$ref": format!("#/components/schemas/{name}Payload")},
                },
            });
            for (schema, key) in [(payload, format!("{name}Payload")), (item, format!("{name}Item"))] {
                if let Ok(schema) = serde_json::from_value::<RefOr<utoipa::openapi::schema::Schema>>(schema) {
                    components.schemas.insert(key, schema);
                }
            }
            one_of.push(json!({"$ref": format!("#/components/schemas/{name}Item")}));
            mapping.insert(kind.to_owned(), json!(format!("#/components/schemas/{name}Item")));
        }
        let item = json!({"oneOf": one_of, "discriminator": {"propertyName": "kind", "mapping": mapping},
            "description": "One item of the change feed; `payload` depends on `kind`"});
        if let Ok(schema) = serde_json::from_value::<RefOr<utoipa::openapi::schema::Schema>>(item) {
            components.schemas.insert("FeedItem".into(), schema);
        }
        // Each item names its own kind now.
        components.schemas.remove("FeedKind");
    }
}

/// The list of problem types: `type` takes one of the kinds' URNs.
struct ProblemTypes;

impl Modify for ProblemTypes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::Schema;
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

/// A reference to a schema built at start-up (`ReportValues`, `ReportNarrative`).
pub fn report_values() -> Ref {
    Ref::from_schema_name("ReportValues")
}

pub fn report_narrative() -> Ref {
    Ref::from_schema_name("ReportNarrative")
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cchc — commune administrative-reform (CCHC) reporting",
        description = "Communes file monthly CCHC reports; districts and provinces aggregate, check and rank them. Errors are RFC 9457 problem documents whose `type` names the problem.",
        version = "1.0.0",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    components(schemas(crate::error::ProblemDocument, crate::export::ExportFormat, crate::export::FileFormat)),
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
        (name = "calendar", description = "The working calendar: published days off and make-up working days"),
    )
)]
struct ApiDoc;

/// The whole document for a server running with `catalog`, reached at `public_url` (relative
/// to wherever the document was fetched from when none is configured).
pub fn api_doc(catalog: &Catalog, public_url: Option<&str>) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(RoutesDoc::openapi());
    BearerAuth.modify(&mut doc);
    Operations.modify(&mut doc);
    CatalogSchemas(catalog).modify(&mut doc);
    FeedSchemas.modify(&mut doc);
    ProblemTypes.modify(&mut doc);
    let mut server = Server::new(public_url.unwrap_or("/"));
    server.description = Some("This service".into());
    doc.servers = Some(vec![server]);
    doc
}

/// The document as committed (the built-in catalog, no public address): pretty JSON with a
/// trailing newline.
pub fn document() -> String {
    let mut s = api_doc(&Catalog::builtin(), None).to_pretty_json().expect("the OpenAPI document serializes");
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
            .flat_map(|(path, methods)| methods.iter().map(move |(m, _)| format!("{m} {path}")))
            .collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
    }

    /// Generated clients name functions after operation ids and document them from the
    /// descriptions: every operation has a unique camelCase id and a description, every
    /// parameter and response a description, every operation a `security` (empty when public).
    #[test]
    fn every_operation_is_named_and_described() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).expect("the document is JSON");
        let mut ids = std::collections::BTreeSet::new();
        let mut faults = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("a path item") {
                let here = format!("{method} {path}");
                let id = op["operationId"].as_str().unwrap_or_default();
                let camel = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric());
                if !camel || !ids.insert(id.to_owned()) {
                    faults.push(format!("{here}: operationId {id:?}"));
                }
                if op["description"].as_str().is_none_or(str::is_empty) || op["summary"].as_str().is_none() {
                    faults.push(format!("{here}: no summary or description"));
                }
                if !op["security"].is_array() {
                    faults.push(format!("{here}: no security"));
                }
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["description"].as_str().is_none_or(str::is_empty) {
                        faults.push(format!("{here}: parameter {} undescribed", p["name"]));
                    }
                }
                for (status, r) in op["responses"].as_object().expect("responses") {
                    if r["description"].as_str().is_none_or(str::is_empty) {
                        faults.push(format!("{here}: response {status} undescribed"));
                    }
                }
                if op.get("requestBody").is_some_and(|b| b["description"].as_str().is_none_or(str::is_empty)) {
                    faults.push(format!("{here}: request body undescribed"));
                }
            }
        }
        assert_eq!(faults, Vec::<String>::new());
        assert_eq!(doc["paths"]["/health"]["get"]["security"], serde_json::json!([]));
        assert_eq!(doc["paths"]["/api/v1/units"]["post"]["security"], serde_json::json!([{"bearer": []}]));
    }

    /// The report's `values` are typed indicator by indicator from the catalog.
    #[test]
    fn report_values_are_typed_from_the_catalog() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).expect("the document is JSON");
        let values = &doc["components"]["schemas"]["ReportValues"];
        assert_eq!(values["additionalProperties"], false);
        let catalog = cchc_domain::Catalog::builtin();
        assert_eq!(values["properties"].as_object().map(|p| p.len()), Some(catalog.indicators().len()));
        assert_eq!(values["properties"]["dossiers_received_online"]["type"], serde_json::json!(["integer", "null"]));
        assert_eq!(values["properties"]["edocs_incoming_rate"]["maximum"], 100.0);
        assert_eq!(values["properties"]["iso_9001_applied"]["type"], serde_json::json!(["boolean", "null"]));
        let body = &doc["components"]["schemas"]["ReportBody"];
        assert_eq!(body["properties"]["values"]["$ref"], "#/components/schemas/ReportValues");
        let narrative = &doc["components"]["schemas"]["ReportNarrative"]["properties"];
        assert_eq!(narrative.as_object().map(|p| p.len()), Some(6));
        // Files are bytes under their own media types.
        let ranking = &doc["paths"]["/api/v1/units/{code}/rankings"]["get"]["responses"]["200"]["content"];
        assert_eq!(ranking["text/csv"]["schema"], serde_json::json!({"type": "string", "format": "binary"}));
        assert_eq!(ranking["application/json"]["schema"]["$ref"], "#/components/schemas/RankingView");
        // The feed's items are told apart by `kind`, each with its own payload.
        let feed = &doc["components"]["schemas"]["FeedItem"];
        assert_eq!(feed["discriminator"]["propertyName"], "kind");
        assert_eq!(feed["oneOf"].as_array().map(Vec::len), Some(6));
        let recomputed = &doc["components"]["schemas"]["FeedFindingsRecomputedPayload"];
        assert_eq!(recomputed["properties"]["findings"]["items"]["$ref"], "#/components/schemas/Finding");
        let score = &doc["components"]["schemas"]["FeedScoreChangedPayload"];
        assert_eq!(score["properties"]["previous_score"]["type"], serde_json::json!(["number", "null"]));
        // An optional body is optional, not nullable.
        let approve = &doc["paths"]["/api/v1/communes/{code}/reports/{period}/approve"]["post"]["requestBody"];
        assert_eq!(approve["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ActionBody");
        assert_ne!(approve["required"], true);
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
