//! Statistics equal counts computed directly from the reports that went in.

mod common;

use std::collections::BTreeMap;

use common::{corpus, indexed_corpus};
use search_index::{log_buckets, Filters, Histogram, IndexOp, IndexedReport, RawStats, Summary};

/// The same statistics, computed by hand from the reports.
fn expected(reports: &[&IndexedReport]) -> RawStats {
    let mut s = RawStats {
        total: reports.len() as u64,
        ..Default::default()
    };
    for r in reports {
        let mut add = |dim: &'static str, v: &str| {
            *s.counts
                .entry(dim)
                .or_default()
                .entry(v.to_string())
                .or_default() += 1;
        };
        let mut categories: Vec<&str> = Vec::new();
        for (c, t) in &r.technologies {
            add("technology", t);
            if !categories.contains(&c.as_str()) {
                categories.push(c);
                add("category", c);
            }
        }
        for (dim, v) in [
            ("trigger", &r.trigger),
            ("detection", &r.detection),
            ("industry", &r.industry),
            ("severity", &r.severity),
        ] {
            if let Some(v) = v {
                add(dim, v);
            }
        }
        for f in &r.contributing_factors {
            add("contributing_factor", f);
        }
        for m in &r.mitigations {
            add("mitigation", m);
        }
        if let Some(m) = &r.month {
            *s.months.entry(search_index_month(m)).or_default() += 1;
        }
        if let Some(y) = r.month.as_ref().map(|m| &m[..4]).or(r.year.as_deref()) {
            add("year", y);
        }
        for (_, a) in &r.technologies {
            if let Some(t) = &r.trigger {
                *s.technology_trigger
                    .entry((a.clone(), t.clone()))
                    .or_default() += 1;
            }
            for f in &r.contributing_factors {
                *s.technology_factor
                    .entry((a.clone(), f.clone()))
                    .or_default() += 1;
            }
            for (_, b) in &r.technologies {
                if a < b {
                    *s.technology_pairs
                        .entry((a.clone(), b.clone()))
                        .or_default() += 1;
                }
            }
        }
        for (measure, value) in [
            ("time_to_detect", r.time_to_detect_minutes),
            ("time_to_mitigate", r.time_to_mitigate_minutes),
            ("time_to_resolve", r.time_to_resolve_minutes),
        ] {
            let d = s.durations.entry(measure).or_default();
            if let Some(v) = value {
                d.overall.add(v);
                if let Some(t) = &r.trigger {
                    d.by_trigger.entry(t.clone()).or_default().add(v);
                }
                for c in &categories {
                    d.by_category.entry(c.to_string()).or_default().add(v);
                }
            }
        }
    }
    s
}

fn search_index_month(m: &str) -> u64 {
    let (y, mo) = m.split_once('-').unwrap();
    y.parse::<u64>().unwrap() * 100 + mo.parse::<u64>().unwrap()
}

/// Empty dimensions and measures are not part of the comparison.
fn normalised(mut s: RawStats) -> RawStats {
    s.counts.retain(|_, v| !v.is_empty());
    s.durations.retain(|_, d| !d.overall.is_empty());
    s
}

#[test]
fn statistics_equal_a_count_of_the_reports() {
    let (_dir, index) = indexed_corpus();
    let reports = corpus::reports();
    let all: Vec<&IndexedReport> = reports.iter().collect();
    assert_eq!(
        normalised(index.stats("", &Filters::default()).unwrap()),
        normalised(expected(&all))
    );

    let filters = Filters {
        tech: vec!["postgresql".into(), "redis".into()],
        ..Default::default()
    };
    let subset: Vec<&IndexedReport> = reports
        .iter()
        .filter(|r| {
            r.technologies
                .iter()
                .any(|(_, t)| t == "postgresql" || t == "redis")
        })
        .collect();
    assert!(subset.len() >= 4);
    assert_eq!(
        normalised(index.stats("", &filters).unwrap()),
        normalised(expected(&subset))
    );

    // A text query restricts the subset like a search does.
    let hits = index.search(&common::query("replica")).unwrap();
    let matched: Vec<&IndexedReport> = reports
        .iter()
        .filter(|r| hits.hits.iter().any(|h| h.id == r.id))
        .collect();
    assert_eq!(
        normalised(index.stats("replica", &Filters::default()).unwrap()),
        normalised(expected(&matched))
    );
    assert!(index.stats("\"unclosed", &Filters::default()).is_err());
}

