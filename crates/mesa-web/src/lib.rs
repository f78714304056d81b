//! Mesa's HTTP layer: the JSON API under `/api/v1` with its generated
//! OpenAPI document. Handlers parse input, call a `mesa_app` use case and
//! shape the answer; they hold no rules of their own.

#![forbid(unsafe_code)]

mod api;
mod error;
mod extract;
mod limiter;
mod request_log;
mod ui;
mod uniform_errors;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use mesa_app::Desk;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    /// Dates are shown in this zone (default America/Bogota).
    pub timezone: chrono_tz::Tz,
    /// Mark cookies `Secure` (Mesa is served over HTTPS).
    pub secure_cookies: bool,
    pub login_limiter: std::sync::Arc<limiter::LoginLimiter>,
}

impl AppState {
    pub fn new(desk: Desk, timezone: chrono_tz::Tz, secure_cookies: bool) -> Self {
        Self { desk, timezone, secure_cookies, login_limiter: Default::default() }
    }
}

/// JSON bodies larger than this are refused with 413 before parsing.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (api, doc) = documented(state.desk.settings().max_attachment_bytes);
    let doc_json = serde_json::to_string(&doc).expect("the OpenAPI document serialises");
    api.route("/api/v1/openapi.json", get(move || async move { openapi_response(doc_json.clone()) }))
        .merge(ui::routes())
        .fallback(|| async { ApiError::not_found("route") })
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn(uniform_errors::uniform_errors))
        // Outside the error layer, so that the error pages it makes get the headers too.
        .layer(axum::middleware::from_fn(ui::security_headers))
        .layer(axum::middleware::from_fn(request_log::log_request))
        .with_state(state)
}

fn openapi_response(body: String) -> impl axum::response::IntoResponse {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body)
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented(mesa_app::DeskSettings::default().max_attachment_bytes).1
}

/// The API under `/api/v1`, and its document with the error answers every
/// operation's shape implies (`api::contract`).
fn documented(max_attachment_bytes: usize) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api::routes(max_attachment_bytes))
        .split_for_parts();
    utoipa::Modify::modify(&api::contract::ErrorResponses, &mut doc);
    (router, doc)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Mesa API", description = "Help desk for the IT offices of public institutions."),
    modifiers(&SecurityAddon),
    components(schemas(error::ErrorBody)),
    tags((name = "tickets"), (name = "directory"), (name = "users"), (name = "policy"), (name = "routing"), (name = "mail"), (name = "meta"), (name = "vendors"), (name = "assets"), (name = "surveys"), (name = "knowledge"), (name = "maintenance"), (name = "reports"))
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
