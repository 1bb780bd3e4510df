//! Statistics at scale: `/stats`' aggregates from the search index beside
//! the same aggregates computed with SQL on the registry's SQLite database,
//! on the same data in the same run.
//!
//! It reuses a dataset kept by the search benchmark:
//!
//! ```sh
//! NEARMISS_BENCH_KEEP=/data/bench cargo bench --bench search
//! NEARMISS_BENCH_DATA=/data/bench cargo bench --bench stats
//! ```
//!
//! The text-query case uses the FTS5 table the search benchmark built there,
//! so SQL gets the same subset from its own full-text index; technologies
//! and factors are counted in the tables it built beside it (the registry
//! keeps them inside each report's content).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use nearmiss::report::taxonomy::taxonomy;
use nearmiss::search::Search;
use nearmiss::stats::{Statistics, DEFAULT_K};
use search_index::{Filters, Summary};

/// Timed runs per side and case (after one warm-up).
const TANTIVY_RUNS: usize = 30;
const SQL_RUNS: usize = 5;
const TARGET_P50_MS: f64 = 50.0;
const TARGET_RATIO: f64 = 10.0;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Pair {
    #[diesel(sql_type = Nullable<Text>)]
    a: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    b: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Duration {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    ttd: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    ttm: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    ttr: Option<i64>,
}

/// What the SQL side computes: the same content as `RawStats`, summarised.
#[derive(Default)]
struct SqlStats {
    total: i64,
    counts: BTreeMap<String, BTreeMap<String, i64>>,
    quarters: BTreeMap<String, i64>,
    pairs: BTreeMap<String, BTreeMap<(String, String), i64>>,
    durations: BTreeMap<String, Option<Summary>>,
}

fn counts(conn: &mut SqliteConnection, sql: &str) -> BTreeMap<String, i64> {
    diesel::sql_query(sql)
        .load::<Count>(conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .into_iter()
        .filter_map(|c| c.key.map(|k| (k, c.n)))
        .collect()
}

fn pairs(conn: &mut SqliteConnection, sql: &str) -> BTreeMap<(String, String), i64> {
    diesel::sql_query(sql)
        .load::<Pair>(conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .into_iter()
        .filter_map(|p| Some(((p.a?, p.b?), p.n)))
        .collect()
}

/// Every `/stats` aggregate in SQL over `subset` (a `FROM … WHERE` clause
/// naming published reports as `r`).
fn sql_stats(conn: &mut SqliteConnection, subset: &str) -> SqlStats {
    let mut s = SqlStats {
        total: counts(
            conn,
            &format!("SELECT 'all' AS key, count(*) AS n {subset}"),
        )
        .get("all")
        .copied()
        .unwrap_or(0),
        ..Default::default()
    };
    let queries = [
        (
            "technology",
            format!(
                "SELECT t.technology AS key, count(*) AS n FROM report_technologies t
                 JOIN (SELECT r.id {subset}) s ON s.id = t.report_id GROUP BY 1"
            ),
        ),
        (
            "category",
            format!(
                "SELECT c.category AS key, count(DISTINCT t.report_id) AS n
                 FROM report_technologies t
                 JOIN temp.tech_category c ON c.technology = t.technology
                 JOIN (SELECT r.id {subset}) s ON s.id = t.report_id GROUP BY 1"
            ),
        ),
        (
            "trigger",
            format!("SELECT r.trigger AS key, count(*) AS n {subset} GROUP BY 1"),
        ),
        (
            "detection",
            format!("SELECT r.detection AS key, count(*) AS n {subset} GROUP BY 1"),
        ),
        (
            "industry",
            format!("SELECT r.industry AS key, count(*) AS n {subset} GROUP BY 1"),
        ),
        (
            "severity",
            format!("SELECT r.severity AS key, count(*) AS n {subset} GROUP BY 1"),
        ),
        (
            "contributing_factor",
            format!(
                "SELECT f.factor AS key, count(*) AS n FROM report_factors f
                 JOIN (SELECT r.id {subset}) s ON s.id = f.report_id
                 WHERE f.kind = 'contributing' GROUP BY 1"
            ),
        ),
        (
            "mitigation",
            format!(
                "SELECT f.factor AS key, count(*) AS n FROM report_factors f
                 JOIN (SELECT r.id {subset}) s ON s.id = f.report_id
                 WHERE f.kind = 'mitigation' GROUP BY 1"
            ),
        ),
        (
            // A withheld month leaves only the year, inside the content.
            "year",
            format!(
                "SELECT coalesce(substr(r.incident_month, 1, 4),
                                 json_extract(r.content, '$.incident.year')) AS key,
                        count(*) AS n {subset} GROUP BY 1"
            ),
        ),
    ];
    for (name, sql) in queries {
        s.counts.insert(name.to_string(), counts(conn, &sql));
    }
    s.quarters = counts(
        conn,
        &format!(
            "SELECT substr(r.incident_month, 1, 4) || '-Q' ||
                    ((cast(substr(r.incident_month, 6, 2) AS integer) + 2) / 3) AS key,
                    count(*) AS n {subset} AND r.incident_month IS NOT NULL GROUP BY 1"
        ),
    );
    let tables = [
        (
            "technology_trigger",
            format!(
                "SELECT t.technology AS a, s.trigger AS b, count(*) AS n
                 FROM report_technologies t
                 JOIN (SELECT r.id, r.trigger {subset} AND r.trigger IS NOT NULL) s
                   ON s.id = t.report_id GROUP BY 1, 2"
            ),
        ),
        (
            "technology_factor",
            format!(
                "SELECT t.technology AS a, f.factor AS b, count(*) AS n
                 FROM report_technologies t
                 JOIN (SELECT r.id {subset}) s ON s.id = t.report_id
                 JOIN report_factors f ON f.report_id = t.report_id
                   AND f.kind = 'contributing' GROUP BY 1, 2"
            ),
        ),
        (
            "technology_pairs",
            format!(
                "SELECT a.technology AS a, b.technology AS b, count(*) AS n
                 FROM report_technologies a
                 JOIN report_technologies b
                   ON b.report_id = a.report_id AND a.technology < b.technology
                 JOIN (SELECT r.id {subset}) s ON s.id = a.report_id GROUP BY 1, 2"
            ),
        ),
    ];
    for (name, sql) in tables {
        s.pairs.insert(name.to_string(), pairs(conn, &sql));
    }
    // Durations: the values in SQL, the exact percentiles over them here
    // (SQLite has no percentile function), as the index side does too.
    let rows: Vec<Duration> = diesel::sql_query(format!(
        "SELECT r.trigger AS key, r.time_to_detect_minutes AS ttd,
                r.time_to_mitigate_minutes AS ttm, r.time_to_resolve_minutes AS ttr {subset}"
    ))
    .load(conn)
    .expect("durations");
    let by_category: Vec<Duration> = diesel::sql_query(format!(
        "SELECT DISTINCT c.category AS key, s.id AS id, s.ttd AS ttd, s.ttm AS ttm, s.ttr AS ttr
         FROM report_technologies t
         JOIN temp.tech_category c ON c.technology = t.technology
         JOIN (SELECT r.id, r.time_to_detect_minutes AS ttd, r.time_to_mitigate_minutes AS ttm,
                      r.time_to_resolve_minutes AS ttr {subset}) s ON s.id = t.report_id"
    ))
    .load(conn)
    .expect("durations by category");
    for (measure, pick) in [
        ("time_to_detect", 0usize),
        ("time_to_mitigate", 1),
        ("time_to_resolve", 2),
    ] {
        let value = |d: &Duration| [d.ttd, d.ttm, d.ttr][pick].map(|v| v as u32);
        let mut overall: Vec<u32> = rows.iter().filter_map(value).collect();
        s.durations
            .insert(format!("{measure}/all"), Summary::of(&mut overall));
        let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for d in &rows {
            if let (Some(k), Some(v)) = (&d.key, value(d)) {
                groups
                    .entry(format!("{measure}/trigger/{k}"))
                    .or_default()
                    .push(v);
            }
        }
        for d in &by_category {
            if let (Some(k), Some(v)) = (&d.key, value(d)) {
                groups
                    .entry(format!("{measure}/category/{k}"))
                    .or_default()
                    .push(v);
            }
        }
        for (k, mut v) in groups {
            s.durations.insert(k, Summary::of(&mut v));
        }
    }
    s
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let started = Instant::now();
    let mut last = f(); // warm-up, and the only run when `runs` is 0
    let mut ms = Vec::with_capacity(runs.max(1));
    if runs == 0 {
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    for _ in 0..runs {
        let started = Instant::now();
        last = f();
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    (ms, last)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(data) = std::env::var_os("NEARMISS_BENCH_DATA").map(PathBuf::from) else {
        eprintln!(
            "set NEARMISS_BENCH_DATA to a dataset kept by the search benchmark:\n  \
             NEARMISS_BENCH_KEEP=DIR cargo bench --bench search\n  \
             NEARMISS_BENCH_DATA=DIR cargo bench --bench stats"
        );
        std::process::exit(2);
    };
    let search = Search::open(&data.join("index")).expect("open the index");
    let index = search.index();
    let mut conn =
        SqliteConnection::establish(data.join("fts5.sqlite").to_str().expect("UTF-8 path"))
            .expect("open the FTS5 side database");
    conn.batch_execute(&format!(
        "ATTACH DATABASE '{}' AS reg;
         PRAGMA reg.cache_size = -262144;
         PRAGMA cache_size = -262144;
         PRAGMA temp_store = MEMORY;
         CREATE TEMP TABLE tech_category (technology TEXT PRIMARY KEY, category TEXT NOT NULL);",
        data.join("nearmiss.db").display()
    ))
    .expect("attach the registry");
    for t in taxonomy().technology_names() {
        if let Some(tech) = taxonomy().technology(t) {
            diesel::sql_query("INSERT OR IGNORE INTO temp.tech_category VALUES (?, ?)")
                .bind::<Text, _>(&tech.id)
                .bind::<Text, _>(&tech.category)
                .execute(&mut conn)
                .expect("taxonomy row");
        }
    }
    // Technologies outside the taxonomy count as "other", as in the index.
    conn.batch_execute(
        "INSERT OR IGNORE INTO temp.tech_category
         SELECT DISTINCT technology, 'other' FROM report_technologies",
    )
    .expect("other technologies");

    let reports = index.num_docs();
    println!("\nStatistics at scale: {reports} published reports, 2 cores, k = {DEFAULT_K}");
    // Once per new segment (the server does it in the background after a
    // commit or merge): decoding its columns and counting it whole.
    let started = Instant::now();
    index.warm_stats().expect("decode the statistics columns");
    println!(
        "decoding the statistics columns (once per new segment): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "{:<34}{:>10}{:>10}{:>10}{:>12}{:>10}",
        "case", "p50 ms", "p99 ms", "max ms", "SQL p50 ms", "SQL/idx"
    );
    let severity = |values: &[&str]| Filters {
        severity: values.iter().map(|s| s.to_string()).collect(),
        ..Filters::default()
    };
    let cases = [
        (
            "no filter",
            "",
            Filters::default(),
            "FROM reg.reports r WHERE r.status = 'published'".to_string(),
        ),
        // The largest subsets counted document by document: just under
        // half the registry is counted directly, more is counted as the
        // whole minus the rest.
        (
            "severity=sev3",
            "",
            severity(&["sev3"]),
            "FROM reg.reports r WHERE r.status = 'published' AND r.severity = 'sev3'".to_string(),
        ),
        (
            "severity=sev2,sev3",
            "",
            severity(&["sev2", "sev3"]),
            "FROM reg.reports r WHERE r.status = 'published'
               AND r.severity IN ('sev2', 'sev3')"
                .to_string(),
        ),
        (
            "q=replication lag",
            "replication lag",
            Filters::default(),
            "FROM reg.reports r WHERE r.status = 'published' AND r.id IN
               (SELECT d.report_id FROM fts JOIN fts_docs d ON d.rowid = fts.rowid
                WHERE fts MATCH 'replication AND lag')"
                .to_string(),
        ),
        (
            "q=certificate",
            "certificate",
            Filters::default(),
            "FROM reg.reports r WHERE r.status = 'published' AND r.id IN
               (SELECT d.report_id FROM fts JOIN fts_docs d ON d.rowid = fts.rowid
                WHERE fts MATCH 'certificate')"
                .to_string(),
        ),
    ];
    let mut verdicts = Vec::new();
    for (name, text, filters, subset) in cases {
        let (idx_ms, stats) = timed(TANTIVY_RUNS, || {
            Statistics::from_raw(index.stats(text, &filters).expect("stats"), DEFAULT_K)
        });
        // `NEARMISS_BENCH_SQL_RUNS` trades precision for time on the slow
        // side (minutes per run at a million reports); 0 runs it once.
        let sql_runs = std::env::var("NEARMISS_BENCH_SQL_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(SQL_RUNS);
        let (sql_ms, sql) = timed(sql_runs, || sql_stats(&mut conn, &subset));
        let p50 = percentile(&idx_ms, 50.0);
        let sql_p50 = percentile(&sql_ms, 50.0);
        println!(
            "{name:<34}{p50:>10.2}{:>10.2}{:>10.2}{sql_p50:>12.1}{:>9.1}x",
            percentile(&idx_ms, 99.0),
            idx_ms[idx_ms.len() - 1],
            sql_p50 / p50
        );
        // Both sides must have answered the same question.
        let idx_tech: BTreeMap<&str, u64> = stats.counts["technology"]
            .iter()
            .filter_map(|c| c.count.map(|n| (c.value.as_str(), n)))
            .collect();
        let agree = stats.total == sql.total as u64
            && idx_tech
                .iter()
                .all(|(k, n)| sql.counts["technology"].get(*k).copied() == Some(*n as i64))
            && sql.pairs["technology_pairs"].len() >= stats.technology_pairs.len().min(1);
        println!(
            "    total {} (SQL {}), technologies agree: {}, quarters {} (SQL {}), duration groups {} (SQL {})",
            stats.total,
            sql.total,
            if agree { "yes" } else { "NO" },
            stats.trend.len(),
            sql.quarters.len(),
            stats.durations.values().map(|d| 1 + d.by_trigger.len() + d.by_category.len()).sum::<usize>(),
            sql.durations.len()
        );
        if name == "no filter" {
            verdicts.push((
                "unfiltered p50",
                format!("{p50:.2} ms"),
                format!("≤ {TARGET_P50_MS} ms"),
                p50 <= TARGET_P50_MS,
            ));
            verdicts.push((
                "SQL / index at p50 (unfiltered)",
                format!("{:.1}x", sql_p50 / p50),
                format!("≥ {TARGET_RATIO}x"),
                sql_p50 / p50 >= TARGET_RATIO,
            ));
        }
    }
    println!();
    for (what, got, want, ok) in verdicts {
        println!(
            "  {what:<36}{got:>12}   {want:<10} {}",
            if ok { "ok" } else { "MISSED" }
        );
    }
}
