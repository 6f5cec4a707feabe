//! The working calendar: the published days off and make-up working days that decide every
//! due date and the working days a supplement pause counts.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use cchc_domain::calendar::{CalendarDay, DayKind};

use crate::app::calendar::{self, CalendarView, Published};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::params;
use crate::state::{AppState, RunOnDb};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Only the days of this year (e.g. 2024); every published day when absent.
    pub year: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayBody {
    /// `day_off` (the default: a weekday offices are closed) or `working_day` (a weekend day
    /// worked in exchange for a swap).
    pub kind: Option<DayKind>,
    /// As published, e.g. "Nghỉ bù Quốc khánh"; "Ngày nghỉ" or "Ngày làm bù" when absent.
    #[schema(example = "Nghỉ hoán đổi (làm bù thứ Bảy 4/5)")]
    pub name: Option<String>,
}

const DATE: &str = "The day, YYYY-MM-DD";

/// The published days: days off on weekdays and make-up working days on weekends. Every other
/// Monday to Friday is a working day; a report due on a day off is due on the next working day.
#[utoipa::path(get, path = "/api/v1/holidays", tag = "calendar", security(("bearer" = [])), params(YearQuery),
    responses((status = 200, description = "The published days, in date order", body = CalendarView)))]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<YearQuery>,
) -> ApiResult<HttpResponse> {
    let year = query.into_inner().year;
    if year.is_some_and(|y| !(1900..=9999).contains(&y)) {
        return Err(Problem::BadRequest.error("`year` is a year from 1900 to 9999"));
    }
    let view = state.run(move |conn, _| calendar::list(conn, year)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Publishes a day off or a make-up working day (admin), replacing what was published for the
/// date. Due dates follow at once, on every instance.
#[utoipa::path(put, path = "/api/v1/holidays/{date}", tag = "calendar", security(("bearer" = [])),
    params(("date" = String, Path, description = DATE, example = "2024-07-16")),
    request_body(content = DayBody, description = "The kind of day and its name"),
    responses((status = 201, description = "The day, newly published", body = CalendarDay),
        (status = 200, description = "The day, replacing what was published for the date", body = CalendarDay)))]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: params::Body<DayBody>,
) -> ApiResult<HttpResponse> {
    let date = params::date(&path.into_inner())?;
    let body = body.into_inner();
    let day = CalendarDay::new(date, body.kind.unwrap_or(DayKind::DayOff), body.name.as_deref())?;
    Ok(match state.run(move |conn, _| calendar::publish(conn, &caller, day)).await? {
        Published::Created(d) => {
            HttpResponse::Created().insert_header(("Location", format!("/api/v1/holidays/{}", d.date))).json(d)
        }
        Published::Replaced(d) => HttpResponse::Ok().json(d),
    })
}

/// Withdraws a published day (admin): the date is an ordinary day of its week again.
#[utoipa::path(delete, path = "/api/v1/holidays/{date}", tag = "calendar", security(("bearer" = [])),
    params(("date" = String, Path, description = DATE, example = "2024-07-16")),
    responses((status = 200, description = "The day withdrawn", body = CalendarDay)))]
pub async fn delete(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let date = params::date(&path.into_inner())?;
    let removed = state.run(move |conn, _| calendar::withdraw(conn, &caller, date)).await?;
    Ok(HttpResponse::Ok().json(removed))
}
