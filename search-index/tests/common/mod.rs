//! Shared test corpus and helpers: hand-written postmortems, each clearly the
//! best answer to some query, on a real index in a temp dir.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;

use search_index::{
    Filters, IndexOp, IndexedReport, SearchIndex, SearchQuery, SearchResults, Sort,
};
use tempfile::TempDir;

pub mod corpus;

pub fn aliases() -> HashMap<String, String> {
    [
        ("postgres", "postgresql"),
        ("pg", "postgresql"),
        ("k8s", "kubernetes"),
        ("es", "elasticsearch"),
    ]
    .into_iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect()
}

/// An index in a fresh temp dir holding the whole corpus, committed at event 30.
pub fn indexed_corpus() -> (TempDir, SearchIndex) {
    let dir = TempDir::new().unwrap();
    let index = SearchIndex::open(dir.path().join("index"), &aliases()).unwrap();
    let ops: Vec<IndexOp> = corpus::reports().into_iter().map(IndexOp::Upsert).collect();
    index.apply(&ops).unwrap();
    index.commit(30).unwrap();
    (dir, index)
}

pub fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_string(),
        filters: Filters::default(),
        sort: Sort::Relevance,
        page: 1,
        per_page: 100,
    }
}

pub fn filtered(text: &str, filters: Filters) -> SearchQuery {
    SearchQuery {
        filters,
        ..query(text)
    }
}

pub fn ids(results: &SearchResults) -> Vec<String> {
    results.hits.iter().map(|h| h.id.clone()).collect()
}

/// The corpus report with this id.
pub fn report(id: &str) -> IndexedReport {
    corpus::reports().into_iter().find(|r| r.id == id).unwrap()
}
