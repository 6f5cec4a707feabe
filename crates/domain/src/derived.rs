//! Figures computed from a report's values: totals and rates. The same definitions serve one
//! report and any aggregate, so an aggregate rate is always recomputed from summed numerators
//! and denominators, never averaged.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::report::Values;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Formula {
    /// The sum of the terms; a reported figure of the same code takes precedence.
    Sum(&'static [&'static str]),
    /// A share in percent, 100 × sum(numerator) / sum(denominator), where the numerator counts
    /// a part of the people or dossiers the denominator counts. Undefined when the denominator
    /// is zero, and when the part exceeds its whole (figures that contradict each other, which
    /// validation warns about): a share never exceeds 100 %, by its definition rather than by
    /// clamping.
    Ratio { numerator: &'static [&'static str], denominator: &'static [&'static str] },
    /// sum(numerator) / sum(denominator), not a share (computers per member of staff);
    /// undefined when the denominator is zero.
    Quotient { numerator: &'static [&'static str], denominator: &'static [&'static str] },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DerivedFigure {
    pub code: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    pub formula: Formula,
}

/// In dependency order: a figure may use the ones above it.
pub const DERIVED: &[DerivedFigure] = &[
    DerivedFigure {
        code: "dossiers_received_new",
        label_vi: "Số hồ sơ mới tiếp nhận trong kỳ",
        label_en: "New dossiers received",
        formula: Formula::Sum(&["dossiers_received_online", "dossiers_received_direct"]),
    },
    DerivedFigure {
        code: "dossiers_received_total",
        label_vi: "Tổng số hồ sơ tiếp nhận",
        label_en: "Dossiers received, total",
        formula: Formula::Sum(&["dossiers_carried_over", "dossiers_received_online", "dossiers_received_direct"]),
    },
    DerivedFigure {
        code: "dossiers_resolved_total",
        label_vi: "Tổng số hồ sơ đã giải quyết",
        label_en: "Dossiers resolved, total",
        formula: Formula::Sum(&["dossiers_resolved_early", "dossiers_resolved_on_time", "dossiers_resolved_overdue"]),
    },
    DerivedFigure {
        code: "dossiers_pending_total",
        label_vi: "Tổng số hồ sơ đang giải quyết",
        label_en: "Dossiers pending, total",
        formula: Formula::Sum(&["dossiers_pending_within_deadline", "dossiers_pending_overdue"]),
    },
    DerivedFigure {
        code: "resolved_on_time_rate",
        label_vi: "Tỷ lệ hồ sơ giải quyết đúng và trước hạn (%)",
        label_en: "Dossiers resolved early or on time (%)",
        formula: Formula::Ratio {
            numerator: &["dossiers_resolved_early", "dossiers_resolved_on_time"],
            denominator: &["dossiers_resolved_total"],
        },
    },
    DerivedFigure {
        code: "online_rate",
        label_vi: "Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)",
        label_en: "New dossiers received online (%)",
        formula: Formula::Ratio { numerator: &["dossiers_received_online"], denominator: &["dossiers_received_new"] },
    },
    DerivedFigure {
        code: "digitization_rate",
        label_vi: "Tỷ lệ hồ sơ có thành phần được số hóa (%)",
        label_en: "New dossiers with digitised components (%)",
        formula: Formula::Ratio { numerator: &["dossiers_digitized"], denominator: &["dossiers_received_new"] },
    },
    DerivedFigure {
        code: "online_payment_rate",
        label_vi: "Tỷ lệ hồ sơ được thanh toán trực tuyến (%)",
        label_en: "New dossiers paid online (%)",
        formula: Formula::Ratio { numerator: &["dossiers_paid_online"], denominator: &["dossiers_received_new"] },
    },
    DerivedFigure {
        code: "progress_rate",
        label_vi: "Tỷ lệ hồ sơ bảo đảm tiến độ (đúng, trước hạn và đang trong hạn) (%)",
        label_en: "Dossiers on schedule: resolved early or on time, or pending within the deadline (%)",
        formula: Formula::Ratio {
            numerator: &["dossiers_resolved_early", "dossiers_resolved_on_time", "dossiers_pending_within_deadline"],
            denominator: &["dossiers_received_total"],
        },
    },
    DerivedFigure {
        code: "civil_servants_standard_rate",
        label_vi: "Tỷ lệ công chức đạt chuẩn: số công chức đạt chuẩn ÷ số công chức cấp xã (%)",
        label_en: "Civil servants meeting the standard ÷ commune civil servants (%)",
        formula: Formula::Ratio { numerator: &["civil_servants_meeting_standard"], denominator: &["civil_servants"] },
    },
    // The university count takes in officials and public employees as well as civil servants
    // (the seed report counts 10 graduates among its 9 civil servants and 20 staff), so it is a
    // share of the whole staff.
    DerivedFigure {
        code: "civil_servants_university_rate",
        label_vi: "Tỷ lệ có trình độ đại học trở lên: số cán bộ, công chức, viên chức có trình độ đại học trở lên ÷ tổng số cán bộ, công chức, viên chức (%)",
        label_en: "University degree or higher: officials, civil servants and public employees with one ÷ all officials, civil servants and public employees (%)",
        formula: Formula::Ratio { numerator: &["civil_servants_university_degree"], denominator: &["staff_total"] },
    },
    DerivedFigure {
        code: "civil_servants_political_theory_rate",
        label_vi: "Tỷ lệ có trình độ trung cấp LLCT trở lên: số công chức cấp xã có trình độ trung cấp LLCT trở lên ÷ số công chức cấp xã (%)",
        label_en: "Intermediate political theory or higher: commune civil servants with it ÷ commune civil servants (%)",
        formula: Formula::Ratio {
            numerator: &["civil_servants_political_theory_intermediate"],
            denominator: &["civil_servants"],
        },
    },
    DerivedFigure {
        code: "computers_per_staff",
        label_vi: "Số máy tính bình quân: số máy tính tại cơ quan ÷ tổng số cán bộ, công chức, viên chức",
        label_en: "Computers per member of staff: computers in the office ÷ officials, civil servants and public employees",
        formula: Formula::Quotient { numerator: &["computers"], denominator: &["staff_total"] },
    },
];

