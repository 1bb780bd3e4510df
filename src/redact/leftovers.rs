//! Leftover warnings: capitalised or code-like tokens that are neither
//! English words nor technologies (`PAYGW`, `Hermes2`, `Bluebird`) — likely
//! internal codenames the submitter forgot to declare. Shown with counts in
//! the preview and the review view, so they can be declared or redacted.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::datetimes::is_calendar_word;
use super::detect::regex;
use super::lists;
use crate::report::taxonomy::taxonomy;
use crate::report::ReportContent;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Leftover {
    pub term: String,
    pub count: usize,
}

/// Abbreviations every incident report uses; not codenames.
const COMMON_ABBREVIATIONS: &[&str] = &[
    "api",
    "apis",
    "mtls",
    "mfa",
    "oidc",
    "cpu",
    "cpus",
    "gpu",
    "ram",
    "ssd",
    "hdd",
    "io",
    "iops",
    "os",
    "vm",
    "vms",
    "http",
    "https",
    "tcp",
    "udp",
    "ip",
    "tls",
    "ssl",
    "dns",
    "cdn",
    "sql",
    "json",
    "yaml",
    "xml",
    "csv",
    "html",
    "css",
    "url",
    "urls",
    "uri",
    "id",
    "ids",
    "uuid",
    "utc",
    "gmt",
    "sla",
    "slo",
    "slos",
    "sli",
    "slis",
    "sre",
    "sres",
    "ops",
    "devops",
    "ci",
    "cd",
    "qa",
    "ui",
    "ux",
    "db",
    "dbs",
    "dba",
    "dbas",
    "k8s",
    "aws",
    "gcp",
    "az",
    "mb",
    "gb",
    "tb",
    "kb",
    "ms",
    "rps",
    "qps",
    "tps",
    "p50",
    "p90",
    "p95",
    "p99",
    "p999",
    "ttl",
    "rto",
    "rpo",
    "mttr",
    "mttd",
    "mtta",
    "oom",
    "oomkilled",
    "etc",
    "eg",
    "ie",
    "faq",
    "pr",
    "prs",
    "tl",
    "dr",
    "tldr",
    "eta",
    "ack",
    "acks",
    "nack",
    "rca",
    "sev",
    "sev1",
    "sev2",
    "sev3",
    "sev4",
    "p0",
    "p1",
    "p2",
    "p3",
    "p4",
    "ok",
    "vpn",
    "lb",
    "lbs",
    "alb",
    "nlb",
    "elb",
    "az",
    "azs",
    "vpc",
    "iam",
    "sdk",
    "cli",
    "gui",
    "jvm",
    "gc",
    "jwt",
    "oauth",
    "saml",
    "sso",
    "mfa",
    "2fa",
    "ntp",
    "bgp",
    "arp",
    "ospf",
    "mtu",
    "nat",
    "acl",
    "acls",
    "waf",
    "ddos",
    "cve",
    "cves",
    "rfc",
    "ietf",
    "iso",
    "crud",
    "orm",
    "rpc",
    "grpc",
    "rest",
    "ssh",
    "ftp",
    "smtp",
    "imap",
    "ldap",
    "kms",
    "hsm",
    "pki",
    "ca",
    "csr",
    "crl",
    "ocsp",
    "hsts",
    "cors",
    "csrf",
    "xss",
    "sqs",
    "sns",
    "ec2",
    "s3",
    "rds",
    "ebs",
    "efs",
    "eks",
    "gke",
    "aks",
    "cname",
    "mx",
    "txt",
    "soa",
    "ns",
    "ttls",
    "lru",
    "fifo",
    "nfs",
    "smb",
    "raid",
    "numa",
    "irq",
    "pid",
    "pids",
    "sigkill",
    "sigterm",
    "stdout",
    "stderr",
    "tty",
    "env",
    "dev",
    "prod",
    "staging",
    "uat",
    "eu",
    "us",
    "uk",
    "am",
    "pm",
    "md",
    "todo",
    "wip",
    "noc",
    "soc",
    "ic",
    "cto",
    "ceo",
    "vp",
    "hr",
    "pii",
    "gdpr",
    "hipaa",
    "pci",
];

/// Does a word right after `before` start a sentence, a line or an item?
fn sentence_start(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\t', '"', '\'', '(', '*', '_', '`']);
    trimmed.is_empty()
        || trimmed.ends_with(['.', '!', '?', ':', '\n', '#', '-', '|', '>', ';'])
        || trimmed.ends_with(|c: char| c.is_ascii_digit()) && before.ends_with(". ")
}

