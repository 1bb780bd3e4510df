//! People not declared by the submitter: names after honorifics and roles,
//! given name + capitalised surname pairs (given names from a list shipped
//! as data), lone given names, and names after verbs of contact ("paged
//! Tomasz"). Technology names that look like names (Cassandra, Jenkins,
//! Ruby) are never people.

use std::sync::OnceLock;

use regex::Regex;
use rustc_hash::FxHashSet;

use super::anchored::Anchored;
use super::stretches::{Stretches, NON_ASCII, UPPER};
use super::{captures_found, is_word_byte, regex, Span};
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
        // No particle is longer than five letters, and few letters start one.
        word.len() <= 5
            && word.bytes().next().is_some_and(|b| {
                matches!(
                    b.to_ascii_lowercase(),
                    b'a' | b'b' | b'd' | b'e' | b'l' | b'm' | b'n' | b's' | b't' | b'v'
                )
            })
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

/// Could `first` start a name that its context introduces (`paged …`,
/// `Regards,` then a line)? An unknown capitalised word, or a given name
/// that is no English word too (`Will`, `Mark`).
fn starts_an_introduced_name(first: &str) -> bool {
    unknown_proper_noun(first) || lists::is_first_name(first) && !lists::is_ambiguous_name(first)
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

#[derive(Clone, Copy)]
struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

/// The first word at or after byte `from`, which must not lie inside a
/// word: letters (and marks), with apostrophes and hyphens inside. A byte
/// loop that decodes only non-ASCII characters.
fn next_word(text: &str, from: usize) -> Option<Word<'_>> {
    let bytes = text.as_bytes();
    let mut start: Option<usize> = None;
    let mut last_letter_end = 0;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        // Most bytes are ASCII letters of a word.
        if b.is_ascii_alphabetic() {
            start.get_or_insert(i);
            i += 1;
            last_letter_end = i;
            continue;
        }
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
            Some(_) => break,
            None => {}
        }
        i += len;
    }
    start.map(|s| Word {
        start: s,
        end: last_letter_end,
        text: &text[s..last_letter_end],
    })
}

/// Byte `i` continues a word begun before it: letters, apostrophes,
/// hyphens and marks run back from it to a letter.
fn inside_word(text: &str, i: usize) -> bool {
    for c in text[..i].chars().rev() {
        if c.is_alphabetic() {
            return true;
        }
        if !(matches!(c, '\'' | '-' | '’') || is_mark(c)) {
            return false;
        }
    }
    false
}

/// The words from one that starts a candidate name on, split only as far
/// as they are asked for: most capitalised words are looked at together
/// with the next word or two, never more.
struct Words<'a, 'f> {
    text: &'a str,
    found: &'f mut Vec<Word<'a>>,
}

impl<'a, 'f> Words<'a, 'f> {
    /// The words from byte `start` on, split into `found` (emptied first,
    /// and kept by the caller so that its allocation is reused).
    fn at(text: &'a str, start: usize, found: &'f mut Vec<Word<'a>>) -> Words<'a, 'f> {
        found.clear();
        found.extend(next_word(text, start));
        Words { text, found }
    }

    fn get(&mut self, k: usize) -> Option<Word<'a>> {
        while self.found.len() <= k {
            let from = self.found.last()?.end;
            self.found.push(next_word(self.text, from)?);
        }
        Some(self.found[k])
    }
}

