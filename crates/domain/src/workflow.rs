//! The report lifecycle: `draft` → `submitted` → `returned` (back to the commune, with a reason)
//! or `approved` → `locked` (when the period closes). Which writes each state allows.

use crate::report::ReportStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the report is already submitted: send it without draft=true to update it")]
    AlreadySubmitted,
    #[error("the report is {0}: it can no longer be edited unless the reviewing unit reopens it")]
    Closed(&'static str),
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
