//! Charts as SVG drawn on the server.
//!
//! Why not a chart library: the dashboard has one chart — two lines over twelve months — and a
//! JavaScript library would be the largest thing it ships, would need a build step or a vendored
//! bundle kept up to date, and would draw nothing without JavaScript. Server-side SVG is a few
//! dozen lines, renders with scripts off and under a strict Content-Security-Policy, prints,
//! scales to a phone (it has a `viewBox`), carries its own accessible name and description, and
//! is unit-tested here like any other function. The figures are also offered as a table next to
//! the chart.
//!
//! The markup comes from an askama template (`templates/dashboard/trend.svg`), so every text in
//! it is escaped.

use askama::Template;

/// What the trend chart shows: one value (or none) per month for each line.
pub struct TrendInput<'a> {
    /// The x-axis labels, one per month, oldest first.
    pub labels: Vec<String>,
    /// The score line, on the left axis from 0 to `score_max`.
    pub score: Vec<Option<f64>>,
    pub score_max: f64,
    /// The on-time rate line, on the right axis from 0 to 100 %.
    pub rate: Vec<Option<f64>>,
    pub text: ChartText<'a>,
}

/// The chart's words, in the reader's language.
pub struct ChartText<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub score: &'a str,
    pub rate: &'a str,
    pub no_data: &'a str,
    /// Formats a number for the reader (decimal comma in Vietnamese).
    pub number: &'a dyn Fn(f64) -> String,
}

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 280.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 60.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 34.0;

/// A label on an axis.
pub struct Tick {
    pub x: String,
    pub y: String,
    pub label: String,
}

/// A data point with its tooltip.
pub struct Mark {
    pub x: String,
    pub y: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "dashboard/trend.svg")]
pub struct TrendSvg<'a> {
    pub id: &'a str,
    pub width: String,
    pub height: String,
    pub title: &'a str,
    pub description: &'a str,
    pub score_label: &'a str,
    pub rate_label: &'a str,
    pub no_data: Option<&'a str>,
    pub center_x: String,
    pub center_y: String,
    pub plot_left: String,
    pub plot_right: String,
    pub plot_top: String,
    pub plot_bottom: String,
    pub grid: Vec<Tick>,
    pub left_ticks: Vec<Tick>,
    pub right_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub score_paths: Vec<String>,
    pub score_marks: Vec<Mark>,
    pub rate_paths: Vec<String>,
    pub rate_marks: Vec<Mark>,
}

fn coord(v: f64) -> String {
    format!("{v:.1}")
}

fn x_at(i: usize, n: usize) -> f64 {
    let plot = WIDTH - LEFT - RIGHT;
    LEFT + plot * (i as f64 + 0.5) / n.max(1) as f64
}

/// A value axis from `lo` to `hi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
}

impl Scale {
    fn y(self, value: f64) -> f64 {
        let plot = HEIGHT - TOP - BOTTOM;
        let span = self.hi - self.lo;
        let share = if span > 0.0 { ((value - self.lo) / span).clamp(0.0, 1.0) } else { 0.0 };
        TOP + plot * (1.0 - share)
    }

    fn at(self, share: f64) -> f64 {
        self.lo + (self.hi - self.lo) * share
    }
}

/// The share of the axes to show, in percent of each maximum: from 0, or — when every value
/// is high, as most communes' are — from a round number a little below the lowest, so that a
/// change from 99 to 92 is visible rather than a flat line along the top. Both axes use the
/// same share, so the two lines stay comparable.
pub fn floor_percent(shares: impl IntoIterator<Item = f64>) -> f64 {
    let lowest = shares.into_iter().fold(f64::INFINITY, f64::min);
    if !lowest.is_finite() || lowest < 50.0 {
        return 0.0;
    }
    (((lowest - 5.0) / 10.0).floor() * 10.0).clamp(0.0, 90.0)
}

