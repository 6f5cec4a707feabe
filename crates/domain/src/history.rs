//! Checks against a commune's own history, and what changed between revisions.
//!
//! Carried over (m) must equal pending (m − 1) — Biểu 06 across months — and a figure far from
//! the commune's own past (modified z-score above 3.5, Iglewicz & Hoaglin) is worth a second look.

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, IndicatorKind};
use crate::dossier_figures::{CARRIED_OVER, PENDING_OVERDUE, PENDING_WITHIN};
use crate::findings::{Finding, Severity};
use crate::report::{Value, Values};

pub const OUTLIER_THRESHOLD: f64 = 3.5;
/// Fewer past months than this say too little about what is normal.
pub const MIN_HISTORY: usize = 6;

/// How a carry-over that does not match last month's pending is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarryOverRule {
    #[default]
    Warning,
    Error,
}

/// Carried over (this month) against pending (last month's report).
///
/// `previous` holds last month's report of every unit whose history the commune carries — its
/// own and, in the month after a merger, its predecessors': their pending dossiers together are
/// what it carries over (Xã Bố Hạ's July 2025 carries Bố Hạ's 6 and Đông Sơn's 3). No report,
/// or one without the pending figures, leaves nothing to compare.
pub fn check_carry_over(values: &Values, previous: &[&Values], rule: CarryOverRule) -> Option<Finding> {
    if previous.is_empty() {
        return None;
    }
    let carried = values.get(CARRIED_OVER)?.as_f64() as i64;
    let (within, overdue) = pending_of(previous)?;
    let pending = within + overdue;
    (carried != pending).then(|| {
        let severity = match rule {
            CarryOverRule::Warning => Severity::Warning,
            CarryOverRule::Error => Severity::Error,
        };
        let mut f = Finding::warning(
            "carry_over_mismatch",
            &[CARRIED_OVER, PENDING_WITHIN, PENDING_OVERDUE],
            format!("Số hồ sơ kỳ trước chuyển qua ({carried}) khác số hồ sơ đang giải quyết cuối tháng trước ({within} + {overdue} = {pending})"),
            format!("{carried} dossiers carried over, but last month's report left {within} + {overdue} = {pending} pending"),
        );
        f.severity = severity;
        f
    })
}

/// Last month's pending dossiers (within deadline, overdue), summed over every report the
/// commune carries; `None` when one of them does not say.
fn pending_of(previous: &[&Values]) -> Option<(i64, i64)> {
    let (mut within, mut overdue) = (0, 0);
    for p in previous {
        within += p.get(PENDING_WITHIN)?.as_f64() as i64;
        overdue += p.get(PENDING_OVERDUE)?.as_f64() as i64;
    }
    Some((within, overdue))
}

/// What a commune should carry over this month: the dossiers its carried reports of last month
/// left pending (the report form's starting point). `None` without such reports.
pub fn expected_carry_over(previous: &[&Values]) -> Option<i64> {
    if previous.is_empty() {
        return None;
    }
    pending_of(previous).map(|(within, overdue)| within + overdue)
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

/// The modified z-score of `x` against `past`, and the range of values whose score stays
/// within the threshold. `None` when the past does not vary (no scale to judge by).
pub fn modified_z(x: f64, past: &[f64]) -> Option<(f64, f64, f64)> {
    let mut sorted = past.to_vec();
    sorted.sort_by(f64::total_cmp);
    let med = median(&sorted);
    let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - med).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let mad = median(&deviations);
    // With more than half the months identical the MAD is zero; the mean absolute deviation
    // (scaled to agree with the MAD for normal data) still measures the spread.
    let scale = if mad > 0.0 {
        mad / 0.6745
    } else {
        let mean_ad = deviations.iter().sum::<f64>() / deviations.len() as f64;
        if mean_ad == 0.0 {
            return None;
        }
        mean_ad * 1.253314
    };
    let z = (x - med) / scale;
    Some((z, med - OUTLIER_THRESHOLD * scale, med + OUTLIER_THRESHOLD * scale))
}

