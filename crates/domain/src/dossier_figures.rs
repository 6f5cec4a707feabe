//! The one-stop dossier figures of Biểu 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP) and the
//! identities that bind them:
//! received total = carried over + online + direct; resolved = early + on time + overdue;
//! pending = within deadline + overdue; received total = resolved + pending.

use crate::catalog::Catalog;
use crate::findings::Finding;
use crate::report::Values;

pub const CARRIED_OVER: &str = "dossiers_carried_over";
pub const RECEIVED_ONLINE: &str = "dossiers_received_online";
pub const RECEIVED_DIRECT: &str = "dossiers_received_direct";
pub const RECEIVED_TOTAL: &str = "dossiers_received_total";
pub const RESOLVED_EARLY: &str = "dossiers_resolved_early";
pub const RESOLVED_ON_TIME: &str = "dossiers_resolved_on_time";
pub const RESOLVED_OVERDUE: &str = "dossiers_resolved_overdue";
pub const RESOLVED_TOTAL: &str = "dossiers_resolved_total";
pub const PENDING_WITHIN: &str = "dossiers_pending_within_deadline";
pub const PENDING_OVERDUE: &str = "dossiers_pending_overdue";
pub const PENDING_TOTAL: &str = "dossiers_pending_total";

/// A total and the parts it is made of.
struct Breakdown {
    code: &'static str,
    total: &'static str,
    parts: &'static [&'static str],
    en: &'static str,
}

const RECEIVED: Breakdown = Breakdown {
    code: "received_total_mismatch",
    total: RECEIVED_TOTAL,
    parts: &[CARRIED_OVER, RECEIVED_ONLINE, RECEIVED_DIRECT],
    en: "Dossiers received",
};
const RESOLVED: Breakdown = Breakdown {
    code: "resolved_total_mismatch",
    total: RESOLVED_TOTAL,
    parts: &[RESOLVED_EARLY, RESOLVED_ON_TIME, RESOLVED_OVERDUE],
    en: "Dossiers resolved",
};
const PENDING: Breakdown = Breakdown {
    code: "pending_total_mismatch",
    total: PENDING_TOTAL,
    parts: &[PENDING_WITHIN, PENDING_OVERDUE],
    en: "Dossiers pending",
};

/// The eight figures a complete Biểu 06 row has.
pub const PARTS: [&str; 8] = [
    CARRIED_OVER,
    RECEIVED_ONLINE,
    RECEIVED_DIRECT,
    RESOLVED_EARLY,
    RESOLVED_ON_TIME,
    RESOLVED_OVERDUE,
    PENDING_WITHIN,
    PENDING_OVERDUE,
];

/// The Biểu 06 row as a form lays it out: each total with the parts it must equal — received,
/// resolved, pending. The report form checks these as the clerk types.
pub const BLOCKS: [(&str, &[&str]); 3] =
    [(RECEIVED.total, RECEIVED.parts), (RESOLVED.total, RESOLVED.parts), (PENDING.total, PENDING.parts)];

fn count(values: &Values, code: &str) -> Option<i64> {
    values.get(code).map(|v| v.as_f64() as i64)
}

impl Breakdown {
    /// The reported total, or the sum of the parts when all are reported.
    fn known(&self, values: &Values) -> Option<i64> {
        count(values, self.total).or_else(|| self.parts.iter().map(|p| count(values, p)).sum())
    }

    /// Indicators of this breakdown that were reported, total first.
    fn reported(&self, values: &Values) -> Vec<&'static str> {
        std::iter::once(self.total).chain(self.parts.iter().copied()).filter(|c| values.contains_key(*c)).collect()
    }

    fn check(&self, catalog: &Catalog, values: &Values) -> Option<Finding> {
        let total = count(values, self.total)?;
        let present: Vec<i64> = self.parts.iter().filter_map(|p| count(values, p)).collect();
        let sum: i64 = present.iter().sum();
        let complete = present.len() == self.parts.len();
        if (complete && sum != total) || sum > total {
            Some(Finding::error(
                self.code,
                &self.reported(values),
                format!(
                    "“{}” ({total}) phải bằng tổng các thành phần {} ({sum})",
                    catalog.label_vi(self.total),
                    catalog.quoted_vi(self.parts, " + ")
                ),
                format!("{} ({total}) must equal the sum of its parts {} ({sum})", self.en, self.parts.join(" + ")),
            ))
        } else {
            None
        }
    }
}

