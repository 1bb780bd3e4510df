//! People not declared by the submitter: names after honorifics and roles,
//! given name + capitalised surname pairs (given names from a list shipped
//! as data), lone given names, and names after verbs of contact ("paged
//! Tomasz"). Technology names that look like names (Cassandra, Jenkins,
//! Ruby) are never people.

use std::sync::OnceLock;

use regex::Regex;
use rustc_hash::FxHashSet;

use super::keyed::Keyed;
use super::stretches::{Stretch, Stretches, NON_ASCII};
use super::{regex, Span};
use crate::redact::datetimes::{MONTHS, WEEKDAYS};
use crate::redact::declared::Term;
use crate::redact::lists;
use crate::redact::normalise::{skeleton_of, with_ascii_lowercase};
use crate::redact::FindingKind;
use crate::report::taxonomy::taxonomy;

/// Words that start sentences and headings in postmortems, capitalised but
/// never surnames (calendar words are added to them).
const NOT_SURNAMES: &[&str] = &[
    "the",
    "and",
    "or",
    "but",
    "on",
    "in",
    "at",
    "to",
    "from",
    "for",
    "with",
    "by",
    "of",
    "as",
    "is",
    "was",
    "were",
    "has",
    "had",
    "said",
    "says",
    "asked",
    "ran",
    "restarted",
    "rolled",
    "noticed",
    "paged",
    "joined",
    "left",
    "team",
    "sre",
    "ops",
    "oncall",
    "on-call",
    "incident",
    "engineer",
    "manager",
    "lead",
    "we",
    "i",
    "it",
    "this",
    "that",
];

const SURNAME_PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "la", "le", "del", "della", "da", "di", "du", "dos", "das",
    "ní", "nic", "ó", "mac", "bin", "binti", "al", "el", "ter", "ten", "st.",
];

/// `de`, `van`, `Ó`… in any case. Every word of a report passes here, so
/// ASCII words (nearly all) are compared without lowercasing a copy: the
/// particles are lowercase, and an ASCII word lowercases byte by byte.
fn is_particle(word: &str) -> bool {
    if word.is_ascii() {
        // No particle is longer than five letters.
        word.len() <= 5
            && SURNAME_PARTICLES
                .iter()
                .any(|p| p.eq_ignore_ascii_case(word))
    } else {
        SURNAME_PARTICLES.contains(&word.to_lowercase().as_str())
    }
}

fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
}

/// `Rao`, `O'Brien`, `Jiménez`: one capital, then lowercase letters.
fn title_case(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().any(char::is_lowercase)
        && chars.all(|c| c.is_lowercase() || matches!(c, '\'' | '’' | '-'))
}

fn is_technology(word: &str) -> bool {
    taxonomy().technology(word).is_some()
}

/// Could `word` be a surname? Capitalised, not a technology, not a calendar
/// or function word.
fn surname_like(word: &str) -> bool {
    capitalised_non_technology(word, false)
}

/// A capitalised word that is neither English nor a technology: a name
/// whoever introduced it.
fn unknown_proper_noun(word: &str) -> bool {
    capitalised_non_technology(word, true)
}

/// Capitalised, of two letters or more, neither a function or calendar
/// word nor a technology — nor English, when `not_english`. The word is
/// lowercased once for every list, and the English list (the commonest to
/// reject: most capitalised words start a sentence) is asked first.
fn capitalised_non_technology(word: &str, not_english: bool) -> bool {
    is_capitalised(word)
        && word.chars().count() >= 2
        && with_ascii_lowercase(word, |lower| {
            !(not_english && lists::is_english(lower)
                || not_surname(lower)
                || taxonomy().is_technology_word(lower))
        })
}

/// A function or calendar word (lowercase), never a surname.
fn not_surname(lower: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        NOT_SURNAMES
            .iter()
            .chain(MONTHS.iter())
            .chain(WEEKDAYS.iter())
            .copied()
            .collect()
    })
    .contains(lower)
}

struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

/// Words: letters (and marks), with apostrophes and hyphens inside.
/// Hand-rolled rather than a regex: this runs over every byte of every
/// report, and a byte loop that decodes only non-ASCII characters is
/// several times faster than a Unicode class automaton.
fn words(text: &str) -> Vec<Word<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 5);
    let mut start: Option<usize> = None;
    let mut last_letter_end = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (letter, joiner, len) = if b.is_ascii() {
            (b.is_ascii_alphabetic(), matches!(b, b'\'' | b'-'), 1)
        } else {
            let c = text[i..].chars().next().expect("a character starts here");
            let letter = c.is_alphabetic() || start.is_some() && is_mark(c);
            (letter, c == '’', c.len_utf8())
        };
        match start {
            None if letter => {
                start = Some(i);
                last_letter_end = i + len;
            }
            Some(_) if letter => last_letter_end = i + len,
            Some(_) if joiner => {}
            Some(s) => {
                out.push(Word {
                    start: s,
                    end: last_letter_end,
                    text: &text[s..last_letter_end],
                });
                start = None;
            }
            None => {}
        }
        i += len;
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: last_letter_end,
            text: &text[s..last_letter_end],
        });
    }
    out
}

