//! Request ids and uniform problem bodies. Every response carries `X-Request-Id`; every error
//! response — ours, or one actix produces itself (unknown route, wrong method) — is a problem
//! document that names the path and the request id — except the dashboard's HTML error pages.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};

use crate::error::{ErrorCause, PROBLEM_JSON, Problem};

pub const REQUEST_ID: &str = "x-request-id";

/// The id of the current request, kept in the request extensions for handlers and logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Error bodies are small; anything larger than this is not rewritten.
const MAX_PROBLEM_BODY: usize = 1 << 20;

/// The longest address and header value the application reads. Longer ones are refused with a
/// problem (a token is a few hundred bytes; a report's address under a hundred). Requests beyond
/// the HTTP codec's own limits (a 128 KiB head, a 64 KiB address) never reach the application:
/// the codec answers them without a body (SECURITY.md).
pub const MAX_URI: usize = 8 * 1024;
pub const MAX_HEADER_VALUE: usize = 8 * 1024;

/// A request head the application does not read, and why.
fn oversize(req: &ServiceRequest) -> Option<crate::error::AppError> {
    use crate::error::Problem;
    let uri = req.uri().to_string().len();
    if uri > MAX_URI {
        return Some(Problem::UriTooLong.error(format!("the address is {uri} bytes; at most {MAX_URI} are read")));
    }
    req.headers().iter().find(|(_, v)| v.len() > MAX_HEADER_VALUE).map(|(name, v)| {
        Problem::HeaderTooLarge
            .error(format!("the `{name}` header is {} bytes; at most {MAX_HEADER_VALUE} are read", v.len()))
    })
}

fn acceptable_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|s| acceptable_id(s))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let path = req.path().to_owned();
    if let Some(e) = oversize(&req) {
        let res = req.into_response(actix_web::ResponseError::error_response(&e)).map_into_boxed_body();
        return Ok(finish(to_problem(res, &path, &id).await, &id));
    }
    // Handlers' errors arrive here as responses; an `Err` only comes from a failure below the
    // router and is rendered by actix from our own error types.
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let res =
        if status.is_client_error() || status.is_server_error() { to_problem(res, &path, &id).await } else { res };
    Ok(finish(res, &id))
}

/// Every answer carries its request id and `nosniff`.
fn finish(mut res: ServiceResponse<BoxBody>, id: &str) -> ServiceResponse<BoxBody> {
    if let Ok(v) = HeaderValue::from_str(id) {
        res.headers_mut().insert(header::HeaderName::from_static(REQUEST_ID), v);
    }
    // No answer is to be sniffed into another type (a CSV read as HTML, say).
    res.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

async fn to_problem(res: ServiceResponse<BoxBody>, path: &str, id: &str) -> ServiceResponse<BoxBody> {
    if let Some(cause) = res.response().extensions().get::<ErrorCause>() {
        log::error!("req={id} {path}: {}", cause.0);
    }
    // The dashboard's error pages are for people: they stay HTML.
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if is_html && (path == "/app" || path.starts_with("/app/")) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    let status = res.status();
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes_limited(body, MAX_PROBLEM_BODY).await.ok().and_then(Result::ok).unwrap_or_default();
    let mut problem = if is_problem {
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default()
    } else {
        let code = Problem::for_status(status);
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        let detail = if text.is_empty() {
            match status.as_u16() {
                404 => format!("there is no resource at {path}"),
                405 => format!("{path} does not support this method"),
                _ => code.title().to_owned(),
            }
        } else {
            text
        };
        serde_json::json!({
            "type": code.type_uri(),
            "title": code.title(),
            "title_vi": code.title_vi(),
            "status": status.as_u16(),
            "detail": detail,
        })
    };
    if let Some(obj) = problem.as_object_mut() {
        obj.insert("instance".into(), path.into());
        obj.insert("request_id".into(), id.into());
    }
    let mut out = HttpResponse::with_body(status, BoxBody::new(problem.to_string()));
    for (name, value) in head.headers().iter() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    ServiceResponse::new(req, out)
}
