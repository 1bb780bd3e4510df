//! The `nearmiss` command line.

use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{Application, Settings};
use crate::search::{self, Search};
use crate::transfer::{self, Format};
use crate::{demo, secrets, store};

#[derive(Parser, Debug)]
#[command(
    name = "nearmiss",
    version,
    about = "An anonymous registry of software incident reports"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
pub struct Global {
    /// Where the embedded database and the search index live.
    #[arg(
        long,
        global = true,
        default_value = "./data",
        env = "NEARMISS_DATA_DIR"
    )]
    pub data_dir: PathBuf,
    /// Database URL: `postgres://user@host/db` for PostgreSQL, or a SQLite
    /// file; SQLite at `<data-dir>/nearmiss.db` when not given.
    #[arg(long, global = true, env = "NEARMISS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Database connections this process keeps open at most.
    #[arg(long, global = true, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000), env = "NEARMISS_DB_POOL_SIZE")]
    pub db_pool_size: u32,
    /// Seconds a request waits for a database connection before it is
    /// answered 503; statements may run six times as long.
    #[arg(long, global = true, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600), env = "NEARMISS_DB_TIMEOUT_SECONDS")]
    pub db_timeout_seconds: u64,
    /// k for privacy in aggregates: statistics cells counting fewer reports
    /// are suppressed, and a report whose industry, size and quarter fewer
    /// published reports share is published with those generalised.
    #[arg(long, global = true, default_value_t = crate::stats::DEFAULT_K, value_parser = clap::value_parser!(u64).range(1..), env = "NEARMISS_STATS_K")]
    pub stats_k: u64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the registry over HTTP.
    Serve(Serve),
    /// Manage reviewers (registry staff).
    Reviewer {
        #[command(subcommand)]
        command: ReviewerCommand,
    },
    /// Import submissions from a JSON Lines file, one per line.
    Import {
        file: PathBuf,
        /// Publish the imported submissions at once instead of queueing them
        /// for review (lines of an export are published copies either way).
        #[arg(long)]
        publish: bool,
        /// Submissions stored per transaction (and, apart from them, lines
        /// of an export). A killed import keeps whole
        /// transactions; larger ones are faster on a large registry and
        /// hold more reports in memory.
        #[arg(long, default_value_t = transfer::PER_TRANSACTION, value_parser = parse_per_transaction)]
        per_transaction: usize,
    },
    /// Export the published, de-identified dataset.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only what changed on or after this day (YYYY-MM-DD), tombstones
        /// of withdrawn reports included: for keeping a mirror current.
        #[arg(long, value_parser = parse_day)]
        since: Option<String>,
    },
    /// Rebuild the search index from the database into a new generation and
    /// swap it in; a running server switches to it without a restart.
    Reindex,
    /// Load a generated sample registry and exit.
    Demo {
        #[arg(long, default_value_t = demo::DEFAULT_COUNT)]
        count: usize,
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
}

