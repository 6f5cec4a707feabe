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
        findings.extend(check_values(catalog, &form.values));
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
        Finding::error(
            "missing_required",
            &missing,
            format!(
                "Báo cáo gửi đi phải có đủ số liệu Biểu 06; còn thiếu: {} (lưu nháp nếu chưa đủ)",
                catalog.quoted_vi(&missing, ", ")
            ),
            format!(
                "a submitted report must carry the Biểu 06 figures; missing: {} (save a draft until then)",
                missing.join(", ")
            ),
        )
    })
}

/// Rules over typed values: the dossier identities, plausibility, and what cannot be judged.
pub fn check_values(catalog: &Catalog, values: &Values) -> Vec<Finding> {
    let mut findings = dossier_figures::check_identities(catalog, values);
    findings.extend(check_plausibility(catalog, values));
    findings.extend(nothing_to_judge(catalog, values));
    findings
}

/// A part that should not exceed its whole: each pair is the numerator and denominator of a
/// share (`derived`), which is not published while its part is larger. Reported as a warning:
/// a reviewer is the one to judge which figure is wrong.
const SUBSETS: &[(&str, &str)] = &[
    ("civil_servants_meeting_standard", "civil_servants"),
    // Graduates are counted among all staff (cán bộ, công chức, viên chức), not the civil
    // servants alone: the seed report counts 10 among its 9 civil servants and 20 staff.
    ("civil_servants_university_degree", "staff_total"),
    ("civil_servants_political_theory_intermediate", "civil_servants"),
    ("civil_servants", "staff_total"),
];

