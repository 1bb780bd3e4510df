//! The indexer: the one task that writes to the search index.
//!
//! It follows the `index_events` log in id order. Each event only says
//! "report X changed", and the indexer reads X's current state from the
//! database (published → upsert, anything else → delete), so applying an
//! event twice is harmless and a replay converges on the database. The id of
//! the last applied event is stored inside the tantivy commit itself, so
//! after a crash between a database commit and an index commit the restarted
//! indexer resumes exactly where the index stops.
//!
//! Batching: the indexer drains whatever the log holds and commits when it
//! runs dry, or every `MAX_UNCOMMITTED` while a long backlog drains, so a
//! publish is searchable at once when idle and within about a second under
//! load. Event ids are assigned inside the publishing transaction and SQLite
//! serialises writers, so an event never becomes visible after one with a
//! higher id.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use search_index::{generations, IndexError, IndexOp, SearchIndex};
use thiserror::Error;

use super::{indexed, Search};
use crate::store::{self, Connection, Store, StoreError};

/// Events read from the log at a time.
const BATCH: i64 = 2_000;
/// Longest time applied events stay uncommitted while a backlog drains.
const MAX_UNCOMMITTED: Duration = Duration::from_secs(1);
/// At least this many events applied since the last compaction were a bulk
/// import (or a replay after one): its segments are merged into as many as
/// there are cores once the log has gone quiet.
const BULK: usize = 10_000;
/// The shortest quiet that ends a bulk import. Compacting during an import
/// would rewrite the whole index at each of its pauses, so the import's
/// indexing cost would grow with the square of its size.
const QUIET: Duration = Duration::from_secs(2);
/// The longest. An import stores its reports in transactions of thousands
/// (`transfer::PER_TRANSACTION`), and between two of them the indexer finds
/// the log dry for as long as it takes to de-identify and store the next:
/// ten to twenty seconds at a million reports, far more than `QUIET`. So
/// the quiet that ends an import is twice the longest pause seen between
/// its transactions, within these bounds; a silence of this long forgets
/// the pauses learnt, so publications trickling in later compact promptly.
const MAX_QUIET: Duration = Duration::from_secs(120);
/// How often the log and the active generation are checked without a wake:
/// other processes (`nearmiss import`, `nearmiss reindex`) write too.
const POLL: Duration = Duration::from_secs(1);

/// What `Search::sync` remembers between calls to decide on compaction.
#[derive(Debug, Default)]
pub struct Backlog {
    since_compaction: usize,
    /// Events applied since the log was last silent for `MAX_QUIET`: once
    /// they are a bulk import's worth, the pauses between them are an
    /// import's, worth learning. A few publications shortly before an
    /// import are not: the gap after them is no pause of the import's.
    since_silence: usize,
    last_applied: Option<Instant>,
    /// The longest time between two syncs that applied events since the log
    /// was last silent for `MAX_QUIET`, counting only pauses after a bulk
    /// import's worth of events (`since_silence`): how far apart a running
    /// import's transactions land.
    longest_pause: Duration,
    /// Compactions since the process started: the search bench prints how
    /// many ran before its import ended.
    compactions: u64,
}

impl Backlog {
    /// Counts a sync that applied `applied` events at `now`. Compaction is
    /// due after a bulk import's worth of events, once the log has been
    /// quiet for twice its longest pause (see `MAX_QUIET`); until then the
    /// merge policy keeps the number of segments in check.
    fn record(&mut self, applied: usize, now: Instant) -> bool {
        if applied > 0 {
            if let Some(at) = self.last_applied {
                let pause = now.duration_since(at);
                if pause >= MAX_QUIET {
                    self.longest_pause = Duration::ZERO;
                    self.since_silence = 0;
                } else if self.since_silence >= BULK {
                    self.longest_pause = self.longest_pause.max(pause);
                }
            }
            self.since_compaction += applied;
            self.since_silence += applied;
            self.last_applied = Some(now);
            return false;
        }
        let wait = (self.longest_pause * 2).clamp(QUIET, MAX_QUIET);
        let quiet = self
            .last_applied
            .is_none_or(|at| now.duration_since(at) >= wait);
        self.since_compaction >= BULK && quiet
    }

    /// The index was compacted: counting starts again, and the pauses learnt
    /// still hold if the import goes on.
    fn compacted(&mut self) {
        self.since_compaction = 0;
        self.compactions += 1;
    }
}

