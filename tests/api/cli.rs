//! The command line: reviewer creation, import with bad lines, export round
//! trips, demo data.

use serde_json::{json, Value};

use crate::helpers::*;

fn jsonl(values: &[Value]) -> String {
    values.iter().map(|v| v.to_string() + "\n").collect()
}

#[test]
fn import_refuses_a_transaction_size_out_of_range_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, jsonl(&[submission(), submission()])).unwrap();
    for bad in ["0", "100001", "many"] {
        let out = cli(
            dir.path(),
            &["import", "--per-transaction", bad, file.to_str().unwrap()],
            None,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "--per-transaction {bad} was taken");
        assert!(
            stderr.contains("is not a number of submissions from 1 to 100000"),
            "{stderr}"
        );
    }
    let out = cli(dir.path(), &["export", "--format", "jsonl"], None);
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "a refused import stored reports");
    // One submission per transaction: both land.
    let out = cli(
        dir.path(),
        &[
            "import",
            "--publish",
            "--per-transaction",
            "1",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2 reports"));
}

#[test]
fn import_skips_bad_lines_by_number_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut second = submission();
    second["title"] = json!("Redis replica resync loop saturated the primary");
    second["technologies"] = json!(["redis", "redis-sentinel"]);
    second["trigger"] = json!("replication-lag");
    let input = format!(
        "{}{}\n{}{}{}",
        jsonl(&[submission()]),
        "{not json",
        jsonl(&[json!({"title": "no summary", "narrative": "n"})]),
        jsonl(&[second]),
        jsonl(&[json!({"title": "t", "summary": "s", "narrative": "n", "severity": "sev1"})]),
    );
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, input).unwrap();
    let out = cli(
        dir.path(),
        &["import", file.to_str().unwrap(), "--publish"],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("imported 2 reports"), "{stdout}");
    assert!(
        stderr.contains("line 2:") && stderr.contains("line 3:") && stderr.contains("line 5:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("missing field `summary`") && stderr.contains("unknown field `severity`"),
        "{stderr}"
    );

    let export_a = dir.path().join("a.jsonl");
    let out = cli(
        dir.path(),
        &[
            "export",
            "--format",
            "jsonl",
            "--out",
            export_a.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    let a = std::fs::read_to_string(&export_a).unwrap();
    let reports: Vec<Value> = a
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 2);
    assert!(!a.contains("Quillfeather") && a.contains("[ORG]"));

    // Into a second registry and out again: the same dataset.
    let other = tempfile::tempdir().unwrap();
    let out = cli(other.path(), &["import", export_a.to_str().unwrap()], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imported 2 reports"),
        "{:?}",
        out
    );
    let out = cli(other.path(), &["export", "--format", "jsonl"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), a);
    // Importing the same export twice skips what is already there.
    let out = cli(other.path(), &["import", export_a.to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let out = cli(other.path(), &["export", "--format", "csv"], None);
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let tech = headers.iter().position(|h| h == "technologies").unwrap();
    let records: Vec<_> = rows.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 2);
    assert!(records.iter().any(|r| &r[tech] == "redis;redis-sentinel"));
}

#[test]
fn reviewer_add_validates_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &["reviewer", "add", "bob", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!out.status.success());
    let out = cli(
        dir.path(),
        &["reviewer", "add", "bob", "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(out.status.success());
    let out = cli(
        dir.path(),
        &["reviewer", "add", "bob", "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(!out.status.success(), "a reviewer name is unique");
}

#[test]
fn demo_loads_a_varied_published_registry() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["demo"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("loaded 500 sample reports"));
    let out = cli(dir.path(), &["export", "--format", "jsonl"], None);
    let reports: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 500);
    let techs: std::collections::HashSet<&str> = reports
        .iter()
        .flat_map(|r| {
            r["technologies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
        })
        .collect();
    let triggers: std::collections::HashSet<&str> = reports
        .iter()
        .filter_map(|r| r["trigger"].as_str())
        .collect();
    assert!(techs.len() >= 40, "{} technologies", techs.len());
    assert!(triggers.len() >= 35, "{} triggers", triggers.len());
    // The generated companies and people were declared and are gone.
    assert!(
        reports
            .iter()
            .filter(|r| r.to_string().contains("[ORG]"))
            .count()
            > 200
    );
    // Realistic, skewed durations: the median resolution is far below the mean.
    let mut ttr: Vec<u64> = reports
        .iter()
        .filter_map(|r| r["incident"]["time_to_resolve_minutes"].as_u64())
        .collect();
    ttr.sort();
    let mean = ttr.iter().sum::<u64>() as f64 / ttr.len() as f64;
    assert!(
        (ttr[ttr.len() / 2] as f64) < mean,
        "durations should be right-skewed"
    );
}

#[test]
fn serve_demo_fills_an_empty_registry_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start(dir, Options::default());
    // Plain `serve` on an empty directory serves an empty registry.
    let metrics = app.get("/metrics").send().unwrap().text().unwrap();
    assert!(!metrics.contains(r#"nearmiss_reports{status="published"}"#));
    app.kill();
    let published = |app: &TestApp| app.get("/metrics").send().unwrap().text().unwrap();
    for _ in 0..2 {
        let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
        drop(app);
        app = start_with_args(dir, &["--demo"]);
        let metrics = published(&app);
        assert!(
            metrics.contains(r#"nearmiss_reports{status="published"} 500"#),
            "{metrics}"
        );
        app.kill();
    }
}
