//! Stored users: admins manage everyone; province staff manage the users of units in their
//! province now (never admins). A user outside the caller's reach is answered as absent.

use actix_web::web;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::accounts::{Password, Username};
use cchc_domain::period::to_vietnam_time;
use cchc_domain::{Denied, Principal, Role, UnitCode};
use cchc_persistence::connection::write_transaction;
use cchc_persistence::users::{self, NewUser, User};
use cchc_persistence::{DbConnection, audit, units};

use super::paging::page;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Problem, internal};
use crate::state::{AppState, RunOnDb};

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

/// The province a unit belongs to now, for who manages its users.
fn province_now(conn: &mut DbConnection, unit: Option<&UnitCode>) -> ApiResult<Option<UnitCode>> {
    let Some(u) = unit else { return Ok(None) };
    Ok(units::topology_around(conn, u)?.province_now(u, super::this_month()))
}

fn may_manage(conn: &mut DbConnection, caller: &Principal, role: Role, unit: Option<&UnitCode>) -> ApiResult<bool> {
    if caller.is_admin() {
        return Ok(true);
    }
    Ok(caller.may_manage_user(role, province_now(conn, unit)?.as_ref()))
}

fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    user: &User,
    details: serde_json::Value,
) -> ApiResult<()> {
    let province = province_now(conn, user.unit_code.as_ref())?;
    let entry = super::audit_entry(caller, action, "user", user.username.clone(), province, details);
    Ok(audit::record(conn, &entry, Utc::now())?)
}

/// Loads a user the caller manages, or "no such user" (for users outside the caller's scope too).
fn managed(conn: &mut DbConnection, caller: &Caller, username: &str) -> ApiResult<User> {
    match users::find_by_username(conn, username)? {
        Some(u) if may_manage(conn, caller, u.role, u.unit_code.as_ref())? => Ok(u),
        _ => Err(Problem::UserNotFound.error(format!("there is no user {username} you manage"))),
    }
}

fn ensure_unit_exists(conn: &mut DbConnection, unit: &UnitCode) -> ApiResult<()> {
    if units::exists(conn, unit)? {
        Ok(())
    } else {
        Err(Problem::UnknownUnit.error(format!("there is no unit {unit}")))
    }
}

pub struct NewAccount {
    pub username: Username,
    pub password: Password,
    pub role: Role,
    pub unit: Option<UnitCode>,
}

/// Hashes a password with Argon2id — slow by design — on the blocking pool, without holding a
/// database connection meanwhile.
async fn hash(password: &Password) -> ApiResult<String> {
    let password = password.clone();
    web::block(move || crate::auth::hash_password(password.expose())).await?.map_err(internal)
}

/// Creates a stored user.
pub async fn create(st: &web::Data<AppState>, caller: Caller, account: NewAccount) -> ApiResult<UserView> {
    caller.ensure_manages_users()?;
    let hash = hash(&account.password).await?;
    st.run(move |conn, _| store(conn, &caller, account, &hash)).await
}

fn store(conn: &mut DbConnection, caller: &Caller, account: NewAccount, hash: &str) -> ApiResult<UserView> {
    Principal::new(account.username.to_string(), account.role, account.unit.clone())?;
    if let Some(u) = &account.unit {
        ensure_unit_exists(conn, u)?;
    }
    if !may_manage(conn, caller, account.role, account.unit.as_ref())? {
        return Err(Denied::Scope { caller: caller.describe(), what: "create this user".into() }.into());
    }
    let user = write_transaction(conn, |c| -> Result<User, AppError> {
        if users::find_by_username(c, account.username.as_str())?.is_some() {
            return Err(Problem::UserExists.error(format!("there is already a user {}", account.username)));
        }
        let new = NewUser {
            username: &account.username,
            password_hash: hash,
            role: account.role,
            unit_code: account.unit.as_ref(),
        };
        users::create(c, &new, Utc::now())?;
        let user = users::find_by_username(c, account.username.as_str())?
            .ok_or_else(|| internal("the user just created is missing"))?;
        record(c, caller, "user.create", &user, serde_json::json!({"role": account.role}))?;
        Ok(user)
    })?;
    Ok(view(&user))
}

/// The users the caller manages, by username, after `after`.
pub fn list(conn: &mut DbConnection, caller: &Caller, limit: usize, mut after: Option<String>) -> ApiResult<UserPage> {
    caller.ensure_manages_users()?;
    let mut items = Vec::new();
    // Filtering by scope can thin a page out: read on until it is full or the users end.
    loop {
        let batch = users::list(conn, after.as_deref(), 500)?;
        let done = batch.len() < 500;
        for u in batch {
            after = Some(u.username.clone());
            if may_manage(conn, caller, u.role, u.unit_code.as_ref())? {
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
    let (items, next) = page(items, limit, |u| u.username.clone());
    Ok(UserPage { items: items.iter().map(view).collect(), next })
}

/// A change to one managed user.
pub enum AccountChange {
    Disable,
    Enable,
    Password(Password),
    MoveTo(UnitCode),
}

/// Changes one managed user.
pub async fn change(
    st: &web::Data<AppState>,
    caller: Caller,
    username: String,
    change: AccountChange,
) -> ApiResult<UserView> {
    caller.ensure_manages_users()?;
    cchc_domain::text::check_line("username", &username)?;
    let hash = match &change {
        AccountChange::Password(p) => Some(hash(p).await?),
        _ => None,
    };
    st.run(move |conn, _| apply(conn, &caller, &username, change, hash.as_deref())).await
}

fn apply(
    conn: &mut DbConnection,
    caller: &Caller,
    username: &str,
    change: AccountChange,
    hash: Option<&str>,
) -> ApiResult<UserView> {
    let user = write_transaction(conn, |c| -> Result<User, AppError> {
        let u = managed(c, caller, username)?;
        let (action, details, changed) = match change {
            AccountChange::Disable | AccountChange::Enable => {
                let disabled = matches!(change, AccountChange::Disable);
                users::set_disabled(c, &u.username, disabled)?;
                let action = if disabled { "user.disable" } else { "user.enable" };
                (action, serde_json::json!({}), User { disabled, ..u.clone() })
            }
            AccountChange::Password(_) => {
                let hash = hash.ok_or_else(|| internal("a new password without its hash"))?;
                users::set_password(c, &u.username, hash)?;
                ("user.reset_password", serde_json::json!({}), u.clone())
            }
            AccountChange::MoveTo(unit) => {
                Principal::new(u.username.clone(), u.role, Some(unit.clone()))?;
                ensure_unit_exists(c, &unit)?;
                if !may_manage(c, caller, u.role, Some(&unit))? {
                    let what = format!("move a user to unit {unit}");
                    return Err(Denied::Scope { caller: caller.describe(), what }.into());
                }
                users::set_unit(c, &u.username, &unit)?;
                let details = serde_json::json!({"from": u.unit_code, "to": unit});
                ("user.move", details, User { unit_code: Some(unit), ..u.clone() })
            }
        };
        record(c, caller, action, &changed, details)?;
        Ok(changed)
    })?;
    Ok(view(&user))
}
