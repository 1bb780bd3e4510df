//! Search at scale: the bulk import rate end to end, index and database
//! size, memory, query latency beside SQLite FTS5 on the same data in the
//! same run, and how soon a newly published report can be found, with the
//! index idle and while others are published around it.
//!
//! `cargo bench --bench search`. `NEARMISS_BENCH_REPORTS` sets the number of
//! generated reports (default 1,000,000). The data lives under `target/` and
//! is removed at the end, unless `NEARMISS_BENCH_KEEP=DIR` names a directory
//! to build it in and keep: a later run with the same `DIR` (and size) reuses
//! it instead of spending minutes on generation and import again. With a
//! reused dataset, removing `DIR/index` times indexing alone (the index
//! catches up from the event log), and `NEARMISS_BENCH_INDEX_ONLY=1` stops
//! right after that. `NEARMISS_BENCH_SEARCH_PASSES=N` on a reused dataset
//! only times the query mix against tantivy, N passes (with
//! `NEARMISS_BENCH_ALL_QUERIES=1`, listing every query's median, not only
//! the ten slowest; with `NEARMISS_BENCH_QUERIES=TEXT`, only the queries
//! whose listed description holds TEXT).
//! `NEARMISS_BENCH_IMPORT_ONLY=1` on a new dataset stops after the import
//! and its CPU figures (no FTS5 table, no queries); a kept dataset is then
//! reusable for search-only passes, and a later full run adds the FTS5
//! table.
//!
//! The same import, indexing, query mix and freshness then run on
//! PostgreSQL, in a database created for the run on the server that
//! `NEARMISS_BENCH_POSTGRES` names (default: the local one; `off` skips
//! it), and the two backends are printed side by side.

/// The allocator the `nearmiss` binary uses (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::Sqlite;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use nearmiss::demo::generate;
use nearmiss::redact::{deidentify, Deidentified};
use nearmiss::report::taxonomy::taxonomy;
use nearmiss::report::{validate, PublishedReport};
use nearmiss::search::{indexed, Search};
use nearmiss::store::cohort::DEFAULT_K;
use nearmiss::store::{self, Store};
use search_index::{Filters, SearchIndex, SearchQuery, Sort};

const DEFAULT_REPORTS: usize = 1_000_000;
/// Chunk `k` of the dataset is `generate(CHUNK, BASE_SEED + k)`: memory stays
/// bounded, and the same size always gives the same reports.
const CHUNK: usize = 10_000;
const BASE_SEED: u64 = 20_260_000;
const PER_PAGE: usize = 20;
/// Written last into a kept data directory: its presence means the dataset
/// is complete and reusable.
const MARKER: &str = "bench-dataset.json";

/// The targets the registry set itself (see the printed table).
const TARGET_IMPORT_PER_S: f64 = 5_000.0;
const TARGET_P50_MS: f64 = 5.0;
const TARGET_P99_MS: f64 = 50.0;
const TARGET_FTS_RATIO: f64 = 20.0;
const TARGET_FRESH_MS: f64 = 1_000.0;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not,
    // and a test run must not spend minutes importing a million reports.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let reports: usize = std::env::var("NEARMISS_BENCH_REPORTS")
        .ok()
        .map(|v| {
            v.replace(['_', ','], "")
                .parse()
                .expect("NEARMISS_BENCH_REPORTS: a number")
        })
        .unwrap_or(DEFAULT_REPORTS);
    assert!(reports > 0, "NEARMISS_BENCH_REPORTS must be positive");
    name_import_workers();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let keep = std::env::var_os("NEARMISS_BENCH_KEEP").map(PathBuf::from);
    let data = DataDir::new(&root, keep);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!(
        "search bench: {reports} reports in {} ({cores} cores)",
        data.path.display()
    );

    let db_path = data.path.join("nearmiss.db");
    let index_root = data.path.join("index");
    let fts_path = data.path.join("fts5.sqlite");
    let mut marker = data.marker();
    let reused = marker.is_some();
    if let Some(m) = &marker {
        assert_eq!(
            m.reports,
            reports,
            "{} holds a dataset of {} reports: set NEARMISS_BENCH_REPORTS={} or remove it",
            data.path.display(),
            m.reports,
            m.reports
        );
        eprintln!(
            "reusing the dataset built earlier in {}",
            data.path.display()
        );
    } else {
        data.clear();
    }

    let store = Store::open(db_path.to_str().expect("UTF-8 path"), 4).expect("open the store");
    let search = Search::open(&index_root).expect("open the index");

    // 1. Bulk import, or catching up on a reused dataset.
    let build = match &marker {
        Some(m) => {
            let (started, cpu) = (Instant::now(), cpu_seconds());
            let applied = search.sync(&store).expect("sync the index");
            // What the server's indexer does once the log has gone quiet.
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
            search.index().compact(cores).expect("compact the index");
            eprintln!(
                "index caught up: {applied} events in {:.2} s, {:.1} CPU seconds",
                started.elapsed().as_secs_f64(),
                cpu_seconds() - cpu
            );
            if std::env::var_os("NEARMISS_BENCH_INDEX_ONLY").is_some() {
                return;
            }
            m.build.clone()
        }
        None => {
            let input = submissions_file(&data.path, reports);
            let b = build(&store, &search, &input, reports);
            if std::env::var_os("NEARMISS_BENCH_IMPORT_ONLY").is_some() {
                println!(
                    "bulk import, end to end: {:.0} reports/s ({:.1} s)",
                    b.imported as f64 / b.end_to_end_s,
                    b.end_to_end_s
                );
                cpu_breakdown(&b, cores);
                // Reusable for search-only passes; a later full run adds
                // the FTS5 table.
                if data.keep {
                    write_marker(
                        &data.path,
                        &Marker {
                            reports,
                            build: b,
                            fts: None,
                        },
                    );
                }
                return;
            }
            b
        }
    };
    warm(&search);
    let rss_after_import = vm_kib("VmHWM");
    if reused {
        if let Some(passes) = search_passes() {
            search_only(&search.index(), passes);
            return;
        }
    }

    // Searching straight after the import: the reader sees the segments of
    // the last commit, before background merges are picked up. Warmed up
    // like the main pass, so the two differ only in segments.
    let queries = query_mix();
    let unmerged_segments = segments(&search.index());
    run_tantivy(&search.index(), &queries);
    let first = run_tantivy(&search.index(), &queries);

    let settle_s = settle(&search.index());
    checkpoint(&store);
    let db_bytes = file_bytes(&db_path);
    let index_bytes = dir_bytes(&index_root);

    // 5. Freshness. Its commits also make the reader pick up merged segments,
    // as the first publish after an import does on a server.
    let fresh = freshness(&store, &search);
    let merged_segments = segments(&search.index());
    warm(&search);

    // 3. The query mix against tantivy: one warm-up pass, one timed pass.
    let warm = run_tantivy(&search.index(), &queries);
    let timed = run_tantivy(&search.index(), &queries);
    for (a, b) in warm.iter().zip(&timed) {
        assert_eq!(a.total, b.total, "the same query gave another total");
    }
    let rss_after_search = vm_kib("VmHWM");

    // 4. The same queries against SQLite FTS5 on the same data.
    let mut fts = Fts::open(&fts_path, &db_path);
    let fts_build = match marker.as_ref().and_then(|m| m.fts.clone()) {
        Some(b) => b,
        None => {
            let b = fts.build(&store);
            let m = marker.get_or_insert_with(|| Marker {
                reports,
                build: build.clone(),
                fts: None,
            });
            m.fts = Some(b.clone());
            b
        }
    };
    if data.keep {
        write_marker(&data.path, marker.as_ref().expect("marker set above"));
    }
    let fts_warm = run_fts(&mut fts, &queries);
    let fts_timed = run_fts(&mut fts, &queries);
    for (a, b) in fts_warm.iter().zip(&fts_timed) {
        assert_eq!(a.total, b.total, "the same FTS5 query gave another total");
    }
    let fts_bytes = file_bytes(&fts_path);
    let rss_end = vm_kib("VmHWM");
    // Last: it publishes and withdraws thousands of reports, and the index
    // it leaves has more segments than the one the searches above timed.
    let loaded = freshness_under_load(&store, &search);

    let sqlite = BackendRun {
        build: build.clone(),
        tantivy: timed.clone(),
        fresh: fresh.clone(),
        db_bytes,
    };
    report(&Results {
        reports,
        cores,
        reused,
        build,
        db_bytes,
        index_bytes,
        settle_s,
        unmerged_segments,
        merged_segments,
        rss_after_import,
        rss_after_search,
        rss_end,
        queries: &queries,
        first: &first,
        tantivy: &timed,
        fts: &fts_timed,
        fts_build,
        fts_bytes,
        fresh,
        loaded,
    });
    // Close the databases and the index before `data` removes their files.
    drop(fts);
    drop(search);
    drop(store);

    match postgres_run(reports, &queries, &data.path) {
        Ok(Some(pg)) => compare_backends(reports, &sqlite, &pg),
        Ok(None) => eprintln!("PostgreSQL pass skipped (NEARMISS_BENCH_POSTGRES=off)"),
        Err(e) => eprintln!("PostgreSQL pass skipped: {e}"),
    }
}

