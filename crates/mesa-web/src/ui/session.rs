//! Browser sessions in cookies, and CSRF checks for every form.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::{SESSION_HOURS, Session, same_secret};

use super::UiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "mesa_session";
pub const LOGIN_CSRF_COOKIE: &str = "mesa_login_csrf";

/// The value of cookie `name` in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// `Set-Cookie` for a session-scoped, HttpOnly, SameSite=Lax cookie;
/// `Secure` when Mesa is configured as served over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> (axum::http::HeaderName, HeaderValue) {
    let secure = if secure { "; Secure" } else { "" };
    let header = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    (SET_COOKIE, HeaderValue::from_str(&header).expect("cookie values are ASCII tokens"))
}

pub fn session_cookie(value: &str, secure: bool) -> (axum::http::HeaderName, HeaderValue) {
    set_cookie(SESSION_COOKIE, value, SESSION_HOURS * 3600, secure)
}

/// The signed-in person of a page; without a session, the page redirects
/// to the sign-in form.
pub struct Viewer(pub Session);

pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(ToLogin.into_response()) };
        match state.desk.session(&value).await {
            Ok(Some(session)) if reaches(&session, parts.uri.path()) => Ok(Viewer(session)),
            // A session opened by a ticket link reaches that ticket only:
            // anything else asks for the password.
            Ok(Some(_)) => Err(ToLogin.into_response()),
            Ok(None) => Err(ToLogin.into_response()),
            Err(e) => Err(UiError::from(e).into_response()),
        }
    }
}

/// Whether a session may open `path`: any page, or for a session opened by
/// a ticket link, that ticket's page and its forms (and signing out).
fn reaches(session: &Session, path: &str) -> bool {
    let Some(number) = session.ticket_number else { return true };
    let ticket = format!("/tickets/{number}");
    path == ticket || path == "/logout" || path.strip_prefix(&ticket).is_some_and(|rest| rest.starts_with('/'))
}

impl Viewer {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), UiError> {
        if same_secret(sent, &self.0.csrf_token) { Ok(()) } else { Err(UiError::Csrf) }
    }
}
