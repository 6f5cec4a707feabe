//! What a clerk types into the report form, read as a form the validator understands.
//!
//! Clerks type numbers the Vietnamese way (`1.234` for a thousand two hundred and thirty-four,
//! `99,4` for ninety-nine point four) or the English way (`1,234`, `99.4`); both are read. An
//! empty field is "not reported", never zero. A field that cannot be read as a number is passed
//! on as the text typed, so that validation names it (`wrong_type`) beside its field and the
//! clerk sees what they typed, not a silent blank.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, IndicatorKind};
use crate::report::{NarrativeSection, RawForm};

/// Reads a typed number. `integral` says whether the indicator holds whole numbers, which
/// settles the one ambiguous case: a single separator followed by exactly three digits
/// (`1.234`, `1,234`) is a thousands separator for counts and amounts, a decimal point for
/// rates and areas. `None` when the text is not a number in either notation.
pub fn read_number(typed: &str, integral: bool) -> Option<f64> {
    let text: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    let text = text.strip_suffix('%').unwrap_or(&text);
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '-') {
        return None;
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.contains('-') {
        return None;
    }
    let dots = digits.matches('.').count();
    let commas = digits.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => None,
        // Both kinds: the last one written is the decimal separator.
        (_, _) if dots > 0 && commas > 0 => {
            let last = digits.rfind(['.', ',']).and_then(|i| digits[i..].chars().next());
            let sep = last?;
            if digits.matches(sep).count() > 1 {
                return None;
            }
            Some(sep)
        }
        // One kind, several times: thousands separators.
        (n, 0) | (0, n) if n > 1 => None,
        _ => {
            let sep = if dots == 1 { '.' } else { ',' };
            let after = digits.len() - digits.find(sep)? - 1;
            if integral && after == 3 { None } else { Some(sep) }
        }
    };
    let (whole, fraction) = match decimal {
        Some(sep) => {
            let i = digits.rfind(sep)?;
            (&digits[..i], Some(&digits[i + 1..]))
        }
        None => (digits, None),
    };
    let whole = grouped_digits(whole)?;
    let number = match fraction {
        Some(f) if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) => return None,
        Some(f) => format!("{whole}.{f}"),
        None => whole,
    };
    let value: f64 = number.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// The integer part without its thousands separators, which must group by three.
