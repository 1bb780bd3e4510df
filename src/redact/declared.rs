//! Matching the terms a submitter declared, and names learned from the text,
//! in every variant a careless submitter leaves: any case, possessives and
//! plurals, hyphen / space / no-space forms (`Acme Pay`, `acme-pay`,
//! `AcmePay`), look-alike letters and invisible separators (matched on the
//! skeleton, see `normalise`), and inside host names, e-mail domains and
//! URLs (where the boundary is a dot, a slash or an `@`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rustc_hash::FxHashSet;

use super::detect::Span;
use super::normalise::{skeleton_of, Skeleton};
use super::FindingKind;
use crate::report::submission::DeclaredTerms;

/// One term to find: its kind and the key all its variants share.
#[derive(Debug, Clone)]
pub struct Term {
    pub kind: FindingKind,
    pub key: String,
}

pub struct TermMatcher {
    searcher: Option<Searcher>,
    /// For each pattern, the index of its term.
    pattern_term: Vec<usize>,
    terms: Vec<Term>,
    /// A number glued to a short term goes with it (`DUO1` for the declared
    /// `Duo`). Only for declared terms: a pair of initials learned from an
    /// attendee list (`EC`) would take `EC2` with it.
    numbered: bool,
}

/// Finds the needles leftmost-longest, without overlaps (Aho–Corasick's
/// `MatchKind::LeftmostLongest`). A matcher lives for one report, so what
/// it costs to build counts as much as what it costs to search.
enum Searcher {
    Few(Box<FewNeedles>),
    Automaton(AhoCorasick),
}

/// At most this many needles, of at most this many bytes in all, are
/// searched by `FewNeedles`; more go to an automaton. The byte budget also
/// bounds the work per text position of `FewNeedles` (every needle of one
/// first byte may be compared there).
const FEW_NEEDLES: usize = 64;
const FEW_NEEDLE_BYTES: usize = 1024;

/// A handful of needles (a declared company name in its variants, the
/// names learned from one report): building an Aho–Corasick automaton
/// costs far more than searching for them directly. A bit per byte pair
/// says which two bytes can start a needle (every needle has at least two),
/// so most positions cost one lookup; at the others the needles of that
/// first byte are compared.
struct FewNeedles {
    needles: Vec<Vec<u8>>,
    /// Needle indices, grouped by first byte (in index order within a group).
    by_first: Vec<u16>,
    /// `by_first[group[b]..group[b + 1]]` are the needles starting with `b`.
    group: [u16; 257],
    /// Bit `pair_of(a, b)`: some needle may start with the bytes `a`, `b`.
    pairs: [u64; 64],
}

impl FewNeedles {
    /// Every needle must be at least two bytes long.
    fn new(needles: Vec<String>) -> FewNeedles {
        let mut group = [0u16; 257];
        let mut pairs = [0u64; 64];
        for n in &needles {
            let &[a, b, ..] = n.as_bytes() else {
                unreachable!("needles of two bytes or more");
            };
            group[a as usize + 1] += 1;
            let pair = pair_of(a, b);
            pairs[pair >> 6] |= 1 << (pair & 63);
        }
        for b in 0..256 {
            group[b + 1] += group[b];
        }
        let mut fill = group;
        let mut by_first = vec![0u16; needles.len()];
        for (i, n) in needles.iter().enumerate() {
            let slot = &mut fill[n.as_bytes()[0] as usize];
            by_first[*slot as usize] = i as u16;
            *slot += 1;
        }
        FewNeedles {
            needles: needles.into_iter().map(String::into_bytes).collect(),
            by_first,
            group,
            pairs,
        }
    }

    /// The first position from `from` where a needle may start.
    fn next_candidate(&self, hay: &[u8], from: usize) -> Option<usize> {
        let rest = hay.get(from..)?;
        rest.windows(2)
            .position(|w| {
                let pair = pair_of(w[0], w[1]);
                self.pairs[pair >> 6] & (1 << (pair & 63)) != 0
            })
            .map(|p| from + p)
    }

