//! The connection pool, for either backend, and the embedded migrations
//! (`migrations/sqlite`, `migrations/postgres`: the same tables, each in
//! its database's own types), run when the pool is built.
//!
//! SQLite connections get WAL, `synchronous=FULL` (an acknowledged
//! submission survives power loss), a busy timeout, foreign keys, a 32 MiB
//! page cache (the default 2 MiB thrashes once the report tables outgrow
//! it, and bulk imports slow down with every report) and `secure_delete`
//! (a withdrawn report's pages are zeroed, not left in the free list).
//! PostgreSQL connections get a statement timeout, so a stuck query frees
//! its worker; PostgreSQL's own durability (fsync on commit) is the default.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection as _, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::backend::{AnyConnection, Kind};
use super::StoreError;

/// Each SQLite connection's page cache, in bytes.
pub(super) const CACHE: usize = 32 << 20;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub type Connection = AnyConnection;

/// How the pool is sized and how long anything may wait.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub size: u32,
    /// How long a request waits for a connection (and PostgreSQL for a
    /// statement) before it is answered 503.
    pub timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> PoolOptions {
        PoolOptions {
            size: 8,
            timeout: Duration::from_secs(5),
        }
    }
}

/// Opens connections of the backend the URL names.
#[derive(Debug)]
pub struct Manager {
    url: String,
    kind: Kind,
    statement_timeout: Duration,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        use diesel::r2d2::Error;
        match self.kind {
            Kind::Postgres => {
                let mut conn =
                    PgConnection::establish(&self.url).map_err(Error::ConnectionError)?;
                // Custom plans: the registry's statements are prepared once
                // per connection, and a generic plan made while a table was
                // small (a fresh registry, the start of a bulk import) scans
                // it whole for ever after; the k-anonymity count, planned
                // generically, made every publication read the table.
                conn.batch_execute(&format!(
                    "SET statement_timeout = {0}; SET lock_timeout = {0}; \
                     SET plan_cache_mode = force_custom_plan;",
                    self.statement_timeout.as_millis(),
                ))
                .map_err(Error::QueryError)?;
                Ok(AnyConnection::Postgres(conn))
            }
            Kind::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(&self.url).map_err(Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA cache_size = -{};
                     PRAGMA secure_delete = ON;",
                    CACHE >> 10
                ))
                .map_err(Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

#[derive(Clone)]
pub struct Store {
    pool: Pool<Manager>,
    kind: Kind,
}

impl Store {
    /// Opens the database at `url` with default pool options.
    pub fn open(url: &str, pool_size: u32) -> Result<Store, StoreError> {
        Store::open_with(
            url,
            PoolOptions {
                size: pool_size,
                ..PoolOptions::default()
            },
        )
    }

    /// Opens (creating if needed) the database at `url`: `postgres://…` or
    /// a SQLite file path (`sqlite://path` also), and brings its schema up
    /// to date. Fails at once, with the database's own message, when it
    /// cannot be reached.
    pub fn open_with(url: &str, options: PoolOptions) -> Result<Store, StoreError> {
        let kind = Kind::of(url);
        let url = match kind {
            Kind::Postgres => url.to_string(),
            Kind::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                if let Some(parent) = Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            StoreError::Migration(format!(
                                "cannot create {}: {e}",
                                parent.display()
                            ))
                        })?;
                    }
                }
                path.to_string()
            }
        };
        let manager = Manager {
            url,
            kind,
            statement_timeout: options.timeout.max(Duration::from_secs(1)) * 6,
        };
        // The first connection is made here, so a database that is down
        // (or a wrong URL) is reported now with its own message, not as a
        // pool timeout.
        let mut first = manager
            .connect()
            .map_err(|e| StoreError::Unreachable(e.to_string()))?;
        match kind {
            Kind::Postgres => first.run_pending_migrations(POSTGRES_MIGRATIONS),
            Kind::Sqlite => first.run_pending_migrations(SQLITE_MIGRATIONS),
        }
        .map_err(|e| StoreError::Migration(e.to_string()))?;
        drop(first);
        let pool = Pool::builder()
            .max_size(options.size.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.timeout)
            .build_unchecked(manager);
        Ok(Store { pool, kind })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Makes sure no old version of a withdrawn report, or of a report a
    /// reviewer redacted further, stays on disk.
    /// SQLite: copies the write-ahead log into the database and truncates
    /// it. PostgreSQL: vacuums the tables that held the report, so its
    /// dead row versions are reclaimed now rather than whenever autovacuum
    /// comes by. Best effort: a busy database makes it a no-op until the
    /// next withdrawal or redaction.
    pub fn purge_log(&self) {
        if let Ok(mut conn) = self.conn() {
            let sql = match self.kind {
                Kind::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE);",
                Kind::Postgres => "VACUUM reports, amendments, questions, receipts;",
            };
            let _ = conn.batch_execute(sql);
        }
    }

    pub fn conn(&self) -> Result<PooledConnection<Manager>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Run blocking database work off the async executor.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = store.conn()?;
            f(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Blocking)?
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{BigInt, Text};
    use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
    use diesel_migrations::MigrationHarness;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    /// `.cargo/config.toml` sets these for the bundled SQLite; a build that
    /// lost them would still work, only slower, so nothing else would tell.
    #[test]
    fn the_bundled_sqlite_is_built_without_per_call_mutexes() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        for wanted in ["THREADSAFE=2", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "SQLite lacks {wanted}: {options:?}"
            );
        }
    }

    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = Text)]
        opcode: String,
    }

    /// Temporary B-trees a statement opens each time it runs, from its
    /// program and its triggers' (`EXPLAIN` lists both).
    fn temporary_tables(conn: &mut SqliteConnection, statement: &str) -> usize {
        diesel::sql_query(format!("EXPLAIN {statement}"))
            .load::<Step>(conn)
            .unwrap()
            .iter()
            .filter(|step| step.opcode == "OpenEphemeral")
            .count()
    }

    fn number(conn: &mut SqliteConnection, query: &str) -> i64 {
        diesel::select(diesel::dsl::sql::<BigInt>(query))
            .get_result(conn)
            .unwrap()
    }

    const REPORT: &str = "INSERT INTO reports (slot, id, status, content, title, completeness, \
        received_on, modified_on, cohort, cohort_no_size, cohort_no_month, cohort_coarse) \
        VALUES (7, 'r', 'published', '{}', 't', 50, '2026-12-06', '2026-12-06', \
        'fintech|-|2023-Q4', 'fintech|2023-Q4', 'fintech|-|2023', 'fintech|2023')";

    /// A CHECK of the form `x IN ('a', 'b', 'c')` builds a temporary
    /// B-tree of its list every time its statement runs; publishing a
    /// report ran five of them (four in the cohort triggers, one in the
    /// event log), a tenth of a bulk import's writer.
    #[test]
    fn publishing_a_report_builds_no_temporary_table_for_its_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.db");
        drop(super::Store::open(path.to_str().unwrap(), 1).unwrap());
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        let event = "INSERT INTO index_events (report_id, kind, recorded_on) \
                     VALUES ('r', 'publish', '2026-12-06')";
        assert_eq!(temporary_tables(&mut conn, event), 0);
        // The report's insert and the four cohort counts of its trigger:
        // only `reports`' own status list is left (see the migration).
        assert_eq!(temporary_tables(&mut conn, REPORT), 1);
        // The checks still refuse what they refused.
        for bad in [
            "INSERT INTO index_events (report_id, kind, recorded_on) VALUES ('r', 'bogus', 'd')",
            "INSERT INTO cohort_sizes (level, cohort, published) VALUES ('bogus', 'c', 1)",
        ] {
            let refused = conn.batch_execute(bad).unwrap_err().to_string();
            assert!(
                refused.contains("CHECK constraint failed"),
                "{bad}: {refused}"
            );
        }
    }

    /// The migration that rewrote those checks rebuilt `cohort_sizes` and
    /// `index_events`: every count stays, and no event id is handed out
    /// twice, even the highest, deleted since (the search index records
    /// the last id it applied and would skip a reused one).
    #[test]
    fn rebuilding_the_checked_tables_keeps_the_counts_and_the_event_ids_unused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.db");
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        for migration in conn.pending_migrations(super::SQLITE_MIGRATIONS).unwrap() {
            if migration.name().to_string().as_str() >= "2026-12-06-000009" {
                break;
            }
            conn.run_migration(&*migration).unwrap();
        }
        conn.batch_execute(&format!(
            "{REPORT};
             INSERT INTO index_events (report_id, kind, recorded_on) VALUES
                 ('r', 'publish', '2026-12-06'), ('r', 'amend', '2026-12-06'),
                 ('r', 'withdraw', '2026-12-06');
             DELETE FROM index_events WHERE kind = 'withdraw';"
        ))
        .unwrap();
        let cohorts = "(SELECT group_concat(level || '=' || published, ',') FROM \
                       (SELECT * FROM cohort_sizes ORDER BY level))";
        let counted: String = diesel::select(diesel::dsl::sql::<Text>(cohorts))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(counted, "coarse=1,exact=1,no_month=1,no_size=1");

        conn.run_pending_migrations(super::SQLITE_MIGRATIONS)
            .unwrap();
        let recounted: String = diesel::select(diesel::dsl::sql::<Text>(cohorts))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(recounted, counted);
        assert_eq!(number(&mut conn, "(SELECT count(*) FROM index_events)"), 2);
        conn.batch_execute(
            "INSERT INTO index_events (report_id, kind, recorded_on) VALUES ('r', 'redact', 'd')",
        )
        .unwrap();
        assert_eq!(number(&mut conn, "(SELECT max(id) FROM index_events)"), 4);
        // The cohort triggers were made again: a publication still counts.
        conn.batch_execute(&REPORT.replace("(7, 'r'", "(8, 's'"))
            .unwrap();
        assert_eq!(
            number(
                &mut conn,
                "(SELECT published FROM cohort_sizes WHERE level = 'exact')"
            ),
            2
        );
    }
}
