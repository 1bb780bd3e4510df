//! Upserts, deletes, the commit payload, and rebuild + swap.

mod common;

use common::corpus::{self, id};
use common::{aliases, filtered, ids, indexed_corpus, query, report};
use search_index::generations::{current_generation, new_generation, remove_older, swap};
use search_index::{Filters, IndexError, IndexOp, SearchIndex, SearchQuery, Sort};
use tempfile::TempDir;

#[test]
fn upsert_twice_keeps_one_document() {
    let (_dir, index) = indexed_corpus();
    let mut amended = report(&id(5));
    amended.title = "Kafka rebalance storm, amended with the broker timeline".into();
    index.apply(&[IndexOp::Upsert(amended.clone())]).unwrap();
    index.commit(31).unwrap();
    assert_eq!(index.num_docs(), 30);
    assert_eq!(
        ids(&index.search(&query("broker timeline")).unwrap()),
        vec![id(5)]
    );

    // Two versions in one batch: the later one wins.
    let mut again = amended.clone();
    again.title = "Kafka rebalance storm, final version".into();
    index
        .apply(&[IndexOp::Upsert(amended), IndexOp::Upsert(again)])
        .unwrap();
    index.commit(32).unwrap();
    assert_eq!(index.num_docs(), 30);
    assert!(ids(&index.search(&query("broker timeline")).unwrap()).is_empty());
    assert_eq!(
        ids(&index.search(&query("final version")).unwrap()),
        vec![id(5)]
    );
}

#[test]
fn delete_removes_from_search_and_counts() {
    let (_dir, index) = indexed_corpus();
    index
        .apply(&[
            IndexOp::Delete(id(5)),
            IndexOp::Delete("not-indexed".into()),
        ])
        .unwrap();
    index.commit(31).unwrap();
    assert!(ids(&index.search(&query("kafka")).unwrap()).is_empty());
    let all = index.search(&query("")).unwrap();
    assert_eq!(all.total, 29);
    assert!(!all.facets["tech"].contains_key("kafka"));
}

#[test]
fn nothing_is_visible_before_commit() {
    let (_dir, index) = indexed_corpus();
    index.apply(&[IndexOp::Delete(id(5))]).unwrap();
    assert_eq!(ids(&index.search(&query("kafka")).unwrap()), vec![id(5)]);
    assert_eq!(index.last_applied_event().unwrap(), Some(30));
}

#[test]
fn a_bad_report_stages_nothing() {
    let (_dir, index) = indexed_corpus();
    let mut bad = report(&id(1));
    bad.month = Some("March 2022".into());
    let err = index
        .apply(&[IndexOp::Delete(id(5)), IndexOp::Upsert(bad)])
        .unwrap_err();
    assert!(matches!(err, IndexError::InvalidReport { .. }), "{err}");
    index.commit(31).unwrap();
    assert_eq!(index.num_docs(), 30);
}

#[test]
fn commit_payload_round_trips_and_survives_reopening() {
    let dir = TempDir::new().unwrap();
    {
        let index = SearchIndex::open(dir.path(), &aliases()).unwrap();
        assert_eq!(index.last_applied_event().unwrap(), None);
        index.apply(&[IndexOp::Upsert(report(&id(1)))]).unwrap();
        index.commit(7).unwrap();
        assert_eq!(index.last_applied_event().unwrap(), Some(7));
        // A commit with nothing staged still records progress.
        index.commit(9).unwrap();
        assert_eq!(index.last_applied_event().unwrap(), Some(9));
        index.apply(&[IndexOp::Upsert(report(&id(2)))]).unwrap();
        // Dropped without committing: a crash before the index commit.
    }
    let index = SearchIndex::open(dir.path(), &aliases()).unwrap();
    assert_eq!(index.last_applied_event().unwrap(), Some(9));
    assert_eq!(index.num_docs(), 1);
}

/// Queries whose results must not depend on how the index was built.
fn probe_queries() -> Vec<SearchQuery> {
    let redis_or_pg = Filters {
        tech: vec!["redis".into(), "postgresql".into()],
        ..Filters::default()
    };
    vec![
        query(""),
        query("replica resync loop"),
        query("certificate expired"),
        query("database"),
        query("postgres"),
        filtered("", redis_or_pg.clone()),
        filtered(
            "memory",
            Filters {
                severity: vec!["sev2".into()],
                ..Filters::default()
            },
        ),
        SearchQuery {
            sort: Sort::Longest,
            ..filtered("", redis_or_pg)
        },
    ]
}

