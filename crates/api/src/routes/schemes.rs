//! Scoring schemes: upload a version (admin: national; province: its own), list, fetch.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::period::to_vietnam_time;
use cchc_domain::scoring::{Scheme, SchemeDefinition};
use cchc_domain::{Role, UnitCode};
use cchc_persistence::schemes::{self, NewScheme, SchemeRef, StoredScheme};

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, ErrorCode, forbidden, internal, not_found};
use crate::scope::describe;
use crate::scoring;
use crate::state::AppState;

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
pub struct UploadedScheme {
    #[serde(flatten)]
    pub version: SchemeVersionView,
    /// Reports scored with the new version when it was stored.
    pub rescored_reports: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeList {
    pub items: Vec<SchemeVersionView>,
}

fn version_view(s: &StoredScheme, def: &SchemeDefinition) -> SchemeVersionView {
    SchemeVersionView {
        code: s.code.clone(),
        version: s.version,
        owner_code: s.owner.as_ref().map(UnitCode::to_string),
        name_vi: def.name_vi.clone(),
        name_en: def.name_en.clone(),
        valid_from: s.valid_from.map(|m| m.to_string()),
        valid_to: s.valid_to.map(|m| m.to_string()),
        created_at: to_vietnam_time(s.created_at),
        created_by: s.created_by.clone(),
    }
}

fn parse_stored(s: &StoredScheme) -> ApiResult<SchemeDefinition> {
    serde_json::from_str(&s.definition_json).map_err(|e| internal(format!("stored scheme {} is unreadable: {e}", s.id)))
}

/// A caller's own province, for scheme ownership: a province officer's unit.
fn owner_for(caller: &Caller) -> ApiResult<Option<UnitCode>> {
    match caller.role {
        Role::Admin => Ok(None),
        Role::Province => Ok(caller.unit().cloned()),
        _ => Err(forbidden(format!(
            "only admins and province staff upload scoring schemes; this is {}",
            describe(caller)
        ))),
    }
}

/// Every stored version the caller may use: national ones and their own province's.
async fn visible_schemes(state: &web::Data<AppState>, caller: &Caller) -> ApiResult<Vec<StoredScheme>> {
    let principal = caller.principal.clone();
    state
        .db(move |conn| {
            let province = scoring::caller_province(conn, &principal)?;
            Ok(schemes::all(conn)?
                .into_iter()
                .filter(|s| scoring::owner_visible(s.owner.as_ref(), &principal, province.as_ref()))
                .collect())
        })
        .await
}

/// Adds a version of a scoring scheme (a new code starts at version 1). The definition is
/// checked against the indicator catalog; every problem is returned with `422`. Existing reports
/// in the version's periods are re-scored before the response.
#[utoipa::path(post, path = "/api/v1/schemes", tag = "schemes", security(("bearer" = [])), request_body = SchemeDefinition,
    responses(
        (status = 201, body = UploadedScheme, headers(("Location" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code belongs to another owner, or `version` is not the next one", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The scheme is malformed; `errors` says where", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<SchemeDefinition>,
) -> ApiResult<HttpResponse> {
    let owner = owner_for(&caller)?;
    let definition = body.into_inner();
    let scheme = Scheme::load(definition.clone(), &state.catalog).map_err(|findings| {
        let mut e = AppError::new(
            ErrorCode::ValidationFailed,
            format!("the scheme has {} problem(s); nothing was stored", findings.len()),
        );
        e.findings = findings;
        e
    })?;
    let st = state.clone();
    let actor = caller.subject.clone();
    let (stored, rescored) = state
        .db(move |conn| {
            let to_json = |version: i32| {
                let mut d = definition.clone();
                d.version = Some(version as u32);
                serde_json::to_string(&d).unwrap_or_default()
            };
            let new = NewScheme {
                code: &definition.code,
                expected_version: definition.version.map(|v| v as i32),
                owner: owner.as_ref(),
                definition: &to_json,
                valid_from: scheme.valid_from,
                valid_to: scheme.valid_to,
                created_by: &actor,
            };
            let stored = schemes::insert(conn, &new, Utc::now())?;
            let r = SchemeRef {
                id: stored.id,
                code: stored.code.clone(),
                version: stored.version,
                owner: stored.owner.clone(),
                valid_from: stored.valid_from,
                valid_to: stored.valid_to,
            };
            let n = scoring::rescore(&st.db, &st.schemes, &st.catalog, &r)?;
            cchc_persistence::feed::append(
                conn,
                &cchc_persistence::feed::NewEvent {
                    kind: "scheme.added".into(),
                    subject: format!("{}@{}", stored.code, stored.version),
                    province: stored.owner.clone(),
                    payload: serde_json::json!({"code": stored.code, "version": stored.version, "rescored_reports": n}),
                },
                Utc::now(),
            )?;
            Ok((stored, n))
        })
        .await?;
    let def = parse_stored(&stored)?;
    log::info!(
        "scheme {} version {} added by {}; {rescored} report(s) scored",
        stored.code,
        stored.version,
        stored.created_by
    );
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/schemes/{}/versions/{}", stored.code, stored.version)))
        .json(UploadedScheme { version: version_view(&stored, &def), rescored_reports: rescored }))
}

/// Every version of every scheme the caller may use.
#[utoipa::path(get, path = "/api/v1/schemes", tag = "schemes", security(("bearer" = [])),
    responses(
        (status = 200, body = SchemeList),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let all = visible_schemes(&state, &caller).await?;
    let items = all.iter().map(|s| Ok(version_view(s, &parse_stored(s)?))).collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(SchemeList { items }))
}

async fn fetch(
    state: web::Data<AppState>,
    caller: Caller,
    code: String,
    version: Option<i32>,
) -> ApiResult<HttpResponse> {
    let all = visible_schemes(&state, &caller).await?;
    let versions: Vec<&StoredScheme> = all.iter().filter(|s| s.code == code).collect();
    let chosen = match version {
        Some(v) => versions.iter().find(|s| s.version == v),
        None => versions.iter().max_by_key(|s| s.version),
    }
    .ok_or_else(|| {
        not_found(format!(
            "there is no scheme `{code}`{} you may see",
            version.map(|v| format!(" version {v}")).unwrap_or_default()
        ))
    })?;
    let definition = parse_stored(chosen)?;
    Ok(HttpResponse::Ok().json(SchemeView {
        version: version_view(chosen, &definition),
        definition,
        versions: versions.iter().map(|s| s.version).collect(),
    }))
}

/// The latest version of a scheme, with its full definition.
#[utoipa::path(get, path = "/api/v1/schemes/{code}", tag = "schemes", security(("bearer" = [])),
    params(("code" = String, Path, example = "commune-par")),
    responses(
        (status = 200, body = SchemeView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn latest(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    fetch(state, caller, path.into_inner(), None).await
}

/// One version of a scheme, with its full definition.
#[utoipa::path(get, path = "/api/v1/schemes/{code}/versions/{version}", tag = "schemes", security(("bearer" = [])),
    params(("code" = String, Path, example = "commune-par"), ("version" = i32, Path, example = 1)),
    responses(
        (status = 200, body = SchemeView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (code, version) = path.into_inner();
    fetch(state, caller, code, Some(version)).await
}
