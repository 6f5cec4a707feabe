//! Synthetic but plausible commune figures: identity-consistent dossier flows month to month
//! (carried over = last month's pending), staffing, digital-government rates, yes/no answers —
//! with communes of varied size and quality. Deterministic for a given seed. Used by the demo,
//! `cchc generate`, tests and benchmarks.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dossier_figures::*;
use crate::report::{Value, Values};

pub type SeededRng = ChaCha8Rng;

pub fn rng(seed: u64) -> SeededRng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// What kind of commune this is: how busy, how digital, how punctual.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// Mean new dossiers a month.
    pub volume: f64,
    /// Share of new dossiers received online.
    pub online_share: f64,
    /// 0 (struggling) to 1 (exemplary): drives punctuality, digital rates and yes/no answers.
    pub quality: f64,
    pub staff_total: i64,
    pub civil_servants: i64,
}

impl Profile {
    pub fn random(rng: &mut impl Rng) -> Profile {
        let quality: f64 = rng.random_range(0.35..1.0);
        let civil_servants = rng.random_range(7..=13);
        Profile {
            volume: rng.random_range(15.0..260.0),
            online_share: (quality * rng.random_range(0.6..1.05)).clamp(0.2, 1.0),
            quality,
            staff_total: civil_servants + rng.random_range(8..=14),
            civil_servants,
        }
    }
}

fn jitter(rng: &mut impl Rng, mean: f64) -> i64 {
    (mean * rng.random_range(0.75..1.25)).round().max(0.0) as i64
}

