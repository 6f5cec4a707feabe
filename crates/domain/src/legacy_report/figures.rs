//! How Vietnamese CCHC reports state each figure: patterns over the report's clauses, the seed's
//! own sentences first, then the common variants of wording. A figure read twice with two values
//! is not kept; a figure implied by others (*trực tuyến 168/168* → none direct) only where the
//! text leaves no doubt.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::Evidence;
use crate::data_entry::read_number;
use crate::dossier_figures as d;

/// How a match becomes a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// A whole number, a count or an amount: the `n` group (`01`, `1.254`, `250.000`).
    Count,
    /// A share or an area: the `n` group (`95,06`).
    Number,
    /// A statement that it was done.
    Yes,
    /// A statement that it was not (*chưa ban hành*, *đang xây dựng*).
    No,
    /// A statement that there was none (*không có đơn thư khiếu nại*).
    Zero,
    /// *trong tháng … tham gia tập huấn*: the number given, else one.
    CountOrOne,
}

/// Figures the text gives that are no indicator of the form but imply some.
const RECEIVED_TOTAL: &str = "_received_total";
const ONLINE_OF: &str = "_online_of";
const STANDARD_RATE: &str = "_standard_rate";

/// A count as written (`09`, `1.254`); a share or amount (`95,06`, `250.000`).
const N: &str = r"(?P<n>\d{1,3}(?:\.\d{3})+|\d+)";
const R: &str = r"(?P<n>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)";
const PAR: &str = r"(?:cải cách hành chính|cchc)";

