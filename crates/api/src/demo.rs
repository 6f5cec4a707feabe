//! `cchc serve --demo`: a demonstration province — Tỉnh Bắc Giang with Huyện Yên Thế and
//! Huyện Tân Yên, 20 communes, a year of plausible history (July 2023 – June 2024), the seed
//! commune Xã Đông Sơn with its real June 2024 report, and one user per role.
//!
//! Every code and name is the statistics office's (the list before the 2025 reform; see
//! `docs/decisions.md`), ten of Yên Thế's communes and ten of Tân Yên's. Reports are written through the same revision builder
//! as filings (`app::revision`), as their communes, without audit entries or feed items.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use rand::Rng;

use cchc_domain::accounts::Username;
use cchc_domain::hierarchy::UnitVersion;
use cchc_domain::report::ReportStatus;
use cchc_domain::synthetic::{self, Profile, close_pending};
use cchc_domain::validation::validate;
use cchc_domain::workflow::Action;
use cchc_domain::{Month, RawForm, Role, UnitCode, UnitLevel, seed};
use cchc_persistence::reports;
use cchc_persistence::{DbConnection, units, users};

use crate::app::revision::{self, Author, Revision};
use crate::auth::hash_password;
use crate::error::{AppError, internal};
use crate::state::AppState;

pub struct DemoUser {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub unit: Option<&'static str>,
}

pub const USERS: &[DemoUser] = &[
    DemoUser { username: "admin", password: "demo-admin", role: Role::Admin, unit: None },
    DemoUser { username: "bacgiang", password: "demo-province", role: Role::Province, unit: Some("24") },
    DemoUser { username: "yenthe", password: "demo-district", role: Role::District, unit: Some("215") },
    DemoUser { username: "dongson", password: "demo-commune", role: Role::Commune, unit: Some("07273") },
];

const YEN_THE: &[(&str, &str)] = &[
    ("07243", "Xã Đồng Tiến"),
    ("07246", "Xã Canh Nậu"),
    ("07249", "Xã Xuân Lương"),
    ("07252", "Xã Tam Tiến"),
    ("07255", "Xã Đồng Vương"),
    ("07258", "Xã Đồng Hưu"),
    ("07273", "Xã Đông Sơn"),
    ("07279", "Xã Hương Vĩ"),
    ("07288", "Thị trấn Phồn Xương"),
    ("07294", "Thị trấn Bố Hạ"),
];

const TAN_YEN: &[(&str, &str)] = &[
    ("07330", "Xã Hợp Đức"),
    ("07333", "Xã Lam Cốt"),
    ("07336", "Xã Cao Xá"),
    ("07339", "Thị trấn Cao Thượng"),
    ("07345", "Xã Song Vân"),
    ("07348", "Xã Ngọc Châu"),
    ("07351", "Xã Ngọc Vân"),
    ("07354", "Xã Việt Lập"),
    ("07357", "Xã Liên Chung"),
    ("07360", "Xã Ngọc Thiện"),
];

/// Communes that have not filed June 2024, so completeness and rankings show who is missing.
const MISSING_JUNE: &[&str] = &["07255", "07348"];
/// A commune whose June 2024 report is still a draft.
const DRAFT_JUNE: &str = "07360";

pub const FIRST_MONTH: &str = "2023-07";
pub const LAST_MONTH: &str = "2024-06";

fn code(s: &str) -> UnitCode {
    UnitCode::parse(s).expect("demo codes are valid")
}

fn version(c: &str, name: &str, parent: Option<&str>) -> UnitVersion {
    UnitVersion::lasting(code(c), name, parent.map(code))
}

/// A submission time a few days either side of the due date, at office hours in Vietnam.
fn submitted_at(month: Month, rng: &mut impl Rng) -> DateTime<Utc> {
    let day = rng.random_range(10..=18);
    let local = month
        .day(day)
        .and_time(NaiveTime::from_hms_opt(rng.random_range(8..=16), rng.random_range(0..60), 0).expect("valid time"));
    cchc_domain::period::vietnam_offset()
        .from_local_datetime(&local)
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

/// One demo report to file.
struct Filing<'a> {
    unit: &'a UnitCode,
    month: Month,
    raw: RawForm,
    status: ReportStatus,
    at: DateTime<Utc>,
    actor: &'a str,
}

