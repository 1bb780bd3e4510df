//! Word lists shipped as data and embedded in the binary: common English
//! words (SCOWL, via Debian's `wamerican`; licence in
//! `data/english-words.LICENSE`), given names from many cultures, the names
//! that are also English words, and the public hosts and open-source
//! project owners whose URLs identify nobody.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

const ENGLISH: &str = include_str!("data/english-words.txt");
const FIRST_NAMES: &str = include_str!("data/first-names.txt");
const AMBIGUOUS_NAMES: &str = include_str!("data/ambiguous-names.txt");
const PUBLIC_HOSTS: &str = include_str!("data/public-hosts.txt");
const PUBLIC_REPO_OWNERS: &str = include_str!("data/public-repo-owners.txt");

fn set(
    cell: &'static OnceLock<FxHashSet<&'static str>>,
    data: &'static str,
) -> &'static FxHashSet<&'static str> {
    cell.get_or_init(|| {
        data.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// `word` in lowercase is a common English word.
pub fn is_english(word_lowercase: &str) -> bool {
    static S: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    set(&S, ENGLISH).contains(word_lowercase)
}

/// A given name, as usually capitalised (`Priya`, `José`).
pub fn is_first_name(word: &str) -> bool {
    static S: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    set(&S, FIRST_NAMES).contains(word)
}

/// A given name that is also an English word (`Will`, `Mark`, `Grant`).
pub fn is_ambiguous_name(word: &str) -> bool {
    static S: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    set(&S, AMBIGUOUS_NAMES).contains(word)
}

/// A public documentation / status / tracker host, or a subdomain of one —
/// except consoles and sign-in hosts, whose URLs carry account and project
/// ids.
pub fn is_public_host(host_lowercase: &str) -> bool {
    static S: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let hosts = set(&S, PUBLIC_HOSTS);
    if host_lowercase.split('.').any(|label| {
        matches!(label, "console" | "signin" | "portal" | "login")
            || label.bytes().all(|b| b.is_ascii_digit())
    }) {
        return false;
    }
    let mut h = host_lowercase;
    loop {
        if hosts.contains(h) {
            return true;
        }
        match h.split_once('.') {
            Some((_, rest)) if rest.contains('.') => h = rest,
            _ => return false,
        }
    }
}

pub fn is_public_repo_owner(owner_lowercase: &str) -> bool {
    static S: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    set(&S, PUBLIC_REPO_OWNERS).contains(owner_lowercase)
}
