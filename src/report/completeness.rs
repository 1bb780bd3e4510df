//! The completeness checklist: the questions a good public postmortem
//! answers, each with a hint for the submitter when it is missing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::content::ReportContent;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ChecklistItem {
    pub item: String,
    pub present: bool,
    /// What to add when the item is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Completeness {
    /// Share of checklist items answered, 0–100.
    pub score: u8,
    pub checklist: Vec<ChecklistItem>,
}

pub fn assess(c: &ReportContent) -> Completeness {
    let i = &c.incident;
    let impact_described = i.impact.as_ref().is_some_and(|im| {
        im.description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty())
            || im.users_affected.is_some()
            || !im.categories.is_empty()
    });
    let items: [(&str, bool, &str); 10] = [
        (
            "start and end time",
            i.month.is_some() && i.time_to_resolve_minutes.is_some(),
            "Give incident.started_at and incident.time_to_resolve_minutes; only the month is published.",
        ),
        (
            "who and what was impacted",
            impact_described,
            "Describe the impact: who was affected, how many users, and whether data was lost.",
        ),
        (
            "what went wrong",
            !c.root_causes.is_empty() || c.trigger.is_some(),
            "Name the trigger and at least one root cause.",
        ),
        (
            "lessons learned",
            !c.lessons_learned.is_empty(),
            "Add what your team learned; it is what other teams read first.",
        ),
        (
            "technologies involved",
            !c.technologies.is_empty(),
            "List the technologies involved so others running them can find this report.",
        ),
        (
            "five whys",
            c.five_whys.len() >= 2,
            "Ask why the failure happened, then why that happened, a few levels deep.",
        ),
        (
            "human elements",
            !c.human_factors.is_empty(),
            "Note human factors such as handoffs, fatigue or time pressure; they are never blamed on a person.",
        ),
        (
            "what others can learn",
            !c.contributing_factors.is_empty() || !c.mitigations.is_empty(),
            "List contributing factors and what mitigated the incident, so others can check their own systems.",
        ),
        (
            "time to detect",
            i.time_to_detect_minutes.is_some() && i.detection.is_some(),
            "Say how the incident was detected and how many minutes that took.",
        ),
        (
            "action items",
            !c.action_items.is_empty(),
            "List the follow-up actions and their status.",
        ),
    ];
    let present = items.iter().filter(|(_, p, _)| *p).count();
    Completeness {
        score: (present * 100 / items.len()) as u8,
        checklist: items
            .iter()
            .map(|(item, p, hint)| ChecklistItem {
                item: item.to_string(),
                present: *p,
                hint: (!p).then(|| hint.to_string()),
            })
            .collect(),
    }
}
