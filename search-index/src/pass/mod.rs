//! One pass of a search: the total, the top documents and the counts of
//! every facet, each facet counted with every filter but its own.
//!
//! The query this collects from is the text AND the filters that restrict
//! no facet (time to resolve). The facet filters are tested here, on each
//! document's facet values:
//! - a document that passes them all is a hit, and counts in every facet;
//! - one that fails exactly one still counts in that filter's facet, whose
//!   counts leave its own filter out;
//! - one that fails two or more counts nowhere.
//!
//! So a search with restricted facets visits the text's matches once, where
//! running each facet's query on its own visited them once per restricted
//! facet and once more for the hits; those were the slowest searches.

mod counting;
mod scan;

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::facets::{self, FacetKind, Facets};
use crate::query::{FilterClauses, Whole};
use crate::stats::Columns;
use counting::{packed, slot, Counting, Restriction, Test};
pub(crate) use scan::{scan, Scanned};

/// Collects with `top` the documents that pass every facet filter.
pub(crate) struct FacetedPass<C> {
    top: C,
    facet_values: Vec<(FacetKind, Vec<String>)>,
    months: Option<(Option<u64>, Option<u64>)>,
    /// Per segment ordinal, its decoded columns if decoded already.
    decoded: Vec<Option<Arc<Columns>>>,
    /// Facets whose counts are the whole segment's (see
    /// `FilterClauses::unfaceted`); the query visits only documents that
    /// pass their filters.
    whole: Whole,
}

impl<C> FacetedPass<C> {
    pub(crate) fn new(
        top: C,
        filters: &FilterClauses,
        decoded: Vec<Option<Arc<Columns>>>,
        whole: Whole,
    ) -> FacetedPass<C> {
        FacetedPass {
            top,
            facet_values: filters.facet_values.clone(),
            months: filters.months,
            decoded,
            whole,
        }
    }
}

impl<C> FacetedPass<C> {
    /// The facet filters as tests on the values `counting` reads, one
    /// `Restriction` per facet (all of a facet's filters in one).
    fn restrictions(
        &self,
        counting: &Counting,
        segment: &SegmentReader,
    ) -> tantivy::Result<Vec<Restriction>> {
        let mut restrictions: Vec<Restriction> = Vec::new();
        let mut restrict = |kind: FacetKind, test: Test| {
            let slot = slot(kind);
            match restrictions.iter_mut().find(|r| r.slot == slot) {
                Some(r) => r.tests.push(test),
                None => restrictions.push(Restriction {
                    slot,
                    tests: vec![test],
                }),
            }
        };
        // Documents visited for `whole` pass its filter already.
        let tested = |kind: FacetKind| self.whole != Whole::One(kind);
        for (kind, values) in self.facet_values.iter().filter(|(k, _)| tested(*k)) {
            restrict(*kind, counting.values_test(*kind, values)?);
        }
        if let Some(range) = self.months.filter(|_| tested(FacetKind::Year)) {
            restrict(FacetKind::Year, counting.month_test(segment, range)?);
        }
        Ok(restrictions)
    }
}