#[derive(Args, Debug)]
pub struct Serve {
    #[arg(long, default_value = "127.0.0.1:8080", env = "NEARMISS_BIND")]
    pub bind: String,
    /// Load the sample registry first when the data directory is empty.
    #[arg(long)]
    pub demo: bool,
    /// Reviewer session lifetime.
    #[arg(long, default_value_t = 12 * 3600, hide = true, env = "NEARMISS_SESSION_TTL_SECONDS")]
    pub session_ttl_seconds: u64,
    /// Login attempts per minute per client.
    #[arg(
        long,
        default_value_t = 10,
        hide = true,
        env = "NEARMISS_LOGIN_PER_MINUTE"
    )]
    pub login_per_minute: u32,
    /// Receipt requests per minute per client.
    #[arg(
        long,
        default_value_t = 60,
        hide = true,
        env = "NEARMISS_RECEIPT_PER_MINUTE"
    )]
    pub receipt_per_minute: u32,
    /// Submissions per minute per client.
    #[arg(
        long,
        default_value_t = 30,
        hide = true,
        env = "NEARMISS_SUBMISSIONS_PER_MINUTE"
    )]
    pub submissions_per_minute: u32,
    /// Milliseconds the indexer waits after a change to gather more into one
    /// index commit (0: index at once).
    #[arg(
        long,
        default_value_t = 0,
        hide = true,
        env = "NEARMISS_INDEX_GATHER_MS"
    )]
    pub index_gather_ms: u64,
    /// HTTP worker threads.
    #[arg(long, default_value_t = 2, env = "NEARMISS_WORKERS")]
    pub workers: usize,
    /// Failed logins on one reviewer name, or failed receipts on one
    /// report, before it is locked.
    #[arg(
        long,
        default_value_t = 5,
        hide = true,
        env = "NEARMISS_LOCKOUT_FAILURES"
    )]
    pub lockout_failures: u32,
    /// How long failures are remembered and a lock lasts.
    #[arg(
        long,
        default_value_t = 900,
        hide = true,
        env = "NEARMISS_LOCKOUT_SECONDS"
    )]
    pub lockout_seconds: u64,
    /// argon2 computations at once (default: one per core).
    #[arg(long, hide = true, env = "NEARMISS_HASHING_CONCURRENCY")]
    pub hashing_concurrency: Option<usize>,
    /// argon2 computations that may wait; past this, 503 `busy`.
    #[arg(
        long,
        default_value_t = 32,
        hide = true,
        env = "NEARMISS_HASHING_QUEUE"
    )]
    pub hashing_queue: usize,
    /// Seconds a request line and headers may take to arrive.
    #[arg(
        long,
        default_value_t = 5,
        hide = true,
        env = "NEARMISS_HEADER_TIMEOUT_SECONDS"
    )]
    pub header_timeout_seconds: u64,
    /// Seconds a whole request body may take to arrive.
    #[arg(
        long,
        default_value_t = 60,
        hide = true,
        env = "NEARMISS_BODY_TIMEOUT_SECONDS"
    )]
    pub body_timeout_seconds: u64,
}

#[derive(Subcommand, Debug)]
pub enum ReviewerCommand {
    /// Add a reviewer; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::new(cli.global.data_dir.clone(), cli.global.database_url.clone());
    settings.stats_k = cli.global.stats_k;
    settings.pool = crate::store::PoolOptions {
        size: cli.global.db_pool_size,
        timeout: Duration::from_secs(cli.global.db_timeout_seconds),
    };
    match cli.command {
        Command::Serve(serve) => run_serve(settings, serve),
        Command::Reviewer {
            command: ReviewerCommand::Add { name, .. },
        } => add_reviewer(&settings, &name),
        Command::Import {
            file,
            publish,
            per_transaction,
        } => import(&settings, &file, publish, per_transaction),
        Command::Export { format, out, since } => export(&settings, format, out, since),
        Command::Reindex => reindex(&settings),
        Command::Demo { count, seed } => {
            let store = settings.open_store()?;
            let n = demo::load(&store, count, seed, settings.stats_k)?;
            println!(
                "loaded {n} sample reports into {}",
                settings.data_dir.display()
            );
            Ok(())
        }
    }
}

fn run_serve(mut settings: Settings, serve: Serve) -> anyhow::Result<()> {
    settings.session_ttl = Duration::from_secs(serve.session_ttl_seconds);
    settings.login_per_minute = serve.login_per_minute;
    settings.receipt_per_minute = serve.receipt_per_minute;
    settings.submissions_per_minute = serve.submissions_per_minute;
    settings.workers = serve.workers;
    settings.lockout_failures = serve.lockout_failures;
    settings.lockout_window = Duration::from_secs(serve.lockout_seconds);
    if let Some(n) = serve.hashing_concurrency {
        settings.hashing_concurrency = n.max(1);
    }
    settings.hashing_queue = serve.hashing_queue;
    settings.header_timeout = Duration::from_secs(serve.header_timeout_seconds.max(1));
    settings.body_timeout = Duration::from_secs(serve.body_timeout_seconds.max(1));
    settings.index_gather = Duration::from_millis(serve.index_gather_ms);
    let store = settings.open_store().context("opening the database")?;
    if serve.demo {
        let mut conn = store.conn()?;
        if !store::has_reports(&mut conn)? {
            let n = demo::load(
                &store,
                demo::DEFAULT_COUNT,
                demo::DEFAULT_SEED,
                settings.stats_k,
            )?;
            println!("loaded {n} sample reports");
        }
    }
    let search = open_search(&settings, &store)?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings, store, search, &serve.bind)?;
        let host = serve
            .bind
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or("127.0.0.1");
        // Tests and scripts read this line to find a port chosen by the OS.
        println!("nearmiss listening on http://{host}:{}", app.port());
        std::io::stdout().flush().ok();
        app.run_until_stopped().await?;
        Ok(())
    })
}

