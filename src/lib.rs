//! nearmiss: an anonymous, cross-industry registry of software incident
//! reports. The binary in `main.rs` only parses the command line; the
//! registry lives here so tests can run the real application.

pub mod api;
pub mod app;
pub mod cli;
pub mod demo;
pub mod redact;
pub mod report;
pub mod search;
pub mod secrets;
pub mod stats;
pub mod store;
pub mod transfer;
pub mod web;
