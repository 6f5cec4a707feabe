//! Validation of a monthly report: errors (broken identities, wrong types, impossible values)
//! reject it; warnings (implausible but possible) are stored with it for reviewers.

use crate::catalog::Catalog;
use crate::dossier_figures;
use crate::findings::Finding;
use crate::report::{RawForm, ReportForm, Values, parse_form};

/// A report after validation: the typed form and everything found about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub form: ReportForm,
    pub findings: Vec<Finding>,
}

impl Validated {
    pub fn has_errors(&self) -> bool {
        crate::findings::has_errors(&self.findings)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }
}

/// Validates a submitted form on its own (cross-period checks need history and live elsewhere).
/// Value errors (types, ranges, unknown codes) come first; the identities and plausibility
/// rules run once there are none.
pub fn validate(catalog: &Catalog, raw: &RawForm) -> Validated {
    let (form, mut findings) = parse_form(catalog, raw);
    // Rules across indicators only make sense once every value is readable: a dropped bad value
    // would otherwise show up as "not reported" or as a broken identity.
    if findings.is_empty() {
        findings.extend(check_values(&form.values));
    }
    Validated { form, findings }
}

/// A report that is submitted, not kept as a draft, carries every figure the catalog requires
/// on submission (the Biểu 06 row): a form without them is not a report yet.
pub fn missing_required(catalog: &Catalog, values: &Values) -> Option<Finding> {
    let missing: Vec<&str> = catalog
        .indicators()
        .iter()
        .filter(|i| i.required_on_submit && !values.contains_key(&i.code))
        .map(|i| i.code.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        let list = missing.join(", ");
        Finding::error(
            "missing_required",
            &missing,
            format!("Báo cáo gửi đi phải có đủ số liệu Biểu 06; còn thiếu: {list} (lưu nháp nếu chưa đủ)"),
            format!("a submitted report must carry the Biểu 06 figures; missing: {list} (save a draft until then)"),
        )
    })
}

/// Rules over typed values: the dossier identities and plausibility.
pub fn check_values(values: &Values) -> Vec<Finding> {
    let mut findings = dossier_figures::check_identities(values);
    findings.extend(check_plausibility(values));
    findings
}

/// A part that should not exceed its whole. Reported as a warning: the seed report itself counts
/// 10 university graduates among 9 civil servants (the count likely includes officials who are
/// not civil servants), and a reviewer is the one to judge.
struct Subset {
    part: &'static str,
    whole: &'static str,
    vi: &'static str,
    en: &'static str,
}

const SUBSETS: &[Subset] = &[
    Subset {
        part: "civil_servants_meeting_standard",
        whole: "civil_servants",
        vi: "công chức đạt chuẩn",
        en: "civil servants meeting the standard",
    },
    Subset {
        part: "civil_servants_university_degree",
        whole: "civil_servants",
        vi: "người có trình độ đại học",
        en: "university graduates",
    },
    Subset {
        part: "civil_servants_political_theory_intermediate",
        whole: "civil_servants",
        vi: "người có trình độ trung cấp LLCT",
        en: "holders of intermediate political theory",
    },
    Subset { part: "civil_servants", whole: "staff_total", vi: "công chức", en: "civil servants" },
];

fn check_plausibility(values: &Values) -> Vec<Finding> {
    let mut findings = Vec::new();
    for s in SUBSETS {
        if let (Some(part), Some(whole)) = (values.get(s.part), values.get(s.whole)) {
            let (part, whole) = (part.as_f64() as i64, whole.as_f64() as i64);
            if part > whole {
                findings.push(Finding::warning(
                    "part_exceeds_whole",
                    &[s.part, s.whole],
                    format!("Số {} ({part}) lớn hơn tổng số ({whole}) của `{}`", s.vi, s.whole),
                    format!("{part} {} reported, more than the {whole} of `{}`", s.en, s.whole),
                ));
            }
        }
    }
    if let Some(chairs) = values.get("committee_chairs").map(|v| v.as_f64() as i64)
        && chairs > 1
    {
        findings.push(Finding::warning(
            "implausible_value",
            &["committee_chairs"],
            format!("UBND xã chỉ có một Chủ tịch, báo cáo ghi {chairs}"),
            format!("A People's Committee has one chair; {chairs} reported"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn the_seed_report_is_valid_with_one_warning() {
        let raw = seed::dong_son_2024_06();
        let v = validate(&Catalog::builtin(), &raw);
        assert!(!v.has_errors(), "{:?}", v.findings);
        assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
        let f = &v.findings[0];
        assert_eq!(f.code, "part_exceeds_whole");
        assert_eq!(f.indicators, ["civil_servants_university_degree", "civil_servants"]);
        assert!(!f.is_error());
        assert_eq!(f.message_en, "10 university graduates reported, more than the 9 of `civil_servants`");
        assert_eq!(v.form.values.len(), 37);
        assert_eq!(v.form.narrative.len(), 6);
    }
}