// ---------------------------------------------------------------------------
// The same work on PostgreSQL.

/// One backend's figures for the side-by-side table.
struct BackendRun {
    build: Build,
    tantivy: Vec<Timed>,
    fresh: Fresh,
    db_bytes: u64,
}

/// A database made for the run on the PostgreSQL server, dropped after.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin: &str) -> Result<PgDatabase, String> {
        let mut conn =
            diesel::PgConnection::establish(admin).map_err(|e| format!("{admin}: {e}"))?;
        let name = format!("nmbench_{}", std::process::id());
        // One statement each: several in one call run as one transaction,
        // where neither may.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            conn.batch_execute(&sql).map_err(|e| e.to_string())?;
        }
        let (base, _) = admin.rsplit_once('/').ok_or("a database URL")?;
        Ok(PgDatabase {
            admin: admin.to_string(),
            url: format!("{base}/{name}"),
            name,
        })
    }

    fn bytes(&self) -> u64 {
        #[derive(QueryableByName)]
        struct Size {
            #[diesel(sql_type = BigInt)]
            bytes: i64,
        }
        let mut conn = diesel::PgConnection::establish(&self.url).expect("connect");
        diesel::sql_query("SELECT pg_database_size(current_database()) AS bytes")
            .get_result::<Size>(&mut conn)
            .map_or(0, |s| s.bytes as u64)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn postgres_run(
    reports: usize,
    queries: &[BenchQuery],
    scratch: &Path,
) -> Result<Option<BackendRun>, String> {
    let admin = std::env::var("NEARMISS_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if admin == "off" {
        return Ok(None);
    }
    let db = PgDatabase::create(&admin)?;
    let index_root = scratch.join("postgres-index");
    let _ = std::fs::remove_dir_all(&index_root);
    eprintln!("PostgreSQL: {reports} reports into {}", db.name);
    let store = Store::open(&db.url, 4).map_err(|e| e.to_string())?;
    let search = Search::open(&index_root).map_err(|e| e.to_string())?;
    let build = build(
        &store,
        &search,
        &submissions_file(scratch, reports),
        reports,
    );
    settle(&search.index());
    let fresh = freshness(&store, &search);
    warm(&search);
    run_tantivy(&search.index(), queries);
    let tantivy = run_tantivy(&search.index(), queries);
    let db_bytes = db.bytes();
    drop(search);
    drop(store);
    let _ = std::fs::remove_dir_all(&index_root);
    Ok(Some(BackendRun {
        build,
        tantivy,
        fresh,
        db_bytes,
    }))
}

fn compare_backends(reports: usize, sqlite: &BackendRun, pg: &BackendRun) {
    println!(
        "\nBackends: the same {} reports and 200 queries",
        thousands(reports)
    );
    println!("  {:<44} {:>16} {:>16}", "", "SQLite", "PostgreSQL");
    let row = |label: &str, f: &dyn Fn(&BackendRun) -> String| {
        println!("  {label:<44} {:>16} {:>16}", f(sqlite), f(pg));
    };
    row("bulk import, end to end", &|r| {
        let b = &r.build;
        format!("{:.0} reports/s", b.imported as f64 / b.end_to_end_s)
    });
    row("parse + de-identify + store", &|r| {
        format!(
            "{:.0} reports/s",
            r.build.imported as f64 / r.build.import_s
        )
    });
    row("  writer thread CPU", &|r| {
        format!("{:.1} s", r.build.cpu.writer_s)
    });
    row("index caught up after the import", &|r| {
        format!("{:.1} s", r.build.catch_up_s)
    });
    row("search p50 (tantivy)", &|r| {
        format!("{:.2} ms", pct(&latencies(&r.tantivy), 50.0))
    });
    row("search p99 (tantivy)", &|r| {
        format!("{:.2} ms", pct(&latencies(&r.tantivy), 99.0))
    });
    row("publish one report (median of 5)", &|r| {
        format!("{:.1} ms", pct(&r.fresh.publish_ms, 50.0))
    });
    row("new report searchable (max of 5)", &|r| {
        format!(
            "{:.0} ms",
            r.fresh.total_ms.iter().copied().fold(0.0, f64::max)
        )
    });
    row("database size", &|r| mib(r.db_bytes));
}

// ---------------------------------------------------------------------------
// Where the data lives.

struct DataDir {
    path: PathBuf,
    keep: bool,
}

impl DataDir {
    fn new(root: &Path, keep: Option<PathBuf>) -> DataDir {
        let (path, keep) = match keep {
            Some(dir) => (dir, true),
            None => (
                root.join(format!("target/bench-search-{}", std::process::id())),
                false,
            ),
        };
        std::fs::create_dir_all(&path).expect("create the data directory");
        DataDir { path, keep }
    }

    fn marker(&self) -> Option<Marker> {
        let text = std::fs::read_to_string(self.path.join(MARKER)).ok()?;
        Some(serde_json::from_str(&text).expect("a readable dataset marker"))
    }

    /// Removes what an interrupted build left. Only our own files: a kept
    /// directory is the user's.
    fn clear(&self) {
        for name in [
            "nearmiss.db",
            "nearmiss.db-wal",
            "nearmiss.db-shm",
            "fts5.sqlite",
            "fts5.sqlite-wal",
            "fts5.sqlite-shm",
        ] {
            let _ = std::fs::remove_file(self.path.join(name));
        }
        let _ = std::fs::remove_dir_all(self.path.join("index"));
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Marks a kept directory's dataset complete and reusable.
fn write_marker(dir: &Path, marker: &Marker) {
    std::fs::write(
        dir.join(MARKER),
        serde_json::to_string_pretty(marker).expect("marker JSON"),
    )
    .expect("write the dataset marker");
}

/// What a kept directory holds, with the figures of the run that built it.
#[derive(Clone, Serialize, Deserialize)]
struct Marker {
    reports: usize,
    build: Build,
    fts: Option<FtsBuild>,
}

// ---------------------------------------------------------------------------
// 1. Bulk import.

#[derive(Clone, Default, Serialize, Deserialize)]
struct Build {
    imported: usize,
    invalid: usize,
    workers: usize,
    /// Size of the JSON Lines input.
    #[serde(default)]
    input_bytes: u64,
    /// Wall time of parse → de-identify → store, which overlap.
    import_s: f64,
    /// The indexer's time inside `search.sync` (its own thread; tantivy's
    /// indexing threads work beside it).
    index_busy_s: f64,
    /// From the end of the import until the index held every report and
    /// was compacted.
    catch_up_s: f64,
    /// From the first generated report until then.
    end_to_end_s: f64,
    /// Times the indexer compacted the index before the import ended (it
    /// should wait for the end: each compaction rewrites the whole index).
    #[serde(default)]
    compactions_during_import: u64,
    /// CPU seconds (user + system) over the whole build, by who spent them:
    /// where a report's cost goes, whatever the machine's other load.
    #[serde(default)]
    cpu: BuildCpu,
}

#[derive(Clone, Default, Serialize, Deserialize)]
struct BuildCpu {
    /// The generating and de-identifying threads.
    workers_s: f64,
    /// The thread calling `store::import_batch`.
    writer_s: f64,
    /// The thread calling `search.sync`: reading the log and the reports,
    /// making documents.
    indexer_s: f64,
    /// The whole process; what no thread above spent is tantivy's
    /// (tokenising, postings, merges, the document store) and the final
    /// compaction's.
    process_s: f64,
    /// Of tantivy's: its merge threads while the import ran (the merge
    /// policy at work), and the compaction after it.
    #[serde(default)]
    merges_s: f64,
    #[serde(default)]
    compaction_s: f64,
}

/// tantivy's merge threads (`SegmentUpdater`'s pool).
const MERGE_THREAD: &str = "merge_thread_";
/// The bench's thread that follows the event log, as the server's indexer.
const INDEXER_THREAD: &str = "nm-indexer";

/// The bulk import as a running registry does it: reports are parsed,
/// de-identified and stored (`import`) while the indexer follows the event
/// log beside them, as the server's does. Done when the index holds every
/// report, compacted as after any bulk sync.
fn build(store: &Store, search: &Search, input: &Path, n: usize) -> Build {
    let imported = AtomicBool::new(false);
    let (started, process_cpu) = (Instant::now(), cpu_seconds());
    let (mut b, applied, busy, import_end, indexer_cpu) = std::thread::scope(|s| {
        let indexer = std::thread::Builder::new()
            .name(INDEXER_THREAD.into())
            .spawn_scoped(s, || {
                let (mut applied, mut busy) = (0, Duration::ZERO);
                loop {
                    // Read before the sync: once the import has committed
                    // everything, a sync that finds nothing new is the last.
                    let finished = imported.load(Ordering::Acquire);
                    let t = Instant::now();
                    let n = search.sync(store).expect("sync the index");
                    busy += t.elapsed();
                    applied += n;
                    if n == 0 {
                        if finished {
                            break (applied, busy, thread_cpu_seconds());
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            })
            .expect("start the indexer thread");
        let b = import(store, input, n);
        imported.store(true, Ordering::Release);
        let import_end = Instant::now();
        let (applied, busy, indexer_cpu) = indexer.join().expect("the indexer");
        (b, applied, busy, import_end, indexer_cpu)
    });
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let merges = threads_cpu_seconds(MERGE_THREAD);
    search.index().compact(cores).expect("compact the index");
    b.cpu.merges_s = merges;
    b.cpu.compaction_s = threads_cpu_seconds(MERGE_THREAD) - merges;
    assert_eq!(applied, b.imported, "one index event per imported report");
    b.compactions_during_import = search.compactions();
    b.index_busy_s = busy.as_secs_f64();
    b.catch_up_s = import_end.elapsed().as_secs_f64();
    b.end_to_end_s = started.elapsed().as_secs_f64();
    b.cpu.indexer_s = indexer_cpu;
    b.cpu.process_s = cpu_seconds() - process_cpu;
    b
}

/// The dataset as `nearmiss import` takes it: one submission per line,
/// chunk `k` being `generate(CHUNK, BASE_SEED + k)`. Made once, before any
/// timing (generating is the bench's work, not the registry's), a few
/// chunks at a time on every core and written in order; the name holds the
/// size, and a file is only ever whole (written aside, then renamed).
fn submissions_file(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("submissions-{n}.jsonl"));
    if path.exists() {
        return path;
    }
    let started = Instant::now();
    let partial = path.with_extension("partial");
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&partial).expect("create the submissions file"),
    );
    let chunks = n.div_ceil(CHUNK);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    for first in (0..chunks).step_by(cores) {
        let texts: Vec<Vec<u8>> = std::thread::scope(|s| {
            let generators: Vec<_> = (first..chunks.min(first + cores))
                .map(|k| {
                    s.spawn(move || {
                        let mut text = Vec::new();
                        for submission in generate(CHUNK.min(n - k * CHUNK), BASE_SEED + k as u64) {
                            serde_json::to_writer(&mut text, &submission).expect("JSON");
                            text.push(b'\n');
                        }
                        text
                    })
                })
                .collect();
            generators
                .into_iter()
                .map(|g| g.join().expect("a generator"))
                .collect()
        });
        for text in texts {
            out.write_all(&text).expect("write the submissions file");
        }
    }
    out.into_inner()
        .expect("flush the submissions file")
        .sync_all()
        .expect("sync the submissions file");
    std::fs::rename(&partial, &path).expect("rename the submissions file");
    eprintln!(
        "generated {n} submissions ({}) in {:.1} s",
        mib(file_bytes(&path)),
        started.elapsed().as_secs_f64()
    );
    path
}

/// Threads of rayon's global pool, which parses and de-identifies an
/// import's lines: named so their CPU time can be told from tantivy's.
const WORKER_THREAD: &str = "nm-import-";

fn name_import_workers() {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("{WORKER_THREAD}{i}"))
        .build_global()
        .expect("rayon's global pool, built once");
}

/// CPU seconds of this process's live threads whose name starts `prefix`.
fn threads_cpu_seconds(prefix: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .is_ok_and(|name| name.starts_with(prefix))
        })
        .map(|t| stat_cpu_seconds(&t.path().join("stat").to_string_lossy()))
        .sum()
}

