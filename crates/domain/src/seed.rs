//! The report this service replaces: Xã Đông Sơn (07273), Huyện Yên Thế (215), Tỉnh Bắc Giang
//! (24), June 2024 — its figures as a report form, and its text as the narrative.

use crate::report::RawForm;

pub const COMMUNE_CODE: &str = "07273";
pub const COMMUNE_NAME: &str = "Xã Đông Sơn";
pub const DISTRICT_CODE: &str = "215";
pub const DISTRICT_NAME: &str = "Huyện Yên Thế";
pub const PROVINCE_CODE: &str = "24";
pub const PROVINCE_NAME: &str = "Tỉnh Bắc Giang";
pub const PERIOD: &str = "2024-06";
/// The chair who signs the seed report.
pub const COMMUNE_CHAIR: &str = "Đặng Quý Hưng";

/// The report body a commune app would `PUT`.
pub const DONG_SON_2024_06_JSON: &str = include_str!("../fixtures/dong-son-2024-06.json");

/// The original text, kept beside the form it was read into.
pub const DONG_SON_2024_06_TEXT: &str = include_str!("../fixtures/bao-cao-cchc-xa-dong-son-2024-06.txt");

pub fn dong_son_2024_06() -> RawForm {
    #[derive(serde::Deserialize)]
    struct Body {
        values: std::collections::BTreeMap<String, serde_json::Value>,
        narrative: std::collections::BTreeMap<String, serde_json::Value>,
    }
    let body: Body = serde_json::from_str(DONG_SON_2024_06_JSON).expect("the seed fixture is valid JSON");
    RawForm { values: body.values, narrative: body.narrative }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_carries_the_figures_of_the_text() {
        // The figures in the form are the ones printed in the report.
        for phrase in [
            "Tổng số hồ sơ  tiếp",
            "nhận 168 hồ sơ",
            "là 132 hồ sơ; trả đúng hạn 33 hồ sơ; 01 hồ sơ quá hạn; 02 hồ sơ đang",
            "250.000đ/người/tháng",
            "Tỉ lệ văn bản đến điện tử đạt: 99%",
            "văn bản đi điện tử đạt: 80%",
            // No complaints at all: received 0, resolved 0.
            "Không có các đơn thư khiếu nại",
            // The staff the university count is a part of (20), not the 9 civil servants.
            "tính đến nay là: 20 người",
            "trình độ đại học 10 người",
            "20 máy/20 cán bộ công",
        ] {
            assert!(DONG_SON_2024_06_TEXT.contains(phrase), "{phrase:?} not in the seed text");
        }
        let form = dong_son_2024_06();
        assert_eq!(form.values["dossiers_received_online"], 168);
        assert_eq!(form.values["dossiers_resolved_early"], 132);
        assert_eq!(form.values["one_stop_allowance_vnd"], 250000);
        assert_eq!(form.values["complaints_received"], 0);
        assert_eq!(form.values["complaints_resolved"], 0);
        assert_eq!(form.values["staff_total"], 20);
        assert_eq!(form.values["civil_servants_university_degree"], 10);
        // The report gives no satisfaction rate: not reported, not zero.
        assert_eq!(form.values["satisfaction_rate"], serde_json::Value::Null);
        assert!(form.narrative["results"].as_str().unwrap().contains("168/168"));
    }
}
