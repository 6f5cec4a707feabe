//! Liveness and readiness: the service answers when its database does.

use serde::Serialize;
use utoipa::ToSchema;

use cchc_persistence::{Backend, Database, DbConnection};

use crate::error::{ApiResult, Problem};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the service and its database answer.
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

pub fn check(conn: &mut DbConnection) -> ApiResult<Health> {
    Database::ping(conn).map_err(|e| Problem::Unavailable.error("the database does not answer").with_cause(e))?;
    let database = match conn.backend() {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    Ok(Health { status: "ok".into(), database: database.into() })
}