/// The import's input, which notes the CPU time of the thread that read it
/// when that thread drops it: the import's line reader, a thread of its own.
struct Metered<'a, R> {
    inner: R,
    cpu_micros: &'a AtomicU64,
}

impl<R: std::io::Read> std::io::Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for Metered<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt)
    }
}

impl<R> Drop for Metered<'_, R> {
    fn drop(&mut self) {
        let micros = (thread_cpu_seconds() * 1e6) as u64;
        self.cpu_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// `nearmiss import --publish` on the submissions file, as the command
/// runs it: lines parsed, validated and de-identified on every core, stored
/// a transaction at a time on this thread.
fn import(store: &Store, input: &Path, n: usize) -> Build {
    let file = std::fs::File::open(input).expect("open the submissions file");
    let bytes = file.metadata().map_or(0, |m| m.len()).max(1);
    let reader_cpu = AtomicU64::new(0);
    let reader = Metered {
        inner: std::io::BufReader::with_capacity(1 << 20, file),
        cpu_micros: &reader_cpu,
    };
    let mut b = Build {
        workers: rayon::current_num_threads(),
        input_bytes: bytes,
        ..Build::default()
    };
    let workers_cpu = threads_cpu_seconds(WORKER_THREAD);
    let writer_cpu = thread_cpu_seconds();
    let started = Instant::now();
    let mut tenths = 1;
    let mut last = (0, Instant::now());
    let mut last_cpu = CpuSplit::now();
    let summary = nearmiss::transfer::import(
        store,
        reader,
        true,
        DEFAULT_K,
        nearmiss::transfer::PER_TRANSACTION,
        |consumed| {
            if consumed * 10 < tenths * bytes {
                return;
            }
            tenths = consumed * 10 / bytes + 1;
            // The recent rate too: a store cost that grows with the registry
            // shows as a falling rate. Reports are counted by input read.
            let done = (n as u64 * consumed / bytes) as usize;
            let cpu = CpuSplit::now();
            eprintln!(
                "  imported ~{done}/{n}: {:.0} reports/s overall, {:.0} reports/s lately; {}",
                done as f64 / started.elapsed().as_secs_f64(),
                (done - last.0) as f64 / last.1.elapsed().as_secs_f64(),
                cpu.since(&last_cpu, done - last.0)
            );
            last = (done, Instant::now());
            last_cpu = cpu;
        },
    )
    .expect("import the submissions");
    b.import_s = started.elapsed().as_secs_f64();
    b.cpu.writer_s = thread_cpu_seconds() - writer_cpu;
    b.cpu.workers_s =
        threads_cpu_seconds(WORKER_THREAD) - workers_cpu + reader_cpu.into_inner() as f64 / 1e6;
    b.imported = summary.imported;
    b.invalid = summary.skipped.len();
    b
}

/// CPU seconds so far by who spent them, read on the writer thread (which
/// runs the import's progress callback): a stage whose cost per report
/// grows as the registry grows shows in the difference of two readings.
struct CpuSplit {
    process: f64,
    workers: f64,
    writer: f64,
    indexer: f64,
    merges: f64,
}

impl CpuSplit {
    fn now() -> CpuSplit {
        CpuSplit {
            process: cpu_seconds(),
            workers: threads_cpu_seconds(WORKER_THREAD),
            writer: thread_cpu_seconds(),
            indexer: threads_cpu_seconds(INDEXER_THREAD),
            merges: threads_cpu_seconds(MERGE_THREAD),
        }
    }

    /// µs per report of each part between `earlier` and this reading. The
    /// line reader is counted in tantivy's share here (its CPU is known
    /// only at the end); it is a few µs per report.
    fn since(&self, earlier: &CpuSplit, reports: usize) -> String {
        let per = |now: f64, then: f64| (now - then) * 1e6 / reports.max(1) as f64;
        let total = per(self.process, earlier.process);
        let workers = per(self.workers, earlier.workers);
        let writer = per(self.writer, earlier.writer);
        let indexer = per(self.indexer, earlier.indexer);
        let merges = per(self.merges, earlier.merges);
        format!(
            "µs/report: workers {workers:.0}, writer {writer:.0}, indexer {indexer:.0}, \
             tantivy {:.0} (merges {merges:.0}), total {total:.0}",
            total - workers - writer - indexer
        )
    }
}

/// Decodes the columns of new segments for facet counts and statistics, as
/// the server's indexer does in the background after each sync.
fn warm(search: &Search) {
    let started = Instant::now();
    search
        .index()
        .warm_stats()
        .expect("decode the statistics columns");
    eprintln!(
        "statistics columns decoded in {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// 2. Sizes, segments and memory.

fn file_bytes(path: &Path) -> u64 {
    // The write-ahead log belongs to the database until checkpointed.
    let mut total = 0;
    for suffix in ["", "-wal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        total += std::fs::metadata(PathBuf::from(p)).map_or(0, |m| m.len());
    }
    total
}

fn dir_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

/// Segments in the index's last saved `meta.json`.
fn segments(index: &SearchIndex) -> usize {
    std::fs::read_to_string(index.dir().join("meta.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["segments"].as_array().map(Vec::len))
        .unwrap_or(0)
}

/// Waits until background merges stop changing the index directory (at
/// most two minutes), so its size is the settled one. Returns the wait.
fn settle(index: &SearchIndex) -> f64 {
    let started = Instant::now();
    let mut last = (dir_bytes(index.dir()), segments(index));
    let mut stable_since = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(500));
        let now = (dir_bytes(index.dir()), segments(index));
        if now != last {
            last = now;
            stable_since = Instant::now();
        } else if stable_since.elapsed() >= Duration::from_secs(3) {
            break;
        }
    }
    (stable_since - started).as_secs_f64().max(0.0)
}

fn checkpoint(store: &Store) {
    let mut conn = store.conn().expect("a connection");
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint the WAL");
}

/// CPU time of this process so far, every thread, user and system: the
/// figure to compare when the machine's other load makes wall time noisy.
fn cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/self/stat")
}

/// CPU time of the calling thread so far, user and system.
fn thread_cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/thread-self/stat")
}

fn stat_cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold
    // spaces: utime and stime are the 12th and 13th of them, in ticks.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // The kernel's USER_HZ is 100 on every Linux this runs on.
    (ticks(11) + ticks(12)) / 100.0
}

