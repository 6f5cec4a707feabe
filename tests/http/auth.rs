//! Authentication and scope: the token endpoint, what makes a bearer token unusable, who may
//! see and file what, the plumbing every response shares (health, 404, 405, request ids), and
//! the generated signing secret surviving a restart.

use chrono::Utc;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use cchc_api::auth::{JwtKeys, hash_password};
use cchc_domain::{Role, UnitCode};
use cchc_persistence::users::{self, NewUser};
use cchc_tests::{Backend, Options, Reply, TEST_SECRET, TestApp, TestDatabase, backend_tests, seed_body};

// ---------------------------------------------------------------------------------------------
// Hand-built JWTs: base64url, SHA-256 and HMAC-SHA256, so that tests can forge any header and
// any claims without a JWT library.

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5), as JWTs use it.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub(crate) fn b64url_decode(s: &str) -> Vec<u8> {
    let sextets: Vec<u32> = s
        .bytes()
        .map(|c| B64URL.iter().position(|&x| x == c).unwrap_or_else(|| panic!("`{s}` is not base64url")) as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in sextets.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &v)| n | (v << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha256(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    inner.extend_from_slice(msg);
    let mut outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    outer.extend_from_slice(&sha256(&inner));
    sha256(&outer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A JWT with exactly this header and these claims, HMAC-SHA256-signed with `secret`.
pub(crate) fn sign_hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let sig = hmac_sha256(secret, signing_input.as_bytes());
    format!("{signing_input}.{}", b64url(&sig))
}

/// Claims that the app accepts, for a district officer of 215, valid for an hour.
fn good_claims() -> Value {
    let now = Utc::now().timestamp();
    json!({"sub": "forger", "role": "district", "unit": "215", "iat": now, "exp": now + 3600})
}

fn hs256_header() -> Value {
    json!({"alg": "HS256", "typ": "JWT"})
}

/// The decoded payload of a token.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&b64url_decode(payload)).expect("the payload is JSON")
}

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).expect("a valid unit code")
}

/// Asserts a 401 problem that asks for a bearer token; returns its detail.
fn assert_unauthorized(r: &Reply, what: &str) -> String {
    assert_401(r, what, "urn:cchc:problem:unauthorized")
}

/// Asserts a refused sign-in; returns its detail.
fn assert_sign_in_failed(r: &Reply, what: &str) -> String {
    assert_401(r, what, "urn:cchc:problem:sign-in-failed")
}

