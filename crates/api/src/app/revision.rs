//! A new revision of a report, built one way for filing, review and the demo loader: its scores
//! under every scheme version that applies (computed in the write's transaction, so no ranking
//! is ever stale), the change-feed items it causes and its audit entry.

use std::collections::HashMap;

use cchc_domain::feed::{self, NewScore as FeedScore, report_subject};
use cchc_domain::report::ReportStatus;
use cchc_domain::workflow::Action;
use cchc_domain::{Finding, Period, ReportForm, Role, UnitCode};
use cchc_persistence::DbConnection;
use cchc_persistence::reports::{NewState, Review, StoredReport};
use cchc_persistence::scores;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// Who makes the revision: a caller (audited, and told to the feed), or the demo loader, which
/// stands for communes filing in the past.
pub enum Author<'a> {
    Caller(&'a Caller),
    Loader { subject: &'a str },
}

/// What the revision is.
pub struct Revision<'a> {
    pub commune: &'a UnitCode,
    /// A month, or the longer period of a periodic report.
    pub period: Period,
    /// The commune's province in the report's month: which schemes score it, whose feed it is.
    pub province: Option<&'a UnitCode>,
    pub action: Action,
    pub status: ReportStatus,
    pub form: ReportForm,
    pub findings: Vec<Finding>,
    /// The reason of a return or reopening.
    pub reason: Option<String>,
    /// What the audit entry adds (`from`, `to`, …).
    pub details: serde_json::Value,
}

/// The state a write of the revision leaves, to hand to `reports::write`.
pub fn build(
    c: &mut DbConnection,
    st: &AppState,
    current: Option<&StoredReport>,
    author: &Author<'_>,
    r: Revision<'_>,
) -> ApiResult<NewState> {
    // Longer periods are scored from their figures when ranked; only months store scores.
    let scores = match r.period {
        Period::Month(month) => super::apply_schemes::scores_for(c, st, month, r.province, &r.form.values)?,
        _ => Vec::new(),
    };
    let (actor, actor_role, request_id) = match author {
        Author::Caller(caller) => (caller.subject.clone(), caller.role.to_string(), caller.request_id.clone()),
        Author::Loader { subject } => ((*subject).to_owned(), Role::Commune.to_string(), None),
    };
    let (events, audit) = match author {
        Author::Loader { .. } => (Vec::new(), None),
        Author::Caller(caller) => {
            let previous_totals = match current {
                Some(cur) if feed::wants_previous_totals(r.status, Some(cur.status)) => {
                    scores::totals(c, cur.id, cur.revision)?
                }
                _ => HashMap::new(),
            };
            let news: Vec<FeedScore<'_>> = scores
                .iter()
                .map(|s| FeedScore { scheme_id: s.scheme_id, total: s.card.total, band: s.card.band.as_deref() })
                .collect();
            let events = feed::revision_events(&feed::Revision {
                commune: r.commune,
                period: r.period,
                province: r.province,
                action: r.action,
                status: r.status,
                values: &r.form.values,
                scores: &news,
                previous_totals: &previous_totals,
            });
            let action = format!("report.{}", r.action.as_str());
            let target = report_subject(r.commune, r.period);
            let entry = super::audit_entry(caller, &action, "report", target, r.province.cloned(), r.details);
            (events, Some(entry))
        }
    };
    Ok(NewState {
        status: r.status,
        form: r.form,
        findings: r.findings,
        action: r.action,
        actor,
        actor_role,
        scores,
        review: r.action.is_review().then(|| Review { reason: r.reason, replaces_note: r.action.replaces_note() }),
        request_id,
        audit,
        events,
    })
}
