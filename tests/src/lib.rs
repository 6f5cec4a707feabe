//! The test harness: `TestApp::spawn(backend)` starts the real application on port 0 against a
//! fresh database — a file of its own for SQLite, a database cloned from a migrated template
//! for PostgreSQL — and talks to it over HTTP.

pub mod postgres;

use std::net::TcpListener;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use cchc_api::config::{AuthArgs, CalendarArgs, DatabaseArgs, RulesArgs};
use cchc_api::startup;
use cchc_domain::{Role, UnitCode};
use cchc_persistence::Database;

pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test's database lives; dropping it removes the database.
pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres(postgres::Scratch),
    /// Another instance's database, which that instance removes.
    Shared(String),
}

impl TestDatabase {
    pub fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("cchc.db").display());
                TestDatabase::Sqlite { _dir: dir, url }
            }
            Backend::Postgres => TestDatabase::Postgres(postgres::Scratch::create()),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } => url,
            TestDatabase::Postgres(s) => s.url(),
            TestDatabase::Shared(url) => url,
        }
    }
}

/// Options for starting the application.
pub struct Options {
    /// `None` leaves the secret unset, so the app generates and stores one.
    pub jwt_secret: Option<String>,
    pub rules: RulesArgs,
}

impl Default for Options {
    fn default() -> Self {
        Options { jwt_secret: Some(TEST_SECRET.into()), rules: RulesArgs::default() }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub db: Database,
    pub keys: cchc_api::auth::JwtKeys,
    // Dropped last: the server must not outlive its database.
    pub database: TestDatabase,
}

pub fn init_logging() {
    let _ = env_logger::builder().is_test(true).try_init();
}

pub fn database_args(url: &str) -> DatabaseArgs {
    DatabaseArgs { database_url: url.to_owned(), db_pool_size: 4 }
}

pub fn auth_args(secret: Option<String>) -> AuthArgs {
    AuthArgs { jwt_secret: secret, jwt_issuer: None, jwt_audience: None, token_ttl: 3600 }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> TestApp {
        let database = TestDatabase::create(backend);
        Self::start(backend, database, options).await
    }

    /// Starts the application on an existing database (for restarts).
    pub async fn start(backend: Backend, database: TestDatabase, options: Options) -> TestApp {
        init_logging();
        let args = database_args(database.url());
        let db = startup::open_database(&args).expect("the test database opens and migrates");
        let state = startup::build_state(
            db.clone(),
            &auth_args(options.jwt_secret),
            CalendarArgs::default().calendar(),
            options.rules.rules(),
        )
        .expect("the application state builds");
        let keys = state.keys.clone();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("a bound address").port();
        let server = startup::run(listener, state, Some(1)).expect("the server starts");
        actix_web::rt::spawn(server);
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder().build().expect("an HTTP client"),
            backend,
            db,
            keys,
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A second instance of the application on the same database (as behind a load balancer),
    /// with the same signing key; a `TestApp` whose requests go to it.
    pub async fn another_instance(&self) -> TestApp {
        let args = database_args(self.database.url());
        let db = startup::open_database(&args).expect("the database opens a second time");
        let state = startup::build_state(
            db.clone(),
            &auth_args(Some(TEST_SECRET.into())),
            CalendarArgs::default().calendar(),
            RulesArgs::default().rules(),
        )
        .expect("the second instance's state builds");
        let keys = state.keys.clone();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("a bound address").port();
        actix_web::rt::spawn(startup::run(listener, state, Some(1)).expect("the server starts"));
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: self.client.clone(),
            backend: self.backend,
            db,
            keys,
            database: TestDatabase::Shared(self.database.url().to_owned()),
        }
    }

    /// A token signed with the app's key.
    pub fn token(&self, role: Role, unit: Option<&str>) -> String {
        let unit = unit.map(|u| UnitCode::parse(u).expect("a valid test unit code"));
        self.keys.issue(&format!("test-{role}"), role, unit.as_ref(), 3600).expect("a token")
    }

    pub fn admin(&self) -> String {
        self.token(Role::Admin, None)
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Reply::from(req.send().await.expect("the server answers")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates a unit through the API as admin.
    pub async fn create_unit(&self, code: &str, name: &str, parent: Option<&str>) {
        let level = match code.len() {
            2 => "province",
            3 => "district",
            _ => "commune",
        };
        let r = self
            .post(
                "/api/v1/units",
                &self.admin(),
                &json!({"code": code, "name": name, "level": level, "parent_code": parent}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "creating unit {code}: {}", r.body);
    }

    /// Tỉnh Bắc Giang with two districts: Yên Thế (Đông Sơn, Hương Vĩ, Bố Hạ) and Tân Yên (Cao Xá).
    pub async fn seed_units(&self) {
        self.create_unit("24", "Tỉnh Bắc Giang", None).await;
        self.create_unit("215", "Huyện Yên Thế", Some("24")).await;
        self.create_unit("216", "Huyện Tân Yên", Some("24")).await;
        self.create_unit("07273", "Xã Đông Sơn", Some("215")).await;
        self.create_unit("07279", "Xã Hương Vĩ", Some("215")).await;
        self.create_unit("07294", "Thị trấn Bố Hạ", Some("215")).await;
        self.create_unit("07312", "Xã Cao Xá", Some("216")).await;
    }

    /// Files a report as the commune itself.
    pub async fn file(&self, commune: &str, period: &str, body: &Value) -> Reply {
        let token = self.token(Role::Commune, Some(commune));
        self.put(&format!("/api/v1/communes/{commune}/reports/{period}"), &token, body).await
    }
}

/// The seed report's `PUT` body.
pub fn seed_body() -> Value {
    serde_json::from_str(cchc_domain::seed::DONG_SON_2024_06_JSON).expect("the seed fixture is JSON")
}

/// The seed body with some values set (or, with `null`, removed).
pub fn seed_with(changes: Value) -> Value {
    let mut body = seed_body();
    let values = body["values"].as_object_mut().expect("the seed has values");
    for (k, v) in changes.as_object().expect("changes are an object") {
        if v.is_null() {
            values.remove(k);
        } else {
            values.insert(k.clone(), v.clone());
        }
    }
    body
}

/// The eight Biểu 06 figures in the order of the form: carried over, received online, received
/// direct, resolved early, on time, overdue, pending within the deadline, pending overdue.
pub const DOSSIER_PARTS: [&str; 8] = [
    "dossiers_carried_over",
    "dossiers_received_online",
    "dossiers_received_direct",
    "dossiers_resolved_early",
    "dossiers_resolved_on_time",
    "dossiers_resolved_overdue",
    "dossiers_pending_within_deadline",
    "dossiers_pending_overdue",
];

/// A report body with only the eight Biểu 06 figures (and one narrative line).
pub fn dossier_report(v: [i64; 8]) -> Value {
    assert_eq!(v[0] + v[1] + v[2], v[3..].iter().sum::<i64>(), "a test report must be identity-consistent: {v:?}");
    let values: serde_json::Map<String, Value> =
        DOSSIER_PARTS.iter().zip(v).map(|(c, n)| ((*c).to_owned(), json!(n))).collect();
    json!({"values": values, "narrative": {"results": "Báo cáo kiểm thử."}})
}

pub fn report_path(code: &str, period: &str) -> String {
    format!("/api/v1/communes/{code}/reports/{period}")
}

/// The current month in Vietnam (UTC+7), `YYYY-MM`.
pub fn this_month() -> String {
    cchc_domain::Month::current(chrono::Utc::now()).to_string()
}

/// A finding as `Reply::findings` lists it.
pub fn finding(code: &str, indicators: &[&str]) -> (String, Vec<String>) {
    (code.to_owned(), indicators.iter().map(|s| (*s).to_owned()).collect())
}

/// A response, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// Reads a raw `reqwest` response in full.
    pub async fn from(res: reqwest::Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("a readable body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem document with this status, and returns it.
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "expected {status}, got {}: {}", self.status, self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "not a problem: {}", self.text);
        assert_eq!(self.body["status"], status, "{}", self.text);
        assert!(self.body["type"].as_str().is_some_and(|t| t.starts_with("urn:cchc:problem:")), "{}", self.text);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string(), "{}", self.text);
        &self.body
    }

    /// The codes of the findings in a problem or a report, with their indicators.
    pub fn findings(&self, key: &str) -> Vec<(String, Vec<String>)> {
        self.body[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        let inds = f["indicators"]
                            .as_array()
                            .map(|i| i.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                            .unwrap_or_default();
                        (f["code"].as_str().unwrap_or_default().to_owned(), inds)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Generates one test per backend for each listed `async fn(TestApp)`:
/// `backend_tests!(a, b)` gives `sqlite::a`, `postgres::a`, `sqlite::b`, `postgres::b`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::TestApp::spawn($crate::Backend::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::TestApp::spawn($crate::Backend::Postgres).await).await
                }
            )*
        }
    };
}
