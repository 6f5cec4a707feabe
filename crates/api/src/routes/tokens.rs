use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cchc_domain::Role;
use cchc_persistence::users;

use crate::auth::{dummy_hash, verify_password};
use crate::error::{ApiResult, unauthorized};
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
    ))]
pub async fn issue(state: web::Data<AppState>, body: web::Json<TokenRequest>) -> ApiResult<HttpResponse> {
    let TokenRequest { username, password } = body.into_inner();
    let user = state.db(move |conn| Ok(users::find_by_username(conn, &username)?)).await?;
    // Argon2 is deliberately slow: verify off the async workers, and verify even for an
    // unknown user so that timing does not tell which usernames exist.
    let hash = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    let ok = web::block(move || verify_password(&password, hash.as_deref().unwrap_or(dummy_hash())) && hash.is_some())
        .await?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(unauthorized("wrong username or password")),
    };
    let token = state.keys.issue(&user.username, user.role, user.unit_code.as_ref(), state.token_ttl)?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.token_ttl,
        role: user.role,
        unit: user.unit_code.map(|u| u.to_string()),
    }))
}
