//! Aggregates: a commune's months rolled up into a longer period, and communes combined into
//! a district, a province or the country — each indicator by its own rule (the catalog's
//! `unit_aggregation` and `time_aggregation`, `catalog/indicators.json`).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::catalog::{Catalog, IndicatorKind, TimeAggregation, UnitAggregation};
use crate::derived::{DERIVED, Derived, Formula, derive, round2};
use crate::hierarchy::{Merge, predecessors, successor_at};
use crate::period::Month;
use crate::report::{MonthFigures, Value, Values};
use crate::units::UnitCode;

/// Rolls one commune's monthly values up into a longer period: flows add up, stocks take the
/// last reported month, carried-over figures the first, reported rates their mean, events "any".
/// Months must be in chronological order.
pub fn roll_up_months(catalog: &Catalog, months: &[(Month, &Values)]) -> Values {
    if let [(_, only)] = months {
        return (*only).clone();
    }
    // Each month's totals are completed from its parts first; a total still missing in some
    // month is left out, so that the period's total is recomputed from its parts rather than
    // taken from the months that happened to report it.
    let months: Vec<Values> = months.iter().map(|(_, v)| with_totals(catalog, v)).collect();
    let mut out = Values::new();
    for ind in catalog.indicators() {
        let series: Vec<Value> = months.iter().filter_map(|v| v.get(&ind.code).copied()).collect();
        let (Some(first), Some(last)) = (series.first(), series.last()) else { continue };
        if is_total(ind.code.as_str()) && series.len() < months.len() {
            continue;
        }
        let rolled = match ind.time_aggregation {
            TimeAggregation::None => continue,
            TimeAggregation::First => *first,
            TimeAggregation::Last => *last,
            TimeAggregation::Sum => sum_values(ind.kind, &series),
            TimeAggregation::Mean => {
                Value::Number(series.iter().map(|v| v.as_f64()).sum::<f64>() / series.len() as f64)
            }
            TimeAggregation::Any => Value::Flag(series.iter().any(|v| v.as_bool() == Some(true))),
        };
        out.insert(ind.code.clone(), rolled);
    }
    out
}

/// Whether an indicator is a reportable total that derived figures can also compute.
fn is_total(code: &str) -> bool {
    DERIVED.iter().any(|d| d.code == code && matches!(d.formula, Formula::Sum(_)))
}

fn sum_values(kind: IndicatorKind, series: &[Value]) -> Value {
    if kind.is_integral() {
        Value::Count(series.iter().map(|v| v.as_f64() as i64).sum())
    } else {
        Value::Number(series.iter().map(|v| v.as_f64()).sum())
    }
}

/// Fills in the dossier totals a unit's parts determine, so that summing totals across units
/// counts every unit whether it reported the total or only its parts.
pub fn with_totals(catalog: &Catalog, values: &Values) -> Values {
    let derived = derive(values);
    let mut out = values.clone();
    for fig in DERIVED {
        if let Formula::Sum(_) = fig.formula
            && catalog.contains(fig.code)
            && !out.contains_key(fig.code)
            && let Some(x) = derived.get(fig.code)
        {
            out.insert(fig.code.to_owned(), Value::Count(x as i64));
        }
    }
    out
}

