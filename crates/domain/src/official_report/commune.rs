//! The commune's monthly report (*Báo cáo kết quả thực hiện nhiệm vụ công tác CCHC*): its title,
//! sections I–IV from the narrative, the dossier paragraph written from the Biểu 06 figures as
//! the seed report writes it, the closing sentence, the recipients and the signature.

use super::{Block, count, month_words, percent};
use crate::derived::derive;
use crate::period::Month;
use crate::report::{Narrative, NarrativeSection, Value, Values};

/// How the seed report opens its dossier paragraph; the clerk's own version of it is replaced
/// by the one written from the stored figures, so that the document says what the figures say.
const DOSSIER_OPENING: &str = "Kết quả thực hiện việc tiếp nhận, giải quyết hồ sơ";

/// The title's two lines: "BÁO CÁO" and what it reports on.
pub fn title(month: Month) -> [String; 2] {
    [
        "BÁO CÁO".to_owned(),
        format!(
            "Kết quả thực hiện nhiệm vụ công tác CCHC {} và phương hướng, nhiệm vụ {}",
            month_words(month),
            month_words(month.next())
        ),
    ]
}

fn figure(values: &Values, code: &str) -> Option<i64> {
    match values.get(code)? {
        Value::Count(n) => Some(*n),
        Value::Number(x) => Some(x.round() as i64),
        Value::Flag(_) => None,
    }
}

/// The dossier paragraph of section II, in the seed report's words, when the eight Biểu 06
/// figures are reported: received total, the online share of the new dossiers, carried over,
/// resolved early, on time and overdue, pending (and pending overdue when there are any).
pub fn dossier_paragraph(values: &Values, month: Month, commune_kind: &str) -> Option<String> {
    let f = |c: &str| figure(values, c);
    let carried = f("dossiers_carried_over")?;
    let online = f("dossiers_received_online")?;
    let direct = f("dossiers_received_direct")?;
    let early = f("dossiers_resolved_early")?;
    let on_time = f("dossiers_resolved_on_time")?;
    let overdue = f("dossiers_resolved_overdue")?;
    let pending = f("dossiers_pending_within_deadline")?;
    let pending_overdue = f("dossiers_pending_overdue")?;
    let derived = derive(values);
    let total = carried + online + direct;
    let share = match derived.get("online_rate") {
        Some(rate) => format!(" đạt {}%", percent(rate)),
        None => String::new(),
    };
    let mut s = format!(
        "{DOSSIER_OPENING} một cửa điện tử tại UBND {commune_kind} {} là: Tổng số hồ sơ tiếp nhận {} hồ sơ \
         (trong đó tiếp nhận trực tuyến {}/{} hồ sơ{share}, kỳ trước chuyển qua {} hồ sơ) đã trả trước hạn \
         là {} hồ sơ; trả đúng hạn {} hồ sơ; {} hồ sơ quá hạn; {} hồ sơ đang trong quá trình giải quyết \
         chưa đến hạn trả",
        month_words(month),
        count(total),
        count(online),
        count(online + direct),
        count(carried),
        count(early),
        count(on_time),
        count(overdue),
        count(pending),
    );
    if pending_overdue > 0 {
        s.push_str(&format!("; {} hồ sơ đang giải quyết đã quá hạn trả", count(pending_overdue)));
    }
    s.push('.');
    Some(s)
}

/// Whether a line opens a heading or a list item: "I.", "II.", "1.", "3.1.", "-", "+", "a)".
fn marker(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['-', '+', '•', '*']) {
        return true;
    }
    let head: String = t.chars().take_while(|c| !c.is_whitespace()).collect();
    let roman = head.trim_end_matches('.').chars().all(|c| "IVX".contains(c)) && head.ends_with('.') && head.len() > 1;
    let numbered = head.ends_with('.')
        && head.len() > 1
        && head.trim_end_matches('.').split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let lettered = head.len() == 2 && head.ends_with(')') && head.chars().next().is_some_and(char::is_alphabetic);
    roman || numbered || lettered
}

