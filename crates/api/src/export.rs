//! Tables for spreadsheet people: CSV (UTF-8 with a byte-order mark, so that Excel shows
//! Vietnamese correctly) and XLSX, chosen by `?format=` or the `Accept` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, Problem, internal};

pub const CSV: &str = "text/csv; charset=utf-8";
/// CSV's media type without parameters, as an `Accept` header names it.
pub const CSV_TYPE: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
    Xlsx,
}

/// `?format=` of a resource that is also a table.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default), `csv` or `xlsx` (a table holds every row, unpaged); or ask with the
    /// `Accept` header.
    pub format: Option<ExportFormat>,
}

/// The file a download's path names by its extension: `….csv` or `….xlsx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl From<FileFormat> for ExportFormat {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Csv => ExportFormat::Csv,
            FileFormat::Xlsx => ExportFormat::Xlsx,
        }
    }
}

/// `?format=` wins; otherwise the most preferred of JSON, CSV and XLSX by the `Accept` header's
/// q-values (ties go to the one listed first); otherwise JSON.
pub fn negotiate(req: &HttpRequest, query: &FormatQuery) -> ExportFormat {
    if let Some(f) = query.format {
        return f;
    }
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut best: Option<(f32, ExportFormat)> = None;
    for part in accept.split(',') {
        let mut params = part.split(';');
        let kind = match params.next().unwrap_or("").trim() {
            "text/csv" => ExportFormat::Csv,
            XLSX => ExportFormat::Xlsx,
            "application/json" => ExportFormat::Json,
            _ => continue,
        };
        let q = params
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, kind));
        }
    }
    best.map(|(_, f)| f).unwrap_or(ExportFormat::Json)
}

pub enum Cell {
    Text(String),
    Number(f64),
    Int(i64),
    Empty,
}

impl Cell {
    /// About how many characters the cell shows.
    fn display_width(&self) -> usize {
        match self {
            Cell::Text(s) => s.chars().count(),
            Cell::Number(x) => format!("{x:.2}").len(),
            Cell::Int(n) => n.to_string().len() + n.to_string().len() / 3,
            Cell::Empty => 0,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Self {
        x.map(Cell::Number).unwrap_or(Cell::Empty)
    }
}

impl From<Option<i64>> for Cell {
    fn from(x: Option<i64>) -> Self {
        x.map(Cell::Int).unwrap_or(Cell::Empty)
    }
}

/// A titled table.
pub struct Table {
    /// The sheet name and the file's base name.
    pub name: String,
    /// The spreadsheet's title row: what the table is, for which unit and period.
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a leading tab or
/// carriage return) is written with a leading apostrophe, OWASP's rule against CSV injection:
/// a province's own band label or a unit name must not run in a district officer's Excel.
fn neutralised(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

fn csv_bytes(t: &Table) -> ApiResult<Vec<u8>> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&t.headers).map_err(internal)?;
        for row in &t.rows {
            let fields: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => neutralised(s),
                    Cell::Number(x) => format!("{x}"),
                    Cell::Int(n) => n.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect();
            w.write_record(&fields).map_err(internal)?;
        }
        w.flush().map_err(internal)?;
    }
    Ok(out)
}

/// The sheet an officer opens and prints: a title row (what, which unit and period, when it
/// was taken), bold headers with a filter, codes as text, figures with two decimals (counts as
/// whole numbers), landscape A4 fitted to one page wide with the header row on every page.
fn xlsx_bytes(t: &Table) -> ApiResult<Vec<u8>> {
    const HEADER_ROW: u32 = 2;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Sheet names are at most 31 characters and cannot hold some punctuation.
    let name: String = t.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    sheet.set_name(&name).map_err(internal)?;
    let bold = Format::new().set_bold().set_text_wrap().set_border(FormatBorder::Thin);
    for (c, h) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &bold).map_err(internal)?;
    }
    let decimals = Format::new().set_num_format("0.00");
    let whole = Format::new().set_num_format("#,##0");
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + HEADER_ROW + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                Cell::Number(x) => sheet.write_number_with_format(r, c, *x, &decimals).map(|_| ()),
                Cell::Int(n) => sheet.write_number_with_format(r, c, *n as f64, &whole).map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .map_err(internal)?;
        }
    }
    let last_row = HEADER_ROW + t.rows.len() as u32;
    let last_col = t.headers.len().saturating_sub(1) as u16;
    sheet.autofilter(HEADER_ROW, 0, last_row, last_col).map_err(internal)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0).map_err(internal)?;
    // Columns as wide as their figures (headers wrap onto more lines instead), so that a wide
    // table such as the consolidated one stays readable on paper.
    let mut header_lines = 1usize;
    for (c, h) in t.headers.iter().enumerate() {
        let data = t.rows.iter().filter_map(|r| r.get(c)).map(Cell::display_width).max().unwrap_or(0);
        let longest_word = h.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
        let width = data.max(longest_word).clamp(6, 40);
        header_lines = header_lines.max(h.chars().count().div_ceil(width));
        sheet.set_column_width(c as u16, width as f64 + 2.0).map_err(internal)?;
    }
    // Words wrap whole, so a header takes a few more lines than its length says.
    sheet.set_row_height(HEADER_ROW, 15.0 * (header_lines + header_lines / 3).min(10) as f64).map_err(internal)?;
    let taken = cchc_domain::period::to_vietnam_time(chrono::Utc::now()).format("%d/%m/%Y %H:%M");
    sheet.write_string_with_format(0, 0, &t.title, &Format::new().set_bold().set_font_size(13)).map_err(internal)?;
    sheet.write_string(1, 0, format!("Số liệu lấy lúc {taken} (giờ Việt Nam)")).map_err(internal)?;
    // Landscape, one page wide, the header row on every page; A3 once a table is wide.
    let paper = if t.headers.len() > 16 { 8 } else { 9 };
    sheet.set_landscape().set_paper_size(paper).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW).map_err(internal)?;
    book.save_to_buffer().map_err(internal)
}

/// The most rows a downloaded table holds (a list is exported whole, not by page).
pub const MAX_ROWS: usize = 200_000;

/// `view` as JSON, or as the table `table` makes of it in the chosen format.
pub fn reply<T: serde::Serialize>(
    format: ExportFormat,
    view: T,
    table: impl FnOnce(&T) -> Table,
) -> ApiResult<HttpResponse> {
    match format {
        ExportFormat::Json => Ok(HttpResponse::Ok().json(view)),
        f => respond(f, &table(&view)),
    }
}

/// The table as a download in the chosen format (JSON is the caller's own business).
pub fn respond(format: ExportFormat, table: &Table) -> ApiResult<HttpResponse> {
    let file = table.name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
    let (body, ct, ext) = match format {
        ExportFormat::Csv => (csv_bytes(table)?, CSV, "csv"),
        ExportFormat::Xlsx => (xlsx_bytes(table)?, XLSX, "xlsx"),
        ExportFormat::Json => return Err(Problem::BadRequest.error("JSON is not an export format")),
    };
    Ok(HttpResponse::Ok()
        .content_type(ct)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}.{ext}\"")))
        .body(body))
}

#[cfg(test)]
mod csv_injection {
    use super::neutralised;

    #[test]
    fn cells_that_would_be_formulas_are_neutralised() {
        assert_eq!(neutralised("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        for s in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralised(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(neutralised("Xã Đông Sơn"), "Xã Đông Sơn");
        assert_eq!(neutralised("07273"), "07273");
    }
}