fn share(rng: &mut impl Rng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

fn rate(rng: &mut impl Rng, quality: f64, floor: f64) -> Value {
    let x = floor + (100.0 - floor) * (quality * rng.random_range(0.85..1.1)).min(1.0);
    Value::Number((x.clamp(0.0, 100.0) * 10.0).round() / 10.0)
}

/// One month of figures for a commune, given the dossiers still pending from last month.
/// Every Biểu 06 identity holds.
pub fn month(profile: &Profile, carried_over: i64, rng: &mut impl Rng) -> Values {
    let q = profile.quality;
    let new = jitter(rng, profile.volume);
    let online =
        ((new as f64) * profile.online_share * rng.random_range(0.95..1.05)).round().clamp(0.0, new as f64) as i64;
    let direct = new - online;
    let total = carried_over + new;
    let pending = ((total as f64) * rng.random_range(0.0..0.06)).round() as i64;
    let pending_overdue = ((pending as f64) * (1.0 - q) * rng.random_range(0.0..0.8)).round() as i64;
    let resolved = total - pending;
    let overdue = ((resolved as f64) * (1.0 - q) * rng.random_range(0.0..0.12)).round() as i64;
    let early = (((resolved - overdue) as f64) * rng.random_range(0.6..0.9)).round() as i64;
    let on_time = resolved - overdue - early;

    let cs = profile.civil_servants;
    let mut v = Values::new();
    let mut count = |k: &str, n: i64| {
        v.insert(k.to_owned(), Value::Count(n));
    };
    count(CARRIED_OVER, carried_over);
    count(RECEIVED_ONLINE, online);
    count(RECEIVED_DIRECT, direct);
    count(RESOLVED_EARLY, early);
    count(RESOLVED_ON_TIME, on_time);
    count(RESOLVED_OVERDUE, overdue);
    count(PENDING_WITHIN, pending - pending_overdue);
    count(PENDING_OVERDUE, pending_overdue);
    count("regulation_feedback_received", i64::from(share(rng, 0.15)));
    count("legal_documents_issued", i64::from(share(rng, 0.1)));
    count("committee_chairs", 1);
    count("committee_vice_chairs", rng.random_range(1..=2));
    count("committee_members", 2);
    count("civil_servant_titles", 7);
    count("staff_total", profile.staff_total);
    count("civil_servants", cs);
    count("civil_servants_meeting_standard", cs - i64::from(q < 0.6 && share(rng, 0.5)));
    count("civil_servants_university_degree", (cs as f64 * (0.6 + 0.4 * q)).round() as i64);
    count("civil_servants_political_theory_intermediate", (cs as f64 * (0.4 + 0.5 * q)).round() as i64);
    count("training_courses_attended", rng.random_range(0..=2));
    count("computers", profile.staff_total - rng.random_range(0..=3));
    count("one_stop_allowance_vnd", if share(rng, 0.7) { 250_000 } else { 200_000 });
    for flag in [
        "par_plan_issued",
        "par_communication_plan_issued",
        "par_inspection_plan_issued",
        "procedures_publicly_posted",
        "internal_spending_rules_issued",
        "iso_9001_applied",
        "online_services_level_3_4",
    ] {
        v.insert(flag.to_owned(), Value::Flag(share(rng, 0.55 + 0.45 * q)));
    }
    v.insert("satisfaction_survey_conducted".into(), Value::Flag(share(rng, 0.3 + 0.6 * q)));
    v.insert("documents_digitally_signed_rate".into(), rate(rng, q, 60.0));
    v.insert("edocs_incoming_rate".into(), rate(rng, q, 70.0));
    v.insert("edocs_outgoing_rate".into(), rate(rng, q, 50.0));
    v.insert("edocs_exchange_rate".into(), rate(rng, q, 60.0));
    v.insert("computers_internet_rate".into(), Value::Number(100.0));
    v.insert("computers_antivirus_rate".into(), rate(rng, q, 70.0));
    v.insert("official_email_use_rate".into(), rate(rng, q, 70.0));
    v.insert("one_stop_room_area_m2".into(), Value::Number(f64::from(rng.random_range(20..=60))));
    v
}

/// Dossiers still pending at the end of a month: next month's carry-over.
pub fn pending_end(values: &Values) -> i64 {
    [PENDING_WITHIN, PENDING_OVERDUE].iter().filter_map(|c| values.get(*c)).map(|v| v.as_f64() as i64).sum()
}

/// Consecutive months for one commune, each carrying over the previous month's pending.
pub fn history(profile: &Profile, months: usize, rng: &mut impl Rng) -> Vec<Values> {
    let mut carried = rng.random_range(0..=5);
    let mut out = Vec::with_capacity(months);
    for _ in 0..months {
        let v = month(profile, carried, rng);
        carried = pending_end(&v);
        out.push(v);
    }
    out
}

/// Resolves every pending dossier on time, so that the next month starts with nothing carried
/// over (as the seed report's June does). Identities still hold.
pub fn close_pending(values: &mut Values) {
    let pending = pending_end(values);
    let on_time = values.get(RESOLVED_ON_TIME).map(|v| v.as_f64() as i64).unwrap_or(0);
    values.insert(RESOLVED_ON_TIME.into(), Value::Count(on_time + pending));
    values.insert(PENDING_WITHIN.into(), Value::Count(0));
    values.insert(PENDING_OVERDUE.into(), Value::Count(0));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::findings::has_errors;
    use crate::report::{RawForm, parse_form};
    use crate::validation::check_values;

    #[test]
    fn generated_months_are_valid_and_chain() {
        let cat = Catalog::builtin();
        let mut r = rng(7);
        for _ in 0..50 {
            let p = Profile::random(&mut r);
            let months = history(&p, 12, &mut r);
            for pair in months.windows(2) {
                assert_eq!(pair[1][CARRIED_OVER], Value::Count(pending_end(&pair[0])));
            }
            for m in &months {
                let raw = RawForm {
                    values: m.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap())).collect(),
                    narrative: Default::default(),
                };
                let (form, parse) = parse_form(&cat, &raw);
                assert!(parse.is_empty(), "{parse:?}");
                let findings = check_values(&cat, &form.values);
                assert!(!has_errors(&findings), "{findings:?}");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_figures() {
        let a = history(&Profile::random(&mut rng(1)), 3, &mut rng(2));
        let b = history(&Profile::random(&mut rng(1)), 3, &mut rng(2));
        assert_eq!(a, b);
    }

    #[test]
    fn closing_pending_keeps_identities() {
        let mut v = month(&Profile::random(&mut rng(3)), 4, &mut rng(4));
        close_pending(&mut v);
        assert_eq!(pending_end(&v), 0);
        assert!(!has_errors(&check_values(&Catalog::builtin(), &v)));
    }
}
