//! Reading request bodies: a size limit enforced while streaming, the
//! content type checked, UTF-8 checked, and JSON parsed strictly with the
//! path of the offending field in the error. Nothing from the body is ever
//! echoed into an error message or a log beyond the field path.

use actix_web::{web, HttpRequest};
use std::time::Duration;

use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::report::parse::{self, ParseError};

/// How long a whole request body may take to arrive when the application
/// state does not say.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// The body, at most `limit` bytes, arriving within the body timeout: a
/// client that trickles its body is cut off with 408 instead of holding a
/// connection and a buffer for as long as it likes.
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        // Refused before a byte of it is read.
        return Err(ApiError::TooLarge(limit));
    }
    let timeout = req
        .app_data::<web::Data<super::AppState>>()
        .map_or(DEFAULT_BODY_TIMEOUT, |s| s.body_timeout);
    let read = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::BadRequest("bad_body", "the request body could not be read".into())
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| ApiError::RequestTimeout)?
}

/// The media type of the request, lowercased, without parameters.
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

pub fn utf8(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|e| {
        ApiError::BadRequest(
            "invalid_utf8",
            format!(
                "the request body is not valid UTF-8 (byte {})",
                e.valid_up_to()
            ),
        )
    })
}

pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    parse::parse_json(text).map_err(|e| match e {
        ParseError::Syntax(_) => ApiError::BadRequest("malformed_json", e.to_string()),
        ParseError::Field(_) => ApiError::BadRequest("invalid_field", e.to_string()),
    })
}

/// A JSON body of type `T`, with every check above.
pub async fn json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    if media_type(req) != "application/json" {
        return Err(ApiError::UnsupportedMediaType("application/json"));
    }
    let bytes = read_limited(req, payload, limit).await?;
    parse_json(utf8(&bytes)?)
}

/// Like `json`, but an empty body is `None` (for optional request bodies).
pub async fn optional_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Option<T>, ApiError> {
    let bytes = read_limited(req, payload, limit).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if media_type(req) != "application/json" {
        return Err(ApiError::UnsupportedMediaType("application/json"));
    }
    parse_json(utf8(&bytes)?).map(Some)
}

pub fn report_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map_err(|_| ApiError::BadRequest("invalid_id", "report ids are UUIDs".into()))
}
