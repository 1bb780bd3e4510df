//! The OpenAPI document, generated from the handlers' annotations.

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{auth, export, receipts, reports, review, search, stats};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "receipt",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Receipt <secret>`, the secret returned once by POST /api/v1/reports",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "nearmiss", description = "An anonymous registry of software incident reports"),
    servers((url = "/api/v1")),
    paths(
        reports::preview, reports::submit, reports::published,
        search::search, search::similar,
        stats::statistics, stats::chart, stats::technology,
        export::dataset, export::dictionary, export::report_schema,
        receipts::status, receipts::amend, receipts::withdraw,
        auth::login, auth::logout,
        auth::session_login, auth::session_info, auth::session_logout,
        review::queue, review::item, review::approve, review::reject, review::question, review::redact,
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

#[utoipa::path(responses((status = 200, description = "this document")))]
#[get("/openapi.json")]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
