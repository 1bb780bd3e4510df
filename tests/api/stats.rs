//! Statistics over HTTP equal an independent count of the exported
//! dataset; small cells are suppressed in JSON and CSV; the CSV parses with
//! Python's csv module; charts are well-formed SVG with their series.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use crate::helpers::*;
use crate::search::{export, search};

fn stats(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let r = app.get("/api/v1/stats").query(query).send().unwrap();
    assert_eq!(r.status(), 200, "{query:?}");
    r.json().unwrap()
}

/// A demo registry of 300 reports, served with cells suppressed under `k`.
fn demo_app(k: u64) -> (TestApp, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["demo", "--count", "300", "--seed", "5"], None);
    assert!(out.status.success());
    let reports = export(dir.path());
    let app = start(
        dir,
        Options {
            env: vec![("NEARMISS_STATS_K", k.to_string())],
            ..Options::default()
        },
    );
    (app, reports)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

fn category_of(tech: &str) -> String {
    nearmiss::report::taxonomy::taxonomy()
        .technology(tech)
        .map_or("other".to_string(), |t| t.category.clone())
}

/// Nearest rank, written out independently of the server's code.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank - 1]
}

/// Everything `/stats` reports, recomputed from exported reports, as
/// (table, key) → count (durations: → [count, p50, p90, p99]).
fn independent(reports: &[&Value]) -> BTreeMap<String, Vec<u64>> {
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut bump = |key: String| out.entry(key).or_insert_with(|| vec![0])[0] += 1;
    let mut samples: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in reports {
        let techs = strings(&r["technologies"]);
        let mut categories: Vec<String> = techs.iter().map(|t| category_of(t)).collect();
        categories.sort();
        categories.dedup();
        let trigger = r["trigger"].as_str();
        let factors = strings(&r["contributing_factors"]);
        for t in &techs {
            bump(format!("counts/technology/{t}"));
            if let Some(tr) = trigger {
                bump(format!("technology_trigger/{t}/{tr}"));
            }
            for f in &factors {
                bump(format!("technology_factor/{t}/{f}"));
            }
            for u in &techs {
                if t < u {
                    bump(format!("technology_pairs/{t}/{u}"));
                }
            }
        }
        for c in &categories {
            bump(format!("counts/category/{c}"));
        }
        for (dim, v) in [
            ("trigger", &r["trigger"]),
            ("contributing_factor", &r["contributing_factors"]),
            ("mitigation", &r["mitigations"]),
            ("detection", &r["incident"]["detection"]),
            ("industry", &r["industry"]),
            ("severity", &r["incident"]["severity"]),
        ] {
            for value in strings(v) {
                bump(format!("counts/{dim}/{value}"));
            }
        }
        if let Some(m) = r["incident"]["month"].as_str() {
            let q = m[5..7].parse::<u32>().unwrap().div_ceil(3);
            bump(format!("trend/{}-Q{q}", &m[..4]));
            bump(format!("counts/year/{}", &m[..4]));
        } else if let Some(y) = r["incident"]["year"].as_str() {
            bump(format!("counts/year/{y}"));
        }
        for measure in ["time_to_detect", "time_to_mitigate", "time_to_resolve"] {
            if let Some(v) = r["incident"][format!("{measure}_minutes")].as_u64() {
                samples
                    .entry(format!("durations/{measure}/all"))
                    .or_default()
                    .push(v);
                if let Some(tr) = trigger {
                    samples
                        .entry(format!("durations/{measure}/trigger/{tr}"))
                        .or_default()
                        .push(v);
                }
                for c in &categories {
                    samples
                        .entry(format!("durations/{measure}/category/{c}"))
                        .or_default()
                        .push(v);
                }
            }
        }
    }
    for (key, mut values) in samples {
        values.sort_unstable();
        out.insert(
            key,
            vec![
                values.len() as u64,
                percentile(&values, 50.0),
                percentile(&values, 90.0),
                percentile(&values, 99.0),
            ],
        );
    }
    out
}

