//! Request telemetry that cannot identify a submitter: a counter and a
//! latency histogram per route pattern (never the concrete path, the query,
//! the client address, the user agent or the referrer), and log lines only
//! for server errors. Per-request log lines would carry the time a
//! submission arrived, which the registry promises never to keep.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub reports: IntGaugeVec,
    /// The newest `index_events` id in the database, and the newest this
    /// instance's index has applied: their difference is how far search
    /// lags behind the registry (every instance of a deployment has its
    /// own).
    pub events_logged: IntGauge,
    pub events_applied: IntGauge,
    /// 1 while the database answers, 0 when the last attempt failed.
    pub database_up: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "nearmiss_http_requests_total",
                "HTTP requests by route pattern and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "nearmiss_http_request_duration_seconds",
                "HTTP request latency by route pattern",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let reports = IntGaugeVec::new(
            Opts::new("nearmiss_reports", "Reports in the registry by status"),
            &["status"],
        )
        .expect("valid metric");
        let events_logged = IntGauge::new(
            "nearmiss_index_events_logged",
            "Newest change recorded in the database for the search index",
        )
        .expect("valid metric");
        let events_applied = IntGauge::new(
            "nearmiss_index_events_applied",
            "Newest change this instance's search index has applied",
        )
        .expect("valid metric");
        let database_up = IntGauge::new(
            "nearmiss_database_up",
            "1 when the database answered the last metrics scrape",
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(reports.clone()),
            Box::new(events_logged.clone()),
            Box::new(events_applied.clone()),
            Box::new(database_up.clone()),
        ] {
            registry.register(c).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            reports,
            events_logged,
            events_applied,
            database_up,
        }
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("text encoding of gathered metrics");
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let metrics = req
        .app_data::<actix_web::web::Data<super::AppState>>()
        .cloned();
    let res = next.call(req).await?;
    let status = res.status();
    if let Some(state) = metrics {
        let m = &state.metrics;
        m.requests
            .with_label_values(&[method.as_str(), route.as_str(), status.as_str()])
            .inc();
        m.latency
            .with_label_values(&[route.as_str()])
            .observe(started.elapsed().as_secs_f64());
    }
    if status.is_server_error() {
        tracing::error!(%method, %route, status = status.as_u16(), "request failed");
    } else {
        tracing::debug!(%method, %route, status = status.as_u16(), "request");
    }
    Ok(res)
}