fn assert_401(r: &Reply, what: &str, kind: &str) -> String {
    assert_eq!(r.status, 401, "{what}: expected 401, got {}: {}", r.status, r.text);
    let p = r.problem(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{what}: {:?}", r.headers);
    assert_eq!(p["type"], kind, "{what}");
    assert!(p["request_id"].is_string() && p["instance"].is_string(), "{what}: {p}");
    p["detail"].as_str().unwrap_or_default().to_owned()
}

fn create_user(app: &TestApp, username: &str, password: &str, role: Role, unit_code: Option<&str>) {
    let mut conn = app.db.conn().expect("a pooled connection");
    let unit_code = unit_code.map(unit);
    let hash = hash_password(password).expect("a password hash");
    let username = cchc_domain::accounts::Username::parse(username).expect("a valid test username");
    users::create(
        &mut conn,
        &NewUser { username: &username, password_hash: &hash, role, unit_code: unit_code.as_ref() },
        Utc::now(),
    )
    .expect("the user is stored");
}

async fn login(app: &TestApp, username: &str, password: &str) -> Reply {
    app.request(Method::POST, "/api/v1/auth/token", None, Some(&json!({"username": username, "password": password})))
        .await
}

// ---------------------------------------------------------------------------------------------
// The hand-built JWT helpers check themselves against published vectors and the app's tokens.

async fn jwt_helpers_match_the_apps_tokens(app: TestApp) {
    assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(
        hex(&sha256(&[b'a'; 1000])),
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3",
        "a message of several blocks"
    );
    // RFC 4231, test case 2.
    assert_eq!(
        hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
        assert_eq!(b64url_decode(&b64url(s.as_bytes())), s.as_bytes(), "{s}");
    }
    assert_eq!(b64url(b"\xfb\xff"), "-_8");

    // Re-signing the app's own token's signing input gives the app's signature.
    let token = app.token(Role::Commune, Some("07273"));
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert_eq!(b64url(&hmac_sha256(TEST_SECRET.as_bytes(), input.as_bytes())), sig);

    // And a token built here entirely by hand is accepted.
    app.seed_units().await;
    let forged_ok = sign_hs256(TEST_SECRET.as_bytes(), &hs256_header(), &good_claims());
    let r = app.get("/api/v1/units/215", &forged_ok).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/auth/token

async fn token_endpoint_issues_usable_scoped_tokens(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "DongSon", "mat-khau-dung", Role::Commune, Some("07273"));
    create_user(&app, "root", "admin-pw", Role::Admin, None);
    assert!(app.file("07273", "2024-06", &seed_body()).await.status.is_success());
    assert!(app.file("07279", "2024-06", &seed_body()).await.status.is_success());

    let r = login(&app, "dongson", "mat-khau-dung").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.header("x-request-id").is_some());
    let b = &r.body;
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3600);
    assert_eq!(b["role"], "commune");
    assert_eq!(b["unit"], "07273");
    assert_eq!(b.as_object().unwrap().len(), 5, "{b}");
    let token = b["access_token"].as_str().expect("an access token").to_owned();
    let claims = claims_of(&token);
    assert_eq!(claims["sub"], "dongson", "usernames are stored in lower case");
    assert_eq!(claims["role"], "commune");
    assert_eq!(claims["unit"], "07273");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);

    // The token works, for its own commune only.
    let own = app.get("/api/v1/communes/07273/reports/2024-06", &token).await;
    assert_eq!(own.status, 200, "{}", own.text);
    app.get("/api/v1/communes/07279/reports/2024-06", &token).await.problem(403);

    // Usernames are case-insensitive.
    for name in ["DONGSON", "DongSon", "dOnGsOn"] {
        let r = login(&app, name, "mat-khau-dung").await;
        assert_eq!(r.status, 200, "{name}: {}", r.text);
        assert_eq!(r.body["unit"], "07273");
    }

    // An admin's token names no unit.
    let r = login(&app, "ROOT", "admin-pw").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["role"], "admin");
    assert_eq!(r.body["unit"], Value::Null);
    assert!(claims_of(r.body["access_token"].as_str().unwrap()).get("unit").is_none());
    let admin = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/communes/07279/reports/2024-06", &admin).await.status, 200);
}

