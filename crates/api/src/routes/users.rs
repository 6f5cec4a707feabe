//! User management: admins manage everyone; province staff manage the users of units in their
//! province (never admins).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cchc_domain::period::to_vietnam_time;
use cchc_domain::{Principal, Role, UnitCode};
use cchc_persistence::connection::write_transaction;
use cchc_persistence::users::{self, NewUser, User};
use cchc_persistence::{DbConnection, audit, units};

use crate::auth::{Caller, hash_password};
use crate::error::{ApiResult, AppError, bad_request, forbidden, internal, not_found};
use crate::filing::audit_entry;
use crate::params::{self, Paging, current_month, encode_cursor};
use crate::scope::describe;
use crate::scoring::province_of;
use crate::state::AppState;

pub const MIN_PASSWORD: usize = 8;

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

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub username: String,
    pub role: Role,
    pub unit_code: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub next: Option<String>,
}

fn view(u: &User) -> UserView {
    UserView {
        username: u.username.clone(),
        role: u.role,
        unit_code: u.unit_code.as_ref().map(UnitCode::to_string),
        disabled: u.disabled,
        created_at: to_vietnam_time(u.created_at),
    }
}

fn ensure_manager(caller: &Caller) -> ApiResult<()> {
    match caller.role {
        Role::Admin | Role::Province => Ok(()),
        _ => Err(forbidden(format!("users are managed by admins and province staff; this is {}", describe(caller)))),
    }
}

/// The province a unit belongs to today (or, for a unit that no longer exists, when it last did).
fn province_now(conn: &mut DbConnection, unit: &UnitCode) -> ApiResult<Option<UnitCode>> {
    let topology = units::topology_around(conn, unit)?;
    let now = current_month();
    if let Some(p) = province_of(&topology.at(now), unit) {
        return Ok(Some(p));
    }
    let last = topology.versions.iter().filter(|v| &v.code == unit).filter_map(|v| v.valid_to).max();
    Ok(last.and_then(|m| province_of(&topology.at(m), unit)))
}

/// Whether `caller` may manage a user with this role and unit.
fn may_manage(conn: &mut DbConnection, caller: &Principal, role: Role, unit: Option<&UnitCode>) -> ApiResult<bool> {
    if caller.is_admin() {
        return Ok(true);
    }
    if caller.role != Role::Province || role == Role::Admin {
        return Ok(false);
    }
    Ok(match unit {
        Some(u) => province_now(conn, u)?.as_ref() == caller.unit(),
        None => false,
    })
}

fn audit(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    username: &str,
    unit: Option<&UnitCode>,
    details: serde_json::Value,
) -> ApiResult<()> {
    let province = match unit {
        Some(u) => province_now(conn, u)?,
        None => None,
    };
    let entry = audit_entry(caller, action, "user", username.to_owned(), province, details);
    audit::record(conn, &entry, Utc::now())?;
    Ok(())
}

/// Creates a stored user (password hashed with Argon2id).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUserBody,
    responses(
        (status = 201, body = UserView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewUserBody>,
) -> ApiResult<HttpResponse> {
    ensure_manager(&caller)?;
    let body = body.into_inner();
    let username = users::normalize_username(&body.username);
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err(bad_request("a username is 1–64 letters, digits and . _ - @"));
    }
    if body.password.chars().count() < MIN_PASSWORD {
        return Err(bad_request(format!("the password must have at least {MIN_PASSWORD} characters")));
    }
    let unit = body.unit_code.as_deref().map(params::unit_code).transpose()?;
    Principal::new(username.clone(), body.role, unit.clone()).map_err(|e| bad_request(e.to_string()))?;
    let password = body.password;
    let hash = web::block(move || hash_password(&password)).await?.map_err(internal)?;
    let role = body.role;
    let user = state
        .db(move |conn| {
            if let Some(u) = &unit
                && !units::exists(conn, u)?
            {
                return Err(bad_request(format!("there is no unit {u}")));
            }
            if !may_manage(conn, &caller, role, unit.as_ref())? {
                return Err(forbidden(format!("{} may not create this user", describe(&caller))));
            }
            write_transaction(conn, |c| -> Result<User, AppError> {
                users::create(
                    c,
                    &NewUser { username: &username, password_hash: &hash, role, unit_code: unit.as_ref() },
                    Utc::now(),
                )?;
                audit(c, &caller, "user.create", &username, unit.as_ref(), serde_json::json!({"role": role}))?;
                users::find_by_username(c, &username)?.ok_or_else(|| internal("the user just created is missing"))
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.username)))
        .json(view(&user)))
}

