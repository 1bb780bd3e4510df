//! The obvious best report ranks first for queries an engineer would type.

mod common;

use common::corpus::id;
use common::{ids, indexed_corpus, query};

#[test]
fn obvious_best_report_ranks_first() {
    let (_dir, index) = indexed_corpus();
    let cases: &[(&str, u32)] = &[
        ("replica resync loop", 1),
        ("replica resync loop slows primary", 1),
        ("certificate expired load balancer", 2),
        ("DNS TTL", 3),
        ("BGP leak", 4),
        ("kafka rebalance storm", 5),
        ("postgres wraparound", 6),
        ("disk full", 7),
        ("leap second", 8),
        ("kubernetes eviction", 9),
        ("thundering herd", 10),
        ("S3 outage", 11),
        ("terraform destroyed database", 12),
        ("feature flag", 13),
        ("clock skew JWT", 14),
        ("connection pool exhausted", 15),
        ("\"split brain\"", 16),
        ("regex backtracking CPU", 17),
        ("daylight saving cron", 18),
        ("registry rate limit", 19),
        ("memory leak OOM", 20),
        ("rabbitmq memory alarm", 21),
        ("integer overflow primary key", 22),
        ("CDN cached private pages", 23),
        ("health check drained backends", 24),
        ("vault token expired", 25),
        ("zookeeper quorum", 26),
        ("redis evicted sessions", 27),
        ("etcd quota", 28),
        ("packet loss switch firmware", 29),
        ("title:kafka", 5),
    ];
    let mut failures = Vec::new();
    for (text, want) in cases {
        let results = index.search(&query(text)).unwrap();
        let got = ids(&results);
        if got.first() != Some(&id(*want)) {
            failures.push(format!(
                "{text:?}: want #{want} first, got {:?}",
                results.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn conjunction_by_default_and_exclusion() {
    let (_dir, index) = indexed_corpus();
    // AND: both words must appear.
    let got = ids(&index.search(&query("redis kafka")).unwrap());
    assert!(got.is_empty(), "{got:?}");
    let got = ids(&index.search(&query("redis OR kafka")).unwrap());
    assert_eq!(got.len(), 3);
    let got = ids(&index.search(&query("redis -replica")).unwrap());
    assert_eq!(got, vec![id(27)]);
}
