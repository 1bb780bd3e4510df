//! The de-identifier measured on a labelled corpus written for it
//! (`tests/data/redaction-corpus.jsonl`: realistic postmortem passages with
//! every identifying string and every technical term that must survive
//! labelled). Prints recall per kind, precision per placeholder kind and the
//! share of must-survive terms removed, and fails below the bar.

use std::collections::BTreeMap;

use nearmiss::redact::normalise::clean;
use nearmiss::redact::{FindingKind, Redactor};
use nearmiss::report::submission::DeclaredTerms;
use serde::Deserialize;

#[derive(Deserialize)]
struct Passage {
    id: String,
    declared_terms: DeclaredTerms,
    text: String,
    identifiers: Vec<Identifier>,
    must_survive: Vec<String>,
}

#[derive(Deserialize)]
struct Identifier {
    kind: String,
    value: String,
}

fn corpus() -> Vec<Passage> {
    let text = include_str!("data/redaction-corpus.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("corpus line parses"))
        .collect()
}

/// Recall bar per kind: 1.0 where a miss would publish a name or a secret.
fn required_recall(kind: &str) -> f64 {
    match kind {
        "declared" | "email" | "ipv4" | "ipv6" | "cidr" | "host" | "url" | "secret" => 1.0,
        "person" => 0.95,
        _ => 0.0,
    }
}

#[test]
fn recall_and_precision_on_the_labelled_corpus() {
    let passages = corpus();
    let mut recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut precision: BTreeMap<FindingKind, (usize, usize)> = BTreeMap::new();
    let mut survived = (0usize, 0usize);
    let mut misses: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for p in &passages {
        let mut redactor = Redactor::new(&p.declared_terms);
        redactor.learn(&[p.text.as_str()]);
        let output = redactor.redact("text", &p.text);
        // Spans for precision: does each replaced stretch hold a labelled value?
        let mut analyser = Redactor::new(&p.declared_terms);
        analyser.learn(&[p.text.as_str()]);
        let (cleaned, spans) = analyser.analyse(&p.text);
        let labelled: Vec<(usize, usize)> = p
            .identifiers
            .iter()
            .flat_map(|i| {
                let v = clean(&i.value).into_owned();
                cleaned
                    .match_indices(&v)
                    .map(|(s, m)| (s, s + m.len()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for s in spans.iter().filter(|s| s.kind != FindingKind::Kept) {
            let e = precision.entry(s.kind).or_default();
            e.1 += 1;
            if labelled.iter().any(|&(a, b)| s.start < b && a < s.end) {
                e.0 += 1;
            }
        }
        for i in &p.identifiers {
            let e = recall.entry(i.kind.clone()).or_default();
            e.1 += 1;
            let value = clean(&i.value);
            if output.contains(value.as_ref()) || output.contains(i.value.as_str()) {
                misses.push(format!("{} {}: {:?}", p.id, i.kind, i.value));
            } else {
                e.0 += 1;
            }
        }
        for term in &p.must_survive {
            survived.1 += 1;
            if output.contains(term.as_str()) {
                survived.0 += 1;
            } else {
                removed.push(format!("{}: {:?}", p.id, term));
            }
        }
    }
    println!("{} passages", passages.len());
    println!(
        "{:<20} {:>7} {:>7} {:>8}",
        "kind", "caught", "total", "recall"
    );
    let mut failures = Vec::new();
    for (kind, (caught, total)) in &recall {
        let r = *caught as f64 / *total as f64;
        println!("{kind:<20} {caught:>7} {total:>7} {:>7.1}%", r * 100.0);
        if r < required_recall(kind) {
            failures.push(format!("recall for {kind} is {:.1}%", r * 100.0));
        }
    }
    println!(
        "\n{:<20} {:>7} {:>7} {:>9}",
        "placeholder kind", "true", "spans", "precision"
    );
    for (kind, (good, total)) in &precision {
        println!(
            "{:<20} {good:>7} {total:>7} {:>8.1}%",
            format!("{kind:?}"),
            *good as f64 * 100.0 / *total as f64
        );
    }
    let lost = 1.0 - survived.0 as f64 / survived.1 as f64;
    println!(
        "\nmust-survive terms kept: {} of {} ({:.2}% removed)",
        survived.0,
        survived.1,
        lost * 100.0
    );
    if lost > 0.02 {
        failures.push(format!(
            "{:.2}% of must-survive terms removed",
            lost * 100.0
        ));
    }
    if !misses.is_empty() {
        println!("\nmissed:\n  {}", misses.join("\n  "));
    }
    if !removed.is_empty() {
        println!("\nremoved:\n  {}", removed.join("\n  "));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
