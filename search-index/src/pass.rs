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

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::facets::{self, ColumnFacet, FacetKind, Facets, Place};
use crate::query::FilterClauses;
use crate::stats::{Columns, Packed};

/// Collects with `top` the documents that pass every facet filter.
pub(crate) struct FacetedPass<C> {
    top: C,
    facet_values: Vec<(FacetKind, Vec<String>)>,
    months: Option<(Option<u64>, Option<u64>)>,
    /// Per segment ordinal, its decoded columns if decoded already.
    decoded: Vec<Option<Arc<Columns>>>,
    /// A facet whose counts are the whole segment's (see
    /// `FilterClauses::unfaceted`); the query visits only documents that
    /// pass its filter.
    whole: Option<FacetKind>,
}

impl<C> FacetedPass<C> {
    pub(crate) fn new(
        top: C,
        filters: &FilterClauses,
        decoded: Vec<Option<Arc<Columns>>>,
        whole: Option<FacetKind>,
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

/// `FacetKind::ALL`'s index of `kind`: where its facet sits in a segment's.
fn slot(kind: FacetKind) -> usize {
    FacetKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL")
}

/// One facet's filters in one segment; a document must pass every test.
struct Restriction {
    slot: usize,
    tests: Vec<Test>,
}

enum Test {
    /// A packed single-valued facet's slot (value index + 1) accepted.
    Single { i: usize, accept: Vec<bool> },
    /// Any of a packed multi-valued facet's values accepted.
    Multi { i: usize, accept: Vec<bool> },
    /// The packed month slot (rank + 1) accepted.
    Month { accept: Vec<bool> },
    /// Any of the facet's ordinals accepted, in tantivy's column.
    Ordinals { accept: Vec<bool> },
    /// The incident month, in tantivy's column, within a range; reports
    /// without one fail.
    MonthColumn {
        column: Column<u64>,
        from: u64,
        to: u64,
    },
}

/// A segment's facet values and counts: packed rows when the segment's
/// columns are decoded, tantivy's columns until then.
enum Counting {
    Packed {
        columns: Arc<Columns>,
        single: [Vec<u64>; 5],
        multi: [Vec<u64>; 3],
    },
    Columns(Vec<ColumnFacet>),
}

impl Counting {
    fn open(decoded: Option<&Arc<Columns>>, segment: &SegmentReader) -> tantivy::Result<Counting> {
        if let Some(c) = decoded.filter(|c| c.packed.is_some()) {
            let size = |kind: FacetKind| match kind.place() {
                // Slot 0 is "none".
                Place::Single(_) => kind.names(c).len() + 1,
                Place::Multi(_) => kind.names(c).len(),
            };
            use FacetKind::*;
            return Ok(Counting::Packed {
                columns: c.clone(),
                single: [Trigger, Detection, Industry, Severity, Year].map(|k| vec![0; size(k)]),
                multi: [Tech, Factor, Mitigation].map(|k| vec![0; size(k)]),
            });
        }
        let facets = FacetKind::ALL
            .into_iter()
            .map(|kind| ColumnFacet::open(kind, segment))
            .collect::<tantivy::Result<_>>()?;
        Ok(Counting::Columns(facets))
    }

    /// The test that a document's `kind` is one of `values`.
    fn values_test(&self, kind: FacetKind, values: &[String]) -> tantivy::Result<Test> {
        Ok(match self {
            Counting::Packed { columns, .. } => {
                let names = kind.names(columns);
                match kind.place() {
                    Place::Single(i) => Test::Single {
                        i,
                        accept: std::iter::once(false)
                            .chain(names.iter().map(|n| values.contains(n)))
                            .collect(),
                    },
                    Place::Multi(i) => Test::Multi {
                        i,
                        accept: names.iter().map(|n| values.contains(n)).collect(),
                    },
                }
            }
            Counting::Columns(facets) => Test::Ordinals {
                accept: facets[slot(kind)].accepting(values)?,
            },
        })
    }

    fn month_test(
        &self,
        segment: &SegmentReader,
        (from, to): (Option<u64>, Option<u64>),
    ) -> tantivy::Result<Test> {
        let (from, to) = (from.unwrap_or(0), to.unwrap_or(u64::MAX));
        Ok(match self {
            Counting::Packed { columns, .. } => Test::Month {
                accept: std::iter::once(false)
                    .chain(
                        columns
                            .month
                            .distinct
                            .iter()
                            .map(|&m| (from..=to).contains(&u64::from(m))),
                    )
                    .collect(),
            },
            Counting::Columns(_) => Test::MonthColumn {
                column: segment.fast_fields().u64("month")?,
                from,
                to,
            },
        })
    }

    #[inline]
    fn passes(&self, r: &Restriction, doc: DocId) -> bool {
        r.tests.iter().all(|test| match (test, self) {
            (Test::Single { i, accept }, Counting::Packed { columns, .. }) => {
                accept[packed(columns).rows[doc as usize].single[*i] as usize]
            }
            (Test::Multi { i, accept }, Counting::Packed { columns, .. }) => {
                let p = packed(columns);
                p.rows[doc as usize]
                    .multi(&p.multi, *i)
                    .iter()
                    .any(|&v| accept[v as usize])
            }
            (Test::Month { accept }, Counting::Packed { columns, .. }) => {
                accept[packed(columns).rows[doc as usize].month as usize]
            }
            (Test::Ordinals { accept }, Counting::Columns(facets)) => {
                facets[r.slot].any(doc, accept)
            }
            (Test::MonthColumn { column, from, to }, Counting::Columns(_)) => column
                .first(doc)
                .is_some_and(|m| (*from..=*to).contains(&m)),
            _ => unreachable!("tests are made for their segment's counting"),
        })
    }

    /// Counts every facet of `doc` but the one in slot `skip`.
    #[inline]
    fn count_all(&mut self, doc: DocId, skip: Option<usize>) {
        match self {
            Counting::Packed {
                columns,
                single,
                multi,
            } => {
                let p = packed(columns);
                let row = &p.rows[doc as usize];
                let skip = skip.map(|slot| FacetKind::ALL[slot].place());
                for (i, (counts, &v)) in single.iter_mut().zip(&row.single).enumerate() {
                    if !matches!(skip, Some(Place::Single(s)) if s == i) {
                        counts[v as usize] += 1;
                    }
                }
                let mut at = row.start as usize;
                for (i, (counts, &n)) in multi.iter_mut().zip(&row.lens).enumerate() {
                    if !matches!(skip, Some(Place::Multi(s)) if s == i) {
                        for &v in &p.multi[at..at + n as usize] {
                            counts[v as usize] += 1;
                        }
                    }
                    at += n as usize;
                }
            }
            Counting::Columns(facets) => {
                for (slot, facet) in facets.iter_mut().enumerate() {
                    if skip != Some(slot) {
                        facet.count(doc);
                    }
                }
            }
        }
    }

    /// Counts only the facet in `slot` of `doc`.
    fn count_one(&mut self, slot: usize, doc: DocId) {
        match self {
            Counting::Packed {
                columns,
                single,
                multi,
            } => {
                let p = packed(columns);
                let row = &p.rows[doc as usize];
                match FacetKind::ALL[slot].place() {
                    Place::Single(i) => single[i][row.single[i] as usize] += 1,
                    Place::Multi(i) => {
                        for &v in row.multi(&p.multi, i) {
                            multi[i][v as usize] += 1;
                        }
                    }
                }
            }
            Counting::Columns(facets) => facets[slot].count(doc),
        }
    }

    /// Replaces the counts of the facet in `slot` by those of every live
    /// document of the segment.
    fn count_whole(&mut self, slot: usize, segment: &SegmentReader) {
        let alive = segment.alive_bitset();
        let deleted = (0..segment.max_doc()).filter(|&d| alive.is_some_and(|a| a.is_deleted(d)));
        match self {
            Counting::Packed {
                columns,
                single,
                multi,
            } => {
                let p = packed(columns);
                let (counts, whole) = match FacetKind::ALL[slot].place() {
                    Place::Single(i) => (&mut single[i], &p.whole_single[i]),
                    Place::Multi(i) => (&mut multi[i], &p.whole_multi[i]),
                };
                counts.copy_from_slice(whole);
                if segment.num_deleted_docs() > 0 {
                    for doc in deleted {
                        let row = &p.rows[doc as usize];
                        match FacetKind::ALL[slot].place() {
                            Place::Single(i) => counts[row.single[i] as usize] -= 1,
                            Place::Multi(i) => {
                                for &v in row.multi(&p.multi, i) {
                                    counts[v as usize] -= 1;
                                }
                            }
                        }
                    }
                }
            }
            Counting::Columns(facets) => {
                let facet = &mut facets[slot];
                facet.clear();
                for doc in 0..segment.max_doc() {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        facet.count(doc);
                    }
                }
            }
        }
    }

    fn harvest(self, out: &mut Facets) {
        match self {
            Counting::Packed {
                columns,
                single,
                multi,
            } => {
                for kind in FacetKind::ALL {
                    let names = kind.names(&columns);
                    let (counts, skip) = match kind.place() {
                        Place::Single(i) => (&single[i], 1),
                        Place::Multi(i) => (&multi[i], 0),
                    };
                    let into = out.entry(kind.name().to_string()).or_default();
                    for (name, &n) in names.iter().zip(&counts[skip..]) {
                        if n > 0 {
                            *into.entry(name.clone()).or_default() += n;
                        }
                    }
                }
            }
            Counting::Columns(facets) => {
                for (kind, facet) in FacetKind::ALL.into_iter().zip(facets) {
                    facet.harvest(out.entry(kind.name().to_string()).or_default());
                }
            }
        }
    }
}

fn packed(columns: &Columns) -> &Packed {
    columns
        .packed
        .as_ref()
        .expect("packed counting is chosen only with packed rows")
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
        let tested = |kind: FacetKind| Some(kind) != self.whole;
        for (kind, values) in self.facet_values.iter().filter(|(k, _)| tested(*k)) {
            restrict(*kind, counting.values_test(*kind, values)?);
        }
        if let Some(range) = self.months.filter(|_| tested(FacetKind::Year)) {
            restrict(FacetKind::Year, counting.month_test(segment, range)?);
        }
        let mut counting = counting;
        if let Some(kind) = self.whole {
            counting.count_whole(slot(kind), segment);
        }
        Ok(SegmentPass {
            top: self.top.for_segment(ordinal, segment)?,
            total: 0,
            counting,
            restrictions,
            whole: self.whole.map(slot),
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
        let mut out: Facets = FacetKind::ALL
            .iter()
            .map(|k| (k.name().to_string(), Default::default()))
            .collect();
        for (n, top, counts) in fruits {
            total += n;
            tops.push(top);
            facets::merge(&mut out, counts);
        }
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
    /// Matches not yet tested and counted (see `flush`).
    pending: Vec<(DocId, Score)>,
}

/// Matches handled together: enough for the memory reads of their rows to
/// overlap, few enough to stay in the first-level cache.
const BATCH: usize = 128;

impl<T: SegmentCollector> SegmentPass<T> {
    /// Tests and counts the pending matches. A match's row is almost never
    /// in cache (rows of a million reports take megabytes, and matches are
    /// spread over them), and handled one by one, between the scorer's own
    /// work, each read waits for memory alone. Touching the rows of a batch
    /// first, in a loop with nothing else to do, lets the processor have
    /// many of those reads in flight at once.
    fn flush(&mut self) {
        if let Counting::Packed { columns, .. } = &self.counting {
            let p = packed(columns);
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
