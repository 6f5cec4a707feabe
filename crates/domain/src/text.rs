//! Text as people type it, the one rule for every text that enters: no control characters
//! (U+0000–U+001F and U+007F). They cannot be typed, break headers and terminals, and one
//! database refuses what the other stores. Multi-line text — a narrative section, a reason, an
//! imported document — may hold TAB, LF and CR.

/// A control character where text may not hold one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` holds a control character (U+{code:04X}) at character {at}")]
pub struct ControlCharacter {
    pub field: String,
    pub code: u32,
    /// Its position, counted in characters from 1.
    pub at: usize,
}

fn check(field: &str, s: &str, allowed: &[char]) -> Result<(), ControlCharacter> {
    match s.chars().enumerate().find(|(_, c)| (*c < ' ' || *c == '\u{7f}') && !allowed.contains(c)) {
        None => Ok(()),
        Some((i, c)) => Err(ControlCharacter { field: field.to_owned(), code: c as u32, at: i + 1 }),
    }
}

/// One line of text: a name, a code, a filter.
pub fn check_line(field: &str, s: &str) -> Result<(), ControlCharacter> {
    check(field, s, &[])
}

/// Text of several lines: TAB, LF and CR allowed.
pub fn check_lines(field: &str, s: &str) -> Result<(), ControlCharacter> {
    check(field, s, &['\t', '\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_where_they_cannot_be_typed() {
        assert_eq!(check_line("username", "dongson"), Ok(()));
        assert_eq!(check_line("name", "Xã Đông Sơn"), Ok(()));
        assert_eq!(
            check_line("username", "dongson\u{0}"),
            Err(ControlCharacter { field: "username".into(), code: 0, at: 8 })
        );
        assert_eq!(
            check_line("name", "a\u{7f}").unwrap_err().to_string(),
            "`name` holds a control character (U+007F) at character 2"
        );
        for c in ['\t', '\n', '\r', '\u{1}', '\u{1f}'] {
            assert!(check_line("x", &format!("a{c}b")).is_err(), "{c:?}");
        }
        assert_eq!(check_lines("reason", "dòng một\r\n\tdòng hai"), Ok(()));
        assert!(check_lines("reason", "a\u{0}b").is_err());
        assert!(check_lines("reason", "a\u{1b}[31mb").is_err(), "an escape sequence");
        assert_eq!(check_line("x", "\u{80}\u{a0}"), Ok(()), "C1 and no-break space are not in the rule");
    }
}
