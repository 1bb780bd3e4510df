//! Facet fields and their counts.
//!
//! Every facet is counted by the value users filter on: technologies by id
//! (from the flat `tech` field, not the hierarchical `technology` one), the
//! others by their one-level value, and `year` from the incident month.
//! Counts follow the usual faceted-search rule: a facet's counts come from
//! the query with every filter except its own, so picking `redis` still shows
//! how many `kafka` reports there are. Facets whose filter is unset share the
//! main pass; each restricted facet costs one more pass. `FacetCounter`
//! visits every matching document, so counts are exact.
//!
//! `FacetCounter` rather than tantivy's `FacetCollector`: it counts every
//! facet field in one collector, into dense arrays indexed by the segment's
//! facet ordinals, and turns only the ordinals that were counted into names.
//! `FacetCollector` resolves every ordinal of the segment, one collector per
//! field, which dominated search time on a large index.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::Fields;
use crate::stats::{Columns, Values};

/// facet name → value → number of matching reports.
pub type Facets = BTreeMap<String, BTreeMap<String, u64>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FacetKind {
    Tech,
    Trigger,
    Factor,
    Mitigation,
    Industry,
    Severity,
    Detection,
    Year,
}

impl FacetKind {
    pub const ALL: [FacetKind; 8] = [
        FacetKind::Tech,
        FacetKind::Trigger,
        FacetKind::Factor,
        FacetKind::Mitigation,
        FacetKind::Industry,
        FacetKind::Severity,
        FacetKind::Detection,
        FacetKind::Year,
    ];

    /// The key in `Facets`, which is also the schema field's name.
    pub fn name(self) -> &'static str {
        match self {
            FacetKind::Tech => "tech",
            FacetKind::Trigger => "trigger",
            FacetKind::Factor => "factor",
            FacetKind::Mitigation => "mitigation",
            FacetKind::Industry => "industry",
            FacetKind::Severity => "severity",
            FacetKind::Detection => "detection",
            FacetKind::Year => "year",
        }
    }

    pub fn field(self, f: &Fields) -> Field {
        match self {
            FacetKind::Tech => f.tech,
            FacetKind::Trigger => f.trigger,
            FacetKind::Factor => f.factor,
            FacetKind::Mitigation => f.mitigation,
            FacetKind::Industry => f.industry,
            FacetKind::Severity => f.severity,
            FacetKind::Detection => f.detection,
            FacetKind::Year => f.year,
        }
    }
}

/// Counts the values of several facet fields over the matching documents.
pub struct FacetCounter {
    kinds: Vec<FacetKind>,
    /// Per segment ordinal, its decoded columns if the statistics have
    /// decoded them already.
    decoded: Vec<Option<Arc<Columns>>>,
}

impl FacetCounter {
    pub fn new(kinds: Vec<FacetKind>, decoded: Vec<Option<Arc<Columns>>>) -> FacetCounter {
        FacetCounter { kinds, decoded }
    }
}

/// Where one facet's values come from in one segment.
enum Source {
    /// The decoded columns: plain array reads (see `stats::columns`).
    Decoded(Arc<Columns>),
    /// tantivy's facet column, for a segment not decoded yet.
    Column(FacetReader),
}

pub struct SegmentFacetCounter {
    fields: Vec<(FacetKind, Source, Vec<u64>)>,
}

impl FacetKind {
    /// This facet's values among the decoded columns.
    fn decoded(self, c: &Columns) -> (&Values, &[String]) {
        let flat = |i: usize| (&c.flat[i].values, c.flat[i].names.as_slice());
        match self {
            FacetKind::Tech => (&c.technology, c.technologies.as_slice()),
            FacetKind::Trigger => flat(0),
            FacetKind::Factor => flat(1),
            FacetKind::Mitigation => flat(2),
            FacetKind::Detection => flat(3),
            FacetKind::Industry => flat(4),
            FacetKind::Severity => flat(5),
            FacetKind::Year => flat(6),
        }
    }
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let decoded = self.decoded.get(ordinal as usize).cloned().flatten();
        let fields = self
            .kinds
            .iter()
            .map(|&kind| match &decoded {
                Some(c) => {
                    let n = kind.decoded(c).1.len();
                    Ok((kind, Source::Decoded(c.clone()), vec![0; n]))
                }
                None => {
                    let reader = segment.facet_reader(kind.name())?;
                    let counts = vec![0; reader.num_facets()];
                    Ok((kind, Source::Column(reader), counts))
                }
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(SegmentFacetCounter { fields })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut out: Facets = self
            .kinds
            .iter()
            .map(|k| (k.name().to_string(), BTreeMap::new()))
            .collect();
        for fruit in fruits {
            for (kind, values) in fruit {
                let into = out.entry(kind).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (kind, source, counts) in &mut self.fields {
            match source {
                Source::Decoded(c) => {
                    for &v in kind.decoded(c).0.of(doc as usize) {
                        counts[v as usize] += 1;
                    }
                }
                Source::Column(reader) => {
                    for ord in reader.facet_ords(doc) {
                        counts[ord as usize] += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut out = Facets::new();
        let mut facet = Facet::root();
        for (kind, source, counts) in self.fields {
            let values = out.entry(kind.name().to_string()).or_default();
            for (ord, &n) in counts.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                match &source {
                    Source::Decoded(c) => {
                        *values.entry(kind.decoded(c).1[ord].clone()).or_default() += n;
                    }
                    Source::Column(reader) => {
                        if reader.facet_from_ord(ord as u64, &mut facet).is_err() {
                            continue;
                        }
                        if let Some(value) = facet.to_path().first() {
                            *values.entry(value.to_string()).or_default() += n;
                        }
                    }
                }
            }
        }
        out
    }
}
