//! Error types. `IndexError` is for opening and writing (the indexer and
//! `reindex` handle it); `SearchError` is for a user's query, and every
//! variant but `Index` is the user's fault (the API maps those to 400).

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("report {id}: {message}")]
    InvalidReport { id: String, message: String },
    #[error("commit payload is not ours: {0:?}")]
    BadPayload(String),
    #[error("CURRENT file in {0} names no valid generation")]
    BadCurrent(PathBuf),
    #[error("{0} must be a new, empty directory")]
    NotEmpty(PathBuf),
    #[error("the index writer lock was poisoned by a panic")]
    WriterPoisoned,
}

#[derive(Debug, Error)]
pub enum SearchError {
    /// The query text does not parse. `position` is a byte offset in the
    /// text the user typed, when it can be told.
    #[error("query syntax: {message}")]
    Syntax {
        position: Option<usize>,
        message: String,
        hint: String,
    },
    #[error("results beyond {limit} are not served; narrow the query")]
    TooDeep { limit: usize },
    #[error("invalid {name}: {message}")]
    InvalidParameter { name: &'static str, message: String },
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
}
