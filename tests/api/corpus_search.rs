//! Real public postmortems (`../shared/corpus/`, read in place, never
//! copied into the project) imported through the CLI and searched over
//! HTTP: every entry imports, and searches for what engineers look up
//! return every report that mentions it.

use regex::Regex;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::search::{export, import_published, search};
use nearmiss::report::markdown::ingest;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");

#[derive(Deserialize)]
struct Icco {
    company: String,
    product: Option<String>,
    start_time: Option<String>,
    categories: Vec<String>,
    description: String,
}

#[derive(Deserialize)]
struct FullText {
    company: String,
    text: String,
}

fn lines<T: for<'de> Deserialize<'de>>(file: &str) -> Vec<T> {
    let text = std::fs::read_to_string(format!("{CORPUS}{file}"))
        .expect("the shared corpus sits beside the repository");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("corpus line"))
        .collect()
}

/// The first sentence, cut to a title's length at a word boundary.
fn title_of(description: &str) -> String {
    let first = description
        .split(['\n'])
        .find(|l| !l.trim().is_empty())
        .unwrap_or("Untitled incident");
    let sentence = first.split(". ").next().unwrap_or(first).trim();
    let mut title = String::new();
    for word in sentence.split_whitespace() {
        if title.chars().count() + word.chars().count() + 1 > 150 {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    title
}

/// An icco entry as a submission, company and product declared.
fn from_icco(e: &Icco) -> Value {
    let summary: String = e
        .description
        .split("\n\n")
        .next()
        .unwrap_or("")
        .chars()
        .take(3_000)
        .collect();
    // Only dates the registry can publish as a month are kept.
    let started = e
        .start_time
        .as_deref()
        .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok() && t.as_bytes()[0] >= b'2');
    let trigger = e.categories.iter().find(|c| *c == "config-change").cloned();
    json!({
        "title": title_of(&e.description),
        "summary": if summary.trim().is_empty() { title_of(&e.description) } else { summary },
        "narrative": e.description,
        "incident": {"started_at": started},
        "trigger": trigger,
        "declared_terms": {
            "organization": [e.company],
            "products": e.product.iter().collect::<Vec<_>>(),
        },
    })
}

/// A full Markdown postmortem through the Markdown reader.
fn from_full_text(e: &FullText) -> Value {
    let mut s = ingest(&e.text);
    s.declared_terms.organization = vec![e.company.clone()];
    serde_json::to_value(s).unwrap()
}

/// Every text a search reads, of one exported report, lowercased.
fn searchable_text(r: &Value) -> String {
    let mut out = String::new();
    for key in ["title", "summary", "narrative", "synopsis"] {
        out.push_str(r[key].as_str().unwrap_or(""));
        out.push('\n');
    }
    for key in ["root_causes", "five_whys", "lessons_learned"] {
        for v in r[key].as_array().into_iter().flatten() {
            out.push_str(v.as_str().unwrap_or(""));
            out.push('\n');
        }
    }
    for v in r["timeline"].as_array().into_iter().flatten() {
        out.push_str(v["event"].as_str().unwrap_or(""));
        out.push('\n');
    }
    for v in r["action_items"].as_array().into_iter().flatten() {
        out.push_str(v["description"].as_str().unwrap_or(""));
        out.push('\n');
    }
    out.to_lowercase()
}

/// Every id a query returns, all pages.
fn all_hits(app: &TestApp, q: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 1.. {
        let page = page.to_string();
        let r = search(app, &[("q", q), ("per_page", "100"), ("page", &page)]);
        let hits = r["hits"].as_array().unwrap();
        ids.extend(hits.iter().map(|h| h["id"].as_str().unwrap().to_string()));
        if ids.len() as u64 >= r["total"].as_u64().unwrap() || hits.is_empty() {
            break;
        }
    }
    ids
}

#[test]
fn every_real_postmortem_imports_and_is_found_by_what_it_mentions() {
    let icco: Vec<Icco> = lines("icco-postmortems.jsonl");
    let full: Vec<FullText> = lines("full-texts.jsonl");
    let mut submissions: Vec<Value> = icco.iter().map(from_icco).collect();
    submissions.extend(full.iter().map(from_full_text));
    assert!(submissions.len() >= 300, "{}", submissions.len());

    let dir = tempfile::tempdir().unwrap();
    import_published(dir.path(), &submissions);
    let reports = export(dir.path());
    assert_eq!(reports.len(), submissions.len());
    let app = start(dir, Options::default());
    assert_eq!(search(&app, &[])["total"], submissions.len());

    // (query, what a report must say to be an expected answer)
    let cases = [
        ("BGP", vec![r"\bbgp\b"]),
        ("DNS", vec![r"\bdns\b"]),
        (
            "certificate expired",
            vec![
                r"\bcertificates?\b",
                r"\bexpired?\b|\bexpires\b|\bexpiring\b",
            ],
        ),
        ("leap second", vec![r"\bleap\b", r"\bseconds?\b"]),
        ("\"leap second\"", vec![r"\bleap[\s-]seconds?\b"]),
    ];
    for (query, patterns) in cases {
        let patterns: Vec<Regex> = patterns.iter().map(|p| Regex::new(p).unwrap()).collect();
        let expected: Vec<&str> = reports
            .iter()
            .filter(|r| {
                let text = searchable_text(r);
                patterns.iter().all(|p| p.is_match(&text))
            })
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(!expected.is_empty(), "{query}: the corpus mentions it");
        let got = all_hits(&app, query);
        let missing: Vec<&&str> = expected
            .iter()
            .filter(|id| !got.iter().any(|g| g == *id))
            .collect();
        assert!(
            missing.is_empty(),
            "{query}: {} of {} mentioning reports not found",
            missing.len(),
            expected.len()
        );
        eprintln!(
            "{query}: {} expected, {} returned",
            expected.len(),
            got.len()
        );
    }
}
