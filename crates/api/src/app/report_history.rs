//! A report's history: every revision with who, when, values and findings, and what changed in
//! each, indicator by indicator — to whoever may read the report itself.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::history::{Change, changes};
use cchc_domain::period::to_vietnam_time;
use cchc_domain::report::ReportStatus;
use cchc_domain::workflow::Action;
use cchc_domain::{Finding, Period, Principal, UnitCode, Values};
use cchc_persistence::DbConnection;
use cchc_persistence::reports::{self, Revision, StoredReport};

use super::paging::page;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i32,
    pub status: ReportStatus,
    pub action: Action,
    pub actor: String,
    #[schema(value_type = cchc_domain::Role)]
    pub actor_role: String,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    #[schema(schema_with = crate::openapi::report_values)]
    pub values: Values,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionPage {
    pub items: Vec<RevisionView>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeSet {
    pub revision: i32,
    pub action: Action,
    pub actor: String,
    pub created_at: DateTime<FixedOffset>,
    /// Indicators whose value changed from the previous revision (all of them for the first).
    pub changes: Vec<Change>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeSet>,
    pub next: Option<String>,
}

/// Which page of a report's history: revisions after `after`, at most `limit`.
pub struct HistoryPage {
    pub commune: UnitCode,
    pub period: Period,
    pub after: i32,
    pub limit: usize,
}

fn revisions_page(
    conn: &mut DbConnection,
    report: &StoredReport,
    q: &HistoryPage,
) -> ApiResult<(Vec<Revision>, Option<String>)> {
    let rows = reports::revisions(conn, report.id, q.after, q.limit as i64 + 1)?;
    Ok(page(rows, q.limit, |r| r.revision.to_string()))
}

/// Every revision, oldest first.
pub fn revisions(conn: &mut DbConnection, caller: &Principal, q: HistoryPage) -> ApiResult<RevisionPage> {
    let (report, _) = super::read_report::load(conn, caller, &q.commune, q.period)?;
    let (revs, next) = revisions_page(conn, &report, &q)?;
    let items = revs
        .into_iter()
        .map(|r| RevisionView {
            revision: r.revision,
            status: r.status,
            action: r.action,
            actor: r.actor,
            actor_role: r.actor_role,
            reason: r.reason,
            request_id: r.request_id,
            created_at: to_vietnam_time(r.created_at),
            values: r.values,
            findings: r.findings,
        })
        .collect();
    Ok(RevisionPage { items, next })
}

/// What changed in each revision, oldest first.
pub fn changelog(conn: &mut DbConnection, st: &AppState, caller: &Principal, q: HistoryPage) -> ApiResult<ChangePage> {
    let (report, _) = super::read_report::load(conn, caller, &q.commune, q.period)?;
    // The revision before the page is the baseline of its first change set.
    let mut previous: Values = match q.after {
        0 => Values::new(),
        after => reports::revisions(conn, report.id, after - 1, 1)?.pop().map(|r| r.values).unwrap_or_default(),
    };
    let (revs, next) = revisions_page(conn, &report, &q)?;
    let mut items = Vec::with_capacity(revs.len());
    for r in revs {
        items.push(ChangeSet {
            revision: r.revision,
            action: r.action,
            actor: r.actor,
            created_at: to_vietnam_time(r.created_at),
            changes: changes(&st.catalog, &previous, &r.values),
        });
        previous = r.values;
    }
    Ok(ChangePage { items, next })
}
