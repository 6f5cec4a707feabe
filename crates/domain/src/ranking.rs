//! Standard competition ranking ("1224"): equal scores, compared at two decimals, share a rank
//! and the next rank skips. Ties are listed by unit code; units without a score are listed after
//! every ranked unit, by code, with no rank — never dropped.

use crate::derived::round2;

/// Ranks `items` by `score` (higher first). Returns the items in display order with their ranks.
pub fn rank<T>(
    mut items: Vec<T>,
    score: impl Fn(&T) -> Option<f64>,
    code: impl Fn(&T) -> &str,
) -> Vec<(T, Option<u32>)> {
    // Compare at two decimals as integers, so 99.995 and 100.00 are the same score.
    let key = |t: &T| score(t).map(|s| (round2(s) * 100.0).round() as i64);
    items.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| code(a).cmp(code(b))),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => code(a).cmp(code(b)),
    });
    let mut out = Vec::with_capacity(items.len());
    let mut previous: Option<(i64, u32)> = None;
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
        let r = ranked(&[("07276", Some(80.0)), ("07273", Some(90.0)), ("07294", Some(90.0)), ("07312", Some(70.0))]);
        assert_eq!(r, vec![("07273", Some(1)), ("07294", Some(1)), ("07276", Some(3)), ("07312", Some(4))]);
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
    fn three_way_ties() {
        let r = ranked(&[("a", Some(5.0)), ("b", Some(5.0)), ("c", Some(5.0)), ("d", Some(1.0))]);
        assert_eq!(r.iter().map(|x| x.1).collect::<Vec<_>>(), vec![Some(1), Some(1), Some(1), Some(4)]);
    }

    #[test]
    fn rank_changes() {
        assert_eq!(rank_change(Some(5), Some(2)), Some(3));
        assert_eq!(rank_change(Some(1), Some(4)), Some(-3));
        assert_eq!(rank_change(None, Some(1)), None);
        assert_eq!(rank_change(Some(1), None), None);
    }
}
