//! Working days. Public offices work Monday to Friday, except on the days off the State
//! publishes (public holidays, the days given in lieu of one that falls on a weekend, and the
//! days swapped off) and including the weekend days it publishes as make-up working days. A
//! report due on a day off is due on the next working day, and processing time that the law
//! counts in working days (NĐ 61/2018/NĐ-CP, NĐ 107/2021/NĐ-CP) is counted by the same
//! calendar. The published days are data (the `calendar_days` table), kept by an admin.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::period::{Month, Period, ReportingCalendar, to_vietnam_time};

/// How a published day differs from the Monday–Friday week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Offices are closed: a holiday, a day in lieu, a day swapped off.
    DayOff,
    /// Offices are open although it is a weekend day: a make-up day for a swap.
    WorkingDay,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::DayOff => "day_off",
            DayKind::WorkingDay => "working_day",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DayKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "day_off" => Ok(DayKind::DayOff),
            "working_day" => Ok(DayKind::WorkingDay),
            other => Err(format!("`{other}` is not a kind of day: use day_off or working_day")),
        }
    }
}

/// One published day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarDay {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date, example = "2024-04-29"))]
    pub date: NaiveDate,
    pub kind: DayKind,
    /// What the day is, as published: "Giỗ Tổ Hùng Vương", "Nghỉ bù", "Làm bù cho ngày 29/4".
    pub name: String,
}

/// The longest name a published day may have.
pub const MAX_NAME_CHARS: usize = 200;

/// Why a day cannot be published as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDayError {
    #[error(transparent)]
    Text(#[from] crate::text::ControlCharacter),
    #[error("a day's name has at most {MAX_NAME_CHARS} characters")]
    TooLong,
    /// A day off on a Saturday or Sunday changes nothing: offices are closed anyway.
    #[error("{0} is a {1}: offices do not work on it anyway; a day off is published on a weekday")]
    DayOffOnWeekend(NaiveDate, Weekday),
    /// A make-up working day is a weekend day worked; a weekday is worked anyway.
    #[error("{0} is a {1}: offices work on it anyway; a make-up working day is a Saturday or Sunday")]
    WorkingDayOnWeekday(NaiveDate, Weekday),
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl CalendarDay {
    /// A day to publish: a day off falls on a weekday, a make-up day on a weekend; without a
    /// name it is "Ngày nghỉ" or "Ngày làm bù".
    pub fn new(date: NaiveDate, kind: DayKind, name: Option<&str>) -> Result<CalendarDay, CalendarDayError> {
        match kind {
            DayKind::DayOff if is_weekend(date) => return Err(CalendarDayError::DayOffOnWeekend(date, date.weekday())),
            DayKind::WorkingDay if !is_weekend(date) => {
                return Err(CalendarDayError::WorkingDayOnWeekday(date, date.weekday()));
            }
            _ => {}
        }
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => n,
            None if kind == DayKind::DayOff => "Ngày nghỉ",
            None => "Ngày làm bù",
        };
        crate::text::check_line("name", name)?;
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CalendarDayError::TooLong);
        }
        Ok(CalendarDay { date, kind, name: name.to_owned() })
    }
}

/// Which days offices work: Monday to Friday, corrected by the published days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    published: BTreeMap<NaiveDate, DayKind>,
}

impl WorkingCalendar {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> WorkingCalendar {
        WorkingCalendar { published: days.into_iter().collect() }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.published.get(&d) {
            Some(DayKind::DayOff) => false,
            Some(DayKind::WorkingDay) => true,
            None => !is_weekend(d),
        }
    }

    /// `d` if offices work on it, else the next day they do.
    pub fn on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        // Every published day off is a finite list, so a working day always comes.
        while !self.is_working_day(day) {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }

    /// The `n`-th working day after `d` (`d` itself for 0).
    pub fn add_working_days(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let mut day = d;
        for _ in 0..n.max(0) {
            match day.succ_opt() {
                Some(next) => day = self.on_or_after(next),
                None => return day,
            }
        }
        day
    }

    /// The working days after `after` up to and including `through` (0 when `through` is not later).
    pub fn working_days_between(&self, after: NaiveDate, through: NaiveDate) -> i64 {
        after.iter_days().skip(1).take_while(|d| *d <= through).filter(|d| self.is_working_day(*d)).count() as i64
    }
}

/// When reports are due and dossiers count: the reporting calendar (configuration) over the
/// working days (data).
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub reporting: ReportingCalendar,
    pub working: Arc<WorkingCalendar>,
}

impl Calendar {
    pub fn new(reporting: ReportingCalendar, working: Arc<WorkingCalendar>) -> Calendar {
        Calendar { reporting, working }
    }

    /// The data window of a month, both ends inclusive (calendar days: dossiers are counted
    /// by the day they were received, whatever the day).
    pub fn window(&self, m: Month) -> (NaiveDate, NaiveDate) {
        self.reporting.window(m)
    }

    /// The last day on which a report for the period is on time: the configured due day, or
    /// the next working day when offices do not work on it (16 June 2024, a Sunday → 17 June).
    pub fn due_date(&self, p: &Period) -> NaiveDate {
        self.working.on_or_after(self.reporting.due_day(p))
    }

