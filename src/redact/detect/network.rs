//! Network identity: e-mail addresses, URLs (public documentation kept),
//! IPv4 / IPv6 addresses and CIDR ranges, MAC addresses, host names and
//! FQDNs (internal suffixes included), chat channels and @handles.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use regex::Regex;

use rustc_hash::FxHashSet;

use super::stretches::{Stretch, Stretches, COLON, DASH, DIGIT, DOT};
use super::{is_word_byte, regex, Span};
use crate::redact::lists;
use crate::redact::FindingKind;

/// E-mail addresses, found from each `@`: a local part of letters, digits
/// and `._%+-` that starts with a letter or digit (at most 64 characters),
/// then at least two dot-separated labels of letters, digits and inner
/// hyphens.
///
/// Letters and digits are any script's: a name with an accent makes an
/// address such as `tomasz.fernández@hollowbrook.example`, and an
/// ASCII-only pattern found only its `ndez@…` tail, which lost to the
/// learned name before it. As a regex with Unicode classes (`\p{L}`), the
/// detector made the whole redaction five times slower: every text was run
/// through a far larger automaton, where this looks only around an `@`.
pub fn emails(text: &str, out: &mut Vec<Span>) {
    let mut done = 0;
    for at in memchr::memchr_iter(b'@', text.as_bytes()) {
        if at < done {
            continue;
        }
        let Some(start) = local_part_start(&text[done..at]).map(|s| done + s) else {
            continue;
        };
        let Some(end) = domain_end(&text[at + 1..]).map(|e| at + 1 + e) else {
            continue;
        };
        out.push(Span::new(
            start,
            end,
            FindingKind::Email,
            text[start..end].to_lowercase(),
        ));
        done = end;
    }
}

/// Where the local part ending `before` (the text up to an `@`) starts.
fn local_part_start(before: &str) -> Option<usize> {
    let mut start = None;
    for (taken, (i, c)) in before.char_indices().rev().enumerate() {
        if taken == 64 || !(c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')) {
            break;
        }
        // The earliest letter or digit: the part may not start with `._%+-`.
        if c.is_alphanumeric() {
            start = Some(i);
        }
    }
    start
}

/// Where the domain at the start of `after` (the text after an `@`) ends:
/// `None` unless it holds two labels at least.
fn domain_end(after: &str) -> Option<usize> {
    let mut end = 0;
    let mut labels = 0;
    let mut rest = after;
    loop {
        // A label: letters, digits and hyphens, starting and ending with a
        // letter or digit.
        if !rest.chars().next().is_some_and(char::is_alphanumeric) {
            break;
        }
        let mut label_end = rest.len();
        let mut last_alnum = 0;
        for (i, c) in rest.char_indices() {
            if c.is_alphanumeric() {
                last_alnum = i + c.len_utf8();
            } else if c != '-' {
                label_end = i;
                break;
            }
        }
        labels += 1;
        end = after.len() - rest.len() + last_alnum;
        // Another label follows only after a dot, right at the label's end.
        if last_alnum != label_end || !rest[label_end..].starts_with('.') {
            break;
        }
        rest = &rest[label_end + 1..];
    }
    (labels >= 2).then_some(end)
}

/// The host of a URL, lowercase, without user info or port.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.split(':').next().unwrap_or(host)
}

/// A URL that identifies nobody: public documentation, a vendor's status
/// page, or the public issue tracker of an open-source project.
fn is_public_url(url: &str) -> bool {
    let host = url_host(url).to_ascii_lowercase();
    if url.contains('@')
        && url
            .split_once("://")
            .is_some_and(|(_, r)| r.split('/').next().is_some_and(|a| a.contains('@')))
    {
        return false; // credentials in the URL
    }
    if lists::is_public_host(&host) {
        return true;
    }
    if matches!(
        host.as_str(),
        "github.com" | "gitlab.com" | "www.github.com"
    ) {
        let path = url.split_once("://").map_or(url, |(_, r)| r);
        let owner = path.split('/').nth(1).unwrap_or("").to_ascii_lowercase();
        return lists::is_public_repo_owner(&owner);
    }
    false
}

