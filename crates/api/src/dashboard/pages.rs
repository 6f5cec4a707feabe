//! The dashboard's handlers: parse, check the session (and the CSRF token of forms), load
//! through `data`, render through `views`.

use actix_web::http::header;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use cchc_domain::Role;
use cchc_domain::workflow::Action;

use actix_web::http::header::{EntityTag, IfMatch};

use crate::app::rank;
use crate::app::review_report::{self, ReviewAction};
use crate::app::sign_in::{self, Credentials};
use crate::auth::client_address;
use crate::error::{AppError, Problem, internal};
use crate::export::{self, ExportFormat};
use crate::params;
use crate::state::{AppState, RunOnDb};

use super::i18n::{Lang, Tr};
use super::session::{self, Session};
use super::views::{self, Chrome, Flash, LoginPage};
use super::{PageError, PageResult, data, encode_pairs};

/// `?unit=&period=` of the unit pages.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub unit: Option<String>,
    pub period: Option<String>,
}

/// `?period=` of a commune's page, and the outcome of a review action.
#[derive(Debug, Deserialize)]
pub struct CommuneQuery {
    pub period: Option<String>,
    pub done: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    pub next: Option<String>,
    /// Set after signing out.
    pub out: Option<String>,
    /// Set when a session ended (expired, or its user was disabled).
    pub expired: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    reason: Option<String>,
    etag: Option<String>,
}

/// Reads an `application/x-www-form-urlencoded` body. Any body is read (a form without its
/// CSRF field must get to the CSRF check, and a 403).
pub(super) fn form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|e| Problem::BadRequest.error(format!("the form could not be read: {e}")))
}

