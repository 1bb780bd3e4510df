//! The statistics as CSV tables with stable column names, one table per
//! request (`format=csv&table=…`), so `pandas.read_csv(url)` gives a tidy
//! frame. A suppressed cell has an empty `count` and `suppressed` = true.

use super::Statistics;

/// Table name → its columns, in order. The contract researchers code
/// against: columns are only ever added at the end.
pub const TABLES: &[(&str, &[&str])] = &[
    ("counts", &["dimension", "value", "count", "suppressed"]),
    ("trend", &["quarter", "count", "suppressed"]),
    (
        "durations",
        &[
            "measure",
            "grouping",
            "group",
            "count",
            "suppressed",
            "mean",
            "p50",
            "p90",
            "p99",
        ],
    ),
    (
        "histogram",
        &[
            "measure",
            "from_minutes",
            "to_minutes",
            "count",
            "suppressed",
        ],
    ),
    (
        "technology_trigger",
        &["technology", "trigger", "count", "suppressed"],
    ),
    (
        "technology_factor",
        &["technology", "contributing_factor", "count", "suppressed"],
    ),
    (
        "technology_pairs",
        &["technology_a", "technology_b", "count", "suppressed"],
    ),
];

pub fn is_table(name: &str) -> bool {
    TABLES.iter().any(|(t, _)| *t == name)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes `table` of `stats` as CSV. `table` must satisfy `is_table`.
pub fn write_csv(stats: &Statistics, table: &str) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let columns = TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, c)| *c)
        .unwrap_or(&[]);
    w.write_record(columns)?;
    match table {
        "counts" => {
            for (dimension, cells) in &stats.counts {
                for c in cells {
                    w.write_record([
                        dimension.as_str(),
                        &c.value,
                        &opt(c.count),
                        &c.suppressed.to_string(),
                    ])?;
                }
            }
        }
        "trend" => {
            for c in &stats.trend {
                w.write_record([&c.quarter, &opt(c.count), &c.suppressed.to_string()])?;
            }
        }
        "durations" => {
            for (measure, d) in &stats.durations {
                let rows = std::iter::once(("all", &d.overall))
                    .chain(d.by_trigger.iter().map(|c| ("trigger", c)))
                    .chain(d.by_category.iter().map(|c| ("category", c)));
                for (grouping, c) in rows {
                    w.write_record([
                        measure.as_str(),
                        grouping,
                        &c.group,
                        &opt(c.count),
                        &c.suppressed.to_string(),
                        &opt(c.mean.map(|m| format!("{m:.2}"))),
                        &opt(c.p50),
                        &opt(c.p90),
                        &opt(c.p99),
                    ])?;
                }
            }
        }
        "histogram" => {
            for (measure, d) in &stats.durations {
                for b in &d.histogram {
                    w.write_record([
                        measure.as_str(),
                        &b.from_minutes.to_string(),
                        &opt(b.to_minutes),
                        &opt(b.count),
                        &b.suppressed.to_string(),
                    ])?;
                }
            }
        }
        "technology_trigger" => {
            for c in &stats.technology_trigger {
                w.write_record([
                    &c.technology,
                    &c.trigger,
                    &opt(c.count),
                    &c.suppressed.to_string(),
                ])?;
            }
        }
        "technology_factor" => {
            for c in &stats.technology_factor {
                w.write_record([
                    &c.technology,
                    &c.contributing_factor,
                    &opt(c.count),
                    &c.suppressed.to_string(),
                ])?;
            }
        }
        "technology_pairs" => {
            for c in &stats.technology_pairs {
                w.write_record([
                    &c.technology_a,
                    &c.technology_b,
                    &opt(c.count),
                    &c.suppressed.to_string(),
                ])?;
            }
        }
        _ => {}
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
