//! Staff lists: an "Attendees" / "Participants" / "Owners" section lists the
//! people (and their initials and user names) of one company, and is dropped
//! whole — heading, list and all — as is a one-line `Attendees: AB, CD`.

use std::sync::OnceLock;

use regex::Regex;

use super::detect::regex;

/// A heading (or label) that introduces a list of staff.
pub fn is_staff_heading(heading: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let h = heading.trim().trim_matches(|c: char| c == '#' || c == '*' || c == '_' || c == ':' || c.is_whitespace());
    regex(
        &RE,
        r"(?i)^(?:attendees?|participants?|owners?|people(?: involved)?|responders?|incident (?:commanders?|team|leads?)|team members?|contributors?|reviewers?|authors?|present|on[- ]call (?:team|engineers?)|who was involved|staff|roles?)$",
    )
    .is_match(h)
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
    t.strip_suffix(':').filter(|s| !s.contains(' ') || s.split(' ').count() <= 3)
}

/// The text without staff sections, and how many were dropped.
pub fn drop_staff_sections(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut dropped = 0;
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
                continue;
            }
            dropping = None;
        }
        if let Some(l) = level {
            if is_staff_heading(&line.trim_start()[l..]) {
                dropping = Some(l);
                seen_content = false;
                dropped += 1;
                continue;
            }
        } else if let Some(lbl) = label(line) {
            if is_staff_heading(lbl) {
                dropping = Some(0);
                seen_content = false;
                dropped += 1;
                continue;
            }
        } else if let Some((head, _)) = line.split_once(':') {
            // `Attendees: AB, CD, priya.n` on one line.
            if head.len() <= 40 && is_staff_heading(head.trim_start_matches(['-', '*', ' '])) {
                dropped += 1;
                if line.ends_with('\n') {
                    out.push('\n');
                }
                continue;
            }
        }
        out.push_str(line);
    }
    (out, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_sections_are_dropped_whole() {
        let doc = "# Outage\n\n## Summary\nIt broke.\n\n## Attendees\n\n- AB\n- CD (SRE)\n\n## Lessons Learned\nMonitor it.\n";
        let (out, n) = drop_staff_sections(doc);
        assert_eq!(n, 1);
        assert_eq!(out, "# Outage\n\n## Summary\nIt broke.\n\n## Lessons Learned\nMonitor it.\n");
        let (out, n) = drop_staff_sections("Fixed.\nParticipants: JS, MK, priya.n\nDone.\n**Owners**\n- Tomasz\n\nAfter.");
        assert_eq!(n, 2);
        assert_eq!(out, "Fixed.\n\nDone.\n\nAfter.");
    }
}