/// Combines several units' reports of one month into one, as if a single unit had reported
/// them (merged communes before their merger): counts add up, reported rates average, yes/no
/// is yes when any says yes.
pub fn combine_reports(catalog: &Catalog, reports: &[&Values]) -> Values {
    let units: Vec<Values> = reports.iter().map(|v| with_totals(catalog, v)).collect();
    let mut out = Values::new();
    for ind in catalog.indicators() {
        let series: Vec<Value> = units.iter().filter_map(|v| v.get(&ind.code).copied()).collect();
        if series.is_empty() {
            continue;
        }
        let combined = match ind.unit_aggregation {
            UnitAggregation::Sum => sum_values(ind.kind, &series),
            UnitAggregation::ShareYes => Value::Flag(series.iter().any(|v| v.as_bool() == Some(true))),
            UnitAggregation::Mean => {
                Value::Number(series.iter().map(|v| v.as_f64()).sum::<f64>() / series.len() as f64)
            }
        };
        out.insert(ind.code.clone(), combined);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AggregateRule {
    /// The sum over the units that reported it.
    Sum,
    /// The share of units answering yes among those that answered, in percent.
    ShareYes,
    /// The plain mean over the units that reported it — not the rate of the whole.
    MeanOfReported,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorAggregate {
    /// Whole numbers for counts and amounts; two decimals otherwise.
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub value: serde_json::Value,
    pub rule: AggregateRule,
    /// How many units reported this indicator.
    pub reporting_units: usize,
    /// For yes/no indicators: how many answered yes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yes: Option<usize>,
}

/// Indicators and derived figures over a set of units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitsAggregate {
    pub indicators: BTreeMap<String, IndicatorAggregate>,
    /// Recomputed from the summed numerators and denominators, never averaged.
    pub derived: Derived,
}

/// Combines units' values (each already rolled up over the period).
pub fn aggregate_units<'a>(catalog: &Catalog, units: impl IntoIterator<Item = &'a Values>) -> UnitsAggregate {
    let units: Vec<Values> = units.into_iter().map(|v| with_totals(catalog, v)).collect();
    let mut indicators = BTreeMap::new();
    let mut summed = Values::new();
    for ind in catalog.indicators() {
        let series: Vec<Value> = units.iter().filter_map(|v| v.get(&ind.code).copied()).collect();
        if series.is_empty() {
            continue;
        }
        let n = series.len();
        let agg = match ind.unit_aggregation {
            UnitAggregation::Sum => {
                let total = sum_values(ind.kind, &series);
                summed.insert(ind.code.clone(), total);
                let value = match total {
                    Value::Count(i) => serde_json::Value::from(i),
                    other => serde_json::Value::from(round2(other.as_f64())),
                };
                IndicatorAggregate { value, rule: AggregateRule::Sum, reporting_units: n, yes: None }
            }
            UnitAggregation::ShareYes => {
                let yes = series.iter().filter(|v| v.as_bool() == Some(true)).count();
                IndicatorAggregate {
                    value: serde_json::Value::from(round2(100.0 * yes as f64 / n as f64)),
                    rule: AggregateRule::ShareYes,
                    reporting_units: n,
                    yes: Some(yes),
                }
            }
            UnitAggregation::Mean => IndicatorAggregate {
                value: serde_json::Value::from(round2(series.iter().map(|v| v.as_f64()).sum::<f64>() / n as f64)),
                rule: AggregateRule::MeanOfReported,
                reporting_units: n,
                yes: None,
            },
        };
        indicators.insert(ind.code.clone(), agg);
    }
    UnitsAggregate { indicators, derived: derive(&summed) }
}

/// The units whose reports the figures of these communes need: the communes and every unit
/// merged into them.
pub fn reporting_units(communes: &[UnitCode], merges: &[Merge]) -> Vec<UnitCode> {
    let mut out = communes.to_vec();
    if !merges.is_empty() {
        for c in communes {
            out.extend(predecessors(merges, c));
        }
    }
    out
}

/// The communes expected in a period and their counted figures, each commune's months rolled
/// up, with predecessors' reports attributed to their successors.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFigures {
    /// Every expected commune with its name, by code.
    pub communes: Vec<(UnitCode, String)>,
    /// Rolled-up values of the communes that reported, by code.
    pub values: BTreeMap<UnitCode, Values>,
    /// The counted monthly reports behind them.
    pub monthly: Vec<MonthFigures>,
    /// Months with at least one counted report, by expected commune (a successor's month counts
    /// once however many of its predecessors reported it).
    pub months_reported: BTreeMap<UnitCode, usize>,
}

/// Rolls up the reports of a period ending in `last` for the expected `communes`: each report
/// counts towards the unit that carries its history at the end of the period; drafts and
/// returned reports do not count; predecessors reporting the same month add up into one.
pub fn period_figures(
    catalog: &Catalog,
    communes: Vec<(UnitCode, String)>,
    merges: &[Merge],
    last: Month,
    reports: Vec<MonthFigures>,
) -> PeriodFigures {
    let expected: HashSet<&UnitCode> = communes.iter().map(|(c, _)| c).collect();
    let monthly: Vec<MonthFigures> = reports
        .into_iter()
        .filter(|f| f.status.counts() && expected.contains(&successor_at(merges, &f.unit_code, last)))
        .collect();
    let mut by_unit: BTreeMap<UnitCode, Vec<(Month, &Values)>> = BTreeMap::new();
    for f in &monthly {
        by_unit.entry(successor_at(merges, &f.unit_code, last)).or_default().push((f.period, &f.values));
    }
    let values = by_unit
        .into_iter()
        .map(|(code, mut months)| {
            months.sort_by_key(|(m, _)| *m);
            let merged = merge_same_month(catalog, months);
            let refs: Vec<(Month, &Values)> = merged.iter().map(|(m, v)| (*m, v)).collect();
            (code, roll_up_months(catalog, &refs))
        })
        .collect();
    let distinct: HashSet<(UnitCode, Month)> =
        monthly.iter().map(|f| (successor_at(merges, &f.unit_code, last), f.period)).collect();
    let mut months_reported: BTreeMap<UnitCode, usize> = BTreeMap::new();
    for (owner, _) in distinct {
        *months_reported.entry(owner).or_default() += 1;
    }
    PeriodFigures { communes, values, monthly, months_reported }
}

