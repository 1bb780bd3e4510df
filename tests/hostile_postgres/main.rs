//! The hostile-client suite of `tests/hostile`, run again on PostgreSQL,
//! whose types are stricter than SQLite's (a NUL in text, a malformed id):
//! what SQLite stores quietly must not become a 500 there.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

#[path = "../hostile/abuse.rs"]
mod abuse;
#[path = "../hostile/corpus.rs"]
mod corpus;
#[path = "../hostile/raw.rs"]
mod raw;
#[path = "../hostile/slow.rs"]
mod slow;
