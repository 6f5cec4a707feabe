//! Official documents as Word files (`.docx`, written with `docx-rs`), laid out as NĐ 30/2020/
//! NĐ-CP lays out an administrative document: A4, margins top and bottom 20 mm, left 30 mm,
//! right 15 mm, Times New Roman 14 pt; the two-column header (issuing body and number on the
//! left, the national motto, place and date on the right), the title, the body, and the
//! recipients beside the signature. The words come from `cchc_domain::official_report`; this
//! module only sets them on paper. The commune's report is `commune`, the Interior Office's
//! consolidated report `consolidated`.

pub mod commune;
pub mod consolidated;
pub mod reading;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell,
    TableLayoutType, TableRow, WidthType,
};

use cchc_domain::official_report::Block;

use crate::error::{ApiResult, Problem, internal};

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Twentieths of a point per millimetre.
pub const MM: i32 = 57;
/// A4 in twentieths of a point.
pub const A4: (u32, u32) = (11906, 16838);
/// The text width of a portrait page within the margins (210 − 30 − 15 mm).
pub const TEXT_WIDTH: usize = (11906 - 45 * MM) as usize;

/// Font sizes in half-points: 14 pt for the body, 13 pt for the header, 12 and 11 pt for the
/// recipients, as NĐ 30/2020 allows.
pub const BODY: usize = 28;
pub const HEADER: usize = 26;
pub const SMALL: usize = 24;
pub const TINY: usize = 22;

/// NĐ 30/2020 margins: top and bottom 20 mm, left 30 mm, right 15 mm.
pub fn margins() -> PageMargin {
    PageMargin::new().top(20 * MM).bottom(20 * MM).left(30 * MM).right(15 * MM).header(10 * MM).footer(10 * MM)
}

/// A blank document: A4 portrait, the margins, Times New Roman 14 pt.
pub fn document() -> Docx {
    Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(margins())
        .default_fonts(fonts())
        .default_size(BODY)
        .default_tab_stop(720)
}

pub fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
        .east_asia("Times New Roman")
}

/// Text in Times New Roman at a size.
pub fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts()).size(size)
}

/// A centred line.
pub fn centred(r: Run) -> Paragraph {
    Paragraph::new().add_run(r).align(AlignmentType::Center).line_spacing(LineSpacing::new().before(0).after(0))
}

/// A paragraph of running text: justified, its first line indented 1 cm, 6 pt after.
pub fn text(t: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(t, BODY))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(10 * MM)), None, None)
        .line_spacing(LineSpacing::new().before(0).after(120).line(288))
}

/// A heading of the body: bold, indented like the text.
pub fn heading(t: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(t, BODY).bold())
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(10 * MM)), None, None)
        .line_spacing(LineSpacing::new().before(60).after(120).line(288))
        .keep_next(true)
}

pub fn block(b: &Block) -> Paragraph {
    match b {
        Block::Heading(t) => heading(t),
        Block::Paragraph(t) => text(t),
    }
}

/// An empty line.
pub fn blank(size: usize) -> Paragraph {
    Paragraph::new().size(size).line_spacing(LineSpacing::new().before(0).after(0))
}

/// A table without borders, its columns fixed at these widths (the header and the signature).
pub fn layout(columns: &[usize], cells: Vec<TableCell>) -> Table {
    let cells: Vec<TableCell> = cells.into_iter().zip(columns).map(|(c, w)| c.width(*w, WidthType::Dxa)).collect();
    Table::without_borders(vec![TableRow::new(cells)])
        .set_grid(columns.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(columns.iter().sum(), WidthType::Dxa)
        .indent(0)
}

pub fn cell(paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs.into_iter().fold(TableCell::new(), TableCell::add_paragraph)
}

/// The two-column header of NĐ 30/2020: the issuing body on the left (each line bold or not;
/// the last underlined) over the document number; the national name and motto and the place
/// and date on the right.
pub fn national_header(issuer: &[(&str, bool)], number: &str, dated: &str) -> Table {
    let mut left = Vec::new();
    for (i, (line, bold)) in issuer.iter().enumerate() {
        let mut r = run(line, HEADER);
        if *bold {
            r = r.bold();
        }
        if i + 1 == issuer.len() {
            r = r.underline("single");
        }
        left.push(centred(r));
    }
    left.push(blank(HEADER));
    left.push(centred(run(number, HEADER)));
    let right = vec![
        centred(run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SMALL).bold()),
        centred(run("Độc lập - Tự do - Hạnh phúc", HEADER).bold().underline("single")),
        blank(HEADER),
        centred(run(dated, BODY).italic()),
    ];
    // The national name on one line at 12 pt needs about 100 mm of the 165 mm.
    let left_width = TEXT_WIDTH * 37 / 100;
    layout(&[left_width, TEXT_WIDTH - left_width], vec![cell(left), cell(right)])
}

