//! Hostile clients against the real `nearmiss` binary: a corpus of
//! malformed and malicious requests kept as data
//! (`tests/data/hostile/corpus.jsonl`), slow clients, and abuse of the
//! login and receipt endpoints. Every request gets a 4xx (or is handled
//! safely, for a documented reason), never a 5xx or a hang, and `/healthz`
//! answers throughout.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod abuse;
mod corpus;
mod raw;
mod slow;