/// Opens the search index and applies whatever the database recorded while
/// no server was running (or before a crash), before answering anyone.
fn open_search(settings: &Settings, store: &store::Store) -> anyhow::Result<Arc<Search>> {
    let search = Search::open(&settings.index_root()).context("opening the search index")?;
    let applied = search
        .sync(store)
        .context("bringing the search index up to date")?;
    if applied > 0 {
        println!("search index: applied {applied} changes");
    }
    Ok(Arc::new(search))
}

fn reindex(settings: &Settings) -> anyhow::Result<()> {
    let store = settings.open_store()?;
    let bar = ProgressBar::hidden();
    let done = search::reindex(
        &store,
        &settings.index_root(),
        |total| {
            bar.set_length(total);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} reports {per_sec} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        },
        |n| bar.set_position(n),
    )
    .context("rebuilding the search index")?;
    bar.finish_and_clear();
    println!(
        "indexed {} published reports into {}",
        done.reports,
        done.generation.display()
    );
    if let Some(previous) = done.previous {
        println!(
            "{} is no longer used; a running server switches within a second and removes it",
            previous.display()
        );
    }
    Ok(())
}

fn add_reviewer(settings: &Settings, name: &str) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() || name.len() > 128 {
        bail!("a reviewer name is 1 to 128 characters");
    }
    let mut password = String::new();
    std::io::stdin()
        .take(1025)
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 12 || password.len() > 1024 {
        bail!("a reviewer password is 12 to 1024 characters");
    }
    let store = settings.open_store()?;
    let hash = secrets::hash(password);
    let mut conn = store.conn()?;
    store::add_reviewer(&mut conn, name, &hash)?;
    println!("reviewer {name} added");
    Ok(())
}

fn import(
    settings: &Settings,
    file: &PathBuf,
    publish: bool,
    per_transaction: usize,
) -> anyhow::Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let store = settings.open_store()?;
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = transfer::import(
        &store,
        BufReader::new(f),
        publish,
        settings.stats_k,
        per_transaction,
        |n| bar.set_position(n),
    )?;
    bar.finish_and_clear();
    for (line, why) in &summary.skipped {
        eprintln!("line {line}: skipped: {why}");
    }
    if summary.withdrawn > 0 {
        println!("applied {} tombstones", summary.withdrawn);
    }
    // Reports from an export are stored published, whatever `--publish`
    // says (it is about submissions): the summary tells the two apart.
    let submitted = if publish {
        "published"
    } else {
        "pending review"
    };
    let what = match (summary.imported, summary.mirrored) {
        (0, 0) => "0 reports".to_string(),
        (n, 0) => format!("{n} reports ({submitted})"),
        (0, m) => format!("{m} reports (published copies from an export)"),
        (n, m) => format!(
            "{} reports ({n} {submitted}, {m} published copies from an export)",
            n + m
        ),
    };
    println!("imported {what}, skipped {} lines", summary.skipped.len());
    Ok(())
}

/// A number of submissions per import transaction, 1 to
/// `transfer::MAX_PER_TRANSACTION`.
pub fn parse_per_transaction(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=transfer::MAX_PER_TRANSACTION).contains(&n) => Ok(n),
        _ => Err(format!(
            "{value:?} is not a number of submissions from 1 to {}",
            transfer::MAX_PER_TRANSACTION
        )),
    }
}

/// A `YYYY-MM-DD` day.
pub fn parse_day(value: &str) -> Result<String, String> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| format!("{value:?} is not a YYYY-MM-DD day"))
}

fn export(
    settings: &Settings,
    format: Format,
    out: Option<PathBuf>,
    since: Option<String>,
) -> anyhow::Result<()> {
    let store = settings.open_store()?;
    let n = match out {
        Some(path) => {
            let f = std::fs::File::create(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            transfer::export(&store, format, since.as_deref(), std::io::BufWriter::new(f))?
        }
        None => transfer::export(
            &store,
            format,
            since.as_deref(),
            std::io::BufWriter::new(std::io::stdout().lock()),
        )?,
    };
    eprintln!("exported {n} records");
    Ok(())
}
