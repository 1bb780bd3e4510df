//! Aliases, stemming, snippets and query syntax errors.

mod common;

use common::corpus::{self, id};
use common::{filtered, ids, indexed_corpus, query};
use search_index::{Filters, IndexOp, SearchError, SearchIndex};
use tempfile::TempDir;

#[test]
fn aliases_find_the_canonical_technology() {
    let (_dir, index) = indexed_corpus();
    // Report 6 only ever says "PostgreSQL".
    assert_eq!(
        ids(&index.search(&query("postgres wraparound")).unwrap()),
        vec![id(6)]
    );
    // Every report tagged kubernetes, whether its text says so or not (#20 does not).
    let mut got = ids(&index.search(&query("k8s")).unwrap());
    got.sort();
    assert_eq!(got, vec![id(9), id(20), id(28)]);
    // And the other way: the canonical name finds text written with an alias.
    let got = ids(&index.search(&query("postgresql pgbouncer")).unwrap());
    assert_eq!(got, vec![id(15)]);
}

#[test]
fn without_aliases_the_alias_finds_nothing() {
    let dir = TempDir::new().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    let ops: Vec<_> = corpus::reports().into_iter().map(IndexOp::Upsert).collect();
    index.apply(&ops).unwrap();
    index.commit(1).unwrap();
    assert!(ids(&index.search(&query("postgres wraparound")).unwrap()).is_empty());
}

#[test]
fn stemming_matches_other_word_forms() {
    let (_dir, index) = indexed_corpus();
    // Report 2 says "expired", never "expiring".
    let got = ids(&index.search(&query("expiring certificate")).unwrap());
    assert_eq!(got.first(), Some(&id(2)));
    // Report 1 says "replica" and "resync".
    let got = ids(&index.search(&query("replicas resyncing")).unwrap());
    assert_eq!(got.first(), Some(&id(1)));
}

#[test]
fn snippets_mark_matches_and_escape_everything_else() {
    let (_dir, index) = indexed_corpus();
    let results = index.search(&query("replica resync loop")).unwrap();
    let snippet = &results.hits[0].snippet;
    assert!(snippet.contains("<mark>resync</mark>"), "{snippet}");

    let results = index.search(&query("script reviewers")).unwrap();
    assert_eq!(ids(&results), vec![id(30)]);
    let snippet = &results.hits[0].snippet;
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(
        !snippet.contains("<script") && !snippet.contains("</script"),
        "{snippet}"
    );
    assert!(snippet.contains("&lt;"), "{snippet}");
    let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !without_marks.contains('<') && !without_marks.contains('>'),
        "{snippet}"
    );
}

