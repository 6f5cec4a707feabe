//! Parsing what arrives in paths and query strings into domain types, with problems that say
//! what was expected.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use cchc_domain::{Month, Period, UnitCode, UnitLevel};

use crate::error::{ApiResult, bad_request};

pub fn unit_code(s: &str) -> ApiResult<UnitCode> {
    UnitCode::parse(s).map_err(|e| bad_request(e.to_string()))
}

pub fn commune_code(s: &str) -> ApiResult<UnitCode> {
    let code = unit_code(s)?;
    if code.level() != UnitLevel::Commune {
        return Err(bad_request(format!("`{s}` is a {} code; reports are filed by communes (5 digits)", code.level())));
    }
    Ok(code)
}

pub fn period(s: &str) -> ApiResult<Period> {
    Period::parse(s).map_err(|e| bad_request(e.to_string()))
}

/// The current month in Vietnam.
pub fn current_month() -> Month {
    Month::current(Utc::now())
}

/// A report month: `YYYY-MM`, not after the current month.
pub fn report_month(s: &str) -> ApiResult<Month> {
    let p = period(s)?;
    let m = p.as_month().map_err(|e| bad_request(e.to_string()))?;
    m.ensure_not_after(current_month()).map_err(|e| bad_request(e.to_string()))
}

/// `?period=` for views of one point in time; today when absent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtPeriod {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`); the unit
    /// tree is taken as of its last month. Defaults to the current month.
    pub period: Option<String>,
}

impl AtPeriod {
    pub fn parse(&self) -> ApiResult<Option<Period>> {
        self.period.as_deref().map(period).transpose()
    }
}

/// `?period=` where a period is required.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForPeriod {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`) or year (`2024`).
    pub period: String,
}

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;

/// Paging for lists: `limit` (default 100, at most 1000) and the opaque `cursor` of a previous
/// page's `next`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// How many items to return (1–1000, default 100).
    pub limit: Option<usize>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

impl Paging {
    pub fn limit(&self) -> ApiResult<usize> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(n) => Err(bad_request(format!("limit must be between 1 and {MAX_LIMIT}, not {n}"))),
        }
    }

    /// The position the cursor names, as the list's own key.
    pub fn after(&self) -> ApiResult<Option<String>> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{key}"))
}

pub fn decode_cursor(cursor: &str) -> ApiResult<String> {
    let bad = || bad_request("the cursor is not one this server issued; start again without it");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix("v1:").map(str::to_owned).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor("07273")).unwrap(), "07273");
        assert!(decode_cursor("not-a-cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("v2:x")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        let p = |limit| Paging { limit, cursor: None };
        assert_eq!(p(None).limit().unwrap(), 100);
        assert_eq!(p(Some(1000)).limit().unwrap(), 1000);
        assert!(p(Some(0)).limit().is_err());
        assert!(p(Some(1001)).limit().is_err());
    }
}
