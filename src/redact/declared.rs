//! Matching the terms a submitter declared: whole words, any ASCII case,
//! possessives kept outside the placeholder (`Acme's` → `[ORG]'s`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::detect::Span;
use super::FindingKind;
use crate::report::submission::DeclaredTerms;

pub struct DeclaredMatcher {
    automaton: Option<AhoCorasick>,
    /// For each pattern: its kind and the key shared by all its variants.
    patterns: Vec<(FindingKind, String)>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl DeclaredMatcher {
    pub fn new(terms: &DeclaredTerms) -> DeclaredMatcher {
        let mut needles: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        for (kind, list) in [
            (FindingKind::Organization, &terms.organization),
            (FindingKind::Product, &terms.products),
            (FindingKind::Person, &terms.people),
            (FindingKind::Location, &terms.locations),
            (FindingKind::Term, &terms.other),
        ] {
            for term in list {
                let t = term.trim();
                if t.is_empty() {
                    continue;
                }
                needles.push(t.to_string());
                patterns.push((kind, t.to_lowercase()));
            }
        }
        let automaton = (!needles.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&needles)
                .expect("declared terms are bounded in size and count")
        });
        DeclaredMatcher {
            automaton,
            patterns,
        }
    }

    pub fn find(&self, text: &str, out: &mut Vec<Span>) {
        let Some(ac) = &self.automaton else { return };
        for m in ac.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let first = text[m.start()..].chars().next();
            let last = text[..m.end()].chars().next_back();
            // A boundary is needed only where the term itself starts or ends
            // with a word character (`.NET` may follow a letter).
            if first.is_some_and(is_word_char) && before.is_some_and(is_word_char) {
                continue;
            }
            if last.is_some_and(is_word_char) && after.is_some_and(is_word_char) {
                continue;
            }
            let (kind, key) = &self.patterns[m.pattern().as_usize()];
            out.push(Span {
                start: m.start(),
                end: m.end(),
                kind: *kind,
                key: key.clone(),
            });
        }
    }
}
