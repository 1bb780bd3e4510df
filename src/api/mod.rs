//! HTTP: actix-web routes, extractors, auth, rate limits and the mapping of
//! errors to responses. Handlers are thin: parse, call one domain function,
//! map the result.

mod auth;
mod body;
pub mod error;
mod export;
mod feed;
mod health;
mod json_errors;
mod lockout;
pub mod openapi;
mod ratelimit;
mod receipts;
mod reports;
mod review;
pub mod search;
mod stats;
mod telemetry;

use std::net::IpAddr;
use std::time::Duration;

use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{web, HttpRequest, HttpResponse};

pub use lockout::Lockouts;
pub use ratelimit::RateLimits;
pub use telemetry::Metrics;

use std::sync::Arc;

use crate::search::Search;
use crate::secrets::Hasher;
use crate::store::Store;

pub struct AppState {
    pub store: Store,
    pub hasher: Hasher,
    pub limits: RateLimits,
    /// Failed logins per reviewer name and failed receipts per report.
    pub lockouts: Lockouts,
    /// How long a whole request body may take to arrive.
    pub body_timeout: Duration,
    pub metrics: Metrics,
    pub session_ttl: Duration,
    pub search: Arc<Search>,
    /// Statistics cells under this many reports are suppressed.
    pub stats_k: u64,
    /// The unfiltered statistics and the index version they describe.
    pub stats_cache: tokio::sync::Mutex<Option<(u64, crate::stats::Statistics)>>,
}

/// The client's address, used only to key rate limits through a rotating
/// HMAC (see `ratelimit`); never logged or stored.
fn client_addr(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

async fn not_found() -> HttpResponse {
    error::ApiError::NotFound.into()
}

impl From<error::ApiError> for HttpResponse {
    fn from(e: error::ApiError) -> Self {
        actix_web::ResponseError::error_response(&e)
    }
}

/// Every route of the registry.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::metrics)
        .service(feed::reports)
        .service(
            web::scope("/api/v1")
                .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
                .wrap(ErrorHandlers::new().default_handler(json_errors::as_json))
                .service(openapi::document)
                .service(reports::preview)
                .service(reports::submit)
                .service(search::search)
                .service(search::similar)
                .service(export::dataset)
                .service(export::dictionary)
                .service(export::report_schema)
                .service(stats::statistics)
                .service(stats::chart)
                .service(stats::technology)
                .service(reports::published)
                .service(receipts::status)
                .service(receipts::amend)
                .service(receipts::withdraw)
                .service(auth::login)
                .service(auth::logout)
                .service(auth::session_login)
                .service(auth::session_info)
                .service(auth::session_logout)
                .service(review::queue)
                .service(review::approve)
                .service(review::reject)
                .service(review::question)
                .service(review::redact)
                .service(review::item)
                .default_service(web::to(not_found)),
        );
}

/// Headers every response carries: no referrer leaves a page, nothing is
/// sniffed or framed, and pages load nothing from elsewhere.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
}

pub use body::DEFAULT_BODY_TIMEOUT;
pub use telemetry::observe;
