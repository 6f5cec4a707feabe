//! The schemes the service ships and stores on a database that lacks them: `commune-par`, the
//! monthly PAR scorecard and the default of every view, and `qd766`, the groups of the
//! national index of QĐ 766/QĐ-TTg as far as a commune's monthly figures can feed them
//! (docs/scoring.md). Adding one never changes the default.

use super::{DEFAULT_SCHEME_CODE, DEFAULT_SCHEME_JSON};

pub const QD766_SCHEME_CODE: &str = "qd766";
pub const QD766_SCHEME_JSON: &str = include_str!("../../schemes/qd766-v1.json");

/// `(code, definition)` of every built-in scheme, the default first.
pub const BUILTIN_SCHEMES: &[(&str, &str)] =
    &[(DEFAULT_SCHEME_CODE, DEFAULT_SCHEME_JSON), (QD766_SCHEME_CODE, QD766_SCHEME_JSON)];

#[cfg(test)]
mod tests;
