//! Building the application: database, keys, and the actix server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::{Compress, Logger, from_fn};
use actix_web::{App, HttpRequest, HttpServer, web};

use cchc_domain::ReportingCalendar;
use cchc_persistence::{Database, DbError, indicators, settings};

use crate::auth::{JwtKeys, generate_secret};
use crate::config::{AuthArgs, DatabaseArgs};
use crate::error::Problem;
use crate::middleware::request_context;
use crate::routes;
use crate::state::AppState;

const JWT_SECRET_KEY: &str = "jwt_secret";

/// Opens the database and brings its schema up to date.
pub fn open_database(args: &DatabaseArgs) -> Result<Database, DbError> {
    let db = Database::connect(&args.database_url, args.pool_options())?;
    let applied = db.migrate()?;
    if !applied.is_empty() {
        log::info!("applied {} migration(s) to the {} database: {}", applied.len(), db.backend(), applied.join(", "));
    }
    Ok(db)
}

/// The signing secret: configured, or generated once and kept in the database.
pub fn signing_secret(db: &Database, configured: Option<&str>) -> Result<String, DbError> {
    if let Some(s) = configured.filter(|s| !s.is_empty()) {
        if s.len() < 32 {
            log::warn!("CCHC_JWT_SECRET is shorter than 32 bytes; use a longer random secret");
        }
        return Ok(s.to_owned());
    }
    let mut conn = db.conn()?;
    let (secret, created) = settings::get_or_insert(&mut conn, JWT_SECRET_KEY, generate_secret)?;
    if created {
        log::info!(
            "no CCHC_JWT_SECRET configured: generated a token signing secret and stored it in the database (setting `{JWT_SECRET_KEY}`); every instance on this database will use it"
        );
    } else {
        log::info!("no CCHC_JWT_SECRET configured: using the token signing secret stored in the database");
    }
    Ok(secret)
}

/// Everything the handlers share, read from the database once.
pub fn build_state(
    db: Database,
    auth: &AuthArgs,
    calendar: ReportingCalendar,
    rules: crate::state::Rules,
) -> Result<AppState, DbError> {
    let secret = signing_secret(&db, auth.jwt_secret.as_deref())?;
    let mut conn = db.conn()?;
    let catalog = indicators::load(&mut conn)?;
    drop(conn);
    crate::app::add_scheme::seed_builtin(&db, &catalog)?;
    // Compute the timing-equaliser hash now rather than on the first failed login.
    let _ = crate::auth::dummy_hash();
    Ok(AppState {
        db,
        catalog: Arc::new(catalog),
        schemes: Arc::new(crate::app::apply_schemes::SchemeCache::default()),
        topology: Default::default(),
        keys: JwtKeys::new(secret.as_bytes(), auth.jwt_issuer.clone(), auth.jwt_audience.clone()),
        reporting_calendar: calendar,
        token_ttl: auth.token_ttl,
        caches: crate::state::Caches::new(rules.ranking_cache_bytes),
        rules,
    })
}

/// A resource whose unmatched methods answer 405 with `Allow`.
pub(crate) fn resource(path: &str, allow: String) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || {
        let allow = allow.clone();
        async move { Err::<actix_web::HttpResponse, _>(crate::error::method_not_allowed(&allow)) }
    }))
}

/// A GET route that answers HEAD too (actix sends no body for HEAD).
pub(crate) fn read() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// The `Allow` header of a resource with these methods (GET brings HEAD).
pub(crate) fn allow(methods: &[&str]) -> String {
    methods.iter().flat_map(|m| if *m == "GET" { vec!["GET", "HEAD"] } else { vec![*m] }).collect::<Vec<_>>().join(", ")
}

/// JSON bodies: size limit, required content type, and problems for every failure.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(json_error)
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::OverflowKnownLength { length, limit } => Problem::PayloadTooLarge
            .error(format!("the body is {length} bytes; this route accepts at most {limit} bytes")),
        JsonPayloadError::Overflow { limit } => {
            Problem::PayloadTooLarge.error(format!("the body is larger than the {limit} bytes this route accepts"))
        }
        JsonPayloadError::ContentType => {
            Problem::UnsupportedMediaType.error("send the body as JSON with `Content-Type: application/json`")
        }
        JsonPayloadError::Deserialize(e) if e.is_syntax() || e.is_eof() => {
            Problem::BadRequest.error(format!("the body is not well-formed JSON: {e}"))
        }
        JsonPayloadError::Deserialize(e) => {
            Problem::BadRequest.error(format!("the body does not have the expected shape: {e}"))
        }
        other => Problem::BadRequest.error(format!("the body could not be read: {other}")),
    };
    e.into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    Problem::BadRequest.error(format!("the query string is not valid: {err}")).into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    Problem::BadRequest.error(format!("the path is not valid: {err}")).into()
}

/// Registers the whole application on an actix `App` (used by the server and by tests).
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    let document = crate::openapi::api_doc(&state.catalog, state.rules.public_url.as_deref()).to_json();
    move |cfg| {
        cfg.app_data(state)
            .app_data(json_config(routes::DEFAULT_BODY_LIMIT))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .configure(routes::configure)
            .configure(crate::dashboard::configure)
            .configure(crate::docs::configure(document.unwrap_or_default()));
    }
}

/// Starts serving on `listener`.
pub fn run(listener: TcpListener, state: AppState, workers: Option<usize>) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .configure(configure(state.clone()))
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(Problem::NotFound.error("there is no such resource"))
            }))
            .wrap(from_fn(request_context))
            .wrap(Compress::default())
            // One line per request, with its id (also in every problem body).
            .wrap(Logger::new(r#"%a "%r" %s %b %Dms req=%{x-request-id}o"#))
    })
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n.max(1));
    }
    Ok(server.run())
}
