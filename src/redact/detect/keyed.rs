//! Patterns whose every match starts with one of a few words, in any ASCII
//! case (`password=`, `paged Maria`). The regex engine cannot search for a
//! case-insensitive word list by itself (every case variant of every word
//! would be a literal), so it would run its automaton over every byte;
//! here Aho-Corasick finds where the words start and the pattern is tried
//! only there, anchored. The matches are those `find_iter` would give: the
//! leftmost anchored match at or after the end of the previous one.
//!
//! Case folding is ASCII only. Detectors run on NFKC text, where the two
//! non-ASCII letters that Unicode folds to ASCII ones (the Kelvin sign and
//! the long s) no longer occur.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

pub struct Keyed {
    starts: AhoCorasick,
    pattern: Regex,
}

impl Keyed {
    /// `words`: every match of `pattern` starts with one of them.
    pub fn new(words: &[&str], pattern: &str) -> Keyed {
        Keyed {
            starts: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(words)
                .expect("start words build"),
            pattern: Regex::new(pattern).expect("detector pattern compiles"),
        }
    }

    /// The matches whose start word lies in one of `ranges` (in order, not
    /// overlapping); each match may run on past its range.
    pub fn captures_iter_in<'t>(
        &'t self,
        text: &'t str,
        ranges: impl Iterator<Item = (usize, usize)> + 't,
    ) -> impl Iterator<Item = Captures> + 't {
        // Every position where a word starts, in order: each search starts
        // one byte after the last start found, so words that overlap
        // (`passecret=`) are all seen, and each search can skip ahead
        // with the SIMD prefilter.
        let mut starts = ranges.flat_map(move |(from, to)| {
            let mut next = from;
            std::iter::from_fn(move || {
                let m = self
                    .starts
                    .find(aho_corasick::Input::new(text).span(next.min(to)..to))?;
                next = m.start() + 1;
                Some(m.start())
            })
        });
        let mut cursor = 0;
        let mut caps = self.pattern.create_captures();
        std::iter::from_fn(move || {
            for start in starts.by_ref() {
                if start < cursor {
                    continue;
                }
                let input = Input::new(text)
                    .span(start..text.len())
                    .anchored(Anchored::Yes);
                self.pattern.search_captures(&input, &mut caps);
                if let Some(m) = caps.get_match() {
                    cursor = m.end().max(start + 1);
                    return Some(caps.clone());
                }
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_find_iter_finds() {
        let pattern = r"(?i)(?-u:\b)(?:pass(?:word)?|token)\s*[:=]\s*([^\s]+)";
        let keyed = Keyed::new(&["pass", "token"], pattern);
        let plain = regex::Regex::new(pattern).unwrap();
        for text in [
            "PASSWORD = hunter2 and token:abc, xpassword=no, pass: pass=x",
            "token token=1 TOKEN:\n\n2",
            "",
        ] {
            let ours: Vec<(usize, usize, String)> = keyed
                .captures_iter_in(text, std::iter::once((0, text.len())))
                .map(|c| {
                    let m = c.get_match().unwrap();
                    let g = c.get_group(1).unwrap();
                    (m.start(), m.end(), text[g.range()].to_string())
                })
                .collect();
            let theirs: Vec<(usize, usize, String)> = plain
                .captures_iter(text)
                .map(|c| {
                    let m = c.get(0).unwrap();
                    (m.start(), m.end(), c[1].to_string())
                })
                .collect();
            assert_eq!(ours, theirs, "{text}");
        }
    }
}
