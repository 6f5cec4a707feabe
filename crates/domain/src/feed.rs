//! The change feed the provincial portal syncs from: what each kind of write tells it. Approvals
//! and reopenings of reports, score changes of counted reports, findings recomputed because the
//! month before changed, unit merges and new scheme versions — nothing about drafts, which are
//! the commune's own business.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::derived::round2;
use crate::findings::Finding;
use crate::period::{Month, Period};
use crate::report::{ReportStatus, Values};
use crate::units::UnitCode;
use crate::workflow::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FeedKind {
    #[serde(rename = "report.approved")]
    ReportApproved,
    #[serde(rename = "report.reopened")]
    ReportReopened,
    #[serde(rename = "score.changed")]
    ScoreChanged,
    #[serde(rename = "unit.merged")]
    UnitMerged,
    #[serde(rename = "scheme.added")]
    SchemeAdded,
    #[serde(rename = "findings.recomputed")]
    FindingsRecomputed,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::ReportApproved => "report.approved",
            FeedKind::ReportReopened => "report.reopened",
            FeedKind::ScoreChanged => "score.changed",
            FeedKind::UnitMerged => "unit.merged",
            FeedKind::SchemeAdded => "scheme.added",
            FeedKind::FindingsRecomputed => "findings.recomputed",
        }
    }
}

impl std::str::FromStr for FeedKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| format!("unknown feed kind `{s}`"))
    }
}

/// One item for the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    pub kind: FeedKind,
    /// What it is about: `07273/2024-06`, `07273`, `commune-par@2`.
    pub subject: String,
    /// The province it concerns, so that a province's portal reads its own; none for national items.
    pub province: Option<UnitCode>,
    pub payload: serde_json::Value,
}

/// `07273/2024-06`: how a commune's report of a month is named in the feed and the audit log.
pub fn report_subject(commune: &UnitCode, period: impl std::fmt::Display) -> String {
    format!("{commune}/{period}")
}

/// A score of a new revision under one scheme version.
#[derive(Debug, Clone, PartialEq)]
pub struct NewScore<'a> {
    pub scheme_id: i64,
    pub total: f64,
    pub band: Option<&'a str>,
}

/// A new revision of a report, as the feed sees it.
pub struct Revision<'a> {
    pub commune: &'a UnitCode,
    /// The report's month, or the longer period of a periodic report.
    pub period: Period,
    pub province: Option<&'a UnitCode>,
    pub action: Action,
    pub status: ReportStatus,
    pub values: &'a Values,
    pub scores: &'a [NewScore<'a>],
    /// The totals of the revision it replaces, by scheme, when that one counted.
    pub previous_totals: &'a HashMap<i64, f64>,
}

/// Whether the previous revision's scores matter: only a counted revision replacing a counted
/// one can change a score.
pub fn wants_previous_totals(status: ReportStatus, previous: Option<ReportStatus>) -> bool {
    status.counts() && previous.is_some_and(ReportStatus::counts)
}

/// The items a new revision adds: its approval or reopening, and each score that changed (at
/// two decimals) while the report counts.
pub fn revision_events(r: &Revision<'_>) -> Vec<FeedEvent> {
    let subject = report_subject(r.commune, r.period);
    let event = |kind, payload| FeedEvent { kind, subject: subject.clone(), province: r.province.cloned(), payload };
    let (unit, period) = (r.commune.as_str(), r.period.to_string());
    let mut out = Vec::new();
    match r.action {
        Action::Approve => out.push(event(
            FeedKind::ReportApproved,
            json!({"unit_code": unit, "period": period, "status": r.status, "values": r.values}),
        )),
        Action::Reopen => {
            out.push(event(FeedKind::ReportReopened, json!({"unit_code": unit, "period": period, "status": r.status})))
        }
        Action::SaveDraft | Action::Submit | Action::Return => {}
    }
    if r.status.counts() {
        for s in r.scores {
            let now = round2(s.total);
            let was = r.previous_totals.get(&s.scheme_id).map(|t| round2(*t));
            if was != Some(now) {
                out.push(event(
                    FeedKind::ScoreChanged,
                    json!({"unit_code": unit, "period": period, "scheme_id": s.scheme_id,
                        "score": now, "previous_score": was, "band": s.band}),
                ));
            }
        }
    }
    out
}

/// `absorbed` merged into `successor` from `effective`: an item of the successor's province
/// (a merger names communes, which another province's portal may not see).
pub fn merge_event(
    absorbed: &UnitCode,
    successor: &UnitCode,
    effective: Month,
    province: Option<&UnitCode>,
) -> FeedEvent {
    FeedEvent {
        kind: FeedKind::UnitMerged,
        subject: absorbed.to_string(),
        province: province.cloned(),
        payload: json!({"absorbed": absorbed, "successor": successor, "effective_from": effective}),
    }
}

/// A stored report whose findings were recomputed because the report of the month before (of
/// `cause`, itself or a unit merged into it) changed: the findings are the report's current
/// view, so they change without a new revision. Told when they differ, unless the report is a
/// draft.
pub struct Recomputed<'a> {
    pub commune: &'a UnitCode,
    pub month: Month,
    pub province: Option<&'a UnitCode>,
    pub status: ReportStatus,
    pub revision: i32,
    /// The report whose change caused it: `07273/2024-07`.
    pub cause: String,
    pub before: &'a [Finding],
    pub after: &'a [Finding],
}

