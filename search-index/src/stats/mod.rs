//! Aggregate statistics over the reports a query matches.
//!
//! Not the tantivy aggregation framework: technologies and factors are
//! multi-valued facets, and the statistics researchers want (technology ×
//! trigger, technologies failing together, exact percentiles of durations
//! per trigger and per category) are per-document combinations of several
//! facets, which bucket aggregations cannot express without one request per
//! combination. Instead the query yields the matching document ids, and
//! every core counts a slice of them over each segment's decoded columns
//! (`columns`) into dense arrays (`tally`); names replace indices once per
//! segment.
//!
//! Counts are exact. Percentiles are exact too (nearest rank): durations
//! are counted per distinct value, which keeps every value at a fraction
//! of the memory and time of keeping every sample.

mod columns;
mod packed;
mod tally;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::query::{FilterClauses, Filters};
pub(crate) use columns::{ColumnCache, Columns};
pub(crate) use packed::{Layout, Packed, Row, MULTI_FLAT, SINGLE_FLAT};
use tally::Tally;

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
    pub overall: Histogram,
    pub by_trigger: BTreeMap<String, Histogram>,
    pub by_category: BTreeMap<String, Histogram>,
}

/// Durations as (value, how many) in ascending value order: exact, and far
/// smaller than the samples themselves (a million incidents' durations
/// take a few thousand distinct values).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    pairs: Vec<(u32, u64)>,
}

impl Histogram {
    /// From (value, count) pairs already in ascending value order, each
    /// value once.
    pub(crate) fn from_sorted(pairs: Vec<(u32, u64)>) -> Histogram {
        debug_assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        Histogram { pairs }
    }

    /// Adds one duration.
    pub fn add(&mut self, value: u32) {
        match self.pairs.binary_search_by_key(&value, |p| p.0) {
            Ok(i) => self.pairs[i].1 += 1,
            Err(i) => self.pairs.insert(i, (value, 1)),
        }
    }

