use super::*;
use crate::seed;

fn seed_values() -> BTreeMap<String, serde_json::Value> {
    seed::dong_son_2024_06().values.into_iter().filter(|(_, v)| !v.is_null()).collect()
}

fn evidence_of<'a>(r: &'a Reading, code: &str) -> Vec<&'a str> {
    r.evidence.iter().filter(|e| e.indicator == code).map(|e| e.text.as_str()).collect()
}

#[test]
fn the_seed_text_gives_the_fixtures_figures_and_narrative() {
    let r = read(seed::DONG_SON_2024_06_TEXT);
    let expected = seed_values();
    assert_eq!(expected.len(), 39);
    assert_eq!(r.values, expected);
    let form = seed::dong_son_2024_06();
    let narrative: BTreeMap<String, String> =
        form.narrative.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect();
    assert_eq!(r.narrative.len(), 6);
    assert_eq!(r.narrative, narrative);
    assert_eq!(r.period, Month::new(2024, 6));
    for code in r.values.keys() {
        assert!(!evidence_of(&r, code).is_empty(), "{code} has no evidence");
    }
}

#[test]
fn each_figure_comes_with_its_sentence() {
    let r = read(seed::DONG_SON_2024_06_TEXT);
    assert_eq!(evidence_of(&r, "dossiers_resolved_on_time"), ["trả đúng hạn 33 hồ sơ"]);
    assert_eq!(evidence_of(&r, "dossiers_resolved_overdue"), ["01 hồ sơ quá hạn"]);
    assert_eq!(
        evidence_of(&r, "dossiers_pending_within_deadline"),
        ["02 hồ sơ đang trong quá trình giải quyết chưa đến hạn trả"]
    );
    let intake = "Kết quả thực hiện việc tiếp nhận, giải quyết hồ sơ một cửa điện tử tại UBND xã tháng 06 năm 2024 là: \
                  Tổng số hồ sơ tiếp nhận 168 hồ sơ (trong đó tiếp nhận trực tuyến 168/168 hồ sơ đạt 100%, kỳ trước chuyển \
                  qua 0 hồ sơ ) đã trả trước hạn là 132 hồ sơ";
    for code in
        ["dossiers_received_online", "dossiers_received_direct", "dossiers_carried_over", "dossiers_resolved_early"]
    {
        assert_eq!(evidence_of(&r, code), [intake], "{code}");
    }
    // Implied by the total being accounted for: the sentence with the total.
    assert_eq!(evidence_of(&r, "dossiers_pending_overdue"), [intake]);
    assert_eq!(evidence_of(&r, "staff_total"), ["Tổng số cán bộ, công chức, viên chức tính đến nay là: 20 người"]);
    assert_eq!(
        evidence_of(&r, "civil_servants_meeting_standard"),
        ["Về công chức: Hiện nay có 09 người với 7 chức danh công chức, 100% đạt chuẩn theo quy định"]
    );
    assert!(evidence_of(&r, "complaints_received")[0].starts_with("Không có các đơn thư khiếu nại cũng như"));
    assert_eq!(r.unread, Vec::<String>::new());
    // Read twice, once in each sentence, with one value.
    assert_eq!(
        evidence_of(&r, "documents_digitally_signed_rate"),
        ["trong tháng đã tiến hành ký số đạt 100% văn bản", "Tỉ lệ văn bản được gắn ký số đạt 100%"]
    );
    assert_eq!(evidence_of(&r, "one_stop_allowance_vnd").len(), 1);
    assert!(
        evidence_of(&r, "one_stop_allowance_vnd")[0]
            .ends_with("250.000đ/người/tháng thực hiện chi trả vào tháng 12 hàng năm")
    );
}

#[test]
fn the_period_is_the_closing_sentences_or_the_titles() {
    let closing = "Trên đây là Báo cáo kết quả công tác CCHC tháng 12 phương hướng nhiệm vụ tháng 01 năm 2025 của UBND xã Đông Sơn.";
    assert_eq!(find_period(closing), Month::new(2024, 12));
    let titled =
        "UBND XÃ ĐÔNG SƠN\nBÁO CÁO\nKết quả thực hiện công tác CCHC tháng 3 năm 2025\nI. CÔNG TÁC CHỈ ĐẠO\nNội dung.";
    assert_eq!(read(titled).period, Month::new(2025, 3));
    assert_eq!(read("I. CÔNG TÁC CHỈ ĐẠO\nKhông nêu tháng.").period, None);
}