#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl Search {
    /// Brings the index up to date with the log: switches to a newer
    /// generation if a reindex swapped one in, then applies every event the
    /// index lacks. Returns the number of events applied.
    pub fn sync(&self, store: &Store) -> Result<usize, SyncError> {
        self.follow_generation()?;
        self.release_retired();
        let mut conn = store.conn()?;
        let index = self.index();
        let (applied, deleted) = apply_log(&index, &mut conn)?;
        if deleted {
            index.purge_deleted()?;
        }
        if self.compaction_due(applied) {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            index.compact(cores)?;
            self.backlog().compacted();
        } else {
            index.reload()?;
        }
        Ok(applied)
    }

    /// How many times `sync` has compacted the index.
    pub fn compactions(&self) -> u64 {
        self.backlog().compactions
    }

    /// Counts `applied` into the backlog since the last compaction, and says
    /// whether the index should be compacted now.
    fn compaction_due(&self, applied: usize) -> bool {
        self.backlog().record(applied, Instant::now())
    }

    fn backlog(&self) -> std::sync::MutexGuard<'_, Backlog> {
        self.bulk
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens the generation `CURRENT` names if it is not the one in use.
    fn follow_generation(&self) -> Result<(), IndexError> {
        let Some(active) = generations::current_generation(&self.root)? else {
            return Ok(());
        };
        if active.as_path() == self.index().dir() {
            return Ok(());
        }
        let fresh = Arc::new(SearchIndex::open(&active, &self.aliases)?);
        let old = std::mem::replace(
            &mut *self
                .current
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            fresh,
        );
        tracing::info!(generation = %active.display(), "switched to a rebuilt search index");
        self.retired
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(old);
        Ok(())
    }

    /// Drops replaced generations no search still holds, and their files.
    fn release_retired(&self) {
        let mut retired = self
            .retired
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if retired.is_empty() {
            return;
        }
        retired.retain(|index| Arc::strong_count(index) > 1);
        if retired.is_empty() {
            let active = self.index();
            if let Err(e) = generations::remove_older(&self.root, active.dir()) {
                tracing::warn!(error = %e, "could not remove an old search index generation");
            }
        }
    }
}

/// Applies every event after the index's last applied one; see the module
/// doc for batching.
/// Returns the events applied and whether any withdrawal or redaction was
/// among them.
fn apply_log(index: &SearchIndex, conn: &mut Connection) -> Result<(usize, bool), SyncError> {
    let mut last = index.last_applied_event()?.unwrap_or(0);
    let mut applied = 0;
    let mut deleted = false;
    let mut uncommitted_since: Option<Instant> = None;
    loop {
        let store::EventBatch {
            events,
            mut published,
        } = store::events_with_reports_after(conn, last, BATCH)?;
        let Some(newest) = events.last().map(|e| e.id) else {
            break;
        };
        // Several events for one report in a batch need one operation, in
        // the position of its last event.
        let mut seen = HashSet::new();
        let mut ops = Vec::new();
        for event in events.iter().rev() {
            if seen.insert(event.report_id.as_str()) {
                ops.push(match published.remove(&event.report_id) {
                    Some(report) => IndexOp::Upsert(indexed(&report)),
                    None => IndexOp::Delete(event.report_id.clone()),
                });
            }
        }
        ops.reverse();
        // A withdrawal or a reviewer's extra redaction must take the old
        // text off the disk, not just out of search results.
        deleted |= events
            .iter()
            .any(|e| e.kind == "withdraw" || e.kind == "redact");
        index.apply(&ops)?;
        applied += events.len();
        last = newest;
        let since = *uncommitted_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= MAX_UNCOMMITTED {
            index.commit(last)?;
            uncommitted_since = None;
        }
    }
    if uncommitted_since.is_some() {
        index.commit(last)?;
    }
    Ok((applied, deleted))
}