    /// The longest needle at `at` (the first of equal ones), and its length.
    fn longest_at(&self, hay: &[u8], at: usize) -> Option<(usize, usize)> {
        let b = hay[at] as usize;
        let (lo, hi) = (self.group[b] as usize, self.group[b + 1] as usize);
        let mut best: Option<(usize, usize)> = None;
        for &i in &self.by_first[lo..hi] {
            let n = &self.needles[i as usize];
            if best.is_none_or(|(_, len)| n.len() > len) && hay[at..].starts_with(n) {
                best = Some((i as usize, n.len()));
            }
        }
        best
    }

    /// Leftmost-longest, non-overlapping matches: (needle, start, end).
    /// Needles are UTF-8 and so is the text, so a match starts and ends on
    /// character boundaries.
    fn find_iter<'a>(&'a self, hay: &'a str) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        let hay = hay.as_bytes();
        let mut at = 0;
        std::iter::from_fn(move || {
            while let Some(start) = self.next_candidate(hay, at) {
                if let Some((i, len)) = self.longest_at(hay, start) {
                    at = start + len;
                    return Some((i, start, at));
                }
                at = start + 1;
            }
            None
        })
    }
}

/// Two bytes as a bit index below 4096. Bytes that differ only in their
/// two top bits share a bit: a false candidate costs one comparison.
fn pair_of(a: u8, b: u8) -> usize {
    ((a & 0x3f) as usize) << 6 | (b & 0x3f) as usize
}

impl Searcher {
    fn new(needles: Vec<String>) -> Searcher {
        let bytes: usize = needles.iter().map(String::len).sum();
        if needles.len() <= FEW_NEEDLES
            && bytes <= FEW_NEEDLE_BYTES
            && needles.iter().all(|n| n.len() >= 2)
        {
            return Searcher::Few(Box::new(FewNeedles::new(needles)));
        }
        // A contiguous NFA builds several times faster than a DFA.
        Searcher::Automaton(
            AhoCorasickBuilder::new()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::LeftmostLongest)
                .build(&needles)
                .expect("terms are bounded in size and count"),
        )
    }

    /// (needle, start, end) of every match, leftmost-longest.
    fn find_iter<'a>(
        &'a self,
        hay: &'a str,
    ) -> Box<dyn Iterator<Item = (usize, usize, usize)> + 'a> {
        match self {
            Searcher::Few(f) => Box::new(f.find_iter(hay)),
            Searcher::Automaton(ac) => Box::new(
                ac.find_iter(hay)
                    .map(|m| (m.pattern().as_usize(), m.start(), m.end())),
            ),
        }
    }
}

/// `_` joins words in identifiers (`hearth_vpc`, `be_callwise`): a boundary.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Terms this long (letters and digits) are found inside longer tokens too
/// (`stsilosenseprod`), where a short one (`Ken` in `token`) would not be a
/// name.
const INSIDE_TOKENS_FROM: usize = 6;

/// Terms of up to this many words are found with a space (or a hyphen,
/// an underscore, a line break: the skeleton writes them all as spaces) or
/// nothing between each pair of words, in any mix (`long-distance
/// network`, `Firefox add-ons`, `AcmePay gateway`): 2^(words - 1) needles.
/// Longer terms are found with one of them throughout. Dots join words
/// only throughout (`acme.pay`, in host names).
const MIXED_JOINERS_UP_TO: usize = 4;

/// Every written form of a term, on the skeleton (lowercase, folded).
pub fn variants_of(term: &str) -> Vec<String> {
    let skeleton = skeleton_of(term.trim());
    let words: Vec<&str> = skeleton.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out: Vec<String> = Vec::new();
    let bases: Vec<String> = if words.len() > 1 {
        let mut bases = if words.len() > MIXED_JOINERS_UP_TO {
            vec![words.join(" "), words.concat()]
        } else {
            // Each word after the first, with each joiner before it.
            let mut bases = vec![words[0].to_string()];
            for w in &words[1..] {
                bases = bases
                    .iter()
                    .flat_map(|b| [format!("{b} {w}"), format!("{b}{w}")])
                    .collect();
            }
            bases
        };
        bases.push(words.join("."));
        bases
    } else {
        vec![skeleton.trim().to_string()]
    };
    for base in bases {
        if base.chars().count() < 2 {
            continue;
        }
        // Plurals; possessives need no variant (the apostrophe is a boundary).
        if base.ends_with(|c: char| c.is_alphabetic()) {
            out.push(format!("{base}s"));
            out.push(format!("{base}es"));
        }
        out.push(base);
    }
    out.sort();
    out.dedup();
    out
}