async fn token_endpoint_refuses_wrong_credentials_and_bad_bodies(app: TestApp) {
    app.seed_units().await;
    create_user(&app, "dongson", "mat-khau-dung", Role::Commune, Some("07273"));

    let wrong_password = login(&app, "dongson", "mat-khau-sai").await;
    let wrong_detail = assert_sign_in_failed(&wrong_password, "wrong password");
    let unknown = login(&app, "nobody", "mat-khau-dung").await;
    let unknown_detail = assert_sign_in_failed(&unknown, "unknown user");
    assert_eq!(wrong_detail, unknown_detail, "the answer must not tell which usernames exist");
    assert!(wrong_password.body.get("access_token").is_none());
    // The password is case-sensitive even though the username is not.
    assert_sign_in_failed(&login(&app, "dongson", "MAT-KHAU-DUNG").await, "password in upper case");
    assert_sign_in_failed(&login(&app, "dongson", "").await, "empty password");

    // A disabled user cannot sign in, even with the right password.
    {
        use cchc_persistence::schema::users::dsl;
        let mut conn = app.db.conn().unwrap();
        diesel::update(dsl::users.filter(dsl::username.eq("dongson")))
            .set(dsl::disabled.eq(true))
            .execute(&mut *conn)
            .unwrap();
    }
    assert_sign_in_failed(&login(&app, "dongson", "mat-khau-dung").await, "disabled user");

    // Bodies that are not a username and a password.
    let path = "/api/v1/auth/token";
    let extra = json!({"username": "dongson", "password": "mat-khau-dung", "role": "admin"});
    let p = app.request(Method::POST, path, None, Some(&extra)).await;
    assert!(p.problem(400)["detail"].as_str().unwrap().contains("role"), "{}", p.text);
    app.request(Method::POST, path, None, Some(&json!({"username": "dongson"}))).await.problem(400);
    app.request(Method::POST, path, None, Some(&json!({"username": 7, "password": "x"}))).await.problem(400);
    app.request(Method::POST, path, None, Some(&json!([]))).await.problem(400);
    let raw = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body("{\"username\": \"dongson\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let raw = app.client.post(app.url(path)).body("username=dongson&password=x").send().await.unwrap();
    assert_eq!(raw.status(), 415);
    // GET on the token endpoint is the wrong method.
    let r = app.request(Method::GET, path, None, None).await;
    r.problem(405);
    assert_eq!(r.header("allow"), Some("POST"));
}

// ---------------------------------------------------------------------------------------------
// Bearer tokens the API refuses with 401

async fn missing_and_malformed_authorization_is_401(app: TestApp) {
    app.seed_units().await;
    let path = "/api/v1/units/215";
    let r = app.request(Method::GET, path, None, None).await;
    assert_unauthorized(&r, "no Authorization header");
    assert_eq!(r.body["instance"], path);

    let good = app.token(Role::District, Some("215"));
    for value in [
        format!("Basic {}", b64url(b"admin:admin")),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer    ".to_owned(),
        good.clone(), // no scheme
        format!("Token {good}"),
    ] {
        let r = app.client.get(app.url(path)).header("authorization", &value).send().await.unwrap();
        assert_eq!(r.status(), 401, "Authorization: {value}");
        assert_eq!(r.headers().get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"), "{value}");
    }
    for garbage in ["garbage", "a.b.c", "...", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.e30.", "ü.ü.ü"] {
        assert_unauthorized(&app.get(path, garbage).await, garbage);
    }
    // A sound token is accepted, so the refusals above are about the header alone.
    assert_eq!(app.get(path, &good).await.status, 200);
}

async fn expired_forged_and_alg_none_tokens_are_401(app: TestApp) {
    app.seed_units().await;
    let path = "/api/v1/communes/07273/reports/2024-06";
    assert_eq!(app.file("07273", "2024-06", &seed_body()).await.status, 201);
    let u = unit("07273");

    // Expired an hour ago (well past the 30 s leeway).
    let expired = app.keys.issue("dongson", Role::Commune, Some(&u), -3600).unwrap();
    let detail = assert_unauthorized(&app.get(path, &expired).await, "expired");
    assert!(detail.contains("expired"), "{detail}");
    // An expired admin token is no better.
    let expired_admin = app.keys.issue("root", Role::Admin, None, -3600).unwrap();
    assert_unauthorized(&app.get(path, &expired_admin).await, "expired admin");

    // Signed with another secret.
    let other = JwtKeys::new(b"other-secret-other-secret-other!!", None, None);
    let forged = other.issue("dongson", Role::Commune, Some(&u), 3600).unwrap();
    let detail = assert_unauthorized(&app.get(path, &forged).await, "forged");
    assert!(detail.contains("signature"), "{detail}");
    let forged_admin = other.issue("root", Role::Admin, None, 3600).unwrap();
    assert_unauthorized(&app.get(path, &forged_admin).await, "forged admin");
    assert_unauthorized(&app.put(path, &forged_admin, &seed_body()).await, "a forged admin token cannot write either");

    // `alg: none`, with an empty signature, claiming to be an admin.
    let now = Utc::now().timestamp();
    let admin_claims = json!({"sub": "mallory", "role": "admin", "iat": now, "exp": now + 3600});
    for header in [json!({"alg": "none", "typ": "JWT"}), json!({"alg": "None"}), json!({"alg": "NONE", "typ": "JWT"})] {
        let none =
            format!("{}.{}.", b64url(header.to_string().as_bytes()), b64url(admin_claims.to_string().as_bytes()));
        assert_unauthorized(&app.get(path, &none).await, &format!("alg none {header}"));
        // ... and without the trailing dot.
        assert_unauthorized(&app.get(path, none.trim_end_matches('.')).await, "alg none, two parts");
    }
    // `alg: none` over a genuine token's payload, keeping or dropping its real signature.
    let genuine = app.token(Role::Commune, Some("07273"));
    let parts: Vec<&str> = genuine.split('.').collect();
    let none_header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    assert_unauthorized(&app.get(path, &format!("{none_header}.{}.", parts[1])).await, "none, genuine payload");
    assert_unauthorized(&app.get(path, &format!("{none_header}.{}.{}", parts[1], parts[2])).await, "none + sig");

    // Another algorithm, even with the right key.
    let hs384 = sign_hs256(TEST_SECRET.as_bytes(), &json!({"alg": "HS384", "typ": "JWT"}), &admin_claims);
    assert_unauthorized(&app.get(path, &hs384).await, "HS384 header");
    let rs256 = sign_hs256(TEST_SECRET.as_bytes(), &json!({"alg": "RS256", "typ": "JWT"}), &admin_claims);
    assert_unauthorized(&app.get(path, &rs256).await, "RS256 header");

    // A genuine signature over a payload that was changed afterwards.
    let tampered = format!("{}.{}.{}", parts[0], b64url(admin_claims.to_string().as_bytes()), parts[2]);
    assert_unauthorized(&app.get(path, &tampered).await, "tampered payload");
    // A truncated signature.
    assert_unauthorized(&app.get(path, &genuine[..genuine.len() - 4]).await, "truncated signature");

    // The genuine token itself is fine.
    assert_eq!(app.get(path, &genuine).await.status, 200);
}

async fn tokens_without_a_fitting_unit_are_401(app: TestApp) {
    app.seed_units().await;
    assert_eq!(app.file("07273", "2024-06", &seed_body()).await.status, 201);
    let path = "/api/v1/communes/07273/reports/2024-06";

    // Validly signed, but a non-admin role without a unit.
    for role in [Role::Commune, Role::District, Role::Province, Role::Portal] {
        let t = app.keys.issue("no-unit", role, None, 3600).unwrap();
        let detail = assert_unauthorized(&app.get(path, &t).await, &format!("{role} without unit"));
        assert!(detail.contains("unit"), "{detail}");
        assert_unauthorized(&app.get("/api/v1/units/24", &t).await, &format!("{role} without unit, units"));
        assert_unauthorized(&app.get("/api/v1/units/24/aggregates?period=2024-06", &t).await, "aggregates");
    }
    // A unit of the wrong level for the role.
    for (role, code) in [
        (Role::Commune, "215"),
        (Role::Commune, "24"),
        (Role::District, "07273"),
        (Role::District, "24"),
        (Role::Province, "215"),
        (Role::Portal, "07273"),
    ] {
        let t = app.keys.issue("wrong-level", role, Some(&unit(code)), 3600).unwrap();
        assert_unauthorized(&app.get(path, &t).await, &format!("{role} token for {code}"));
    }
    // An admin token scoped to a unit is not an admin token.
    let t = app.keys.issue("admin-with-unit", Role::Admin, Some(&unit("24")), 3600).unwrap();
    assert_unauthorized(&app.get(path, &t).await, "admin with unit");

    // Hand-signed with the right key: claims the app cannot use.
    let now = Utc::now().timestamp();
    let key = TEST_SECRET.as_bytes();
    let header = hs256_header();
    let mut cases: Vec<(&str, Value)> = vec![
        ("no unit claim", json!({"sub": "x", "role": "district", "exp": now + 3600})),
        ("null unit", json!({"sub": "x", "role": "district", "unit": null, "exp": now + 3600})),
        ("empty unit", json!({"sub": "x", "role": "district", "unit": "", "exp": now + 3600})),
        ("unit not digits", json!({"sub": "x", "role": "district", "unit": "2l5", "exp": now + 3600})),
        ("unit of 4 digits", json!({"sub": "x", "role": "commune", "unit": "7273", "exp": now + 3600})),
        ("unit as a number", json!({"sub": "x", "role": "district", "unit": 215, "exp": now + 3600})),
        ("unknown role", json!({"sub": "x", "role": "superuser", "unit": "215", "exp": now + 3600})),
        ("no role", json!({"sub": "x", "unit": "215", "exp": now + 3600})),
        ("no exp", json!({"sub": "x", "role": "district", "unit": "215"})),
        ("exp as text", json!({"sub": "x", "role": "district", "unit": "215", "exp": "tomorrow"})),
        ("no sub", json!({"role": "district", "unit": "215", "exp": now + 3600})),
        ("expired", json!({"sub": "x", "role": "district", "unit": "215", "exp": now - 600})),
    ];
    cases.push(("payload not an object", json!(["district", "215"])));
    for (what, claims) in cases {
        let t = sign_hs256(key, &header, &claims);
        assert_unauthorized(&app.get(path, &t).await, what);
    }
    // The same shape with every claim right is accepted (so the cases above fail for their claim).
    let ok = sign_hs256(key, &header, &json!({"sub": "x", "role": "district", "unit": "215", "exp": now + 3600}));
    assert_eq!(app.get(path, &ok).await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// Scope: who may see and file what (403)

async fn cross_commune_access_is_refused(app: TestApp) {
    app.seed_units().await;
    for c in ["07273", "07279", "07312"] {
        assert_eq!(app.file(c, "2024-06", &seed_body()).await.status, 201, "{c}");
    }
    let dong_son = app.token(Role::Commune, Some("07273"));
    assert_eq!(app.get("/api/v1/communes/07273/reports/2024-06", &dong_son).await.status, 200);

    // A neighbour in the same district, and a commune of another district: read and write.
    for other in ["07279", "07312"] {
        let path = format!("/api/v1/communes/{other}/reports/2024-06");
        let p = app.get(&path, &dong_son).await;
        assert_eq!(p.problem(403)["type"], "urn:cchc:problem:outside-scope");
        assert!(p.header("www-authenticate").is_none(), "403 is not a request to authenticate");
        app.put(&path, &dong_son, &seed_body()).await.problem(403);
        // ... even for a month with no report yet (no existence leak through 404).
        app.get(&format!("/api/v1/communes/{other}/reports/2024-05"), &dong_son).await.problem(403);
        app.get(&format!("/api/v1/units/{other}"), &dong_son).await.problem(403);
        app.get(&format!("/api/v1/units/{other}/aggregates?period=2024-06"), &dong_son).await.problem(403);
    }
    // Nor the district or province above it.
    for above in ["215", "24"] {
        app.get(&format!("/api/v1/units/{above}/aggregates?period=2024-06"), &dong_son).await.problem(403);
        app.get(&format!("/api/v1/units/{above}/children"), &dong_son).await.problem(403);
    }
    // The refused write stored nothing: 07279's report is still at its first revision.
    let admin = app.admin();
    let r = app.get("/api/v1/communes/07279/reports/2024-06", &admin).await;
    assert_eq!(r.body["revision"], 1, "{}", r.text);
    assert_eq!(r.body["updated_by"], "test-commune");
}

async fn cross_district_access_is_refused(app: TestApp) {
    app.seed_units().await;
    for c in ["07273", "07294", "07312"] {
        assert_eq!(app.file(c, "2024-06", &seed_body()).await.status, 201, "{c}");
    }
    let yen_the = app.token(Role::District, Some("215"));
    // Its own communes, its own units and aggregates.
    for c in ["07273", "07294"] {
        let r = app.get(&format!("/api/v1/communes/{c}/reports/2024-06"), &yen_the).await;
        assert_eq!(r.status, 200, "{c}: {}", r.text);
    }
    for path in ["/api/v1/units/215", "/api/v1/units/07279", "/api/v1/units/215/children"] {
        assert_eq!(app.get(path, &yen_the).await.status, 200, "{path}");
    }
    assert_eq!(app.get("/api/v1/units/215/aggregates?period=2024-06", &yen_the).await.status, 200);

    // Tân Yên's commune and Tân Yên itself.
    app.get("/api/v1/communes/07312/reports/2024-06", &yen_the).await.problem(403);
    app.get("/api/v1/communes/07312/reports/2024-05", &yen_the).await.problem(403);
    for path in [
        "/api/v1/units/216",
        "/api/v1/units/07312",
        "/api/v1/units/216/children",
        "/api/v1/units/216/aggregates?period=2024-06",
        "/api/v1/units/07312/aggregates?period=2024-06",
        "/api/v1/units/216/aggregates?period=2024Q2",
        // Not the province above it either.
        "/api/v1/units/24",
        "/api/v1/units/24/children",
        "/api/v1/units/24/aggregates?period=2024-06",
    ] {
        app.get(path, &yen_the).await.problem(403);
    }
    // A district reviews, it does not file: not even its own communes' reports.
    app.put("/api/v1/communes/07273/reports/2024-06", &yen_the, &seed_body()).await.problem(403);
    app.put("/api/v1/communes/07279/reports/2024-06", &yen_the, &seed_body()).await.problem(403);

    // Tân Yên's officer sees the mirror image.
    let tan_yen = app.token(Role::District, Some("216"));
    assert_eq!(app.get("/api/v1/communes/07312/reports/2024-06", &tan_yen).await.status, 200);
    app.get("/api/v1/communes/07273/reports/2024-06", &tan_yen).await.problem(403);
    app.get("/api/v1/units/215/aggregates?period=2024-06", &tan_yen).await.problem(403);
}

async fn province_sees_both_districts_but_files_nothing(app: TestApp) {
    app.seed_units().await;
    for c in ["07273", "07312"] {
        assert_eq!(app.file(c, "2024-06", &seed_body()).await.status, 201, "{c}");
    }
    for role in [Role::Province, Role::Portal] {
        let t = app.token(role, Some("24"));
        for path in [
            "/api/v1/communes/07273/reports/2024-06",
            "/api/v1/communes/07312/reports/2024-06",
            "/api/v1/units/24",
            "/api/v1/units/215",
            "/api/v1/units/216",
            "/api/v1/units/07312",
            "/api/v1/units/24/children",
            "/api/v1/units/24/aggregates?period=2024-06",
            "/api/v1/units/215/aggregates?period=2024-06",
            "/api/v1/units/216/aggregates?period=2024-06",
        ] {
            let r = app.get(path, &t).await;
            assert_eq!(r.status, 200, "{role} {path}: {}", r.text);
        }
        app.put("/api/v1/communes/07273/reports/2024-06", &t, &seed_body()).await.problem(403);
        // Creating units is for admins only.
        let unit = json!({"code": "217", "name": "Huyện Lạng Giang", "level": "district", "parent_code": "24"});
        app.post("/api/v1/units", &t, &unit).await.problem(403);
    }
    // A province token of another province sees none of Bắc Giang.
    let other = app.token(Role::Province, Some("25"));
    app.get("/api/v1/communes/07273/reports/2024-06", &other).await.problem(403);
    app.get("/api/v1/units/24/aggregates?period=2024-06", &other).await.problem(403);
    app.get("/api/v1/units/215", &other).await.problem(403);
}

async fn only_the_commune_itself_or_an_admin_files(app: TestApp) {
    app.seed_units().await;
    let path = "/api/v1/communes/07273/reports/2024-06";
    for (role, u) in [
        (Role::Commune, Some("07279")),
        (Role::District, Some("215")),
        (Role::Province, Some("24")),
        (Role::Portal, Some("24")),
    ] {
        let t = app.token(role, u);
        let p = app.put(path, &t, &seed_body()).await;
        p.problem(403);
    }
    // Nothing was stored by the refused writes.
    app.get(path, &app.admin()).await.problem(404);
    // The commune itself files; an admin may too.
    let own = app.token(Role::Commune, Some("07273"));
    assert_eq!(app.put(path, &own, &seed_body()).await.status, 201);
    let mut changed = seed_body();
    changed["values"]["computers"] = json!(21);
    let r = app.put(path, &app.admin(), &changed).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["updated_by"], "test-admin");
}

// ---------------------------------------------------------------------------------------------
// Plumbing: health, unknown routes, wrong methods, request ids

async fn health_answers_without_auth(app: TestApp) {
    let r = app.request(Method::GET, "/health", None, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let database = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(r.body, json!({"status": "ok", "database": database}));
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    assert!(r.header("x-request-id").is_some_and(|id| !id.is_empty()));
    // A token is not needed, but a bad one does no harm on an open route.
    let r = app.get("/health", "garbage").await;
    assert_eq!(r.status, 200);
    // Only GET.
    let r = app.request(Method::POST, "/health", None, Some(&json!({}))).await;
    r.problem(405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
}

async fn unknown_routes_are_404_problems(app: TestApp) {
    for path in ["/nope", "/api/v1/nope", "/api/v2/units", "/api/v1/communes/07273/reportz", "/api/v1/units/215/x"] {
        let r = app.request(Method::GET, path, None, None).await;
        let p = r.problem(404);
        assert_eq!(p["type"], "urn:cchc:problem:not-found", "{path}");
        assert_eq!(p["instance"], path, "{path}");
        assert!(p["request_id"].is_string(), "{path}");
        assert_eq!(Some(p["request_id"].as_str().unwrap()), r.header("x-request-id"), "{path}");
        // Any method, with or without a token.
        app.request(Method::DELETE, path, Some(&app.admin()), None).await.problem(404);
    }
}

async fn wrong_methods_are_405_with_allow(app: TestApp) {
    let admin = app.admin();
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/units", "GET, HEAD, POST"),
        (Method::PUT, "/api/v1/units", "GET, HEAD, POST"),
        (Method::POST, "/api/v1/communes/07273/reports", "GET, HEAD"),
        (Method::POST, "/api/v1/units/215", "GET, HEAD"),
        (Method::DELETE, "/api/v1/units/215", "GET, HEAD"),
        (Method::POST, "/api/v1/units/215/children", "GET, HEAD"),
        (Method::PATCH, "/api/v1/units/215/aggregates", "GET, HEAD"),
        (Method::DELETE, "/api/v1/communes/07273/reports/2024-06", "GET, HEAD, PUT"),
        (Method::POST, "/api/v1/communes/07273/reports/2024-06", "GET, HEAD, PUT"),
        (Method::PUT, "/api/v1/auth/token", "POST"),
    ] {
        for token in [None, Some(admin.as_str())] {
            let r = app.request(method.clone(), path, token, None).await;
            let p = r.problem(405);
            assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
            assert_eq!(p["type"], "urn:cchc:problem:method-not-allowed");
            assert_eq!(p["instance"], path);
            assert!(p["request_id"].is_string());
        }
    }
}

async fn request_ids_are_echoed_or_made_up(app: TestApp) {
    app.seed_units().await;
    let send = |path: &'static str, id: &'static str| {
        let req = app.client.get(app.url(path)).header("x-request-id", id);
        async move { req.send().await.unwrap() }
    };
    // A valid incoming id is echoed, on success and in error bodies.
    let r = send("/health", "req-42_a.b:c").await;
    assert_eq!(r.headers()["x-request-id"], "req-42_a.b:c");
    let r = send("/api/v1/units/215", "trace-0001").await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["x-request-id"], "trace-0001");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], "trace-0001");
    assert_eq!(body["instance"], "/api/v1/units/215");

    // An unacceptable one (spaces, too long) is replaced by a fresh id.
    let long: &'static str = Box::leak("x".repeat(129).into_boxed_str());
    for bad in ["has spaces", "semi;colon", long] {
        let r = send("/health", bad).await;
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(id, bad);
        assert!(!id.is_empty() && id.len() <= 128, "{id}");
    }
    // Without one, every response gets its own.
    let a = app.request(Method::GET, "/health", None, None).await;
    let b = app.request(Method::GET, "/health", None, None).await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));

    // Every kind of error body names its request and path.
    let admin = app.admin();
    let district = app.token(Role::District, Some("215"));
    let checks: Vec<(Reply, u16)> = vec![
        (app.get("/api/v1/units/abc", &admin).await, 400),
        (app.get("/api/v1/units/24", &district).await, 403),
        (app.get("/api/v1/units/99", &admin).await, 404),
        (app.post("/api/v1/units", &admin, &json!({"code": "24", "name": "x", "level": "province"})).await, 409),
        (app.put("/api/v1/communes/07273/reports/2024-06", &admin, &json!({"values": {"computers": -1}})).await, 422),
    ];
    for (r, status) in checks {
        let p = r.problem(status);
        assert!(p["instance"].as_str().is_some_and(|i| i.starts_with("/api/v1/")), "{p}");
        assert_eq!(p["request_id"].as_str(), r.header("x-request-id"), "{p}");
    }
}

