//! The tree of units as it stood in a given month. Names, levels, parents and existence are
//! effective-dated, so a 2024 ranking sees Huyện Yên Thế and a 2026 one does not.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::period::Month;
use crate::units::{UnitCode, UnitLevel};

mod changes;
pub use changes::{
    HierarchyError, check_create, check_end, check_merge, check_parent, check_parent_throughout, plan_change,
};

/// One state of a unit, valid from `valid_from` to `valid_to` (inclusive months; open when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitVersion {
    pub code: UnitCode,
    pub name: String,
    pub level: UnitLevel,
    pub parent: Option<UnitCode>,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
}

impl UnitVersion {
    /// A unit that has always existed and still does (its level is its code's).
    pub fn lasting(code: UnitCode, name: impl Into<String>, parent: Option<UnitCode>) -> UnitVersion {
        UnitVersion { level: code.level(), code, name: name.into(), parent, valid_from: None, valid_to: None }
    }

    pub fn is_valid_at(&self, m: Month) -> bool {
        self.valid_from.is_none_or(|f| f <= m) && self.valid_to.is_none_or(|t| m <= t)
    }
}

/// `absorbed` became part of `successor` from `effective` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub absorbed: UnitCode,
    pub successor: UnitCode,
    pub effective: Month,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub code: UnitCode,
    pub name: String,
    pub level: UnitLevel,
    pub parent: Option<UnitCode>,
}

/// The units that exist in one month and how they nest.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    month: Month,
    nodes: HashMap<UnitCode, Node>,
    children: HashMap<UnitCode, Vec<UnitCode>>,
}

