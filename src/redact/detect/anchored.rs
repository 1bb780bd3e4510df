//! Patterns tried only where a match could start. A pattern without a
//! literal the regex engine can search for (`password=` in any case, a
//! capitalised name after `paged`) would otherwise cost an automaton pass
//! over every byte of a report. The detector knows something cheaper that
//! every match needs — a `:` or `=` after the key, a capital after the
//! verb — and lists the positions where a match could start from that;
//! the pattern runs there only, anchored, with the whole text around it
//! for its look-behind (`\b`).
//!
//! Given every position where a match could start, the matches are those
//! `find_iter` gives: the leftmost match at or after the end of the
//! previous one. Positions where nothing matches cost one failed anchored
//! search and change nothing.

use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored as AnchoredSearch, Input};

pub struct Anchored {
    pattern: Regex,
}

impl Anchored {
    pub fn new(pattern: &str) -> Anchored {
        Anchored {
            pattern: Regex::new(pattern).expect("detector pattern compiles"),
        }
    }

    /// The matches that start at one of `starts` (ascending; repeats are
    /// skipped), as `find_iter` would find them.
    pub fn captures_at<'t>(
        &'t self,
        text: &'t str,
        starts: impl IntoIterator<Item = usize> + 't,
    ) -> impl Iterator<Item = Captures> + 't {
        let mut starts = starts.into_iter();
        let mut cursor = 0;
        // Made at the first start: most texts give none.
        let mut caps: Option<Captures> = None;
        std::iter::from_fn(move || {
            for start in starts.by_ref() {
                if start < cursor {
                    continue;
                }
                let input = Input::new(text)
                    .span(start..text.len())
                    .anchored(AnchoredSearch::Yes);
                let caps = caps.get_or_insert_with(|| self.pattern.create_captures());
                self.pattern.search_captures(&input, caps);
                if let Some(m) = caps.get_match() {
                    cursor = m.end().max(start + 1);
                    return Some(caps.clone());
                }
            }
            None
        })
    }
}

/// Checks, on each of `texts`, that `pattern` tried at the starts
/// `starts` gives for the text finds exactly what a whole-text `find_iter`
/// finds; returns how many matches there were in all.
#[cfg(test)]
pub(crate) fn assert_finds_what_find_iter_finds(
    pattern: &str,
    texts: &[String],
    starts: impl Fn(&str) -> Vec<usize>,
) -> usize {
    let plain = regex::Regex::new(pattern).expect("pattern compiles");
    let anchored = Anchored::new(pattern);
    let mut seen = 0;
    for text in texts {
        let theirs: Vec<(usize, usize)> = plain
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect();
        let ours: Vec<(usize, usize)> = anchored
            .captures_at(text, starts(text))
            .map(|c| {
                c.get_match()
                    .map(|m| (m.start(), m.end()))
                    .expect("a match")
            })
            .collect();
        assert_eq!(ours, theirs, "{text}");
        seen += ours.len();
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_find_iter_finds_given_every_possible_start() {
        let pattern = r"(?i)(?-u:\b)(?:pass(?:word)?|token)\s*[:=]\s*([^\s]+)";
        let anchored = Anchored::new(pattern);
        let plain = regex::Regex::new(pattern).unwrap();
        for text in [
            "PASSWORD = hunter2 and token:abc, xpassword=no, pass: pass=x",
            "token token=1 TOKEN:\n\n2",
            "",
        ] {
            // Every character boundary, some twice: a superset of where
            // matches start.
            let starts: Vec<usize> = text.char_indices().flat_map(|(i, _)| [i, i]).collect();
            let ours: Vec<(usize, usize, String)> = anchored
                .captures_at(text, starts)
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