/// Checks the Biểu 06 identities that the reported figures let us check.
pub fn check_identities(catalog: &Catalog, values: &Values) -> Vec<Finding> {
    let mut findings: Vec<Finding> =
        [&RECEIVED, &RESOLVED, &PENDING].iter().filter_map(|b| b.check(catalog, values)).collect();

    if let (Some(received), Some(resolved), Some(pending)) =
        (RECEIVED.known(values), RESOLVED.known(values), PENDING.known(values))
        && received != resolved + pending
    {
        let mut involved = RECEIVED.reported(values);
        involved.extend(RESOLVED.reported(values));
        involved.extend(PENDING.reported(values));
        findings.push(Finding::error(
            "intake_outcome_mismatch",
            &involved,
            format!(
                "Tổng số hồ sơ tiếp nhận ({received}) phải bằng số đã giải quyết ({resolved}) cộng số đang giải quyết ({pending}) = {}",
                resolved + pending
            ),
            format!(
                "Dossiers received ({received}) must equal dossiers resolved ({resolved}) plus pending ({pending}) = {}",
                resolved + pending
            ),
        ));
    }

    let missing: Vec<&str> = PARTS.iter().copied().filter(|c| !values.contains_key(*c)).collect();
    let any_reported = PARTS.iter().any(|c| values.contains_key(*c))
        || [RECEIVED_TOTAL, RESOLVED_TOTAL, PENDING_TOTAL].iter().any(|c| values.contains_key(*c));
    if any_reported && !missing.is_empty() {
        findings.push(Finding::warning(
            "incomplete_dossier_figures",
            &missing,
            format!("Số liệu hồ sơ TTHC (Biểu 06) chưa đầy đủ: thiếu {}", catalog.quoted_vi(&missing, ", ")),
            format!("The dossier figures (Biểu 06) are incomplete: {} not reported", missing.join(", ")),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Value;

    fn cat() -> Catalog {
        Catalog::builtin()
    }

    fn seed() -> Values {
        [
            (CARRIED_OVER, 0),
            (RECEIVED_ONLINE, 168),
            (RECEIVED_DIRECT, 0),
            (RESOLVED_EARLY, 132),
            (RESOLVED_ON_TIME, 33),
            (RESOLVED_OVERDUE, 1),
            (PENDING_WITHIN, 2),
            (PENDING_OVERDUE, 0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::Count(v)))
        .collect()
    }

    fn set(mut v: Values, code: &str, n: i64) -> Values {
        v.insert(code.to_owned(), Value::Count(n));
        v
    }

    fn summary(f: &[Finding]) -> Vec<(String, Vec<String>)> {
        f.iter().map(|f| (f.code.clone(), f.indicators.clone())).collect()
    }

    #[test]
    fn the_seed_satisfies_every_identity() {
        assert!(check_identities(&cat(), &seed()).is_empty());
        let with_totals = set(set(set(seed(), RECEIVED_TOTAL, 168), RESOLVED_TOTAL, 166), PENDING_TOTAL, 2);
        assert!(check_identities(&cat(), &with_totals).is_empty());
    }

    #[test]
    fn intake_must_equal_outcome() {
        let f = check_identities(&cat(), &set(seed(), RESOLVED_EARLY, 133));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "intake_outcome_mismatch");
        assert_eq!(f[0].indicators.len(), 8);
        assert!(f[0].message_en.contains("(168) must equal dossiers resolved (167) plus pending (2) = 169"));
    }

    #[test]
    fn each_reported_total_must_match_its_parts() {
        assert_eq!(
            summary(&check_identities(&cat(), &set(seed(), RESOLVED_TOTAL, 165))),
            vec![
                (
                    "resolved_total_mismatch".into(),
                    vec![
                        RESOLVED_TOTAL.into(),
                        RESOLVED_EARLY.into(),
                        RESOLVED_ON_TIME.into(),
                        RESOLVED_OVERDUE.into()
                    ]
                ),
                // The reported total is what the commune says, so intake/outcome is judged with it.
                (
                    "intake_outcome_mismatch".into(),
                    vec![
                        CARRIED_OVER.into(),
                        RECEIVED_ONLINE.into(),
                        RECEIVED_DIRECT.into(),
                        RESOLVED_TOTAL.into(),
                        RESOLVED_EARLY.into(),
                        RESOLVED_ON_TIME.into(),
                        RESOLVED_OVERDUE.into(),
                        PENDING_WITHIN.into(),
                        PENDING_OVERDUE.into()
                    ]
                ),
            ]
        );
        let f = check_identities(&cat(), &set(seed(), RECEIVED_TOTAL, 170));
        assert_eq!(f[0].code, "received_total_mismatch");
        // Officers read the labels of the form, never the codes.
        assert_eq!(
            f[0].message_vi,
            "“Tổng số hồ sơ TTHC tiếp nhận” (170) phải bằng tổng các thành phần “Số hồ sơ TTHC từ kỳ trước chuyển qua” + “Số hồ sơ mới tiếp nhận trực tuyến” + “Số hồ sơ mới tiếp nhận trực tiếp và qua dịch vụ bưu chính” (168)"
        );
        assert_eq!(
            f[0].message_en,
            "Dossiers received (170) must equal the sum of its parts dossiers_carried_over + dossiers_received_online + dossiers_received_direct (168)"
        );
        let f = check_identities(&cat(), &set(seed(), PENDING_TOTAL, 3));
        assert_eq!(f[0].code, "pending_total_mismatch");
    }

    #[test]
    fn partial_parts_may_not_exceed_a_reported_total() {
        let v: Values = [(RESOLVED_TOTAL, 10), (RESOLVED_EARLY, 11)]
            .into_iter()
            .map(|(k, n)| (k.to_owned(), Value::Count(n)))
            .collect();
        let f = check_identities(&cat(), &v);
        assert_eq!(f[0].code, "resolved_total_mismatch");
        let v: Values = [(RESOLVED_TOTAL, 10), (RESOLVED_EARLY, 9)]
            .into_iter()
            .map(|(k, n)| (k.to_owned(), Value::Count(n)))
            .collect();
        let f = check_identities(&cat(), &v);
        assert_eq!(summary(&f)[0].0, "incomplete_dossier_figures");
        assert!(!f[0].is_error());
        assert_eq!(
            f[0].message_vi,
            "Số liệu hồ sơ TTHC (Biểu 06) chưa đầy đủ: thiếu “Số hồ sơ TTHC từ kỳ trước chuyển qua”, “Số hồ sơ mới tiếp nhận trực tuyến”, “Số hồ sơ mới tiếp nhận trực tiếp và qua dịch vụ bưu chính”, “Số hồ sơ đã giải quyết đúng hạn”, “Số hồ sơ đã giải quyết quá hạn”, “Số hồ sơ đang giải quyết trong hạn”, “Số hồ sơ đang giải quyết quá hạn”"
        );
    }

    #[test]
    fn no_dossier_figures_no_findings() {
        assert!(check_identities(&cat(), &Values::new()).is_empty());
    }
}
