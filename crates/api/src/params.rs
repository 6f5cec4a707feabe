//! Parsing what arrives in paths and query strings into domain types, with problems that say
//! what was expected.

use serde::Deserialize;
use utoipa::IntoParams;

use cchc_domain::{Month, Period, UnitCode, UnitLevel};

use crate::app::paging;
use crate::error::{ApiResult, Problem};

/// A JSON body that must be an object. Serde's derived `Deserialize` also reads a struct from an
/// array (`[null, null]`), which the document does not allow; a body taken as a `Value` and read
/// here is held to the schema.
pub fn object<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> ApiResult<T> {
    if !body.is_object() {
        return Err(Problem::BadRequest.error("the body must be a JSON object"));
    }
    serde_json::from_value(body).map_err(|e| Problem::BadRequest.error(format!("the body could not be read: {e}")))
}

/// A request's JSON body of type `T`, which must be an object (see [`object`]); read through
/// the app's JSON configuration, so an unreadable body is the same problem as everywhere.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let json = actix_web::web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            object(value).map(Body).map_err(actix_web::Error::from)
        })
    }
}

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

pub fn unit_code(s: &str) -> ApiResult<UnitCode> {
    Ok(UnitCode::parse(s)?)
}

pub fn commune_code(s: &str) -> ApiResult<UnitCode> {
    let code = unit_code(s)?;
    if code.level() != UnitLevel::Commune {
        return Err(Problem::InvalidUnitCode
            .error(format!("`{s}` is a {} code; reports are filed by communes (5 digits)", code.level())));
    }
    Ok(code)
}

pub fn period(s: &str) -> ApiResult<Period> {
    Ok(Period::parse(s)?)
}

/// A month `YYYY-MM` (not a quarter or a year).
pub fn month(s: &str) -> ApiResult<Month> {
    Ok(period(s)?.as_month()?)
}

/// A month named in a body's field.
pub fn month_field(s: &str, field: &str) -> ApiResult<Month> {
    s.parse::<Month>().map_err(|e| Problem::InvalidPeriod.error(format!("{field}: {e}")))
}

/// An optional month named in a body's field.
pub fn optional_month(s: Option<&str>, field: &str) -> ApiResult<Option<Month>> {
    s.map(|s| month_field(s, field)).transpose()
}

/// A report month: `YYYY-MM`, not after the current month.
pub fn report_month(s: &str) -> ApiResult<Month> {
    Ok(month(s)?.ensure_not_after(crate::app::this_month())?)
}

/// A report's period: a month `YYYY-MM`, or a periodic report's quarter, half-year, nine months
/// or year, whose last month is not after the current month (a quarter is filed in its last
/// month, by its due day).
pub fn report_period(s: &str) -> ApiResult<Period> {
    let p = period(s)?;
    p.last_month().ensure_not_after(crate::app::this_month())?;
    Ok(p)
}

/// A day `YYYY-MM-DD` (years 1900–9999).
pub fn date(s: &str) -> ApiResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| s.len() == 10 && (1900..=9999).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| Problem::BadRequest.error(format!("`{s}` is not a date: use YYYY-MM-DD, e.g. 2024-04-29")))
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
    /// The month the tree is taken at.
    pub fn month(&self) -> ApiResult<Month> {
        Ok(self.period.as_deref().map(period).transpose()?.map_or_else(crate::app::this_month, |p| p.last_month()))
    }
}

/// `?period=` where a period is required.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForPeriod {
    /// A month (`2024-06`), quarter (`2024Q2`), half-year (`2024S1`), nine months (`2022M9`) or year (`2024`).
    pub period: String,
}

/// `?source=` for views of a longer period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceQuery {
    /// A longer period's figures: `months` (default) rolls up the monthly reports; `filed` reads
    /// the periodic reports filed for the period. A month reads its monthly reports either way.
    #[serde(default)]
    pub source: cchc_domain::periodic_report::FiguresSource,
}

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
        paging::limit(self.limit)
    }

    /// The position the cursor names, as the list's own key.
    pub fn after(&self) -> ApiResult<Option<String>> {
        self.cursor.as_deref().map(paging::decode_cursor).transpose()
    }
}
