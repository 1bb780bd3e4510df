//! The obvious best report ranks first for queries an engineer would type.

mod common;

use common::corpus::{self, id};
use common::{ids, indexed_corpus, query};

#[test]
fn obvious_best_report_ranks_first() {
    let (_dir, index) = indexed_corpus();
    let mut failures = Vec::new();
    for (text, want) in corpus::RELEVANCE {
        let results = index.search(&query(text)).unwrap();
        let got = ids(&results);
        if got.first() != Some(&id(*want)) {
            failures.push(format!(
                "{text:?}: want #{want} first, got {:?}",
                results.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn conjunction_by_default_and_exclusion() {
    let (_dir, index) = indexed_corpus();
    // AND: both words must appear.
    let got = ids(&index.search(&query("redis kafka")).unwrap());
    assert!(got.is_empty(), "{got:?}");
    let got = ids(&index.search(&query("redis OR kafka")).unwrap());
    assert_eq!(got.len(), 3);
    let got = ids(&index.search(&query("redis -replica")).unwrap());
    assert_eq!(got, vec![id(27)]);
}