/// Users the caller manages, by username, in pages.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(Paging),
    responses(
        (status = 200, body = UserPage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>, caller: Caller, paging: web::Query<Paging>) -> ApiResult<HttpResponse> {
    ensure_manager(&caller)?;
    let limit = paging.limit()?;
    let mut after = paging.after()?;
    let page = state
        .db(move |conn| {
            let mut items = Vec::new();
            // Filtering by scope can thin a page out: read on until it is full or the users end.
            loop {
                let batch = users::list(conn, after.as_deref(), 500)?;
                let done = batch.len() < 500;
                for u in batch {
                    after = Some(u.username.clone());
                    if may_manage(conn, &caller, u.role, u.unit_code.as_ref())? {
                        items.push(u);
                        if items.len() > limit {
                            break;
                        }
                    }
                }
                if done || items.len() > limit {
                    break;
                }
            }
            let next = (items.len() > limit).then(|| {
                items.truncate(limit);
                encode_cursor(&items[limit - 1].username)
            });
            Ok(UserPage { items: items.iter().map(view).collect(), next })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Loads a user the caller manages, or 404 (for users outside the caller's scope too).
fn managed(conn: &mut DbConnection, caller: &Caller, username: &str) -> ApiResult<User> {
    let user = users::find_by_username(conn, username)?;
    match user {
        Some(u) if may_manage(conn, caller, u.role, u.unit_code.as_ref())? => Ok(u),
        _ => Err(not_found(format!("there is no user {username} you manage"))),
    }
}

async fn set_disabled(
    state: web::Data<AppState>,
    caller: Caller,
    username: String,
    disabled: bool,
) -> ApiResult<HttpResponse> {
    ensure_manager(&caller)?;
    let user = state
        .db(move |conn| {
            write_transaction(conn, |c| -> Result<User, AppError> {
                let u = managed(c, &caller, &username)?;
                users::set_disabled(c, &u.username, disabled)?;
                audit(
                    c,
                    &caller,
                    if disabled { "user.disable" } else { "user.enable" },
                    &u.username,
                    u.unit_code.as_ref(),
                    serde_json::json!({}),
                )?;
                Ok(User { disabled, ..u })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&user)))
}

/// Disables a user: their tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn disable(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    set_disabled(state, caller, path.into_inner(), true).await
}

/// Enables a disabled user again.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn enable(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    set_disabled(state, caller, path.into_inner(), false).await
}

/// Sets a new password.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = PasswordBody,
    responses(
        (status = 200, body = UserView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<PasswordBody>,
) -> ApiResult<HttpResponse> {
    ensure_manager(&caller)?;
    let password = body.into_inner().password;
    if password.chars().count() < MIN_PASSWORD {
        return Err(bad_request(format!("the password must have at least {MIN_PASSWORD} characters")));
    }
    let hash = web::block(move || hash_password(&password)).await?.map_err(internal)?;
    let username = path.into_inner();
    let user = state
        .db(move |conn| {
            write_transaction(conn, |c| -> Result<User, AppError> {
                let u = managed(c, &caller, &username)?;
                users::set_password(c, &u.username, &hash)?;
                audit(c, &caller, "user.reset_password", &u.username, u.unit_code.as_ref(), serde_json::json!({}))?;
                Ok(u)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&user)))
}

/// Moves a user to another unit of the same level, e.g. to the successor of a merged commune.
#[utoipa::path(put, path = "/api/v1/users/{username}/unit", tag = "users", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = UnitBody,
    responses(
        (status = 200, body = UserView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn move_unit(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<UnitBody>,
) -> ApiResult<HttpResponse> {
    ensure_manager(&caller)?;
    let unit = params::unit_code(&body.unit_code)?;
    let username = path.into_inner();
    let user = state
        .db(move |conn| {
            write_transaction(conn, |c| -> Result<User, AppError> {
                let u = managed(c, &caller, &username)?;
                Principal::new(u.username.clone(), u.role, Some(unit.clone()))
                    .map_err(|e| bad_request(e.to_string()))?;
                if !units::exists(c, &unit)? {
                    return Err(bad_request(format!("there is no unit {unit}")));
                }
                if !may_manage(c, &caller, u.role, Some(&unit))? {
                    return Err(forbidden(format!("{} may not move a user to unit {unit}", describe(&caller))));
                }
                users::set_unit(c, &u.username, &unit)?;
                audit(
                    c,
                    &caller,
                    "user.move",
                    &u.username,
                    Some(&unit),
                    serde_json::json!({"from": u.unit_code, "to": unit}),
                )?;
                Ok(User { unit_code: Some(unit.clone()), ..u })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&user)))
}
