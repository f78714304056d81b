//! The HTML interface: requester portal, agent workspace, administration.
//! Server-rendered with compile-time checked templates (askama); every text
//! comes from the i18n catalogs; every form carries a CSRF token.

mod accounts;
mod admin;
mod admin_calendar;
mod admin_mail;
mod admin_routing;
mod format;
mod knowledge;
mod login;
mod qr;
// Reports (issue 17).
mod reports;
// Indicators and improvement actions (issue 17).
mod indicators;
// The institution's name and logo on documents (issue 17).
mod admin_institution;
mod routing;
mod session;
mod surveys;
mod tickets;
// Vendors, contracts and assets (issue 15).
mod vendors;
// Maintenance plans and logbooks (issue 17).
mod maintenance;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use mesa_app::{AppError, Session};
use mesa_core::labels::{Lang, text};

use crate::AppState;

pub use format::Tr;
pub(crate) use surveys::link_base;

/// What every page's frame needs: language, who is signed in, the CSRF token.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub user_name: String,
    pub is_staff: bool,
    pub is_admin: bool,
    pub csrf: String,
    /// The navigation entry to highlight.
    pub nav: &'static str,
}

impl Chrome {
    pub fn new(session: &Session, title_key: &str, nav: &'static str) -> Chrome {
        let tr = Tr::new(session.user.language, session.words.clone());
        Chrome {
            title: tr.t(title_key).to_owned(),
            tr,
            user_name: session.user.name.clone(),
            is_staff: session.actor.role.is_staff(),
            is_admin: session.actor.can_manage_users(),
            csrf: session.csrf_token.clone(),
            nav,
        }
    }
}

/// Renders a template as a page with Mesa's security headers.
pub fn page(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page that could not be shown, as a small HTML page (Spanish; the
/// session's language is unknown on this path).
#[derive(Debug)]
pub enum UiError {
    App(AppError),
    Csrf,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        UiError::App(e)
    }
}

impl From<mesa_core::validate::FieldError> for UiError {
    fn from(e: mesa_core::validate::FieldError) -> Self {
        UiError::App(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    title: &'static str,
    message: &'static str,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (status, key) = match &self {
            UiError::Csrf => (StatusCode::FORBIDDEN, "ui.error.csrf"),
            UiError::App(AppError::NotFound(_)) => (StatusCode::NOT_FOUND, "ui.error.not_found"),
            UiError::App(AppError::Forbidden(_)) => (StatusCode::FORBIDDEN, "ui.error.forbidden"),
            UiError::App(AppError::Unauthenticated) => (StatusCode::UNAUTHORIZED, "ui.error.forbidden"),
            UiError::App(AppError::Invalid(_) | AppError::Conflict { .. } | AppError::TooLarge { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "ui.error.invalid")
            }
            UiError::App(e) => {
                tracing::error!(error = %e, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "ui.error.internal")
            }
        };
        error_page(status, key)
    }
}

/// The error page (Spanish; the session's language is unknown on this path).
fn error_page(status: StatusCode, key: &str) -> Response {
    let tr = Tr::plain(Lang::Es);
    let body = ErrorPage { tr, title: text(Lang::Es, "ui.error.title"), message: text(Lang::Es, key) };
    (status, page(&body)).into_response()
}

/// The error page for an answer that came without one (the router's 404 and
/// 405, an extractor's rejection, a timeout).
pub(crate) fn status_page(status: StatusCode) -> Response {
    let key = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "ui.error.not_found",
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "ui.error.forbidden",
        StatusCode::PAYLOAD_TOO_LARGE => "ui.error.too_large",
        StatusCode::REQUEST_TIMEOUT => "ui.error.timeout",
        StatusCode::TOO_MANY_REQUESTS => "ui.error.too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "ui.error.unavailable",
        s if s.is_client_error() => "ui.error.invalid",
        _ => "ui.error.internal",
    };
    error_page(status, key)
}

pub type UiResult<T> = Result<T, UiError>;

/// A restrictive policy for every HTML page: only Mesa's own scripts,
/// styles and images; no framing; forms post only to Mesa.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the page policy to every HTML answer that has not set a stricter one
/// of its own: an attached file (an uploaded `.html` included) and a mail's
/// formatted view keep their `sandbox` policy.
pub(crate) async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        let h = res.headers_mut();
        h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

