//! Pages reached without a password: asking for a password link, and the
//! page every mailed link opens (choose a password, approve or reject a
//! solution, continue to one ticket). A link's page shows a form first and
//! acts only on POST, so a mail scanner that opens links spends nothing.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use mesa_app::{AppError, DeadLink, LinkView, new_token};
use mesa_core::account::LinkPurpose;
use mesa_core::labels::Lang;
use serde::Deserialize;

use super::session::{LOGIN_CSRF_COOKIE, cookie, session_cookie, set_cookie};
use super::{Tr, UiError, page};
use crate::AppState;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    tr: Tr,
    title: &'static str,
    help: Option<&'static str>,
    notice: Option<&'static str>,
    error: Option<String>,
    ticket: Option<String>,
    /// The one form the page shows: `request` (ask for a password link),
    /// `password`, `approve`, `reject`, `continue` (to one ticket) or `none`.
    form: &'static str,
    /// What was typed in the form (an address, a reason).
    typed: String,
    /// Where the form posts.
    action: String,
    csrf: String,
}

impl AccountPage {
    fn new(tr: Tr, title_key: &str, form: &'static str) -> AccountPage {
        AccountPage {
            title: tr.t(title_key),
            tr,
            help: None,
            notice: None,
            error: None,
            ticket: None,
            form,
            typed: String::new(),
            action: String::new(),
            csrf: String::new(),
        }
    }
}

fn tr() -> Tr {
    Tr::plain(Lang::Es)
}

/// The request form, with a fresh double-submit CSRF token (as sign-in).
fn request_page(state: &AppState, email: String, notice: Option<&'static str>) -> Response {
    let csrf = new_token();
    let tr = tr();
    let mut p = AccountPage::new(tr.clone(), "ui.reset.title", "request");
    p.typed = email;
    p.help = Some(tr.t("ui.reset.help"));
    p.notice = notice;
    p.csrf = csrf.clone();
    ([set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies)], page(&p)).into_response()
}

pub async fn reset_form(State(state): State<AppState>) -> Response {
    request_page(&state, String::new(), None)
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

/// Same answer for every address; the mail (if any) is queued after it.
pub async fn reset_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<ResetForm>) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !mesa_app::same_secret(&f.csrf, &expected) {
        return UiError::Csrf.into_response();
    }
    crate::api::spawn_password_mail(&state, f.email);
    request_page(&state, String::new(), Some(tr().t("ui.reset.sent")))
}

fn dead_page() -> Response {
    let tr = tr();
    let mut p = AccountPage::new(tr.clone(), "ui.link.title", "none");
    p.error = Some(tr.t("ui.link.dead").to_owned());
    (StatusCode::GONE, page(&p)).into_response()
}

/// The page of a link, for what it opens (nothing is spent yet).
fn link_page(token: &str, view: &LinkView, error: Option<String>, typed: String) -> Response {
    let tr = match view {
        LinkView::Password { user, .. } => Tr::plain(user.language),
        _ => tr(),
    };
    let mut p = match view {
        LinkView::Password { first_time, .. } => {
            let title = if *first_time { "ui.link.password_first" } else { "ui.link.password_reset" };
            AccountPage::new(tr.clone(), title, "password")
        }
        LinkView::Verdict { purpose: LinkPurpose::Approve, ticket } => {
            let mut p = AccountPage::new(tr.clone(), "ui.link.approve_title", "approve");
            p.help = Some(tr.t("ui.link.approve_help"));
            p.ticket = Some(format!("{} · {}", ticket.ticket.number, ticket.ticket.subject));
            p
        }
        LinkView::Verdict { ticket, .. } => {
            let mut p = AccountPage::new(tr.clone(), "ui.link.reject_title", "reject");
            p.typed = typed;
            p.help = Some(tr.t("ui.link.reject_help"));
            p.ticket = Some(format!("{} · {}", ticket.ticket.number, ticket.ticket.subject));
            p
        }
        LinkView::TicketSignIn { ticket } => {
            let mut p = AccountPage::new(tr.clone(), "ui.link.ticket_title", "continue");
            p.help = Some(tr.t("ui.link.ticket_help"));
            p.ticket = Some(format!("{} · {}", ticket.ticket.number, ticket.ticket.subject));
            p
        }
    };
    p.action = format!("/links/{token}");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    p.error = error;
    (status, page(&p)).into_response()
}

fn done_page(key: &str) -> Response {
    let tr = tr();
    let mut p = AccountPage::new(tr.clone(), "ui.link.title", "none");
    p.notice = Some(tr.t(key));
    page(&p)
}

pub async fn link_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.desk.link_view(&token, Utc::now()).await {
        Ok(Ok(view)) => link_page(&token, &view, None, String::new()),
        Ok(Err(_)) => dead_page(),
        Err(e) => UiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
}

/// Does what the link is for; a refused value shows the form again with
/// the error (and the reason typed).
pub async fn link_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(f): Form<LinkForm>,
) -> Response {
    let now = Utc::now();
    let view = match state.desk.link_view(&token, now).await {
        Ok(Ok(view)) => view,
        Ok(Err(DeadLink::Unknown | DeadLink::Used | DeadLink::Expired)) => return dead_page(),
        Err(e) => return UiError::from(e).into_response(),
    };
    let result = match &view {
        LinkView::Password { .. } => state
            .desk
            .set_password_with_link(&token, &f.password, now)
            .await
            .map(|_| done_page("ui.link.password_done")),
        LinkView::Verdict { purpose, .. } => {
            let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
            state.desk.verdict_with_link(&token, *purpose, reason, now).await.map(|_| done_page("ui.link.verdict_done"))
        }
        LinkView::TicketSignIn { .. } => state.desk.ticket_session_with_link(&token, now).await.map(|(cookie, n)| {
            ([session_cookie(&cookie, state.secure_cookies)], Redirect::to(&format!("/tickets/{n}"))).into_response()
        }),
    };
    match result {
        Ok(response) => response,
        Err(AppError::Invalid(field)) => {
            let tr = tr();
            let message = format!(
                "{}: {}",
                tr.t(&format!("ui.field.{}", field.field)),
                tr.t(&format!("ui.error.{}", field.code))
            );
            link_page(&token, &view, Some(message), f.reason)
        }
        Err(AppError::Conflict { code: "link_invalid", .. }) => dead_page(),
        Err(AppError::Conflict { .. }) => {
            let tr = tr();
            link_page(&token, &view, Some(tr.t("ui.error.invalid").to_owned()), f.reason)
        }
        Err(e) => UiError::from(e).into_response(),
    }
}
