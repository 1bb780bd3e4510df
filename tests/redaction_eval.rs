//! The de-identifier measured on a labelled corpus written for it
//! (`tests/data/redaction-corpus.jsonl`: realistic postmortem passages with
//! every identifying string and every technical term that must survive
//! labelled). Prints recall per kind, precision per placeholder kind and the
//! share of must-survive terms removed, and fails below the bar.

#[path = "support/eval.rs"]
mod eval;

use eval::{corpus, percent, score};

/// Recall bar per kind: 100 % where a miss would publish a name, an address
/// or a secret.
fn required_recall(kind: &str) -> f64 {
    match kind {
        "declared" | "email" | "ipv4" | "ipv6" | "cidr" | "host" | "url" | "secret" => 100.0,
        "person" => 95.0,
        _ => 0.0,
    }
}

#[test]
fn recall_and_precision_on_the_labelled_corpus() {
    let passages = corpus();
    let s = score(&passages);
    let labelled: usize = s.recall.values().map(|(_, t)| t).sum();
    println!(
        "{} passages, {labelled} labelled identifiers",
        passages.len()
    );
    println!(
        "{:<20} {:>7} {:>7} {:>8}",
        "kind", "caught", "total", "recall"
    );
    let mut failures = Vec::new();
    for (kind, (caught, total)) in &s.recall {
        let r = percent(*caught, *total);
        println!("{kind:<20} {caught:>7} {total:>7} {r:>7.1}%");
        if r < required_recall(kind) {
            failures.push(format!("recall for {kind} is {r:.1}%"));
        }
    }
    println!(
        "\n{:<20} {:>7} {:>7} {:>9}",
        "placeholder kind", "true", "spans", "precision"
    );
    for (kind, (good, total)) in &s.precision {
        println!(
            "{:<20} {good:>7} {total:>7} {:>8.1}%",
            format!("{kind:?}"),
            percent(*good, *total)
        );
    }
    let lost = 100.0 - percent(s.survived.0, s.survived.1);
    println!(
        "\nmust-survive terms kept: {} of {} ({lost:.2}% removed)",
        s.survived.0, s.survived.1
    );
    if lost > 2.0 {
        failures.push(format!("{lost:.2}% of must-survive terms removed"));
    }
    if !s.misses.is_empty() {
        println!("\nmissed:\n  {}", s.misses.join("\n  "));
    }
    if !s.removed.is_empty() {
        println!("\nremoved:\n  {}", s.removed.join("\n  "));
    }
    assert!(
        labelled >= 400 && s.survived.1 >= 300,
        "the corpus is too small"
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
