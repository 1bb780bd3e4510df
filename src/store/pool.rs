//! The SQLite connection pool: WAL, `synchronous=FULL` (an acknowledged
//! submission survives power loss), a busy timeout, foreign keys, a 32 MiB
//! page cache per connection (the default 2 MiB thrashes once the report
//! tables outgrow it, and bulk imports slow down with every report),
//! `secure_delete` (a withdrawn report's pages are zeroed, not left in the
//! free list), and the embedded migrations run when the pool is built.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::StoreError;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -32768;
             PRAGMA secure_delete = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<SqliteConnection>>,
}

pub type Connection = SqliteConnection;

impl Store {
    /// Open (creating if needed) the database at `url`, a file path or
    /// `sqlite://path`, and bring its schema up to date.
    pub fn open(url: &str, pool_size: u32) -> Result<Store, StoreError> {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Migration(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(Pragmas))
            .build(ConnectionManager::<SqliteConnection>::new(path))?;
        let store = Store { pool };
        let mut conn = store.conn()?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(store)
    }

    /// Copies the write-ahead log into the database and truncates it, so
    /// the old page images of a withdrawn report leave the disk. Best
    /// effort: a busy reader makes it a no-op until the next withdrawal.
    pub fn purge_log(&self) {
        if let Ok(mut conn) = self.conn() {
            let _ = conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }

    pub fn conn(
        &self,
    ) -> Result<PooledConnection<ConnectionManager<SqliteConnection>>, StoreError> {
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
