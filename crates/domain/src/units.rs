//! Administrative units and their official codes (Quyết định 124/2004/QĐ-TTg and its successors):
//! a province has 2 digits, a district 3, a commune-level unit (xã, phường, thị trấn, đặc khu) 5.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    Province,
    District,
    Commune,
}

impl UnitLevel {
    pub fn code_len(self) -> usize {
        match self {
            UnitLevel::Province => 2,
            UnitLevel::District => 3,
            UnitLevel::Commune => 5,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
        }
    }

    /// Depth in the tree: a province is above a district, a district above a commune.
    pub fn depth(self) -> u8 {
        match self {
            UnitLevel::Province => 0,
            UnitLevel::District => 1,
            UnitLevel::Commune => 2,
        }
    }

    /// Every kind of unit the level has held: the commune level had *thị trấn* until the 2025
    /// reform and has had *đặc khu* since.
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitLevel::Province => "tỉnh/thành phố",
            UnitLevel::District => "huyện/quận/thị xã",
            UnitLevel::Commune => "xã/phường/thị trấn/đặc khu",
        }
    }

    /// The kinds of unit the level holds in `month`: from July 2025 (Nghị quyết 202/2025/QH15)
    /// the commune level is *xã, phường, đặc khu*, without *thị trấn*; before it, *xã, phường,
    /// thị trấn*.
    pub fn label_vi_in(self, month: crate::Month) -> &'static str {
        let reformed = (month.year(), month.month()) >= (2025, 7);
        match (self, reformed) {
            (UnitLevel::Commune, false) => "xã/phường/thị trấn",
            (UnitLevel::Commune, true) => "xã/phường/đặc khu",
            (level, _) => level.label_vi(),
        }
    }
}

impl FromStr for UnitLevel {
    type Err = UnitCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "province" => Ok(UnitLevel::Province),
            "district" => Ok(UnitLevel::District),
            "commune" => Ok(UnitLevel::Commune),
            other => Err(UnitCodeError::UnknownLevel(other.to_owned())),
        }
    }
}

impl fmt::Display for UnitLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("unit code `{0}` must contain digits only")]
    NotDigits(String),
    #[error("unit code `{0}` must have 2 (province), 3 (district) or 5 (commune) digits")]
    BadLength(String),
    #[error("unit code `{code}` has {len} digits, but a {level} code has {expected}")]
    WrongLevel { code: String, len: usize, level: UnitLevel, expected: usize },
    #[error("unknown unit level `{0}` (expected province, district or commune)")]
    UnknownLevel(String),
}

/// An official unit code. The level follows from the length, so a code is never ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(s: &str) -> Result<Self, UnitCodeError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UnitCodeError::NotDigits(s.to_owned()));
        }
        match s.len() {
            2 | 3 | 5 => Ok(UnitCode(s.to_owned())),
            _ => Err(UnitCodeError::BadLength(s.to_owned())),
        }
    }

    /// Parses a code that must be of the given level.
    pub fn parse_at(s: &str, level: UnitLevel) -> Result<Self, UnitCodeError> {
        let code = Self::parse(s)?;
        if code.level() != level {
            return Err(UnitCodeError::WrongLevel {
                code: s.to_owned(),
                len: s.len(),
                level,
                expected: level.code_len(),
            });
        }
        Ok(code)
    }

    pub fn level(&self) -> UnitLevel {
        match self.0.len() {
            2 => UnitLevel::Province,
            3 => UnitLevel::District,
            _ => UnitLevel::Commune,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromStr for UnitCode {
    type Err = UnitCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UnitCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for UnitCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UnitCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        UnitCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for UnitCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^([0-9]{2}|[0-9]{3}|[0-9]{5})$"))
            .description(Some("Official unit code: 2 digits for a province, 3 for a district, 5 for a commune"))
            .examples(["07273"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for UnitCode {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitNameError {
    #[error("a unit's name must be between 1 and {max} characters", max = UnitName::MAX_CHARS)]
    Length,
    #[error(transparent)]
    Text(#[from] crate::text::ControlCharacter),
}

/// A unit's name as it may be stored: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitName(String);

impl UnitName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(s: &str) -> Result<UnitName, UnitNameError> {
        let name = s.trim();
        crate::text::check_line("name", name)?;
        if name.is_empty() || name.chars().count() > Self::MAX_CHARS {
            return Err(UnitNameError::Length);
        }
        Ok(UnitName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commune_level_is_named_by_the_period() {
        let m = |s: &str| s.parse::<crate::Month>().unwrap();
        // The demo's thị trấn (Bố Hạ, Phồn Xương, …) are commune-level units before the 2025 reform.
        assert_eq!(UnitLevel::Commune.label_vi(), "xã/phường/thị trấn/đặc khu");
        assert_eq!(UnitLevel::Commune.label_vi_in(m("2024-06")), "xã/phường/thị trấn");
        assert_eq!(UnitLevel::Commune.label_vi_in(m("2025-06")), "xã/phường/thị trấn");
        assert_eq!(UnitLevel::Commune.label_vi_in(m("2025-07")), "xã/phường/đặc khu");
        assert_eq!(UnitLevel::District.label_vi_in(m("2025-07")), "huyện/quận/thị xã");
    }

    #[test]
    fn level_follows_length() {
        assert_eq!(UnitCode::parse("24").unwrap().level(), UnitLevel::Province);
        assert_eq!(UnitCode::parse("215").unwrap().level(), UnitLevel::District);
        assert_eq!(UnitCode::parse("07273").unwrap().level(), UnitLevel::Commune);
    }

    #[test]
    fn rejects_bad_codes() {
        assert_eq!(UnitCode::parse("7273"), Err(UnitCodeError::BadLength("7273".into())));
        assert_eq!(UnitCode::parse("0727a"), Err(UnitCodeError::NotDigits("0727a".into())));
        assert_eq!(UnitCode::parse(""), Err(UnitCodeError::NotDigits("".into())));
        assert_eq!(UnitCode::parse("٠٧٢٧٣").unwrap_err(), UnitCodeError::NotDigits("٠٧٢٧٣".into()));
        assert_eq!(
            UnitCode::parse_at("215", UnitLevel::Commune).unwrap_err().to_string(),
            "unit code `215` has 3 digits, but a commune code has 5"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(UnitName::parse("  Xã Đông Sơn ").unwrap().as_str(), "Xã Đông Sơn");
        assert_eq!(UnitName::parse("   "), Err(UnitNameError::Length));
        assert!(UnitName::parse(&"ư".repeat(200)).is_ok(), "characters, not bytes");
        assert_eq!(UnitName::parse(&"a".repeat(201)), Err(UnitNameError::Length));
        assert_eq!(UnitNameError::Length.to_string(), "a unit's name must be between 1 and 200 characters");
    }

    #[test]
    fn keeps_leading_zeros() {
        let code = UnitCode::parse("07273").unwrap();
        assert_eq!(code.as_str(), "07273");
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"07273\"");
    }
}
