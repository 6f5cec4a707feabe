//! What each page shows, loaded in one go on the blocking pool through the same use cases as
//! the API's handlers (`crate::app`), and so with the same scope checks.

use std::collections::HashMap;
use std::sync::Arc;

use cchc_domain::derived::derive;
use cchc_domain::hierarchy::Hierarchy;
use cchc_domain::report::ReportStatus;
use cchc_domain::scoring::Scheme;
use cchc_domain::workflow::may_review;
use cchc_domain::{Month, MonthFigures, Period, Principal, Topology, UnitCode, UnitLevel};
use cchc_persistence::DbConnection;

use crate::app::commune_reports::{self, CommuneMonthsPage, MonthRange};
use crate::app::completeness::{self, CompletenessView};
use crate::app::consolidate::{self, ConsolidatedView};
use crate::app::rank::cache::CachedRanking;
use crate::app::rank::{self, RankingRequest};
use crate::app::read_report::{self, ReportView};
use crate::app::report_history::{self, HistoryPage, RevisionView};
use crate::app::score_card::{self, CommuneScoreView};
use crate::app::{UnitPeriod, this_month};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::params;
use crate::state::AppState;

/// The unit a page is about: `?unit=` when given (checked against the caller's scope later),
/// else the caller's own unit; `None` (the whole country) only for an admin.
pub fn unit_param(caller: &Principal, param: Option<&str>) -> ApiResult<Option<UnitCode>> {
    match param.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Ok(Some(params::unit_code(p)?)),
        None => Ok(caller.unit().cloned()),
    }
}

/// `?period=` when given, else the latest month with a counted report below the unit (else the
/// current month).
pub fn period_param(
    conn: &mut DbConnection,
    topology: &Topology,
    unit: Option<&UnitCode>,
    param: Option<&str>,
) -> ApiResult<(Period, Month)> {
    let latest = rank::latest_month(conn, topology, unit)?;
    match param.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Ok((params::period(p)?, latest)),
        None => Ok((Period::Month(latest), latest)),
    }
}

/// A unit the picker offers.
#[derive(Debug, Clone)]
pub struct UnitChoice {
    pub code: UnitCode,
    pub name: String,
    pub level: UnitLevel,
}

/// The provinces and districts the caller may pick in a month's tree, provinces first.
pub fn unit_choices(tree: &Hierarchy, caller: &Principal) -> Vec<UnitChoice> {
    let mut out: Vec<UnitChoice> = tree
        .nodes()
        .filter(|n| n.level != UnitLevel::Commune && caller.covers(tree, &n.code))
        .map(|n| UnitChoice { code: n.code.clone(), name: n.name.clone(), level: n.level })
        .collect();
    out.sort_by(|a, b| a.code.as_str().len().cmp(&b.code.as_str().len()).then_with(|| a.code.cmp(&b.code)));
    out
}

pub struct RankingData {
    pub ranking: Arc<CachedRanking>,
    pub period: Period,
    pub latest: Month,
    pub unit: Option<UnitCode>,
    pub choices: Vec<UnitChoice>,
}

/// The ranking page (and its downloads): the caller's unit, or the one asked for.
pub fn rankings(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    unit: Option<&str>,
    period: Option<&str>,
) -> ApiResult<RankingData> {
    let unit = unit_param(caller, unit)?;
    let topology = st.topology.get(conn, caller.epoch.as_ref())?;
    let (period, latest) = period_param(conn, &topology, unit.as_ref(), period)?;
    let req = RankingRequest { unit: unit.clone(), period, scheme: None, detail: false, source: Default::default() };
    let ranking = rank::run(conn, st, caller, &req)?;
    let choices = unit_choices(&topology.at(period.last_month()), caller);
    Ok(RankingData { ranking, period, latest, unit, choices })
}

pub struct CompletenessData {
    pub view: CompletenessView,
    pub period: Period,
    pub latest: Month,
    pub unit: UnitCode,
    pub choices: Vec<UnitChoice>,
}

/// The unit a unit page is about: `?unit=`, the caller's own, or for an admin the first province.
fn page_unit(topology: &Topology, caller: &Principal, unit: Option<&str>) -> ApiResult<UnitCode> {
    match unit_param(caller, unit)? {
        Some(u) => Ok(u),
        None => unit_choices(&topology.at(this_month()), caller)
            .into_iter()
            .next()
            .map(|c| c.code)
            .ok_or_else(|| Problem::UnitNotFound.error("there are no units yet")),
    }
}

pub struct ConsolidatedData {
    pub view: ConsolidatedView,
    pub period: Period,
    pub latest: Month,
    pub unit: UnitCode,
    pub choices: Vec<UnitChoice>,
}

/// The consolidated table of the communes below a unit (every row: the page prints it whole).
pub fn consolidated(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    unit: Option<&str>,
    period: Option<&str>,
) -> ApiResult<ConsolidatedData> {
    let topology = st.topology.get(conn, None)?;
    let unit = page_unit(&topology, caller, unit)?;
    let (period, latest) = period_param(conn, &topology, Some(&unit), period)?;
    let view = consolidate::run(conn, st, caller, &UnitPeriod { code: unit.clone(), period }, None, None)?;
    let choices = unit_choices(&topology.at(period.last_month()), caller);
    Ok(ConsolidatedData { view, period, latest, unit, choices })
}

