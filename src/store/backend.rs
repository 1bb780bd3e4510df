//! One connection type for both databases: diesel's `MultiConnection` over
//! PostgreSQL and SQLite, so every query in `store` is written once. The
//! few things that differ (how a write transaction takes its lock, how
//! old page images leave the disk) are methods here.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::query_dsl::methods::{ExecuteDsl, LoadQuery};
use diesel::{PgConnection, QueryResult, RunQueryDsl, SqliteConnection};

use super::StoreError;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names: `postgres://` or `postgresql://` is
/// PostgreSQL, anything else a SQLite file (`sqlite://` optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Sqlite,
}

impl Kind {
    pub fn of(url: &str) -> Kind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Kind::Postgres
        } else {
            Kind::Sqlite
        }
    }
}

/// Every write transaction takes this PostgreSQL advisory lock first, so
/// writers run one at a time as they do on SQLite. The registry's writes
/// are small and rare next to its reads, and one writer at a time keeps
/// three things simple and exact: the k-anonymity count a publication
/// reads is still true when it commits, positions of amendments and
/// questions never collide, and `index_events` ids become visible in the
/// order they were taken, so an indexer reading "events after n" on
/// another machine can never skip one that commits late.
const WRITER_LOCK: i64 = 0x6e6561726d697373; // "nearmiss"

impl AnyConnection {
    pub fn kind(&self) -> Kind {
        match self {
            AnyConnection::Postgres(_) => Kind::Postgres,
            AnyConnection::Sqlite(_) => Kind::Sqlite,
        }
    }

    /// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (the
    /// write lock before the first read, so a read-then-write never fails
    /// on a stale snapshot), the writer lock on PostgreSQL. Rolled back
    /// when `f` fails.
    pub fn write<T, F>(&mut self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    {
        match self {
            AnyConnection::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
            }
            AnyConnection::Postgres(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
                if let Err(e) =
                    c.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITER_LOCK})"))
                {
                    let _ = AnsiTransactionManager::rollback_transaction(c);
                    return Err(e.into());
                }
            }
        }
        match f(self) {
            Ok(value) => {
                let committed = match self {
                    AnyConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
                    AnyConnection::Postgres(c) => AnsiTransactionManager::commit_transaction(c),
                };
                committed?;
                Ok(value)
            }
            Err(e) => {
                let _ = match self {
                    AnyConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                    AnyConnection::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
                };
                Err(e)
            }
        }
    }

    /// Runs `query` on the database's own connection, for the statements
    /// every imported report runs. Through `MultiConnection`, each run of a
    /// statement writes its whole SQL text out again, twice: to ask whether
    /// the prepared statement may be cached, and to bind its values. For
    /// the report insert, with its 25 columns, that was a tenth of the
    /// import writer's CPU. Here the statement is its backend's own, found
    /// in the cache by its type.
    pub fn execute_native<Q>(&mut self, query: Q) -> QueryResult<usize>
    where
        Q: ExecuteDsl<SqliteConnection> + ExecuteDsl<PgConnection>,
    {
        match self {
            AnyConnection::Sqlite(c) => ExecuteDsl::<SqliteConnection>::execute(query, c),
            AnyConnection::Postgres(c) => ExecuteDsl::<PgConnection>::execute(query, c),
        }
    }

    /// `get_result` as `execute_native` runs statements.
    pub fn get_result_native<'q, Q, U>(&mut self, query: Q) -> QueryResult<U>
    where
        Q: RunQueryDsl<SqliteConnection>
            + RunQueryDsl<PgConnection>
            + LoadQuery<'q, SqliteConnection, U>
            + LoadQuery<'q, PgConnection, U>,
    {
        match self {
            AnyConnection::Sqlite(c) => RunQueryDsl::<SqliteConnection>::get_result(query, c),
            AnyConnection::Postgres(c) => RunQueryDsl::<PgConnection>::get_result(query, c),
        }
    }

    /// Runs `f` (a bulk import's writes) with SQLite set for transactions
    /// of thousands of statements, then sets it back:
    ///
    /// * the page cache raised to `BULK_CACHE` (lowering it again frees the
    ///   pages). A large import transaction touches pages all over the
    ///   tables' and indexes' B-trees (report ids are random); with the
    ///   pooled connection's 32 MiB most of them would be read from the
    ///   file again and again.
    /// * statement journals in memory (`temp_store = MEMORY`). Each insert
    ///   keeps the original of every page it changes, to undo that one
    ///   statement should it fail (its triggers, the UNIQUE id). Past 64
    ///   KiB SQLite moves the journal to a temporary file, and it stays a
    ///   file until the transaction ends: one large page split early in an
    ///   import, and each of the thousands of inserts after it wrote its
    ///   pages through the kernel, a sixth of the import writer's CPU. In
    ///   memory, a journal holds one statement's pages and is emptied when
    ///   the statement ends. (Raising the spill size instead,
    ///   `SQLITE_STMTJRNL_SPILL`, breaks the spill itself above 128 KiB:
    ///   SQLite writes the whole buffer in one call its unix layer caps.)
    ///
    /// PostgreSQL keeps its own shared buffers and has no statement
    /// journal: nothing to do there.
    pub fn bulk<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> T) -> Result<T, StoreError> {
        let AnyConnection::Sqlite(c) = self else {
            return Ok(f(self));
        };
        c.batch_execute(&format!(
            "PRAGMA cache_size = -{}; PRAGMA temp_store = MEMORY;",
            BULK_CACHE >> 10
        ))?;
        let out = f(self);
        if let AnyConnection::Sqlite(c) = self {
            c.batch_execute(&format!(
                "PRAGMA cache_size = -{}; PRAGMA temp_store = DEFAULT;",
                super::pool::CACHE >> 10
            ))?;
        }
        Ok(out)
    }
}