fn rules() -> Vec<(&'static str, Read, String)> {
    use Read::*;
    let plan = format!(r"kế hoạch (?:về )?(?:công tác )?{PAR}");
    vec![
        ("par_plan_issued", Yes, format!(r"(?:xây dựng|ban hành)(?: và triển khai)? {plan}")),
        ("par_plan_issued", No, format!(r"(?:chưa|đang) (?:xây dựng|ban hành)(?: và triển khai)? {plan}")),
        ("par_plan_issued", No, format!(r"{plan}[^;.]{{0,40}}?(?:chưa (?:được )?ban hành|đang (?:được )?xây dựng)")),
        (
            "par_communication_plan_issued",
            Yes,
            format!(r"kế hoạch (?:về )?(?:công tác )?(?:thông tin,? )?tuyên truyền(?: về)? {PAR}"),
        ),
        (
            "par_communication_plan_issued",
            No,
            r"(?:chưa|đang) (?:xây dựng|ban hành) kế hoạch (?:về )?(?:công tác )?(?:thông tin,? )?tuyên truyền".into(),
        ),
        (
            "par_inspection_plan_issued",
            Yes,
            format!(r"(?:xây dựng|ban hành)(?: kế hoạch)? (?:tự )?kiểm tra (?:công tác )?{PAR}"),
        ),
        (
            "par_inspection_plan_issued",
            No,
            r"(?:chưa|đang) (?:xây dựng|ban hành)(?: kế hoạch)? (?:tự )?kiểm tra".into(),
        ),
        (
            "par_inspection_plan_issued",
            No,
            format!(
                r"kế hoạch (?:tự )?kiểm tra (?:công tác )?{PAR}[^;.]{{0,40}}?(?:chưa (?:được )?ban hành|đang (?:được )?xây dựng)"
            ),
        ),
        (
            "satisfaction_survey_conducted",
            Yes,
            r"(?:lấy|phát) phiếu[^;.]{0,30}?hài lòng|khảo sát (?:mức độ |sự )?hài lòng".into(),
        ),
        (
            "satisfaction_survey_conducted",
            No,
            r"(?:chưa|không) (?:thực hiện |tổ chức )?(?:lấy phiếu|khảo sát)[^;.]{0,30}?hài lòng".into(),
        ),
        (
            "satisfaction_rate",
            Number,
            format!(
                r"(?:tỷ|tỉ) lệ (?:người dân |tổ chức,? cá nhân |cá nhân,? tổ chức )?hài lòng[^;.\d]{{0,30}}?{R} ?%"
            ),
        ),
        ("legal_documents_issued", Count, format!(r"ban hành {N} văn bản (?:qppl|quy phạm pháp luật)")),
        ("legal_documents_issued", Zero, r"(?:không|chưa) ban hành văn bản (?:qppl|quy phạm pháp luật)".into()),
        (
            d::CARRIED_OVER,
            Count,
            format!(
                r"(?:kỳ trước chuyển (?:qua|sang)|tồn kỳ trước(?: chuyển sang)?|chuyển từ kỳ trước(?: sang)?):? {N}"
            ),
        ),
        (d::CARRIED_OVER, Zero, r"không có hồ sơ (?:tồn|chuyển) (?:từ )?kỳ trước".into()),
        (RECEIVED_TOTAL, Count, format!(r"tổng số(?: hồ sơ)?(?: đã)? tiếp nhận(?: là)?:? {N} hồ sơ")),
        (
            d::RECEIVED_ONLINE,
            Count,
            format!(
                r"(?:trực tuyến|qua dịch vụ công trực tuyến)(?: là)?:? {N}(?:/(?P<d>\d{{1,3}}(?:\.\d{{3}})+|\d+))? hồ sơ"
            ),
        ),
        (d::RECEIVED_ONLINE, Count, format!(r"{N} hồ sơ (?:tiếp nhận )?(?:trực tuyến|qua dịch vụ công trực tuyến)")),
        (
            d::RECEIVED_DIRECT,
            Count,
            format!(
                r"trực tiếp(?: tại bộ phận (?:một cửa|tiếp nhận và trả kết quả))?(?: và (?:qua )?(?:dịch vụ )?bưu chính(?: công ích)?)?(?: là)?:? {N} hồ sơ"
            ),
        ),
        (d::RECEIVED_DIRECT, Count, format!(r"{N} hồ sơ (?:tiếp nhận )?trực tiếp")),
        (
            d::RESOLVED_EARLY,
            Count,
            format!(r"(?:giải quyết|trả)(?: kết quả)?(?: hồ sơ)? trước (?:thời )?hạn(?: là)?:? {N}"),
        ),
        (d::RESOLVED_EARLY, Count, format!(r"(?:^|, )(?:đã )?trước (?:thời )?hạn(?: là)?:? {N}")),
        (
            d::RESOLVED_EARLY,
            Count,
            format!(r"{N} hồ sơ (?:được )?(?:giải quyết |trả (?:kết quả )?)?trước (?:thời )?hạn"),
        ),
        (
            d::RESOLVED_ON_TIME,
            Count,
            format!(r"(?:giải quyết|trả)(?: kết quả)?(?: hồ sơ)? đúng (?:thời )?hạn(?: là)?:? {N}"),
        ),
        (d::RESOLVED_ON_TIME, Count, format!(r"(?:^|, )(?:và )?đúng (?:thời )?hạn(?: là)?:? {N}")),
        (
            d::RESOLVED_ON_TIME,
            Count,
            format!(r"{N} hồ sơ (?:được )?(?:giải quyết |trả (?:kết quả )?)?đúng (?:thời )?hạn"),
        ),
        (
            d::RESOLVED_OVERDUE,
            Count,
            format!(r"(?:giải quyết|trả)(?: kết quả)?(?: hồ sơ)? (?:quá|trễ|chậm) hạn(?: là)?:? {N}"),
        ),
        (d::RESOLVED_OVERDUE, Count, format!(r"(?:^|, )(?:và )?(?:quá|trễ|chậm) hạn(?: là)?:? {N}")),
        (
            d::RESOLVED_OVERDUE,
            Count,
            format!(r"{N} hồ sơ (?:đã )?(?:giải quyết |trả (?:kết quả )?)?(?:quá|trễ|chậm) hạn"),
        ),
        (d::RESOLVED_OVERDUE, Zero, r"không có hồ sơ (?:giải quyết |trả (?:kết quả )?)?(?:quá|trễ|chậm) hạn".into()),
        (
            d::PENDING_WITHIN,
            Count,
            format!(r"{N} hồ sơ đang (?:trong quá trình )?(?:giải quyết|xử lý),? (?:chưa đến hạn|trong hạn|còn hạn)"),
        ),
        (
            d::PENDING_WITHIN,
            Count,
            format!(r"đang (?:giải quyết|xử lý) (?:trong hạn|chưa đến hạn|còn hạn)(?: là)?:? {N}"),
        ),
        (
            d::PENDING_OVERDUE,
            Count,
            format!(r"{N} hồ sơ đang (?:trong quá trình )?(?:giải quyết|xử lý),? (?:đã )?quá hạn"),
        ),
        (d::PENDING_OVERDUE, Count, format!(r"đang (?:giải quyết|xử lý) quá hạn(?: là)?:? {N}")),
        ("dossiers_digitized", Count, format!(r"số hóa(?: thành phần)?(?: hồ sơ)?(?: đạt| được)?:? {N} hồ sơ")),
        ("dossiers_digitized", Count, format!(r"{N} hồ sơ (?:được )?số hóa")),
        ("dossiers_paid_online", Count, format!(r"thanh toán trực tuyến(?: là)?:? {N} hồ sơ")),
        ("dossiers_paid_online", Count, format!(r"{N} hồ sơ (?:được )?thanh toán trực tuyến")),
        ("regulation_feedback_received", Count, format!(r"tiếp nhận {N} (?:phản ánh|ý kiến phản ánh|pakn)")),
        (
            "regulation_feedback_received",
            Zero,
            r"không (?:có|nhận được|phát sinh)[^;.]{0,60}?phản ánh,? kiến nghị".into(),
        ),
        ("complaints_received", Count, format!(r"(?:tiếp nhận|nhận được) {N} đơn(?: thư)? khiếu nại")),
        ("complaints_received", Count, format!(r"khiếu nại:? (?:tiếp nhận|nhận được) {N} đơn")),
        ("complaints_received", Zero, r"không (?:có|nhận được|phát sinh)(?: các)? đơn(?: thư)?,? khiếu nại".into()),
        ("complaints_resolved", Count, format!(r"giải quyết {N}(?:/\d+)? đơn")),
        ("complaints_resolved", Zero, r"không (?:có|nhận được|phát sinh)(?: các)? đơn(?: thư)?,? khiếu nại".into()),
        (
            "procedures_publicly_posted",
            Yes,
            r"niêm yết công khai[^;.]{0,40}?(?:được thực hiện|đầy đủ|kịp thời)|đã niêm yết công khai".into(),
        ),
        ("procedures_publicly_posted", No, r"chưa niêm yết".into()),
        ("committee_chairs", Count, format!(r"{N} (?P<x>phó )?chủ tịch")),
        ("committee_vice_chairs", Count, format!(r"{N} phó chủ tịch")),
        ("committee_members", Count, format!(r"{N} (?:thành viên|ủy viên|uỷ viên) (?:ubnd|ủy ban|uỷ ban)")),
        ("civil_servant_titles", Count, format!(r"{N} chức danh công chức")),
        (
            "staff_total",
            Count,
            format!(
                r"tổng số cán bộ,? công chức(?:,? viên chức)?(?: của (?:xã|phường))?(?: tính đến nay| hiện nay| hiện có)?(?: là)?:? {N} người"
            ),
        ),
        ("civil_servants", Count, format!(r"(?:về |số )?công chức(?: cấp xã)?:? (?:hiện nay )?(?:có )?{N} người")),
        ("civil_servants_meeting_standard", Count, format!(r"{N} (?:người|công chức) đạt chuẩn")),
        (STANDARD_RATE, Number, format!(r"{R} ?% đạt chuẩn")),
        (
            "civil_servants_university_degree",
            Count,
            format!(r"(?:trình độ )?đại học(?: trở lên)?:? {N} (?:người|đồng chí)"),
        ),
        (
            "civil_servants_political_theory_intermediate",
            Count,
            format!(r"trung cấp (?:llct|lý luận chính trị)(?: trở lên)?:? {N} (?:người|đồng chí)"),
        ),
        (
            "training_courses_attended",
            CountOrOne,
            format!(r"trong tháng[^;.]{{0,60}}?tham gia (?:{N} )?(?:lớp )?(?:tập huấn|bồi dưỡng)"),
        ),
        (
            "internal_spending_rules_issued",
            Yes,
            r"(?:xây dựng|ban hành)(?:,? sửa đổi,? bổ sung)? quy chế chi tiêu nội bộ".into(),
        ),
        ("internal_spending_rules_issued", No, r"(?:chưa|đang) (?:xây dựng|ban hành) quy chế chi tiêu nội bộ".into()),
        ("one_stop_allowance_vnd", Count, format!(r"hỗ trợ[^;]{{0,40}}?{R} ?(?:đ|đồng|vnđ)/(?:người|công chức)/tháng")),
        ("documents_digitally_signed_rate", Number, format!(r"ký số(?: văn bản)?(?: đạt)?:? {R} ?%")),
        ("edocs_incoming_rate", Number, format!(r"văn bản đến(?: (?:dưới dạng |bằng )?điện tử)?(?: đạt)?:? {R} ?%")),
        ("edocs_outgoing_rate", Number, format!(r"văn bản đi\b(?: (?:dưới dạng |bằng )?điện tử)?(?: đạt)?:? {R} ?%")),
        (
            "edocs_exchange_rate",
            Number,
            format!(r"văn bản trao đổi (?:dưới dạng|bằng|qua)(?: môi trường)? điện tử(?: đạt)?:? {R} ?%"),
        ),
        (
            "computers",
            Count,
            format!(r"(?:tổng )?số máy tính(?: tại cơ quan| của cơ quan)?(?: là|:)? {N} (?:máy|chiếc|bộ)"),
        ),
        (
            "computers_internet_rate",
            Number,
            format!(r"{R} ?% (?:số )?máy tính(?: đều)?(?: được)? kết nối (?:mạng )?internet"),
        ),
        (
            "computers_antivirus_rate",
            Number,
            format!(
                r"{R} ?% (?:số )?máy tính(?: đều)?(?: được)? cài(?: đặt)?(?: chương trình| phần mềm)? diệt vi ?rút"
            ),
        ),
        (
            "official_email_use_rate",
            Number,
            format!(r"sử dụng thư điện tử[^;.%]{{0,40}}?(?:đạt|là)(?: tỷ lệ| tỉ lệ)?:? {R} ?%"),
        ),
        ("iso_9001_applied", Yes, r"áp dụng (?:hệ thống quản lý chất lượng|htqlcl)[^;]{0,60}?iso 9001".into()),
        ("iso_9001_applied", No, r"chưa (?:xây dựng,? )?áp dụng[^;]{0,60}?iso".into()),
        (
            "one_stop_room_area_m2",
            Number,
            format!(
                r"(?:phòng|bộ phận) (?:một cửa|tiếp nhận và trả kết quả)[^;]{{0,30}}?diện tích:? (?:khoảng |trên |rộng )?{R} ?m(?:2|²)"
            ),
        ),
        ("online_services_level_3_4", Yes, r"dịch vụ công(?: trực tuyến)? mức độ 3 ?,? ?(?:và )?4".into()),
    ]
}