/// The text's paragraphs. Text pasted from a PDF or a Word file is wrapped at the line's width;
/// a line then joins the next unless it ends a sentence or clause (`.`, `:`, `;`, `!`, `?`),
/// is clearly shorter than the text's lines (the last line of a paragraph, a heading), or the
/// next line opens a heading or list item. Text typed one paragraph a line stays as typed.
pub fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            open = false;
            continue;
        }
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        match out.last_mut() {
            Some(last) if open && !marker(&line) => {
                last.push(' ');
                last.push_str(&line);
            }
            _ => out.push(line.clone()),
        }
        let next_opens = lines.get(i + 1).is_some_and(|n| marker(n));
        let short = line.chars().count() * 4 < width * 3;
        open = !(line.ends_with(['.', ':', ';', '!', '?']) || short || next_opens);
    }
    out
}

/// A paragraph that reads as a heading: a numbered line short enough to be a title.
fn is_heading(p: &str) -> bool {
    let head: String = p.chars().take_while(|c| !c.is_whitespace()).collect();
    marker(p) && !head.starts_with(['-', '+', '•', '*']) && p.chars().count() <= 90
}

/// The heading a section gets when its text does not open with one of its own.
fn standard_heading(section: NarrativeSection, month: Month) -> String {
    match section {
        NarrativeSection::Direction => "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH".to_owned(),
        NarrativeSection::Results => "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CCHC".to_owned(),
        NarrativeSection::Strengths => "1. Ưu điểm".to_owned(),
        NarrativeSection::Limitations => "2. Tồn tại, hạn chế".to_owned(),
        NarrativeSection::Causes => "3. Nguyên nhân".to_owned(),
        NarrativeSection::NextMonth => {
            format!("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC {}", month_words(month.next()).to_uppercase())
        }
    }
}

/// Whether a section's own text opens with its heading (the seed's do: "I. CÔNG TÁC CHỈ ĐẠO…").
fn opens_with_heading(section: NarrativeSection, first: &str) -> bool {
    let marker = match section {
        NarrativeSection::Direction => "I.",
        NarrativeSection::Results => "II.",
        NarrativeSection::Strengths => "1.",
        NarrativeSection::Limitations => "2.",
        NarrativeSection::Causes => "3.",
        NarrativeSection::NextMonth => "IV.",
    };
    first.starts_with(marker) && first.chars().count() <= 90
}

/// The body of the report: sections I–IV from the narrative (a section not written still gets
/// its heading, so the form of the report holds), with the dossier paragraph of section II
/// written from the figures — in place of the clerk's own version of it, else after the
/// heading on administrative procedures, else at the start of section II.
pub fn body(narrative: &Narrative, values: &Values, month: Month, commune_kind: &str) -> Vec<Block> {
    let dossiers = dossier_paragraph(values, month, commune_kind);
    let mut out = Vec::new();
    for section in NarrativeSection::ALL {
        if section == NarrativeSection::Strengths {
            out.push(Block::Heading("III. ĐÁNH GIÁ CHUNG".to_owned()));
        }
        let mut paras = paragraphs(narrative.get(&section).map(String::as_str).unwrap_or(""));
        if paras.first().is_none_or(|p| !opens_with_heading(section, p)) {
            paras.insert(0, standard_heading(section, month));
        }
        if section == NarrativeSection::Results
            && let Some(d) = &dossiers
        {
            splice_dossiers(&mut paras, d);
        }
        out.extend(paras.into_iter().map(|p| if is_heading(&p) { Block::Heading(p) } else { Block::Paragraph(p) }));
    }
    out
}

fn splice_dossiers(paras: &mut Vec<String>, dossiers: &str) {
    if let Some(i) = paras.iter().position(|p| p.starts_with(DOSSIER_OPENING)) {
        paras[i] = dossiers.to_owned();
        return;
    }
    let at = paras
        .iter()
        .position(|p| is_heading(p) && p.to_lowercase().contains("thủ tục hành chính"))
        .map_or(1, |i| i + 1);
    paras.insert(at.min(paras.len()), dossiers.to_owned());
}

