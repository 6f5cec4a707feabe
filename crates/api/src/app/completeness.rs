//! Completeness and timeliness below a unit: each commune that exists in a month of the period
//! is expected to report it; who reported, on time or late, and who is missing.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::completeness::{Completeness, Filing, completeness};
use cchc_domain::{Month, Period, Principal, UnitCode};
use cchc_persistence::{DbConnection, reports};

use super::UnitPeriod;
use crate::error::ApiResult;
use crate::export::{Cell, Table};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessView {
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    /// For a month: the day its report is due (configuration `CCHC_DUE_DAY`).
    pub due_date: Option<NaiveDate>,
    #[serde(flatten)]
    pub completeness: Completeness,
}

pub fn run(conn: &mut DbConnection, st: &AppState, caller: &Principal, q: &UnitPeriod) -> ApiResult<CompletenessView> {
    let (topology, unit) = super::unit_in_view(conn, st, caller, q)?;
    let (code, period) = (&q.code, q.period);
    let months: Vec<Month> = period.months().collect();
    let mut expected: Vec<(UnitCode, String, Month)> = Vec::new();
    for m in &months {
        let tree = topology.at(*m);
        if tree.contains(code) {
            expected.extend(tree.communes_below(Some(code)).into_iter().map(|n| (n.code.clone(), n.name.clone(), *m)));
        }
    }
    let codes: Vec<&UnitCode> = expected.iter().map(|(c, _, _)| c).collect::<HashSet<_>>().into_iter().collect();
    let filings: Vec<Filing> = reports::figures(conn, &months, Some(&codes))?
        .into_iter()
        .map(|f| Filing { unit: f.unit_code, month: f.period, status: f.status, submitted_at: f.submitted_at })
        .collect();
    let cal = st.calendar(conn, None)?;
    Ok(CompletenessView {
        unit_code: code.to_string(),
        unit_name: unit.name,
        period: period.to_string(),
        due_date: period.as_month().ok().map(|m| cal.due_date(&Period::Month(m))),
        completeness: completeness(&cal, &expected, &filings),
    })
}

/// Who is late and who is missing, as a spreadsheet table; the counts are in the title.
pub fn table(view: &CompletenessView) -> Table {
    let c = &view.completeness;
    let day = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let mut rows: Vec<Vec<Cell>> = c
        .late_reports
        .iter()
        .map(|l| {
            let at = l.submitted_at.map(|t| t.format("%d/%m/%Y %H:%M").to_string());
            vec![
                Cell::from(l.unit_code.to_string()),
                Cell::from(l.unit_name.clone()),
                Cell::from(l.period.clone()),
                Cell::from("Trễ hạn"),
                Cell::from(day(l.due_date)),
                Cell::from(at.unwrap_or_default()),
            ]
        })
        .collect();
    rows.extend(c.missing.iter().map(|m| {
        vec![
            Cell::from(m.unit_code.to_string()),
            Cell::from(m.unit_name.clone()),
            Cell::from(m.period.clone()),
            Cell::from(m.status.label_vi()),
            Cell::from(day(m.due_date)),
            Cell::from(""),
        ]
    }));
    Table {
        name: format!("tinh-hinh-bao-cao-{}-{}", view.unit_code, view.period),
        title: format!(
            "Tình hình báo cáo — {}, kỳ {}: {}/{} báo cáo, {} đúng hạn, {} trễ hạn, {} chưa báo cáo",
            view.unit_name, view.period, c.reported, c.expected, c.on_time, c.late, c.missing_count
        ),
        headers: ["Mã xã", "Tên xã", "Tháng", "Tình trạng", "Hạn nộp", "Gửi lúc"].map(String::from).to_vec(),
        rows,
    }
}
