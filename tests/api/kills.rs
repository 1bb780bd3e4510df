//! SIGKILL at random moments: the server while clients submit and a
//! reviewer approves, and `nearmiss import --publish` part-way through its
//! file, over and over, restarting each time. Afterwards nothing
//! acknowledged is lost, nothing is stored twice or in part, the search
//! index holds exactly the published reports, and SQLite's own check
//! passes.
//!
//! The moments come from a seeded generator; the seed is printed, and
//! `NEARMISS_KILL_SEED=<seed>` replays a run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::helpers::*;

/// Server kills while only the clients write.
const SERVER_KILLS: usize = 12;
/// Import processes killed part-way through their file (the server is
/// killed in some of those rounds too).
const IMPORT_KILLS: usize = 8;
const SUBMITTERS: usize = 3;
/// Lines per import file: one transaction of `nearmiss import
/// --per-transaction 2000` and a part of a second.
const IMPORT_LINES: usize = 2_800;
const IMPORT_TXN: usize = 2_000;

/// A submission the server acknowledged (201 with an id and a receipt).
struct Acked {
    id: String,
    title: String,
}

#[derive(Default)]
struct Shared {
    base: RwLock<String>,
    stop: AtomicBool,
    acked: Mutex<Vec<Acked>>,
    /// Ids whose approval was acknowledged (200).
    approved: Mutex<BTreeSet<String>>,
    /// HTTP statuses the clients saw, and transport failures (status 0).
    statuses: Mutex<BTreeMap<u16, usize>>,
    sent: AtomicUsize,
}