    /// Adds every duration of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        if other.pairs.is_empty() {
            return;
        }
        if self.pairs.is_empty() {
            self.pairs = other.pairs.clone();
            return;
        }
        let (x, y) = (&self.pairs, &other.pairs);
        let mut out = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        while i < x.len() && j < y.len() {
            match x[i].0.cmp(&y[j].0) {
                std::cmp::Ordering::Less => {
                    out.push(x[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(y[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push((x[i].0, x[i].1 + y[j].1));
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&x[i..]);
        out.extend_from_slice(&y[j..]);
        self.pairs = out;
    }

    /// Removes every duration of `other`, which must all be present.
    pub(crate) fn subtract(&mut self, other: &Histogram) {
        let mut j = 0;
        for pair in &mut self.pairs {
            while j < other.pairs.len() && other.pairs[j].0 < pair.0 {
                j += 1;
            }
            if j < other.pairs.len() && other.pairs[j].0 == pair.0 {
                pair.1 = pair.1.saturating_sub(other.pairs[j].1);
            }
        }
        self.pairs.retain(|p| p.1 > 0);
    }

    /// (value, count) in ascending value order.
    pub fn pairs(&self) -> &[(u32, u64)] {
        &self.pairs
    }

    pub fn count(&self) -> u64 {
        self.pairs.iter().map(|p| p.1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The same summary `Summary::of` gives for these values.
    pub fn summary(&self) -> Option<Summary> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let index = |p: u64| (p * n).div_ceil(100).max(1) - 1;
        let at = |rank: u64| {
            let mut seen = 0;
            for &(value, count) in &self.pairs {
                seen += count;
                if seen > rank {
                    return value;
                }
            }
            self.pairs.last().map_or(0, |p| p.0)
        };
        let sum: u64 = self.pairs.iter().map(|&(v, c)| u64::from(v) * c).sum();
        Some(Summary {
            count: n,
            mean: sum as f64 / n as f64,
            p50: at(index(50)),
            p90: at(index(90)),
            p99: at(index(99)),
        })
    }

    /// `log_buckets` of these values.
    pub fn log_buckets(&self) -> Vec<(u32, Option<u32>, u64)> {
        let mut counts = [0u64; LOG_BUCKETS];
        for &(v, n) in &self.pairs {
            counts[log_bucket(v)] += n;
        }
        bucket_edges(&counts)
    }
}

impl FromIterator<u32> for Histogram {
    fn from_iter<I: IntoIterator<Item = u32>>(values: I) -> Histogram {
        let mut values: Vec<u32> = values.into_iter().collect();
        values.sort_unstable();
        let mut pairs: Vec<(u32, u64)> = Vec::new();
        for v in values {
            match pairs.last_mut() {
                Some((last, n)) if *last == v => *n += 1,
                _ => pairs.push((v, 1)),
            }
        }
        Histogram { pairs }
    }
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
    let mut counts = [0u64; LOG_BUCKETS];
    for &v in values {
        counts[log_bucket(v)] += 1;
    }
    bucket_edges(&counts)
}

/// Up to 2^14 minutes (11 days), then open.
const LOG_BUCKETS: usize = 16;

fn log_bucket(v: u32) -> usize {
    let i = if v == 0 {
        0
    } else {
        (32 - v.leading_zeros()) as usize
    };
    i.min(LOG_BUCKETS - 1)
}

fn bucket_edges(counts: &[u64; LOG_BUCKETS]) -> Vec<(u32, Option<u32>, u64)> {
    counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let from = if i == 0 { 0 } else { 1u32 << (i - 1) };
            let to = (i < LOG_BUCKETS - 1).then_some(1u32 << i);
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
        let query = clauses.all(base.as_ref());
        let searcher = self.reader.searcher();
        let columns = self.stats_columns.columns(&searcher, &self.executor)?;
        let matched = searcher.search_with_executor(
            query.as_ref(),
            &MatchingDocs,
            &self.executor,
            EnableScoring::disabled_from_searcher(&searcher),
        )?;
        Ok(self.tally(&columns, matched)?)
    }

    /// Decodes the statistics columns of segments not seen before, so the
    /// first `/stats` after a commit or merge does not pay for it.
    pub fn warm_stats(&self) -> Result<(), SearchError> {
        let searcher = self.reader.searcher();
        self.stats_columns.columns(&searcher, &self.executor)?;
        Ok(())
    }

    /// Counts `matched` (per segment) on every core. Each segment's
    /// statistics over all its documents were computed when its columns
    /// were decoded; where a query matches most of a segment, the documents
    /// it does not match (deleted ones included) are counted and taken off
    /// that whole, so the work is proportional to the smaller side and an
    /// unfiltered request counts only deleted documents. A segment's share
    /// larger than a core's is split, so one large segment does not leave
    /// the other cores idle; slices are not smaller than `MIN_SLICE`, since
    /// each allocates its own counting arrays.
    fn tally(
        &self,
        columns: &[Arc<Columns>],
        matched: Vec<(SegmentOrdinal, Vec<DocId>)>,
    ) -> tantivy::Result<RawStats> {
        const MIN_SLICE: usize = 1 << 16;
        let mut by_segment: Vec<Vec<DocId>> = vec![Vec::new(); columns.len()];
        for (segment, ids) in matched {
            by_segment[segment as usize] = ids;
        }
        // (documents to count, whether they are the complement).
        let plans: Vec<(Vec<DocId>, bool)> = by_segment
            .into_iter()
            .zip(columns)
            .map(|(ids, c)| {
                let docs = c.max_doc();
                if ids.len() * 2 > docs as usize {
                    (complement(&ids, docs), true)
                } else {
                    (ids, false)
                }
            })
            .collect();
        let total: usize = plans.iter().map(|p| p.0.len()).sum();
        let slice = total.div_ceil(self.threads.max(1)).max(MIN_SLICE);
        let work: Vec<(usize, &[DocId])> = plans
            .iter()
            .enumerate()
            .flat_map(|(segment, (ids, _))| ids.chunks(slice).map(move |c| (segment, c)))
            .collect();
        let tallies = self.executor.map(
            |(segment, ids): (usize, &[DocId])| {
                let mut tally = Tally::new(&columns[segment], plans[segment].0.len());
                tally.add(ids);
                Ok((segment, tally))
            },
            work.into_iter(),
        )?;
        let mut per_segment: Vec<Option<Tally<'_>>> = (0..columns.len()).map(|_| None).collect();
        for (segment, tally) in tallies {
            match &mut per_segment[segment] {
                Some(into) => into.absorb(tally),
                slot => *slot = Some(tally),
            }
        }
        let counted = self.executor.map(
            |(segment, tally): (usize, Tally<'_>)| Ok((segment, tally.harvest())),
            per_segment
                .into_iter()
                .enumerate()
                .filter_map(|(segment, t)| t.map(|t| (segment, t))),
        )?;
        let mut out = RawStats::default();
        for (segment, (_, is_complement)) in plans.iter().enumerate() {
            if *is_complement {
                out.add(&columns[segment].full);
            }
        }
        for (segment, raw) in counted {
            if plans[segment].1 {
                out.subtract(&raw);
            } else {
                out.add(&raw);
            }
        }
        Ok(out)
    }
}

/// The document ids below `max_doc` not in `ids` (ascending).
fn complement(ids: &[DocId], max_doc: DocId) -> Vec<DocId> {
    let mut out = Vec::with_capacity((max_doc as usize).saturating_sub(ids.len()));
    let mut next = ids.iter().peekable();
    for doc in 0..max_doc {
        if next.peek() == Some(&&doc) {
            next.next();
        } else {
            out.push(doc);
        }
    }
    out
}

/// Collects the ids of the matching documents of each segment.
struct MatchingDocs;

struct SegmentDocs {
    segment: SegmentOrdinal,
    docs: Vec<DocId>,
}

impl Collector for MatchingDocs {
    type Fruit = Vec<(SegmentOrdinal, Vec<DocId>)>;
    type Child = SegmentDocs;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentDocs> {
        Ok(SegmentDocs {
            segment,
            docs: Vec::with_capacity(reader.num_docs() as usize),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<DocId>)>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentDocs {
    type Fruit = (SegmentOrdinal, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _: Score) {
        self.docs.push(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.docs.extend_from_slice(docs);
    }

    fn harvest(self) -> Self::Fruit {
        (self.segment, self.docs)
    }
}

impl RawStats {
    /// Adds the counts of `other`.
    pub(crate) fn add(&mut self, other: &RawStats) {
        self.total += other.total;
        for (dim, values) in &other.counts {
            add_all(self.counts.entry(dim).or_default(), values);
        }
        add_all(&mut self.months, &other.months);
        add_all(&mut self.technology_trigger, &other.technology_trigger);
        add_all(&mut self.technology_factor, &other.technology_factor);
        add_all(&mut self.technology_pairs, &other.technology_pairs);
        for (measure, samples) in &other.durations {
            let into = self.durations.entry(measure).or_default();
            into.overall.merge(&samples.overall);
            for (k, v) in &samples.by_trigger {
                into.by_trigger.entry(k.clone()).or_default().merge(v);
            }
            for (k, v) in &samples.by_category {
                into.by_category.entry(k.clone()).or_default().merge(v);
            }
        }
    }

    /// Takes off the counts of `other`, a part of what was added; cells
    /// that reach zero disappear, as if never counted.
    pub(crate) fn subtract(&mut self, other: &RawStats) {
        self.total = self.total.saturating_sub(other.total);
        for (dim, values) in &other.counts {
            if let Some(into) = self.counts.get_mut(dim) {
                subtract_all(into, values);
            }
        }
        subtract_all(&mut self.months, &other.months);
        subtract_all(&mut self.technology_trigger, &other.technology_trigger);
        subtract_all(&mut self.technology_factor, &other.technology_factor);
        subtract_all(&mut self.technology_pairs, &other.technology_pairs);
        for (measure, samples) in &other.durations {
            let Some(into) = self.durations.get_mut(measure) else {
                continue;
            };
            into.overall.subtract(&samples.overall);
            for (groups, less) in [
                (&mut into.by_trigger, &samples.by_trigger),
                (&mut into.by_category, &samples.by_category),
            ] {
                for (k, v) in less {
                    if let Some(h) = groups.get_mut(k) {
                        h.subtract(v);
                    }
                }
                groups.retain(|_, h| !h.is_empty());
            }
        }
    }
}

fn add_all<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, n) in from {
        match into.get_mut(k) {
            Some(v) => *v += n,
            None => {
                into.insert(k.clone(), *n);
            }
        }
    }
}

fn subtract_all<K: Ord>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, n) in from {
        if let Some(v) = into.get_mut(k) {
            *v = v.saturating_sub(*n);
            if *v == 0 {
                into.remove(k);
            }
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
        let query = clauses.all(&AllQuery);
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
