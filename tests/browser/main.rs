//! The web pages in a real browser: headless Chromium driven over WebDriver
//! against the real `nearmiss` binary, plus the static file server's
//! headers over plain HTTP. Screenshots of every page land in
//! `target/screenshots/`.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod accessibility;
mod driver;
mod inert;
mod review;
mod search;
mod static_files;
mod stats;
mod submit;

use std::time::{Duration, Instant};

use helpers::{cli, start_with_args, TestApp, PASSWORD, REVIEWER};
use serde_json::Value;

/// A server with the 500 generated demo reports, all searchable, and a
/// reviewer.
pub fn demo_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = cli(
        dir.path(),
        &["reviewer", "add", REVIEWER, "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(out.status.success(), "reviewer add failed");
    let app = start_with_args(dir, &["--demo"]);
    wait_indexed(&app, 500);
    app
}

/// Wait until search sees at least `n` reports.
pub fn wait_indexed(app: &TestApp, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let total = app
            .get("/api/v1/search?per_page=1")
            .send()
            .ok()
            .and_then(|r| r.json::<Value>().ok())
            .and_then(|v| v["total"].as_u64())
            .unwrap_or(0);
        if total >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {total} of {n} reports indexed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
