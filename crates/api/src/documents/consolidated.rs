//! The Interior Office's consolidated report on its communes as a Word file: the office's
//! header, the totals as sentences, completeness and timeliness naming who is late and who is
//! missing, the ranking with its bands, the communes with the most overdue dossiers, and the
//! consolidated table as an annex on landscape pages so that no column is cut.

use std::collections::BTreeMap;

use docx_rs::{
    AlignmentType, LineSpacing, PageMargin, PageOrientationType, Paragraph, Section, Table, TableCell, TableLayoutType,
    TableRow, VAlignType, WidthType,
};

use cchc_domain::official_report::consolidated::{self as words, Overdue};
use cchc_domain::official_report::{dated, percent, thousands};
use cchc_domain::{UnitLevel, Value, Values};

use super::{
    A4, BODY, MM, TEXT_WIDTH, blank, closing, document, heading, margins, national_header, pack, run, text, title,
};
use crate::app::official_documents::ConsolidatedDocument;
use crate::error::ApiResult;

/// The annex's font: 10 pt.
const ANNEX: usize = 20;
/// How many communes the overdue paragraph names.
const MOST_OVERDUE: usize = 5;

fn figure(values: &Values, code: &str) -> Option<i64> {
    match values.get(code)? {
        Value::Count(n) => Some(*n),
        Value::Number(x) => Some(x.round() as i64),
        Value::Flag(_) => None,
    }
}

pub fn docx(d: &ConsolidatedDocument) -> ApiResult<Vec<u8>> {
    let v = &d.table;
    let period = cchc_domain::Period::parse(&v.period).map_err(crate::error::internal)?;
    let [committee, office, short, head] = words::office(v.level, &v.unit_name);
    let issuer = [(committee.as_str(), false), (office.as_str(), true)];
    let number = format!("Số: …/BC-{short}");
    let mut body = Section::new().page_size(docx_rs::PageSize::new().size(A4.0, A4.1)).page_margin(margins());
    body = body.add_table(national_header(&issuer, &number, &dated(words::place(&v.unit_name), d.dated)));
    for p in title(&words::title(period)) {
        body = body.add_paragraph(p);
    }
    body = body.add_paragraph(text(&words::opening(&v.unit_name, period, v.communes)));
    body = body.add_paragraph(heading("1. Tiếp nhận, giải quyết hồ sơ thủ tục hành chính"));
    for s in words::totals(&v.totals) {
        body = body.add_paragraph(text(&s));
    }
    let overdue: Vec<Overdue> = v
        .items
        .iter()
        .map(|r| Overdue {
            unit_name: r.unit_name.clone(),
            resolved_overdue: figure(&r.values, "dossiers_resolved_overdue").unwrap_or(0),
            pending_overdue: figure(&r.values, "dossiers_pending_overdue").unwrap_or(0),
        })
        .collect();
    body = body.add_paragraph(text(&words::overdue(&words::most_overdue(overdue, MOST_OVERDUE))));
    body = body.add_paragraph(heading("2. Tình hình gửi báo cáo"));
    let c = &d.completeness;
    for s in words::completeness(&c.completeness, period, c.due_date) {
        body = body.add_paragraph(text(&s));
    }
    body = body.add_paragraph(heading("3. Kết quả xếp hạng"));
    body = body.add_paragraph(text(&words::bands(&band_counts(d), unranked(d))));
    if d.table.items.iter().any(|r| r.rank.is_some()) {
        body = body.add_table(ranking(d));
    }
    body = body.add_paragraph(blank(BODY));
    body = body.add_paragraph(text("Chi tiết số liệu của từng đơn vị tại Phụ lục kèm theo./."));
    body = body.add_paragraph(blank(BODY));
    let level = if v.level == UnitLevel::Province { UnitLevel::Province } else { UnitLevel::District };
    let recipients = words::recipients(level, &v.unit_name, d.province.as_deref());
    body = body.add_table(closing(&recipients, &[head.as_str()], d.signatory.as_deref()));
    let mut doc = document().add_section(body);
    // The annex: landscape A4, narrower margins, the table across the page.
    doc = doc
        .page_size(A4.1, A4.0)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(PageMargin::new().top(20 * MM).bottom(20 * MM).left(20 * MM).right(15 * MM))
        .add_paragraph(
            Paragraph::new()
                .add_run(run("PHỤ LỤC", BODY).bold())
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(0)),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&words::annex_title(period), BODY).bold())
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(0)),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&words::annex_note(v.level, &v.unit_name), SMALL_ITALIC).italic())
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(160)),
        )
        .add_table(annex(d));
    pack(doc)
}

