//! Standard competition ranking ("1224"): equal scores, compared at two decimals, share a rank
//! and the next rank skips. Ties are listed by unit code; units without a score are listed after
//! every ranked unit, by code, with no rank — never dropped.

use serde::{Deserialize, Serialize};

use crate::derived::round2;
use crate::report::ReportStatus;

/// Where a unit stands in a ranking or a completeness list: the status of its counted report,
/// or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Ranked: its report counts.
    Submitted,
    Approved,
    Locked,
    /// Not ranked: its report does not count yet.
    Draft,
    Returned,
    /// Not ranked: nothing was filed.
    Missing,
    /// For a longer period: some of its months were not reported.
    Partial,
    /// The unit did not exist in the period.
    NotExisting,
}

impl Standing {
    pub const ALL: [Standing; 8] = [
        Standing::Submitted,
        Standing::Approved,
        Standing::Locked,
        Standing::Draft,
        Standing::Returned,
        Standing::Missing,
        Standing::Partial,
        Standing::NotExisting,
    ];

    /// The standing of a unit whose report of the month has this status (`None`: no report).
    pub fn of_report(status: Option<ReportStatus>) -> Standing {
        match status {
            None => Standing::Missing,
            Some(ReportStatus::Submitted) => Standing::Submitted,
            Some(ReportStatus::Approved) => Standing::Approved,
            Some(ReportStatus::Locked) => Standing::Locked,
            Some(ReportStatus::Draft) => Standing::Draft,
            Some(ReportStatus::Returned) => Standing::Returned,
        }
    }

    /// The standing over a longer period from the months reported of the months expected.
    pub fn of_months(reported: usize, expected: usize) -> Standing {
        match reported {
            0 => Standing::Missing,
            n if n >= expected => Standing::Submitted,
            _ => Standing::Partial,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Submitted => "submitted",
            Standing::Approved => "approved",
            Standing::Locked => "locked",
            Standing::Draft => "draft",
            Standing::Returned => "returned",
            Standing::Missing => "missing",
            Standing::Partial => "partial",
            Standing::NotExisting => "not_existing",
        }
    }

    /// The name officers read, in Vietnamese: tables, documents and the dashboard.
    pub fn label_vi(self) -> &'static str {
        match self {
            Standing::Submitted => "Đã gửi",
            Standing::Approved => "Đã duyệt",
            Standing::Locked => "Đã khóa",
            Standing::Draft => "Bản nháp",
            Standing::Returned => "Bị trả lại",
            Standing::Missing => "Chưa báo cáo",
            Standing::Partial => "Thiếu tháng",
            Standing::NotExisting => "Chưa có đơn vị",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Standing::Submitted => "Submitted",
            Standing::Approved => "Approved",
            Standing::Locked => "Locked",
            Standing::Draft => "Draft",
            Standing::Returned => "Returned",
            Standing::Missing => "Not reported",
            Standing::Partial => "Some months missing",
            Standing::NotExisting => "Unit did not exist",
        }
    }
}

impl std::fmt::Display for Standing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ranks `items` by `score` (higher first). Returns the items in display order with their ranks.
pub fn rank<T>(items: Vec<T>, score: impl Fn(&T) -> Option<f64>, code: impl Fn(&T) -> &str) -> Vec<(T, Option<u32>)> {
    rank_complete_first(items, score, |_| false, code)
}

/// Ranks `items` by `score` (higher first), every unit whose period is `partial` (months not
/// reported) after every complete one, whatever its score: a commune that skipped a month is
/// scored on the months it reported, and must not outrank those that reported them all. Ranks
/// run on from the complete units to the partial ones.
pub fn rank_complete_first<T>(
    mut items: Vec<T>,
    score: impl Fn(&T) -> Option<f64>,
    partial: impl Fn(&T) -> bool,
    code: impl Fn(&T) -> &str,
) -> Vec<(T, Option<u32>)> {
    // Compare at two decimals as integers, so 99.995 and 100.00 are the same score; complete
    // units (tier 0) before partial ones (tier 1).
    let key = |t: &T| score(t).map(|s| (u8::from(partial(t)), -((round2(s) * 100.0).round() as i64)));
    items.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| code(a).cmp(code(b))),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => code(a).cmp(code(b)),
    });
    let mut out = Vec::with_capacity(items.len());
    let mut previous: Option<((u8, i64), u32)> = None;
    for (i, item) in items.into_iter().enumerate() {
        let rank = key(&item).map(|k| match previous {
            Some((p, r)) if p == k => r,
            _ => {
                let r = i as u32 + 1;
                previous = Some((k, r));
                r
            }
        });
        out.push((item, rank));
    }
    out
}

