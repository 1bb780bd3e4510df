//! The mirrorable export over HTTP: streamed JSON Lines and CSV, every line
//! valid against the served JSON Schema (and broken ones not), `since=` for
//! what changed, tombstones for withdrawn reports (and nothing else of
//! them), a mirror that follows changes and tombstones, and the CLI giving
//! the same bytes.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::search::{eventually, export, hit_ids, import_published, search};

/// The response to `GET /api/v1/export{query}`, which must be a 200.
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

fn get_json(app: &TestApp, path: &str) -> Value {
    let r = app.get(path).send().unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().unwrap()
}

/// The served schema, compiled.
fn validator(app: &TestApp) -> jsonschema::Validator {
    let schema = get_json(app, "/api/v1/schema/report.json");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn errors(validator: &jsonschema::Validator, record: &Value) -> Vec<String> {
    validator
        .iter_errors(record)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// A server over `count` generated reports.
fn demo_app(count: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["demo", "--count", count], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start(dir, Options::default())
}

/// CSV parsed by Python's csv module: `{"header": [...], "rows": [{...}]}`.
fn python_csv(csv: &str) -> Value {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), csv).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import csv, json, sys\n\
             reader = csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'))\n\
             rows = list(reader)\n\
             print(json.dumps({'header': reader.fieldnames, 'rows': rows}))",
        )
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn documented_columns(app: &TestApp) -> Value {
    let dictionary = get_json(app, "/api/v1/export/dictionary");
    let names: Vec<Value> = dictionary["csv"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    Value::Array(names)
}

#[test]
fn a_demo_dataset_exports_as_jsonl_and_csv_that_validate_and_parse() {
    let app = demo_app("40");

    // JSON Lines, streamed, with its version and where it is described.
    let (headers, text) = body(&app, "");
    assert_eq!(headers["content-type"], "application/x-ndjson");
    // Streamed: chunked, no length known up front.
    assert_eq!(headers["transfer-encoding"], "chunked");
    assert!(headers.get("content-length").is_none());
    assert_eq!(headers["x-nearmiss-export-version"], "1");
    let link = headers["link"].to_str().unwrap();
    assert!(link.contains("</api/v1/schema/report.json>; rel=\"describedby\""));
    assert!(link.contains("</api/v1/export/dictionary>"));
    let exported = lines(&text);
    assert_eq!(exported.len(), 40);
    let ids: Vec<&str> = exported.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "reports come in id order");

    // Every line is the report as the API serves it, and valid.
    let validator = validator(&app);
    for line in &exported {
        let errors = errors(&validator, line);
        assert!(errors.is_empty(), "{}: {errors:?}", line["id"]);
        let served = get_json(
            &app,
            &format!("/api/v1/reports/{}", line["id"].as_str().unwrap()),
        );
        assert_eq!(&served, line);
    }

    // CSV: the documented header, one row per report, the same values.
    let (headers, csv) = body(&app, "?format=csv");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["x-nearmiss-export-version"], "1");
    let parsed = python_csv(&csv);
    assert_eq!(parsed["header"], documented_columns(&app));
    let rows = parsed["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 40);
    for (row, report) in rows.iter().zip(&exported) {
        assert_eq!(row["id"], report["id"]);
        assert_eq!(row["title"], report["title"]);
        assert_eq!(row["withdrawn"], "false");
        assert_eq!(row["published"], report["published"]);
        let joined = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(";")
        };
        assert_eq!(
            row["technologies"].as_str().unwrap(),
            joined(&report["technologies"])
        );
        let incident = &report["incident"];
        assert_eq!(
            row["incident_month"],
            incident["month"].as_str().unwrap_or("")
        );
        let year = incident["year"]
            .as_str()
            .or_else(|| incident["month"].as_str().map(|m| &m[..4]))
            .unwrap_or("");
        assert_eq!(row["incident_year"], year);
    }
}