fn store(conn: &mut DbConnection, state: &AppState, f: Filing<'_>) -> Result<(), AppError> {
    let validated = validate(&state.catalog, &f.raw);
    if validated.has_errors() {
        return Err(internal(format!("demo data for {} {} is invalid: {:?}", f.unit, f.month, validated.findings)));
    }
    let province = code(seed::PROVINCE_CODE);
    reports::write(conn, f.unit, f.month.into(), f.at, |c, current| -> Result<_, AppError> {
        let r = Revision {
            commune: f.unit,
            period: f.month.into(),
            province: Some(&province),
            action: Action::of_put(f.status == ReportStatus::Draft),
            status: f.status,
            form: validated.form.clone(),
            findings: validated.findings.clone(),
            reason: None,
            details: serde_json::Value::Null,
        };
        revision::build(c, state, current, &Author::Loader { subject: f.actor }, r)
    })?;
    Ok(())
}

fn raw(values: &cchc_domain::Values) -> RawForm {
    RawForm {
        values: values.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default())).collect(),
        narrative: Default::default(),
    }
}

/// Loads the demonstration data unless the province is already there. Returns whether it loaded.
pub fn load(state: &AppState) -> Result<bool, AppError> {
    let mut conn = state.db.conn()?;
    if units::exists(&mut conn, &code(seed::PROVINCE_CODE))? {
        return Ok(false);
    }
    let now = Utc::now();
    units::create(&mut conn, &version(seed::PROVINCE_CODE, seed::PROVINCE_NAME, None), now)?;
    units::create(&mut conn, &version(seed::DISTRICT_CODE, seed::DISTRICT_NAME, Some(seed::PROVINCE_CODE)), now)?;
    units::create(&mut conn, &version("216", "Huyện Tân Yên", Some(seed::PROVINCE_CODE)), now)?;
    for (district, communes) in [(seed::DISTRICT_CODE, YEN_THE), ("216", TAN_YEN)] {
        for (c, name) in communes {
            units::create(&mut conn, &version(c, name, Some(district)), now)?;
        }
    }

    let first: Month = FIRST_MONTH.parse().expect("valid month");
    let last: Month = LAST_MONTH.parse().expect("valid month");
    let months = (last.index() - first.index() + 1) as usize;
    let mut rng = synthetic::rng(20_240_601);
    for (c, _) in YEN_THE.iter().chain(TAN_YEN) {
        let unit = code(c);
        let profile = Profile::random(&mut rng);
        let mut history = synthetic::history(&profile, months, &mut rng);
        if *c == seed::COMMUNE_CODE {
            // June's report says nothing was carried over from May.
            close_pending(&mut history[months - 2]);
        }
        for (i, values) in history.iter().enumerate() {
            let month = first.plus(i as i64);
            let at = submitted_at(month, &mut rng);
            let actor = format!("ubnd-{c}");
            let (raw, status) = match (month == last, *c) {
                (true, c) if MISSING_JUNE.contains(&c) => continue,
                (true, seed::COMMUNE_CODE) => (seed::dong_son_2024_06(), ReportStatus::Submitted),
                (true, DRAFT_JUNE) => (raw(values), ReportStatus::Draft),
                _ => (raw(values), ReportStatus::Submitted),
            };
            store(&mut conn, state, Filing { unit: &unit, month, raw, status, at, actor: &actor })?;
        }
    }

    // Who signs the seed commune's report: its chair, as the seed report names him.
    let chair = crate::app::signatory::key(&code(seed::COMMUNE_CODE));
    cchc_persistence::settings::set(&mut conn, &chair, Some(seed::COMMUNE_CHAIR))?;
    for u in USERS {
        let hash = hash_password(u.password).map_err(internal)?;
        let unit = u.unit.map(code);
        let username = Username::parse(u.username).map_err(internal)?;
        users::create(
            &mut conn,
            &users::NewUser { username: &username, password_hash: &hash, role: u.role, unit_code: unit.as_ref() },
            now,
        )?;
    }
    Ok(true)
}

/// The demo's units, for tests and the README: (code, name, level).
pub fn communes() -> impl Iterator<Item = (&'static str, &'static str, UnitLevel)> {
    YEN_THE.iter().chain(TAN_YEN).map(|(c, n)| (*c, *n, UnitLevel::Commune))
}
