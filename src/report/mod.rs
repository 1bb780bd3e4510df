//! Submissions and reports: the types, their validation, the taxonomy they
//! are normalised against, and the completeness checklist.

pub mod completeness;
pub mod content;
pub mod markdown;
pub mod moment;
pub mod parse;
pub mod submission;
pub mod taxonomy;
pub mod validate;

pub use content::{
    IncidentFacts, PublishedAmendment, PublishedReport, ReportContent, TimelineOffset,
};
pub use submission::{AmendmentSubmission, DeclaredTerms, Submission};
pub use validate::{validate, FieldError, Flag, ValidSubmission};
