//! What a change to the tree of units may do — create a unit, start a new version of it (a new
//! name or parent), end it, merge it into another — given what is stored. Each check answers
//! what to write, or why not; the application writes it.

use crate::period::Month;
use crate::units::{UnitCode, UnitLevel, UnitName};

use super::{Merge, UnitVersion, exists_throughout};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HierarchyError {
    #[error("there is no unit {0}")]
    NoSuchUnit(UnitCode),
    #[error("unit {0} already exists")]
    Exists(UnitCode),
    #[error("{}", parent_rule(*level, *parent))]
    ParentLevel { level: UnitLevel, parent: Option<UnitLevel> },
    #[error("parent unit {0} does not exist")]
    NoParent(UnitCode),
    #[error("parent unit {parent} does not exist throughout {} – {}", span(*from, "the beginning"), span(*to, "now"))]
    ParentNotThroughout { parent: UnitCode, from: Option<Month>, to: Option<Month> },
    #[error("unit {code} does not exist in {month}")]
    NotInMonth { code: UnitCode, month: Month },
    #[error("a version of unit {code} already starts in {month}")]
    VersionExists { code: UnitCode, month: Month },
    #[error("unit {code} has reports after {last} ({}): they would be lost to every view", list(periods))]
    ReportsAfter { code: UnitCode, last: Month, periods: Vec<Month> },
    #[error("units {} are still below {code} after {last}: re-parent, merge or end them first", list(children))]
    ChildrenAfter { code: UnitCode, last: Month, children: Vec<UnitCode> },
    #[error("unit {code} has versions starting after {last}")]
    VersionsAfter { code: UnitCode, last: Month },
    #[error("a unit cannot merge into itself")]
    SelfMerge,
    #[error("a {absorbed} cannot merge into a {successor}")]
    LevelMismatch { absorbed: UnitLevel, successor: UnitLevel },
    #[error("successor {successor} does not exist in {effective}")]
    SuccessorMissing { successor: UnitCode, effective: Month },
    #[error("unit {absorbed} does not exist in {last}, the month before the merger")]
    AbsorbedMissing { absorbed: UnitCode, last: Month },
    #[error("{successor} already merged into {absorbed}")]
    Circular { absorbed: UnitCode, successor: UnitCode },
    #[error("unit {absorbed} already merged into {successor} from {effective}")]
    AlreadyMerged { absorbed: UnitCode, successor: UnitCode, effective: Month },
}

