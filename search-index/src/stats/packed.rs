//! Every facet value of a document in one small row, for search.
//!
//! A search counts eight facets of each matching document and tests the
//! facet filters on them. Read from `Columns`, that is one array per facet
//! (two for a multi-valued one), each megabytes long at a million reports,
//! so every matching document costs a cache miss per array: profiling put
//! the facet counting and filter tests at over a third of a search's time.
//! Here a document's single-valued facets and incident month sit in one
//! 20-byte row, and its technologies, contributing factors and mitigations
//! follow each other in one shared array, so a document costs two misses.

use super::columns::{Columns, Values, NONE};

/// The five single-valued facets, in `Row::single` order, as indices into
/// `Columns::flat`.
pub(crate) const SINGLE_FLAT: [usize; 5] = [0, 3, 4, 5, 6];
/// The multi-valued facets after technology, in `Row::lens` order from 1,
/// as indices into `Columns::flat`.
pub(crate) const MULTI_FLAT: [usize; 2] = [1, 2];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub(crate) struct Row {
    /// Trigger, detection, industry, severity and year: the value's index
    /// plus one, 0 for none (so counting needs no branch).
    pub(crate) single: [u16; 5],
    /// The incident month's rank plus one, 0 for none.
    pub(crate) month: u16,
    /// How many technologies, contributing factors and mitigations.
    pub(crate) lens: [u8; 3],
    /// Where this document's multi values start in `Packed::multi`.
    pub(crate) start: u32,
}

impl Row {
    /// The document's values of multi-valued facet `i` (0 technology,
    /// 1 contributing factor, 2 mitigation).
    #[inline]
    pub(crate) fn multi<'a>(&self, multi: &'a [u16], i: usize) -> &'a [u16] {
        let skip: usize = self.lens[..i].iter().map(|&n| n as usize).sum();
        let from = self.start as usize + skip;
        &multi[from..from + self.lens[i] as usize]
    }
}

/// The most entries `Packed::pairs` may have (16 MiB of counts).
const MAX_PAIRS: usize = 4 << 20;

pub(crate) struct Packed {
    pub(crate) rows: Vec<Row>,
    pub(crate) multi: Vec<u16>,
    /// Every document's values counted (deleted ones included), as a
    /// search counts them: by slot for single facets, by value for multi.
    pub(crate) whole_single: [Vec<u64>; 5],
    pub(crate) whole_multi: [Vec<u64>; 3],
    /// Every document counted by month slot, as `whole_single` is.
    pub(crate) whole_month: Vec<u64>,
    /// Every document, newest incident month first (those without one
    /// last), ties by `id_order`: the order of a blank search's hits, so
    /// its first page is the first documents here that pass its filters
    /// (see `pass::scan`).
    pub(crate) newest: Vec<u32>,
    /// How many documents have both of two values: `pairs[r * width + c]`
    /// for a value `r` a filter may name and a value `c` a facet counts
    /// (see `Layout`). A blank search with one or two facet filters takes a
    /// facet's counts from here instead of visiting every report the other
    /// filter passes (see `pass::scan`).
    pub(crate) pairs: Vec<u32>,
    pub(crate) layout: Layout,
}

/// Where each value sits in `Packed::pairs`. Counted values (columns) are
/// the single facets' slots then the multi facets' values, in the order of
/// a search's counting arrays; filtered values (rows) are those, then the
/// month slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub(crate) single: [usize; 5],
    pub(crate) multi: [usize; 3],
    pub(crate) month: usize,
    /// Counted values: the length of a row of `pairs`.
    pub(crate) width: usize,
    /// Filtered values: the number of rows.
    pub(crate) height: usize,
}

