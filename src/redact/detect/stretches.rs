//! One pass over a text that splits it at ASCII whitespace into stretches
//! and notes which kinds of bytes each stretch holds.
//!
//! Most detector patterns cannot match across whitespace, and most words of
//! prose hold nothing a detector looks for (no digit, no colon, no dot in
//! the middle). Running each pattern over the few stretches that could hold
//! a match, instead of over the whole text, is what makes the redactor fast:
//! a pattern without a literal to search for costs a full automaton pass
//! over every byte, and there are a dozen of them.
//!
//! A stretch is delimited by ASCII whitespace or the ends of the text, so a
//! pattern run on a stretch alone sees a non-word byte beyond each end, as
//! it would in the whole text: `\b` at the edges means the same.

use std::cell::RefCell;

/// Byte classes, as bits of a stretch's mask.
pub const DIGIT: u16 = 1;
pub const UPPER: u16 = 1 << 1;
pub const LOWER: u16 = 1 << 2;
pub const DOT: u16 = 1 << 3;
pub const COLON: u16 = 1 << 4;
pub const DASH: u16 = 1 << 5;
pub const SLASH: u16 = 1 << 6;
pub const PLUS: u16 = 1 << 7;
pub const EQUALS: u16 = 1 << 8;
pub const UNDERSCORE: u16 = 1 << 9;
pub const NON_ASCII: u16 = 1 << 10;
pub const OTHER: u16 = 1 << 11;
const SPACE: u16 = 1 << 15;

const fn class(b: u8) -> u16 {
    match b {
        b'0'..=b'9' => DIGIT,
        b'A'..=b'Z' => UPPER,
        b'a'..=b'z' => LOWER,
        b'.' => DOT,
        b':' => COLON,
        b'-' => DASH,
        b'/' => SLASH,
        b'+' => PLUS,
        b'=' => EQUALS,
        b'_' => UNDERSCORE,
        b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => SPACE,
        0x80..=0xff => NON_ASCII,
        _ => OTHER,
    }
}

const CLASSES: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class(i as u8);
        i += 1;
    }
    t
};

/// A whitespace-free stretch of text: its byte range and the classes of
/// the bytes in it.
#[derive(Debug, Clone, Copy)]
pub struct Stretch {
    pub start: u32,
    pub end: u32,
    pub mask: u16,
}

impl Stretch {
    pub fn byte_len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Holds a byte of every class in `classes`.
    pub fn has(&self, classes: u16) -> bool {
        self.mask & classes == classes
    }

    /// Holds a byte of any class in `classes`.
    pub fn has_any(&self, classes: u16) -> bool {
        self.mask & classes != 0
    }
}

pub struct Stretches {
    all: Vec<Stretch>,
    /// Indices of the notable stretches, in order.
    notable: Vec<u32>,
}

/// Every gate asks for one of these classes, or for a stretch this long:
/// a plain word of prose passes none, and gated searches skip it without
/// looking (only the name detector reads every capitalised word).
const NOTABLE_CLASSES: u16 = DIGIT | COLON | DASH | DOT;
const NOTABLE_LENGTH: usize = 20;

fn is_notable(s: &Stretch) -> bool {
    s.mask & NOTABLE_CLASSES != 0 || s.byte_len() >= NOTABLE_LENGTH
}

const EMPTY: Stretch = Stretch {
    start: 0,
    end: 0,
    mask: 0,
};

/// Texts up to 128 KB split into the thread's buffer.
const SCRATCH_RECORDS: usize = 64 * 1024;

/// Split `bytes` into stretches, written to the front of `all` (at least
/// `bytes.len() / 2 + 2` long); returns how many. Without branches on the
/// byte: where words end is unpredictable, and a mispredicted branch every
/// few bytes costs more than writing a record at every byte and keeping it
/// only at a word's end.
fn split(bytes: &[u8], all: &mut [Stretch]) -> usize {
    let mut kept = 0usize;
    let mut start = 0u32;
    let mut mask = 0u16;
    for (i, &b) in bytes.iter().enumerate() {
        let c = CLASSES[b as usize];
        let space = c == SPACE;
        let i = i as u32;
        all[kept] = Stretch {
            start,
            end: i,
            mask,
        };
        kept += (space & (i > start)) as usize;
        start = if space { i + 1 } else { start };
        mask = if space { 0 } else { mask | c };
    }
    let end = bytes.len() as u32;
    all[kept] = Stretch { start, end, mask };
    kept + (end > start) as usize
}

