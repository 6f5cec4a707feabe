use serde_json::json;

use super::*;
use crate::aggregation::roll_up_months;
use crate::report::{Value, parse_form};
use crate::seed;

fn catalog() -> Catalog {
    Catalog::builtin()
}

fn values(j: serde_json::Value) -> Values {
    serde_json::from_value(j).unwrap()
}

/// A one-group scheme around a single criterion.
fn single(criterion: serde_json::Value) -> Result<Scheme, Vec<Finding>> {
    let max = criterion["max"].as_f64().unwrap();
    let def = json!({
        "code": "test", "name_vi": "Thử", "name_en": "Test", "max_score": max,
        "groups": [{"code": "g", "label_vi": "g", "label_en": "g", "max": max, "criteria": [criterion]}],
        "bands": [{"code": "good", "label_vi": "Tốt", "label_en": "Good", "min_score": max * 0.8},
                  {"code": "weak", "label_vi": "Yếu", "label_en": "Weak", "min_score": 0}]
    });
    Scheme::load(serde_json::from_value(def).unwrap(), &catalog())
}

fn ratio(extra: serde_json::Value) -> serde_json::Value {
    let mut c = json!({"code": "c", "label_vi": "c", "label_en": "c", "max": 10, "kind": "ratio",
        "numerator": "dossiers_resolved_early + dossiers_resolved_on_time", "denominator": "dossiers_resolved_total"});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn resolved(early: i64, on_time: i64, overdue: i64) -> Values {
    values(
        json!({"dossiers_resolved_early": early, "dossiers_resolved_on_time": on_time, "dossiers_resolved_overdue": overdue}),
    )
}

#[test]
fn the_builtin_scheme_scores_the_seed_report() {
    let cat = catalog();
    let scheme = Scheme::builtin(&cat);
    assert_eq!(scheme.code(), DEFAULT_SCHEME_CODE);
    let (form, _) = parse_form(&cat, &seed::dong_son_2024_06());
    let card = scheme.score(&form.values);
    // 20 × 167/168 + 10 + 2 + 4 + 4 + 10 + 15 + 5 + 30
    assert_eq!(round2(card.total), 99.88);
    assert_eq!(card.band.as_deref(), Some("excellent"));
    assert_eq!(card.missing_criteria, 0);
    let progress = card.criteria.iter().find(|c| c.code == "progress").unwrap();
    assert_eq!((progress.numerator, progress.denominator), (Some(167.0), Some(168.0)));
    assert_eq!(round2(progress.ratio.unwrap()), 99.40);
    assert_eq!(round2(progress.score.unwrap()), 19.88);
    assert_eq!(progress.max, 20.0);
    let groups: Vec<(String, f64)> = card.groups.iter().map(|g| (g.code.clone(), round2(g.score))).collect();
    assert_eq!(groups[0], ("procedures".into(), 39.88));
    assert_eq!(groups.iter().map(|g| g.1).sum::<f64>(), 99.88);
}

#[test]
fn higher_is_better_scales_linearly_up_to_the_threshold() {
    let plain = single(ratio(json!({}))).unwrap();
    assert_eq!(plain.score(&resolved(6, 2, 2)).total, 8.0, "80% of 10 points");
    let threshold = single(ratio(json!({"full_marks_at": 80}))).unwrap();
    assert_eq!(threshold.score(&resolved(6, 2, 2)).total, 10.0, "80% reaches the threshold");
    assert_eq!(threshold.score(&resolved(3, 1, 4)).total, 6.25, "50% of an 80% threshold");
}

#[test]
fn lower_is_better_inverts_and_honours_its_threshold() {
    let overdue = |extra: serde_json::Value| {
        let mut c = ratio(extra);
        c["numerator"] = json!("dossiers_resolved_overdue");
        c["polarity"] = json!("lower_is_better");
        single(c).unwrap()
    };
    let strict = overdue(json!({}));
    assert_eq!(strict.score(&resolved(10, 0, 0)).total, 10.0, "no overdue: full marks");
    assert_eq!(strict.score(&resolved(7, 0, 3)).total, 7.0, "30% overdue loses 30%");
    let tolerant = overdue(json!({"full_marks_at": 10}));
    assert_eq!(tolerant.score(&resolved(9, 0, 1)).total, 10.0, "at the 10% threshold");
    assert_eq!(round2(tolerant.score(&resolved(7, 0, 3)).total), 7.78, "(100-30)/(100-10)");
    assert_eq!(tolerant.score(&resolved(0, 0, 5)).total, 0.0);
}

#[test]
fn zero_denominators_earn_what_the_scheme_says() {
    let none = resolved(0, 0, 0);
    let full = single(ratio(json!({"zero_denominator": "full"}))).unwrap().score(&none);
    assert_eq!((full.total, full.criteria[0].status), (10.0, CriterionStatus::ZeroDenominator));
    let zero = single(ratio(json!({"zero_denominator": "zero"}))).unwrap().score(&none);
    assert_eq!(zero.total, 0.0);
    assert_eq!(zero.criteria[0].ratio, None);

    // Skipping leaves the criterion out and rescales the rest to the scheme's maximum.
    let def = json!({
        "code": "two", "name_vi": "x", "name_en": "x", "max_score": 20, "bands": [],
        "groups": [{"code": "g", "label_vi": "g", "label_en": "g", "max": 20, "criteria": [
            ratio(json!({"code": "a", "zero_denominator": "skip"})),
            {"code": "b", "label_vi": "b", "label_en": "b", "max": 10, "kind": "yes_no", "indicator": "iso_9001_applied"}
        ]}]
    });
    let scheme = Scheme::load(serde_json::from_value(def).unwrap(), &catalog()).unwrap();
    let mut v = resolved(0, 0, 0);
    v.insert("iso_9001_applied".into(), Value::Flag(true));
    let card = scheme.score(&v);
    assert_eq!(card.criteria[0].status, CriterionStatus::Skipped);
    assert_eq!(card.criteria[0].score, None);
    assert_eq!(card.total, 20.0, "10 of the 10 points that count, rescaled to 20");
}

/// The seed report with some of its figures replaced.
fn seed_with(changes: serde_json::Value) -> Values {
    let mut raw = seed::dong_son_2024_06();
    for (k, v) in changes.as_object().unwrap() {
        raw.values.insert(k.clone(), v.clone());
    }
    let (form, findings) = parse_form(&catalog(), &raw);
    assert!(findings.is_empty(), "{findings:?}");
    form.values
}

fn criterion<'a>(card: &'a ScoreCard, code: &str) -> &'a CriterionScore {
    card.criteria.iter().find(|c| c.code == code).unwrap()
}

