//! Provinces, districts and communes over time: create (admin), read as of a period, list the
//! units below, and change — a new version, an end, a merger (admin).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use cchc_domain::hierarchy::UnitVersion;
use cchc_domain::{UnitCode, UnitLevel, UnitName};

use crate::app::change_units::{self, UnitChange as Change};
use crate::app::read_units::{self, ChildrenPage, UnitFilter, UnitPage, UnitView};
use crate::app::signatory::{self, SignatoryView};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::{self, ExportFormat, FileFormat, FormatQuery};
use crate::params::{self, AtPeriod, Paging};
use crate::state::{AppState, RunOnDb};

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

impl NewUnit {
    fn parse(self) -> ApiResult<UnitVersion> {
        let valid_from = params::optional_month(self.valid_from.as_deref(), "valid_from")?;
        let valid_to = params::optional_month(self.valid_to.as_deref(), "valid_to")?;
        if let (Some(f), Some(t)) = (valid_from, valid_to)
            && f > t
        {
            return Err(crate::error::Problem::InvalidPeriod.error(format!("valid_from {f} is after valid_to {t}")));
        }
        Ok(UnitVersion {
            code: UnitCode::parse_at(&self.code, self.level)?,
            name: UnitName::parse(&self.name)?.into_string(),
            level: self.level,
            parent: self.parent_code.as_deref().map(params::unit_code).transpose()?,
            valid_from,
            valid_to,
        })
    }
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

/// Creates a unit (admin). Its code's length must match its level, and its parent must exist
/// and sit above it throughout its dates. `409` when the code exists or the parent does not
/// last.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", security(("bearer" = [])), request_body(content = NewUnit, description = "The unit's code, name, level, parent and first month"),
    responses((status = 201, description = "The unit created", body = UnitView, headers(("Location" = String, description = "The unit's address")))))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: params::Body<NewUnit>,
) -> ApiResult<HttpResponse> {
    let first = body.into_inner().parse()?;
    let view = state.run(move |conn, _| change_units::create(conn, &caller, first)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/units/{}", view.code))).json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitListQuery {
    /// A month (`2024-06`), quarter, half-year or year: the tree of its last month. The current
    /// month by default.
    pub period: Option<String>,
    /// Only units of this level.
    pub level: Option<UnitLevel>,
    /// Only the units directly below this one.
    pub parent: Option<String>,
    /// Part of the name (any case), or the start of the code.
    pub q: Option<String>,
}

/// The units the caller may see in a period, by code — to reconcile against the official
/// list. Filtered by level, parent and text; paged.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", security(("bearer" = [])), params(UnitListQuery, FormatQuery, Paging),
    responses((status = 200, description = "A page of units (JSON), or the whole list as a table (`format=csv|xlsx`)",
        content((UnitPage = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<UnitListQuery>,
    format: web::Query<FormatQuery>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let format = export::negotiate(&req, &format);
    let page = match format {
        ExportFormat::Json => (paging.limit()?, paging.after()?),
        _ => (export::MAX_ROWS, None),
    };
    unit_list(state, caller, query.into_inner(), format, page).await
}

/// The unit list as a spreadsheet, named by its extension: `units.xlsx` or `units.csv`.
#[utoipa::path(get, path = "/api/v1/units.{format}", tag = "units", security(("bearer" = [])),
    params(("format" = FileFormat, Path, description = "`xlsx` or `csv`"), UnitListQuery),
    responses((status = 200, description = "Every unit of the list, as a table with Vietnamese headers",
        content((String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv")))))]
pub async fn download_list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<FileFormat>,
    query: web::Query<UnitListQuery>,
) -> ApiResult<HttpResponse> {
    let format = path.into_inner().into();
    unit_list(state, caller, query.into_inner(), format, (export::MAX_ROWS, None)).await
}

async fn unit_list(
    state: web::Data<AppState>,
    caller: Caller,
    q: UnitListQuery,
    format: ExportFormat,
    (limit, after): (usize, Option<String>),
) -> ApiResult<HttpResponse> {
    let at = AtPeriod { period: q.period }.month()?;
    q.q.as_deref().map(|t| cchc_domain::text::check_line("q", t)).transpose()?;
    let parent = q.parent.as_deref().map(params::unit_code).transpose()?;
    let filter = UnitFilter { at, level: q.level, parent, text: q.q.filter(|t| !t.trim().is_empty()) };
    let page = state.run(move |conn, st| read_units::list(conn, st, &caller, &filter, limit, after)).await?;
    export::reply(format, page, read_units::table)
}

/// One unit: its name, level and parent as of a period (today by default), and its history.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), AtPeriod),
    responses((status = 200, description = "The unit as of the period, with its history", body = UnitView)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AtPeriod>,
) -> ApiResult<HttpResponse> {
    let (code, at) = (params::unit_code(&path)?, query.month()?);
    let view = state.run(move |conn, _| read_units::get(conn, &caller, &code, at)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The units directly below a unit as of a period (today by default), by code, in pages.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), AtPeriod, Paging),
    responses((status = 200, description = "A page of the units directly below, by code", body = ChildrenPage)))]
pub async fn children(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AtPeriod>,
    paging: web::Query<Paging>,
) -> ApiResult<HttpResponse> {
    let (code, at) = (params::unit_code(&path)?, query.month()?);
    let (limit, after) = (paging.limit()?, paging.after()?);
    let page = state.run(move |conn, st| read_units::children(conn, st, &caller, &code, at, limit, after)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Changes a unit's name and/or parent from a month on (admin): the version in force then ends
/// the month before. E.g. Thị trấn Bố Hạ 07294 becomes Xã Bố Hạ under province 24 from 2025-07.
#[utoipa::path(post, path = "/api/v1/units/{code}/versions", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "07294")),
    request_body(content = UnitChange, description = "From which month, and the new name or parent"),
    responses((status = 200, description = "The unit with its new version", body = UnitView)))]
pub async fn change(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<UnitChange>,
) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    let change = Change {
        from: params::month_field(&body.from, "from")?,
        name: body.name.as_deref().map(UnitName::parse).transpose()?,
        parent: body.parent_code.as_deref().map(params::unit_code).transpose()?,
    };
    let view = state.run(move |conn, _| change_units::change(conn, &caller, &code, change)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Ends a unit after a month (admin). Units below it must be re-parented, merged or ended first.
#[utoipa::path(post, path = "/api/v1/units/{code}/end", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215")),
    request_body(content = UnitEnd, description = "The unit's last month"),
    responses((status = 200, description = "The unit, ended", body = UnitView)))]
pub async fn end(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<UnitEnd>,
) -> ApiResult<HttpResponse> {
    let (code, last) = (params::unit_code(&path)?, params::month_field(&body.last, "last")?);
    let view = state.run(move |conn, _| change_units::end(conn, &caller, &code, last)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Merges a unit into another from a month on (admin): it ends the month before, and its
/// history counts towards the successor. E.g. Xã Đông Sơn 07273 into Xã Bố Hạ 07294 from 2025-07.
#[utoipa::path(post, path = "/api/v1/units/{code}/merge", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Code of the unit that is absorbed", example = "07273")),
    request_body(content = UnitMerge, description = "The successor and the first month it carries this unit"),
    responses((status = 200, description = "The absorbed unit, ended, with its successor", body = UnitView)))]
pub async fn merge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<UnitMerge>,
) -> ApiResult<HttpResponse> {
    let (code, into) = (params::unit_code(&path)?, params::unit_code(&body.into)?);
    let effective = params::month_field(&body.effective_from, "effective_from")?;
    let view = state.run(move |conn, _| change_units::merge(conn, &caller, &code, &into, effective)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatoryBody {
    /// The name printed under the signature of the unit's official documents (the commune's
    /// chair, the head of the Interior Office); empty to clear it.
    #[schema(example = "Đặng Quý Hưng")]
    pub name: String,
}

/// Who signs a unit's official documents, if set.
#[utoipa::path(get, path = "/api/v1/units/{code}/signatory", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "07273")),
    responses((status = 200, description = "The name under the unit's signature", body = SignatoryView)))]
pub async fn signatory(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    let view = state.run(move |conn, _| signatory::get(conn, &caller, &code)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Sets who signs a unit's official documents (an admin, or the unit's own staff): the name
/// printed under *CHỦ TỊCH* in the commune's report, under the office head's title in the
/// consolidated report. An empty name clears it.
#[utoipa::path(put, path = "/api/v1/units/{code}/signatory", tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "07273")),
    request_body(content = SignatoryBody, description = "The signatory's name"),
    responses((status = 200, description = "The name now set", body = SignatoryView)))]
pub async fn set_signatory(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<SignatoryBody>,
) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    let view = state.run(move |conn, _| signatory::set(conn, &caller, &code, &body.name)).await?;
    Ok(HttpResponse::Ok().json(view))
}
