//! Liveness and Prometheus metrics.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::AppState;
use crate::store;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Answers once the database answers.
#[utoipa::path(responses((status = 200, body = Health), (status = 503)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .store
        .run(store::has_reports)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus text format.
#[utoipa::path(responses((status = 200, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let counts = state
        .store
        .run(|conn| Ok((store::count_by_status(conn)?, store::last_event_id(conn)?)))
        .await;
    state.metrics.database_up.set(counts.is_ok() as i64);
    if let Ok((counts, logged)) = counts {
        state.metrics.reports.reset();
        for (status, n) in counts {
            state
                .metrics
                .reports
                .with_label_values(&[status.as_str()])
                .set(n);
        }
        state.metrics.events_logged.set(logged);
    }
    if let Ok(Some(applied)) = state.search.index().last_applied_event() {
        state.metrics.events_applied.set(applied);
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render()))
}
