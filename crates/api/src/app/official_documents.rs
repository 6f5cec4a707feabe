//! What the official documents are made of: the commune's report as its reader may see it
//! (the same access as `GET` of the report: scope, drafts for the commune and admins only) with
//! the district it reports to and who signs; the consolidated table and the completeness of a
//! unit for a period (the same use cases as their JSON routes) with the province and who signs.

use chrono::{NaiveDate, Utc};

use cchc_domain::period::to_vietnam_time;
use cchc_domain::report::{Narrative, ReportStatus};
use cchc_domain::{Month, UnitCode, Values};
use cchc_persistence::{DbConnection, units};

use super::UnitPeriod;
use super::completeness::{self, CompletenessView};
use super::consolidate::{self, ConsolidatedView};
use super::{read_report, signatory};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

pub struct CommuneDocument {
    pub unit_code: UnitCode,
    pub unit_name: String,
    pub month: Month,
    pub status: ReportStatus,
    pub values: Values,
    pub narrative: Narrative,
    /// The district (or province) the commune reports to, in the report's month.
    pub reports_to: Option<String>,
    /// The date on the document: the first submission's (Vietnam time), else today's.
    pub dated: NaiveDate,
    pub signatory: Option<String>,
}

pub fn commune(conn: &mut DbConnection, caller: &Caller, code: &UnitCode, month: Month) -> ApiResult<CommuneDocument> {
    let (report, unit_name) = read_report::load(conn, caller, code, month.into())?;
    let topology = units::topology_around(conn, code)?;
    let tree = topology.at(month);
    let reports_to = tree.get(code).and_then(|n| n.parent.as_ref()).and_then(|p| tree.get(p)).map(|p| p.name.clone());
    let dated = to_vietnam_time(report.submitted_at.unwrap_or_else(Utc::now)).date_naive();
    Ok(CommuneDocument {
        unit_code: code.clone(),
        unit_name,
        month,
        status: report.status,
        values: report.form.values,
        narrative: report.form.narrative,
        reports_to,
        dated,
        signatory: signatory::name_of(conn, code)?,
    })
}

pub struct ConsolidatedDocument {
    pub table: ConsolidatedView,
    pub completeness: CompletenessView,
    /// The province above a district (for the recipients).
    pub province: Option<String>,
    pub dated: NaiveDate,
    pub signatory: Option<String>,
}

pub fn consolidated(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Caller,
    q: &UnitPeriod,
) -> ApiResult<ConsolidatedDocument> {
    let table = consolidate::run(conn, st, caller, q, None, None)?;
    let completeness = completeness::run(conn, st, caller, q)?;
    let topology = st.topology.get(conn, None)?;
    let tree = topology.at(q.period.last_month());
    let province =
        tree.province_of(&q.code).filter(|p| *p != q.code).and_then(|p| tree.get(&p)).map(|n| n.name.clone());
    Ok(ConsolidatedDocument {
        table,
        completeness,
        province,
        dated: to_vietnam_time(Utc::now()).date_naive(),
        signatory: signatory::name_of(conn, &q.code)?,
    })
}
