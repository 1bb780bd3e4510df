//! Property: a declared term inserted anywhere in a report, in any case and
//! in any Unicode disguise (zero-width characters, look-alike letters from
//! other scripts, full-width forms, any mix of separators between its words),
//! never appears in the de-identified output.

use nearmiss::redact::normalise::skeleton_of;
use nearmiss::redact::Redactor;
use nearmiss::report::submission::DeclaredTerms;
use proptest::prelude::*;

const SENTENCES: &[&str] = &[
    "The Redis Sentinel quorum lost the primary at 02:14 and failover took 47 seconds.",
    "Kafka consumer lag on the orders topic reached 1.2M messages after the rebalance.",
    "x509: certificate has expired or is not yet valid",
    "We rolled back v2.31.4 of the gateway; p99 latency dropped from 2.3 s to 180 ms.",
    "## Lessons learned\n\n- Alert on replication lag, not only on errors.\n",
    "| 14:02 | alerts fired | on-call paged |\n|---|---|---|\n",
    "`kubectl drain node-7 --ignore-daemonsets` evicted every replica at once.",
    "PostgreSQL autovacuum fell behind and transaction ID wraparound was 40M away.",
];

/// Letters that have a look-alike in Cyrillic or Greek.
fn lookalike(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'e' => 'е',
        'o' => 'о',
        'p' => 'р',
        'c' => 'с',
        'x' => 'х',
        'i' => 'і',
        'A' => 'А',
        'E' => 'Е',
        'O' => 'О',
        'P' => 'Р',
        'C' => 'С',
        'T' => 'Т',
        'K' => 'К',
        _ => return None,
    })
}

fn fullwidth(c: char) -> char {
    if c.is_ascii_alphanumeric() {
        char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
    } else {
        c
    }
}

/// A written form of `term`: per-character choices of case, look-alikes,
/// full-width forms and invisible separators; between each pair of words,
/// a space, a hyphen (ASCII or non-breaking), an underscore, a line break
/// or nothing.
fn disguise(term: &str, choices: &[u8], joiners: &[u8]) -> String {
    let mut joined = String::new();
    for (i, word) in term.split(' ').enumerate() {
        if i > 0 {
            joined.push_str(match joiners[(i - 1) % joiners.len()] % 6 {
                0 => " ",
                1 => "-",
                2 => "",
                3 => "_",
                4 => "\n",
                _ => "\u{2011}",
            });
        }
        joined.push_str(word);
    }
    let mut out = String::new();
    for (i, c) in joined.chars().enumerate() {
        let choice = choices.get(i % choices.len().max(1)).copied().unwrap_or(0);
        let c = match choice % 6 {
            0 => c.to_ascii_uppercase(),
            1 => c.to_ascii_lowercase(),
            2 => lookalike(c).unwrap_or(c),
            3 => fullwidth(c),
            _ => c,
        };
        out.push(c);
        match choice % 11 {
            7 => out.push('\u{200B}'),
            8 => out.push('\u{200D}'),
            9 => out.push('\u{00AD}'),
            10 => out.push('\u{2060}'),
            _ => {}
        }
    }
    out
}

fn squash(s: &str) -> String {
    skeleton_of(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_declared_term_never_survives(
        first in "[A-Z][a-z]{5,9}",
        more in proptest::collection::vec("[A-Z][a-z]{2,7}", 0..4),
        kind in 0u8..5,
        choices in proptest::collection::vec(any::<u8>(), 1..24),
        joiners in proptest::collection::vec(any::<u8>(), 3),
        sentences in proptest::collection::vec(0usize..SENTENCES.len(), 1..6),
        at in any::<prop::sample::Index>(),
        possessive in any::<bool>(),
    ) {
        let term = std::iter::once(first.as_str())
            .chain(more.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let mut terms = DeclaredTerms::default();
        match kind {
            0 => terms.organization.push(term.clone()),
            1 => terms.products.push(term.clone()),
            2 => terms.people.push(term.clone()),
            3 => terms.locations.push(term.clone()),
            _ => terms.other.push(term.clone()),
        }
        let mut text: String = sentences.iter().map(|&i| SENTENCES[i]).collect::<Vec<_>>().join(" ");
        // Anywhere: at any character boundary, even inside another word.
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
        let position = boundaries[at.index(boundaries.len())];
        let mut written = disguise(&term, &choices, &joiners);
        if possessive {
            written.push_str("'s");
        }
        text.insert_str(position, &written);

        let mut r = Redactor::new(&terms);
        r.learn(&[text.as_str()]);
        let out = r.redact("narrative", &text);
        prop_assert!(
            !squash(&out).contains(&squash(&term)),
            "{term:?} written as {written:?} survived in {out:?}"
        );
    }
}
