//! Search over HTTP on the real binary: the hand-written corpus of the
//! `search-index` crate goes in as submissions through de-identification,
//! the database and the indexer, and comes out ranked, filtered and counted.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;

#[allow(dead_code)] // the corpus module also serves the crate's own tests
#[path = "../../search-index/tests/common/corpus.rs"]
mod corpus;

use nearmiss::report::taxonomy::{taxonomy, Resolved, Vocabulary};

/// A corpus report as a submission: what a company would send.
fn as_submission(r: &search_index::IndexedReport) -> Value {
    // Closed vocabularies reject values they do not list; the index corpus
    // uses some the registry does not have.
    let industry = r.industry.as_deref().filter(|i| {
        matches!(
            taxonomy().resolve(Vocabulary::Industry, i),
            Resolved::Known(_)
        )
    });
    json!({
        "title": r.title,
        "summary": r.summary,
        "narrative": r.narrative,
        "industry": industry,
        "incident": {
            "started_at": r.month.as_ref().map(|m| format!("{m}-15T12:00:00Z")),
            "severity": r.severity,
            "detection": r.detection,
            "time_to_detect_minutes": r.time_to_detect_minutes,
            "time_to_mitigate_minutes": r.time_to_mitigate_minutes,
            "time_to_resolve_minutes": r.time_to_resolve_minutes,
        },
        "technologies": r.technologies.iter().map(|(_, id)| id).collect::<Vec<_>>(),
        "trigger": r.trigger,
        "contributing_factors": r.contributing_factors,
        "mitigations": r.mitigations,
        "timeline": r.timeline.iter().enumerate()
            .map(|(i, e)| json!({"at": format!("T+{}m", i * 10), "event": e}))
            .collect::<Vec<_>>(),
        "root_causes": r.root_causes,
        "lessons_learned": r.lessons,
    })
}

/// Imports and publishes `lines` through the CLI.
pub fn import_published(app_dir: &std::path::Path, lines: &[Value]) {
    let file = app_dir.join("import.jsonl");
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&file, text.join("\n")).unwrap();
    let out = cli(
        app_dir,
        &["import", "--publish", file.to_str().unwrap()],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("imported {} reports", lines.len())),
        "import: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The published dataset, as `nearmiss export` gives it.
pub fn export(app_dir: &std::path::Path) -> Vec<Value> {
    let out = cli(app_dir, &["export"], None);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A registry holding the hand-written corpus, and corpus number → registry id.
fn corpus_app() -> (TestApp, HashMap<u32, String>) {
    let dir = tempfile::tempdir().unwrap();
    let reports = corpus::reports();
    import_published(
        dir.path(),
        &reports.iter().map(as_submission).collect::<Vec<_>>(),
    );
    let by_title: HashMap<String, String> = export(dir.path())
        .into_iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ids = reports
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = by_title
                .get(&r.title)
                .unwrap_or_else(|| panic!("title changed by de-identification: {}", r.title));
            (i as u32 + 1, id.clone())
        })
        .collect();
    (start(dir, Options::default()), ids)
}

pub fn search(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let r = app.get("/api/v1/search").query(query).send().unwrap();
    assert_eq!(r.status(), 200, "{query:?}");
    r.json().unwrap()
}

