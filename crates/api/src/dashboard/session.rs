//! The browser session and protection against cross-site requests.
//!
//! **Session.** Signing in issues the same JWT as `POST /api/v1/auth/token` (same users, same
//! rate limits, same lifetime) and keeps it in a cookie the page's scripts cannot read
//! (`HttpOnly`), that other sites' requests never carry (`SameSite=Strict`), limited to the
//! dashboard (`Path=/app`) and `Secure` when the request came over HTTPS. Nothing is stored
//! on the server, so every instance accepts every session; a disabled user's session stops at
//! the next request, as their bearer tokens do.
//!
//! **CSRF.** `SameSite=Strict` already keeps the cookie off cross-site requests; every form
//! that changes something also carries a token the server checks, for browsers that do not
//! honour SameSite and against same-site attackers:
//! - signed in: `HMAC-SHA256(k, "session:" + session token)`, where `k` is derived from the
//!   signing secret for this purpose only. It needs no server-side storage, changes with every
//!   session, and cannot be computed without the secret.
//! - signing in (no session yet): a signed double-submit cookie. The sign-in page sets a random
//!   nonce in an `HttpOnly` cookie and puts `HMAC(k, "login:" + nonce)` in the form; a forged
//!   form from another site can neither read the cookie nor compute the HMAC.
//!
//! A missing or wrong token is refused with 403.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::LocalBoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::{Caller, ensure_enabled};
use crate::error::{AppError, Problem, internal};
use crate::middleware::RequestId;
use crate::state::AppState;

use super::PageError;

pub const SESSION_COOKIE: &str = "cchc_session";
pub const LOGIN_COOKIE: &str = "cchc_login";
/// Every dashboard cookie is limited to the dashboard.
pub const COOKIE_PATH: &str = "/app";
const CSRF_PURPOSE: &str = "dashboard-csrf";

/// A signed-in officer: the caller as the API sees it, the session token, and the CSRF token
/// for this session's forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    pub csrf: String,
    token: String,
}

impl Session {
    /// The session of a request as far as its cookie tells, without asking the database
    /// whether the user is still enabled: only for the header of an error page (whose sign-out
    /// form then still works). Every handler uses the extractor, which asks.
    pub fn peek(req: &HttpRequest) -> Option<Session> {
        let state = req.app_data::<web::Data<AppState>>()?;
        let token = req.cookie(SESSION_COOKIE)?.value().to_owned();
        let (principal, _) = state.keys.verify(&token).ok()?;
        let csrf = sign(state, "session:", &token).ok()?;
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Some(Session { caller: Caller { principal, request_id, epoch: None }, csrf, token })
    }

    /// Refuses, with 403, a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, state: &AppState, submitted: &str) -> Result<(), AppError> {
        verify(state, "session:", &self.token, submitted)
    }
}

impl FromRequest for Session {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Session, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()).filter(|t| !t.is_empty());
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| internal("app state missing"))?;
            let token = token.ok_or_else(|| Problem::Unauthorized.error("this page needs a signed-in session"))?;
            let (principal, generation) = state.keys.verify(&token)?;
            let epoch = ensure_enabled(&state, &principal, generation).await?;
            let csrf = sign(&state, "session:", &token)?;
            Ok(Session { caller: Caller { principal, request_id, epoch }, csrf, token })
        })
    }
}

fn mac(state: &AppState, context: &str, value: &str) -> Result<Hmac<Sha256>, AppError> {
    let key = state.keys.derive_key(CSRF_PURPOSE)?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(internal)?;
    mac.update(context.as_bytes());
    mac.update(value.as_bytes());
    Ok(mac)
}

/// The CSRF token bound to `value` (a session token or a sign-in nonce).
pub fn sign(state: &AppState, context: &str, value: &str) -> Result<String, AppError> {
    Ok(URL_SAFE_NO_PAD.encode(mac(state, context, value)?.finalize().into_bytes()))
}

/// Checks a submitted CSRF token in constant time.
pub fn verify(state: &AppState, context: &str, value: &str, submitted: &str) -> Result<(), AppError> {
    let refused =
        || Problem::CsrfRejected.error("the form's CSRF token is missing or wrong; reload the page and try again");
    let bytes = URL_SAFE_NO_PAD.decode(submitted.trim()).map_err(|_| refused())?;
    mac(state, context, value)?.verify_slice(&bytes).map_err(|_| refused())
}

/// The sign-in form's nonce: the one in the request's cookie, or a new random one.
pub fn login_nonce(req: &HttpRequest) -> (String, bool) {
    match req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() >= 32) {
        Some(v) => (v, false),
        None => (crate::auth::generate_secret(), true),
    }
}

/// Checks the sign-in form's token against the nonce cookie.
pub fn check_login_csrf(state: &AppState, req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let nonce = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned()).ok_or_else(|| {
        Problem::CsrfRejected.error("the sign-in form's cookie is missing; reload the page and try again")
    })?;
    verify(state, "login:", &nonce, submitted)
}

/// Over HTTPS: the server itself speaks plain HTTP, so only a trusted proxy (`CCHC_TRUST_PROXY`)
/// can say the browser's connection is encrypted (`X-Forwarded-Proto`, `Forwarded`); a client's
/// own header says nothing.
fn secure(req: &HttpRequest) -> bool {
    let trusted = req.app_data::<actix_web::web::Data<AppState>>().is_some_and(|s| s.rules.trust_proxy);
    trusted && req.connection_info().scheme() == "https"
}

fn cookie(req: &HttpRequest, name: &'static str, value: String, max_age: i64) -> Cookie<'static> {
    Cookie::build(name, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(req))
        .max_age(CookieDuration::seconds(max_age))
        .finish()
}

/// The session cookie holding `token` for `ttl` seconds.
pub fn session_cookie(req: &HttpRequest, token: String, ttl: i64) -> Cookie<'static> {
    cookie(req, SESSION_COOKIE, token, ttl)
}

/// The sign-in form's nonce cookie (an hour to fill the form in).
pub fn login_cookie(req: &HttpRequest, nonce: String) -> Cookie<'static> {
    cookie(req, LOGIN_COOKIE, nonce, 3600)
}

/// A cookie that removes `name` from the browser.
pub fn removal(req: &HttpRequest, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(req, name, String::new(), 0);
    c.make_removal();
    c
}

/// Where to go after signing in: a dashboard path, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // No control character may reach the `Location` header.
        Some(n)
            if n.starts_with("/app/")
                && !n.starts_with("//")
                && !n.contains('\\')
                && cchc_domain::text::check_line("next", n).is_ok() =>
        {
            n.to_owned()
        }
        _ => "/app/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_dashboard_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/app/communes/07273?period=2024-06")), "/app/communes/07273?period=2024-06");
        assert_eq!(safe_next(Some("https://evil.example/")), "/app/");
        assert_eq!(safe_next(Some("//evil.example/app/")), "/app/");
        for bad in ["/app/\u{0}x", "/app/\u{1}x", "/app/\u{7f}x", "/app/\tx"] {
            assert_eq!(safe_next(Some(bad)), "/app/", "{bad:?}");
        }
        assert_eq!(safe_next(Some("/app/\\evil")), "/app/");
        assert_eq!(safe_next(Some("/api/v1/units")), "/app/");
        assert_eq!(safe_next(None), "/app/");
    }
}
