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