impl TermMatcher {
    /// Every written variant of each term (for declared terms).
    pub fn new(terms: Vec<(Term, String)>) -> TermMatcher {
        let mut needles = Vec::new();
        let mut pattern_term = Vec::new();
        let mut kept = Vec::new();
        for (term, written) in terms {
            let vs = variants_of(&written);
            if vs.is_empty() {
                continue;
            }
            for v in vs {
                needles.push(v);
                pattern_term.push(kept.len());
            }
            kept.push(term);
        }
        TermMatcher::searching(needles, pattern_term, kept, true)
    }

    /// Each term only as written (for names and secrets learned from the
    /// report itself, which reappear as they were written): far fewer
    /// patterns, so a much faster build.
    pub fn exact(terms: Vec<(Term, String)>) -> TermMatcher {
        // The skeleton is the needle: each is made once, and a term written
        // twice is searched for once (the first one written keeps its key).
        let mut seen = FxHashSet::default();
        let mut needles = Vec::with_capacity(terms.len());
        let mut kept = Vec::with_capacity(terms.len());
        for (term, written) in terms {
            let s = skeleton_of(written.trim());
            if s.chars().nth(1).is_none() || !seen.insert(s.clone()) {
                continue;
            }
            needles.push(s);
            kept.push(term);
        }
        let pattern_term = (0..kept.len()).collect();
        TermMatcher::searching(needles, pattern_term, kept, false)
    }

    fn searching(
        needles: Vec<String>,
        pattern_term: Vec<usize>,
        terms: Vec<Term>,
        numbered: bool,
    ) -> TermMatcher {
        let searcher = (!needles.is_empty()).then(|| Searcher::new(needles));
        TermMatcher {
            searcher,
            pattern_term,
            terms,
            numbered,
        }
    }

    pub fn declared(terms: &DeclaredTerms) -> TermMatcher {
        let mut all = Vec::new();
        for (kind, list) in [
            (FindingKind::Organization, &terms.organization),
            (FindingKind::Product, &terms.products),
            (FindingKind::Person, &terms.people),
            (FindingKind::Location, &terms.locations),
            (FindingKind::Term, &terms.other),
        ] {
            for t in list {
                let key = skeleton_of(t.trim());
                if key.trim().is_empty() {
                    continue;
                }
                all.push((Term { kind, key }, t.clone()));
            }
        }
        TermMatcher::new(all)
    }

    pub fn is_empty(&self) -> bool {
        self.searcher.is_none()
    }

