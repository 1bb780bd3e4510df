//! The review console's API: the queue, one report with its findings and
//! flags, and the decisions. Every route requires a reviewer session.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Reviewer;
use super::body;
use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::redact::{deidentify_text, Finding, Redactor};
use crate::report::submission::DeclaredTerms;
use crate::report::validate::{validate_declared_terms, validate_reviewer_note};
use crate::store::{self, QueueEntry, ReviewItem};

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Queue {
    pub reports: Vec<QueueEntry>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub id: uuid::Uuid,
    pub status: store::Status,
    /// On approval: what the k-anonymity check found and generalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymity: Option<store::cohort::Anonymity>,
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
    let k = state.stats_k;
    let item = state
        .store
        .run(move |conn| store::review_item(conn, &id, k))
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
    let k = state.stats_k;
    let anonymity = state
        .store
        .run(move |conn| store::approve(conn, &reviewer.name, &id, synopsis.as_deref(), k))
        .await?;
    state.search.wake();
    Ok(HttpResponse::Ok().json(Decision {
        id,
        status: store::Status::Published,
        anonymity: Some(anonymity),
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
        anonymity: None,
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
    Ok(HttpResponse::Created().json(Decision {
        id,
        status,
        anonymity: None,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraRedaction {
    /// Terms to redact everywhere in the report and its amendments, like
    /// declared terms, with placeholders consistent with those already there.
    pub terms: DeclaredTerms,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ExtraRedactionResult {
    pub id: uuid::Uuid,
    pub findings: Vec<Finding>,
}

#[utoipa::path(
    params(("id" = String, Path, description = "report id")),
    request_body = ExtraRedaction,
    security(("bearer" = [])),
    responses((status = 200, body = ExtraRedactionResult), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[post("/review/{id}/redact")]
pub async fn redact(
    reviewer: Reviewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let extra: ExtraRedaction = body::json(&req, payload, 64 * 1024).await?;
    validate_declared_terms(&extra.terms).map_err(ApiError::Validation)?;
    if extra.terms.is_empty() {
        return Err(ApiError::Validation(vec![crate::report::FieldError {
            field: "terms".into(),
            message: "name at least one term".into(),
        }]));
    }
    let terms = extra.terms;
    let findings = state
        .store
        .run(move |conn| {
            store::redact_more(conn, &reviewer.name, &id, |content, amendments| {
                let mut all: Vec<String> = content
                    .texts_mut()
                    .iter()
                    .map(|(_, t)| t.to_string())
                    .collect();
                all.extend(amendments.iter().cloned());
                let mut r = Redactor::new(&terms)
                    .continue_after(&all.iter().map(String::as_str).collect::<Vec<_>>());
                for (field, text) in content.texts_mut() {
                    *text = r.redact_terms_only(&field, text);
                }
                for a in amendments.iter_mut() {
                    *a = r.redact_terms_only("amendment", a);
                }
                r.findings()
            })
        })
        .await?;
    // The text before this redaction must not stay on disk: not in the
    // write-ahead log, nor in the database page the log has not yet
    // overwritten.
    let store = state.store.clone();
    let _ = tokio::task::spawn_blocking(move || store.purge_log()).await;
    state.search.wake();
    Ok(HttpResponse::Ok().json(ExtraRedactionResult { id, findings }))
}
