//! Reporting periods. A monthly report is named `YYYY-MM`; quarters (`2024Q2`), halves
//! (`2024S1`), the first nine months of a year (`2022M9`, *9 tháng đầu năm 2022*) and years
//! (`2024`) roll months up. All dates are Vietnam time (UTC+7, no DST).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

pub fn to_vietnam_time(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&vietnam_offset())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "`{0}` is not a period: use YYYY-MM for a month, YYYYQn for a quarter, YYYYSn for a half-year, YYYYM9 for the first nine months or YYYY for a year"
    )]
    Malformed(String),
    #[error("month {0} is after the current month {1}: a report cannot be filed for the future")]
    InFuture(Month, Month),
    #[error("`{0}` is not a month: this needs a monthly period such as 2024-06")]
    NotAMonth(Period),
}

/// One calendar month. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Month { year, month })
    }

    pub fn of_date(d: NaiveDate) -> Month {
        Month { year: d.year(), month: d.month() }
    }

    /// The current month in Vietnam.
    pub fn current(now: DateTime<Utc>) -> Month {
        Month::of_date(to_vietnam_time(now).date_naive())
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// Months since year 0: a dense index for arithmetic.
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    pub fn from_index(i: i64) -> Month {
        Month { year: i.div_euclid(12) as i32, month: (i.rem_euclid(12) + 1) as u32 }
    }

    pub fn plus(self, months: i64) -> Month {
        Month::from_index(self.index() + months)
    }

    pub fn previous(self) -> Month {
        self.plus(-1)
    }

    pub fn next(self) -> Month {
        self.plus(1)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }

    /// The given day of this month, clamped to its last day (a due day of 31 in February is the 28th/29th).
    pub fn day(self, day: u32) -> NaiveDate {
        let last = self.last_day().day();
        NaiveDate::from_ymd_opt(self.year, self.month, day.clamp(1, last)).expect("clamped day")
    }

    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    pub fn half(self) -> u32 {
        (self.month - 1) / 6 + 1
    }

    /// Refuses a month after `current`.
    pub fn ensure_not_after(self, current: Month) -> Result<Month, PeriodError> {
        if self > current { Err(PeriodError::InFuture(self, current)) } else { Ok(self) }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Period::parse(s)? {
            Period::Month(m) => Ok(m),
            other => Err(PeriodError::NotAMonth(other)),
        }
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A reporting period of any length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month(Month),
    Quarter {
        year: i32,
        quarter: u32,
    },
    Half {
        year: i32,
        half: u32,
    },
    /// January to September: communes report "9 tháng đầu năm".
    NineMonths(i32),
    Year(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    NineMonths,
    Year,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError::Malformed(s.to_owned());
        let b = s.as_bytes();
        if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let year: i32 = s[..4].parse().map_err(|_| bad())?;
        if year < 1900 {
            return Err(bad());
        }
        let rest = &s[4..];
        let digit = |r: &str| -> Option<u32> {
            (r.len() == 1 && r.as_bytes()[0].is_ascii_digit()).then(|| (r.as_bytes()[0] - b'0') as u32)
        };
        match rest.as_bytes() {
            [] => Ok(Period::Year(year)),
            [b'-', m1, m2] if m1.is_ascii_digit() && m2.is_ascii_digit() => {
                let month = ((m1 - b'0') * 10 + (m2 - b'0')) as u32;
                Month::new(year, month).map(Period::Month).ok_or_else(bad)
            }
            [b'Q', ..] => match digit(&rest[1..]) {
                Some(q @ 1..=4) => Ok(Period::Quarter { year, quarter: q }),
                _ => Err(bad()),
            },
            [b'S', ..] | [b'H', ..] => match digit(&rest[1..]) {
                Some(h @ 1..=2) => Ok(Period::Half { year, half: h }),
                _ => Err(bad()),
            },
            [b'M', b'9'] => Ok(Period::NineMonths(year)),
            _ => Err(bad()),
        }
    }

    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Month(_) => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Half { .. } => PeriodKind::Half,
            Period::NineMonths(_) => PeriodKind::NineMonths,
            Period::Year(_) => PeriodKind::Year,
        }
    }

    pub fn first_month(&self) -> Month {
        match *self {
            Period::Month(m) => m,
            Period::Quarter { year, quarter } => Month { year, month: (quarter - 1) * 3 + 1 },
            Period::Half { year, half } => Month { year, month: (half - 1) * 6 + 1 },
            Period::NineMonths(year) | Period::Year(year) => Month { year, month: 1 },
        }
    }

    pub fn len_months(&self) -> i64 {
        match self {
            Period::Month(_) => 1,
            Period::Quarter { .. } => 3,
            Period::Half { .. } => 6,
            Period::NineMonths(_) => 9,
            Period::Year(_) => 12,
        }
    }

    pub fn last_month(&self) -> Month {
        self.first_month().plus(self.len_months() - 1)
    }

    pub fn months(&self) -> impl Iterator<Item = Month> + use<> {
        let first = self.first_month();
        (0..self.len_months()).map(move |i| first.plus(i))
    }

    pub fn contains(&self, m: Month) -> bool {
        m >= self.first_month() && m <= self.last_month()
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Period {
        self.shifted(-1)
    }

    /// The period `n` periods of the same kind away.
    pub fn shifted(&self, n: i64) -> Period {
        let first = self.first_month().plus(n * self.len_months());
        match self {
            Period::Month(_) => Period::Month(first),
            Period::Quarter { .. } => Period::Quarter { year: first.year, quarter: first.quarter() },
            Period::Half { .. } => Period::Half { year: first.year, half: first.half() },
            // Nine months do not tile a year: the next ones start next January.
            Period::NineMonths(year) => Period::NineMonths(year + n as i32),
            Period::Year(_) => Period::Year(first.year),
        }
    }

    pub fn as_month(&self) -> Result<Month, PeriodError> {
        match self {
            Period::Month(m) => Ok(*m),
            other => Err(PeriodError::NotAMonth(*other)),
        }
    }
}

