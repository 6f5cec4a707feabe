//! Scoring schemes as versioned data: groups of criteria, each with a maximum, a formula over
//! indicators (a ratio of two expressions, a yes/no answer, or a value against a target), a
//! polarity, a threshold at which full marks are reached and what a zero denominator earns; plus
//! classification bands. A scheme is checked when it is loaded; scoring a report is then a pure
//! function of its values.

mod builtin;
pub mod expr;
mod versions;

pub use builtin::{BUILTIN_SCHEMES, QD766_SCHEME_CODE, QD766_SCHEME_JSON};

pub use versions::{SchemeError, SchemeRef, applicable, choose, next_version};

use serde::{Deserialize, Serialize, Serializer};

use crate::catalog::{Catalog, IndicatorKind};
use crate::derived::{derive, derived_figure, round2};
use crate::findings::Finding;
use crate::period::Month;
use crate::report::Values;
use expr::Expr;

/// The built-in scheme for commune monthly data (see docs/scoring.md).
pub const DEFAULT_SCHEME_JSON: &str = include_str!("../../schemes/commune-par-v1.json");
pub const DEFAULT_SCHEME_CODE: &str = "commune-par";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// 100 × numerator / denominator, in percent.
    #[default]
    Ratio,
    /// Full marks for yes, none for no.
    YesNo,
    /// 100 × value / target, in percent.
    Target,
    /// A part of the scheme's source that no figure of a commune's report measures (only the
    /// national portal does): it has no formula, is always `not_judged` and earns 0 of its
    /// maximum, so that the scheme keeps the source's weights without paying for what it
    /// cannot see.
    NotScored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    #[default]
    HigherIsBetter,
    LowerIsBetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ZeroDenominator {
    /// Nothing to judge counts as meeting the goal, where the scheme says so: no pending
    /// dossiers means none is overdue.
    Full,
    /// Nothing to judge earns nothing (judged, as a zero).
    Zero,
    /// The criterion does not count; the total is rescaled over the criteria that do.
    Skip,
    /// The criterion cannot be judged (no civil servants to take a share of, no dossiers to
    /// be on time): it earns none of its points and the scheme's maximum stays. Missing data
    /// never earns points, so this is the default.
    #[default]
    NotJudged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CriterionDefinition {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    pub max: f64,
    /// Where the criterion comes from (a decision, a form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub kind: CriterionKind,
    /// For `ratio`: a formula over indicator and derived codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// For `yes_no`: a yes/no indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// For `target`: a formula, and the value that earns 100 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(default)]
    pub polarity: Polarity,
    /// The percentage at which full marks are reached (higher is better: at or above it; lower is
    /// better: at or below it). Defaults to 100 and 0 respectively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_marks_at: Option<f64>,
    #[serde(default)]
    pub zero_denominator: ZeroDenominator,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupDefinition {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    pub max: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub criteria: Vec<CriterionDefinition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BandDefinition {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    /// The lowest total (compared at two decimals) that earns this band.
    pub min_score: f64,
}

/// A scheme as authored and stored: JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SchemeDefinition {
    /// Lower-case letters, digits and hyphens, e.g. `commune-par`.
    pub code: String,
    /// Assigned on upload (the next after the latest); when sent, it must be that number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// First month the version applies to (`YYYY-MM`); from the beginning when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Last month the version applies to; open when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    pub max_score: f64,
    pub groups: Vec<GroupDefinition>,
    pub bands: Vec<BandDefinition>,
}

#[derive(Debug, Clone)]
enum Measure {
    Ratio { numerator: Expr, denominator: Expr },
    YesNo { indicator: String },
    Target { value: Expr, target: f64 },
    NotScored,
}

#[derive(Debug, Clone)]
struct Criterion {
    group: usize,
    index: usize,
    measure: Measure,
}

/// A checked scheme, ready to score reports.
#[derive(Debug, Clone)]
pub struct Scheme {
    pub definition: SchemeDefinition,
    pub valid_from: Option<Month>,
    pub valid_to: Option<Month>,
    criteria: Vec<Criterion>,
}

const EPSILON: f64 = 1e-6;

fn valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

struct Problems(Vec<Finding>);

impl Problems {
    fn add(&mut self, path: String, indicators: &[&str], vi: String, en: String) {
        self.0.push(Finding::error("invalid_scheme", indicators, vi, en).at(path));
    }

    fn formula(&mut self, catalog: &Catalog, path: String, text: Option<&str>, what: &str) -> Option<Expr> {
        let Some(text) = text else {
            self.add(
                path,
                &[],
                format!("Thiếu công thức `{what}`"),
                format!("`{what}` is required for this kind of criterion"),
            );
            return None;
        };
        match Expr::parse(text) {
            Err(e) => {
                self.add(path, &[], format!("Công thức sai: {e}"), e.to_string());
                None
            }
            Ok(expr) => {
                let unknown: Vec<&str> = expr
                    .variables()
                    .into_iter()
                    .filter(|v| !catalog.contains(v) && derived_figure(v).is_none())
                    .collect();
                if unknown.is_empty() {
                    Some(expr)
                } else {
                    self.add(
                        path,
                        &unknown,
                        format!("Công thức `{text}` dùng chỉ tiêu không có trong danh mục: {}", unknown.join(", ")),
                        format!(
                            "formula `{text}` uses codes that are neither indicators nor derived figures: {}",
                            unknown.join(", ")
                        ),
                    );
                    None
                }
            }
        }
    }
}

impl Scheme {
    /// Checks a definition against the catalog. Every problem is reported, each with a JSON
    /// pointer into the definition.
    pub fn load(definition: SchemeDefinition, catalog: &Catalog) -> Result<Scheme, Vec<Finding>> {
        let mut p = Problems(Vec::new());
        let d = &definition;
        if !valid_code(&d.code) {
            p.add(
                "/code".into(),
                &[],
                "Mã bộ tiêu chí phải gồm chữ thường, chữ số, dấu gạch".into(),
                format!("scheme code `{}` must be lower-case letters, digits and hyphens (at most 64)", d.code),
            );
        }
        // Every name and label is one line of text.
        if let Ok(tree) = serde_json::to_value(d) {
            let mut stack = vec![(String::new(), &tree)];
            while let Some((at, v)) = stack.pop() {
                match v {
                    serde_json::Value::String(text) if crate::text::check_line(&at, text).is_err() => p.add(
                        at.clone(),
                        &[],
                        format!("`{at}` chứa ký tự điều khiển"),
                        format!("`{at}` must not hold control characters"),
                    ),
                    serde_json::Value::Array(items) => {
                        stack.extend(items.iter().enumerate().map(|(i, x)| (format!("{at}/{i}"), x)))
                    }
                    serde_json::Value::Object(map) => stack.extend(map.iter().map(|(k, x)| (format!("{at}/{k}"), x))),
                    _ => {}
                }
            }
        }
        if d.name_vi.trim().is_empty() || d.name_en.trim().is_empty() {
            p.add(
                "/name_vi".into(),
                &[],
                "Cần tên tiếng Việt và tiếng Anh".into(),
                "name_vi and name_en are required".into(),
            );
        }
        let month = |s: &Option<String>, field: &str, p: &mut Problems| -> Option<Month> {
            s.as_deref().and_then(|s| match s.parse::<Month>() {
                Ok(m) => Some(m),
                Err(e) => {
                    p.add(format!("/{field}"), &[], format!("{field}: {e}"), format!("{field}: {e}"));
                    None
                }
            })
        };
        let valid_from = month(&d.valid_from, "valid_from", &mut p);
        let valid_to = month(&d.valid_to, "valid_to", &mut p);
        if let (Some(f), Some(t)) = (valid_from, valid_to)
            && f > t
        {
            p.add(
                "/valid_to".into(),
                &[],
                format!("valid_from {f} sau valid_to {t}"),
                format!("valid_from {f} is after valid_to {t}"),
            );
        }
        if !(d.max_score > 0.0 && d.max_score.is_finite()) {
            p.add("/max_score".into(), &[], "Điểm tối đa phải dương".into(), "max_score must be positive".into());
        }
        if d.groups.is_empty() {
            p.add(
                "/groups".into(),
                &[],
                "Cần ít nhất một nhóm tiêu chí".into(),
                "a scheme needs at least one group".into(),
            );
        }
        let group_sum: f64 = d.groups.iter().map(|g| g.max).sum();
        if (group_sum - d.max_score).abs() > EPSILON {
            p.add(
                "/max_score".into(),
                &[],
                format!("Tổng điểm tối đa các nhóm ({group_sum}) khác điểm tối đa của bộ tiêu chí ({})", d.max_score),
                format!("the groups' maxima add up to {group_sum}, not the scheme's max_score {}", d.max_score),
            );
        }
        let mut criteria = Vec::new();
        let mut codes: Vec<&str> = Vec::new();
        for (gi, g) in d.groups.iter().enumerate() {
            let gp = format!("/groups/{gi}");
            if !valid_code(&g.code) || codes.contains(&g.code.as_str()) {
                p.add(
                    format!("{gp}/code"),
                    &[],
                    format!("Mã nhóm `{}` không hợp lệ hoặc trùng", g.code),
                    format!("group code `{}` is malformed or repeated", g.code),
                );
            }
            codes.push(&g.code);
            if g.criteria.is_empty() {
                p.add(
                    format!("{gp}/criteria"),
                    &[],
                    "Nhóm cần ít nhất một tiêu chí".into(),
                    format!("group `{}` has no criteria", g.code),
                );
            }
            let sum: f64 = g.criteria.iter().map(|c| c.max).sum();
            if (sum - g.max).abs() > EPSILON {
                p.add(
                    format!("{gp}/max"),
                    &[],
                    format!(
                        "Tổng điểm các tiêu chí của nhóm `{}` ({sum}) khác điểm tối đa của nhóm ({})",
                        g.code, g.max
                    ),
                    format!("the criteria of group `{}` add up to {sum}, not its max {}", g.code, g.max),
                );
            }
            for (ci, c) in g.criteria.iter().enumerate() {
                let cp = format!("{gp}/criteria/{ci}");
                if !valid_code(&c.code) || codes.contains(&c.code.as_str()) {
                    p.add(
                        format!("{cp}/code"),
                        &[],
                        format!("Mã tiêu chí `{}` không hợp lệ hoặc trùng", c.code),
                        format!("criterion code `{}` is malformed or repeated", c.code),
                    );
                }
                codes.push(&c.code);
                if !(c.max > 0.0 && c.max.is_finite()) {
                    p.add(
                        format!("{cp}/max"),
                        &[],
                        "Điểm tối đa phải dương".into(),
                        format!("criterion `{}`: max must be positive", c.code),
                    );
                }
                match (c.polarity, c.full_marks_at) {
                    (_, Some(t)) if !(0.0..=100.0).contains(&t) => p.add(
                        format!("{cp}/full_marks_at"),
                        &[],
                        "Ngưỡng đạt điểm tối đa phải trong khoảng 0–100".into(),
                        format!("criterion `{}`: full_marks_at must be between 0 and 100", c.code),
                    ),
                    (Polarity::HigherIsBetter, Some(t)) if t <= 0.0 => p.add(
                        format!("{cp}/full_marks_at"),
                        &[],
                        "Ngưỡng phải lớn hơn 0".into(),
                        format!("criterion `{}`: when higher is better, full_marks_at must be above 0", c.code),
                    ),
                    (Polarity::LowerIsBetter, Some(t)) if t >= 100.0 => p.add(
                        format!("{cp}/full_marks_at"),
                        &[],
                        "Ngưỡng phải nhỏ hơn 100".into(),
                        format!("criterion `{}`: when lower is better, full_marks_at must be below 100", c.code),
                    ),
                    _ => {}
                }
                let measure = match c.kind {
                    CriterionKind::Ratio => {
                        let n = p.formula(catalog, format!("{cp}/numerator"), c.numerator.as_deref(), "numerator");
                        let dn =
                            p.formula(catalog, format!("{cp}/denominator"), c.denominator.as_deref(), "denominator");
                        n.zip(dn).map(|(numerator, denominator)| Measure::Ratio { numerator, denominator })
                    }
                    CriterionKind::YesNo => match c.indicator.as_deref() {
                        Some(code) if catalog.get(code).is_some_and(|i| i.kind == IndicatorKind::YesNo) => {
                            Some(Measure::YesNo { indicator: code.to_owned() })
                        }
                        Some(code) => {
                            p.add(
                                format!("{cp}/indicator"),
                                &[code],
                                format!("“{}” ({code}) không phải chỉ tiêu có/không", catalog.label_vi(code)),
                                format!("`{code}` is not a yes/no indicator of the catalog"),
                            );
                            None
                        }
                        None => {
                            p.add(
                                format!("{cp}/indicator"),
                                &[],
                                "Thiếu chỉ tiêu".into(),
                                "a yes_no criterion needs `indicator`".into(),
                            );
                            None
                        }
                    },
                    CriterionKind::NotScored => {
                        let given = [
                            ("numerator", c.numerator.is_some()),
                            ("denominator", c.denominator.is_some()),
                            ("indicator", c.indicator.is_some()),
                            ("value", c.value.is_some()),
                            ("target", c.target.is_some()),
                        ];
                        match given.iter().find(|(_, some)| *some) {
                            Some((field, _)) => {
                                p.add(
                                    format!("{cp}/{field}"),
                                    &[],
                                    format!("Tiêu chí không chấm không có `{field}`"),
                                    format!("a not_scored criterion has no `{field}`: nothing is computed for it"),
                                );
                                None
                            }
                            None => Some(Measure::NotScored),
                        }
                    }
                    CriterionKind::Target => {
                        let v = p.formula(catalog, format!("{cp}/value"), c.value.as_deref(), "value");
                        match c.target {
                            Some(t) if t > 0.0 && t.is_finite() => v.map(|value| Measure::Target { value, target: t }),
                            _ => {
                                p.add(
                                    format!("{cp}/target"),
                                    &[],
                                    "Giá trị mục tiêu phải dương".into(),
                                    "a target criterion needs a positive `target`".into(),
                                );
                                None
                            }
                        }
                    }
                };
                if let Some(measure) = measure {
                    criteria.push(Criterion { group: gi, index: ci, measure });
                }
            }
        }
        let mut band_codes: Vec<&str> = Vec::new();
        for (bi, b) in d.bands.iter().enumerate() {
            if !valid_code(&b.code) || band_codes.contains(&b.code.as_str()) {
                p.add(
                    format!("/bands/{bi}/code"),
                    &[],
                    format!("Mã xếp loại `{}` không hợp lệ hoặc trùng", b.code),
                    format!("band code `{}` is malformed or repeated", b.code),
                );
            }
            band_codes.push(&b.code);
            if !(0.0..=d.max_score).contains(&b.min_score) {
                p.add(
                    format!("/bands/{bi}/min_score"),
                    &[],
                    "Ngưỡng xếp loại phải trong khoảng điểm".into(),
                    format!("band `{}`: min_score must be between 0 and max_score", b.code),
                );
            }
        }
        if p.0.is_empty() { Ok(Scheme { valid_from, valid_to, criteria, definition }) } else { Err(p.0) }
    }

    pub fn from_json(json: &str, catalog: &Catalog) -> Result<Scheme, Vec<Finding>> {
        let def: SchemeDefinition = serde_json::from_str(json).map_err(|e| {
            vec![Finding::error(
                "invalid_scheme",
                &[],
                format!("Bộ tiêu chí không đúng định dạng JSON: {e}"),
                format!("the scheme is not valid JSON of the expected shape: {e}"),
            )]
        })?;
        Scheme::load(def, catalog)
    }

    /// The built-in default scheme.
    pub fn builtin(catalog: &Catalog) -> Scheme {
        Scheme::from_json(DEFAULT_SCHEME_JSON, catalog).expect("the built-in scheme is valid (checked by a unit test)")
    }

    /// The built-in scheme `qd766` (docs/scoring.md).
    pub fn builtin_qd766(catalog: &Catalog) -> Scheme {
        Scheme::from_json(QD766_SCHEME_JSON, catalog).expect("the built-in scheme is valid (checked by a unit test)")
    }

    pub fn code(&self) -> &str {
        &self.definition.code
    }

    pub fn applies_to(&self, m: Month) -> bool {
        self.valid_from.is_none_or(|f| f <= m) && self.valid_to.is_none_or(|t| m <= t)
    }

    /// Scores one set of values (a month, or months rolled up).
    pub fn score(&self, values: &Values) -> ScoreCard {
        let derived = derive(values);
        let lookup = |code: &str| -> Option<f64> { values.get(code).map(|v| v.as_f64()).or_else(|| derived.get(code)) };
        let d = &self.definition;
        let mut out = Vec::with_capacity(self.criteria.len());
        for c in &self.criteria {
            let def = &d.groups[c.group].criteria[c.index];
            let (numerator, denominator) = match &c.measure {
                Measure::Ratio { numerator, denominator } => (numerator.eval(&lookup), denominator.eval(&lookup)),
                Measure::YesNo { indicator } => {
                    (values.get(indicator).and_then(|v| v.as_bool()).map(|b| if b { 1.0 } else { 0.0 }), Some(1.0))
                }
                Measure::Target { value, target } => (value.eval(&lookup), Some(*target)),
                Measure::NotScored => (None, None),
            };
            let (ratio, score, status) = match (numerator, denominator) {
                _ if matches!(c.measure, Measure::NotScored) => (None, Some(0.0), CriterionStatus::NotJudged),
                (Some(_), Some(den)) if den.abs() == 0.0 => match def.zero_denominator {
                    ZeroDenominator::Full => (None, Some(def.max), CriterionStatus::ZeroDenominator),
                    ZeroDenominator::Zero => (None, Some(0.0), CriterionStatus::ZeroDenominator),
                    ZeroDenominator::Skip => (None, None, CriterionStatus::Skipped),
                    ZeroDenominator::NotJudged => (None, Some(0.0), CriterionStatus::NotJudged),
                },
                (Some(num), Some(den)) => {
                    let r = 100.0 * num / den;
                    (Some(r), Some(def.max * attainment(def, r)), CriterionStatus::Scored)
                }
                _ => (None, Some(0.0), CriterionStatus::Missing),
            };
            out.push(CriterionScore {
                group: d.groups[c.group].code.clone(),
                code: def.code.clone(),
                numerator,
                denominator,
                ratio,
                score,
                max: def.max,
                status,
            });
        }
        let skipped: f64 = out.iter().filter(|c| c.score.is_none()).map(|c| c.max).sum();
        let raw: f64 = out.iter().filter_map(|c| c.score).sum();
        let counted = d.max_score - skipped;
        let total = if counted > EPSILON { raw * d.max_score / counted } else { 0.0 };
        let groups = d
            .groups
            .iter()
            .map(|g| GroupScore {
                code: g.code.clone(),
                score: out.iter().filter(|c| c.group == g.code).filter_map(|c| c.score).sum(),
                max: g.max,
            })
            .collect();
        let missing = out.iter().filter(|c| c.status == CriterionStatus::Missing).count();
        let not_judged = out.iter().filter(|c| c.status == CriterionStatus::NotJudged).count();
        ScoreCard {
            total,
            max: d.max_score,
            band: self.band(total),
            missing_criteria: missing,
            not_judged_criteria: not_judged,
            groups,
            criteria: out,
        }
    }

    /// The band a total earns: the highest `min_score` it reaches, compared at two decimals.
    pub fn band(&self, total: f64) -> Option<String> {
        let t = round2(total);
        self.definition
            .bands
            .iter()
            .filter(|b| t + EPSILON >= b.min_score)
            .max_by(|a, b| a.min_score.total_cmp(&b.min_score))
            .map(|b| b.code.clone())
    }
}

/// The share of a criterion's maximum that a ratio (in percent) earns.
fn attainment(def: &CriterionDefinition, r: f64) -> f64 {
    let a = match def.polarity {
        Polarity::HigherIsBetter => r / def.full_marks_at.unwrap_or(100.0),
        Polarity::LowerIsBetter => {
            let t = def.full_marks_at.unwrap_or(0.0);
            if r <= t { 1.0 } else { (100.0 - r) / (100.0 - t) }
        }
    };
    a.clamp(0.0, 1.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CriterionStatus {
    Scored,
    /// An input was not reported: the criterion earns nothing.
    Missing,
    /// The denominator was zero: the scheme says what that earns.
    ZeroDenominator,
    /// The denominator was zero and the scheme leaves the criterion out.
    Skipped,
    /// The denominator was zero and the criterion cannot be judged: it earns nothing, and the
    /// scheme's maximum stays.
    NotJudged,
}

fn ser_round2<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round2(*x))
}

fn ser_round2_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_some(&round2(*x)),
        None => s.serialize_none(),
    }
}