#[test]
fn percentiles_are_nearest_rank_and_histograms_double() {
    let mut values: Vec<u32> = (1..=100).rev().collect();
    let s = Summary::of(&mut values).unwrap();
    assert_eq!((s.count, s.p50, s.p90, s.p99), (100, 50, 90, 99));
    assert!((s.mean - 50.5).abs() < 1e-9);
    let s = Summary::of(&mut [7]).unwrap();
    assert_eq!((s.p50, s.p90, s.p99), (7, 7, 7));
    let s = Summary::of(&mut [1, 2, 3]).unwrap();
    assert_eq!((s.p50, s.p90, s.p99), (2, 3, 3));
    assert!(Summary::of(&mut []).is_none());

    let buckets = log_buckets(&[0, 1, 2, 3, 4, 1000, 100_000]);
    let counts: BTreeMap<u32, u64> = buckets.iter().map(|&(from, _, n)| (from, n)).collect();
    assert_eq!(counts[&0], 1);
    assert_eq!(counts[&1], 1);
    assert_eq!(counts[&2], 2);
    assert_eq!(counts[&4], 1);
    assert_eq!(counts[&512], 1);
    assert_eq!(buckets.last().unwrap().1, None);
    assert_eq!(buckets.last().unwrap().2, 1);
    assert_eq!(buckets.iter().map(|b| b.2).sum::<u64>(), 7);
}

#[test]
fn histograms_summarise_exactly_like_the_samples() {
    // A skewed, repetitive sample like incident durations, from a fixed
    // linear congruential sequence.
    let mut x: u64 = 12345;
    let values: Vec<u32> = (0..5_000)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) as u32;
            (r % 100) * (r % 7 + 1) * if r.is_multiple_of(50) { 97 } else { 1 }
        })
        .collect();
    for n in [1, 2, 3, 10, 99, 100, 101, 4_999, 5_000] {
        let mut sample = values[..n].to_vec();
        let histogram: Histogram = sample.iter().copied().collect();
        assert_eq!(histogram.count(), n as u64);
        assert_eq!(histogram.log_buckets(), log_buckets(&sample));
        assert_eq!(histogram.summary(), Summary::of(&mut sample), "n = {n}");
    }
    // Merging two halves equals the whole; adding one by one too.
    let (a, b) = values.split_at(1_234);
    let mut merged: Histogram = a.iter().copied().collect();
    merged.merge(&b.iter().copied().collect());
    let mut added = Histogram::default();
    values.iter().for_each(|&v| added.add(v));
    let whole: Histogram = values.iter().copied().collect();
    assert_eq!(merged, whole);
    assert_eq!(added, whole);
    assert!(Histogram::default().summary().is_none());
}

#[test]
fn statistics_stay_exact_as_segments_come_go_and_merge() {
    let (_dir, index) = indexed_corpus();
    let reports = corpus::reports();
    let all: Vec<&IndexedReport> = reports.iter().collect();
    // Warm the decoded columns, then change the index under them.
    index.warm_stats().unwrap();
    assert_eq!(
        normalised(index.stats("", &Filters::default()).unwrap()),
        normalised(expected(&all))
    );

    // A new segment with more reports, some replacing corpus reports
    // (an amendment), and a withdrawal: deleted documents stay in the
    // decoded columns and must not be counted.
    let mut more: Vec<IndexedReport> = reports[..5]
        .iter()
        .cloned()
        .map(|mut r| {
            r.id = format!("{}-copy", r.id);
            r.time_to_resolve_minutes = Some(7 * 24 * 60 + 1);
            r
        })
        .collect();
    let mut amended = reports[6].clone();
    amended.trigger = Some("deploy".into());
    amended.time_to_detect_minutes = Some(3);
    more.push(amended.clone());
    let mut ops: Vec<IndexOp> = more.iter().cloned().map(IndexOp::Upsert).collect();
    ops.push(IndexOp::Delete(reports[7].id.clone()));
    index.apply(&ops).unwrap();
    index.commit(31).unwrap();
    let now: Vec<&IndexedReport> = reports
        .iter()
        .filter(|r| r.id != reports[6].id && r.id != reports[7].id)
        .chain(more.iter())
        .collect();
    assert_eq!(
        normalised(index.stats("", &Filters::default()).unwrap()),
        normalised(expected(&now))
    );

    // After merging everything into one segment, the same answer; also
    // for a filter matching most but not all reports, which is counted as
    // the whole minus what it leaves out.
    index.compact(1).unwrap();
    assert_eq!(
        normalised(index.stats("", &Filters::default()).unwrap()),
        normalised(expected(&now))
    );
    let mut severities: Vec<&str> = now.iter().filter_map(|r| r.severity.as_deref()).collect();
    severities.sort();
    severities.dedup();
    let rarest = *severities
        .iter()
        .min_by_key(|s| {
            now.iter()
                .filter(|r| r.severity.as_deref() == Some(**s))
                .count()
        })
        .unwrap();
    let kept: Vec<&str> = severities.into_iter().filter(|s| *s != rarest).collect();
    let most: Vec<&IndexedReport> = now
        .iter()
        .copied()
        .filter(|r| r.severity.as_deref().is_some_and(|s| kept.contains(&s)))
        .collect();
    assert!(most.len() * 2 > now.len() && most.len() < now.len());
    let filters = Filters {
        severity: kept.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    assert_eq!(
        normalised(index.stats("", &filters).unwrap()),
        normalised(expected(&most))
    );
}
