//! Everything in nearmiss that touches tantivy: the schema, the single
//! writer that applies index events, search with facets and snippets, and
//! "similar incidents".
//!
//! This crate knows nothing of the service: callers map their published
//! report into an [`IndexedReport`] and pass the taxonomy's aliases in.
//! Errors: [`IndexError`] for opening and writing, [`SearchError`] for a
//! user's query (all variants but `Index` are the user's to fix).

mod aliases;
mod error;
mod facets;
pub mod generations;
mod grams;
mod hit;
mod index;
mod pass;
mod query;
mod report;
mod schema;
mod search;
mod similar;
mod stats;
mod stems;
mod text;

pub use aliases::Aliases;
pub use error::{IndexError, SearchError};
pub use facets::Facets;
pub use hit::Hit;
pub use index::SearchIndex;
pub use query::{Filters, SearchQuery, Sort, MAX_DEPTH, MAX_PER_PAGE};
pub use report::{IndexOp, IndexedReport};
pub use search::SearchResults;
pub use stats::{log_buckets, DurationSamples, Histogram, RawStats, Summary, DIMENSIONS, MEASURES};