pub fn hit_ids(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Polls until `check` holds; the indexer runs beside the request path.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

#[test]
fn the_obvious_best_report_ranks_first_through_the_whole_pipeline() {
    let (app, ids) = corpus_app();
    assert!(corpus::RELEVANCE.len() >= 20);
    let mut failures = Vec::new();
    for (text, want) in corpus::RELEVANCE {
        let results = search(&app, &[("q", text)]);
        if hit_ids(&results).first() != Some(&ids[want]) {
            failures.push(format!(
                "{text:?}: want #{want} first, got {:?}",
                results["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["title"].clone())
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Snippets mark what matched.
    let results = search(&app, &[("q", "wraparound")]);
    assert!(results["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("<mark>wraparound</mark>"));

    // Similar: never the report itself; the other Redis incident is close.
    let similar: Value = app
        .get(&format!("/api/v1/reports/{}/similar", ids[&1]))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let similar = hit_ids(&similar);
    assert!(!similar.contains(&ids[&1]));
    assert!(similar[..3].contains(&ids[&27]), "{similar:?}");
    let r = app
        .get(&format!("/api/v1/reports/{}/similar", uuid::Uuid::new_v4()))
        .send()
        .unwrap();
    assert_eq!(error_code(r), (404, "not_found".into()));
    let r = app
        .get(&format!("/api/v1/reports/{}/similar?limit=500", ids[&1]))
        .send()
        .unwrap();
    assert_eq!(error_code(r).0, 400);
}

/// The facet value(s) of `report` for a facet, read from the export.
fn values(report: &Value, facet: &str) -> Vec<String> {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => vec![],
        }
    };
    match facet {
        "tech" => strings(&report["technologies"]),
        "trigger" => strings(&report["trigger"]),
        "factor" => strings(&report["contributing_factors"]),
        "mitigation" => strings(&report["mitigations"]),
        "industry" => strings(&report["industry"]),
        "severity" => strings(&report["incident"]["severity"]),
        "detection" => strings(&report["incident"]["detection"]),
        // A report whose month was withheld (k-anonymity) keeps its year.
        "year" => strings(&report["incident"]["month"])
            .into_iter()
            .map(|m| m[..4].to_string())
            .chain(strings(&report["incident"]["year"]))
            .collect(),
        other => panic!("no facet {other}"),
    }
}

const FACETS: [&str; 8] = [
    "tech",
    "trigger",
    "factor",
    "mitigation",
    "industry",
    "severity",
    "detection",
    "year",
];

/// Does `report` pass every parameter in `query` except those of facet
/// `except` (`year`, `from` and `to` belong to the year facet)?
fn passes(report: &Value, query: &[(&str, &str)], except: Option<&str>) -> bool {
    let mut wanted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in query {
        wanted.entry(k).or_default().push(v);
    }
    wanted.iter().all(|(key, vals)| {
        let month = report["incident"]["month"].as_str();
        let ttr = report["incident"]["time_to_resolve_minutes"].as_u64();
        match *key {
            "from" | "to" if except == Some("year") => true,
            "from" => month.is_some_and(|m| m >= vals[0]),
            "to" => month.is_some_and(|m| m <= vals[0]),
            "min_ttr" => ttr.is_some_and(|t| t >= vals[0].parse().unwrap()),
            "max_ttr" => ttr.is_some_and(|t| t <= vals[0].parse().unwrap()),
            facet if Some(facet) == except => true,
            facet => {
                let have = values(report, facet);
                vals.iter().any(|v| have.iter().any(|h| h == v))
            }
        }
    })
}

#[test]
fn facet_counts_and_filters_equal_an_independent_count_of_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["demo", "--count", "300", "--seed", "7"], None);
    assert!(out.status.success());
    let reports = export(dir.path());
    assert_eq!(reports.len(), 300);
    let app = start(dir, Options::default());

    let queries: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("tech", "postgresql")],
        vec![("tech", "postgresql"), ("tech", "redis")],
        vec![("tech", "kubernetes"), ("trigger", "deploy")],
        vec![("severity", "sev1"), ("from", "2021-01"), ("to", "2022-12")],
        vec![("min_ttr", "60"), ("max_ttr", "600")],
        vec![
            ("detection", "automated-alert"),
            ("detection", "customer-report"),
            ("factor", "config-drift"),
        ],
        vec![("industry", "fintech"), ("mitigation", "rollback")],
        vec![("from", "2022-06")],
        vec![("year", "2022"), ("tech", "postgresql")],
        vec![("year", "2021"), ("year", "2023"), ("from", "2021-06")],
    ];
    for query in &queries {
        let mut params = query.clone();
        params.push(("per_page", "100"));
        let got = search(&app, &params);
        let matching: Vec<&Value> = reports.iter().filter(|r| passes(r, query, None)).collect();
        assert_eq!(got["total"], matching.len(), "total for {query:?}");
        let want_hits = matching.len().min(100);
        assert_eq!(got["hits"].as_array().unwrap().len(), want_hits);
        for facet in FACETS {
            let mut want: BTreeMap<String, u64> = BTreeMap::new();
            for r in reports.iter().filter(|r| passes(r, query, Some(facet))) {
                for v in values(r, facet) {
                    *want.entry(v).or_default() += 1;
                }
            }
            let have: BTreeMap<String, u64> =
                serde_json::from_value(got["facets"][facet].clone()).unwrap();
            assert_eq!(have, want, "facet {facet} for {query:?}");
        }
    }
    // The demo data must make these filters bite, or the test proves little.
    assert!(search(&app, &queries[3])["total"].as_u64().unwrap() > 0);
    assert!(search(&app, &queries[6])["total"].as_u64().unwrap() > 0);

    // Aliases resolve in filters and in text; English stemming applies.
    let total = |q: &[(&str, &str)]| search(&app, q)["total"].as_u64().unwrap();
    assert_eq!(total(&[("tech", "pg")]), total(&[("tech", "postgresql")]));
    assert_eq!(total(&[("tech", "k8s")]), total(&[("tech", "kubernetes")]));
    assert!(total(&[("q", "postgres")]) >= total(&[("tech", "postgresql")]));
    assert!(total(&[("q", "k8s")]) >= total(&[("tech", "kubernetes")]));
    assert!(total(&[("q", "postgresql")]) > 0);
    assert_eq!(total(&[("q", "postgres")]), total(&[("q", "postgresql")]));
    assert_eq!(
        total(&[("q", "certificates")]),
        total(&[("q", "certificate")])
    );

    // Sorting: newest by incident month; longest by time to resolve.
    let newest = search(&app, &[("sort", "newest"), ("per_page", "50")]);
    let months: Vec<&str> = newest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["month"].as_str())
        .collect();
    assert!(months.windows(2).all(|w| w[0] >= w[1]), "{months:?}");
    let longest = search(&app, &[("sort", "longest"), ("per_page", "5")]);
    let max_ttr = reports
        .iter()
        .filter_map(|r| r["incident"]["time_to_resolve_minutes"].as_u64())
        .max()
        .unwrap();
    let first = longest["hits"][0]["id"].as_str().unwrap();
    let first = reports.iter().find(|r| r["id"] == first).unwrap();
    assert_eq!(first["incident"]["time_to_resolve_minutes"], max_ttr);
}

#[test]
fn bad_queries_get_a_clear_400_never_a_500() {
    let (app, _) = corpus_app();
    let r = app
        .get("/api/v1/search")
        .query(&[("q", "title:(redis")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"]["code"], "query_syntax");
    assert_eq!(body["error"]["position"], 6);
    assert!(body["error"]["hint"].as_str().unwrap().contains(')'));

    for (query, code) in [
        (vec![("q", "\"unclosed phrase")], "query_syntax"),
        (vec![("industy", "fintech")], "unknown_parameter"),
        (vec![("per_page", "101")], "invalid_parameter"),
        (vec![("per_page", "0")], "invalid_parameter"),
        (vec![("page", "0")], "invalid_parameter"),
        (vec![("page", "1000"), ("per_page", "100")], "too_deep"),
        (vec![("from", "2021-13")], "invalid_parameter"),
        (vec![("min_ttr", "-1")], "invalid_parameter"),
        (vec![("severity", "catastrophic")], "invalid_parameter"),
        (vec![("sort", "random")], "invalid_parameter"),
        (vec![("tech", "")], "invalid_parameter"),
    ] {
        let r = app.get("/api/v1/search").query(&query).send().unwrap();
        assert_eq!(error_code(r), (400, code.to_string()), "{query:?}");
    }
    let long = "x ".repeat(600);
    let r = app
        .get("/api/v1/search")
        .query(&[("q", long.as_str())])
        .send()
        .unwrap();
    assert_eq!(error_code(r).0, 400);

    // Whatever a user types, the answer is 200 or 400.
    for q in [
        "(((",
        ")",
        "\"",
        "title:",
        "AND",
        "OR OR",
        "-",
        "*",
        "~",
        "^2",
        "redis^",
        "a:b:c",
        "title:\"unclosed",
        "[1 TO",
        "{",
        "}",
        "\\",
        "NOT",
        "+",
        "++redis",
        "()",
        "\"\"",
        "ünïcödé ∑",
        "\u{0}",
        "<script>",
        "'; DROP TABLE reports; --",
        "title:redis AND",
        "narrative:[a TO z]",
        "month:2021",
        "id:*",
        "redis~2",
        "/regex/",
    ] {
        let r = app.get("/api/v1/search").query(&[("q", q)]).send().unwrap();
        let status = r.status().as_u16();
        assert!(status == 200 || status == 400, "{q:?} → {status}");
    }
}

#[test]
fn a_report_found_by_its_root_causes_or_lessons_shows_where_it_matched() {
    let app = spawn_app();
    let token = app.login();
    let mut body = submission();
    body["root_causes"] =
        json!(["The quillback renewal job ran under an expired service account."]);
    body["lessons_learned"] = json!(["Give every marlinspike rotation an owner & a <b>date</b>."]);
    let (id, _) = app.submit_ok(&body);
    assert_eq!(app.approve(&token, &id).status(), 200);
    eventually("the approved report is searchable", || {
        search(&app, &[("q", "quillback")])["total"] == 1
    });
    for (q, marked) in [
        ("quillback", "<mark>quillback</mark> renewal job"),
        ("marlinspike rotation", "<mark>marlinspike</mark> <mark>rotation</mark> an owner &amp; a &lt;b&gt;date&lt;/b&gt;"),
    ] {
        let results = search(&app, &[("q", q)]);
        assert_eq!(results["total"], 1, "{q}");
        let snippet = results["hits"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains(marked), "{q}: {snippet}");
    }
}

#[test]
fn search_follows_publication_amendment_redaction_and_withdrawal() {
    let app = spawn_app();
    let token = app.login();
    let mut body = submission();
    body["narrative"] = json!(
        "The sidecars failed with x509 errors. An engineer pasted <script>alert('pwned')</script> \
         into the ticket while the chain was reissued by the zebrafinch rotation job."
    );
    let (id, receipt) = app.submit_ok(&body);
    // Pending reports are not searchable.
    assert_eq!(search(&app, &[("q", "zebrafinch")])["total"], 0);
    assert_eq!(app.approve(&token, &id).status(), 200);
    let waited = eventually("the approved report is searchable", || {
        search(&app, &[("q", "zebrafinch")])["total"] == 1
    });
    eprintln!("approved report searchable after {waited:?}");

    // Snippets are inert HTML: the submitted tag comes back escaped.
    let hit = &search(&app, &[("q", "alert pwned")])["hits"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(!snippet.contains("<script"), "{snippet}");
    assert!(snippet.contains("<mark>alert</mark>"), "{snippet}");

    // An amendment's words become searchable.
    let r = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&json!({"text": "Follow-up: the kestrelwing audit found two more expiring intermediates."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    eventually("the amendment is searchable", || {
        hit_ids(&search(&app, &[("q", "kestrelwing")])) == vec![id.clone()]
    });

    // A reviewer's extra redaction removes the word from the index too.
    let r = app
        .post(&format!("/api/v1/review/{id}/redact"))
        .bearer_auth(&token)
        .json(&json!({"terms": {"products": ["zebrafinch"]}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    eventually("the redacted word is gone from search", || {
        search(&app, &[("q", "zebrafinch")])["total"] == 0
    });
    assert_eq!(search(&app, &[("q", "kestrelwing")])["total"], 1);

    // Withdrawn: gone from search, similar and the feed.
    let r = app
        .delete(&format!("/api/v1/receipts/{id}"))
        .header("Authorization", format!("Receipt {receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    eventually("the withdrawn report is gone", || {
        search(&app, &[("q", "kestrelwing")])["total"] == 0
    });
    assert_eq!(search(&app, &[])["total"], 0);
    let feed = app
        .get("/feeds/reports.atom")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!feed.contains(&id));
}

#[test]
fn the_year_filter_finds_reports_whose_month_was_withheld() {
    let app = spawn_app_with(Options {
        env: vec![("NEARMISS_STATS_K", "2".into())],
        ..Options::default()
    });
    let token = app.login();
    // The first report of its cohort is published without its month (k = 2);
    // the second completes the cohort and keeps it.
    let (year_only, _) = app.submit_ok(&submission());
    assert_eq!(app.approve(&token, &year_only).status(), 200);
    let (with_month, _) = app.submit_ok(&submission());
    assert_eq!(app.approve(&token, &with_month).status(), 200);
    eventually("both are indexed", || search(&app, &[])["total"] == 2);
    let report: Value = app
        .get(&format!("/api/v1/reports/{year_only}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(report["incident"]["month"].is_null());
    assert_eq!(report["incident"]["year"], "2023");

    let mut both = vec![year_only.clone(), with_month.clone()];
    both.sort();
    let sorted = |results: Value| {
        let mut ids = hit_ids(&results);
        ids.sort();
        ids
    };
    assert_eq!(sorted(search(&app, &[("year", "2023")])), both);
    // A month range covering the whole year misses the year-only report.
    let months = [("from", "2023-01"), ("to", "2023-12")];
    assert_eq!(hit_ids(&search(&app, &months)), vec![with_month.clone()]);
    // Repeated or comma-separated: OR within the filter.
    assert_eq!(
        sorted(search(&app, &[("year", "2021"), ("year", "2023")])),
        both
    );
    assert_eq!(sorted(search(&app, &[("year", "2021, 2023")])), both);
    assert_eq!(search(&app, &[("year", "2022")])["total"], 0);
    // AND with the other filters, the month range included.
    let narrowed = search(&app, &[("year", "2023"), ("from", "2023-11")]);
    assert_eq!(hit_ids(&narrowed), vec![with_month.clone()]);
    // The year facet counts leave the year filter out; the others apply it.
    let facets = &search(&app, &[("year", "2022")])["facets"];
    assert_eq!(facets["year"], json!({"2023": 2}));
    assert_eq!(facets["severity"], json!({}));

    // Statistics, charts and the feed take the same parameter.
    let stats = |query: &[(&str, &str)]| -> Value {
        let r = app.get("/api/v1/stats").query(query).send().unwrap();
        assert_eq!(r.status(), 200, "{query:?}");
        r.json().unwrap()
    };
    assert_eq!(stats(&[("year", "2023")])["total"], 2);
    assert_eq!(stats(&months)["total"], 1);
    assert_eq!(stats(&[("year", "2022")])["total"], 0);
    let r = app
        .get("/api/v1/stats/charts/trend.svg")
        .query(&[("year", "2023")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let feed = app
        .get("/feeds/reports.atom")
        .query(&[("year", "2023")])
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(feed.contains(&year_only));

    // Anything but four digits is a clear 400, on every endpoint.
    for bad in ["23", "2023-11", "twenty", "20233", "", "2023,", "2023,x"] {
        for path in ["/api/v1/search", "/api/v1/stats", "/feeds/reports.atom"] {
            let r = app.get(path).query(&[("year", bad)]).send().unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().unwrap();
            assert_eq!(status, 400, "{path} year={bad:?}");
            assert_eq!(body["error"]["code"], "invalid_parameter", "{path} {bad:?}");
            assert!(
                body["error"]["message"].as_str().unwrap().contains("year"),
                "{body}"
            );
        }
    }
    let r = app
        .get("/api/v1/search")
        .query(&[("years", "2023")])
        .send()
        .unwrap();
    assert_eq!(error_code(r), (400, "unknown_parameter".into()));
}
