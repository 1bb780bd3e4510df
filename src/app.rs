//! Building the running registry: settings, the store, the HTTP server bound
//! to its listener (port 0 in tests), and the shutdown.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};

use crate::api::{self, AppState, Lockouts, Metrics, RateLimits};
use crate::search::{spawn_indexer, Search};
use crate::secrets::Hasher;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// `None`: SQLite at `<data_dir>/nearmiss.db`.
    pub database_url: Option<String>,
    /// Database connections per process, and how long a request waits for
    /// one before it is answered 503.
    pub pool: crate::store::PoolOptions,
    pub session_ttl: Duration,
    /// Requests per minute per client.
    pub login_per_minute: u32,
    pub receipt_per_minute: u32,
    pub submissions_per_minute: u32,
    /// argon2 computations at once; each takes 19 MiB and one core.
    pub hashing_concurrency: usize,
    /// argon2 computations that may wait for a slot; past this, 503 `busy`.
    pub hashing_queue: usize,
    /// Failed attempts on one reviewer name or one receipt before it is
    /// locked, and how long failures are remembered and the lock lasts.
    pub lockout_failures: u32,
    pub lockout_window: Duration,
    /// How long the request line and headers may take to arrive.
    pub header_timeout: Duration,
    /// How long a whole request body may take to arrive.
    pub body_timeout: Duration,
    pub workers: usize,
    /// How long the indexer gathers changes before committing them.
    pub index_gather: Duration,
    /// Statistics cells (and approval-time groups) under this many reports
    /// are suppressed (generalised).
    pub stats_k: u64,
}

impl Settings {
    pub fn new(data_dir: PathBuf, database_url: Option<String>) -> Settings {
        Settings {
            data_dir,
            database_url,
            pool: crate::store::PoolOptions::default(),
            session_ttl: Duration::from_secs(12 * 3600),
            login_per_minute: 10,
            receipt_per_minute: 60,
            submissions_per_minute: 30,
            hashing_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hashing_queue: 32,
            lockout_failures: 5,
            lockout_window: Duration::from_secs(15 * 60),
            header_timeout: Duration::from_secs(5),
            body_timeout: crate::api::DEFAULT_BODY_TIMEOUT,
            workers: 2,
            index_gather: Duration::ZERO,
            stats_k: crate::stats::DEFAULT_K,
        }
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            self.data_dir
                .join("nearmiss.db")
                .to_string_lossy()
                .into_owned()
        })
    }

    /// Where the search index generations live.
    pub fn index_root(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    pub fn open_store(&self) -> Result<Store, StoreError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            StoreError::Migration(format!("cannot create {}: {e}", self.data_dir.display()))
        })?;
        Store::open_with(&self.database_url(), self.pool)
    }
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Bind the server to `bind` (`127.0.0.1:0` picks a free port; `port()`
    /// says which) and start the indexer. Call on the actix runtime.
    pub fn build(
        settings: &Settings,
        store: Store,
        search: Arc<Search>,
        bind: &str,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        spawn_indexer(search.clone(), store.clone(), settings.index_gather);
        let state = web::Data::new(AppState {
            store,
            hasher: Hasher::new(settings.hashing_concurrency, settings.hashing_queue),
            limits: RateLimits::new(
                settings.login_per_minute,
                settings.receipt_per_minute,
                settings.submissions_per_minute,
            ),
            lockouts: Lockouts::new(settings.lockout_failures, settings.lockout_window),
            body_timeout: settings.body_timeout,
            metrics: Metrics::new(),
            session_ttl: settings.session_ttl,
            search,
            stats_k: settings.stats_k,
            stats_cache: tokio::sync::Mutex::new(None),
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(Compress::default())
                .wrap(api::security_headers())
                .wrap(from_fn(api::observe))
                .configure(api::config)
                .configure(crate::web::config)
                .default_service(web::to(crate::web::not_found))
        })
        .workers(settings.workers.max(1))
        // A client that sends its request head too slowly gets 408 and is
        // closed; one that never reads its answer is closed too.
        .client_request_timeout(settings.header_timeout)
        .client_disconnect_timeout(Duration::from_secs(5))
        .listen(listener)?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
