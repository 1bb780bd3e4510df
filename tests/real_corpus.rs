//! Real public postmortems (`../shared/corpus/full-texts.jsonl`: DFDS and
//! the UK Ministry of Justice, MIT-licensed, read in place and never copied
//! into the project) through the Markdown path, with the company declared:
//! no company name, no attendee initials or user names, and no Slack link
//! may remain anywhere in the de-identified report.

use std::collections::HashSet;

use nearmiss::redact::deidentify;
use nearmiss::redact::lists::is_english;
use nearmiss::report::markdown::ingest;
use nearmiss::report::validate;
use serde::Deserialize;

#[derive(Deserialize)]
struct Entry {
    id: String,
    company: String,
    text: String,
}

fn entries() -> Vec<Entry> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/full-texts.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("the shared corpus sits beside the repository");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("corpus line"))
        .collect()
}

/// Initials and user names listed under an Attendees heading.
fn attendees(markdown: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut inside = false;
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            inside = t
                .trim_start_matches('#')
                .trim()
                .to_lowercase()
                .starts_with("attendee");
            continue;
        }
        if !inside {
            continue;
        }
        for token in
            t.split(|c: char| c == ',' || c == ';' || c.is_whitespace() || c == '(' || c == ')')
        {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric());
            if token.chars().count() >= 2
                && !is_english(&token.to_lowercase())
                && token
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
            {
                out.insert(token.to_string());
            }
        }
    }
    out
}

fn whole_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn real_postmortems_keep_no_company_attendee_or_slack_link() {
    let entries = entries();
    assert!(
        entries.len() >= 70,
        "expected the whole corpus, found {}",
        entries.len()
    );
    let mut listed = 0;
    for e in &entries {
        let mut s = ingest(&e.text);
        s.declared_terms.organization = vec![e.company.clone()];
        if e.company == "Ministry of Justice" {
            s.declared_terms.organization.push("MoJ".into());
        }
        let valid = validate(s).unwrap_or_else(|errors| panic!("{}: {errors:?}", e.id));
        let d = deidentify(valid);
        let out = serde_json::to_string(&d.content).unwrap();
        let lower = out.to_lowercase();
        assert!(
            !lower.contains(&e.company.to_lowercase()),
            "{}: company name remains",
            e.id
        );
        assert!(
            !lower.contains("slack.com"),
            "{}: a Slack link remains",
            e.id
        );
        assert!(
            !lower.contains("attendees"),
            "{}: an attendee list remains",
            e.id
        );
        let names = attendees(&e.text);
        listed += names.len();
        for name in &names {
            assert!(
                !whole_word(&out, name),
                "{}: attendee {name:?} remains",
                e.id
            );
        }
    }
    assert!(
        listed >= 40,
        "the attendee check looked at only {listed} names"
    );
    println!(
        "{} postmortems, {listed} attendee names checked",
        entries.len()
    );
}