/// Combining marks that may follow a letter in a decomposed name.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Only spaces (no line break, no punctuation) between two words.
fn adjacent(text: &str, a: &Word, b: &Word) -> bool {
    let gap = &text[a.end..b.start];
    !gap.is_empty() && gap.len() <= 3 && gap.chars().all(|c| c == ' ' || c == '\u{a0}')
}

/// Extend a name from word `i` over surname particles and capitalised
/// surnames, and a trailing initial (`Priya N.`). Returns the end byte and
/// the index after the last word used.
fn extend_surnames(text: &str, ws: &[Word], i: usize, unambiguous: bool) -> (usize, usize) {
    let mut end = ws[i].end;
    let mut j = i + 1;
    let mut surnames = 0;
    while j < ws.len() && surnames < 3 && adjacent(text, &ws[j - 1], &ws[j]) {
        let w = ws[j].text;
        // Particles (`de la`, `van der`) count only when a surname follows.
        let mut k = j;
        while k < ws.len() && is_particle(ws[k].text) {
            k += 1;
        }
        if k > j {
            if k < ws.len() && adjacent(text, &ws[k - 1], &ws[k]) && surname_like(ws[k].text) {
                j = k;
                continue;
            }
            break;
        }
        let ok = if unambiguous {
            surname_like(w)
        } else {
            unknown_proper_noun(w)
        };
        if !ok {
            // An initial: a single capital followed by a dot.
            if w.chars().count() == 1
                && w.chars().all(char::is_uppercase)
                && text[ws[j].end..].starts_with('.')
            {
                end = ws[j].end + 1;
                j += 1;
            }
            break;
        }
        end = ws[j].end;
        surnames += 1;
        j += 1;
    }
    (end, j)
}

fn person(out: &mut Vec<Span>, text: &str, start: usize, end: usize) {
    let key = skeleton_of(text[start..end].trim_end_matches('.'));
    out.push(Span::new(start, end, FindingKind::Person, key));
}

pub fn people(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static HONORIFIC: OnceLock<Regex> = OnceLock::new();
    let honorific = regex(
        &HONORIFIC,
        r"(?-u:\b)(?:Dr|Mr|Mrs|Ms|Mx|Prof|Sir|Dame)\.?[ \u{a0}]+(\p{Lu}[\p{L}'’-]+(?:[ \u{a0}]+\p{Lu}[\p{L}'’-]+)?)",
    );
    for c in honorific.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if !is_technology(m.as_str()) {
            person(out, text, m.start(), m.end());
        }
    }
    // Names introduced by a role or a verb of contact, whatever the name.
    static INTRODUCED: OnceLock<Keyed> = OnceLock::new();
    let introduced = INTRODUCED.get_or_init(|| {
        Keyed::new(
            &[
                "engineer", "manager", "lead", "director", "developer", "admin", "architect",
                "analyst", "colleague", "ceo", "cto", "cio", "ciso", "vp", "owner", "commander",
                "author", "contact", "ask", "paged", "pinged", "called", "told", "thank", "cc",
                "escalated", "hand",
            ],
            r"(?i:(?-u:\b)(?:engineer|manager|lead|director|developer|admin|administrator|architect|analyst|colleague|ceo|cto|cio|ciso|vp|owner|commander|author|contact|ask|asked|paged|pinged|called|told|thanks|thank you|cc|contacted|escalated to|handed over to|handed off to|hand off to)[:,]?[ \u{a0}]+)(\p{Lu}[\p{L}'’-]+(?:[ \u{a0}]+\p{Lu}[\p{L}'’-]+)?)",
        )
    });
    // The role or verb ends its stretch and a capital starts the next —
    // or the one after `thank you`, `escalated to`, `handed over to` — or
    // a non-ASCII space joins them in one stretch.
    let bytes = text.as_bytes();
    let capital_at = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_uppercase() || b >= 0x80)
    };
    let could_match = |s: &Stretch, next: &[Stretch]| {
        s.has_any(NON_ASCII)
            || next.first().is_some_and(|n| capital_at(n.start as usize))
            || next.len() >= 2 && {
                let word =
                    text[next[0].start as usize..next[0].end as usize].trim_end_matches([':', ',']);
                ["you", "to", "over", "off"]
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(word))
                    && next[1..next.len().min(3)]
                        .iter()
                        .any(|n| capital_at(n.start as usize))
            }
    };
    for c in introduced.captures_iter_in(text, stretches.ranges_ahead(could_match, 3)) {
        let m = c.get_group(1).expect("group 1");
        let parts: Vec<&str> = text[m.range()]
            .split([' ', '\u{a0}'])
            .filter(|p| !p.is_empty())
            .collect();
        let first = parts[0];
        if !unknown_proper_noun(first)
            && (!lists::is_first_name(first) || lists::is_ambiguous_name(first))
        {
            continue;
        }
        let end = if parts.len() > 1 && surname_like(parts[1]) {
            m.end
        } else {
            m.start + first.len()
        };
        person(out, text, m.start, end);
    }
    static INITIAL: OnceLock<Regex> = OnceLock::new();
    let initial = regex(&INITIAL, r"(?-u:\b)\p{Lu}\.[ \u{a0}]?(\p{Lu}[\p{L}'’-]+)");
    for c in initial.captures_iter(text) {
        let m = c.get(0).expect("whole match");
        if unknown_proper_noun(c.get(1).expect("group 1").as_str()) {
            person(out, text, m.start(), m.end());
        }
    }
    let ws = words(text);
    let mut i = 0;
    while i < ws.len() {
        let w = ws[i].text;
        // Names start with a capital; most words do not.
        if !w.starts_with(|c: char| c.is_uppercase()) {
            i += 1;
            continue;
        }
        // Two capitalised words that are neither English nor technologies:
        // a name from beyond the given-name list (`Aditi Rao`, `Sinéad Byrne`).
        // Particles may stand between (`Ruairí Ó Murchú`).
        let mut k = i + 1;
        while k < ws.len() && k < i + 3 && is_particle(ws[k].text) {
            k += 1;
        }
        // Cheapest tests first: most capitalised words start a sentence
        // and are followed by a lowercase word.
        if k < ws.len()
            && title_case(ws[k].text)
            && title_case(w)
            && (i + 1..=k).all(|j| adjacent(text, &ws[j - 1], &ws[j]))
            && !lists::is_first_name(w)
            && unknown_proper_noun(w)
            && unknown_proper_noun(ws[k].text)
        {
            let (end, next) = extend_surnames(text, &ws, i, true);
            person(out, text, ws[i].start, end);
            i = next;
            continue;
        }
        if lists::is_first_name(w) && !is_technology(w) {
            let unambiguous = !lists::is_ambiguous_name(w);
            let (end, next) = extend_surnames(text, &ws, i, unambiguous);
            // A lone ambiguous name (`Will`, `Mark`) is an English word.
            if next > i + 1 || unambiguous {
                person(out, text, ws[i].start, end);
                i = next;
                continue;
            }
        }
        i += 1;
    }
}

