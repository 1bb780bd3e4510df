//! Aggregate statistics for researchers: the index gathers raw counts and
//! durations (`search_index::RawStats`); this module turns them into what
//! the registry publishes, with every small cell suppressed so that no
//! statistic singles out a submitter, and into CSV tables and charts.

pub mod charts;
pub mod phrases;
pub mod tables;

use std::collections::BTreeMap;

use search_index::{Histogram, RawStats, DIMENSIONS, MEASURES};
use serde::Serialize;
use utoipa::ToSchema;

/// Cells counting fewer reports than this are suppressed unless configured
/// otherwise.
pub const DEFAULT_K: u64 = crate::store::cohort::DEFAULT_K;

/// A count, or `None` when it is below k.
fn cell(n: u64, k: u64) -> (Option<u64>, bool) {
    if n < k {
        (None, true)
    } else {
        (Some(n), false)
    }
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct CountCell {
    pub value: String,
    /// `null` when suppressed.
    pub count: Option<u64>,
    /// True when fewer than k reports fall in this cell.
    pub suppressed: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct QuarterCell {
    /// `YYYY-Qn`, from the incident month.
    pub quarter: String,
    pub count: Option<u64>,
    pub suppressed: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct DurationCell {
    /// `all`, a trigger or a technology category.
    pub group: String,
    pub count: Option<u64>,
    pub suppressed: bool,
    pub mean: Option<f64>,
    pub p50: Option<u32>,
    pub p90: Option<u32>,
    pub p99: Option<u32>,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Bucket {
    pub from_minutes: u32,
    /// Exclusive; `null` for the last, open-ended bucket.
    pub to_minutes: Option<u32>,
    pub count: Option<u64>,
    pub suppressed: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Durations {
    pub overall: DurationCell,
    pub by_trigger: Vec<DurationCell>,
    pub by_category: Vec<DurationCell>,
    /// Log-scale histogram of the overall durations.
    pub histogram: Vec<Bucket>,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct TechnologyTrigger {
    pub technology: String,
    pub trigger: String,
    pub count: Option<u64>,
    pub suppressed: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct TechnologyFactor {
    pub technology: String,
    pub contributing_factor: String,
    pub count: Option<u64>,
    pub suppressed: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct TechnologyPair {
    pub technology_a: String,
    pub technology_b: String,
    pub count: Option<u64>,
    pub suppressed: bool,
}

/// Statistics over a subset of published reports.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Statistics {
    /// Reports in the subset.
    pub total: u64,
    /// Cells under this many reports are suppressed.
    pub k: u64,
    /// dimension → values, most frequent first: technology, category,
    /// trigger, contributing_factor, mitigation, detection, industry,
    /// severity, year (of the incident, including reports whose month was
    /// withheld).
    pub counts: BTreeMap<String, Vec<CountCell>>,
    /// Reports per quarter of the incident start, oldest first.
    pub trend: Vec<QuarterCell>,
    /// time_to_detect, time_to_mitigate, time_to_resolve (minutes).
    pub durations: BTreeMap<String, Durations>,
    pub technology_trigger: Vec<TechnologyTrigger>,
    pub technology_factor: Vec<TechnologyFactor>,
    /// Technologies named together in one incident.
    pub technology_pairs: Vec<TechnologyPair>,
}

fn duration_cell(group: &str, values: &Histogram, k: u64) -> DurationCell {
    let n = values.count();
    // No durations at all reveals nothing about anyone.
    let (count, suppressed) = if n == 0 { (Some(0), false) } else { cell(n, k) };
    // A summary of fewer than k durations would describe too few reports.
    let summary = (!suppressed).then(|| values.summary()).flatten();
    DurationCell {
        group: group.to_string(),
        count,
        suppressed,
        mean: summary.as_ref().map(|s| s.mean),
        p50: summary.as_ref().map(|s| s.p50),
        p90: summary.as_ref().map(|s| s.p90),
        p99: summary.as_ref().map(|s| s.p99),
    }
}

/// Most frequent first, then by name; suppressed cells last, by name only,
/// so their order does not reveal which small count is larger.
fn ranked(values: BTreeMap<String, u64>, k: u64) -> Vec<CountCell> {
    let mut v: Vec<(String, u64)> = values.into_iter().collect();
    let key = |n: u64| if n < k { 0 } else { n };
    v.sort_by(|a, b| key(b.1).cmp(&key(a.1)).then_with(|| a.0.cmp(&b.0)));
    v.into_iter()
        .map(|(value, n)| {
            let (count, suppressed) = cell(n, k);
            CountCell {
                value,
                count,
                suppressed,
            }
        })
        .collect()
}

fn quarter(month: u64) -> String {
    format!("{}-Q{}", month / 100, (month % 100).div_ceil(3))
}

impl Statistics {
    /// Summarises `raw`, suppressing every cell under `k` reports.
    pub fn from_raw(raw: RawStats, k: u64) -> Statistics {
        let RawStats {
            total,
            mut counts,
            months,
            durations,
            technology_trigger,
            technology_factor,
            technology_pairs,
        } = raw;
        let counts = DIMENSIONS
            .iter()
            .map(|d| {
                (
                    d.to_string(),
                    ranked(counts.remove(d).unwrap_or_default(), k),
                )
            })
            .collect();
        let mut quarters: BTreeMap<String, u64> = BTreeMap::new();
        for (month, n) in months {
            *quarters.entry(quarter(month)).or_default() += n;
        }
        let trend = quarters
            .into_iter()
            .map(|(quarter, n)| {
                let (count, suppressed) = cell(n, k);
                QuarterCell {
                    quarter,
                    count,
                    suppressed,
                }
            })
            .collect();
        let mut durations_out = BTreeMap::new();
        let mut durations = durations;
        for measure in MEASURES {
            let samples = durations.remove(measure).unwrap_or_default();
            let histogram = samples
                .overall
                .log_buckets()
                .into_iter()
                .map(|(from, to, n)| {
                    let (count, suppressed) = if n == 0 { (Some(0), false) } else { cell(n, k) };
                    Bucket {
                        from_minutes: from,
                        to_minutes: to,
                        count,
                        suppressed,
                    }
                })
                .collect();
            let groups = |map: &BTreeMap<String, Histogram>| -> Vec<DurationCell> {
                map.iter().map(|(g, v)| duration_cell(g, v, k)).collect()
            };
            durations_out.insert(
                measure.to_string(),
                Durations {
                    overall: duration_cell("all", &samples.overall, k),
                    by_trigger: groups(&samples.by_trigger),
                    by_category: groups(&samples.by_category),
                    histogram,
                },
            );
        }
        Statistics {
            total,
            k,
            counts,
            trend,
            durations: durations_out,
            technology_trigger: technology_trigger
                .into_iter()
                .map(|((technology, trigger), n)| {
                    let (count, suppressed) = cell(n, k);
                    TechnologyTrigger {
                        technology,
                        trigger,
                        count,
                        suppressed,
                    }
                })
                .collect(),
            technology_factor: technology_factor
                .into_iter()
                .map(|((technology, contributing_factor), n)| {
                    let (count, suppressed) = cell(n, k);
                    TechnologyFactor {
                        technology,
                        contributing_factor,
                        count,
                        suppressed,
                    }
                })
                .collect(),
            technology_pairs: technology_pairs
                .into_iter()
                .map(|((technology_a, technology_b), n)| {
                    let (count, suppressed) = cell(n, k);
                    TechnologyPair {
                        technology_a,
                        technology_b,
                        count,
                        suppressed,
                    }
                })
                .collect(),
        }
    }
}