fn check_plausibility(catalog: &Catalog, values: &Values) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (part_code, whole_code) in SUBSETS {
        if let (Some(part), Some(whole)) = (values.get(*part_code), values.get(*whole_code)) {
            let (part, whole) = (part.as_f64() as i64, whole.as_f64() as i64);
            if part > whole {
                findings.push(Finding::warning(
                    "part_exceeds_whole",
                    &[part_code, whole_code],
                    format!(
                        "“{}” ({part}) lớn hơn “{}” ({whole}); tỷ lệ giữa hai số này không được tính",
                        catalog.label_vi(part_code),
                        catalog.label_vi(whole_code)
                    ),
                    format!(
                        "`{part_code}` ({}) is {part}, more than the {whole} of `{whole_code}` ({}); the rate between them is not computed",
                        catalog.label_en(part_code),
                        catalog.label_en(whole_code)
                    ),
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

/// Figures that leave nothing to judge: a zero that makes a share undefined, so that every
/// criterion over it is not judged and earns none of its points (docs/scoring.md). The report
/// is stored; the warning tells the commune and its reviewer why those points are missing.
fn nothing_to_judge(catalog: &Catalog, values: &Values) -> Vec<Finding> {
    use dossier_figures::{CARRIED_OVER, RECEIVED_DIRECT, RECEIVED_ONLINE};
    let mut findings = Vec::new();
    let derived = crate::derived::derive(values);
    let received = [CARRIED_OVER, RECEIVED_ONLINE, RECEIVED_DIRECT];
    if derived.get(dossier_figures::RECEIVED_TOTAL) == Some(0.0) {
        findings.push(Finding::warning(
            "no_dossiers",
            &received,
            format!(
                "Trong tháng không có hồ sơ TTHC nào ({} đều bằng 0): tỷ lệ hồ sơ bảo đảm tiến độ và tỷ lệ hồ sơ tiếp nhận trực tuyến không tính được, các tiêu chí tính trên các tỷ lệ này không được chấm điểm (0 điểm)",
                catalog.quoted_vi(&received, ", ")
            ),
            "No dossiers at all this month (carried over, received online and in person are all 0): progress and the online share cannot be computed, and the criteria over them are not judged (0 points)".into(),
        ));
    } else if derived.get("dossiers_received_new") == Some(0.0) {
        findings.push(Finding::warning(
            "no_new_dossiers",
            &received[1..],
            format!(
                "Trong tháng không có hồ sơ mới ({} đều bằng 0): tỷ lệ hồ sơ tiếp nhận trực tuyến không tính được, các tiêu chí tính trên tỷ lệ này không được chấm điểm (0 điểm)",
                catalog.quoted_vi(&received[1..], ", ")
            ),
            "No new dossiers this month (received online and in person are both 0): the online share cannot be computed, and the criteria over it are not judged (0 points)".into(),
        ));
    }
    if values.get("civil_servants").map(|v| v.as_f64()) == Some(0.0) {
        findings.push(Finding::warning(
            "no_civil_servants",
            &["civil_servants"],
            format!(
                "“{}” bằng 0: các tỷ lệ tính trên số công chức không tính được, các tiêu chí tính trên số công chức không được chấm điểm (0 điểm)",
                catalog.label_vi("civil_servants")
            ),
            "`civil_servants` (Commune civil servants) is 0: the rates over civil servants cannot be computed, and the criteria over them are not judged (0 points)".into(),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Value;
    use crate::seed;

    fn counts(pairs: &[(&str, i64)]) -> Values {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Value::Count(*v))).collect()
    }

    fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn the_seed_report_is_valid_without_findings() {
        // Its 10 graduates are a part of its 20 staff: nothing contradicts anything.
        let raw = seed::dong_son_2024_06();
        let v = validate(&Catalog::builtin(), &raw);
        assert_eq!(v.findings, Vec::<Finding>::new());
        assert_eq!(v.form.values.len(), 39);
        assert_eq!(v.form.narrative.len(), 6);
    }

    #[test]
    fn a_part_larger_than_its_whole_is_named_by_its_labels() {
        let f = check_values(
            &Catalog::builtin(),
            &counts(&[("civil_servants_university_degree", 25), ("staff_total", 20)]),
        );
        assert_eq!(codes(&f), ["part_exceeds_whole"]);
        assert_eq!(f[0].indicators, ["civil_servants_university_degree", "staff_total"]);
        assert!(!f[0].is_error());
        assert_eq!(
            f[0].message_vi,
            "“Số cán bộ, công chức, viên chức có trình độ đại học trở lên” (25) lớn hơn “Tổng số cán bộ, công chức, viên chức” (20); tỷ lệ giữa hai số này không được tính"
        );
        assert_eq!(
            f[0].message_en,
            "`civil_servants_university_degree` (Officials, civil servants and public employees with a university degree or higher) is 25, more than the 20 of `staff_total` (Officials, civil servants and public employees, total); the rate between them is not computed"
        );
        // 10 graduates among 9 civil servants is no longer a contradiction: they are staff.
        let seedlike = counts(&[("civil_servants_university_degree", 10), ("civil_servants", 9), ("staff_total", 20)]);
        assert!(check_values(&Catalog::builtin(), &seedlike).is_empty());
    }

    #[test]
    fn zero_civil_servants_is_a_warning_that_nothing_over_them_is_judged() {
        let f = check_values(&Catalog::builtin(), &counts(&[("civil_servants", 0), ("staff_total", 4)]));
        assert_eq!(codes(&f), ["no_civil_servants"]);
        assert!(!f[0].is_error());
        assert_eq!(f[0].indicators, ["civil_servants"]);
        assert_eq!(
            f[0].message_vi,
            "“Số công chức cấp xã” bằng 0: các tỷ lệ tính trên số công chức không tính được, các tiêu chí tính trên số công chức không được chấm điểm (0 điểm)"
        );
        assert_eq!(
            f[0].message_en,
            "`civil_servants` (Commune civil servants) is 0: the rates over civil servants cannot be computed, and the criteria over them are not judged (0 points)"
        );
        assert!(check_values(&Catalog::builtin(), &counts(&[("civil_servants", 1)])).is_empty());
    }

    #[test]
    fn an_all_zero_dossier_month_is_a_warning() {
        let zeros: Vec<(&str, i64)> = dossier_figures::PARTS.iter().map(|c| (*c, 0)).collect();
        let f = check_values(&Catalog::builtin(), &counts(&zeros));
        assert_eq!(codes(&f), ["no_dossiers"]);
        assert!(!f[0].is_error());
        assert_eq!(f[0].indicators, ["dossiers_carried_over", "dossiers_received_online", "dossiers_received_direct"]);
        assert_eq!(
            f[0].message_vi,
            "Trong tháng không có hồ sơ TTHC nào (“Số hồ sơ TTHC từ kỳ trước chuyển qua”, “Số hồ sơ mới tiếp nhận trực tuyến”, “Số hồ sơ mới tiếp nhận trực tiếp và qua dịch vụ bưu chính” đều bằng 0): tỷ lệ hồ sơ bảo đảm tiến độ và tỷ lệ hồ sơ tiếp nhận trực tuyến không tính được, các tiêu chí tính trên các tỷ lệ này không được chấm điểm (0 điểm)"
        );
        // Only carried-over dossiers, all resolved: no new ones, so only the online share.
        let mut carried = zeros.clone();
        carried[0].1 = 3;
        carried[3].1 = 3;
        let f = check_values(&Catalog::builtin(), &counts(&carried));
        assert_eq!(codes(&f), ["no_new_dossiers"]);
        assert_eq!(f[0].indicators, ["dossiers_received_online", "dossiers_received_direct"]);
        assert_eq!(
            f[0].message_vi,
            "Trong tháng không có hồ sơ mới (“Số hồ sơ mới tiếp nhận trực tuyến”, “Số hồ sơ mới tiếp nhận trực tiếp và qua dịch vụ bưu chính” đều bằng 0): tỷ lệ hồ sơ tiếp nhận trực tuyến không tính được, các tiêu chí tính trên tỷ lệ này không được chấm điểm (0 điểm)"
        );
    }

    #[test]
    fn missing_required_figures_are_named_by_their_labels() {
        let cat = Catalog::builtin();
        let mut v = counts(&dossier_figures::PARTS.iter().map(|c| (*c, 0)).collect::<Vec<_>>());
        v.remove("dossiers_pending_overdue");
        v.remove("dossiers_carried_over");
        let f = missing_required(&cat, &v).expect("two are missing");
        assert_eq!(
            f.message_vi,
            "Báo cáo gửi đi phải có đủ số liệu Biểu 06; còn thiếu: “Số hồ sơ TTHC từ kỳ trước chuyển qua”, “Số hồ sơ đang giải quyết quá hạn” (lưu nháp nếu chưa đủ)"
        );
        assert_eq!(
            f.message_en,
            "a submitted report must carry the Biểu 06 figures; missing: dossiers_carried_over, dossiers_pending_overdue (save a draft until then)"
        );
    }
}
