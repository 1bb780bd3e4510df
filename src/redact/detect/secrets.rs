//! Secrets a submitter pastes by accident: cloud keys, GitHub / GitLab /
//! Slack / Stripe tokens, JWTs, PEM private keys, passwords in connection
//! strings and `key=value` assignments, and generic high-entropy tokens.

use std::sync::OnceLock;

use regex::Regex;

use rustc_hash::FxHashSet;

use super::anchored::Anchored;
use super::stretches::{captures_in, Stretch, Stretches, DIGIT, LOWER, UPPER};
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

/// The names of a `key=value` secret, in lowercase, as the assignment
/// pattern spells them out.
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "apikey",
    "bearer",
    "authorization",
    "aws_secret_access_key",
    "aws_access_key_id",
];

/// Names spelt with an optional `_` or `-` between their parts.
const SECRET_NAME_PARTS: &[(&str, &str)] = &[
    ("secret", "key"),
    ("client", "secret"),
    ("auth", "token"),
    ("access", "token"),
    ("refresh", "token"),
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
];

fn secret_names() -> &'static FxHashSet<String> {
    static SET: OnceLock<FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let joined = |a: &str, b: &str| ["", "_", "-"].map(|j| format!("{a}{j}{b}"));
        let mut set: FxHashSet<String> = SECRET_NAMES.iter().map(|n| n.to_string()).collect();
        for (a, b) in SECRET_NAME_PARTS {
            set.extend(joined(a, b));
        }
        // `access[_-]?key(?:[_-]?id)?`
        for key in joined("access", "key") {
            set.extend(joined(&key, "id"));
        }
        set
    })
}

/// Where a `key=value` secret could start: every assignment has a `:` or
/// `=` after its name, maybe a quote and whitespace between, so the names
/// that end just before each `:` and `=` are all the starts there are.
fn assignment_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    const LONGEST: usize = "aws_secret_access_key".len();
    let names = secret_names();
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b':', b'=', bytes).flat_map(move |at| {
        let before = text[..at].trim_end();
        let before = before.strip_suffix(['"', '\'']).unwrap_or(before);
        let name_end = before.len();
        // Every name ends in one of these letters, and is made of letters,
        // `_` and `-`.
        let ends_well = before
            .bytes()
            .last()
            .is_some_and(|b| b"dstynrDSTYNR".contains(&b));
        let run = if ends_well {
            before
                .bytes()
                .rev()
                .take(LONGEST)
                .take_while(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-'))
                .count()
        } else {
            0
        };
        let mut lower = [0u8; LONGEST];
        lower[..run].copy_from_slice(&bytes[name_end - run..name_end]);
        lower[..run].make_ascii_lowercase();
        (name_end - run..name_end).filter(move |&k| {
            let suffix = &lower[k - (name_end - run)..run];
            std::str::from_utf8(suffix).is_ok_and(|s| names.contains(s))
        })
    })
}

/// The stretches (between ASCII whitespace) that hold an `@`, in order:
/// where a `scheme://user:password@` can be, since none of it is
/// whitespace. Few texts have an `@`, and it is found by a vectorised
/// search.
fn stretches_with_at(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut covered = 0;
    memchr::memchr_iter(b'@', bytes).filter_map(move |at| {
        if at < covered {
            return None;
        }
        let start = bytes[..at]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |i| at + i);
        covered = end;
        Some((start, end))
    })
}

/// Twenty bytes or more, a letter or a digit among them.
fn could_hold_token(s: &Stretch) -> bool {
    s.byte_len() >= 20 && s.has_any(DIGIT | LOWER | UPPER)
}

/// Runs of 20 or more token bytes (`[A-Za-z0-9+/_=.-]`): the matches of
/// `[A-Za-z0-9+/_=.-]{20,}` in the stretches that could hold a token.
fn token_runs<'a>(
    text: &'a str,
    stretches: &'a Stretches,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let token_byte =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'=' | b'.' | b'-');
    stretches.byte_runs(text.as_bytes(), could_hold_token, token_byte, |n| n >= 20)
}

