//! Reviewer sessions. A token is `<session id>.<secret>`: the id finds the
//! session, the 256-bit secret is checked against its argon2id hash. Tokens
//! expire after the configured lifetime (12 h by default).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{post, web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body;
use super::error::{ApiError, ErrorBody};
use super::ratelimit::Scope;
use super::{client_addr, AppState};
use crate::store::{self, ReviewerSession};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SessionToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized(
        "invalid_credentials",
        "unknown reviewer or wrong password".into(),
    )
}

#[utoipa::path(
    request_body = Login,
    responses((status = 200, body = SessionToken), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody))
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    state.limits.check(Scope::Login, client_addr(&req))?;
    let login: Login = body::json(&req, payload, 4096).await?;
    if login.name.len() > 128 || login.password.len() > 1024 {
        return Err(invalid_credentials());
    }
    let name = login.name.clone();
    let reviewer = state
        .store
        .run(move |conn| store::reviewer_by_name(conn, &name))
        .await?;
    // An unknown name is checked against the dummy hash: same work, same time.
    let ok = state
        .hasher
        .verify(
            login.password,
            reviewer.as_ref().map(|r| r.password_hash.clone()),
        )
        .await;
    let reviewer = match (ok, reviewer) {
        (true, Some(r)) => r,
        _ => return Err(invalid_credentials()),
    };
    let session_id = uuid::Uuid::new_v4().to_string();
    let secret = crate::secrets::random_secret(32);
    let expires_at = chrono::Utc::now().timestamp() + state.session_ttl.as_secs() as i64;
    let session = ReviewerSession {
        id: session_id.clone(),
        reviewer_id: reviewer.id,
        token_hash: state.hasher.hash(secret.clone()).await,
        expires_at,
    };
    state
        .store
        .run(move |conn| store::create_session(conn, &session))
        .await?;
    Ok(HttpResponse::Ok().json(SessionToken {
        token: format!("{session_id}.{secret}"),
        expires_at,
    }))
}

#[utoipa::path(
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody))
)]
#[post("/auth/logout")]
pub async fn logout(
    reviewer: Reviewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = reviewer.session_id;
    state
        .store
        .run(move |conn| store::delete_session(conn, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An authenticated reviewer. Extracting it fails with 401 unless the
/// request carries a live session token.
pub struct Reviewer {
    pub name: String,
    pub session_id: String,
}

fn bearer(req: &HttpRequest) -> Option<(String, String)> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.len() > 256 {
        return None;
    }
    let (id, secret) = token.trim().split_once('.')?;
    Some((id.to_string(), secret.to_string()))
}

fn unauthenticated() -> ApiError {
    ApiError::Unauthorized("unauthenticated", "a reviewer session is required".into())
}

impl FromRequest for Reviewer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Reviewer, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let (session_id, secret) = token.ok_or_else(unauthenticated)?;
            let lookup = session_id.clone();
            let found = state
                .store
                .run(move |conn| store::session(conn, &lookup))
                .await?;
            let now = chrono::Utc::now().timestamp();
            let (hash, name) = match found {
                Some((s, name)) if s.expires_at > now => (Some(s.token_hash), name),
                _ => (None, String::new()),
            };
            if state.hasher.verify(secret, hash).await {
                Ok(Reviewer { name, session_id })
            } else {
                Err(unauthenticated())
            }
        })
    }
}
