//! `SearchIndex`: one index directory, its single writer and its reader.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::LogMergePolicy;
use tantivy::{Executor, Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::aliases::Aliases;
use crate::error::IndexError;
use crate::report::{IndexOp, IndexedReport};
use crate::schema::{self, Fields};
use crate::text::TextParser;

/// Writer heap: the most an in-memory segment may hold before tantivy
/// flushes it, whatever the commits. Enough for everything a backlog's
/// commit (a second of indexing, `MAX_UNCOMMITTED` in the server's indexer)
/// brings, so each commit makes one segment. At 50 MB a second's 16,000
/// reports were cut at about 15,500, leaving a tiny segment beside each,
/// and more segments meant more merging: a 300,000-report import spent
/// 264 and 267 µs of tantivy CPU per report in two runs at 50 MB, 204 to
/// 220 in five at 200 MB. The arena grows a megabyte page at a time as
/// documents arrive, so a server that commits a few reports at a time uses
/// no more memory for this.
const WRITER_HEAP_BYTES: usize = 200_000_000;
/// Segments of more documents than this are left to `compact`, which
/// follows every bulk import and rebuild. Without the cap, tantivy's merge
/// policy merged eight segments of about 80,000 documents, or more, in the
/// middle of some million-report imports, only for the compaction at the
/// end to rewrite them all again; whether it did depended on timing. With
/// it, most documents of an import are rewritten twice (once merged with
/// their neighbours, once compacted). In million-report imports, tantivy spent
/// 0.69 and 0.71 of the CPU of everything else in two runs with the cap,
/// 0.69 to 0.84 in four without. Publications trickling in make small
/// segments, which still merge among themselves.
const POLICY_MAX_DOCS: usize = 64_000;
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

    /// One attempt of `compact`.
    fn merge_into(&self, target: usize) -> Result<(), IndexError> {
        let groups = plan_groups(&self.index.searchable_segment_metas()?, target);
        merge_groups(&mut *self.writer()?, groups)
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
        // Compact, as after a bulk import, so the swapped-in index is
        // compact from the start: the merge policy leaves large segments.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let metas = index.searchable_segment_metas()?;
        merge_groups(&mut writer, plan_groups(&metas, cores))?;
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
    let writer: IndexWriter = index.writer_with_num_threads(INDEXING_THREADS, WRITER_HEAP_BYTES)?;
    writer.set_merge_policy(Box::new(merge_policy()));
    Ok(writer)
}

/// tantivy's log merge policy, for segments of at most `POLICY_MAX_DOCS`.
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(POLICY_MAX_DOCS);
    policy
}

/// Groups `segments` into at most `target` groups of about equal size, for
/// merging: largest first into the lightest group. Empty when there are
/// `target` segments or fewer already.
fn plan_groups(segments: &[SegmentMeta], target: usize) -> Vec<Vec<SegmentId>> {
    let target = target.max(1);
    if segments.len() <= target {
        return Vec::new();
    }
    let mut sized: Vec<(u32, SegmentId)> =
        segments.iter().map(|m| (m.num_docs(), m.id())).collect();
    sized.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut groups: Vec<(u64, Vec<SegmentId>)> = vec![(0, Vec::new()); target];
    for (docs, id) in sized {
        let lightest = groups
            .iter_mut()
            .min_by_key(|g| g.0)
            .expect("target is at least one");
        lightest.0 += u64::from(docs);
        lightest.1.push(id);
    }
    groups
        .into_iter()
        .map(|(_, ids)| ids)
        .filter(|ids| ids.len() > 1)
        .collect()
}

/// Merges each group and waits for all of them.
fn merge_groups(writer: &mut IndexWriter, groups: Vec<Vec<SegmentId>>) -> Result<(), IndexError> {
    // All at once: tantivy runs them on its merge threads, one group a
    // core, where one after the other would leave the cores but one
    // idle while an import waits for its compaction.
    let merges: Vec<_> = groups.iter().map(|ids| writer.merge(ids)).collect();
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

fn commit_with_payload(writer: &mut IndexWriter, last_event_id: i64) -> Result<(), IndexError> {
    let payload = serde_json::to_string(&CommitPayload { last_event_id })
        .expect("a struct of one integer serialises");
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentId;
    use tantivy::merge_policy::MergePolicy;
    use tantivy::Index;

    use super::{merge_policy, plan_groups, POLICY_MAX_DOCS};
    use crate::schema;

    fn segments(index: &Index, docs: &[u32]) -> Vec<tantivy::index::SegmentMeta> {
        docs.iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    #[test]
    fn the_merge_policy_merges_small_segments_and_leaves_large_ones_to_compaction() {
        let index = Index::create_in_ram(schema::build().0);
        let policy = merge_policy();
        // A trickle of publications: eight small segments are merged.
        let small = segments(&index, &[1, 1, 2, 3, 5, 8, 13, 21]);
        let planned = policy.compute_merge_candidates(&small);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].0.len(), 8);
        // Eight segments a bulk import left, each above the cap: none is
        // merged, since the compaction after the import rewrites them all.
        let large = POLICY_MAX_DOCS as u32 + 1;
        let big = segments(&index, &[large; 8]);
        assert!(policy.compute_merge_candidates(&big).is_empty());
        // With both, only the small ones.
        let mixed: Vec<_> = big.iter().chain(&small).cloned().collect();
        let planned = policy.compute_merge_candidates(&mixed);
        let small_ids: Vec<_> = small.iter().map(|m| m.id()).collect();
        assert_eq!(planned.len(), 1);
        assert!(planned[0].0.iter().all(|id| small_ids.contains(id)));
    }

    #[test]
    fn compaction_plans_groups_of_about_equal_size() {
        let index = Index::create_in_ram(schema::build().0);
        let metas = segments(&index, &[500, 400, 300, 200, 100, 100]);
        let groups = plan_groups(&metas, 2);
        assert_eq!(groups.len(), 2);
        let docs = |ids: &Vec<SegmentId>| -> u32 {
            ids.iter()
                .map(|id| metas.iter().find(|m| m.id() == *id).unwrap().num_docs())
                .sum()
        };
        let sizes: Vec<u32> = groups.iter().map(docs).collect();
        assert_eq!(sizes.iter().sum::<u32>(), 1600);
        assert!(sizes.iter().all(|&s| s == 800), "{sizes:?}");
        // Already at the target: nothing to merge.
        assert!(plan_groups(&metas[..2], 2).is_empty());
    }
}
