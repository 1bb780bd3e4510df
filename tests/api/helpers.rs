//! A real `nearmiss` binary on a random port, with its own temporary data
//! directory and its logs captured to files, and typed helpers to talk to it.
//!
//! This file is compiled into several test targets: `api` runs the suite
//! on SQLite (the default), `api_postgres` the same tests on PostgreSQL
//! (and `hostile` / `hostile_postgres` likewise),
//! each test server with a database of its own, created on the server that
//! `NEARMISS_TEST_POSTGRES` names (default: the local one) and dropped
//! when the test's server stops.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{json, Value};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_nearmiss");
pub const REVIEWER: &str = "rev-alice";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub dir: TempDir,
    child: Child,
    client: Client,
}

#[derive(Default)]
pub struct Options {
    pub env: Vec<(&'static str, String)>,
    /// Loopback address the client sends from, so tests can look for it.
    pub client_addr: Option<IpAddr>,
    pub user_agent: Option<String>,
}

pub fn data_dir(dir: &Path) -> PathBuf {
    dir.join("data")
}

/// Whether this test target runs on PostgreSQL: the targets whose name
/// ends in `_postgres` include the SQLite targets' files again.
pub fn postgres() -> bool {
    env!("CARGO_CRATE_NAME").ends_with("_postgres")
}

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_server() -> String {
    std::env::var("NEARMISS_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn admin() -> diesel::PgConnection {
    use diesel::Connection;
    let url = postgres_server();
    diesel::PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!(
            "the PostgreSQL tests need a server: {url} ({e}); set NEARMISS_TEST_POSTGRES \
             to a database URL whose user may create databases"
        )
    })
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

/// Drops the databases earlier test processes left behind (a test that
/// panicked before its server stopped), once per process.
fn sweep_databases() {
    use diesel::prelude::*;
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| {
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            datname: String,
        }
        let mut conn = admin();
        let names: Vec<Name> =
            diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'nmt\\_%'")
                .load(&mut conn)
                .unwrap_or_default();
        for Name { datname } in names {
            let pid: Option<u32> = datname.split('_').nth(1).and_then(|p| p.parse().ok());
            let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
            if !alive {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                        .execute(&mut conn);
            }
        }
    });
}

/// The database URL of the test whose temporary directory is `dir`: none
/// on SQLite (the registry's file lives in the data directory); on
/// PostgreSQL a database made for it on first use, remembered in the
/// directory so that restarts find it again.
pub fn database_url(dir: &Path) -> Option<String> {
    if !postgres() {
        return None;
    }
    let file = dir.join("database-url");
    if let Ok(url) = std::fs::read_to_string(&file) {
        return Some(url);
    }
    use diesel::RunQueryDsl;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    sweep_databases();
    let name = format!(
        "nmt_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple()
    );
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin())
        .expect("create a test database");
    remember_database(&name);
    let url = with_database(&postgres_server(), &name);
    std::fs::write(&file, &url).unwrap();
    Some(url)
}

/// The URL the registry of the test in `dir` opens: its PostgreSQL
/// database, or the SQLite file in its data directory.
pub fn registry_database(dir: &Path) -> String {
    database_url(dir).unwrap_or_else(|| {
        data_dir(dir)
            .join("nearmiss.db")
            .to_string_lossy()
            .into_owned()
    })
}

/// Databases this process created and has not dropped yet.
static CREATED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

