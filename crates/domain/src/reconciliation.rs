//! A commune's own Biểu 06 figures beside those its dossier records at the portal imply. A
//! difference is a warning on the report and a line in the reconciliation table; a commune the
//! portal sent no records for is left out of the comparison (no records is not zero dossiers).

use crate::calendar::Calendar;
use crate::catalog::Catalog;
use crate::dossier_figures::PARTS;
use crate::findings::Finding;
use crate::period::Month;
use crate::portal::{self, DIGITIZED, Dossier, PAID_ONLINE};
use crate::report::Values;

/// One indicator as the commune reported it and as the portal's records give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    pub indicator: &'static str,
    pub reported: Option<i64>,
    pub portal: Option<i64>,
}

impl Comparison {
    /// reported − portal; `None` when either is missing.
    pub fn difference(&self) -> Option<i64> {
        Some(self.reported? - self.portal?)
    }

    pub fn differs(&self) -> bool {
        self.difference().is_some_and(|d| d != 0)
    }
}

/// The figures the portal's records give for a commune's month; `None` when it sent none.
pub fn portal_figures(records: &[Dossier], month: Month, calendar: &Calendar) -> Option<Values> {
    (!records.is_empty()).then(|| portal::figures(records, month, calendar))
}

/// The eight Biểu 06 parts always, and the digitised and paid-online counts where the portal
/// gives them.
pub fn compare(reported: &Values, portal: Option<&Values>) -> Vec<Comparison> {
    let empty = Values::new();
    let portal = portal.unwrap_or(&empty);
    let count = |v: &Values, c: &str| v.get(c).map(|x| x.as_f64() as i64);
    PARTS
        .iter()
        .chain([DIGITIZED, PAID_ONLINE].iter())
        .filter(|c| portal.contains_key(**c) || PARTS.contains(c))
        .map(|c| Comparison { indicator: c, reported: count(reported, c), portal: count(portal, c) })
        .collect()
}

/// A warning for each figure of a report being filed that the portal's records contradict.
pub fn mismatch_findings(catalog: &Catalog, reported: &Values, portal: Option<&Values>) -> Vec<Finding> {
    compare(reported, portal)
        .into_iter()
        .filter(Comparison::differs)
        .filter_map(|c| {
            let (r, p, indicator) = (c.reported?, c.portal?, c.indicator);
            Some(Finding::warning(
                "portal_mismatch",
                &[indicator],
                format!("“{}” = {r}, nhưng Cổng dịch vụ công ghi nhận {p}", catalog.label_vi(indicator)),
                format!("`{indicator}` = {r}, but the portal's dossier records give {p}"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::vals;
    use serde_json::json;

    #[test]
    fn parts_always_and_extras_when_the_portal_has_them() {
        let reported = vals(json!({"dossiers_received_online": 168, "dossiers_resolved_early": 132}));
        let portal =
            vals(json!({"dossiers_received_online": 170, "dossiers_resolved_early": 132, "dossiers_digitized": 4}));
        let c = compare(&reported, Some(&portal));
        assert_eq!(c.len(), 9, "eight parts and the digitised count");
        let online = c.iter().find(|c| c.indicator == "dossiers_received_online").unwrap();
        assert_eq!((online.reported, online.portal, online.difference()), (Some(168), Some(170), Some(-2)));
        let f = mismatch_findings(&Catalog::builtin(), &reported, Some(&portal));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message_en, "`dossiers_received_online` = 168, but the portal's dossier records give 170");
        assert_eq!(f[0].message_vi, "“Số hồ sơ mới tiếp nhận trực tuyến” = 168, nhưng Cổng dịch vụ công ghi nhận 170");
        assert!(mismatch_findings(&Catalog::builtin(), &reported, None).is_empty(), "no records, nothing to compare");
        assert_eq!(compare(&reported, None).iter().filter(|c| c.portal.is_some()).count(), 0);
    }

    #[test]
    fn no_records_is_not_zero_dossiers() {
        let cal = Calendar::default();
        assert_eq!(portal_figures(&[], "2024-06".parse().unwrap(), &cal), None);
    }
}
