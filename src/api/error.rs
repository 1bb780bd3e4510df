//! One error type for every handler, mapped to a status and a snake_case
//! code in one place. 500s are opaque: the cause is logged (without request
//! data), never sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::report::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{1}")]
    BadRequest(&'static str, String),
    #[error("the query does not parse: {message}")]
    QuerySyntax {
        message: String,
        position: Option<usize>,
        hint: String,
    },
    #[error("the submission is not valid")]
    Validation(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("{1}")]
    Unauthorized(&'static str, String),
    /// Authenticated, but the request may not do this (a missing CSRF token).
    #[error("{1}")]
    Forbidden(&'static str, String),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("expected content type {0}")]
    UnsupportedMediaType(&'static str),
    #[error("too many requests; try again later")]
    RateLimited,
    /// Too many failed attempts for one reviewer or receipt; refused
    /// without checking for this many more seconds.
    #[error("too many failed attempts; try again in {0} seconds")]
    LockedOut(u64),
    /// Every argon2 slot and its queue are taken.
    #[error("the server is busy; try again in a moment")]
    Busy,
    #[error("the request body arrived too slowly")]
    RequestTimeout,
    #[error("the registry is temporarily unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// Field-level messages, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For a query that does not parse: the character offset where parsing
    /// failed, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// For a query that does not parse: how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(code, _)
            | ApiError::Unauthorized(code, _)
            | ApiError::Forbidden(code, _) => code,
            ApiError::Validation(_) => "validation_failed",
            ApiError::QuerySyntax { .. } => "query_syntax",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::RateLimited => "rate_limited",
            ApiError::LockedOut(_) => "locked_out",
            ApiError::Busy => "busy",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            e if e.is_unavailable() => {
                tracing::warn!(cause = %e, "database unavailable");
                ApiError::Unavailable
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(..) | ApiError::QuerySyntax { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(..) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited | ApiError::LockedOut(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            // The cause comes from the store or a serialiser, never from the
            // request body, so it is safe to log.
            tracing::error!(%cause, "internal error");
        }
        let fields = match self {
            ApiError::Validation(f) => f.clone(),
            _ => Vec::new(),
        };
        let message = match self {
            ApiError::Validation(f) => {
                let first = f
                    .first()
                    .map(|e| format!(": {} {}", e.field, e.message))
                    .unwrap_or_default();
                format!("the submission is not valid{first}")
            }
            other => other.to_string(),
        };
        let (position, hint) = match self {
            ApiError::QuerySyntax { position, hint, .. } => (*position, Some(hint.clone())),
            _ => (None, None),
        };
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            ApiError::RateLimited => {
                resp.insert_header(("Retry-After", "60"));
            }
            ApiError::LockedOut(seconds) => {
                resp.insert_header(("Retry-After", seconds.max(&1).to_string()));
            }
            ApiError::Busy => {
                resp.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        if matches!(self, ApiError::Unavailable) {
            resp.insert_header(("Retry-After", "5"));
        }
        resp.json(ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message,
                fields,
                position,
                hint,
            },
        })
    }
}
