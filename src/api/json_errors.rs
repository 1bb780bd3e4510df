//! Errors that actix-web answers by itself under `/api/v1` (a method the
//! route does not take, a path or query its extractor cannot decode) come
//! as plain text or with no body at all. This turns them into the API's
//! JSON error body, with a code named after the status, and drops the
//! original text, which may quote the request.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::HttpResponse;

use super::error::{ErrorBody, ErrorDetail};

fn code(status: StatusCode) -> String {
    match status {
        StatusCode::BAD_REQUEST => "bad_request".into(),
        StatusCode::NOT_FOUND => "not_found".into(),
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed".into(),
        StatusCode::REQUEST_TIMEOUT => "request_timeout".into(),
        StatusCode::LENGTH_REQUIRED => "length_required".into(),
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large".into(),
        StatusCode::URI_TOO_LONG => "uri_too_long".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type".into(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large".into(),
        StatusCode::INTERNAL_SERVER_ERROR => "internal_error".into(),
        other => format!("http_{}", other.as_u16()),
    }
}

fn is_json(res: &ServiceResponse<impl MessageBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

pub fn as_json<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if is_json(&res) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let allow: Option<HeaderValue> = res.headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    if let Some(allow) = allow {
        builder.insert_header((header::ALLOW, allow));
    }
    let message = status
        .canonical_reason()
        .unwrap_or("the request cannot be answered")
        .to_lowercase();
    let body: HttpResponse<BoxBody> = builder.json(ErrorBody {
        error: ErrorDetail {
            code: code(status),
            message,
            fields: Vec::new(),
            position: None,
            hint: None,
        },
    });
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, body).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::ErrorHandlers;
    use actix_web::{test, web, App, HttpResponse};

    #[actix_web::test]
    async fn plain_errors_become_json_and_json_ones_are_kept() {
        let app = test::init_service(
            App::new().service(
                web::scope("/api")
                    .wrap(ErrorHandlers::new().default_handler(super::as_json))
                    .service(web::resource("/plain").route(web::get().to(|| async {
                        HttpResponse::BadRequest().body("Query deserialize error: the input")
                    })))
                    .route(
                        "/json",
                        web::get().to(|| async {
                            HttpResponse::Conflict().json(
                                serde_json::json!({"error": {"code": "conflict", "message": "m"}}),
                            )
                        }),
                    ),
            ),
        )
        .await;
        let res = test::call_service(
            &app,
            test::TestRequest::get().uri("/api/plain").to_request(),
        )
        .await;
        assert_eq!(res.status(), 400);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["error"]["code"], "bad_request");
        assert!(!body.to_string().contains("the input"));
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/api/json").to_request()).await;
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["error"]["code"], "conflict");
        let res = test::call_service(
            &app,
            test::TestRequest::post().uri("/api/plain").to_request(),
        )
        .await;
        assert_eq!(res.status(), 405);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["error"]["code"], "method_not_allowed");
    }
}