/// Runs the indexer on the current runtime until the process ends. After a
/// wake-up it waits `gather` (zero by default) so that a burst of publishes
/// lands in one commit.
pub fn spawn_indexer(search: Arc<Search>, store: Store, gather: Duration) {
    actix_web::rt::spawn(async move {
        let mut warming: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            let (s, st) = (search.clone(), store.clone());
            let synced = tokio::task::spawn_blocking(move || s.sync(&st)).await;
            // New or merged segments get their statistics columns decoded
            // off the indexer's path, so neither the next batch nor the
            // first `/stats` after it waits for that.
            if warming.as_ref().is_none_or(|w| w.is_finished()) {
                let index = search.index();
                warming = Some(tokio::task::spawn_blocking(move || {
                    if let Err(e) = index.warm_stats() {
                        tracing::warn!(error = %e, "decoding statistics columns failed");
                    }
                }));
            }
            match synced {
                Ok(Ok(n)) if n > 0 => tracing::debug!(events = n, "indexed"),
                Ok(Ok(_)) => {}
                // The events stay in the log; the next round retries them.
                Ok(Err(e)) => tracing::error!(error = %e, "indexing failed; will retry"),
                Err(_) => tracing::error!("the indexer panicked; will retry"),
            }
            tokio::select! {
                _ = search.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            if !gather.is_zero() {
                tokio::time::sleep(gather).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Backlog, BULK, MAX_QUIET, QUIET};

    #[test]
    fn a_bulk_import_is_compacted_once_the_log_goes_quiet_not_at_its_pauses() {
        let mut backlog = Backlog::default();
        let mut now = Instant::now();
        // An import in transactions of 2,000, the indexer finding the log
        // dry between them.
        for _ in 0..(3 * BULK / 2_000) {
            now += Duration::from_millis(700);
            assert!(!backlog.record(2_000, now));
            now += Duration::from_millis(50);
            assert!(!backlog.record(0, now), "compacted at a pause");
        }
        now += QUIET - Duration::from_millis(100);
        assert!(
            !backlog.record(0, now),
            "compacted before the log was quiet"
        );
        now += Duration::from_millis(100);
        assert!(backlog.record(0, now), "never compacted after the import");
        // Compacted: the count starts again.
        backlog.compacted();
        now += QUIET * 10;
        assert!(!backlog.record(0, now));
    }

    /// Feeds `backlog` an import of `transactions` bursts of 20,000 events,
    /// `period` apart, the indexer finding the log dry once a second in
    /// between; returns the compactions due meanwhile and the time of the
    /// last burst.
    fn import(
        backlog: &mut Backlog,
        mut now: Instant,
        transactions: usize,
        period: Duration,
    ) -> (usize, Instant) {
        let mut compactions = 0;
        for t in 0..transactions {
            if t > 0 {
                now += period;
            }
            assert!(!backlog.record(20_000, now));
            let mut dry = now;
            while dry + Duration::from_secs(1) < now + period {
                dry += Duration::from_secs(1);
                if backlog.record(0, dry) {
                    compactions += 1;
                    backlog.compacted();
                }
            }
        }
        (compactions, now)
    }

    #[test]
    fn an_import_in_large_transactions_is_compacted_after_it_not_at_its_pauses() {
        // Transactions of 20,000 land about 12 s apart at a million
        // reports. Only the first pause can pass for the end of an import,
        // while the index holds one transaction; from then on the pauses
        // are known.
        let mut backlog = Backlog::default();
        let period = Duration::from_secs(12);
        let (compactions, last) = import(&mut backlog, Instant::now(), 50, period);
        assert_eq!(compactions, 1, "compacted during the import");
        assert!(!backlog.record(0, last + 2 * period - Duration::from_secs(1)));
        assert!(
            backlog.record(0, last + 2 * period),
            "never compacted after"
        );
    }

    #[test]
    fn a_long_silence_forgets_the_pauses_of_the_last_import() {
        let mut backlog = Backlog::default();
        let start = Instant::now();
        let (_, last) = import(&mut backlog, start, 5, Duration::from_secs(30));
        assert!(backlog.record(0, last + MAX_QUIET));
        backlog.compacted();
        // Hours later, a bulk of publications compacts after `QUIET` again.
        let later = last + MAX_QUIET * 30;
        assert!(!backlog.record(BULK, later));
        assert!(backlog.record(0, later + QUIET));
    }

    #[test]
    fn a_few_publications_before_an_import_do_not_lengthen_its_quiet() {
        // 500 reports published at start, an import of 20,000-report
        // transactions 3 s apart beginning 30 s later: the 30 s gap is not
        // one of the import's pauses, so it compacts 6 s after, not 60 s.
        let mut backlog = Backlog::default();
        let start = Instant::now();
        assert!(!backlog.record(500, start));
        let (_, last) = import(
            &mut backlog,
            start + Duration::from_secs(30),
            5,
            Duration::from_secs(3),
        );
        assert!(!backlog.record(0, last + Duration::from_secs(5)));
        assert!(
            backlog.record(0, last + Duration::from_secs(6)),
            "waited for the gap before the import"
        );
    }

    #[test]
    fn single_publications_never_compact() {
        let mut backlog = Backlog::default();
        let mut now = Instant::now();
        for _ in 0..(BULK - 1) {
            now += QUIET * 2;
            assert!(!backlog.record(1, now));
            now += QUIET * 2;
            assert!(!backlog.record(0, now));
        }
    }
}
