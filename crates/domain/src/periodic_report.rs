//! Periodic reports: a commune's quarterly, six-month, nine-month and annual CCHC reports
//! (*Quý I năm 2025*, *9 tháng đầu năm 2022*). Their figures start from the commune's months
//! rolled up by each indicator's `time_aggregation`; the commune may correct them, and each
//! figure that then differs from the months' roll-up is a warning for its reviewer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregation::{PeriodFigures, roll_up_months, with_totals};
use crate::catalog::Catalog;
use crate::derived::round2;
use crate::findings::Finding;
use crate::hierarchy::{Merge, successor_at};
use crate::period::{Month, Period};
use crate::report::{ReportStatus, Value, Values};
use crate::units::UnitCode;

/// Which figures a view of a longer period reads: the monthly reports rolled up (the default,
/// as before periodic reports existed), or the periodic reports filed for the period. A month
/// reads its monthly reports either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FiguresSource {
    #[default]
    Months,
    Filed,
}

/// The communes expected in `period` with the figures of their filed periodic reports: a
/// counted report (submitted, approved, locked) stands for every month of the period; a report
/// filed by a commune merged away by the period's end counts towards its successor unless the
/// successor filed its own.
pub fn filed_period_figures(
    communes: Vec<(UnitCode, String)>,
    merges: &[Merge],
    period: Period,
    reports: Vec<(UnitCode, ReportStatus, Values)>,
) -> PeriodFigures {
    let last = period.last_month();
    let expected: std::collections::HashSet<&UnitCode> = communes.iter().map(|(c, _)| c).collect();
    let mut values: BTreeMap<UnitCode, Values> = BTreeMap::new();
    let mut own: Vec<(UnitCode, Values)> = Vec::new();
    for (code, status, v) in reports {
        let owner = successor_at(merges, &code, last);
        if !status.counts() || !expected.contains(&owner) {
            continue;
        }
        if owner == code {
            own.push((code, v))
        } else {
            values.entry(owner).or_insert(v);
        }
    }
    values.extend(own);
    let months_reported = values.keys().map(|c| (c.clone(), period.len_months() as usize)).collect();
    PeriodFigures { communes, values, monthly: Vec::new(), months_reported }
}

/// The figures a periodic report starts from: the months' reports rolled up (flows summed,
/// stocks the last month's, carried over the first month's, rates their mean, events "any"),
/// with the dossier totals the parts determine. Months in chronological order.
pub fn prefill(catalog: &Catalog, months: &[(Month, &Values)]) -> Values {
    with_totals(catalog, &roll_up_months(catalog, months))
}

/// A warning for every indicator the filed report and the months' roll-up both give with a
/// different value (a figure the filed report leaves out is not reported, not a difference).
pub fn differs_from_months(catalog: &Catalog, filed: &Values, months: &Values) -> Vec<Finding> {
    let mut out = Vec::new();
    // The roll-up holds what the months' rules give, totals included (the received total is
    // not summed over months but follows from the period's parts).
    for ind in catalog.indicators() {
        let (Some(&f), Some(&m)) = (filed.get(&ind.code), months.get(&ind.code)) else { continue };
        if same(f, m) {
            continue;
        }
        let (fv, mv) = (shown(f, true), shown(m, true));
        out.push(Finding::warning(
            "differs_from_months",
            &[&ind.code],
            format!("“{}” của kỳ báo cáo là {fv}, khác số tổng hợp từ các báo cáo tháng ({mv})", ind.label_vi),
            format!(
                "`{}` = {} differs from the roll-up of the monthly reports ({})",
                ind.code,
                shown(f, false),
                shown(m, false)
            ),
        ));
    }
    out
}

/// Equal as figures: counts exactly, other numbers to two decimals, yes/no as answered.
fn same(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Flag(x), Value::Flag(y)) => x == y,
        (Value::Count(x), Value::Count(y)) => x == y,
        (x, y) => round2(x.as_f64()) == round2(y.as_f64()),
    }
}

