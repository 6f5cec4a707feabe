//! What validation says about a report: errors reject it, warnings travel with it to reviewers.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// A stable machine-readable code, e.g. `intake_outcome_mismatch`.
    pub code: String,
    pub severity: Severity,
    /// The indicators involved, in catalog order.
    pub indicators: Vec<String>,
    pub message_vi: String,
    pub message_en: String,
    /// A JSON pointer into the request when the finding is about something other than an
    /// indicator value (a narrative section, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Finding {
    pub fn error(code: &str, indicators: &[&str], message_vi: String, message_en: String) -> Finding {
        Finding::new(code, Severity::Error, indicators, message_vi, message_en)
    }

    pub fn warning(code: &str, indicators: &[&str], message_vi: String, message_en: String) -> Finding {
        Finding::new(code, Severity::Warning, indicators, message_vi, message_en)
    }

    fn new(code: &str, severity: Severity, indicators: &[&str], message_vi: String, message_en: String) -> Finding {
        Finding {
            code: code.to_owned(),
            severity,
            indicators: indicators.iter().map(|s| (*s).to_owned()).collect(),
            message_vi,
            message_en,
            path: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}