impl From<Month> for Period {
    fn from(m: Month) -> Self {
        Period::Month(m)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Quarter { year, quarter } => write!(f, "{year:04}Q{quarter}"),
            Period::Half { year, half } => write!(f, "{year:04}S{half}"),
            Period::NineMonths(year) => write!(f, "{year:04}M9"),
            Period::Year(year) => write!(f, "{year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// When data is counted and when reports are due. Official statistics count dossiers from the
/// 15th of the previous month to the 14th of the report month; monthly reports are due on the
/// 16th of the report month and longer reports (quarters, halves, nine months, years) by the
/// 20th of their last month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingCalendar {
    /// First day of a month's data window, in the previous month (1 means calendar months).
    pub window_start_day: u32,
    /// Day of the report month on which a monthly report is due.
    pub due_day: u32,
    /// Day of the last month on which a quarterly, half-yearly or annual report is due.
    pub long_period_due_day: u32,
}

impl Default for ReportingCalendar {
    fn default() -> Self {
        ReportingCalendar { window_start_day: 15, due_day: 16, long_period_due_day: 20 }
    }
}

impl ReportingCalendar {
    /// The data window of a month, both ends inclusive.
    pub fn window(&self, m: Month) -> (NaiveDate, NaiveDate) {
        if self.window_start_day <= 1 {
            return (m.first_day(), m.last_day());
        }
        let start = m.previous().day(self.window_start_day);
        let end = m.day(self.window_start_day - 1);
        (start, end)
    }

    /// The month whose data window holds a date.
    pub fn month_of(&self, d: NaiveDate) -> Month {
        let m = Month::of_date(d);
        if self.window_start_day > 1 && d.day() >= self.window_start_day { m.next() } else { m }
    }

    /// The configured due day of the period, whatever day of the week it is; the due date is
    /// the next working day from it ([`crate::calendar::Calendar::due_date`]).
    pub fn due_day(&self, p: &Period) -> NaiveDate {
        match p {
            Period::Month(m) => m.day(self.due_day),
            other => other.last_month().day(self.long_period_due_day),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    #[test]
    fn parses_every_kind() {
        assert_eq!(Period::parse("2024-06").unwrap(), Period::Month(m(2024, 6)));
        assert_eq!(Period::parse("2024Q2").unwrap(), Period::Quarter { year: 2024, quarter: 2 });
        assert_eq!(Period::parse("2024S1").unwrap(), Period::Half { year: 2024, half: 1 });
        assert_eq!(Period::parse("2024").unwrap(), Period::Year(2024));
        assert_eq!(Period::parse("2022M9").unwrap(), Period::NineMonths(2022));
        for bad in [
            "2022M8",
            "2022M",
            "2022M10",
            "2024-13",
            "2024-00",
            "2024-6",
            "24-06",
            "2024Q5",
            "2024Q0",
            "2024S3",
            "2024-06-01",
            "",
            "abcd",
            "2024Q",
            "2024-1a",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn round_trips_display() {
        for s in ["2024-06", "2024Q2", "2024S1", "2022M9", "2024", "1999-12"] {
            assert_eq!(Period::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn months_of_a_quarter_and_a_year() {
        let q: Vec<_> = Period::parse("2024Q2").unwrap().months().map(|m| m.to_string()).collect();
        assert_eq!(q, ["2024-04", "2024-05", "2024-06"]);
        assert_eq!(Period::parse("2024").unwrap().months().count(), 12);
        assert_eq!(Period::parse("2024S2").unwrap().first_month(), m(2024, 7));
    }

    #[test]
    fn previous_period_crosses_years() {
        assert_eq!(Period::parse("2024-01").unwrap().previous().to_string(), "2023-12");
        assert_eq!(Period::parse("2024Q1").unwrap().previous().to_string(), "2023Q4");
        assert_eq!(Period::parse("2024S1").unwrap().previous().to_string(), "2023S2");
        assert_eq!(Period::parse("2024").unwrap().previous().to_string(), "2023");
        assert_eq!(Period::parse("2022M9").unwrap().previous().to_string(), "2021M9");
        assert_eq!(Period::parse("2022M9").unwrap().shifted(-4).to_string(), "2018M9");
    }

    #[test]
    fn nine_months_run_from_january_to_september_and_are_due_on_the_20th() {
        let p = Period::parse("2022M9").unwrap();
        assert_eq!(p.kind(), PeriodKind::NineMonths);
        assert_eq!((p.first_month(), p.last_month(), p.months().count()), (m(2022, 1), m(2022, 9), 9));
        assert!(p.contains(m(2022, 9)) && !p.contains(m(2022, 10)));
        let cal = ReportingCalendar::default();
        assert_eq!(cal.due_day(&p), NaiveDate::from_ymd_opt(2022, 9, 20).unwrap());
    }

    #[test]
    fn future_month_is_refused() {
        let now = Utc.with_ymd_and_hms(2024, 6, 30, 17, 30, 0).unwrap(); // 00:30 on 1 July in Vietnam
        let current = Month::current(now);
        assert_eq!(current, m(2024, 7));
        assert!(m(2024, 7).ensure_not_after(current).is_ok());
        assert_eq!(m(2024, 8).ensure_not_after(current), Err(PeriodError::InFuture(m(2024, 8), m(2024, 7))));
    }

    #[test]
    fn default_calendar_window_and_due_day() {
        let cal = ReportingCalendar::default();
        let (start, end) = cal.window(m(2024, 6));
        assert_eq!(start, NaiveDate::from_ymd_opt(2024, 5, 15).unwrap());
        assert_eq!(end, NaiveDate::from_ymd_opt(2024, 6, 14).unwrap());
        assert_eq!(cal.month_of(NaiveDate::from_ymd_opt(2024, 6, 14).unwrap()), m(2024, 6));
        assert_eq!(cal.month_of(NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()), m(2024, 7));
        assert_eq!(cal.month_of(NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()), m(2025, 1));
        assert_eq!(cal.due_day(&Period::Month(m(2024, 6))), NaiveDate::from_ymd_opt(2024, 6, 16).unwrap());
        assert_eq!(cal.due_day(&Period::parse("2024Q2").unwrap()), NaiveDate::from_ymd_opt(2024, 6, 20).unwrap());
    }

    #[test]
    fn calendar_months_when_window_starts_on_the_first() {
        let cal = ReportingCalendar { window_start_day: 1, ..Default::default() };
        assert_eq!(
            cal.window(m(2024, 2)),
            (NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert_eq!(cal.month_of(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()), m(2024, 2));
    }
}
