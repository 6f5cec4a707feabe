//! Bearer JWTs (HS256) and passwords. A validly signed token is trusted as it stands: `sub` is
//! recorded as text and need not be a stored user, because tokens may come from the province's
//! identity provider.

use actix_web::HttpMessage;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use cchc_domain::{Principal, Role, UnitCode};

use crate::error::{AppError, Problem, internal};

fn unauthorized(detail: impl Into<String>) -> AppError {
    Problem::Unauthorized.error(detail)
}
use crate::middleware::RequestId;
use crate::state::AppState;
use cchc_persistence::{Epoch, users};

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// One audience or several: identity providers send an array (RFC 7519 §4.1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// A stored user's token generation when it was issued (absent: 0). Signing out, a new
    /// password and disabling move the user to the next generation, ending older tokens.
    #[serde(default, rename = "gen", skip_serializing_if = "Option::is_none")]
    pub generation: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Signing and checking keys, and the rules a token must meet.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
    /// The signing secret, from which keys for other purposes are derived (`derive_key`).
    secret: Vec<u8>,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: Option<String>, audience: Option<String>) -> JwtKeys {
        // HS256 only: a token signed otherwise, or with `alg: none`, is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 30;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match &issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer,
            audience,
            secret: secret.to_vec(),
        }
    }

    /// A key for another purpose (`HMAC-SHA256(secret, "cchc:" + purpose)`), so that nothing
    /// else signed with the secret can be mistaken for a token, or a token for anything else.
    pub fn derive_key(&self, purpose: &str) -> Result<[u8; 32], AppError> {
        use hmac::{Hmac, Mac};
        // HMAC accepts keys of any length; the error cannot happen, but is not unwrapped.
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.secret).map_err(internal)?;
        mac.update(b"cchc:");
        mac.update(purpose.as_bytes());
        Ok(mac.finalize().into_bytes().into())
    }

    /// Mints a token for `principal`, valid for `ttl_seconds`: an integration's (generation 0).
    pub fn issue(
        &self,
        subject: &str,
        role: Role,
        unit: Option<&UnitCode>,
        ttl_seconds: i64,
    ) -> Result<String, AppError> {
        self.issue_at(subject, role, unit, ttl_seconds, 0)
    }

    /// Mints a token of a stored user's current token generation.
    pub fn issue_at(
        &self,
        subject: &str,
        role: Role,
        unit: Option<&UnitCode>,
        ttl_seconds: i64,
        generation: i32,
    ) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: subject.to_owned(),
            role,
            unit: unit.map(|u| u.to_string()),
            exp: now + ttl_seconds,
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(Audience::One),
            generation: (generation != 0).then_some(generation),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(internal)
    }

    /// Checks a token and turns it into a principal, with the generation it was issued under.
    pub fn verify(&self, token: &str) -> Result<(Principal, i32), AppError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
                ErrorKind::InvalidSignature => "the token's signature is not valid".to_owned(),
                ErrorKind::InvalidAlgorithm => "the token must be signed with HS256".to_owned(),
                ErrorKind::InvalidIssuer => "the token's issuer is not accepted".to_owned(),
                ErrorKind::InvalidAudience => "the token's audience is not accepted".to_owned(),
                ErrorKind::MissingRequiredClaim(c) => format!("the token lacks the `{c}` claim"),
                _ => format!("the token is not valid: {e}"),
            })
        })?;
        let c = data.claims;
        let unit = match c.unit.as_deref() {
            Some(u) => Some(UnitCode::parse(u).map_err(|e| unauthorized(format!("the token's unit: {e}")))?),
            None => None,
        };
        let generation = c.generation.unwrap_or(0);
        let principal =
            Principal::new(c.sub, c.role, unit).map_err(|e| unauthorized(format!("the token is not usable: {e}")))?;
        Ok((principal, generation))
    }
}

/// The authenticated caller of a request, with the request's id for the audit log.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub request_id: Option<String>,
    /// The database's epoch when the caller was checked, before the handler reads anything:
    /// what the handler may look up in the caches (`None`: nothing cached may be used).
    pub epoch: Option<Epoch>,
}

impl std::ops::Deref for Caller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Caller, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = authenticate(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let (principal, generation) = verified?;
            let state = state.ok_or_else(|| internal("app state missing"))?;
            let epoch = ensure_enabled(&state, &principal, generation).await?;
            Ok(Caller { principal, request_id, epoch })
        })
    }
}

