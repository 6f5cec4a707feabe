use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use cchc_domain::hierarchy::{UnitVersion, check_parent, predecessors};
use cchc_domain::{Month, Period, UnitCode, UnitLevel};
use cchc_persistence::connection::write_transaction;
use cchc_persistence::units;

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, bad_request, forbidden, not_found};
use crate::params::{self, AtPeriod, Paging, current_month, encode_cursor};
use crate::scope::{describe, ensure_can_view};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// 2 digits for a province, 3 for a district, 5 for a commune.
    #[schema(example = "07273")]
    pub code: String,
    #[schema(example = "Xã Đông Sơn")]
    pub name: String,
    pub level: UnitLevel,
    /// The unit directly above; none for a province.
    #[schema(example = "215")]
    pub parent_code: Option<String>,
    /// First month the unit exists (`YYYY-MM`); from the beginning when absent.
    pub valid_from: Option<String>,
    /// Last month the unit exists; open when absent.
    pub valid_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    /// First month of this version; null means from the beginning.
    pub valid_from: Option<String>,
    /// Last month of this version; null means still valid.
    pub valid_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    /// The name in force at `as_of`.
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    /// The month the name, level and parent are taken at.
    pub as_of: String,
    /// Whether the unit exists in that month.
    pub exists: bool,
    /// The unit this one was merged into, with the month it took effect.
    pub merged_into: Option<MergeView>,
    /// Units merged into this one.
    pub predecessors: Vec<String>,
    /// Every version of the unit, oldest first.
    pub versions: Vec<VersionView>,
}

