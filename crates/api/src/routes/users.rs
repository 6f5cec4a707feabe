//! Stored users: admins manage everyone; province staff manage the users of units in their
//! province (never admins).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use cchc_domain::Role;
use cchc_domain::accounts::{Password, Username};

use crate::app::manage_users::{self, AccountChange, NewAccount, UserPage, UserView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::params::{self, Paging};
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[schema(example = "dongson")]
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    pub role: Role,
    /// The unit the user works for (every role but admin).
    pub unit_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    /// The unit to move the user to (e.g. the successor of a merged commune).
    pub unit_code: String,
}

/// Creates a stored user (password hashed with Argon2id). `409` when the username is taken.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body(content = NewUserBody, description = "Name, password, role and unit"),
    responses((status = 201, description = "The user created", body = UserView)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: params::Body<NewUserBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let account = NewAccount {
        username: Username::parse(&body.username)?,
        password: Password::parse(body.password)?,
        role: body.role,
        unit: body.unit_code.as_deref().map(params::unit_code).transpose()?,
    };
    let user = manage_users::create(&state, caller, account).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/users/{}", user.username))).json(user))
}

/// Users the caller manages, by username, in pages.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(Paging),
    responses((status = 200, description = "A page of the users the caller manages, by name", body = UserPage)))]
pub async fn list(state: web::Data<AppState>, caller: Caller, paging: web::Query<Paging>) -> ApiResult<HttpResponse> {
    let (limit, after) = (paging.limit()?, paging.after()?);
    let page = state.run(move |conn, _| manage_users::list(conn, &caller, limit, after)).await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn change(
    state: web::Data<AppState>,
    caller: Caller,
    username: String,
    change: AccountChange,
) -> ApiResult<HttpResponse> {
    let user = manage_users::change(&state, caller, username, change).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Disables a user: their tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path, description = "The user's name", example = "dongson")),
    responses((status = 200, description = "The user, disabled", body = UserView)))]
pub async fn disable(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    change(state, caller, path.into_inner(), AccountChange::Disable).await
}

/// Enables a disabled user again.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path, description = "The user's name", example = "dongson")),
    responses((status = 200, description = "The user, enabled", body = UserView)))]
pub async fn enable(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    change(state, caller, path.into_inner(), AccountChange::Enable).await
}

/// Sets a new password.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path, description = "The user's name", example = "dongson")),
    request_body(content = PasswordBody, description = "The new password"),
    responses((status = 200, description = "The user, with the new password", body = UserView)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<PasswordBody>,
) -> ApiResult<HttpResponse> {
    let password = Password::parse(body.into_inner().password)?;
    change(state, caller, path.into_inner(), AccountChange::Password(password)).await
}

/// Moves a user to another unit of the same level, e.g. to the successor of a merged commune.
#[utoipa::path(put, path = "/api/v1/users/{username}/unit", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path, description = "The user's name", example = "dongson")),
    request_body(content = UnitBody, description = "The new unit"),
    responses((status = 200, description = "The user at the new unit", body = UserView)))]
pub async fn move_unit(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<UnitBody>,
) -> ApiResult<HttpResponse> {
    let unit = params::unit_code(&body.unit_code)?;
    change(state, caller, path.into_inner(), AccountChange::MoveTo(unit)).await
}
