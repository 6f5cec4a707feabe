//! A commune's monthly report: indicator values and the narrative of the Word report it replaces.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Indicator, IndicatorKind};
use crate::findings::Finding;
use crate::period::Month;
use crate::units::UnitCode;

/// Counts above this are refused: no commune handles a billion dossiers in a month, and the cap
/// keeps national sums far from integer overflow.
pub const MAX_COUNT: i64 = 1_000_000_000;
/// Amounts in đồng above this (a trillion) are refused for the same reason.
pub const MAX_AMOUNT_VND: i64 = 1_000_000_000_000;

/// One reported figure. A figure that is not reported is absent, never zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Flag(bool),
    Count(i64),
    Number(f64),
}

impl Value {
    /// The figure as a number for arithmetic; yes counts as 1.
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Flag(b) => f64::from(u8::from(b)),
            Value::Count(n) => n as f64,
            Value::Number(x) => x,
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        match self {
            Value::Flag(b) => Some(b),
            _ => None,
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Value {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Number, Type::Boolean]))
            .description(Some("A reported figure: a number (counts are whole) or a yes/no answer"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Value {}

/// Reported values by indicator code, in code order (which keeps the stored JSON canonical).
pub type Values = BTreeMap<String, Value>;

/// The narrative sections of the report, in the order of the Word template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NarrativeSection {
    /// I. Công tác chỉ đạo, điều hành
    Direction,
    /// II. Kết quả thực hiện công tác CCHC
    Results,
    /// III.1 Ưu điểm
    Strengths,
    /// III.2 Tồn tại, hạn chế
    Limitations,
    /// III.3 Nguyên nhân
    Causes,
    /// IV. Phương hướng, nhiệm vụ tháng tới
    NextMonth,
}

impl NarrativeSection {
    pub const ALL: [NarrativeSection; 6] = [
        NarrativeSection::Direction,
        NarrativeSection::Results,
        NarrativeSection::Strengths,
        NarrativeSection::Limitations,
        NarrativeSection::Causes,
        NarrativeSection::NextMonth,
    ];

    pub fn key(self) -> &'static str {
        match self {
            NarrativeSection::Direction => "direction",
            NarrativeSection::Results => "results",
            NarrativeSection::Strengths => "strengths",
            NarrativeSection::Limitations => "limitations",
            NarrativeSection::Causes => "causes",
            NarrativeSection::NextMonth => "next_month",
        }
    }

    /// The section's heading in the report (the Word template's numbering).
    pub fn title_vi(self) -> &'static str {
        match self {
            NarrativeSection::Direction => "I. Công tác chỉ đạo, điều hành",
            NarrativeSection::Results => "II. Kết quả thực hiện công tác CCHC",
            NarrativeSection::Strengths => "III.1 Ưu điểm",
            NarrativeSection::Limitations => "III.2 Tồn tại, hạn chế",
            NarrativeSection::Causes => "III.3 Nguyên nhân",
            NarrativeSection::NextMonth => "IV. Phương hướng, nhiệm vụ tháng tới",
        }
    }

    pub fn from_key(key: &str) -> Option<NarrativeSection> {
        NarrativeSection::ALL.into_iter().find(|s| s.key() == key)
    }
}

pub type Narrative = BTreeMap<NarrativeSection, String>;

/// Where a report stands in review. Only submitted, approved and locked reports count in
/// aggregates and rankings; a draft is the commune's own, a returned report awaits correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Returned,
    Approved,
    Locked,
}

impl ReportStatus {
    pub const COUNTED: [ReportStatus; 3] = [ReportStatus::Submitted, ReportStatus::Approved, ReportStatus::Locked];

    /// Whether the report's figures count in aggregates and rankings.
    pub fn counts(self) -> bool {
        Self::COUNTED.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Approved => "approved",
            ReportStatus::Locked => "locked",
        }
    }
}

/// A report's content: what a commune submits, and what a `PUT` replaces as a whole.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportForm {
    pub values: Values,
    pub narrative: Narrative,
}

