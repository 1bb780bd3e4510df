//! Detectors: each finds spans of identifying text of one kind. They only
//! find; choosing among overlapping spans and replacing them is `redactor`'s.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use regex::Regex;

use super::FindingKind;

/// A stretch of text to replace, and the key that makes its placeholder
/// consistent (the same key gets the same placeholder everywhere).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: FindingKind,
    pub key: String,
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("detector pattern compiles"))
}

/// Placeholders already in the text (from a dry run pasted back, or a
/// reviewer's second pass) are left alone: they are spans of kind `Kept`.
pub fn placeholders(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    for m in regex(&RE, r"\[[A-Z]+(?:-[0-9]+)?\]").find_iter(text) {
        out.push(Span {
            start: m.start(),
            end: m.end(),
            kind: FindingKind::Kept,
            key: String::new(),
        });
    }
}

pub fn emails(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"(?i)[a-z0-9](?:[a-z0-9._%+-]{0,63})@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+",
    );
    for m in re.find_iter(text) {
        out.push(Span {
            start: m.start(),
            end: m.end(),
            kind: FindingKind::Email,
            key: m.as_str().to_lowercase(),
        });
    }
}

pub fn urls(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(&RE, r#"(?i)\b(?:https?|ftp|wss?|ssh|git)://[^\s<>"'`]+"#);
    for m in re.find_iter(text) {
        // Sentence punctuation and a closing bracket are not part of a URL
        // written in prose (`(see https://x/y).`).
        let trimmed = m
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '*', '_']);
        if trimmed.is_empty() {
            continue;
        }
        out.push(Span {
            start: m.start(),
            end: m.start() + trimmed.len(),
            kind: FindingKind::Url,
            key: trimmed.to_lowercase(),
        });
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// IPv4 addresses, with an optional CIDR suffix.
pub fn ipv4(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(&RE, r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?\b");
    let bytes = text.as_bytes();
    for m in re.find_iter(text) {
        // `1.2.3.4.5` is a version or an OID, not an address.
        if m.start() > 0 && bytes[m.start() - 1] == b'.'
            || bytes.get(m.end()) == Some(&b'.')
                && bytes.get(m.end() + 1).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        let addr = m.as_str().split('/').next().unwrap_or("");
        if let Ok(ip) = addr.parse::<Ipv4Addr>() {
            out.push(Span {
                start: m.start(),
                end: m.end(),
                kind: FindingKind::Ip,
                key: ip.to_string(),
            });
        }
    }
}

/// IPv6 addresses: candidates by shape, confirmed by the standard parser.
pub fn ipv6(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:/[0-9]{1,3})?",
    );
    let bytes = text.as_bytes();
    for m in re.find_iter(text) {
        if m.start() > 0 && is_word_byte(bytes[m.start() - 1])
            || bytes.get(m.end()).is_some_and(|b| is_word_byte(*b))
        {
            continue;
        }
        let (addr, suffix) = match m.as_str().split_once('/') {
            Some((a, s)) => (a, s.len() + 1),
            None => (m.as_str(), 0),
        };
        // Prose around an address: `at fe80::1.` or `(::1:)`.
        let trimmed = addr.trim_end_matches(['.', ':']);
        let trimmed = if trimmed.ends_with(':') || addr.ends_with("::") {
            addr
        } else {
            trimmed
        };
        if let Ok(ip) = trimmed.parse::<Ipv6Addr>() {
            let end = if suffix > 0 && trimmed.len() == addr.len() {
                m.end()
            } else {
                m.start() + trimmed.len()
            };
            out.push(Span {
                start: m.start(),
                end,
                kind: FindingKind::Ip,
                key: ip.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(f: fn(&str, &mut Vec<Span>), text: &str) -> Vec<String> {
        let mut out = Vec::new();
        f(text, &mut out);
        out.iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn finds_network_identity() {
        assert_eq!(
            found(emails, "mail Jo.Doe+x@corp.acme.io now"),
            ["Jo.Doe+x@corp.acme.io"]
        );
        assert_eq!(
            found(urls, "see (https://grafana.acme.io/d/abc?x=1)."),
            ["https://grafana.acme.io/d/abc?x=1"]
        );
        assert_eq!(
            found(ipv4, "from 10.0.12.7, and 192.168.0.0/16"),
            ["10.0.12.7", "192.168.0.0/16"]
        );
        assert!(found(ipv4, "version 1.2.3.4.5 and 999.1.1.1").is_empty());
        assert_eq!(
            found(ipv6, "hosts 2001:db8::8a2e:370:7334 and fe80::1. and ::1"),
            ["2001:db8::8a2e:370:7334", "fe80::1", "::1"]
        );
        assert!(found(ipv6, "at 12:30:45 the a::b::c").is_empty());
    }
}