pub fn urls(text: &str, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r#"(?i)(?-u:\b)(?:https?|ftp|wss?|ssh|git|s3|gs|[a-z][a-z0-9+.-]{1,20})://[^\s<>"'`]+"#,
    );
    for m in re.find_iter(text) {
        // Sentence punctuation and a closing bracket are not part of a URL
        // written in prose (`(see https://x/y).`).
        let trimmed = m
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '*', '_', '|']);
        // `http://render_pool` (an nginx upstream) and `http://localhost`
        // name no host anyone else can reach.
        let host = url_host(trimmed);
        if trimmed.len() < 8
            || is_public_url(trimmed)
            || host.contains('_')
            || matches!(host, "localhost" | "127.0.0.1" | "[::1]")
        {
            continue;
        }
        out.push(Span::new(
            m.start(),
            m.start() + trimmed.len(),
            FindingKind::Url,
            trimmed.to_lowercase(),
        ));
    }
}

/// IPv4 addresses, with an optional CIDR suffix.
pub fn ipv4(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"(?-u:\b)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?(?-u:\b)",
    );
    let bytes = text.as_bytes();
    for (start, end) in stretches.find_iter(text, re, |s| s.byte_len() >= 7 && s.has(DIGIT | DOT)) {
        let found = &text[start..end];
        // `1.2.3.4.5` is a version or an OID, not an address.
        if start > 0 && bytes[start - 1] == b'.'
            || bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        let addr = found.split('/').next().unwrap_or("");
        if let Ok(ip) = addr.parse::<Ipv4Addr>() {
            if is_well_known_v4(ip) && !found.contains('/') {
                continue;
            }
            out.push(Span::new(start, end, FindingKind::Ip, ip.to_string()));
        }
    }
}

/// Addresses that identify no one: loopback, unspecified, broadcast, the
/// cloud metadata endpoint and the big public resolvers.
fn is_well_known_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || matches!(
            ip.octets(),
            [169, 254, 169, 254]
                | [8, 8, 8, 8]
                | [8, 8, 4, 4]
                | [1, 1, 1, 1]
                | [1, 0, 0, 1]
                | [9, 9, 9, 9]
        )
}

/// IPv6 addresses: candidates by shape, confirmed by the standard parser.
pub fn ipv6(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:/[0-9]{1,3})?",
    );
    let bytes = text.as_bytes();
    // Every match holds two colons.
    let could_match = |s: &Stretch| {
        s.has(COLON)
            && bytes[s.start as usize..s.end as usize]
                .iter()
                .filter(|&&b| b == b':')
                .count()
                >= 2
    };
    for (start, end) in stretches.find_iter(text, re, could_match) {
        let found = &text[start..end];
        if start > 0 && is_word_byte(bytes[start - 1])
            || bytes.get(end).is_some_and(|b| is_word_byte(*b))
        {
            continue;
        }
        let (addr, has_prefix) = match found.split_once('/') {
            Some((a, _)) => (a, true),
            None => (found, false),
        };
        // Prose around an address: `at fe80::1.` or `(::1:)`.
        let mut candidate = addr.trim_end_matches('.');
        if candidate.ends_with(':') && !candidate.ends_with("::") {
            candidate = candidate.trim_end_matches(':');
        }
        if let Ok(ip) = candidate.parse::<Ipv6Addr>() {
            if ip.is_loopback() || ip.is_unspecified() {
                continue;
            }
            let end = if has_prefix && candidate.len() == addr.len() {
                end
            } else {
                start + candidate.len()
            };
            out.push(Span::new(start, end, FindingKind::Ip, ip.to_string()));
        }
    }
}

pub fn mac(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"(?-u:\b)[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:[:-][0-9A-Fa-f]{2}){4}(?-u:\b)|(?-u:\b)[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?-u:\b)",
    );
    // Fourteen bytes at least, with separators.
    let could_match = |s: &Stretch| s.byte_len() >= 14 && s.has_any(COLON | DASH | DOT);
    for (start, end) in stretches.find_iter(text, re, could_match) {
        out.push(Span::new(
            start,
            end,
            FindingKind::Mac,
            text[start..end].to_lowercase(),
        ));
    }
}