#[test]
fn without_text_the_snippet_is_the_escaped_summary_start() {
    let (_dir, index) = indexed_corpus();
    let filters = Filters {
        tech: vec!["react".into()],
        ..Filters::default()
    };
    let results = index.search(&filtered("", filters)).unwrap();
    let snippet = &results.hits[0].snippet;
    assert!(
        snippet.starts_with("An incident note containing &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{snippet}"
    );
    // A match only in the title has no passage to show: same fallback, escaped.
    let results = index.search(&query("injection")).unwrap();
    assert!(
        results.hits[0].snippet.contains("&lt;script&gt;"),
        "{}",
        results.hits[0].snippet
    );
}

#[test]
fn bad_syntax_is_a_syntax_error_with_a_position() {
    let (_dir, index) = indexed_corpus();
    for (text, position) in [
        ("\"unbalanced", 0),
        ("title:(foo", 6),
        ("redis (replica", 6),
        ("nosuchfield:redis", 0),
        // Schema fields that are not reader-facing text go through filters.
        ("id:*", 0),
        ("redis month:2021", 6),
        ("tech:redis", 0),
        // Regular expressions could pin a core.
        ("title:/re.*dis/", 6),
    ] {
        match index.search(&query(text)) {
            Err(SearchError::Syntax {
                position: got,
                message,
                hint,
            }) => {
                assert_eq!(got, Some(position), "{text}: {message}");
                assert!(!hint.is_empty());
            }
            other => panic!("{text}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn odd_input_never_panics_or_fails_inside_the_index() {
    let (_dir, index) = indexed_corpus();
    let inputs = [
        "(",
        ")",
        "\"",
        ":",
        "title:",
        "AND",
        "OR OR",
        "NOT",
        "a^",
        "a^x",
        "[1 TO",
        "[a TO b]",
        "*",
        "?",
        "~",
        "\\",
        "-",
        "+",
        "title:\"",
        "{}",
        "month:>2020",
        "month:abc",
        "-redis",
        "k8s:",
        "\u{0}",
        "é\"ü",
        "a AND (b OR",
        "((((",
        "title:(kafka OR redis)",
        "\"split brain\"~2",
        "redis^3 kafka",
        "-k8s redis",
    ];
    for text in inputs {
        match index.search(&query(text)) {
            Ok(_) | Err(SearchError::Syntax { .. }) => {}
            Err(other) => panic!("{text:?}: {other:?}"),
        }
    }
}

/// Phrases holding a common word are answered from common grams (`on_call`):
/// they must match exactly what the phrase means, no more and no less.
#[test]
fn phrases_with_common_words_match_exactly_the_phrase() {
    let dir = TempDir::new().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    let narratives = [
        "The on-call engineer was paged twice overnight.",
        "Engineers on call were paged by the alert.",
        "A call on the primary failed and nobody was paged.",
        "We were on a call with the vendor when the alert fired.",
        "The cache ran out of memory under the new load.",
        "The disk was out of inodes long before memory mattered.",
        "A split brain in Redis Sentinel promoted two primaries.",
        "A split brain in the Redis cluster went unnoticed.",
        "The oncall rota had a gap, the phone never rang for the on-calls.",
    ];
    let ops: Vec<IndexOp> = narratives
        .iter()
        .enumerate()
        .map(|(i, text)| {
            IndexOp::Upsert(search_index::IndexedReport {
                id: id(i as u32 + 1),
                title: format!("Report {}", i + 1),
                narrative: text.to_string(),
                ..Default::default()
            })
        })
        .collect();
    index.apply(&ops).unwrap();
    index.commit(1).unwrap();
    let found = |q: &str| {
        let mut got = ids(&index.search(&query(q)).unwrap());
        got.sort();
        got
    };
    let want = |ns: &[u32]| ns.iter().map(|&n| id(n)).collect::<Vec<_>>();
    // Written "on-call", "on call" or "on-calls" (stemmed): all the phrase.
    assert_eq!(found("\"on call\""), want(&[1, 2, 9]));
    assert_eq!(found("on-call"), want(&[1, 2, 9]));
    assert_eq!(found("on-call paged"), want(&[1, 2]));
    // The words alone, in any order, still match as words.
    assert_eq!(found("on call"), want(&[1, 2, 3, 4, 9]));
    assert_eq!(found("\"out of memory\""), want(&[5]));
    assert_eq!(found("\"split brain in redis\""), want(&[7]));
    // Only a common word and the word after it make a pair: a phrase that
    // ends in a common word is found by that word's own positions.
    assert_eq!(found("\"brain in\""), want(&[7, 8]));
    assert_eq!(found("\"paged by the\""), want(&[2]));
    assert_eq!(found("\"was paged\""), want(&[1, 3]));
    // A phrase prefix whose words make one pair still works.
    assert_eq!(found("\"on ca\"*"), want(&[1, 2, 9]));
    assert_eq!(found("\"on-call eng\"*"), want(&[1]));
    // A lone common word is still a word.
    assert_eq!(found("\"the\" vendor"), want(&[4]));
    // The snippet marks the phrase as written.
    let results = index.search(&query("\"on call\" overnight")).unwrap();
    assert_eq!(ids(&results), want(&[1]));
    assert!(
        results.hits[0].snippet.contains("<mark>on-call</mark>"),
        "{}",
        results.hits[0].snippet
    );
}
