//! Consistency across amendments without keeping the original values: the
//! value → placeholder map of a report is stored only as HMACs under a key
//! derived from the receipt secret, which only the submitter holds. An
//! amendment presented with its receipt redacts "Maria" to the same
//! `[PERSON-1]`; the database alone reveals nothing (every entry is an
//! HMAC of a value nobody else can key).

use std::collections::{BTreeMap, HashMap};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::declared::variants_of;
use super::detect::Span;
use super::normalise::{skeleton_of, Skeleton};
use super::FindingKind;
use crate::report::submission::DeclaredTerms;

const CONTEXT: &[u8] = b"nearmiss placeholder map v1";

/// The HMAC key of one report's placeholder map.
pub struct MapKey([u8; 32]);

impl MapKey {
    pub fn from_receipt(receipt: &str) -> MapKey {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(receipt.as_bytes()).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        MapKey(mac.finalize().into_bytes().into())
    }

    fn tag(&self, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What the redactor replaced: by kind, each value and its placeholder.
pub type Assigned = BTreeMap<FindingKind, BTreeMap<String, String>>;

/// HMAC(value) → placeholder. Stored with the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PlaceholderMap(pub BTreeMap<String, String>);

impl PlaceholderMap {
    /// Entries for every value the redactor replaced, and every written
    /// variant of the declared terms (so `AcmePay` in an amendment finds the
    /// placeholder of the declared `Acme Pay`).
    pub fn build(key: &MapKey, assigned: &Assigned, declared: &DeclaredTerms) -> PlaceholderMap {
        let mut map = BTreeMap::new();
        let every = || {
            assigned
                .iter()
                .flat_map(|(kind, values)| values.iter().map(move |(v, p)| (*kind, v, p)))
        };
        let by_key: HashMap<&str, &String> = every().map(|(_, k, p)| (k.as_str(), p)).collect();
        for (kind, value, placeholder) in every() {
            if matches!(
                kind,
                FindingKind::Datetime | FindingKind::StaffList | FindingKind::Kept
            ) {
                continue;
            }
            map.insert(key.tag(value), placeholder.clone());
        }
        for term in declared
            .organization
            .iter()
            .chain(&declared.products)
            .chain(&declared.people)
            .chain(&declared.locations)
            .chain(&declared.other)
        {
            let Some(placeholder) = by_key.get(skeleton_of(term.trim()).as_str()) else {
                continue;
            };
            for v in variants_of(term) {
                map.insert(key.tag(&v), (*placeholder).clone());
            }
            // Parts of a declared person's name on their own.
            if declared.people.contains(term) {
                for part in skeleton_of(term)
                    .split_whitespace()
                    .filter(|p| p.chars().count() > 2)
                {
                    map.insert(key.tag(part), (*placeholder).clone());
                }
            }
        }
        PlaceholderMap(map)
    }

    pub fn merge(&mut self, other: PlaceholderMap) {
        self.0.extend(other.0);
    }
}

/// A stored map, opened with the receipt: finds earlier values in new text.
pub struct KnownPlaceholders {
    key: MapKey,
    map: PlaceholderMap,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl KnownPlaceholders {
    pub fn new(key: MapKey, map: PlaceholderMap) -> KnownPlaceholders {
        KnownPlaceholders { key, map }
    }

    pub fn lookup(&self, value: &str) -> Option<String> {
        self.map.0.get(&self.key.tag(value)).cloned()
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.map.0.values().map(String::as_str)
    }

    /// Every run of one to three words whose HMAC is in the map.
    pub fn find(&self, clean: &str, skeleton: &Skeleton, out: &mut Vec<Span>) {
        let sk = skeleton.text.as_str();
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in sk.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            words.push((s, sk.len()));
        }
        let mut i = 0;
        while i < words.len() {
            let mut matched = None;
            // Longest first: `Acme Pay` before `Acme`.
            for n in (1..=3).rev() {
                if i + n > words.len() {
                    continue;
                }
                let (s, e) = (words[i].0, words[i + n - 1].1);
                let gaps_ok = (i..i + n - 1).all(|k| {
                    let gap = &sk[words[k].1..words[k + 1].0];
                    gap.len() == 1 && matches!(gap, " " | "-" | "_" | ".")
                });
                if !gaps_ok {
                    continue;
                }
                if let Some(p) = self.lookup(&sk[s..e]) {
                    matched = Some((n, s, e, p));
                    break;
                }
            }
            match matched {
                Some((n, s, e, placeholder)) => {
                    let (cs, ce) = skeleton.to_clean(s, e, clean);
                    let kind = kind_of(&placeholder);
                    // The key is the stored placeholder itself: `placeholder()`
                    // finds it through `lookup` on the next call anyway.
                    out.push(Span::new(cs, ce, kind, sk[s..e].to_string()));
                    i += n;
                }
                None => i += 1,
            }
        }
    }
}

fn kind_of(placeholder: &str) -> FindingKind {
    let inner = placeholder.trim_start_matches('[').trim_end_matches(']');
    let prefix = inner.split('-').next().unwrap_or("");
    FindingKind::from_prefix(prefix).unwrap_or(FindingKind::Term)
}
