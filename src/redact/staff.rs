//! Staff lists: an "Attendees" / "Participants" / "Owners" section lists the
//! people (and their initials and user names) of one company, and is dropped
//! whole — heading, list and all — as is a one-line `Attendees: AB, CD`.

use std::sync::OnceLock;

use regex::Regex;

use super::detect::regex;

/// A heading (or label) that introduces a list of staff.
pub fn is_staff_heading(heading: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let h = heading
        .trim()
        .trim_matches(|c: char| c == '#' || c == '*' || c == '_' || c == ':' || c.is_whitespace());
    regex(
        &RE,
        r"(?i)^(?:attendees?|participants?|owners?|people(?: involved)?|responders?|incident (?:commanders?|team|leads?)|team members?|contributors?|reviewers?|authors?|present|on[- ]call (?:team|engineers?)|who was involved|staff|roles?)$",
    )
    .is_match(h)
}

/// Where an inline staff list (`Attendees:`, `Present:`, `Observers:`)
/// starts in a line.
fn inline_list(line: &str) -> Option<usize> {
    // Every label ends in a colon, after one of a few words; most lines
    // have neither (a timeline's `14:02` has a digit before its colon).
    if !could_hold_inline_label(line) {
        return None;
    }
    inline_label().find(line).map(|m| {
        let s = m.as_str();
        m.start() + (s.len() - s.trim_start_matches([' ', '\t', '*', '_', '(', '|']).len())
    })
}

fn inline_label() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    regex(
        &RE,
        r"(?i)(?:^|[\s*_(|])(?:attendees?|participants?|present|observers?|responders?|people involved|invitees?|cc|apologies|absent|notes? taken by|scribe|note[- ]?takers?)\s*\**:",
    )
}

fn could_hold_inline_label(line: &str) -> bool {
    memchr::memchr_iter(b':', line.as_bytes()).any(|at| ends_a_label(&line[..at]))
}

/// The last word of every inline staff label, as `inline_list` spells
/// them (`notes taken by`, `note-takers`, `people involved`).
const LABEL_ENDS: &[&str] = &[
    "attendee",
    "attendees",
    "participant",
    "participants",
    "present",
    "observer",
    "observers",
    "responder",
    "responders",
    "involved",
    "invitee",
    "invitees",
    "cc",
    "apologies",
    "absent",
    "by",
    "scribe",
    "taker",
    "takers",
    "notetaker",
    "notetakers",
];

/// `before` (a line up to a colon) could end in an inline staff label:
/// one of its last words, then maybe spaces and asterisks.
fn ends_a_label(before: &str) -> bool {
    let before = before.trim_end_matches('*').trim_end();
    let word_start = before
        .bytes()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let word = &before[word_start..];
    (2..=12).contains(&word.len()) && LABEL_ENDS.iter().any(|end| end.eq_ignore_ascii_case(word))
}

fn heading_level(line: &str) -> Option<usize> {
    let t = line.trim_start();
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    (hashes > 0 && hashes <= 6 && t[hashes..].starts_with(' ')).then_some(hashes)
}

/// A line that is only a bold or colon-terminated label: `**Attendees**`,
/// `Attendees:`.
fn label(line: &str) -> Option<&str> {
    let t = line.trim();
    if let Some(inner) = t.strip_prefix("**").and_then(|s| s.strip_suffix("**")) {
        return Some(inner.trim_end_matches(':'));
    }
    if let Some(inner) = t.strip_prefix("**").and_then(|s| s.strip_suffix(":**")) {
        return Some(inner);
    }
    t.strip_suffix(':')
        .filter(|s| !s.contains(' ') || s.split(' ').count() <= 3)
}

/// The text without staff sections, and how many were dropped.
pub fn drop_staff_sections(text: &str) -> (String, usize) {
    let (out, dropped, _) = split_staff_sections(text);
    (out, dropped)
}

/// The people named in staff lists: their names, initials and user names
/// also appear elsewhere in the report ("jdoe — set max_active_runs=1").
pub fn staff_members(text: &str) -> Vec<String> {
    let (_, _, removed) = split_staff_sections(text);
    members_of(removed)
}

/// The text without staff sections, how many were dropped, and the people
/// they named: `drop_staff_sections` and `staff_members` in one pass.
pub fn split_staff(text: &str) -> (String, usize, Vec<String>) {
    let (out, dropped, removed) = split_staff_sections(text);
    (out, dropped, members_of(removed))
}