#[test]
fn zero_civil_servants_leave_every_criterion_over_them_not_judged() {
    let scheme = Scheme::builtin(&catalog());
    let card = scheme.score(&seed_with(json!({
        "civil_servants": 0, "civil_servants_meeting_standard": 0,
        "civil_servants_university_degree": 0, "civil_servants_political_theory_intermediate": 0
    })));
    for (code, max) in [("standard_civil_servants", 8.0), ("university_degree", 4.0), ("political_theory", 3.0)] {
        let c = criterion(&card, code);
        assert_eq!(
            (c.status, c.score, c.ratio, c.max),
            (CriterionStatus::NotJudged, Some(0.0), None, max),
            "{code} earns none of its {max} points"
        );
    }
    assert_eq!(card.not_judged_criteria, 3);
    assert_eq!(card.missing_criteria, 0);
    // The seed's 99.88 less the 15 points of the civil-service group; the maximum stays 100.
    assert_eq!(round2(card.total), 84.88);
    assert_eq!(card.max, 100.0);
    assert_eq!(card.groups[2].code, "civil_service");
    assert_eq!(card.groups[2].score, 0.0);
}

#[test]
fn an_all_zero_dossier_month_scores_below_the_seed() {
    let scheme = Scheme::builtin(&catalog());
    let zeros = json!({
        "dossiers_carried_over": 0, "dossiers_received_online": 0, "dossiers_received_direct": 0,
        "dossiers_resolved_early": 0, "dossiers_resolved_on_time": 0, "dossiers_resolved_overdue": 0,
        "dossiers_pending_within_deadline": 0, "dossiers_pending_overdue": 0
    });
    let card = scheme.score(&seed_with(zeros));
    let progress = criterion(&card, "progress");
    assert_eq!((progress.status, progress.score, progress.max), (CriterionStatus::NotJudged, Some(0.0), 20.0));
    let online = criterion(&card, "online_share");
    assert_eq!((online.status, online.score, online.max), (CriterionStatus::NotJudged, Some(0.0), 10.0));
    // No pending dossiers: none overdue, full marks where the scheme says so.
    let pending = criterion(&card, "pending_overdue");
    assert_eq!((pending.status, pending.score), (CriterionStatus::ZeroDenominator, Some(2.0)));
    // 100 − 20 − 10 = 70.00, not the 100.00 it earned when missing data paid.
    assert_eq!(round2(card.total), 70.0);
    assert_eq!(card.not_judged_criteria, 2);
    assert_eq!(card.band.as_deref(), Some("fair"));
}

