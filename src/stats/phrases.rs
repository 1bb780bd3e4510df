//! "Most common lessons": phrases of two to four words that recur across
//! the lessons learned of different reports, counted once per report.

use std::collections::{BTreeMap, HashSet};

/// Words a phrase may not start or end with: they make "of the cache"
/// and "the cache" two phrases for one idea.
const EDGE_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "before", "but", "by", "do", "for", "from", "has",
    "have", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "should", "so", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we",
    "were", "when", "which", "while", "with", "will", "would", "you", "your", "not", "no", "can",
    "all", "any", "more", "must", "need", "every",
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Phrase {
    pub phrase: String,
    /// Reports whose lessons contain it.
    pub reports: u64,
}

/// The `limit` phrases found in the most reports (at least `min_reports`),
/// dropping a phrase that only ever appears inside a longer listed one.
pub fn common_phrases(reports: &[Vec<String>], min_reports: u64, limit: usize) -> Vec<Phrase> {
    let mut df: BTreeMap<String, u64> = BTreeMap::new();
    for lessons in reports {
        let mut seen = HashSet::new();
        for lesson in lessons {
            let words: Vec<String> = lesson
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            for n in 2..=4 {
                for window in words.windows(n) {
                    let edge = |w: &String| EDGE_WORDS.contains(&w.as_str());
                    if edge(&window[0]) || edge(&window[n - 1]) {
                        continue;
                    }
                    // Placeholders carry no lesson.
                    if window.iter().any(|w| w.chars().all(|c| c.is_ascii_digit())) {
                        continue;
                    }
                    seen.insert(window.join(" "));
                }
            }
        }
        for phrase in seen {
            *df.entry(phrase).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, u64)> = df
        .into_iter()
        .filter(|(_, n)| *n >= min_reports.max(2))
        .collect();
    // Longer phrases first among equals: they say more.
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| b.0.split(' ').count().cmp(&a.0.split(' ').count()))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut out: Vec<Phrase> = Vec::new();
    for (phrase, n) in ranked {
        if out.len() == limit {
            break;
        }
        let padded = format!(" {phrase} ");
        if out
            .iter()
            .any(|p| p.reports == n && format!(" {} ", p.phrase).contains(&padded))
        {
            continue;
        }
        out.push(Phrase { phrase, reports: n });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurring_phrases_rank_by_reports_and_subphrases_fold_in() {
        let reports = vec![
            vec!["Alert on certificate expiry for every link of the chain.".to_string()],
            vec!["We should alert on certificate expiry earlier.".to_string()],
            vec![
                "Alert on certificate expiry.".to_string(),
                "Alert on certificate expiry again.".to_string(),
            ],
            vec!["Test restores regularly.".to_string()],
            vec!["Test restores from backups.".to_string()],
        ];
        let got = common_phrases(&reports, 2, 5);
        assert_eq!(
            got[0],
            Phrase {
                phrase: "alert on certificate expiry".into(),
                reports: 3
            }
        );
        // "certificate expiry" appears in the same three reports: folded in.
        assert!(!got.iter().any(|p| p.phrase == "certificate expiry"));
        assert!(got
            .iter()
            .any(|p| p.phrase == "test restores" && p.reports == 2));
        assert!(common_phrases(&reports, 4, 5).is_empty());
    }
}
