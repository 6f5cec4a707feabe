//! The Interior Office's consolidated report on its communes (*báo cáo tổng hợp* of the *Phòng
//! Nội vụ huyện* or the *Sở Nội vụ tỉnh*): who issues it, the totals of the Biểu 06 figures as
//! sentences, who reported, on time or late, and who did not, the bands of the ranking, and the
//! communes with the most overdue dossiers.

use chrono::NaiveDate;

use super::{count, percent, period_words, place_name, upper};
use crate::aggregation::UnitsAggregate;
use crate::completeness::Completeness;
use crate::period::Period;
use crate::units::UnitLevel;

/// The office that issues the report, under its people's committee: (committee, office,
/// the office's short code for the document number, its head's title).
pub fn office(level: UnitLevel, unit_name: &str) -> [String; 4] {
    let committee = format!("UBND {}", upper(unit_name));
    match level {
        UnitLevel::Province => [committee, "SỞ NỘI VỤ".into(), "SNV".into(), "GIÁM ĐỐC".into()],
        _ => [committee, "PHÒNG NỘI VỤ".into(), "PNV".into(), "TRƯỞNG PHÒNG".into()],
    }
}

/// The annex's title.
pub fn annex_title(period: Period) -> String {
    format!(
        "Biểu tổng hợp kết quả thực hiện công tác cải cách hành chính của các đơn vị cấp xã {}",
        period_words(period)
    )
}

/// The line under the annex's title: which report it belongs to.
pub fn annex_note(level: UnitLevel, unit_name: &str) -> String {
    let office = if level == UnitLevel::Province { "Sở Nội vụ" } else { "Phòng Nội vụ" };
    format!("(Kèm theo Báo cáo của {office} {})", super::commune::lower_kind(unit_name))
}

/// The title's two lines.
pub fn title(period: Period) -> [String; 2] {
    ["BÁO CÁO".to_owned(), format!("Kết quả thực hiện công tác cải cách hành chính cấp xã {}", period_words(period))]
}

/// The opening sentence: what the report is built from.
pub fn opening(unit_name: &str, period: Period, communes: usize) -> String {
    format!(
        "Căn cứ báo cáo của UBND các xã, phường, thị trấn trên địa bàn {}, kết quả thực hiện công tác cải cách \
         hành chính {} của {} đơn vị cấp xã như sau:",
        super::commune::lower_kind(unit_name),
        period_words(period),
        count(communes as i64)
    )
}

fn total(agg: &UnitsAggregate, code: &str) -> Option<i64> {
    let v = &agg.indicators.get(code)?.value;
    v.as_i64().or_else(|| v.as_f64().map(|x| x.round() as i64))
}

