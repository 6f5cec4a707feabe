//! The scoring schemes a caller may use — national ones and their own province's — listed, or
//! one version with its full definition.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::UnitCode;
use cchc_domain::period::to_vietnam_time;
use cchc_domain::scoring::SchemeDefinition;
use cchc_persistence::schemes::{self, StoredScheme};
use cchc_persistence::{DbConnection, units};

use crate::auth::Caller;
use crate::error::{ApiResult, Problem, internal};

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeVersionView {
    pub code: String,
    pub version: i32,
    /// The province that owns it; null for a national scheme.
    pub owner_code: Option<String>,
    pub name_vi: String,
    pub name_en: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub created_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeView {
    #[serde(flatten)]
    pub version: SchemeVersionView,
    pub definition: SchemeDefinition,
    /// Every version of this scheme.
    pub versions: Vec<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeList {
    pub items: Vec<SchemeVersionView>,
}

fn definition(s: &StoredScheme) -> ApiResult<SchemeDefinition> {
    serde_json::from_str(&s.definition_json).map_err(|e| internal(format!("stored scheme {} is unreadable: {e}", s.id)))
}

pub fn version_view(s: &StoredScheme) -> ApiResult<SchemeVersionView> {
    let def = definition(s)?;
    Ok(SchemeVersionView {
        code: s.code.clone(),
        version: s.version,
        owner_code: s.owner.as_ref().map(UnitCode::to_string),
        name_vi: def.name_vi,
        name_en: def.name_en,
        valid_from: s.valid_from.map(|m| m.to_string()),
        valid_to: s.valid_to.map(|m| m.to_string()),
        created_at: to_vietnam_time(s.created_at),
        created_by: s.created_by.clone(),
    })
}

/// Every stored version the caller may use.
fn visible(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Vec<StoredScheme>> {
    let own = match caller.unit() {
        Some(u) => units::topology_around(conn, u)?.province_now(u, super::this_month()),
        None => None,
    };
    Ok(schemes::all(conn)?.into_iter().filter(|s| caller.may_use_scheme(s.owner.as_ref(), own.as_ref())).collect())
}

pub fn list(conn: &mut DbConnection, caller: &Caller) -> ApiResult<SchemeList> {
    Ok(SchemeList { items: visible(conn, caller)?.iter().map(version_view).collect::<ApiResult<_>>()? })
}

/// One version of a scheme (the latest when `version` is `None`), with its definition.
pub fn get(conn: &mut DbConnection, caller: &Caller, code: &str, version: Option<i32>) -> ApiResult<SchemeView> {
    let all = visible(conn, caller)?;
    let versions: Vec<&StoredScheme> = all.iter().filter(|s| s.code == code).collect();
    let chosen = match version {
        Some(v) => versions.iter().find(|s| s.version == v),
        None => versions.iter().max_by_key(|s| s.version),
    }
    .ok_or_else(|| {
        let which = version.map(|v| format!(" version {v}")).unwrap_or_default();
        Problem::SchemeNotFound.error(format!("there is no scheme `{code}`{which} you may see"))
    })?;
    Ok(SchemeView {
        version: version_view(chosen)?,
        definition: definition(chosen)?,
        versions: versions.iter().map(|s| s.version).collect(),
    })
}
