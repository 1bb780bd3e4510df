//! Filters, sorting, paging and facet counts, checked against counts computed
//! independently from the corpus in plain Rust.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::corpus::{self, id};
use common::{filtered, ids, indexed_corpus, query};
use search_index::{Facets, Filters, IndexOp, IndexedReport, SearchError, SearchQuery, Sort};

fn set(v: Vec<String>) -> BTreeSet<String> {
    v.into_iter().collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A report's values for one facet, as the index should see them.
fn values(r: &IndexedReport, facet: &str) -> Vec<String> {
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    match facet {
        "tech" => r.technologies.iter().map(|(_, id)| id.clone()).collect(),
        "trigger" => one(&r.trigger),
        "factor" => r.contributing_factors.clone(),
        "mitigation" => r.mitigations.clone(),
        "industry" => one(&r.industry),
        "severity" => one(&r.severity),
        "detection" => one(&r.detection),
        "year" => r
            .month
            .as_ref()
            .map(|m| m[..4].to_string())
            .or(r.year.clone())
            .into_iter()
            .collect(),
        _ => unreachable!(),
    }
}

/// Whether `r` passes every filter but the one belonging to `except`.
fn passes(r: &IndexedReport, f: &Filters, except: &str) -> bool {
    let any = |facet: &str, wanted: &[String]| {
        facet == except || wanted.is_empty() || values(r, facet).iter().any(|v| wanted.contains(v))
    };
    let month = r
        .month
        .as_deref()
        .map(|m| m.replace('-', "").parse::<u32>().unwrap());
    let bound = |b: &Option<String>| {
        b.as_deref()
            .map(|m| m.replace('-', "").parse::<u32>().unwrap())
    };
    let in_months = except == "year"
        || match (bound(&f.from_month), bound(&f.to_month)) {
            (None, None) => true,
            (lo, hi) => {
                month.is_some_and(|m| lo.is_none_or(|lo| m >= lo) && hi.is_none_or(|hi| m <= hi))
            }
        };
    let ttr = r.time_to_resolve_minutes;
    let in_ttr = match (f.min_ttr, f.max_ttr) {
        (None, None) => true,
        (lo, hi) => ttr.is_some_and(|t| lo.is_none_or(|lo| t >= lo) && hi.is_none_or(|hi| t <= hi)),
    };
    any("tech", &f.tech)
        && any("trigger", &f.trigger)
        && any("factor", &f.factor)
        && any("mitigation", &f.mitigation)
        && any("industry", &f.industry)
        && any("severity", &f.severity)
        && any("detection", &f.detection)
        && any("year", &f.year)
        && in_months
        && in_ttr
}

/// The reports a text query finds (all of them for a blank text): the
/// candidates whose filters the tests then check in Rust.
fn text_candidates(
    index: &search_index::SearchIndex,
    all: &[IndexedReport],
    text: &str,
) -> Vec<IndexedReport> {
    let matching = set(ids(&index.search(&query(text)).unwrap()));
    all.iter()
        .filter(|r| text.is_empty() || matching.contains(&r.id))
        .cloned()
        .collect()
}

/// The ids of the `candidates` passing every filter.
fn passing(candidates: &[IndexedReport], filters: &Filters) -> BTreeSet<String> {
    candidates
        .iter()
        .filter(|r| passes(r, filters, ""))
        .map(|r| r.id.clone())
        .collect()
}

/// Facet counts over `reports` computed without the index.
fn expected_facets(reports: &[IndexedReport], f: &Filters) -> Facets {
    let mut facets = Facets::new();
    for facet in [
        "tech",
        "trigger",
        "factor",
        "mitigation",
        "industry",
        "severity",
        "detection",
        "year",
    ] {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for r in reports.iter().filter(|r| passes(r, f, facet)) {
            for v in values(r, facet).into_iter().collect::<BTreeSet<_>>() {
                *counts.entry(v).or_default() += 1;
            }
        }
        facets.insert(facet.to_string(), counts);
    }
    facets
}

fn filter_cases() -> Vec<Filters> {
    vec![
        Filters::default(),
        Filters {
            tech: strings(&["redis", "kafka"]),
            ..Filters::default()
        },
        Filters {
            tech: strings(&["redis", "kafka"]),
            severity: strings(&["sev2"]),
            ..Filters::default()
        },
        Filters {
            trigger: strings(&["config-change", "deploy"]),
            industry: strings(&["saas"]),
            ..Filters::default()
        },
        Filters {
            factor: strings(&["missing-monitoring"]),
            detection: strings(&["monitoring"]),
            ..Filters::default()
        },
        Filters {
            from_month: Some("2021-01".into()),
            to_month: Some("2022-12".into()),
            ..Filters::default()
        },
        Filters {
            from_month: Some("2023-01".into()),
            severity: strings(&["sev1", "sev2"]),
            ..Filters::default()
        },
        Filters {
            year: strings(&["2021", "2023"]),
            ..Filters::default()
        },
        Filters {
            year: strings(&["2022"]),
            tech: strings(&["redis", "kafka"]),
            from_month: Some("2022-01".into()),
            ..Filters::default()
        },
        Filters {
            min_ttr: Some(600),
            ..Filters::default()
        },
        Filters {
            max_ttr: Some(60),
            mitigation: strings(&["rollback"]),
            ..Filters::default()
        },
        Filters {
            tech: strings(&["mysql"]),
            trigger: strings(&["capacity-exhaustion"]),
            ..Filters::default()
        },
        Filters {
            tech: strings(&["no-such-tech"]),
            ..Filters::default()
        },
    ]
}

#[test]
fn facet_counts_equal_independent_counts_for_filters() {
    let (_dir, index) = indexed_corpus();
    let reports = corpus::reports();
    // Facets are read from tantivy's columns until the statistics columns
    // are decoded, then from those: both must count alike.
    for decoded in [false, true] {
        if decoded {
            index.warm_stats().unwrap();
        }
        facet_counts_match(&index, &reports);
    }
}

fn facet_counts_match(index: &search_index::SearchIndex, reports: &[IndexedReport]) {
    for filters in filter_cases() {
        let results = index.search(&filtered("", filters.clone())).unwrap();
        let want: BTreeSet<String> = reports
            .iter()
            .filter(|r| passes(r, &filters, ""))
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(set(ids(&results)), want, "{filters:?}");
        assert_eq!(results.total, want.len(), "{filters:?}");
        assert_eq!(
            results.facets,
            expected_facets(reports, &filters),
            "{filters:?}"
        );
    }
}

#[test]
fn facet_counts_under_a_text_query() {
    let (_dir, index) = indexed_corpus();
    index.warm_stats().unwrap();
    let all = corpus::reports();
    for text in ["database", "deploy OR config", "monitoring"] {
        // The text alone decides which reports are candidates ...
        let candidates = text_candidates(&index, &all, text);
        // ... and the filters are then checked in Rust.
        for filters in filter_cases() {
            let results = index.search(&filtered(text, filters.clone())).unwrap();
            let want = passing(&candidates, &filters);
            assert_eq!(set(ids(&results)), want, "{text} {filters:?}");
            assert_eq!(
                results.facets,
                expected_facets(&candidates, &filters),
                "{text} {filters:?}"
            );
        }
    }
}

#[test]
fn month_ranges_hold_both_of_their_bounds() {
    let (_dir, index) = indexed_corpus();
    let all = corpus::reports();
    let months: BTreeSet<String> = all.iter().filter_map(|r| r.month.clone()).collect();
    let months: Vec<String> = months.into_iter().collect();
    assert!(months.len() >= 4, "the corpus spans several months");
    // Bounds that are reports' own months, so a bound taken as exclusive
    // loses reports; with another facet filtered, the search visits the
    // reports passing either filter, and the range is a query clause.
    let picks = [0, 1, months.len() / 2, months.len() - 1];
    let by_text: Vec<(&str, Vec<IndexedReport>)> = ["", "database OR deploy OR monitoring"]
        .into_iter()
        .map(|text| (text, text_candidates(&index, &all, text)))
        .collect();
    let mut found_with_text = 0;
    for decoded in [false, true] {
        if decoded {
            index.warm_stats().unwrap();
        }
        for &lo in &picks {
            for &hi in picks.iter().filter(|&&hi| hi >= lo) {
                for severity in [vec![], strings(&["sev1", "sev2"])] {
                    let filters = Filters {
                        from_month: Some(months[lo].clone()),
                        to_month: Some(months[hi].clone()),
                        severity,
                        ..Filters::default()
                    };
                    for (text, candidates) in &by_text {
                        let results = index.search(&filtered(text, filters.clone())).unwrap();
                        let want = passing(candidates, &filters);
                        if text.is_empty() && filters.severity.is_empty() {
                            assert!(!want.is_empty(), "{filters:?} holds its bounds' reports");
                        }
                        found_with_text += usize::from(!text.is_empty() && !want.is_empty());
                        assert_eq!(set(ids(&results)), want, "{text} {filters:?}");
                        assert_eq!(
                            results.facets,
                            expected_facets(candidates, &filters),
                            "{text} {filters:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(
        found_with_text > 10,
        "the text finds reports in many ranges"
    );
}

/// The corpus and three reports whose month was withheld, keeping the year.
fn with_year_only_reports() -> (
    tempfile::TempDir,
    search_index::SearchIndex,
    Vec<IndexedReport>,
) {
    let dir = tempfile::TempDir::new().unwrap();
    let index =
        search_index::SearchIndex::open(dir.path().join("index"), &common::aliases()).unwrap();
    let mut reports = corpus::reports();
    for (n, year, tech) in [
        (41, "2022", "redis"),
        (42, "2022", "kafka"),
        (43, "2019", "redis"),
    ] {
        reports.push(IndexedReport {
            id: id(n),
            title: format!("Replica lag in a {tech} cluster"),
            summary: "The month was withheld to keep the cohort large enough.".into(),
            technologies: vec![("database".into(), tech.into())],
            severity: Some("sev3".into()),
            year: Some(year.into()),
            ..Default::default()
        });
    }
    let ops: Vec<search_index::IndexOp> = reports
        .iter()
        .cloned()
        .map(search_index::IndexOp::Upsert)
        .collect();
    index.apply(&ops).unwrap();
    index.commit(1).unwrap();
    (dir, index, reports)
}

#[test]
fn the_year_filter_finds_reports_whose_month_was_withheld() {
    let (_dir, index, reports) = with_year_only_reports();
    let year = |years: &[&str]| Filters {
        year: strings(years),
        ..Filters::default()
    };
    let found = set(ids(&index.search(&filtered("", year(&["2022"]))).unwrap()));
    assert!(
        found.contains(&id(41)) && found.contains(&id(42)),
        "{found:?}"
    );
    assert!(!found.contains(&id(43)));
    // Reports with a month in 2022 are found too.
    assert!(found.contains(&id(1)), "{found:?}");
    let months = Filters {
        from_month: Some("2022-01".into()),
        to_month: Some("2022-12".into()),
        ..Filters::default()
    };
    let by_months = set(ids(&index.search(&filtered("", months)).unwrap()));
    assert!(by_months.contains(&id(1)));
    assert!(!by_months.contains(&id(41)) && !by_months.contains(&id(42)));
    assert_eq!(
        found,
        &by_months | &set(vec![id(41), id(42)]),
        "the year is the months of the year plus the year-only reports"
    );
    // OR within the filter, AND with the others, in search and statistics.
    let both = year(&["2022", "2019"]);
    let found = set(ids(&index.search(&filtered("", both.clone())).unwrap()));
    assert!(found.contains(&id(41)) && found.contains(&id(43)));
    let redis = Filters {
        tech: strings(&["redis"]),
        ..both.clone()
    };
    let found = set(ids(&index.search(&filtered("", redis.clone())).unwrap()));
    let want: BTreeSet<String> = reports
        .iter()
        .filter(|r| passes(r, &redis, ""))
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(found, want);
    assert!(found.contains(&id(41)) && !found.contains(&id(42)));
    assert_eq!(index.stats("", &redis).unwrap().total, want.len() as u64);
    // Facet counts leave the year filter out of the year facet only.
    for filters in [both, redis, year(&["2022"])] {
        let results = index.search(&filtered("", filters.clone())).unwrap();
        assert_eq!(
            results.facets,
            expected_facets(&reports, &filters),
            "{filters:?}"
        );
    }
    for bad in ["22", "2022-01", "twenty", "20222", ""] {
        assert!(
            matches!(
                index.search(&filtered("", year(&[bad]))),
                Err(SearchError::InvalidParameter { name: "year", .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn filters_combine_or_within_and_across() {
    let (_dir, index) = indexed_corpus();
    let tech = Filters {
        tech: strings(&["redis", "kafka"]),
        ..Filters::default()
    };
    assert_eq!(
        set(ids(&index.search(&filtered("", tech.clone())).unwrap())),
        set(vec![id(1), id(5), id(27)])
    );
    let sev = Filters {
        severity: strings(&["sev2"]),
        ..tech
    };
    assert_eq!(
        set(ids(&index.search(&filtered("", sev.clone())).unwrap())),
        set(vec![id(1), id(5)])
    );
    // A filter never changes the text's ranking, only removes reports.
    let text = index.search(&query("primary")).unwrap();
    let both = index.search(&filtered("primary", sev)).unwrap();
    let kept: Vec<String> = ids(&text)
        .into_iter()
        .filter(|i| *i == id(1) || *i == id(5))
        .collect();
    assert_eq!(ids(&both), kept);
    assert_eq!(
        both.hits[0].score,
        text.hits[ids(&text).iter().position(|i| *i == id(1)).unwrap()].score
    );
}

#[test]
fn hits_carry_what_a_result_list_shows() {
    let (_dir, index) = indexed_corpus();
    let hit = index.search(&query("leap second")).unwrap().hits.remove(0);
    assert_eq!(hit.id, id(8));
    assert_eq!(hit.title, "Leap second made Java services spin at full CPU");
    assert_eq!(hit.month.as_deref(), Some("2012-07"));
    assert_eq!(hit.technologies, strings(&["linux", "java"]));
    assert_eq!(hit.trigger.as_deref(), Some("time-bug"));
    assert_eq!(hit.severity.as_deref(), Some("sev1"));
    assert!(hit.score > 0.0);
}

#[test]
fn sorts_by_newest_and_longest() {
    let (_dir, index) = indexed_corpus();
    let newest = index
        .search(&SearchQuery {
            sort: Sort::Newest,
            ..query("")
        })
        .unwrap();
    assert_eq!(ids(&newest)[..3], [id(30), id(28), id(15)]);
    let longest = index
        .search(&SearchQuery {
            sort: Sort::Longest,
            ..query("")
        })
        .unwrap();
    assert_eq!(ids(&longest)[..3], [id(29), id(18), id(3)]);
    // Report 30 has no time to resolve: last.
    assert_eq!(ids(&longest).last(), Some(&id(30)));
    // Publication order is the corpus numbering reversed.
    let published = index
        .search(&SearchQuery {
            sort: Sort::Published,
            ..query("")
        })
        .unwrap();
    assert_eq!(ids(&published)[..3], [id(1), id(2), id(3)]);
    // With text, newest still orders by month among the matches.
    let newest_db = index
        .search(&SearchQuery {
            sort: Sort::Newest,
            ..query("database")
        })
        .unwrap();
    let months: Vec<_> = newest_db
        .hits
        .iter()
        .map(|h| h.month.clone().unwrap())
        .collect();
    let mut sorted = months.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(months, sorted);
}

#[test]
fn pages_partition_the_results_and_deep_pages_are_refused() {
    let (_dir, index) = indexed_corpus();
    let mut seen = Vec::new();
    for page in 1..=4 {
        let results = index
            .search(&SearchQuery {
                page,
                per_page: 8,
                ..query("")
            })
            .unwrap();
        assert_eq!(results.total, 30);
        seen.extend(ids(&results));
    }
    assert_eq!(seen.len(), 30);
    assert_eq!(set(seen).len(), 30);

    let too_deep = index.search(&SearchQuery {
        page: 101,
        per_page: 100,
        ..query("")
    });
    assert!(matches!(
        too_deep,
        Err(SearchError::TooDeep { limit: 10_000 })
    ));
    assert!(index
        .search(&SearchQuery {
            page: 100,
            per_page: 100,
            ..query("")
        })
        .is_ok());
    for (page, per_page) in [(0, 10), (1, 0), (1, 101)] {
        let r = index.search(&SearchQuery {
            page,
            per_page,
            ..query("")
        });
        assert!(
            matches!(r, Err(SearchError::InvalidParameter { .. })),
            "{page} {per_page}: {r:?}"
        );
    }
    let bad_month = Filters {
        from_month: Some("2023-13".into()),
        ..Filters::default()
    };
    assert!(matches!(
        index.search(&filtered("", bad_month)),
        Err(SearchError::InvalidParameter { name: "from", .. })
    ));
}

/// Withdrawn reports stay in their segment, marked deleted, until a merge:
/// counts taken from a whole segment (a blank query with one facet filter)
/// must leave them out, before and after decoding.
#[test]
fn facet_counts_leave_withdrawn_reports_out() {
    let (_dir, index) = indexed_corpus();
    let withdrawn = [id(1), id(5), id(27)];
    let ops: Vec<IndexOp> = withdrawn.iter().cloned().map(IndexOp::Delete).collect();
    index.apply(&ops).unwrap();
    index.commit(31).unwrap();
    let reports: Vec<IndexedReport> = corpus::reports()
        .into_iter()
        .filter(|r| !withdrawn.contains(&r.id))
        .collect();
    for decoded in [false, true] {
        if decoded {
            index.warm_stats().unwrap();
        }
        facet_counts_match(&index, &reports);
    }
}