impl Shared {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.read().unwrap())
    }

    fn saw(&self, status: u16) {
        *self.statuses.lock().unwrap().entry(status).or_default() += 1;
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn submitter(shared: Arc<Shared>, thread: usize) {
    let client = client();
    let mut n = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        n += 1;
        let title = format!("Crash drill submission {thread} {n} expired certificate");
        let mut body = submission();
        body["title"] = json!(title);
        shared.sent.fetch_add(1, Ordering::Relaxed);
        match client
            .post(shared.url("/api/v1/reports"))
            .json(&body)
            .send()
        {
            Ok(r) => {
                let status = r.status().as_u16();
                shared.saw(status);
                // A body cut short by a kill is no acknowledgement.
                if status == 201 {
                    if let Ok(v) = r.json::<Value>() {
                        let id = v["id"].as_str().expect("a 201 carries an id");
                        assert!(v["receipt"].is_string(), "a 201 carries a receipt: {v}");
                        shared.acked.lock().unwrap().push(Acked {
                            id: id.to_string(),
                            title,
                        });
                    }
                }
            }
            Err(_) => {
                shared.saw(0);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Approves acknowledged submissions as they come, with a session that
/// lives in the database and so outlasts every restart.
fn approver(shared: Arc<Shared>, token: String) {
    let client = client();
    let mut next = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        let id = {
            let acked = shared.acked.lock().unwrap();
            acked.get(next).map(|a| a.id.clone())
        };
        let Some(id) = id else {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        match client
            .post(shared.url(&format!("/api/v1/review/{id}/approve")))
            .bearer_auth(&token)
            .send()
        {
            Ok(r) if r.status() == 200 => {
                shared.approved.lock().unwrap().insert(id);
                next += 2;
            }
            // Approved before a kill cut the answer off: the report is
            // published, but not acknowledged as such.
            Ok(r) if r.status() == 409 => next += 2,
            Ok(r) => {
                shared.saw(r.status().as_u16());
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn options() -> Options {
    Options {
        env: vec![
            // Limits are not what this test is about.
            ("NEARMISS_SUBMISSIONS_PER_MINUTE", "1000000".into()),
            ("NEARMISS_LOG", "info".into()),
        ],
        ..Options::default()
    }
}

/// SIGKILLs the server and starts it again on the same data.
fn restart(app: &mut TestApp, shared: &Shared) {
    app.kill();
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    let fresh = start(dir, options());
    *shared.base.write().unwrap() = fresh.base.clone();
    // The old handle keeps an empty directory: dropping it drops nothing.
    drop(std::mem::replace(app, fresh));
}

fn import_file(dir: &Path, round: usize) -> std::path::PathBuf {
    let path = dir.join(format!("import-{round}.jsonl"));
    let mut text = String::new();
    for line in 0..IMPORT_LINES {
        let body = json!({
            "title": format!("Crash drill import {round} {line} expired certificate"),
            "summary": "The mesh rejected every handshake after the intermediate expired.",
            "narrative": "Sidecars failed at 02:14; Priya Nandakumar restarted them at 03:02.",
            "technologies": ["envoy", "vault"],
            "contributing_factors": ["manual-process"],
            "mitigations": ["restart"],
            "declared_terms": {"people": ["Priya Nandakumar"]}
        });
        text.push_str(&body.to_string());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn import_command(dir: &Path, file: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(data_dir(dir))
        .args(["import", "--publish", "--per-transaction"])
        .arg(IMPORT_TXN.to_string())
        .arg(file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match database_url(dir) {
        Some(url) => cmd.env("NEARMISS_DATABASE_URL", url),
        None => cmd.env_remove("NEARMISS_DATABASE_URL"),
    };
    cmd
}

#[derive(QueryableByName)]
struct ReportRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    content: String,
    #[diesel(sql_type = BigInt)]
    receipts: i64,
    #[diesel(sql_type = BigInt)]
    publications: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

const REPORTS: &str = "SELECT CAST(r.id AS TEXT) AS id, r.status AS status, r.title AS title, \
    CAST(r.content AS TEXT) AS content, \
    (SELECT COUNT(*) FROM receipts c WHERE c.report_id = r.id) AS receipts, \
    (SELECT COUNT(*) FROM index_events e WHERE e.report_id = r.id AND e.kind = 'publish') \
    AS publications FROM reports r";

/// Rows that point at no report (foreign keys should make these impossible).
const ORPHANS: &str = "SELECT \
    (SELECT COUNT(*) FROM receipts c WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = c.report_id)) AS n";

/// The published reports of each cohort, counted from the reports.
const COHORTS_COUNTED: &str = "\
    SELECT CAST('exact' AS TEXT) AS level, cohort, COUNT(*) AS published FROM reports \
    WHERE status = 'published' AND cohort IS NOT NULL GROUP BY cohort UNION ALL \
    SELECT CAST('no_size' AS TEXT), cohort_no_size, COUNT(*) FROM reports \
    WHERE status = 'published' AND cohort IS NOT NULL GROUP BY cohort_no_size UNION ALL \
    SELECT CAST('no_month' AS TEXT), cohort_no_month, COUNT(*) FROM reports \
    WHERE status = 'published' AND cohort IS NOT NULL GROUP BY cohort_no_month UNION ALL \
    SELECT CAST('coarse' AS TEXT), cohort_coarse, COUNT(*) FROM reports \
    WHERE status = 'published' AND cohort IS NOT NULL GROUP BY cohort_coarse";

/// Cohort sizes (kept by triggers, for k-anonymity) that differ from what
/// the reports count, either way.
fn cohort_mismatches(dir: &Path) -> i64 {
    use diesel::RunQueryDsl;
    let kept = "SELECT level, cohort, published FROM cohort_sizes WHERE published <> 0";
    let sql = format!(
        "SELECT COUNT(*) AS n FROM ( \
         SELECT * FROM ({kept}) AS k EXCEPT SELECT * FROM ({COHORTS_COUNTED}) AS c \
         UNION ALL \
         SELECT * FROM ({COHORTS_COUNTED}) AS c2 EXCEPT SELECT * FROM ({kept}) AS k2) AS d"
    );
    with_db(
        dir,
        |c| diesel::sql_query(&sql).get_result::<Count>(c).unwrap().n,
        |c| diesel::sql_query(&sql).get_result::<Count>(c).unwrap().n,
    )
}

/// Runs `f` on a direct connection to the test's database.
fn with_db<T>(
    dir: &Path,
    f_pg: impl FnOnce(&mut diesel::PgConnection) -> T,
    f_sqlite: impl FnOnce(&mut diesel::SqliteConnection) -> T,
) -> T {
    use diesel::Connection;
    match database_url(dir) {
        Some(url) => f_pg(&mut diesel::PgConnection::establish(&url).unwrap()),
        None => {
            let path = data_dir(dir).join("nearmiss.db");
            f_sqlite(&mut diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap())
        }
    }
}

fn reports(dir: &Path) -> Vec<ReportRow> {
    use diesel::RunQueryDsl;
    with_db(
        dir,
        |c| diesel::sql_query(REPORTS).load(c).unwrap(),
        |c| diesel::sql_query(REPORTS).load(c).unwrap(),
    )
}

fn orphans(dir: &Path) -> i64 {
    use diesel::RunQueryDsl;
    with_db(
        dir,
        |c| diesel::sql_query(ORPHANS).get_result::<Count>(c).unwrap().n,
        |c| diesel::sql_query(ORPHANS).get_result::<Count>(c).unwrap().n,
    )
}

/// The rows of SQLite's `PRAGMA integrity_check` or `foreign_key_check`
/// (none on PostgreSQL).
fn sqlite_check(dir: &Path, sql: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    with_db(
        dir,
        |_| Vec::new(),
        |c| {
            diesel::sql_query(sql)
                .load::<Line>(c)
                .unwrap()
                .into_iter()
                .map(|l| l.line)
                .collect()
        },
    )
}

/// The drill titles of import round `round` that made it in, by line.
fn imported_lines(rows: &[ReportRow], round: usize) -> Vec<usize> {
    let prefix = format!("Crash drill import {round} ");
    let mut lines: Vec<usize> = rows
        .iter()
        .filter_map(|r| r.title.strip_prefix(&prefix))
        .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
        .collect();
    lines.sort_unstable();
    lines
}

#[test]
fn sigkills_during_submissions_and_imports_lose_nothing_acknowledged() {
    let seed: u64 = std::env::var("NEARMISS_KILL_SEED")
        .ok()
        .map(|s| s.parse().expect("NEARMISS_KILL_SEED: a number"))
        .unwrap_or_else(|| rand::rngs::OsRng.gen());
    eprintln!("kill test seed: {seed} (NEARMISS_KILL_SEED={seed} replays it)");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let started = Instant::now();

    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &["reviewer", "add", REVIEWER, "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(out.status.success());
    let mut app = start(dir, options());
    let token = app.login();
    let shared = Arc::new(Shared::default());
    *shared.base.write().unwrap() = app.base.clone();
    let mut clients = Vec::new();
    for t in 0..SUBMITTERS {
        let s = shared.clone();
        clients.push(std::thread::spawn(move || submitter(s, t)));
    }
    {
        let s = shared.clone();
        clients.push(std::thread::spawn(move || approver(s, token)));
    }

    // 1. The server, killed under submission and approval load.
    let mut server_kills = 0;
    for _ in 0..SERVER_KILLS {
        std::thread::sleep(Duration::from_millis(rng.gen_range(300..1_500)));
        restart(&mut app, &shared);
        server_kills += 1;
    }
    let acked_after_server_kills = shared.acked.lock().unwrap().len();
    let server_phase = started.elapsed();

    // 2. Bulk imports killed part-way (and the server now and then), the
    // clients still submitting.
    let files = tempfile::tempdir().unwrap();
    let mut import_kills = 0;
    let mut round = 0;
    let mut partial = BTreeMap::new();
    let mut full_import = None;
    while import_kills < IMPORT_KILLS {
        assert!(round < 4 * IMPORT_KILLS, "imports finished before any kill");
        let file = import_file(files.path(), round);
        let began = Instant::now();
        let mut import = import_command(app.dir.path(), &file).spawn().unwrap();
        // The first import runs to its end and times the others' kills.
        let status = match full_import {
            None => {
                let status = import.wait().unwrap();
                full_import = Some(began.elapsed());
                status
            }
            Some(full) => {
                std::thread::sleep(full.mul_f64(rng.gen_range(0.1..0.95)));
                let _ = import.kill();
                import.wait().unwrap()
            }
        };
        // Killed, or done before the kill came.
        let alive = status.signal() == Some(9);
        if alive {
            import_kills += 1;
        } else {
            assert!(status.success(), "import {round} failed: {status}");
        }
        if rng.gen_bool(0.5) {
            restart(&mut app, &shared);
            server_kills += 1;
        }
        let lines = imported_lines(&reports(app.dir.path()), round);
        partial.insert(round, (alive, lines.len()));
        // Whole transactions or nothing: the first n × 2,000 lines, each once.
        let n = lines.len();
        assert!(
            n == IMPORT_LINES || n.is_multiple_of(IMPORT_TXN),
            "round {round}: {n} lines imported"
        );
        assert_eq!(lines, (0..n).collect::<Vec<_>>(), "round {round}");
        if !alive {
            assert_eq!(n, IMPORT_LINES, "round {round} finished");
        }
        round += 1;
    }

    shared.stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    // The last start indexed whatever the index lacked before listening.
    restart(&mut app, &shared);
    let published_by_search = crate::search::search(&app, &[("per_page", "1")])["total"]
        .as_u64()
        .unwrap();
    app.kill();

    let acked = std::mem::take(&mut *shared.acked.lock().unwrap());
    let approved = std::mem::take(&mut *shared.approved.lock().unwrap());
    let statuses = shared.statuses.lock().unwrap().clone();
    let rows = reports(app.dir.path());
    let by_id: HashMap<&str, &ReportRow> = rows.iter().map(|r| (r.id.as_str(), r)).collect();

    // Every acknowledged submission is there, once, whole, with its receipt;
    // every acknowledged approval is published.
    for a in &acked {
        let row = by_id
            .get(a.id.as_str())
            .unwrap_or_else(|| panic!("acknowledged submission {} is missing", a.id));
        assert_eq!(row.title, a.title, "{}", a.id);
        assert_eq!(row.receipts, 1, "{} has no receipt", a.id);
        if approved.contains(&a.id) {
            assert_eq!(row.status, "published", "{}", a.id);
        } else {
            assert!(["pending", "published"].contains(&row.status.as_str()));
        }
    }
    let mut titles = HashMap::new();
    for row in &rows {
        *titles.entry(row.title.as_str()).or_insert(0) += 1;
        let content: Value = serde_json::from_str(&row.content).unwrap();
        assert!(content["technologies"]
            .as_array()
            .is_some_and(|t| !t.is_empty()));
        // A submission has its receipt; an import has none.
        let submitted = row.title.starts_with("Crash drill submission");
        assert_eq!(row.receipts, i64::from(submitted), "{}", row.id);
        // Published with its index event, in the same transaction.
        let published = row.status == "published";
        assert_eq!(row.publications, i64::from(published), "{}", row.id);
    }
    let duplicated: Vec<_> = titles.iter().filter(|(_, &n)| n > 1).collect();
    assert!(duplicated.is_empty(), "stored twice: {duplicated:?}");
    assert_eq!(orphans(app.dir.path()), 0, "rows without their report");
    // Cohort sizes written with the rows they count, never without them.
    assert_eq!(cohort_mismatches(app.dir.path()), 0, "cohort sizes off");

    // The index holds exactly the published reports.
    let published: BTreeSet<String> = rows
        .iter()
        .filter(|r| r.status == "published")
        .map(|r| r.id.clone())
        .collect();
    let index =
        search_index::SearchIndex::open_current(app.data_dir().join("index"), &HashMap::new())
            .unwrap();
    let indexed: Vec<String> = index.ids().unwrap();
    let indexed_set: BTreeSet<String> = indexed.iter().cloned().collect();
    assert_eq!(indexed.len(), indexed_set.len(), "an id indexed twice");
    assert_eq!(indexed_set.len(), published.len());
    assert!(indexed_set == published, "index and database disagree");
    assert_eq!(index.num_docs(), published.len() as u64);
    assert_eq!(published_by_search, published.len() as u64);
    drop(index);

    if !postgres() {
        assert_eq!(
            sqlite_check(
                app.dir.path(),
                "SELECT integrity_check AS line FROM pragma_integrity_check"
            ),
            ["ok"]
        );
        assert!(sqlite_check(
            app.dir.path(),
            "SELECT \"table\" AS line FROM pragma_foreign_key_check"
        )
        .is_empty());
    }

    let imported: usize = partial.values().map(|p| p.1).sum();
    let cut: Vec<usize> = partial.values().filter(|p| p.0).map(|p| p.1).collect();
    eprintln!(
        "kill test: {server_kills} server kills and {import_kills} import kills in {:.1} s; \
         {} submissions sent, {} acknowledged ({acked_after_server_kills} in the first {:.1} s, before the imports), \
         {} approvals acknowledged; {} import rounds stored {imported} reports in whole \
         transactions (a full import took {:.1} s; killed ones stored {cut:?}); {} reports in the database, {} published = {} indexed; statuses {statuses:?}",
        started.elapsed().as_secs_f64(),
        shared.sent.load(Ordering::Relaxed),
        acked.len(),
        server_phase.as_secs_f64(),
        approved.len(),
        partial.len(),
        full_import.unwrap_or_default().as_secs_f64(),
        rows.len(),
        published.len(),
        indexed.len(),
    );
    assert!(server_kills + import_kills >= 20);
    assert!(!acked.is_empty() && !approved.is_empty());
}