// ---------------------------------------------------------------------------------------------
// The generated signing secret survives a restart

/// Starts the app without a configured secret, then a second app on the same database, and checks
/// that each accepts the other's tokens — those minted by hand and those from the token endpoint.
async fn generated_secret_survives_restart(backend: Backend) {
    let first =
        TestApp::start(backend, TestDatabase::create(backend), Options { jwt_secret: None, ..Options::default() })
            .await;
    first.seed_units().await;
    create_user(&first, "dongson", "mat-khau-dung", Role::Commune, Some("07273"));
    assert_eq!(first.file("07273", "2024-06", &seed_body()).await.status, 201);

    // The generated secret is stored, and it is not the test secret.
    let stored = {
        let mut conn = first.db.conn().unwrap();
        cchc_persistence::settings::get(&mut conn, "jwt_secret").unwrap().expect("the secret is stored")
    };
    assert_eq!(stored.len(), 64, "32 random bytes in hex: {stored}");
    assert!(stored.bytes().all(|b| b.is_ascii_hexdigit()));
    let test_secret_token =
        JwtKeys::new(TEST_SECRET.as_bytes(), None, None).issue("x", Role::Admin, None, 3600).unwrap();
    assert_unauthorized(&first.get("/api/v1/units/24", &test_secret_token).await, "the test secret is not in use");
    // A token signed with the stored secret is the app's own.
    let by_stored = JwtKeys::new(stored.as_bytes(), None, None).issue("x", Role::Admin, None, 3600).unwrap();
    assert_eq!(first.get("/api/v1/units/24", &by_stored).await.status, 200);

    let minted = first.token(Role::District, Some("215"));
    let login_reply = login(&first, "dongson", "mat-khau-dung").await;
    assert_eq!(login_reply.status, 200, "{}", login_reply.text);
    let logged_in = login_reply.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(first.get("/api/v1/units/215", &minted).await.status, 200);

    // Restart: a second app on the same database, the first one still running.
    let TestApp { database, address: first_address, client, .. } = first;
    let second = TestApp::start(backend, database, Options { jwt_secret: None, ..Options::default() }).await;
    assert_ne!(second.address, first_address);
    let r = second.get("/api/v1/units/215", &minted).await;
    assert_eq!(r.status, 200, "a token minted by the first app: {}", r.text);
    let r = second.get("/api/v1/communes/07273/reports/2024-06", &logged_in).await;
    assert_eq!(r.status, 200, "a token the first app issued at login: {}", r.text);
    // Scope still applies to the carried-over token.
    second.get("/api/v1/communes/07279/reports/2024-06", &logged_in).await.problem(403);
    // And the other way round: the second app's tokens work on the first.
    let from_second = second.token(Role::Admin, None);
    let r = client.get(format!("{first_address}/api/v1/units/24")).bearer_auth(&from_second).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The stored secret was not replaced.
    let again = cchc_persistence::settings::get(&mut second.db.conn().unwrap(), "jwt_secret").unwrap();
    assert_eq!(again.as_deref(), Some(stored.as_str()));

    // A configured secret takes precedence over the stored one: the old tokens stop working.
    let TestApp { database, .. } = second;
    let third = TestApp::start(backend, database, Options::default()).await;
    assert_unauthorized(&third.get("/api/v1/units/215", &minted).await, "old token, configured secret");
    assert_eq!(third.get("/api/v1/units/215", &third.token(Role::District, Some("215"))).await.status, 200);
}