/// Several predecessors may have reported the same month: their figures add up into one.
fn merge_same_month(catalog: &Catalog, months: Vec<(Month, &Values)>) -> Vec<(Month, Values)> {
    let mut out: Vec<(Month, Vec<&Values>)> = Vec::new();
    for (m, v) in months {
        match out.last_mut() {
            Some((last, list)) if *last == m => list.push(v),
            _ => out.push((m, vec![v])),
        }
    }
    out.into_iter()
        .map(|(m, list)| match list.as_slice() {
            [one] => (m, (*one).clone()),
            many => (m, combine_reports(catalog, many)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::vals;
    use serde_json::json;

    #[test]
    fn three_communes_sum_counts_and_recompute_rates() {
        let cat = Catalog::builtin();
        let a =
            vals(json!({"dossiers_carried_over": 0, "dossiers_received_online": 168, "dossiers_received_direct": 0,
            "dossiers_resolved_early": 132, "dossiers_resolved_on_time": 33, "dossiers_resolved_overdue": 1,
            "dossiers_pending_within_deadline": 2, "dossiers_pending_overdue": 0,
            "edocs_incoming_rate": 99.0, "iso_9001_applied": true}));
        let b =
            vals(json!({"dossiers_carried_over": 4, "dossiers_received_online": 50, "dossiers_received_direct": 50,
            "dossiers_resolved_early": 40, "dossiers_resolved_on_time": 40, "dossiers_resolved_overdue": 20,
            "dossiers_pending_within_deadline": 3, "dossiers_pending_overdue": 1,
            "edocs_incoming_rate": 80.0, "iso_9001_applied": false}));
        let c = vals(json!({"dossiers_carried_over": 1, "dossiers_received_online": 9, "dossiers_received_direct": 1,
            "dossiers_resolved_early": 5, "dossiers_resolved_on_time": 5, "dossiers_resolved_overdue": 0,
            "dossiers_pending_within_deadline": 1, "dossiers_pending_overdue": 0, "iso_9001_applied": true}));
        let agg = aggregate_units(&cat, [&a, &b, &c]);
        assert_eq!(agg.indicators["dossiers_received_online"].value, json!(227));
        assert_eq!(agg.indicators["dossiers_received_total"].value, json!(283));
        assert_eq!(agg.indicators["dossiers_received_total"].reporting_units, 3);
        // (132+33 + 40+40 + 5+5) / (166 + 100 + 10) = 255/276
        assert_eq!(round2(agg.derived.get("resolved_on_time_rate").unwrap()), 92.39);
        // A mean of per-commune rates would be (99.40 + 80 + 100) / 3 = 93.13: not what we report.
        assert_eq!(round2(agg.derived.get("online_rate").unwrap()), 81.65); // 227 / 278
        assert_eq!(agg.indicators["edocs_incoming_rate"].value, json!(89.5));
        assert_eq!(agg.indicators["edocs_incoming_rate"].rule, AggregateRule::MeanOfReported);
        assert_eq!(agg.indicators["edocs_incoming_rate"].reporting_units, 2);
        assert_eq!(agg.indicators["iso_9001_applied"].value, json!(66.67));
        assert_eq!(agg.indicators["iso_9001_applied"].yes, Some(2));
    }

    #[test]
    fn a_quarter_rolls_flows_stocks_and_carry_over() {
        let cat = Catalog::builtin();
        let apr =
            vals(json!({"dossiers_carried_over": 3, "dossiers_received_online": 10, "dossiers_received_direct": 0,
            "dossiers_resolved_early": 8, "dossiers_resolved_on_time": 3, "dossiers_resolved_overdue": 0,
            "dossiers_pending_within_deadline": 2, "dossiers_pending_overdue": 0, "staff_total": 19,
            "edocs_incoming_rate": 90.0, "satisfaction_survey_conducted": false}));
        let may =
            vals(json!({"dossiers_carried_over": 2, "dossiers_received_online": 20, "dossiers_received_direct": 2,
            "dossiers_resolved_early": 20, "dossiers_resolved_on_time": 4, "dossiers_resolved_overdue": 0,
            "dossiers_pending_within_deadline": 0, "dossiers_pending_overdue": 0, "staff_total": 20,
            "edocs_incoming_rate": 96.0, "satisfaction_survey_conducted": true}));
        let rolled = roll_up_months(&cat, &[("2024-04".parse().unwrap(), &apr), ("2024-05".parse().unwrap(), &may)]);
        assert_eq!(rolled["dossiers_carried_over"], Value::Count(3));
        assert_eq!(rolled["dossiers_received_online"], Value::Count(30));
        assert_eq!(rolled["dossiers_pending_within_deadline"], Value::Count(0));
        assert_eq!(rolled["staff_total"], Value::Count(20));
        assert_eq!(rolled["edocs_incoming_rate"], Value::Number(93.0));
        assert_eq!(rolled["satisfaction_survey_conducted"], Value::Flag(true));
        let d = derive(&rolled);
        // 3 carried + 32 new = 35 = 35 resolved + 0 pending
        assert_eq!(d.get("dossiers_received_total"), Some(35.0));
        assert_eq!(d.get("dossiers_resolved_total"), Some(35.0));
    }

    #[test]
    fn totals_reported_in_some_months_only_are_recomputed_from_parts() {
        let cat = Catalog::builtin();
        let april =
            vals(json!({"dossiers_resolved_early": 8, "dossiers_resolved_on_time": 3, "dossiers_resolved_overdue": 0,
            "dossiers_resolved_total": 11}));
        let may = vals(
            json!({"dossiers_resolved_early": 20, "dossiers_resolved_on_time": 4, "dossiers_resolved_overdue": 0}),
        );
        let june = vals(json!({"dossiers_resolved_early": 25, "dossiers_resolved_on_time": 5}));
        let m = |s: &str| s.parse::<Month>().unwrap();
        let q = roll_up_months(&cat, &[(m("2024-04"), &april), (m("2024-05"), &may)]);
        assert_eq!(q["dossiers_resolved_total"], Value::Count(35), "April's reported total plus May's parts");
        let q = roll_up_months(&cat, &[(m("2024-04"), &april), (m("2024-05"), &may), (m("2024-06"), &june)]);
        assert!(!q.contains_key("dossiers_resolved_total"), "June's total is unknown");
        // Flows sum over the months that reported them, so the parts give 53 + 12 + 0.
        assert_eq!(derive(&q).get("dossiers_resolved_total"), Some(65.0));
    }

    #[test]
    fn a_period_counts_predecessors_towards_their_successor_once_a_month() {
        use crate::report::ReportStatus;
        let cat = Catalog::builtin();
        let code = |s: &str| UnitCode::parse(s).unwrap();
        let m = |s: &str| s.parse::<Month>().unwrap();
        let merges = vec![
            Merge { absorbed: code("07273"), successor: code("07294"), effective: m("2025-07") },
            Merge { absorbed: code("07279"), successor: code("07294"), effective: m("2025-07") },
        ];
        let report = |c: &str, month: &str, status, online: i64| MonthFigures {
            unit_code: code(c),
            period: m(month),
            status,
            revision: 1,
            values: vals(json!({"dossiers_received_online": online})),
            submitted_at: None,
        };
        let units = reporting_units(&[code("07294")], &merges);
        assert_eq!(units, [code("07294"), code("07273"), code("07279")]);
        let f = period_figures(
            &cat,
            vec![(code("07294"), "Xã Bố Hạ".into())],
            &merges,
            m("2025-09"),
            vec![
                report("07273", "2025-06", ReportStatus::Submitted, 10),
                report("07279", "2025-06", ReportStatus::Approved, 5),
                report("07294", "2025-06", ReportStatus::Draft, 100),
                report("07294", "2025-07", ReportStatus::Submitted, 20),
                report("07312", "2025-07", ReportStatus::Submitted, 1000),
            ],
        );
        assert_eq!(f.monthly.len(), 3, "the draft and the stranger do not count");
        assert_eq!(f.months_reported[&code("07294")], 2, "June counts once for two predecessors");
        assert_eq!(f.values[&code("07294")].get("dossiers_received_online"), Some(&Value::Count(35)));
    }

    #[test]
    fn merged_communes_combine_into_one_report() {
        let cat = Catalog::builtin();
        let a = vals(json!({"dossiers_received_online": 10, "edocs_incoming_rate": 90.0, "iso_9001_applied": false}));
        let b = vals(json!({"dossiers_received_online": 5, "edocs_incoming_rate": 100.0, "iso_9001_applied": true}));
        let c = combine_reports(&cat, &[&a, &b]);
        assert_eq!(c["dossiers_received_online"], Value::Count(15));
        assert_eq!(c["edocs_incoming_rate"], Value::Number(95.0));
        assert_eq!(c["iso_9001_applied"], Value::Flag(true));
    }

    #[test]
    fn a_reported_total_and_bare_parts_both_count() {
        let cat = Catalog::builtin();
        let a = vals(json!({"dossiers_resolved_total": 10}));
        let b =
            vals(json!({"dossiers_resolved_early": 1, "dossiers_resolved_on_time": 1, "dossiers_resolved_overdue": 1}));
        let agg = aggregate_units(&cat, [&a, &b]);
        assert_eq!(agg.indicators["dossiers_resolved_total"].value, json!(13));
        assert_eq!(agg.derived.get("dossiers_resolved_total"), Some(13.0));
    }
}
