//! Runs every request of `tests/data/hostile/corpus.jsonl` against one
//! server, checking each answer and `/healthz` after each, then checks that
//! nothing the corpus sent changed what it must not: injected SQL altered
//! no row, a wrong receipt withdrew nothing, and markup is stored and
//! served back as the text it was.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine;
use nearmiss::redact::normalise::skeleton_of;
use serde::Deserialize;
use serde_json::Value;

use crate::helpers::*;
use crate::raw::{self, Outcome};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/hostile/corpus.jsonl"
);
/// No answer within this is a hang.
const DEADLINE: Duration = Duration::from_secs(30);
/// `/healthz` must answer within this after every request.
const HEALTH_BOUND: Duration = Duration::from_secs(2);
/// An id no report has.
const MISSING_ID: &str = "6fc96a37-1bde-482b-9c7f-4d5b6b558f66";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Gen {
    #[serde(default)]
    prefix: String,
    repeat: String,
    count: usize,
    #[serde(default)]
    suffix: String,
}

impl Gen {
    fn build(&self) -> String {
        let mut s = String::with_capacity(self.repeat.len() * self.count + 64);
        s.push_str(&self.prefix);
        for _ in 0..self.count {
            s.push_str(&self.repeat);
        }
        s.push_str(&self.suffix);
        s
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderGen {
    name: Option<String>,
    #[serde(default)]
    value_prefix: String,
    value_repeat: Option<String>,
    /// Send `count` headers named `<many>-<i>` instead of one long one.
    many: Option<String>,
    count: usize,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Expect {
    Status(u16),
    Class(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    category: String,
    method: String,
    path: Option<String>,
    path_gen: Option<Gen>,
    raw: Option<String>,
    raw_b64: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    header_gen: Option<HeaderGen>,
    body: Option<String>,
    body_b64: Option<String>,
    body_gen: Option<Gen>,
    submission: Option<Vec<(String, Value)>>,
    expect: Expect,
    #[serde(default = "yes")]
    json: bool,
    why: Option<String>,
    readback: Option<String>,
    absent: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

struct Context {
    id: String,
    receipt: String,
    token: String,
    build: String,
}

impl Context {
    fn fill(&self, s: &str) -> String {
        s.replace("{id}", &self.id)
            .replace("{receipt}", &self.receipt)
            .replace("{token}", &self.token)
            .replace("{build}", &self.build)
            .replace("{missing_id}", MISSING_ID)
    }
}

/// Sets the value at a JSON pointer, making objects along the way.
fn set_pointer(doc: &mut Value, pointer: &str, value: Value) {
    let mut at = doc;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        at = match at {
            Value::Array(items) => {
                let n: usize = part.parse().expect("array index");
                &mut items[n]
            }
            Value::Object(map) => {
                if last {
                    map.insert(part.to_string(), Value::Null);
                }
                map.entry(part.to_string())
                    .or_insert_with(|| Value::Object(Default::default()))
            }
            other => panic!("{pointer}: cannot index {other}"),
        };
        if last {
            *at = value;
            return;
        }
    }
}

fn build_request(case: &Case, ctx: &Context) -> Vec<u8> {
    if let Some(raw) = &case.raw {
        return ctx.fill(raw).into_bytes();
    }
    if let Some(b) = &case.raw_b64 {
        return base64::engine::general_purpose::STANDARD
            .decode(b)
            .expect("raw_b64");
    }
    let path = match (&case.path, &case.path_gen) {
        (Some(p), _) => ctx.fill(p),
        (None, Some(g)) => g.build(),
        _ => panic!("{}: no path", case.name),
    };
    let mut headers: Vec<(String, Vec<u8>)> = case
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), latin1_or_utf8(&ctx.fill(v))))
        .collect();
    if let Some(g) = &case.header_gen {
        if let Some(prefix) = &g.many {
            for i in 0..g.count {
                headers.push((format!("{prefix}-{i}"), b"1".to_vec()));
            }
        } else {
            let mut v = g.value_prefix.clone();
            v.push_str(&g.value_repeat.clone().unwrap_or_default().repeat(g.count));
            headers.push((g.name.clone().expect("header name"), v.into_bytes()));
        }
    }
    let body: Vec<u8> = if let Some(patches) = &case.submission {
        let mut doc = submission();
        for (pointer, value) in patches {
            set_pointer(&mut doc, pointer, value.clone());
        }
        headers.push(("content-type".into(), b"application/json".to_vec()));
        serde_json::to_vec(&doc).unwrap()
    } else if let Some(b) = &case.body {
        ctx.fill(b).into_bytes()
    } else if let Some(b) = &case.body_b64 {
        base64::engine::general_purpose::STANDARD
            .decode(b)
            .expect("body_b64")
    } else if let Some(g) = &case.body_gen {
        g.build().into_bytes()
    } else {
        Vec::new()
    };
    raw::request(&case.method, &path, &headers, &body)
}

/// Header values in the corpus are text; characters U+0080 to U+00FF stand
/// for the single raw bytes a hostile client would send.
fn latin1_or_utf8(s: &str) -> Vec<u8> {
    if s.chars().all(|c| (c as u32) < 0x100) {
        s.chars().map(|c| c as u8).collect()
    } else {
        s.as_bytes().to_vec()
    }
}

fn status_ok(expect: &Expect, status: u16) -> bool {
    match expect {
        Expect::Status(s) => *s == status,
        Expect::Class(c) => c.split('|').any(|class| match class {
            "2xx" => (200..300).contains(&status),
            "4xx" => (400..500).contains(&status),
            other => panic!("unknown class {other}"),
        }),
    }
}

/// Every string in `v`, joined.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

fn healthz_within(app: &TestApp, bound: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    match app.get("/healthz").timeout(bound * 5).send() {
        Ok(r) if r.status() == 200 && started.elapsed() <= bound => Ok(started.elapsed()),
        Ok(r) => Err(format!(
            "/healthz answered {} after {:?}",
            r.status(),
            started.elapsed()
        )),
        Err(e) => Err(format!("/healthz failed: {e}")),
    }
}

pub fn hostile_app() -> TestApp {
    spawn_app_with(Options {
        env: vec![
            // The corpus is about what each request does, not how many a
            // client may send: the limits are tested on their own.
            ("NEARMISS_SUBMISSIONS_PER_MINUTE", "1000000".into()),
            ("NEARMISS_RECEIPT_PER_MINUTE", "1000000".into()),
            ("NEARMISS_LOGIN_PER_MINUTE", "1000000".into()),
            ("NEARMISS_LOCKOUT_FAILURES", "1000000".into()),
        ],
        ..Default::default()
    })
}

#[test]
fn every_hostile_request_gets_a_safe_answer_and_changes_nothing() {
    let cases: Vec<Case> = std::fs::read_to_string(CORPUS)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("corpus line {}: {e}", i + 1))
        })
        .collect();
    assert!(cases.len() >= 200, "only {} cases", cases.len());

    let app = hostile_app();
    let addr = app.base.trim_start_matches("http://").to_string();
    let (id, receipt) = app.submit_ok(&submission());
    let token = app.login();
    let page = app.get("/").send().unwrap().text().unwrap();
    let build = page
        .split("/assets/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("asset build in the page")
        .to_string();
    let ctx = Context {
        id: id.clone(),
        receipt: receipt.clone(),
        token: token.clone(),
        build,
    };
    assert_eq!(app.queue_len(&token), 1);

    let mut failures = Vec::new();
    let mut per_category: BTreeMap<String, (usize, BTreeMap<u16, usize>)> = BTreeMap::new();
    let mut accepted: Vec<(String, Option<String>)> = Vec::new();
    let mut slowest_health = Duration::ZERO;
    let run_started = Instant::now();
    for case in &cases {
        let started = Instant::now();
        let outcome = raw::send(&addr, build_request(case, &ctx), DEADLINE);
        let took = started.elapsed();
        let name = format!("[{}] {}", case.category, case.name);
        match outcome {
            Outcome::Hang => failures.push(format!("{name}: no answer within {DEADLINE:?}")),
            Outcome::Closed => {
                failures.push(format!("{name}: connection closed without an answer"))
            }
            Outcome::Response(r) => {
                let entry = per_category.entry(case.category.clone()).or_default();
                entry.0 += 1;
                *entry.1.entry(r.status).or_default() += 1;
                if r.status >= 500 {
                    failures.push(format!(
                        "{name}: {} {}",
                        r.status,
                        String::from_utf8_lossy(&r.body)
                    ));
                    continue;
                }
                if !status_ok(&case.expect, r.status) {
                    failures.push(format!(
                        "{name}: status {} (body {})",
                        r.status,
                        String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
                    ));
                }
                let ct = r.header("content-type").unwrap_or("").to_string();
                let parsed: Option<Value> = serde_json::from_slice(&r.body).ok();
                if case.json {
                    if !ct.starts_with("application/json") {
                        failures.push(format!("{name}: {} with content type {ct:?}", r.status));
                    } else if r.status >= 400 {
                        let ok = parsed.as_ref().is_some_and(|v| {
                            v["error"]["code"].is_string() && v["error"]["message"].is_string()
                        });
                        if !ok {
                            failures.push(format!("{name}: error body without code and message"));
                        }
                    }
                } else {
                    assert!(case.why.is_some(), "{name}: json: false needs a why");
                }
                let submitted =
                    case.method == "POST" && case.path.as_deref() == Some("/api/v1/reports");
                if r.status == 201 && submitted {
                    let id = parsed
                        .as_ref()
                        .and_then(|v| v["id"].as_str())
                        .map(str::to_string);
                    accepted.push((
                        id.expect("id of an accepted submission"),
                        case.readback.clone(),
                    ));
                }
                if let Some(absent) = &case.absent {
                    let mut text = String::new();
                    if let Some(v) = &parsed {
                        strings(&v["submission"], &mut text);
                    }
                    let skeleton = skeleton_of(&text);
                    for a in absent {
                        if text.contains(a.as_str()) || skeleton.contains(&skeleton_of(a)) {
                            failures.push(format!("{name}: {a:?} survived redaction"));
                        }
                    }
                }
            }
        }
        if took > Duration::from_secs(10) {
            failures.push(format!("{name}: took {took:?}"));
        }
        match healthz_within(&app, HEALTH_BOUND) {
            Ok(t) => slowest_health = slowest_health.max(t),
            Err(e) => {
                failures.push(format!("{name}: then {e}"));
                if app.get("/healthz").send().is_err() {
                    panic!(
                        "the server died after {name}:\n{}\n\nlog:\n{}",
                        failures.join("\n"),
                        app.logs()
                    );
                }
            }
        }
    }
    println!(
        "{} hostile requests in {:?}; slowest /healthz after one: {slowest_health:?}",
        cases.len(),
        run_started.elapsed()
    );
    for (category, (n, statuses)) in &per_category {
        println!("  {category:<10} {n:>4}  {statuses:?}");
    }

    // Injected SQL changed nothing: every report is still there, and only
    // the submissions the corpus meant to be accepted were added.
    let queued = app.queue_len(&token);
    if queued != 1 + accepted.len() {
        failures.push(format!(
            "{queued} reports in the queue, expected {}",
            1 + accepted.len()
        ));
    }
    if app.receipt(&id, &receipt).status() != 200 {
        failures.push("the first report was withdrawn".into());
    }
    let again = app.login();
    assert!(!again.is_empty(), "reviewers were altered");

    // Markup and SQL are stored and served back as the text they were.
    for (report, _) in &accepted {
        let r = app.approve(&token, report);
        if r.status() != 200 {
            failures.push(format!("approve {report}: {}", r.text().unwrap()));
        }
    }
    for (report, readback) in &accepted {
        let Some(payload) = readback else { continue };
        let r = app
            .get(&format!("/api/v1/reports/{report}"))
            .send()
            .unwrap();
        if r.status() != 200 {
            failures.push(format!("read {report}: {}", r.status()));
            continue;
        }
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let mut text = String::new();
        strings(&r.json::<Value>().unwrap(), &mut text);
        if !text.contains(payload.as_str()) {
            failures.push(format!(
                "readback of {payload:?}: not in the published report"
            ));
        }
    }
    println!(
        "{} submissions accepted, {} read back as text",
        accepted.len(),
        accepted.iter().filter(|(_, r)| r.is_some()).count()
    );
    assert!(healthz_within(&app, HEALTH_BOUND).is_ok());
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests went wrong:\n{}\n\nserver log tail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n"),
        app.logs()
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
