//! One connection type for both databases: diesel's `MultiConnection` over
//! PostgreSQL and SQLite, so every query in `store` is written once. The
//! few things that differ (how a write transaction takes its lock, how
//! old page images leave the disk) are methods here.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{PgConnection, SqliteConnection};

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

    /// Runs `f` (a bulk import's writes) with SQLite's page cache raised to
    /// `BULK_CACHE`, then lowers it again, which frees the pages. A large
    /// import transaction touches pages all over the tables' and indexes'
    /// B-trees (report ids are random); with the pooled connection's 32 MiB
    /// most of them would be read from the file again and again. PostgreSQL
    /// keeps its own shared buffers: nothing to do there.
    pub fn bulk<T>(&mut self, f: impl FnOnce(&mut AnyConnection) -> T) -> Result<T, StoreError> {
        let AnyConnection::Sqlite(c) = self else {
            return Ok(f(self));
        };
        c.batch_execute(&format!("PRAGMA cache_size = -{};", BULK_CACHE >> 10))?;
        let out = f(self);
        if let AnyConnection::Sqlite(c) = self {
            c.batch_execute(&format!(
                "PRAGMA cache_size = -{};",
                super::pool::CACHE >> 10
            ))?;
        }
        Ok(out)
    }
}

/// The page cache of a connection writing a bulk import, in bytes.
const BULK_CACHE: usize = 512 << 20;
