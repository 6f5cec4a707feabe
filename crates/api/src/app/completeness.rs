//! Completeness and timeliness below a unit: each commune that exists in a month of the period
//! is expected to report it; who reported, on time or late, and who is missing.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::completeness::{Completeness, Filing, completeness};
use cchc_domain::{Month, Period, Principal, UnitCode};
use cchc_persistence::{DbConnection, reports};

use super::UnitPeriod;
use crate::error::ApiResult;
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

pub fn run(conn: &mut DbConnection, st: &AppState, caller: &Principal, q: &UnitPeriod) -> ApiResult<CompletenessView> {
    let (topology, unit) = super::unit_in_view(conn, st, caller, q)?;
    let (code, period) = (&q.code, q.period);
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
        unit_name: unit.name,
        period: period.to_string(),
        due_date: period.as_month().ok().map(|m| st.calendar.due_date(&Period::Month(m))),
        completeness: completeness(&st.calendar, &expected, &filings),
    })
}
