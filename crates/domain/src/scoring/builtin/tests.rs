//! The built-in schemes, and `qd766` criterion by criterion on the seed report (docs/scoring.md).

use serde_json::json;

use super::super::*;
use crate::report::{Value, parse_form};
use crate::seed;

fn seed_values(cat: &Catalog) -> Values {
    parse_form(cat, &seed::dong_son_2024_06()).0.values
}

/// `(status, numerator, denominator, ratio, score, max)` of one criterion, figures at two decimals.
type Row = (CriterionStatus, Option<f64>, Option<f64>, Option<f64>, Option<f64>, f64);

fn row(card: &ScoreCard, code: &str) -> Row {
    let c = card.criteria.iter().find(|c| c.code == code).unwrap_or_else(|| panic!("no criterion {code}"));
    let r = |x: Option<f64>| x.map(round2);
    (c.status, r(c.numerator), r(c.denominator), r(c.ratio), r(c.score), c.max)
}

fn groups(card: &ScoreCard) -> Vec<(&str, f64, f64)> {
    card.groups.iter().map(|g| (g.code.as_str(), round2(g.score), g.max)).collect()
}

use CriterionStatus::{Missing, NotJudged, Scored};

#[test]
fn every_builtin_scheme_loads_and_commune_par_stays_the_default() {
    let cat = Catalog::builtin();
    let codes: Vec<&str> = BUILTIN_SCHEMES.iter().map(|(code, _)| *code).collect();
    assert_eq!(codes, ["commune-par", "qd766"]);
    assert_eq!(BUILTIN_SCHEMES[0].0, DEFAULT_SCHEME_CODE);
    for (code, json) in BUILTIN_SCHEMES {
        let scheme = Scheme::from_json(json, &cat).unwrap_or_else(|e| panic!("{code}: {e:?}"));
        assert_eq!(scheme.code(), *code);
        assert_eq!(scheme.definition.version, Some(1));
    }
    // Without a name, a view uses commune-par, whatever else is stored.
    let refs = [
        SchemeRef { id: 1, code: "commune-par".into(), version: 1, owner: None, valid_from: None, valid_to: None },
        SchemeRef {
            id: 2,
            code: "qd766".into(),
            version: 1,
            owner: None,
            valid_from: Some("2022-08".parse().unwrap()),
            valid_to: None,
        },
    ];
    let june = "2024-06".parse().unwrap();
    assert_eq!(choose(&refs, None, june, |_| true).unwrap().id, 1);
    assert_eq!(choose(&refs, Some("qd766"), june, |_| true).unwrap().id, 2);
    // The index runs from August 2022: qd766 does not apply before.
    assert_eq!(
        choose(&refs, Some("qd766"), "2022-07".parse().unwrap(), |_| true),
        Err(SchemeError::NoneApplies { code: "qd766".into(), month: "2022-07".parse().unwrap() })
    );
}

#[test]
fn qd766_keeps_the_index_weights_of_its_six_groups() {
    let scheme = Scheme::builtin_qd766(&Catalog::builtin());
    let d = &scheme.definition;
    let weights: Vec<(&str, f64)> = d.groups.iter().map(|g| (g.code.as_str(), g.max)).collect();
    assert_eq!(
        weights,
        [
            ("publicity", 18.0),
            ("timeliness", 20.0),
            ("online_services", 12.0),
            ("online_payment", 10.0),
            ("satisfaction", 18.0),
            ("digitization", 22.0),
        ]
    );
    assert_eq!(d.max_score, 100.0);
    // 9 + 11 points no commune figure measures: a commune reaches at most 80.
    let not_scored: f64 =
        d.groups.iter().flat_map(|g| &g.criteria).filter(|c| c.kind == CriterionKind::NotScored).map(|c| c.max).sum();
    assert_eq!(not_scored, 20.0);
    assert_eq!(scheme.valid_from, Some("2022-08".parse().unwrap()));
}

#[test]
fn qd766_scores_the_seed_report_criterion_by_criterion() {
    let cat = Catalog::builtin();
    let card = Scheme::builtin_qd766(&cat).score(&seed_values(&cat));
    // Posted: yes → 9 of 9.
    assert_eq!(row(&card, "procedures_posted"), (Scored, Some(1.0), Some(1.0), Some(100.0), Some(9.0), 9.0));
    // Only the national portal measures it: 0 of 9, never full.
    assert_eq!(row(&card, "publicity_on_portal"), (NotJudged, None, None, None, Some(0.0), 9.0));
    // (132 + 33 + 2) / (0 + 168 + 0) = 99.40 %; 20 × 167/168 = 19.88.
    assert_eq!(row(&card, "progress"), (Scored, Some(167.0), Some(168.0), Some(99.4), Some(19.88), 20.0));
    // 168 / (168 + 0) = 100 % → 6 of 6.
    assert_eq!(row(&card, "online_share"), (Scored, Some(168.0), Some(168.0), Some(100.0), Some(6.0), 6.0));
    // The seed reports neither full nor partial online services (only the superseded "level 3, 4" yes).
    assert_eq!(row(&card, "full_online_services"), (Missing, None, None, None, Some(0.0), 6.0));
    // No count of dossiers paid online: 0 of 10 (the new dossiers, 168, are there).
    assert_eq!(row(&card, "paid_online"), (Missing, None, Some(168.0), None, Some(0.0), 10.0));
    // The report gives no satisfaction rate: 0 of 18.
    assert_eq!(row(&card, "satisfaction_rate"), (Missing, None, Some(100.0), None, Some(0.0), 18.0));
    // No count of digitised dossiers: 0 of 11; the other 11 are not scored.
    assert_eq!(row(&card, "dossiers_digitized"), (Missing, None, Some(168.0), None, Some(0.0), 11.0));
    assert_eq!(row(&card, "digital_results"), (NotJudged, None, None, None, Some(0.0), 11.0));
    // 9 + 19.880952 + 6 = 34.880952 → 34.88 of 100, below 50: weak.
    assert_eq!(round2(card.total), 34.88);
    assert_eq!(card.max, 100.0);
    assert_eq!(card.band.as_deref(), Some("weak"));
    assert_eq!((card.missing_criteria, card.not_judged_criteria), (4, 2));
    assert_eq!(
        groups(&card),
        [
            ("publicity", 9.0, 18.0),
            ("timeliness", 19.88, 20.0),
            ("online_services", 6.0, 12.0),
            ("online_payment", 0.0, 10.0),
            ("satisfaction", 0.0, 18.0),
            ("digitization", 0.0, 22.0),
        ]
    );
}

