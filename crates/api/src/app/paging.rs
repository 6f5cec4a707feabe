//! Cursor paging, the same for every list: read one item past the limit, and if it is there,
//! the last item kept names where the next page starts. Cursors are opaque to clients.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiResult, Problem};

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;

/// A list's limit: 1–1000, 100 when not given.
pub fn limit(asked: Option<usize>) -> ApiResult<usize> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(Problem::InvalidPaging.error(format!("limit must be between 1 and {MAX_LIMIT}, not {n}"))),
    }
}

/// At most `limit` of `items` (read with one more), and the cursor of the next page if more remain.
pub fn page<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    if items.len() <= limit {
        return (items, None);
    }
    items.truncate(limit);
    let next = items.last().map(|last| encode_cursor(&key(last)));
    (items, next)
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{key}"))
}

pub fn decode_cursor(cursor: &str) -> ApiResult<String> {
    let bad = || Problem::InvalidPaging.error("the cursor is not one this server issued; start again without it");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    // A forged cursor must not carry a control character into a query.
    cchc_domain::text::check_line("cursor", &text).map_err(|_| bad())?;
    text.strip_prefix("v1:").map(str::to_owned).ok_or_else(bad)
}

/// A cursor that names a number (an id, a revision).
pub fn decode_number<T: std::str::FromStr>(cursor: &str) -> ApiResult<T> {
    decode_cursor(cursor)?
        .parse()
        .map_err(|_| Problem::InvalidPaging.error("the cursor is not one this server issued; start again without it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor("07273")).unwrap(), "07273");
        assert!(decode_cursor("not-a-cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("v2:x")).is_err());
        assert_eq!(decode_number::<i64>(&encode_cursor("42")).unwrap(), 42);
        assert!(decode_number::<i64>(&encode_cursor("x")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 100);
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
    }

    #[test]
    fn a_page_keeps_the_limit_and_names_the_next() {
        let (items, next) = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(items, [1, 2]);
        assert_eq!(next.as_deref().map(decode_cursor).transpose().unwrap().as_deref(), Some("2"));
        assert_eq!(page(vec![1, 2], 2, |n| n.to_string()), (vec![1, 2], None));
    }
}
