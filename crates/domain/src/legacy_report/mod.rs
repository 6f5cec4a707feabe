//! The Word report of the old chain, read back into a form: every commune wrote its monthly CCHC
//! report as a document like the seed, and districts re-typed its figures. Reading one gives the
//! figures with the sentence each came from (`figures`), the narrative cut at the report's
//! headings, the month it reports on and the commune that wrote it. Where a figure is not
//! certain it is left out and its sentence listed as unread: a wrong figure is worse than a
//! missing one.

mod figures;
mod layout;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::period::Month;
use crate::report::RawForm;
use crate::units::UnitCode;

pub use layout::{Layout, find_period};

/// A figure and the sentence (or clause) it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub indicator: String,
    pub text: String,
}

/// What a report's text says, as far as it can be read with certainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Indicator code → figure (a number or yes/no); every one has evidence.
    pub values: BTreeMap<String, serde_json::Value>,
    /// Narrative section key → its text, heading lines included.
    pub narrative: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    /// Sentences that look like figures but were not read (or contradicted each other).
    pub unread: Vec<String>,
    /// The month reported on, from the title or the closing sentence.
    pub period: Option<Month>,
}

impl Reading {
    /// The form a `PUT` of the report would carry.
    pub fn form(&self) -> RawForm {
        RawForm {
            values: self.values.clone(),
            narrative: self.narrative.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect(),
        }
    }
}

/// Reads a report's text (as typed, or as extracted from a Word file).
pub fn read(text: &str) -> Reading {
    let layout = Layout::of(text);
    let figures = figures::read(&layout.stated_text());
    Reading {
        values: figures.values,
        narrative: layout.narrative(),
        evidence: figures.evidence,
        unread: figures.unread,
        period: layout.period(),
    }
}

/// The commune whose report this is, among `candidates` (code, name as in the unit tree, e.g.
/// "Xã Đông Sơn"): the one whose full name the document uses most often — *UBND xã Đông Sơn*,
/// *PHƯỜNG ĐA MAI*, the closing *… của UBND xã …*. None when no name appears, or when two
/// appear as often (two communes of one name in the caller's scope, or a report naming two).
pub fn find_commune<'a>(text: &str, candidates: impl IntoIterator<Item = (&'a UnitCode, &'a str)>) -> Option<UnitCode> {
    let haystack = layout::folded(text);
    let mut best: Option<(usize, &UnitCode)> = None;
    let mut tie = false;
    for (code, name) in candidates {
        let needle = layout::folded(name);
        let count = layout::count_words(&haystack, &needle);
        if count == 0 {
            continue;
        }
        match best {
            Some((n, c)) if n == count && c != code => tie = true,
            Some((n, _)) if n >= count => {}
            _ => {
                best = Some((count, code));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(_, c)| c.clone()) }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod variants;