static RULES: LazyLock<Vec<(&'static str, Read, Regex)>> = LazyLock::new(|| {
    rules()
        .into_iter()
        .map(|(code, read, pattern)| (code, read, Regex::new(&format!("(?i){pattern}")).expect("a valid pattern")))
        .collect()
});

/// A clause that states a figure of some kind: a number with what it counts.
static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\d+(?:[.,]\d+)?\s?(?:%|hồ sơ|người|máy|lớp|đơn|văn bản|phản ánh|m2|đ/|đồng)")
        .expect("a valid pattern")
});

/// The outcomes of dossiers resolved, which a clause about those still pending never states.
const RESOLVED: [&str; 3] = [d::RESOLVED_EARLY, d::RESOLVED_ON_TIME, d::RESOLVED_OVERDUE];

/// Whether the clause is about dossiers still pending up to the match (*đang giải quyết: …,
/// quá hạn 2 hồ sơ*).
fn still_pending(clause: &str, c: &Captures) -> bool {
    let before = clause[..c.get(0).map_or(0, |m| m.start())].to_lowercase();
    ["đang giải quyết", "đang xử lý", "chưa giải quyết"].iter().any(|w| before.contains(w))
}

/// Words just before a statement that turn it around.
const NEGATIONS: [&str; 3] = ["chưa", "không", "đang"];

