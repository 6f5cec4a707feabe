//! Which stored scheme versions exist for whom: a code belongs to one owner (the national
//! administration or one province), versions follow one another, and a view of a month uses
//! the latest version valid then unless a version is named.

use crate::period::Month;
use crate::units::UnitCode;

use super::DEFAULT_SCHEME_CODE;

/// A stored version's identity and validity, without its definition: what choosing one needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeRef {
    pub id: i64,
    pub code: String,
    pub version: i32,
    /// The province that owns it; `None` for a national scheme.
    pub owner: Option<UnitCode>,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
}

impl SchemeRef {
    pub fn applies_to(&self, m: Month) -> bool {
        self.valid_from.is_none_or(|f| f <= m) && self.valid_to.is_none_or(|t| m <= t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemeError {
    /// The owner is not named: who owns a code is the owner's business.
    #[error("scheme code `{code}` is taken by another owner; choose another code")]
    OwnedByOther { code: String, owner: Option<UnitCode> },
    #[error("scheme `{code}` would be version {next}, not {expected}: another version was added meanwhile")]
    NotNext { code: String, next: i32, expected: i32 },
    #[error("`{0}`: use code or code@version")]
    BadName(String),
    #[error("there is no scoring scheme `{0}` you may use")]
    Unknown(String),
    #[error("scheme `{code}` has no version {version}")]
    NoSuchVersion { code: String, version: i32 },
    #[error("no version of scheme `{code}` applies to {month}")]
    NoneApplies { code: String, month: Month },
}

/// The version an upload of `code` by `owner` becomes, given the stored `(version, owner)` of the
/// code; `expected`, when the upload names one, must be that version (optimistic concurrency).
pub fn next_version(
    code: &str,
    stored: &[(i32, Option<UnitCode>)],
    owner: Option<&UnitCode>,
    expected: Option<i32>,
) -> Result<i32, SchemeError> {
    if let Some((_, first)) = stored.first()
        && first.as_ref() != owner
    {
        return Err(SchemeError::OwnedByOther { code: code.to_owned(), owner: first.clone() });
    }
    let next = stored.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1;
    match expected {
        Some(e) if e != next => Err(SchemeError::NotNext { code: code.to_owned(), next, expected: e }),
        _ => Ok(next),
    }
}

/// The versions that score a report of `month` from a commune of `province`: national ones and
/// the province's own, valid in the month.
pub fn applicable(refs: &[SchemeRef], month: Month, province: Option<&UnitCode>) -> Vec<SchemeRef> {
    refs.iter()
        .filter(|r| r.applies_to(month) && (r.owner.is_none() || r.owner.as_ref() == province))
        .cloned()
        .collect()
}

/// The version a view of `month` uses: `name` is `code` or `code@version` (default: the
/// built-in scheme); without a version, the latest valid in the month. `visible` says which
/// versions the caller may use.
pub fn choose(
    refs: &[SchemeRef],
    name: Option<&str>,
    month: Month,
    visible: impl Fn(&SchemeRef) -> bool,
) -> Result<SchemeRef, SchemeError> {
    let name = name.unwrap_or(DEFAULT_SCHEME_CODE);
    let (code, version) = match name.split_once('@') {
        Some((c, v)) => (c, Some(v.parse::<i32>().map_err(|_| SchemeError::BadName(name.to_owned()))?)),
        None => (name, None),
    };
    let candidates: Vec<&SchemeRef> = refs.iter().filter(|r| r.code == code && visible(r)).collect();
    if candidates.is_empty() {
        return Err(SchemeError::Unknown(code.to_owned()));
    }
    match version {
        Some(v) => candidates
            .into_iter()
            .find(|r| r.version == v)
            .cloned()
            .ok_or_else(|| SchemeError::NoSuchVersion { code: code.to_owned(), version: v }),
        None => candidates
            .into_iter()
            .filter(|r| r.applies_to(month))
            .max_by_key(|r| r.version)
            .cloned()
            .ok_or_else(|| SchemeError::NoneApplies { code: code.to_owned(), month }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::code;

    fn r(id: i64, c: &str, version: i32, owner: Option<&str>, from: Option<&str>) -> SchemeRef {
        SchemeRef {
            id,
            code: c.into(),
            version,
            owner: owner.map(code),
            valid_from: from.map(|m| m.parse().unwrap()),
            valid_to: None,
        }
    }

    #[test]
    fn versions_follow_one_another_under_one_owner() {
        let stored = [(1, Some(code("24"))), (2, Some(code("24")))];
        assert_eq!(next_version("bg", &stored, Some(&code("24")), None), Ok(3));
        assert_eq!(next_version("bg", &stored, Some(&code("24")), Some(3)), Ok(3));
        assert_eq!(
            next_version("bg", &stored, Some(&code("24")), Some(2)).unwrap_err().to_string(),
            "scheme `bg` would be version 3, not 2: another version was added meanwhile"
        );
        assert_eq!(
            next_version("bg", &stored, None, None).unwrap_err().to_string(),
            "scheme code `bg` is taken by another owner; choose another code"
        );
        assert_eq!(next_version("new", &[], None, Some(1)), Ok(1));
    }

    #[test]
    fn a_view_uses_the_latest_version_valid_in_its_month() {
        let refs = [
            r(1, "commune-par", 1, None, None),
            r(2, "commune-par", 2, None, Some("2025-01")),
            r(3, "bg", 1, Some("24"), None),
        ];
        let m = |s: &str| s.parse::<Month>().unwrap();
        let all = |_: &SchemeRef| true;
        assert_eq!(choose(&refs, None, m("2024-06"), all).unwrap().id, 1);
        assert_eq!(choose(&refs, None, m("2025-06"), all).unwrap().id, 2);
        assert_eq!(choose(&refs, Some("commune-par@1"), m("2025-06"), all).unwrap().id, 1);
        assert_eq!(
            choose(&refs, Some("commune-par@x"), m("2025-06"), all),
            Err(SchemeError::BadName("commune-par@x".into()))
        );
        assert_eq!(
            choose(&refs, Some("bg"), m("2025-06"), |s| s.owner.is_none()),
            Err(SchemeError::Unknown("bg".into()))
        );
        assert_eq!(applicable(&refs, m("2024-06"), Some(&code("24"))).len(), 2);
        assert_eq!(applicable(&refs, m("2025-06"), Some(&code("27"))).iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2]);
    }
}
