//! Every version of every unit and every merge: enough to build the tree of any month, and to
//! answer the questions that span months — which province a unit belongs to now, where a merged
//! unit's history went. Each month's tree is built once and kept.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::hierarchy::{Hierarchy, Merge, UnitVersion};
use crate::period::Month;
use crate::units::{UnitCode, UnitLevel};

pub struct Topology {
    pub versions: Vec<UnitVersion>,
    pub merges: Vec<Merge>,
    trees: Mutex<HashMap<Month, Arc<Hierarchy>>>,
}

impl std::fmt::Debug for Topology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topology").field("versions", &self.versions.len()).field("merges", &self.merges.len()).finish()
    }
}

impl Topology {
    pub fn new(versions: Vec<UnitVersion>, merges: Vec<Merge>) -> Topology {
        Topology { versions, merges, trees: Mutex::new(HashMap::new()) }
    }

    /// The tree of month `m`, built on first use.
    pub fn at(&self, m: Month) -> Arc<Hierarchy> {
        let mut trees = self.trees.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        trees.entry(m).or_insert_with(|| Arc::new(Hierarchy::at(&self.versions, m))).clone()
    }

    /// The same history without the `hidden` units: their versions, and the merges that would
    /// carry their reports into a successor. What a list shows a caller who may not see them.
    pub fn without(&self, hidden: &HashSet<UnitCode>) -> Topology {
        Topology::new(
            self.versions.iter().filter(|v| !hidden.contains(&v.code)).cloned().collect(),
            self.merges.iter().filter(|m| !hidden.contains(&m.absorbed)).cloned().collect(),
        )
    }

    /// Every version of one unit, in stored order.
    pub fn versions_of<'a>(&'a self, code: &'a UnitCode) -> impl Iterator<Item = &'a UnitVersion> + 'a {
        self.versions.iter().filter(move |v| &v.code == code)
    }

    /// Whether the unit exists in any month.
    pub fn knows(&self, code: &UnitCode) -> bool {
        self.versions.iter().any(|v| &v.code == code)
    }

    /// Whether a commune of this code exists in any month.
    pub fn knows_commune(&self, code: &UnitCode) -> bool {
        self.versions.iter().any(|v| &v.code == code && v.level == UnitLevel::Commune)
    }

    /// The month that stands for a unit "now": `now` while it exists; else the last month it
    /// existed; for a unit that only starts later, its first month.
    pub fn present_month(&self, code: &UnitCode, now: Month) -> Option<Month> {
        self.versions_of(code)
            .map(|v| match v.valid_to {
                Some(to) if to < now => to,
                _ if v.valid_from.is_some_and(|f| f > now) => v.valid_from.unwrap_or(now),
                _ => now,
            })
            .min_by_key(|m| (m.index() - now.index()).abs())
    }

    /// The province a unit belongs to now (or, for a unit that no longer exists, when it last
    /// did): the one rule for "the caller's province", the province of an audit entry and the
    /// owner of the users of a unit.
    pub fn province_now(&self, code: &UnitCode, now: Month) -> Option<UnitCode> {
        let month = self.present_month(code, now)?;
        self.at(month).province_of(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::{bac_giang, code, m, version};

    #[test]
    fn the_province_now_follows_the_unit_to_its_last_month() {
        let t = Topology::new(bac_giang(), Vec::new());
        let now = m("2026-01");
        assert_eq!(t.province_now(&code("07294"), now), Some(code("24")), "Bố Hạ continues under 24");
        assert_eq!(t.province_now(&code("07273"), now), Some(code("24")), "Đông Sơn ended in 2025-06, under 24");
        assert_eq!(t.province_now(&code("24"), now), Some(code("24")));
        assert_eq!(t.present_month(&code("215"), now), Some(m("2025-06")));
        assert_eq!(t.province_now(&code("99999"), now), None);
    }

    #[test]
    fn a_unit_that_moves_province_belongs_to_the_new_one_now() {
        let mut units = bac_giang();
        units.push(version("27", "Tỉnh Bắc Ninh (cũ)", None, None, Some("2025-06")));
        units.push(version("256", "Huyện Quế Võ", Some("27"), None, Some("2025-06")));
        units.push(version("09100", "Xã Phù Lãng", Some("256"), None, Some("2025-06")));
        units.push(version("09100", "Xã Phù Lãng", Some("24"), Some("2025-07"), None));
        let t = Topology::new(units, Vec::new());
        assert_eq!(t.province_now(&code("09100"), m("2026-01")), Some(code("24")));
        assert_eq!(t.province_now(&code("09100"), m("2025-03")), Some(code("27")), "before the reform");
        assert_eq!(t.at(m("2024-06")).province_of(&code("09100")), Some(code("27")));
    }

    #[test]
    fn a_unit_created_for_later_is_placed_by_its_first_month() {
        let mut units = bac_giang();
        units.push(version("07999", "Xã Mới", Some("24"), Some("2027-01"), None));
        let t = Topology::new(units, Vec::new());
        assert_eq!(t.present_month(&code("07999"), m("2026-01")), Some(m("2027-01")));
        assert_eq!(t.province_now(&code("07999"), m("2026-01")), Some(code("24")));
    }
}