/// Figures far from the commune's own past months (counts, amounts and areas; rates are
/// bounded and yes/no has no scale).
pub fn check_outliers(catalog: &Catalog, values: &Values, past: &[&Values]) -> Vec<Finding> {
    let mut out = Vec::new();
    for ind in catalog.indicators() {
        if !matches!(ind.kind, IndicatorKind::Count | IndicatorKind::AmountVnd | IndicatorKind::AreaM2) {
            continue;
        }
        let Some(x) = values.get(&ind.code).map(|v| v.as_f64()) else { continue };
        let series: Vec<f64> = past.iter().filter_map(|v| v.get(&ind.code)).map(|v| v.as_f64()).collect();
        if series.len() < MIN_HISTORY {
            continue;
        }
        let Some((z, low, high)) = modified_z(x, &series) else { continue };
        if z.abs() > OUTLIER_THRESHOLD {
            let (low, high) = (low.max(0.0).ceil() as i64, high.floor() as i64);
            out.push(Finding::warning(
                "outlier",
                &[&ind.code],
                format!("“{}” = {x} khác xa các tháng trước của xã (thường trong khoảng {low}–{high})", ind.label_vi),
                format!("`{}` = {x} is far from this commune's own past months (expected {low}–{high}; modified z-score {z:.1})", ind.code),
            ));
        }
    }
    out
}

/// One indicator that changed between two revisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub indicator: String,
    /// Null when it was not reported before.
    pub old: Option<Value>,
    /// Null when it is no longer reported.
    pub new: Option<Value>,
}

