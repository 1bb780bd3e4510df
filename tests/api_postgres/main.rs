//! The API suite of `tests/api`, run again on PostgreSQL (see
//! `helpers::postgres`), and what only a shared database can show: two
//! instances serving one registry, and the database going away.

#[path = "../api/anonymity.rs"]
mod anonymity;
#[path = "../api/bad_input.rs"]
mod bad_input;
#[path = "../api/cli.rs"]
mod cli;
mod cluster;
#[path = "../api/corpus_search.rs"]
mod corpus_search;
#[path = "../api/crash.rs"]
mod crash;
#[path = "../api/deidentification.rs"]
mod deidentification;
#[path = "../api/export.rs"]
mod export;
#[path = "../api/feeds.rs"]
mod feeds;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/kills.rs"]
mod kills;
#[path = "../api/lifecycle.rs"]
mod lifecycle;
#[path = "../api/privacy.rs"]
mod privacy;
#[path = "../api/review_auth.rs"]
mod review_auth;
#[path = "../api/search.rs"]
mod search;
#[path = "../api/stats.rs"]
mod stats;
#[path = "../api/upgrade.rs"]
mod upgrade;
