//! The review console's API: the queue, one report with its findings and
//! flags, and the decisions. Every route requires a reviewer session.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Reviewer;
use super::body;
use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::redact::deidentify_text;
use crate::report::submission::DeclaredTerms;
use crate::report::validate::validate_reviewer_note;
use crate::store::{self, QueueEntry, ReviewItem};

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Queue {
    pub reports: Vec<QueueEntry>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub id: uuid::Uuid,
    pub status: store::Status,
}

#[utoipa::path(security(("bearer" = [])), responses((status = 200, body = Queue), (status = 401, body = ErrorBody)))]
#[get("/review/queue")]
pub async fn queue(
    _reviewer: Reviewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reports = state.store.run(store::queue).await?;
    Ok(HttpResponse::Ok().json(Queue { reports }))
}

#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    security(("bearer" = [])),
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/review/{id}")]
pub async fn item(
    _reviewer: Reviewer,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let item = state
        .store
        .run(move |conn| store::review_item(conn, &id))
        .await?;
    Ok(HttpResponse::Ok().json(item))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// A reviewer-written synopsis published with the report.
    #[serde(default)]
    pub synopsis: Option<String>,
}

/// Reviewers write text too; it passes the same detectors (e-mails, URLs,
/// addresses) before it is stored.
fn reviewer_text(field: &str, text: &str) -> Result<String, ApiError> {
    validate_reviewer_note(field, text).map_err(ApiError::Validation)?;
    Ok(deidentify_text(field, text, &DeclaredTerms::default()).0)
}

#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    request_body(content = Approval, description = "optional"),
    security(("bearer" = [])),
    responses((status = 200, body = Decision), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
#[post("/review/{id}/approve")]
pub async fn approve(
    reviewer: Reviewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let approval: Option<Approval> = body::optional_json(&req, payload, 16 * 1024).await?;
    let synopsis = match approval.and_then(|a| a.synopsis) {
        Some(s) => Some(reviewer_text("synopsis", &s)?),
        None => None,
    };
    state
        .store
        .run(move |conn| store::approve(conn, &reviewer.name, &id, synopsis.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(Decision {
        id,
        status: store::Status::Published,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Shown to the receipt holder.
    pub reason: String,
}

#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    request_body = Rejection,
    security(("bearer" = [])),
    responses((status = 200, body = Decision), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
#[post("/review/{id}/reject")]
pub async fn reject(
    reviewer: Reviewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let r: Rejection = body::json(&req, payload, 16 * 1024).await?;
    let reason = reviewer_text("reason", &r.reason)?;
    state
        .store
        .run(move |conn| store::reject(conn, &reviewer.name, &id, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(Decision {
        id,
        status: store::Status::Rejected,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Shown to the receipt holder, who answers with an amendment.
    pub question: String,
}

#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    request_body = Question,
    security(("bearer" = [])),
    responses((status = 201, body = Decision), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[post("/review/{id}/questions")]
pub async fn question(
    reviewer: Reviewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let q: Question = body::json(&req, payload, 16 * 1024).await?;
    let question = reviewer_text("question", &q.question)?;
    let status = state
        .store
        .run(move |conn| {
            store::ask(conn, &reviewer.name, &id, &question)?;
            Ok(store::receipt_status(conn, &id)?.status)
        })
        .await?;
    Ok(HttpResponse::Created().json(Decision { id, status }))
}
