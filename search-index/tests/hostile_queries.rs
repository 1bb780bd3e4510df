//! Query texts that once crashed the server or failed as an index error
//! (a 500), and their neighbours: each is answered, or refused as the
//! user's mistake, never a panic, a stack overflow or an index error.
//! Crashing inputs found by fuzzing (`fuzz/fuzz_targets/search_query.rs`)
//! are added here.

mod common;

use common::*;
use search_index::SearchError;

fn answered_or_refused(text: &str) {
    match indexed().search(&query(text)) {
        Ok(_) | Err(SearchError::Syntax { .. }) => {}
        Err(other) => panic!("{text:?}: {other:?}"),
    }
}

fn indexed() -> &'static search_index::SearchIndex {
    use std::sync::OnceLock;
    static INDEX: OnceLock<(tempfile::TempDir, search_index::SearchIndex)> = OnceLock::new();
    &INDEX.get_or_init(indexed_corpus).1
}

#[test]
fn deep_nesting_is_refused_before_the_grammar_recurses() {
    for depth in [33, 400, 999] {
        for text in [
            format!("{}x", "(".repeat(depth)),
            format!("{}x{}", "(".repeat(depth), ")".repeat(depth)),
            format!("{}x", "-(".repeat(depth / 2 + 1)),
            format!("title:{}x", "(".repeat(depth)),
        ] {
            let e = indexed().search(&query(&text)).unwrap_err();
            assert!(matches!(e, SearchError::Syntax { .. }), "{e:?}");
        }
    }
    // Within the limit: parsed.
    indexed()
        .search(&query(&format!(
            "{}redis{}",
            "(".repeat(32),
            ")".repeat(32)
        )))
        .unwrap();
}

#[test]
fn any_value_of_a_field_is_a_syntax_error_not_an_index_error() {
    for text in [
        "title:*",
        "narrative:*",
        "redis AND lessons:*",
        "-summary:*",
    ] {
        let e = indexed().search(&query(text)).unwrap_err();
        assert!(matches!(e, SearchError::Syntax { .. }), "{text}: {e:?}");
    }
}

#[test]
fn pathological_queries_are_answered_or_refused() {
    let long_star = "*".repeat(900);
    let wild = "a*b*c*d*e*f*g*h*i*j*".repeat(40);
    let many = vec!["a"; 499].join(" ");
    let ors = vec!["x"; 200].join(" OR ");
    for text in [
        "*",
        "*ache",
        long_star.as_str(),
        wild.as_str(),
        "\"replica resync\"*",
        "\"",
        "title:",
        "title:title:x",
        "title:[a TO zzzz]",
        "title:{* TO *}",
        "title: IN [a b c]",
        "redis^99999999999999999999",
        "redis^-1",
        "\"redis replica\"~999999",
        "AND OR NOT",
        "+-+-+-redis",
        "redis\\",
        "redis\0replica",
        many.as_str(),
        ors.as_str(),
    ] {
        answered_or_refused(text);
    }
}
