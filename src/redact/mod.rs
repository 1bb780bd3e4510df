//! De-identification: a validated submission in, a report that points back to
//! no company and no person out, plus findings that say what was replaced
//! (kind, placeholder, fields, count — never the original value).
//!
//! Pure functions, no I/O: this runs in the request handler before anything
//! is stored or logged.

mod declared;
mod detect;
pub mod time;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::report::completeness::{assess, Completeness};
use crate::report::submission::DeclaredTerms;
use crate::report::{Flag, IncidentFacts, ReportContent, ValidSubmission};

pub use declared::DeclaredMatcher;
use detect::Span;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Organization,
    Product,
    Person,
    Location,
    Term,
    Email,
    Url,
    Ip,
    /// A placeholder already in the text; left as it is.
    #[serde(skip)]
    Kept,
}

impl FindingKind {
    fn prefix(self) -> &'static str {
        match self {
            FindingKind::Organization => "ORG",
            FindingKind::Product => "PRODUCT",
            FindingKind::Person => "PERSON",
            FindingKind::Location => "LOCATION",
            FindingKind::Term => "TERM",
            FindingKind::Email => "EMAIL",
            FindingKind::Url => "URL",
            FindingKind::Ip => "IP",
            FindingKind::Kept => "",
        }
    }
}

/// One placeholder and where it was used. Never carries the original value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    pub placeholder: String,
    pub fields: Vec<String>,
    pub count: usize,
}

/// Replaces identifying text with typed placeholders, consistently across
/// every field given to the same `Redactor`.
pub struct Redactor {
    declared: DeclaredMatcher,
    assigned: BTreeMap<(FindingKind, String), String>,
    next: BTreeMap<FindingKind, usize>,
    findings: BTreeMap<String, Finding>,
}

impl Redactor {
    pub fn new(terms: &DeclaredTerms) -> Redactor {
        Redactor {
            declared: DeclaredMatcher::new(terms),
            assigned: BTreeMap::new(),
            next: BTreeMap::new(),
            findings: BTreeMap::new(),
        }
    }

    fn placeholder(&mut self, kind: FindingKind, key: &str) -> String {
        if let Some(p) = self.assigned.get(&(kind, key.to_string())) {
            return p.clone();
        }
        let n = self.next.entry(kind).or_insert(0);
        *n += 1;
        // The submitting organisation is `[ORG]`; only a second one is numbered.
        let p = if kind == FindingKind::Organization && *n == 1 {
            "[ORG]".to_string()
        } else {
            format!("[{}-{}]", kind.prefix(), n)
        };
        self.assigned.insert((kind, key.to_string()), p.clone());
        p
    }

    /// The text with every identifying span replaced.
    pub fn redact(&mut self, field: &str, text: &str) -> String {
        let mut spans: Vec<Span> = Vec::new();
        detect::placeholders(text, &mut spans);
        detect::urls(text, &mut spans);
        detect::emails(text, &mut spans);
        detect::ipv6(text, &mut spans);
        detect::ipv4(text, &mut spans);
        self.declared.find(text, &mut spans);
        // Leftmost first; at the same start the longest wins (a URL over the
        // organisation name inside it). Kept placeholders are never cut.
        spans.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then((b.kind == FindingKind::Kept).cmp(&(a.kind == FindingKind::Kept)))
        });
        let mut out = String::with_capacity(text.len());
        let mut cursor = 0;
        for span in spans {
            if span.start < cursor {
                continue;
            }
            out.push_str(&text[cursor..span.start]);
            if span.kind == FindingKind::Kept {
                out.push_str(&text[span.start..span.end]);
            } else {
                let p = self.placeholder(span.kind, &span.key);
                out.push_str(&p);
                let f = self.findings.entry(p.clone()).or_insert_with(|| Finding {
                    kind: span.kind,
                    placeholder: p,
                    fields: Vec::new(),
                    count: 0,
                });
                f.count += 1;
                if !f.fields.iter().any(|x| x == field) {
                    f.fields.push(field.to_string());
                }
            }
            cursor = span.end;
        }
        out.push_str(&text[cursor..]);
        out
    }

    pub fn findings(&self) -> Vec<Finding> {
        let mut f: Vec<Finding> = self.findings.values().cloned().collect();
        f.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.placeholder.cmp(&b.placeholder)));
        f
    }
}

