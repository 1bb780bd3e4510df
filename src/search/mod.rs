//! The registry's side of search. The database is the source of truth; the
//! tantivy index (owned by the `search-index` crate) is derived from it:
//!
//! * `document` maps a published report into what the index holds;
//! * `indexer` is the one task that owns the index writer and follows the
//!   `index_events` log, so whatever the database committed reaches the
//!   index, even across a crash;
//! * `reindex` rebuilds a fresh index generation from the database alone,
//!   which the running server picks up without a restart.

pub mod document;
mod indexer;
mod reindex;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use search_index::{generations, IndexError, SearchIndex};

pub use document::indexed;
pub use indexer::{spawn_indexer, SyncError};
pub use reindex::reindex;

use crate::report::taxonomy::taxonomy;

/// The serving index and what the indexer needs to keep it current.
pub struct Search {
    root: PathBuf,
    aliases: HashMap<String, String>,
    current: RwLock<Arc<SearchIndex>>,
    /// Generations replaced by a reindex, kept until no search uses them.
    retired: Mutex<Vec<Arc<SearchIndex>>>,
    /// Wakes the indexer at once after a publish instead of at its next poll.
    wake: tokio::sync::Notify,
    /// Events applied since the index was last compacted, when the latest
    /// of them was, and the longest pause between a running import's
    /// transactions: what decides when to compact (see `Search::sync`).
    bulk: Mutex<indexer::Backlog>,
}

impl Search {
    /// Opens the active generation under `root` (creating the first), and
    /// removes older generations left by earlier reindexes.
    pub fn open(root: &Path) -> Result<Search, IndexError> {
        let aliases = taxonomy().technology_aliases();
        let index = SearchIndex::open_current(root, &aliases)?;
        generations::remove_older(root, index.dir())?;
        Ok(Search {
            root: root.to_path_buf(),
            aliases,
            current: RwLock::new(Arc::new(index)),
            retired: Mutex::new(Vec::new()),
            wake: tokio::sync::Notify::new(),
            bulk: Mutex::new(indexer::Backlog::default()),
        })
    }

    /// The index searches should use now.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Tells the indexer the log has grown.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}
