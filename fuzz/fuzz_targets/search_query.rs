//! Search parameters as a client sends them: parsed by the API's
//! `parse_query` and, when they pass, run on a small index. No panic, and a
//! query the user wrote never fails as an index error (that would be a 500).
//!
//! The first byte picks the shape: even, the rest is the `q` text alone;
//! odd, the rest is `key=value` lines, one parameter a line.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nearmiss::api::search::parse_query;
use nearmiss::report::taxonomy::taxonomy;
use search_index::{IndexOp, IndexedReport, SearchError, SearchIndex};

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let index =
                SearchIndex::open(dir.path().join("index"), &taxonomy().technology_aliases())
                    .unwrap();
            let words = [
                "redis replica resync loop after failover",
                "postgres vacuum stalled and the disk filled",
                "expired intermediate certificate broke mTLS",
                "kafka consumer lag grew until the retention deleted data",
            ];
            let ops: Vec<IndexOp> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    IndexOp::Upsert(IndexedReport {
                        id: format!("00000000-0000-4000-8000-00000000000{i}"),
                        title: w.to_string(),
                        summary: w.to_string(),
                        narrative: format!("{w}. {w}."),
                        root_causes: vec![w.to_string()],
                        lessons: vec![w.to_string()],
                        timeline: vec![w.to_string()],
                        technologies: vec![("database".into(), "redis".into())],
                        trigger: Some("deploy".into()),
                        severity: Some("sev2".into()),
                        month: Some(format!("2024-0{}", i + 1)),
                        time_to_resolve_minutes: Some(30 * (i as u32 + 1)),
                        published: Some("2024-06-01".into()),
                        ..Default::default()
                    })
                })
                .collect();
            index.apply(&ops).unwrap();
            index.commit(1).unwrap();
            (dir, index)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let pairs: Vec<(String, String)> = if mode % 2 == 0 {
        vec![("q".to_string(), text.to_string())]
    } else {
        text.lines()
            .take(64)
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect()
    };
    let Ok(query) = parse_query(&pairs, &[]) else { return };
    match index().search(&query) {
        Ok(_) => {}
        Err(SearchError::Index(cause)) => panic!("a user's query failed in the index: {cause}"),
        Err(_) => {}
    }
});
