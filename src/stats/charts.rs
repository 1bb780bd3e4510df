//! Charts as SVG, rendered server-side with plotters so a researcher can drop
//! them into a paper. Text stays text (`<text>` elements); the embedded
//! DejaVu Sans (licence beside it) is only used to measure labels, so the
//! server needs no system fonts.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::Statistics;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 900;
const HEIGHT: u32 = 480;
/// Bars in the failure-modes chart.
const TOP_TRIGGERS: usize = 15;

pub const CHARTS: [&str; 3] = ["trend", "durations", "failure-modes"];

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a known-good TrueType file compiled in; failing to
        // parse them would be a build defect, and charts would then draw
        // without labels rather than fail.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("fonts/DejaVuSans.ttf"),
        );
    });
}

#[derive(Debug, thiserror::Error)]
#[error("drawing the chart: {0}")]
pub struct ChartError(String);

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// Renders chart `name` (one of `CHARTS`) of `stats`.
pub fn render(name: &str, stats: &Statistics) -> Result<String, ChartError> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        match name {
            "trend" => trend(&root, stats)?,
            "durations" => durations(&root, stats)?,
            _ => failure_modes(&root, stats)?,
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn caption(stats: &Statistics, what: &str) -> String {
    format!(
        "{what} ({} reports; cells under {} suppressed)",
        stats.total, stats.k
    )
}

/// Reports per incident quarter; suppressed quarters are drawn as gaps.
fn trend(root: &Area, stats: &Statistics) -> Result<(), ChartError> {
    let points: Vec<(usize, u64)> = stats
        .trend
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.count.map(|n| (i, n)))
        .collect();
    let max = points.iter().map(|p| p.1).max().unwrap_or(1).max(1);
    let labels: Vec<String> = stats.trend.iter().map(|c| c.quarter.clone()).collect();
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(caption(stats, "Reports per quarter"), (FONT, 18))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0..n, 0..max + max / 10 + 1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
        .y_desc("reports")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            points.iter().copied(),
            BLUE.stroke_width(2),
        ))
        .map_err(err)?
        .label("reports per quarter")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .map_err(err)?;
    if points.is_empty() {
        // An empty plot looks like a fault; say why there is no line.
        let why = if stats.trend.is_empty() {
            "No report in this selection has a published month".to_string()
        } else {
            format!("Every quarter counts fewer than {} reports", stats.k)
        };
        let style = TextStyle::from((FONT, 18).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            why,
            (WIDTH as i32 / 2, HEIGHT as i32 / 2),
            style,
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The three durations as log-scale histograms, side by side per bucket.
fn durations(root: &Area, stats: &Statistics) -> Result<(), ChartError> {
    let series = [
        ("time_to_detect", "time to detect", BLUE),
        ("time_to_mitigate", "time to mitigate", GREEN),
        ("time_to_resolve", "time to resolve", RED),
    ];
    let buckets = stats
        .durations
        .get("time_to_detect")
        .map_or(0, |d| d.histogram.len());
    let max = stats
        .durations
        .values()
        .flat_map(|d| d.histogram.iter().filter_map(|b| b.count))
        .max()
        .unwrap_or(1)
        .max(1);
    let labels: Vec<String> = stats
        .durations
        .get("time_to_detect")
        .map(|d| {
            d.histogram
                .iter()
                .map(|b| minutes_label(b.from_minutes))
                .collect()
        })
        .unwrap_or_default();
    let mut chart = ChartBuilder::on(root)
        .caption(caption(stats, "Durations, log-scale buckets"), (FONT, 18))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..buckets.max(1) as f64, 0..max + max / 10 + 1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(buckets.max(1))
        .x_label_formatter(&|x| labels.get(*x as usize).cloned().unwrap_or_default())
        .x_desc("at least (minutes / hours / days)")
        .y_desc("reports")
        .draw()
        .map_err(err)?;
    for (i, (measure, label, colour)) in series.into_iter().enumerate() {
        let Some(d) = stats.durations.get(measure) else {
            continue;
        };
        let left = |b: usize| b as f64 + 0.1 + i as f64 * 0.27;
        chart
            .draw_series(d.histogram.iter().enumerate().filter_map(|(b, bucket)| {
                bucket
                    .count
                    .map(|n| Rectangle::new([(left(b), 0), (left(b) + 0.25, n)], colour.filled()))
            }))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .map_err(err)?;
    Ok(())
}

fn minutes_label(m: u32) -> String {
    match m {
        m if m >= 1440 => format!("{}d", m / 1440),
        m if m >= 60 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

/// The most frequent triggers, as horizontal bars.
fn failure_modes(root: &Area, stats: &Statistics) -> Result<(), ChartError> {
    let triggers: Vec<(String, u64)> = stats
        .counts
        .get("trigger")
        .map(|cells| {
            cells
                .iter()
                .filter_map(|c| c.count.map(|n| (c.value.clone(), n)))
                .take(TOP_TRIGGERS)
                .collect()
        })
        .unwrap_or_default();
    let max = triggers.iter().map(|t| t.1).max().unwrap_or(1).max(1);
    let n = triggers.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(
            caption(stats, "Failure modes: most frequent triggers"),
            (FONT, 18),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(190)
        .build_cartesian_2d(0..max + max / 10 + 1, 0..n)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|i| {
            // Row 0 is at the bottom: put the most frequent on top.
            triggers
                .get(n.saturating_sub(i + 1))
                .map(|t| t.0.clone())
                .unwrap_or_default()
        })
        .x_desc("reports")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(triggers.iter().enumerate().map(|(i, (_, count))| {
            let row = n - i - 1;
            Rectangle::new([(0, row), (*count, row + 1)], BLUE.mix(0.7).filled())
        }))
        .map_err(err)?
        .label("reports per trigger")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BLUE.mix(0.7).filled()));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()
        .map_err(err)?;
    Ok(())
}
