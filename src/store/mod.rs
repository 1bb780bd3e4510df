//! Storage: the diesel schema, the connection pool, and the report lifecycle
//! (submit → pending → published / rejected → withdrawn) as transactions.
//!
//! Errors: functions here return `StoreError`; the HTTP layer maps it to
//! status codes in one place (`api::error`).

pub mod cohort;
mod events;
mod lifecycle;
mod models;
mod pool;
mod reviewers;
pub mod schema;

use thiserror::Error;

pub use events::*;
pub use lifecycle::*;
pub use models::*;
pub use pool::{Connection, Store};
pub use reviewers::*;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("migrations: {0}")]
    Migration(String),
    #[error("stored data is malformed: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("blocking task failed")]
    Blocking,
}

/// Today, UTC, as `YYYY-MM-DD`: the only precision registry dates carry.
pub fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}