/// The same shape, read from a `/stats` answer; a suppressed cell reads as
/// `None` in place of its count.
fn served(s: &Value) -> BTreeMap<String, Option<Vec<u64>>> {
    let mut out = BTreeMap::new();
    let count = |c: &Value| c["count"].as_u64().map(|n| vec![n]);
    for (dim, cells) in s["counts"].as_object().unwrap() {
        for c in cells.as_array().unwrap() {
            out.insert(
                format!("counts/{dim}/{}", c["value"].as_str().unwrap()),
                count(c),
            );
        }
    }
    for c in s["trend"].as_array().unwrap() {
        out.insert(
            format!("trend/{}", c["quarter"].as_str().unwrap()),
            count(c),
        );
    }
    for (table, a, b) in [
        ("technology_trigger", "technology", "trigger"),
        ("technology_factor", "technology", "contributing_factor"),
        ("technology_pairs", "technology_a", "technology_b"),
    ] {
        for c in s[table].as_array().unwrap() {
            out.insert(
                format!(
                    "{table}/{}/{}",
                    c[a].as_str().unwrap(),
                    c[b].as_str().unwrap()
                ),
                count(c),
            );
        }
    }
    for (measure, d) in s["durations"].as_object().unwrap() {
        let summary = |c: &Value| {
            c["count"].as_u64().map(|n| {
                vec![
                    n,
                    c["p50"].as_u64().unwrap(),
                    c["p90"].as_u64().unwrap(),
                    c["p99"].as_u64().unwrap(),
                ]
            })
        };
        if d["overall"]["count"] != 0 {
            out.insert(format!("durations/{measure}/all"), summary(&d["overall"]));
        }
        for (grouping, key) in [("trigger", "by_trigger"), ("category", "by_category")] {
            for c in d[key].as_array().unwrap() {
                out.insert(
                    format!(
                        "durations/{measure}/{grouping}/{}",
                        c["group"].as_str().unwrap()
                    ),
                    summary(c),
                );
            }
        }
    }
    out
}

/// Checks `got` against `want` under suppression below `k`.
fn assert_matches(got: &Value, want: &BTreeMap<String, Vec<u64>>, k: u64, what: &str) {
    let got = served(got);
    let keys: Vec<&String> = got.keys().collect();
    let want_keys: Vec<&String> = want.keys().collect();
    assert_eq!(keys, want_keys, "{what}: cells differ");
    for (key, w) in want {
        let g = &got[key];
        if w[0] < k {
            assert_eq!(
                g, &None,
                "{what}: {key} counts {} < k={k} but is shown",
                w[0]
            );
        } else {
            assert_eq!(g.as_ref(), Some(w), "{what}: {key}");
        }
    }
}