impl Stretches {
    pub fn new(text: &str) -> Stretches {
        // Records are written into a buffer kept by the thread, as long as
        // the longest text yet: a fresh one per text would cost zeroed pages
        // from the kernel, for six times the text's size. A text longer
        // than most gets a buffer of its own, so that a thread does not
        // keep megabytes for the rare large submission.
        thread_local! {
            static SCRATCH: RefCell<Vec<Stretch>> = const { RefCell::new(Vec::new()) };
        }
        let needed = text.len() / 2 + 2;
        let all = if needed <= SCRATCH_RECORDS {
            SCRATCH.with_borrow_mut(|scratch| {
                if scratch.len() < needed {
                    scratch.resize(needed, EMPTY);
                }
                let kept = split(text.as_bytes(), scratch);
                scratch[..kept].to_vec()
            })
        } else {
            let mut all = vec![EMPTY; needed];
            let kept = split(text.as_bytes(), &mut all);
            all.truncate(kept);
            all
        };
        // A dozen gates look at the stretches; a list of the few that can
        // pass any of them spares each gate a walk over every word.
        let notable = (0..all.len() as u32)
            .filter(|&i| is_notable(&all[i as usize]))
            .collect();
        Stretches { all, notable }
    }

    /// Every stretch.
    pub fn iter(&self) -> std::slice::Iter<'_, Stretch> {
        self.all.iter()
    }

    /// The stretches that hold a digit, `:`, `-` or `.`, or are 20 bytes
    /// long or more.
    fn notable(&self) -> impl Iterator<Item = &Stretch> + '_ {
        self.notable.iter().map(|&i| &self.all[i as usize])
    }

    /// The maximal runs of bytes that pass `in_run`, inside the notable
    /// stretches that pass `gate`, whose length passes `keep`: what a
    /// pattern made of one repeated byte class finds, without an
    /// automaton.
    pub fn byte_runs<'a>(
        &'a self,
        bytes: &'a [u8],
        gate: impl Fn(&Stretch) -> bool + 'a,
        in_run: fn(u8) -> bool,
        keep: fn(usize) -> bool,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.check_gate(|i| gate(&self.all[i]));
        self.notable().filter(move |s| gate(s)).flat_map(move |s| {
            let (from, to) = (s.start as usize, s.end as usize);
            let mut i = from;
            std::iter::from_fn(move || {
                while i < to {
                    while i < to && !in_run(bytes[i]) {
                        i += 1;
                    }
                    let start = i;
                    while i < to && in_run(bytes[i]) {
                        i += 1;
                    }
                    if keep(i - start) {
                        return Some((start, i));
                    }
                }
                None
            })
        })
    }

    /// In debug builds (every test run): a gate passes notable stretches
    /// only, or the gated searches would miss what it lets through.
    fn check_gate(&self, passes: impl Fn(usize) -> bool) {
        debug_assert!(
            (0..self.all.len()).all(|i| is_notable(&self.all[i]) || !passes(i)),
            "a gate passes a stretch that is not notable"
        );
    }

    /// Byte ranges covering every stretch that passes `could_match`, with
    /// neighbouring ones merged (only whitespace lies between them, which
    /// no gated pattern matches, so one search over both finds the same).
    pub fn ranges<'a>(
        &'a self,
        could_match: impl Fn(&Stretch) -> bool + 'a,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.check_gate(|i| could_match(&self.all[i]));
        let (all, notable) = (&self.all, &self.notable);
        let mut k = 0;
        std::iter::from_fn(move || {
            k += notable[k..]
                .iter()
                .position(|&i| could_match(&all[i as usize]))?;
            let first = notable[k];
            let mut last = first;
            k += 1;
            while k < notable.len()
                && notable[k] == last + 1
                && could_match(&all[notable[k] as usize])
            {
                last = notable[k];
                k += 1;
            }
            Some((
                all[first as usize].start as usize,
                all[last as usize].end as usize,
            ))
        })
    }

    /// Byte ranges covering, for every stretch that passes `is_anchor`, the
    /// `before` stretches before it, itself and the `after` stretches after
    /// it — merged where they touch. For a pattern that may match across
    /// whitespace but only so far around something it must contain (a
    /// year, a clock time).
    pub fn ranges_around<'a>(
        &'a self,
        is_anchor: impl Fn(&Stretch) -> bool + 'a,
        before: usize,
        after: usize,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.ranges_around_where(move |all, i| is_anchor(&all[i]), before, after)
    }

    /// As `ranges_around`, for an anchor test that also looks at the
    /// stretches around (it is given all of them and the index of the one
    /// to test).
    pub fn ranges_around_where<'a>(
        &'a self,
        is_anchor: impl Fn(&[Stretch], usize) -> bool + 'a,
        before: usize,
        after: usize,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.check_gate(|i| is_anchor(&self.all, i));
        let all = &self.all;
        let mut anchors = self
            .notable
            .iter()
            .map(|&i| i as usize)
            .filter(move |&i| is_anchor(all, i))
            .peekable();
        std::iter::from_fn(move || {
            let first = anchors.next()?;
            let from = first.saturating_sub(before);
            let mut to = (first + after).min(all.len() - 1);
            // Take in every anchor whose neighbourhood touches this one.
            while let Some(&next) = anchors.peek() {
                if next.saturating_sub(before) > to + 1 {
                    break;
                }
                to = (next + after).min(all.len() - 1);
                anchors.next();
            }
            Some((all[from].start as usize, all[to].end as usize))
        })
    }

    /// Every match of `re` in the stretches that pass `could_match`, as
    /// whole-text byte ranges — the same matches `re.find_iter(text)` gives
    /// there, provided `re` cannot match ASCII whitespace.
    pub fn find_iter<'a>(
        &'a self,
        text: &'a str,
        re: &'a regex::Regex,
        could_match: impl Fn(&Stretch) -> bool + 'a,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        find_in(text, re, self.ranges(could_match))
    }
}

