//! The text of a document sent in: UTF-8 text as it is, a Word file (`.docx`) paragraph by
//! paragraph, one line each (table cells too, in reading order). Anything else — a PDF, an
//! image, an old binary `.doc`, text in another encoding — is refused with 415: the caller
//! converts it first (see the README).

use docx_rs::{DocumentChild, ParagraphChild, RunChild, TableCellContent, TableChild, TableRowChild};

use super::DOCX;
use crate::error::{ApiResult, Problem};

/// The largest document taken: a monthly report is a few hundred kilobytes even with images.
pub const MAX_DOCUMENT: usize = 10 * 1024 * 1024;

/// What a document's bytes are, whatever the request calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    OldWord,
    Other(&'static str),
    Text,
}

fn sniff(body: &[u8]) -> Kind {
    match body {
        [b'P', b'K', 3, 4, ..] => Kind::Zip,
        [0xD0, 0xCF, 0x11, 0xE0, ..] => Kind::OldWord,
        [b'%', b'P', b'D', b'F', ..] => Kind::Other("a PDF"),
        [0x89, b'P', b'N', b'G', ..] => Kind::Other("a PNG image"),
        [0xFF, 0xD8, 0xFF, ..] => Kind::Other("a JPEG image"),
        [b'{', b'\\', b'r', b't', b'f', ..] => Kind::Other("an RTF document"),
        _ => Kind::Text,
    }
}

/// The text of `body`, sent as `content_type` (its media type and charset).
pub fn text_of(content_type: &str, body: &[u8]) -> ApiResult<String> {
    let mut parts = content_type.split(';').map(|p| p.trim().to_ascii_lowercase());
    let media = parts.next().unwrap_or_default();
    let charset = parts.find_map(|p| p.strip_prefix("charset=").map(|c| c.trim_matches('"').to_owned()));
    if body.is_empty() {
        return Err(Problem::BadRequest.error("the body is empty: send the report as text or as a Word file"));
    }
    let declared_ok = matches!(media.as_str(), "text/plain" | DOCX | "application/octet-stream" | "");
    match sniff(body) {
        Kind::Zip if declared_ok => docx_text(body),
        Kind::OldWord if declared_ok => Err(unreadable(
            "an old binary Word file (.doc): convert it to .docx first (soffice --headless --convert-to docx FILE.doc)",
        )),
        Kind::Text if declared_ok && media != DOCX => plain_text(body, charset.as_deref()),
        Kind::Other(what) => Err(unreadable(&format!("{what}, not a report"))),
        _ => Err(unreadable(&format!("a body sent as `{media}` that is not one"))),
    }
}

fn unreadable(what: &str) -> crate::error::AppError {
    Problem::UnreadableDocument
        .error(format!("the document is {what}; send UTF-8 text (text/plain; charset=utf-8) or a Word file ({DOCX})"))
}

fn plain_text(body: &[u8], charset: Option<&str>) -> ApiResult<String> {
    if charset.is_some_and(|c| c != "utf-8" && c != "utf8") {
        return Err(unreadable("text in another encoding than UTF-8"));
    }
    let text = std::str::from_utf8(body).map_err(|_| unreadable("not UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Text holds no control characters but line breaks and tabs; binary data does.
    if cchc_domain::text::check_lines("document", text).is_err() {
        return Err(unreadable("binary data, not text"));
    }
    Ok(text.to_owned())
}

fn docx_text(body: &[u8]) -> ApiResult<String> {
    // A malformed archive is the sender's fault, whatever the reader does with it.
    let docx = std::panic::catch_unwind(|| docx_rs::read_docx(body))
        .map_err(|_| unreadable("a zip archive the Word reader cannot read"))?
        .map_err(|e| unreadable("a zip archive but no Word document").with_cause(e))?;
    let mut lines = Vec::new();
    for child in &docx.document.children {
        match child {
            DocumentChild::Paragraph(p) => lines.push(paragraph_text(&p.children)),
            DocumentChild::Table(t) => table_text(t, &mut lines),
            _ => {}
        }
    }
    let text = lines.join("\n");
    if cchc_domain::text::check_lines("document", &text).is_err() {
        return Err(unreadable("a Word file whose text holds control characters"));
    }
    Ok(text)
}

fn table_text(table: &docx_rs::Table, lines: &mut Vec<String>) {
    for TableChild::TableRow(row) in &table.rows {
        for TableRowChild::TableCell(cell) in &row.cells {
            for content in &cell.children {
                match content {
                    TableCellContent::Paragraph(p) => lines.push(paragraph_text(&p.children)),
                    TableCellContent::Table(t) => table_text(t, lines),
                    _ => {}
                }
            }
        }
    }
}

fn paragraph_text(children: &[ParagraphChild]) -> String {
    let mut out = String::new();
    for child in children {
        match child {
            ParagraphChild::Run(run) => run_text(run, &mut out),
            ParagraphChild::Hyperlink(link) => out.push_str(&paragraph_text(&link.children)),
            ParagraphChild::Insert(insert) => {
                for c in &insert.children {
                    if let docx_rs::InsertChild::Run(run) = c {
                        run_text(run, &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn run_text(run: &docx_rs::Run, out: &mut String) {
    for child in &run.children {
        match child {
            RunChild::Text(t) => out.push_str(&t.text),
            RunChild::Tab(_) => out.push('\t'),
            // A soft line break inside a paragraph is a line of the text, as in the seed.
            RunChild::Break(_) => out.push('\n'),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx_of(lines: &[&str]) -> Vec<u8> {
        let mut doc = docx_rs::Docx::new();
        for line in lines {
            doc = doc.add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(*line)));
        }
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut out).expect("a document packs");
        out.into_inner()
    }

    #[test]
    fn text_and_word_give_the_same_lines() {
        let word = docx_of(&["I. CÔNG TÁC CHỈ ĐẠO", "UBND xã Đông Sơn"]);
        assert_eq!(text_of(DOCX, &word).unwrap(), "I. CÔNG TÁC CHỈ ĐẠO\nUBND xã Đông Sơn");
        assert_eq!(text_of("application/octet-stream", &word).unwrap(), "I. CÔNG TÁC CHỈ ĐẠO\nUBND xã Đông Sơn");
        assert_eq!(text_of("text/plain; charset=utf-8", "\u{feff}dòng một\r\n".as_bytes()).unwrap(), "dòng một\r\n");
    }

    #[test]
    fn what_is_neither_text_nor_word_is_refused() {
        let kind = |ct: &str, body: &[u8]| text_of(ct, body).unwrap_err().problem;
        assert_eq!(kind("application/pdf", b"%PDF-1.7\n"), Problem::UnreadableDocument);
        assert_eq!(kind("text/plain", b"%PDF-1.7\n"), Problem::UnreadableDocument);
        assert_eq!(kind("image/png", b"\x89PNG\r\n\x1a\n"), Problem::UnreadableDocument);
        assert_eq!(kind("application/msword", b"\xD0\xCF\x11\xE0\xA1\xB1"), Problem::UnreadableDocument);
        assert_eq!(kind("text/plain", b"\xff\xfe\x00a"), Problem::UnreadableDocument);
        assert_eq!(kind("text/plain; charset=windows-1258", b"abc"), Problem::UnreadableDocument);
        assert_eq!(kind(DOCX, b"PK\x03\x04garbage"), Problem::UnreadableDocument);
        assert_eq!(kind(DOCX, b"plain words"), Problem::UnreadableDocument);
        assert_eq!(kind("text/plain", b""), Problem::BadRequest);
    }
}