/// Top-level domains that name a host in an incident report, and suffixes
/// of private networks. File extensions that are also country codes (`.md`,
/// `.rs`, `.sh`, `.py`, `.pl`, `.so`, `.ps`) are left out on purpose.
const HOST_SUFFIXES: &[&str] = &[
    "com",
    "net",
    "org",
    "io",
    "co",
    "dev",
    "app",
    "cloud",
    "ai",
    "tech",
    "info",
    "biz",
    "me",
    "us",
    "uk",
    "de",
    "fr",
    "nl",
    "eu",
    "es",
    "it",
    "se",
    "no",
    "dk",
    "fi",
    "ch",
    "at",
    "be",
    "ie",
    "pt",
    "br",
    "ca",
    "au",
    "nz",
    "jp",
    "in",
    "sg",
    "hk",
    "kr",
    "za",
    "mx",
    "ar",
    "cl",
    "pl",
    "cz",
    "ro",
    "gr",
    "tr",
    "il",
    "ae",
    "ru",
    "cn",
    "tw",
    "gov",
    "edu",
    "mil",
    "int",
    "example",
    "test",
    "invalid",
    "internal",
    "local",
    "localdomain",
    "corp",
    "lan",
    "intra",
    "intranet",
    "private",
    "home",
    "priv",
    "svc",
    "cluster",
    "consul",
    "onion",
];

fn is_host_suffix(label_lowercase: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| HOST_SUFFIXES.iter().copied().collect())
        .contains(label_lowercase)
}

/// Some dot in `stretch` is followed by a host suffix that could end a
/// host name there: the label after the dot, or a part of it that stops
/// before a `-` (where `\b` holds).
///
/// Kept out of line: the gate that calls it is asked of every stretch,
/// and stays cheap only while it is small enough to inline.
#[inline(never)]
fn names_a_suffix(stretch: &[u8]) -> bool {
    const LONGEST: usize = 16;
    let label_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    // Stretches are short: a plain scan, not a vectorised search.
    let dots = stretch.iter().enumerate().filter(|(_, &b)| b == b'.');
    dots.map(|(dot, _)| dot).any(|dot| {
        let after = &stretch[dot + 1..];
        let run = after.iter().take_while(|b| label_byte(b)).count();
        let mut lower = [0u8; LONGEST];
        let n = run.min(LONGEST);
        lower[..n].copy_from_slice(&after[..n]);
        lower[..n].make_ascii_lowercase();
        (1..=n)
            .filter(|&end| end == run || after[end] == b'-')
            .any(|end| std::str::from_utf8(&lower[..end]).is_ok_and(is_host_suffix))
    })
}

pub fn hosts(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"(?i)(?-u:\b)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+(?-u:\b)",
    );
    let bytes = text.as_bytes();
    // A dot with a known suffix after it: every host kept ends so.
    let could_match = |s: &Stretch| {
        s.byte_len() >= 3 && s.has(DOT) && names_a_suffix(&bytes[s.start as usize..s.end as usize])
    };
    for (start, end) in stretches.find_iter(text, re, could_match) {
        let host = &text[start..end];
        // Part of a path, an e-mail or a longer dotted token.
        if start > 0 && matches!(bytes[start - 1], b'@' | b'/' | b'.' | b'-' | b'_') {
            continue;
        }
        let lower = host.to_ascii_lowercase();
        let last = lower.rsplit('.').next().unwrap_or("");
        if !is_host_suffix(last)
            || lower
                .split('.')
                .all(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        // `example.com`-style bare registrable names of public services
        // (github.com, amazonaws.com) identify no one; documentation hosts
        // are allowed. A two-label name in a private suffix is a host.
        if lists::is_public_host(&lower) {
            continue;
        }
        out.push(Span::new(start, end, FindingKind::Host, lower));
    }
}

