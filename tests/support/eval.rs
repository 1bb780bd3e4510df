//! Scoring the de-identifier on the labelled corpus
//! (`tests/data/redaction-corpus.jsonl`). Shared by the evaluation test and
//! the redaction benchmark.

use std::collections::BTreeMap;

use nearmiss::redact::normalise::clean;
use nearmiss::redact::{FindingKind, Redactor};
use nearmiss::report::submission::DeclaredTerms;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Passage {
    pub id: String,
    pub declared_terms: DeclaredTerms,
    pub text: String,
    pub identifiers: Vec<Identifier>,
    pub must_survive: Vec<String>,
}

#[derive(Deserialize)]
pub struct Identifier {
    pub kind: String,
    pub value: String,
}

pub fn corpus() -> Vec<Passage> {
    let text = include_str!("../data/redaction-corpus.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("corpus line parses"))
        .collect()
}

/// The redaction of one passage, as a submission would get it.
pub fn redact(p: &Passage) -> String {
    let mut redactor = Redactor::new(&p.declared_terms);
    redactor.learn(&[p.text.as_str()]);
    redactor.redact("text", &p.text)
}

#[derive(Default)]
pub struct Score {
    /// Corpus kind → (caught, total).
    pub recall: BTreeMap<String, (usize, usize)>,
    /// Placeholder kind → (spans over a labelled value, spans).
    pub precision: BTreeMap<FindingKind, (usize, usize)>,
    /// (kept, total) must-survive terms.
    pub survived: (usize, usize),
    pub misses: Vec<String>,
    pub removed: Vec<String>,
}

pub fn score(passages: &[Passage]) -> Score {
    let mut s = Score::default();
    for p in passages {
        let output = redact(p);
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
                    .map(|(st, m)| (st, st + m.len()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for span in spans.iter().filter(|x| x.kind != FindingKind::Kept) {
            let e = s.precision.entry(span.kind).or_default();
            e.1 += 1;
            if labelled
                .iter()
                .any(|&(a, b)| span.start < b && a < span.end)
            {
                e.0 += 1;
            }
        }
        for i in &p.identifiers {
            let e = s.recall.entry(i.kind.clone()).or_default();
            e.1 += 1;
            let value = clean(&i.value);
            // Part of an address is an address leaked too: its domain names
            // the company (`[PERSON-1]@hollowbrook.example`).
            let domain_left = i.kind == "email"
                && i.value
                    .split_once('@')
                    .is_some_and(|(_, domain)| output.contains(domain));
            if output.contains(value.as_ref()) || output.contains(i.value.as_str()) || domain_left {
                s.misses.push(format!("{} {}: {:?}", p.id, i.kind, i.value));
            } else {
                e.0 += 1;
            }
        }
        for term in &p.must_survive {
            s.survived.1 += 1;
            if output.contains(term.as_str()) {
                s.survived.0 += 1;
            } else {
                s.removed.push(format!("{}: {:?}", p.id, term));
            }
        }
    }
    s
}

pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}