fn html(page: impl Template, status: actix_web::http::StatusCode) -> PageResult {
    let body = page.render().map_err(internal)?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

fn ok() -> actix_web::http::StatusCode {
    actix_web::http::StatusCode::OK
}

/// The ranking of the officer's unit (or, for an admin, of any unit or the country).
pub async fn rankings(
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> PageResult {
    // A commune officer's view is their commune's page.
    if session.caller.role == Role::Commune
        && let Some(unit) = session.caller.unit()
    {
        return Ok(see_other(&format!("/app/communes/{unit}")));
    }
    let caller = session.caller.clone();
    let PageQuery { unit, period } = query.into_inner();
    let data = state.run(move |conn, st| data::rankings(conn, st, &caller, unit.as_deref(), period.as_deref())).await?;
    let title = format!("{} · {}", Tr::new(lang).t("rankings.title"), data.ranking.view.unit_name);
    let chrome = Chrome::new(&req, lang, Some(&session), "rankings", title);
    html(views::rankings_page(chrome, &data), ok())
}

/// The ranking as a CSV or XLSX download (the API's export, with the session).
pub async fn export_rankings(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> PageResult {
    let format = match path.as_str() {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        _ => return Err(Problem::NotFound.error("downloads are .csv or .xlsx").into()),
    };
    let caller = session.caller.clone();
    let PageQuery { unit, period } = query.into_inner();
    let data = state.run(move |conn, st| data::rankings(conn, st, &caller, unit.as_deref(), period.as_deref())).await?;
    Ok(export::respond(format, &rank::table(&data.ranking.view, &data.ranking.bands))?)
}

/// The consolidated table (*biểu tổng hợp*) of the communes below the officer's unit.
pub async fn consolidated(
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> PageResult {
    let caller = session.caller.clone();
    let PageQuery { unit, period } = query.into_inner();
    let data =
        state.run(move |conn, st| data::consolidated(conn, st, &caller, unit.as_deref(), period.as_deref())).await?;
    let title = format!("{} · {}", Tr::new(lang).t("consolidated.title"), data.view.unit_name);
    let chrome = Chrome::new(&req, lang, Some(&session), "consolidated", title);
    html(views::consolidated_page(chrome, &state.catalog, &data), ok())
}

/// The consolidated table as a CSV or XLSX download (the API's, with the session).
pub async fn export_consolidated(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> PageResult {
    let format = match path.as_str() {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        "docx" => return consolidated_document(state, session, query).await,
        _ => return Err(Problem::NotFound.error("downloads are .csv, .xlsx or .docx").into()),
    };
    let caller = session.caller.clone();
    let PageQuery { unit, period } = query.into_inner();
    let data =
        state.run(move |conn, st| data::consolidated(conn, st, &caller, unit.as_deref(), period.as_deref())).await?;
    Ok(export::respond(format, &crate::app::consolidate::table(&data.view, &state.catalog))?)
}

/// The Interior Office's consolidated report as its Word document, to edit and sign.
async fn consolidated_document(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<PageQuery>,
) -> PageResult {
    let caller = session.caller.clone();
    let PageQuery { unit, period } = query.into_inner();
    let doc = state
        .run(move |conn, st| data::consolidated_document(conn, st, &caller, unit.as_deref(), period.as_deref()))
        .await?;
    let bytes = crate::documents::consolidated::docx(&doc)?;
    Ok(crate::documents::respond(&crate::documents::consolidated::file_name(&doc), bytes))
}

/// A commune's monthly report as its official Word document (the API's, with the session).
pub async fn commune_document(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> PageResult {
    let (code, month) = (params::commune_code(&path.0)?, params::month(&path.1)?);
    let caller = session.caller.clone();
    let doc = state.run(move |conn, _| crate::app::official_documents::commune(conn, &caller, &code, month)).await?;
    let bytes = crate::documents::commune::docx(&doc)?;
    Ok(crate::documents::respond(&crate::documents::commune::file_name(&doc), bytes))
}

/// Expected, reported, on time, late and missing reports below the officer's unit.
pub async fn completeness(
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> PageResult {
    let caller = session.caller.principal.clone();
    let PageQuery { unit, period } = query.into_inner();
    let data =
        state.run(move |conn, st| data::completeness(conn, st, &caller, unit.as_deref(), period.as_deref())).await?;
    let title = format!("{} · {}", Tr::new(lang).t("completeness.title"), data.view.unit_name);
    let chrome = Chrome::new(&req, lang, Some(&session), "completeness", title);
    html(views::completeness_page(chrome, &data), ok())
}

/// One commune: its score by criterion, its trend, its latest report, and the review forms.
pub async fn commune(
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<CommuneQuery>,
) -> PageResult {
    let code = params::commune_code(&path)?;
    let caller = session.caller.clone();
    let CommuneQuery { period, done, error } = query.into_inner();
    let forget = match (done.as_deref(), period.as_deref()) {
        (Some("submitted"), Some(p)) => Some(format!("cchc.report.{code}.{}", params::report_month(p)?)),
        _ => None,
    };
    let data = state.run(move |conn, st| data::commune(conn, st, &caller, &code, period.as_deref())).await?;
    let tr = Tr::new(lang);
    let flash = Flash::from_query(&tr, done.as_deref(), error.as_deref());
    let title = format!("{} · {}", data.score.unit_name, tr.period(&data.period));
    let chrome = Chrome::new(&req, lang, Some(&session), "commune", title);
    html(views::commune_page(chrome, &state.catalog, &data, flash, forget).map_err(internal)?, ok())
}

pub async fn approve(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> PageResult {
    review_action(state, session, path, body, Action::Approve).await
}

pub async fn return_report(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> PageResult {
    review_action(state, session, path, body, Action::Return).await
}

pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> PageResult {
    review_action(state, session, path, body, Action::Reopen).await
}

/// Approve, return or reopen through the API's own implementation, then back to the commune's page
/// with the outcome (post/redirect/get, so a reload does not repeat the action).
async fn review_action(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    action: Action,
) -> PageResult {
    let f: ReviewForm = form(&body)?;
    session.check_csrf(&state, &f.csrf)?;
    let (code, period) = path.into_inner();
    let (code, month) = (params::commune_code(&code)?, params::month(&period)?);
    let back = |key: &str, value: &str| {
        format!("/app/communes/{code}?{}", encode_pairs(&[("period", &month.to_string()), (key, value)]))
    };
    // The form carries the tag of the report it showed; one that does not parse matches nothing.
    let if_match =
        f.etag.filter(|t| !t.is_empty()).map(|t| IfMatch::Items(t.parse::<EntityTag>().into_iter().collect()));
    let cmd = ReviewAction { commune: code.clone(), period: month.into(), action, reason: f.reason, if_match };
    let caller = session.caller.clone();
    match state.run(move |conn, st| review_report::run(conn, st, &caller, cmd)).await {
        Ok(_) => Ok(see_other(&back(
            "done",
            match action {
                Action::Approve => "approved",
                Action::Reopen => "reopened",
                _ => "returned",
            },
        ))),
        // The outcome is told by its kind, never guessed from the HTTP status.
        Err(e) => match outcome_key(e.problem) {
            Some(key) => Ok(see_other(&back("error", key))),
            None => Err(e.into()),
        },
    }
}

/// The message a review action's problem shows on the commune's page; `None` for problems
/// that get an error page.
fn outcome_key(problem: Problem) -> Option<&'static str> {
    Some(match problem {
        Problem::ReasonRequired => "reason_required",
        Problem::ReasonTooLong => "reason_too_long",
        Problem::WrongState | Problem::ReportClosed | Problem::AlreadySubmitted => "wrong_state",
        Problem::StaleRevision => "stale",
        Problem::ReportNotFound => "not_found",
        _ => return None,
    })
}

fn login_page(
    req: &HttpRequest,
    lang: Lang,
    csrf: String,
    next: String,
    username: String,
    message: Option<String>,
    notice: Option<&'static str>,
) -> LoginPage {
    let tr = Tr::new(lang);
    let chrome = Chrome::new(req, lang, None, "login", tr.t("auth.sign_in").to_owned());
    LoginPage { chrome, csrf, next, username, message, notice }
}

/// The sign-in form. It sets the nonce cookie its CSRF token is bound to.
pub async fn login_form(
    state: web::Data<AppState>,
    session: Option<Session>,
    lang: Lang,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> PageResult {
    let next = session::safe_next(query.next.as_deref());
    if session.is_some() {
        return Ok(see_other(&next));
    }
    let (nonce, fresh) = session::login_nonce(&req);
    let csrf = session::sign(&state, "login:", &nonce)?;
    let tr = Tr::new(lang);
    let notice = match (&query.out, &query.expired) {
        (Some(_), _) => Some(tr.t("auth.signed_out")),
        (None, Some(_)) => Some(tr.t("auth.expired")),
        (None, None) => None,
    };
    let mut res = html(login_page(&req, lang, csrf, next, String::new(), None, notice), ok())?;
    if fresh {
        res.add_cookie(&session::login_cookie(&req, nonce)).map_err(internal)?;
    }
    Ok(res)
}

/// Signs in with a stored user's credentials, under the same rate limits as the API.
pub async fn login(state: web::Data<AppState>, lang: Lang, req: HttpRequest, body: web::Bytes) -> PageResult {
    let f: LoginForm = form(&body)?;
    session::check_login_csrf(&state, &req, &f.csrf)?;
    let next = session::safe_next(f.next.as_deref());
    let username = f.username.trim().to_owned();
    let address = client_address(&req, state.rules.trust_proxy);
    let credentials = Credentials { username: username.clone(), password: f.password, address };
    match sign_in::run(&state, credentials).await {
        Ok(signed) => {
            let mut res = see_other(&next);
            res.add_cookie(&session::session_cookie(&req, signed.token, state.token_ttl)).map_err(internal)?;
            res.add_cookie(&session::removal(&req, session::LOGIN_COOKIE)).map_err(internal)?;
            Ok(res)
        }
        Err(e) if matches!(e.problem, Problem::SignInFailed | Problem::TooManySignIns | Problem::InvalidText) => {
            let tr = Tr::new(lang);
            // A name with a control character is not shown back.
            let username = if e.problem == Problem::InvalidText { String::new() } else { username };
            let message = match e.retry_after {
                Some(wait) => format!("{} {wait}", tr.t("auth.too_many")),
                None => tr.t("auth.wrong").to_owned(),
            };
            let (nonce, _) = session::login_nonce(&req);
            let csrf = session::sign(&state, "login:", &nonce)?;
            let mut res = html(login_page(&req, lang, csrf, next, username, Some(message), None), e.problem.status())?;
            if let Some(wait) = e.retry_after
                && let Ok(v) = HeaderValue::from_str(&wait.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// Signs out: the session cookie is removed.
pub async fn logout(state: web::Data<AppState>, session: Session, req: HttpRequest, body: web::Bytes) -> PageResult {
    let f: CsrfForm = form(&body)?;
    session.check_csrf(&state, &f.csrf)?;
    let caller = session.caller;
    state.run(move |conn, _| sign_in::sign_out(conn, &caller)).await?;
    let mut res = see_other("/app/login?out=1");
    res.add_cookie(&session::removal(&req, session::SESSION_COOKIE)).map_err(internal)?;
    Ok(res)
}

/// The embedded stylesheet, script and icon. With the current fingerprint in `?v=` they may be
/// cached for good.
pub async fn asset(req: HttpRequest, path: web::Path<String>) -> PageResult {
    let (body, content_type) = match path.as_str() {
        "dashboard.css" => (views::CSS, "text/css; charset=utf-8"),
        "dashboard.js" => (views::JS, "text/javascript; charset=utf-8"),
        "report-form.js" => (views::FORM_JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (views::FAVICON, "image/svg+xml"),
        _ => return Err(PageError::from(Problem::NotFound.error("no such file"))),
    };
    let current = req.query_string() == format!("v={}", views::asset_version());
    let cache = if current { "public, max-age=31536000, immutable" } else { "no-cache" };
    Ok(HttpResponse::Ok().content_type(content_type).insert_header((header::CACHE_CONTROL, cache)).body(body))
}
