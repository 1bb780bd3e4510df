//! Detectors: each finds spans of identifying text of one family. They only
//! find; choosing among overlapping spans and replacing them is the
//! `Redactor`'s. Every pattern is a `regex` (finite automata: linear time,
//! no catastrophic backtracking on adversarial input).

mod anchored;
mod cloud;
mod network;
mod people;
mod personal;
mod secrets;
pub mod stretches;

use std::sync::OnceLock;

use regex::Regex;

use super::FindingKind;
pub use stretches::Stretches;

pub use people::{learn_names, people, staff_member_term};

/// A stretch of clean text to replace, and the key that makes its
/// placeholder consistent (the same key gets the same placeholder).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: FindingKind,
    pub key: String,
    /// Literal replacement instead of a placeholder (coarsened times).
    pub replacement: Option<String>,
}

impl Span {
    pub fn new(start: usize, end: usize, kind: FindingKind, key: String) -> Span {
        Span {
            start,
            end,
            kind,
            key,
            replacement: None,
        }
    }
}

pub(crate) fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("detector pattern compiles"))
}

/// `re.captures_iter(text)`, without its cost on a text with no match:
/// `captures_iter` makes the groups' storage before it searches, and the
/// detectors run on every text of a report, most of which hold none of
/// their matches. This finds each match first and reads its groups only
/// then, searching again from where it starts (with the whole text around
/// it, so `\b` sees the same neighbours). The match found there is the one
/// found before: none of the detectors' patterns matches the empty string.
pub(crate) fn captures_found<'t>(
    re: &'t Regex,
    text: &'t str,
) -> impl Iterator<Item = regex::Captures<'t>> + 't {
    re.find_iter(text)
        .filter_map(move |m| re.captures_at(text, m.start()))
}

pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Placeholders already in the text (from a preview pasted back, or a
/// reviewer's second pass) are left alone: spans of kind `Kept`.
pub fn placeholders(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    for m in regex(&RE, r"\[[A-Z]+(?:-[0-9]+)?\]").find_iter(text) {
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Kept,
            String::new(),
        ));
    }
}

/// Texts to compare a detector's fast path with a plain search on: the
/// labelled passages, cleaned, and `extra`.
#[cfg(test)]
pub(crate) fn sample_texts(extra: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = include_str!("../../../tests/data/redaction-corpus.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a corpus line");
            let text = v["text"].as_str().expect("a text");
            super::normalise::clean(text).into_owned()
        })
        .collect();
    out.extend(extra.iter().map(|t| t.to_string()));
    out
}

/// Every pattern detector, on clean text.
pub fn all(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    placeholders(text, out);
    secrets::secrets(text, stretches, out);
    network::urls(text, out);
    network::emails(text, out);
    network::ipv6(text, stretches, out);
    network::ipv4(text, stretches, out);
    network::mac(text, stretches, out);
    network::hosts(text, stretches, out);
    network::channels_and_handles(text, out);
    cloud::cloud(text, stretches, out);
    personal::personal(text, stretches, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_found_gives_what_captures_iter_gives() {
        let patterns = [
            // Groups after a literal, a word boundary at the end.
            r"(?i)(?:--project[= ]|projects/|project[_ -]?id[\s:=]+)([a-z][a-z0-9-]{4,28}[a-z0-9])(?-u:\b)",
            // A boundary at the start, so the search again from the match's
            // start must see the character before it.
            r"(?-u:\b)(?:Dr|Mr|Mrs|Ms|Prof)\.?[ \u{a0}]+(\p{Lu}[\p{L}'’-]+(?:[ \u{a0}]+\p{Lu}[\p{L}'’-]+)?)",
            // Named and optional groups, matches that touch.
            r"(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?(?P<z> ?[A-Z]{3})?",
            r"[a-z]+@[a-z]+(\.[a-z]+)+",
        ];
        let texts = sample_texts(&[
            "gcloud --project=acme-prod-1 and projects/acme-prod-2/x, xprojects/nope",
            "Dr. Ada Lovelace met Mr Babbage; ZDr Who; Prof. Émile Zola’s",
            "10:30 10:30:15 UTC11:11PST 9:05 1:2 12:00:00 GMT",
            "a@b.c d@e.f.g@h.i",
            "",
        ]);
        let mut seen = 0;
        for pattern in patterns {
            let re = Regex::new(pattern).unwrap();
            for text in &texts {
                let spans = |c: regex::Captures| -> Vec<Option<(usize, usize)>> {
                    c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect()
                };
                let ours: Vec<_> = captures_found(&re, text).map(spans).collect();
                let theirs: Vec<_> = re.captures_iter(text).map(spans).collect();
                assert_eq!(ours, theirs, "{pattern} on {text:?}");
                seen += ours.len();
            }
        }
        assert!(seen > 10, "the texts exercise the patterns: {seen} matches");
    }
}