impl Hierarchy {
    pub fn at<'a>(versions: impl IntoIterator<Item = &'a UnitVersion>, month: Month) -> Hierarchy {
        let mut nodes = HashMap::new();
        for v in versions.into_iter().filter(|v| v.is_valid_at(month)) {
            nodes.insert(
                v.code.clone(),
                Node { code: v.code.clone(), name: v.name.clone(), level: v.level, parent: v.parent.clone() },
            );
        }
        let mut children: HashMap<UnitCode, Vec<UnitCode>> = HashMap::new();
        for n in nodes.values() {
            if let Some(p) = &n.parent
                && nodes.contains_key(p)
            {
                children.entry(p.clone()).or_default().push(n.code.clone());
            }
        }
        for list in children.values_mut() {
            list.sort();
        }
        Hierarchy { month, nodes, children }
    }

    pub fn month(&self) -> Month {
        self.month
    }

    pub fn get(&self, code: &UnitCode) -> Option<&Node> {
        self.nodes.get(code)
    }

    pub fn contains(&self, code: &UnitCode) -> bool {
        self.nodes.contains_key(code)
    }

    pub fn children(&self, code: &UnitCode) -> &[UnitCode] {
        self.children.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The chain of parents, nearest first.
    pub fn ancestors(&self, code: &UnitCode) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut cur = self.nodes.get(code).and_then(|n| n.parent.as_ref());
        while let Some(p) = cur {
            let Some(node) = self.nodes.get(p) else { break };
            if out.iter().any(|n: &&Node| n.code == node.code) {
                break; // a cycle in bad data must not hang a request
            }
            out.push(node);
            cur = node.parent.as_ref();
        }
        out
    }

    /// Whether `code` is `ancestor` or lies below it.
    pub fn is_within(&self, code: &UnitCode, ancestor: &UnitCode) -> bool {
        code == ancestor && self.contains(code) || self.ancestors(code).iter().any(|n| &n.code == ancestor)
    }

    /// Every commune at or below `code`, sorted by code. Admins pass `None` for the whole country.
    pub fn communes_below(&self, code: Option<&UnitCode>) -> Vec<&Node> {
        let mut out: Vec<&Node> = match code {
            None => self.nodes.values().filter(|n| n.level == UnitLevel::Commune).collect(),
            Some(root) => {
                let mut out = Vec::new();
                let mut stack = vec![root];
                let mut seen = 0usize;
                while let Some(c) = stack.pop() {
                    seen += 1;
                    if seen > self.nodes.len() {
                        break;
                    }
                    if let Some(n) = self.nodes.get(c)
                        && n.level == UnitLevel::Commune
                    {
                        out.push(n);
                    }
                    stack.extend(self.children(c).iter());
                }
                out
            }
        };
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// Every unit below `code` (not `code` itself), at any depth.
    pub fn subtree(&self, code: &UnitCode) -> Vec<&UnitCode> {
        let mut out = Vec::new();
        let mut stack: Vec<&UnitCode> = self.children(code).iter().collect();
        while let Some(c) = stack.pop() {
            if out.len() > self.nodes.len() {
                break; // a cycle in bad data must not hang a request
            }
            out.push(c);
            stack.extend(self.children(c).iter());
        }
        out
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    /// The province a unit belongs to in this month's tree (itself for a province).
    pub fn province_of(&self, unit: &UnitCode) -> Option<UnitCode> {
        if unit.level() == UnitLevel::Province {
            return Some(unit.clone());
        }
        self.ancestors(unit).into_iter().find(|n| n.level == UnitLevel::Province).map(|n| n.code.clone())
    }
}

/// Whether a unit with these versions exists in every month from `from` to `to` (open ends
/// meaning "from the beginning" and "still").
pub fn exists_throughout(versions: &[&UnitVersion], from: Option<Month>, to: Option<Month>) -> bool {
    // Walk forward from `from`: find a version in force at the current month, jump past its end.
    let mut current = from;
    for _ in 0..=versions.len() {
        let covering = versions
            .iter()
            .filter(|v| match current {
                None => v.valid_from.is_none(),
                Some(c) => v.is_valid_at(c),
            })
            // The one reaching furthest; an open end reaches furthest of all.
            .max_by_key(|v| v.valid_to.map_or(i64::MAX, Month::index));
        let Some(v) = covering else { return false };
        let Some(end) = v.valid_to else { return true };
        if to.is_some_and(|t| end >= t) {
            return true;
        }
        current = Some(end.next());
    }
    false
}

/// Every unit that was merged, directly or through a chain, into `code`.
pub fn predecessors(merges: &[Merge], code: &UnitCode) -> Vec<UnitCode> {
    let mut by_successor: BTreeMap<&UnitCode, Vec<&UnitCode>> = BTreeMap::new();
    for m in merges {
        by_successor.entry(&m.successor).or_default().push(&m.absorbed);
    }
    let mut out: Vec<UnitCode> = Vec::new();
    let mut stack = vec![code];
    while let Some(c) = stack.pop() {
        for &p in by_successor.get(c).map(Vec::as_slice).unwrap_or(&[]) {
            if p != code && !out.contains(p) {
                out.push(p.clone());
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The units whose records are `code`'s in `month`: itself and every unit merged into it (directly
/// or through a chain) by then — a dossier a predecessor received is the successor's to resolve.
pub fn records_of(merges: &[Merge], code: &UnitCode, month: Month) -> Vec<UnitCode> {
    let mut out: Vec<UnitCode> =
        predecessors(merges, code).into_iter().filter(|p| successor_at(merges, p, month) == *code).collect();
    out.insert(0, code.clone());
    out
}

/// Where a unit's history continues: follows merges from `code` to the unit that carries it at `at`.
pub fn successor_at(merges: &[Merge], code: &UnitCode, at: Month) -> UnitCode {
    let mut cur = code.clone();
    for _ in 0..=merges.len() {
        match merges.iter().find(|m| m.absorbed == cur && m.effective <= at) {
            Some(m) => cur = m.successor.clone(),
            None => break,
        }
    }
    cur
}

/// The units whose end-of-month state `code` takes over in `month`: itself, when it existed the
/// month before (`existed_before`), and every unit merged into it from `month` — whose pending
/// dossiers together are what it carries over.
pub fn carried_into(merges: &[Merge], code: &UnitCode, month: Month, existed_before: bool) -> Vec<UnitCode> {
    let mut carried: Vec<UnitCode> = merges
        .iter()
        .filter(|m| m.effective == month && successor_at(merges, &m.absorbed, month) == *code)
        .map(|m| m.absorbed.clone())
        .collect();
    if existed_before {
        carried.push(code.clone());
    }
    carried
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_successor_s_records_include_its_predecessors_from_the_merger_on() {
        let merges = vec![
            Merge { absorbed: code("07273"), successor: code("07294"), effective: m("2025-07") },
            Merge { absorbed: code("07279"), successor: code("07294"), effective: m("2025-07") },
        ];
        assert_eq!(records_of(&merges, &code("07294"), m("2025-06")), vec![code("07294")]);
        assert_eq!(
            records_of(&merges, &code("07294"), m("2025-07")),
            vec![code("07294"), code("07273"), code("07279")]
        );
        assert_eq!(records_of(&merges, &code("07294"), m("2025-09")).len(), 3);
        assert_eq!(records_of(&merges, &code("07273"), m("2025-06")), vec![code("07273")]);
    }

    #[test]
    fn a_successor_takes_over_the_units_merged_into_it_that_month() {
        let july = m("2025-07");
        let merges = vec![
            Merge { absorbed: code("07273"), successor: code("07294"), effective: july },
            Merge { absorbed: code("07279"), successor: code("07294"), effective: m("2025-01") },
        ];
        assert_eq!(carried_into(&merges, &code("07294"), july, true), vec![code("07273"), code("07294")]);
        assert_eq!(carried_into(&merges, &code("07294"), m("2025-08"), true), vec![code("07294")]);
        assert_eq!(carried_into(&merges, &code("07294"), july, false), vec![code("07273")], "a new code");
    }

    pub fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }

    pub fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    pub fn version(c: &str, name: &str, parent: Option<&str>, from: Option<&str>, to: Option<&str>) -> UnitVersion {
        UnitVersion {
            valid_from: from.map(self::m),
            valid_to: to.map(self::m),
            ..UnitVersion::lasting(code(c), name, parent.map(self::code))
        }
    }

    /// Values from JSON, for tests.
    pub fn vals(j: serde_json::Value) -> crate::Values {
        serde_json::from_value(j).unwrap()
    }

    /// Bắc Giang before and after 1 July 2025: Huyện Yên Thế ends, Đông Sơn and Hương Vĩ merge into Bố Hạ.
    pub fn bac_giang() -> Vec<UnitVersion> {
        vec![
            version("24", "Tỉnh Bắc Giang", None, None, Some("2025-06")),
            version("24", "Tỉnh Bắc Ninh", None, Some("2025-07"), None),
            version("215", "Huyện Yên Thế", Some("24"), None, Some("2025-06")),
            version("216", "Huyện Tân Yên", Some("24"), None, Some("2025-06")),
            version("07273", "Xã Đông Sơn", Some("215"), None, Some("2025-06")),
            version("07279", "Xã Hương Vĩ", Some("215"), None, Some("2025-06")),
            version("07294", "Thị trấn Bố Hạ", Some("215"), None, Some("2025-06")),
            version("07294", "Xã Bố Hạ", Some("24"), Some("2025-07"), None),
            version("07300", "Xã Cao Xá", Some("216"), None, None),
        ]
    }

    #[test]
    fn the_tree_depends_on_the_month() {
        let before = Hierarchy::at(&bac_giang(), m("2024-06"));
        assert_eq!(before.get(&code("24")).unwrap().name, "Tỉnh Bắc Giang");
        let below: Vec<_> = before.communes_below(Some(&code("215"))).iter().map(|n| n.code.as_str()).collect();
        assert_eq!(below, ["07273", "07279", "07294"]);
        assert_eq!(before.communes_below(Some(&code("24"))).len(), 4);
        assert!(before.is_within(&code("07273"), &code("24")));
        assert!(!before.is_within(&code("07273"), &code("216")));

        let after = Hierarchy::at(&bac_giang(), m("2025-07"));
        assert_eq!(after.get(&code("24")).unwrap().name, "Tỉnh Bắc Ninh");
        assert!(!after.contains(&code("215")));
        assert!(!after.contains(&code("07273")));
        assert_eq!(after.get(&code("07294")).unwrap().name, "Xã Bố Hạ");
        assert_eq!(after.get(&code("07294")).unwrap().parent, Some(code("24")));
        // 07300 still names its dissolved district as parent: it is under no province that month.
        let below: Vec<_> = after.communes_below(Some(&code("24"))).iter().map(|n| n.code.as_str()).collect();
        assert_eq!(below, ["07294"]);
        assert_eq!(after.communes_below(None).len(), 2);
    }

    #[test]
    fn a_parent_must_exist_throughout_its_childs_dates() {
        let units = bac_giang();
        let of = |c: &str| units.iter().filter(|v| v.code.as_str() == c).collect::<Vec<_>>();
        assert!(exists_throughout(&of("215"), None, Some(m("2025-06"))));
        assert!(!exists_throughout(&of("215"), None, None), "Yên Thế ends in June 2025");
        assert!(!exists_throughout(&of("215"), Some(m("2025-07")), None));
        assert!(exists_throughout(&of("24"), None, None), "24 continues under a new name");
        assert!(exists_throughout(&of("07294"), Some(m("2020-01")), None));
        let late = [version("999", "x", Some("24"), Some("2020-01"), None)];
        let late: Vec<&UnitVersion> = late.iter().collect();
        assert!(!exists_throughout(&late, None, None), "did not exist before 2020");
        assert!(exists_throughout(&late, Some(m("2021-03")), Some(m("2022-01"))));
        let gap = [version("998", "x", None, None, Some("2020-01")), version("998", "y", None, Some("2020-03"), None)];
        let gap: Vec<&UnitVersion> = gap.iter().collect();
        assert!(!exists_throughout(&gap, None, None), "February 2020 is missing");
        assert!(exists_throughout(&gap, Some(m("2020-03")), None));
    }

    #[test]
    fn ancestors_nearest_first() {
        let h = Hierarchy::at(&bac_giang(), m("2024-06"));
        let chain: Vec<_> = h.ancestors(&code("07273")).iter().map(|n| n.code.as_str()).collect();
        assert_eq!(chain, ["215", "24"]);
    }

    #[test]
    fn merges_chain_to_successors_and_back() {
        let merges = vec![
            Merge { absorbed: code("07273"), successor: code("07294"), effective: m("2025-07") },
            Merge { absorbed: code("07279"), successor: code("07294"), effective: m("2025-07") },
            Merge { absorbed: code("07999"), successor: code("07273"), effective: m("2020-01") },
        ];
        assert_eq!(predecessors(&merges, &code("07294")), vec![code("07273"), code("07279"), code("07999")]);
        assert_eq!(successor_at(&merges, &code("07999"), m("2024-01")), code("07273"));
        assert_eq!(successor_at(&merges, &code("07999"), m("2026-01")), code("07294"));
        assert_eq!(successor_at(&merges, &code("07273"), m("2025-06")), code("07273"));
    }
}