#[derive(Serialize, ToSchema)]
pub struct MergeView {
    pub successor_code: String,
    pub effective_from: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChildView {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
}

#[derive(Serialize, ToSchema)]
pub struct ChildrenPage {
    pub parent_code: String,
    pub as_of: String,
    pub items: Vec<ChildView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next: Option<String>,
}

fn version_view(v: &UnitVersion) -> VersionView {
    VersionView {
        name: v.name.clone(),
        level: v.level,
        parent_code: v.parent.as_ref().map(UnitCode::to_string),
        valid_from: v.valid_from.map(|m| m.to_string()),
        valid_to: v.valid_to.map(|m| m.to_string()),
    }
}

fn optional_month(s: Option<&str>, field: &str) -> ApiResult<Option<Month>> {
    s.map(|s| s.parse::<Month>().map_err(|e| bad_request(format!("{field}: {e}")))).transpose()
}

/// Creates a unit (admin). Its code's length must match its level, and its parent must exist
/// and sit above it.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", security(("bearer" = [])), request_body = NewUnit,
    responses(
        (status = 201, body = UnitView, headers(("Location" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code exists, or the parent does not", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(state: web::Data<AppState>, caller: Caller, body: web::Json<NewUnit>) -> ApiResult<HttpResponse> {
    if !caller.is_admin() {
        return Err(forbidden(format!("only an admin creates units; this is {}", describe(&caller))));
    }
    let body = body.into_inner();
    let code = UnitCode::parse_at(&body.code, body.level).map_err(|e| bad_request(e.to_string()))?;
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad_request("name must be between 1 and 200 characters"));
    }
    let parent = body.parent_code.as_deref().map(params::unit_code).transpose()?;
    check_parent(body.level, parent.as_ref()).map_err(bad_request)?;
    let valid_from = optional_month(body.valid_from.as_deref(), "valid_from")?;
    let valid_to = optional_month(body.valid_to.as_deref(), "valid_to")?;
    if let (Some(f), Some(t)) = (valid_from, valid_to)
        && f > t
    {
        return Err(bad_request(format!("valid_from {f} is after valid_to {t}")));
    }
    let version = UnitVersion { code: code.clone(), name, level: body.level, parent, valid_from, valid_to };
    let details = serde_json::json!({"name": version.name, "level": version.level, "parent_code": version.parent});
    let view = state
        .db(move |conn| {
            write_transaction(conn, |c| -> Result<(), AppError> {
                units::create(c, &version, Utc::now())?;
                let topology = units::topology_around(c, &version.code)?;
                let at = version.valid_to.or(version.valid_from).unwrap_or_else(current_month);
                let province = crate::scoring::province_of(&topology.at(at), &version.code);
                let entry = crate::filing::audit_entry(
                    &caller,
                    "unit.create",
                    "unit",
                    version.code.to_string(),
                    province,
                    details,
                );
                cchc_persistence::audit::record(c, &entry, Utc::now())?;
                Ok(())
            })?;
            let topology = units::topology_around(conn, &version.code)?;
            Ok(unit_view(&version.code, &topology, valid_from.unwrap_or_else(current_month)))
        })
        .await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/units/{code}"))).json(view?))
}

fn unit_view(code: &UnitCode, topology: &units::Topology, at: Month) -> ApiResult<UnitView> {
    let versions: Vec<&UnitVersion> = topology.versions.iter().filter(|v| &v.code == code).collect();
    // The version in force; failing that, the last one before `at`, or else the first after it.
    let current = versions
        .iter()
        .find(|v| v.is_valid_at(at))
        .or_else(|| versions.iter().filter(|v| v.valid_to.is_some_and(|t| t < at)).max_by_key(|v| v.valid_to))
        .or_else(|| versions.first())
        .ok_or_else(|| not_found(format!("there is no unit {code}")))?;
    Ok(UnitView {
        code: code.to_string(),
        name: current.name.clone(),
        level: current.level,
        parent_code: current.parent.as_ref().map(UnitCode::to_string),
        as_of: at.to_string(),
        exists: current.is_valid_at(at),
        merged_into: topology
            .merges
            .iter()
            .find(|m| &m.absorbed == code)
            .map(|m| MergeView { successor_code: m.successor.to_string(), effective_from: m.effective.to_string() }),
        predecessors: predecessors(&topology.merges, code).iter().map(UnitCode::to_string).collect(),
        versions: versions.into_iter().map(version_view).collect(),
    })
}

/// One unit: its name, level and parent as of a period (today by default), and its history.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code"), AtPeriod),
    responses(
        (status = 200, body = UnitView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AtPeriod>,
) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    let at = query.parse()?.map(|p| p.last_month()).unwrap_or_else(current_month);
    let view = state
        .db(move |conn| {
            let topology = units::topology_around(conn, &code)?;
            if topology.versions.iter().all(|v| v.code != code) {
                return Err(if caller.is_admin() {
                    not_found(format!("there is no unit {code}"))
                } else {
                    forbidden(format!("{} may not see unit {code}", describe(&caller)))
                });
            }
            ensure_can_view(&caller, &topology, &code, at)?;
            unit_view(&code, &topology, at)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The units directly below a unit as of a period (today by default), by code, in pages.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code"), AtPeriod, Paging),
    responses(
        (status = 200, body = ChildrenPage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn children(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AtPeriod>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    let period: Option<Period> = query.parse()?;
    let at = period.map(|p| p.last_month()).unwrap_or_else(current_month);
    let limit = paging.limit()?;
    let after = paging.after()?;
    let st = state.clone();
    let page = state
        .db(move |conn| {
            let topology = st.topology.get(conn, None)?;
            ensure_can_view(&caller, &topology, &code, at)?;
            let tree = topology.at(at);
            if !tree.contains(&code) {
                return Err(not_found(format!("unit {code} does not exist in {at}")));
            }
            let mut items: Vec<ChildView> = tree
                .children(&code)
                .iter()
                .filter(|c| after.as_deref().is_none_or(|a| c.as_str() > a))
                .filter_map(|c| tree.get(c))
                .take(limit + 1)
                .map(|n| ChildView { code: n.code.to_string(), name: n.name.clone(), level: n.level })
                .collect();
            let next = (items.len() > limit).then(|| {
                items.truncate(limit);
                encode_cursor(&items[limit - 1].code)
            });
            Ok(ChildrenPage { parent_code: code.to_string(), as_of: at.to_string(), items, next })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitChange {
    /// The first month of the new version (`YYYY-MM`).
    #[schema(example = "2025-07")]
    pub from: String,
    /// The new name, if it changes.
    #[schema(example = "Xã Bố Hạ")]
    pub name: Option<String>,
    /// The new parent, if it changes.
    #[schema(example = "24")]
    pub parent_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitEnd {
    /// The last month the unit exists (`YYYY-MM`).
    #[schema(example = "2025-06")]
    pub last: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitMerge {
    /// The unit that absorbs this one and carries its history.
    #[schema(example = "07294")]
    pub into: String,
    /// The first month of the merged unit (`YYYY-MM`); this unit's last month is the one before.
    #[schema(example = "2025-07")]
    pub effective_from: String,
}

fn require_admin(caller: &Caller, what: &str) -> ApiResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(forbidden(format!("only an admin {what}; this is {}", describe(caller))))
    }
}

fn month_field(s: &str, field: &str) -> ApiResult<Month> {
    s.parse::<Month>().map_err(|e| bad_request(format!("{field}: {e}")))
}

/// Runs a hierarchy change and its audit entry in one transaction, then shows the unit.
async fn hierarchy_change<F>(
    state: web::Data<AppState>,
    caller: Caller,
    code: UnitCode,
    action: &'static str,
    details: serde_json::Value,
    change: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut cchc_persistence::DbConnection, &UnitCode) -> Result<(), cchc_persistence::DbError> + Send + 'static,
{
    let view = state
        .db(move |conn| {
            write_transaction(conn, |c| -> Result<(), AppError> {
                change(c, &code)?;
                let topology = units::topology_around(c, &code)?;
                let province = topology
                    .versions
                    .iter()
                    .filter(|v| v.code == code)
                    .filter_map(|v| {
                        crate::scoring::province_of(&topology.at(v.valid_to.unwrap_or_else(current_month)), &code)
                    })
                    .next_back();
                let entry = crate::filing::audit_entry(&caller, action, "unit", code.to_string(), province, details);
                cchc_persistence::audit::record(c, &entry, Utc::now())?;
                Ok(())
            })?;
            let topology = units::topology_around(conn, &code)?;
            unit_view(&code, &topology, current_month())
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Changes a unit's name and/or parent from a month on (admin): the version in force then ends
/// the month before. E.g. Thị trấn Bố Hạ 07294 becomes Xã Bố Hạ under province 24 from 2025-07.
#[utoipa::path(post, path = "/api/v1/units/{code}/versions", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, example = "07294")), request_body = UnitChange,
    responses(
        (status = 200, body = UnitView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<UnitChange>,
) -> ApiResult<HttpResponse> {
    require_admin(&caller, "changes units")?;
    let code = params::unit_code(&path)?;
    let body = body.into_inner();
    let from = month_field(&body.from, "from")?;
    let name = body.name.map(|n| n.trim().to_owned());
    if name.as_ref().is_some_and(|n| n.is_empty() || n.chars().count() > 200) {
        return Err(bad_request("name must be between 1 and 200 characters"));
    }
    let parent = body.parent_code.as_deref().map(params::unit_code).transpose()?;
    if name.is_none() && parent.is_none() {
        return Err(bad_request("give a new name, a new parent_code, or both"));
    }
    let details = serde_json::json!({"from": from, "name": name, "parent_code": parent});
    hierarchy_change(state, caller, code, "unit.change", details, move |c, code| {
        units::change(c, code, from, name.as_deref(), parent.as_ref().map(Some), Utc::now()).map(|_| ())
    })
    .await
}

/// Ends a unit after a month (admin). Units below it must be re-parented, merged or ended first.
#[utoipa::path(post, path = "/api/v1/units/{code}/end", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, example = "215")), request_body = UnitEnd,
    responses(
        (status = 200, body = UnitView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn end(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<UnitEnd>,
) -> ApiResult<HttpResponse> {
    require_admin(&caller, "ends units")?;
    let code = params::unit_code(&path)?;
    let last = month_field(&body.last, "last")?;
    hierarchy_change(state, caller, code, "unit.end", serde_json::json!({"last": last}), move |c, code| {
        units::end(c, code, last)
    })
    .await
}

/// Merges a unit into another from a month on (admin): it ends the month before, and its
/// history counts towards the successor. E.g. Xã Đông Sơn 07273 into Xã Bố Hạ 07294 from 2025-07.
#[utoipa::path(post, path = "/api/v1/units/{code}/merge", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, example = "07273")), request_body = UnitMerge,
    responses(
        (status = 200, body = UnitView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<UnitMerge>,
) -> ApiResult<HttpResponse> {
    require_admin(&caller, "merges units")?;
    let code = params::unit_code(&path)?;
    let into = params::unit_code(&body.into)?;
    let effective = month_field(&body.effective_from, "effective_from")?;
    let details = serde_json::json!({"into": into, "effective_from": effective});
    hierarchy_change(state, caller, code, "unit.merge", details, move |c, code| {
        units::merge(c, code, &into, effective, Utc::now())
    })
    .await
}
