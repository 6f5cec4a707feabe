//! A new version of a scoring scheme (admin: national; province staff: their own): checked
//! against the catalog, numbered after the stored ones, and — in one transaction — stored, used
//! to score every existing report it applies to, announced in the change feed and audited. A
//! failure anywhere leaves nothing behind.

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::feed::scheme_event;
use cchc_domain::scoring::{self, BUILTIN_SCHEMES, Scheme, SchemeDefinition, SchemeRef};
use cchc_domain::{Catalog, UnitCode};
use cchc_persistence::connection::write_transaction;
use cchc_persistence::schemes::{self, NewScheme, StoredScheme};
use cchc_persistence::{Database, DbConnection, DbError, audit, feed};

use super::apply_schemes::rescore;
use super::read_schemes::{SchemeVersionView, version_view};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Problem, internal};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedScheme {
    #[serde(flatten)]
    pub version: SchemeVersionView,
    /// Reports scored with the new version when it was stored.
    pub rescored_reports: usize,
}

/// Who adds a version, for the record: a caller (audited), or the service seeding its own.
enum Author<'a> {
    Caller(&'a Caller),
    Builtin,
}

pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    definition: SchemeDefinition,
) -> ApiResult<UploadedScheme> {
    let owner = caller.scheme_owner()?;
    let (stored, rescored) = store(conn, &st.catalog, definition, owner.as_ref(), Author::Caller(caller))?;
    log::info!(
        "scheme {} version {} added by {}; {rescored} report(s) scored",
        stored.code,
        stored.version,
        stored.created_by
    );
    Ok(UploadedScheme { version: version_view(&stored)?, rescored_reports: rescored })
}

fn store(
    conn: &mut DbConnection,
    catalog: &Catalog,
    definition: SchemeDefinition,
    owner: Option<&UnitCode>,
    author: Author<'_>,
) -> ApiResult<(StoredScheme, usize)> {
    let parsed = Scheme::load(definition, catalog).map_err(|findings| {
        let mut e =
            Problem::InvalidScheme.error(format!("the scheme has {} problem(s); nothing was stored", findings.len()));
        e.findings = findings;
        e
    })?;
    write_transaction(conn, |c| -> Result<_, AppError> {
        let code = parsed.definition.code.clone();
        let stored_versions = schemes::stored_versions(c, &code)?;
        let expected = parsed.definition.version.map(|v| v as i32);
        let version = scoring::next_version(&code, &stored_versions, owner, expected)?;
        let mut definition = parsed.definition.clone();
        definition.version = Some(version as u32);
        let json = serde_json::to_string(&definition).map_err(internal)?;
        let now = Utc::now();
        let created_by = match &author {
            Author::Caller(caller) => caller.subject.clone(),
            Author::Builtin => "cchc (built-in)".to_owned(),
        };
        let new = NewScheme {
            code: &code,
            version,
            owner,
            definition_json: &json,
            valid_from: parsed.valid_from,
            valid_to: parsed.valid_to,
            created_by: &created_by,
        };
        let stored = schemes::insert(c, &new, now)?;
        let reference = SchemeRef {
            id: stored.id,
            code: code.clone(),
            version,
            owner: owner.cloned(),
            valid_from: stored.valid_from,
            valid_to: stored.valid_to,
        };
        let rescored = rescore(c, &parsed, &reference)?;
        if let Author::Caller(caller) = author {
            feed::append(c, &scheme_event(&code, version, owner, rescored), now)?;
            let details = serde_json::json!({"version": version, "rescored_reports": rescored,
                "valid_from": stored.valid_from, "valid_to": stored.valid_to});
            let target = format!("{code}@{version}");
            audit::record(
                c,
                &super::audit_entry(caller, "scheme.add", "scheme", target, owner.cloned(), details),
                now,
            )?;
        }
        Ok((stored, rescored))
    })
}

/// Stores each built-in scheme (`commune-par`, the default, and `qd766`) as its version 1 on a
/// database that has no version of its code, and scores the reports already there. A code
/// already stored — seeded before, or uploaded — is left as it is.
pub fn seed_builtin(db: &Database, catalog: &Catalog) -> Result<(), DbError> {
    for (code, json) in BUILTIN_SCHEMES {
        seed_one(db, catalog, code, json)?;
    }
    Ok(())
}

fn seed_one(db: &Database, catalog: &Catalog, code: &str, json: &str) -> Result<(), DbError> {
    let mut conn = db.conn()?;
    if schemes::refs(&mut conn)?.iter().any(|r| r.code == code) {
        return Ok(());
    }
    let definition: SchemeDefinition =
        serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("built-in scheme {code}: {e}")))?;
    match store(&mut conn, catalog, definition, None, Author::Builtin) {
        Ok((_, n)) => {
            log::info!("stored the built-in scoring scheme `{code}` version 1 and scored {n} existing report(s)");
            Ok(())
        }
        // Another instance seeded it first.
        Err(e) if matches!(e.problem, Problem::SchemeConflict | Problem::ConcurrentChange) => Ok(()),
        Err(e) => Err(DbError::Corrupt(format!("seeding the built-in scheme {code}: {} ({:?})", e.detail, e.cause))),
    }
}