/// A submission after de-identification: what may be stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deidentified {
    pub content: ReportContent,
    pub findings: Vec<Finding>,
    pub flags: Vec<Flag>,
    pub completeness: Completeness,
}

/// The whole de-identification of a validated submission. Declared terms are
/// used here and dropped.
pub fn deidentify(valid: ValidSubmission) -> Deidentified {
    let ValidSubmission {
        submission: s,
        flags,
    } = valid;
    let mut redactor = Redactor::new(&s.declared_terms);
    let incident = s.incident.unwrap_or_default();
    let (month, time_of_day) = incident
        .started_at
        .as_deref()
        .and_then(time::month_and_block)
        .unzip();
    let mut content = ReportContent {
        title: s.title,
        summary: s.summary,
        narrative: s.narrative,
        industry: s.industry,
        organization_size: s.organization_size,
        incident: IncidentFacts {
            month,
            time_of_day,
            severity: incident.severity,
            detection: incident.detection,
            time_to_detect_minutes: incident.time_to_detect_minutes,
            time_to_mitigate_minutes: incident.time_to_mitigate_minutes,
            time_to_resolve_minutes: incident.time_to_resolve_minutes,
            impact: incident.impact,
        },
        technologies: s.technologies,
        trigger: s.trigger,
        contributing_factors: s.contributing_factors,
        mitigations: s.mitigations,
        human_factors: s.human_factors,
        timeline: time::to_offsets(incident.started_at.as_deref(), &s.timeline),
        root_causes: s.root_causes,
        five_whys: s.five_whys,
        lessons_learned: s.lessons_learned,
        action_items: s.action_items,
    };
    for (field, text) in content.texts_mut() {
        *text = redactor.redact(&field, text);
    }
    let completeness = assess(&content);
    Deidentified {
        content,
        findings: redactor.findings(),
        flags,
        completeness,
    }
}

/// De-identify one free text (an amendment, a reviewer's synopsis) with its
/// own declared terms.
pub fn deidentify_text(field: &str, text: &str, terms: &DeclaredTerms) -> (String, Vec<Finding>) {
    let mut r = Redactor::new(terms);
    let out = r.redact(field, text);
    (out, r.findings())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> DeclaredTerms {
        DeclaredTerms {
            organization: vec!["Acme Pay".into()],
            people: vec!["Maria Lopez".into(), "Ken".into()],
            ..Default::default()
        }
    }

    #[test]
    fn replaces_consistently_across_fields() {
        let mut r = Redactor::new(&terms());
        let a = r.redact(
            "summary",
            "Acme Pay's gateway failed; Maria Lopez paged Ken.",
        );
        let b = r.redact(
            "narrative",
            "ACME PAY saw it at 10.1.2.3 and mail maria@acmepay.example, https://status.acmepay.example/x. Ken's fix.",
        );
        assert_eq!(a, "[ORG]'s gateway failed; [PERSON-1] paged [PERSON-2].");
        assert_eq!(
            b,
            "[ORG] saw it at [IP-1] and mail [EMAIL-1], [URL-1]. [PERSON-2]'s fix."
        );
        let f = r.findings();
        let org = f.iter().find(|x| x.placeholder == "[ORG]").unwrap();
        assert_eq!((org.count, org.fields.len()), (2, 2));
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("Maria") && !json.contains("10.1.2.3"));
    }

    #[test]
    fn whole_words_only_and_placeholders_survive() {
        let mut r = Redactor::new(&terms());
        assert_eq!(
            r.redact("f", "Kenneth and Token and [PERSON-9]"),
            "Kenneth and Token and [PERSON-9]"
        );
    }
}
