//! The index's own view of a published report, and its tantivy document.

use serde::{Deserialize, Serialize};
use tantivy::schema::Facet;
use tantivy::TantivyDocument;

use crate::error::IndexError;
use crate::schema::Fields;

/// What the index needs of a published report (the caller maps its report
/// type into this, so this crate never depends on the service crate).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedReport {
    /// UUID text.
    pub id: String,
    pub title: String,
    pub summary: String,
    pub narrative: String,
    pub root_causes: Vec<String>,
    pub lessons: Vec<String>,
    /// Event texts.
    pub timeline: Vec<String>,
    pub amendments: Vec<String>,
    /// (category, id), e.g. `("database", "postgresql")`.
    pub technologies: Vec<(String, String)>,
    pub trigger: Option<String>,
    pub contributing_factors: Vec<String>,
    pub mitigations: Vec<String>,
    pub industry: Option<String>,
    pub severity: Option<String>,
    pub detection: Option<String>,
    /// "YYYY-MM".
    pub month: Option<String>,
    /// "YYYY", for a report whose month was withheld; ignored when `month`
    /// is given.
    pub year: Option<String>,
    pub time_to_detect_minutes: Option<u32>,
    pub time_to_mitigate_minutes: Option<u32>,
    pub time_to_resolve_minutes: Option<u32>,
    pub completeness: u8,
    /// The registry day it was published, "YYYY-MM-DD".
    pub published: Option<String>,
}

/// One change to the index, in the order the event log gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
// Ops live briefly in one batch; boxing the report would only burden callers.
#[allow(clippy::large_enum_variant)]
pub enum IndexOp {
    /// Add the report, replacing any earlier version with the same id.
    Upsert(IndexedReport),
    /// Remove the report with this id (withdrawn); a no-op if absent.
    Delete(String),
}

/// Parses "YYYY-MM" into the `YYYYMM` number the fast field holds, so that
/// numeric order is chronological order.
pub fn month_number(month: &str) -> Option<u64> {
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: u64 = y.parse().ok()?;
    let m: u64 = m.parse().ok()?;
    (1..=12).contains(&m).then_some(y * 100 + m)
}

/// Parses "YYYY-MM-DD" into `YYYYMMDD`.
pub fn day_number(day: &str) -> Option<u64> {
    let (month, d) = day.rsplit_once('-')?;
    let d: u64 = d.parse().ok().filter(|d| (1..=31).contains(d))?;
    Some(month_number(month)? * 100 + d)
}

/// FNV-1a of the id: fixed by its definition, unlike std's hasher, so the
/// order is the same in every build and version of the index.
pub fn tie_order(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A one-level facet `/value`. `Facet::from_path` escapes any `/` inside.
pub fn flat_facet(value: &str) -> Facet {
    Facet::from_path([value])
}

impl IndexedReport {
    /// Builds the tantivy document. Fails only on a malformed month, which the
    /// service validates before publishing, so it signals a bug upstream.
    pub fn to_document(&self, f: &Fields) -> Result<TantivyDocument, IndexError> {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &self.id);
        doc.add_u64(f.id_order, tie_order(&self.id));
        doc.add_text(f.title, &self.title);
        doc.add_text(f.summary, &self.summary);
        doc.add_text(f.narrative, &self.narrative);
        for (field, values) in [
            (f.root_causes, &self.root_causes),
            (f.lessons, &self.lessons),
            (f.timeline, &self.timeline),
            (f.amendments, &self.amendments),
        ] {
            for v in values {
                doc.add_text(field, v);
            }
        }
        for (category, id) in &self.technologies {
            doc.add_facet(
                f.technology,
                Facet::from_path([category.as_str(), id.as_str()]),
            );
            doc.add_facet(f.tech, flat_facet(id));
            doc.add_text(f.tags, id);
        }
        if let Some(t) = &self.trigger {
            doc.add_facet(f.trigger, flat_facet(t));
            doc.add_text(f.tags, t);
        }
        for v in &self.contributing_factors {
            doc.add_facet(f.factor, flat_facet(v));
        }
        for v in &self.mitigations {
            doc.add_facet(f.mitigation, flat_facet(v));
        }
        for (field, value) in [
            (f.industry, &self.industry),
            (f.severity, &self.severity),
            (f.detection, &self.detection),
        ] {
            if let Some(v) = value {
                doc.add_facet(field, flat_facet(v));
            }
        }
        if let Some(month) = &self.month {
            let n = month_number(month).ok_or_else(|| IndexError::InvalidReport {
                id: self.id.clone(),
                message: format!("month {month:?} is not YYYY-MM"),
            })?;
            doc.add_u64(f.month, n);
            doc.add_facet(f.year, flat_facet(&(n / 100).to_string()));
            doc.add_text(f.month_text, month);
        } else if let Some(year) = &self.year {
            let valid = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
            if !valid {
                return Err(IndexError::InvalidReport {
                    id: self.id.clone(),
                    message: format!("year {year:?} is not YYYY"),
                });
            }
            doc.add_facet(f.year, flat_facet(year));
        }
        // Absent durations are left unset, so range filters skip them rather
        // than treating them as zero minutes.
        for (field, value) in [
            (f.ttd, self.time_to_detect_minutes),
            (f.ttm, self.time_to_mitigate_minutes),
            (f.ttr, self.time_to_resolve_minutes),
        ] {
            if let Some(v) = value {
                doc.add_u64(field, u64::from(v));
            }
        }
        doc.add_u64(f.completeness, u64::from(self.completeness));
        if let Some(day) = &self.published {
            let n = day_number(day).ok_or_else(|| IndexError::InvalidReport {
                id: self.id.clone(),
                message: format!("published day {day:?} is not YYYY-MM-DD"),
            })?;
            doc.add_u64(f.published, n);
        }
        Ok(doc)
    }
}