    /// Spans (in `clean` offsets) of every whole-word occurrence.
    pub fn find(&self, clean: &str, skeleton: &Skeleton, out: &mut Vec<Span>) {
        let Some(searcher) = &self.searcher else {
            return;
        };
        let sk = skeleton.text.as_str();
        for (pattern, m_start, m_end) in searcher.find_iter(sk) {
            let before = sk[..m_start].chars().next_back();
            let after = sk[m_end..].chars().next();
            let first = sk[m_start..].chars().next();
            let last = sk[..m_end].chars().next_back();
            // A boundary is needed only where the term itself starts or ends
            // with a word character (`.NET` may follow a letter).
            let term = &self.terms[self.pattern_term[pattern]];
            // How long the text found is, not the term it stands for: a
            // learned given name (`ana`) carries the whole name's key (`ana
            // lima`), and counted as long it was replaced inside every
            // `canary`, `Grafana` and `analysis` of the report.
            let long = sk[m_start..m_end]
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
                >= INSIDE_TOKENS_FROM;
            if !long && first.is_some_and(is_word_char) && before.is_some_and(is_word_char) {
                continue;
            }
            let mut m_end = m_end;
            if !long && last.is_some_and(is_word_char) && after.is_some_and(is_word_char) {
                // A number glued on (`DUO1`, `acme2`) names an instance of
                // the term: it goes with it. Any other letter makes another
                // word.
                let digits = sk[m_end..].bytes().take_while(u8::is_ascii_digit).count();
                if !self.numbered
                    || digits == 0
                    || sk[m_end + digits..]
                        .chars()
                        .next()
                        .is_some_and(is_word_char)
                {
                    continue;
                }
                m_end += digits;
            }
            let (start, end) = skeleton.to_clean(m_start, m_end, clean);
            out.push(Span::new(start, end, term.kind, term.key.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(terms: &DeclaredTerms, text: &str) -> Vec<String> {
        let m = TermMatcher::declared(terms);
        let clean = super::super::normalise::clean(text);
        let sk = Skeleton::new(&clean);
        let mut out = Vec::new();
        m.find(&clean, &sk, &mut out);
        out.iter()
            .map(|s| clean[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn few_needles_match_like_the_automaton() {
        let needles: Vec<String> = ["ab", "abc", "abcd", "bc", "bd", "ab", "é", "éa", "ca", "zz"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let few = FewNeedles::new(needles.clone());
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&needles)
            .unwrap();
        // Every string over a small alphabet, up to six letters long.
        let alphabet = ["a", "b", "c", "d", "é", "z"];
        let mut texts = vec![String::new()];
        let mut level = vec![String::new()];
        for _ in 0..6 {
            level = level
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(level.iter().cloned());
        }
        assert_eq!(texts.len(), 1 + 6 + 36 + 216 + 1296 + 7776 + 46656);
        for t in &texts {
            let expected: Vec<(usize, usize, usize)> = ac
                .find_iter(t.as_str())
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            assert_eq!(few.find_iter(t).collect::<Vec<_>>(), expected, "{t:?}");
        }
    }

    #[test]
    fn words_are_found_however_they_are_separated() {
        let t = DeclaredTerms {
            products: vec!["Firefox Add-ons".into(), "long-distance network".into()],
            ..Default::default()
        };
        let text = "Firefox add-ons broke; firefox-add ons, FIREFOX ADDONS, firefox_add-ons and Firefox\nAdd-ons too. \
                    The long-distance network, long distance-network, longdistance network, \
                    long\u{2011}distance\u{2011}network and long.distance.network failed.";
        assert_eq!(
            found(&t, text),
            [
                "Firefox add-ons",
                "firefox-add ons",
                "FIREFOX ADDONS",
                "firefox_add-ons",
                "Firefox\nAdd-ons",
                "long-distance network",
                "long distance-network",
                "longdistance network",
                // NFKC writes the non-breaking hyphen as U+2010.
                "long\u{2010}distance\u{2010}network",
                "long.distance.network"
            ]
        );
        // Every mix of a space and nothing, for up to four words; one
        // separator throughout beyond. Each base has its two plurals.
        assert_eq!(variants_of("a b c d").len(), (8 + 1) * 3);
        assert_eq!(variants_of("a b c d e").len(), 3 * 3);
    }

    #[test]
    fn a_number_glued_to_a_short_term_goes_with_it() {
        let t = DeclaredTerms {
            products: vec!["Duo".into()],
            ..Default::default()
        };
        assert_eq!(
            found(
                &t,
                "migrated off DUO1 to duo12 and Duo-3; duo1x, duos, duolingo, 2duo stay"
            ),
            ["DUO1", "duo12", "Duo", "duos"]
        );
    }

    #[test]
    fn every_variant_is_found() {
        let t = DeclaredTerms {
            organization: vec!["Acme Pay".into()],
            ..Default::default()
        };
        let text = "Acme Pay, ACME-PAY, AcmePay's, acme_pay, status.acmepay.io, Acme Pays, Ac\u{200B}me Pay, Аcme Pay";
        assert_eq!(
            found(&t, text),
            [
                "Acme Pay",
                "ACME-PAY",
                "AcmePay",
                "acme_pay",
                "acmepay",
                "Acme Pays",
                "Acme Pay",
                "Аcme Pay"
            ]
        );
        assert_eq!(
            found(&t, "AcmePayments and xacmepay"),
            ["AcmePay", "acmepay"]
        );
        let short = DeclaredTerms {
            people: vec!["Ken".into()],
            ..Default::default()
        };
        assert_eq!(
            found(&short, "Ken, token, ken_ops, Kenneth"),
            ["Ken", "ken"]
        );
    }
}