#[test]
fn qd766_scores_the_new_figures_when_a_commune_reports_them() {
    let cat = Catalog::builtin();
    let mut values = seed_values(&cat);
    for (code, v) in [
        ("online_services_full", Value::Count(12)),
        ("online_services_partial", Value::Count(4)),
        ("dossiers_paid_online", Value::Count(42)),
        ("satisfaction_rate", Value::Number(96.5)),
        ("dossiers_digitized", Value::Count(126)),
    ] {
        values.insert(code.into(), v);
    }
    let card = Scheme::builtin_qd766(&cat).score(&values);
    // 12 / (12 + 4) = 75 % → 6 × 0.75 = 4.5.
    assert_eq!(row(&card, "full_online_services"), (Scored, Some(12.0), Some(16.0), Some(75.0), Some(4.5), 6.0));
    // 42 / 168 = 25 % → 10 × 0.25 = 2.5.
    assert_eq!(row(&card, "paid_online"), (Scored, Some(42.0), Some(168.0), Some(25.0), Some(2.5), 10.0));
    // 96.5 against 100 → 18 × 0.965 = 17.37.
    assert_eq!(row(&card, "satisfaction_rate"), (Scored, Some(96.5), Some(100.0), Some(96.5), Some(17.37), 18.0));
    // 126 / 168 = 75 % → 11 × 0.75 = 8.25.
    assert_eq!(row(&card, "dossiers_digitized"), (Scored, Some(126.0), Some(168.0), Some(75.0), Some(8.25), 11.0));
    // The parts only the portal measures still earn nothing.
    assert_eq!(row(&card, "publicity_on_portal"), (NotJudged, None, None, None, Some(0.0), 9.0));
    assert_eq!(row(&card, "digital_results"), (NotJudged, None, None, None, Some(0.0), 11.0));
    // 34.880952 + 4.5 + 2.5 + 17.37 + 8.25 = 67.500952 → 67.50: average (50 to 70).
    assert_eq!(round2(card.total), 67.5);
    assert_eq!(card.band.as_deref(), Some("average"));
    assert_eq!((card.missing_criteria, card.not_judged_criteria), (0, 2));
}

#[test]
fn qd766_pays_nothing_for_a_month_without_dossiers() {
    let cat = Catalog::builtin();
    let mut values = seed_values(&cat);
    for code in [
        "dossiers_carried_over",
        "dossiers_received_online",
        "dossiers_received_direct",
        "dossiers_resolved_early",
        "dossiers_resolved_on_time",
        "dossiers_resolved_overdue",
        "dossiers_pending_within_deadline",
        "dossiers_pending_overdue",
        "dossiers_paid_online",
        "dossiers_digitized",
    ] {
        values.insert(code.into(), Value::Count(0));
    }
    let card = Scheme::builtin_qd766(&cat).score(&values);
    for (code, max) in [("progress", 20.0), ("online_share", 6.0), ("paid_online", 10.0), ("dossiers_digitized", 11.0)]
    {
        let (status, _, denominator, ratio, score, m) = row(&card, code);
        assert_eq!((status, denominator, ratio, score, m), (NotJudged, Some(0.0), None, Some(0.0), max), "{code}");
    }
    // Only the posted procedures count: 9.00.
    assert_eq!(round2(card.total), 9.0);
}

#[test]
fn a_not_scored_criterion_has_no_formula_and_is_never_judged() {
    let cat = Catalog::builtin();
    let def = |extra: serde_json::Value| {
        let mut c = json!({"code": "c", "label_vi": "c", "label_en": "c", "max": 10, "kind": "not_scored"});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        json!({"code": "t", "name_vi": "t", "name_en": "t", "max_score": 10,
            "groups": [{"code": "g", "label_vi": "g", "label_en": "g", "max": 10, "criteria": [c]}],
            "bands": [{"code": "weak", "label_vi": "Yếu", "label_en": "Weak", "min_score": 0}]})
    };
    let load = |j: serde_json::Value| Scheme::load(serde_json::from_value(j).unwrap(), &cat);
    let errors = load(def(json!({"numerator": "dossiers_digitized"}))).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path.as_deref(), Some("/groups/0/criteria/0/numerator"));
    assert_eq!(errors[0].message_en, "a not_scored criterion has no `numerator`: nothing is computed for it");
    let scheme = load(def(json!({}))).unwrap();
    let card = scheme.score(&seed_values(&cat));
    assert_eq!(row(&card, "c"), (NotJudged, None, None, None, Some(0.0), 10.0));
    assert_eq!((round2(card.total), card.not_judged_criteria), (0.0, 1));
    assert_eq!(serde_json::to_value(CriterionKind::NotScored).unwrap(), "not_scored");
}