fn members_of(removed: Vec<String>) -> Vec<String> {
    let mut members = Vec::new();
    for chunk in removed {
        // Drop the label, parenthesised roles and list markers; split items.
        let body = chunk
            .split_once(':')
            .map_or(chunk.as_str(), |(head, rest)| {
                if head.len() <= 40 && !head.contains('\n') {
                    rest
                } else {
                    chunk.as_str()
                }
            });
        let mut depth = 0;
        let no_roles: String = body
            .chars()
            .filter(|&c| {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        return false;
                    }
                    _ => {}
                }
                depth <= 0 && c != '('
            })
            .collect();
        for item in no_roles.split([',', ';', '\n', '|', '/']) {
            let item = item
                .trim()
                .trim_start_matches(['-', '*', '+', '#'])
                .trim()
                .trim_end_matches(['.', ':'])
                .trim();
            let item = item
                .split(" - ")
                .next()
                .unwrap_or(item)
                .split(" — ")
                .next()
                .unwrap_or(item)
                .trim();
            if (2..=40).contains(&item.chars().count()) && !is_staff_heading(item) {
                members.push(item.to_string());
            }
        }
    }
    members
}

fn split_staff_sections(text: &str) -> (String, usize, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut dropped = 0;
    let mut removed: Vec<String> = Vec::new();
    // While dropping: Some(level) for a heading section (ends at a heading of
    // the same or a higher level), Some(0) for a label section (ends at a
    // blank line after content, or at any heading).
    let mut dropping: Option<usize> = None;
    let mut seen_content = false;
    for line in text.split_inclusive('\n') {
        let level = heading_level(line);
        if let Some(d) = dropping {
            let ends = match (d, level) {
                (0, Some(_)) => true,
                (0, None) => seen_content && line.trim().is_empty(),
                (d, Some(l)) => l <= d,
                (_, None) => false,
            };
            if !ends {
                seen_content |= !line.trim().is_empty();
                if let Some(last) = removed.last_mut() {
                    last.push_str(line);
                }
                continue;
            }
            dropping = None;
        }
        if let Some(l) = level {
            if is_staff_heading(&line.trim_start()[l..]) {
                dropping = Some(l);
                seen_content = false;
                dropped += 1;
                removed.push(String::new());
                continue;
            }
        } else if let Some(lbl) = label(line) {
            if is_staff_heading(lbl) {
                dropping = Some(0);
                seen_content = false;
                dropped += 1;
                removed.push(String::new());
                continue;
            }
        } else if let Some(m) = inline_list(line) {
            // `Attendees: AB, CD, priya.n` — from the label to the end of
            // the line; what precedes it stays (and meets the detectors).
            dropped += 1;
            removed.push(line[m..].to_string());
            out.push_str(line[..m].trim_end_matches([' ', '\t']));
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
    }
    (out, dropped, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_with_an_inline_label_passes_the_cheap_test() {
        let mut labelled = 0;
        for text in crate::redact::detect::sample_texts(&[
            "Participants: a\nAttendees : b\nObservers** : c\nApologies: d\nNotes taken by: x\nNOTE-TAKERS **: y\n(cc\u{a0}: z)\n|People Involved*: w\nscribe:\n14:02 cc",
        ]) {
            for line in text.lines() {
                if inline_label().is_match(line) {
                    labelled += 1;
                    assert!(could_hold_inline_label(line), "{line}");
                }
            }
        }
        assert!(labelled >= 5, "only {labelled} labelled lines");
    }

    #[test]
    fn staff_sections_are_dropped_whole() {
        let doc = "# Outage\n\n## Summary\nIt broke.\n\n## Attendees\n\n- AB\n- CD (SRE)\n\n## Lessons Learned\nMonitor it.\n";
        let (out, n) = drop_staff_sections(doc);
        assert_eq!(n, 1);
        assert_eq!(
            out,
            "# Outage\n\n## Summary\nIt broke.\n\n## Lessons Learned\nMonitor it.\n"
        );
        let (out, n) = drop_staff_sections(
            "Fixed.\nParticipants: JS, MK, priya.n\nDone.\n**Owners**\n- Tomasz\n\nAfter.",
        );
        assert_eq!(n, 2);
        assert_eq!(out, "Fixed.\n\nDone.\n\nAfter.");
        let (out, _) = drop_staff_sections("Facilitator: Beatriz Santos   Observers: tn, rg\n- Owner: Tomasz (platform). Raise it.\n");
        assert_eq!(
            out,
            "Facilitator: Beatriz Santos\n- Owner: Tomasz (platform). Raise it.\n"
        );
        assert_eq!(
            staff_members("Attendees: A. Kowalczyk (IC), jdoe, H. Tanaka\n\n## Participants\n- SB\n- priya.n (SRE)\n"),
            ["A. Kowalczyk", "jdoe", "H. Tanaka", "SB", "priya.n"]
        );
    }
}
