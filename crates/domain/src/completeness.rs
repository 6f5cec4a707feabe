//! Completeness and timeliness: which expected reports arrived, which arrived by the due date,
//! and who is missing. Timeliness never refuses a write; it is only measured.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

use crate::calendar::Calendar;
use crate::period::{Month, Period};
use crate::ranking::Standing;
use crate::report::ReportStatus;
use crate::units::UnitCode;

/// A report as completeness and timeliness see it.
#[derive(Debug, Clone)]
pub struct Filing {
    pub unit: UnitCode,
    pub month: Month,
    pub status: ReportStatus,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingReport {
    pub unit_code: UnitCode,
    pub unit_name: String,
    pub period: String,
    /// `missing` when nothing was filed; `draft` or `returned` when something was, but it does not count.
    pub status: Standing,
    pub due_date: NaiveDate,
}

/// A counted report first submitted after its due date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LateReport {
    pub unit_code: UnitCode,
    pub unit_name: String,
    pub period: String,
    pub due_date: NaiveDate,
    /// When it was first submitted, in Vietnam time.
    pub submitted_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completeness {
    /// Commune-months expected: each commune existing in each month of the period.
    pub expected: usize,
    /// Counted reports (submitted, approved or locked).
    pub reported: usize,
    /// Counted reports first submitted by the due date (Vietnam time).
    pub on_time: usize,
    pub late: usize,
    pub missing_count: usize,
    /// reported / expected, in percent (two decimals); null when nothing is expected.
    pub completeness_rate: Option<f64>,
    /// on_time / expected, in percent (two decimals).
    pub timeliness_rate: Option<f64>,
    pub missing: Vec<MissingReport>,
    /// Who reported late, in display order.
    pub late_reports: Vec<LateReport>,
}

/// `expected` lists (commune, name, month) in display order.
pub fn completeness(calendar: &Calendar, expected: &[(UnitCode, String, Month)], filings: &[Filing]) -> Completeness {
    let by_key: HashMap<(&UnitCode, Month), &Filing> = filings.iter().map(|f| ((&f.unit, f.month), f)).collect();
    let (mut reported, mut on_time) = (0, 0);
    let (mut missing, mut late_reports) = (Vec::new(), Vec::new());
    for (unit, name, month) in expected {
        let due = calendar.due_date(&Period::Month(*month));
        match by_key.get(&(unit, *month)) {
            Some(f) if f.status.counts() => {
                reported += 1;
                if f.submitted_at.is_some_and(|t| calendar.is_on_time(&Period::Month(*month), t)) {
                    on_time += 1;
                } else {
                    late_reports.push(LateReport {
                        unit_code: unit.clone(),
                        unit_name: name.clone(),
                        period: month.to_string(),
                        due_date: due,
                        submitted_at: f.submitted_at.map(crate::period::to_vietnam_time),
                    });
                }
            }
            other => missing.push(MissingReport {
                unit_code: unit.clone(),
                unit_name: name.clone(),
                period: month.to_string(),
                status: Standing::of_report(other.map(|f| f.status)),
                due_date: due,
            }),
        }
    }
    let rate =
        |n: usize| (!expected.is_empty()).then(|| crate::derived::round2(100.0 * n as f64 / expected.len() as f64));
    Completeness {
        expected: expected.len(),
        reported,
        on_time,
        late: reported - on_time,
        missing_count: missing.len(),
        completeness_rate: rate(reported),
        timeliness_rate: rate(on_time),
        missing,
        late_reports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::code;
    use chrono::TimeZone;

    #[test]
    fn counts_on_time_late_drafts_and_missing() {
        let cal = Calendar::default(); // June 2024 is due on Monday 17 June (the 16th is a Sunday)
        let june: Month = "2024-06".parse().unwrap();
        let expected: Vec<_> =
            ["07273", "07279", "07294", "07312"].iter().map(|c| (code(c), format!("Xã {c}"), june)).collect();
        let at = |d: u32, h: u32| Some(Utc.with_ymd_and_hms(2024, 6, d, h, 0, 0).unwrap());
        let filings = vec![
            Filing { unit: code("07273"), month: june, status: ReportStatus::Submitted, submitted_at: at(17, 16) }, // 23:00 on the 17th in Vietnam
            Filing { unit: code("07279"), month: june, status: ReportStatus::Approved, submitted_at: at(17, 17) }, // 00:00 on the 18th
            Filing { unit: code("07294"), month: june, status: ReportStatus::Draft, submitted_at: None },
        ];
        let c = completeness(&cal, &expected, &filings);
        assert_eq!((c.expected, c.reported, c.on_time, c.late, c.missing_count), (4, 2, 1, 1, 2));
        assert_eq!(c.completeness_rate, Some(50.0));
        assert_eq!(c.timeliness_rate, Some(25.0));
        let missing: Vec<_> = c.missing.iter().map(|m| (m.unit_code.as_str(), m.status.as_str())).collect();
        assert_eq!(missing, vec![("07294", "draft"), ("07312", "missing")]);
        assert_eq!(c.missing[0].due_date, NaiveDate::from_ymd_opt(2024, 6, 17).unwrap());
        // The one late report is named, with when it came.
        let late: Vec<_> = c.late_reports.iter().map(|l| (l.unit_code.as_str(), l.submitted_at)).collect();
        assert_eq!(late, vec![("07279", at(17, 17).map(crate::period::to_vietnam_time))]);
    }

    #[test]
    fn nothing_expected_has_no_rates() {
        let c = completeness(&Calendar::default(), &[], &[]);
        assert_eq!((c.expected, c.completeness_rate), (0, None));
    }
}
