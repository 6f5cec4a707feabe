//! The report lifecycle: `draft` → `submitted` → `returned` (back to the commune, with a reason)
//! or `approved` → `locked` (when the period closes). Which writes each state allows, who
//! reviews, and when an approved report locks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{Principal, Role};
use crate::calendar::Calendar;
use crate::hierarchy::Hierarchy;
use crate::period::Period;
use crate::report::ReportStatus;
use crate::units::{UnitCode, UnitLevel};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the report is already submitted: send it without draft=true to update it")]
    AlreadySubmitted,
    #[error("the report is {0}: it can no longer be edited unless the reviewing unit reopens it")]
    Closed(&'static str),
    #[error("a {action} needs a report that is {expected}, but this one is {actual}")]
    WrongState { action: &'static str, expected: &'static str, actual: &'static str },
    #[error("a {0} needs a reason")]
    ReasonRequired(&'static str),
}

/// The status a commune's `PUT` leaves the report in. A draft may be saved over a draft or a
/// returned report (corrections in progress) but not over a submitted one, which would silently
/// withdraw it from every aggregate; approved and locked reports are closed to edits.
pub fn status_after_put(current: Option<ReportStatus>, draft: bool) -> Result<ReportStatus, WorkflowError> {
    use ReportStatus::*;
    match (current, draft) {
        (Some(status @ (Approved | Locked)), _) => Err(WorkflowError::Closed(status.as_str())),
        (Some(Submitted), true) => Err(WorkflowError::AlreadySubmitted),
        (_, true) => Ok(Draft),
        (_, false) => Ok(Submitted),
    }
}

/// What a revision of a report did: the commune's `PUT` (as a draft or submitted), or a review
/// or lifecycle action on the stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The commune saves its form as a draft (`PUT …?draft=true`).
    SaveDraft,
    /// The commune submits its form, its draft or its corrected report.
    Submit,
    /// The reviewing unit accepts it: no more edits.
    Approve,
    /// The reviewing unit sends it back for correction, with a reason.
    Return,
    /// The reviewing unit reopens an approved or locked report, with a reason.
    Reopen,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SaveDraft => "save_draft",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Reopen => "reopen",
        }
    }

    /// The action of a commune's `PUT`.
    pub fn of_put(draft: bool) -> Action {
        if draft { Action::SaveDraft } else { Action::Submit }
    }

    /// Whether the action is the reviewing unit's rather than the commune's.
    pub fn is_review(self) -> bool {
        matches!(self, Action::Approve | Action::Return | Action::Reopen)
    }

    /// Whether the action takes a reason, which then becomes the report's review note.
    pub fn replaces_note(self) -> bool {
        matches!(self, Action::Return | Action::Reopen)
    }
}

impl std::str::FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| format!("unknown action `{s}`"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("the reason is limited to {max} characters", max = ReviewReason::MAX_CHARS)]
    TooLong,
    #[error(transparent)]
    Text(#[from] crate::text::ControlCharacter),
}

/// The reason given with a return or a reopening: trimmed, at most 2,000 characters; an empty
/// one is no reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewReason(String);