pub fn secrets(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static KNOWN: OnceLock<Regex> = OnceLock::new();
    static PEM: OnceLock<Regex> = OnceLock::new();
    static CONNECTION: OnceLock<Regex> = OnceLock::new();
    static PASSWORD_HASH: OnceLock<Regex> = OnceLock::new();
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
    // A password hash pasted from an htpasswd, shadow or database dump, in
    // the modular crypt format (`$apr1$salt$hash`, `$2b$12$…`,
    // `$argon2id$v=19$m=…$salt$hash`) or LDAP's (`{SSHA}…`): whole, since
    // its salt and hash are what an offline attack needs, and the token
    // runs below would only catch the part after the last `$`.
    let hash = regex(
        &PASSWORD_HASH,
        concat!(
            r"\$(?:apr1|1|2[abxy]?|5|6|7|y|gy|sha1|md5|argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?)",
            r"\$(?:[A-Za-z0-9./+=,-]+\$)+[A-Za-z0-9./+=-]{8,}",
            r"|\{(?:SSHA|SHA|SMD5|MD5|CRYPT|SSHA256|SSHA512|PBKDF2[A-Z0-9-]*)\}[A-Za-z0-9+/=.$]{8,}",
        ),
    );
    for m in hash.find_iter(text) {
        secret(out, m.start(), m.end(), m.as_str());
    }
    // scheme://user:password@host — the user and password go.
    let connection = regex(
        &CONNECTION,
        r"(?i)(?-u:\b)[a-z][a-z0-9+.-]{1,20}://([^\s:/@]{1,64}):([^\s@/]{1,256})@",
    );
    for (offset, c) in captures_in(text, connection, stretches_with_at(text)) {
        let user = c.get(1).expect("group 1");
        let password = c.get(2).expect("group 2");
        let (start, end) = (offset + password.start(), offset + password.end());
        secret(out, start, end, password.as_str());
        out.push(Span::new(
            offset + user.start(),
            offset + user.end(),
            FindingKind::Handle,
            user.as_str().to_lowercase(),
        ));
    }
    static ASSIGNMENT: OnceLock<Anchored> = OnceLock::new();
    let assignment = ASSIGNMENT.get_or_init(|| {
        Anchored::new(
            r#"(?i)(?:password|passwd|pwd|pass|secret|secret[_-]?key|client[_-]?secret|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|aws_secret_access_key|aws_access_key_id|bearer|authorization)["']?\s*(?:[:=]|=>|:=)\s*["']?(?:bearer\s+|basic\s+)?([^\s"',;}{)\]]{4,512})"#,
        )
    });
    let bytes = text.as_bytes();
    for c in assignment.captures_at(text, assignment_starts(text)) {
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
    // Only a stretch of 20 bytes or more can hold one.
    for (m_start, m_end) in token_runs(text, stretches) {
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
    use crate::redact::detect::anchored::assert_finds_what_find_iter_finds;
    use crate::redact::detect::sample_texts;

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

    const AWKWARD: &[&str] = &[
        "PASSWORD = hunter2 and my_api-key:abc12345, xpassword=no1234, pass: pass=x1234",
        "Access-Key_ID => 'AKIA0000' aws_secret_access_key:=\"abcd1234\" \"token\"\u{a0}\n:  v4lue!",
        "secretkey='s3cr3tval' client-secret : c1i3nt0k authorization: Bearer eyJhbGciOi.x.y",
        "Bearer: basic dXNlcjpwYXNz; pwd \" = nope; refresh_token=${TOKEN} apikey=<key>",
        "a:b=c ==== ::: :=: token: 'short' é_token=ünïcödé1234",
    ];

    #[test]
    fn assignments_are_found_as_a_whole_text_search_finds_them() {
        let pattern = r#"(?i)(?:password|passwd|pwd|pass|secret|secret[_-]?key|client[_-]?secret|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|aws_secret_access_key|aws_access_key_id|bearer|authorization)["']?\s*(?:[:=]|=>|:=)\s*["']?(?:bearer\s+|basic\s+)?([^\s"',;}{)\]]{4,512})"#;
        let seen = assert_finds_what_find_iter_finds(pattern, &sample_texts(AWKWARD), |text| {
            assignment_starts(text).collect()
        });
        assert!(seen >= 25, "only {seen} assignments in the texts");
    }

    #[test]
    fn token_runs_are_the_matches_of_the_token_pattern() {
        let plain = Regex::new(r"[A-Za-z0-9+/_=.-]{20,}").unwrap();
        let mut seen = 0;
        for text in sample_texts(&[
            "aaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbb é/ccccccccccccccccccccc,ddddddddddddddddddddd",
            "x=\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"; ...................., 0123456789abcdef0123",
        ]) {
            let stretches = Stretches::new(&text);
            let theirs: Vec<(usize, usize)> = stretches
                .find_iter(&text, &plain, could_hold_token)
                .collect();
            let ours: Vec<(usize, usize)> = token_runs(&text, &stretches).collect();
            assert_eq!(ours, theirs, "{text}");
            seen += ours.len();
        }
        assert!(seen >= 20, "only {seen} token runs in the texts");
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

    #[test]
    fn password_hashes_go_whole() {
        for hash in [
            "$apr1$k9Zq2mF1$Xw7cN3vB8tL0pR5sD2yH4.",
            "$2y$10$abcdefghijklmnopqrstuuJ3kq0i8nF5tW6yZ1uQe9x7b2Vd4sLmG",
            "$6$rounds=5000$saltsalt$9Vb3sZp1Q0wXyT7uR5eW2qA8nM4kL6jH",
            "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Zm9vYmFyYmF6cXV4",
            "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
        ] {
            let text = format!("  # admin:{hash}\n  proxy_pass http://pool;");
            assert_eq!(
                found(&text).first().map(String::as_str),
                Some(hash),
                "{text}"
            );
        }
        assert!(found("it cost $1 or $5$ at most; {SHA} is a name").is_empty());
    }
}
