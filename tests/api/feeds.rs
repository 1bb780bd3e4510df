//! The Atom feed: valid Atom, most recently published first, narrowed by
//! the search filters, escaped.

use atom_syndication::Feed;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::search::{export, import_published};

#[test]
fn the_feed_is_valid_atom_newest_published_first_and_filtered() {
    // Reports from another registry's export keep their ids and dates, so
    // publication days can be chosen.
    let source = tempfile::tempdir().unwrap();
    let out = cli(
        source.path(),
        &["demo", "--count", "6", "--seed", "11"],
        None,
    );
    assert!(out.status.success());
    let mut reports = export(source.path());
    let days = [
        "2026-03-02",
        "2026-05-20",
        "2026-01-15",
        "2026-04-01",
        "2026-02-10",
        "2026-06-30",
    ];
    for (r, day) in reports.iter_mut().zip(days) {
        r["published"] = json!(day);
        r["modified"] = json!(day);
    }
    reports[0]["title"] = json!("Queue <script>alert(1)</script> & backlog");
    reports[0]["technologies"] = json!(["rabbitmq"]);
    for r in &mut reports[1..] {
        let techs = r["technologies"].as_array_mut().unwrap();
        techs.retain(|t| t != "rabbitmq");
    }
    let dir = tempfile::tempdir().unwrap();
    import_published(dir.path(), &reports);
    let app = start(dir, Options::default());

    let r = app.get("/feeds/reports.atom").send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let xml = r.text().unwrap();
    assert!(!xml.contains("<script>"), "unescaped markup in the feed");
    assert!(xml.contains("&lt;script&gt;"));
    let feed = Feed::read_from(xml.as_bytes()).expect("valid Atom");
    assert!(!feed.id().is_empty());
    assert!(!feed.title().as_str().is_empty());
    assert!(!feed.authors().is_empty(), "Atom needs an author");
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
    assert_eq!(feed.updated().to_rfc3339(), "2026-06-30T00:00:00+00:00");

    let mut expected: Vec<(&str, &Value)> = days
        .iter()
        .copied()
        .zip(reports.iter().map(|r| &r["id"]))
        .collect();
    expected.sort_by(|a, b| b.0.cmp(a.0));
    let got: Vec<String> = feed.entries().iter().map(|e| e.id().to_string()).collect();
    let want: Vec<String> = expected
        .iter()
        .map(|(_, id)| format!("urn:uuid:{}", id.as_str().unwrap()))
        .collect();
    assert_eq!(got, want);
    for (entry, (day, _)) in feed.entries().iter().zip(&expected) {
        assert_eq!(
            entry.updated().to_rfc3339(),
            format!("{day}T00:00:00+00:00")
        );
        assert!(!entry.title().as_str().is_empty());
        assert!(entry.summary().is_some());
        assert!(entry.links()[0].href().contains("/api/v1/reports/"));
    }

    // Filters narrow it; aliases resolve; a bad filter is a clear 400.
    let xml = app
        .get("/feeds/reports.atom?tech=rabbit")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let filtered = Feed::read_from(xml.as_bytes()).unwrap();
    let ids: Vec<&str> = filtered.entries().iter().map(|e| e.id()).collect();
    assert_eq!(
        ids,
        [format!("urn:uuid:{}", reports[0]["id"].as_str().unwrap())]
    );
    assert_eq!(
        filtered.entries()[0].title().as_str(),
        "Queue <script>alert(1)</script> & backlog"
    );
    let xml = app
        .get("/feeds/reports.atom?per_page=2")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(Feed::read_from(xml.as_bytes()).unwrap().entries().len(), 2);
    let r = app.get("/feeds/reports.atom?colour=red").send().unwrap();
    assert_eq!(error_code(r), (400, "unknown_parameter".into()));
}
