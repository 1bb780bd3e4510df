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
        let pieces = Pieces::new(&cleaned, &p.identifiers);
        let output_lower = without_placeholders(&output).to_lowercase();
        for i in &p.identifiers {
            let e = s.recall.entry(i.kind.clone()).or_default();
            e.1 += 1;
            let value = clean(&i.value);
            if output.contains(value.as_ref()) || output.contains(i.value.as_str()) {
                s.misses.push(format!("{} {}: {:?}", p.id, i.kind, i.value));
            } else if let Some(piece) = pieces
                .left_in(&i.value, &output_lower)
                .filter(|_| i.kind != "datetime")
            {
                s.misses.push(format!(
                    "{} {}: {:?} (its {piece:?} is left)",
                    p.id, i.kind, i.value
                ));
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

/// Part of an identifier left behind is a leak too: the domain of an
/// address (`[PERSON-1]@hollowbrook.example`), a surname beside a
/// placeholder, the tail of a token. A piece is a run of four or more
/// letters or digits of a labelled value; it is left when the output holds
/// it more often than the passage does outside every labelled value (so
/// `cache` of `cache-pay-02.example.internal` is no leak where the text
/// speaks of caches anyway). Compared in lower case, placeholders taken
/// out of the output. Times are coarsened, not removed, so they are not
/// checked for pieces.
struct Pieces {
    text: String,
    /// Byte ranges of `text` inside some labelled value.
    labelled: Vec<(usize, usize)>,
}

impl Pieces {
    fn new(cleaned: &str, identifiers: &[Identifier]) -> Self {
        let text = cleaned.to_lowercase();
        let labelled = identifiers
            .iter()
            // A time is coarsened, not removed: its year and month stay,
            // as words of the text.
            .filter(|i| i.kind != "datetime")
            .flat_map(|i| {
                let v = clean(&i.value).to_lowercase();
                text.match_indices(&v)
                    .map(|(st, m)| (st, st + m.len()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Pieces { text, labelled }
    }

    /// The first piece of `value` that `output` (lower case) holds more
    /// often than the passage does outside labelled values.
    fn left_in(&self, value: &str, output: &str) -> Option<String> {
        let value = clean(value).to_lowercase();
        value
            .split(|c: char| !c.is_alphanumeric())
            .filter(|piece| piece.chars().count() >= 4)
            .find(|piece| {
                let outside = self
                    .text
                    .match_indices(piece)
                    .filter(|(st, m)| {
                        let end = st + m.len();
                        !self.labelled.iter().any(|&(a, b)| a <= *st && end <= b)
                    })
                    .count();
                output.matches(piece).count() > outside
            })
            .map(str::to_owned)
    }
}

/// `output` with every placeholder (`[PRODUCT-1]`) taken out, so the
/// placeholder's own letters are not counted as a piece left.
fn without_placeholders(output: &str) -> String {
    static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\[[A-Z][A-Z0-9_-]*\]").expect("a valid pattern")
    });
    PLACEHOLDER.replace_all(output, " ").into_owned()
}

pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}
