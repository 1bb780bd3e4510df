//! Cloud identity: AWS account ids and ARNs, resource ids (instances,
//! volumes, VPCs, …), GCP project ids, Azure subscriptions and other GUIDs.

use std::sync::OnceLock;

use regex::Regex;

use super::{regex, Span};
use crate::redact::FindingKind;

pub fn cloud(text: &str, out: &mut Vec<Span>) {
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
    for c in regex(
        &ACCOUNT,
        r"(?:^|[^0-9A-Za-z_.:-])([0-9]{12})(?:$|[^0-9A-Za-z_-])",
    )
    .captures_iter(text)
    {
        let m = c.get(1).expect("group 1");
        // Inside an ARN the ARN detector has it.
        if text[..m.start()].ends_with(':') {
            continue;
        }
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Account,
            m.as_str().to_string(),
        ));
    }
    for m in regex(&DASHED, r"(?-u:\b)[0-9]{4}-[0-9]{4}-[0-9]{4}(?-u:\b)").find_iter(text) {
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Account,
            m.as_str().replace('-', ""),
        ));
    }
    for m in regex(
        &RESOURCE,
        r"(?-u:\b)(?:i|vol|vpc|subnet|sg|eni|ami|snap|igw|nat|rtb|acl|eipalloc|lt|tgw|vpce|pcx|cgw|vgw|dopt|elb|fs|db)-(?:[0-9a-f]{17}|[0-9a-f]{8})(?-u:\b)",
    )
    .find_iter(text)
    {
        out.push(Span::new(m.start(), m.end(), FindingKind::Resource, m.as_str().to_string()));
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
    for m in regex(
        &SHAPED,
        r"(?-u:\b)[a-z][a-z0-9]{1,15}(?:-[a-z][a-z0-9]{1,20}){1,4}-[0-9]{3,6}(?-u:\b)",
    )
    .find_iter(text)
    {
        let id = m.as_str();
        if ["cve-", "rfc-", "iso-", "sha-", "utf-", "ghsa-", "ecma-"]
            .iter()
            .any(|p| id.starts_with(p))
        {
            continue;
        }
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Project,
            id.to_string(),
        ));
    }
    // Azure subscriptions, tenants and every other GUID: request ids and
    // object ids lead back to a company's own logs.
    for m in regex(
        &GUID,
        r"(?i)(?-u:\b)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?-u:\b)",
    )
    .find_iter(text)
    {
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Guid,
            m.as_str().to_lowercase(),
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
        cloud(text, &mut out);
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