pub fn derived_figure(code: &str) -> Option<&'static DerivedFigure> {
    DERIVED.iter().find(|d| d.code == code)
}

/// Derived figures by code; `None` where an input is not reported, a denominator is zero or a
/// share's part exceeds its whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derived(BTreeMap<&'static str, Option<f64>>);

impl Derived {
    pub fn get(&self, code: &str) -> Option<f64> {
        self.0.get(code).copied().flatten()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Option<f64>)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }
}

/// Computes every derived figure from reported values.
pub fn derive(values: &Values) -> Derived {
    let mut out = BTreeMap::new();
    for fig in DERIVED {
        let term = |code: &str, out: &BTreeMap<&'static str, Option<f64>>| -> Option<f64> {
            match values.get(code) {
                Some(v) => Some(v.as_f64()),
                None => out.get(code).copied().flatten(),
            }
        };
        let sum = |codes: &[&str], out: &BTreeMap<&'static str, Option<f64>>| -> Option<f64> {
            codes.iter().map(|c| term(c, out)).sum::<Option<f64>>()
        };
        let value = match fig.formula {
            Formula::Sum(parts) => values.get(fig.code).map(|v| v.as_f64()).or_else(|| sum(parts, &out)),
            Formula::Ratio { numerator, denominator } => match (sum(numerator, &out), sum(denominator, &out)) {
                (Some(n), Some(d)) if d > 0.0 && n <= d => Some(100.0 * n / d),
                _ => None,
            },
            Formula::Quotient { numerator, denominator } => match (sum(numerator, &out), sum(denominator, &out)) {
                (Some(n), Some(d)) if d > 0.0 => Some(n / d),
                _ => None,
            },
        };
        out.insert(fig.code, value);
    }
    Derived(out)
}

