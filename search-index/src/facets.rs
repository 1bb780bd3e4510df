//! Facet fields and their counts.
//!
//! Every facet is counted by the value users filter on: technologies by id
//! (from the flat `tech` field, not the hierarchical `technology` one), the
//! others by their one-level value, and `year` from the incident month.
//! Counts follow the usual faceted-search rule: a facet's counts come from
//! the query with every filter except its own, so picking `redis` still shows
//! how many `kafka` reports there are; `pass` does that in one pass. Every
//! matching document is visited, so counts are exact.
//!
//! Not tantivy's `FacetCollector`: every facet is
//! counted in the one pass, into dense arrays indexed by the segment's facet
//! ordinals, and only the ordinals that were counted are turned into names.
//! `FacetCollector` resolves every ordinal of the segment, one collector per
//! field, which dominated search time on a large index.

use std::collections::BTreeMap;

use tantivy::fastfield::FacetReader;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, SegmentReader};

use crate::report::flat_facet;
use crate::schema::Fields;
use crate::stats::{Columns, MULTI_FLAT, SINGLE_FLAT};

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

/// Where a facet's values sit in a packed row (see `stats::packed`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `Row::single[i]`.
    Single(usize),
    /// `Row::multi(.., i)`.
    Multi(usize),
}

impl FacetKind {
    pub(crate) fn place(self) -> Place {
        match self {
            FacetKind::Tech => Place::Multi(0),
            FacetKind::Factor => Place::Multi(1),
            FacetKind::Mitigation => Place::Multi(2),
            FacetKind::Trigger => Place::Single(0),
            FacetKind::Detection => Place::Single(1),
            FacetKind::Industry => Place::Single(2),
            FacetKind::Severity => Place::Single(3),
            FacetKind::Year => Place::Single(4),
        }
    }

    /// The names of this facet's values among the decoded columns, by
    /// value index.
    pub(crate) fn names(self, c: &Columns) -> &[String] {
        match self.place() {
            Place::Multi(0) => &c.technologies,
            Place::Multi(i) => &c.flat[MULTI_FLAT[i - 1]].names,
            Place::Single(i) => &c.flat[SINGLE_FLAT[i]].names,
        }
    }
}

/// One facet of a segment not decoded yet, read from tantivy's facet
/// column, with its counts by ordinal.
pub(crate) struct ColumnFacet {
    reader: FacetReader,
    counts: Vec<u64>,
}

impl ColumnFacet {
    pub(crate) fn open(kind: FacetKind, segment: &SegmentReader) -> tantivy::Result<ColumnFacet> {
        let reader = segment.facet_reader(kind.name())?;
        let counts = vec![0; reader.num_facets()];
        Ok(ColumnFacet { reader, counts })
    }

    /// Whether any of `doc`'s values is accepted (`accept` by ordinal).
    #[inline]
    pub(crate) fn any(&self, doc: DocId, accept: &[bool]) -> bool {
        self.reader.facet_ords(doc).any(|ord| accept[ord as usize])
    }

    pub(crate) fn clear(&mut self) {
        self.counts.fill(0);
    }

    #[inline]
    pub(crate) fn count(&mut self, doc: DocId) {
        for ord in self.reader.facet_ords(doc) {
            self.counts[ord as usize] += 1;
        }
    }

    /// Which ordinals are one of `values`: what a filter accepts.
    pub(crate) fn accepting(&self, values: &[String]) -> tantivy::Result<Vec<bool>> {
        let mut accept = vec![false; self.counts.len()];
        for value in values {
            let facet = flat_facet(value);
            if let Some(ord) = self.reader.facet_dict().term_ord(facet.encoded_str())? {
                accept[ord as usize] = true;
            }
        }
        Ok(accept)
    }

    /// The counted values by name.
    pub(crate) fn harvest(self, into: &mut BTreeMap<String, u64>) {
        let mut facet = Facet::root();
        for (ord, &n) in self.counts.iter().enumerate() {
            if n == 0 || self.reader.facet_from_ord(ord as u64, &mut facet).is_err() {
                continue;
            }
            if let Some(value) = facet.to_path().first() {
                *into.entry(value.to_string()).or_default() += n;
            }
        }
    }
}

/// Adds `from`'s counts into `into`.
/// The counts of `kinds`, each present even with no count, summed over
/// `parts` (a segment's counts each, say).
pub(crate) fn summed(
    kinds: impl IntoIterator<Item = FacetKind>,
    parts: impl IntoIterator<Item = Facets>,
) -> Facets {
    let mut out: Facets = kinds
        .into_iter()
        .map(|k| (k.name().to_string(), Default::default()))
        .collect();
    for part in parts {
        merge(&mut out, part);
    }
    out
}

pub(crate) fn merge(into: &mut Facets, from: Facets) {
    for (kind, values) in from {
        let into = into.entry(kind).or_default();
        for (value, n) in values {
            *into.entry(value).or_default() += n;
        }
    }
}
