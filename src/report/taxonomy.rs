//! The registry's shared language: technologies, triggers, factors,
//! industries and the other vocabularies, kept as TOML data in
//! `taxonomy/` and embedded in the binary, so search facets and statistics
//! group the same thing under one name (`postgres`, `pg` → `postgresql`).

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const TECHNOLOGIES: &str = include_str!("taxonomy/technologies.toml");
const VOCABULARIES: &str = include_str!("taxonomy/vocabularies.toml");

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Technology {
    pub id: String,
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A vocabulary other than technologies. Open vocabularies keep unknown
/// values (normalised and flagged for the reviewer); closed ones reject them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vocabulary {
    Trigger,
    ContributingFactor,
    Mitigation,
    HumanFactor,
    Detection,
    Industry,
    OrganizationSize,
    Severity,
    ImpactCategory,
}

impl Vocabulary {
    pub const ALL: [Vocabulary; 9] = [
        Vocabulary::Trigger,
        Vocabulary::ContributingFactor,
        Vocabulary::Mitigation,
        Vocabulary::HumanFactor,
        Vocabulary::Detection,
        Vocabulary::Industry,
        Vocabulary::OrganizationSize,
        Vocabulary::Severity,
        Vocabulary::ImpactCategory,
    ];

    pub fn is_open(self) -> bool {
        matches!(
            self,
            Vocabulary::Trigger
                | Vocabulary::ContributingFactor
                | Vocabulary::Mitigation
                | Vocabulary::HumanFactor
                | Vocabulary::Detection
        )
    }

    /// The table name in `vocabularies.toml`.
    pub fn table(self) -> &'static str {
        match self {
            Vocabulary::Trigger => "trigger",
            Vocabulary::ContributingFactor => "contributing_factor",
            Vocabulary::Mitigation => "mitigation",
            Vocabulary::HumanFactor => "human_factor",
            Vocabulary::Detection => "detection",
            Vocabulary::Industry => "industry",
            Vocabulary::OrganizationSize => "organization_size",
            Vocabulary::Severity => "severity",
            Vocabulary::ImpactCategory => "impact_category",
        }
    }
}

/// What a submitted value resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A canonical taxonomy id.
    Known(String),
    /// Not in the taxonomy; normalised (lowercase, trimmed, spaces to hyphens).
    Unknown(String),
}

impl Resolved {
    pub fn id(&self) -> &str {
        match self {
            Resolved::Known(s) | Resolved::Unknown(s) => s,
        }
    }
}

pub struct Taxonomy {
    pub technologies: Vec<Technology>,
    technology_lookup: FxHashMap<String, usize>,
    vocabularies: HashMap<Vocabulary, Vec<Term>>,
    term_lookup: HashMap<Vocabulary, HashMap<String, usize>>,
}

#[derive(Deserialize)]
struct TechnologyFile {
    technology: Vec<Technology>,
}

