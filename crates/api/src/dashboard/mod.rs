//! The staff dashboard under `/app/`: server-rendered HTML for district and province officers
//! (and communes, for their own page), served by the same binary as the API, with every asset
//! embedded in it — no JavaScript toolchain, nothing to deploy beside `cchc`.
//!
//! - pages are `askama` templates (`crates/api/templates/dashboard/`), checked when the crate
//!   compiles and HTML-escaped by default;
//! - two small scripts make tables sortable (`assets/dashboard.js`) and check and keep the
//!   report form as the clerk types (`assets/report-form.js`) — progressive: the pages work
//!   without them — and one stylesheet; all are `include_str!`ed and served from
//!   `/app/static/`, so a strict Content-Security-Policy (no inline script or style) holds;
//! - charts are SVG drawn on the server (`charts`);
//! - the data come from the same functions as the API's handlers, with the same scope checks.
//!
//! Modules: `session` (cookie session, CSRF), `pages` (handlers), `entry` (the report form), `views` (what templates
//! show), `charts` (SVG), `i18n` (Vietnamese and English).

pub mod charts;
pub mod data;
pub mod entry;
pub mod i18n;
pub mod pages;
pub mod session;
pub mod views;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::Cookie;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use askama::Template;

use crate::error::{AppError, ErrorCause, Problem, internal};
use crate::middleware::RequestId;
use crate::startup::{read, resource};

use i18n::{LANG_COOKIE, Lang, Tr};

/// Sent with every dashboard response: nothing but our own files may run or style the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::redirect("/app", "/app/")).service(
        web::scope("/app")
            .wrap(from_fn(frame))
            .service(resource("/", "GET, HEAD".into()).route(read().to(pages::rankings)))
            .service(
                resource("/login", "GET, HEAD, POST".into())
                    .route(read().to(pages::login_form))
                    .route(web::post().to(pages::login)),
            )
            .service(resource("/logout", "POST".into()).route(web::post().to(pages::logout)))
            .service(resource("/completeness", "GET, HEAD".into()).route(read().to(pages::completeness)))
            .service(resource("/consolidated", "GET, HEAD".into()).route(read().to(pages::consolidated)))
            .service(resource("/communes/{code}", "GET, HEAD".into()).route(read().to(pages::commune)))
            .service(
                resource("/communes/{code}/reports/{period}/edit", "GET, HEAD, POST".into())
                    .route(read().to(entry::edit))
                    .route(web::post().to(entry::save)),
            )
            .service(
                resource("/communes/{code}/reports/{period}/document.docx", "GET, HEAD".into())
                    .route(read().to(pages::commune_document)),
            )
            .service(
                resource("/communes/{code}/reports/{period}/approve", "POST".into())
                    .route(web::post().to(pages::approve)),
            )
            .service(
                resource("/communes/{code}/reports/{period}/return", "POST".into())
                    .route(web::post().to(pages::return_report)),
            )
            .service(
                resource("/communes/{code}/reports/{period}/reopen", "POST".into())
                    .route(web::post().to(pages::reopen)),
            )
            .service(resource("/export/rankings.{format}", "GET, HEAD".into()).route(read().to(pages::export_rankings)))
            .service(
                resource("/export/consolidated.{format}", "GET, HEAD".into())
                    .route(read().to(pages::export_consolidated)),
            )
            .service(resource("/static/{file}", "GET, HEAD".into()).route(read().to(pages::asset)))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(PageError::from(Problem::NotFound.error("no such page")))
            })),
    );
}

/// An error on a dashboard request. Handlers and extractors return it like the API's
/// `AppError`; the dashboard's middleware turns it into a page in the reader's language (or,
/// for a missing session, a redirect to the sign-in page).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        PageError(internal(e))
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What the middleware needs to render an error page.
#[derive(Debug, Clone)]
struct ErrorPage {
    problem: Problem,
    detail: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.problem.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.0.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        let mut response = res.finish();
        response.extensions_mut().insert(ErrorPage { problem: self.0.problem, detail: self.0.detail.clone() });
        if let Some(cause) = &self.0.cause {
            response.extensions_mut().insert(ErrorCause(cause.clone()));
        }
        response
    }
}

pub type PageResult = Result<HttpResponse, PageError>;

/// The language of a request: `?lang=` (then remembered in a cookie), else the cookie, else
/// Vietnamese.
fn language(req: &ServiceRequest) -> (Lang, bool) {
    let asked = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.iter().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(v)));
    match asked {
        Some(lang) => (lang, true),
        None => (req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())).unwrap_or_default(), false),
    }
}

/// The dashboard's middleware: the language, the security headers, error pages and the
/// redirect to the sign-in page.
async fn frame(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (lang, remember) = language(&req);
    req.extensions_mut().insert(lang);
    let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
    let had_session = req.cookie(session::SESSION_COOKIE).is_some();
    let here = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let page = res.response().extensions().get::<ErrorPage>().cloned();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let mut res = match page {
        Some(ErrorPage { problem: Problem::Unauthorized, .. }) => {
            // Back to this page after signing in (GET only); say so when a session ended.
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            if had_session {
                pairs.push(("expired", "1"));
            }
            if is_get && here.starts_with("/app/") && here != "/app/" {
                pairs.push(("next", here.as_str()));
            }
            let target =
                if pairs.is_empty() { "/app/login".to_owned() } else { format!("/app/login?{}", encode_pairs(&pairs)) };
            let mut redirect = HttpResponse::SeeOther();
            redirect.insert_header((header::LOCATION, target));
            if had_session {
                redirect.cookie(session::removal(res.request(), session::SESSION_COOKIE));
            }
            res.into_response(redirect.finish())
        }
        Some(page) => error_page(res, lang, Some(page.detail)),
        None if (status.is_client_error() || status.is_server_error()) && !is_html => error_page(res, lang, None),
        None => res,
    };
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if remember {
        let cookie = Cookie::build(LANG_COOKIE, lang.code())
            .path(session::COOKIE_PATH)
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .max_age(CookieDuration::days(365))
            .finish();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// `a=b&c=d`, percent-encoded.
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// Replaces a response with an error page in `lang`, keeping its status, its headers (`Allow`,
/// `Retry-After`) and the internal cause for the log.
fn error_page(res: ServiceResponse<BoxBody>, lang: Lang, detail: Option<String>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let request_id = res.request().extensions().get::<RequestId>().map(|r| r.0.clone());
    let cause = res.response().extensions().get::<ErrorCause>().cloned();
    let tr = Tr::new(lang);
    let key = match status.as_u16() {
        400 | 403 | 404 | 405 | 409 | 429 | 503 => status.as_u16(),
        s if s >= 500 => 500,
        _ => 400,
    };
    let title = tr.t(&format!("error.{key}.title")).to_owned();
    let session = session::Session::peek(res.request());
    let chrome = views::Chrome::new(res.request(), lang, session.as_ref(), "error", title);
    let template = views::ErrorTemplate {
        chrome,
        status: status.as_u16(),
        title_key: format!("error.{key}.title"),
        text_key: format!("error.{key}.text"),
        detail: detail.filter(|_| key != 500),
        request_id,
    };
    let body = template.render().unwrap_or_else(|e| format!("<!doctype html><title>{status}</title><p>{e}</p>"));
    let mut page = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            page.append_header((name.clone(), value.clone()));
        }
    }
    let mut page = page.content_type("text/html; charset=utf-8").body(body);
    if let Some(c) = cause {
        page.extensions_mut().insert(c);
    }
    res.into_response(page)
}