/// The page cache of a connection writing a bulk import, in bytes.
const BULK_CACHE: usize = 512 << 20;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use diesel::connection::SimpleConnection;

    use crate::store::Store;

    /// SQLite's temporary files open in this process. SQLite names them
    /// `etilqs_…` and unlinks them as it opens them, so only `/proc` shows
    /// them.
    fn sqlite_temp_files() -> HashSet<String> {
        std::fs::read_dir("/proc/self/fd")
            .expect("/proc/self/fd")
            .flatten()
            .filter_map(|entry| std::fs::read_link(entry.path()).ok())
            .map(|target| target.to_string_lossy().into_owned())
            .filter(|target| target.contains("etilqs_"))
            .collect()
    }

    /// In a write transaction of a registry's connection, rewrites every
    /// row of a table of 1,000 rows of 1 KB: the UNIQUE column means the
    /// statement may fail half way, so SQLite journals the original of
    /// each of its ~500 pages (2 MiB). Returns the temporary files the
    /// statement opened. `bulk` says whether it runs as a bulk import's.
    fn files_a_large_statement_opens(bulk: bool) -> HashSet<String> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("n.db").to_str().unwrap(), 1).unwrap();
        let mut conn = store.conn().unwrap();
        conn.batch_execute(
            "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
             INSERT INTO t (k, v) SELECT i, printf('%d', i) || hex(zeroblob(500)) FROM n;",
        )
        .unwrap();
        let statement = |conn: &mut super::AnyConnection| {
            conn.write(|conn| {
                let before = sqlite_temp_files();
                conn.batch_execute("UPDATE t SET v = v || 'x';")?;
                Ok(sqlite_temp_files()
                    .difference(&before)
                    .cloned()
                    .collect::<HashSet<_>>())
            })
            .unwrap()
        };
        if bulk {
            conn.bulk(statement).unwrap()
        } else {
            statement(&mut conn)
        }
    }

    #[test]
    fn a_bulk_imports_statement_journals_stay_in_memory() {
        let bulk = files_a_large_statement_opens(true);
        assert!(
            bulk.is_empty(),
            "a bulk statement journal spilled to {bulk:?}"
        );
        // Outside a bulk import SQLite's default holds, which shows the
        // check above sees a journal file when there is one.
        let default = files_a_large_statement_opens(false);
        assert!(
            !default.is_empty(),
            "a 2 MiB statement journal opened no file"
        );
    }
}