    /// Whether a report received at `at` is on time for the period (Vietnam dates compared).
    pub fn is_on_time(&self, p: &Period, at: DateTime<Utc>) -> bool {
        to_vietnam_time(at).date_naive() <= self.due_date(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The days of late April and May 2024 as published (VPCP 2450/VPCP-KGVX): 29 April
    /// swapped off, worked on Saturday 4 May.
    fn april_2024() -> WorkingCalendar {
        WorkingCalendar::new([
            (d("2024-04-29"), DayKind::DayOff),
            (d("2024-04-30"), DayKind::DayOff),
            (d("2024-05-01"), DayKind::DayOff),
            (d("2024-05-04"), DayKind::WorkingDay),
        ])
    }

    #[test]
    fn june_2024_is_due_on_monday_the_17th() {
        let cal = Calendar::default();
        let june: Period = "2024-06".parse().unwrap();
        assert_eq!(cal.reporting.due_day(&june), d("2024-06-16"), "the configured day, a Sunday");
        assert_eq!(cal.due_date(&june), d("2024-06-17"));
        // 23:59 on Monday the 17th in Vietnam is on time; 00:01 on the 18th is late.
        assert!(cal.is_on_time(&june, Utc.with_ymd_and_hms(2024, 6, 17, 16, 59, 0).unwrap()));
        assert!(!cal.is_on_time(&june, Utc.with_ymd_and_hms(2024, 6, 17, 17, 1, 0).unwrap()));
        // A working day stays: July 2024's 16th is a Tuesday.
        assert_eq!(cal.due_date(&"2024-07".parse().unwrap()), d("2024-07-16"));
        // A quarter is due on the 20th of its last month: 20 June 2024 is a Thursday.
        assert_eq!(cal.due_date(&"2024Q2".parse().unwrap()), d("2024-06-20"));
    }

    #[test]
    fn a_published_day_off_moves_a_due_date_past_it() {
        let mut days: Vec<(NaiveDate, DayKind)> = Vec::new();
        let cal = |days: &[(NaiveDate, DayKind)]| {
            Calendar::new(Default::default(), Arc::new(WorkingCalendar::new(days.to_vec())))
        };
        let july: Period = "2024-07".parse().unwrap();
        assert_eq!(cal(&days).due_date(&july), d("2024-07-16"));
        days.push((d("2024-07-16"), DayKind::DayOff));
        assert_eq!(cal(&days).due_date(&july), d("2024-07-17"));
        days.push((d("2024-07-17"), DayKind::DayOff));
        assert_eq!(cal(&days).due_date(&july), d("2024-07-18"));
    }

    #[test]
    fn make_up_days_are_working_days() {
        let cal = april_2024();
        assert!(!cal.is_working_day(d("2024-04-29")), "a Monday swapped off");
        assert!(cal.is_working_day(d("2024-05-04")), "the Saturday worked for it");
        assert!(!cal.is_working_day(d("2024-05-05")), "a Sunday");
        assert!(cal.is_working_day(d("2024-05-02")), "a Thursday");
        // From Friday 26 April: the break (27 April – 1 May), then 2, 3 and Saturday 4 May.
        assert_eq!(cal.on_or_after(d("2024-04-27")), d("2024-05-02"));
        assert_eq!(cal.add_working_days(d("2024-04-26"), 3), d("2024-05-04"));
        assert_eq!(cal.add_working_days(d("2024-04-26"), 4), d("2024-05-06"));
        assert_eq!(cal.add_working_days(d("2024-04-26"), 0), d("2024-04-26"));
        assert_eq!(cal.working_days_between(d("2024-04-25"), d("2024-05-06")), 5, "26 April, 2, 3, 4 and 6 May");
        assert_eq!(cal.working_days_between(d("2024-05-06"), d("2024-05-06")), 0);
        assert_eq!(cal.working_days_between(d("2024-05-06"), d("2024-05-01")), 0);
    }

    #[test]
    fn what_may_be_published() {
        assert_eq!("working_day".parse::<DayKind>(), Ok(DayKind::WorkingDay));
        assert!("holiday".parse::<DayKind>().is_err());
        let day = CalendarDay::new(d("2024-04-18"), DayKind::DayOff, Some("  Giỗ Tổ Hùng Vương ")).unwrap();
        assert_eq!(day.name, "Giỗ Tổ Hùng Vương");
        assert_eq!(CalendarDay::new(d("2024-05-04"), DayKind::WorkingDay, None).unwrap().name, "Ngày làm bù");
        assert_eq!(CalendarDay::new(d("2024-07-16"), DayKind::DayOff, Some(" ")).unwrap().name, "Ngày nghỉ");
        assert_eq!(
            CalendarDay::new(d("2024-06-16"), DayKind::DayOff, None),
            Err(CalendarDayError::DayOffOnWeekend(d("2024-06-16"), Weekday::Sun))
        );
        assert_eq!(
            CalendarDay::new(d("2024-06-17"), DayKind::WorkingDay, None),
            Err(CalendarDayError::WorkingDayOnWeekday(d("2024-06-17"), Weekday::Mon))
        );
        assert!(matches!(
            CalendarDay::new(d("2024-07-16"), DayKind::DayOff, Some("a\u{0}b")),
            Err(CalendarDayError::Text(_))
        ));
        assert_eq!(
            CalendarDay::new(d("2024-07-16"), DayKind::DayOff, Some(&"x".repeat(201))),
            Err(CalendarDayError::TooLong)
        );
    }
}
