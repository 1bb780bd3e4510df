//! Abuse of the login and receipt endpoints: repeated failures lock the
//! reviewer name or the report for a while (429 with `Retry-After`, even
//! for the right secret), the lock ends on its own, a success resets the
//! count, and a flood of concurrent bad logins neither crashes the server
//! nor starves `/healthz`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::helpers::*;

const FAILURES: u32 = 3;
const WINDOW_S: u64 = 3;

fn lockout_app() -> TestApp {
    spawn_app_with(Options {
        env: vec![
            ("NEARMISS_LOCKOUT_FAILURES", FAILURES.to_string()),
            ("NEARMISS_LOCKOUT_SECONDS", WINDOW_S.to_string()),
            // Per-client rate limits are not what is tested here.
            ("NEARMISS_LOGIN_PER_MINUTE", "100000".into()),
            ("NEARMISS_RECEIPT_PER_MINUTE", "100000".into()),
        ],
        ..Default::default()
    })
}

fn login(app: &TestApp, path: &str, name: &str, password: &str) -> Response {
    app.post(path)
        .json(&json!({"name": name, "password": password}))
        .send()
        .unwrap()
}

/// The seconds a locked answer asks the client to wait.
fn locked(r: Response) -> u64 {
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let (status, code) = error_code(r);
    assert_eq!((status, code.as_str()), (429, "locked_out"));
    let retry = retry.expect("Retry-After");
    assert!((1..=WINDOW_S).contains(&retry), "Retry-After {retry}");
    retry
}

#[test]
fn repeated_bad_passwords_lock_the_reviewer_until_the_window_passes() {
    let app = lockout_app();
    for _ in 0..FAILURES {
        let r = login(&app, "/api/v1/auth/login", REVIEWER, "wrong");
        assert_eq!(error_code(r), (401, "invalid_credentials".into()));
    }
    // Locked: the right password is refused too, on both login routes.
    let retry = locked(login(&app, "/api/v1/auth/login", REVIEWER, PASSWORD));
    locked(login(&app, "/api/v1/auth/session", REVIEWER, PASSWORD));
    // Only that name: an unknown one is still simply wrong.
    let r = login(&app, "/api/v1/auth/login", "rev-nobody", "wrong");
    assert_eq!(error_code(r).0, 401);

    std::thread::sleep(Duration::from_secs(retry) + Duration::from_millis(300));
    let r = login(&app, "/api/v1/auth/login", REVIEWER, PASSWORD);
    assert_eq!(r.status(), 200, "the lock did not end");

    // A success resets the count.
    for _ in 0..FAILURES - 1 {
        assert_eq!(
            login(&app, "/api/v1/auth/session", REVIEWER, "wrong").status(),
            401
        );
    }
    assert_eq!(
        login(&app, "/api/v1/auth/session", REVIEWER, PASSWORD).status(),
        200
    );
    for _ in 0..FAILURES - 1 {
        assert_eq!(
            login(&app, "/api/v1/auth/login", REVIEWER, "wrong").status(),
            401
        );
    }
    assert_eq!(
        login(&app, "/api/v1/auth/login", REVIEWER, PASSWORD).status(),
        200
    );
}

#[test]
fn repeated_bad_receipts_lock_the_report_until_the_window_passes() {
    let app = lockout_app();
    let (id, receipt) = app.submit_ok(&submission());
    let (other, other_receipt) = app.submit_ok(&submission());
    for _ in 0..FAILURES {
        let r = app.receipt(&id, "not-the-receipt");
        assert_eq!(error_code(r), (401, "invalid_receipt".into()));
    }
    // Locked: the right receipt is refused, for reading, amending and
    // withdrawing alike, and nothing is changed.
    let retry = locked(app.receipt(&id, &receipt));
    let amend = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&json!({"text": "More detail."}))
        .send()
        .unwrap();
    locked(amend);
    let withdraw = app
        .delete(&format!("/api/v1/receipts/{id}"))
        .header("Authorization", format!("Receipt {receipt}"))
        .send()
        .unwrap();
    locked(withdraw);
    // Another report is not affected.
    assert_eq!(app.receipt(&other, &other_receipt).status(), 200);

    std::thread::sleep(Duration::from_secs(retry) + Duration::from_millis(300));
    let r = app.receipt(&id, &receipt);
    assert_eq!(r.status(), 200, "the lock did not end");
    assert_eq!(r.json::<Value>().unwrap()["status"], "pending");
}

#[test]
fn a_flood_of_concurrent_bad_logins_neither_crashes_nor_starves_healthz() {
    let app = spawn_app_with(Options {
        env: vec![
            ("NEARMISS_LOGIN_PER_MINUTE", "100000".into()),
            ("NEARMISS_HASHING_CONCURRENCY", "2".into()),
            ("NEARMISS_HASHING_QUEUE", "8".into()),
        ],
        ..Default::default()
    });
    let stop = Arc::new(AtomicBool::new(false));
    let prober = {
        let base = app.base.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut times = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let r = client.get(format!("{base}/healthz")).send().unwrap();
                assert_eq!(r.status(), 200);
                times.push(started.elapsed());
                std::thread::sleep(Duration::from_millis(50));
            }
            times
        })
    };
    let clients = 48;
    let per_client = 6;
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let base = app.base.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(60))
                    .build()
                    .unwrap();
                let mut statuses = Vec::new();
                for i in 0..per_client {
                    // Every name different, so no lockout short-cuts the
                    // argon2 work: this is the flood the queue bound is for.
                    let r = client
                        .post(format!("{base}/api/v1/auth/login"))
                        .json(&json!({"name": format!("flood-{c}-{i}"), "password": "guess"}))
                        .send()
                        .unwrap();
                    let status = r.status().as_u16();
                    let retry = r.headers().get("retry-after").is_some();
                    let (_, code) = error_code(r);
                    statuses.push((status, code, retry));
                }
                statuses
            })
        })
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    for h in handles {
        for (status, code, retry) in h.join().unwrap() {
            assert!(
                matches!(
                    (status, code.as_str()),
                    (401, "invalid_credentials") | (503, "busy")
                ),
                "{status} {code}"
            );
            if status == 503 {
                assert!(retry, "503 busy without Retry-After");
            }
            *counts.entry(status).or_insert(0usize) += 1;
        }
    }
    let flood = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut times = prober.join().unwrap();
    times.sort();
    let worst = *times.last().unwrap();
    let median = times[times.len() / 2];
    println!(
        "{} bad logins in {flood:?}: {counts:?}; /healthz over {} probes: median {median:?}, worst {worst:?}",
        clients * per_client,
        times.len()
    );
    assert!(times.len() >= 5);
    assert!(
        worst < Duration::from_secs(1),
        "/healthz took {worst:?} during the flood"
    );
    // Still up, and a real reviewer still gets in.
    assert_eq!(app.get("/healthz").send().unwrap().status(), 200);
    app.login();
    assert!(!app.logs().contains("panicked"), "{}", app.logs());
}
