//! Secrets a submitter pastes by accident: cloud keys, GitHub / GitLab /
//! Slack / Stripe tokens, JWTs, PEM private keys, passwords in connection
//! strings and `key=value` assignments, and generic high-entropy tokens.

use std::sync::OnceLock;

use regex::Regex;

use super::keyed::Keyed;
use super::stretches::{Stretch, Stretches, COLON, DIGIT, EQUALS, LOWER, UPPER};
use super::{is_word_byte, regex, Span};
use crate::redact::FindingKind;

fn secret(out: &mut Vec<Span>, start: usize, end: usize, value: &str) {
    out.push(Span::new(
        start,
        end,
        FindingKind::Secret,
        value.to_string(),
    ));
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A token that looks random: long, mixed character classes, high entropy.
/// Hex strings of hash length (commit ids, digests) count too: they point
/// into a company's own repositories and logs.
fn looks_random(token: &str) -> bool {
    let len = token.len();
    if len >= 32
        && token.bytes().all(|b| b.is_ascii_hexdigit())
        && token.bytes().any(|b| b.is_ascii_digit())
    {
        return true;
    }
    if len < 20 {
        return false;
    }
    let lower = token.bytes().any(|b| b.is_ascii_lowercase());
    let upper = token.bytes().any(|b| b.is_ascii_uppercase());
    let digit = token.bytes().any(|b| b.is_ascii_digit());
    let classes = lower as u8 + upper as u8 + digit as u8;
    // Words joined by hyphens (`kube-controller-manager-7d9f`) are names,
    // not secrets.
    let separators = token
        .bytes()
        .filter(|b| matches!(b, b'-' | b'_' | b'.'))
        .count();
    classes >= 3 && separators * 6 < len && entropy(token) >= 3.8
}

pub fn secrets(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static KNOWN: OnceLock<Regex> = OnceLock::new();
    static PEM: OnceLock<Regex> = OnceLock::new();
    static CONNECTION: OnceLock<Regex> = OnceLock::new();
    static TOKEN: OnceLock<Regex> = OnceLock::new();
    let known = regex(
        &KNOWN,
        concat!(
            r"(?-u:\b)(?:",
            r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}",
            r"|gh[pousr]_[A-Za-z0-9]{30,255}",
            r"|github_pat_[A-Za-z0-9_]{22,255}",
            r"|glpat-[A-Za-z0-9_-]{20,}",
            r"|gl(?:dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}",
            r"|xox[abposre]-[A-Za-z0-9-]{10,}",
            r"|xapp-[0-9]-[A-Za-z0-9-]{10,}",
            r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}",
            r"|whsec_[A-Za-z0-9]{20,}",
            r"|AIza[0-9A-Za-z_-]{35}",
            r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
            r"|npm_[A-Za-z0-9]{36}",
            r"|hv[sbr]\.[A-Za-z0-9_-]{20,}",
            r"|dop_v1_[a-f0-9]{64}",
            r"|eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
            r")"
        ),
    );
    for m in known.find_iter(text) {
        secret(out, m.start(), m.end(), m.as_str());
    }
    // A PEM private key, to its END line, or to the end of the paragraph
    // when the paste was cut short.
    let pem = regex(
        &PEM,
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\n[ \t]*\n|\z)",
    );
    for m in pem.find_iter(text) {
        secret(out, m.start(), m.end(), m.as_str());
    }
    // scheme://user:password@host — the user and password go.
    let connection = regex(
        &CONNECTION,
        r"(?i)(?-u:\b)[a-z][a-z0-9+.-]{1,20}://([^\s:/@]{1,64}):([^\s@/]{1,256})@",
    );
    for c in connection.captures_iter(text) {
        let user = c.get(1).expect("group 1");
        let password = c.get(2).expect("group 2");
        secret(out, password.start(), password.end(), password.as_str());
        out.push(Span::new(
            user.start(),
            user.end(),
            FindingKind::Handle,
            user.as_str().to_lowercase(),
        ));
    }
    static ASSIGNMENT: OnceLock<Keyed> = OnceLock::new();
    let assignment = ASSIGNMENT.get_or_init(|| {
        Keyed::new(
            &[
                "pass", "pwd", "secret", "client", "token", "auth", "access", "refresh", "api",
                "private", "aws_", "bearer",
            ],
            r#"(?i)(?:password|passwd|pwd|pass|secret|secret[_-]?key|client[_-]?secret|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|aws_secret_access_key|aws_access_key_id|bearer|authorization)["']?\s*(?:[:=]|=>|:=)\s*["']?(?:bearer\s+|basic\s+)?([^\s"',;}{)\]]{4,512})"#,
        )
    });
    // The name and the `:` or `=` after it are in one stretch, or the name
    // ends its stretch (before a quote) and the `:` or `=` follows the
    // whitespace after it.
    let bytes = text.as_bytes();
    let could_match = |s: &Stretch| {
        if s.has_any(COLON | EQUALS) {
            return true;
        }
        // Most words end in another letter: one byte says so. (A quote or a
        // non-ASCII space may stand between the name and the stretch end.)
        let last = bytes[s.end as usize - 1];
        if !(b"dstynrDSTYNR\"'".contains(&last) || last >= 0x80) {
            return false;
        }
        let word = text[s.start as usize..s.end as usize].trim_end();
        let word = word.trim_end_matches(['"', '\'']).trim_end();
        word.bytes()
            .last()
            .is_some_and(|b| b"dstynrDSTYNR".contains(&b))
            && text[s.end as usize..]
                .chars()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| matches!(c, ':' | '='))
    };
    for c in assignment.captures_iter_in(text, stretches.ranges(could_match)) {
        let v = c.get_group(1).expect("group 1");
        let value = &text[v.range()];
        let lower = value.to_ascii_lowercase();
        // Placeholders and prose, not secrets.
        if matches!(
            lower.as_str(),
            "null"
                | "none"
                | "true"
                | "false"
                | "required"
                | "redacted"
                | "changeme"
                | "xxxx"
                | "****"
                | "empty"
                | "unset"
                | "string"
        ) || value.starts_with('[') && value.ends_with(']')
            || value.starts_with("${")
            || value.starts_with('<')
        {
            continue;
        }
        secret(out, v.start, v.end, value);
    }
    let token_re = regex(&TOKEN, r"[A-Za-z0-9+/_=.-]{20,}");
    // Only a stretch of 20 bytes or more can hold one.
    for (m_start, m_end) in stretches.find_iter(text, token_re, |s| {
        s.byte_len() >= 20 && s.has_any(DIGIT | LOWER | UPPER)
    }) {
        let matched = &text[m_start..m_end];
        let token = matched.trim_end_matches(['.', '=', '-', '_']);
        let token = token.trim_start_matches(['.', '-', '_', '/']);
        let start =
            m_start + (matched.len() - matched.trim_start_matches(['.', '-', '_', '/']).len());
        if m_start > 0 && is_word_byte(bytes[m_start - 1]) {
            continue;
        }
        // Paths have slashes too; a random token with slashes has far more
        // entropy than any path.
        if looks_random(token)
            && (!token.contains('/') || token.contains('+') || entropy(token) >= 4.4)
        {
            secret(out, start, start + token.len(), token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        secrets(text, &Stretches::new(text), &mut out);
        let mut v: Vec<String> = out
            .iter()
            .filter(|s| s.kind == FindingKind::Secret)
            .map(|s| text[s.start..s.end].to_string())
            .collect();
        v.dedup();
        v
    }

    #[test]
    fn finds_pasted_credentials() {
        assert_eq!(
            found("key AKIAIOSFODNN7EXAMPLE used"),
            ["AKIAIOSFODNN7EXAMPLE"]
        );
        assert_eq!(
            found("ghp_0123456789abcdefghijABCDEFGHIJ012345 leaked"),
            ["ghp_0123456789abcdefghijABCDEFGHIJ012345"]
        );
        assert_eq!(
            found("postgres://app:S3cr3tP4ss@db.internal:5432/x"),
            ["S3cr3tP4ss"]
        );
        assert_eq!(
            found("password=hunter2xyz and api_key: 'abcd1234efgh'"),
            ["hunter2xyz", "abcd1234efgh"]
        );
        assert_eq!(found("password: null"), Vec::<String>::new());
        // The `:` in another stretch, after Unicode spaces and a line break.
        assert_eq!(
            found("the \"Password\"\u{a0} \n := 'hunter2xyz'"),
            ["hunter2xyz"]
        );
        let pem =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        assert_eq!(found(&format!("here {pem} oops")), [pem]);
        assert_eq!(
            found("token wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+x9 was"),
            ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+x9"]
        );
        assert!(
            found("kube-controller-manager-7d9f8 and x509: certificate has expired").is_empty()
        );
    }
}
