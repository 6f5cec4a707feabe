//! Tokens: a stored user's username and password for a bearer token.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cchc_domain::Role;

use crate::app::sign_in::{self, Credentials};
use crate::error::ApiResult;
use crate::params;
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

/// Exchanges a stored user's username and password for a bearer token. `401` for a wrong
/// username or password or a disabled user; `429` (with `Retry-After`) after too many failures
/// for the user or the address.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body(content = TokenRequest, description = "A stored user's name and password"),
    responses((status = 200, description = "A Bearer token for the user's role and unit", body = TokenResponse)))]
pub async fn issue(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: params::Body<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let TokenRequest { username, password } = body.into_inner();
    let address = crate::auth::client_address(&req, state.rules.trust_proxy);
    let signed = sign_in::run(&state, Credentials { username, password, address }).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(TokenResponse {
        access_token: signed.token,
        token_type: "Bearer".into(),
        expires_in: state.token_ttl,
        role: signed.user.role,
        unit: signed.user.unit_code.map(|u| u.to_string()),
    }))
}
