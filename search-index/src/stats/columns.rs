//! One segment's statistics columns, decoded once into plain arrays.
//!
//! A statistics request reads about ten facet and numeric columns of every
//! matching document. Read through tantivy's columnar readers, each value
//! costs a few bit-unpacking and index lookups, which dominated `/stats` at
//! a million reports. Segments never change once written, so their columns
//! are decoded once into flat arrays (ordinals remapped to dense indices)
//! and kept until the segment leaves the index; a request then costs a few
//! array reads per document. The decoded form takes about 90 bytes per
//! document, plus the packed rows' table of value pairs (see `packed`),
//! whose size depends on the distinct values, not the documents.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Searcher, SegmentReader};

use super::packed::Packed;
use super::tally::Tally;
use super::RawStats;

/// Marks an absent single value.
pub(crate) const NONE: u32 = u32::MAX;

/// The values of one facet dimension per document.
pub(crate) enum Values {
    /// At most one value per document (`NONE` for none).
    Single(Vec<u32>),
    /// Any number: document `d`'s values are `values[start[d]..start[d + 1]]`.
    Multi { start: Vec<u32>, values: Vec<u32> },
}

impl Values {
    #[inline]
    pub(crate) fn of(&self, doc: usize) -> &[u32] {
        match self {
            Values::Single(v) => {
                let value = &v[doc];
                if *value == NONE {
                    &[]
                } else {
                    std::slice::from_ref(value)
                }
            }
            Values::Multi { start, values } => {
                &values[start[doc] as usize..start[doc + 1] as usize]
            }
        }
    }

    /// Builds from per-document value lists, choosing the compact form.
    fn build(per_doc: impl Iterator<Item = Vec<u32>>, docs: usize) -> Values {
        let mut start = Vec::with_capacity(docs + 1);
        let mut values = Vec::with_capacity(docs);
        let mut single = true;
        start.push(0u32);
        for v in per_doc {
            single &= v.len() <= 1;
            values.extend_from_slice(&v);
            start.push(values.len() as u32);
        }
        if !single {
            return Values::Multi { start, values };
        }
        let mut out = vec![NONE; docs];
        for (doc, w) in start.windows(2).enumerate() {
            if w[1] > w[0] {
                out[doc] = values[w[0] as usize];
            }
        }
        Values::Single(out)
    }
}

/// A facet dimension: values are indices into `names` (leaf names).
pub(crate) struct Dim {
    pub(crate) values: Values,
    pub(crate) names: Vec<String>,
}

/// A numeric column (a duration, the incident month): each document's value
/// as a rank into `distinct`, the segment's distinct values in ascending
/// order (`NONE` for none). Ranks let a request count values in dense
/// arrays and still report exact values.
pub(crate) struct Measure {
    pub(crate) rank: Vec<u32>,
    pub(crate) distinct: Vec<u32>,
}

pub(crate) struct Columns {
    /// The statistics of every document of the segment, deleted ones
    /// included (see `SearchIndex::tally`).
    pub(crate) full: RawStats,
    /// Technology leaf indices; `technologies[i]` is the id and
    /// `technology_category[i]` its category's index in `categories`.
    pub(crate) technology: Values,
    pub(crate) technologies: Vec<String>,
    pub(crate) technology_category: Vec<u32>,
    pub(crate) categories: Vec<String>,
    /// trigger, contributing factor, mitigation, detection, industry,
    /// severity, year: `FLAT` order.
    pub(crate) flat: [Dim; 7],
    /// Incident month, YYYYMM.
    pub(crate) month: Measure,
    /// time to detect, mitigate, resolve.
    pub(crate) measures: [Measure; 3],
    /// The facets again, a row per document, for search (see `packed`).
    pub(crate) packed: Option<Packed>,
}

/// The flat dimensions' facet fields and the names they are reported under.
pub(crate) const FLAT: [(&str, &str); 7] = [
    ("trigger", "trigger"),
    ("factor", "contributing_factor"),
    ("mitigation", "mitigation"),
    ("detection", "detection"),
    ("industry", "industry"),
    ("severity", "severity"),
    ("year", "year"),
];