#[test]
fn the_schema_catches_broken_records() {
    let app = demo_app("3");
    let validator = validator(&app);
    let good = lines(&body(&app, "").1).remove(0);
    assert!(errors(&validator, &good).is_empty());
    let tombstone = json!({"id": good["id"], "withdrawn": true, "modified": "2026-03-04"});
    assert!(errors(&validator, &tombstone).is_empty());

    let broken = |change: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        change(&mut b);
        b
    };
    for (what, record) in [
        (
            "no title",
            broken(&|b| {
                b.as_object_mut().unwrap().remove("title");
            }),
        ),
        (
            "no modified day",
            broken(&|b| {
                b.as_object_mut().unwrap().remove("modified");
            }),
        ),
        (
            "no synopsis key",
            broken(&|b| {
                b.as_object_mut().unwrap().remove("synopsis");
            }),
        ),
        (
            "a stray field",
            broken(&|b| b["submitter_email"] = json!("someone@example.com")),
        ),
        (
            "a stray incident field",
            broken(&|b| b["incident"]["started_at"] = json!("2024-01-01T03:00:00Z")),
        ),
        (
            "a stray timeline field",
            broken(&|b| b["timeline"] = json!([{"offset": "T+0", "event": "x", "at": "02:14"}])),
        ),
        (
            "a time, not a day",
            broken(&|b| b["published"] = json!("2026-01-02T10:00:00Z")),
        ),
        (
            "a bad day",
            broken(&|b| b["modified"] = json!("last tuesday")),
        ),
        (
            "a month that is a day",
            broken(&|b| b["incident"]["month"] = json!("2024-01-15")),
        ),
        (
            "a clock time as time of day",
            broken(&|b| b["incident"]["time_of_day"] = json!("02:14")),
        ),
        (
            "a clock time as timeline offset",
            broken(&|b| b["timeline"] = json!([{"offset": "02:14", "event": "x"}])),
        ),
        (
            "an unknown severity",
            broken(&|b| b["incident"]["severity"] = json!("catastrophic")),
        ),
        (
            "an unknown industry",
            broken(&|b| b["industry"] = json!("Acme Corp")),
        ),
        (
            "a wrong type",
            broken(&|b| b["completeness"] = json!("high")),
        ),
        (
            "a score above 100",
            broken(&|b| b["completeness"] = json!(250)),
        ),
        (
            "technologies not a list",
            broken(&|b| b["technologies"] = json!("postgresql")),
        ),
        (
            "an id that is not a UUID",
            broken(&|b| b["id"] = json!("42")),
        ),
        (
            "a tombstone not withdrawn",
            json!({"id": good["id"], "withdrawn": false, "modified": "2026-01-01"}),
        ),
        (
            "a tombstone with content",
            json!({"id": good["id"], "withdrawn": true, "modified": "2026-01-01", "title": "x"}),
        ),
        (
            "a tombstone without a day",
            json!({"id": good["id"], "withdrawn": true}),
        ),
    ] {
        assert!(!validator.is_valid(&record), "{what} passed validation");
    }
}

#[test]
fn since_returns_only_what_changed_on_or_after_the_day_and_the_cli_agrees() {
    // Reports carrying chosen registry days, through the import path.
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
        let month = 1 + i % 3;
        r["published"] = json!(format!("2026-0{month}-10"));
        r["modified"] = json!(format!("2026-0{month}-1{}", i % 10));
    }
    let dir = tempfile::tempdir().unwrap();
    import_published(dir.path(), &reports);
    let app = start(dir, Options::default());

    let (_, all) = body(&app, "");
    assert_eq!(lines(&all).len(), 12);
    for since in ["2026-01-15", "2026-02-01", "2026-02-13", "2026-03-01"] {
        let want: Vec<&str> = reports
            .iter()
            .filter(|r| r["modified"].as_str().unwrap() >= since)
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(!want.is_empty() && want.len() < 12, "{since}");
        let (_, text) = body(&app, &format!("?since={since}"));
        let got = lines(&text);
        let mut got_ids: Vec<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
        got_ids.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got_ids, want_sorted, "since={since}");
        assert!(got.iter().all(|r| r["modified"].as_str().unwrap() >= since));

        // CSV keeps the same records.
        let (_, csv) = body(&app, &format!("?format=csv&since={since}"));
        assert_eq!(
            python_csv(&csv)["rows"].as_array().unwrap().len(),
            want.len()
        );

        // The CLI shares the code path: the same bytes.
        for (format, query) in [("jsonl", ""), ("csv", "&format=csv")] {
            let out = cli(
                app.dir.path(),
                &["export", "--format", format, "--since", since],
                None,
            );
            assert!(out.status.success());
            let (_, api) = body(&app, &format!("?since={since}{query}"));
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                api,
                "{format} {since}"
            );
        }
    }
    // Nothing changed after the last day: an empty body, a bare CSV header.
    assert_eq!(body(&app, "?since=2026-04-01").1, "");
    let (_, csv) = body(&app, "?since=2026-04-01&format=csv");
    assert_eq!(csv.lines().count(), 1);
}

