//! Cloud identity: AWS account ids and ARNs, resource ids (instances,
//! volumes, VPCs, …), GCP project ids, Azure subscriptions and other GUIDs.

use std::sync::OnceLock;

use regex::Regex;

use super::stretches::{Stretch, Stretches, DASH, DIGIT, LOWER};
use super::{captures_found, regex, Span};
use crate::redact::FindingKind;

/// A dash in stretch `s` followed by `n` bytes that are all `more`. Kept
/// out of line: the gates that call it are asked of every stretch, and
/// stay cheap only while they are small enough to inline.
#[inline(never)]
fn dash_then(bytes: &[u8], s: &Stretch, n: usize, more: fn(&u8) -> bool) -> bool {
    let b = &bytes[s.start as usize..s.end as usize];
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'-' && b.get(i + 1..=i + n).is_some_and(|w| w.iter().all(more)))
}

/// Not part of a longer number, a version, a word or an ARN (which the ARN
/// detector has).
fn standalone_account(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    !(before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
        || after.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
}

/// Runs of exactly twelve digits. (`[0-9]{12}` also cuts longer runs into
/// twelves, but each of those has a digit beside it: never standalone.)
fn twelve_digit_runs<'a>(
    bytes: &'a [u8],
    stretches: &'a Stretches,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let could_hold = |s: &Stretch| s.byte_len() >= 12 && s.has(DIGIT);
    stretches.byte_runs(bytes, could_hold, |b| b.is_ascii_digit(), |n| n == 12)
}

