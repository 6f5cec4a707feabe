//! The OpenAPI document (`/api-docs/openapi.json`) and Swagger UI (`/docs/`). The UI is served
//! from this host alone: no online validator (it would send the document's address to another
//! host and fail offline), a content security policy that lets the page reach only this host,
//! and a title that names the service.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::Config;

use crate::error::{Problem, internal};
use crate::startup::read;

const DOCUMENT: &str = "/api-docs/openapi.json";

/// Swagger UI styles its widgets inline; scripts and requests stay on this host.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

struct Docs {
    /// The document, serialised once at start-up (cloning `Bytes` copies nothing).
    json: web::Bytes,
    config: Arc<Config<'static>>,
}

/// Registers the document and the UI; `document` is the JSON the server runs with.
pub fn configure(document: String) -> impl FnOnce(&mut web::ServiceConfig) {
    let config = Config::new([DOCUMENT]).validator_url("none").display_operation_id(true);
    let docs = web::Data::new(Docs { json: web::Bytes::from(document), config: Arc::new(config) });
    move |cfg| {
        cfg.service(web::resource(DOCUMENT).app_data(docs.clone()).route(read().to(openapi_json)))
            .service(web::resource("/docs/{tail:.*}").app_data(docs).route(read().to(ui)))
            .service(web::redirect("/docs", "/docs/"));
    }
}

async fn openapi_json(docs: web::Data<Docs>) -> HttpResponse {
    HttpResponse::Ok().content_type(header::ContentType::json()).body(docs.json.clone())
}

async fn ui(docs: web::Data<Docs>, tail: web::Path<String>) -> Result<HttpResponse, crate::error::AppError> {
    let file = utoipa_swagger_ui::serve(&tail, docs.config.clone())
        .map_err(internal)?
        .ok_or_else(|| Problem::NotFound.error("there is no such file of the API documentation"))?;
    let body = match tail.as_str() {
        "" | "index.html" => String::from_utf8_lossy(&file.bytes)
            .replace("<title>Swagger UI</title>", "<title>cchc — API (CCHC reporting)</title>")
            .into_bytes(),
        // Swagger UI reads `validatorUrl: null` as "no validator"; the config writes "none".
        "swagger-initializer.js" => String::from_utf8_lossy(&file.bytes)
            .replace(r#""validatorUrl": "none""#, r#""validatorUrl": null"#)
            .into_bytes(),
        _ => file.bytes.into_owned(),
    };
    let mut res = HttpResponse::Ok().content_type(file.content_type).body(body);
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(res)
}
