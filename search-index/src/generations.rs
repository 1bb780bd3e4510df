//! Swapping a rebuilt index in without readers ever seeing a half-built one.
//!
//! Layout under the index root:
//!
//! ```text
//! index/
//!   CURRENT          one line: the name of the active generation, e.g. gen-000002
//!   gen-000001/      the previous index, removable once nothing uses it
//!   gen-000002/      the active tantivy index
//!   gen-000003/      being built by `reindex`
//! ```
//!
//! A reindex builds into a fresh generation (`new_generation` +
//! `SearchIndex::rebuild_into`), then `swap` writes `CURRENT.tmp` and renames
//! it over `CURRENT`. `rename` is atomic, so `CURRENT` always names a complete
//! index; a crash mid-build leaves only an unused directory. Renaming the index
//! directories themselves cannot do this: a directory cannot be renamed over a
//! non-empty one, so there would be a moment with no index. A symlink would
//! work as well on Unix, but a file behaves the same everywhere. The server
//! keeps answering from the old generation until it reopens with
//! `SearchIndex::open_current`; open files stay readable after the caller
//! removes the old directory.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::IndexError;
use crate::index::SearchIndex;

const CURRENT: &str = "CURRENT";
const PREFIX: &str = "gen-";

/// The active generation's directory, if `root` has one.
pub fn current_generation(root: &Path) -> Result<Option<PathBuf>, IndexError> {
    let name = match fs::read_to_string(root.join(CURRENT)) {
        Ok(name) => name,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let name = name.trim();
    if generation_number(name).is_none() || !root.join(name).is_dir() {
        return Err(IndexError::BadCurrent(root.to_path_buf()));
    }
    Ok(Some(root.join(name)))
}

/// Creates and returns an empty directory for the next generation.
pub fn new_generation(root: &Path) -> Result<PathBuf, IndexError> {
    fs::create_dir_all(root)?;
    let mut last = 0;
    for entry in fs::read_dir(root)? {
        if let Some(n) = entry?.file_name().to_str().and_then(generation_number) {
            last = last.max(n);
        }
    }
    let dir = root.join(format!("{PREFIX}{:06}", last + 1));
    fs::create_dir(&dir)?;
    Ok(dir)
}

/// Makes `new_generation` (a directory directly under `root`) the active one
/// and returns the previous one, which the caller removes once it has
/// reopened.
pub fn swap(root: &Path, new_generation: &Path) -> Result<Option<PathBuf>, IndexError> {
    let name = new_generation
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| generation_number(n).is_some() && root.join(n).is_dir())
        .ok_or_else(|| IndexError::BadCurrent(root.to_path_buf()))?;
    let previous = current_generation(root)?;
    let tmp = root.join("CURRENT.tmp");
    let mut file = fs::File::create(&tmp)?;
    writeln!(file, "{name}")?;
    file.sync_all()?;
    fs::rename(&tmp, root.join(CURRENT))?;
    // Persist the rename itself; directories can be fsynced on Unix only.
    #[cfg(unix)]
    fs::File::open(root)?.sync_all()?;
    Ok(previous.filter(|p| p.as_path() != root.join(name)))
}

/// Removes every generation older than `keep` (a directory under `root`):
/// the leftovers of earlier reindexes, once nothing reads them. Newer ones
/// are left alone, since a reindex may be building one right now.
pub fn remove_older(root: &Path, keep: &Path) -> Result<usize, IndexError> {
    let Some(keep) = keep
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(generation_number)
    else {
        return Ok(0);
    };
    let mut removed = 0;
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let older = entry
            .file_name()
            .to_str()
            .and_then(generation_number)
            .is_some_and(|n| n < keep);
        if older && entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

impl SearchIndex {
    /// Opens the active generation under `root`, creating the first one on
    /// an empty root.
    pub fn open_current(
        root: impl AsRef<Path>,
        aliases: &HashMap<String, String>,
    ) -> Result<SearchIndex, IndexError> {
        let root = root.as_ref();
        let dir = match current_generation(root)? {
            Some(dir) => dir,
            None => {
                let dir = new_generation(root)?;
                swap(root, &dir)?;
                dir
            }
        };
        match SearchIndex::open(&dir, aliases) {
            // Built by a version whose schema or analyzer differs (the
            // analyzer's name is part of the schema): its terms cannot answer
            // this version's queries. The database is the source of truth, so
            // start an empty generation, which the indexer fills from the
            // event log as it does for a new registry.
            Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError(_))) => {
                let fresh = new_generation(root)?;
                swap(root, &fresh)?;
                SearchIndex::open(fresh, aliases)
            }
            opened => opened,
        }
    }
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?.parse().ok()
}