/// Drops, when the test process ends, the databases of tests that never
/// started a server (a `TestApp` drops its own): psql, not libpq, since
/// this runs while the process is exiting.
extern "C" fn drop_remaining_databases() {
    let names = std::mem::take(&mut *CREATED.lock().unwrap_or_else(|e| e.into_inner()));
    for name in names {
        let _ = Command::new("psql")
            .args([
                postgres_server().as_str(),
                "-qc",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn remember_database(name: &str) {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: registers a plain function, once, to run at exit.
        unsafe {
            atexit(drop_remaining_databases);
        }
    });
    CREATED.lock().unwrap().push(name.to_string());
}

/// Drops the test database of `dir`, if it has one.
pub fn drop_database(dir: &Path) {
    use diesel::RunQueryDsl;
    let Ok(url) = std::fs::read_to_string(dir.join("database-url")) else {
        return;
    };
    let name = url.rsplit('/').next().unwrap_or_default().to_string();
    if name.starts_with("nmt_") {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin());
        let _ = std::fs::remove_file(dir.join("database-url"));
        CREATED.lock().unwrap().retain(|n| *n != name);
    }
}

/// Runs one SQL statement on the test's database, whichever it is.
pub fn execute_sql(dir: &Path, sql: &str) {
    use diesel::{Connection, RunQueryDsl};
    match database_url(dir) {
        Some(url) => {
            let mut conn = diesel::PgConnection::establish(&url).unwrap();
            diesel::sql_query(sql).execute(&mut conn).unwrap();
        }
        None => {
            let path = data_dir(dir).join("nearmiss.db");
            let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
            diesel::sql_query("PRAGMA busy_timeout = 10000")
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(sql).execute(&mut conn).unwrap();
        }
    }
}

/// Everything the test in `dir` stored, as (name, bytes): each file under
/// `dir`, and on PostgreSQL a dump of the test's database as well (named
/// `postgres:<database>`).
pub fn stored(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                all.push((path.display().to_string(), bytes));
            }
        }
    }
    let root = if dir.join("database-url").exists() {
        Some(dir)
    } else {
        dir.parent().filter(|p| p.join("database-url").exists())
    };
    if let Some(url) = root.and_then(|r| std::fs::read_to_string(r.join("database-url")).ok()) {
        let dump = Command::new("pg_dump")
            .args(["--data-only", "--no-owner", &url])
            .output()
            .expect("pg_dump runs");
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        all.push((format!("postgres:{url}"), dump.stdout));
    }
    all
}

/// Where `needle` is stored (ASCII case-insensitive): see `stored`.
pub fn stored_containing(dir: &Path, needle: &str) -> Vec<String> {
    let needle = needle.to_ascii_lowercase().into_bytes();
    stored(dir)
        .into_iter()
        .filter(|(_, bytes)| contains_ignoring_case(bytes, &needle))
        .map(|(name, _)| name)
        .collect()
}

/// Whether `haystack` holds `lower_needle` (already lower case), ASCII
/// case-insensitively.
pub fn contains_ignoring_case(haystack: &[u8], lower_needle: &[u8]) -> bool {
    !lower_needle.is_empty()
        && haystack
            .windows(lower_needle.len())
            .any(|w| w.eq_ignore_ascii_case(lower_needle))
}

/// Run a CLI command against `dir`'s data directory.
pub fn cli(dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data_dir(dir)).args(args);
    match database_url(dir) {
        Some(url) => cmd.env("NEARMISS_DATABASE_URL", url),
        None => cmd.env_remove("NEARMISS_DATABASE_URL"),
    };
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn nearmiss");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("nearmiss runs")
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(Options::default())
}

pub fn spawn_app_with(options: Options) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    add_reviewer(dir.path());
    start(dir, options)
}