/// A token whose subject is a stored user stops working when the user is disabled, signs out or
/// gets a new password (its generation is then behind the user's); subjects that are not stored
/// users (an integration, the province's identity provider) are trusted until they expire.
/// Shared by the bearer tokens of the API and the dashboard's session cookie. Returns the
/// database's epoch, taken first, for the request's handler.
pub async fn ensure_enabled(
    state: &web::Data<AppState>,
    principal: &Principal,
    generation: i32,
) -> Result<Option<Epoch>, AppError> {
    let subject = principal.subject.clone();
    let st = state.clone();
    // While nothing has been committed since the last check, no connection is taken.
    let (epoch, standing) = web::block(move || -> Result<_, AppError> {
        let epoch = st.db.epoch()?;
        let standing = st
            .caches
            .users
            .get_or_load(epoch.as_ref(), subject.clone(), || users::standing(&mut *st.db.conn()?, &subject))?;
        Ok((epoch, standing))
    })
    .await??;
    match standing {
        Some((true, _)) => Err(unauthorized("this user is disabled")),
        Some((false, current)) if current != generation => {
            Err(unauthorized("this session has ended (signed out, or the password changed); sign in again"))
        }
        _ => Ok(epoch),
    }
}

fn authenticate(req: &HttpRequest) -> Result<(Principal, i32), AppError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| internal("app state missing"))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("this request needs an `Authorization: Bearer <token>` header"))?;
    let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not readable text"))?;
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <token>`"))?;
    state.keys.verify(token)
}

/// The client's address: behind a trusted proxy, the hop it appended to `X-Forwarded-For` (the
/// right-most; the ones before it are whatever the client sent); else the peer's.
pub fn client_address(req: &HttpRequest, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).last())
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    forwarded.or_else(|| req.peer_addr().map(|a| a.ip().to_string())).unwrap_or_else(|| "unknown".into())
}

/// Hashes a password with Argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of nothing anyone knows, checked when the user does not exist so that a wrong
/// username takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

/// A new random secret for signing tokens: 32 bytes, hex-encoded.
pub fn generate_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    // ThreadRng is a CSPRNG seeded from the operating system.
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_address_is_the_hop_a_trusted_proxy_added() {
        use actix_web::test::TestRequest;
        let peer: std::net::SocketAddr = "10.0.0.9:4000".parse().unwrap();
        let req = TestRequest::default()
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.7"))
            .peer_addr(peer)
            .to_http_request();
        assert_eq!(super::client_address(&req, true), "203.0.113.7", "the right-most hop, not the client's claim");
        assert_eq!(super::client_address(&req, false), "10.0.0.9", "untrusted: the peer");
        let bare = TestRequest::default().peer_addr(peer).to_http_request();
        assert_eq!(super::client_address(&bare, true), "10.0.0.9");
    }

    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", None, None);
        let unit = UnitCode::parse("07273").unwrap();
        let t = keys.issue("dongson", Role::Commune, Some(&unit), 60).unwrap();
        let (p, generation) = keys.verify(&t).unwrap();
        assert_eq!(generation, 0, "an integration's token");
        assert_eq!(p.role, Role::Commune);
        assert_eq!(p.unit(), Some(&unit));
        let other = JwtKeys::new(b"another secret another secret 12", None, None);
        assert_eq!(other.verify(&t).unwrap_err().detail, "the token's signature is not valid");
        let expired = keys.issue("dongson", Role::Commune, Some(&unit), -3600).unwrap();
        assert_eq!(keys.verify(&expired).unwrap_err().detail, "the token has expired");
    }

    #[test]
    fn issuer_and_audience_are_checked_when_configured() {
        let strict = JwtKeys::new(b"0123456789abcdef0123456789abcdef", Some("idp".into()), Some("cchc".into()));
        let lax = JwtKeys::new(b"0123456789abcdef0123456789abcdef", None, None);
        let t = lax.issue("x", Role::Admin, None, 60).unwrap();
        assert!(strict.verify(&t).is_err());
        let t = strict.issue("x", Role::Admin, None, 60).unwrap();
        assert!(strict.verify(&t).is_ok());
        // An identity provider's token names its audiences in an array.
        let secret = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let exp = Utc::now().timestamp() + 60;
        let claims = |aud: serde_json::Value| serde_json::json!({"sub": "idp-user", "role": "admin", "exp": exp, "iss": "idp", "aud": aud});
        let many = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(serde_json::json!(["portal", "cchc"])),
            &secret,
        )
        .unwrap();
        assert!(strict.verify(&many).is_ok(), "{:?}", strict.verify(&many).err());
        let others =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(serde_json::json!(["portal"])), &secret)
                .unwrap();
        assert_eq!(strict.verify(&others).unwrap_err().detail, "the token's audience is not accepted");
    }
}
