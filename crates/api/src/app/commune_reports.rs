//! A commune's months: for each month it existed in a range, whether it reported, where the
//! report stands, whether it was on time and what it scored — the list a commune app opens on.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::derived::round2;
use cchc_domain::period::to_vietnam_time;
use cchc_domain::ranking::Standing;
use cchc_domain::workflow::effective_status;
use cchc_domain::{Month, Period, ReportStatus, UnitCode};
use cchc_persistence::{DbConnection, reports};

use super::paging::page;
use super::rank;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::export::{Cell, Table};
use crate::state::AppState;

/// The longest range one request may ask for: ten years of months.
pub const MAX_MONTHS: i64 = 120;

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneMonth {
    pub period: String,
    /// Where the report stands; null when there is none the caller may see (a draft is the
    /// commune's own).
    pub status: Option<ReportStatus>,
    pub revision: Option<i32>,
    pub due_date: NaiveDate,
    /// Whether it was first submitted by the due date; null when not submitted.
    pub on_time: Option<bool>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub updated_at: Option<DateTime<FixedOffset>>,
    /// The month's standing in rankings under the scheme: `ranked`, `missing`, …
    pub standing: Standing,
    /// The score under the scheme (two decimals); null when not ranked.
    pub score: Option<f64>,
    pub band: Option<String>,
    /// The report's entity tag, for `If-Match`; null without a report.
    pub etag: Option<String>,
    /// The reviewer's reason with the last return or reopening; null when there is none.
    pub review_note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneMonthsPage {
    pub unit_code: String,
    pub unit_name: String,
    /// The scheme the scores are under: `code@version`.
    pub scheme: String,
    pub items: Vec<CommuneMonth>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next: Option<String>,
}

pub struct MonthRange {
    pub commune: UnitCode,
    pub from: Month,
    pub to: Month,
}

impl MonthRange {
    /// The range `from..=to`, the last twelve months to `to` by default, the current month
    /// when `to` is absent.
    pub fn new(commune: UnitCode, from: Option<Month>, to: Option<Month>) -> ApiResult<MonthRange> {
        let to = to.unwrap_or_else(super::this_month);
        let from = from.unwrap_or_else(|| to.plus(-11));
        if from > to {
            return Err(Problem::InvalidPeriod.error(format!("`from` ({from}) is after `to` ({to})")));
        }
        if to.index() - from.index() >= MAX_MONTHS {
            return Err(Problem::InvalidPeriod.error(format!("ask for at most {MAX_MONTHS} months at a time")));
        }
        Ok(MonthRange { commune, from, to })
    }
}

/// The months of the range in which the commune existed, newest first, after the cursor's month.
pub fn list(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    range: &MonthRange,
    limit: usize,
    after: Option<String>,
) -> ApiResult<CommuneMonthsPage> {
    let code = &range.commune;
    let topology = st.topology.get(conn, caller.epoch.as_ref())?;
    caller.ensure_can_view(code, &topology, range.to, super::this_month())?;
    let months: Vec<Month> = std::iter::successors(Some(range.to), |m| Some(m.plus(-1)))
        .take_while(|m| *m >= range.from)
        .filter(|m| topology.at(*m).contains(code))
        .filter(|m| after.as_deref().is_none_or(|a| m.to_string().as_str() < a))
        .collect();
    let name = months
        .first()
        .and_then(|m| topology.at(*m).get(code).map(|n| n.name.clone()))
        .or_else(|| topology.versions_of(code).last().map(|v| v.name.clone()))
        .ok_or_else(|| Problem::UnitNotFound.error(format!("there is no commune {code}")))?;
    let refs = st.scheme_refs(conn, caller.epoch.as_ref())?;
    let chosen = super::apply_schemes::choose_for(caller, &topology, &refs, None, Period::Month(range.to))?;
    let stored = reports::summaries(conn, code, range.from, range.to, chosen.id)?;
    let today = to_vietnam_time(Utc::now()).date_naive();
    let cal = st.calendar(conn, caller.epoch.as_ref())?;
    let mut items = Vec::new();
    for month in months.into_iter().take(limit + 1) {
        let period = Period::Month(month);
        let filed = stored.iter().find(|r| r.period == month);
        let report = filed.filter(|r| caller.can_read_report(code, r.status));
        // Only a counted report has a score; one stored before this scheme version and not yet
        // re-scored is scored as the rankings do it.
        let (mut score, mut band) = match filed.filter(|r| r.status.counts()) {
            Some(r) => (r.total, r.band.clone()),
            None => (None, None),
        };
        if filed.is_some_and(|r| r.status.counts() && r.total.is_none()) {
            let parsed = st.schemes.get(conn, &st.catalog, chosen.id)?;
            let standing = rank::standings(
                conn,
                st,
                &topology,
                Some(code),
                (period, Default::default()),
                &chosen,
                &parsed,
                false,
            )?
            .pop();
            (score, band) = standing.map_or((None, None), |s| (s.total, s.band));
        }
        items.push(CommuneMonth {
            period: month.to_string(),
            status: report.map(|r| effective_status(r.status, month, today, &cal, st.rules.lock_after_days)),
            revision: report.map(|r| r.revision),
            due_date: cal.due_date(&period),
            on_time: report.and_then(|r| r.submitted_at).map(|t| cal.is_on_time(&period, t)),
            submitted_at: report.and_then(|r| r.submitted_at).map(to_vietnam_time),
            updated_at: report.map(|r| to_vietnam_time(r.updated_at)),
            standing: Standing::of_report(
                filed.map(|r| effective_status(r.status, month, today, &cal, st.rules.lock_after_days)),
            ),
            score: score.map(round2),
            band,
            etag: report.map(|r| format!("\"{code}-{month}-r{}\"", r.revision)),
            review_note: report.and_then(|r| r.review_note.clone()),
        });
    }
    let (items, next) = page(items, limit, |m| m.period.clone());
    Ok(CommuneMonthsPage {
        unit_code: code.to_string(),
        unit_name: name,
        scheme: format!("{}@{}", chosen.code, chosen.version),
        items,
        next,
    })
}

/// The months as a spreadsheet table.
pub fn table(page: &CommuneMonthsPage) -> Table {
    let rows = page
        .items
        .iter()
        .map(|m| {
            vec![
                Cell::from(m.period.clone()),
                Cell::from(m.standing.label_vi()),
                Cell::from(m.revision.map(i64::from)),
                Cell::from(m.due_date.format("%d/%m/%Y").to_string()),
                Cell::from(match m.on_time {
                    Some(true) => "Đúng hạn",
                    Some(false) => "Trễ hạn",
                    None => "",
                }),
                Cell::from(m.score),
                Cell::from(m.band.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        name: format!("bao-cao-{}", page.unit_code),
        title: format!("Các kỳ báo cáo CCHC — {} ({})", page.unit_name, page.unit_code),
        headers: ["Kỳ", "Trạng thái", "Lần sửa", "Hạn nộp", "Đúng hạn", "Điểm", "Xếp loại"].map(String::from).to_vec(),
        rows,
    }
}