/// A `kB` line of `/proc/self/status` (`VmHWM` is the peak resident set).
fn vm_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(':').map(str::to_string))
        })
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// 3. The query mix.

struct BenchQuery {
    text: &'static str,
    filters: Filters,
}

/// What people type when something is on fire: symptoms, components,
/// phrases, error words. Fixed, so every run asks the same.
const TEXTS: [&str; 50] = [
    "replica lag",
    "certificate expired",
    "dns",
    "connection pool exhausted",
    "redis eviction",
    "\"split brain\"",
    "kafka consumer lag",
    "oom killed",
    "memory leak",
    "disk full",
    "rate limiting",
    "retry storm",
    "thundering herd",
    "cache stampede",
    "\"connection pool\"",
    "timeout",
    "rollback deploy",
    "feature flag",
    "leap second",
    "clock skew",
    "bgp",
    "\"health check\" load balancer",
    "failover",
    "backup restore",
    "migration lock table",
    "terraform state",
    "kubernetes node drain",
    "tls handshake",
    "expired credentials",
    "quota",
    "\"replication lag\"",
    "postgres vacuum",
    "mysql deadlock",
    "elasticsearch",
    "nginx 502",
    "cpu throttling",
    "autoscaling",
    "cron job",
    "data corruption",
    "dns ttl",
    "cert-manager",
    "etcd",
    "network partition",
    "disk space",
    "queue backlog",
    "\"root cause\"",
    "latency spike",
    "hotfix",
    "customers reported errors",
    "on-call paged",
];

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// Filter sets a searcher picks from the facets; 0 is none.
fn preset(i: usize) -> Filters {
    let mut f = Filters::default();
    match i {
        0 => {}
        1 => f.tech = strings(&["postgresql"]),
        2 => f.tech = strings(&["redis"]),
        3 => f.trigger = strings(&["deploy"]),
        4 => f.severity = strings(&["sev1"]),
        5 => {
            f.tech = strings(&["kubernetes"]);
            f.severity = strings(&["sev1", "sev2"]);
        }
        6 => {
            f.from_month = Some("2023-01".into());
            f.to_month = Some("2024-12".into());
        }
        7 => f.industry = strings(&["fintech"]),
        8 => f.factor = strings(&["missing-monitoring"]),
        9 => f.mitigation = strings(&["rollback"]),
        10 => {
            f.trigger = strings(&["config-change"]);
            f.from_month = Some("2024-01".into());
        }
        11 => {
            f.detection = strings(&["customer-report"]);
            f.severity = strings(&["sev1"]);
        }
        12 => {
            f.tech = strings(&["mysql"]);
            f.to_month = Some("2021-12".into());
        }
        _ => unreachable!("presets are 0..=12"),
    }
    f
}
const PRESETS: usize = 12;

/// Both filter sets at once: OR within a facet, AND across facets.
fn merge(mut a: Filters, b: Filters) -> Filters {
    for (into, from) in [
        (&mut a.tech, b.tech),
        (&mut a.trigger, b.trigger),
        (&mut a.factor, b.factor),
        (&mut a.mitigation, b.mitigation),
        (&mut a.industry, b.industry),
        (&mut a.severity, b.severity),
        (&mut a.detection, b.detection),
    ] {
        for v in from {
            if !into.contains(&v) {
                into.push(v);
            }
        }
    }
    a.from_month = a.from_month.or(b.from_month);
    a.to_month = a.to_month.or(b.to_month);
    a
}

/// 200 queries: each text alone and with two different filter sets (150),
/// then 50 filter-only queries (browsing by facet, newest first).
fn query_mix() -> Vec<BenchQuery> {
    let mut out = Vec::with_capacity(200);
    for (j, text) in TEXTS.iter().enumerate() {
        for filters in [
            Filters::default(),
            preset(1 + j % PRESETS),
            preset(1 + (j + 6) % PRESETS),
        ] {
            out.push(BenchQuery { text, filters });
        }
    }
    for i in 0..=PRESETS {
        out.push(BenchQuery {
            text: "",
            filters: preset(i),
        });
    }
    let mut k = 0;
    while out.len() < 200 {
        let a = 1 + k % PRESETS;
        let b = 1 + (k * 5 + 3) % PRESETS;
        if a != b {
            out.push(BenchQuery {
                text: "",
                filters: merge(preset(a), preset(b)),
            });
        }
        k += 1;
    }
    out
}

/// `NEARMISS_BENCH_SEARCH_PASSES=N`: on a reused dataset, only time the
/// tantivy side of the query mix, N passes.
fn search_passes() -> Option<usize> {
    let v = std::env::var("NEARMISS_BENCH_SEARCH_PASSES").ok()?;
    let n: usize = v
        .parse()
        .expect("NEARMISS_BENCH_SEARCH_PASSES: a number of passes");
    Some(n.max(1))
}

/// The query mix against tantivy alone, `passes` times after a warm-up
/// pass: each pass's p50 and p99 show how much the machine moves between
/// passes, and each query's median over the passes says which queries are
/// slow rather than unlucky.
fn search_only(index: &SearchIndex, passes: usize) {
    let mut queries = query_mix();
    // `NEARMISS_BENCH_QUERIES=TEXT`: only the queries whose description
    // (as listed) holds TEXT, to profile one kind of query alone.
    if let Ok(only) = std::env::var("NEARMISS_BENCH_QUERIES") {
        queries.retain(|q| describe(q).contains(&only));
        assert!(!queries.is_empty(), "no query of the mix holds {only:?}");
    }
    run_tantivy(index, &queries);
    let runs: Vec<Vec<Timed>> = (0..passes).map(|_| run_tantivy(index, &queries)).collect();
    println!(
        "\nSearch only: {} queries x {passes} passes, {} segments (ms)",
        queries.len(),
        segments(index)
    );
    let text = |i: &usize| !queries[*i].text.is_empty();
    for (k, run) in runs.iter().enumerate() {
        let all = latencies(run);
        let class = |with_text: bool| -> Vec<f64> {
            (0..run.len())
                .filter(|i| text(i) == with_text)
                .map(|i| all[i])
                .collect()
        };
        println!(
            "  pass {k}: p50 {:.2} p99 {:.2} | with text p50 {:.2} | filter-only p50 {:.2}",
            pct(&all, 50.0),
            pct(&all, 99.0),
            pct(&class(true), 50.0),
            pct(&class(false), 50.0)
        );
    }
    let medians: Vec<f64> = (0..queries.len())
        .map(|i| {
            let per: Vec<f64> = runs.iter().map(|r| r[i].ms).collect();
            pct(&per, 50.0)
        })
        .collect();
    println!(
        "  per-query median over the passes: p50 {:.2} p99 {:.2}",
        pct(&medians, 50.0),
        pct(&medians, 99.0)
    );
    let mut order: Vec<usize> = (0..queries.len()).collect();
    order.sort_by(|&a, &b| medians[b].total_cmp(&medians[a]));
    let shown = if std::env::var("NEARMISS_BENCH_ALL_QUERIES").is_ok() {
        order.len()
    } else {
        10
    };
    for &i in order.iter().take(shown) {
        println!(
            "  {:>9.2} ms  {:>9} matches  {}",
            medians[i],
            thousands(runs[0][i].total),
            describe(&queries[i])
        );
    }
}

fn describe(q: &BenchQuery) -> String {
    let f = &q.filters;
    let mut parts = Vec::new();
    if !q.text.is_empty() {
        parts.push(format!("q={}", q.text));
    }
    for (name, values) in [
        ("tech", &f.tech),
        ("trigger", &f.trigger),
        ("factor", &f.factor),
        ("mitigation", &f.mitigation),
        ("industry", &f.industry),
        ("severity", &f.severity),
        ("detection", &f.detection),
    ] {
        if !values.is_empty() {
            parts.push(format!("{name}={}", values.join("|")));
        }
    }
    if let Some(m) = &f.from_month {
        parts.push(format!("from={m}"));
    }
    if let Some(m) = &f.to_month {
        parts.push(format!("to={m}"));
    }
    if parts.is_empty() {
        "(everything)".into()
    } else {
        parts.join(" ")
    }
}

/// One query's outcome: its latency and enough of the answer to compare.
#[derive(Clone, Copy)]
struct Timed {
    ms: f64,
    total: usize,
}