/// Places gained since the previous period (positive = moved up); `None` when either is unranked.
pub fn rank_change(previous: Option<u32>, current: Option<u32>) -> Option<i64> {
    Some(i64::from(previous?) - i64::from(current?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(items: &[(&'static str, Option<f64>)]) -> Vec<(&'static str, Option<u32>)> {
        rank(items.to_vec(), |t| t.1, |t| t.0).into_iter().map(|((c, _), r)| (c, r)).collect()
    }

    #[test]
    fn ties_share_a_rank_and_the_next_skips() {
        let r = ranked(&[("07279", Some(80.0)), ("07273", Some(90.0)), ("07294", Some(90.0)), ("07312", Some(70.0))]);
        assert_eq!(r, vec![("07273", Some(1)), ("07294", Some(1)), ("07279", Some(3)), ("07312", Some(4))]);
    }

    #[test]
    fn scores_are_compared_at_two_decimals() {
        let r = ranked(&[("b", Some(99.996)), ("a", Some(100.0)), ("c", Some(99.994))]);
        assert_eq!(r, vec![("a", Some(1)), ("b", Some(1)), ("c", Some(3))]);
    }

    #[test]
    fn unscored_units_are_listed_last_without_a_rank() {
        let r = ranked(&[("3", None), ("2", Some(10.0)), ("1", None), ("4", Some(10.0)), ("5", Some(11.0))]);
        assert_eq!(r, vec![("5", Some(1)), ("2", Some(2)), ("4", Some(2)), ("1", None), ("3", None)]);
    }

    #[test]
    fn a_partial_period_ranks_below_every_complete_one() {
        // 2024Q2: Hương Vĩ skipped June and scores 100.00 on April and May; Đông Sơn reported
        // all three months (99.50), Bố Hạ too (97.00); Cao Xá skipped two months (100.00).
        let items = [("07279", 100.0, true), ("07273", 99.5, false), ("07294", 97.0, false), ("07312", 100.0, true)];
        let r: Vec<(&str, Option<u32>)> = rank_complete_first(items.to_vec(), |t| Some(t.1), |t| t.2, |t| t.0)
            .into_iter()
            .map(|((c, ..), r)| (c, r))
            .collect();
        // The complete first; the partial after them, tied among themselves at 100.00.
        assert_eq!(r, vec![("07273", Some(1)), ("07294", Some(2)), ("07279", Some(3)), ("07312", Some(3))]);
        // A partial unit and a complete one with the same score do not share a rank.
        let same = [("a", 90.0, true), ("b", 90.0, false)];
        let r: Vec<Option<u32>> =
            rank_complete_first(same.to_vec(), |t| Some(t.1), |t| t.2, |t| t.0).into_iter().map(|x| x.1).collect();
        assert_eq!(r, vec![Some(1), Some(2)]);
    }

    #[test]
    fn three_way_ties() {
        let r = ranked(&[("a", Some(5.0)), ("b", Some(5.0)), ("c", Some(5.0)), ("d", Some(1.0))]);
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), vec![Some(1), Some(1), Some(1), Some(4)]);
    }

    #[test]
    fn standings_of_reports_and_periods() {
        assert_eq!(Standing::of_report(None), Standing::Missing);
        assert_eq!(Standing::of_report(Some(ReportStatus::Locked)), Standing::Locked);
        assert_eq!(Standing::of_months(0, 3), Standing::Missing);
        assert_eq!(Standing::of_months(2, 3), Standing::Partial);
        assert_eq!(Standing::of_months(3, 3), Standing::Submitted);
        for s in Standing::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(Standing::Missing.label_vi(), "Chưa báo cáo");
    }

    #[test]
    fn rank_changes() {
        assert_eq!(rank_change(Some(5), Some(2)), Some(3));
        assert_eq!(rank_change(Some(1), Some(4)), Some(-3));
        assert_eq!(rank_change(None, Some(1)), None);
        assert_eq!(rank_change(Some(1), None), None);
    }
}