#[test]
fn statistics_equal_an_independent_count_and_small_cells_are_suppressed() {
    for k in [1, 5] {
        let (app, reports) = demo_app(k);
        let all: Vec<&Value> = reports.iter().collect();
        let s = stats(&app, &[]);
        assert_eq!(s["total"], 300);
        assert_eq!(s["k"], k);
        assert_matches(&s, &independent(&all), k, &format!("all, k={k}"));

        // A filter restricts the subset.
        let pg: Vec<&Value> = reports
            .iter()
            .filter(|r| strings(&r["technologies"]).contains(&"postgresql".to_string()))
            .collect();
        assert!(pg.len() > 10);
        let s = stats(&app, &[("tech", "postgres")]);
        assert_eq!(s["total"], pg.len());
        assert_matches(&s, &independent(&pg), k, &format!("tech=postgres, k={k}"));

        // So does text: the subset is what the same search matches.
        let matched = search(&app, &[("q", "certificate"), ("per_page", "100")]);
        let ids: Vec<&str> = matched["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert!(ids.len() > 5 && ids.len() < 100);
        let subset: Vec<&Value> = reports
            .iter()
            .filter(|r| ids.contains(&r["id"].as_str().unwrap()))
            .collect();
        let s = stats(&app, &[("q", "certificate")]);
        assert_matches(
            &s,
            &independent(&subset),
            k,
            &format!("q=certificate, k={k}"),
        );

        if k == 5 {
            // The demo data has small cells, or suppression was not tested.
            let suppressed = served(&stats(&app, &[]))
                .values()
                .filter(|v| v.is_none())
                .count();
            assert!(suppressed > 10, "{suppressed}");
            csv_tables_parse_and_match(&app);
            charts_are_svg_with_their_series(&app);
            technology_profiles(&app, &reports);
        }
    }
}

/// Every CSV table parses with Python's csv module into the documented
/// header; suppressed counts are empty with `suppressed` true.
fn csv_tables_parse_and_match(app: &TestApp) {
    let json = stats(app, &[]);
    for (table, header, rows) in [
        ("counts", "dimension,value,count,suppressed", {
            json["counts"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_array().unwrap().len())
                .sum::<usize>()
        }),
        (
            "trend",
            "quarter,count,suppressed",
            json["trend"].as_array().unwrap().len(),
        ),
        (
            "technology_pairs",
            "technology_a,technology_b,count,suppressed",
            json["technology_pairs"].as_array().unwrap().len(),
        ),
        (
            "durations",
            "measure,grouping,group,count,suppressed,mean,p50,p90,p99",
            json["durations"]
                .as_object()
                .unwrap()
                .values()
                .map(|d| {
                    1 + d["by_trigger"].as_array().unwrap().len()
                        + d["by_category"].as_array().unwrap().len()
                })
                .sum(),
        ),
        (
            "histogram",
            "measure,from_minutes,to_minutes,count,suppressed",
            48,
        ),
        (
            "technology_trigger",
            "technology,trigger,count,suppressed",
            json["technology_trigger"].as_array().unwrap().len(),
        ),
        (
            "technology_factor",
            "technology,contributing_factor,count,suppressed",
            json["technology_factor"].as_array().unwrap().len(),
        ),
    ] {
        let r = app
            .get("/api/v1/stats")
            .query(&[("format", "csv"), ("table", table)])
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let body = r.text().unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &body).unwrap();
        let out = Command::new("python3")
            .arg("-c")
            .arg(
                "import csv, json, sys\n\
                 reader = csv.DictReader(open(sys.argv[1], newline=''))\n\
                 rows = list(reader)\n\
                 bad = [r for r in rows if (r['suppressed'] == 'true') != (r['count'] == '')]\n\
                 print(json.dumps({'header': reader.fieldnames, 'rows': len(rows), 'bad': len(bad),\n\
                   'suppressed': sum(r['suppressed'] == 'true' for r in rows)}))",
            )
            .arg(file.path())
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            parsed["header"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(","),
            header
        );
        assert_eq!(parsed["rows"], rows, "{table}");
        assert_eq!(
            parsed["bad"], 0,
            "{table}: suppressed cells must have no count"
        );
        if table == "counts" || table == "technology_pairs" {
            assert!(parsed["suppressed"].as_u64().unwrap() > 0, "{table}");
        }
    }
}