/// One criterion's result, as the national index shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionScore {
    pub group: String,
    pub code: String,
    #[serde(serialize_with = "ser_round2_opt")]
    pub numerator: Option<f64>,
    #[serde(serialize_with = "ser_round2_opt")]
    pub denominator: Option<f64>,
    /// In percent.
    #[serde(serialize_with = "ser_round2_opt")]
    pub ratio: Option<f64>,
    /// Null when the criterion is skipped.
    #[serde(serialize_with = "ser_round2_opt")]
    pub score: Option<f64>,
    pub max: f64,
    pub status: CriterionStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupScore {
    pub code: String,
    #[serde(serialize_with = "ser_round2")]
    pub score: f64,
    pub max: f64,
}

/// A report's score under one scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreCard {
    /// Rescaled to the scheme's maximum when criteria are skipped; two decimals.
    #[serde(serialize_with = "ser_round2")]
    pub total: f64,
    pub max: f64,
    pub band: Option<String>,
    /// How many criteria lacked reported inputs.
    pub missing_criteria: usize,
    /// How many criteria could not be judged (a zero denominator the scheme does not score).
    #[serde(default)]
    pub not_judged_criteria: usize,
    pub groups: Vec<GroupScore>,
    pub criteria: Vec<CriterionScore>,
}

#[cfg(test)]
mod tests;
