//! The language of the field: administrative units and their codes, reporting periods, the
//! indicator catalog, a commune's monthly report, its validation and derived figures,
//! aggregation, and who may see what. Pure functions and types: no I/O.

pub mod access;
pub mod aggregation;
pub mod catalog;
pub mod derived;
pub mod dossiers;
pub mod findings;
pub mod hierarchy;
pub mod history;
pub mod period;
pub mod portal;
pub mod ranking;
pub mod report;
pub mod scoring;
pub mod seed;
pub mod synthetic;
pub mod timeliness;
pub mod units;
pub mod validation;
pub mod workflow;

pub use access::{Principal, Role};
pub use catalog::{Catalog, Indicator};
pub use findings::{Finding, Severity};
pub use period::{Month, Period, ReportingCalendar};
pub use report::{RawForm, ReportForm, ReportStatus, Value, Values};
pub use units::{UnitCode, UnitLevel};
