//! A report written in Word (or typed as text) read into a form to check and file: its figures
//! with the sentence each came from, its narrative, the commune and month it names. Stores
//! nothing; the clerk files the form with a `PUT` after checking it.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::legacy_report::{self, Evidence};
use cchc_domain::validation::validate;
use cchc_domain::{Finding, Month, UnitCode};
use cchc_persistence::DbConnection;

use super::this_month;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

pub struct ImportReport {
    /// The document's text.
    pub text: String,
    /// The commune, when the caller says (else found from the document's words).
    pub commune: Option<UnitCode>,
    /// The month, when the caller says (else the title's or the closing sentence's).
    pub month: Option<Month>,
}

/// The form read from a report document, with where each figure came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedReport {
    /// The commune the document is from, among those the caller may see; null when it names
    /// none of them (or two).
    #[schema(value_type = Option<String>, example = "07273")]
    pub commune_code: Option<UnitCode>,
    /// The month reported on, `YYYY-MM`; null when the document does not say.
    #[schema(example = "2024-06")]
    pub period: Option<String>,
    /// The figures read, as a report `PUT` takes them; a figure not read with certainty is left out.
    #[schema(schema_with = crate::openapi::report_values)]
    pub values: BTreeMap<String, serde_json::Value>,
    /// The narrative sections (`direction`, `results`, `strengths`, `limitations`, `causes`,
    /// `next_month`), heading lines included.
    pub narrative: BTreeMap<String, String>,
    /// For every figure, the sentences or clauses it was read from (at least one each).
    pub evidence: Vec<Evidence>,
    /// Sentences that look like figures but were not read, or that contradict each other.
    pub unread: Vec<String>,
    /// What validation says about the form (as a `PUT` with `?dry_run=true&draft=true` would).
    pub findings: Vec<Finding>,
}

pub fn run(conn: &mut DbConnection, st: &AppState, caller: &Caller, cmd: ImportReport) -> ApiResult<ImportedReport> {
    caller.ensure_files_or_reviews()?;
    let reading = legacy_report::read(&cmd.text);
    let month = cmd.month.or(reading.period);
    let (at, now) = (month.unwrap_or_else(this_month), this_month());
    let topology = st.topology.get(conn, None)?;
    let commune = match cmd.commune {
        Some(code) => {
            caller.ensure_can_view(&code, &topology, at, now)?;
            Some(code)
        }
        None => {
            let tree = topology.at(at);
            let visible: Vec<_> = tree
                .communes_below(caller.unit())
                .into_iter()
                .filter(|n| caller.ensure_can_view(&n.code, &topology, at, now).is_ok())
                .collect();
            legacy_report::find_commune(&cmd.text, visible.iter().map(|n| (&n.code, n.name.as_str())))
        }
    };
    let form = reading.form();
    let findings = validate(&st.catalog.in_period(at), &form).findings;
    Ok(ImportedReport {
        commune_code: commune,
        period: month.map(|m| m.to_string()),
        values: reading.values,
        narrative: reading.narrative,
        evidence: reading.evidence,
        unread: reading.unread,
        findings,
    })
}