impl ReviewReason {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(s: Option<&str>) -> Result<Option<ReviewReason>, ReasonError> {
        let Some(reason) = s.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
        crate::text::check_lines("reason", reason)?;
        if reason.chars().count() > Self::MAX_CHARS {
            return Err(ReasonError::TooLong);
        }
        Ok(Some(ReviewReason(reason.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The status an action leads to from `current` (the effective status, locking applied).
pub fn transition(current: ReportStatus, action: Action, reason: Option<&str>) -> Result<ReportStatus, WorkflowError> {
    use ReportStatus::*;
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    let wrong = |expected| WorkflowError::WrongState { action: action.as_str(), expected, actual: current.as_str() };
    match (action, current) {
        (Action::SaveDraft, _) => status_after_put(Some(current), true),
        (Action::Submit, Draft | Returned) => Ok(Submitted),
        (Action::Submit, _) => Err(wrong("a draft or returned")),
        (Action::Approve, Submitted) => Ok(Approved),
        (Action::Approve, _) => Err(wrong("submitted")),
        (Action::Return, Submitted) if has_reason => Ok(Returned),
        (Action::Return, Submitted) => Err(WorkflowError::ReasonRequired("return")),
        (Action::Return, _) => Err(wrong("submitted")),
        (Action::Reopen, Approved | Locked) if has_reason => Ok(Submitted),
        (Action::Reopen, Approved | Locked) => Err(WorkflowError::ReasonRequired("reopening")),
        (Action::Reopen, _) => Err(wrong("approved or locked")),
    }
}

/// The unit that reviews a commune's report: the nearest unit above the commune (in the tree of
/// the report's month) that still exists when the action is taken — its district before July
/// 2025, its province after.
pub fn reviewing_unit(commune: &UnitCode, then: &Hierarchy, now: &Hierarchy) -> Option<UnitCode> {
    then.ancestors(commune).into_iter().map(|n| n.code.clone()).find(|c| now.contains(c))
}

/// Whether `who` may review a commune's report: an admin; the reviewing unit's own staff; or
/// the staff of the commune's province, which can always act.
pub fn may_review(who: &Principal, commune: &UnitCode, then: &Hierarchy, now: &Hierarchy) -> bool {
    if who.is_admin() {
        return true;
    }
    let Some(unit) = who.unit() else { return false };
    match who.role {
        Role::District | Role::Province => {
            reviewing_unit(commune, then, now).as_ref() == Some(unit)
                || (who.role == Role::Province
                    && [then, now].iter().any(|tree| {
                        tree.ancestors(commune).iter().any(|n| n.level == UnitLevel::Province && &n.code == unit)
                    }))
        }
        _ => false,
    }
}

/// An approved report locks once its period closes: `lock_after_days` after its due date.
pub fn effective_status(
    stored: ReportStatus,
    period: impl Into<Period>,
    today: NaiveDate,
    calendar: &Calendar,
    lock_after_days: i64,
) -> ReportStatus {
    let closes = calendar.due_date(&period.into()) + chrono::Duration::days(lock_after_days);
    if stored == ReportStatus::Approved && today > closes { ReportStatus::Locked } else { stored }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::{bac_giang, code, m};
    use ReportStatus::*;

    #[test]
    fn what_a_put_may_do() {
        assert_eq!(status_after_put(None, false), Ok(Submitted));
        assert_eq!(status_after_put(None, true), Ok(Draft));
        assert_eq!(status_after_put(Some(Draft), false), Ok(Submitted));
        assert_eq!(status_after_put(Some(Draft), true), Ok(Draft));
        assert_eq!(status_after_put(Some(Submitted), false), Ok(Submitted));
        assert_eq!(status_after_put(Some(Submitted), true), Err(WorkflowError::AlreadySubmitted));
        assert_eq!(status_after_put(Some(Returned), true), Ok(Draft));
        assert_eq!(status_after_put(Some(Returned), false), Ok(Submitted));
        assert_eq!(status_after_put(Some(Approved), false), Err(WorkflowError::Closed("approved")));
        assert_eq!(status_after_put(Some(Locked), true), Err(WorkflowError::Closed("locked")));
    }

    #[test]
    fn transitions() {
        assert_eq!(transition(Draft, Action::Submit, None), Ok(Submitted));
        assert_eq!(transition(Returned, Action::Submit, None), Ok(Submitted));
        assert!(matches!(transition(Submitted, Action::Submit, None), Err(WorkflowError::WrongState { .. })));
        assert_eq!(transition(Submitted, Action::Approve, None), Ok(Approved));
        assert!(transition(Draft, Action::Approve, None).is_err());
        assert!(transition(Approved, Action::Approve, None).is_err());
        assert_eq!(transition(Submitted, Action::Return, Some("thiếu số liệu")), Ok(Returned));
        assert_eq!(transition(Submitted, Action::Return, Some("  ")), Err(WorkflowError::ReasonRequired("return")));
        assert!(transition(Approved, Action::Return, Some("x")).is_err());
        assert_eq!(transition(Approved, Action::Reopen, Some("sai số liệu")), Ok(Submitted));
        assert_eq!(transition(Locked, Action::Reopen, Some("sai số liệu")), Ok(Submitted));
        assert_eq!(transition(Locked, Action::Reopen, None), Err(WorkflowError::ReasonRequired("reopening")));
        assert!(transition(Submitted, Action::Reopen, Some("x")).is_err());
        assert_eq!(
            transition(Draft, Action::Approve, None).unwrap_err().to_string(),
            "a approve needs a report that is submitted, but this one is draft"
        );
    }

    #[test]
    fn actions_by_name_and_reasons_by_length() {
        assert_eq!("save_draft".parse::<Action>(), Ok(Action::SaveDraft));
        assert_eq!(Action::of_put(true), Action::SaveDraft);
        assert!("publish".parse::<Action>().is_err());
        assert!(!Action::SaveDraft.is_review() && Action::Reopen.is_review());
        assert_eq!(transition(Submitted, Action::SaveDraft, None), Err(WorkflowError::AlreadySubmitted));
        assert_eq!(ReviewReason::parse(Some("  ")), Ok(None));
        assert_eq!(ReviewReason::parse(Some(" sai số ")).unwrap().unwrap().as_str(), "sai số");
        assert!(ReviewReason::parse(Some(&"ạ".repeat(2000))).is_ok());
        assert_eq!(ReviewReason::parse(Some(&"a".repeat(2001))), Err(ReasonError::TooLong));
    }

    #[test]
    fn the_reviewer_is_the_nearest_unit_that_still_exists() {
        let units = bac_giang();
        let then = Hierarchy::at(&units, m("2024-06"));
        let before = Hierarchy::at(&units, m("2025-06"));
        let after = Hierarchy::at(&units, m("2026-01"));
        assert_eq!(reviewing_unit(&code("07273"), &then, &before), Some(code("215")));
        assert_eq!(reviewing_unit(&code("07273"), &then, &after), Some(code("24")), "Yên Thế is gone");
        let p = |role, unit: &str| Principal::new("x".into(), role, Some(code(unit))).unwrap();
        assert!(may_review(&p(Role::District, "215"), &code("07273"), &then, &before));
        assert!(!may_review(&p(Role::District, "215"), &code("07273"), &then, &after));
        assert!(!may_review(&p(Role::District, "216"), &code("07273"), &then, &before));
        assert!(may_review(&p(Role::Province, "24"), &code("07273"), &then, &before), "the province can always act");
        assert!(!may_review(&p(Role::Commune, "07273"), &code("07273"), &then, &before));
        assert!(may_review(&Principal::new("a".into(), Role::Admin, None).unwrap(), &code("07273"), &then, &after));
    }

    #[test]
    fn approved_reports_lock_when_the_period_closes() {
        let cal = Calendar::default();
        let june = m("2024-06"); // due Monday 17 June 2024 (the 16th is a Sunday)
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        assert_eq!(effective_status(Approved, june, day("2024-07-17"), &cal, 30), Approved);
        assert_eq!(effective_status(Approved, june, day("2024-07-18"), &cal, 30), Locked);
        assert_eq!(
            effective_status(Submitted, june, day("2030-01-01"), &cal, 30),
            Submitted,
            "timeliness never locks a submission"
        );
    }
}