/// `#inc-2291-payments` channels and `@priya.n` handles.
pub fn channels_and_handles(text: &str, out: &mut Vec<Span>) {
    static CHANNEL: OnceLock<Regex> = OnceLock::new();
    static HANDLE: OnceLock<Regex> = OnceLock::new();
    let bytes = text.as_bytes();
    for m in regex(&CHANNEL, r"#[A-Za-z][A-Za-z0-9_-]{2,79}").find_iter(text) {
        if m.start() > 0 && (is_word_byte(bytes[m.start() - 1]) || bytes[m.start() - 1] == b'&') {
            continue;
        }
        let name = &m.as_str()[1..];
        // Colours (`#fff`, `#a1b2c3`) and Markdown headings are not channels.
        if name.len() <= 8 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        out.push(Span::new(
            m.start(),
            m.end(),
            FindingKind::Channel,
            name.to_lowercase(),
        ));
    }
    for m in regex(&HANDLE, r"@[A-Za-z0-9][A-Za-z0-9._-]{1,38}").find_iter(text) {
        if m.start() > 0
            && (is_word_byte(bytes[m.start() - 1])
                || matches!(bytes[m.start() - 1], b'.' | b'/' | b'-'))
        {
            continue;
        }
        let handle = m.as_str()[1..].trim_end_matches(['.', '-', '_']);
        let lower = handle.to_ascii_lowercase();
        // npm scopes (`@types/node`), package versions (`pkg@1.2`), and
        // mentions that address no one.
        if bytes.get(m.end()) == Some(&b'/')
            || handle.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || matches!(
                lower.as_str(),
                "here" | "channel" | "everyone" | "latest" | "next" | "all" | "oncall" | "on-call"
            )
        {
            continue;
        }
        out.push(Span::new(
            m.start(),
            m.start() + 1 + handle.len(),
            FindingKind::Handle,
            lower,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(f: fn(&str, &Stretches, &mut Vec<Span>), text: &str) -> Vec<String> {
        let mut out = Vec::new();
        f(text, &Stretches::new(text), &mut out);
        out.iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    /// On ASCII text, the scan finds what the ASCII pattern it replaced
    /// found.
    #[test]
    fn emails_on_ascii_text_are_what_the_ascii_pattern_found() {
        let pattern = Regex::new(
            r"(?i)[a-z0-9](?:[a-z0-9._%+-]{0,63})@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+",
        )
        .unwrap();
        let texts = crate::redact::detect::sample_texts(&[
            "a@b.c d@e.f.g@h.i x@y .@z.q -a@b.c a-@b-.c a@b.c- a@b.-c a@b..c a@-b.c",
            "mail ops@acme.example, x.y+z@mail.acme-pay.example. and @handle or a@b",
            "__init__@x.y %@a.b a%b@c.d 1@2.3 a@b.c.d.e.f. trailing@dot.example.",
            &format!(
                "{}@long.example and {}@x.example",
                "a".repeat(80),
                "b.".repeat(40)
            ),
        ]);
        let mut seen = 0;
        for text in texts.iter().filter(|t| t.is_ascii()) {
            let theirs: Vec<&str> = pattern.find_iter(text).map(|m| m.as_str()).collect();
            let mut out = Vec::new();
            emails(text, &mut out);
            let ours: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
            assert_eq!(ours, theirs, "{text}");
            seen += ours.len();
        }
        assert!(seen > 20, "the texts hold addresses: {seen}");
    }

    #[test]
    fn emails_in_any_script_are_found_whole() {
        let text = "tomasz.fernández@hollowbrook.example, zoë@bücherstube.example, \
                    kwame.szabó@tessellate.example. Not: fernández@ alone, @bücher.example";
        let mut out = Vec::new();
        emails(text, &mut out);
        let found: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            found,
            [
                "tomasz.fernández@hollowbrook.example",
                "zoë@bücherstube.example",
                "kwame.szabó@tessellate.example"
            ]
        );
        assert_eq!(out[1].key, "zoë@bücherstube.example");
    }

    #[test]
    fn finds_network_identity() {
        assert_eq!(
            found(|t, _, o| emails(t, o), "mail Jo.Doe+x@corp.acme.io now"),
            ["Jo.Doe+x@corp.acme.io"]
        );
        assert_eq!(
            found(
                |t, _, o| urls(t, o),
                "see (https://grafana.acme.io/d/abc?x=1)."
            ),
            ["https://grafana.acme.io/d/abc?x=1"]
        );
        assert_eq!(
            found(ipv4, "from 10.0.12.7, and 192.168.0.0/16"),
            ["10.0.12.7", "192.168.0.0/16"]
        );
        assert!(found(ipv4, "version 1.2.3.4.5 and 999.1.1.1").is_empty());
        assert_eq!(
            found(
                ipv6,
                "hosts 2001:db8::8a2e:370:7334 and fe80::1. and ::1 and fd00::/8"
            ),
            ["2001:db8::8a2e:370:7334", "fe80::1", "fd00::/8"]
        );
        assert!(found(ipv6, "at 12:30:45 the a::b::c").is_empty());
        assert_eq!(
            found(mac, "nic 00:1A:2b:3c:4d:5e up"),
            ["00:1A:2b:3c:4d:5e"]
        );
        assert_eq!(
            found(hosts, "db-prod-03.quillfeather.internal and payments.svc.cluster.local, not config.yaml or v1.2.3"),
            ["db-prod-03.quillfeather.internal", "payments.svc.cluster.local"]
        );
        assert_eq!(
            found(
                |t, _, o| channels_and_handles(t, o),
                "in #inc-2291-payments ping @priya.n, not #fff or @types/node or a@b"
            ),
            ["#inc-2291-payments", "@priya.n"]
        );
    }
}
