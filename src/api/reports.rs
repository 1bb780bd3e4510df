//! Submitting and reading reports: the dry-run preview, the submission, and
//! a published report.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body;
use super::error::{ApiError, ErrorBody};
use super::ratelimit::Scope;
use super::{client_addr, AppState};
use crate::redact::consistency::MapKey;
use crate::redact::leftovers::Leftover;
use crate::redact::{deidentify_with, Deidentified, Finding, Redactor};
use crate::report::completeness::Completeness;
use crate::report::markdown;
use crate::report::submission::MarkdownSubmission;
use crate::report::validate::limits;
use crate::report::{validate, DeclaredTerms, Flag, PublishedReport, ReportContent, Submission};
use crate::store;

/// Parse, validate and de-identify a submission body. The raw submission
/// lives only inside this function and the redactor it returns (which holds
/// the values it replaced, in memory, until the handler drops it).
async fn deidentified(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(Deidentified, Redactor, DeclaredTerms), ApiError> {
    let submission = read_submission(req, payload).await?;
    let valid = validate(submission).map_err(ApiError::Validation)?;
    Ok(deidentify_with(valid))
}

/// A submission body: structured JSON, JSON with a whole Markdown
/// postmortem (`{"markdown", "declared_terms"}`), or a bare
/// `text/markdown` body.
async fn read_submission(req: &HttpRequest, payload: web::Payload) -> Result<Submission, ApiError> {
    match body::media_type(req).as_str() {
        "text/markdown" | "text/x-markdown" => {
            let bytes = body::read_limited(req, payload, limits::BODY_BYTES).await?;
            Ok(markdown::ingest(body::utf8(&bytes)?))
        }
        "application/json" => {
            let bytes = body::read_limited(req, payload, limits::BODY_BYTES).await?;
            let text = body::utf8(&bytes)?;
            let value: serde_json::Value = body::parse_json(text)?;
            if value.get("markdown").is_some() {
                let m: MarkdownSubmission = body::parse_json(text)?;
                let mut s = markdown::ingest(&m.markdown);
                s.declared_terms = m.declared_terms;
                Ok(s)
            } else {
                body::parse_json(text)
            }
        }
        _ => Err(ApiError::UnsupportedMediaType(
            "application/json or text/markdown",
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Preview {
    /// The de-identified submission, without declared terms.
    pub submission: ReportContent,
    pub findings: Vec<Finding>,
    /// Values outside the taxonomy, kept and shown to the reviewer.
    pub flags: Vec<Flag>,
    pub completeness: Completeness,
    /// Tokens that might still identify: declare them, or confirm they are fine.
    pub warnings: Vec<Leftover>,
}

/// Dry run: what would be stored. Stores nothing.
#[utoipa::path(
    request_body(content(
        (Submission = "application/json"),
        (MarkdownSubmission = "application/json"),
        (String = "text/markdown"),
    )),
    responses(
        (status = 200, body = Preview),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
#[post("/redact")]
pub async fn preview(req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let (d, _, _) = deidentified(&req, payload).await?;
    Ok(HttpResponse::Ok().json(Preview {
        warnings: crate::redact::leftovers::leftovers(&d.content),
        submission: d.content,
        findings: d.findings,
        flags: d.flags,
        completeness: d.completeness,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubmissionReceipt {
    pub id: uuid::Uuid,
    /// The secret that proves you sent this report. Shown once; only a hash
    /// is kept, so it cannot be recovered.
    pub receipt: String,
    pub status: store::Status,
    pub findings: Vec<Finding>,
    pub completeness: Completeness,
}

/// Submit a postmortem. It is de-identified before anything is stored and
/// waits for a reviewer.
#[utoipa::path(
    request_body(content(
        (Submission = "application/json"),
        (MarkdownSubmission = "application/json"),
        (String = "text/markdown"),
    )),
    responses(
        (status = 201, body = SubmissionReceipt),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody),
    )
)]
#[post("/reports")]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    state.limits.check(Scope::Submission, client_addr(&req))?;
    let (d, redactor, declared) = deidentified(&req, payload).await?;
    // 32 bytes: 256 bits, well over the 128 the receipt needs.
    let receipt = crate::secrets::random_secret(32);
    let map = redactor.placeholder_map(&MapKey::from_receipt(&receipt), &declared);
    drop((redactor, declared));
    let hash = state
        .hasher
        .hash(receipt.clone())
        .await
        .map_err(|_| ApiError::Busy)?;
    let stored = d.clone();
    let id = state
        .store
        .run(move |conn| store::submit(conn, &stored, &hash, &map))
        .await?;
    Ok(HttpResponse::Created().json(SubmissionReceipt {
        id,
        receipt,
        status: store::Status::Pending,
        findings: d.findings,
        completeness: d.completeness,
    }))
}

/// A published report. Pending, rejected and withdrawn reports are not found.
#[utoipa::path(
    params(("id" = String, Path, description = "report id (UUID)")),
    responses((status = 200, body = PublishedReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/reports/{id}")]
pub async fn published(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let report = state
        .store
        .run(move |conn| store::published(conn, &id))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
