//! Validation of a submission: limits, required fields and vocabularies,
//! with a message per field. Closed vocabularies reject unknown values with
//! the allowed list; open ones keep them, normalised, and flag them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::submission::{AmendmentSubmission, DeclaredTerms, Submission};
use super::taxonomy::{taxonomy, Resolved, Vocabulary};

/// Limits on every part of a submission. The HTTP body limit sits above
/// these and is enforced before parsing.
pub mod limits {
    pub const BODY_BYTES: usize = 1024 * 1024;
    pub const TITLE_CHARS: usize = 200;
    pub const SUMMARY_CHARS: usize = 4_000;
    pub const NARRATIVE_BYTES: usize = 256 * 1024;
    pub const ITEM_CHARS: usize = 4_000;
    pub const LIST_ITEMS: usize = 100;
    pub const TIMELINE_ENTRIES: usize = 200;
    pub const TECHNOLOGIES: usize = 50;
    pub const VOCABULARY_VALUE_CHARS: usize = 64;
    pub const DECLARED_TERMS_PER_KIND: usize = 200;
    pub const DECLARED_TERM_CHARS: usize = 200;
    pub const AMENDMENT_BYTES: usize = 64 * 1024;
    pub const REVIEWER_NOTE_CHARS: usize = 4_000;
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A value outside the taxonomy, kept and shown to the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Flag {
    pub field: String,
    pub value: String,
    pub message: String,
}

#[derive(Debug, Default)]
struct Checker {
    errors: Vec<FieldError>,
    flags: Vec<Flag>,
}

impl Checker {
    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn text(&mut self, field: &str, value: &str, max_chars: usize, required: bool) {
        if required && value.trim().is_empty() {
            self.error(field, "must not be empty");
        }
        let n = value.chars().count();
        if n > max_chars {
            self.error(
                field,
                format!("is {n} characters long; the limit is {max_chars}"),
            );
        }
        if value.contains('\0') {
            self.error(field, "must not contain NUL characters");
        }
    }

    fn list(&mut self, field: &str, values: &[String], max_items: usize) {
        if values.len() > max_items {
            self.error(
                field,
                format!("has {} items; the limit is {max_items}", values.len()),
            );
        }
        for (i, v) in values.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), v, limits::ITEM_CHARS, true);
        }
    }

    /// Resolve one vocabulary value: canonical id, or normalised + flagged
    /// (open vocabulary), or an error listing the allowed ids (closed).
    fn vocabulary(&mut self, field: &str, vocabulary: Vocabulary, value: &str) -> String {
        if value.contains('\0') {
            self.error(field, "must not contain NUL characters");
            return value.to_string();
        }
        if value.chars().count() > limits::VOCABULARY_VALUE_CHARS {
            self.error(
                field,
                format!(
                    "is longer than {} characters",
                    limits::VOCABULARY_VALUE_CHARS
                ),
            );
            return value.to_string();
        }
        match taxonomy().resolve(vocabulary, value) {
            Resolved::Known(id) => id,
            Resolved::Unknown(id) if vocabulary.is_open() => {
                if id.is_empty() {
                    self.error(field, "must not be empty");
                } else {
                    self.flags.push(Flag {
                        field: field.to_string(),
                        value: id.clone(),
                        message: format!("`{id}` is not in the {} taxonomy", vocabulary.table()),
                    });
                }
                id
            }
            Resolved::Unknown(_) => {
                let allowed: Vec<&str> = taxonomy()
                    .terms(vocabulary)
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect();
                self.error(
                    field,
                    format!("unknown value; allowed: {}", allowed.join(", ")),
                );
                value.to_string()
            }
        }
    }

    fn vocabulary_list(&mut self, field: &str, vocabulary: Vocabulary, values: &mut Vec<String>) {
        if values.len() > limits::LIST_ITEMS {
            self.error(field, format!("has more than {} items", limits::LIST_ITEMS));
            return;
        }
        let mut out: Vec<String> = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            let id = self.vocabulary(&format!("{field}[{i}]"), vocabulary, v);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        *values = out;
    }

    fn declared_terms(&mut self, terms: &DeclaredTerms) {
        for (kind, list) in [
            ("organization", &terms.organization),
            ("products", &terms.products),
            ("people", &terms.people),
            ("locations", &terms.locations),
            ("other", &terms.other),
        ] {
            let field = format!("declared_terms.{kind}");
            if list.len() > limits::DECLARED_TERMS_PER_KIND {
                self.error(
                    &field,
                    format!("has more than {} terms", limits::DECLARED_TERMS_PER_KIND),
                );
            }
            for (i, t) in list.iter().enumerate() {
                self.text(
                    &format!("{field}[{i}]"),
                    t,
                    limits::DECLARED_TERM_CHARS,
                    true,
                );
            }
        }
    }

    fn finish<T>(self, value: T) -> Result<(T, Vec<Flag>), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok((value, self.flags))
        } else {
            Err(self.errors)
        }
    }
}

