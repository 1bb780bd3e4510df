//! Facet fields and their counts.
//!
//! Every facet is counted by the value users filter on: technologies by id
//! (from the flat `tech` field, not the hierarchical `technology` one), the
//! others by their one-level value, and `year` from the incident month.
//! Counts follow the usual faceted-search rule: a facet's counts come from
//! the query with every filter except its own, so picking `redis` still shows
//! how many `kafka` reports there are. Facets whose filter is unset share the
//! main pass; each restricted facet costs one more pass. `FacetCollector`
//! visits every matching document, so counts are exact.

use std::collections::BTreeMap;

use tantivy::collector::{FacetCollector, FacetCounts};
use tantivy::schema::Field;

use crate::schema::Fields;

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

    /// Counts the direct children of the root: every value is one level deep.
    pub fn collector(self) -> FacetCollector {
        let mut collector = FacetCollector::for_field(self.name());
        collector.add_facet("/");
        collector
    }
}

/// value → count, from a collector made by `FacetKind::collector`.
pub fn value_counts(counts: &FacetCounts) -> BTreeMap<String, u64> {
    counts
        .get("/")
        .filter_map(|(facet, n)| facet.to_path().first().map(|v| (v.to_string(), n)))
        .collect()
}