#[test]
fn not_judged_is_the_default_for_a_zero_denominator() {
    let scheme = single(ratio(json!({}))).unwrap();
    let card = scheme.score(&resolved(0, 0, 0));
    assert_eq!(card.criteria[0].status, CriterionStatus::NotJudged);
    assert_eq!((card.total, card.max), (0.0, 10.0));
    let stated = single(ratio(json!({"zero_denominator": "not_judged"}))).unwrap();
    assert_eq!(stated.definition.groups[0].criteria[0].zero_denominator, ZeroDenominator::NotJudged);
    assert_eq!(serde_json::to_value(CriterionStatus::NotJudged).unwrap(), "not_judged");
}

#[test]
fn missing_data_earns_nothing_and_is_counted() {
    let scheme = single(ratio(json!({}))).unwrap();
    let card = scheme.score(&values(json!({"dossiers_resolved_early": 5})));
    assert_eq!(card.total, 0.0);
    assert_eq!(card.criteria[0].status, CriterionStatus::Missing);
    assert_eq!(card.missing_criteria, 1);
    let builtin = Scheme::builtin(&catalog()).score(&Values::new());
    assert_eq!(builtin.total, 0.0);
    assert_eq!(builtin.missing_criteria, 17);
    assert_eq!(builtin.band.as_deref(), Some("weak"));
}

#[test]
fn yes_no_and_target_criteria() {
    let yes = single(json!({"code": "iso", "label_vi": "x", "label_en": "x", "max": 5, "kind": "yes_no", "indicator": "iso_9001_applied"})).unwrap();
    assert_eq!(yes.score(&values(json!({"iso_9001_applied": true}))).total, 5.0);
    assert_eq!(yes.score(&values(json!({"iso_9001_applied": false}))).total, 0.0);
    let target = single(json!({"code": "sig", "label_vi": "x", "label_en": "x", "max": 8, "kind": "target",
        "value": "documents_digitally_signed_rate", "target": 100, "full_marks_at": 90}))
    .unwrap();
    assert_eq!(target.score(&values(json!({"documents_digitally_signed_rate": 72.0}))).total, 6.4, "72/90 of 8");
    assert_eq!(target.score(&values(json!({"documents_digitally_signed_rate": 95.0}))).total, 8.0);
}

#[test]
fn bands_are_compared_at_two_decimals() {
    let scheme = single(ratio(json!({}))).unwrap(); // good ≥ 8, weak ≥ 0
    assert_eq!(scheme.band(8.0).as_deref(), Some("good"));
    assert_eq!(scheme.band(7.996).as_deref(), Some("good"), "7.996 shows as 8.00");
    assert_eq!(scheme.band(7.994).as_deref(), Some("weak"));
}

#[test]
fn a_quarter_is_scored_from_summed_figures_not_averaged_scores() {
    let cat = catalog();
    let scheme = single(ratio(json!({}))).unwrap();
    let april = resolved(1, 0, 1); // 50% → 5 points
    let may = resolved(98, 0, 0); // 100% → 10 points
    let mean_of_scores = (scheme.score(&april).total + scheme.score(&may).total) / 2.0;
    assert_eq!(mean_of_scores, 7.5);
    let quarter = roll_up_months(&cat, &[("2024-04".parse().unwrap(), &april), ("2024-05".parse().unwrap(), &may)]);
    assert_eq!(scheme.score(&quarter).total, 9.9, "99 of 100 resolved on time");
}

