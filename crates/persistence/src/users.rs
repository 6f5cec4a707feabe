//! Stored users (people who sign in with a password). Tokens from the province's identity
//! provider need no stored user.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use cchc_domain::accounts::Username;
use cchc_domain::{Role, UnitCode};

use crate::codec::{self, enum_str, from_db_time, to_db_time};
use crate::connection::DbConnection;
use crate::error::DbResult;
use crate::schema::users;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub unit_code: Option<UnitCode>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// The generation its tokens carry; signing out, a new password or disabling moves it on.
    pub token_generation: i32,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    username: String,
    password_hash: String,
    role: String,
    unit_code: Option<String>,
    disabled: bool,
    created_at: chrono::NaiveDateTime,
    token_generation: i32,
}

impl UserRow {
    fn into_domain(self) -> DbResult<User> {
        Ok(User {
            id: self.id,
            username: self.username,
            password_hash: self.password_hash,
            role: codec::parse_enum(&self.role)?,
            unit_code: self.unit_code.as_deref().map(codec::unit_code).transpose()?,
            disabled: self.disabled,
            created_at: from_db_time(self.created_at),
            token_generation: self.token_generation,
        })
    }
}

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub password_hash: &'a str,
    pub role: Role,
    pub unit_code: Option<&'a UnitCode>,
}

pub fn create(conn: &mut DbConnection, user: &NewUser<'_>, now: DateTime<Utc>) -> DbResult<i64> {
    Ok(diesel::insert_into(users::table)
        .values((
            users::username.eq(user.username.as_str()),
            users::password_hash.eq(user.password_hash),
            users::role.eq(enum_str(&user.role)),
            users::unit_code.eq(user.unit_code.map(UnitCode::as_str)),
            users::disabled.eq(false),
            users::created_at.eq(to_db_time(now)),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> DbResult<Option<User>> {
    users::table
        .filter(users::username.eq(Username::normalize(username)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()
}

/// Users by username, after `after`, at most `limit`.
pub fn list(conn: &mut DbConnection, after: Option<&str>, limit: i64) -> DbResult<Vec<User>> {
    let mut q = users::table.order(users::username).limit(limit).select(UserRow::as_select()).into_boxed();
    if let Some(a) = after {
        q = q.filter(users::username.gt(a.to_owned()));
    }
    q.load(conn)?.into_iter().map(UserRow::into_domain).collect()
}

/// Whether a stored user of this name is disabled, and the generation its tokens must carry;
/// `None` when no such user is stored.
pub fn standing(conn: &mut DbConnection, username: &str) -> DbResult<Option<(bool, i32)>> {
    Ok(users::table
        .filter(users::username.eq(Username::normalize(username)))
        .select((users::disabled, users::token_generation))
        .first(conn)
        .optional()?)
}

/// Ends every token and session issued to the user so far.
pub fn end_sessions(conn: &mut DbConnection, username: &str) -> DbResult<()> {
    affected(
        diesel::update(users::table.filter(users::username.eq(Username::normalize(username))))
            .set(users::token_generation.eq(users::token_generation + 1))
            .execute(conn)?,
    )
}

fn affected(n: usize) -> DbResult<()> {
    if n == 0 { Err(crate::error::DbError::NotFound) } else { Ok(()) }
}

pub fn set_disabled(conn: &mut DbConnection, username: &str, disabled: bool) -> DbResult<()> {
    affected(
        diesel::update(users::table.filter(users::username.eq(Username::normalize(username))))
            .set((users::disabled.eq(disabled), users::token_generation.eq(users::token_generation + 1)))
            .execute(conn)?,
    )
}

pub fn set_password(conn: &mut DbConnection, username: &str, password_hash: &str) -> DbResult<()> {
    affected(
        diesel::update(users::table.filter(users::username.eq(Username::normalize(username))))
            .set((users::password_hash.eq(password_hash), users::token_generation.eq(users::token_generation + 1)))
            .execute(conn)?,
    )
}

pub fn set_unit(conn: &mut DbConnection, username: &str, unit: &UnitCode) -> DbResult<()> {
    affected(
        diesel::update(users::table.filter(users::username.eq(Username::normalize(username))))
            .set(users::unit_code.eq(unit.as_str()))
            .execute(conn)?,
    )
}
