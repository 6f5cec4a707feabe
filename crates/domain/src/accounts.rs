//! Stored users' names and passwords, parsed once where they enter: by the API, the dashboard
//! and the command line alike.

use std::fmt;

use crate::text::{ControlCharacter, check_line};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("a username is 1–{max} letters, digits and . _ - @", max = Username::MAX_LEN)]
    Username,
    #[error("the password must have at least {min} characters", min = Password::MIN_CHARS)]
    Password,
    #[error(transparent)]
    Text(#[from] ControlCharacter),
}

/// A username: compared case-insensitively, so kept in lower case; 1–64 ASCII letters, digits
/// and `. _ - @`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Username, AccountError> {
        let name = Self::normalize(s);
        let valid = !name.is_empty()
            && name.len() <= Self::MAX_LEN
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
        if valid { Ok(Username(name)) } else { Err(AccountError::Username) }
    }

    /// What a typed name is looked up as: trimmed and lower-cased. Sign-in looks up whatever was
    /// typed; only a name that parses can have been stored.
    pub fn normalize(s: &str) -> String {
        s.trim().to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: at least 8 characters. Never displayed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;

    pub fn parse(s: String) -> Result<Password, AccountError> {
        check_line("password", &s)?;
        if s.chars().count() < Self::MIN_CHARS {
            return Err(AccountError::Password);
        }
        Ok(Password(s))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(Username::parse("  DongSon ").unwrap().as_str(), "dongson");
        assert_eq!(Username::parse("ubnd.xa-07273_a@bg").unwrap().as_str(), "ubnd.xa-07273_a@bg");
        for bad in ["", "   ", "dong son", "đông", "a/b", &"a".repeat(65)] {
            assert_eq!(Username::parse(bad), Err(AccountError::Username), "{bad:?}");
        }
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert_eq!(Username::normalize(" Đông Sơn "), "đông sơn");
    }

    #[test]
    fn passwords_have_eight_characters() {
        assert_eq!(Password::parse("1234567".into()), Err(AccountError::Password));
        assert!(Password::parse("mật khẩu".into()).is_ok(), "eight characters, more bytes");
        assert_eq!(format!("{:?}", Password::parse("secret-secret".into()).unwrap()), "Password(…)");
        assert_eq!(AccountError::Password.to_string(), "the password must have at least 8 characters");
    }
}