#[test]
fn withdrawing_a_published_report_leaves_a_tombstone_and_nothing_else() {
    let app = spawn_app();
    let token = app.login();
    let mut published = submission();
    published["title"] = json!("Quokka cluster lost quorum during a rolling restart");
    published["narrative"] = json!(
        "The numbatline relay retried every write until the queue filled; \
         the rolling restart had taken two of three members at once."
    );
    let (id, receipt) = app.submit_ok(&published);
    assert_eq!(app.approve(&token, &id).status(), 200);
    let (other, _) = app.submit_ok(&submission());
    assert_eq!(app.approve(&token, &other).status(), 200);
    let (_, before) = body(&app, "");
    assert!(before.contains("Quokka") && before.contains("numbatline"));
    eventually("the report is searchable", || {
        search(&app, &[("q", "quokka")])["total"] == 1
    });

    let withdraw = |id: &str, receipt: &str| {
        let r = app
            .delete(&format!("/api/v1/receipts/{id}"))
            .header("Authorization", format!("Receipt {receipt}"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    };
    withdraw(&id, &receipt);
    // A pending report that is withdrawn was never public: no tombstone,
    // and not even the reviewer's audit entry for the question asked of it.
    let (pending, pending_receipt) = app.submit_ok(&submission());
    let r = app
        .post(&format!("/api/v1/review/{pending}/questions"))
        .bearer_auth(&token)
        .json(&json!({"question": "Which version of the proxy was it?"}))
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    withdraw(&pending, &pending_receipt);

    // The export: the other report, then the tombstone, nothing more.
    let (_, text) = body(&app, "");
    for word in ["Quokka", "numbatline", pending.as_str()] {
        assert!(!text.contains(word), "{word} in the export");
    }
    let all = lines(&text);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["id"], other.as_str());
    let tombstone = &all[1];
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        tombstone,
        &json!({"id": id, "withdrawn": true, "modified": today})
    );
    assert!(errors(&validator(&app), tombstone).is_empty());
    let r = app.get(&format!("/api/v1/reports/{id}")).send().unwrap();
    assert_eq!(r.status(), 404);

    // since= counts the withdrawal day; later days do not have it.
    let (_, changed) = body(&app, &format!("?since={today}"));
    assert!(lines(&changed).contains(tombstone));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(body(&app, &format!("?since={tomorrow}")).1, "");

    // CSV: a row with id, modified and withdrawn only.
    let (_, csv) = body(&app, "?format=csv");
    assert!(!csv.contains("Quokka") && !csv.contains(&pending));
    let parsed = python_csv(&csv);
    let rows = parsed["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let filled: Vec<(&String, &Value)> = rows[1]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| *v != "")
        .collect();
    let expected = [
        ("id", id.as_str()),
        ("modified", &today),
        ("withdrawn", "true"),
    ];
    assert_eq!(filled.len(), expected.len(), "{filled:?}");
    for (k, v) in expected {
        assert_eq!(rows[1][k], v);
    }

    // Nothing of either report anywhere on disk: not its words, not the
    // pending one's id (only the tombstone keeps the published one's id).
    eventually("the withdrawn report leaves the index", || {
        search(&app, &[("q", "quokka")])["total"] == 0
    });
    for needle in ["Quokka", "numbatline", pending.as_str()] {
        let left = stored_containing(&app.data_dir(), needle);
        assert!(left.is_empty(), "{needle}: {left:?}");
    }
}

/// Imports a JSON Lines body into the registry at `dir`; returns the CLI's
/// standard output.
fn import_lines(dir: &Path, text: &str) -> String {
    let file = dir.join("changes.jsonl");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&file, text).unwrap();
    let out = cli(dir, &["import", file.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_mirror_follows_changes_and_tombstones() {
    let source = spawn_app();
    let token = source.login();
    let mut first = submission();
    first["title"] = json!("Replica resync loop after a failover");
    let (a, a_receipt) = source.submit_ok(&first);
    let mut second = submission();
    second["title"] = json!("Wallaroo queue drained the disk");
    let (b, b_receipt) = source.submit_ok(&second);
    for id in [&a, &b] {
        assert_eq!(source.approve(&token, id).status(), 200);
    }
    let (_, full) = body(&source, "");
    let mirror = tempfile::tempdir().unwrap();
    // With a submission of the mirror's own: it waits for review there,
    // while the copies are published as they were.
    let mut own = submission();
    own["title"] = json!("A submission made at the mirror");
    let out = import_lines(mirror.path(), &format!("{full}{own}\n"));
    assert!(
        out.contains("imported 3 reports (1 pending review, 2 published copies from an export)"),
        "{out}"
    );
    assert_eq!(export(mirror.path()), lines(&full));

    // The source changes one report and withdraws the other.
    let r = source
        .post(&format!("/api/v1/receipts/{a}/amendments"))
        .header("Authorization", format!("Receipt {a_receipt}"))
        .json(&json!({"text": "Follow-up: the resync loop came back once more, a week later."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().unwrap_or_default());
    let r = source
        .delete(&format!("/api/v1/receipts/{b}"))
        .header("Authorization", format!("Receipt {b_receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    // The mirror takes what changed since the day of its last sync.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (_, changes) = body(&source, &format!("?since={today}"));
    let out = import_lines(mirror.path(), &changes);
    assert!(out.contains("applied 1 tombstones"), "{out}");
    let mirrored = export(mirror.path());
    assert_eq!(mirrored, lines(&body(&source, "").1));
    assert_eq!(mirrored[0]["amendments"].as_array().unwrap().len(), 1);
    assert!(!serde_json::to_string(&mirrored)
        .unwrap()
        .contains("Wallaroo"));

    // The same changes again change nothing.
    let out = import_lines(mirror.path(), &changes);
    assert!(
        out.contains(&format!("report {a} already exists, unchanged")),
        "{out}"
    );

    // An old export does not bring the withdrawn report back. (Versions
    // are ordered by registry day: within one day the later import wins,
    // and the next sync since that day brings the newest back.)
    let out = import_lines(mirror.path(), &full);
    assert!(out.contains(&format!("report {b} was withdrawn")), "{out}");
    import_lines(mirror.path(), &changes);
    assert_eq!(export(mirror.path()), mirrored);
    // Nor at the source, where what was submitted there is never replaced.
    let out = import_lines(source.dir.path(), &full);
    assert!(out.contains(&format!("report {a} already exists")), "{out}");
    assert!(out.contains(&format!("report {b} was withdrawn")), "{out}");
    assert!(out.contains("imported 0 reports, skipped 2 lines"), "{out}");
    // Skipped lines are listed in file order.
    let skipped: Vec<usize> = out
        .lines()
        .filter_map(|l| l.strip_prefix("line ")?.split(':').next()?.parse().ok())
        .collect();
    assert_eq!(skipped, [1, 2], "{out}");
    assert_eq!(lines(&body(&source, "").1), mirrored);
}

/// A mirror de-identifies every text it imports again, so a second pass
/// that still finds something means the first pass left it: a piece of an
/// address, a name's tail. The generator writes names and addresses in many
/// scripts, so the demo's export, mirrored, must come back unchanged.
#[test]
fn a_mirror_of_the_demo_finds_nothing_left_to_remove() {
    let source = tempfile::tempdir().unwrap();
    let out = cli(source.path(), &["demo", "--count", "2000"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = export(source.path());
    assert_eq!(exported.len(), 2000);
    let full: String = exported.iter().map(|l| format!("{l}\n")).collect();

    let mirror = tempfile::tempdir().unwrap();
    let out = import_lines(mirror.path(), &full);
    assert!(
        out.contains("imported 2000 reports (published copies from an export)"),
        "{out}"
    );
    let mirrored = export(mirror.path());
    // Each changed report's changed fields, source beside mirror.
    let changed: Vec<String> = exported
        .iter()
        .zip(&mirrored)
        .filter(|(a, b)| a != b)
        .flat_map(|(a, b)| {
            let fields = a.as_object().unwrap();
            fields
                .iter()
                .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                .map(|(k, v)| format!("{} {k}\n  source: {v}\n  mirror: {}", a["id"], b[k]))
                .collect::<Vec<_>>()
        })
        .take(3)
        .collect();
    assert!(changed.is_empty(), "{}", changed.join("\n"));
    assert_eq!(mirrored.len(), exported.len());
}

#[test]
fn bad_export_parameters_are_clear_400s() {
    let app = demo_app("2");
    for (query, code) in [
        ("?since=yesterday", "invalid_parameter"),
        ("?since=2026-13-01", "invalid_parameter"),
        ("?since=2026-02-30", "invalid_parameter"),
        ("?since=", "invalid_parameter"),
        ("?format=xml", "invalid_parameter"),
        ("?format=", "invalid_parameter"),
        ("?colour=red", "unknown_parameter"),
        ("?format=csv&sinse=2026-01-01", "unknown_parameter"),
    ] {
        let r = app.get(&format!("/api/v1/export{query}")).send().unwrap();
        assert_eq!(error_code(r), (400, code.to_string()), "{query}");
    }
    let r = app.get("/api/v1/export?since=yesterday").send().unwrap();
    let message = r.json::<Value>().unwrap()["error"]["message"].to_string();
    assert!(message.contains("YYYY-MM-DD"), "{message}");

    let out = cli(app.dir.path(), &["export", "--since", "yesterday"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

/// Makes the stored content of the published report with the lowest or
/// highest id unreadable, as a damaged row would be.
fn damage_report(app: &TestApp, which: &str) {
    let order = if which == "max" { "DESC" } else { "ASC" };
    execute_sql(
        app.dir.path(),
        &format!(
            "UPDATE reports SET content = '\"not a report\"' WHERE id = \
             (SELECT id FROM reports WHERE status = 'published' ORDER BY id {order} LIMIT 1)"
        ),
    );
}

#[test]
fn an_export_that_fails_part_way_is_cut_off_not_ended() {
    // Six hundred reports fill two pages and many chunks; the last in id order
    // is unreadable, so the status line (200) is long gone when the export
    // reaches it. The response must not pass for a whole export.
    let app = demo_app("600");
    damage_report(&app, "max");
    let r = app.get("/api/v1/export").send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().is_err(), "a failed export read as a complete one");
}

#[test]
fn an_export_that_fails_before_its_first_byte_is_an_error() {
    let app = demo_app("5");
    damage_report(&app, "min");
    let r = app.get("/api/v1/export").send().unwrap();
    assert_eq!(error_code(r), (500, "internal_error".to_string()));
}

/// Reports, their amendments and the indexer's and the export's batched
/// reads: each report carries its own amendments, in order, and only
/// those, whether read by the indexer, a reindex or the export.
#[test]
fn each_report_keeps_its_own_amendments_in_search_reindex_and_export() {
    let app = spawn_app();
    let token = app.login();
    let words = ["marmot", "ocelot", "quokka"];
    let mut reports = Vec::new();
    for word in words {
        let mut s = submission();
        s["title"] = json!(format!("Replica resync loop, {word} edition"));
        let (id, receipt) = app.submit_ok(&s);
        assert_eq!(app.approve(&token, &id).status(), 200);
        reports.push((id, receipt));
    }
    // The first gets two amendments, the last one, the middle none.
    let amendments: [&[&str]; 3] = [
        &[
            "Follow-up: the gannetfold cron ran twice.",
            "Second follow-up: the petrelgate fix held.",
        ],
        &[],
        &["Follow-up: the shrikewind alert now pages."],
    ];
    for ((id, receipt), texts) in reports.iter().zip(amendments) {
        for text in texts {
            let r = app
                .post(&format!("/api/v1/receipts/{id}/amendments"))
                .header("Authorization", format!("Receipt {receipt}"))
                .json(&json!({ "text": text }))
                .send()
                .unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().unwrap_or_default());
        }
    }
    let owners = [("gannetfold", 0), ("petrelgate", 0), ("shrikewind", 2)];
    let check_search = |when: &str| {
        for (word, owner) in owners {
            eventually(&format!("{when}: {word} finds its report"), || {
                hit_ids(&search(&app, &[("q", word)])) == vec![reports[owner].0.clone()]
            });
        }
    };
    check_search("incremental");
    let out = cli(app.dir.path(), &["reindex"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_search("after a reindex");

    let exported = lines(&body(&app, "").1);
    assert_eq!(exported.len(), 3);
    for ((id, _), texts) in reports.iter().zip(amendments) {
        let record = exported
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} exported"));
        let got: Vec<&str> = record["amendments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["text"].as_str().unwrap())
            .collect();
        assert_eq!(got, texts.to_vec(), "{id}");
    }
}
