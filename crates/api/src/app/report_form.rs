//! The commune's report form before the clerk types: what is stored for the month (a draft
//! included, since it is the commune's own), or, for a month not started, a starting point —
//! last month's narrative, and as carried over the dossiers last month's reports left pending
//! (the commune's own and those of every unit merged into it this month).

use chrono::NaiveDate;

use cchc_domain::history::expected_carry_over;
use cchc_domain::report::Narrative;
use cchc_domain::{Month, Period, UnitCode, Values};
use cchc_persistence::reports;
use cchc_persistence::{DbConnection, units};

use super::read_report::{ReportView, commune_in, view};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

pub struct FormStart {
    pub commune: UnitCode,
    pub name: String,
    pub month: Month,
    pub due_date: NaiveDate,
    /// The stored report, when there is one.
    pub current: Option<ReportView>,
    /// For a month not started yet.
    pub prefill: Option<Prefill>,
}

pub struct Prefill {
    /// Last month's narrative, to start from.
    pub narrative: Narrative,
    /// The figures to start from (the carry-over).
    pub values: Values,
}

pub fn run(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    commune: &UnitCode,
    month: Month,
) -> ApiResult<FormStart> {
    caller.ensure_can_submit(commune)?;
    let topology = units::topology_around(conn, commune)?;
    let name = commune_in(&topology, commune, month)?;
    let cal = st.calendar(conn, caller.epoch.as_ref())?;
    let due_date = cal.due_date(&Period::Month(month));
    let current = reports::get(conn, commune, month.into())?;
    if let Some(report) = current {
        return Ok(FormStart {
            commune: commune.clone(),
            name: name.clone(),
            month,
            due_date,
            current: Some(view(st, &cal, &report, name)),
            prefill: None,
        });
    }
    let before = super::file_report::carried_reports(conn, &topology, commune, month, &[])?;
    let previous: Vec<&Values> = before.iter().map(|f| &f.values).collect();
    let mut values = Values::new();
    if let Some(n) = expected_carry_over(&previous) {
        values.insert(cchc_domain::dossier_figures::CARRIED_OVER.to_owned(), cchc_domain::Value::Count(n));
    }
    let last = month.previous();
    let narrative = reports::get(conn, commune, last.into())?
        .filter(|r| r.status.counts())
        .map(|r| r.form.narrative)
        .unwrap_or_default();
    Ok(FormStart {
        commune: commune.clone(),
        name,
        month,
        due_date,
        current: None,
        prefill: Some(Prefill { narrative, values }),
    })
}