/// What changed from `before` to `after`, in catalog order (unknown codes last).
pub fn changes(catalog: &Catalog, before: &Values, after: &Values) -> Vec<Change> {
    let mut codes: Vec<&String> = before.keys().chain(after.keys()).collect();
    codes.sort_by_key(|c| (catalog.position(c), c.as_str()));
    codes.dedup();
    codes
        .into_iter()
        .filter(|c| before.get(*c) != after.get(*c))
        .map(|c| Change { indicator: c.clone(), old: before.get(c).copied(), new: after.get(c).copied() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::vals;
    use serde_json::json;

    #[test]
    fn the_form_starts_from_the_pending_of_every_carried_report() {
        // Xã Bố Hạ 07294, July 2025: its own June (6 pending) and Xã Đông Sơn's (3).
        let own = vals(json!({"dossiers_pending_within_deadline": 5, "dossiers_pending_overdue": 1}));
        let absorbed = vals(json!({"dossiers_pending_within_deadline": 3, "dossiers_pending_overdue": 0}));
        assert_eq!(expected_carry_over(&[&own, &absorbed]), Some(9));
        assert_eq!(expected_carry_over(&[]), None);
        let silent = vals(json!({"dossiers_pending_within_deadline": 3}));
        assert_eq!(expected_carry_over(&[&own, &silent]), None);
    }

    #[test]
    fn carry_over_must_match_last_months_pending() {
        let may = vals(json!({"dossiers_pending_within_deadline": 2, "dossiers_pending_overdue": 1}));
        let ok = vals(json!({"dossiers_carried_over": 3}));
        assert_eq!(check_carry_over(&ok, &[&may], CarryOverRule::Warning), None);
        let off = vals(json!({"dossiers_carried_over": 0}));
        let f = check_carry_over(&off, &[&may], CarryOverRule::Warning).unwrap();
        assert_eq!(f.code, "carry_over_mismatch");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.message_en, "0 dossiers carried over, but last month's report left 2 + 1 = 3 pending");
        assert_eq!(check_carry_over(&off, &[&may], CarryOverRule::Error).unwrap().severity, Severity::Error);
        assert_eq!(check_carry_over(&off, &[], CarryOverRule::Error), None, "no previous report, nothing to compare");
    }

    #[test]
    fn a_merged_commune_carries_over_its_predecessors_pending() {
        // Xã Bố Hạ (07294) in July 2025, after Đông Sơn merged into it: 6 of its own pending in
        // June (4 + 2) and Đông Sơn's 3 (2 + 1).
        let bo_ha = vals(json!({"dossiers_pending_within_deadline": 4, "dossiers_pending_overdue": 2}));
        let dong_son = vals(json!({"dossiers_pending_within_deadline": 2, "dossiers_pending_overdue": 1}));
        let july = vals(json!({"dossiers_carried_over": 9}));
        assert_eq!(check_carry_over(&july, &[&bo_ha, &dong_son], CarryOverRule::Error), None);
        let own_only = check_carry_over(&july, &[&bo_ha], CarryOverRule::Warning).expect("9 is not 6");
        assert_eq!(own_only.message_en, "9 dossiers carried over, but last month's report left 4 + 2 = 6 pending");
        let unknown = vals(json!({"dossiers_pending_within_deadline": 2}));
        assert_eq!(check_carry_over(&july, &[&bo_ha, &unknown], CarryOverRule::Error), None, "a figure not reported");
    }

    #[test]
    fn modified_z_scores() {
        let past = [100.0, 110.0, 95.0, 105.0, 98.0, 102.0, 107.0];
        let (z, low, high) = modified_z(160.0, &past).unwrap();
        // median 102; deviations 0 2 3 4 5 7 8 → MAD 4 → scale 4 / 0.6745 = 5.930; z = 58 / 5.930
        assert_eq!((z * 100.0).round() / 100.0, 9.78);
        assert_eq!(((low * 10.0).round() / 10.0, (high * 10.0).round() / 10.0), (81.2, 122.8));
        assert!(modified_z(104.0, &past).unwrap().0.abs() < 1.0);
        assert_eq!(modified_z(5.0, &[3.0; 8]), None, "no spread, no judgement");
        let (z, ..) = modified_z(40.0, &[10.0, 10.0, 10.0, 10.0, 10.0, 12.0, 8.0]).unwrap();
        assert!(z > 3.5, "mostly constant history still flags a jump: {z}");
    }

    #[test]
    fn outliers_are_warnings_with_the_expected_range() {
        let cat = Catalog::builtin();
        let months: Vec<Values> = [100, 110, 95, 105, 98, 102, 107]
            .iter()
            .map(|n| vals(json!({"dossiers_received_online": n, "edocs_incoming_rate": 90.0})))
            .collect();
        let past: Vec<&Values> = months.iter().collect();
        let now = vals(json!({"dossiers_received_online": 400, "edocs_incoming_rate": 10.0}));
        let f = check_outliers(&cat, &now, &past);
        assert_eq!(f.len(), 1, "rates are not judged: {f:?}");
        assert_eq!(f[0].indicators, ["dossiers_received_online"]);
        assert!(!f[0].is_error());
        assert!(f[0].message_en.contains("(expected 82–122; modified z-score 50.3)"), "{}", f[0].message_en);
        assert_eq!(
            f[0].message_vi,
            "“Số hồ sơ mới tiếp nhận trực tuyến” = 400 khác xa các tháng trước của xã (thường trong khoảng 82–122)"
        );
        assert!(check_outliers(&cat, &now, &past[..5]).is_empty(), "five months are too few");
    }

    #[test]
    fn changes_between_revisions() {
        let cat = Catalog::builtin();
        let before = vals(json!({"dossiers_received_online": 168, "iso_9001_applied": true, "computers": 20}));
        let after = vals(json!({"dossiers_received_online": 170, "computers": 20, "staff_total": 21}));
        let c = changes(&cat, &before, &after);
        let got: Vec<_> = c.iter().map(|c| (c.indicator.as_str(), c.old, c.new)).collect();
        assert_eq!(
            got,
            vec![
                ("dossiers_received_online", Some(Value::Count(168)), Some(Value::Count(170))),
                ("staff_total", None, Some(Value::Count(21))),
                ("iso_9001_applied", Some(Value::Flag(true)), None),
            ]
        );
    }
}
