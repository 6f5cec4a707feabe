//! The published working calendar: anyone signed in reads it (it decides every due date); an
//! admin publishes a day off or a make-up working day, or withdraws one. Each write and its
//! audit entry are one transaction; every instance sees it at its next request (the calendar is
//! cached under the database's epoch).

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::calendar::CalendarDay;
use cchc_persistence::connection::write_transaction;
use cchc_persistence::{DbConnection, audit, calendar_days};

use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Problem};

/// The published days of a year (or of every year), in date order.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// The year asked for; null for every year.
    pub year: Option<i32>,
    /// Days off on weekdays and make-up working days on weekends; every other Monday to Friday
    /// is a working day.
    pub days: Vec<CalendarDay>,
}

/// What a publication did.
pub enum Published {
    Created(CalendarDay),
    Replaced(CalendarDay),
}

pub fn list(conn: &mut DbConnection, year: Option<i32>) -> ApiResult<CalendarView> {
    let bounds = |y: i32| (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31));
    let (from, to) = year.map_or((None, None), bounds);
    Ok(CalendarView { year, days: calendar_days::list(conn, from, to)? })
}

fn audited(
    c: &mut DbConnection,
    caller: &Caller,
    action: &str,
    date: NaiveDate,
    details: serde_json::Value,
) -> ApiResult<()> {
    let entry = super::audit_entry(caller, action, "calendar_day", date.to_string(), None, details);
    Ok(audit::record(c, &entry, Utc::now())?)
}

pub fn publish(conn: &mut DbConnection, caller: &Caller, day: CalendarDay) -> ApiResult<Published> {
    caller.require_admin("only an admin publishes the working calendar")?;
    write_transaction(conn, |c| -> Result<_, AppError> {
        let previous = calendar_days::put(c, &day)?;
        let details = serde_json::json!({"kind": day.kind, "name": day.name, "previous": previous});
        audited(c, caller, "calendar.publish", day.date, details)?;
        Ok(if previous.is_some() { Published::Replaced(day) } else { Published::Created(day) })
    })
}

pub fn withdraw(conn: &mut DbConnection, caller: &Caller, date: NaiveDate) -> ApiResult<CalendarDay> {
    caller.require_admin("only an admin publishes the working calendar")?;
    write_transaction(conn, |c| -> Result<_, AppError> {
        let removed = calendar_days::delete(c, date)?
            .ok_or_else(|| Problem::NotFound.error(format!("{date} is not a published day")))?;
        audited(c, caller, "calendar.withdraw", date, serde_json::json!({"kind": removed.kind, "name": removed.name}))?;
        Ok(removed)
    })
}