/// A submission that passed validation, its vocabularies normalised.
#[derive(Debug, Clone)]
pub struct ValidSubmission {
    pub submission: Submission,
    pub flags: Vec<Flag>,
}

pub fn validate(mut s: Submission) -> Result<ValidSubmission, Vec<FieldError>> {
    let mut c = Checker::default();
    c.text("title", &s.title, limits::TITLE_CHARS, true);
    c.text("summary", &s.summary, limits::SUMMARY_CHARS, true);
    if s.narrative.trim().is_empty() {
        c.error("narrative", "must not be empty");
    }
    if s.narrative.contains('\0') {
        c.error("narrative", "must not contain NUL characters");
    }
    if s.narrative.len() > limits::NARRATIVE_BYTES {
        c.error(
            "narrative",
            format!(
                "is {} bytes long; the limit is {}",
                s.narrative.len(),
                limits::NARRATIVE_BYTES
            ),
        );
    }
    if let Some(v) = s.industry.take() {
        s.industry = Some(c.vocabulary("industry", Vocabulary::Industry, &v));
    }
    if let Some(v) = s.organization_size.take() {
        s.organization_size =
            Some(c.vocabulary("organization_size", Vocabulary::OrganizationSize, &v));
    }
    if let Some(v) = s.trigger.take() {
        s.trigger = Some(c.vocabulary("trigger", Vocabulary::Trigger, &v));
    }
    if let Some(incident) = s.incident.as_mut() {
        if let Some(v) = incident.severity.take() {
            incident.severity = Some(c.vocabulary("incident.severity", Vocabulary::Severity, &v));
        }
        if let Some(v) = incident.detection.take() {
            incident.detection =
                Some(c.vocabulary("incident.detection", Vocabulary::Detection, &v));
        }
        if let Some(at) = incident.started_at.as_deref() {
            if chrono::DateTime::parse_from_rfc3339(at.trim()).is_err() {
                c.error(
                    "incident.started_at",
                    "must be an RFC 3339 date-time such as 2023-11-03T02:14:00+01:00",
                );
            }
        }
        let ttd = incident.time_to_detect_minutes;
        let ttm = incident.time_to_mitigate_minutes;
        let ttr = incident.time_to_resolve_minutes;
        for (field, v) in [
            ("incident.time_to_detect_minutes", ttd),
            ("incident.time_to_mitigate_minutes", ttm),
            ("incident.time_to_resolve_minutes", ttr),
        ] {
            // A year of minutes: anything longer is a unit mistake.
            if v.is_some_and(|m| m > 525_600) {
                c.error(field, "is more than a year in minutes");
            }
        }
        if let (Some(m), Some(r)) = (ttm, ttr) {
            if r < m {
                c.error(
                    "incident.time_to_resolve_minutes",
                    "is shorter than time_to_mitigate_minutes",
                );
            }
        }
        if let Some(impact) = incident.impact.as_mut() {
            if let Some(d) = impact.description.as_deref() {
                c.text("incident.impact.description", d, limits::ITEM_CHARS, false);
            }
            if let Some(u) = impact.users_affected.as_deref() {
                if !["none", "few", "some", "most", "all"].contains(&u) {
                    c.error(
                        "incident.impact.users_affected",
                        "unknown value; allowed: none, few, some, most, all",
                    );
                }
            }
            let mut cats = std::mem::take(&mut impact.categories);
            c.vocabulary_list(
                "incident.impact.categories",
                Vocabulary::ImpactCategory,
                &mut cats,
            );
            impact.categories = cats;
        }
    }
    if s.technologies.len() > limits::TECHNOLOGIES {
        c.error(
            "technologies",
            format!("has more than {} items", limits::TECHNOLOGIES),
        );
    } else {
        let mut techs: Vec<String> = Vec::new();
        for (i, t) in s.technologies.iter().enumerate() {
            let field = format!("technologies[{i}]");
            if t.chars().count() > limits::VOCABULARY_VALUE_CHARS {
                c.error(&field, "is too long for a technology name");
                continue;
            }
            if t.contains('\0') {
                c.error(&field, "must not contain NUL characters");
                continue;
            }
            let id = match taxonomy().resolve_technology(t) {
                Resolved::Known(id) => id,
                Resolved::Unknown(id) if id.is_empty() => {
                    c.error(&field, "must not be empty");
                    continue;
                }
                Resolved::Unknown(id) => {
                    c.flags.push(Flag {
                        field: field.clone(),
                        value: id.clone(),
                        message: format!("`{id}` is not in the technology taxonomy"),
                    });
                    id
                }
            };
            if !techs.contains(&id) {
                techs.push(id);
            }
        }
        s.technologies = techs;
    }
    c.vocabulary_list(
        "contributing_factors",
        Vocabulary::ContributingFactor,
        &mut s.contributing_factors,
    );
    c.vocabulary_list("mitigations", Vocabulary::Mitigation, &mut s.mitigations);
    c.vocabulary_list(
        "human_factors",
        Vocabulary::HumanFactor,
        &mut s.human_factors,
    );
    if s.timeline.len() > limits::TIMELINE_ENTRIES {
        c.error(
            "timeline",
            format!(
                "has {} entries; the limit is {}",
                s.timeline.len(),
                limits::TIMELINE_ENTRIES
            ),
        );
    }
    for (i, t) in s.timeline.iter().enumerate() {
        c.text(&format!("timeline[{i}].at"), &t.at, 64, true);
        if !t.at.trim().is_empty() && super::moment::parse_moment(&t.at).is_none() {
            c.error(
                format!("timeline[{i}].at"),
                "must be RFC 3339, `YYYY-MM-DD HH:MM`, `HH:MM` or an offset such as `T+14m`",
            );
        }
        c.text(
            &format!("timeline[{i}].event"),
            &t.event,
            limits::ITEM_CHARS,
            true,
        );
    }
    c.list("root_causes", &s.root_causes, limits::LIST_ITEMS);
    c.list("five_whys", &s.five_whys, limits::LIST_ITEMS);
    c.list("lessons_learned", &s.lessons_learned, limits::LIST_ITEMS);
    if s.action_items.len() > limits::LIST_ITEMS {
        c.error(
            "action_items",
            format!("has more than {} items", limits::LIST_ITEMS),
        );
    }
    for (i, a) in s.action_items.iter().enumerate() {
        c.text(
            &format!("action_items[{i}].description"),
            &a.description,
            limits::ITEM_CHARS,
            true,
        );
        if let Some(st) = a.status.as_deref() {
            if !["open", "in-progress", "done", "wont-do"].contains(&st) {
                c.error(
                    format!("action_items[{i}].status"),
                    "unknown value; allowed: open, in-progress, done, wont-do",
                );
            }
        }
    }
    c.declared_terms(&s.declared_terms);
    let (submission, flags) = c.finish(s)?;
    Ok(ValidSubmission { submission, flags })
}

