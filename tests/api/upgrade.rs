//! Upgrading a registry: a database made by an earlier version is migrated
//! in place when the new one opens it, and what it already holds keeps
//! counting.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::Connection;

use crate::helpers::*;

/// The migrations before the one that moved cohort counts into
/// `cohort_sizes`, with the versions diesel records for them: the same
/// names on both backends.
const BEFORE_COHORT_SIZES: [(&str, &str); 4] = [
    ("2026-11-22-000001_registry", "20261122000001"),
    ("2026-11-22-000003_cohorts", "20261122000003"),
    ("2026-11-22-000004_tombstones", "20261122000004"),
    ("2026-12-01-000005_report_lookups", "20261201000005"),
];

/// A registry database as the version before `cohort_sizes` left it, with
/// `published` reports in the cohort of the helper's submission (fintech,
/// 1001-5000, 2023-Q4): the SQLite file in the data directory, or the test's
/// PostgreSQL database.
fn old_registry(dir: &Path, published: usize) {
    std::fs::create_dir_all(data_dir(dir)).unwrap();
    let url = registry_database(dir);
    if postgres() {
        fill(
            &mut diesel::PgConnection::establish(&url).unwrap(),
            "postgres",
            published,
        );
    } else {
        fill(
            &mut diesel::SqliteConnection::establish(&url).unwrap(),
            "sqlite",
            published,
        );
    }
}

fn fill(conn: &mut impl SimpleConnection, backend: &str, published: usize) {
    conn.batch_execute(
        "CREATE TABLE __diesel_schema_migrations (
             version VARCHAR(50) PRIMARY KEY NOT NULL,
             run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for (dir, version) in BEFORE_COHORT_SIZES {
        let sql = std::fs::read_to_string(root.join(dir).join("up.sql")).unwrap();
        conn.batch_execute(&sql).unwrap();
        conn.batch_execute(&format!(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('{version}');"
        ))
        .unwrap();
    }
    for i in 0..published {
        conn.batch_execute(&format!(
            "INSERT INTO reports (id, status, content, title, completeness, received_on,
                 modified_on, cohort, cohort_no_size, cohort_no_month, cohort_coarse)
             VALUES ('00000000-0000-4000-8000-{i:012}', 'published', '{{}}', 'old {i}', 50,
                 '2024-01-01', '2024-01-01', 'fintech|1001-5000|2023-Q4', 'fintech|2023-Q4',
                 'fintech|1001-5000|2023', 'fintech|2023');"
        ))
        .unwrap();
    }
    // A pending one counts nowhere.
    conn.batch_execute(
        "INSERT INTO reports (id, status, content, title, completeness, received_on,
             modified_on, cohort, cohort_no_size, cohort_no_month, cohort_coarse)
         VALUES ('00000000-0000-4000-9000-000000000000', 'pending', '{}', 'old pending', 50,
             '2024-01-01', '2024-01-01', 'fintech|1001-5000|2023-Q4', 'fintech|2023-Q4',
             'fintech|1001-5000|2023', 'fintech|2023');",
    )
    .unwrap();
}

#[test]
fn published_reports_of_an_older_database_count_towards_their_cohort() {
    let dir = tempfile::tempdir().unwrap();
    old_registry(dir.path(), 3);
    // The first command to open the database migrates it.
    add_reviewer(dir.path());
    let app = start(
        dir,
        Options {
            env: vec![("NEARMISS_STATS_K", "5".into())],
            ..Options::default()
        },
    );
    let token = app.login();
    let (id, _) = app.submit_ok(&submission());
    let review = app.review(&token, &id);
    // The three published before the upgrade, and this one.
    assert_eq!(review["anonymity"]["cohort_reports"], 4, "{review}");
    let r = app.approve(&token, &id);
    assert_eq!(r.status(), 200);
    let (next, _) = app.submit_ok(&submission());
    let review = app.review(&token, &next);
    assert_eq!(review["anonymity"]["cohort_reports"], 5, "{review}");
    assert_eq!(review["anonymity"]["generalised"], serde_json::json!([]));
}