/// Adds the test reviewer with the CLI (the first command to open the
/// database, so it also creates or migrates it).
pub fn add_reviewer(dir: &Path) {
    let out = cli(
        dir,
        &["reviewer", "add", REVIEWER, "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(
        out.status.success(),
        "reviewer add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Start the server on an existing directory (for restarts).
pub fn start(dir: TempDir, options: Options) -> TestApp {
    start_full(dir, options, &[])
}

/// Start with extra `serve` arguments.
pub fn start_with_args(dir: TempDir, args: &[&str]) -> TestApp {
    start_full(dir, Options::default(), args)
}

fn start_full(dir: TempDir, options: Options, args: &[&str]) -> TestApp {
    let stdout = std::fs::File::create(dir.path().join("stdout.log")).unwrap();
    let stderr = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(data_dir(dir.path()))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .env_remove("NEARMISS_DATABASE_URL")
        .env("NEARMISS_LOG", "debug")
        .stdout(stdout)
        .stderr(stderr);
    if let Some(url) = database_url(dir.path()) {
        cmd.env("NEARMISS_DATABASE_URL", url);
    }
    for (k, v) in &options.env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("spawn nearmiss serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    let port = loop {
        let text = std::fs::read_to_string(dir.path().join("stdout.log")).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("listening on")) {
            break line
                .rsplit(':')
                .next()
                .unwrap()
                .trim()
                .parse::<u16>()
                .unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "server did not start: {}",
            logs(dir.path())
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut builder = Client::builder().timeout(Duration::from_secs(30));
    if let Some(addr) = options.client_addr {
        builder = builder.local_address(addr);
    }
    if let Some(ua) = options.user_agent {
        builder = builder.user_agent(ua);
    }
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        dir,
        child,
        client: builder.build().unwrap(),
    }
}

pub fn logs(dir: &Path) -> String {
    let mut s = std::fs::read_to_string(dir.join("stdout.log")).unwrap_or_default();
    s.push_str(&std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default());
    s
}

/// A complete, realistic submission whose texts carry identifying details,
/// all declared or detectable.
pub fn submission() -> Value {
    json!({
        "title": "Expired intermediate certificate at Quillfeather broke service-to-service TLS",
        "summary": "Quillfeather's mesh rejected every mTLS handshake for 48 minutes after the intermediate CA expired.",
        "narrative": "At 02:14 the envoy sidecars started failing with `x509: certificate has expired or is not yet valid`. Priya Nandakumar was paged and mailed priya.n@quillfeather.example; the vault PKI at 10.20.30.40 still served the old chain. Dashboards: https://grafana.quillfeather.example/d/mesh",
        "industry": "fintech",
        "organization_size": "1001-5000",
        "incident": {
            "started_at": "2023-11-03T02:14:00+01:00",
            "severity": "sev1",
            "detection": "customer-report",
            "time_to_detect_minutes": 22,
            "time_to_mitigate_minutes": 48,
            "time_to_resolve_minutes": 180,
            "impact": {"users_affected": "most", "data_loss": false, "description": "Payments failed for most users.", "categories": ["full-outage"]}
        },
        "technologies": ["envoy", "vault", "k8s", "grpc"],
        "trigger": "certificate-expiry",
        "contributing_factors": ["missing-monitoring", "manual-process"],
        "mitigations": ["certificate-renewal", "restart"],
        "timeline": [
            {"at": "2023-11-03T02:14:00+01:00", "event": "First handshake failures"},
            {"at": "02:36", "event": "Customer reports reach Priya Nandakumar"},
            {"at": "03:02", "event": "Intermediate reissued and sidecars restarted"}
        ],
        "root_causes": ["The intermediate certificate was renewed by hand and nobody owned the date."],
        "five_whys": ["Handshakes failed because the chain expired.", "It expired because renewal was manual."],
        "lessons_learned": ["Alert on certificate expiry for every link of the chain."],
        "action_items": [{"description": "Automate intermediate renewal with cert-manager", "status": "done"}],
        "human_factors": ["handoff", "fatigue"],
        "declared_terms": {"organization": ["Quillfeather"], "people": ["Priya Nandakumar"]}
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }

    pub fn submit(&self, body: &Value) -> Response {
        self.post("/api/v1/reports").json(body).send().unwrap()
    }

    /// Submit and return (id, receipt).
    pub fn submit_ok(&self, body: &Value) -> (String, String) {
        let r = self.submit(body);
        assert_eq!(r.status(), 201);
        let v: Value = r.json().unwrap();
        assert_eq!(v["status"], "pending");
        (
            v["id"].as_str().unwrap().to_string(),
            v["receipt"].as_str().unwrap().to_string(),
        )
    }

    pub fn login(&self) -> String {
        let r = self
            .post("/api/v1/auth/login")
            .json(&json!({"name": REVIEWER, "password": PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn approve(&self, token: &str, id: &str) -> Response {
        self.post(&format!("/api/v1/review/{id}/approve"))
            .bearer_auth(token)
            .send()
            .unwrap()
    }

    pub fn receipt(&self, id: &str, receipt: &str) -> Response {
        self.get(&format!("/api/v1/receipts/{id}"))
            .header("Authorization", format!("Receipt {receipt}"))
            .send()
            .unwrap()
    }

    /// A report as the reviewer sees it (`GET /api/v1/review/{id}`).
    pub fn review(&self, token: &str, id: &str) -> Value {
        self.get(&format!("/api/v1/review/{id}"))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }

    pub fn queue_len(&self, token: &str) -> usize {
        let v: Value = self
            .get("/api/v1/review/queue")
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["reports"].as_array().unwrap().len()
    }

    pub fn logs(&self) -> String {
        logs(self.dir.path())
    }

    pub fn data_dir(&self) -> PathBuf {
        data_dir(self.dir.path())
    }

    /// Stop the server (SIGKILL: nothing gets a chance to flush or clean up).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.kill();
        drop_database(self.dir.path());
    }
}

pub fn error_code(r: Response) -> (u16, String) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(
        ct.starts_with("application/json"),
        "status {status}: content type {ct}"
    );
    let v: Value = r.json().unwrap();
    let code = v["error"]["code"].as_str().expect("error.code").to_string();
    assert!(
        v["error"]["message"].is_string(),
        "error.message missing: {v}"
    );
    (status, code)
}