/// "Trên đây là báo cáo …" — the closing sentence before the recipients.
pub fn closing(month: Month, commune_kind: &str, place: &str) -> String {
    format!(
        "Trên đây là Báo cáo kết quả thực hiện nhiệm vụ công tác CCHC {} và phương hướng, nhiệm vụ {} \
         của UBND {commune_kind} {place}./.",
        month_words(month),
        month_words(month.next())
    )
}

/// *Nơi nhận*: the reviewing unit first (for its Interior Office), then the commune's own.
pub fn recipients(district_name: Option<&str>, commune_kind: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = district_name {
        out.push(format!("- UBND {} (Phòng Nội vụ);", lower_kind(d)));
    }
    out.push("- Thường trực Đảng ủy;".to_owned());
    out.push(format!("- CT, PCT UBND {commune_kind};"));
    out.push("- Lưu: VT.".to_owned());
    out
}

/// "Huyện Yên Thế" → "huyện Yên Thế", as a unit is named inside a sentence.
pub fn lower_kind(name: &str) -> String {
    let place = super::place_name(name);
    match name.strip_suffix(place) {
        Some(kind) if !kind.is_empty() => format!("{}{place}", kind.to_lowercase()),
        _ => name.to_owned(),
    }
}

/// The signature block's lines above the name: on behalf of the committee, its chair.
pub const SIGNATURE: [&str; 2] = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ReportForm;
    use crate::seed;

    fn seed_form() -> ReportForm {
        crate::validation::validate(&crate::Catalog::builtin(), &seed::dong_son_2024_06()).form
    }

    fn june() -> Month {
        "2024-06".parse().unwrap()
    }

    #[test]
    fn the_dossier_paragraph_says_what_the_seed_says() {
        let form = seed_form();
        let p = dossier_paragraph(&form.values, june(), "xã").unwrap();
        assert_eq!(
            p,
            "Kết quả thực hiện việc tiếp nhận, giải quyết hồ sơ một cửa điện tử tại UBND xã tháng 06 năm 2024 là: \
             Tổng số hồ sơ tiếp nhận 168 hồ sơ (trong đó tiếp nhận trực tuyến 168/168 hồ sơ đạt 100%, kỳ trước \
             chuyển qua 0 hồ sơ) đã trả trước hạn là 132 hồ sơ; trả đúng hạn 33 hồ sơ; 01 hồ sơ quá hạn; 02 hồ sơ \
             đang trong quá trình giải quyết chưa đến hạn trả."
        );
        // The seed's own words, apart from spacing.
        let seed: String = seed::DONG_SON_2024_06_TEXT.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            seed.contains("Tổng số hồ sơ tiếp nhận 168 hồ sơ (trong đó tiếp nhận trực tuyến 168/168 hồ sơ đạt 100%")
        );
        assert!(seed.contains("trả đúng hạn 33 hồ sơ; 01 hồ sơ quá hạn; 02 hồ sơ đang trong quá trình giải quyết"));
    }

    #[test]
    fn pending_overdue_dossiers_are_named_and_carried_over_counted() {
        let mut values = seed_form().values;
        values.insert("dossiers_carried_over".into(), Value::Count(5));
        values.insert("dossiers_received_direct".into(), Value::Count(12));
        values.insert("dossiers_pending_overdue".into(), Value::Count(3));
        let p = dossier_paragraph(&values, june(), "thị trấn").unwrap();
        assert!(p.contains("UBND thị trấn tháng 06 năm 2024"), "{p}");
        assert!(p.contains("Tổng số hồ sơ tiếp nhận 185 hồ sơ"), "{p}");
        assert!(p.contains("trực tuyến 168/180 hồ sơ đạt 93,33%, kỳ trước chuyển qua 05 hồ sơ"), "{p}");
        assert!(p.ends_with("chưa đến hạn trả; 03 hồ sơ đang giải quyết đã quá hạn trả."), "{p}");
        values.remove("dossiers_resolved_early");
        assert_eq!(dossier_paragraph(&values, june(), "xã"), None, "not every Biểu 06 figure is reported");
    }

    #[test]
    fn wrapped_lines_join_into_paragraphs() {
        let text = "2. Công tác kiểm tra\nUBND xã xây dựng kiểm tra công tác CCHC năm 2024 tới các ngành\n\
                    chuyên môn và bộ phận một cửa.\n- Một mục trong danh sách được viết dài đến gần hết dòng\nvẫn tiếp tục ở đây\n\
                    3.1. Mục con";
        assert_eq!(
            paragraphs(text),
            [
                "2. Công tác kiểm tra",
                "UBND xã xây dựng kiểm tra công tác CCHC năm 2024 tới các ngành chuyên môn và bộ phận một cửa.",
                "- Một mục trong danh sách được viết dài đến gần hết dòng vẫn tiếp tục ở đây",
                "3.1. Mục con",
            ]
        );
    }

    #[test]
    fn the_seed_body_has_every_section_and_the_figures_once() {
        let form = seed_form();
        let blocks = body(&form.narrative, &form.values, june(), "xã");
        let headings: Vec<&str> = blocks.iter().filter(|&b| matches!(b, Block::Heading(_))).map(Block::text).collect();
        // Each section opens with its own first line (the seed's headings, as typed).
        for section in NarrativeSection::ALL {
            let first = form.narrative[&section].lines().next().unwrap().trim();
            assert!(headings.contains(&first), "{first:?} not among {headings:?}");
        }
        assert!(headings.contains(&"III. ĐÁNH GIÁ CHUNG"), "{headings:?}");
        let roman: Vec<&str> =
            headings.iter().filter_map(|h| h.split(' ').next()).filter(|m| m.contains('I')).collect();
        assert_eq!(roman, ["I.", "II.", "III.", "IV."]);
        let dossier: Vec<&Block> = blocks.iter().filter(|b| b.text().contains("Tổng số hồ sơ tiếp nhận")).collect();
        assert_eq!(dossier.len(), 1, "the clerk's paragraph is replaced, not repeated");
        assert_eq!(dossier[0], &Block::Paragraph(dossier_paragraph(&form.values, june(), "xã").unwrap()));
        for figure in ["168", "132", "33", "01", "02"] {
            assert!(dossier[0].text().contains(&format!("{figure} hồ sơ")), "{figure}");
        }
        // The wrapped seed text is joined back into its sentences.
        assert!(blocks.iter().any(|b| b.text()
            == "UBND xã xây dựng kiểm tra công tác CCHC năm 2024 tới các ngành chuyên môn và bộ phận một cửa."));
    }

    #[test]
    fn sections_not_written_keep_their_headings_and_the_figures_find_a_place() {
        let values = seed_form().values;
        let blocks = body(&Narrative::new(), &values, june(), "xã");
        let texts: Vec<&str> = blocks.iter().map(Block::text).collect();
        assert_eq!(texts[0], "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH");
        assert_eq!(texts[1], "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CCHC");
        assert!(texts[2].starts_with("Kết quả thực hiện việc tiếp nhận"), "{texts:?}");
        assert_eq!(texts.last(), Some(&"IV. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC THÁNG 07 NĂM 2024"));
    }

    #[test]
    fn title_closing_and_recipients() {
        assert_eq!(
            title(june())[1],
            "Kết quả thực hiện nhiệm vụ công tác CCHC tháng 06 năm 2024 và phương hướng, nhiệm vụ tháng 07 năm 2024"
        );
        assert!(closing(june(), "xã", "Đông Sơn").ends_with("tháng 07 năm 2024 của UBND xã Đông Sơn./."));
        assert_eq!(recipients(Some("Huyện Yên Thế"), "xã")[0], "- UBND huyện Yên Thế (Phòng Nội vụ);");
        assert_eq!(recipients(None, "xã").last().map(String::as_str), Some("- Lưu: VT."));
    }
}
