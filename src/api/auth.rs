//! Reviewer sessions. A token is `<session id>.<secret>`: the id finds the
//! session, the 256-bit secret is checked against its argon2id hash. Tokens
//! expire after the configured lifetime (12 h by default).
//!
//! API clients send the token as `Authorization: Bearer`. The review pages
//! get the same token in an HttpOnly, SameSite=Strict cookie for `/api/v1`
//! (Secure when the request came over TLS) that scripts cannot read, from
//! `POST /auth/session`. A cookie rides along on requests the page did not
//! mean to make, so every state change authenticated by the cookie must
//! also carry the session's CSRF token in `X-CSRF-Token`: an HMAC of a fixed
//! label under the session secret, handed to the page in the login answer
//! and by `GET /auth/session` (readable by same-origin scripts only). It
//! needs no storage, dies with the session, and cannot be derived without
//! the secret. A bearer token is never sent by a browser on its own, so
//! bearer requests need no CSRF token.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{delete, get, post, web, FromRequest, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::body;
use super::error::{ApiError, ErrorBody};
use super::lockout::Kind as LockKind;
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

/// The cookie that carries a reviewer session for the web pages.
pub const SESSION_COOKIE: &str = "nearmiss_session";
/// The header that must echo the CSRF token on state changes made with the
/// session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A cookie-held session as the page sees it: never the token itself.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CookieSession {
    pub name: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Send as `X-CSRF-Token` with every POST, PUT, PATCH or DELETE.
    pub csrf_token: String,
}

/// The CSRF token of the session whose secret is `secret`.
fn csrf_token(secret: &str) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"nearmiss review csrf v1");
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
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
    let opened = open_session(&state, &req, payload).await?;
    Ok(HttpResponse::Ok().json(SessionToken {
        token: opened.token,
        expires_at: opened.expires_at,
    }))
}

struct OpenedSession {
    name: String,
    token: String,
    secret: String,
    expires_at: i64,
}

/// Check a `Login` body and start a session (rate-limited per client).
async fn open_session(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<OpenedSession, ApiError> {
    state.limits.check(Scope::Login, client_addr(req))?;
    let creds: Login = body::json(req, payload, 4096).await?;
    if creds.name.len() > 128 || creds.password.len() > 1024 {
        return Err(invalid_credentials());
    }
    // Refused while this name is locked, before any password is checked.
    let attempt = state.lockouts.begin(LockKind::Reviewer, &creds.name)?;
    let name = creds.name.clone();
    let reviewer = state
        .store
        .run(move |conn| store::reviewer_by_name(conn, &name))
        .await?;
    // An unknown name is checked against the dummy hash: same work, same time.
    let ok = state
        .hasher
        .verify(
            creds.password,
            reviewer.as_ref().map(|r| r.password_hash.clone()),
        )
        .await
        .map_err(|_| ApiError::Busy)?;
    let reviewer = match (ok, reviewer) {
        (true, Some(r)) => {
            attempt.succeeded();
            r
        }
        _ => {
            attempt.failed();
            return Err(invalid_credentials());
        }
    };
    let session_id = uuid::Uuid::new_v4().to_string();
    let secret = crate::secrets::random_secret(32);
    let expires_at = chrono::Utc::now().timestamp() + state.session_ttl.as_secs() as i64;
    let session = ReviewerSession {
        id: session_id.clone(),
        reviewer_id: reviewer.id,
        token_hash: state
            .hasher
            .hash(secret.clone())
            .await
            .map_err(|_| ApiError::Busy)?,
        expires_at,
    };
    state
        .store
        .run(move |conn| store::create_session(conn, &session))
        .await?;
    Ok(OpenedSession {
        name: reviewer.name,
        token: format!("{session_id}.{secret}"),
        secret,
        expires_at,
    })
}

/// `Set-Cookie` for the session cookie; an empty value with `Max-Age=0`
/// removes it. Only the API needs it, so pages and assets never carry it.
fn session_cookie(req: &HttpRequest, value: &str, max_age: i64) -> String {
    let secure = if req.connection_info().scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={value}; Path=/api/v1; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    )
}

