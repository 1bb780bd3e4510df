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
    for (dir, version) in BEFORE_COHORT_SIZES {
        conn.batch_execute(&migration_script(backend, dir, "up.sql"))
            .unwrap();
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

/// The migration that rebuilt SQLite's `reports` as a rowid table under a
/// random key (on PostgreSQL it adds the `slot` column): its directory and
/// the version diesel records for it.
const REPORT_SLOTS: (&str, &str) = ("2026-12-05-000008_report_slots", "20261205000008");

/// The text of `migrations/<backend>/<migration>/<script>`.
fn migration_script(backend: &str, migration: &str, script: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend)
        .join(migration)
        .join(script);
    std::fs::read_to_string(path).unwrap()
}

/// Runs a migration script of this test's backend on its database.
fn run_script(dir: &Path, migration: &str, script: &str) {
    let backend = if postgres() { "postgres" } else { "sqlite" };
    let sql = migration_script(backend, migration, script);
    let url = registry_database(dir);
    if postgres() {
        diesel::PgConnection::establish(&url)
            .unwrap()
            .batch_execute(&sql)
            .unwrap();
    } else {
        diesel::SqliteConnection::establish(&url)
            .unwrap()
            .batch_execute(&sql)
            .unwrap();
    }
}

/// One integer a query over the test's database returns.
fn number(dir: &Path, query: &str) -> i64 {
    use diesel::RunQueryDsl;
    let q = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "({query})"
    )));
    let url = registry_database(dir);
    if postgres() {
        q.get_result(&mut diesel::PgConnection::establish(&url).unwrap())
            .unwrap()
    } else {
        q.get_result(&mut diesel::SqliteConnection::establish(&url).unwrap())
            .unwrap()
    }
}

/// How SQLite declares `reports` now.
fn reports_table_sql(dir: &Path) -> String {
    use diesel::RunQueryDsl;
    let url = registry_database(dir);
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "(SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reports')",
    ))
    .get_result(&mut diesel::SqliteConnection::establish(&url).unwrap())
    .unwrap()
}

fn get_json(app: &TestApp, path: &str, receipt: Option<&str>) -> serde_json::Value {
    let mut request = app.get(path);
    if let Some(r) = receipt {
        request = request.header("Authorization", format!("Receipt {r}"));
    }
    let response = request.send().unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().unwrap()
}

#[test]
fn rebuilding_the_reports_table_keeps_every_receipt_question_and_amendment() {
    let dir = tempfile::tempdir().unwrap();
    add_reviewer(dir.path());
    let mut app = start(dir, Options::default());
    let token = app.login();
    // A published report with an amendment, and a pending one with a
    // reviewer's question: rows in every table that refers to `reports`.
    let (published, published_receipt) = app.submit_ok(&submission());
    assert_eq!(app.approve(&token, &published).status(), 200);
    let r = app
        .post(&format!("/api/v1/receipts/{published}/amendments"))
        .header("Authorization", format!("Receipt {published_receipt}"))
        .json(&serde_json::json!({"text": "Follow-up: the staging cluster had the same chain."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let (pending, pending_receipt) = app.submit_ok(&submission());
    let r = app
        .post(&format!("/api/v1/review/{pending}/questions"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"question": "Which resolver did the fleet use?"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let views = |app: &TestApp| {
        [
            get_json(app, &format!("/api/v1/reports/{published}"), None),
            get_json(
                app,
                &format!("/api/v1/receipts/{published}"),
                Some(&published_receipt),
            ),
            get_json(
                app,
                &format!("/api/v1/receipts/{pending}"),
                Some(&pending_receipt),
            ),
        ]
    };
    let before = views(&app);
    assert_eq!(before[0]["amendments"].as_array().unwrap().len(), 1);
    assert_eq!(before[2]["questions"].as_array().unwrap().len(), 1);
    app.kill();

    // Back to the registry as the version before the rebuild left it.
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    let children = "SELECT (SELECT count(*) FROM receipts) * 100 \
                    + (SELECT count(*) FROM amendments) * 10 \
                    + (SELECT count(*) FROM questions)";
    assert_eq!(number(dir.path(), children), 211);
    run_script(dir.path(), REPORT_SLOTS.0, "down.sql");
    execute_sql(
        dir.path(),
        &format!(
            "DELETE FROM __diesel_schema_migrations WHERE version = '{}'",
            REPORT_SLOTS.1
        ),
    );
    if !postgres() {
        assert!(reports_table_sql(dir.path()).contains("WITHOUT ROWID"));
    }

    // The next start rebuilds it, and nothing that refers to a report goes.
    let app = start(dir, Options::default());
    if !postgres() {
        let sql = reports_table_sql(app.dir.path());
        assert!(sql.contains("slot INTEGER PRIMARY KEY"), "{sql}");
        assert!(!sql.contains("WITHOUT ROWID"), "{sql}");
        assert_eq!(
            number(
                app.dir.path(),
                "SELECT count(*) FROM pragma_foreign_key_check"
            ),
            0
        );
    }
    assert_eq!(number(app.dir.path(), children), 211);
    assert_eq!(views(&app), before);

    // Foreign keys hold on the new table: withdrawing takes the report's
    // receipt and amendment with it.
    let r = app
        .delete(&format!("/api/v1/receipts/{published}"))
        .header("Authorization", format!("Receipt {published_receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(number(app.dir.path(), children), 101);
}