const CSS: &str = include_str!("../../assets/mesa.css");
const JS: &str = include_str!("../../assets/mesa.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        body,
    )
        .into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/password-reset", get(accounts::reset_form).post(accounts::reset_submit))
        .route("/links/{token}", get(accounts::link_form).post(accounts::link_submit))
        .route("/profile", get(login::profile))
        .route("/profile/password", post(login::change_password))
        .route("/profile/language", post(login::change_language))
        .route("/profile/phone", post(login::change_phone))
        .route("/dashboard", get(tickets::dashboard))
        .route("/tickets", get(tickets::list))
        .route("/tickets/bulk", post(tickets::bulk))
        .route("/tickets/new", get(tickets::new_form).post(tickets::create))
        .route("/tickets/{number}", get(tickets::show))
        .route("/tickets/{number}/reply", post(tickets::reply))
        .route("/tickets/{number}/assign", post(tickets::assign))
        .route("/tickets/{number}/status", post(tickets::change_status))
        .route("/tickets/{number}/files", post(tickets::upload))
        .route("/files/{id}", get(tickets::file))
        .route("/admin", get(admin::index))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/edit", post(admin::edit_user))
        .route("/admin/directory/edit", post(admin::edit_item))
        .route("/admin/services/edit", post(admin::edit_service))
        .route("/admin/words", post(admin::save_words))
        .route("/admin/settings", post(admin::settings))
        .route("/admin/directory", post(admin::add_item))
        .route("/admin/services", post(admin::add_service))
        .route("/admin/calendars", get(admin_calendar::index).post(admin_calendar::save))
        .route("/admin/institution", get(admin_institution::index).post(admin_institution::save_name))
        .route("/admin/institution/logo", post(admin_institution::save_logo))
        .route("/admin/institution/logo.png", get(admin_institution::logo))
        .route("/admin/routing", get(admin_routing::index))
        .route("/admin/routing/place", post(admin_routing::place))
        .route("/admin/routing/service", post(admin_routing::service))
        .route("/admin/routing/competences", post(admin_routing::competences))
        .route("/admin/routing/absence", post(admin_routing::add_absence))
        .route("/admin/routing/absence/delete", post(admin_routing::delete_absence))
        .route("/admin/routing/settings", post(admin_routing::settings))
        .route("/tickets/{number}/level", post(routing::change_level))
        .route("/tickets/{number}/authorization", post(routing::authorization))
        .route("/admin/mail", get(admin_mail::index))
        .route("/admin/mail/settings", post(admin_mail::save_settings))
        .route("/admin/mail/mailboxes", post(admin_mail::save_mailbox))
        .route("/admin/mail/mailboxes/delete", post(admin_mail::delete_mailbox))
        .route("/admin/mail/templates", post(admin_mail::save_templates))
        .route("/admin/mail/release", post(admin_mail::release))
        .route("/admin/mail/raw/{id}", get(admin_mail::raw))
        .route("/admin/vendors", get(vendors::index))
        // Surveys and knowledge (issue 16).
        .route("/s/{token}", get(surveys::form).post(surveys::submit))
        .route("/s/{token}/qr.svg", get(surveys::qr_svg))
        .route("/s/{token}/qr.png", get(surveys::qr_png))
        .route("/tickets/{number}/survey", get(knowledge::ticket_survey))
        .route("/kb", get(knowledge::kb))
        .route("/kb/{id}", get(knowledge::article))
        .route("/lessons", get(knowledge::lessons))
        .route("/lessons/{id}/decision", post(knowledge::decide))
        // Maintenance plans and logbooks (issue 17).
        .route("/maintenance", get(maintenance::index))
        .route("/maintenance/calendar", get(maintenance::calendar))
        .route("/maintenance/plans", post(maintenance::create))
        .route("/maintenance/plans/new", get(maintenance::new_form))
        .route("/maintenance/plans/{id}", get(maintenance::edit_form).post(maintenance::update))
        .route("/logbooks/{item}", get(maintenance::logbook).post(maintenance::add_entry))
        .route("/reports", get(reports::index))
        .route("/reports/summary.csv", get(reports::summary_csv))
        .route("/reports/summary.xlsx", get(reports::summary_xlsx))
        .route("/reports/summary.pdf", get(reports::summary_pdf))
        // Indicators and improvement actions (issue 17).
        .route("/indicators", get(indicators::index).post(indicators::create_indicator))
        .route("/indicators/actions", post(indicators::create_action))
        .route("/indicators/actions/{id}/status", post(indicators::move_action))
        .route("/assets/mesa.css", get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/assets/mesa.js", get(|| async { asset("text/javascript; charset=utf-8", JS) }))
}