impl Packed {
    /// `None` when some value does not fit a row (more than 65,534 values
    /// of a facet in the segment, or 255 of one facet on a document); the
    /// search then reads tantivy's columns, as for an undecoded segment.
    /// `id_order` is the `id_order` fast field of every document.
    pub(crate) fn of(c: &Columns, id_order: &[u64]) -> Option<Packed> {
        let docs = c.max_doc() as usize;
        let fits = |names: usize| names < u16::MAX as usize;
        let singles: Vec<&[u32]> = SINGLE_FLAT
            .iter()
            .map(|&i| match &c.flat[i].values {
                Values::Single(v) if fits(c.flat[i].names.len()) => Some(v.as_slice()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let multis: [&Values; 3] = [
            &c.technology,
            &c.flat[MULTI_FLAT[0]].values,
            &c.flat[MULTI_FLAT[1]].values,
        ];
        let multi_fit = fits(c.technologies.len())
            && MULTI_FLAT.iter().all(|&i| fits(c.flat[i].names.len()))
            && fits(c.month.distinct.len());
        if !multi_fit {
            return None;
        }
        let mut rows = Vec::with_capacity(docs);
        let mut multi = Vec::new();
        let mut whole_single = SINGLE_FLAT.map(|i| vec![0u64; c.flat[i].names.len() + 1]);
        let mut whole_multi = [
            vec![0u64; c.technologies.len()],
            vec![0u64; c.flat[MULTI_FLAT[0]].names.len()],
            vec![0u64; c.flat[MULTI_FLAT[1]].names.len()],
        ];
        for doc in 0..docs {
            let mut row = Row {
                start: u32::try_from(multi.len()).ok()?,
                ..Row::default()
            };
            for ((slot, values), whole) in
                row.single.iter_mut().zip(&singles).zip(&mut whole_single)
            {
                *slot = plus_one(values[doc]);
                whole[*slot as usize] += 1;
            }
            row.month = plus_one(c.month.rank[doc]);
            for ((len, values), whole) in row.lens.iter_mut().zip(multis).zip(&mut whole_multi) {
                let of = values.of(doc);
                *len = u8::try_from(of.len()).ok()?;
                multi.extend(of.iter().map(|&v| v as u16));
                for &v in of {
                    whole[v as usize] += 1;
                }
            }
            rows.push(row);
        }
        let mut whole_month = vec![0u64; c.month.distinct.len() + 1];
        for row in &rows {
            whole_month[row.month as usize] += 1;
        }
        let mut newest: Vec<u32> = (0..docs as u32).collect();
        // Month slot 0 (none) sorts last because it is the smallest.
        newest.sort_unstable_by_key(|&d| {
            (
                std::cmp::Reverse(rows[d as usize].month),
                id_order[d as usize],
                d,
            )
        });
        let mut layout = Layout::default();
        let mut at = 0;
        for (off, counts) in layout.single.iter_mut().zip(&whole_single) {
            *off = at;
            at += counts.len();
        }
        for (off, counts) in layout.multi.iter_mut().zip(&whole_multi) {
            *off = at;
            at += counts.len();
        }
        layout.width = at;
        layout.month = at;
        layout.height = at + whole_month.len();
        // A segment with thousands of distinct values (free-form
        // technologies, say) would need a table of millions of pairs: it
        // goes without, and its blank searches through the general pass.
        let pairs = if layout.width * layout.height <= MAX_PAIRS {
            pairs(&rows, &multi, &layout)
        } else {
            Vec::new()
        };
        Some(Packed {
            rows,
            multi,
            whole_single,
            whole_multi,
            whole_month,
            newest,
            pairs,
            layout,
        })
    }
}

/// `Packed::pairs`: for every document, every pair of a value it has and a
/// value it has that a facet counts. "None" slots are left out: no filter
/// names them and no count shows them.
fn pairs(rows: &[Row], multi: &[u16], layout: &Layout) -> Vec<u32> {
    let mut pairs = vec![0u32; layout.width * layout.height];
    let mut counted: Vec<usize> = Vec::with_capacity(32);
    for row in rows {
        counted.clear();
        for (i, &slot) in row.single.iter().enumerate() {
            if slot > 0 {
                counted.push(layout.single[i] + slot as usize);
            }
        }
        for i in 0..3 {
            counted.extend(
                row.multi(multi, i)
                    .iter()
                    .map(|&v| layout.multi[i] + v as usize),
            );
        }
        let month = (row.month > 0).then(|| layout.month + row.month as usize);
        for r in counted.iter().copied().chain(month) {
            let line = &mut pairs[r * layout.width..(r + 1) * layout.width];
            for &c in &counted {
                line[c] += 1;
            }
        }
    }
    pairs
}

/// An index or rank (< 65,535, checked above) plus one; `NONE` is 0.
fn plus_one(v: u32) -> u16 {
    if v == NONE {
        0
    } else {
        v as u16 + 1
    }
}

#[cfg(test)]
mod tests {
    use crate::{IndexOp, IndexedReport, SearchIndex};

    fn report(n: u32, techs: &[&str], factors: &[&str], month: Option<&str>) -> IndexedReport {
        IndexedReport {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            title: format!("report {n}"),
            technologies: techs
                .iter()
                .map(|t| ("database".to_string(), t.to_string()))
                .collect(),
            trigger: n.is_multiple_of(2).then(|| "deploy".to_string()),
            contributing_factors: factors.iter().map(|f| f.to_string()).collect(),
            mitigations: vec!["rollback".into()],
            industry: Some(["saas", "fintech", "retail"][n as usize % 3].into()),
            severity: (!n.is_multiple_of(4)).then(|| format!("sev{}", n % 4)),
            month: month.map(str::to_string),
            ..Default::default()
        }
    }

    /// The rows hold exactly what the columns hold, document by document.
    #[test]
    fn rows_hold_every_facet_value_of_the_columns() {
        let dir = tempfile::TempDir::new().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        let reports = [
            report(
                1,
                &["redis", "kafka"],
                &["misconfiguration"],
                Some("2021-03"),
            ),
            report(2, &[], &[], None),
            report(3, &["postgresql"], &["a", "b", "c"], Some("2023-11")),
            report(4, &["redis"], &["b"], Some("2021-03")),
        ];
        let ops: Vec<IndexOp> = reports.into_iter().map(IndexOp::Upsert).collect();
        index.apply(&ops).unwrap();
        index.commit(1).unwrap();
        let searcher = index.reader.searcher();
        let columns = index
            .stats_columns
            .columns(&searcher, &index.executor)
            .unwrap();
        for c in columns {
            let p = c.packed.as_ref().expect("small segments pack");
            for doc in 0..c.max_doc() as usize {
                let row = &p.rows[doc];
                for (i, &flat) in super::SINGLE_FLAT.iter().enumerate() {
                    let want = c.flat[flat].values.of(doc).first().map_or(0, |v| v + 1);
                    assert_eq!(u32::from(row.single[i]), want, "doc {doc} single {i}");
                }
                let multis = [
                    &c.technology,
                    &c.flat[super::MULTI_FLAT[0]].values,
                    &c.flat[super::MULTI_FLAT[1]].values,
                ];
                for (i, values) in multis.into_iter().enumerate() {
                    let got: Vec<u32> = row.multi(&p.multi, i).iter().map(|&v| v.into()).collect();
                    assert_eq!(got, values.of(doc), "doc {doc} multi {i}");
                }
                let month = c.month.rank[doc];
                let want = if month == super::NONE { 0 } else { month + 1 };
                assert_eq!(u32::from(row.month), want, "doc {doc} month");
            }
        }
    }
}