fn run_tantivy(index: &SearchIndex, queries: &[BenchQuery]) -> Vec<Timed> {
    queries
        .iter()
        .map(|q| {
            let query = SearchQuery {
                text: q.text.to_string(),
                filters: q.filters.clone(),
                sort: Sort::Relevance,
                page: 1,
                per_page: PER_PAGE,
            };
            let t = Instant::now();
            let results = index
                .search(&query)
                .unwrap_or_else(|e| panic!("{}: {e}", describe(q)));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(&results);
            assert!(results.hits.len() <= PER_PAGE);
            Timed {
                ms,
                total: results.total,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// 4. SQLite FTS5 on the same data.

#[derive(Clone, Default, Serialize, Deserialize)]
struct FtsBuild {
    rows: usize,
    /// Reading the published reports (as the indexer does, one by one) and
    /// inserting them.
    load_s: f64,
    /// `INSERT INTO fts(fts) VALUES('optimize')`: one b-tree, as merged
    /// tantivy segments.
    optimize_s: f64,
    /// The covering index on the registry's facet columns.
    covering_index_s: f64,
}

/// A side database holding the FTS5 table, with the registry attached as
/// `reg` so filters and facets read the registry's own tables.
struct Fts {
    conn: SqliteConnection,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

#[derive(QueryableByName)]
struct FacetRow {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
#[allow(dead_code)] // read only to make SQLite produce a whole hit
struct HitRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<Text>)]
    incident_month: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    trigger: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    severity: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    techs: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    snippet: Option<String>,
}

/// bm25 column weights, in table order: title 3, summary 2, the rest 1
/// (the boosts of the tantivy query parser).
const BM25: &str = "bm25(fts, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0)";

/// Facet value columns live in the registry's `reports` rows after the
/// large `content` column, so reading them from the table itself walks
/// content's overflow pages for every matched report. A covering index is
/// what anyone serving facets from SQLite would add.
const REPORTS: &str = "reg.reports AS r INDEXED BY bench_reports_facets";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Facet {
    Tech,
    Trigger,
    Factor,
    Mitigation,
    Industry,
    Severity,
    Detection,
    Year,
}

const FACETS: [Facet; 8] = [
    Facet::Tech,
    Facet::Trigger,
    Facet::Factor,
    Facet::Mitigation,
    Facet::Industry,
    Facet::Severity,
    Facet::Detection,
    Facet::Year,
];

impl Facet {
    /// Whether a filter restricts this facet, so its counts need a pass
    /// without that filter (the rule tantivy's side follows).
    fn restricted(self, f: &Filters) -> bool {
        match self {
            Facet::Tech => !f.tech.is_empty(),
            Facet::Trigger => !f.trigger.is_empty(),
            Facet::Factor => !f.factor.is_empty(),
            Facet::Mitigation => !f.mitigation.is_empty(),
            Facet::Industry => !f.industry.is_empty(),
            Facet::Severity => !f.severity.is_empty(),
            Facet::Detection => !f.detection.is_empty(),
            Facet::Year => f.from_month.is_some() || f.to_month.is_some(),
        }
    }

    /// `(join, value expression)` counting this facet over rows of `a`,
    /// which has the registry's `id` and facet columns. `CROSS JOIN` keeps
    /// the matched rows as the outer loop: without statistics SQLite may
    /// otherwise scan the whole facet table and probe the matches for each
    /// row.
    fn group(self, a: &str) -> (String, String) {
        let factor = |kind: &str| {
            (
                format!(
                    "CROSS JOIN report_factors AS ff ON ff.report_id = {a}.id AND ff.kind = '{kind}'"
                ),
                "ff.factor".to_string(),
            )
        };
        match self {
            Facet::Tech => (
                format!("CROSS JOIN report_technologies AS ft ON ft.report_id = {a}.id"),
                "ft.technology".into(),
            ),
            Facet::Factor => factor("contributing"),
            Facet::Mitigation => factor("mitigation"),
            Facet::Trigger => (String::new(), format!("{a}.trigger")),
            Facet::Industry => (String::new(), format!("{a}.industry")),
            Facet::Severity => (String::new(), format!("{a}.severity")),
            Facet::Detection => (String::new(), format!("{a}.detection")),
            Facet::Year => (String::new(), format!("substr({a}.incident_month, 1, 4)")),
        }
    }
}

/// `AND …` clauses on `r` (a registry report) for every filter except the
/// one on `except`, pushing their values onto `binds` in order.
fn filter_sql(f: &Filters, except: Option<Facet>, binds: &mut Vec<String>) -> String {
    let mut sql = String::new();
    let list = |binds: &mut Vec<String>, values: &[String]| {
        binds.extend(values.iter().cloned());
        vec!["?"; values.len()].join(", ")
    };
    let skip = |facet: Facet| except == Some(facet) || !facet.restricted(f);
    if !skip(Facet::Tech) {
        let l = list(binds, &f.tech);
        sql += &format!(" AND EXISTS (SELECT 1 FROM report_technologies AS t WHERE t.report_id = r.id AND t.technology IN ({l}))");
    }
    for (facet, kind, values) in [
        (Facet::Factor, "contributing", &f.factor),
        (Facet::Mitigation, "mitigation", &f.mitigation),
    ] {
        if !skip(facet) {
            let l = list(binds, values);
            sql += &format!(" AND EXISTS (SELECT 1 FROM report_factors AS f WHERE f.report_id = r.id AND f.kind = '{kind}' AND f.factor IN ({l}))");
        }
    }
    for (facet, column, values) in [
        (Facet::Trigger, "trigger", &f.trigger),
        (Facet::Industry, "industry", &f.industry),
        (Facet::Severity, "severity", &f.severity),
        (Facet::Detection, "detection", &f.detection),
    ] {
        if !skip(facet) {
            let l = list(binds, values);
            sql += &format!(" AND r.{column} IN ({l})");
        }
    }
    if !skip(Facet::Year) {
        if let Some(m) = &f.from_month {
            binds.push(m.clone());
            sql += " AND r.incident_month >= ?";
        }
        if let Some(m) = &f.to_month {
            binds.push(m.clone());
            sql += " AND r.incident_month <= ?";
        }
    }
    sql
}

/// The user's text as an FTS5 expression: every word and phrase quoted (so
/// `cert-manager` and `502` are phrases/terms, never syntax), `OR` kept, and
/// technology aliases expanded the way the tantivy side expands them. Words
/// are ANDed, as the tantivy query parser is set to.
fn fts_match(text: &str, aliases: &HashMap<String, Vec<String>>) -> Option<String> {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            parts.push(quote(&after[..end]));
            rest = after.get(end + 1..).unwrap_or("").trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = rest[end..].trim_start();
        if word == "OR" {
            parts.push("OR".into());
        } else if let Some(group) = aliases.get(&word.to_lowercase()) {
            let alternatives: Vec<String> = group.iter().map(|w| quote(w)).collect();
            parts.push(format!("({})", alternatives.join(" OR ")));
        } else {
            parts.push(quote(word));
        }
    }
    // FTS5 allows implicit AND between phrases only, not after a
    // parenthesised group: spell it out.
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            let joined = part == "OR" || parts[i - 1] == "OR";
            out.push_str(if joined { " " } else { " AND " });
        }
        out.push_str(part);
    }
    (!out.is_empty()).then_some(out)
}

/// Alias groups as the search index builds them: every spelling of a
/// technology (one plain word each) → the whole group.
fn alias_groups() -> HashMap<String, Vec<String>> {
    let mut by_canonical: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (alias, canonical) in taxonomy().technology_aliases() {
        let (alias, canonical) = (alias.to_lowercase(), canonical.to_lowercase());
        let plain = alias
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !alias.starts_with(['-', '.']);
        if alias != canonical && plain && !alias.is_empty() {
            by_canonical.entry(canonical).or_default().push(alias);
        }
    }
    let mut groups = HashMap::new();
    for (canonical, aliases) in by_canonical {
        let mut group = vec![canonical];
        group.extend(aliases);
        for w in &group {
            groups.insert(w.clone(), group.clone());
        }
    }
    groups
}

fn load<T: QueryableByName<Sqlite> + 'static>(
    conn: &mut SqliteConnection,
    sql: &str,
    binds: &[String],
) -> Vec<T> {
    let mut q = diesel::sql_query(sql).into_boxed::<Sqlite>();
    for b in binds {
        q = q.bind::<Text, _>(b.clone());
    }
    q.load(conn).unwrap_or_else(|e| panic!("{e}: {sql}"))
}

fn execute(conn: &mut SqliteConnection, sql: &str, binds: &[String]) {
    let mut q = diesel::sql_query(sql).into_boxed::<Sqlite>();
    for b in binds {
        q = q.bind::<Text, _>(b.clone());
    }
    q.execute(conn).unwrap_or_else(|e| panic!("{e}: {sql}"));
}

