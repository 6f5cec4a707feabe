//! The indicator catalog: what a monthly report can contain. It is data
//! (`catalog/indicators.json`), seeded into the database and served by the API; code only
//! knows the kinds of indicator and the ways they aggregate.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::period::Month;
use crate::report::{MAX_AMOUNT_VND, MAX_COUNT};

/// The PAR (CCHC) domain an indicator belongs to; the commune PAR index has these domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParDomain {
    Direction,
    Institutions,
    Procedures,
    Organization,
    CivilService,
    PublicFinance,
    DigitalGovernment,
    Impact,
}

/// What kind of figure an indicator holds, which fixes its JSON type and its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// A whole, non-negative number of things.
    Count,
    /// A reported rate between 0 and 100.
    Percent,
    /// A whole, non-negative amount of Vietnamese đồng.
    AmountVnd,
    /// A non-negative area in square metres.
    AreaM2,
    /// Yes or no.
    YesNo,
}

impl IndicatorKind {
    pub fn json_type(self) -> &'static str {
        match self {
            IndicatorKind::Count | IndicatorKind::AmountVnd => "integer",
            IndicatorKind::Percent | IndicatorKind::AreaM2 => "number",
            IndicatorKind::YesNo => "boolean",
        }
    }

    pub fn is_integral(self) -> bool {
        matches!(self, IndicatorKind::Count | IndicatorKind::AmountVnd)
    }

    /// The largest figure accepted (every kind but yes/no starts at 0).
    pub fn maximum(self) -> Option<f64> {
        match self {
            IndicatorKind::Percent => Some(100.0),
            IndicatorKind::Count => Some(MAX_COUNT as f64),
            IndicatorKind::AmountVnd => Some(MAX_AMOUNT_VND as f64),
            IndicatorKind::AreaM2 => Some(1.0e7),
            IndicatorKind::YesNo => None,
        }
    }
}

/// How an indicator combines across units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitAggregation {
    /// Counts and amounts add up.
    Sum,
    /// Yes/no: the share of reporting units answering yes, in percent.
    ShareYes,
    /// A figure reported as a rate or level: the plain mean over the units that reported it.
    /// Labelled as such, because it is not the rate of the whole.
    Mean,
}

/// How an indicator combines across the months of a longer period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeAggregation {
    /// A flow (dossiers received): the months add up.
    Sum,
    /// A stock (staff, pending dossiers): the last reported month's value.
    Last,
    /// Carried over: the first reported month's value.
    First,
    /// A reported rate: the mean over reported months.
    Mean,
    /// An event (a survey held): yes if any month says yes.
    Any,
    /// Not carried into longer periods; recomputed from its parts there.
    None,
}

/// An indicator's labels from a month on: the terms of a reform (the one-stop unit of a commune
/// became its *Trung tâm phục vụ hành chính công* from July 2025).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodLabel {
    /// The first month (`YYYY-MM`) these labels apply to.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2025-07"))]
    pub from: Month,
    pub label_vi: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    /// Stable code used in reports, e.g. `dossiers_received_online`.
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    pub domain: ParDomain,
    pub kind: IndicatorKind,
    pub unit_aggregation: UnitAggregation,
    pub time_aggregation: TimeAggregation,
    /// The official form or regulation the figure comes from, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A submitted (not draft) report must carry it: the Biểu 06 figures.
    #[serde(default)]
    pub required_on_submit: bool,
    /// The month (`YYYY-MM`) from which other indicators replace this one; it stays accepted
    /// in every period, so that old and new reports alike can be filed and compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2022-08"))]
    pub superseded_from: Option<Month>,
    /// The indicators that replace it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<String>,
    /// Labels that apply from a month on, oldest first; `label_vi` and `label_en` before the
    /// first of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels_from: Vec<PeriodLabel>,
}

