use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::catalog::Indicator;
use cchc_domain::derived::{DERIVED, Formula};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct DerivedFigureView {
    pub code: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    /// `sum` or `ratio` (100 × numerator / denominator).
    pub formula: &'static str,
    /// For a sum: its terms; for a ratio: the numerator's terms.
    pub numerator: Vec<&'static str>,
    /// For a ratio: the denominator's terms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denominator: Vec<&'static str>,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogView {
    /// What a report can contain, in the order of the form.
    pub indicators: Vec<Indicator>,
    /// Figures computed from the indicators, for reports and aggregates alike.
    pub derived: Vec<DerivedFigureView>,
}

/// The indicator catalog: codes, Vietnamese and English labels, types, and how each figure
/// aggregates across units and months.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", security(("bearer" = [])),
    responses(
        (status = 200, body = CatalogView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let derived = DERIVED
        .iter()
        .map(|d| {
            let (formula, numerator, denominator) = match d.formula {
                Formula::Sum(parts) => ("sum", parts.to_vec(), Vec::new()),
                Formula::Ratio { numerator, denominator } => ("ratio", numerator.to_vec(), denominator.to_vec()),
            };
            DerivedFigureView {
                code: d.code,
                label_vi: d.label_vi,
                label_en: d.label_en,
                formula,
                numerator,
                denominator,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CatalogView { indicators: state.catalog.indicators().to_vec(), derived }))
}