/// Log in for the web pages: the session token goes into an HttpOnly
/// cookie, and the answer carries the CSRF token instead of the session
/// token.
#[utoipa::path(
    request_body = Login,
    responses((status = 200, body = CookieSession), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody))
)]
#[post("/auth/session")]
pub async fn session_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let opened = open_session(&state, &req, payload).await?;
    let max_age = opened.expires_at - chrono::Utc::now().timestamp();
    Ok(HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            session_cookie(&req, &opened.token, max_age.max(0)),
        ))
        .json(CookieSession {
            name: opened.name,
            expires_at: opened.expires_at,
            csrf_token: csrf_token(&opened.secret),
        }))
}

/// The current session (cookie or bearer) and its CSRF token, for a page
/// that was reloaded.
#[utoipa::path(
    responses((status = 200, body = CookieSession), (status = 401, body = ErrorBody))
)]
#[get("/auth/session")]
pub async fn session_info(reviewer: Reviewer) -> HttpResponse {
    HttpResponse::Ok().json(CookieSession {
        name: reviewer.name,
        expires_at: reviewer.expires_at,
        csrf_token: reviewer.csrf_token,
    })
}

/// Log out of the web pages: the session ends and the cookie is removed.
#[utoipa::path(
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
#[delete("/auth/session")]
pub async fn session_logout(
    reviewer: Reviewer,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = reviewer.session_id;
    state
        .store
        .run(move |conn| store::delete_session(conn, &id))
        .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::SET_COOKIE, session_cookie(&req, "", 0)))
        .finish())
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
/// request carries a live session token (bearer or cookie), and with 403
/// when a state change authenticated by the cookie lacks the CSRF token.
pub struct Reviewer {
    pub name: String,
    pub session_id: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub csrf_token: String,
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

/// The session token in the cookie, if any.
fn cookie(req: &HttpRequest) -> Option<(String, String)> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .filter(|(_, token)| token.len() <= 256)
        .and_then(|(_, token)| token.split_once('.'))
        .map(|(id, secret)| (id.to_string(), secret.to_string()))
}

/// Methods that change nothing; everything else needs the CSRF token when
/// the session comes from the cookie.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn csrf_matches(req: &HttpRequest, secret: &str) -> bool {
    let sent = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expected = csrf_token(secret);
    sent.len() == expected.len() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

fn unauthenticated() -> ApiError {
    ApiError::Unauthorized("unauthenticated", "a reviewer session is required".into())
}

impl FromRequest for Reviewer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Reviewer, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = match bearer(req) {
            Some(t) => Ok(Some(t)),
            None => match cookie(req) {
                Some((id, secret)) if is_safe(req.method()) || csrf_matches(req, &secret) => {
                    Ok(Some((id, secret)))
                }
                Some(_) => Err(ApiError::Forbidden(
                    "csrf_token_invalid",
                    "a change made with the session cookie needs the session's CSRF token in X-CSRF-Token".into(),
                )),
                None => Ok(None),
            },
        };
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let (session_id, secret) = token?.ok_or_else(unauthenticated)?;
            let lookup = session_id.clone();
            let found = state
                .store
                .run(move |conn| store::session(conn, &lookup))
                .await?;
            let now = chrono::Utc::now().timestamp();
            // Session ids are random UUIDs: that one does not exist (or has
            // expired) tells nobody anything, so no argon2 work is spent on
            // it, and a flood of made-up tokens costs the server nothing.
            let (hash, name, expires_at) = match found {
                Some((s, name)) if s.expires_at > now => (s.token_hash, name, s.expires_at),
                _ => return Err(unauthenticated()),
            };
            let csrf_token = csrf_token(&secret);
            let ok = state
                .hasher
                .verify(secret, Some(hash))
                .await
                .map_err(|_| ApiError::Busy)?;
            if ok {
                Ok(Reviewer {
                    name,
                    session_id,
                    expires_at,
                    csrf_token,
                })
            } else {
                Err(unauthenticated())
            }
        })
    }
}
