//! Load: the real `nearmiss` server on loopback, under a mix of searches,
//! report reads, statistics, previews and submissions from many concurrent
//! clients, against a registry of 100,000 published reports.
//!
//! `cargo bench --bench load`. Settings (environment):
//!
//! * `NEARMISS_BENCH_REPORTS`: published reports in the registry (100,000);
//! * `NEARMISS_LOAD_SECONDS`: how long the load runs (60);
//! * `NEARMISS_LOAD_CONCURRENCY`: clients with a request in flight (64);
//! * `NEARMISS_LOAD_MAX_REQUESTS`: stop earlier after this many (2,000,000);
//! * `NEARMISS_LOAD_WORKERS`: the server's HTTP workers (its default, 2);
//! * `NEARMISS_BENCH_KEEP=DIR`: build the registry in `DIR` and keep it, so
//!   a later run reuses it instead of generating it again (the submissions
//!   of each run stay in it, pending review).
//!
//! The server runs with its submission and receipt rate limits raised far
//! above what the run can send: every client here shares one address, and
//! the point is how the server holds up, not how fast it says 429.
//!
//! Prints, per endpoint: requests, throughput, p50 / p99 / max latency and
//! how many answers were 2xx, 4xx, 5xx or failed in transport. Afterwards
//! the server is killed (SIGKILL) and every acknowledged submission (a 201
//! with an id and a receipt) is looked up in the database, with its receipt
//! row. Fails if any answer was a 5xx or any acknowledged submission is
//! missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use nearmiss::store::{self, Store};

const BIN: &str = env!("CARGO_BIN_EXE_nearmiss");
const DEFAULT_REPORTS: usize = 100_000;
const DEFAULT_SECONDS: u64 = 60;
const DEFAULT_CONCURRENCY: usize = 64;
const DEFAULT_MAX_REQUESTS: usize = 2_000_000;
/// Written last into the data directory: the registry there is complete.
const MARKER: &str = "load-dataset.json";
const SEED: u64 = 20_260_808;
/// Far above anything one run can send.
const UNLIMITED_PER_MINUTE: &str = "100000000";
/// Receipts checked over HTTP as well (every one is checked in the database).
const RECEIPT_SAMPLE: usize = 200;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Endpoint {
    Search,
    Report,
    Stats,
    Preview,
    Submit,
}

const ENDPOINTS: [(Endpoint, &str, u32); 5] = [
    (Endpoint::Search, "GET /api/v1/search", 35),
    (Endpoint::Report, "GET /api/v1/reports/{id}", 30),
    (Endpoint::Stats, "GET /api/v1/stats", 10),
    (Endpoint::Preview, "POST /api/v1/redact", 15),
    (Endpoint::Submit, "POST /api/v1/reports", 10),
];

const QUERIES: [&str; 14] = [
    "",
    "redis replica resync loop",
    "certificate expired",
    "kubernetes dns",
    "retry storm timeout",
    "disk full",
    "rollback deploy",
    "\"connection pool\"",
    "kafka consumer lag",
    "memory leak",
    "cache stampede",
    "postgres failover replication",
    "rate limit",
    "migration lock",
];

