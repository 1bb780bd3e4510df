//! `SearchIndex`: one index directory, its single writer and its reader.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{Executor, Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::aliases::Aliases;
use crate::error::IndexError;
use crate::report::{IndexOp, IndexedReport};
use crate::schema::{self, Fields};
use crate::text::TextParser;

/// Writer heap: enough to batch a bulk import without flushing tiny segments.
const WRITER_HEAP_BYTES: usize = 50_000_000;
/// Threads that build segments: one (see `new_writer`).
const INDEXING_THREADS: usize = 1;
/// Plans `compact` makes before it leaves the segments as they are.
const COMPACT_ATTEMPTS: usize = 5;

/// Stored in each tantivy commit, so the index itself says which index event
/// it has applied and a restarted indexer knows where to resume.
#[derive(Serialize, Deserialize)]
struct CommitPayload {
    last_event_id: i64,
}

pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    /// One reader for the life of the index: searchers are cheap to take,
    /// readers are not. Reloaded by hand after each commit, so a search never
    /// sees a half-applied batch.
    pub(crate) reader: IndexReader,
    /// The only writer (tantivy allows one per directory).
    writer: Mutex<IndexWriter>,
    pub(crate) text: TextParser,
    /// Spreads a request's work over the cores: segments of a search or
    /// statistics pass, slices of a large segment, hits to render.
    pub(crate) executor: Executor,
    pub(crate) threads: usize,
    /// Each segment's statistics columns, decoded on first use.
    pub(crate) stats_columns: crate::stats::ColumnCache,
    dir: PathBuf,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and `dir`) if absent, without
    /// aliases.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<SearchIndex, IndexError> {
        SearchIndex::open(dir, &HashMap::new())
    }

    /// Opens or creates the index in `dir`. `aliases` maps an alias to its
    /// canonical technology id (`postgres` → `postgresql`). Fails with a
    /// schema error if the directory holds an index of another schema: run
    /// a reindex.
    pub fn open(
        dir: impl AsRef<Path>,
        aliases: &HashMap<String, String>,
    ) -> Result<SearchIndex, IndexError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(&dir).map_err(tantivy::TantivyError::from)?;
        let index = Index::open_or_create(directory, schema)?;
        schema::register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = new_writer(&index)?;
        let text = TextParser::new(&index, &fields, Aliases::new(aliases));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let executor = if threads > 1 {
            Executor::multi_thread(threads, "search-")?
        } else {
            Executor::single_thread()
        };
        Ok(SearchIndex {
            executor,
            threads,
            stats_columns: Default::default(),
            index,
            fields,
            reader,
            writer: Mutex::new(writer),
            text,
            dir,
        })
    }

    /// The directory this index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stages `ops` in order; nothing is visible until `commit`. Every report
    /// is converted before anything is staged, so a bad one stages nothing.
    pub fn apply(&self, ops: &[IndexOp]) -> Result<(), IndexError> {
        let docs = ops
            .iter()
            .map(|op| match op {
                IndexOp::Upsert(report) => report.to_document(&self.fields).map(Some),
                IndexOp::Delete(_) => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let writer = self.writer()?;
        for (op, doc) in ops.iter().zip(docs) {
            let id = match op {
                IndexOp::Upsert(report) => &report.id,
                IndexOp::Delete(id) => id,
            };
            // Deletes apply to documents added before them, so delete + add
            // is an upsert, even for two versions in one batch.
            writer.delete_term(Term::from_field_text(self.fields.id, id));
            if let Some(doc) = doc {
                writer.add_document(doc)?;
            }
        }
        Ok(())
    }

    /// Commits what `apply` staged, recording `last_event_id` in the same
    /// commit, then makes it visible to searches.
    pub fn commit(&self, last_event_id: i64) -> Result<(), IndexError> {
        let mut writer = self.writer()?;
        commit_with_payload(&mut writer, last_event_id)?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Makes segments merged in the background visible to searches. The
    /// reader only changes on reload, so without this a bulk import's many
    /// small segments would be searched until the next commit.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }

    /// Merges the segments down to `target` of about equal size and waits:
    /// after a bulk import, when a search over a dozen small segments costs
    /// twice as much as over a few. Not down to one: statistics scan every
    /// matching document and split the work by segment, so one segment per
    /// core keeps them parallel. Blocks the writer (not searches) meanwhile.
    pub fn compact(&self, target: usize) -> Result<(), IndexError> {
        let target = target.max(1);
        // tantivy's own merge policy may be merging some of these segments
        // in the background already: a merge naming one it has just
        // replaced is refused. Plan again from the segments as they are
        // then; compaction only saves search time, so a plan that keeps
        // losing that race is given up rather than failing the sync.
        for _ in 0..COMPACT_ATTEMPTS {
            match self.merge_into(target) {
                Ok(()) => break,
                Err(IndexError::Tantivy(tantivy::TantivyError::InvalidArgument(_))) => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => return Err(e),
            }
        }
        self.reader.reload()?;
        Ok(())
    }

    /// One attempt of `compact`: groups the current segments into `target`
    /// of about equal size and merges each group, waiting for the merges.
    fn merge_into(&self, target: usize) -> Result<(), IndexError> {
        let mut segments: Vec<(u32, tantivy::index::SegmentId)> = self
            .index
            .searchable_segment_metas()?
            .iter()
            .map(|m| (m.num_docs(), m.id()))
            .collect();
        if segments.len() <= target {
            return Ok(());
        }
        // Largest first into the lightest group: groups of similar size.
        segments.sort_by_key(|s| std::cmp::Reverse(s.0));
        let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); target];
        for (docs, id) in segments {
            let lightest = groups
                .iter_mut()
                .min_by_key(|g| g.0)
                .expect("target is at least one");
            lightest.0 += u64::from(docs);
            lightest.1.push(id);
        }
        let mut writer = self.writer()?;
        // All at once: tantivy runs them on its merge threads, one group a
        // core, where one after the other would leave the cores but one
        // idle while an import waits for its compaction.
        let merges: Vec<_> = groups
            .into_iter()
            .filter(|g| g.1.len() > 1)
            .map(|(_, ids)| writer.merge(&ids))
            .collect();
        // Each waited for, so a failed one leaves none still running when
        // `compact` plans again.
        let mut failed = None;
        for merge in merges {
            if let Err(e) = merge.wait() {
                failed.get_or_insert(e);
            }
        }
        failed.map_or(Ok(()), |e| Err(e.into()))
    }

    /// The last index event the committed index reflects; `None` for an index
    /// that never committed (replay everything).
    pub fn last_applied_event(&self) -> Result<Option<i64>, IndexError> {
        let metas = self.index.load_metas()?;
        metas
            .payload
            .map(|p| {
                serde_json::from_str::<CommitPayload>(&p)
                    .map(|c| c.last_event_id)
                    .map_err(|_| IndexError::BadPayload(p))
            })
            .transpose()
    }

    /// Identifies what searches see right now: it changes whenever a commit,
    /// a merge or a delete changes the segments, and only then. Lets callers
    /// cache answers that depend on the whole index (unfiltered statistics).
    pub fn version(&self) -> u64 {
        let searcher = self.reader.searcher();
        let mut key = crate::report::tie_order("");
        for segment in searcher.segment_readers() {
            let id = segment.segment_id().uuid_string();
            let part = format!("{id}:{}", segment.num_deleted_docs());
            key = key.rotate_left(7) ^ crate::report::tie_order(&part);
        }
        key
    }

    /// Rewrites every segment that holds deleted documents, so a withdrawn
    /// report's stored text leaves the disk now rather than at some later
    /// merge. Costs a rewrite of those segments; withdrawals are rare.
    pub fn purge_deleted(&self) -> Result<(), IndexError> {
        let stale: Vec<_> = self
            .index
            .searchable_segment_metas()?
            .iter()
            .filter(|m| m.has_deletes())
            .map(|m| m.id())
            .collect();
        if !stale.is_empty() {
            let mut writer = self.writer()?;
            for id in stale {
                writer.merge(&[id]).wait()?;
            }
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Segments searches read; see `compact`.
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Number of searchable reports.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The id of every searchable report, in no particular order: what a
    /// consistency check compares with the database's published reports.
    pub fn ids(&self) -> Result<Vec<String>, IndexError> {
        use tantivy::schema::Value;
        let searcher = self.reader.searcher();
        let docs = searcher.search(
            &tantivy::query::AllQuery,
            &tantivy::collector::DocSetCollector,
        )?;
        let mut ids = Vec::with_capacity(docs.len());
        for address in docs {
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        Ok(ids)
    }

    /// Builds a complete index of `reports` in `new_dir` (which must not exist
    /// or be empty) and commits it with `last_event` as its applied event.
    /// Returns how many reports it holds. The serving index is untouched; see
    /// `generations` for switching to the new one.
    pub fn rebuild_into(
        new_dir: impl AsRef<Path>,
        reports: impl Iterator<Item = IndexedReport>,
        last_event: i64,
    ) -> Result<u64, IndexError> {
        let new_dir = new_dir.as_ref();
        if new_dir.exists() && std::fs::read_dir(new_dir)?.next().is_some() {
            return Err(IndexError::NotEmpty(new_dir.to_path_buf()));
        }
        std::fs::create_dir_all(new_dir)?;
        let (schema, fields) = schema::build();
        let index = Index::create_in_dir(new_dir, schema)?;
        schema::register_tokenizers(&index);
        let mut writer = new_writer(&index)?;
        let mut count = 0;
        for report in reports {
            writer.add_document(report.to_document(&fields)?)?;
            count += 1;
        }
        commit_with_payload(&mut writer, last_event)?;
        // Let merges finish so the swapped-in index is compact from the start.
        writer.wait_merging_threads()?;
        Ok(count)
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, IndexError> {
        self.writer.lock().map_err(|_| IndexError::WriterPoisoned)
    }
}

fn new_writer(index: &Index) -> Result<IndexWriter, IndexError> {
    // One indexing thread, with the whole heap. Two cost more CPU for each
    // report indexed: each thread builds segments of its own, so there are
    // twice as many half-size segments to write and then to merge, and on a
    // small server the second thread only competes with the indexer's own
    // (which reads the log and builds the documents) and with whatever
    // feeds the log. On 2 cores the search bench measured 269 µs of
    // tantivy CPU per report with two threads and 191 with one, and a
    // 100,000-report import ran 20 % faster.
    Ok(index.writer_with_num_threads(INDEXING_THREADS, WRITER_HEAP_BYTES)?)
}

fn commit_with_payload(writer: &mut IndexWriter, last_event_id: i64) -> Result<(), IndexError> {
    let payload = serde_json::to_string(&CommitPayload { last_event_id })
        .expect("a struct of one integer serialises");
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}