fn shown(v: Value, vi: bool) -> String {
    match v {
        Value::Flag(b) => match (b, vi) {
            (true, true) => "có".into(),
            (false, true) => "không".into(),
            (true, false) => "yes".into(),
            (false, false) => "no".into(),
        },
        Value::Count(n) => n.to_string(),
        Value::Number(x) => {
            let s = format!("{:.2}", round2(x));
            if vi { s.replace('.', ",") } else { s }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::derived::derive;
    use crate::hierarchy::tests::vals;
    use serde_json::json;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn quarter() -> [Values; 3] {
        [
            vals(json!({"dossiers_carried_over": 3, "dossiers_received_online": 10, "dossiers_received_direct": 2,
                "dossiers_resolved_early": 8, "dossiers_resolved_on_time": 4, "dossiers_resolved_overdue": 1,
                "dossiers_pending_within_deadline": 2, "dossiers_pending_overdue": 0, "staff_total": 19,
                "edocs_incoming_rate": 90.0, "satisfaction_survey_conducted": false})),
            vals(json!({"dossiers_carried_over": 2, "dossiers_received_online": 20, "dossiers_received_direct": 0,
                "dossiers_resolved_early": 15, "dossiers_resolved_on_time": 5, "dossiers_resolved_overdue": 0,
                "dossiers_pending_within_deadline": 1, "dossiers_pending_overdue": 1, "staff_total": 20,
                "edocs_incoming_rate": 95.0, "satisfaction_survey_conducted": true})),
            vals(json!({"dossiers_carried_over": 2, "dossiers_received_online": 30, "dossiers_received_direct": 1,
                "dossiers_resolved_early": 25, "dossiers_resolved_on_time": 6, "dossiers_resolved_overdue": 0,
                "dossiers_pending_within_deadline": 2, "dossiers_pending_overdue": 0, "staff_total": 20,
                "edocs_incoming_rate": 97.0, "satisfaction_survey_conducted": false})),
        ]
    }

    #[test]
    fn a_quarter_is_prefilled_from_its_three_months() {
        let cat = Catalog::builtin();
        let [apr, may, jun] = quarter();
        let q = prefill(&cat, &[(m("2024-04"), &apr), (m("2024-05"), &may), (m("2024-06"), &jun)]);
        assert_eq!(q["dossiers_carried_over"], Value::Count(3), "April's carried over");
        assert_eq!(q["dossiers_received_online"], Value::Count(60), "10 + 20 + 30");
        assert_eq!(q["dossiers_received_direct"], Value::Count(3), "2 + 0 + 1");
        assert_eq!(q["dossiers_received_total"], Value::Count(66), "3 carried + 63 new");
        assert_eq!(q["dossiers_resolved_early"], Value::Count(48));
        assert_eq!(q["dossiers_resolved_on_time"], Value::Count(15));
        assert_eq!(q["dossiers_resolved_overdue"], Value::Count(1));
        assert_eq!(q["dossiers_resolved_total"], Value::Count(64));
        assert_eq!(q["dossiers_pending_within_deadline"], Value::Count(2), "June's pending");
        assert_eq!(q["dossiers_pending_overdue"], Value::Count(0));
        assert_eq!(q["staff_total"], Value::Count(20));
        assert_eq!(q["edocs_incoming_rate"], Value::Number(94.0), "(90 + 95 + 97) / 3");
        assert_eq!(q["satisfaction_survey_conducted"], Value::Flag(true));
        // 3 + 63 = 66 = 64 resolved + 2 pending: the roll-up keeps the Biểu 06 identity.
        let d = derive(&q);
        assert_eq!(round2(d.get("resolved_on_time_rate").unwrap()), 98.44, "(48 + 15) / 64");
        assert_eq!(differs_from_months(&cat, &q, &q), Vec::new());
    }

    #[test]
    fn a_corrected_figure_is_a_warning_named_by_its_label() {
        let cat = Catalog::builtin();
        let [apr, may, jun] = quarter();
        let months = prefill(&cat, &[(m("2024-04"), &apr), (m("2024-05"), &may), (m("2024-06"), &jun)]);
        let mut filed = months.clone();
        filed.insert("dossiers_received_online".into(), Value::Count(61));
        filed.insert("edocs_incoming_rate".into(), Value::Number(94.004));
        filed.insert("satisfaction_survey_conducted".into(), Value::Flag(false));
        filed.insert("dossiers_received_total".into(), Value::Count(67));
        filed.remove("staff_total");
        let found = differs_from_months(&cat, &filed, &months);
        let codes: Vec<&str> = found.iter().map(|f| f.indicators[0].as_str()).collect();
        // In catalog order; the rate differs by less than a hundredth, the left-out staff not at all.
        assert_eq!(codes, ["satisfaction_survey_conducted", "dossiers_received_online", "dossiers_received_total"]);
        assert!(found.iter().all(|f| f.code == "differs_from_months" && !f.is_error()));
        let label = &cat.get("dossiers_received_online").unwrap().label_vi;
        assert_eq!(
            found[1].message_vi,
            format!("“{label}” của kỳ báo cáo là 61, khác số tổng hợp từ các báo cáo tháng (60)")
        );
        assert_eq!(
            found[1].message_en,
            "`dossiers_received_online` = 61 differs from the roll-up of the monthly reports (60)"
        );
        assert!(found[0].message_vi.ends_with("là không, khác số tổng hợp từ các báo cáo tháng (có)"));
    }

    #[test]
    fn filed_reports_stand_for_their_whole_period_and_only_counted_ones() {
        let code = |s: &str| UnitCode::parse(s).unwrap();
        let q2 = Period::parse("2024Q2").unwrap();
        let communes = vec![(code("07273"), "Xã Đông Sơn".to_owned()), (code("07294"), "Xã Bố Hạ".to_owned())];
        let f = filed_period_figures(
            communes,
            &[],
            q2,
            vec![
                (code("07273"), ReportStatus::Submitted, vals(json!({"dossiers_received_online": 61}))),
                (code("07294"), ReportStatus::Draft, vals(json!({"dossiers_received_online": 5}))),
                (code("07312"), ReportStatus::Approved, vals(json!({"dossiers_received_online": 9}))),
            ],
        );
        assert_eq!(f.values.len(), 1, "the draft and the commune outside do not count");
        assert_eq!(f.values[&code("07273")]["dossiers_received_online"], Value::Count(61));
        assert_eq!(f.months_reported[&code("07273")], 3);
        assert!(f.monthly.is_empty());
    }

    #[test]
    fn rates_are_compared_to_two_decimals() {
        let cat = Catalog::builtin();
        let months = vals(json!({"edocs_incoming_rate": 93.333333}));
        assert!(differs_from_months(&cat, &vals(json!({"edocs_incoming_rate": 93.33})), &months).is_empty());
        let found = differs_from_months(&cat, &vals(json!({"edocs_incoming_rate": 93.5})), &months);
        assert!(found[0].message_vi.contains("là 93,50, khác số tổng hợp từ các báo cáo tháng (93,33)"));
    }
}