/// A staff-list entry as a name to find elsewhere: user names (`jdoe`),
/// initials (`SB`) and names. Not an English word or a technology.
pub fn staff_member_term(member: &str) -> Option<(Term, String)> {
    let m = member.trim();
    let lower = m.to_lowercase();
    if m.chars().count() < 2 || lists::is_english(&lower) || is_technology(m) || m.contains("[") {
        return None;
    }
    Some((
        Term {
            kind: FindingKind::Person,
            key: skeleton_of(m),
        },
        m.to_string(),
    ))
}

/// Full names found anywhere in a report, so that a later lone `Priya` or
/// `Nandakumar` gets the placeholder of `Priya Nandakumar`.
pub fn learn_names(spans: &[Span], text: &str) -> Vec<(Term, String)> {
    let mut out = Vec::new();
    for s in spans.iter().filter(|s| s.kind == FindingKind::Person) {
        let name = text[s.start..s.end].trim_end_matches('.');
        let parts: Vec<&str> = name
            .split([' ', '\u{a0}'])
            .filter(|p| p.chars().count() > 1)
            .collect();
        if parts.len() < 2 {
            continue;
        }
        out.push((
            Term {
                kind: FindingKind::Person,
                key: s.key.clone(),
            },
            name.to_string(),
        ));
        for part in [parts[0], parts[parts.len() - 1]] {
            if !is_technology(part) && !with_ascii_lowercase(part, lists::is_english) {
                out.push((
                    Term {
                        kind: FindingKind::Person,
                        key: s.key.clone(),
                    },
                    part.to_string(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        people(text, &Stretches::new(text), &mut out);
        let mut v: Vec<String> = out
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn finds_people_but_not_technologies() {
        assert_eq!(found("ask Maria Lopez from the DBA team"), ["Maria Lopez"]);
        assert_eq!(
            found("Dr. Lee approved; Tomasz Wójcik paged Oluwaseun."),
            ["Lee", "Oluwaseun", "Tomasz Wójcik"]
        );
        assert_eq!(
            found("thank you, Dana Whitfield; escalated to Oluwaseun"),
            ["Dana Whitfield", "Oluwaseun"]
        );
        assert_eq!(
            found("Priya N. restarted Cassandra and Jenkins"),
            ["Priya N."]
        );
        assert!(found("Will the Redis Sentinel failover? Mark the pods.").is_empty());
        assert_eq!(
            found("José García de la Cruz said"),
            ["José García de la Cruz"]
        );
    }
}
