//! Aggregate statistics over the reports a query matches, in one pass.
//!
//! A custom tantivy collector rather than the aggregation framework:
//! technologies and factors are multi-valued facets, and the statistics
//! researchers want (technology × trigger, technologies failing together,
//! exact percentiles of durations per trigger and per category) are
//! per-document combinations of several facets, which bucket aggregations
//! cannot express without one request per combination. Each segment counts
//! into dense arrays indexed by facet ordinals (no hashing per document);
//! ordinals become names once per segment, in `harvest`.
//!
//! Counts are exact. Percentiles are exact too (nearest rank on the sorted
//! values), because every duration is kept until the merge.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::query::{FilterClauses, Filters};

/// Single-valued or multi-valued facet dimensions counted per report.
pub const DIMENSIONS: [&str; 9] = [
    "technology",
    "category",
    "trigger",
    "contributing_factor",
    "mitigation",
    "detection",
    "industry",
    "severity",
    // Incident year: unlike the quarterly trend, it includes reports whose
    // month was withheld at publication.
    "year",
];

/// The three durations, in minutes.
pub const MEASURES: [&str; 3] = ["time_to_detect", "time_to_mitigate", "time_to_resolve"];

/// Every duration of one measure, overall and per group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DurationSamples {
    pub overall: Vec<u32>,
    pub by_trigger: BTreeMap<String, Vec<u32>>,
    pub by_category: BTreeMap<String, Vec<u32>>,
}

/// What the collector gathers: raw, unsuppressed counts and samples. The
/// caller summarises and applies its privacy rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawStats {
    pub total: u64,
    /// dimension (see `DIMENSIONS`) → value → reports.
    pub counts: BTreeMap<&'static str, BTreeMap<String, u64>>,
    /// incident month `YYYYMM` → reports.
    pub months: BTreeMap<u64, u64>,
    /// measure (see `MEASURES`) → samples.
    pub durations: BTreeMap<&'static str, DurationSamples>,
    pub technology_trigger: BTreeMap<(String, String), u64>,
    pub technology_factor: BTreeMap<(String, String), u64>,
    /// Unordered pairs, the lexically smaller technology first.
    pub technology_pairs: BTreeMap<(String, String), u64>,
}

/// Percentile summary of one group of durations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub mean: f64,
    pub p50: u32,
    pub p90: u32,
    pub p99: u32,
}

impl Summary {
    /// Nearest-rank percentiles: the smallest value with at least p% of the
    /// values at or below it. `None` for no values. Reorders `values`.
    ///
    /// Selection, not sorting: three partial selections, each within what
    /// the previous left above it, touch each value about twice, where a
    /// sort of a million durations per group would dominate a request.
    pub fn of(values: &mut [u32]) -> Option<Summary> {
        if values.is_empty() {
            return None;
        }
        let n = values.len();
        let index = |p: usize| (p * n).div_ceil(100).max(1) - 1;
        let (i50, i90, i99) = (index(50), index(90), index(99));
        let p50 = *values.select_nth_unstable(i50).1;
        let above = &mut values[i50..];
        let p90 = *above.select_nth_unstable(i90 - i50).1;
        let above = &mut above[i90 - i50..];
        let p99 = *above.select_nth_unstable(i99 - i90).1;
        let sum: u64 = values.iter().map(|&v| u64::from(v)).sum();
        Some(Summary {
            count: n as u64,
            mean: sum as f64 / n as f64,
            p50,
            p90,
            p99,
        })
    }
}

/// Log-scale histogram edges in minutes: [0,1), [1,2), [2,4), … doubling,
/// the last bucket open-ended. Durations span minutes to weeks, so equal
/// widths would put nearly everything in the first bucket.
pub fn log_buckets(values: &[u32]) -> Vec<(u32, Option<u32>, u64)> {
    const BUCKETS: usize = 16; // up to 2^14 minutes (11 days), then open
    let mut counts = [0u64; BUCKETS];
    for &v in values {
        let i = if v == 0 {
            0
        } else {
            (32 - v.leading_zeros()) as usize
        };
        counts[i.min(BUCKETS - 1)] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let from = if i == 0 { 0 } else { 1u32 << (i - 1) };
            let to = (i < BUCKETS - 1).then_some(1u32 << i);
            (from, to, n)
        })
        .collect()
}