fn span(m: Option<Month>, open: &str) -> String {
    m.map(|m| m.to_string()).unwrap_or_else(|| open.to_owned())
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

fn parent_rule(level: UnitLevel, parent: Option<UnitLevel>) -> String {
    match parent {
        None => format!("a {level} needs a parent unit"),
        Some(_) if level == UnitLevel::Province => "a province has no parent unit".to_owned(),
        Some(p) => format!("a {level} cannot sit below a {p}"),
    }
}

/// Whether `parent` may sit above a unit of `level`: a province has no parent; a district sits in
/// a province; a commune in a district or, since July 2025, directly in a province.
pub fn check_parent(level: UnitLevel, parent: Option<&UnitCode>) -> Result<(), HierarchyError> {
    let parent = parent.map(UnitCode::level);
    match (level, parent) {
        (UnitLevel::Province, None)
        | (UnitLevel::District, Some(UnitLevel::Province))
        | (UnitLevel::Commune, Some(UnitLevel::District | UnitLevel::Province)) => Ok(()),
        _ => Err(HierarchyError::ParentLevel { level, parent }),
    }
}

/// A version's parent must exist in every month the version does.
pub fn check_parent_throughout(v: &UnitVersion, parent_versions: &[UnitVersion]) -> Result<(), HierarchyError> {
    let Some(parent) = &v.parent else { return Ok(()) };
    if parent_versions.is_empty() {
        return Err(HierarchyError::NoParent(parent.clone()));
    }
    let refs: Vec<&UnitVersion> = parent_versions.iter().collect();
    if !exists_throughout(&refs, v.valid_from, v.valid_to) {
        return Err(HierarchyError::ParentNotThroughout { parent: parent.clone(), from: v.valid_from, to: v.valid_to });
    }
    Ok(())
}

/// A new unit: its code must be free and its parent exist throughout its dates.
pub fn check_create(
    first: &UnitVersion,
    code_taken: bool,
    parent_versions: &[UnitVersion],
) -> Result<(), HierarchyError> {
    if code_taken {
        return Err(HierarchyError::Exists(first.code.clone()));
    }
    check_parent(first.level, first.parent.as_ref())?;
    check_parent_throughout(first, parent_versions)
}

/// A change of name and/or parent from `from` on (Thị trấn Bố Hạ becomes Xã Bố Hạ under province
/// 24 from 2025-07): which stored version ends the month before, and the version that starts.
/// The new parent's dates are checked with [`check_parent_throughout`] once it is loaded.
pub fn plan_change(
    code: &UnitCode,
    versions: &[UnitVersion],
    from: Month,
    name: Option<&UnitName>,
    parent: Option<&UnitCode>,
) -> Result<(usize, UnitVersion), HierarchyError> {
    if versions.is_empty() {
        return Err(HierarchyError::NoSuchUnit(code.clone()));
    }
    let (index, current) = versions
        .iter()
        .enumerate()
        .find(|(_, v)| v.is_valid_at(from))
        .ok_or_else(|| HierarchyError::NotInMonth { code: code.clone(), month: from })?;
    if current.valid_from == Some(from) {
        return Err(HierarchyError::VersionExists { code: code.clone(), month: from });
    }
    let mut next = current.clone();
    if let Some(n) = name {
        next.name = n.as_str().to_owned();
    }
    if let Some(p) = parent {
        next.parent = Some(p.clone());
    }
    check_parent(next.level, next.parent.as_ref())?;
    next.valid_from = Some(from);
    Ok((index, next))
}

/// Ending a unit after `last` (Huyện Yên Thế ends 2025-06): nothing may hang below it or be
/// reported by it later. Returns the version whose end moves to `last`, if any.
pub fn check_end(
    code: &UnitCode,
    versions: &[UnitVersion],
    last: Month,
    reports_after: &[Month],
    child_versions: &[UnitVersion],
) -> Result<Option<usize>, HierarchyError> {
    if versions.is_empty() {
        return Err(HierarchyError::NoSuchUnit(code.clone()));
    }
    if !reports_after.is_empty() {
        return Err(HierarchyError::ReportsAfter { code: code.clone(), last, periods: reports_after.to_vec() });
    }
    let mut children: Vec<UnitCode> = child_versions
        .iter()
        .filter(|v| v.parent.as_ref() == Some(code) && v.valid_to.is_none_or(|t| t > last))
        .map(|v| v.code.clone())
        .collect();
    children.sort();
    children.dedup();
    if !children.is_empty() {
        return Err(HierarchyError::ChildrenAfter { code: code.clone(), last, children });
    }
    let (index, current) = versions
        .iter()
        .enumerate()
        .find(|(_, v)| v.is_valid_at(last))
        .ok_or_else(|| HierarchyError::NotInMonth { code: code.clone(), month: last })?;
    if versions.iter().any(|v| v.valid_from.is_some_and(|f| f > last)) {
        return Err(HierarchyError::VersionsAfter { code: code.clone(), last });
    }
    Ok(current.valid_to.is_none_or(|t| t > last).then_some(index))
}

/// `absorbed` merging into `successor` from `effective`: both exist on their side of the
/// merger, at the same level, and neither has already merged into the other. Ending the absorbed
/// unit is checked with [`check_end`].
pub fn check_merge(
    absorbed: &UnitCode,
    successor: &UnitCode,
    effective: Month,
    absorbed_versions: &[UnitVersion],
    successor_versions: &[UnitVersion],
    merges: &[Merge],
) -> Result<(), HierarchyError> {
    if absorbed == successor {
        return Err(HierarchyError::SelfMerge);
    }
    if let Some(m) = merges.iter().find(|m| &m.absorbed == absorbed) {
        return Err(HierarchyError::AlreadyMerged {
            absorbed: absorbed.clone(),
            successor: m.successor.clone(),
            effective: m.effective,
        });
    }
    if absorbed.level() != successor.level() {
        return Err(HierarchyError::LevelMismatch { absorbed: absorbed.level(), successor: successor.level() });
    }
    if !successor_versions.iter().any(|v| v.is_valid_at(effective)) {
        return Err(HierarchyError::SuccessorMissing { successor: successor.clone(), effective });
    }
    let last = effective.previous();
    if !absorbed_versions.iter().any(|v| v.is_valid_at(last)) {
        return Err(HierarchyError::AbsorbedMissing { absorbed: absorbed.clone(), last });
    }
    if merges.iter().any(|m| &m.absorbed == successor && &m.successor == absorbed) {
        return Err(HierarchyError::Circular { absorbed: absorbed.clone(), successor: successor.clone() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::{bac_giang, code, m, version};

    fn of(units: &[UnitVersion], c: &str) -> Vec<UnitVersion> {
        units.iter().filter(|v| v.code.as_str() == c).cloned().collect()
    }

    #[test]
    fn parents_must_be_above() {
        assert!(check_parent(UnitLevel::Province, None).is_ok());
        assert!(check_parent(UnitLevel::District, Some(&code("24"))).is_ok());
        assert!(check_parent(UnitLevel::Commune, Some(&code("215"))).is_ok());
        assert!(check_parent(UnitLevel::Commune, Some(&code("24"))).is_ok(), "after the 2025 reform");
        let msg = |l, p: Option<&str>| check_parent(l, p.map(code).as_ref()).unwrap_err().to_string();
        assert_eq!(msg(UnitLevel::Commune, None), "a commune needs a parent unit");
        assert_eq!(msg(UnitLevel::District, Some("07273")), "a district cannot sit below a commune");
        assert_eq!(msg(UnitLevel::Province, Some("24")), "a province has no parent unit");
    }

    #[test]
    fn a_new_unit_needs_a_free_code_and_a_parent_that_lasts() {
        let units = bac_giang();
        let new = version("07999", "Xã Mới", Some("215"), None, None);
        assert_eq!(check_create(&new, true, &of(&units, "215")), Err(HierarchyError::Exists(code("07999"))));
        assert_eq!(
            check_create(&new, false, &of(&units, "215")).unwrap_err().to_string(),
            "parent unit 215 does not exist throughout the beginning – now"
        );
        let until = version("07999", "Xã Mới", Some("215"), None, Some("2025-06"));
        assert_eq!(check_create(&until, false, &of(&units, "215")), Ok(()));
        assert_eq!(check_create(&new, false, &[]), Err(HierarchyError::NoParent(code("215"))));
    }

    #[test]
    fn a_change_ends_the_version_in_force_and_starts_another() {
        let units = bac_giang();
        let name = UnitName::parse("Xã Bố Hạ mới").unwrap();
        let (i, next) = plan_change(&code("07300"), &of(&units, "07300"), m("2025-07"), Some(&name), None).unwrap();
        assert_eq!(i, 0);
        assert_eq!((next.name.as_str(), next.valid_from), ("Xã Bố Hạ mới", Some(m("2025-07"))));
        let bo_ha = of(&units, "07294");
        assert_eq!(
            plan_change(&code("07294"), &bo_ha, m("2025-07"), Some(&name), None),
            Err(HierarchyError::VersionExists { code: code("07294"), month: m("2025-07") })
        );
        assert_eq!(
            plan_change(&code("07273"), &of(&units, "07273"), m("2025-08"), Some(&name), None),
            Err(HierarchyError::NotInMonth { code: code("07273"), month: m("2025-08") })
        );
        assert!(matches!(
            plan_change(&code("07300"), &of(&units, "07300"), m("2025-07"), None, Some(&code("07273"))),
            Err(HierarchyError::ParentLevel { .. })
        ));
        assert_eq!(
            plan_change(&code("01"), &[], m("2025-07"), None, None),
            Err(HierarchyError::NoSuchUnit(code("01")))
        );
    }

    #[test]
    fn ending_a_unit_leaves_nothing_behind() {
        let units = bac_giang();
        let yen_the = of(&units, "215");
        assert_eq!(check_end(&code("215"), &yen_the, m("2025-06"), &[], &units), Ok(None), "already ends then");
        let tan_yen = of(&units, "216");
        assert_eq!(
            check_end(&code("216"), &tan_yen, m("2025-06"), &[], &units).unwrap_err().to_string(),
            "units 07300 are still below 216 after 2025-06: re-parent, merge or end them first"
        );
        assert_eq!(
            check_end(&code("07300"), &of(&units, "07300"), m("2025-06"), &[m("2025-07"), m("2025-08")], &units)
                .unwrap_err()
                .to_string(),
            "unit 07300 has reports after 2025-06 (2025-07, 2025-08): they would be lost to every view"
        );
        assert_eq!(check_end(&code("07300"), &of(&units, "07300"), m("2025-06"), &[], &units), Ok(Some(0)));
        assert_eq!(
            check_end(&code("07294"), &of(&units, "07294"), m("2025-03"), &[], &units),
            Err(HierarchyError::VersionsAfter { code: code("07294"), last: m("2025-03") })
        );
    }

    #[test]
    fn a_merger_joins_two_existing_units_of_one_level_once() {
        let units = bac_giang();
        let (dong_son, bo_ha) = (of(&units, "07273"), of(&units, "07294"));
        let july = m("2025-07");
        assert_eq!(check_merge(&code("07273"), &code("07294"), july, &dong_son, &bo_ha, &[]), Ok(()));
        let done = [Merge { absorbed: code("07273"), successor: code("07294"), effective: july }];
        assert_eq!(
            check_merge(&code("07273"), &code("07294"), july, &dong_son, &bo_ha, &done).unwrap_err().to_string(),
            "unit 07273 already merged into 07294 from 2025-07"
        );
        assert_eq!(
            check_merge(&code("07294"), &code("07273"), m("2025-06"), &bo_ha, &dong_son, &done),
            Err(HierarchyError::Circular { absorbed: code("07294"), successor: code("07273") })
        );
        assert_eq!(
            check_merge(&code("07273"), &code("07273"), july, &dong_son, &dong_son, &[]),
            Err(HierarchyError::SelfMerge)
        );
        assert_eq!(
            check_merge(&code("215"), &code("07294"), july, &of(&units, "215"), &bo_ha, &[]).unwrap_err().to_string(),
            "a district cannot merge into a commune"
        );
        assert!(matches!(
            check_merge(&code("07279"), &code("07273"), july, &of(&units, "07279"), &dong_son, &[]),
            Err(HierarchyError::SuccessorMissing { .. })
        ));
        assert!(matches!(
            check_merge(&code("07273"), &code("07294"), m("2025-08"), &dong_son, &bo_ha, &[]),
            Err(HierarchyError::AbsorbedMissing { .. })
        ));
    }
}