/// Text of every `<text>` element of a well-formed SVG, parsed by Python's
/// XML parser.
fn svg_texts(svg: &str) -> Vec<String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), svg).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys, xml.etree.ElementTree as ET\n\
             root = ET.parse(sys.argv[1]).getroot()\n\
             assert root.tag.endswith('svg'), root.tag\n\
             print(json.dumps([''.join(t.itertext()).strip() for t in root.iter() if t.tag.endswith('text')]))",
        )
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "not well-formed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn charts_are_svg_with_their_series(app: &TestApp) {
    let json = stats(app, &[]);
    let top_trigger = json["counts"]["trigger"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let first_quarter = json["trend"][0]["quarter"].as_str().unwrap().to_string();
    for (chart, expected) in [
        (
            "trend",
            vec!["reports per quarter".to_string(), first_quarter],
        ),
        (
            "durations",
            vec![
                "time to detect".into(),
                "time to mitigate".into(),
                "time to resolve".into(),
            ],
        ),
        (
            "failure-modes",
            vec!["reports per trigger".into(), top_trigger],
        ),
    ] {
        let r = app
            .get(&format!("/api/v1/stats/charts/{chart}.svg"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        let texts = svg_texts(&r.text().unwrap());
        for e in expected {
            assert!(
                texts.iter().any(|t| t == &e),
                "{chart}: no {e:?} in {texts:?}"
            );
        }
    }
    // Filters apply to charts too.
    let r = app
        .get("/api/v1/stats/charts/trend.svg?tech=kubernetes")
        .send()
        .unwrap();
    let total = stats(app, &[("tech", "kubernetes")])["total"]
        .as_u64()
        .unwrap();
    assert!(svg_texts(&r.text().unwrap())[0].contains(&format!("({total} reports")));
    // An empty trend says why rather than showing blank axes.
    let suppressed = json["trend"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["suppressed"] == true);
    let r = app
        .get("/api/v1/stats/charts/trend.svg?q=zzqqxxj")
        .send()
        .unwrap();
    let texts = svg_texts(&r.text().unwrap());
    assert!(
        texts
            .iter()
            .any(|t| t == "No report in this selection has a published month"),
        "{texts:?}"
    );
    if suppressed {
        let r = app.get("/api/v1/stats/charts/trend.svg").send().unwrap();
        let texts = svg_texts(&r.text().unwrap());
        assert!(
            texts
                .iter()
                .any(|t| t == "Every quarter counts fewer than 5 reports"),
            "{texts:?}"
        );
    }
    let r = app.get("/api/v1/stats/charts/pie.svg").send().unwrap();
    assert_eq!(r.status(), 404);
}

fn technology_profiles(app: &TestApp, reports: &[Value]) {
    let r = app.get("/api/v1/technologies/postgres").send().unwrap();
    assert_eq!(r.status(), 200);
    let p: Value = r.json().unwrap();
    assert_eq!(p["id"], "postgresql");
    assert_eq!(p["category"], "database");
    let pg: Vec<&Value> = reports
        .iter()
        .filter(|r| strings(&r["technologies"]).contains(&"postgresql".to_string()))
        .collect();
    assert_eq!(p["reports"], pg.len());
    let counts = independent(&pg);
    for t in p["triggers"].as_array().unwrap() {
        let n = counts[&format!("counts/trigger/{}", t["value"].as_str().unwrap())][0];
        match t["count"].as_u64() {
            Some(c) => {
                assert_eq!(c, n);
                let share = t["share"].as_f64().unwrap();
                assert!((share - n as f64 / pg.len() as f64).abs() < 1e-9);
            }
            None => assert!(n < 5 && t["suppressed"] == true),
        }
    }
    let fails_with = p["fails_with"].as_array().unwrap();
    assert!(!fails_with.is_empty());
    assert!(fails_with.iter().all(|f| f["value"] != "postgresql"));
    assert!(p["recent"].as_array().unwrap().len() <= 5);
    for lesson in p["lessons"].as_array().unwrap() {
        assert!(lesson["reports"].as_u64().unwrap() >= 5);
    }
    let months: Vec<&str> = p["recent"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["month"].as_str())
        .collect();
    assert!(months.windows(2).all(|w| w[0] >= w[1]));

    let r = app
        .get("/api/v1/technologies/no-such-technology")
        .send()
        .unwrap();
    assert_eq!(error_code(r), (404, "not_found".into()));

    for (query, code) in [
        ("format=xml", "invalid_parameter"),
        ("format=csv&table=everything", "invalid_parameter"),
        ("page=2", "unknown_parameter"),
        ("colour=red", "unknown_parameter"),
        ("q=%22unclosed", "query_syntax"),
    ] {
        let r = app.get(&format!("/api/v1/stats?{query}")).send().unwrap();
        assert_eq!(error_code(r), (400, code.to_string()), "{query}");
    }
}
