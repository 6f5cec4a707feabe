//! The indicator catalog as clients read it: what a report can contain, and the figures derived
//! from it.

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::Catalog;
use cchc_domain::catalog::Indicator;
use cchc_domain::derived::{DERIVED, Formula};

#[derive(Serialize, ToSchema)]
pub struct DerivedFigureView {
    pub code: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    /// `sum`, `ratio` (a share: 100 × numerator / denominator, never above 100) or `quotient`
    /// (numerator / denominator).
    pub formula: &'static str,
    /// For a sum: its terms; for a ratio or quotient: the numerator's terms.
    pub numerator: Vec<&'static str>,
    /// For a ratio or quotient: the denominator's terms.
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

pub fn catalog(catalog: &Catalog) -> CatalogView {
    let derived = DERIVED
        .iter()
        .map(|d| {
            let (formula, numerator, denominator) = match d.formula {
                Formula::Sum(parts) => ("sum", parts.to_vec(), Vec::new()),
                Formula::Ratio { numerator, denominator } => ("ratio", numerator.to_vec(), denominator.to_vec()),
                Formula::Quotient { numerator, denominator } => ("quotient", numerator.to_vec(), denominator.to_vec()),
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
    CatalogView { indicators: catalog.indicators().to_vec(), derived }
}
