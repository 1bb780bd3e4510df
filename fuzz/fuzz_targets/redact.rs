//! The redactor on arbitrary text, with declared terms taken from the input
//! itself: no panic, and no declared term of six letters or more survives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nearmiss::redact::normalise::skeleton_of;
use nearmiss::redact::Redactor;
use nearmiss::report::submission::DeclaredTerms;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line names the terms, the rest is the report.
    let (head, body) = text.split_once('\n').unwrap_or(("", text));
    let terms = DeclaredTerms {
        organization: head.split(',').map(str::to_string).filter(|t| !t.trim().is_empty()).take(8).collect(),
        ..Default::default()
    };
    let mut r = Redactor::new(&terms).with_reference(Some("2024-03-14T02:00:00+00:00"));
    r.learn(&[body]);
    let out = r.redact("narrative", body);
    // A one-word declared term is caught whole, in any case and behind
    // look-alike or invisible characters (the skeleton folds those); a
    // separator put inside the word (`Quill-feather`, or a line break)
    // makes other words, which the redactor does not claim to catch.
    let squash = |s: &str| -> String { skeleton_of(s) };
    let haystack = squash(&out);
    for t in &terms.organization {
        let needle = squash(t);
        if needle.chars().count() >= 6 && needle.chars().all(|c| c.is_ascii_alphabetic()) && t.trim().chars().all(|c| c.is_ascii_alphabetic()) {
            assert!(!haystack.contains(&needle), "{t:?} survived");
        }
    }
});
