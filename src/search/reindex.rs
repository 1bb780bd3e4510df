//! `nearmiss reindex`: a complete index built from the database alone, into
//! a new generation that is swapped in atomically. A running server keeps
//! answering from the old generation until its indexer sees the swap, then
//! replays the events recorded since the rebuild's snapshot.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use search_index::{generations, SearchIndex};

use super::{indexed, SyncError};
use crate::store::{self, Store, StoreError};

/// Reports read from the database at a time.
const PAGE: i64 = 500;

#[derive(Debug)]
pub struct Reindexed {
    pub reports: u64,
    pub generation: PathBuf,
    /// The generation it replaced; removed by the server once it has
    /// switched (or at its next start).
    pub previous: Option<PathBuf>,
}

/// Rebuilds the index under `root`. `total` is told the number of published
/// reports first, then `progress` the number indexed so far.
pub fn reindex(
    store: &Store,
    root: &Path,
    total: impl FnOnce(u64),
    progress: impl Fn(u64),
) -> Result<Reindexed, SyncError> {
    let mut conn = store.conn()?;
    // Read the log position before the reports: anything published after it
    // is both in the rebuild and replayed later, which is harmless; reading
    // it after could skip a change.
    let snapshot = store::last_event_id(&mut conn)?;
    total(store::count_published(&mut conn)?.max(0) as u64);
    let generation = generations::new_generation(root)?;

    let failure: RefCell<Option<StoreError>> = RefCell::new(None);
    let mut after: Option<String> = None;
    let mut page = Vec::new().into_iter();
    let mut done = 0u64;
    let reports = std::iter::from_fn(|| loop {
        if let Some(report) = page.next() {
            done += 1;
            progress(done);
            return Some(indexed(&report));
        }
        if failure.borrow().is_some() {
            return None;
        }
        match store::published_page(&mut conn, after.as_deref(), PAGE) {
            Ok(next) if next.is_empty() => return None,
            Ok(next) => {
                after = next.last().map(|r| r.id.to_string());
                page = next.into_iter();
            }
            Err(e) => {
                *failure.borrow_mut() = Some(e);
                return None;
            }
        }
    });
    let built = SearchIndex::rebuild_into(&generation, reports, snapshot);
    let failed = failure.into_inner();
    if built.is_err() || failed.is_some() {
        // Never leave a half-built generation for anyone to pick up.
        let _ = std::fs::remove_dir_all(&generation);
    }
    if let Some(e) = failed {
        return Err(e.into());
    }
    let reports = built?;
    let previous = generations::swap(root, &generation)?;
    Ok(Reindexed {
        reports,
        generation,
        previous,
    })
}
