//! Signing in and out, and the profile (password, language).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::new_token;
use mesa_core::labels::Lang;
use serde::Deserialize;

use super::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, Viewer, cookie, session_cookie, set_cookie};
use super::{Chrome, Tr, UiError, UiResult, page};
use crate::AppState;
use crate::extract::ClientAddr;

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match cookie(&headers, SESSION_COOKIE) {
        Some(value) if matches!(state.desk.session(&value).await, Ok(Some(_))) => {
            Redirect::to("/tickets").into_response()
        }
        _ => Redirect::to("/login").into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    error: Option<&'static str>,
    email: String,
}

fn login_page(state: &AppState, error: Option<&'static str>, email: String) -> Response {
    // Before signing in there is no session to hold the CSRF token: the
    // form carries a copy of a cookie (double submit).
    let csrf = new_token();
    let tr = Tr::plain(Lang::Es);
    let cookie = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies);
    ([cookie], page(&LoginPage { error: error.map(|k| tr.t(k)), tr, csrf, email })).into_response()
}

pub async fn form(State(state): State<AppState>) -> Response {
    login_page(&state, None, String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !mesa_app::same_secret(&form.csrf, &expected) {
        return UiError::Csrf.into_response();
    }
    if state.login_limiter.check(&form.email, client).is_err() {
        return login_page(&state, Some("ui.login.too_many"), form.email);
    }
    match state.desk.sign_in(&form.email, &form.password).await {
        Ok(Some(session)) => {
            state.login_limiter.succeeded(&form.email);
            ([session_cookie(&session, state.secure_cookies)], Redirect::to("/tickets")).into_response()
        }
        Ok(None) => {
            // Spraying is logged by the limiter (target `security`).
            state.login_limiter.failed(&form.email, client);
            login_page(&state, Some("ui.login.wrong"), form.email)
        }
        Err(e) => UiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        state.desk.sign_out(&value).await?;
    }
    Ok(([set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies)], Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    email: String,
    role: String,
    phone: String,
    message: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    done: Option<String>,
    phone: Option<String>,
    error: Option<String>,
}

pub async fn profile(viewer: Viewer, axum::extract::Query(q): axum::extract::Query<ProfileQuery>) -> Response {
    let c = Chrome::new(&viewer.0, "ui.profile.title", "profile");
    let tr = c.tr.clone();
    let message = q.done.map(|_| tr.t("ui.profile.saved")).or(q.phone.map(|_| tr.t("ui.profile.phone_saved")));
    let error = q.error.map(|e| match e.as_str() {
        "phone" => format!("{}: {}", tr.t("ui.field.phone"), tr.t("ui.error.too_long")),
        "too_many" => tr.t("ui.login.too_many").to_owned(),
        _ => tr.t("ui.profile.password_error").to_owned(),
    });
    let role = tr.label(&viewer.0.user.role);
    let phone = viewer.0.user.phone.clone().unwrap_or_default();
    page(&ProfilePage { email: viewer.0.user.email.to_string(), role, phone, message, error, c })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    // The current-password check is a sign-in too: a session left open must
    // not become a way to guess the password without limits.
    let email = viewer.0.user.email.to_string();
    if state.login_limiter.check(&email, client).is_err() {
        return Ok(Redirect::to("/profile?error=too_many").into_response());
    }
    match state.desk.change_password(&viewer.0.user, &form.current_password, &form.new_password).await {
        Ok(()) => {
            state.login_limiter.succeeded(&email);
            Ok(Redirect::to("/login").into_response())
        }
        Err(mesa_app::AppError::Invalid(f)) => {
            if f.field == "current_password" {
                state.login_limiter.failed(&email, client);
            }
            Ok(Redirect::to("/profile?error=password").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
}

/// Anyone may change their own contact phone.
pub async fn change_phone(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PhoneForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let phone = Some(form.phone.trim().to_owned()).filter(|p| !p.is_empty());
    let changes = mesa_app::PersonChanges { phone: Some(phone), ..Default::default() };
    match state.desk.change_person(&viewer.0.actor, viewer.0.user.email.as_str(), changes).await {
        Ok(_) => Ok(Redirect::to("/profile?phone=1").into_response()),
        Err(mesa_app::AppError::Invalid(_)) => Ok(Redirect::to("/profile?error=phone").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    language: String,
}

pub async fn change_language(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LanguageForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    state.desk.set_language(viewer.0.user.id, Lang::from_code(&form.language)).await?;
    Ok(Redirect::to("/profile?done=1").into_response())
}
