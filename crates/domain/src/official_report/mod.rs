//! The wording of the official documents (*văn bản hành chính*, NĐ 30/2020/NĐ-CP): how a
//! commune's report and an Interior Office's consolidated report put figures into sentences,
//! write dates, periods and small counts, and lay out the narrative as headings and paragraphs.
//! The layout on paper (fonts, margins, tables) is the API's; what the words say is here.

pub mod commune;
pub mod consolidated;

use chrono::NaiveDate;

use crate::period::{Month, Period};
use crate::units::UnitLevel;

/// A block of a document's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading (`I. …`, `1. …`): bold in the document.
    Heading(String),
    /// A paragraph of running text.
    Paragraph(String),
}

impl Block {
    pub fn text(&self) -> &str {
        match self {
            Block::Heading(t) | Block::Paragraph(t) => t,
        }
    }
}

/// A count as administrative documents write it: below ten with a leading zero (`01`, `09`),
/// zero as `0`, larger counts with a dot between thousands (`1.234`) — as the seed report
/// writes "01 hồ sơ quá hạn", "kỳ trước chuyển qua 0 hồ sơ".
pub fn count(n: i64) -> String {
    match n {
        1..=9 => format!("0{n}"),
        _ => thousands(n),
    }
}

/// A whole number with a dot between thousands: `1.234`, `-12.000`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A percentage with at most two decimals and a decimal comma: `100`, `99,4`, `77,78`.
pub fn percent(x: f64) -> String {
    let s = format!("{:.2}", crate::derived::round2(x));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// "tháng 06 năm 2024": the month with two digits, as the seed report's title writes it.
pub fn month_words(m: Month) -> String {
    format!("tháng {:02} năm {}", m.month(), m.year())
}

/// A period in words: "tháng 06 năm 2024", "quý II năm 2024", "6 tháng đầu năm 2024", "9 tháng đầu năm 2022", "năm 2024".
pub fn period_words(p: Period) -> String {
    match p {
        Period::Month(m) => month_words(m),
        Period::Quarter { year, quarter } => {
            format!("quý {} năm {year}", ["I", "II", "III", "IV"][(quarter.clamp(1, 4) - 1) as usize])
        }
        Period::Half { year, half: 1 } => format!("6 tháng đầu năm {year}"),
        Period::Half { year, .. } => format!("6 tháng cuối năm {year}"),
        Period::NineMonths(year) => format!("9 tháng đầu năm {year}"),
        Period::Year(year) => format!("năm {year}"),
    }
}

/// The place and date line: "Đông Sơn, ngày 05 tháng 7 năm 2024". NĐ 30/2020 writes days below
/// ten and the months January and February with a leading zero, other months without.
pub fn dated(place: &str, date: NaiveDate) -> String {
    use chrono::Datelike;
    let month = match date.month() {
        m @ (1 | 2) => format!("0{m}"),
        m => m.to_string(),
    };
    format!("{place}, ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

const KINDS: &[&str] = &["Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã"];

/// A unit's name without its kind: "Xã Đông Sơn" → "Đông Sơn" (the place of the date line).
pub fn place_name(unit_name: &str) -> &str {
    KINDS.iter().find_map(|k| unit_name.strip_prefix(k).and_then(|r| r.strip_prefix(' '))).unwrap_or(unit_name).trim()
}

/// A unit's kind in lower case, as in "UBND xã Đông Sơn": "xã", "thị trấn", "huyện".
pub fn kind_of(unit_name: &str, level: UnitLevel) -> String {
    KINDS.iter().find(|k| unit_name.starts_with(*k)).map(|k| k.to_lowercase()).unwrap_or_else(|| {
        match level {
            UnitLevel::Province => "tỉnh",
            UnitLevel::District => "huyện",
            UnitLevel::Commune => "xã",
        }
        .to_owned()
    })
}

/// The name in capitals for a header: "Xã Đông Sơn" → "XÃ ĐÔNG SƠN".
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_take_a_leading_zero_as_the_seed_writes_them() {
        assert_eq!(count(1), "01");
        assert_eq!(count(2), "02");
        assert_eq!(count(9), "09");
        assert_eq!(count(0), "0");
        assert_eq!(count(33), "33");
        assert_eq!(count(168), "168");
        assert_eq!(count(12345), "12.345");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(thousands(-1000), "-1.000");
    }

    #[test]
    fn percentages_use_a_decimal_comma() {
        assert_eq!(percent(100.0), "100");
        assert_eq!(percent(99.3975903614), "99,4");
        assert_eq!(percent(77.7777), "77,78");
        assert_eq!(percent(0.0), "0");
    }

    #[test]
    fn dates_and_periods_in_words() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(dated("Đông Sơn", d("2024-07-05")), "Đông Sơn, ngày 05 tháng 7 năm 2024");
        assert_eq!(dated("Yên Thế", d("2024-02-15")), "Yên Thế, ngày 15 tháng 02 năm 2024");
        assert_eq!(dated("Yên Thế", d("2024-12-31")), "Yên Thế, ngày 31 tháng 12 năm 2024");
        let p = |s: &str| Period::parse(s).unwrap();
        assert_eq!(period_words(p("2024-06")), "tháng 06 năm 2024");
        assert_eq!(period_words(p("2024Q2")), "quý II năm 2024");
        assert_eq!(period_words(p("2024H1")), "6 tháng đầu năm 2024");
        assert_eq!(period_words(p("2024")), "năm 2024");
    }

    #[test]
    fn places_are_names_without_their_kind() {
        assert_eq!(place_name("Xã Đông Sơn"), "Đông Sơn");
        assert_eq!(place_name("Thị trấn Bố Hạ"), "Bố Hạ");
        assert_eq!(place_name("Huyện Yên Thế"), "Yên Thế");
        assert_eq!(place_name("Tỉnh Bắc Giang"), "Bắc Giang");
        assert_eq!(place_name("Đông Sơn"), "Đông Sơn");
        assert_eq!(kind_of("Thị trấn Bố Hạ", UnitLevel::Commune), "thị trấn");
        assert_eq!(kind_of("Đông Sơn", UnitLevel::Commune), "xã");
        assert_eq!(upper("Xã Đông Sơn"), "XÃ ĐÔNG SƠN");
    }
}