/// SVG path data for a series: one `M … L …` run per stretch of consecutive values, so that a
/// month without a figure breaks the line instead of bridging it.
pub fn paths(values: &[Option<f64>], scale: Scale) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let cmd = if run.is_empty() { 'M' } else { 'L' };
                if !run.is_empty() {
                    run.push(' ');
                }
                run.push_str(&format!("{cmd}{},{}", coord(x_at(i, values.len())), coord(scale.y(*v))));
            }
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    // A lone point draws no line; its mark shows it.
    out.retain(|p| p.contains('L'));
    out
}

fn marks(
    values: &[Option<f64>],
    scale: Scale,
    labels: &[String],
    name: &str,
    fmt: &dyn Fn(f64) -> String,
) -> Vec<Mark> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.map(|v| Mark {
                x: coord(x_at(i, values.len())),
                y: coord(scale.y(v)),
                title: format!("{}: {name} {}", labels.get(i).map(String::as_str).unwrap_or(""), fmt(v)),
            })
        })
        .collect()
}

/// The 12-month trend of a commune's score and on-time rate as an SVG element.
pub fn trend(id: &str, input: &TrendInput<'_>) -> Result<String, askama::Error> {
    let n = input.labels.len();
    let score_max = if input.score_max > 0.0 { input.score_max } else { 100.0 };
    let fmt = input.text.number;
    let floor = floor_percent(
        input.score.iter().flatten().map(|v| 100.0 * v / score_max).chain(input.rate.iter().flatten().copied()),
    );
    let score_scale = Scale { lo: score_max * floor / 100.0, hi: score_max };
    let rate_scale = Scale { lo: floor, hi: 100.0 };
    let shares = [0.0, 0.25, 0.5, 0.75, 1.0];
    let grid: Vec<Tick> = shares
        .iter()
        .map(|s| Tick { x: coord(LEFT), y: coord(rate_scale.y(rate_scale.at(*s))), label: String::new() })
        .collect();
    let left_ticks = shares
        .iter()
        .map(|s| {
            let v = score_scale.at(*s);
            Tick { x: coord(LEFT - 6.0), y: coord(score_scale.y(v) + 4.0), label: fmt(v) }
        })
        .collect();
    let right_ticks = shares
        .iter()
        .map(|s| {
            let v = rate_scale.at(*s);
            Tick { x: coord(WIDTH - RIGHT + 6.0), y: coord(rate_scale.y(v) + 4.0), label: format!("{}%", fmt(v)) }
        })
        .collect();
    let x_ticks = input
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| Tick { x: coord(x_at(i, n)), y: coord(HEIGHT - BOTTOM + 18.0), label: l.clone() })
        .collect();
    let empty = input.score.iter().chain(&input.rate).all(Option::is_none);
    let svg = TrendSvg {
        id,
        width: coord(WIDTH),
        height: coord(HEIGHT),
        title: input.text.title,
        description: input.text.description,
        score_label: input.text.score,
        rate_label: input.text.rate,
        no_data: empty.then_some(input.text.no_data),
        center_x: coord((LEFT + WIDTH - RIGHT) / 2.0),
        center_y: coord((TOP + HEIGHT - BOTTOM) / 2.0),
        plot_left: coord(LEFT),
        plot_right: coord(WIDTH - RIGHT),
        plot_top: coord(TOP),
        plot_bottom: coord(HEIGHT - BOTTOM),
        grid,
        left_ticks,
        right_ticks,
        x_ticks,
        score_paths: paths(&input.score, score_scale),
        score_marks: marks(&input.score, score_scale, &input.labels, input.text.score, fmt),
        rate_paths: paths(&input.rate, rate_scale),
        rate_marks: marks(&input.rate, rate_scale, &input.labels, input.text.rate, fmt),
    };
    svg.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(x: f64) -> String {
        format!("{x}")
    }

    fn input<'a>(score: Vec<Option<f64>>, rate: Vec<Option<f64>>, f: &'a dyn Fn(f64) -> String) -> TrendInput<'a> {
        let n = score.len();
        TrendInput {
            labels: (1..=n).map(|m| format!("{m:02}/24")).collect(),
            score,
            score_max: 100.0,
            rate,
            text: ChartText {
                title: "Trend <12 months>",
                description: "Score & on-time rate",
                score: "Score",
                rate: "On time",
                no_data: "No data yet",
                number: f,
            },
        }
    }

    #[test]
    fn values_map_into_the_plot_area() {
        // Bottom of the plot for the axis' start, top for its end, clamped outside.
        let full = Scale { lo: 0.0, hi: 100.0 };
        assert_eq!(full.y(0.0), HEIGHT - BOTTOM);
        assert_eq!(full.y(100.0), TOP);
        assert_eq!(full.y(150.0), TOP);
        assert_eq!(full.y(-5.0), HEIGHT - BOTTOM);
        assert_eq!(Scale { lo: 5.0, hi: 5.0 }.y(5.0), HEIGHT - BOTTOM);
        let high = Scale { lo: 80.0, hi: 100.0 };
        assert_eq!(high.y(90.0), TOP + (HEIGHT - TOP - BOTTOM) / 2.0);
        // Points sit in the middle of equal slots.
        assert_eq!(x_at(0, 2), LEFT + (WIDTH - LEFT - RIGHT) * 0.25);
        assert_eq!(x_at(1, 2), LEFT + (WIDTH - LEFT - RIGHT) * 0.75);
    }

    #[test]
    fn a_missing_month_breaks_the_line() {
        let full = Scale { lo: 0.0, hi: 100.0 };
        let p = paths(&[Some(50.0), Some(100.0), None, Some(0.0), Some(25.0)], full);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0], "M101.2,143.0 L207.6,40.0");
        assert!(p[1].starts_with("M420.4,246.0 L"), "{p:?}");
        // A lone point is a mark, not a line.
        assert!(paths(&[None, Some(10.0), None], full).is_empty());
        assert!(paths(&[], full).is_empty());
    }

    #[test]
    fn high_values_get_an_axis_that_shows_their_changes() {
        assert_eq!(floor_percent([99.88, 91.52, 99.4]), 80.0);
        assert_eq!(floor_percent([96.0, 100.0]), 90.0);
        assert_eq!(floor_percent([100.0]), 90.0);
        // Low values, or none: the axis starts at zero.
        assert_eq!(floor_percent([99.0, 42.0]), 0.0);
        assert_eq!(floor_percent([]), 0.0);
    }

    #[test]
    fn the_chart_is_an_accessible_svg_with_both_lines() {
        let f = plain;
        let svg = trend(
            "trend-chart",
            &input(vec![Some(80.0), Some(90.5), Some(99.88)], vec![Some(95.0), None, Some(99.4)], &f),
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains(r#"viewBox="0 0 640.0 280.0""#), "{svg}");
        assert!(
            svg.contains(r#"role="img""#) && svg.contains(r#"aria-labelledby="trend-chart-title trend-chart-desc""#)
        );
        assert!(svg.contains(r#"<title id="trend-chart-title">"#));
        // One score line over three points, no rate line (its points are not adjacent).
        assert_eq!(svg.matches(r#"class="line score""#).count(), 1, "{svg}");
        assert_eq!(svg.matches(r#"class="line rate""#).count(), 0, "{svg}");
        assert_eq!(svg.matches("<circle class=\"mark score\"").count(), 3);
        assert_eq!(svg.matches("<rect class=\"mark rate\"").count(), 2);
        assert!(svg.contains("03/24: Score 99.88"), "{svg}");
        assert!(!svg.contains("No data yet"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn texts_are_escaped() {
        let f = plain;
        let svg = trend("c", &input(vec![Some(1.0)], vec![None], &f)).unwrap();
        assert!(!svg.contains("<12 months>"), "{svg}");
        assert!(svg.contains("&#60;12 months&#62;") || svg.contains("&lt;12 months&gt;"), "{svg}");
        assert!(svg.contains("Score &#38; on-time rate") || svg.contains("Score &amp; on-time rate"), "{svg}");
    }

    #[test]
    fn a_chart_without_figures_says_so() {
        let f = plain;
        let svg = trend("c", &input(vec![None; 12], vec![None; 12], &f)).unwrap();
        assert!(svg.contains("No data yet"), "{svg}");
        assert!(!svg.contains("class=\"line"), "{svg}");
        assert_eq!(svg.matches("class=\"x-tick\"").count(), 12);
    }
}