/// Where every capital letter of `text` is. Only stretches holding a
/// capital ASCII letter or a non-ASCII character are read.
fn capitals(text: &str, stretches: &Stretches) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 16);
    for s in stretches.iter().filter(|s| s.has_any(UPPER | NON_ASCII)) {
        let (from, to) = (s.start as usize, s.end as usize);
        if s.has_any(NON_ASCII) {
            out.extend(
                text[from..to]
                    .char_indices()
                    .filter(|(_, c)| c.is_uppercase())
                    .map(|(i, _)| from + i),
            );
        } else {
            out.extend((from..to).filter(|&i| bytes[i].is_ascii_uppercase()));
        }
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
fn extend_surnames(
    text: &str,
    ws: &mut Words<'_, '_>,
    i: usize,
    unambiguous: bool,
) -> (usize, usize) {
    let mut end = ws.get(i).expect("a word already split").end;
    let mut j = i + 1;
    let mut surnames = 0;
    while surnames < 3 {
        let (Some(prev), Some(w)) = (ws.get(j - 1), ws.get(j)) else {
            break;
        };
        if !adjacent(text, &prev, &w) {
            break;
        }
        // Particles (`de la`, `van der`) count only when a surname follows.
        let mut k = j;
        while ws.get(k).is_some_and(|p| is_particle(p.text)) {
            k += 1;
        }
        if k > j {
            let before = ws.get(k - 1).expect("a word already split");
            if ws
                .get(k)
                .is_some_and(|n| adjacent(text, &before, &n) && surname_like(n.text))
            {
                j = k;
                continue;
            }
            break;
        }
        let ok = if unambiguous {
            surname_like(w.text)
        } else {
            unknown_proper_noun(w.text)
        };
        if !ok {
            // An initial: a single capital followed by a dot.
            if w.text.chars().count() == 1
                && w.text.chars().all(char::is_uppercase)
                && text[w.end..].starts_with('.')
            {
                end = w.end + 1;
                j += 1;
            }
            break;
        }
        end = w.end;
        surnames += 1;
        j += 1;
    }
    (end, j)
}

fn person(out: &mut Vec<Span>, text: &str, start: usize, end: usize) {
    // A possessive belongs to the sentence, not to the name: `Nowak's` is
    // Nowak, so a later bare `Nowak` or `Ewa Nowak` gets the same
    // placeholder, and the text reads `[PERSON-1]'s gateway`.
    let end = start + without_possessive(&text[start..end]).len();
    let key = skeleton_of(text[start..end].trim_end_matches('.'));
    out.push(Span::new(start, end, FindingKind::Person, key));
}

/// `name` without a final `'s`, `’s` or lone apostrophe (`Jones'`), if a
/// letter is left before it.
fn without_possessive(name: &str) -> &str {
    let stem = ["'s", "’s", "'", "’"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    if stem.chars().next_back().is_some_and(char::is_alphabetic) {
        stem
    } else {
        name
    }
}

/// Roles and verbs of contact that introduce a name, as the last word
/// before it; `you` and `to` end the longer ones.
const INTRODUCERS: &[&str] = &[
    "engineer",
    "manager",
    "lead",
    "director",
    "developer",
    "admin",
    "administrator",
    "architect",
    "analyst",
    "colleague",
    "ceo",
    "cto",
    "cio",
    "ciso",
    "vp",
    "owner",
    "commander",
    "author",
    "contact",
    "ask",
    "asked",
    "paged",
    "pinged",
    "called",
    "told",
    "thanks",
    "cc",
    "contacted",
];

/// Where a role or verb that introduces the capitalised word at `name`
/// could start (`paged Maria`, `escalated to: Maria`): the words before
/// it, then maybe `:` or `,`, then spaces. Every start of an `INTRODUCED`
/// match is among these.
fn introducer_starts(text: &str, name: usize, out: &mut Vec<usize>) {
    static SINGLE: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let single = SINGLE.get_or_init(|| INTRODUCERS.iter().copied().collect());
    let before = &text[..name];
    let spaced = before.trim_end_matches([' ', '\u{a0}']);
    if spaced.len() == before.len() {
        return;
    }
    let key_end = spaced.strip_suffix([':', ',']).unwrap_or(spaced);
    let bytes = key_end.as_bytes();
    // The role starts a word (`\b`), so it is the whole run of word bytes.
    let from = bytes
        .iter()
        .rposition(|&b| !is_word_byte(b))
        .map_or(0, |i| i + 1);
    let last = &key_end[from..];
    if !(2..=13).contains(&last.len()) {
        return;
    }
    with_ascii_lowercase(last, |lower| {
        if single.contains(lower) {
            out.push(from);
        }
        let leads: &[&str] = match lower {
            "you" => &["thank "],
            "to" => &["escalated ", "handed over ", "handed off ", "hand off "],
            _ => &[],
        };
        for lead in leads {
            let Some(k) = from.checked_sub(lead.len()) else {
                continue;
            };
            if bytes[k..from].eq_ignore_ascii_case(lead.as_bytes())
                && (k == 0 || !is_word_byte(bytes[k - 1]))
            {
                out.push(k);
            }
        }
    });
}

/// Where each line after a closing line (`Regards,`, `Best regards,`,
/// `Many thanks`, `Sincerely`) starts. Found line by line rather than by a
/// pattern over the whole text: a case-insensitive search for `best` or
/// `thanks` anywhere cost 5 % of the redaction's throughput.
fn after_closings(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut line_start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).filter_map(move |nl| {
        let line = &text[line_start..nl];
        line_start = nl + 1;
        // Closings are short; most lines are not.
        (line.len() <= 40 && is_closing(line)).then_some(nl + 1)
    })
}

/// `line` is a letter's closing: a closing phrase, maybe after a word or
/// two that qualify it (`Kind regards`, `With best wishes`), then maybe a
/// comma, stop or exclamation mark.
fn is_closing(line: &str) -> bool {
    const QUALIFIERS: &[&str] = &["best", "kind", "kindest", "warm", "warmest", "many", "with"];
    const CLOSINGS: &[&[&str]] = &[
        &["regards"],
        &["thanks"],
        &["thank", "you"],
        &["cheers"],
        &["sincerely"],
        &["best"],
        &["best", "wishes"],
        &["yours"],
        &["yours", "truly"],
        &["yours", "sincerely"],
    ];
    let line = line.trim_end().trim_end_matches([',', '.', '!']);
    let words: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
    (0..=2.min(words.len())).any(|q| {
        words[..q].iter().all(|w| QUALIFIERS.contains(&w.as_str()))
            && CLOSINGS.iter().any(|c| c.iter().eq(words[q..].iter()))
    })
}

/// The capitals followed by a dot: where an initial (`J. Smith`) starts.
fn dotted_capitals<'a>(text: &'a str, capitals: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
    capitals.iter().copied().filter(|&p| {
        let width = text[p..].chars().next().map_or(1, char::len_utf8);
        text.as_bytes().get(p + width) == Some(&b'.')
    })
}