/// The totals of the Biểu 06 figures as sentences — the unit's aggregates, so that the report
/// and `/aggregates` never disagree.
pub fn totals(agg: &UnitsAggregate) -> Vec<String> {
    let t = |c: &str| total(agg, c);
    let rate = |c: &str| agg.derived.get(c).map(|r| format!("{}%", percent(r))).unwrap_or_else(|| "—".into());
    let (Some(carried), Some(online), Some(direct)) =
        (t("dossiers_carried_over"), t("dossiers_received_online"), t("dossiers_received_direct"))
    else {
        return vec!["Chưa có số liệu về tiếp nhận, giải quyết hồ sơ thủ tục hành chính trong kỳ.".to_owned()];
    };
    let mut out = vec![format!(
        "Tổng số hồ sơ tiếp nhận {} hồ sơ (trong đó kỳ trước chuyển qua {} hồ sơ, tiếp nhận mới {} hồ sơ: trực \
         tuyến {} hồ sơ, trực tiếp {} hồ sơ); tỷ lệ tiếp nhận trực tuyến đạt {}.",
        count(carried + online + direct),
        count(carried),
        count(online + direct),
        count(online),
        count(direct),
        rate("online_rate")
    )];
    if let (Some(early), Some(on_time), Some(overdue)) =
        (t("dossiers_resolved_early"), t("dossiers_resolved_on_time"), t("dossiers_resolved_overdue"))
    {
        out.push(format!(
            "Đã giải quyết {} hồ sơ: trả trước hạn {} hồ sơ, trả đúng hạn {} hồ sơ, quá hạn {} hồ sơ; tỷ lệ hồ sơ \
             giải quyết đúng và trước hạn đạt {}.",
            count(early + on_time + overdue),
            count(early),
            count(on_time),
            count(overdue),
            rate("resolved_on_time_rate")
        ));
    }
    if let (Some(within), Some(late)) = (t("dossiers_pending_within_deadline"), t("dossiers_pending_overdue")) {
        out.push(format!(
            "Đang giải quyết {} hồ sơ: trong hạn {} hồ sơ, quá hạn {} hồ sơ.",
            count(within + late),
            count(within),
            count(late)
        ));
    }
    out
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Completeness and timeliness, naming who was late (with when they submitted) and who has
/// not reported (with what stands in the way: nothing filed, a draft, a returned report).
/// For a period of several months each name carries its month.
pub fn completeness(c: &Completeness, period: Period, due: Option<NaiveDate>) -> Vec<String> {
    let several = period.len_months() > 1;
    let month = |p: &str| match p.split_once('-') {
        Some((y, m)) if several => format!("tháng {m}/{y}, "),
        _ => String::new(),
    };
    let due = due.map(|d| format!(" (hạn nộp ngày {})", day(d))).unwrap_or_default();
    let rate = |r: Option<f64>| r.map(|r| format!(", đạt {}%", percent(r))).unwrap_or_default();
    let mut out = vec![format!(
        "Số báo cáo đã gửi: {}/{} báo cáo{}; đúng hạn{due}: {} báo cáo{}; trễ hạn: {} báo cáo; chưa báo cáo: {} \
         báo cáo.",
        count(c.reported as i64),
        count(c.expected as i64),
        rate(c.completeness_rate),
        count(c.on_time as i64),
        rate(c.timeliness_rate),
        count(c.late as i64),
        count(c.missing_count as i64)
    )];
    if !c.late_reports.is_empty() {
        let names: Vec<String> = c
            .late_reports
            .iter()
            .map(|l| {
                let at = l.submitted_at.map(|t| format!("gửi ngày {}", day(t.date_naive()))).unwrap_or_default();
                format!("{} ({}{at})", l.unit_name, month(&l.period))
            })
            .collect();
        out.push(format!("Các đơn vị gửi báo cáo trễ hạn: {}.", names.join("; ")));
    }
    if !c.missing.is_empty() {
        let names: Vec<String> = c
            .missing
            .iter()
            .map(|m| format!("{} ({}{})", m.unit_name, month(&m.period), m.status.label_vi().to_lowercase()))
            .collect();
        out.push(format!("Các đơn vị chưa gửi báo cáo: {}.", names.join("; ")));
    }
    out
}

/// How many communes fall in each band, in the scheme's order: "Tốt: 05 xã; Khá: 03 xã".
pub fn bands(bands: &[(String, usize)], unranked: usize) -> String {
    let mut parts: Vec<String> = bands.iter().map(|(label, n)| format!("{label}: {} xã", count(*n as i64))).collect();
    if unranked > 0 {
        parts.push(format!("chưa xếp hạng: {} xã", count(unranked as i64)));
    }
    format!("Kết quả xếp hạng theo bộ tiêu chí: {}.", parts.join("; "))
}

/// A commune's overdue dossiers: resolved after the deadline, and pending past it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub unit_name: String,
    pub resolved_overdue: i64,
    pub pending_overdue: i64,
}

impl Overdue {
    pub fn total(&self) -> i64 {
        self.resolved_overdue + self.pending_overdue
    }
}