fn grouped_digits(whole: &str) -> Option<String> {
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    let well_grouped = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit())));
    let digits: String = groups.concat();
    (well_grouped && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// Reads a yes/no field: `true`/`false` as the form sends them, and the words a clerk would
/// type.
pub fn read_yes_no(typed: &str) -> Option<bool> {
    match typed.trim().to_lowercase().as_str() {
        "true" | "có" | "co" | "yes" | "1" => Some(true),
        "false" | "không" | "khong" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The form as typed, by field name: indicator codes for figures, `narrative.<section>` for
/// the report's text. Unknown fields are ignored (the form's own hidden fields travel beside
/// them); empty figures and empty sections are not reported.
pub fn read_typed_form<'a>(catalog: &Catalog, fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> RawForm {
    let mut values = BTreeMap::new();
    let mut narrative = BTreeMap::new();
    for (name, typed) in fields {
        if let Some(key) = name.strip_prefix("narrative.") {
            if NarrativeSection::from_key(key).is_some() && !typed.trim().is_empty() {
                // Browsers send line breaks as CR LF; the report keeps what the clerk sees.
                narrative.insert(key.to_owned(), serde_json::Value::String(typed.replace("\r\n", "\n")));
            }
            continue;
        }
        let Some(indicator) = catalog.get(name) else { continue };
        if typed.trim().is_empty() {
            continue;
        }
        let read = match indicator.kind {
            IndicatorKind::YesNo => read_yes_no(typed).map(serde_json::Value::Bool),
            kind => read_number(typed, kind.is_integral()).and_then(|n| json_number(n, kind.is_integral())),
        };
        values.insert(name.to_owned(), read.unwrap_or_else(|| serde_json::Value::String(typed.trim().to_owned())));
    }
    RawForm { values, narrative }
}

fn json_number(n: f64, integral: bool) -> Option<serde_json::Value> {
    if integral && n.fract() == 0.0 && n.abs() < 9.0e15 {
        Some(serde_json::Value::from(n as i64))
    } else {
        serde_json::Number::from_f64(n).map(serde_json::Value::Number)
    }
}

/// A value as the form shows it again: the Vietnamese notation for numbers (`1.234`, `99,4`),
/// `true`/`false` for yes/no.
pub fn typed_value(value: &crate::report::Value) -> String {
    match value {
        crate::report::Value::Flag(b) => b.to_string(),
        crate::report::Value::Count(n) => vietnamese_number(*n as f64),
        crate::report::Value::Number(n) => vietnamese_number(*n),
    }
}

/// `1234` → `1.234`, `99.4` → `99,4`.
pub fn vietnamese_number(n: f64) -> String {
    let text = if n.fract() == 0.0 { format!("{n:.0}") } else { format!("{n}") };
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", text),
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_owned(), Some(f.to_owned())),
        None => (text, None),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Value;

    #[test]
    fn numbers_in_either_notation() {
        assert_eq!(read_number("168", true), Some(168.0));
        assert_eq!(read_number(" 1.234 ", true), Some(1234.0));
        assert_eq!(read_number("1,234", true), Some(1234.0));
        assert_eq!(read_number("1 234 567", true), Some(1_234_567.0));
        assert_eq!(read_number("1.234.567", true), Some(1_234_567.0));
        assert_eq!(read_number("1,234,567", true), Some(1_234_567.0));
        assert_eq!(read_number("1.234.567,5", false), Some(1_234_567.5));
        assert_eq!(read_number("1,234,567.5", false), Some(1_234_567.5));
        assert_eq!(read_number("99,40", false), Some(99.4));
        assert_eq!(read_number("99.4", false), Some(99.4));
        assert_eq!(read_number("78,57%", false), Some(78.57));
        // A rate with three decimals is a rate, not a thousand.
        assert_eq!(read_number("1.234", false), Some(1.234));
        // A count with a decimal part stays one, for validation to refuse as not whole.
        assert_eq!(read_number("1,5", true), Some(1.5));
        assert_eq!(read_number("-3", true), Some(-3.0));
    }

    #[test]
    fn what_is_not_a_number() {
        for typed in ["", "abc", "12a", "1..2", "1.2.3,4,5", "1,23,456", "--1", "1-2", ",5", "5,", "1.2345.678"] {
            assert_eq!(read_number(typed, true), None, "{typed:?}");
        }
    }

    #[test]
    fn the_form_as_typed() {
        let catalog = Catalog::builtin();
        let raw = read_typed_form(
            &catalog,
            [
                ("dossiers_received_online", "132"),
                ("dossiers_received_direct", ""),
                ("one_stop_allowance_vnd", "1.500.000"),
                ("edocs_outgoing_rate", "99,5"),
                ("iso_9001_applied", "true"),
                ("par_plan_issued", "false"),
                ("computers", "mười"),
                ("csrf", "x"),
                ("narrative.results", "Dòng 1\r\nDòng 2"),
                ("narrative.causes", "  "),
                ("narrative.nonsense", "kept out"),
            ],
        );
        assert_eq!(raw.values.len(), 6);
        assert_eq!(raw.values["dossiers_received_online"], serde_json::json!(132));
        assert_eq!(raw.values["one_stop_allowance_vnd"], serde_json::json!(1_500_000));
        assert_eq!(raw.values["edocs_outgoing_rate"], serde_json::json!(99.5));
        assert_eq!(raw.values["iso_9001_applied"], serde_json::json!(true));
        assert_eq!(raw.values["par_plan_issued"], serde_json::json!(false));
        assert_eq!(raw.values["computers"], serde_json::json!("mười"));
        assert_eq!(raw.narrative.len(), 1);
        assert_eq!(raw.narrative["results"], serde_json::json!("Dòng 1\nDòng 2"));
    }

    #[test]
    fn values_shown_again_in_vietnamese_notation() {
        assert_eq!(typed_value(&Value::Count(1_500_000)), "1.500.000");
        assert_eq!(typed_value(&Value::Number(99.4)), "99,4");
        assert_eq!(typed_value(&Value::Count(168)), "168");
        assert_eq!(typed_value(&Value::Flag(false)), "false");
        assert_eq!(read_number(&vietnamese_number(1_234_567.25), false), Some(1_234_567.25));
    }
}
