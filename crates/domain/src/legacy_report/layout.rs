//! The shape of a report: its lines, the headings that cut it into the narrative sections, the
//! closing sentence, and the month it names.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::period::Month;
use crate::report::NarrativeSection;

/// Where a line of the report belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The heading block and title, before section I.
    Title,
    /// The heading of III (*ĐÁNH GIÁ CHUNG*), which only groups its three subsections.
    Assessment,
    Section(NarrativeSection),
    /// A later section (*V. Kiến nghị, đề xuất*): neither narrative nor this month's figures.
    Other,
    /// From *Trên đây là …* on: the closing sentence, recipients, signature.
    Closing,
}

/// A report's non-empty lines, each trimmed, with the part it belongs to.
#[derive(Debug, Clone)]
pub struct Layout {
    lines: Vec<(Part, String)>,
}

static ROMAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(I|II|III|IV|V)\s*[.:/)-]\s*\S").expect("a valid pattern"));
static SUBSECTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d+\s*[.)]\s*(.*)$").expect("a valid pattern"));
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d+(?:\.\d+)*|[IVX]+)\.\s").expect("a valid pattern"));
static CLOSING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(trên đây là|nơi nhận)").expect("a valid pattern"));
/// *tháng 06 … năm 2024*, or *tháng 12 phương hướng … tháng 01 năm 2025* (the year is the next
/// month's).
static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)tháng\s+(\d{1,2})(?:[^.]*?tháng\s+(\d{1,2}))?[^.\d]*?năm\s+(\d{4})").expect("a valid pattern")
});

impl Layout {
    pub fn of(text: &str) -> Layout {
        let mut part = Part::Title;
        let mut lines = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            part = next_part(part, line);
            lines.push((part, line.to_owned()));
        }
        Layout { lines }
    }

    /// The narrative sections, their lines joined by line breaks as written.
    pub fn narrative(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        for (part, line) in &self.lines {
            if let Part::Section(s) = part {
                let text = out.entry(s.key().to_owned()).or_default();
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(line);
            }
        }
        out
    }

    /// The text that states what was done — before section IV (plans for next month are no
    /// figures of this one) and before the closing — as one line, whitespace collapsed so that
    /// a sentence broken across lines reads as one; a heading, or a line ending in a colon, is
    /// set apart with a semicolon (a clause boundary).
    pub fn stated_text(&self) -> String {
        let stated = |p: &Part| !matches!(p, Part::Section(NarrativeSection::NextMonth) | Part::Other | Part::Closing);
        let mut text = String::new();
        for (_, line) in self.lines.iter().filter(|(p, _)| stated(p)) {
            // A line that introduces what follows, or a short numbered heading, is a clause.
            let heading = NUMBERED.is_match(line) && line.split_whitespace().count() < 12;
            if heading {
                text.push_str("; ");
            }
            text.push_str(line);
            text.push_str(if line.ends_with(':') || heading { "; " } else { " " });
        }
        collapse(&text)
    }

    /// The month reported on: the closing sentence's (*… tháng 06 phương hướng nhiệm vụ tháng 07
    /// năm 2024 của UBND xã …*), else the title's.
    pub fn period(&self) -> Option<Month> {
        let closing: Vec<&str> =
            self.lines.iter().filter(|(p, _)| *p == Part::Closing).map(|(_, l)| l.as_str()).collect();
        let title: Vec<&str> = self.lines.iter().filter(|(p, _)| *p == Part::Title).map(|(_, l)| l.as_str()).collect();
        let closing = collapse(&closing.join(" "));
        let closing = closing.split("Nơi nhận").next().unwrap_or_default();
        find_period(closing).or_else(|| find_period(&collapse(&title.join(" "))))
    }
}

/// The first month named with its year in `text`.
pub fn find_period(text: &str) -> Option<Month> {
    let c = MONTH_YEAR.captures(text)?;
    let month: u32 = c.get(1)?.as_str().parse().ok()?;
    let year: i32 = c.get(3)?.as_str().parse().ok()?;
    // A December report names January of the next year as its next month, and that year.
    let next: Option<u32> = c.get(2).and_then(|m| m.as_str().parse().ok());
    let year = match next {
        Some(n) if n < month => year - 1,
        _ => year,
    };
    Month::new(year, month)
}

fn next_part(part: Part, line: &str) -> Part {
    if part == Part::Closing || CLOSING.is_match(line) {
        return Part::Closing;
    }
    if let Some(c) = ROMAN.captures(line) {
        let roman = c.get(1).map_or("", |m| m.as_str());
        return match roman {
            "I" => Part::Section(NarrativeSection::Direction),
            "II" => Part::Section(NarrativeSection::Results),
            "III" => assessment_part(line).unwrap_or(Part::Assessment),
            "IV" => Part::Section(NarrativeSection::NextMonth),
            _ => Part::Other,
        };
    }
    let in_assessment = matches!(
        part,
        Part::Assessment
            | Part::Section(NarrativeSection::Strengths | NarrativeSection::Limitations | NarrativeSection::Causes)
    );
    if in_assessment
        && let Some(c) = SUBSECTION.captures(line)
        && let Some(p) = assessment_part(c.get(1).map_or("", |m| m.as_str()))
    {
        return p;
    }
    part
}

/// The subsection of III a heading opens: *Ưu điểm*, *Tồn tại, hạn chế*, *Nguyên nhân*.
fn assessment_part(heading: &str) -> Option<Part> {
    let h = heading.to_lowercase();
    let head: String = h.chars().take(60).collect();
    if head.contains("ưu điểm") || head.contains("kết quả đạt được") {
        Some(Part::Section(NarrativeSection::Strengths))
    } else if head.contains("tồn tại") || head.contains("hạn chế") {
        Some(Part::Section(NarrativeSection::Limitations))
    } else if head.contains("nguyên nhân") {
        Some(Part::Section(NarrativeSection::Causes))
    } else {
        None
    }
}

/// Runs of whitespace (line breaks, no-break spaces) as one space.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower case, whitespace collapsed: how names are compared.
pub fn folded(s: &str) -> String {
    collapse(&s.to_lowercase())
}

/// How often `needle` occurs in `haystack` as whole words.
pub fn count_words(haystack: &str, needle: &str) -> usize {
    if needle.is_empty() {
        return 0;
    }
    haystack
        .match_indices(needle)
        .filter(|(i, _)| {
            let before = haystack[..*i].chars().next_back();
            let after = haystack[i + needle.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .count()
}
