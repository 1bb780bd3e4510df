//! Storage: the diesel schema, the connection pool (SQLite or PostgreSQL),
//! and the report lifecycle
//! (submit → pending → published / rejected → withdrawn) as transactions.
//!
//! Errors: functions here return `StoreError`; the HTTP layer maps it to
//! status codes in one place (`api::error`).

mod backend;
pub mod cohort;
mod events;
mod lifecycle;
mod models;
mod pool;
mod reviewers;
pub mod schema;
pub mod types;

use thiserror::Error;

pub use backend::{AnyConnection, Kind};
pub use events::*;
pub use lifecycle::*;
pub use models::*;
pub use pool::{Connection, PoolOptions, Store};
pub use reviewers::*;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// No connection within the pool's timeout: the database is down,
    /// unreachable or saturated.
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The database could not be reached when the registry opened it.
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
    #[error("migrations: {0}")]
    Migration(String),
    #[error("stored data is malformed: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("blocking task failed")]
    Blocking,
}

impl StoreError {
    /// The database is down, unreachable, saturated or restarting: the
    /// request may succeed later (HTTP 503), nothing is wrong with it.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            StoreError::Pool(_) | StoreError::Unreachable(_) => true,
            StoreError::Database(Error::BrokenTransactionManager) => true,
            StoreError::Database(Error::DatabaseError(kind, info)) => {
                let message = info.message();
                matches!(kind, DatabaseErrorKind::ClosedConnection)
                    || [
                        "server closed the connection",
                        "no connection to the server",
                        "terminating connection",
                        "connection to server",
                        "could not receive data",
                        "could not send data",
                        "statement timeout",
                        "lock timeout",
                        "the database system is",
                        "database is locked",
                    ]
                    .iter()
                    .any(|m| message.contains(m))
            }
            _ => false,
        }
    }
}

/// Today, UTC, as `YYYY-MM-DD`: the only precision registry dates carry.
pub fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}