const SMALL_ITALIC: usize = 24;

fn band_label(d: &ConsolidatedDocument, band: &str) -> String {
    d.table.band_names.get(band).cloned().unwrap_or_else(|| band.to_owned())
}

/// Communes per band, the best band first (by the best score in it).
fn band_counts(d: &ConsolidatedDocument) -> Vec<(String, usize)> {
    let mut bands: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for r in &d.table.items {
        if let (Some(b), Some(s)) = (&r.band, r.score) {
            let e = bands.entry(b.clone()).or_insert((0, f64::MIN));
            e.0 += 1;
            e.1 = e.1.max(s);
        }
    }
    let mut out: Vec<(String, usize, f64)> = bands.into_iter().map(|(b, (n, s))| (band_label(d, &b), n, s)).collect();
    out.sort_by(|a, b| b.2.total_cmp(&a.2));
    out.into_iter().map(|(b, n, _)| (b, n)).collect()
}

fn unranked(d: &ConsolidatedDocument) -> usize {
    d.table.items.iter().filter(|r| r.rank.is_none()).count()
}

fn cell(t: &str, width: usize, size: usize, bold: bool, align: AlignmentType) -> TableCell {
    let mut r = run(t, size);
    if bold {
        r = r.bold();
    }
    TableCell::new()
        .add_paragraph(Paragraph::new().add_run(r).align(align).line_spacing(LineSpacing::new().before(20).after(20)))
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
}

