//! The published days that differ from the Monday–Friday week (`calendar_days`).

use chrono::NaiveDate;
use diesel::prelude::*;

use cchc_domain::WorkingCalendar;
use cchc_domain::calendar::{CalendarDay, DayKind};

use crate::connection::DbConnection;
use crate::error::{DbError, DbResult};
use crate::schema::calendar_days;

const FORMAT: &str = "%Y-%m-%d";

fn decode((day, kind, name): (String, String, String)) -> DbResult<CalendarDay> {
    let date = NaiveDate::parse_from_str(&day, FORMAT)
        .map_err(|_| DbError::Corrupt(format!("calendar day `{day}` is not a date")))?;
    let kind = kind.parse::<DayKind>().map_err(DbError::Corrupt)?;
    Ok(CalendarDay { date, kind, name })
}

/// Every published day from `from` to `to` (inclusive; open ends when `None`), in date order.
pub fn list(conn: &mut DbConnection, from: Option<NaiveDate>, to: Option<NaiveDate>) -> DbResult<Vec<CalendarDay>> {
    let mut q = calendar_days::table.into_boxed();
    // 'YYYY-MM-DD' text orders as the dates do.
    if let Some(f) = from {
        q = q.filter(calendar_days::day.ge(f.format(FORMAT).to_string()));
    }
    if let Some(t) = to {
        q = q.filter(calendar_days::day.le(t.format(FORMAT).to_string()));
    }
    let rows: Vec<(String, String, String)> = q
        .select((calendar_days::day, calendar_days::kind, calendar_days::name))
        .order(calendar_days::day)
        .load(conn)?;
    rows.into_iter().map(decode).collect()
}

/// The working calendar the published days make.
pub fn working_calendar(conn: &mut DbConnection) -> DbResult<WorkingCalendar> {
    Ok(WorkingCalendar::new(list(conn, None, None)?.into_iter().map(|d| (d.date, d.kind))))
}

pub fn get(conn: &mut DbConnection, date: NaiveDate) -> DbResult<Option<CalendarDay>> {
    let row: Option<(String, String, String)> = calendar_days::table
        .find(date.format(FORMAT).to_string())
        .select((calendar_days::day, calendar_days::kind, calendar_days::name))
        .first(conn)
        .optional()?;
    row.map(decode).transpose()
}

/// Stores a day, replacing what was stored for its date; returns what it replaced.
pub fn put(conn: &mut DbConnection, day: &CalendarDay) -> DbResult<Option<CalendarDay>> {
    let previous = get(conn, day.date)?;
    let key = day.date.format(FORMAT).to_string();
    if previous.is_some() {
        diesel::update(calendar_days::table.find(&key))
            .set((calendar_days::kind.eq(day.kind.as_str()), calendar_days::name.eq(&day.name)))
            .execute(conn)?;
    } else {
        diesel::insert_into(calendar_days::table)
            .values((
                calendar_days::day.eq(&key),
                calendar_days::kind.eq(day.kind.as_str()),
                calendar_days::name.eq(&day.name),
            ))
            .execute(conn)?;
    }
    Ok(previous)
}

/// Removes a day; returns what was stored, if anything.
pub fn delete(conn: &mut DbConnection, date: NaiveDate) -> DbResult<Option<CalendarDay>> {
    let previous = get(conn, date)?;
    if previous.is_some() {
        diesel::delete(calendar_days::table.find(date.format(FORMAT).to_string())).execute(conn)?;
    }
    Ok(previous)
}
