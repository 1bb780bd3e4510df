//! Integration tests: the real `nearmiss` binary, over real HTTP, on a
//! temporary data directory.

mod anonymity;
mod bad_input;
mod cli;
mod corpus_search;
mod crash;
mod deidentification;
mod export;
mod feeds;
mod helpers;
mod kills;
mod lifecycle;
mod privacy;
mod review_auth;
mod row_order;
mod search;
mod stats;
mod upgrade;
