//! Completeness and timeliness of the reports expected below a unit.

use std::collections::HashSet;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::timeliness::{Completeness, Filing, completeness};
use cchc_domain::{Month, Period, Principal, UnitCode};
use cchc_persistence::{DbConnection, reports};

use crate::auth::Caller;
use crate::error::{ApiResult, not_found};
use crate::params::{self, ForPeriod};
use crate::scope::ensure_can_view;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessView {
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    /// For a month: the day its report is due (configuration `CCHC_DUE_DAY`).
    pub due_date: Option<NaiveDate>,
    #[serde(flatten)]
    pub completeness: Completeness,
}

/// Expected, reported, on time, late and missing monthly reports of the communes below a unit:
/// each commune that exists in a month is expected to report it.
#[utoipa::path(get, path = "/api/v1/units/{code}/completeness", tag = "rankings", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), ForPeriod),
    responses(
        (status = 200, body = CompletenessView),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ForPeriod>,
) -> ApiResult<HttpResponse> {
    let code = params::unit_code(&path)?;
    let period: Period = params::period(&query.period)?;
    let st = state.clone();
    let view = state.db(move |conn| view(conn, &st, &caller, &code, period)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Completeness below a unit for a period (scope checked): what `GET
/// /api/v1/units/{code}/completeness` answers and the dashboard's completeness page shows.
pub fn view(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    code: &UnitCode,
    period: Period,
) -> ApiResult<CompletenessView> {
    let topology = st.topology.get(conn, None)?;
    ensure_can_view(caller, &topology, code, period.last_month())?;
    let name = topology
        .at(period.last_month())
        .get(code)
        .map(|n| n.name.clone())
        .ok_or_else(|| not_found(format!("unit {code} does not exist in {period}")))?;
    let months: Vec<Month> = period.months().collect();
    let mut expected: Vec<(UnitCode, String, Month)> = Vec::new();
    for m in &months {
        let tree = topology.at(*m);
        if tree.contains(code) {
            expected.extend(tree.communes_below(Some(code)).into_iter().map(|n| (n.code.clone(), n.name.clone(), *m)));
        }
    }
    let codes: Vec<&UnitCode> = expected.iter().map(|(c, _, _)| c).collect::<HashSet<_>>().into_iter().collect();
    let filings: Vec<Filing> = reports::figures(conn, &months, Some(&codes))?
        .into_iter()
        .map(|f| Filing { unit: f.unit_code, month: f.period, status: f.status, submitted_at: f.submitted_at })
        .collect();
    Ok(CompletenessView {
        unit_code: code.to_string(),
        unit_name: name,
        period: period.to_string(),
        due_date: period.as_month().ok().map(|m| st.calendar.due_date(&Period::Month(m))),
        completeness: completeness(&st.calendar, &expected, &filings),
    })
}
