//! How a push's body becomes records: a JSON array read whole (bounded), or NDJSON cut into
//! lines as it streams in by a length-limited line codec. Each record keeps its 0-based index
//! in the body, which conflicts name; blank lines are not records.

use actix_web::web::BytesMut;
use tokio_util::codec::{Decoder, LinesCodec, LinesCodecError};

/// A JSON array is read whole; larger batches go as NDJSON.
pub const MAX_JSON_ARRAY: usize = 32 * 1024 * 1024;
/// One NDJSON line.
pub const MAX_LINE: usize = 1024 * 1024;

/// One thing the body holds at an index.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Record(usize, serde_json::Value),
    /// A line that is not a JSON document, or a line that is too long, with why.
    Unreadable(usize, String),
}

/// NDJSON, fed chunk by chunk.
pub struct Lines {
    codec: LinesCodec,
    buffer: BytesMut,
    index: usize,
}

impl Default for Lines {
    fn default() -> Self {
        Lines { codec: LinesCodec::new_with_max_length(MAX_LINE), buffer: BytesMut::new(), index: 0 }
    }
}

impl Lines {
    /// Takes the next chunk of the body.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
    }

    /// The next complete line's frame, if the chunks so far hold one; at the end of the body
    /// (`last`), the unterminated last line too.
    pub fn next_frame(&mut self, last: bool) -> Option<Frame> {
        loop {
            let decoded =
                if last { self.codec.decode_eof(&mut self.buffer) } else { self.codec.decode(&mut self.buffer) };
            let line = match decoded {
                Ok(None) => return None,
                Ok(Some(line)) if line.bytes().all(|b| b.is_ascii_whitespace()) => continue,
                Ok(Some(line)) => Ok(line),
                Err(LinesCodecError::MaxLineLengthExceeded) => Err(format!("a line is longer than {MAX_LINE} bytes")),
                Err(LinesCodecError::Io(_)) => Err("a line is not UTF-8 text".to_owned()),
            };
            let index = self.index;
            self.index += 1;
            return Some(
                match line.and_then(|l| serde_json::from_str(&l).map_err(|e| format!("not valid JSON: {e}"))) {
                    Ok(value) => Frame::Record(index, value),
                    Err(reason) => Frame::Unreadable(index, reason),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(body: &[&[u8]]) -> Vec<Frame> {
        let mut lines = Lines::default();
        let mut out = Vec::new();
        for chunk in body {
            lines.push(chunk);
            while let Some(f) = lines.next_frame(false) {
                out.push(f);
            }
        }
        while let Some(f) = lines.next_frame(true) {
            out.push(f);
        }
        out
    }

    #[test]
    fn lines_across_chunks_blank_lines_and_crlf() {
        let f = frames(&[b"{\"a\":", b"1}\r\n\n  \n[2]\n{x", b"\n{\"b\": 3}"]);
        assert_eq!(f[0], Frame::Record(0, serde_json::json!({"a": 1})));
        assert_eq!(f[1], Frame::Record(1, serde_json::json!([2])));
        assert!(matches!(&f[2], Frame::Unreadable(2, r) if r.starts_with("not valid JSON: ")), "{f:?}");
        assert_eq!(f[3], Frame::Record(3, serde_json::json!({"b": 3})));
        assert_eq!(f.len(), 4);
    }

    #[test]
    fn a_line_too_long_is_one_conflict_and_the_next_line_still_reads() {
        let long = vec![b'x'; MAX_LINE + 10];
        let f = frames(&[&long[..MAX_LINE / 2], &long[MAX_LINE / 2..], b"\n[1]\n", b"\xff\xfe\n"]);
        assert_eq!(f[0], Frame::Unreadable(0, format!("a line is longer than {MAX_LINE} bytes")));
        assert_eq!(f[1], Frame::Record(1, serde_json::json!([1])));
        assert_eq!(f[2], Frame::Unreadable(2, "a line is not UTF-8 text".into()));
        assert_eq!(f.len(), 3);
    }
}
