//! A segment's side of a search pass: where each document's facet values
//! are read (packed rows once decoded, tantivy's columns until then), the
//! facet filters as tests on those values, and the counts.

use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentReader};

use crate::facets::{ColumnFacet, FacetKind, Facets, Place};
use crate::stats::{Columns, Packed, Row};

/// `FacetKind::ALL`'s index of `kind`: where its facet sits in a segment's.
pub(super) fn slot(kind: FacetKind) -> usize {
    FacetKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL")
}

/// One facet's filters in one segment; a document must pass every test.
pub(super) struct Restriction {
    pub(super) slot: usize,
    pub(super) tests: Vec<Test>,
}

impl Restriction {
    /// Bit `k` set: `batch[k]` fails some test. Packed rows only; at most
    /// 128 matches.
    pub(super) fn fail_mask(&self, p: &Packed, batch: &[(DocId, Score)]) -> u128 {
        debug_assert!(batch.len() <= 128);
        let rows = &p.rows;
        self.tests
            .iter()
            .map(|test| match test {
                Test::Single { i, accept } => {
                    fail_bits(rows, batch, |row| !accept[row.single[*i] as usize])
                }
                Test::Multi { i, accept } => fail_bits(rows, batch, |row| {
                    !row.multi(&p.multi, *i).iter().any(|&v| accept[v as usize])
                }),
                Test::Month { accept } => fail_bits(rows, batch, |row| !accept[row.month as usize]),
                Test::Ordinals { .. } | Test::MonthColumn { .. } => {
                    unreachable!("tests are made for their segment's counting")
                }
            })
            .fold(0, |mask, fails| mask | fails)
    }
}

impl Restriction {
    /// Whether the document of `row` passes every test, on packed rows.
    #[inline]
    pub(super) fn passes_row(&self, p: &Packed, row: &Row) -> bool {
        self.tests.iter().all(|test| match test {
            Test::Single { i, accept } => accept[row.single[*i] as usize],
            Test::Multi { i, accept } => {
                row.multi(&p.multi, *i).iter().any(|&v| accept[v as usize])
            }
            Test::Month { accept } => accept[row.month as usize],
            Test::Ordinals { .. } | Test::MonthColumn { .. } => {
                unreachable!("tests are made for their segment's counting")
            }
        })
    }
}

/// Bit `k` set: `fails` holds for the row of `batch[k]`.
#[inline(always)]
fn fail_bits(rows: &[Row], batch: &[(DocId, Score)], fails: impl Fn(&Row) -> bool) -> u128 {
    let mut mask = 0u128;
    for (k, &(doc, _)) in batch.iter().enumerate() {
        mask |= u128::from(fails(&rows[doc as usize])) << k;
    }
    mask
}

pub(super) enum Test {
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
pub(super) enum Counting {
    Packed {
        columns: Arc<Columns>,
        single: [Vec<u64>; 5],
        multi: [Vec<u64>; 3],
    },
    Columns(Vec<ColumnFacet>),
}

impl Counting {
    pub(super) fn open(
        decoded: Option<&Arc<Columns>>,
        segment: &SegmentReader,
    ) -> tantivy::Result<Counting> {
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
    pub(super) fn values_test(&self, kind: FacetKind, values: &[String]) -> tantivy::Result<Test> {
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

    pub(super) fn month_test(
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

    /// `doc` passes every test of `r`, read from tantivy's columns (packed
    /// rows are tested a batch at a time, by `Restriction::fail_mask`).
    #[inline]
    pub(super) fn passes(&self, r: &Restriction, doc: DocId) -> bool {
        r.tests.iter().all(|test| match (test, self) {
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
    pub(super) fn count_all(&mut self, doc: DocId, skip: Option<usize>) {
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
    pub(super) fn count_one(&mut self, slot: usize, doc: DocId) {
        match self {
            Counting::Packed {
                columns,
                single,
                multi,
            } => each_count(packed(columns), single, multi, slot, doc, |n| *n += 1),
            Counting::Columns(facets) => facets[slot].count(doc),
        }
    }

    /// Replaces the counts of the facets in `slots` by those of every live
    /// document of the segment.
    pub(super) fn count_whole(&mut self, slots: &[usize], segment: &SegmentReader) {
        let alive = segment.alive_bitset();
        match self {
            Counting::Packed {
                columns,
                single,
                multi,
            } => {
                let p = packed(columns);
                for &slot in slots {
                    match FacetKind::ALL[slot].place() {
                        Place::Single(i) => single[i].copy_from_slice(&p.whole_single[i]),
                        Place::Multi(i) => multi[i].copy_from_slice(&p.whole_multi[i]),
                    }
                }
                // The whole counts include withdrawn reports: taken off,
                // in one walk over the segment for every facet.
                if let Some(alive) = alive.filter(|_| segment.num_deleted_docs() > 0) {
                    for doc in (0..segment.max_doc()).filter(|&d| alive.is_deleted(d)) {
                        for &slot in slots {
                            each_count(p, single, multi, slot, doc, |n| *n -= 1);
                        }
                    }
                }
            }
            Counting::Columns(facets) => {
                for &slot in slots {
                    facets[slot].clear();
                }
                for doc in 0..segment.max_doc() {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        for &slot in slots {
                            facets[slot].count(doc);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn harvest(self, out: &mut Facets) {
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

/// Applies `f` to the count of each of `doc`'s values of the facet in
/// `slot`, on packed rows.
fn each_count(
    p: &Packed,
    single: &mut [Vec<u64>; 5],
    multi: &mut [Vec<u64>; 3],
    slot: usize,
    doc: DocId,
    mut f: impl FnMut(&mut u64),
) {
    let row = &p.rows[doc as usize];
    match FacetKind::ALL[slot].place() {
        Place::Single(i) => f(&mut single[i][row.single[i] as usize]),
        Place::Multi(i) => {
            for &v in row.multi(&p.multi, i) {
                f(&mut multi[i][v as usize]);
            }
        }
    }
}

pub(super) fn packed(columns: &Columns) -> &Packed {
    columns
        .packed
        .as_ref()
        .expect("packed counting is chosen only with packed rows")
}
