//! The de-identified report: what is stored, reviewed and published. It has
//! no declared terms, no absolute times (the incident start is a month and a
//! 6-hour block, timeline entries are offsets from the start) and its
//! vocabularies are normalised to taxonomy ids.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::submission::{ActionItem, Impact};

// These are outputs (stored, published, exported); `PublishedReport`
// flattens `ReportContent`, which serde cannot combine with
// `deny_unknown_fields`. Input strictness lives on `Submission`.

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReportContent {
    pub title: String,
    pub summary: String,
    pub narrative: String,
    pub industry: Option<String>,
    pub organization_size: Option<String>,
    pub incident: IncidentFacts,
    pub technologies: Vec<String>,
    pub trigger: Option<String>,
    pub contributing_factors: Vec<String>,
    pub mitigations: Vec<String>,
    pub human_factors: Vec<String>,
    pub timeline: Vec<TimelineOffset>,
    pub root_causes: Vec<String>,
    pub five_whys: Vec<String>,
    pub lessons_learned: Vec<String>,
    pub action_items: Vec<ActionItem>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct IncidentFacts {
    /// `YYYY-MM`, the month the incident started.
    #[schema(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: Option<String>,
    /// `YYYY`: present only when the month was withheld at publication
    /// because too few published reports shared the industry, size and
    /// quarter (k-anonymity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[0-9]{4}$")]
    pub year: Option<String>,
    /// The 6-hour block of the day it started in (local time as written):
    /// `00-06`, `06-12`, `12-18` or `18-24`, as ASRS publishes it.
    pub time_of_day: Option<String>,
    pub severity: Option<String>,
    pub detection: Option<String>,
    pub time_to_detect_minutes: Option<u32>,
    pub time_to_mitigate_minutes: Option<u32>,
    pub time_to_resolve_minutes: Option<u32>,
    pub impact: Option<Impact>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TimelineOffset {
    /// Offset from the incident start: `T+0`, `T+14m`, `T+1d3h`.
    pub offset: String,
    pub event: String,
}

/// Every text of a report, with the name of its field, in a stable order.
/// Used by redaction and by anything that must look at all the prose.
impl ReportContent {
    pub fn texts_mut(&mut self) -> Vec<(String, &mut String)> {
        let mut out: Vec<(String, &mut String)> = vec![
            ("title".into(), &mut self.title),
            ("summary".into(), &mut self.summary),
            ("narrative".into(), &mut self.narrative),
        ];
        if let Some(impact) = self.incident.impact.as_mut() {
            if let Some(d) = impact.description.as_mut() {
                out.push(("incident.impact.description".into(), d));
            }
        }
        for (i, t) in self.timeline.iter_mut().enumerate() {
            out.push((format!("timeline[{i}].event"), &mut t.event));
        }
        for (name, list) in [
            ("root_causes", &mut self.root_causes),
            ("five_whys", &mut self.five_whys),
            ("lessons_learned", &mut self.lessons_learned),
        ] {
            for (i, s) in list.iter_mut().enumerate() {
                out.push((format!("{name}[{i}]"), s));
            }
        }
        for (i, a) in self.action_items.iter_mut().enumerate() {
            out.push((format!("action_items[{i}].description"), &mut a.description));
        }
        out
    }
}

/// A report as the public reads it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PublishedReport {
    pub id: uuid::Uuid,
    #[serde(flatten)]
    pub content: ReportContent,
    /// A reviewer-written synopsis, when there is one.
    #[serde(default)]
    pub synopsis: Option<String>,
    #[serde(default)]
    pub amendments: Vec<PublishedAmendment>,
    /// Completeness score, 0–100.
    #[serde(default)]
    pub completeness: u8,
    /// Registry dates, to the day: when the report was published and last changed.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub published: String,
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub modified: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PublishedAmendment {
    /// The month the amendment was received.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}$")]
    pub month: String,
    pub text: String,
}