impl<C: Collector> Collector for FacetedPass<C> {
    type Fruit = (usize, C::Fruit, Facets);
    type Child = SegmentPass<C::Child>;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let decoded = self.decoded.get(ordinal as usize).cloned().flatten();
        let counting = Counting::open(decoded.as_ref(), segment)?;
        let restrictions = self.restrictions(&counting, segment)?;
        let mut counting = counting;
        let whole: Vec<usize> = match self.whole {
            Whole::None => Vec::new(),
            Whole::One(kind) => vec![slot(kind)],
            Whole::All => FacetKind::ALL.into_iter().map(slot).collect(),
        };
        if !whole.is_empty() {
            counting.count_whole(&whole, segment);
        }
        Ok(SegmentPass {
            top: self.top.for_segment(ordinal, segment)?,
            total: 0,
            counting,
            restrictions,
            whole: match self.whole {
                Whole::One(kind) => Some(slot(kind)),
                _ => None,
            },
            counts: self.whole != Whole::All,
            pending: Vec::with_capacity(BATCH),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.top.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(usize, <C::Child as SegmentCollector>::Fruit, Facets)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut total = 0;
        let mut tops = Vec::with_capacity(fruits.len());
        let mut parts = Vec::with_capacity(fruits.len());
        for (n, top, counts) in fruits {
            total += n;
            tops.push(top);
            parts.push(counts);
        }
        let out = facets::summed(FacetKind::ALL, parts);
        Ok((total, self.top.merge_fruits(tops)?, out))
    }
}

pub(crate) struct SegmentPass<T> {
    top: T,
    total: usize,
    counting: Counting,
    restrictions: Vec<Restriction>,
    /// The facet whose counts are already the whole segment's.
    whole: Option<usize>,
    /// Whether matches are counted at all: not when every facet's counts
    /// are the whole segment's.
    counts: bool,
    /// Matches not yet tested and counted (see `flush`).
    pending: Vec<(DocId, Score)>,
}

/// Matches handled together: enough for the memory reads of their rows to
/// overlap, few enough to stay in the first-level cache.
const BATCH: usize = 128;

impl<T: SegmentCollector> SegmentPass<T> {
    /// Tests and counts the pending matches: on packed rows when the
    /// segment has them, else on tantivy's columns, a match at a time.
    fn flush(&mut self) {
        if !self.counts {
            self.total += self.pending.len();
            for &(doc, score) in &self.pending {
                self.top.collect(doc, score);
            }
            self.pending.clear();
            return;
        }
        if let Counting::Packed { columns, .. } = &self.counting {
            self.flush_packed(columns.clone());
            return;
        }
        for &(doc, score) in &self.pending {
            let mut failed = None;
            for r in &self.restrictions {
                if !self.counting.passes(r, doc) {
                    if failed.is_some() {
                        failed = Some(usize::MAX);
                        break;
                    }
                    failed = Some(r.slot);
                }
            }
            match failed {
                None => {
                    self.total += 1;
                    self.top.collect(doc, score);
                    self.counting.count_all(doc, self.whole);
                }
                // Failed two filters: counts nowhere.
                Some(usize::MAX) => {}
                Some(slot) => self.counting.count_one(slot, doc),
            }
        }
        self.pending.clear();
    }

    /// `flush` on packed rows, one filter at a time: each filter's test
    /// runs over the whole batch in a loop of its own, which the processor
    /// predicts and pipelines, and leaves a bit per failing match. The bits
    /// then say which matches are hits and which fail exactly one filter.
    ///
    /// A match's row is almost never in cache (rows of a million reports
    /// take megabytes, and matches are spread over them), and handled one
    /// by one, between the scorer's own work, each read waits for memory
    /// alone. Touching the rows of the batch first, in a loop with nothing
    /// else to do, lets the processor have many of those reads in flight.
    fn flush_packed(&mut self, columns: std::sync::Arc<crate::stats::Columns>) {
        let p = packed(&columns);
        let mut touched = 0u16;
        for &(doc, _) in &self.pending {
            touched ^= p.rows[doc as usize].single[0];
        }
        // Then their multi values, which the rows point to.
        for &(doc, _) in &self.pending {
            let start = p.rows[doc as usize].start as usize;
            touched ^= p.multi.get(start).copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        let fails: Vec<u128> = self
            .restrictions
            .iter()
            .map(|r| r.fail_mask(p, &self.pending))
            .collect();
        let (mut any, mut twice) = (0u128, 0u128);
        for &f in &fails {
            twice |= any & f;
            any |= f;
        }
        for (k, &(doc, score)) in self.pending.iter().enumerate() {
            let bit = 1u128 << k;
            if any & bit == 0 {
                self.total += 1;
                self.top.collect(doc, score);
                self.counting.count_all(doc, self.whole);
            } else if twice & bit == 0 {
                let failed = fails.iter().position(|f| f & bit != 0);
                let slot = self.restrictions[failed.expect("one filter failed")].slot;
                self.counting.count_one(slot, doc);
            }
        }
        self.pending.clear();
    }
}

impl<T: SegmentCollector> SegmentCollector for SegmentPass<T> {
    type Fruit = (usize, T::Fruit, Facets);

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        self.pending.push((doc, score));
        if self.pending.len() == BATCH {
            self.flush();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.flush();
        let mut out = Facets::new();
        self.counting.harvest(&mut out);
        (self.total, self.top.harvest(), out)
    }
}
