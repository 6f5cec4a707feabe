//! The language of the field: administrative units and their codes, reporting periods, the
//! indicator catalog, a commune's monthly report, its validation and derived figures,
//! aggregation, and who may see what. Pure functions and types: no I/O.

pub mod access;
pub mod accounts;
pub mod aggregation;
pub mod calendar;
pub mod catalog;
pub mod completeness;
pub mod data_entry;
pub mod derived;
pub mod dossier_figures;
pub mod feed;
pub mod findings;
pub mod hierarchy;
pub mod history;
pub mod legacy_report;
pub mod official_report;
pub mod period;
pub mod periodic_report;
pub mod portal;
pub mod ranking;
pub mod reconciliation;
pub mod report;
pub mod scoring;
pub mod seed;
pub mod synthetic;
pub mod text;
pub mod topology;
pub mod units;
pub mod validation;
pub mod workflow;

pub use access::{Denied, Principal, Role};
pub use calendar::{Calendar, WorkingCalendar};
pub use catalog::{Catalog, Indicator};
pub use findings::{Finding, Severity};
pub use period::{Month, Period, ReportingCalendar};
pub use report::{MonthFigures, RawForm, ReportForm, ReportStatus, Value, Values};
pub use topology::Topology;
pub use units::{UnitCode, UnitLevel, UnitName};