const FILTERS: [&str; 10] = [
    "",
    "&tech=kubernetes",
    "&tech=postgresql",
    "&tech=redis&severity=sev1",
    "&industry=fintech",
    "&severity=sev2",
    "&trigger=certificate-expiry",
    "&sort=newest",
    "&sort=longest&page=2",
    "&from=2022-01&to=2023-12",
];

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.replace(['_', ','], "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: a number"))
        })
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not,
    // and a test run must not spend minutes loading a server.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let reports = env_number("NEARMISS_BENCH_REPORTS", DEFAULT_REPORTS);
    let seconds = env_number("NEARMISS_LOAD_SECONDS", DEFAULT_SECONDS as usize) as u64;
    let concurrency = env_number("NEARMISS_LOAD_CONCURRENCY", DEFAULT_CONCURRENCY).max(1);
    let max_requests = env_number("NEARMISS_LOAD_MAX_REQUESTS", DEFAULT_MAX_REQUESTS);
    let workers = std::env::var("NEARMISS_LOAD_WORKERS").ok();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let keep = std::env::var_os("NEARMISS_BENCH_KEEP").map(PathBuf::from);
    let data = DataDir::new(&root, keep);
    eprintln!(
        "load bench: {reports} reports in {} ({cores} cores)",
        data.path.display()
    );
    build_registry(&data, reports);

    let started = Instant::now();
    let mut server = Server::start(&data.path, workers.as_deref());
    eprintln!(
        "server up on {} in {:.1} s",
        server.base,
        started.elapsed().as_secs_f64()
    );

    let db = data.path.join("nearmiss.db");
    let db = db.to_str().expect("a UTF-8 path").to_string();
    let ids = published_ids(&db, 5_000);
    assert!(!ids.is_empty(), "the registry has no published reports");
    // Submissions the registry accepts, so that a 4xx means something.
    let bodies: Vec<String> = nearmiss::demo::generate(256, SEED)
        .into_iter()
        .filter(|s| nearmiss::report::validate(s.clone()).is_ok())
        .map(|s| serde_json::to_string(&s).expect("a submission serialises"))
        .collect();

    eprintln!(
        "{concurrency} clients for {seconds} s (at most {max_requests} requests) against {}",
        server.base
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let plan = Plan {
        base: server.base.clone(),
        ids,
        bodies,
        deadline: Instant::now() + Duration::from_secs(seconds),
        max_requests,
    };
    let run_started = Instant::now();
    let outcome = runtime.block_on(run(Arc::new(plan), concurrency));
    let elapsed = run_started.elapsed().as_secs_f64();

    // A sample of receipts over HTTP, while the server still runs.
    let sample = runtime.block_on(check_receipts(&server.base, &outcome.acknowledged));
    let peak_rss = server.peak_rss_kib();
    server.kill();

    // Every acknowledged submission, in the database.
    let store = Store::open(&db, 1).expect("open the database");
    let mut conn = store.conn().expect("a connection");
    let mut present = 0;
    let mut with_receipt = 0;
    for (id, _) in &outcome.acknowledged {
        if store::receipt_status(&mut conn, id).is_ok() {
            present += 1;
        }
        if matches!(store::receipt_hash(&mut conn, id), Ok(Some(_))) {
            with_receipt += 1;
        }
    }
    drop(conn);
    drop(store);

    report(
        &outcome,
        elapsed,
        concurrency,
        reports,
        peak_rss,
        sample,
        present,
        with_receipt,
    );
    let server_errors: usize = outcome.stats.iter().map(|s| s.status_5xx).sum();
    let transport: usize = outcome.stats.iter().map(|s| s.transport).sum();
    assert_eq!(server_errors, 0, "the server answered 5xx");
    assert_eq!(transport, 0, "requests failed in transport");
    assert_eq!(
        present,
        outcome.acknowledged.len(),
        "acknowledged submissions missing from the database"
    );
    assert_eq!(
        with_receipt,
        outcome.acknowledged.len(),
        "acknowledged submissions without their receipt"
    );
    assert_eq!(sample.0, sample.1, "receipts refused over HTTP");
}

// ---------------------------------------------------------------------------
// The registry and the server.

struct DataDir {
    path: PathBuf,
    keep: bool,
}