fn is_placeholder_word(w: &str) -> bool {
    matches!(
        w,
        "ORG"
            | "PRODUCT"
            | "PERSON"
            | "LOCATION"
            | "TERM"
            | "EMAIL"
            | "URL"
            | "IP"
            | "MAC"
            | "HOST"
            | "CHANNEL"
            | "HANDLE"
            | "ACCOUNT"
            | "ARN"
            | "RESOURCE"
            | "PROJECT"
            | "ID"
            | "SECRET"
            | "PHONE"
            | "CARD"
            | "IBAN"
    )
}

/// Is `w` a token worth warning about?
fn suspicious(w: &str) -> bool {
    let lower = w.to_lowercase();
    if w.chars().count() < 3
        || is_placeholder_word(w)
        || COMMON_ABBREVIATIONS.contains(&lower.as_str())
    {
        return false;
    }
    if lists::is_english(&lower) || lists::is_first_name(w) || taxonomy().technology(w).is_some() {
        return false;
    }
    // Plurals and verb forms of English words and technologies.
    for suffix in ["s", "es", "ed", "ing", "'s"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            if stem.len() > 2 && (lists::is_english(stem) || taxonomy().technology(stem).is_some())
            {
                return false;
            }
        }
    }
    let mut chars = w.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    let inner_upper = w.chars().skip(1).any(char::is_uppercase);
    let has_digit = w.chars().any(|c| c.is_ascii_digit());
    let has_letter = w.chars().any(char::is_alphabetic);
    // Version-like tokens (`v1`, `3xx`) and numbers with units are fine.
    if has_digit
        && (lower.starts_with('v') && lower[1..].chars().all(|c| c.is_ascii_digit() || c == '.'))
    {
        return false;
    }
    first_upper
        || inner_upper
        || (has_digit && has_letter && w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
}

/// Suspicious tokens in the de-identified report, most frequent first.
pub fn leftovers(content: &ReportContent) -> Vec<Leftover> {
    let mut c = content.clone();
    let mut counts: HashMap<String, usize> = HashMap::new();
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = regex(&RE, r"[\p{L}\p{N}][\p{L}\p{N}_-]*[\p{L}\p{N}]");
    let texts = c.texts_mut();
    // Words the report also writes in lowercase are ordinary words.
    let lowercase: HashSet<&str> = texts
        .iter()
        .flat_map(|(_, t)| re.find_iter(t).map(|m| m.as_str()))
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .collect();
    for (field, text) in texts.iter() {
        for m in re.find_iter(text) {
            let w = m.as_str();
            // Words inside a placeholder (`[PERSON-1]`) are ours.
            if text[..m.start()].ends_with('[') {
                continue;
            }
            // A capitalised English word in the middle of a sentence, never
            // written in lowercase, is a name (`the Bluebird service`).
            let mid_sentence_name = field != "title"
                && w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().skip(1).all(char::is_lowercase)
                && lists::is_english(&w.to_lowercase())
                && !lowercase.contains(w.to_lowercase().as_str())
                && !sentence_start(&text[..m.start()]);
            if mid_sentence_name && taxonomy().technology(w).is_none() && !is_calendar_word(w)
                || suspicious(w)
            {
                *counts.entry(w.to_string()).or_insert(0) += 1;
            }
        }
    }
    let mut out: Vec<Leftover> = counts
        .into_iter()
        .map(|(term, count)| Leftover { term, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.term.cmp(&b.term)));
    out.truncate(50);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codenames_are_flagged_technologies_and_words_are_not() {
        let content = ReportContent {
            title: "PAYGW outage".into(),
            summary: "Hermes2 and Bluebird failed; Redis Sentinel, Jenkins and Cassandra were fine. [PERSON-1] said so.".into(),
            narrative: "The PAYGW cluster on Kubernetes returned HTTP 503 at p99; the API was down. v1.27.3".into(),
            ..Default::default()
        };
        let terms: Vec<(String, usize)> = leftovers(&content)
            .into_iter()
            .map(|l| (l.term, l.count))
            .collect();
        assert_eq!(
            terms,
            [
                ("PAYGW".into(), 2),
                ("Bluebird".into(), 1),
                ("Hermes2".into(), 1)
            ]
        );
    }
}