pub fn people(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static HONORIFIC: OnceLock<Regex> = OnceLock::new();
    let honorific = regex(
        &HONORIFIC,
        r"(?-u:\b)(?:Dr|Mr|Mrs|Ms|Mx|Prof|Sir|Dame)\.?[ \u{a0}]+(\p{Lu}[\p{L}'’-]+(?:[ \u{a0}]+\p{Lu}[\p{L}'’-]+)?)",
    );
    for c in captures_found(honorific, text) {
        let m = c.get(1).expect("group 1");
        if !is_technology(m.as_str()) {
            person(out, text, m.start(), m.end());
        }
    }
    // Every name below starts with a capital.
    let capitals = capitals(text, stretches);
    // Names introduced by a role or a verb of contact, whatever the name.
    static INTRODUCED: OnceLock<Anchored> = OnceLock::new();
    let introduced = INTRODUCED.get_or_init(|| {
        Anchored::new(
            r"(?i:(?-u:\b)(?:engineer|manager|lead|director|developer|admin|administrator|architect|analyst|colleague|ceo|cto|cio|ciso|vp|owner|commander|author|contact|ask|asked|paged|pinged|called|told|thanks|thank you|cc|contacted|escalated to|handed over to|handed off to|hand off to)[:,]?[ \u{a0}]+)(\p{Lu}[\p{L}'’-]+(?:[ \u{a0}]+\p{Lu}[\p{L}'’-]+)?)",
        )
    });
    let mut starts = Vec::new();
    for &p in &capitals {
        introducer_starts(text, p, &mut starts);
    }
    starts.sort_unstable();
    for c in introduced.captures_at(text, starts) {
        let m = c.get_group(1).expect("group 1");
        let parts: Vec<&str> = text[m.range()]
            .split([' ', '\u{a0}'])
            .filter(|p| !p.is_empty())
            .collect();
        let first = parts[0];
        if !starts_an_introduced_name(first) {
            continue;
        }
        let end = if parts.len() > 1 && surname_like(parts[1]) {
            m.end
        } else {
            m.start + first.len()
        };
        person(out, text, m.start, end);
    }
    // A letter's signature: the line after `Regards,` (`Best regards,`,
    // `Thanks,`, `Cheers,`, `Sincerely,`) holding only a name, whatever
    // the name. Postmortems sent to customers are letters, signed.
    static SIGNATURE: OnceLock<Anchored> = OnceLock::new();
    let signature = SIGNATURE.get_or_init(|| {
        Anchored::new(
            r"[ \t]*(\p{Lu}[\p{L}'’-]+(?:[ \t\u{a0}]+\p{Lu}[\p{L}'’-]+){0,2})[ \t]*(?:,|\r?\n|\z)",
        )
    });
    for c in signature.captures_at(text, after_closings(text)) {
        let m = c.get_group(1).expect("group 1");
        let name = &text[m.range()];
        let mut parts = name.split([' ', '\t', '\u{a0}']).filter(|p| !p.is_empty());
        let first = parts.next().expect("a word");
        if !starts_an_introduced_name(first) {
            continue;
        }
        // The name runs on while its words could be surnames.
        let mut len = first.len();
        for part in parts.take_while(|p| surname_like(p)) {
            // `part` is a slice of `name`: its end, as an offset into it.
            len = part.as_ptr() as usize - name.as_ptr() as usize + part.len();
        }
        person(out, text, m.start, m.start + len);
    }
    // `J. Smith`: a capital and a dot start the match.
    static INITIAL: OnceLock<Anchored> = OnceLock::new();
    let initial =
        INITIAL.get_or_init(|| Anchored::new(r"(?-u:\b)\p{Lu}\.[ \u{a0}]?(\p{Lu}[\p{L}'’-]+)"));
    for c in initial.captures_at(text, dotted_capitals(text, &capitals)) {
        let m = c.get_match().expect("a match");
        let surname = c.get_group(1).expect("group 1");
        if unknown_proper_noun(&text[surname.range()]) {
            person(out, text, m.start(), m.end());
        }
    }
    // Capitalised words that start a word and are not part of a name
    // found already.
    let mut resume = 0;
    let mut found = Vec::new();
    for &p in &capitals {
        if p < resume || inside_word(text, p) {
            continue;
        }
        let mut ws = Words::at(text, p, &mut found);
        let Some(first) = ws.get(0).filter(|w| w.start == p) else {
            continue;
        };
        let w = first.text;
        // Two capitalised words that are neither English nor technologies:
        // a name from beyond the given-name list (`Aditi Rao`, `Sinéad Byrne`).
        // Particles may stand between (`Ruairí Ó Murchú`).
        let mut k = 1;
        while k < 3 && ws.get(k).is_some_and(|x| is_particle(x.text)) {
            k += 1;
        }
        // Cheapest tests first: most capitalised words start a sentence
        // and are followed by a lowercase word.
        if ws.get(k).is_some_and(|x| title_case(x.text))
            && title_case(w)
            && (1..=k).all(|j| {
                let (a, b) = (ws.found[j - 1], ws.found[j]);
                adjacent(text, &a, &b)
            })
            && !lists::is_first_name(w)
            && unknown_proper_noun(w)
            && unknown_proper_noun(ws.found[k].text)
        {
            let (end, next) = extend_surnames(text, &mut ws, 0, true);
            person(out, text, p, end);
            resume = ws.found[next - 1].end;
            continue;
        }
        if lists::is_first_name(w) && !is_technology(w) {
            let unambiguous = !lists::is_ambiguous_name(w);
            let (end, next) = extend_surnames(text, &mut ws, 0, unambiguous);
            // A lone ambiguous name (`Will`, `Mark`) is an English word.
            if next > 1 || unambiguous {
                person(out, text, p, end);
                resume = ws.found[next - 1].end;
            }
        }
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
    use crate::redact::detect::anchored::assert_finds_what_find_iter_finds;
    use crate::redact::detect::sample_texts;

    /// Names at word edges, in other scripts, after roles in odd cases.
    const AWKWARD: &[&str] = &[
        "x-Ray O'Brien-Smith ’Tis é\u{301}Émile \u{301}Ana a\u{301}Bo -Zed 'Quote' D'Arcy",
        "Thank You, Dana; ESCALATED TO:\u{a0} Maria, handed over to  Li and hand off to Bo",
        "cc: Ken; x_engineer Sam; éengineer Ana; paged\nTom; asked,Jo; told:  Ann",
        "J. Smith, É. Ñúñez, AB.C Dee, Q.\u{a0}Rao, iPhone McDonald ÉCOLE",
    ];

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

    /// Words as one left-to-right split of the whole text finds them: the
    /// reference for starting at capitals.
    fn split_whole(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut last_letter_end = 0;
        for (i, c) in text.char_indices() {
            let letter = c.is_alphabetic() || start.is_some() && is_mark(c);
            let joiner = matches!(c, '\'' | '-' | '’');
            match start {
                None if letter => {
                    start = Some(i);
                    last_letter_end = i + c.len_utf8();
                }
                Some(_) if letter => last_letter_end = i + c.len_utf8(),
                Some(_) if joiner => {}
                Some(s) => {
                    out.push((s, last_letter_end));
                    start = None;
                }
                None => {}
            }
        }
        out.extend(start.map(|s| (s, last_letter_end)));
        out
    }

    #[test]
    fn words_split_from_a_capital_are_the_words_of_a_whole_split() {
        for text in sample_texts(AWKWARD) {
            let whole = split_whole(&text);
            let mut chained = Vec::new();
            let mut at = 0;
            while let Some(w) = next_word(&text, at) {
                chained.push((w.start, w.end));
                at = w.end;
            }
            assert_eq!(chained, whole, "{text}");
            let capitalised: Vec<(usize, usize)> = whole
                .iter()
                .copied()
                .filter(|&(a, _)| text[a..].starts_with(char::is_uppercase))
                .collect();
            let from_capitals: Vec<(usize, usize)> = capitals(&text, &Stretches::new(&text))
                .into_iter()
                .filter(|&p| !inside_word(&text, p))
                .filter_map(|p| next_word(&text, p).filter(|w| w.start == p))
                .map(|w| (w.start, w.end))
                .collect();
            assert_eq!(from_capitals, capitalised, "{text}");
        }
    }

    #[test]
    fn introduced_names_are_found_as_a_whole_text_search_finds_them() {
        let pattern = r"(?i:(?-u:\b)(?:engineer|manager|lead|director|developer|admin|administrator|architect|analyst|colleague|ceo|cto|cio|ciso|vp|owner|commander|author|contact|ask|asked|paged|pinged|called|told|thanks|thank you|cc|contacted|escalated to|handed over to|handed off to|hand off to)[:,]?[ \u{a0}]+)(\p{Lu}[\p{L}'’-]+(?:[ \u{a0}]+\p{Lu}[\p{L}'’-]+)?)";
        let seen = assert_finds_what_find_iter_finds(pattern, &sample_texts(AWKWARD), |text| {
            let mut starts = Vec::new();
            for p in capitals(text, &Stretches::new(text)) {
                introducer_starts(text, p, &mut starts);
            }
            starts.sort_unstable();
            starts
        });
        assert!(seen >= 10, "only {seen} introductions in the texts");
    }

    #[test]
    fn initials_are_found_as_a_whole_text_search_finds_them() {
        let pattern = r"(?-u:\b)\p{Lu}\.[ \u{a0}]?(\p{Lu}[\p{L}'’-]+)";
        let seen = assert_finds_what_find_iter_finds(pattern, &sample_texts(AWKWARD), |text| {
            dotted_capitals(text, &capitals(text, &Stretches::new(text))).collect()
        });
        assert!(seen >= 5, "only {seen} initials in the texts");
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

    #[test]
    fn a_letter_s_signature_is_a_name() {
        assert_eq!(
            found("call us.\n\nRegards,\nTamsin Hale\nHead of Platform Reliability"),
            ["Tamsin Hale"]
        );
        assert_eq!(found("Kind regards,\n  Tamsin Hale, SRE"), ["Tamsin Hale"]);
        assert_eq!(found("Many thanks\r\nTamsin\r\n"), ["Tamsin"]);
        // On its own, `Tamsin` is not known to be a name: the closing is
        // what says so.
        assert!(found("see:\nTamsin\n").is_empty());
        // Not a closing: `best` ending a sentence's line.
        assert!(found("it works best\nTamsin\n").is_empty());
        // Not a name: a team, a technology.
        assert!(found("Regards,\nThe Platform Team").is_empty());
        assert!(found("Regards,\nKubernetes\n").is_empty());
    }
}