impl SearchIndex {
    /// Statistics over the published reports matching `text` and `filters`
    /// (the same language and filters as `search`).
    pub fn stats(&self, text: &str, filters: &Filters) -> Result<RawStats, SearchError> {
        let parsed = self.text.parse(text)?;
        let clauses = FilterClauses::build(filters, &self.fields)?;
        let base: Box<dyn Query> = parsed.unwrap_or_else(|| Box::new(AllQuery));
        let query = clauses.combine(base.as_ref(), None);
        let searcher = self.reader.searcher();
        Ok(searcher.search_with_executor(
            query.as_ref(),
            &StatsCollector,
            &self.stats_executor,
            EnableScoring::disabled_from_searcher(&searcher),
        )?)
    }
}

struct StatsCollector;

/// A facet column with its ordinals resolved to names once per segment.
struct Dim {
    reader: FacetReader,
    names: Vec<String>,
}

impl Dim {
    fn open(segment: &SegmentReader, field: &str) -> tantivy::Result<Dim> {
        let reader = segment.facet_reader(field)?;
        let mut names = Vec::with_capacity(reader.num_facets());
        let mut facet = Facet::root();
        for ord in 0..reader.num_facets() as u64 {
            reader.facet_from_ord(ord, &mut facet)?;
            names.push(facet.to_path_string());
        }
        Ok(Dim { reader, names })
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

/// `/value` → `value` (flat facets).
fn leaf(path: &str) -> String {
    Facet::from_text(path)
        .ok()
        .and_then(|f| f.to_path().last().map(|s| s.to_string()))
        .unwrap_or_default()
}

struct SegmentStats {
    technology: Dim,
    /// technology ordinal → (category index, technology id); `None` for an
    /// ancestor-only ordinal.
    tech_of: Vec<Option<(usize, String)>>,
    categories: Vec<String>,
    trigger: Dim,
    factor: Dim,
    mitigation: Dim,
    detection: Dim,
    industry: Dim,
    severity: Dim,
    year: Dim,
    month: Column<u64>,
    measures: [Column<u64>; 3],

    total: u64,
    tech_counts: Vec<u64>,
    category_counts: Vec<u64>,
    flat_counts: [Vec<u64>; 7],
    months: BTreeMap<u64, u64>,
    /// technology × trigger, technology × factor, technology × technology,
    /// row-major on ordinals.
    tech_trigger: Vec<u64>,
    tech_factor: Vec<u64>,
    tech_pairs: Vec<u64>,
    overall: [Vec<u32>; 3],
    by_trigger: [Vec<Vec<u32>>; 3],
    by_category: [Vec<Vec<u32>>; 3],
    // Scratch, reused for every document.
    techs: Vec<usize>,
    cats: Vec<usize>,
    factors: Vec<usize>,
}

impl Collector for StatsCollector {
    type Fruit = RawStats;
    type Child = SegmentStats;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let technology = Dim::open(segment, "technology")?;
        let mut categories: Vec<String> = Vec::new();
        let tech_of = technology
            .names
            .iter()
            .map(|path| {
                let facet = Facet::from_text(path).ok()?;
                let parts = facet.to_path();
                let [category, id] = parts.as_slice() else {
                    return None;
                };
                let index = match categories.iter().position(|c| c == category) {
                    Some(i) => i,
                    None => {
                        categories.push(category.to_string());
                        categories.len() - 1
                    }
                };
                Some((index, id.to_string()))
            })
            .collect::<Vec<_>>();
        let trigger = Dim::open(segment, "trigger")?;
        let factor = Dim::open(segment, "factor")?;
        let fast = segment.fast_fields();
        let (nt, ntr, nf, nc) = (
            technology.len(),
            trigger.len(),
            factor.len(),
            categories.len(),
        );
        let mitigation = Dim::open(segment, "mitigation")?;
        let detection = Dim::open(segment, "detection")?;
        let industry = Dim::open(segment, "industry")?;
        let severity = Dim::open(segment, "severity")?;
        let year = Dim::open(segment, "year")?;
        let flat_counts = [
            vec![0; ntr],
            vec![0; nf],
            vec![0; mitigation.len()],
            vec![0; detection.len()],
            vec![0; industry.len()],
            vec![0; severity.len()],
            vec![0; year.len()],
        ];
        Ok(SegmentStats {
            tech_of,
            month: fast.u64("month")?,
            measures: [fast.u64("ttd")?, fast.u64("ttm")?, fast.u64("ttr")?],
            total: 0,
            tech_counts: vec![0; nt],
            category_counts: vec![0; nc],
            flat_counts,
            months: BTreeMap::new(),
            tech_trigger: vec![0; nt * ntr],
            tech_factor: vec![0; nt * nf],
            tech_pairs: vec![0; nt * nt],
            overall: Default::default(),
            by_trigger: std::array::from_fn(|_| vec![Vec::new(); ntr]),
            by_category: std::array::from_fn(|_| vec![Vec::new(); nc]),
            techs: Vec::new(),
            cats: Vec::new(),
            factors: Vec::new(),
            categories,
            technology,
            trigger,
            factor,
            mitigation,
            detection,
            industry,
            severity,
            year,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawStats>) -> tantivy::Result<RawStats> {
        let mut out = RawStats::default();
        for fruit in fruits {
            out.total += fruit.total;
            for (dim, values) in fruit.counts {
                add_all(out.counts.entry(dim).or_default(), values);
            }
            add_all(&mut out.months, fruit.months);
            add_all(&mut out.technology_trigger, fruit.technology_trigger);
            add_all(&mut out.technology_factor, fruit.technology_factor);
            add_all(&mut out.technology_pairs, fruit.technology_pairs);
            for (measure, samples) in fruit.durations {
                let into = out.durations.entry(measure).or_default();
                into.overall.extend(samples.overall);
                for (k, v) in samples.by_trigger {
                    into.by_trigger.entry(k).or_default().extend(v);
                }
                for (k, v) in samples.by_category {
                    into.by_category.entry(k).or_default().extend(v);
                }
            }
        }
        Ok(out)
    }
}

fn add_all<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
    for (k, n) in from {
        *into.entry(k).or_default() += n;
    }
}

impl SegmentCollector for SegmentStats {
    type Fruit = RawStats;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.total += 1;
        self.techs.clear();
        self.cats.clear();
        for ord in self.technology.reader.facet_ords(doc) {
            let ord = ord as usize;
            if let Some((category, _)) = self.tech_of[ord] {
                self.techs.push(ord);
                self.tech_counts[ord] += 1;
                if !self.cats.contains(&category) {
                    self.cats.push(category);
                    self.category_counts[category] += 1;
                }
            }
        }
        let nt = self.technology.len();
        for (i, &a) in self.techs.iter().enumerate() {
            for &b in &self.techs[i + 1..] {
                self.tech_pairs[a.min(b) * nt + a.max(b)] += 1;
            }
        }
        let trigger = self
            .trigger
            .reader
            .facet_ords(doc)
            .next()
            .map(|o| o as usize);
        if let Some(t) = trigger {
            self.flat_counts[0][t] += 1;
            let ntr = self.trigger.len();
            for &tech in &self.techs {
                self.tech_trigger[tech * ntr + t] += 1;
            }
        }
        self.factors.clear();
        self.factors
            .extend(self.factor.reader.facet_ords(doc).map(|o| o as usize));
        let nf = self.factor.len();
        for &f in &self.factors {
            self.flat_counts[1][f] += 1;
            for &tech in &self.techs {
                self.tech_factor[tech * nf + f] += 1;
            }
        }
        for (i, dim) in [
            &self.mitigation,
            &self.detection,
            &self.industry,
            &self.severity,
            &self.year,
        ]
        .into_iter()
        .enumerate()
        {
            for ord in dim.reader.facet_ords(doc) {
                self.flat_counts[i + 2][ord as usize] += 1;
            }
        }
        if let Some(month) = self.month.first(doc) {
            *self.months.entry(month).or_default() += 1;
        }
        for m in 0..3 {
            if let Some(v) = self.measures[m].first(doc) {
                let v = u32::try_from(v).unwrap_or(u32::MAX);
                self.overall[m].push(v);
                if let Some(t) = trigger {
                    self.by_trigger[m][t].push(v);
                }
                for &c in &self.cats {
                    self.by_category[m][c].push(v);
                }
            }
        }
    }

    fn harvest(self) -> RawStats {
        let mut counts: BTreeMap<&'static str, BTreeMap<String, u64>> = BTreeMap::new();
        let tech_id = |ord: usize| self.tech_of[ord].as_ref().map(|(_, id)| id.clone());
        let technology = counts.entry("technology").or_default();
        for (ord, &n) in self.tech_counts.iter().enumerate() {
            if let (true, Some(id)) = (n > 0, tech_id(ord)) {
                technology.insert(id, n);
            }
        }
        let category = counts.entry("category").or_default();
        for (i, &n) in self.category_counts.iter().enumerate() {
            if n > 0 {
                category.insert(self.categories[i].clone(), n);
            }
        }
        let flat_dims = [
            ("trigger", &self.trigger),
            ("contributing_factor", &self.factor),
            ("mitigation", &self.mitigation),
            ("detection", &self.detection),
            ("industry", &self.industry),
            ("severity", &self.severity),
            ("year", &self.year),
        ];
        for (i, (name, dim)) in flat_dims.iter().enumerate() {
            let into = counts.entry(name).or_default();
            for (ord, &n) in self.flat_counts[i].iter().enumerate() {
                if n > 0 {
                    into.insert(leaf(&dim.names[ord]), n);
                }
            }
        }
        let pairs_of = |cells: &[u64], width: usize, names: &dyn Fn(usize) -> Option<String>| {
            let mut out = BTreeMap::new();
            for (cell, &n) in cells.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                if let (Some(a), Some(b)) = (tech_id(cell / width), names(cell % width)) {
                    out.insert((a, b), n);
                }
            }
            out
        };
        let technology_trigger = pairs_of(&self.tech_trigger, self.trigger.len().max(1), &|o| {
            Some(leaf(&self.trigger.names[o]))
        });
        let technology_factor = pairs_of(&self.tech_factor, self.factor.len().max(1), &|o| {
            Some(leaf(&self.factor.names[o]))
        });
        let technology_pairs = pairs_of(&self.tech_pairs, self.technology.len().max(1), &tech_id)
            .into_iter()
            .map(|((a, b), n)| if a <= b { ((a, b), n) } else { ((b, a), n) })
            .collect();
        let mut durations = BTreeMap::new();
        let [o0, o1, o2] = self.overall;
        let by_trigger = self.by_trigger;
        let by_category = self.by_category;
        for (m, (overall, (trig, cat))) in [o0, o1, o2]
            .into_iter()
            .zip(by_trigger.into_iter().zip(by_category))
            .enumerate()
        {
            let by_trigger = trig
                .into_iter()
                .enumerate()
                .filter(|(_, v)| !v.is_empty())
                .map(|(o, v)| (leaf(&self.trigger.names[o]), v))
                .collect();
            let by_category = cat
                .into_iter()
                .enumerate()
                .filter(|(_, v)| !v.is_empty())
                .map(|(c, v)| (self.categories[c].clone(), v))
                .collect();
            durations.insert(
                MEASURES[m],
                DurationSamples {
                    overall,
                    by_trigger,
                    by_category,
                },
            );
        }
        RawStats {
            total: self.total,
            counts,
            months: self.months,
            durations,
            technology_trigger,
            technology_factor,
            technology_pairs,
        }
    }
}

impl SearchIndex {
    /// The lessons learned of up to `limit` reports matching `filters`, most
    /// recently published first: the material for "most common lessons".
    pub fn lessons(
        &self,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<Vec<String>>, SearchError> {
        use tantivy::collector::TopDocs;
        use tantivy::schema::Value;
        use tantivy::{Order, TantivyDocument};

        let clauses = FilterClauses::build(filters, &self.fields)?;
        let query = clauses.combine(&AllQuery, None);
        let searcher = self.reader.searcher();
        let top =
            TopDocs::with_limit(limit.max(1)).order_by_fast_field::<u64>("published", Order::Desc);
        let docs = searcher.search(query.as_ref(), &top)?;
        let mut out = Vec::with_capacity(docs.len());
        for (_, address) in docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(
                doc.get_all(self.fields.lessons)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
            );
        }
        Ok(out)
    }
}
