//! The database is the source of truth: a publication acknowledged over
//! HTTP reaches search even if the server dies (SIGKILL) before the index
//! commits, and `reindex` gives what incremental indexing gave.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::search::{eventually, search};

const WORDS: [&str; 5] = ["quetzal", "ocelot", "narwhal", "axolotl", "pangolin"];

/// (events in the database log, last event the index committed)
fn log_positions(data: &std::path::Path) -> (i64, Option<i64>) {
    let root = data.parent().unwrap();
    let store = nearmiss::store::Store::open(&registry_database(root), 1).unwrap();
    let logged = nearmiss::store::last_event_id(&mut store.conn().unwrap()).unwrap();
    let index =
        search_index::SearchIndex::open_current(data.join("index"), &HashMap::new()).unwrap();
    (logged, index.last_applied_event().unwrap())
}

fn probe(app: &TestApp) -> Vec<Value> {
    [
        vec![("q", "certificate")],
        vec![("q", "quetzal OR narwhal")],
        vec![("tech", "vault")],
        vec![("sort", "newest")],
        vec![],
    ]
    .iter()
    .map(|q| {
        let mut r = search(app, q);
        // Scores may differ in the last digits between a merged and an
        // incremental index; order, totals, snippets and facets may not.
        for hit in r["hits"].as_array_mut().unwrap() {
            hit.as_object_mut().unwrap().remove("score");
        }
        r
    })
    .collect()
}

#[test]
fn acknowledged_publications_survive_a_sigkill_before_the_index_commits() {
    // The indexer gathers changes for a minute before committing, so the
    // kill below lands between the database commit and the index commit.
    let mut app = spawn_app_with(Options {
        env: vec![("NEARMISS_INDEX_GATHER_MS", "60000".into())],
        ..Options::default()
    });
    let token = app.login();
    for word in WORDS {
        let mut body = submission();
        body["title"] = json!(format!("Expired intermediate certificate, {word} edition"));
        let (id, _) = app.submit_ok(&body);
        assert_eq!(app.approve(&token, &id).status(), 200);
    }
    assert_eq!(search(&app, &[("q", "quetzal")])["total"], 0);
    app.kill();

    let data = app.data_dir();
    let (logged, indexed) = log_positions(&data);
    assert_eq!(logged, WORDS.len() as i64);
    assert!(
        indexed.unwrap_or(0) < logged,
        "the kill should have come before the index commit"
    );

    // Restarted, the server replays the log before it answers.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    let app = start(dir, Options::default());
    for word in WORDS {
        assert_eq!(search(&app, &[("q", word)])["total"], 1, "{word}");
    }
    assert_eq!(search(&app, &[])["total"], WORDS.len());
    let incremental = probe(&app);

    // A reindex while the server runs: the server switches to the new
    // generation (and removes the old one) and answers the same.
    let index_root = app.data_dir().join("index");
    let before = std::fs::read_to_string(index_root.join("CURRENT")).unwrap();
    let out = cli(app.dir.path(), &["reindex"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("indexed 5 published reports"), "{stdout}");
    let after = std::fs::read_to_string(index_root.join("CURRENT")).unwrap();
    assert_ne!(before, after);
    eventually("the server drops the old generation", || {
        !index_root.join(before.trim()).exists()
    });
    assert_eq!(probe(&app), incremental);

    // Publishing after the reindex lands in the new generation.
    let token = app.login();
    let mut body = submission();
    body["title"] = json!("Expired intermediate certificate, okapi edition");
    let (id, _) = app.submit_ok(&body);
    assert_eq!(app.approve(&token, &id).status(), 200);
    eventually("the new report is searchable", || {
        search(&app, &[("q", "okapi")])["total"] == 1
    });
}
