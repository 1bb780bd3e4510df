//! Rows as diesel sees them, and the views the rest of the registry reads.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::schema::*;
use super::types::{DayValue, DocumentValue, KeyValue};
use crate::redact::leftovers::Leftover;
use crate::redact::Finding;
use crate::report::{Flag, PublishedAmendment, PublishedReport, ReportContent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Published,
    Rejected,
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Published => "published",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Status {
        match s {
            "published" => Status::Published,
            "rejected" => Status::Rejected,
            "withdrawn" => Status::Withdrawn,
            _ => Status::Pending,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: String,
    pub status: String,
    pub content: String,
    pub title: String,
    pub industry: Option<String>,
    pub organization_size: Option<String>,
    pub severity: Option<String>,
    pub trigger: Option<String>,
    pub detection: Option<String>,
    pub incident_month: Option<String>,
    pub incident_time_of_day: Option<String>,
    pub time_to_detect_minutes: Option<i32>,
    pub time_to_mitigate_minutes: Option<i32>,
    pub time_to_resolve_minutes: Option<i32>,
    pub completeness: i32,
    pub flags: String,
    pub findings: String,
    pub placeholder_map: String,
    pub synopsis: Option<String>,
    pub rejection_reason: Option<String>,
    pub received_on: String,
    pub published_on: Option<String>,
    pub modified_on: String,
    /// See `store::cohort`; never published.
    pub cohort: Option<String>,
    pub cohort_no_size: Option<String>,
    pub cohort_no_month: Option<String>,
    pub cohort_coarse: Option<String>,
}

impl ReportRow {
    pub fn content(&self) -> Result<ReportContent, serde_json::Error> {
        serde_json::from_str(&self.content)
    }

    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = amendments)]
pub struct AmendmentRow {
    #[diesel(serialize_as = KeyValue)]
    pub id: String,
    #[diesel(serialize_as = KeyValue)]
    pub report_id: String,
    pub position: i32,
    pub text: String,
    #[diesel(serialize_as = DocumentValue)]
    pub findings: String,
    #[diesel(serialize_as = DayValue)]
    pub received_on: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = questions)]
pub struct QuestionRow {
    #[diesel(serialize_as = KeyValue)]
    pub id: String,
    #[diesel(serialize_as = KeyValue)]
    pub report_id: String,
    pub position: i32,
    pub question: String,
    #[diesel(serialize_as = DayValue)]
    pub asked_on: String,
}

/// What the receipt holder sees.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptStatus {
    pub id: Uuid,
    pub status: Status,
    /// Questions the reviewer asked; answer them with an amendment.
    pub questions: Vec<ReviewerQuestion>,
    pub rejection_reason: Option<String>,
    pub amendments: usize,
    pub received: String,
    pub published: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewerQuestion {
    pub question: String,
    pub asked: String,
}

/// One line of the review queue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueEntry {
    pub id: Uuid,
    pub title: String,
    pub received: String,
    pub age_days: i64,
    pub completeness: u8,
    pub flags: usize,
    pub amendments: usize,
}

/// Everything a reviewer needs to decide on a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewItem {
    pub id: Uuid,
    pub status: Status,
    pub content: ReportContent,
    pub findings: Vec<Finding>,
    pub flags: Vec<Flag>,
    pub completeness: u8,
    pub synopsis: Option<String>,
    pub rejection_reason: Option<String>,
    pub questions: Vec<ReviewerQuestion>,
    pub amendments: Vec<PublishedAmendment>,
    /// Tokens that might still identify (codenames, internal names).
    pub warnings: Vec<Leftover>,
    /// For a pending report: whether publishing it now would generalise its
    /// organisation size and incident month (k-anonymity), and why.
    pub anonymity: Option<super::cohort::Anonymity>,
    pub received: String,
}

pub(crate) fn month_of(day: &str) -> String {
    day.get(..7).unwrap_or(day).to_string()
}

/// The columns a published report is shown from: what the indexer, the
/// feed and the export read for every report, so none of them loads the
/// reviewer's findings or the placeholder map only to drop them.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct PublishedRow {
    pub id: String,
    pub content: String,
    pub completeness: i32,
    pub synopsis: Option<String>,
    pub published_on: Option<String>,
    pub modified_on: String,
}

impl From<&ReportRow> for PublishedRow {
    fn from(row: &ReportRow) -> Self {
        PublishedRow {
            id: row.id.clone(),
            content: row.content.clone(),
            completeness: row.completeness,
            synopsis: row.synopsis.clone(),
            published_on: row.published_on.clone(),
            modified_on: row.modified_on.clone(),
        }
    }
}

pub(crate) fn published_view(
    row: &PublishedRow,
    amendments: &[AmendmentRow],
) -> Result<PublishedReport, serde_json::Error> {
    Ok(PublishedReport {
        id: Uuid::parse_str(&row.id).unwrap_or_default(),
        content: serde_json::from_str(&row.content)?,
        synopsis: row.synopsis.clone(),
        amendments: amendments
            .iter()
            .map(|a| PublishedAmendment {
                month: month_of(&a.received_on),
                text: a.text.clone(),
            })
            .collect(),
        completeness: row.completeness.clamp(0, 100) as u8,
        published: row
            .published_on
            .clone()
            .unwrap_or_else(|| row.modified_on.clone()),
        modified: row.modified_on.clone(),
    })
}
