//! What the holder of a receipt can do: read the status (and the reviewer's
//! questions or rejection reason), amend, withdraw. Authorised by
//! `Authorization: Receipt <secret>`; an unknown report and a wrong secret
//! get the same answer after the same work.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::body;
use super::error::{ApiError, ErrorBody};
use super::lockout::Kind as LockKind;
use super::ratelimit::Scope;
use super::{client_addr, AppState};
use crate::redact::consistency::{KnownPlaceholders, MapKey};
use crate::redact::{Finding, Redactor};
use crate::report::validate::{limits, validate_amendment};
use crate::report::AmendmentSubmission;
use crate::store::{self, ReceiptStatus};

fn presented_receipt(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("receipt") && !secret.trim().is_empty() && secret.len() <= 256)
        .then(|| secret.trim().to_string())
}

/// The report id and the receipt, once the receipt checks out.
async fn authorise(
    state: &AppState,
    req: &HttpRequest,
    raw_id: &str,
) -> Result<(Uuid, String), ApiError> {
    state.limits.check(Scope::Receipt, client_addr(req))?;
    let id = body::report_id(raw_id)?;
    let secret = presented_receipt(req).ok_or_else(|| {
        ApiError::Unauthorized(
            "receipt_required",
            "send `Authorization: Receipt <secret>`".into(),
        )
    })?;
    // Refused while this report's receipt is locked, before any check.
    let attempt = state.lockouts.begin(LockKind::Receipt, &id.to_string())?;
    let stored = state
        .store
        .run(move |conn| store::receipt_hash(conn, &id))
        .await?;
    let ok = state
        .hasher
        .verify(secret.clone(), stored)
        .await
        .map_err(|_| ApiError::Busy)?;
    if ok {
        attempt.succeeded();
        Ok((id, secret))
    } else {
        attempt.failed();
        Err(ApiError::Unauthorized(
            "invalid_receipt",
            "no report matches this id and receipt".into(),
        ))
    }
}

#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    security(("receipt" = [])),
    responses((status = 200, body = ReceiptStatus), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody))
)]
#[get("/receipts/{id}")]
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, _) = authorise(&state, &req, &path).await?;
    let status = state
        .store
        .run(move |conn| store::receipt_status(conn, &id))
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AmendmentReceipt {
    pub status: store::Status,
    pub findings: Vec<Finding>,
}

/// A follow-up: an answer to a reviewer's question, a correction, or what
/// was learned later. De-identified with its own declared terms.
#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    request_body = AmendmentSubmission,
    security(("receipt" = [])),
    responses((status = 201, body = AmendmentReceipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/receipts/{id}/amendments")]
pub async fn amend(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (id, receipt) = authorise(&state, &req, &path).await?;
    let amendment: AmendmentSubmission =
        body::json(&req, payload, limits::AMENDMENT_BYTES + 64 * 1024).await?;
    validate_amendment(&amendment).map_err(ApiError::Validation)?;
    let known = state
        .store
        .run(move |conn| store::placeholder_map(conn, &id))
        .await?;
    // The receipt opens the report's placeholder map: values redacted in
    // the submission get the same placeholders here, declared again or not.
    let key = MapKey::from_receipt(&receipt);
    let mut redactor = Redactor::new(&amendment.declared_terms).with_known(KnownPlaceholders::new(
        MapKey::from_receipt(&receipt),
        known,
    ));
    redactor.learn(&[amendment.text.as_str()]);
    let text = redactor.redact("amendment", &amendment.text);
    let findings = redactor.findings();
    let map = redactor.placeholder_map(&key, &amendment.declared_terms);
    drop((redactor, amendment));
    let stored = findings.clone();
    let now = state
        .store
        .run(move |conn| {
            store::amend(conn, &id, &text, &stored, &map)?;
            Ok(store::receipt_status(conn, &id)?.status)
        })
        .await?;
    state.search.wake();
    Ok(HttpResponse::Created().json(AmendmentReceipt {
        status: now,
        findings,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Withdrawn {
    pub status: store::Status,
}

/// Withdraw: the report is deleted from the database (and, once indexed,
/// from the search index).
#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    security(("receipt" = [])),
    responses((status = 200, body = Withdrawn), (status = 401, body = ErrorBody))
)]
#[delete("/receipts/{id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, _) = authorise(&state, &req, &path).await?;
    state
        .store
        .run(move |conn| store::withdraw(conn, &id))
        .await?;
    // The submitter asked for the report to go: out of the log too.
    let store = state.store.clone();
    let _ = tokio::task::spawn_blocking(move || store.purge_log()).await;
    state.search.wake();
    Ok(HttpResponse::Ok().json(Withdrawn {
        status: store::Status::Withdrawn,
    }))
}
