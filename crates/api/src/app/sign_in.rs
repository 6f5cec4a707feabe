//! Signing in with a stored user's username and password, for the API and the dashboard alike:
//! attempts are counted per username and per client address before the password is checked
//! (atomically with the limit, across instances), and a wrong username takes as long as a
//! wrong password.

use chrono::{Duration, Utc};

use cchc_persistence::{login, users};

use crate::auth::{dummy_hash, verify_password};
use crate::error::{ApiResult, Problem};
use crate::state::{AppState, RunOnDb};

/// Signing out ends every session and token of the caller, when the caller is a stored user
/// (other subjects have nothing to end: their tokens last until they expire).
pub fn sign_out(conn: &mut cchc_persistence::DbConnection, caller: &crate::auth::Caller) -> ApiResult<()> {
    match users::end_sessions(conn, &caller.subject) {
        Ok(()) | Err(cchc_persistence::DbError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Failed sign-ins are counted in windows of this length.
const WINDOW_MINUTES: i64 = 15;

/// A stored user who proved their password, and a fresh token for them.
pub struct SignedIn {
    pub user: users::User,
    pub token: String,
}

/// What was typed, and where from.
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// The client's address, for the per-address limit.
    pub address: String,
}

/// Errors: `sign-in-failed` for a wrong username or password or a disabled user,
/// `too-many-sign-ins` (with `retry_after`) when a limit is reached.
pub async fn run(st: &actix_web::web::Data<AppState>, credentials: Credentials) -> ApiResult<SignedIn> {
    let Credentials { username, password, address } = credentials;
    // Refused before anything is looked up or counted: no database stores such a name.
    cchc_domain::text::check_line("username", &username)?;
    cchc_domain::text::check_line("password", &password)?;
    let keys = [
        (format!("user:{}", cchc_domain::accounts::Username::normalize(&username)), st.rules.login_max_failures),
        (format!("addr:{address}"), st.rules.login_max_failures_per_address),
    ];
    let now = Utc::now();
    let window = Duration::minutes(WINDOW_MINUTES);
    let counted = keys.clone();
    // Each attempt is counted before the password is checked, atomically with the limit.
    let (user, user_blocked, address_blocked) = st
        .run(move |conn, _| {
            let [(user_key, user_max), (address_key, address_max)] = &counted;
            let user_blocked = login::begin_attempt(conn, user_key, *user_max, window, now)?;
            let address_blocked = login::begin_attempt(conn, address_key, *address_max, window, now)?;
            Ok((users::find_by_username(conn, &username)?, user_blocked, address_blocked))
        })
        .await?;
    let too_many = |until: chrono::DateTime<Utc>| {
        let wait = (until - now).num_seconds().max(1);
        let mut e = Problem::TooManySignIns.error(format!("too many failed sign-ins; try again in {wait} s"));
        e.retry_after = Some(wait);
        e
    };
    // The username's limit holds whatever the password; an address's limit stops wrong
    // passwords only, so that an office behind one address is not locked out by a stranger.
    if let Some(until) = user_blocked {
        return Err(too_many(until));
    }
    // Argon2 is deliberately slow: verify off the async workers, and verify even for an
    // unknown user so that timing does not tell which usernames exist.
    let hash = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    let ok = actix_web::web::block(move || {
        verify_password(&password, hash.as_deref().unwrap_or(dummy_hash())) && hash.is_some()
    })
    .await?;
    let user = match (ok, user, address_blocked) {
        (true, Some(u), _) => u,
        (_, _, Some(until)) => return Err(too_many(until)),
        _ => return Err(Problem::SignInFailed.error("wrong username or password")),
    };
    let [(user_key, _), (address_key, _)] = keys;
    // An attempt that found the address blocked was not counted, so there is none to give back.
    let counted_address = address_blocked.is_none().then_some(address_key);
    st.run(move |conn, _| Ok(login::succeeded(conn, &user_key, counted_address.as_deref())?)).await?;
    let token =
        st.keys.issue_at(&user.username, user.role, user.unit_code.as_ref(), st.token_ttl, user.token_generation)?;
    Ok(SignedIn { user, token })
}