fn problems(def: serde_json::Value) -> Vec<(String, String)> {
    match Scheme::load(serde_json::from_value(def).unwrap(), &catalog()) {
        Ok(_) => panic!("the scheme should be refused"),
        Err(f) => f.into_iter().map(|f| (f.path.unwrap_or_default(), f.message_en)).collect(),
    }
}

fn base() -> serde_json::Value {
    json!({"code": "bad", "name_vi": "x", "name_en": "x", "max_score": 10, "bands": [],
        "groups": [{"code": "g", "label_vi": "g", "label_en": "g", "max": 10, "criteria": [ratio(json!({}))]}]})
}

#[test]
fn unknown_codes_are_refused_with_their_names() {
    let mut d = base();
    d["groups"][0]["criteria"][0]["numerator"] = json!("dossiers_resolved_early + dosiers_typo");
    let p = problems(d);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, "/groups/0/criteria/0/numerator");
    assert!(p[0].1.contains("neither indicators nor derived figures: dosiers_typo"), "{}", p[0].1);
}

#[test]
fn malformed_formulas_are_refused() {
    let mut d = base();
    d["groups"][0]["criteria"][0]["denominator"] = json!("(dossiers_resolved_total");
    assert_eq!(
        problems(d),
        vec![(
            "/groups/0/criteria/0/denominator".into(),
            "formula `(dossiers_resolved_total`: `)` was expected at character 25".into()
        )]
    );
    let mut d = base();
    d["groups"][0]["criteria"][0]["numerator"] = json!("exp(dossiers_resolved_total)");
    assert!(problems(d)[0].1.contains("unknown function `exp`"));
}

#[test]
fn maxima_that_do_not_add_up_are_refused() {
    let mut d = base();
    d["groups"][0]["max"] = json!(12);
    let p = problems(d);
    assert!(
        p.iter()
            .any(|(path, m)| path == "/max_score"
                && m == "the groups' maxima add up to 12, not the scheme's max_score 10"),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|(path, m)| path == "/groups/0/max" && m == "the criteria of group `g` add up to 10, not its max 12"),
        "{p:?}"
    );
}

#[test]
fn other_malformed_schemes_are_refused() {
    let mut d = base();
    d["groups"][0]["criteria"][0] =
        json!({"code": "c", "label_vi": "c", "label_en": "c", "max": 10, "kind": "yes_no", "indicator": "computers"});
    assert_eq!(problems(d)[0].1, "`computers` is not a yes/no indicator of the catalog");
    let mut d = base();
    d["groups"][0]["criteria"][0] =
        json!({"code": "c", "label_vi": "c", "label_en": "c", "max": 10, "kind": "target", "value": "computers"});
    assert_eq!(problems(d)[0].1, "a target criterion needs a positive `target`");
    let mut d = base();
    d["groups"][0]["criteria"][0]["full_marks_at"] = json!(120);
    assert_eq!(problems(d)[0].1, "criterion `c`: full_marks_at must be between 0 and 100");
    let mut d = base();
    d["bands"] = json!([{"code": "top", "label_vi": "x", "label_en": "x", "min_score": 11}]);
    assert_eq!(problems(d)[0].1, "band `top`: min_score must be between 0 and max_score");
    let mut d = base();
    d["code"] = json!("Bad Code");
    assert!(problems(d)[0].1.starts_with("scheme code `Bad Code`"));
    let mut d = base();
    d["valid_from"] = json!("2025-01");
    d["valid_to"] = json!("2024-12");
    assert_eq!(problems(d)[0].1, "valid_from 2025-01 is after valid_to 2024-12");
    let mut d = base();
    d["groups"][0]["criteria"] = json!([ratio(json!({"max": 5})), ratio(json!({"max": 5}))]);
    assert_eq!(problems(d)[0].1, "criterion code `c` is malformed or repeated");
    assert!(
        Scheme::from_json("{\"code\": 1}", &catalog()).unwrap_err()[0]
            .message_en
            .starts_with("the scheme is not valid JSON")
    );
}

#[test]
fn validity_periods() {
    let mut d = base();
    d["valid_from"] = json!("2025-07");
    let s = Scheme::load(serde_json::from_value(d).unwrap(), &catalog()).unwrap();
    assert!(!s.applies_to("2025-06".parse().unwrap()));
    assert!(s.applies_to("2026-01".parse().unwrap()));
}