/// The matches of `re` inside each of `ranges`, as whole-text byte ranges.
/// The ranges must be delimited by whitespace, and every match must lie
/// inside one of them.
pub fn find_in<'a>(
    text: &'a str,
    re: &'a regex::Regex,
    ranges: impl Iterator<Item = (usize, usize)> + 'a,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    ranges.flat_map(move |(a, b)| {
        re.find_iter(&text[a..b])
            .map(move |m| (a + m.start(), a + m.end()))
    })
}

/// The matches of `re` inside each of `ranges`, each with the offset of its
/// range (add it to the positions of the groups). The ranges must be
/// delimited by whitespace, and every match must lie inside one of them.
pub fn captures_in<'a>(
    text: &'a str,
    re: &'a regex::Regex,
    ranges: impl Iterator<Item = (usize, usize)> + 'a,
) -> impl Iterator<Item = (usize, regex::Captures<'a>)> + 'a {
    ranges.flat_map(move |(a, b)| super::captures_found(re, &text[a..b]).map(move |c| (a, c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_splits_as_a_plain_split_does_whatever_came_before() {
        // The thread's buffer keeps the records of a longer text before;
        // texts past its size take a buffer of their own.
        let words = ["alpha", "10.0.0.1", "x:y", "é-b", "z"];
        let text_of = |n: usize| -> String {
            (0..n)
                .map(|i| words[i % words.len()])
                .collect::<Vec<_>>()
                .join(["  ", "\t", "\n", " "][n % 4])
        };
        let long = text_of(40_000);
        assert!(long.len() / 2 + 2 > SCRATCH_RECORDS, "past the buffer");
        for text in [
            text_of(2_000),
            text_of(7),
            long,
            text_of(1),
            text_of(3_000),
            String::new(),
        ] {
            let ours: Vec<(usize, usize)> = Stretches::new(&text)
                .iter()
                .map(|s| (s.start as usize, s.end as usize))
                .collect();
            let plain: Vec<(usize, usize)> = text
                .split(|c: char| c.is_ascii_whitespace())
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let start = w.as_ptr() as usize - text.as_ptr() as usize;
                    (start, start + w.len())
                })
                .collect();
            assert_eq!(ours, plain, "{} bytes", text.len());
        }
    }

    #[test]
    fn stretches_split_at_ascii_whitespace_and_merge() {
        let text = " ab 10.0.0.1\tx:y\n\nz ";
        let s = Stretches::new(text);
        let spans: Vec<&str> = s
            .all
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect();
        assert_eq!(spans, ["ab", "10.0.0.1", "x:y", "z"]);
        assert!(s.all[1].has(DIGIT | DOT) && !s.all[1].has_any(LOWER));
        let ranges: Vec<&str> = s
            .ranges(|t| t.has_any(DOT | COLON))
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(ranges, ["10.0.0.1\tx:y"]);
        let around: Vec<&str> = s
            .ranges_around(|t| t.has(DIGIT), 1, 1)
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(around, ["ab 10.0.0.1\tx:y"]);
        let text = "a b c 1 d e f g h 2 i";
        let s = Stretches::new(text);
        let around: Vec<&str> = s
            .ranges_around(|t| t.has(DIGIT), 2, 1)
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(around, ["b c 1 d", "g h 2 i"]);
        let around: Vec<&str> = s
            .ranges_around(|t| t.has(DIGIT), 3, 2)
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(around, ["a b c 1 d e f g h 2 i"]);
    }

    #[test]
    fn gated_search_finds_what_a_whole_text_search_finds() {
        let re = regex::Regex::new(r"(?-u:\b)[0-9]+(?:\.[0-9]+)+(?-u:\b)").unwrap();
        let text = "v1.2 and 10.0.0.1, (3.4) é5.6 x7.8y";
        let whole: Vec<(usize, usize)> = re.find_iter(text).map(|m| (m.start(), m.end())).collect();
        let s = Stretches::new(text);
        let gated: Vec<(usize, usize)> = s.find_iter(text, &re, |t| t.has(DIGIT | DOT)).collect();
        assert_eq!(gated, whole);
    }
}