impl Fts {
    fn open(path: &Path, registry: &Path) -> Fts {
        let mut conn =
            SqliteConnection::establish(path.to_str().expect("UTF-8 path")).expect("open FTS5 db");
        // A generous page cache and memory-mapped reads for both databases,
        // and temporary tables in memory: SQLite at its best, as tantivy
        // reads its memory-mapped files.
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -262144;
             PRAGMA mmap_size = 17179869184;",
        )
        .expect("FTS5 pragmas");
        execute(
            &mut conn,
            "ATTACH DATABASE ? AS reg",
            &[registry.to_str().expect("UTF-8 path").to_string()],
        );
        conn.batch_execute(
            "PRAGMA reg.cache_size = -262144;
             PRAGMA reg.mmap_size = 17179869184;",
        )
        .expect("registry pragmas");
        Fts { conn }
    }

    /// Copies every published report's texts (the same ones the tantivy
    /// document gets, see `search::indexed`) into an FTS5 table, and its
    /// technologies and factors into tables of their own, indexed both ways,
    /// for SQL to filter and count them (the registry keeps them only inside
    /// each report's content).
    fn build(&mut self, store: &Store) -> FtsBuild {
        eprintln!("building the FTS5 table ...");
        let conn = &mut self.conn;
        conn.batch_execute(
            "DROP TABLE IF EXISTS fts;
             DROP TABLE IF EXISTS fts_docs;
             DROP TABLE IF EXISTS report_technologies;
             DROP TABLE IF EXISTS report_factors;
             CREATE TABLE fts_docs (rowid INTEGER PRIMARY KEY, report_id TEXT NOT NULL);
             CREATE TABLE report_technologies (
                 report_id TEXT NOT NULL, technology TEXT NOT NULL,
                 PRIMARY KEY (report_id, technology)) WITHOUT ROWID;
             CREATE INDEX report_technologies_technology ON report_technologies (technology);
             CREATE TABLE report_factors (
                 report_id TEXT NOT NULL, kind TEXT NOT NULL, factor TEXT NOT NULL,
                 PRIMARY KEY (report_id, kind, factor)) WITHOUT ROWID;
             CREATE INDEX report_factors_factor ON report_factors (kind, factor);
             CREATE VIRTUAL TABLE fts USING fts5(
                 title, summary, narrative, root_causes, lessons, timeline, tags,
                 tokenize = 'porter unicode61');",
        )
        .expect("create the FTS5 table");
        let mut b = FtsBuild::default();
        let started = Instant::now();
        let mut reg = store.conn().expect("a connection");
        let mut after = String::new();
        loop {
            // Not `store::published_page`: its plan walks the status index
            // and sorts every remaining published report for each page, so a
            // full pass is quadratic. `+status` keeps SQLite on the key order.
            let ids: Vec<IdRow> = load(
                conn,
                "SELECT id FROM reg.reports WHERE id > ? AND +status = 'published'
                 ORDER BY id LIMIT 1000",
                std::slice::from_ref(&after),
            );
            let Some(last) = ids.last() else { break };
            after = last.id.clone();
            let page: Vec<PublishedReport> = ids
                .iter()
                .map(|r| {
                    store::published_by_key(&mut reg, &r.id)
                        .expect("read a published report")
                        .expect("still published")
                })
                .collect();
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                for report in &page {
                    let d = indexed(report);
                    b.rows += 1;
                    let rowid = b.rows as i64;
                    let tags: Vec<&str> = d
                        .technologies
                        .iter()
                        .map(|(_, id)| id.as_str())
                        .chain(d.trigger.as_deref())
                        .collect();
                    diesel::sql_query(
                        "INSERT INTO fts (rowid, title, summary, narrative, root_causes, lessons, timeline, tags)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind::<BigInt, _>(rowid)
                    .bind::<Text, _>(&d.title)
                    .bind::<Text, _>(&d.summary)
                    .bind::<Text, _>(&d.narrative)
                    .bind::<Text, _>(d.root_causes.join("\n"))
                    .bind::<Text, _>(d.lessons.join("\n"))
                    .bind::<Text, _>(d.timeline.join("\n"))
                    .bind::<Text, _>(tags.join(" "))
                    .execute(conn)?;
                    diesel::sql_query("INSERT INTO fts_docs (rowid, report_id) VALUES (?, ?)")
                        .bind::<BigInt, _>(rowid)
                        .bind::<Text, _>(&d.id)
                        .execute(conn)?;
                    let c = &report.content;
                    for t in &c.technologies {
                        diesel::sql_query(
                            "INSERT OR IGNORE INTO report_technologies VALUES (?, ?)",
                        )
                        .bind::<Text, _>(&d.id)
                        .bind::<Text, _>(t)
                        .execute(conn)?;
                    }
                    for (kind, list) in [
                        ("contributing", &c.contributing_factors),
                        ("mitigation", &c.mitigations),
                        ("human", &c.human_factors),
                    ] {
                        for f in list {
                            diesel::sql_query(
                                "INSERT OR IGNORE INTO report_factors VALUES (?, ?, ?)",
                            )
                            .bind::<Text, _>(&d.id)
                            .bind::<Text, _>(kind)
                            .bind::<Text, _>(f)
                            .execute(conn)?;
                        }
                    }
                }
                Ok(())
            })
            .expect("insert into FTS5");
        }
        b.load_s = started.elapsed().as_secs_f64();
        let t = Instant::now();
        conn.batch_execute("INSERT INTO fts (fts) VALUES ('optimize');")
            .expect("optimize FTS5");
        b.optimize_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        conn.batch_execute(
            "CREATE INDEX IF NOT EXISTS reg.bench_reports_facets ON reports
                 (id, status, trigger, industry, severity, detection, incident_month);
             ANALYZE reg.bench_reports_facets;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .expect("covering index");
        b.covering_index_s = t.elapsed().as_secs_f64();
        b
    }

    /// Everything the tantivy side returns: total, top 20 by bm25 with
    /// snippets (newest first without text), and counts for all eight facets,
    /// each facet counted with every filter but its own.
    fn search(&mut self, q: &BenchQuery, aliases: &HashMap<String, Vec<String>>) -> Timed {
        let t = Instant::now();
        let conn = &mut self.conn;
        let expr = fts_match(q.text, aliases);
        // The matched set once, with the facet columns, in a temporary
        // table: every count below reads it instead of matching again.
        let (source, source_where, score) = match &expr {
            Some(_) => (
                format!("fts JOIN fts_docs AS d ON d.rowid = fts.rowid JOIN {REPORTS} ON r.id = d.report_id"),
                "fts MATCH ?",
                BM25,
            ),
            None => (REPORTS.to_string(), "r.status = 'published'", "0.0"),
        };
        let source_binds = |binds: &mut Vec<String>| binds.extend(expr.iter().cloned());
        let mut binds = Vec::new();
        source_binds(&mut binds);
        let filters = filter_sql(&q.filters, None, &mut binds);
        conn.batch_execute(
            "DROP TABLE IF EXISTS temp.m;
             CREATE TEMP TABLE m (rid INTEGER, id TEXT PRIMARY KEY, score REAL, trigger TEXT, industry TEXT,
                                  severity TEXT, detection TEXT, incident_month TEXT);",
        )
        .expect("temp table");
        let rid = if expr.is_some() { "fts.rowid" } else { "NULL" };
        execute(
            conn,
            &format!(
                "INSERT INTO m SELECT {rid}, r.id, {score}, r.trigger, r.industry, r.severity,
                        r.detection, r.incident_month
                 FROM {source} WHERE {source_where}{filters}"
            ),
            &binds,
        );
        let total = load::<CountRow>(conn, "SELECT count(*) AS n FROM m", &[])[0].n as usize;

        let techs = "(SELECT group_concat(t.technology, ',') FROM report_technologies AS t WHERE t.report_id = r.id) AS techs";
        let hits: Vec<HitRow> = match &expr {
            Some(e) => load(
                conn,
                &format!(
                    "SELECT r.id AS id, fts.title AS title, r.incident_month AS incident_month,
                            r.trigger AS trigger, r.severity AS severity, {techs},
                            snippet(fts, -1, '<mark>', '</mark>', '…', 32) AS snippet
                     FROM fts JOIN fts_docs AS d ON d.rowid = fts.rowid
                          JOIN {REPORTS} ON r.id = d.report_id
                     WHERE fts MATCH ?
                       AND fts.rowid IN (SELECT rid FROM m ORDER BY score, id LIMIT {PER_PAGE})
                     ORDER BY {BM25}, r.id"
                ),
                std::slice::from_ref(e),
            ),
            None => load(
                conn,
                &format!(
                    "SELECT r.id AS id, r.title AS title, r.incident_month AS incident_month,
                            r.trigger AS trigger, r.severity AS severity, {techs},
                            substr(json_extract(r.content, '$.summary'), 1, 200) AS snippet
                     FROM reg.reports AS r
                     WHERE r.id IN (SELECT id FROM m
                                    ORDER BY incident_month IS NULL, incident_month DESC, id
                                    LIMIT {PER_PAGE})
                     ORDER BY r.incident_month IS NULL, r.incident_month DESC, r.id"
                ),
                &[],
            ),
        };

        let mut facets = 0usize;
        for facet in FACETS {
            let rows: Vec<FacetRow> = if facet.restricted(&q.filters) {
                let mut binds = Vec::new();
                source_binds(&mut binds);
                let filters = filter_sql(&q.filters, Some(facet), &mut binds);
                let (join, value) = facet.group("r");
                load(
                    conn,
                    &format!(
                        "SELECT {value} AS value, count(*) AS n FROM {source} {join}
                         WHERE {source_where}{filters} GROUP BY 1"
                    ),
                    &binds,
                )
            } else {
                let (join, value) = facet.group("m");
                load(
                    conn,
                    &format!("SELECT {value} AS value, count(*) AS n FROM m {join} GROUP BY 1"),
                    &[],
                )
            };
            facets += rows.iter().filter(|r| r.value.is_some() && r.n > 0).count();
        }
        let ms = t.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box((&hits, facets));
        assert!(hits.len() <= PER_PAGE && hits.len() <= total);
        Timed { ms, total }
    }
}

fn run_fts(fts: &mut Fts, queries: &[BenchQuery]) -> Vec<Timed> {
    let aliases = alias_groups();
    queries.iter().map(|q| fts.search(q, &aliases)).collect()
}