pub fn cloud(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static ARN: OnceLock<Regex> = OnceLock::new();
    static DASHED: OnceLock<Regex> = OnceLock::new();
    static RESOURCE: OnceLock<Regex> = OnceLock::new();
    static PROJECT: OnceLock<Regex> = OnceLock::new();
    static GUID: OnceLock<Regex> = OnceLock::new();
    for m in regex(
        &ARN,
        r#"(?-u:\b)arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:[0-9]{0,12}:[^\s"'<>`),\]]+"#,
    )
    .find_iter(text)
    {
        let arn = m.as_str().trim_end_matches(['.', ';', ':']);
        out.push(Span::new(
            m.start(),
            m.start() + arn.len(),
            FindingKind::Arn,
            arn.to_string(),
        ));
    }
    // A standalone 12-digit number is an AWS account id far more often than
    // anything else in a postmortem; the console writes it dashed too.
    let bytes = text.as_bytes();
    for (start, end) in twelve_digit_runs(bytes, stretches) {
        if !standalone_account(bytes, start, end) {
            continue;
        }
        out.push(Span::new(
            start,
            end,
            FindingKind::Account,
            text[start..end].to_string(),
        ));
    }
    let dashed = regex(&DASHED, r"(?-u:\b)[0-9]{4}-[0-9]{4}-[0-9]{4}(?-u:\b)");
    for (start, end) in
        stretches.find_iter(text, dashed, |s| s.byte_len() >= 14 && s.has(DIGIT | DASH))
    {
        out.push(Span::new(
            start,
            end,
            FindingKind::Account,
            text[start..end].replace('-', ""),
        ));
    }
    let resource = regex(
        &RESOURCE,
        r"(?-u:\b)(?:i|vol|vpc|subnet|sg|eni|ami|snap|igw|nat|rtb|acl|eipalloc|lt|tgw|vpce|pcx|cgw|vgw|dopt|elb|fs|db)-(?:[0-9a-f]{17}|[0-9a-f]{8})(?-u:\b)",
    );
    // A dash and eight hex digits after it, in one stretch.
    let hex = |c: &u8| matches!(c, b'0'..=b'9' | b'a'..=b'f');
    for (start, end) in stretches.find_iter(text, resource, |s| {
        s.byte_len() >= 10 && s.has(DASH | LOWER) && dash_then(bytes, s, 8, hex)
    }) {
        out.push(Span::new(
            start,
            end,
            FindingKind::Resource,
            text[start..end].to_string(),
        ));
    }
    // GCP project ids are ordinary-looking words: only where a command or a
    // resource path names them as projects.
    for c in captures_found(
        regex(
            &PROJECT,
            r"(?i)(?:--project[= ]|projects/|project[_ -]?id[\s:=]+|gcp project\s+|project=)([a-z][a-z0-9-]{4,28}[a-z0-9])(?-u:\b)",
        ),
        text,
    ) {
        let m = c.get(1).expect("group 1");
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Project,
            m.as_str().to_lowercase(),
        ));
    }
    // Project-style ids by shape: `mf-prod-analytics-2291` (words joined by
    // hyphens, ending in a serial number), wherever they stand.
    static SHAPED: OnceLock<Regex> = OnceLock::new();
    let shaped = regex(
        &SHAPED,
        r"(?-u:\b)[a-z][a-z0-9]{1,15}(?:-[a-z][a-z0-9]{1,20}){1,4}-[0-9]{3,6}(?-u:\b)",
    );
    // A dash and three digits after it, in one stretch.
    for (start, end) in stretches.find_iter(text, shaped, |s| {
        s.byte_len() >= 9
            && s.has(DASH | DIGIT | LOWER)
            && dash_then(bytes, s, 3, u8::is_ascii_digit)
    }) {
        let id = &text[start..end];
        if ["cve-", "rfc-", "iso-", "sha-", "utf-", "ghsa-", "ecma-"]
            .iter()
            .any(|p| id.starts_with(p))
        {
            continue;
        }
        out.push(Span::new(start, end, FindingKind::Project, id.to_string()));
    }
    // Azure subscriptions, tenants and every other GUID: request ids and
    // object ids lead back to a company's own logs.
    let guid = regex(
        &GUID,
        r"(?i)(?-u:\b)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?-u:\b)",
    );
    for (start, end) in stretches.find_iter(text, guid, |s| s.byte_len() >= 36 && s.has(DASH)) {
        out.push(Span::new(
            start,
            end,
            FindingKind::Guid,
            text[start..end].to_lowercase(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_digit_runs_are_the_standalone_matches_of_twelve_digits() {
        let twelve = Regex::new(r"[0-9]{12}").unwrap();
        let mut seen = 0;
        for text in crate::redact::detect::sample_texts(&[
            "123456789012 1234567890123 123456789012345678901234 x123456789012 123456789012_a",
            "(123456789012), 123456789012. v1.123456789012 :123456789012 -123456789012- é123456789012",
        ]) {
            let b = text.as_bytes();
            let whole: Vec<(usize, usize)> = twelve
                .find_iter(&text)
                .map(|m| (m.start(), m.end()))
                .filter(|&(s, e)| standalone_account(b, s, e))
                .collect();
            let ours: Vec<(usize, usize)> = twelve_digit_runs(b, &Stretches::new(&text))
                .filter(|&(s, e)| standalone_account(b, s, e))
                .collect();
            assert_eq!(ours, whole, "{text}");
            seen += ours.len();
        }
        assert!(seen >= 10, "only {seen} account ids");
    }

    #[test]
    fn finds_cloud_identity() {
        let text = "arn:aws:iam::123456789012:role/deploy in account 210987654321 (1234-5678-9012) on i-0abc12345def67890 vol-1a2b3c4d, gcloud --project qf-prod-payments-4821, subscriptions/3f2b8c1e-5a4d-4e2f-9b1a-7c6d5e4f3a2b; project ops-prod-network-0042; CVE-2024-3094";
        let mut out = Vec::new();
        cloud(text, &Stretches::new(text), &mut out);
        out.sort_by_key(|s| s.start);
        out.dedup_by_key(|s| s.start);
        let found: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            found,
            [
                "arn:aws:iam::123456789012:role/deploy",
                "210987654321",
                "1234-5678-9012",
                "i-0abc12345def67890",
                "vol-1a2b3c4d",
                "qf-prod-payments-4821",
                "3f2b8c1e-5a4d-4e2f-9b1a-7c6d5e4f3a2b",
                "ops-prod-network-0042"
            ]
        );
    }
}