/// The consolidated report as its Word document, for the unit and period the page shows.
pub fn consolidated_document(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    unit: Option<&str>,
    period: Option<&str>,
) -> ApiResult<crate::app::official_documents::ConsolidatedDocument> {
    let topology = st.topology.get(conn, None)?;
    let unit = page_unit(&topology, caller, unit)?;
    let (period, _) = period_param(conn, &topology, Some(&unit), period)?;
    crate::app::official_documents::consolidated(conn, st, caller, &UnitPeriod { code: unit, period })
}

pub fn completeness(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    unit: Option<&str>,
    period: Option<&str>,
) -> ApiResult<CompletenessData> {
    let topology = st.topology.get(conn, None)?;
    let unit = page_unit(&topology, caller, unit)?;
    let (period, latest) = period_param(conn, &topology, Some(&unit), period)?;
    let view = completeness::run(conn, st, caller, &UnitPeriod { code: unit.clone(), period })?;
    let choices = unit_choices(&topology.at(period.last_month()), caller);
    Ok(CompletenessData { view, period, latest, unit, choices })
}

/// How many revisions the commune page lists (a report rarely has more than a handful).
const HISTORY_SHOWN: usize = 100;

/// One month of a commune's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub month: Month,
    pub score: Option<f64>,
    /// `resolved_on_time_rate` of the month's counted report.
    pub on_time_rate: Option<f64>,
}

pub struct CommuneData {
    pub score: CommuneScoreView,
    pub scheme: Arc<Scheme>,
    pub period: Period,
    pub latest: Month,
    pub trend: Vec<TrendPoint>,
    /// The latest report of the 12 months the caller may read.
    pub report: Option<ReportView>,
    /// Whether the caller reviews this commune's reports.
    pub reviewer: bool,
    /// The commune's last twelve months, for whoever files its reports (the clerk's start page).
    pub months: Option<CommuneMonthsPage>,
    /// Every revision of the report shown, oldest first: who did what, when, and why.
    pub history: Vec<RevisionView>,
    /// The month before the report's, as counted, to show what changed since.
    pub month_before: Option<MonthFigures>,
}

pub fn commune(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    code: &UnitCode,
    period: Option<&str>,
) -> ApiResult<CommuneData> {
    let topology = st.topology.get(conn, None)?;
    let (period, latest) = period_param(conn, &topology, Some(code), period)?;
    let (score, scheme) = score_card::run(conn, st, caller, code, period, None)?;
    let last = period.last_month();
    let months: Vec<Month> = (0..12).rev().map(|back| last.plus(-back)).collect();
    // The monthly history: the score view's own when the period is a month.
    let monthly: Vec<Option<f64>> = match period {
        Period::Month(_) => score.history.iter().map(|h| h.score).collect(),
        _ => score_card::run(conn, st, caller, code, Period::Month(last), None)?
            .0
            .history
            .iter()
            .map(|h| h.score)
            .collect(),
    };
    let filed = read_report::filed(conn, caller, code, &months)?;
    let rates: HashMap<Month, Option<f64>> = filed
        .iter()
        .filter(|f| f.status.counts())
        .map(|f| (f.period, derive(&f.values).get("resolved_on_time_rate")))
        .collect();
    let trend = months
        .iter()
        .enumerate()
        .map(|(i, m)| TrendPoint {
            month: *m,
            score: monthly.get(i).copied().flatten(),
            on_time_rate: rates.get(m).copied().flatten(),
        })
        .collect();
    // The latest report the caller may read (a draft may be the commune's own business).
    let mut report = None;
    let mut filed_months: Vec<Month> = filed.iter().map(|f| f.period).collect();
    filed_months.sort();
    for m in filed_months.into_iter().rev() {
        match read_report::run(conn, st, caller, code, m.into()) {
            Ok(view) => {
                report = Some(view);
                break;
            }
            Err(e) if e.problem == Problem::ReportNotFound => continue,
            Err(e) => return Err(e),
        }
    }
    // The reviewer of the report shown (the rule of the API's approve and return).
    let month = report.as_ref().and_then(|r| r.period.parse::<Month>().ok()).unwrap_or(last);
    let reviewer = may_review(caller, code, &topology.at(month), &topology.at(this_month()));
    let history = match &report {
        Some(_) => {
            let q = HistoryPage { commune: code.clone(), period: month.into(), after: 0, limit: HISTORY_SHOWN };
            report_history::revisions(conn, caller, q)?.items
        }
        None => Vec::new(),
    };
    let before = month.previous();
    let month_before = match report {
        Some(_) => read_report::filed(conn, caller, code, &[before])?.into_iter().find(|f| f.status.counts()),
        None => None,
    };
    let months = match caller.can_submit(code) {
        true => Some(commune_reports::list(conn, st, caller, &MonthRange::new(code.clone(), None, None)?, 12, None)?),
        false => None,
    };
    Ok(CommuneData { score, scheme, period, latest, trend, report, reviewer, months, history, month_before })
}

/// Whether a report is waiting for its reviewer.
pub fn awaiting_review(report: &ReportView) -> bool {
    report.status == ReportStatus::Submitted
}