pub fn findings_event(r: &Recomputed<'_>) -> Option<FeedEvent> {
    (r.before != r.after && r.status != ReportStatus::Draft).then(|| FeedEvent {
        kind: FeedKind::FindingsRecomputed,
        subject: report_subject(r.commune, r.month),
        province: r.province.cloned(),
        payload: json!({"unit_code": r.commune, "period": r.month.to_string(), "status": r.status,
            "revision": r.revision, "caused_by": r.cause, "findings": r.after}),
    })
}

/// A new scheme version, once, however many reports it re-scored.
pub fn scheme_event(code: &str, version: i32, owner: Option<&UnitCode>, rescored: usize) -> FeedEvent {
    FeedEvent {
        kind: FeedKind::SchemeAdded,
        subject: format!("{code}@{version}"),
        province: owner.cloned(),
        payload: json!({"code": code, "version": version, "rescored_reports": rescored}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::code;

    fn revision<'a>(
        action: Action,
        status: ReportStatus,
        scores: &'a [NewScore<'a>],
        previous: &'a HashMap<i64, f64>,
        values: &'a Values,
        commune: &'a UnitCode,
    ) -> Revision<'a> {
        Revision {
            commune,
            period: "2024-06".parse().unwrap(),
            province: None,
            action,
            status,
            values,
            scores,
            previous_totals: previous,
        }
    }

    #[test]
    fn approvals_reopenings_and_changed_scores_go_out() {
        let (values, commune) = (Values::new(), code("07273"));
        let scores = [NewScore { scheme_id: 1, total: 99.884, band: Some("xuat_sac") }];
        let none = HashMap::new();
        let kinds = |events: Vec<FeedEvent>| events.into_iter().map(|e| e.kind).collect::<Vec<_>>();
        let first = revision(Action::Submit, ReportStatus::Submitted, &scores, &none, &values, &commune);
        let events = revision_events(&first);
        assert_eq!(events[0].subject, "07273/2024-06");
        assert_eq!(events[0].payload["score"], 99.88);
        assert_eq!(events[0].payload["previous_score"], serde_json::Value::Null);
        assert_eq!(kinds(events), [FeedKind::ScoreChanged]);
        let same = HashMap::from([(1, 99.8801)]);
        let approve = revision(Action::Approve, ReportStatus::Approved, &scores, &same, &values, &commune);
        assert_eq!(kinds(revision_events(&approve)), [FeedKind::ReportApproved], "the score did not change");
        let draft = revision(Action::SaveDraft, ReportStatus::Draft, &scores, &none, &values, &commune);
        assert!(revision_events(&draft).is_empty(), "drafts are not news");
        let reopen = revision(Action::Reopen, ReportStatus::Submitted, &scores, &same, &values, &commune);
        assert_eq!(kinds(revision_events(&reopen)), [FeedKind::ReportReopened]);
        assert!(wants_previous_totals(ReportStatus::Approved, Some(ReportStatus::Submitted)));
        assert!(!wants_previous_totals(ReportStatus::Submitted, Some(ReportStatus::Returned)));
        assert!(!wants_previous_totals(ReportStatus::Draft, Some(ReportStatus::Submitted)));
    }

    #[test]
    fn recomputed_findings_are_told_when_they_change_and_the_report_is_not_a_draft() {
        let commune = code("07273");
        let before =
            vec![Finding::warning("carry_over_mismatch", &["dossiers_carried_over"], "vi".into(), "en".into())];
        let none: Vec<Finding> = Vec::new();
        fn r<'a>(
            commune: &'a UnitCode,
            status: ReportStatus,
            before: &'a [Finding],
            after: &'a [Finding],
        ) -> Recomputed<'a> {
            Recomputed {
                commune,
                month: "2024-08".parse().unwrap(),
                province: None,
                status,
                revision: 1,
                cause: "07273/2024-07".into(),
                before,
                after,
            }
        }
        let e = findings_event(&r(&commune, ReportStatus::Submitted, &before, &none)).expect("told");
        assert_eq!((e.kind, e.subject.as_str()), (FeedKind::FindingsRecomputed, "07273/2024-08"));
        assert_eq!(
            e.payload,
            json!({"unit_code": "07273", "period": "2024-08", "status": "submitted", "revision": 1,
                "caused_by": "07273/2024-07", "findings": []})
        );
        assert!(findings_event(&r(&commune, ReportStatus::Submitted, &before, &before)).is_none(), "nothing changed");
        assert!(findings_event(&r(&commune, ReportStatus::Draft, &before, &none)).is_none(), "drafts are not news");
    }

    #[test]
    fn kinds_have_stable_names() {
        for k in [
            FeedKind::ReportApproved,
            FeedKind::ReportReopened,
            FeedKind::ScoreChanged,
            FeedKind::UnitMerged,
            FeedKind::SchemeAdded,
            FeedKind::FindingsRecomputed,
        ] {
            assert_eq!(k.as_str().parse::<FeedKind>(), Ok(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        let e = merge_event(&code("07273"), &code("07294"), "2025-07".parse().unwrap(), Some(&code("24")));
        assert_eq!(e.province, Some(code("24")));
        assert_eq!(e.payload, json!({"absorbed": "07273", "successor": "07294", "effective_from": "2025-07"}));
        assert_eq!(scheme_event("commune-par", 2, None, 5).subject, "commune-par@2");
    }
}