/// Rounds to two decimals, half away from zero: the precision rates are shown and compared at.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Serialize for Derived {
    /// Totals as whole numbers, rates rounded to two decimals.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for fig in DERIVED {
            let v = self.0.get(fig.code).copied().flatten();
            match (fig.formula, v) {
                (_, None) => map.serialize_entry(fig.code, &Option::<f64>::None)?,
                (Formula::Sum(_), Some(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                    map.serialize_entry(fig.code, &(x as i64))?
                }
                (_, Some(x)) => map.serialize_entry(fig.code, &round2(x))?,
            }
        }
        map.end()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Derived {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let mut obj = ObjectBuilder::new().description(Some(
            "Figures computed from the values: totals as whole numbers, rates in percent (never above 100) and quotients rounded to two decimals; null where an input is not reported, a denominator is zero or a part exceeds its whole",
        ));
        for fig in DERIVED {
            let ty = match fig.formula {
                Formula::Sum(_) => Type::Integer,
                Formula::Ratio { .. } | Formula::Quotient { .. } => Type::Number,
            };
            obj = obj.property(
                fig.code,
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([ty, Type::Null]))
                    .description(Some(format!("{} — {}", fig.label_vi, fig.label_en))),
            );
        }
        obj.into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Derived {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Value;

    fn values(pairs: &[(&str, i64)]) -> Values {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Value::Count(*v))).collect()
    }

    #[test]
    fn seed_report_figures() {
        let v = values(&[
            ("dossiers_carried_over", 0),
            ("dossiers_received_online", 168),
            ("dossiers_received_direct", 0),
            ("dossiers_resolved_early", 132),
            ("dossiers_resolved_on_time", 33),
            ("dossiers_resolved_overdue", 1),
            ("dossiers_pending_within_deadline", 2),
            ("dossiers_pending_overdue", 0),
            ("civil_servants", 9),
            ("civil_servants_political_theory_intermediate", 7),
            ("civil_servants_university_degree", 10),
            ("staff_total", 20),
            ("computers", 20),
        ]);
        let d = derive(&v);
        assert_eq!(d.get("dossiers_received_total"), Some(168.0));
        assert_eq!(d.get("dossiers_resolved_total"), Some(166.0));
        assert_eq!(d.get("dossiers_pending_total"), Some(2.0));
        assert_eq!(round2(d.get("resolved_on_time_rate").unwrap()), 99.40);
        assert_eq!(d.get("online_rate"), Some(100.0));
        assert_eq!(round2(d.get("progress_rate").unwrap()), 99.40); // (132+33+2)/168
        assert_eq!(round2(d.get("civil_servants_political_theory_rate").unwrap()), 77.78);
        // 10 graduates among the 20 staff (not 10 / 9 = 111.11 % of the civil servants).
        assert_eq!(d.get("civil_servants_university_rate"), Some(50.0));
        assert_eq!(d.get("computers_per_staff"), Some(1.0), "20 computers for 20 staff");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["dossiers_received_total"], serde_json::json!(168));
        assert_eq!(json["resolved_on_time_rate"], serde_json::json!(99.4));
        assert_eq!(json["civil_servants_standard_rate"], serde_json::Value::Null);
        assert_eq!(json["civil_servants_university_rate"], serde_json::json!(50.0));
        assert_eq!(json["computers_per_staff"], serde_json::json!(1.0));
    }

    #[test]
    fn a_share_never_exceeds_its_whole() {
        // Ten graduates reported among nine staff contradict each other: no rate, not 111.11 %.
        let d = derive(&values(&[("civil_servants_university_degree", 10), ("staff_total", 9)]));
        assert_eq!(d.get("civil_servants_university_rate"), None);
        let d = derive(&values(&[("civil_servants_university_degree", 9), ("staff_total", 9)]));
        assert_eq!(d.get("civil_servants_university_rate"), Some(100.0));
        // A quotient is not a share: 30 computers for 20 staff is 1.5 each.
        let d = derive(&values(&[("computers", 30), ("staff_total", 20)]));
        assert_eq!(d.get("computers_per_staff"), Some(1.5));
        assert_eq!(derive(&values(&[("computers", 3), ("staff_total", 0)])).get("computers_per_staff"), None);
    }

    #[test]
    fn every_share_says_what_it_divides_by_what() {
        for fig in DERIVED {
            if let Formula::Ratio { .. } | Formula::Quotient { .. } = fig.formula
                && fig.code.starts_with("civil_servants")
            {
                assert!(fig.label_vi.contains('÷') && fig.label_en.contains('÷'), "{}", fig.code);
            }
        }
        let u = derived_figure("civil_servants_university_rate").unwrap();
        assert_eq!(
            u.label_vi,
            "Tỷ lệ có trình độ đại học trở lên: số cán bộ, công chức, viên chức có trình độ đại học trở lên ÷ tổng số cán bộ, công chức, viên chức (%)"
        );
    }

    #[test]
    fn missing_inputs_and_zero_denominators_give_nothing() {
        let d = derive(&values(&[("dossiers_received_online", 5)]));
        assert_eq!(d.get("dossiers_received_new"), None, "direct not reported: the total is unknown");
        assert_eq!(d.get("online_rate"), None);
        let d = derive(&values(&[("dossiers_received_online", 0), ("dossiers_received_direct", 0)]));
        assert_eq!(d.get("dossiers_received_new"), Some(0.0));
        assert_eq!(d.get("online_rate"), None, "0/0 is not a rate");
    }

    #[test]
    fn a_reported_total_stands_in_for_missing_parts() {
        let d = derive(&values(&[
            ("dossiers_resolved_total", 10),
            ("dossiers_resolved_early", 4),
            ("dossiers_resolved_on_time", 5),
        ]));
        assert_eq!(d.get("dossiers_resolved_total"), Some(10.0));
        assert_eq!(d.get("resolved_on_time_rate"), Some(90.0));
    }

    #[test]
    fn round2_is_half_away_from_zero() {
        assert_eq!(round2(99.3975903614), 99.40);
        assert_eq!(round2(0.125), 0.13);
        assert_eq!(round2(77.7777), 77.78);
    }
}