pub struct Figures {
    pub values: BTreeMap<String, serde_json::Value>,
    pub evidence: Vec<Evidence>,
    pub unread: Vec<String>,
}

/// Reads the figures a report states in `text` (one line, whitespace collapsed).
pub fn read(text: &str) -> Figures {
    let clauses = clauses(text);
    // Indicator → every (value, clause) read, in the order of the rules.
    let mut readings: Vec<(&str, Vec<(serde_json::Value, usize)>)> = Vec::new();
    for (ci, clause) in clauses.iter().enumerate() {
        for (code, read, regex) in RULES.iter() {
            for c in regex.captures_iter(clause) {
                if c.name("x").is_some()
                    || (*read == Read::Yes && negated(clause, &c))
                    || (RESOLVED.contains(code) && still_pending(clause, &c))
                {
                    continue;
                }
                if let Some(value) = value_of(*read, &c) {
                    push(&mut readings, code, value, ci);
                }
                if let Some(total) = c.name("d").and_then(|m| read_number(m.as_str(), true)) {
                    push(&mut readings, ONLINE_OF, whole(total), ci);
                }
            }
        }
    }
    let mut unread_clauses: Vec<usize> = Vec::new();
    let mut known: Vec<(&str, serde_json::Value, Vec<usize>)> = Vec::new();
    for (code, found) in readings {
        let first = found[0].0.clone();
        let mut at: Vec<usize> = found.iter().map(|(_, ci)| *ci).collect();
        at.dedup();
        if found.iter().all(|(v, _)| *v == first) {
            known.push((code, first, at));
        } else {
            // Two values for one figure: neither is trusted.
            unread_clauses.extend(at);
        }
    }
    implied(&mut known);
    let mut values = BTreeMap::new();
    let mut evidence = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    for (code, value, at) in known {
        used.extend(&at);
        if code.starts_with('_') {
            continue;
        }
        values.insert(code.to_owned(), value);
        evidence.extend(at.iter().map(|ci| Evidence { indicator: code.to_owned(), text: clauses[*ci].clone() }));
    }
    unread_clauses.extend((0..clauses.len()).filter(|ci| !used.contains(ci) && FIGURE.is_match(&clauses[*ci])));
    unread_clauses.sort_unstable();
    unread_clauses.dedup();
    let unread = unread_clauses.into_iter().filter(|ci| !used.contains(ci)).map(|ci| clauses[ci].clone()).collect();
    Figures { values, evidence, unread }
}

