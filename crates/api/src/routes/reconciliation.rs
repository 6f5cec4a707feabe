//! Each commune's own dossier figures beside those derived from the portal's records.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::portal;
use cchc_domain::{Period, UnitCode, Values};
use cchc_persistence::{dossiers, reports};

use crate::auth::Caller;
use crate::error::{ApiResult, bad_request, not_found};
use crate::filing::reconcile;
use crate::params::{self, ForPeriod};
use crate::scope::ensure_can_view;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationEntry {
    pub unit_code: String,
    pub unit_name: String,
    pub indicator: String,
    /// The commune's own figure (its counted report); null when not reported.
    pub reported: Option<i64>,
    /// The figure derived from the portal's dossier records; null when the portal sent none
    /// for the commune.
    pub portal: Option<i64>,
    /// reported − portal; null when either is missing.
    pub difference: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationView {
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    /// Communes with at least one difference.
    pub communes_with_differences: usize,
    pub entries: Vec<ReconciliationEntry>,
}

/// Compares each commune's reported Biểu 06 figures (and digitised and paid-online counts) with
/// those derived from the portal's dossier records for the same month and data window.
#[utoipa::path(get, path = "/api/v1/units/{code}/reconciliation", tag = "portal", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code", example = "215"), ForPeriod),
    responses(
        (status = 200, body = ReconciliationView),
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
    let month = match params::period(&query.period)? {
        Period::Month(m) => m,
        other => return Err(bad_request(format!("reconciliation is by month, not {other}"))),
    };
    let st = state.clone();
    let view = state
        .db(move |conn| {
            let topology = st.topology.get(conn, None)?;
            ensure_can_view(&caller, &topology, &code, month)?;
            let tree = topology.at(month);
            let name = tree
                .get(&code)
                .map(|n| n.name.clone())
                .ok_or_else(|| not_found(format!("unit {code} does not exist in {month}")))?;
            let communes: Vec<(UnitCode, String)> =
                tree.communes_below(Some(&code)).into_iter().map(|n| (n.code.clone(), n.name.clone())).collect();
            let codes: Vec<&UnitCode> = communes.iter().map(|(c, _)| c).collect();
            let (start, end) = st.calendar.window(month);
            let records = dossiers::for_window(conn, &codes, start, end)?;
            let reported: std::collections::HashMap<UnitCode, Values> = reports::figures(conn, &[month], Some(&codes))?
                .into_iter()
                .filter(|f| f.status.counts())
                .map(|f| (f.unit_code, f.values))
                .collect();
            let mut entries = Vec::new();
            let mut with_differences = 0;
            for (c, n) in &communes {
                let own: Vec<_> = records.iter().filter(|d| &d.unit == c).cloned().collect();
                // No records from the portal for this commune: nothing to compare with.
                let derived = if own.is_empty() { Values::new() } else { portal::figures(&own, month, &st.calendar) };
                let empty = Values::new();
                let rows = reconcile(reported.get(c).unwrap_or(&empty), &derived);
                let mut differs = false;
                for (indicator, r, p) in rows {
                    let difference = r.zip(p).map(|(r, p)| r - p);
                    differs |= difference.is_some_and(|d| d != 0);
                    entries.push(ReconciliationEntry {
                        unit_code: c.to_string(),
                        unit_name: n.clone(),
                        indicator: indicator.to_owned(),
                        reported: r,
                        portal: p,
                        difference,
                    });
                }
                with_differences += usize::from(differs);
            }
            Ok(ReconciliationView {
                unit_code: code.to_string(),
                unit_name: name,
                period: month.to_string(),
                communes_with_differences: with_differences,
                entries,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
