//! What a submitter sends: the questions a good public postmortem answers,
//! plus the book-keeping an operations team keeps. Only `title`, `summary`
//! and `narrative` are required; real postmortems are often incomplete.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A postmortem as submitted. Never stored: it exists only inside the
/// request that redacts it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub title: String,
    pub summary: String,
    /// The postmortem body, Markdown.
    pub narrative: String,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub organization_size: Option<String>,
    #[serde(default)]
    pub incident: Option<Incident>,
    #[serde(default)]
    pub technologies: Vec<String>,
    #[serde(default)]
    pub trigger: Option<String>,
    #[serde(default)]
    pub contributing_factors: Vec<String>,
    #[serde(default)]
    pub mitigations: Vec<String>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    #[serde(default)]
    pub root_causes: Vec<String>,
    #[serde(default)]
    pub five_whys: Vec<String>,
    #[serde(default)]
    pub lessons_learned: Vec<String>,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
    #[serde(default)]
    pub human_factors: Vec<String>,
    /// Names only the submitter knows are identifying. Used for redaction
    /// and dropped.
    #[serde(default)]
    pub declared_terms: DeclaredTerms,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// RFC 3339. Published as its month and 6-hour block only.
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub detection: Option<String>,
    #[serde(default)]
    pub time_to_detect_minutes: Option<u32>,
    #[serde(default)]
    pub time_to_mitigate_minutes: Option<u32>,
    #[serde(default)]
    pub time_to_resolve_minutes: Option<u32>,
    #[serde(default)]
    pub impact: Option<Impact>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    /// `none`, `few`, `some`, `most`, `all`.
    #[serde(default)]
    pub users_affected: Option<String>,
    #[serde(default)]
    pub data_loss: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    /// Impact categories from the taxonomy (full-outage, data-loss, …).
    #[serde(default)]
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// RFC 3339, `YYYY-MM-DD HH:MM`, `HH:MM` (the day of the incident start)
    /// or an offset such as `T+14m`.
    pub at: String,
    pub event: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionItem {
    pub description: String,
    /// `open`, `in-progress`, `done`, `wont-do`.
    #[serde(default)]
    pub status: Option<String>,
}

/// Identifying terms the submitter declares. Each kind gets its own
/// placeholder family (`[ORG]`, `[PRODUCT-1]`, `[PERSON-1]`, …).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeclaredTerms {
    #[serde(default)]
    pub organization: Vec<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub people: Vec<String>,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub other: Vec<String>,
}

impl DeclaredTerms {
    pub fn is_empty(&self) -> bool {
        self.organization.is_empty()
            && self.products.is_empty()
            && self.people.is_empty()
            && self.locations.is_empty()
            && self.other.is_empty()
    }
}

/// A follow-up from the receipt holder: an answer to a reviewer's question,
/// a correction, or what was learned later. Redacted like a submission.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentSubmission {
    pub text: String,
    #[serde(default)]
    pub declared_terms: DeclaredTerms,
}

/// A whole Markdown postmortem, in the common layouts (Summary, Impact,
/// Timeline, Root cause, Lessons learned, Action items, …): sections are
/// mapped to fields by `report::markdown`, the rest kept in the narrative.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownSubmission {
    pub markdown: String,
    #[serde(default)]
    pub declared_terms: DeclaredTerms,
}
