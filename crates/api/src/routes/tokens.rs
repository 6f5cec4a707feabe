use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cchc_domain::Role;
use cchc_persistence::{login, users};

use crate::auth::{dummy_hash, verify_password};
use crate::error::{ApiResult, AppError, ErrorCode, unauthorized};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(example = "dongson")]
    pub username: String,
    #[schema(example = "demo-commune")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub role: Role,
    /// The unit the token is scoped to (none for an admin).
    pub unit: Option<String>,
}

/// Exchanges a stored user's username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong username or password, or a disabled user", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins for this user or address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn issue(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let TokenRequest { username, password } = body.into_inner();
    let SignedIn { user, token } = sign_in(&state, &req, username, password).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.token_ttl,
        role: user.role,
        unit: user.unit_code.map(|u| u.to_string()),
    }))
}

/// A stored user who proved their password, and a fresh token for them.
pub struct SignedIn {
    pub user: users::User,
    pub token: String,
}

/// Checks a stored user's password, with the sign-in rate limits (per username and per client
/// address), and issues a token of the configured lifetime. Shared by `POST /api/v1/auth/token`
/// and the dashboard's sign-in form. Errors: 401 for a wrong username or password or a disabled
/// user, 429 (with `retry_after`) when a limit is reached.
pub async fn sign_in(state: &AppState, req: &HttpRequest, username: String, password: String) -> ApiResult<SignedIn> {
    let address = client_address(req, state.rules.trust_proxy);
    let keys = [
        (format!("user:{}", users::normalize_username(&username)), state.rules.login_max_failures),
        (format!("addr:{address}"), state.rules.login_max_failures_per_address),
    ];
    let now = Utc::now();
    let window = Duration::minutes(WINDOW_MINUTES);
    let lookup = username.clone();
    let counted = keys.clone();
    // Each attempt is counted before the password is checked, atomically with the limit.
    let (user, blocked) = state
        .db(move |conn| {
            let mut until = None;
            for (key, max) in &counted {
                until = until.max(login::begin_attempt(conn, key, *max, window, now)?);
            }
            Ok((users::find_by_username(conn, &lookup)?, until))
        })
        .await?;
    if let Some(until) = blocked {
        let wait = (until - now).num_seconds().max(1);
        let mut e =
            AppError::new(ErrorCode::TooManyRequests, format!("too many failed sign-ins; try again in {wait} s"));
        e.retry_after = Some(wait);
        return Err(e);
    }
    // Argon2 is deliberately slow: verify off the async workers, and verify even for an
    // unknown user so that timing does not tell which usernames exist.
    let hash = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    let ok = web::block(move || verify_password(&password, hash.as_deref().unwrap_or(dummy_hash())) && hash.is_some())
        .await?;
    let user = match (ok, user) {
        (true, Some(u)) => {
            let [(user_key, _), (address_key, _)] = keys;
            state.db(move |conn| Ok(login::succeeded(conn, &user_key, &address_key)?)).await?;
            u
        }
        _ => return Err(unauthorized("wrong username or password")),
    };
    let token = state.keys.issue(&user.username, user.role, user.unit_code.as_ref(), state.token_ttl)?;
    Ok(SignedIn { user, token })
}

/// Failed sign-ins are counted in windows of this length.
const WINDOW_MINUTES: i64 = 15;

/// The client's address: the peer, or the first `X-Forwarded-For` hop behind a trusted proxy.
fn client_address(req: &HttpRequest, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_owned());
    forwarded.or_else(|| req.peer_addr().map(|a| a.ip().to_string())).unwrap_or_else(|| "unknown".into())
}