/// The communes with the most overdue dossiers, at most `n`, most first (then by name).
pub fn most_overdue(mut rows: Vec<Overdue>, n: usize) -> Vec<Overdue> {
    rows.retain(|r| r.total() > 0);
    rows.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.unit_name.cmp(&b.unit_name)));
    rows.truncate(n);
    rows
}

/// The sentence on the communes with the most overdue dossiers.
pub fn overdue(rows: &[Overdue]) -> String {
    if rows.is_empty() {
        return "Không có đơn vị nào có hồ sơ giải quyết quá hạn.".to_owned();
    }
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} ({} hồ sơ: {} giải quyết quá hạn, {} đang giải quyết quá hạn)",
                r.unit_name,
                count(r.total()),
                count(r.resolved_overdue),
                count(r.pending_overdue)
            )
        })
        .collect();
    format!("Các đơn vị có nhiều hồ sơ quá hạn nhất: {}.", names.join("; "))
}

/// *Nơi nhận* of the consolidated report: the committee it reports to and the level above.
pub fn recipients(level: UnitLevel, unit_name: &str, province_name: Option<&str>) -> Vec<String> {
    let mut out = match level {
        UnitLevel::Province => vec![
            format!("- UBND {} (b/c);", super::commune::lower_kind(unit_name)),
            "- Bộ Nội vụ;".to_owned(),
            "- UBND các huyện, thị xã, thành phố;".to_owned(),
        ],
        _ => {
            let mut v = vec![format!("- UBND {} (b/c);", super::commune::lower_kind(unit_name))];
            if let Some(p) = province_name {
                v.push(format!("- Sở Nội vụ {};", super::commune::lower_kind(p)));
            }
            v.push("- UBND các xã, thị trấn;".to_owned());
            v
        }
    };
    out.push("- Lưu: VT.".to_owned());
    out
}

