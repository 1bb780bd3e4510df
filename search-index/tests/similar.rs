//! "Similar incidents".

mod common;

use common::corpus::id;
use common::indexed_corpus;

#[test]
fn similar_puts_the_most_related_first_and_never_the_source() {
    let (_dir, index) = indexed_corpus();
    for (source, want) in [(1, 27), (2, 24), (6, 15), (9, 28), (27, 1)] {
        let hits = index.similar(&id(source), 5).unwrap();
        assert!(!hits.is_empty(), "#{source}");
        assert!(
            hits.iter().all(|h| h.id != id(source)),
            "#{source} returned itself"
        );
        assert_eq!(
            hits[0].id,
            id(want),
            "#{source}: {:?}",
            hits.iter().map(|h| &h.title).collect::<Vec<_>>()
        );
        assert!(hits.len() <= 5);
    }
}

#[test]
fn similar_to_an_unknown_report_is_empty() {
    let (_dir, index) = indexed_corpus();
    assert!(index.similar("no-such-id", 5).unwrap().is_empty());
    assert!(index.similar(&id(1), 0).unwrap().is_empty());
}