// ---------------------------------------------------------------------------
// 5. Freshness.

#[derive(Default, Clone)]
struct Fresh {
    /// Publication (`import_batch` of one report) → found by a search, ms.
    total_ms: Vec<f64>,
    publish_ms: Vec<f64>,
    sync_ms: Vec<f64>,
}

/// Publishes one new report at a time and times how long until a search
/// finds it, syncing the index as the server's indexer does after each
/// publish wake-up. The probes are withdrawn again, so a kept dataset stays
/// as built.
fn freshness(store: &Store, search: &Search) -> Fresh {
    const PROBES: usize = 5;
    let mut out = Fresh::default();
    let mut conn = store.conn().expect("a connection");
    let mut published = Vec::new();
    for (i, (word, d)) in probes(PROBES, 7, "quokka").into_iter().enumerate() {
        let t = Instant::now();
        let id = store::import_batch(&mut conn, &[d], Some("bench")).expect("publish")[0];
        out.publish_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let mut sync = Duration::ZERO;
        let found = loop {
            let s = Instant::now();
            search.sync(store).expect("sync");
            sync += s.elapsed();
            if finds(search, &word, &id) {
                break true;
            }
            if t.elapsed() > Duration::from_secs(30) {
                break false;
            }
        };
        assert!(found, "probe {i} not searchable after 30 s");
        out.sync_ms.push(sync.as_secs_f64() * 1e3);
        out.total_ms.push(t.elapsed().as_secs_f64() * 1e3);
        published.push(id);
    }
    for id in published {
        store::withdraw(&mut conn, &id).expect("withdraw a probe");
    }
    search.sync(store).expect("sync");
    out
}

/// `n` probe reports, each with a word no generated report uses in its
/// title (`{prefix}{i}`), so that exactly the probe matches it.
fn probes(n: usize, seed: u64, prefix: &str) -> Vec<(String, Deidentified)> {
    generate(n, seed)
        .into_iter()
        .enumerate()
        .map(|(i, mut submission)| {
            let word = format!("{prefix}{i}");
            submission.title = format!("{} ({word})", submission.title);
            (
                word,
                deidentify(validate(submission).expect("a valid probe")),
            )
        })
        .collect()
}

/// Whether a search for `word` finds the report `id` now.
fn finds(search: &Search, word: &str, id: &Uuid) -> bool {
    let query = SearchQuery {
        text: word.to_string(),
        page: 1,
        per_page: PER_PAGE,
        ..SearchQuery::default()
    };
    let id = id.to_string();
    let results = search.index().search(&query).expect("probe search");
    results.hits.iter().any(|h| h.id == id)
}

/// Steady publication rates (reports a second) the pass under load runs at.
const LOAD_RATES: [usize; 2] = [200, 1_000];
/// How long each rate runs; a probe goes in once a second.
const LOAD_SECONDS: u64 = 10;
/// The publisher commits one transaction this often, holding the reports
/// due since the last: reviewers' approvals and a mirror's small batches
/// arrive like this, not as one bulk import.
const LOAD_TICK: Duration = Duration::from_millis(10);

/// Raises its flag when dropped, unwinding included.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// How soon a new report is found while others are published around it.
struct LoadFresh {
    /// Reports a second the publisher was asked for.
    rate: usize,
    /// Reports a second it published (the database may hold it back).
    achieved: f64,
    /// Each probe: its publication → found by a search, ms.
    total_ms: Vec<f64>,
}

