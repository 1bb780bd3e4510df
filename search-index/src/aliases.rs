//! Query-side synonym expansion from the technology taxonomy.
//!
//! Approach: before the query parser sees the text, every bare word (or the
//! value of `field:word`) that belongs to an alias group is replaced by an OR
//! of the whole group: with `postgres → postgresql` and `pg → postgresql`,
//! `postgres` becomes `(postgres OR postgresql OR pg)`, and so does
//! `postgresql`. Expanding at query time keeps the index independent of the
//! taxonomy (a new alias needs no reindex) and leaves BM25 statistics alone.
//! Words inside quoted phrases are left as typed, because a phrase asks for
//! exact wording. Reports tagged with a technology also carry its id in the
//! `tags` text field, so the canonical id reaches tagged reports whatever
//! their prose says.

use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Debug, Default)]
pub struct Aliases {
    /// Lowercased word → every spelling of its group, canonical first.
    groups: HashMap<String, Vec<String>>,
}

impl Aliases {
    /// `aliases` maps alias → canonical technology id.
    pub fn new(aliases: &HashMap<String, String>) -> Aliases {
        let mut by_canonical: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (alias, canonical) in aliases {
            let (alias, canonical) = (alias.to_lowercase(), canonical.to_lowercase());
            if alias != canonical && is_plain_word(&alias) {
                by_canonical.entry(canonical).or_default().insert(alias);
            }
        }
        let mut groups = HashMap::new();
        for (canonical, aliases) in by_canonical {
            let mut group = vec![canonical.clone()];
            group.extend(aliases);
            for word in &group {
                groups.insert(word.clone(), group.clone());
            }
        }
        Aliases { groups }
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Rewrites `query` as described in the module doc. Never changes
    /// anything else, so a query that parses keeps parsing.
    pub fn expand(&self, query: &str) -> String {
        if self.is_empty() {
            return query.to_string();
        }
        let mut out = String::with_capacity(query.len());
        let mut rest = query;
        while let Some(c) = rest.chars().next() {
            if c == '"' {
                // Copy a phrase verbatim up to and including its closing quote.
                let end = rest[1..].find('"').map_or(rest.len(), |i| i + 2);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            } else if is_word_char(c) {
                let end = rest.find(|c| !is_word_char(c)).unwrap_or(rest.len());
                out.push_str(&self.expand_word(&rest[..end]));
                rest = &rest[end..];
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    fn expand_word(&self, word: &str) -> String {
        // Keep a leading `+`/`-` and a `field:` prefix outside the group.
        let (sign, body) = match word.strip_prefix(['+', '-']) {
            Some(body) => (&word[..1], body),
            None => ("", word),
        };
        let (field, value) = match body.split_once(':') {
            Some((field, value)) => (&body[..=field.len()], value),
            None => ("", body),
        };
        match self.groups.get(&value.to_lowercase()) {
            Some(group) if !value.is_empty() => {
                let alternatives: Vec<&str> = group.iter().map(String::as_str).collect();
                format!("{sign}{field}({})", alternatives.join(" OR "))
            }
            _ => word.to_string(),
        }
    }
}

/// Characters of a query word; everything else (space, parentheses, quotes)
/// is syntax the parser must see untouched.
fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '"' | '[' | ']' | '{' | '}')
}

/// Only words the grammar reads as one literal can be spliced in unquoted.
fn is_plain_word(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !w.starts_with(['-', '.'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases() -> Aliases {
        Aliases::new(&HashMap::from([
            ("postgres".to_string(), "postgresql".to_string()),
            ("pg".to_string(), "postgresql".to_string()),
            ("k8s".to_string(), "kubernetes".to_string()),
        ]))
    }

    #[test]
    fn expands_bare_words_both_ways() {
        let a = aliases();
        assert_eq!(
            a.expand("Postgres vacuum"),
            "(postgresql OR pg OR postgres) vacuum"
        );
        assert_eq!(a.expand("kubernetes"), "(kubernetes OR k8s)");
    }

    #[test]
    fn keeps_sign_field_and_phrases() {
        let a = aliases();
        assert_eq!(a.expand("-k8s"), "-(kubernetes OR k8s)");
        assert_eq!(a.expand("title:k8s"), "title:(kubernetes OR k8s)");
        assert_eq!(
            a.expand("\"k8s node\" (pg)"),
            "\"k8s node\" ((postgresql OR pg OR postgres))"
        );
        assert_eq!(a.expand("\"unbalanced k8s"), "\"unbalanced k8s");
    }
}
