//! `cchc generate`: synthetic provinces, districts and communes with official-length codes, and
//! months of identity-consistent reports of varied quality, loaded in bulk (and scored).

use std::time::Instant;

use chrono::{NaiveTime, TimeZone, Utc};
use rand::Rng;

use cchc_domain::hierarchy::UnitVersion;
use cchc_domain::period::vietnam_offset;
use cchc_domain::report::ReportStatus;
use cchc_domain::synthetic::{self, Profile};
use cchc_domain::validation::check_values;
use cchc_domain::{Month, UnitCode, UnitLevel};
use cchc_persistence::bulk::{self, BulkReport};
use cchc_persistence::{indicators, schemes};

use crate::app::apply_schemes::{SchemeCache, score_under};
use crate::app::this_month;
use crate::config::DatabaseArgs;
use crate::startup;

#[derive(clap::Args, Debug, Clone)]
pub struct GenerateArgs {
    /// How many communes.
    #[arg(long, default_value_t = 700)]
    pub communes: usize,
    /// How many months of reports per commune, ending with `--end`.
    #[arg(long, default_value_t = 24)]
    pub months: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The last month of reports (default: the previous month).
    #[arg(long)]
    pub end: Option<String>,
    /// Communes per district.
    #[arg(long, default_value_t = 30)]
    pub per_district: usize,
    /// Communes per province.
    #[arg(long, default_value_t = 700)]
    pub per_province: usize,
    /// Province codes start here (40–99 by default, clear of real codes used by the demo).
    #[arg(long, default_value_t = 40)]
    pub first_province: usize,
    /// Share of commune-months with no report.
    #[arg(long, default_value_t = 0.03)]
    pub missing: f64,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub struct Summary {
    pub provinces: usize,
    pub districts: usize,
    pub communes: usize,
    pub reports: usize,
    pub seconds: f64,
}

fn version(code: String, name: String, parent: Option<&UnitCode>) -> Result<UnitVersion, String> {
    Ok(UnitVersion::lasting(UnitCode::parse(&code).map_err(|e| e.to_string())?, name, parent.cloned()))
}

/// Every unit to create, and each commune with its province.
pub struct Plan {
    pub units: Vec<UnitVersion>,
    pub communes: Vec<(UnitCode, UnitCode)>,
}

/// The unit tree: provinces of `per_province` communes, districts of `per_district`.
pub fn plan_units(args: &GenerateArgs) -> Result<Plan, String> {
    let per_district = args.per_district.max(1);
    let districts_per_province = args.per_province.max(per_district).div_ceil(per_district);
    let districts = args.communes.div_ceil(per_district);
    let provinces = districts.div_ceil(districts_per_province);
    let first_district = args.first_province * 10;
    if args.first_province + provinces > 100 || first_district + districts > 1000 {
        return Err(format!(
            "{} communes need {provinces} provinces and {districts} districts: more than the codes from {} allow; lower --first-province or raise --per-district/--per-province",
            args.communes, args.first_province
        ));
    }
    let mut units = Vec::new();
    let mut communes = Vec::new();
    let mut province = None;
    let mut district = None;
    for i in 0..args.communes {
        let d = i / per_district;
        if i.is_multiple_of(per_district) {
            let p = d / districts_per_province;
            if d.is_multiple_of(districts_per_province) {
                let v = version(
                    format!("{:02}", args.first_province + p),
                    format!("Tỉnh Tổng Hợp {:02}", args.first_province + p),
                    None,
                )?;
                province = Some(v.code.clone());
                units.push(v);
            }
            let v = version(
                format!("{:03}", first_district + d),
                format!("Huyện Tổng Hợp {:03}", first_district + d),
                province.as_ref(),
            )?;
            district = Some(v.code.clone());
            units.push(v);
        }
        let c = version(
            format!("{:05}", args.first_province * 1000 + i),
            format!("Xã Tổng Hợp {:05}", args.first_province * 1000 + i),
            district.as_ref(),
        )?;
        if let Some(p) = &province {
            communes.push((c.code.clone(), p.clone()));
        }
        units.push(c);
    }
    Ok(Plan { units, communes })
}

pub fn run(args: &GenerateArgs) -> Result<Summary, String> {
    let started = Instant::now();
    let end: Month = match &args.end {
        Some(s) => s.parse().map_err(|e: cchc_domain::period::PeriodError| e.to_string())?,
        None => this_month().previous(),
    };
    let first = end.plus(1 - args.months as i64);
    let Plan { units, communes } = plan_units(args)?;
    let db = startup::open_database(&args.database).map_err(|e| e.to_string())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    if let Some(u) = units.first()
        && cchc_persistence::units::exists(&mut conn, &u.code).map_err(|e| e.to_string())?
    {
        return Err(format!(
            "unit {} already exists: generate into a fresh database, or choose another --first-province",
            u.code
        ));
    }
    let catalog = indicators::load(&mut conn).map_err(|e| e.to_string())?;
    let cache = SchemeCache::default();
    drop(conn);
    crate::app::add_scheme::seed_builtin(&db, &catalog).map_err(|e| e.to_string())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    bulk::insert_units(&mut conn, &units, Utc::now()).map_err(|e| e.to_string())?;
    let refs = schemes::refs(&mut conn).map_err(|e| e.to_string())?;

    let mut rng = synthetic::rng(args.seed);
    let mut batch: Vec<BulkReport> = Vec::with_capacity(2000);
    let mut reports = 0;
    for (commune, province) in &communes {
        let profile = Profile::random(&mut rng);
        for (i, values) in synthetic::history(&profile, args.months, &mut rng).into_iter().enumerate() {
            let month = first.plus(i as i64);
            let roll: f64 = rng.random();
            if roll < args.missing {
                continue;
            }
            let status = if roll < args.missing * 1.5 { ReportStatus::Draft } else { ReportStatus::Submitted };
            let local = month.day(rng.random_range(8..=20)).and_time(
                NaiveTime::from_hms_opt(rng.random_range(7..=17), rng.random_range(0..60), 0).unwrap_or_default(),
            );
            let submitted_at = vietnam_offset().from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc));
            let applicable = cchc_domain::scoring::applicable(&refs, month, Some(province));
            let scores = score_under(&mut conn, &cache, &catalog, &applicable, &values).map_err(|e| e.detail)?;
            batch.push(BulkReport {
                unit: commune.clone(),
                period: month,
                status,
                findings: check_values(&catalog, &values),
                submitted_at: if status == ReportStatus::Draft { None } else { submitted_at },
                values,
                actor: format!("generator-{commune}"),
                scores,
            });
            if batch.len() >= 2000 {
                reports += bulk::insert_reports(&mut conn, &batch, Utc::now()).map_err(|e| e.to_string())?;
                batch.clear();
            }
        }
    }
    reports += bulk::insert_reports(&mut conn, &batch, Utc::now()).map_err(|e| e.to_string())?;
    cchc_persistence::Database::analyze(&mut conn).map_err(|e| e.to_string())?;
    Ok(Summary {
        provinces: units.iter().filter(|u| u.level == UnitLevel::Province).count(),
        districts: units.iter().filter(|u| u.level == UnitLevel::District).count(),
        communes: communes.len(),
        reports,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(communes: usize) -> GenerateArgs {
        GenerateArgs {
            communes,
            months: 1,
            seed: 1,
            end: None,
            per_district: 30,
            per_province: 700,
            first_province: 40,
            missing: 0.0,
            database: DatabaseArgs { database_url: String::new(), db_pool_size: 1 },
        }
    }

    #[test]
    fn units_are_arranged_with_official_length_codes() {
        let Plan { units, communes } = plan_units(&args(1000)).unwrap();
        let count = |l| units.iter().filter(|u| u.level == l).count();
        assert_eq!((count(UnitLevel::Province), count(UnitLevel::District), count(UnitLevel::Commune)), (2, 34, 1000));
        assert_eq!(communes.len(), 1000);
        assert_eq!(communes[0].0.as_str(), "40000");
        assert_eq!(communes[999].1.as_str(), "41", "the second province holds communes 700–999");
        let district_of_last = units.iter().find(|u| u.code.as_str() == "40999").unwrap().parent.clone().unwrap();
        assert_eq!(district_of_last.as_str(), "433");
        assert!(plan_units(&args(40_000)).is_err(), "codes run out");
    }
}
