//! Conversions between stored text and domain types. Stored data that no longer parses is
//! reported as corrupt rather than silently skipped.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use cchc_domain::{Month, Period, UnitCode};

use crate::error::DbError;

pub fn unit_code(s: &str) -> Result<UnitCode, DbError> {
    UnitCode::parse(s).map_err(|e| DbError::Corrupt(e.to_string()))
}

pub fn month(s: &str) -> Result<Month, DbError> {
    s.parse().map_err(|e: cchc_domain::period::PeriodError| DbError::Corrupt(e.to_string()))
}

pub fn period(s: &str) -> Result<Period, DbError> {
    s.parse().map_err(|e: cchc_domain::period::PeriodError| DbError::Corrupt(e.to_string()))
}

pub fn opt_month(s: Option<&str>) -> Result<Option<Month>, DbError> {
    s.map(month).transpose()
}

/// A unit-only enum (`Role`, `IndicatorKind`, …) as its serde name.
pub fn enum_str<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("a unit enum serializes to a string, got {other:?}"),
    }
}

pub fn parse_enum<T: DeserializeOwned>(s: &str) -> Result<T, DbError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| DbError::Corrupt(format!("`{s}`: {e}")))
}

pub fn json<T: Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError::Corrupt(e.to_string()))
}

pub fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, DbError> {
    Ok(serde_json::from_str(s)?)
}

/// A time as both backends store it: PostgreSQL keeps microseconds, so what a write returns
/// must not carry more than a later read will.
pub fn storable(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// Timestamps are stored as UTC without a zone (the one timestamp type both backends share).
pub fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}
