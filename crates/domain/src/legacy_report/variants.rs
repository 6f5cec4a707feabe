//! Reports written for the tests in other communes' words: every figure each states, read
//! exactly, and nothing read that it does not state.

use serde_json::json;

use super::*;

fn values(r: &Reading) -> serde_json::Value {
    serde_json::Value::Object(r.values.clone().into_iter().collect())
}

/// After the 2025 reform: a commune's July report, broken mid-sentence as the seed is, with a
/// direct-and-postal count, an inspection plan not issued, a satisfaction rate, and plans in
/// section IV that are no figures of July.
#[test]
fn a_post_reform_commune_with_postal_dossiers_and_a_plan_not_issued() {
    let text = "\
UBND XÃ TAM TIẾN
BÁO CÁO
Kết quả thực hiện công tác cải cách hành chính tháng 7 năm 2025
I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH
UBND xã đã ban hành Kế hoạch CCHC năm 2025. Kế hoạch kiểm tra
công tác CCHC năm 2025 chưa ban hành.
II. KẾT QUẢ THỰC HIỆN
Trong tháng, bộ phận một cửa tiếp nhận 95 hồ sơ (trực tuyến 80 hồ sơ, trực tiếp và qua
bưu chính 15 hồ sơ); giải quyết trước hạn 70 hồ sơ, đúng hạn 20 hồ sơ, không có hồ sơ
quá hạn; 05 hồ sơ đang giải quyết trong hạn.
Tỷ lệ hài lòng đạt 98,5%. Ngày 15/7/2025 UBND xã họp giao ban.
III. ĐÁNH GIÁ CHUNG
1. Ưu điểm
Giải quyết kịp thời.
2. Hạn chế
Đường truyền chậm.
IV. PHƯƠNG HƯỚNG NHIỆM VỤ THÁNG 8 NĂM 2025
Phấn đấu 100% hồ sơ giải quyết đúng hạn; tiếp nhận trực tuyến 120 hồ sơ.
Trên đây là báo cáo kết quả công tác CCHC tháng 7 năm 2025 của UBND xã Tam Tiến.
";
    let r = read(text);
    assert_eq!(
        values(&r),
        json!({
            "par_plan_issued": true,
            "par_inspection_plan_issued": false,
            "dossiers_received_online": 80,
            "dossiers_received_direct": 15,
            "dossiers_resolved_early": 70,
            "dossiers_resolved_on_time": 20,
            "dossiers_resolved_overdue": 0,
            "dossiers_pending_within_deadline": 5,
            "satisfaction_rate": 98.5,
        })
    );
    assert_eq!(r.period, Month::new(2025, 7));
    assert_eq!(
        r.narrative.keys().collect::<Vec<_>>(),
        ["direction", "limitations", "next_month", "results", "strengths"]
    );
    let code = UnitCode::parse("07288").unwrap();
    assert_eq!(find_commune(text, [(&code, "Xã Tam Tiến")]), Some(code));
}

/// Before the reform: a town's December report, thousands separators, an `N/N` online count,
/// a complaint received and resolved, internal spending rules not issued, and a closing that
/// names January of the next year.
#[test]
fn a_towns_december_report_with_thousands_and_a_complaint() {
    let text = "\
UBND THỊ TRẤN BỐ HẠ
I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH
Thực hiện các văn bản của cấp trên.
II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CCHC
Tổng số hồ sơ tiếp nhận: 1.254 hồ sơ; trong đó trực tuyến 1.254/1.254 hồ sơ; kỳ trước chuyển sang 0 hồ sơ.
Đã giải quyết trước hạn 1.000 hồ sơ, đúng hạn 250 hồ sơ; trễ hạn 0 hồ sơ; đang giải quyết trong hạn 4 hồ sơ.
Đơn thư khiếu nại: tiếp nhận 02 đơn, đã giải quyết 02 đơn.
UBND thị trấn chưa ban hành Quy chế chi tiêu nội bộ năm 2024.
Số máy tính: 15 máy. Tỷ lệ văn bản đi điện tử đạt 98%, văn bản đến điện tử 100%; tỷ lệ văn bản được ký số 97,5%.
III. ĐÁNH GIÁ CHUNG
1. Ưu điểm
Tốt.
IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG 01 NĂM 2025
Tiếp nhận trực tuyến 100% hồ sơ.
Trên đây là báo cáo công tác CCHC tháng 12 và phương hướng nhiệm vụ tháng 01 năm 2025 của UBND thị trấn Bố Hạ.
";
    let r = read(text);
    assert_eq!(
        values(&r),
        json!({
            "dossiers_carried_over": 0,
            "dossiers_received_online": 1254,
            "dossiers_received_direct": 0,
            "dossiers_resolved_early": 1000,
            "dossiers_resolved_on_time": 250,
            "dossiers_resolved_overdue": 0,
            "dossiers_pending_within_deadline": 4,
            "dossiers_pending_overdue": 0,
            "complaints_received": 2,
            "complaints_resolved": 2,
            "internal_spending_rules_issued": false,
            "computers": 15,
            "edocs_outgoing_rate": 98,
            "edocs_incoming_rate": 100,
            "documents_digitally_signed_rate": 97.5,
        })
    );
    assert_eq!(r.period, Month::new(2024, 12));
    let code = UnitCode::parse("07294").unwrap();
    assert_eq!(find_commune(text, [(&code, "Thị trấn Bố Hạ")]), Some(code));
}

/// Pending dossiers described after resolved ones in one clause: the overdue ones among the
/// pending are not read as resolved overdue.
#[test]
fn an_overdue_count_among_the_pending_is_not_a_resolved_one() {
    let r = read(
        "II. KẾT QUẢ\nSố hồ sơ đang giải quyết: 10 hồ sơ, quá hạn 3 hồ sơ.\nTrên đây là báo cáo tháng 05 năm 2024.",
    );
    assert_eq!(r.values.get("dossiers_resolved_overdue"), None);
    assert_eq!(r.unread, ["Số hồ sơ đang giải quyết: 10 hồ sơ, quá hạn 3 hồ sơ"]);
}