/// The freshness probe again, but with the index busy: a publisher thread
/// commits `rate` reports a second in small transactions while an indexer
/// thread syncs as the server's does (at once after each publication that
/// wakes it, so here as soon as the log is not dry), and once a second a
/// probe is published and searched for until found. Everything published
/// here is withdrawn again afterwards.
fn freshness_under_load(store: &Store, search: &Search) -> Vec<LoadFresh> {
    let mut out = Vec::new();
    for (round, rate) in LOAD_RATES.into_iter().enumerate() {
        let count = rate * LOAD_SECONDS as usize;
        // De-identified before the clock starts: the point is the index.
        let load: Vec<_> = generate(count, 11 + round as u64)
            .into_iter()
            .map(|s| deidentify(validate(s).expect("a valid report")))
            .collect();
        let probes = probes(
            LOAD_SECONDS as usize,
            13 + round as u64,
            &format!("wombat{round}x"),
        );
        let stop = AtomicBool::new(false);
        let ((published, elapsed), total_ms, probe_ids) = std::thread::scope(|s| {
            let indexer = s.spawn(|| {
                while !stop.load(Ordering::Acquire) {
                    if search.sync(store).expect("sync") == 0 {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
            });
            let publisher = s.spawn(|| publish_steadily(store, &load, rate));
            // Stops the indexer thread even if a probe fails: the scope
            // waits for it before the failure can surface.
            let indexing = StopOnDrop(&stop);
            let mut conn = store.conn().expect("a connection");
            let (mut total_ms, mut probe_ids) = (Vec::new(), Vec::new());
            let started = Instant::now();
            for (i, (word, probe)) in probes.iter().enumerate() {
                std::thread::sleep(
                    (started + Duration::from_millis(500 + 1_000 * i as u64))
                        .saturating_duration_since(Instant::now()),
                );
                let t = Instant::now();
                let id = store::import_batch(&mut conn, std::slice::from_ref(probe), Some("bench"))
                    .expect("publish a probe")[0];
                while !finds(search, word, &id) {
                    assert!(
                        t.elapsed() < Duration::from_secs(60),
                        "probe {word} not searchable after 60 s under load"
                    );
                    std::thread::sleep(Duration::from_millis(2));
                }
                total_ms.push(t.elapsed().as_secs_f64() * 1e3);
                probe_ids.push(id);
            }
            let published = publisher.join().expect("the publisher");
            drop(indexing);
            indexer.join().expect("the indexer");
            (published, total_ms, probe_ids)
        });
        let mut conn = store.conn().expect("a connection");
        for id in published.iter().chain(&probe_ids) {
            store::withdraw(&mut conn, id).expect("withdraw what the load published");
        }
        search.sync(store).expect("sync");
        out.push(LoadFresh {
            rate,
            achieved: published.len() as f64 / elapsed.as_secs_f64(),
            total_ms,
        });
    }
    out
}

/// Publishes `load` at `rate` reports a second, one transaction every
/// `LOAD_TICK` holding those due by then. Returns their ids and how long
/// it took.
fn publish_steadily(store: &Store, load: &[Deidentified], rate: usize) -> (Vec<Uuid>, Duration) {
    let mut conn = store.conn().expect("a connection");
    let started = Instant::now();
    let (mut sent, mut ids) = (0, Vec::with_capacity(load.len()));
    let mut tick = started;
    while sent < load.len() {
        tick += LOAD_TICK;
        let due = ((tick - started).as_secs_f64() * rate as f64) as usize;
        let batch = &load[sent..due.min(load.len())];
        if !batch.is_empty() {
            ids.extend(store::import_batch(&mut conn, batch, Some("bench")).expect("publish"));
            sent += batch.len();
        }
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
    }
    (ids, started.elapsed())
}

// ---------------------------------------------------------------------------
// The report.

struct Results<'a> {
    reports: usize,
    cores: usize,
    reused: bool,
    build: Build,
    db_bytes: u64,
    index_bytes: u64,
    settle_s: f64,
    unmerged_segments: usize,
    merged_segments: usize,
    rss_after_import: u64,
    rss_after_search: u64,
    rss_end: u64,
    queries: &'a [BenchQuery],
    first: &'a [Timed],
    tantivy: &'a [Timed],
    fts: &'a [Timed],
    fts_build: FtsBuild,
    fts_bytes: u64,
    fresh: Fresh,
    loaded: Vec<LoadFresh>,
}

/// Nearest-rank percentile of `ms`.
fn pct(ms: &[f64], p: f64) -> f64 {
    let mut v = ms.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

fn latencies(t: &[Timed]) -> Vec<f64> {
    t.iter().map(|t| t.ms).collect()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

fn line(label: &str, measured: String, target: &str, ok: Option<bool>) {
    println!(
        "  {label:<44} {measured:>16}   {target:<14} {}",
        ok.map_or("", verdict)
    );
}

/// Where the import's CPU went, per report, and the rate those costs allow
/// on this many cores if every core were busy all the time: the figure to
/// hold a rate target against.
fn cpu_breakdown(b: &Build, cores: usize) {
    let c = &b.cpu;
    if c.process_s <= 0.0 || b.imported == 0 {
        return;
    }
    let tantivy = (c.process_s - c.workers_s - c.writer_s - c.indexer_s).max(0.0);
    let per = |s: f64| s / b.imported as f64 * 1e6;
    println!("\nImport CPU (user + system), whole build");
    for (label, s) in [
        ("parse + validate + de-identify (workers)", c.workers_s),
        ("store (writer thread)", c.writer_s),
        ("indexer thread (log, reports, documents)", c.indexer_s),
        ("tantivy threads (postings, merges, store)", tantivy),
        ("  of which merges while importing", c.merges_s),
        ("  of which the compaction after", c.compaction_s),
        ("process total", c.process_s),
    ] {
        line(
            label,
            format!("{s:.1} s"),
            &format!("{:.0} µs/report", per(s)),
            None,
        );
    }
    line(
        "index compactions before the import ended",
        b.compactions_during_import.to_string(),
        "",
        None,
    );
    line(
        &format!("ceiling on {cores} cores at that cost"),
        format!("{:.0} reports/s", cores as f64 * 1e6 / per(c.process_s)),
        "",
        None,
    );
}

fn report(r: &Results) {
    let b = &r.build;
    let rate = b.imported as f64 / b.end_to_end_s;
    let tantivy = latencies(r.tantivy);
    let fts = latencies(r.fts);
    let first = latencies(r.first);
    let (p50, p95, p99, max) = (
        pct(&tantivy, 50.0),
        pct(&tantivy, 95.0),
        pct(&tantivy, 99.0),
        pct(&tantivy, 100.0),
    );
    let (f50, f95, f99, fmax) = (
        pct(&fts, 50.0),
        pct(&fts, 95.0),
        pct(&fts, 99.0),
        pct(&fts, 100.0),
    );
    let fresh_max = r.fresh.total_ms.iter().copied().fold(0.0, f64::max);

    println!(
        "\nSearch at scale: {} reports, {} cores{}",
        thousands(r.reports),
        r.cores,
        if r.reused {
            " (dataset reused; build figures from the run that built it)"
        } else {
            ""
        }
    );
    println!("  {:<44} {:>16}   {:<14} ", "", "measured", "target");
    line(
        "bulk import, end to end",
        format!("{rate:.0} reports/s"),
        "≥ 5,000/s",
        Some(rate >= TARGET_IMPORT_PER_S),
    );
    line(
        "search p50 (tantivy, 200 queries)",
        format!("{p50:.2} ms"),
        "≤ 5 ms",
        Some(p50 <= TARGET_P50_MS),
    );
    line(
        "search p99 (tantivy)",
        format!("{p99:.2} ms"),
        "≤ 50 ms",
        Some(p99 <= TARGET_P99_MS),
    );
    line(
        "FTS5 / tantivy at p50",
        format!("{:.1}x", f50 / p50),
        "≥ 20x",
        Some(f50 / p50 >= TARGET_FTS_RATIO),
    );
    line(
        "FTS5 / tantivy at p99",
        format!("{:.1}x", f99 / p99),
        "",
        None,
    );
    line(
        "new report searchable (max of 5)",
        format!("{fresh_max:.0} ms"),
        "≤ 1 s",
        Some(fresh_max <= TARGET_FRESH_MS),
    );
    for l in &r.loaded {
        let max = l.total_ms.iter().copied().fold(0.0, f64::max);
        line(
            &format!(
                "  … while {} others a second are published",
                thousands(l.rate)
            ),
            format!("{max:.0} ms"),
            "≤ ~1 s",
            Some(max <= TARGET_FRESH_MS),
        );
    }

    println!(
        "\nImport pipeline (`nearmiss import --publish`, {} parsing workers, {} reports per transaction)",
        b.workers,
        nearmiss::transfer::PER_TRANSACTION
    );
    line("reports imported", thousands(b.imported), "", None);
    if b.invalid > 0 {
        line("generated but skipped", thousands(b.invalid), "", None);
    }
    line(
        "input, JSON Lines generated before timing",
        mib(b.input_bytes),
        "",
        None,
    );
    line(
        "parse + de-identify + store (wall)",
        format!("{:.1} s", b.import_s),
        "",
        None,
    );
    line(
        "  indexer inside search.sync, beside it",
        format!("{:.1} s", b.index_busy_s),
        "",
        None,
    );
    line(
        "index caught up and compacted after the import",
        format!("{:.1} s", b.catch_up_s),
        "",
        None,
    );
    line(
        "total (wall), end to end",
        format!("{:.1} s", b.end_to_end_s),
        "",
        None,
    );
    line(
        "parse + de-identify + store alone",
        format!("{:.0} reports/s", b.imported as f64 / b.import_s),
        "",
        None,
    );

    cpu_breakdown(b, r.cores);

    println!("\nSize and memory");
    line("SQLite database (checkpointed)", mib(r.db_bytes), "", None);
    line("tantivy index directory", mib(r.index_bytes), "", None);
    line(
        "index segments after sync / merged",
        format!("{} / {}", r.unmerged_segments, r.merged_segments),
        "",
        None,
    );
    line(
        "background merges settled after",
        format!("{:.1} s", r.settle_s),
        "",
        None,
    );
    line("FTS5 side database", mib(r.fts_bytes), "", None);
    line(
        "peak RSS after import + index",
        mib(r.rss_after_import * 1024),
        "",
        None,
    );
    line(
        "peak RSS after tantivy searches",
        mib(r.rss_after_search * 1024),
        "",
        None,
    );
    line(
        "peak RSS at the end (after FTS5)",
        mib(r.rss_end * 1024),
        "",
        None,
    );

    println!(
        "\nQuery latency, {} queries, per_page {PER_PAGE}, snippets, 8 facets (ms)",
        r.queries.len()
    );
    println!(
        "  {:<44} {:>8} {:>8} {:>8} {:>8}",
        "", "p50", "p95", "p99", "max"
    );
    for (name, v) in [
        (
            format!("tantivy ({} segments)", r.merged_segments),
            [p50, p95, p99, max],
        ),
        ("SQLite FTS5".to_string(), [f50, f95, f99, fmax]),
        (
            format!(
                "tantivy right after import ({} segments)",
                r.unmerged_segments
            ),
            [
                pct(&first, 50.0),
                pct(&first, 95.0),
                pct(&first, 99.0),
                pct(&first, 100.0),
            ],
        ),
    ] {
        println!(
            "  {name:<44} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
            v[0], v[1], v[2], v[3]
        );
    }
    let text: Vec<usize> = (0..r.queries.len())
        .filter(|&i| !r.queries[i].text.is_empty())
        .collect();
    let browse: Vec<usize> = (0..r.queries.len())
        .filter(|&i| r.queries[i].text.is_empty())
        .collect();
    for (name, set) in [("with text", &text), ("filter-only", &browse)] {
        let t: Vec<f64> = set.iter().map(|&i| tantivy[i]).collect();
        let f: Vec<f64> = set.iter().map(|&i| fts[i]).collect();
        println!(
            "  {:<44} tantivy p50 {:.2} p99 {:.2} | FTS5 p50 {:.2} p99 {:.2}",
            format!("{name} ({})", set.len()),
            pct(&t, 50.0),
            pct(&t, 99.0),
            pct(&f, 50.0),
            pct(&f, 99.0)
        );
    }
    println!(
        "  FTS5 build: {} rows loaded in {:.1} s, optimize {:.1} s, covering index {:.1} s",
        thousands(r.fts_build.rows),
        r.fts_build.load_s,
        r.fts_build.optimize_s,
        r.fts_build.covering_index_s
    );

    println!("\nSlowest queries");
    for (name, timed) in [("tantivy", r.tantivy), ("FTS5", r.fts)] {
        let mut order: Vec<usize> = (0..timed.len()).collect();
        order.sort_by(|&a, &b| timed[b].ms.total_cmp(&timed[a].ms));
        for &i in order.iter().take(5) {
            println!(
                "  {name:<8} {:>9.2} ms  {:>9} matches  {}",
                timed[i].ms,
                thousands(timed[i].total),
                describe(&r.queries[i])
            );
        }
    }

    // Tokenisation differs (tantivy: Snowball English stemmer; FTS5: Porter
    // via `porter unicode61`), so totals agree closely, not exactly.
    println!("\nTotals, tantivy vs FTS5 (the two answer the same question)");
    let mut agree = 0;
    for (i, (t, f)) in r.tantivy.iter().zip(r.fts).enumerate() {
        let close = t.total.abs_diff(f.total) as f64 <= 0.02 * t.total.max(f.total) as f64;
        if close {
            agree += 1;
        }
        if i % 23 == 0 || !close {
            println!(
                "  {:>9} {:>9}  {}{}",
                thousands(t.total),
                thousands(f.total),
                describe(&r.queries[i]),
                if close { "" } else { "   <- differs" }
            );
        }
    }
    println!("  {agree} of {} queries agree within 2 %", r.queries.len());

    println!(
        "\nFreshness under load: a publisher commits every {} ms for {} s; a probe once a second, publish → found (ms)",
        LOAD_TICK.as_millis(),
        LOAD_SECONDS
    );
    for l in &r.loaded {
        println!(
            "  {:>6}/s asked, {:>6.0}/s published: p50 {:>6.1}  max {:>6.1}  ({} probes)",
            thousands(l.rate),
            l.achieved,
            pct(&l.total_ms, 50.0),
            l.total_ms.iter().copied().fold(0.0, f64::max),
            l.total_ms.len()
        );
    }

    println!("\nFreshness: publish one report, sync, search (ms)");
    for (i, total) in r.fresh.total_ms.iter().enumerate() {
        println!(
            "  probe {i}: {total:>7.1} total (publish {:.1}, sync {:.1})",
            r.fresh.publish_ms[i], r.fresh.sync_ms[i]
        );
    }
}