/// A commune's report of one month as aggregates, rankings, completeness and the checks against
/// the commune's own history read it.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthFigures {
    pub unit_code: UnitCode,
    pub period: Month,
    pub status: ReportStatus,
    pub revision: i32,
    pub values: Values,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The form as it arrives, before anything is known about its values.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RawForm {
    pub values: BTreeMap<String, serde_json::Value>,
    pub narrative: BTreeMap<String, serde_json::Value>,
}

impl ReportForm {
    /// The form as it would arrive again: to check a stored report anew (its findings are its
    /// current view of the commune's history).
    pub fn to_raw(&self) -> RawForm {
        let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
        let values = self.values.iter().map(|(k, v)| (k.clone(), json(serde_json::to_value(v)))).collect();
        let narrative = match json(serde_json::to_value(&self.narrative)) {
            serde_json::Value::Object(m) => m.into_iter().collect(),
            _ => Default::default(),
        };
        RawForm { values, narrative }
    }
}

fn kind_vi(kind: IndicatorKind) -> &'static str {
    match kind {
        IndicatorKind::Count => "số đếm (số nguyên không âm)",
        IndicatorKind::Percent => "tỷ lệ phần trăm (0–100)",
        IndicatorKind::AmountVnd => "số tiền (đồng, số nguyên)",
        IndicatorKind::AreaM2 => "diện tích (m²)",
        IndicatorKind::YesNo => "có/không (true/false)",
    }
}

/// Turns raw JSON into typed values, reporting every value that does not fit its indicator.
/// `null` means "not reported" and is dropped. Integral numbers such as `168.0` are accepted
/// for counts.
pub fn parse_form(catalog: &Catalog, raw: &RawForm) -> (ReportForm, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut values = Values::new();
    for (code, json) in &raw.values {
        let Some(ind) = catalog.get(code) else {
            findings.push(Finding::error(
                "unknown_indicator",
                &[code],
                format!("Mã chỉ tiêu “{code}” không có trong danh mục chỉ tiêu"),
                format!("`{code}` is not an indicator of the catalog"),
            ));
            continue;
        };
        if json.is_null() {
            continue;
        }
        match parse_value(ind.kind, json) {
            Ok(v) => {
                if let Some(f) = range_finding(ind, v) {
                    findings.push(f);
                } else {
                    values.insert(code.clone(), v);
                }
            }
            Err(ValueError::WrongType) => findings.push(Finding::error(
                "wrong_type",
                &[code],
                format!("Chỉ tiêu “{}” phải là {}", ind.label_vi, kind_vi(ind.kind)),
                format!("`{code}` must be a {} ({:?}), got {}", ind.kind.json_type(), ind.kind, json_type_name(json)),
            )),
            Err(ValueError::NotIntegral) => findings.push(Finding::error(
                "not_integer",
                &[code],
                format!("Chỉ tiêu “{}” phải là số nguyên, nhận được {json}", ind.label_vi),
                format!("`{code}` must be a whole number, got {json}"),
            )),
        }
    }
    let mut narrative = Narrative::new();
    for (key, json) in &raw.narrative {
        let Some(section) = NarrativeSection::from_key(key) else {
            findings.push(
                Finding::error(
                    "unknown_section",
                    &[],
                    format!("Mục “{key}” không phải là một mục của báo cáo (direction, results, strengths, limitations, causes, next_month)"),
                    format!("`{key}` is not a report section (direction, results, strengths, limitations, causes, next_month)"),
                )
                .at(format!("/narrative/{key}")),
            );
            continue;
        };
        match json {
            serde_json::Value::Null => {}
            serde_json::Value::String(text) => match crate::text::check_lines(key, text) {
                Ok(()) => {
                    narrative.insert(section, text.clone());
                }
                Err(e) => findings.push(
                    Finding::error(
                        "control_character",
                        &[],
                        format!(
                            "Mục “{}” chứa ký tự điều khiển (U+{:04X}) ở ký tự thứ {}",
                            section.title_vi(),
                            e.code,
                            e.at
                        ),
                        format!("{e}; text may hold tabs and line breaks, not other control characters"),
                    )
                    .at(format!("/narrative/{key}")),
                ),
            },
            other => findings.push(
                Finding::error(
                    "wrong_type",
                    &[],
                    format!("Mục “{}” phải là văn bản", section.title_vi()),
                    format!("section `{key}` must be text, got {}", json_type_name(other)),
                )
                .at(format!("/narrative/{key}")),
            ),
        }
    }
    findings.sort_by_key(|f| f.indicators.first().map(|c| catalog.position(c)).unwrap_or(usize::MAX));
    (ReportForm { values, narrative }, findings)
}