/// `/value` → `value`.
fn leaf(facet: &Facet) -> String {
    facet
        .to_path()
        .last()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

fn facet_names(reader: &FacetReader) -> tantivy::Result<Vec<Facet>> {
    let mut out = Vec::with_capacity(reader.num_facets());
    for ord in 0..reader.num_facets() as u64 {
        let mut facet = Facet::root();
        reader.facet_from_ord(ord, &mut facet)?;
        out.push(facet);
    }
    Ok(out)
}

fn flat_dim(segment: &SegmentReader, field: &str) -> tantivy::Result<Dim> {
    let reader = segment.facet_reader(field)?;
    let names = facet_names(&reader)?.iter().map(leaf).collect();
    let docs = segment.max_doc() as usize;
    let values = Values::build(
        (0..docs as DocId).map(|d| reader.facet_ords(d).map(|o| o as u32).collect()),
        docs,
    );
    Ok(Dim { values, names })
}

fn ranked(column: &Column<u64>, docs: usize) -> Measure {
    let raw: Vec<Option<u32>> = (0..docs as DocId)
        .map(|d| {
            column
                .first(d)
                .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
        })
        .collect();
    let mut distinct: Vec<u32> = raw.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let rank = raw
        .iter()
        .map(|v| v.map_or(NONE, |v| distinct.partition_point(|&x| x < v) as u32))
        .collect();
    Measure { rank, distinct }
}

impl Columns {
    fn decode(segment: &SegmentReader) -> tantivy::Result<Columns> {
        let docs = segment.max_doc() as usize;
        // Technologies are `/category/id`; only those two-level facets are
        // technologies (the column may hold ancestors too).
        let reader = segment.facet_reader("technology")?;
        let mut categories: Vec<String> = Vec::new();
        let mut technologies = Vec::new();
        let mut technology_category = Vec::new();
        let leaf_of: Vec<u32> = facet_names(&reader)?
            .iter()
            .map(|facet| {
                let parts = facet.to_path();
                let [category, id] = parts.as_slice() else {
                    return NONE;
                };
                let c = match categories.iter().position(|c| c == category) {
                    Some(i) => i,
                    None => {
                        categories.push(category.to_string());
                        categories.len() - 1
                    }
                };
                technologies.push(id.to_string());
                technology_category.push(c as u32);
                (technologies.len() - 1) as u32
            })
            .collect();
        let technology = Values::build(
            (0..docs as DocId).map(|d| {
                reader
                    .facet_ords(d)
                    .map(|o| leaf_of[o as usize])
                    .filter(|&t| t != NONE)
                    .collect()
            }),
            docs,
        );
        let flat = [
            flat_dim(segment, FLAT[0].0)?,
            flat_dim(segment, FLAT[1].0)?,
            flat_dim(segment, FLAT[2].0)?,
            flat_dim(segment, FLAT[3].0)?,
            flat_dim(segment, FLAT[4].0)?,
            flat_dim(segment, FLAT[5].0)?,
            flat_dim(segment, FLAT[6].0)?,
        ];
        let fast = segment.fast_fields();
        let month = ranked(&fast.u64("month")?, docs);
        let measures = [
            ranked(&fast.u64("ttd")?, docs),
            ranked(&fast.u64("ttm")?, docs),
            ranked(&fast.u64("ttr")?, docs),
        ];
        let mut columns = Columns {
            full: RawStats::default(),
            technology,
            technologies,
            technology_category,
            categories,
            flat,
            month,
            measures,
            packed: None,
        };
        let id_order = fast.u64("id_order")?;
        let id_order: Vec<u64> = (0..docs as DocId)
            .map(|d| id_order.first(d).unwrap_or(0))
            .collect();
        columns.packed = Packed::of(&columns, &id_order);
        let all: Vec<DocId> = (0..docs as DocId).collect();
        let mut tally = Tally::new(&columns, all.len());
        tally.add(&all);
        columns.full = tally.harvest();
        Ok(columns)
    }

    /// Documents in the segment, deleted ones included.
    pub(crate) fn max_doc(&self) -> DocId {
        self.month.rank.len() as DocId
    }
}

/// Decoded columns of the segments in use, by segment.
#[derive(Default)]
pub(crate) struct ColumnCache {
    segments: Mutex<HashMap<SegmentId, Arc<Columns>>>,
}

impl ColumnCache {
    /// The columns of every segment of `searcher`, in segment order,
    /// decoding (in parallel) those not seen before. Forgets segments the
    /// searcher no longer has (merged away).
    pub(crate) fn columns(
        &self,
        searcher: &Searcher,
        executor: &tantivy::Executor,
    ) -> tantivy::Result<Vec<Arc<Columns>>> {
        let readers = searcher.segment_readers();
        let known: Vec<Option<Arc<Columns>>> = {
            let cache = self.lock();
            readers
                .iter()
                .map(|r| cache.get(&r.segment_id()).cloned())
                .collect()
        };
        let missing: Vec<&SegmentReader> = readers
            .iter()
            .zip(&known)
            .filter(|(_, k)| k.is_none())
            .map(|(r, _)| r)
            .collect();
        let decoded = executor.map(
            |r: &SegmentReader| Ok((r.segment_id(), Arc::new(Columns::decode(r)?))),
            missing.into_iter(),
        )?;
        let mut decoded = decoded.into_iter();
        let columns: Vec<Arc<Columns>> = known
            .into_iter()
            .map(|k| k.or_else(|| decoded.next().map(|(_, c)| c)))
            .collect::<Option<_>>()
            .expect("one decoded segment per missing one");
        let mut cache = self.lock();
        cache.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
        for (reader, c) in readers.iter().zip(&columns) {
            cache
                .entry(reader.segment_id())
                .or_insert_with(|| c.clone());
        }
        Ok(columns)
    }

    /// The columns already decoded for each segment of `searcher`, without
    /// decoding any: searches use them where present and read tantivy's
    /// columns otherwise, so no search waits for a decode.
    pub(crate) fn decoded(&self, searcher: &Searcher) -> Vec<Option<Arc<Columns>>> {
        let cache = self.lock();
        searcher
            .segment_readers()
            .iter()
            .map(|r| cache.get(&r.segment_id()).cloned())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<Columns>>> {
        // The map holds no invariant a panicking holder could break.
        self.segments
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
