//! Demo data: a generated, realistic sample registry, so one command shows a
//! new user a living registry. Generated reports go through the same
//! validation and de-identification as real submissions.

mod generator;

pub use generator::generate;

use crate::redact::deidentify;
use crate::report::validate;
use crate::store::{self, Store, StoreError};

pub const DEFAULT_COUNT: usize = 500;
pub const DEFAULT_SEED: u64 = 2026;

/// Generate `count` reports and publish them. Returns how many went in.
/// Publishes under k-anonymity with `k` (see `store::cohort`).
pub fn load(store: &Store, count: usize, seed: u64, k: u64) -> Result<usize, StoreError> {
    let deidentified: Vec<_> = generate(count, seed)
        .into_iter()
        .filter_map(|s| validate(s).ok())
        .map(deidentify)
        .collect();
    let mut conn = store.conn()?;
    let mut loaded = 0;
    for chunk in deidentified.chunks(500) {
        loaded += store::import_batch_with_k(&mut conn, chunk, Some("demo"), k)?.len();
    }
    Ok(loaded)
}