enum ValueError {
    WrongType,
    NotIntegral,
}

fn parse_value(kind: IndicatorKind, json: &serde_json::Value) -> Result<Value, ValueError> {
    use serde_json::Value as J;
    match (kind, json) {
        (IndicatorKind::YesNo, J::Bool(b)) => Ok(Value::Flag(*b)),
        (IndicatorKind::YesNo, _) => Err(ValueError::WrongType),
        (k, J::Number(n)) if k.is_integral() => {
            if let Some(i) = n.as_i64() {
                return Ok(Value::Count(i));
            }
            let x = n.as_f64().ok_or(ValueError::NotIntegral)?;
            // Integral floats (168.0) are whole numbers; anything beyond 2^53 is not exact.
            if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
                Ok(Value::Count(x as i64))
            } else {
                Err(ValueError::NotIntegral)
            }
        }
        (_, J::Number(n)) => n.as_f64().filter(|x| x.is_finite()).map(Value::Number).ok_or(ValueError::WrongType),
        _ => Err(ValueError::WrongType),
    }
}

fn range_finding(ind: &Indicator, v: Value) -> Option<Finding> {
    let (code, kind, label) = (ind.code.as_str(), ind.kind, ind.label_vi.as_str());
    let x = v.as_f64();
    if kind != IndicatorKind::YesNo && x < 0.0 {
        return Some(Finding::error(
            "negative_value",
            &[code],
            format!("Chỉ tiêu “{label}” không được âm (nhận được {x})"),
            format!("`{code}` cannot be negative (got {x})"),
        ));
    }
    match kind.maximum() {
        Some(max) if x > max => Some(Finding::error(
            "out_of_range",
            &[code],
            format!("Chỉ tiêu “{label}” phải nằm trong khoảng 0–{max} (nhận được {x})"),
            format!("`{code}` must be between 0 and {max} (got {x})"),
        )),
        _ => None,
    }
}