#[test]
fn the_commune_is_the_one_the_document_names() {
    let (a, b, c) =
        (UnitCode::parse("07273").unwrap(), UnitCode::parse("07279").unwrap(), UnitCode::parse("07279").unwrap());
    let text = seed::DONG_SON_2024_06_TEXT;
    let found = find_commune(text, [(&b, "Xã Tam Tiến"), (&a, "Xã Đông Sơn")]);
    assert_eq!(found, Some(a.clone()));
    assert_eq!(find_commune(text, [(&b, "Xã Tam Tiến")]), None, "not among the candidates");
    assert_eq!(find_commune(text, [(&a, "Xã Đông Sơn"), (&c, "Xã Đông Sơn")]), None, "two communes of one name");
    let ward = "PHƯỜNG ĐA MAI\nBÁO CÁO tháng 02 năm 2025\n… của UBND phường Đa Mai.";
    assert_eq!(find_commune(ward, [(&a, "Phường Đa Mai Hạ"), (&b, "Phường Đa Mai")]), Some(b));
}

/// A report in other words: a direct count, a carry-over, a plan not issued, numbers with
/// thousands separators and decimal commas, and what the reader must not guess.
#[test]
fn another_wording_is_read_and_doubts_are_left_out() {
    let text = "\
UBND PHƯỜNG ĐA MAI
BÁO CÁO Kết quả công tác cải cách hành chính tháng 02 năm 2025
I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH
Kế hoạch CCHC năm 2025 đang xây dựng, chưa ban hành.
II. KẾT QUẢ THỰC HIỆN
Tổng số hồ sơ tiếp nhận 1.254 hồ sơ, trong đó: tiếp nhận trực tuyến 1.100 hồ sơ; trực tiếp 150 hồ sơ; kỳ
trước chuyển sang 4 hồ sơ. Giải quyết trước hạn 1.200 hồ sơ; đúng hạn 40 hồ sơ; không có hồ sơ quá hạn.
Đang giải quyết trong hạn: 14 hồ sơ.
Tỷ lệ văn bản đi điện tử đạt 95,06%.
Tổng số máy tính là 18 máy. Tổng số máy tính là 19 máy.
Có khoảng 30 hồ sơ đã được rà soát lại.
III. ĐÁNH GIÁ CHUNG
1. Ưu điểm
Tốt.
2. Tồn tại, hạn chế
Còn chậm.
3. Nguyên nhân
Thiếu người.
IV. PHƯƠNG HƯỚNG THÁNG 03 NĂM 2025
Giải quyết trước hạn 100 hồ sơ.
Trên đây là báo cáo tháng 02 năm 2025 của UBND phường Đa Mai.
";
    let r = read(text);
    let v = |k: &str| r.values.get(k).cloned();
    assert_eq!(v("par_plan_issued"), Some(serde_json::json!(false)));
    assert_eq!(v("dossiers_received_online"), Some(serde_json::json!(1100)));
    assert_eq!(v("dossiers_received_direct"), Some(serde_json::json!(150)));
    assert_eq!(v("dossiers_carried_over"), Some(serde_json::json!(4)));
    assert_eq!(v("dossiers_resolved_early"), Some(serde_json::json!(1200)), "not the plan of section IV");
    assert_eq!(v("dossiers_resolved_on_time"), Some(serde_json::json!(40)));
    assert_eq!(v("dossiers_resolved_overdue"), Some(serde_json::json!(0)));
    assert_eq!(v("dossiers_pending_within_deadline"), Some(serde_json::json!(14)));
    assert_eq!(v("edocs_outgoing_rate"), Some(serde_json::json!(95.06)));
    // With something carried over the total does not settle the pending overdue.
    assert_eq!(v("dossiers_pending_overdue"), None);
    // Two counts of computers: neither.
    assert_eq!(v("computers"), None);
    assert!(r.unread.contains(&"Tổng số máy tính là 18 máy".to_owned()), "{:?}", r.unread);
    assert!(r.unread.contains(&"Tổng số máy tính là 19 máy".to_owned()));
    assert!(r.unread.contains(&"Có khoảng 30 hồ sơ đã được rà soát lại".to_owned()));
    assert_eq!(r.period, Month::new(2025, 2));
    assert_eq!(r.narrative["strengths"], "1. Ưu điểm\nTốt.");
    assert_eq!(r.narrative["causes"], "3. Nguyên nhân\nThiếu người.");
    assert_eq!(r.narrative["next_month"], "IV. PHƯƠNG HƯỚNG THÁNG 03 NĂM 2025\nGiải quyết trước hạn 100 hồ sơ.");
}