/// The title: "BÁO CÁO" and what it is about, centred and bold, with space around.
pub fn title(lines: &[String; 2]) -> Vec<Paragraph> {
    vec![
        blank(BODY),
        centred(run(&lines[0], BODY).bold()).line_spacing(LineSpacing::new().before(240).after(0)),
        centred(run(&lines[1], BODY).bold()).line_spacing(LineSpacing::new().before(0).after(360)),
    ]
}

/// *Nơi nhận* on the left, the signature on the right: the capacity lines, space to sign, the name.
pub fn closing(recipients: &[String], capacity: &[&str], name: Option<&str>) -> Table {
    let mut left = vec![
        Paragraph::new().add_run(run("Nơi nhận:", SMALL).bold().italic()).line_spacing(LineSpacing::new().after(0)),
    ];
    left.extend(
        recipients
            .iter()
            .map(|r| Paragraph::new().add_run(run(r, TINY)).line_spacing(LineSpacing::new().before(0).after(0))),
    );
    let mut right: Vec<Paragraph> = capacity.iter().map(|c| centred(run(c, BODY).bold())).collect();
    right.extend((0..4).map(|_| blank(BODY)));
    right.push(centred(run(name.unwrap_or(""), BODY).bold()));
    let left_width = TEXT_WIDTH / 2;
    layout(&[left_width, TEXT_WIDTH - left_width], vec![cell(left), cell(right)])
}

/// A list item paragraph without indentation (recipients, the annex's notes).
pub fn plain(t: &str, size: usize) -> Paragraph {
    Paragraph::new().add_run(run(t, size)).line_spacing(LineSpacing::new().before(0).after(0))
}

/// The document's bytes.
pub fn pack(doc: Docx) -> ApiResult<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(internal)?;
    Ok(out.into_inner())
}

/// The Word file as a download named `name.docx`.
pub fn respond(name: &str, bytes: Vec<u8>) -> HttpResponse {
    let file = name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
    HttpResponse::Ok()
        .content_type(DOCX)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}.docx\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

/// Which of `offered` (the first is the default) the `Accept` header prefers: the highest
/// q-value, ties to the one the header lists first; `*/*` and `type/*` stand for the first
/// offered type that fits. No `Accept` (or an empty one) takes the default; an `Accept` that
/// names nothing offered is `406`.
pub fn preferred<'a>(req: &HttpRequest, offered: &[&'a str]) -> ApiResult<&'a str> {
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").trim();
    if accept.is_empty() {
        return Ok(offered[0]);
    }
    let mut best: Option<(f32, &str)> = None;
    for part in accept.split(',') {
        let mut params = part.split(';');
        let range = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = params
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let fits = |t: &&&str| match range.strip_suffix("/*") {
            Some("*") => true,
            Some(kind) => t.split('/').next() == Some(kind),
            None => range == **t || (range == "application/problem+json" && **t == "application/json"),
        };
        if let Some(t) = offered.iter().find(fits)
            && q > 0.0
            && best.is_none_or(|(b, _)| q > b)
        {
            best = Some((q, t));
        }
    }
    best.map(|(_, t)| t).ok_or_else(|| {
        Problem::NotAcceptable
            .error(format!("this resource is offered as {}; Accept names none of them", offered.join(", ")))
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    const OFFERED: [&str; 2] = ["application/json", DOCX];

    fn with(accept: &str) -> ApiResult<&'static str> {
        preferred(&TestRequest::default().insert_header((header::ACCEPT, accept)).to_http_request(), &OFFERED)
    }

    #[test]
    fn accept_chooses_among_what_is_offered() {
        assert_eq!(preferred(&TestRequest::default().to_http_request(), &OFFERED).unwrap(), "application/json");
        assert_eq!(with(DOCX).unwrap(), DOCX);
        assert_eq!(with("*/*").unwrap(), "application/json");
        assert_eq!(with("application/*").unwrap(), "application/json");
        assert_eq!(with(&format!("application/json;q=0.5, {DOCX}")).unwrap(), DOCX);
        assert_eq!(with(&format!("{DOCX};q=0, */*;q=0.1")).unwrap(), "application/json");
        assert_eq!(with("application/pdf, text/html").unwrap_err().problem, Problem::NotAcceptable);
        assert_eq!(with("application/pdf;q=1, application/json;q=0.2").unwrap(), "application/json");
    }

    #[test]
    fn the_page_is_a4_with_the_margins_of_nd_30() {
        let m = margins();
        // 20 mm ≈ 1134, 30 mm ≈ 1701, 15 mm ≈ 850 twentieths of a point (within a few).
        assert_eq!((m.top, m.bottom, m.left, m.right), (1140, 1140, 1710, 855));
        assert_eq!(A4, (11906, 16838));
    }
}