fn json_type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(values: serde_json::Value) -> RawForm {
        RawForm { values: serde_json::from_value(values).unwrap(), narrative: BTreeMap::new() }
    }

    /// A stored form checked anew reads as it was stored, with the same findings.
    #[test]
    fn a_stored_form_reads_back_as_it_was() {
        let catalog = crate::Catalog::builtin();
        let mut seed: RawForm = serde_json::from_str(crate::seed::DONG_SON_2024_06_JSON).unwrap();
        // Two committee chairs: a plausibility warning to carry through.
        seed.values.insert("committee_chairs".into(), json!(2));
        let first = crate::validation::validate(&catalog, &seed);
        assert_eq!(first.form.narrative.len(), 6, "the seed's six sections");
        let again = crate::validation::validate(&catalog, &first.form.to_raw());
        assert_eq!(again.form, first.form);
        assert_eq!(again.findings, first.findings);
        assert_eq!(codes(&again.findings), [("implausible_value", vec!["committee_chairs"])]);
    }

    fn codes(findings: &[Finding]) -> Vec<(&str, Vec<&str>)> {
        findings.iter().map(|f| (f.code.as_str(), f.indicators.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn null_is_not_reported_and_zero_is_kept() {
        let (form, findings) = parse_form(
            &Catalog::builtin(),
            &raw(json!({"dossiers_received_direct": 0, "legal_documents_issued": null})),
        );
        assert!(findings.is_empty());
        assert_eq!(form.values.get("dossiers_received_direct"), Some(&Value::Count(0)));
        assert!(!form.values.contains_key("legal_documents_issued"));
    }

    #[test]
    fn integral_floats_are_counts_and_fractions_are_not() {
        let (form, findings) = parse_form(
            &Catalog::builtin(),
            &raw(json!({"dossiers_received_online": 168.0, "dossiers_received_direct": 1.5})),
        );
        assert_eq!(form.values.get("dossiers_received_online"), Some(&Value::Count(168)));
        assert_eq!(codes(&findings), vec![("not_integer", vec!["dossiers_received_direct"])]);
    }

    #[test]
    fn wrong_types_ranges_and_unknown_codes() {
        let (form, findings) = parse_form(
            &Catalog::builtin(),
            &raw(json!({
                "dossiers_received_online": "168",
                "iso_9001_applied": 1,
                "edocs_incoming_rate": 130,
                "computers": -2,
                "no_such_indicator": 5,
                "one_stop_room_area_m2": 40.5
            })),
        );
        assert_eq!(form.values.len(), 1);
        assert_eq!(form.values.get("one_stop_room_area_m2"), Some(&Value::Number(40.5)));
        let mut got = codes(&findings);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("negative_value", vec!["computers"]),
                ("out_of_range", vec!["edocs_incoming_rate"]),
                ("unknown_indicator", vec!["no_such_indicator"]),
                ("wrong_type", vec!["dossiers_received_online"]),
                ("wrong_type", vec!["iso_9001_applied"]),
            ]
        );
        assert!(findings.iter().all(Finding::is_error));
    }

    #[test]
    fn value_messages_name_the_indicator_by_its_label() {
        let (_, findings) = parse_form(
            &Catalog::builtin(),
            &raw(json!({
                "dossiers_received_online": "168",
                "dossiers_received_direct": 1.5,
                "edocs_incoming_rate": 130,
                "computers": -2,
                "no_such_indicator": 5
            })),
        );
        let vi: Vec<(&str, &str)> = findings.iter().map(|f| (f.code.as_str(), f.message_vi.as_str())).collect();
        assert_eq!(
            vi,
            vec![
                ("wrong_type", "Chỉ tiêu “Số hồ sơ mới tiếp nhận trực tuyến” phải là số đếm (số nguyên không âm)"),
                (
                    "not_integer",
                    "Chỉ tiêu “Số hồ sơ mới tiếp nhận trực tiếp và qua dịch vụ bưu chính” phải là số nguyên, nhận được 1.5"
                ),
                (
                    "out_of_range",
                    "Chỉ tiêu “Tỷ lệ văn bản đến dạng điện tử” phải nằm trong khoảng 0–100 (nhận được 130)"
                ),
                ("negative_value", "Chỉ tiêu “Số máy tính tại cơ quan” không được âm (nhận được -2)"),
                ("unknown_indicator", "Mã chỉ tiêu “no_such_indicator” không có trong danh mục chỉ tiêu"),
            ]
        );
        // English keeps the code, for the developer of the client.
        assert_eq!(findings[0].message_en, "`dossiers_received_online` must be a integer (Count), got a string");
    }

    #[test]
    fn narrative_sections_are_checked() {
        let form = RawForm {
            values: BTreeMap::new(),
            narrative: serde_json::from_value(
                json!({"direction": "I. ...", "epilogue": "x", "causes": 3, "results": null}),
            )
            .unwrap(),
        };
        let (parsed, findings) = parse_form(&Catalog::builtin(), &form);
        assert_eq!(parsed.narrative.len(), 1);
        let paths: Vec<_> = findings.iter().map(|f| (f.code.as_str(), f.path.as_deref())).collect();
        assert!(paths.contains(&("unknown_section", Some("/narrative/epilogue"))));
        assert!(paths.contains(&("wrong_type", Some("/narrative/causes"))));
        let causes = findings.iter().find(|f| f.path.as_deref() == Some("/narrative/causes")).unwrap();
        assert_eq!(causes.message_vi, "Mục “III.3 Nguyên nhân” phải là văn bản");
    }

    #[test]
    fn values_serialize_as_plain_json() {
        let mut v = Values::new();
        v.insert("a".into(), Value::Count(168));
        v.insert("b".into(), Value::Flag(true));
        v.insert("c".into(), Value::Number(99.5));
        assert_eq!(serde_json::to_value(&v).unwrap(), json!({"a": 168, "b": true, "c": 99.5}));
        let back: Values = serde_json::from_value(json!({"a": 168, "b": true, "c": 99.5})).unwrap();
        assert_eq!(back, v);
    }
}