impl Indicator {
    /// The labels in force in `month`: `(label_vi, label_en)`.
    pub fn labels_in(&self, month: Month) -> (&str, &str) {
        self.labels_from
            .iter()
            .rev()
            .find(|l| l.from <= month)
            .map_or((self.label_vi.as_str(), self.label_en.as_str()), |l| (l.label_vi.as_str(), l.label_en.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    #[error("the indicator catalog is not valid JSON: {0}")]
    Json(String),
    #[error("indicator code `{0}` appears twice in the catalog")]
    Duplicate(String),
    #[error("indicator code `{0}` must be lower-case letters, digits and underscores")]
    BadCode(String),
    #[error("indicator `{code}`: a {kind:?} cannot aggregate as {aggregation:?}")]
    BadAggregation { code: String, kind: IndicatorKind, aggregation: UnitAggregation },
    #[error("indicator `{0}`: its labels_from must be in month order, each with both labels")]
    BadLabels(String),
    #[error("indicator `{code}` is superseded by `{by}`, which is not in the catalog")]
    UnknownSuccessor { code: String, by: String },
}

#[derive(Debug, Clone, Deserialize)]
struct CatalogFile {
    indicators: Vec<Indicator>,
}

/// The embedded default catalog, the source for the database seed.
pub const BUILTIN_CATALOG_JSON: &str = include_str!("../catalog/indicators.json");

#[derive(Debug, Clone)]
pub struct Catalog {
    indicators: Vec<Indicator>,
    index: HashMap<String, usize>,
}

impl Catalog {
    pub fn new(indicators: Vec<Indicator>) -> Result<Catalog, CatalogError> {
        let mut index = HashMap::with_capacity(indicators.len());
        for (i, ind) in indicators.iter().enumerate() {
            let code_ok = !ind.code.is_empty()
                && ind.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && ind.code.as_bytes()[0].is_ascii_lowercase();
            if !code_ok {
                return Err(CatalogError::BadCode(ind.code.clone()));
            }
            let agg_ok = match ind.kind {
                IndicatorKind::YesNo => ind.unit_aggregation == UnitAggregation::ShareYes,
                _ => ind.unit_aggregation != UnitAggregation::ShareYes,
            };
            if !agg_ok {
                return Err(CatalogError::BadAggregation {
                    code: ind.code.clone(),
                    kind: ind.kind,
                    aggregation: ind.unit_aggregation,
                });
            }
            let labels_ok = ind.labels_from.windows(2).all(|w| w[0].from < w[1].from)
                && ind.labels_from.iter().all(|l| !l.label_vi.trim().is_empty() && !l.label_en.trim().is_empty());
            if !labels_ok {
                return Err(CatalogError::BadLabels(ind.code.clone()));
            }
            if index.insert(ind.code.clone(), i).is_some() {
                return Err(CatalogError::Duplicate(ind.code.clone()));
            }
        }
        for ind in &indicators {
            if let Some(by) = ind.superseded_by.iter().find(|c| !index.contains_key(*c)) {
                return Err(CatalogError::UnknownSuccessor { code: ind.code.clone(), by: by.clone() });
            }
        }
        Ok(Catalog { indicators, index })
    }

    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = serde_json::from_str(json).map_err(|e| CatalogError::Json(e.to_string()))?;
        Catalog::new(file.indicators)
    }

    /// The catalog as a report of `month` reads it: every indicator under the labels in force
    /// then. Messages, tables and the form of that month use it.
    pub fn in_period(&self, month: Month) -> Catalog {
        let indicators = self
            .indicators
            .iter()
            .map(|i| {
                let (vi, en) = i.labels_in(month);
                Indicator { label_vi: vi.to_owned(), label_en: en.to_owned(), ..i.clone() }
            })
            .collect();
        Catalog { indicators, index: self.index.clone() }
    }

    /// The catalog shipped with the binary.
    pub fn builtin() -> Catalog {
        Catalog::from_json(BUILTIN_CATALOG_JSON).expect("the embedded catalog is valid (checked by a unit test)")
    }

    pub fn get(&self, code: &str) -> Option<&Indicator> {
        self.index.get(code).map(|&i| &self.indicators[i])
    }

    pub fn contains(&self, code: &str) -> bool {
        self.index.contains_key(code)
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The Vietnamese name officers read for an indicator or a derived figure; the code itself
    /// only for a code that is neither (messages never show officers a developer's name where
    /// there is a label).
    pub fn label_vi<'a>(&'a self, code: &'a str) -> &'a str {
        self.get(code)
            .map(|i| i.label_vi.as_str())
            .or_else(|| crate::derived::derived_figure(code).map(|d| d.label_vi))
            .unwrap_or(code)
    }

    /// The English name, as `label_vi`.
    pub fn label_en<'a>(&'a self, code: &'a str) -> &'a str {
        self.get(code)
            .map(|i| i.label_en.as_str())
            .or_else(|| crate::derived::derived_figure(code).map(|d| d.label_en))
            .unwrap_or(code)
    }

    /// Vietnamese labels of `codes` in quotation marks, joined by `sep`: how a message names
    /// several indicators.
    pub fn quoted_vi(&self, codes: &[&str], sep: &str) -> String {
        codes.iter().map(|c| format!("“{}”", self.label_vi(c))).collect::<Vec<_>>().join(sep)
    }

    /// Position in catalog order, so findings and tables follow the form's order.
    pub fn position(&self, code: &str) -> usize {
        self.index.get(code).copied().unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_loads_and_covers_the_seed_report() {
        let c = Catalog::builtin();
        for code in [
            "par_plan_issued",
            "par_communication_plan_issued",
            "par_inspection_plan_issued",
            "satisfaction_survey_conducted",
            "legal_documents_issued",
            "dossiers_carried_over",
            "dossiers_received_online",
            "dossiers_received_direct",
            "dossiers_resolved_early",
            "dossiers_resolved_on_time",
            "dossiers_resolved_overdue",
            "dossiers_pending_within_deadline",
            "dossiers_pending_overdue",
            "regulation_feedback_received",
            "procedures_publicly_posted",
            "committee_chairs",
            "committee_vice_chairs",
            "committee_members",
            "civil_servant_titles",
            "staff_total",
            "civil_servants",
            "civil_servants_meeting_standard",
            "civil_servants_university_degree",
            "civil_servants_political_theory_intermediate",
            "training_courses_attended",
            "internal_spending_rules_issued",
            "one_stop_allowance_vnd",
            "documents_digitally_signed_rate",
            "edocs_incoming_rate",
            "edocs_outgoing_rate",
            "edocs_exchange_rate",
            "computers",
            "computers_internet_rate",
            "computers_antivirus_rate",
            "official_email_use_rate",
            "iso_9001_applied",
            "one_stop_room_area_m2",
            "online_services_level_3_4",
            "complaints_received",
            "complaints_resolved",
            "satisfaction_rate",
        ] {
            let ind = c.get(code).unwrap_or_else(|| panic!("{code} missing from the catalog"));
            assert!(!ind.label_vi.is_empty() && !ind.label_en.is_empty(), "{code} needs both labels");
        }
        assert_eq!(c.get("dossiers_pending_overdue").unwrap().time_aggregation, TimeAggregation::Last);
        assert_eq!(c.get("dossiers_carried_over").unwrap().time_aggregation, TimeAggregation::First);
        assert_eq!(c.get("edocs_incoming_rate").unwrap().unit_aggregation, UnitAggregation::Mean);
    }

    #[test]
    fn the_seeds_figures_without_an_indicator_are_in_the_catalog() {
        let c = Catalog::builtin();
        let complaints = c.get("complaints_received").unwrap();
        assert_eq!(complaints.label_vi, "Số đơn thư khiếu nại, tố cáo tiếp nhận");
        assert_eq!(complaints.label_en, "Complaints and denunciations received");
        assert_eq!(
            (complaints.kind, complaints.unit_aggregation, complaints.time_aggregation),
            (IndicatorKind::Count, UnitAggregation::Sum, TimeAggregation::Sum)
        );
        let resolved = c.get("complaints_resolved").unwrap();
        assert_eq!(resolved.label_vi, "Số đơn thư khiếu nại, tố cáo đã giải quyết");
        assert_eq!(
            (resolved.unit_aggregation, resolved.time_aggregation),
            (UnitAggregation::Sum, TimeAggregation::Sum)
        );
        let satisfaction = c.get("satisfaction_rate").unwrap();
        assert_eq!(satisfaction.label_vi, "Tỷ lệ hài lòng của người dân, tổ chức đối với việc giải quyết TTHC");
        assert_eq!(
            (satisfaction.kind, satisfaction.unit_aggregation, satisfaction.time_aggregation),
            (IndicatorKind::Percent, UnitAggregation::Mean, TimeAggregation::Mean)
        );
        // The derived computers per member of staff is a figure, not an indicator to report.
        assert!(!c.contains("computers_per_staff"));
        assert!(crate::derived::derived_figure("computers_per_staff").is_some());
    }

    #[test]
    fn terms_follow_the_period() {
        let c = Catalog::builtin();
        let m = |s: &str| s.parse::<Month>().unwrap();
        // DVC mức độ 3, 4: accepted in every period, superseded from August 2022 (NĐ 42/2022/NĐ-CP).
        let old = c.get("online_services_level_3_4").unwrap();
        assert_eq!(old.superseded_from, Some(m("2022-08")));
        assert_eq!(old.superseded_by, ["online_services_full", "online_services_partial"]);
        assert_eq!(old.labels_in(m("2022-07")).0, "Cung cấp dịch vụ công trực tuyến mức độ 3, 4");
        assert_eq!(
            old.labels_in(m("2024-06")),
            (
                "Cung cấp dịch vụ công trực tuyến mức độ 3, 4 (đã được thay bằng dịch vụ công trực tuyến toàn trình, một phần từ tháng 8/2022)",
                "Online public services at level 3-4 provided (superseded from 2022-08 by full and partial online public services)"
            )
        );
        let full = c.get("online_services_full").unwrap();
        assert_eq!(full.label_vi, "Số dịch vụ công trực tuyến toàn trình");
        assert_eq!((full.kind, full.time_aggregation), (IndicatorKind::Count, TimeAggregation::Last));
        assert_eq!(c.get("online_services_partial").unwrap().label_vi, "Số dịch vụ công trực tuyến một phần");
        // The one-stop unit became the Trung tâm phục vụ hành chính công from July 2025.
        let allowance = c.get("one_stop_allowance_vnd").unwrap();
        assert_eq!(allowance.labels_in(m("2025-06")).0, "Mức hỗ trợ công chức Bộ phận Một cửa (đồng/người/tháng)");
        assert_eq!(
            allowance.labels_in(m("2025-07")),
            (
                "Mức hỗ trợ công chức Trung tâm phục vụ hành chính công xã (đồng/người/tháng)",
                "Allowance for the staff of the commune's public administration service centre (VND per person per month)"
            )
        );
        let july = c.in_period(m("2025-07"));
        assert_eq!(july.label_vi("one_stop_room_area_m2"), "Diện tích Trung tâm phục vụ hành chính công xã (m²)");
        assert_eq!(c.in_period(m("2024-06")).label_vi("one_stop_room_area_m2"), "Diện tích phòng Bộ phận Một cửa (m²)");
        assert_eq!(july.label_vi("civil_servants"), "Số công chức cấp xã", "other labels stay");
        assert_eq!(july.position("computers"), c.position("computers"));
    }

    #[test]
    fn refuses_unordered_period_labels_and_unknown_successors() {
        let mut json: serde_json::Value = serde_json::from_str(BUILTIN_CATALOG_JSON).unwrap();
        let list = json["indicators"].as_array_mut().unwrap();
        let at = list.iter().position(|i| i["code"] == "one_stop_room_area_m2").unwrap();
        list[at]["labels_from"] = serde_json::json!([
            {"from": "2025-07", "label_vi": "b", "label_en": "b"},
            {"from": "2024-01", "label_vi": "a", "label_en": "a"}
        ]);
        assert_eq!(
            Catalog::from_json(&json.to_string()).unwrap_err(),
            CatalogError::BadLabels("one_stop_room_area_m2".into())
        );
        list_set(&mut json, "one_stop_room_area_m2", "labels_from", serde_json::json!([]));
        list_set(&mut json, "online_services_level_3_4", "superseded_by", serde_json::json!(["online_services_all"]));
        assert_eq!(
            Catalog::from_json(&json.to_string()).unwrap_err(),
            CatalogError::UnknownSuccessor {
                code: "online_services_level_3_4".into(),
                by: "online_services_all".into()
            }
        );
    }

    fn list_set(json: &mut serde_json::Value, code: &str, key: &str, value: serde_json::Value) {
        let list = json["indicators"].as_array_mut().unwrap();
        let at = list.iter().position(|i| i["code"] == code).unwrap();
        list[at][key] = value;
    }

    #[test]
    fn labels_for_messages() {
        let c = Catalog::builtin();
        assert_eq!(c.label_vi("civil_servants"), "Số công chức cấp xã");
        assert_eq!(c.label_en("civil_servants"), "Commune civil servants");
        assert_eq!(c.label_vi("dossiers_received_new"), "Số hồ sơ mới tiếp nhận trong kỳ", "a derived figure");
        assert_eq!(c.label_vi("no_such_code"), "no_such_code");
        assert_eq!(
            c.quoted_vi(&["civil_servants", "staff_total"], ", "),
            "“Số công chức cấp xã”, “Tổng số cán bộ, công chức, viên chức”"
        );
    }

    #[test]
    fn refuses_duplicates_bad_codes_and_mismatched_aggregation() {
        let ind = |code: &str, kind, agg| Indicator {
            code: code.into(),
            label_vi: "x".into(),
            label_en: "x".into(),
            domain: ParDomain::Procedures,
            kind,
            unit_aggregation: agg,
            time_aggregation: TimeAggregation::Sum,
            source: None,
            required_on_submit: false,
            superseded_from: None,
            superseded_by: Vec::new(),
            labels_from: Vec::new(),
        };
        assert_eq!(
            Catalog::new(vec![
                ind("a", IndicatorKind::Count, UnitAggregation::Sum),
                ind("a", IndicatorKind::Count, UnitAggregation::Sum)
            ])
            .unwrap_err(),
            CatalogError::Duplicate("a".into())
        );
        assert_eq!(
            Catalog::new(vec![ind("Bad-Code", IndicatorKind::Count, UnitAggregation::Sum)]).unwrap_err(),
            CatalogError::BadCode("Bad-Code".into())
        );
        assert!(matches!(
            Catalog::new(vec![ind("flag", IndicatorKind::YesNo, UnitAggregation::Sum)]).unwrap_err(),
            CatalogError::BadAggregation { .. }
        ));
        assert!(matches!(Catalog::from_json("{").unwrap_err(), CatalogError::Json(_)));
    }
}