fn push<'a>(
    readings: &mut Vec<(&'a str, Vec<(serde_json::Value, usize)>)>,
    code: &'a str,
    v: serde_json::Value,
    ci: usize,
) {
    match readings.iter_mut().find(|(c, _)| *c == code) {
        Some((_, found)) => found.push((v, ci)),
        None => readings.push((code, vec![(v, ci)])),
    }
}

fn value_of(read: Read, c: &Captures) -> Option<serde_json::Value> {
    let n = c.name("n").map(|m| m.as_str());
    match read {
        Read::Count => n.and_then(|n| read_number(n, true)).map(whole),
        Read::Number => n.and_then(|n| read_number(n, false)).map(number),
        Read::CountOrOne => match n {
            Some(n) => read_number(n, true).map(whole),
            None => Some(serde_json::json!(1)),
        },
        Read::Yes => Some(serde_json::Value::Bool(true)),
        Read::No => Some(serde_json::Value::Bool(false)),
        Read::Zero => Some(serde_json::json!(0)),
    }
}

/// Whether the words just before a statement deny it (*chưa xây dựng kế hoạch*).
fn negated(clause: &str, c: &Captures) -> bool {
    let start = c.get(0).map_or(0, |m| m.start());
    let before: String = clause[..start].chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
    let before = before.to_lowercase();
    NEGATIONS.iter().any(|w| before.split_whitespace().next_back() == Some(w) || before.ends_with(&format!("{w} đã ")))
}