fn grid(columns: &[usize], rows: Vec<TableRow>) -> Table {
    Table::new(rows)
        .set_grid(columns.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(columns.iter().sum(), WidthType::Dxa)
}

/// The ranked communes: rank, name, score, band.
fn ranking(d: &ConsolidatedDocument) -> Table {
    const SIZE: usize = 24;
    let columns = [900, TEXT_WIDTH - 900 - 1500 - 2200, 1500, 2200];
    let header = ["Hạng", "Đơn vị", "Điểm", "Xếp loại"];
    let mut rows = vec![TableRow::new(
        header.iter().zip(columns).map(|(h, w)| cell(h, w, SIZE, true, AlignmentType::Center)).collect(),
    )];
    let mut ranked: Vec<_> = d.table.items.iter().filter(|r| r.rank.is_some()).collect();
    ranked.sort_by_key(|r| r.rank);
    for r in ranked {
        let band = r.band.as_deref().map(|b| band_label(d, b)).unwrap_or_default();
        let cells = [
            (r.rank.map(|n| n.to_string()).unwrap_or_default(), AlignmentType::Center),
            (r.unit_name.clone(), AlignmentType::Left),
            (r.score.map(percent).unwrap_or_default(), AlignmentType::Right),
            (band, AlignmentType::Center),
        ];
        rows.push(TableRow::new(
            cells.into_iter().zip(columns).map(|((t, a), w)| cell(&t, w, SIZE, false, a)).collect(),
        ));
    }
    grid(&columns, rows)
}

/// The annex's columns: header and width (twentieths of a point; 262 mm in all).
const ANNEX_COLUMNS: &[(&str, usize)] = &[
    ("STT", 580),
    ("Đơn vị", 2000),
    ("Kỳ trước chuyển qua", 820),
    ("Tiếp nhận trực tuyến", 820),
    ("Tiếp nhận trực tiếp", 820),
    ("Tổng số tiếp nhận", 860),
    ("Trả trước hạn", 820),
    ("Trả đúng hạn", 820),
    ("Trả quá hạn", 780),
    ("Đang giải quyết trong hạn", 900),
    ("Đang giải quyết quá hạn", 900),
    ("Tỷ lệ đúng và trước hạn (%)", 900),
    ("Tỷ lệ trực tuyến (%)", 860),
    ("Tháng đã báo cáo / đúng hạn", 900),
    ("Tình trạng", 1100),
    ("Điểm", 760),
    ("Xếp loại", 1000),
];

const PARTS: [&str; 3] = ["dossiers_carried_over", "dossiers_received_online", "dossiers_received_direct"];
const OUTCOMES: [&str; 5] = [
    "dossiers_resolved_early",
    "dossiers_resolved_on_time",
    "dossiers_resolved_overdue",
    "dossiers_pending_within_deadline",
    "dossiers_pending_overdue",
];

fn figures(get: impl Fn(&str) -> Option<i64>) -> Vec<String> {
    let show = |n: Option<i64>| n.map(thousands).unwrap_or_default();
    let parts: Vec<Option<i64>> = PARTS.iter().map(|c| get(c)).collect();
    let total = parts.iter().copied().sum::<Option<i64>>();
    let mut out: Vec<String> = parts.into_iter().map(show).collect();
    out.push(show(total));
    out.extend(OUTCOMES.iter().map(|c| show(get(c))));
    out
}

/// One row per commune and the totals row (the unit's aggregates).
fn annex(d: &ConsolidatedDocument) -> Table {
    let widths: Vec<usize> = ANNEX_COLUMNS.iter().map(|(_, w)| *w).collect();
    let mut rows = vec![
        TableRow::new(ANNEX_COLUMNS.iter().map(|(h, w)| cell(h, *w, ANNEX, true, AlignmentType::Center)).collect())
            .cant_split(),
    ];
    let rate = |x: Option<f64>| x.map(percent).unwrap_or_default();
    for (i, r) in d.table.items.iter().enumerate() {
        let mut cells = vec![(i + 1).to_string(), r.unit_name.clone()];
        cells.extend(figures(|c| figure(&r.values, c)));
        cells.push(rate(r.derived.get("resolved_on_time_rate").copied().flatten()));
        cells.push(rate(r.derived.get("online_rate").copied().flatten()));
        cells.push(format!("{}/{} · {}", r.months_reported, d.table.months_expected, r.months_on_time));
        cells.push(r.standing.label_vi().to_owned());
        cells.push(r.score.map(percent).unwrap_or_default());
        cells.push(r.band.as_deref().map(|b| band_label(d, b)).unwrap_or_default());
        rows.push(annex_row(&cells, &widths, false));
    }
    let t = &d.table.totals;
    let total = |c: &str| {
        t.indicators.get(c).and_then(|a| a.value.as_i64().or_else(|| a.value.as_f64().map(|x| x.round() as i64)))
    };
    let mut cells = vec![String::new(), "Tổng cộng".to_owned()];
    cells.extend(figures(total));
    cells.push(rate(t.derived.get("resolved_on_time_rate")));
    cells.push(rate(t.derived.get("online_rate")));
    let reported: usize = d.table.items.iter().map(|r| r.months_reported).sum();
    let on_time: usize = d.table.items.iter().map(|r| r.months_on_time).sum();
    cells.push(format!("{reported}/{} · {on_time}", d.table.months_expected * d.table.items.len()));
    cells.extend([String::new(), String::new(), String::new()]);
    rows.push(annex_row(&cells, &widths, true));
    grid(&widths, rows)
}

fn annex_row(cells: &[String], widths: &[usize], bold: bool) -> TableRow {
    TableRow::new(
        cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (t, w))| {
                let align = match i {
                    1 => AlignmentType::Left,
                    0 | 13 | 14 | 16 => AlignmentType::Center,
                    _ => AlignmentType::Right,
                };
                cell(t, *w, ANNEX, bold, align)
            })
            .collect(),
    )
    .cant_split()
}

/// The file's base name: `bao-cao-tong-hop-215-2024-06`.
pub fn file_name(d: &ConsolidatedDocument) -> String {
    format!("bao-cao-tong-hop-{}-{}", d.table.unit_code, d.table.period)
}
