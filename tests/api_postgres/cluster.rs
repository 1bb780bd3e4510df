//! Several instances on one PostgreSQL, and PostgreSQL going away.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;
use crate::search::{eventually, search};

/// A second `nearmiss serve`, with its own data directory (and so its own
/// search index), on the database of `first`.
fn another_instance(first: &TestApp) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = std::fs::read_to_string(first.dir.path().join("database-url")).unwrap();
    std::fs::write(dir.path().join("database-url"), url).unwrap();
    start(dir, Options::default())
}

fn total(app: &TestApp, q: &str) -> u64 {
    search(app, &[("q", q)])["total"].as_u64().unwrap()
}

#[test]
fn two_instances_share_one_registry_and_each_index_follows_it() {
    let a = spawn_app();
    let b = another_instance(&a);

    let mut body = submission();
    body["title"] = json!("Expired intermediate certificate stopped the ocelot mesh");
    let (id, receipt) = a.submit_ok(&body);
    // The receipt works on the other instance: it lives in the database.
    assert_eq!(b.receipt(&id, &receipt).status(), 200);
    // So does a reviewer session opened on the first.
    let token = a.login();
    assert_eq!(b.queue_len(&token), 1);

    assert_eq!(a.approve(&token, &id).status(), 200);
    let seen = eventually("the second instance finds the report", || {
        total(&b, "ocelot") == 1
    });
    assert!(
        seen < Duration::from_secs(5),
        "the second instance took {seen:?}"
    );
    let r = b.get(&format!("/api/v1/reports/{id}")).send().unwrap();
    assert_eq!(r.status(), 200);

    // Withdrawn through the second; the first stops finding it.
    let r = b
        .delete(&format!("/api/v1/receipts/{id}"))
        .header("Authorization", format!("Receipt {receipt}"))
        .send()
        .unwrap();
    assert!(r.status().is_success(), "withdraw: {}", r.status());
    let gone = eventually("the first instance forgets the report", || {
        total(&a, "ocelot") == 0
    });
    assert!(gone < Duration::from_secs(5), "the first took {gone:?}");
    assert_eq!(
        a.get(&format!("/api/v1/reports/{id}"))
            .send()
            .unwrap()
            .status(),
        404
    );
    // Both report the same position in the shared log.
    let applied = |app: &TestApp| -> String {
        let text = app.get("/metrics").send().unwrap().text().unwrap();
        text.lines()
            .find(|l| l.starts_with("nearmiss_index_events_applied "))
            .unwrap_or_default()
            .to_string()
    };
    eventually("both instances applied the same events", || {
        applied(&a) == applied(&b) && !applied(&a).is_empty()
    });
}

/// A TCP relay in front of PostgreSQL that can be cut (every connection
/// dropped, new ones refused) and restored on the same port: PostgreSQL
/// going away and coming back, as the registry sees it, without stopping
/// the server other tests share.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    target: String,
}

impl Relay {
    fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = Relay {
            port,
            up: Arc::new(AtomicBool::new(false)),
            streams: Arc::new(Mutex::new(Vec::new())),
            target,
        };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: TcpListener) {
        self.up.store(true, Ordering::SeqCst);
        let (up, streams) = (self.up.clone(), self.streams.clone());
        let target = self.target.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                if !up.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut held = streams.lock().unwrap();
                held.push(client.try_clone().unwrap());
                held.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
    }

    /// Drops every relayed connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        // Wakes the accept loop so it sees `up` and ends, closing the port.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for s in self.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        // The accept loop owns the listener; wait until the port refuses.
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "the relay did not close");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.serve(listener);
    }
}

/// `host:port` of the PostgreSQL server the tests use.
fn postgres_address() -> String {
    let server = postgres_server();
    let after_user = server.rsplit('@').next().unwrap();
    after_user.split('/').next().unwrap().to_string()
}

/// `url` with its host and port replaced by the relay's.
fn through(url: &str, port: u16) -> String {
    let (scheme_user, rest) = url.rsplit_once('@').unwrap();
    let (_, database) = rest.split_once('/').unwrap();
    format!("{scheme_user}@127.0.0.1:{port}/{database}")
}

fn error_body(r: reqwest::blocking::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{status}: {ct}");
    (status, r.json().unwrap())
}

#[test]
fn when_postgresql_goes_away_requests_get_503_and_service_resumes() {
    let relay = Relay::start(postgres_address());
    let dir = tempfile::tempdir().unwrap();
    let direct = database_url(dir.path()).unwrap();
    std::fs::write(
        dir.path().join("database-url"),
        through(&direct, relay.port),
    )
    .unwrap();
    let out = cli(
        dir.path(),
        &["reviewer", "add", REVIEWER, "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(out.status.success());
    let app = start(
        dir,
        Options {
            env: vec![("NEARMISS_DB_TIMEOUT_SECONDS", "1".into())],
            ..Options::default()
        },
    );
    let mut acknowledged = Vec::new();
    for _ in 0..3 {
        acknowledged.push(app.submit_ok(&submission()).0);
    }
    let token = app.login();
    assert_eq!(app.approve(&token, &acknowledged[0]).status(), 200);
    eventually("the published report is searchable", || {
        total(&app, "certificate") == 1
    });

    relay.cut();
    let outage = Instant::now();
    // Everything that needs the database answers 503 JSON, promptly.
    let (status, body) = error_body(app.submit(&submission()));
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    for path in [
        "/healthz".to_string(),
        format!("/api/v1/reports/{}", acknowledged[0]),
        "/api/v1/review/queue".to_string(),
    ] {
        let r = app.get(&path).bearer_auth(&token).send().unwrap();
        assert_eq!(r.headers().get("retry-after").unwrap(), "5");
        let (status, body) = error_body(r);
        assert_eq!(status, 503, "{path}: {body}");
    }
    assert!(outage.elapsed() < Duration::from_secs(20));
    // Search answers from the instance's own index all the while.
    assert_eq!(total(&app, "certificate"), 1);

    relay.restore();
    eventually("the registry answers again", || {
        app.get("/healthz").send().unwrap().status() == 200
    });
    let (id, _) = app.submit_ok(&submission());
    acknowledged.push(id);
    assert_eq!(app.queue_len(&token), 3);
    assert_eq!(app.approve(&token, &acknowledged[1]).status(), 200);
    eventually("the indexer caught up", || total(&app, "certificate") == 2);

    // Every acknowledged submission is in the database, nothing else is.
    let mut conn = {
        use diesel::Connection;
        diesel::PgConnection::establish(&direct).unwrap()
    };
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let mut stored: Vec<String> = diesel::sql_query("SELECT id::text AS id FROM reports")
        .load::<Id>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    stored.sort();
    acknowledged.sort();
    assert_eq!(stored, acknowledged);
    let logs = app.logs();
    assert!(!logs.contains("panicked"), "{logs}");
}

#[test]
fn a_server_whose_database_is_down_exits_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir(dir.path()))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env(
            "NEARMISS_DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:{port}/nearmiss"),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach the database"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
