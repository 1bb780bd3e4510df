//! The mirrorable export over HTTP: streamed JSON Lines and CSV, every line
//! valid against the served JSON Schema, `since=` for what changed,
//! tombstones for withdrawn reports (and nothing else of them), a mirror
//! that applies them, and the CLI giving the same bytes.

use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::search::{eventually, export, import_published, search};

fn body(app: &TestApp, query: &str) -> (reqwest::header::HeaderMap, String) {
    let r = app.get(&format!("/api/v1/export{query}")).send().unwrap();
    let headers = r.headers().clone();
    let status = r.status();
    let text = r.text().unwrap();
    assert_eq!(status, 200, "{query}: {text}");
    (headers, text)
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_export_streams_validates_against_its_schema_and_carries_tombstones() {
    // A source registry whose reports carry chosen registry days.
    let source = tempfile::tempdir().unwrap();
    assert!(cli(
        source.path(),
        &["demo", "--count", "12", "--seed", "3"],
        None
    )
    .status
    .success());
    let mut reports = export(source.path());
    for (i, r) in reports.iter_mut().enumerate() {
        let day = format!("2026-0{}-1{}", 1 + i % 3, i % 10);
        r["published"] = json!(day);
        r["modified"] = json!(day);
    }
    let dir = tempfile::tempdir().unwrap();
    import_published(dir.path(), &reports);
    let out = cli(
        dir.path(),
        &["reviewer", "add", REVIEWER, "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(out.status.success());
    let app = start(dir, Options::default());

    // JSON Lines, streamed, with version and pointers to its description.
    let (r, text) = body(&app, "");
    assert_eq!(r["content-type"], "application/x-ndjson");
    assert_eq!(r["transfer-encoding"], "chunked");
    assert_eq!(r["x-nearmiss-export-version"], "1");
    assert!(r["link"]
        .to_str()
        .unwrap()
        .contains("/api/v1/schema/report.json"));
    let exported = lines(&text);
    assert_eq!(exported.len(), 12);
    let ids: Vec<&str> = exported.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "reports come in id order");

    // Every line validates against the served schema; broken ones do not.
    let schema: Value = app
        .get("/api/v1/schema/report.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for line in &exported {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", line["id"]);
    }
    let good = exported[0].clone();
    for (what, broken) in [
        ("no title", {
            let mut b = good.clone();
            b.as_object_mut().unwrap().remove("title");
            b
        }),
        ("a stray field", {
            let mut b = good.clone();
            b["submitter_email"] = json!("someone@example.com");
            b
        }),
        ("a bad day", {
            let mut b = good.clone();
            b["published"] = json!("last tuesday");
            b
        }),
        ("a wrong type", {
            let mut b = good.clone();
            b["completeness"] = json!("high");
            b
        }),
        ("a stray incident field", {
            let mut b = good.clone();
            b["incident"]["started_at"] = json!("2024-01-01T03:00:00Z");
            b
        }),
        (
            "a tombstone not withdrawn",
            json!({"id": good["id"], "withdrawn": false, "modified": "2026-01-01"}),
        ),
    ] {
        assert!(!validator.is_valid(&broken), "{what} passed validation");
    }

    // since= keeps what changed on or after the day.
    let (_, text) = body(&app, "?since=2026-02-01");
    let changed = lines(&text);
    let want = reports
        .iter()
        .filter(|r| r["modified"].as_str().unwrap() >= "2026-02-01")
        .count();
    assert_eq!(changed.len(), want);
    assert!(want > 0 && want < 12);

    // Withdraw a published report: its content goes, a tombstone stays.
    let mut body_ = submission();
    body_["title"] = json!("Quokka cluster lost quorum during a rolling restart");
    let (id, receipt) = app.submit_ok(&body_);
    let token = app.login();
    assert_eq!(app.approve(&token, &id).status(), 200);
    let (_, with_quokka) = body(&app, "");
    assert!(with_quokka.contains("Quokka"));
    let r = app
        .delete(&format!("/api/v1/receipts/{id}"))
        .header("Authorization", format!("Receipt {receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // A pending report that is withdrawn leaves nothing at all.
    let (pending, pending_receipt) = app.submit_ok(&submission());
    let r = app
        .delete(&format!("/api/v1/receipts/{pending}"))
        .header("Authorization", format!("Receipt {pending_receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    let (_, text) = body(&app, "");
    assert!(!text.contains("Quokka"));
    assert!(!text.contains(&pending));
    let all = lines(&text);
    let tombstone = all.last().unwrap();
    assert_eq!(tombstone["id"], id.as_str());
    assert_eq!(tombstone["withdrawn"], true);
    assert_eq!(tombstone.as_object().unwrap().len(), 3, "{tombstone}");
    assert!(validator.is_valid(tombstone));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (_, text) = body(&app, &format!("?since={today}"));
    assert!(lines(&text)
        .iter()
        .any(|l| l["id"] == id.as_str() && l["withdrawn"] == true));
    // Nothing of the withdrawn report anywhere on disk.
    eventually("the withdrawn report leaves the index", || {
        search(&app, &[("q", "quokka")])["total"] == 0
    });
    let left = files_containing(&app.data_dir(), "Quokka");
    assert!(left.is_empty(), "{left:?}");

    // CSV: the documented header, parsed by Python's csv module.
    let (r, csv) = body(&app, "?format=csv");
    assert!(r["content-type"].to_str().unwrap().starts_with("text/csv"));
    let dictionary: Value = app
        .get("/api/v1/export/dictionary")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let header: Vec<&str> = dictionary["csv"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &csv).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import csv, json, sys\n\
             reader = csv.DictReader(open(sys.argv[1], newline=''))\n\
             rows = list(reader)\n\
             print(json.dumps({'header': reader.fieldnames, 'rows': len(rows),\n\
               'withdrawn': [r['id'] for r in rows if r['withdrawn'] == 'true'],\n\
               'empty_tombstones': all(r['title'] == '' for r in rows if r['withdrawn'] == 'true')}))",
        )
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["header"], json!(header));
    assert_eq!(parsed["rows"], 13);
    assert_eq!(parsed["withdrawn"], json!([id]));
    assert_eq!(parsed["empty_tombstones"], true);

    // The CLI writes the same bytes.
    let out = cli(app.dir.path(), &["export", "--since", "2026-02-01"], None);
    let (_, api) = body(&app, "?since=2026-02-01");
    assert_eq!(String::from_utf8_lossy(&out.stdout), api);

    // A mirror that imports the export deletes what the source withdrew.
    let mirror = tempfile::tempdir().unwrap();
    import_published(mirror.path(), &lines(&with_quokka));
    assert_eq!(export(mirror.path()).len(), 13);
    let file = mirror.path().join("changes.jsonl");
    std::fs::write(
        &file,
        format!("{}\n", serde_json::to_string(tombstone).unwrap()),
    )
    .unwrap();
    let out = cli(mirror.path(), &["import", file.to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied 1 tombstones"));
    let mirrored = export(mirror.path());
    assert_eq!(
        mirrored.len(),
        13,
        "12 reports and the tombstone, passed on"
    );
    assert!(!serde_json::to_string(&mirrored).unwrap().contains("Quokka"));
    assert_eq!(mirrored.last().unwrap(), tombstone);

    // Bad parameters are clear errors.
    for (query, code) in [
        ("?since=yesterday", "invalid_parameter"),
        ("?format=xml", "invalid_parameter"),
        ("?colour=red", "unknown_parameter"),
    ] {
        let r = app.get(&format!("/api/v1/export{query}")).send().unwrap();
        assert_eq!(error_code(r), (400, code.to_string()), "{query}");
    }
}