pub fn validate_amendment(a: &AmendmentSubmission) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::default();
    if a.text.trim().is_empty() {
        c.error("text", "must not be empty");
    }
    if a.text.len() > limits::AMENDMENT_BYTES {
        c.error(
            "text",
            format!("is longer than {} bytes", limits::AMENDMENT_BYTES),
        );
    }
    if a.text.contains('\0') {
        c.error("text", "must not contain NUL characters");
    }
    c.declared_terms(&a.declared_terms);
    c.finish(()).map(|_| ())
}

pub fn validate_declared_terms(terms: &DeclaredTerms) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::default();
    c.declared_terms(terms);
    c.finish(()).map(|_| ())
}

/// A reviewer's synopsis, rejection reason or question.
pub fn validate_reviewer_note(field: &str, text: &str) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::default();
    c.text(field, text, limits::REVIEWER_NOTE_CHARS, true);
    c.finish(()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Submission {
        Submission {
            title: "t".into(),
            summary: "s".into(),
            narrative: "n".into(),
            ..Default::default()
        }
    }

    #[test]
    fn nul_characters_are_refused_everywhere() {
        let mut s = minimal();
        s.narrative = "a\0b".into();
        s.technologies = vec!["re\0dis".into()];
        s.trigger = Some("dep\0loy".into());
        let fields: Vec<String> = validate(s)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["narrative", "trigger", "technologies[0]"]);
        let a = AmendmentSubmission {
            text: "x\0".into(),
            ..Default::default()
        };
        assert_eq!(validate_amendment(&a).unwrap_err()[0].field, "text");
    }

    #[test]
    fn open_vocabularies_keep_and_flag_unknown_values() {
        let mut s = minimal();
        s.technologies = vec!["Postgres".into(), "pg".into(), "Hermes Queue".into()];
        s.trigger = Some("Solar Flare".into());
        let v = validate(s).unwrap();
        assert_eq!(v.submission.technologies, ["postgresql", "hermes-queue"]);
        assert_eq!(v.submission.trigger.as_deref(), Some("solar-flare"));
        assert_eq!(v.flags.len(), 2);
    }

    #[test]
    fn closed_vocabularies_reject_with_the_allowed_list() {
        let mut s = minimal();
        s.industry = Some("piracy".into());
        let e = validate(s).unwrap_err();
        assert_eq!(e[0].field, "industry");
        assert!(e[0].message.contains("fintech"), "{}", e[0].message);
    }

    #[test]
    fn required_fields_must_not_be_blank() {
        let mut s = minimal();
        s.title = "  ".into();
        let e = validate(s).unwrap_err();
        assert_eq!(e[0].field, "title");
    }
}