impl DataDir {
    fn new(root: &Path, keep: Option<PathBuf>) -> DataDir {
        let (path, keep) = match keep {
            Some(dir) => (dir, true),
            None => (
                root.join(format!("target/bench-load-{}", std::process::id())),
                false,
            ),
        };
        std::fs::create_dir_all(&path).expect("create the data directory");
        DataDir { path, keep }
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Loads `reports` generated reports into the data directory with
/// `nearmiss demo`, unless a complete registry of that size is there.
fn build_registry(data: &DataDir, reports: usize) {
    let marker = data.path.join(MARKER);
    if let Ok(text) = std::fs::read_to_string(&marker) {
        let kept: Value = serde_json::from_str(&text).expect("a readable dataset marker");
        assert_eq!(
            kept["reports"].as_u64(),
            Some(reports as u64),
            "{} holds a registry of another size: set NEARMISS_BENCH_REPORTS={} or remove it",
            data.path.display(),
            kept["reports"]
        );
        eprintln!(
            "reusing the registry built earlier in {}",
            data.path.display()
        );
        return;
    }
    for name in ["nearmiss.db", "nearmiss.db-wal", "nearmiss.db-shm"] {
        let _ = std::fs::remove_file(data.path.join(name));
    }
    let _ = std::fs::remove_dir_all(data.path.join("index"));
    eprintln!("generating and publishing {reports} reports (nearmiss demo) ...");
    let started = Instant::now();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data.path)
        .args(["demo", "--count", &reports.to_string()])
        .env_remove("NEARMISS_DATABASE_URL")
        .stderr(Stdio::inherit())
        .output()
        .expect("run nearmiss demo");
    assert!(out.status.success(), "nearmiss demo failed");
    eprintln!(
        "{} ({:.0} s)",
        String::from_utf8_lossy(&out.stdout).trim(),
        started.elapsed().as_secs_f64()
    );
    std::fs::write(&marker, format!("{{\"reports\": {reports}}}\n")).expect("write the marker");
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `nearmiss serve` on a free loopback port and waits until it
    /// listens (it indexes whatever the index lacks first).
    fn start(data: &Path, workers: Option<&str>) -> Server {
        let log = data.join("server.log");
        let stdout = std::fs::File::create(&log).expect("create the server log");
        let stderr = stdout.try_clone().expect("clone the log handle");
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir")
            .arg(data)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(["--submissions-per-minute", UNLIMITED_PER_MINUTE])
            .args(["--receipt-per-minute", UNLIMITED_PER_MINUTE])
            .env_remove("NEARMISS_DATABASE_URL")
            .env("NEARMISS_LOG", "warn")
            .stdout(stdout)
            .stderr(stderr);
        if let Some(w) = workers {
            cmd.args(["--workers", w]);
        }
        let mut child = cmd.spawn().expect("start nearmiss serve");
        let deadline = Instant::now() + Duration::from_secs(1_800);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains("listening on")) {
                let port = line.rsplit(':').next().unwrap_or_default().trim();
                return Server {
                    child,
                    base: format!("http://127.0.0.1:{port}"),
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server exited ({status}): {text}");
            }
            assert!(
                Instant::now() < deadline,
                "the server did not start: {text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// SIGKILL: what was acknowledged must already be on disk.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Up to `n` published report ids (ids are random, so the first `n` in id
/// order are a random sample).
fn published_ids(db: &str, n: i64) -> Vec<String> {
    let store = Store::open(db, 1).expect("open the database");
    let mut conn = store.conn().expect("a connection");
    store::published_page(&mut conn, None, n)
        .expect("read published reports")
        .into_iter()
        .map(|r| r.id.to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// The load.

struct Plan {
    base: String,
    ids: Vec<String>,
    bodies: Vec<String>,
    deadline: Instant,
    max_requests: usize,
}

#[derive(Clone, Default)]
struct EndpointStats {
    latencies_us: Vec<u64>,
    status_2xx: usize,
    status_4xx: usize,
    status_5xx: usize,
    /// 429 among the 4xx.
    limited: usize,
    transport: usize,
}

#[derive(Default)]
struct Outcome {
    stats: Vec<EndpointStats>,
    acknowledged: Vec<(uuid::Uuid, String)>,
    first_errors: Vec<String>,
}

fn pick(rng: &mut ChaCha8Rng) -> usize {
    let total: u32 = ENDPOINTS.iter().map(|e| e.2).sum();
    let mut roll = rng.gen_range(0..total);
    for (i, e) in ENDPOINTS.iter().enumerate() {
        if roll < e.2 {
            return i;
        }
        roll -= e.2;
    }
    ENDPOINTS.len() - 1
}

async fn run(plan: Arc<Plan>, concurrency: usize) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client");
    let sent = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Mutex::new(Outcome {
        stats: vec![EndpointStats::default(); ENDPOINTS.len()],
        ..Outcome::default()
    }));
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (plan, client, sent, stop, shared) = (
            plan.clone(),
            client.clone(),
            sent.clone(),
            stop.clone(),
            shared.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(SEED + worker as u64);
            let mut local = Outcome {
                stats: vec![EndpointStats::default(); ENDPOINTS.len()],
                ..Outcome::default()
            };
            while !stop.load(Ordering::Relaxed) && Instant::now() < plan.deadline {
                if sent.fetch_add(1, Ordering::Relaxed) >= plan.max_requests {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
                let which = pick(&mut rng);
                let request = build_request(&client, &plan, ENDPOINTS[which].0, &mut rng);
                let started = Instant::now();
                let answer = match request.send().await {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        r.bytes().await.map(|b| (status, b))
                    }
                    Err(e) => Err(e),
                };
                let us = started.elapsed().as_micros() as u64;
                let s = &mut local.stats[which];
                s.latencies_us.push(us);
                match answer {
                    Ok((status, body)) => {
                        match status {
                            200..=299 => s.status_2xx += 1,
                            400..=499 => s.status_4xx += 1,
                            _ => s.status_5xx += 1,
                        }
                        if status == 429 {
                            s.limited += 1;
                        }
                        if status >= 400 && local.first_errors.len() < 3 {
                            local.first_errors.push(format!(
                                "{} → {status}: {}",
                                ENDPOINTS[which].1,
                                String::from_utf8_lossy(&body[..body.len().min(300)])
                            ));
                        }
                        if ENDPOINTS[which].0 == Endpoint::Submit && status == 201 {
                            let v: Value =
                                serde_json::from_slice(&body).expect("a JSON receipt body");
                            let id = v["id"].as_str().and_then(|i| i.parse().ok());
                            let receipt = v["receipt"].as_str();
                            match (id, receipt) {
                                (Some(id), Some(r)) => local.acknowledged.push((id, r.into())),
                                _ => panic!("a 201 without an id and a receipt: {v}"),
                            }
                        }
                    }
                    Err(e) => {
                        s.transport += 1;
                        if local.first_errors.len() < 3 {
                            local
                                .first_errors
                                .push(format!("{} → transport: {e}", ENDPOINTS[which].1));
                        }
                    }
                }
            }
            let mut all = shared.lock().expect("the results lock");
            for (a, b) in all.stats.iter_mut().zip(local.stats) {
                a.latencies_us.extend(b.latencies_us);
                a.status_2xx += b.status_2xx;
                a.status_4xx += b.status_4xx;
                a.status_5xx += b.status_5xx;
                a.limited += b.limited;
                a.transport += b.transport;
            }
            all.acknowledged.extend(local.acknowledged);
            let room = 10usize.saturating_sub(all.first_errors.len());
            all.first_errors
                .extend(local.first_errors.into_iter().take(room));
        }));
    }
    for t in tasks {
        t.await.expect("a load task");
    }
    let mut outcome = std::mem::take(&mut *shared.lock().expect("the results lock"));
    for s in &mut outcome.stats {
        s.latencies_us.sort_unstable();
    }
    outcome
}

fn build_request(
    client: &reqwest::Client,
    plan: &Plan,
    endpoint: Endpoint,
    rng: &mut ChaCha8Rng,
) -> reqwest::RequestBuilder {
    let base = &plan.base;
    match endpoint {
        Endpoint::Search => {
            let q = QUERIES[rng.gen_range(0..QUERIES.len())];
            let f = FILTERS[rng.gen_range(0..FILTERS.len())];
            let url = reqwest::Url::parse_with_params(&format!("{base}/api/v1/search"), [("q", q)])
                .expect("a search URL");
            client.get(format!("{url}{f}"))
        }
        Endpoint::Report => {
            let id = &plan.ids[rng.gen_range(0..plan.ids.len())];
            client.get(format!("{base}/api/v1/reports/{id}"))
        }
        Endpoint::Stats => {
            let q = QUERIES[rng.gen_range(0..4)];
            let f = FILTERS[rng.gen_range(0..7)];
            let url = reqwest::Url::parse_with_params(&format!("{base}/api/v1/stats"), [("q", q)])
                .expect("a stats URL");
            client.get(format!("{url}{f}"))
        }
        Endpoint::Preview | Endpoint::Submit => {
            let body = plan.bodies[rng.gen_range(0..plan.bodies.len())].clone();
            let path = if endpoint == Endpoint::Preview {
                "redact"
            } else {
                "reports"
            };
            client
                .post(format!("{base}/api/v1/{path}"))
                .header("content-type", "application/json")
                .body(body)
        }
    }
}

/// Asks the receipt endpoint about a sample of the acknowledged submissions,
/// each with its own receipt: (asked, answered "pending").
async fn check_receipts(base: &str, acknowledged: &[(uuid::Uuid, String)]) -> (usize, usize) {
    let client = reqwest::Client::new();
    let step = (acknowledged.len() / RECEIPT_SAMPLE).max(1);
    let mut asked = 0;
    let mut confirmed = 0;
    for (id, receipt) in acknowledged.iter().step_by(step).take(RECEIPT_SAMPLE) {
        asked += 1;
        let r = client
            .get(format!("{base}/api/v1/receipts/{id}"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await;
        if let Ok(r) = r {
            if r.status() == 200 {
                let v: Value = r.json().await.unwrap_or_default();
                if v["status"] == "pending" {
                    confirmed += 1;
                }
            }
        }
    }
    (asked, confirmed)
}

// ---------------------------------------------------------------------------
// The figures.

fn pct(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((sorted_us.len() - 1) as f64 * p).round() as usize;
    sorted_us[i] as f64 / 1000.0
}

#[allow(clippy::too_many_arguments)]
fn report(
    outcome: &Outcome,
    elapsed: f64,
    concurrency: usize,
    reports: usize,
    peak_rss_kib: Option<u64>,
    sample: (usize, usize),
    present: usize,
    with_receipt: usize,
) {
    println!();
    println!(
        "load: {concurrency} concurrent clients, {elapsed:.1} s, {reports} published reports, loopback"
    );
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>5} {:>5}",
        "endpoint", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "2xx", "4xx", "5xx", "err"
    );
    let mut total = EndpointStats::default();
    for ((_, name, _), s) in ENDPOINTS.iter().zip(&outcome.stats) {
        row(name, s, elapsed);
        total.latencies_us.extend(&s.latencies_us);
        total.status_2xx += s.status_2xx;
        total.status_4xx += s.status_4xx;
        total.status_5xx += s.status_5xx;
        total.limited += s.limited;
        total.transport += s.transport;
    }
    total.latencies_us.sort_unstable();
    row("all", &total, elapsed);
    println!("429 (rate limited) among the 4xx: {}", total.limited);
    for e in &outcome.first_errors {
        println!("  e.g. {e}");
    }
    println!(
        "acknowledged submissions (201 with id and receipt): {}; in the database afterwards: {present}, with their receipt: {with_receipt}",
        outcome.acknowledged.len()
    );
    println!(
        "receipts checked over HTTP: {} asked, {} answered pending",
        sample.0, sample.1
    );
    if let Some(kib) = peak_rss_kib {
        println!("server peak RSS: {:.0} MiB", kib as f64 / 1024.0);
    }
}

fn row(name: &str, s: &EndpointStats, elapsed: f64) {
    let n = s.latencies_us.len();
    println!(
        "{:<28} {:>9} {:>9.1} {:>9.2} {:>9.2} {:>9.1} {:>7} {:>7} {:>5} {:>5}",
        name,
        n,
        n as f64 / elapsed,
        pct(&s.latencies_us, 0.50),
        pct(&s.latencies_us, 0.99),
        s.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0,
        s.status_2xx,
        s.status_4xx,
        s.status_5xx,
        s.transport
    );
}
