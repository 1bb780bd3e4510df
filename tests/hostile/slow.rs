//! Slow clients: one that sends its request head a byte at a time, one
//! that trickles its body, one that connects and says nothing. Each is cut
//! off by a timeout, and while dozens of them hold connections open,
//! `/healthz` answers as quickly as ever.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::*;

const HEADER_TIMEOUT_S: u64 = 2;
const BODY_TIMEOUT_S: u64 = 3;
/// How long a slow client may keep its connection, at most.
const CUT_OFF_BY: Duration = Duration::from_secs(12);
const HEALTH_BOUND: Duration = Duration::from_millis(1500);

fn slow_app() -> TestApp {
    spawn_app_with(Options {
        env: vec![
            (
                "NEARMISS_HEADER_TIMEOUT_SECONDS",
                HEADER_TIMEOUT_S.to_string(),
            ),
            ("NEARMISS_BODY_TIMEOUT_SECONDS", BODY_TIMEOUT_S.to_string()),
            ("NEARMISS_SUBMISSIONS_PER_MINUTE", "100000".into()),
        ],
        ..Default::default()
    })
}

/// What a slow client saw: how long until the server ended the
/// connection, and what it said first.
struct Ending {
    after: Duration,
    answer: Vec<u8>,
}

/// Sends `head`, then one byte of `drip` every `every` until the server
/// answers or closes, or `CUT_OFF_BY` passes.
fn trickle(addr: &str, head: &[u8], drip: u8, every: Duration) -> Ending {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(every)).unwrap();
    s.write_all(head).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < CUT_OFF_BY {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                continue;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
        if drip != 0 && s.write_all(&[drip]).is_err() {
            // Closed on us; read what it said before.
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                answer.extend_from_slice(&buf[..n]);
            }
            break;
        }
    }
    Ending {
        after: started.elapsed(),
        answer,
    }
}

/// Probes `/healthz` until `stop`, returning the slowest answer.
fn probe(app_base: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(usize, Duration)> {
    std::thread::spawn(move || {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let (mut n, mut worst) = (0, Duration::ZERO);
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            let r = client.get(format!("{app_base}/healthz")).send().unwrap();
            assert_eq!(r.status(), 200);
            worst = worst.max(started.elapsed());
            n += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        (n, worst)
    })
}

fn run_slow_clients(app: &TestApp, clients: usize, head: &'static [u8], drip: u8) -> Vec<Ending> {
    let addr = app.base.trim_start_matches("http://").to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let prober = probe(app.base.clone(), stop.clone());
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || trickle(&addr, head, drip, Duration::from_millis(250)))
        })
        .collect();
    let endings: Vec<Ending> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    stop.store(true, Ordering::Relaxed);
    let (probes, worst) = prober.join().unwrap();
    println!("{clients} slow clients; {probes} /healthz probes, slowest {worst:?}");
    assert!(probes >= 5, "only {probes} probes");
    assert!(
        worst < HEALTH_BOUND,
        "/healthz took {worst:?} beside slow clients"
    );
    endings
}

#[test]
fn a_slow_request_head_is_cut_off_without_stalling_others() {
    let app = slow_app();
    let endings = run_slow_clients(
        &app,
        32,
        b"GET /api/v1/search?q=redis HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        b'a',
    );
    for e in &endings {
        assert!(
            e.after < CUT_OFF_BY,
            "a slow head kept its connection for {:?}",
            e.after
        );
        let text = String::from_utf8_lossy(&e.answer);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "answer to a slow head: {text}"
        );
    }
    // Connected and silent: closed too.
    let silent = trickle(
        app.base.trim_start_matches("http://"),
        b"",
        0,
        Duration::from_millis(250),
    );
    assert!(
        silent.after < CUT_OFF_BY,
        "a silent client kept its connection"
    );
    assert_eq!(app.get("/healthz").send().unwrap().status(), 200);
}

#[test]
fn a_trickled_body_is_cut_off_with_a_json_408_without_stalling_others() {
    let app = slow_app();
    let endings = run_slow_clients(
        &app,
        32,
        b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"title\": \"",
        b'x',
    );
    for e in &endings {
        assert!(
            e.after < CUT_OFF_BY,
            "a trickled body kept its connection for {:?}",
            e.after
        );
        assert!(
            e.after >= Duration::from_secs(BODY_TIMEOUT_S - 1),
            "cut off after {:?}, before the body timeout",
            e.after
        );
        let text = String::from_utf8_lossy(&e.answer);
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "answer to a trickled body: {text}"
        );
        assert!(
            text.contains("application/json") && text.contains("\"request_timeout\""),
            "{text}"
        );
    }
    // Nothing half-received was stored.
    let token = app.login();
    assert_eq!(app.queue_len(&token), 0);
    // A body that arrives in time is still accepted.
    app.submit_ok(&submission());
}