#[test]
fn rebuild_and_swap_give_the_same_results_as_incremental_indexing() {
    let root = TempDir::new().unwrap();
    let reports = corpus::reports();
    let mut amended = report(&id(3));
    amended
        .amendments
        .push("The old TTL is now lowered a day before any migration.".into());

    // Incremental: the corpus in batches, an amendment and a withdrawal.
    let live = SearchIndex::open_current(root.path(), &aliases()).unwrap();
    let first_generation = live.dir().to_path_buf();
    for (n, batch) in reports.chunks(7).enumerate() {
        let ops: Vec<_> = batch.iter().cloned().map(IndexOp::Upsert).collect();
        live.apply(&ops).unwrap();
        live.commit(n as i64 + 1).unwrap();
    }
    live.apply(&[IndexOp::Upsert(amended.clone()), IndexOp::Delete(id(12))])
        .unwrap();
    live.commit(40).unwrap();

    // Rebuild from "the database": the final state of every report.
    let final_state = reports.into_iter().filter(|r| r.id != id(12)).map(|r| {
        if r.id == amended.id {
            amended.clone()
        } else {
            r
        }
    });
    let next = new_generation(root.path()).unwrap();
    assert_eq!(
        SearchIndex::rebuild_into(&next, final_state, 40).unwrap(),
        29
    );
    // Until the swap, the current generation is still the live one.
    assert_eq!(
        current_generation(root.path()).unwrap(),
        Some(first_generation.clone())
    );
    assert_eq!(swap(root.path(), &next).unwrap(), Some(first_generation));

    let rebuilt = SearchIndex::open_current(root.path(), &aliases()).unwrap();
    assert_eq!(rebuilt.dir(), next.as_path());
    assert_eq!(rebuilt.last_applied_event().unwrap(), Some(40));
    for q in probe_queries() {
        let (a, b) = (live.search(&q).unwrap(), rebuilt.search(&q).unwrap());
        assert_eq!(a.total, b.total, "{q:?}");
        assert_eq!(a.facets, b.facets, "{q:?}");
        // Deleted documents linger in BM25 statistics until merged, so compare
        // the order, not the exact scores.
        assert_eq!(ids(&a), ids(&b), "{q:?}");
    }
    assert_eq!(
        ids(&rebuilt.search(&query("lowered migration")).unwrap()),
        vec![id(3)]
    );

    // Older generations go; the active one and any newer one (a reindex in
    // progress) stay.
    let building = new_generation(root.path()).unwrap();
    drop(live);
    assert_eq!(remove_older(root.path(), &next).unwrap(), 1);
    assert!(next.is_dir() && building.is_dir());
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 3);
}

#[test]
fn rebuild_refuses_a_used_directory_and_current_must_be_valid() {
    let root = TempDir::new().unwrap();
    let index = SearchIndex::open_current(root.path(), &aliases()).unwrap();
    let err = SearchIndex::rebuild_into(index.dir(), corpus::reports().into_iter(), 1).unwrap_err();
    assert!(matches!(err, IndexError::NotEmpty(_)), "{err}");
    drop(index);

    std::fs::write(root.path().join("CURRENT"), "gen-000099\n").unwrap();
    let err = SearchIndex::open_current(root.path(), &aliases())
        .err()
        .unwrap();
    assert!(matches!(err, IndexError::BadCurrent(_)), "{err}");
    assert!(swap(root.path(), &root.path().join("elsewhere")).is_err());
}

#[test]
fn one_index_can_be_shared_between_the_indexer_and_request_handlers() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SearchIndex>();
}

#[test]
fn compaction_merges_down_to_the_target_and_changes_no_answer() {
    let dir = TempDir::new().unwrap();
    let index = SearchIndex::open(dir.path().join("index"), &aliases()).unwrap();
    for (n, batch) in corpus::reports().chunks(5).enumerate() {
        let ops: Vec<_> = batch.iter().cloned().map(IndexOp::Upsert).collect();
        index.apply(&ops).unwrap();
        index.commit(n as i64 + 1).unwrap();
    }
    let before: Vec<_> = probe_queries()
        .iter()
        .map(|q| index.search(q).unwrap())
        .collect();
    assert!(index.num_segments() > 2, "{}", index.num_segments());
    index.compact(2).unwrap();
    assert_eq!(index.num_segments(), 2);
    for (q, b) in probe_queries().iter().zip(before) {
        let a = index.search(q).unwrap();
        assert_eq!(
            (a.total, &a.facets, ids(&a)),
            (b.total, &b.facets, ids(&b)),
            "{q:?}"
        );
    }
    index.compact(1).unwrap();
    assert_eq!(index.num_segments(), 1);
}

/// An index written by a version whose schema or analyzer differs cannot
/// answer this version's queries: opening starts an empty generation for
/// the indexer to fill from the event log, and leaves the old one alone.
#[test]
fn an_index_of_another_schema_is_replaced_by_an_empty_generation() {
    use tantivy::schema::{Schema, TEXT};
    let root = TempDir::new().unwrap();
    let old = new_generation(root.path()).unwrap();
    let mut schema = Schema::builder();
    let body = schema.add_text_field("body", TEXT);
    let index = tantivy::Index::create_in_dir(&old, schema.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(body => "an old report"))
        .unwrap();
    writer.commit().unwrap();
    drop(writer);
    swap(root.path(), &old).unwrap();

    let opened = SearchIndex::open_current(root.path(), &aliases()).unwrap();
    assert_ne!(opened.dir(), old.as_path());
    assert_eq!(
        current_generation(root.path()).unwrap().as_deref(),
        Some(opened.dir())
    );
    assert_eq!(opened.last_applied_event().unwrap(), None);
    assert_eq!(opened.search(&query("")).unwrap().total, 0);
    assert!(old.is_dir());
    // And it is a working index: the corpus goes in and is found.
    let ops: Vec<_> = corpus::reports().into_iter().map(IndexOp::Upsert).collect();
    opened.apply(&ops).unwrap();
    opened.commit(30).unwrap();
    assert_eq!(opened.search(&query("")).unwrap().total, 30);
}