#[actix_web::test]
async fn sqlite_generated_secret_survives_restart() {
    generated_secret_survives_restart(Backend::Sqlite).await
}

#[actix_web::test]
async fn postgres_generated_secret_survives_restart() {
    generated_secret_survives_restart(Backend::Postgres).await
}

// RFC 7519 §4.1.5: a token must not be accepted before its `nbf`.
async fn not_yet_valid_tokens_are_401(app: TestApp) {
    app.seed_units().await;
    let now = Utc::now().timestamp();
    let early =
        json!({"sub": "early", "role": "district", "unit": "215", "iat": now, "nbf": now + 3600, "exp": now + 7200});
    let t = sign_hs256(TEST_SECRET.as_bytes(), &hs256_header(), &early);
    assert_unauthorized(&app.get("/api/v1/units/215", &t).await, "nbf an hour from now");
}

backend_tests!(
    not_yet_valid_tokens_are_401,
    jwt_helpers_match_the_apps_tokens,
    token_endpoint_issues_usable_scoped_tokens,
    token_endpoint_refuses_wrong_credentials_and_bad_bodies,
    missing_and_malformed_authorization_is_401,
    expired_forged_and_alg_none_tokens_are_401,
    tokens_without_a_fitting_unit_are_401,
    cross_commune_access_is_refused,
    cross_district_access_is_refused,
    province_sees_both_districts_but_files_nothing,
    only_the_commune_itself_or_an_admin_files,
    health_answers_without_auth,
    unknown_routes_are_404_problems,
    wrong_methods_are_405_with_allow,
    request_ids_are_echoed_or_made_up,
);