/// Lowercase, trim, collapse whitespace and underscores to single hyphens.
pub fn normalise(value: &str) -> String {
    let lowered = value.trim().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    for part in lowered.split(|c: char| c.is_whitespace() || c == '_') {
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

impl Taxonomy {
    fn load() -> Taxonomy {
        // The data is compiled in and checked by tests, so a parse failure is
        // a build defect, not a runtime condition.
        let techs: TechnologyFile =
            toml::from_str(TECHNOLOGIES).expect("embedded technologies.toml is valid");
        let mut vocab_file: HashMap<String, Vec<Term>> =
            toml::from_str(VOCABULARIES).expect("embedded vocabularies.toml is valid");
        let mut technology_lookup = FxHashMap::default();
        for (i, t) in techs.technology.iter().enumerate() {
            technology_lookup.insert(normalise(&t.id), i);
            technology_lookup.insert(normalise(&t.name), i);
            for a in &t.aliases {
                technology_lookup.insert(normalise(a), i);
            }
        }
        let mut vocabularies = HashMap::new();
        let mut term_lookup = HashMap::new();
        for v in Vocabulary::ALL {
            let terms = vocab_file.remove(v.table()).unwrap_or_default();
            let mut lookup = HashMap::new();
            for (i, t) in terms.iter().enumerate() {
                lookup.insert(normalise(&t.id), i);
                lookup.insert(normalise(&t.name), i);
                for a in &t.aliases {
                    lookup.insert(normalise(a), i);
                }
            }
            vocabularies.insert(v, terms);
            term_lookup.insert(v, lookup);
        }
        Taxonomy {
            technologies: techs.technology,
            technology_lookup,
            vocabularies,
            term_lookup,
        }
    }

    /// `word` (one word, lowercase, no underscore: its own normal form)
    /// names a technology.
    pub fn is_technology_word(&self, word: &str) -> bool {
        self.technology_lookup.contains_key(word)
    }

    pub fn technology(&self, value: &str) -> Option<&Technology> {
        // The redactor asks this of every capitalised word of every report:
        // a single ASCII word normalises to its lowercase, without a copy
        // on the heap.
        let found = if value.bytes().all(|b| b.is_ascii_graphic() && b != b'_') {
            crate::redact::normalise::with_ascii_lowercase(value, |lower| {
                self.technology_lookup.get(lower).copied()
            })
        } else {
            self.technology_lookup.get(&normalise(value)).copied()
        };
        found.map(|i| &self.technologies[i])
    }

    pub fn resolve_technology(&self, value: &str) -> Resolved {
        match self.technology(value) {
            Some(t) => Resolved::Known(t.id.clone()),
            None => Resolved::Unknown(normalise(value)),
        }
    }

    pub fn terms(&self, vocabulary: Vocabulary) -> &[Term] {
        self.vocabularies
            .get(&vocabulary)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn resolve(&self, vocabulary: Vocabulary, value: &str) -> Resolved {
        let key = normalise(value);
        match self.term_lookup.get(&vocabulary).and_then(|m| m.get(&key)) {
            Some(&i) => Resolved::Known(self.terms(vocabulary)[i].id.clone()),
            None => Resolved::Unknown(key),
        }
    }

    /// Alias (and display name) → technology id, for search-time synonym
    /// expansion: `postgres` → `postgresql`, `k8s` → `kubernetes`.
    pub fn technology_aliases(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for t in &self.technologies {
            for alias in t.aliases.iter().chain([&t.name]) {
                let alias = normalise(alias);
                if alias != t.id {
                    out.insert(alias, t.id.clone());
                }
            }
        }
        out
    }

    /// Every id and alias that names a technology, for redaction allow-lists
    /// and leftover detection.
    pub fn technology_names(&self) -> impl Iterator<Item = &str> {
        self.technology_lookup.keys().map(String::as_str)
    }
}

pub fn taxonomy() -> &'static Taxonomy {
    static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
    TAXONOMY.get_or_init(Taxonomy::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_canonical_ids() {
        let t = taxonomy();
        for alias in ["postgres", "pg", "psql", "PostgreSQL", " Postgres "] {
            assert_eq!(
                t.resolve_technology(alias),
                Resolved::Known("postgresql".into())
            );
        }
        assert_eq!(
            t.resolve_technology("k8s"),
            Resolved::Known("kubernetes".into())
        );
        assert_eq!(
            t.resolve_technology("Hermes Queue"),
            Resolved::Unknown("hermes-queue".into())
        );
    }

    #[test]
    fn taxonomy_is_large_enough_and_categorised() {
        let t = taxonomy();
        assert!(t.technologies.len() >= 150, "{}", t.technologies.len());
        for required in [
            "database",
            "cache",
            "queue",
            "network",
            "load-balancer",
            "orchestration",
            "cloud",
            "observability",
            "language-runtime",
            "cdn",
            "dns",
            "storage",
            "auth",
            "ci-cd",
        ] {
            assert!(
                t.technologies.iter().any(|x| x.category == required),
                "no technology in category {required}"
            );
        }
        for v in Vocabulary::ALL {
            assert!(!t.terms(v).is_empty(), "vocabulary {} is empty", v.table());
        }
        let sev: Vec<_> = t
            .terms(Vocabulary::Severity)
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(sev, ["sev1", "sev2", "sev3", "sev4", "near-miss"]);
    }

    #[test]
    fn ids_and_aliases_are_unambiguous() {
        let t = taxonomy();
        let mut seen = HashMap::new();
        for (i, tech) in t.technologies.iter().enumerate() {
            for name in std::iter::once(&tech.id).chain(tech.aliases.iter()) {
                if let Some(prev) = seen.insert(normalise(name), i) {
                    assert_eq!(prev, i, "{name} names two technologies");
                }
            }
        }
    }
}