fn whole(x: f64) -> serde_json::Value {
    serde_json::json!(x.round() as i64)
}

/// A share or amount: written whole where it is (99, not 99.0), as the form is.
fn number(x: f64) -> serde_json::Value {
    if x.fract() == 0.0 && x.abs() < 1e15 { whole(x) } else { serde_json::json!(x) }
}

/// Figures the text implies without stating them, only where nothing else is possible.
fn implied(known: &mut Vec<(&str, serde_json::Value, Vec<usize>)>) {
    let get = |known: &[(&str, serde_json::Value, Vec<usize>)], code: &str| {
        known.iter().find(|(c, _, _)| *c == code).and_then(|(_, v, at)| v.as_f64().map(|v| (v, at.clone())))
    };
    let has = |known: &[(&str, serde_json::Value, Vec<usize>)], code: &str| known.iter().any(|(c, _, _)| *c == code);
    let carried = get(known, d::CARRIED_OVER).map(|(v, _)| v);
    // *trực tuyến 168/168*: every dossier received this month was online, none direct; with
    // nothing carried over, the rest of the total was direct.
    if !has(known, d::RECEIVED_DIRECT)
        && let (Some((online, _)), Some((of, at))) = (get(known, d::RECEIVED_ONLINE), get(known, ONLINE_OF))
        && (of == online || (of > online && carried == Some(0.0)))
    {
        known.push((d::RECEIVED_DIRECT, whole(of - online), at));
    }
    // *09 người … 100% đạt chuẩn*: all of them.
    if !has(known, "civil_servants_meeting_standard")
        && let (Some((all, _)), Some((rate, at))) = (get(known, "civil_servants"), get(known, STANDARD_RATE))
        && (rate == 100.0 || rate == 0.0)
    {
        known.push(("civil_servants_meeting_standard", whole(all * rate / 100.0), at));
    }
    // Every dossier of the total accounted for by the other outcomes: none pending overdue.
    let parts = [d::RESOLVED_EARLY, d::RESOLVED_ON_TIME, d::RESOLVED_OVERDUE, d::PENDING_WITHIN];
    let sum: Option<f64> = parts.iter().map(|p| get(known, p).map(|(v, _)| v)).sum();
    if !has(known, d::PENDING_OVERDUE)
        && carried == Some(0.0)
        && let (Some(sum), Some((total, at))) = (sum, get(known, RECEIVED_TOTAL))
        && sum == total
    {
        known.push((d::PENDING_OVERDUE, whole(0.0), at));
    }
}

/// The clauses of a report: split at semicolons, at full stops before a capital, and at
/// dashes that open a list item; each trimmed of its closing punctuation.
fn clauses(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        let boundary = c == ';'
            || (c == '.' && next == Some(' ') && after.is_some_and(|a| a.is_uppercase() || a == '-'))
            || (c == '-' && i > 0 && chars[i - 1] == ' ' && next == Some(' '));
        if boundary {
            finish(&mut out, &mut current);
        } else {
            current.push(c);
        }
    }
    finish(&mut out, &mut current);
    out
}

fn finish(out: &mut Vec<String>, current: &mut String) {
    let clause = current.trim().trim_end_matches(['.', ',', ':', ' ']).trim();
    if !clause.is_empty() {
        out.push(clause.to_owned());
    }
    current.clear();
}
