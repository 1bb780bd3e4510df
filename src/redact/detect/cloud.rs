//! Cloud identity: AWS account ids and ARNs, resource ids (instances,
//! volumes, VPCs, …), GCP project ids, Azure subscriptions and other GUIDs.

use std::sync::OnceLock;

use regex::Regex;

use super::stretches::{Stretches, DASH, DIGIT, LOWER};
use super::{regex, Span};
use crate::redact::FindingKind;

pub fn cloud(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static ARN: OnceLock<Regex> = OnceLock::new();
    static ACCOUNT: OnceLock<Regex> = OnceLock::new();
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
    let twelve = regex(&ACCOUNT, r"[0-9]{12}");
    for (start, end) in stretches.find_iter(text, twelve, |s| s.byte_len() >= 12 && s.has(DIGIT)) {
        // Not part of a longer number, a version, a word or an ARN (which
        // the ARN detector has).
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
            || after.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        {
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
    for (start, end) in stretches.find_iter(text, resource, |s| {
        s.byte_len() >= 10 && s.has(DASH | LOWER)
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
    for c in regex(
        &PROJECT,
        r"(?i)(?:--project[= ]|projects/|project[_ -]?id[\s:=]+|gcp project\s+|project=)([a-z][a-z0-9-]{4,28}[a-z0-9])(?-u:\b)",
    )
    .captures_iter(text)
    {
        let m = c.get(1).expect("group 1");
        out.push(Span::new(m.start(), m.end(), FindingKind::Project, m.as_str().to_lowercase()));
    }
    // Project-style ids by shape: `mf-prod-analytics-2291` (words joined by
    // hyphens, ending in a serial number), wherever they stand.
    static SHAPED: OnceLock<Regex> = OnceLock::new();
    let shaped = regex(
        &SHAPED,
        r"(?-u:\b)[a-z][a-z0-9]{1,15}(?:-[a-z][a-z0-9]{1,20}){1,4}-[0-9]{3,6}(?-u:\b)",
    );
    for (start, end) in stretches.find_iter(text, shaped, |s| {
        s.byte_len() >= 9 && s.has(DASH | DIGIT | LOWER)
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
