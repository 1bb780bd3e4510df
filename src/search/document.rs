//! A published report as the index sees it.

use search_index::IndexedReport;

use crate::report::taxonomy::taxonomy;
use crate::report::PublishedReport;

/// Category used for a technology the taxonomy does not know (the submission
/// schema lets one through, flagged for the reviewer).
const UNCATEGORISED: &str = "other";

pub fn indexed(report: &PublishedReport) -> IndexedReport {
    let c = &report.content;
    let mut summary = c.summary.clone();
    // A reviewer's synopsis is part of what a reader sees first.
    if let Some(synopsis) = &report.synopsis {
        summary.push('\n');
        summary.push_str(synopsis);
    }
    IndexedReport {
        id: report.id.to_string(),
        title: c.title.clone(),
        summary,
        narrative: c.narrative.clone(),
        root_causes: c.root_causes.iter().chain(&c.five_whys).cloned().collect(),
        lessons: c
            .lessons_learned
            .iter()
            .cloned()
            .chain(c.action_items.iter().map(|a| a.description.clone()))
            .collect(),
        timeline: c.timeline.iter().map(|t| t.event.clone()).collect(),
        amendments: report.amendments.iter().map(|a| a.text.clone()).collect(),
        technologies: c
            .technologies
            .iter()
            .map(|id| {
                let category = taxonomy()
                    .technology(id)
                    .map_or(UNCATEGORISED, |t| t.category.as_str());
                (category.to_string(), id.clone())
            })
            .collect(),
        trigger: c.trigger.clone(),
        contributing_factors: c.contributing_factors.clone(),
        mitigations: c.mitigations.clone(),
        industry: c.industry.clone(),
        severity: c.incident.severity.clone(),
        detection: c.incident.detection.clone(),
        month: c.incident.month.clone(),
        year: c.incident.year.clone(),
        time_to_detect_minutes: c.incident.time_to_detect_minutes,
        time_to_mitigate_minutes: c.incident.time_to_mitigate_minutes,
        time_to_resolve_minutes: c.incident.time_to_resolve_minutes,
        completeness: report.completeness,
        published: Some(report.published.clone()),
    }
}