/// The place of the report's date line.
pub fn place(unit_name: &str) -> &str {
    place_name(unit_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregation::aggregate_units;
    use crate::completeness::{LateReport, MissingReport};
    use crate::ranking::Standing;
    use crate::{Catalog, UnitCode, seed, validation::validate};

    #[test]
    fn totals_are_the_aggregates_in_words() {
        let catalog = Catalog::builtin();
        let seed = validate(&catalog, &seed::dong_son_2024_06()).form.values;
        let mut other = seed.clone();
        other.insert("dossiers_received_direct".into(), crate::Value::Count(12));
        other.insert("dossiers_resolved_early".into(), crate::Value::Count(140));
        other.insert("dossiers_pending_overdue".into(), crate::Value::Count(4));
        let agg = aggregate_units(&catalog, [&seed, &other]);
        assert_eq!(
            totals(&agg),
            [
                "Tổng số hồ sơ tiếp nhận 348 hồ sơ (trong đó kỳ trước chuyển qua 0 hồ sơ, tiếp nhận mới 348 hồ sơ: \
                 trực tuyến 336 hồ sơ, trực tiếp 12 hồ sơ); tỷ lệ tiếp nhận trực tuyến đạt 96,55%.",
                "Đã giải quyết 340 hồ sơ: trả trước hạn 272 hồ sơ, trả đúng hạn 66 hồ sơ, quá hạn 02 hồ sơ; tỷ lệ hồ \
                 sơ giải quyết đúng và trước hạn đạt 99,41%.",
                "Đang giải quyết 08 hồ sơ: trong hạn 04 hồ sơ, quá hạn 04 hồ sơ.",
            ]
        );
        assert_eq!(totals(&aggregate_units(&catalog, [])).len(), 1);
    }

    #[test]
    fn completeness_names_the_late_and_the_missing() {
        let code = |s: &str| UnitCode::parse(s).unwrap();
        let due = NaiveDate::from_ymd_opt(2024, 7, 5).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2024-07-08T09:00:00+07:00").unwrap();
        let c = Completeness {
            expected: 3,
            reported: 2,
            on_time: 1,
            late: 1,
            missing_count: 1,
            completeness_rate: Some(66.67),
            timeliness_rate: Some(33.33),
            missing: vec![MissingReport {
                unit_code: code("07294"),
                unit_name: "Thị trấn Bố Hạ".into(),
                period: "2024-06".into(),
                status: Standing::Draft,
                due_date: due,
            }],
            late_reports: vec![LateReport {
                unit_code: code("07273"),
                unit_name: "Xã Đông Sơn".into(),
                period: "2024-06".into(),
                due_date: due,
                submitted_at: Some(at),
            }],
        };
        let p = Period::parse("2024-06").unwrap();
        assert_eq!(
            completeness(&c, p, Some(due)),
            [
                "Số báo cáo đã gửi: 02/03 báo cáo, đạt 66,67%; đúng hạn (hạn nộp ngày 05/07/2024): 01 báo cáo, đạt \
                 33,33%; trễ hạn: 01 báo cáo; chưa báo cáo: 01 báo cáo.",
                "Các đơn vị gửi báo cáo trễ hạn: Xã Đông Sơn (gửi ngày 08/07/2024).",
                "Các đơn vị chưa gửi báo cáo: Thị trấn Bố Hạ (bản nháp).",
            ]
        );
        let q = completeness(&c, Period::parse("2024Q2").unwrap(), None);
        assert_eq!(q[1], "Các đơn vị gửi báo cáo trễ hạn: Xã Đông Sơn (tháng 06/2024, gửi ngày 08/07/2024).");
    }

    #[test]
    fn the_most_overdue_come_first() {
        let o = |n: &str, r, p| Overdue { unit_name: n.into(), resolved_overdue: r, pending_overdue: p };
        let top = most_overdue(vec![o("Xã A", 1, 0), o("Xã B", 0, 0), o("Xã C", 3, 2), o("Xã D", 1, 0)], 2);
        assert_eq!(top, [o("Xã C", 3, 2), o("Xã A", 1, 0)]);
        assert_eq!(
            overdue(&top),
            "Các đơn vị có nhiều hồ sơ quá hạn nhất: Xã C (05 hồ sơ: 03 giải quyết quá hạn, 02 đang giải quyết quá \
             hạn); Xã A (01 hồ sơ: 01 giải quyết quá hạn, 0 đang giải quyết quá hạn)."
        );
        assert_eq!(overdue(&[]), "Không có đơn vị nào có hồ sơ giải quyết quá hạn.");
    }

    #[test]
    fn the_office_bands_and_recipients() {
        assert_eq!(office(UnitLevel::District, "Huyện Yên Thế")[..2], ["UBND HUYỆN YÊN THẾ", "PHÒNG NỘI VỤ"]);
        assert_eq!(office(UnitLevel::Province, "Tỉnh Bắc Giang")[1], "SỞ NỘI VỤ");
        assert_eq!(
            annex_note(UnitLevel::District, "Huyện Yên Thế"),
            "(Kèm theo Báo cáo của Phòng Nội vụ huyện Yên Thế)"
        );
        assert_eq!(
            bands(&[("Tốt".into(), 5), ("Khá".into(), 3)], 2),
            "Kết quả xếp hạng theo bộ tiêu chí: Tốt: 05 xã; Khá: 03 xã; chưa xếp hạng: 02 xã."
        );
        assert_eq!(
            recipients(UnitLevel::District, "Huyện Yên Thế", Some("Tỉnh Bắc Giang"))[..2],
            ["- UBND huyện Yên Thế (b/c);", "- Sở Nội vụ tỉnh Bắc Giang;"]
        );
        assert_eq!(
            title(Period::parse("2024-06").unwrap())[1],
            "Kết quả thực hiện công tác cải cách hành chính cấp xã tháng 06 năm 2024"
        );
    }
}
