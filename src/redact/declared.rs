//! Matching the terms a submitter declared, and names learned from the text,
//! in every variant a careless submitter leaves: any case, possessives and
//! plurals, hyphen / space / no-space forms (`Acme Pay`, `acme-pay`,
//! `AcmePay`), look-alike letters and invisible separators (matched on the
//! skeleton, see `normalise`), and inside host names, e-mail domains and
//! URLs (where the boundary is a dot, a slash or an `@`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

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
    automaton: Option<AhoCorasick>,
    /// For each pattern, the index of its term.
    pattern_term: Vec<usize>,
    terms: Vec<Term>,
}

/// `_` joins words in identifiers (`hearth_vpc`, `be_callwise`): a boundary.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Terms this long (letters and digits) are found inside longer tokens too
/// (`stsilosenseprod`), where a short one (`Ken` in `token`) would not be a
/// name.
const INSIDE_TOKENS_FROM: usize = 6;

/// Separators between the words of a multi-word term, as written.
const JOINERS: [&str; 5] = [" ", "-", "", "_", "."];

/// Every written form of a term, on the skeleton (lowercase, folded).
pub fn variants_of(term: &str) -> Vec<String> {
    let skeleton = skeleton_of(term.trim());
    let words: Vec<&str> = skeleton
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let bases: Vec<String> = if words.len() > 1 {
        JOINERS.iter().map(|j| words.join(j)).collect()
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
        TermMatcher::build(terms, variants_of)
    }

    /// Each term only as written (for names and secrets learned from the
    /// report itself, which reappear as they were written): far fewer
    /// patterns, so a much faster build.
    pub fn exact(terms: Vec<(Term, String)>) -> TermMatcher {
        let mut seen = std::collections::HashSet::new();
        let terms: Vec<(Term, String)> = terms
            .into_iter()
            .filter(|(_, w)| seen.insert(skeleton_of(w.trim())))
            .collect();
        TermMatcher::build(terms, |w| {
            let s = skeleton_of(w.trim());
            if s.chars().count() < 2 {
                Vec::new()
            } else {
                vec![s]
            }
        })
    }

    fn build(terms: Vec<(Term, String)>, forms: impl Fn(&str) -> Vec<String>) -> TermMatcher {
        let mut needles = Vec::new();
        let mut pattern_term = Vec::new();
        let mut kept = Vec::new();
        for (term, written) in terms {
            let vs = forms(&written);
            if vs.is_empty() {
                continue;
            }
            for v in vs {
                needles.push(v);
                pattern_term.push(kept.len());
            }
            kept.push(term);
        }
        let automaton = (!needles.is_empty()).then(|| {
            // A contiguous NFA builds several times faster than a DFA, and a
            // matcher lives for one report: build time dominates.
            AhoCorasickBuilder::new()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::LeftmostLongest)
                .build(&needles)
                .expect("terms are bounded in size and count")
        });
        TermMatcher {
            automaton,
            pattern_term,
            terms: kept,
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
        self.automaton.is_none()
    }

    /// Spans (in `clean` offsets) of every whole-word occurrence.
    pub fn find(&self, clean: &str, skeleton: &Skeleton, out: &mut Vec<Span>) {
        let Some(ac) = &self.automaton else { return };
        let sk = skeleton.text.as_str();
        for m in ac.find_iter(sk) {
            let before = sk[..m.start()].chars().next_back();
            let after = sk[m.end()..].chars().next();
            let first = sk[m.start()..].chars().next();
            let last = sk[..m.end()].chars().next_back();
            // A boundary is needed only where the term itself starts or ends
            // with a word character (`.NET` may follow a letter).
            let term = &self.terms[self.pattern_term[m.pattern().as_usize()]];
            let long =
                term.key.chars().filter(|c| c.is_alphanumeric()).count() >= INSIDE_TOKENS_FROM;
            if !long && first.is_some_and(is_word_char) && before.is_some_and(is_word_char) {
                continue;
            }
            if !long && last.is_some_and(is_word_char) && after.is_some_and(is_word_char) {
                continue;
            }
            let (start, end) = skeleton.to_clean(m.start(), m.end(), clean);
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
