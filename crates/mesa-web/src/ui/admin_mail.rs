//! Administration of the e-mail channel: threading and answering policy,
//! IMAP mailboxes, the templates of every mail, held messages and the outbox.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::mail::MailboxInput;
use mesa_app::mail::templates::{self, Template as MailTemplate, TemplateOverrides};
use mesa_app::{AppError, InboxMessage, MailSettings, MailboxRow, OutboxMail, SenderPolicy};
use mesa_core::Lang;

use super::admin::{AdminQuery, only_admins};
use super::format::when;
use super::session::Viewer;
use super::{Chrome, UiError, UiResult, page};
use crate::AppState;

#[derive(Template)]
#[template(path = "admin_mail.html")]
struct MailPage {
    c: Chrome,
    settings: MailSettings,
    mailboxes: Vec<(MailboxRow, String)>,
    held: Vec<(InboxMessage, String)>,
    outbox: Vec<(OutboxMail, String)>,
    /// kind, language code, template in force.
    templates: Vec<(&'static str, &'static str, MailTemplate)>,
    placeholders: String,
    error: Option<(String, String, String)>,
    saved: bool,
}

impl MailPage {
    fn error_for(&self, form: &str) -> Option<(String, String)> {
        self.error.as_ref().filter(|(f, _, _)| f == form).map(|(_, field, msg)| (field.clone(), msg.clone()))
    }
}

pub async fn index(State(state): State<AppState>, viewer: Viewer, Query(q): Query<AdminQuery>) -> UiResult<Response> {
    only_admins(&viewer)?;
    let actor = &viewer.0.actor;
    let c = Chrome::new(&viewer.0, "ui.mail.title", "admin");
    let saved = q.saved();
    let error = q.error(c.tr.clone());
    let tz = state.timezone;
    let overrides = state.desk.mail_templates().await?;
    let mut all_templates = Vec::new();
    for kind in templates::KINDS {
        for lang in Lang::ALL {
            all_templates.push((*kind, lang.code(), templates::template(&overrides, kind, lang)));
        }
    }
    Ok(page(&MailPage {
        settings: state.desk.mail_settings().await?,
        mailboxes: state
            .desk
            .mailboxes(actor)
            .await?
            .into_iter()
            .map(|m| {
                let polled = m.last_polled_at.map(|t| when(t, tz)).unwrap_or_default();
                (m, polled)
            })
            .collect(),
        held: state
            .desk
            .held_mail(actor, 50)
            .await?
            .into_iter()
            .map(|m| (m.clone(), when(m.received_at, tz)))
            .collect(),
        outbox: state.desk.outbox(actor, 30).await?.into_iter().map(|m| (m.clone(), when(m.created_at, tz))).collect(),
        templates: all_templates,
        placeholders: templates::PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" "),
        error,
        saved,
        c,
    }))
}

/// Back to the page with the failing form's field marked, or "saved".
fn outcome(form: &str, result: Result<(), AppError>) -> UiResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin/mail?saved=1").into_response()),
        Err(AppError::Invalid(f)) => {
            Ok(Redirect::to(&format!("/admin/mail?form={form}&field={}&code={}#{form}", f.field, f.code))
                .into_response())
        }
        Err(AppError::Conflict { code, .. }) => {
            Ok(Redirect::to(&format!("/admin/mail?form={form}&field=message&code={code}#{form}")).into_response())
        }
        Err(e) => Err(UiError::from(e)),
    }
}

type Fields = HashMap<String, String>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or_default()
}

pub async fn save_settings(State(state): State<AppState>, viewer: Viewer, Form(f): Form<Fields>) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    only_admins(&viewer)?;
    let number = |name: &str| field(&f, name).trim().parse::<u32>();
    let result = async {
        let Ok(reopen_within_days) = number("reopen_within_days") else {
            return Err(mesa_core::validate::FieldError::new("reopen_within_days", "out_of_range", "").into());
        };
        let Ok(auto_replies_per_hour) = number("auto_replies_per_hour") else {
            return Err(mesa_core::validate::FieldError::new("auto_replies_per_hour", "out_of_range", "").into());
        };
        let current = state.desk.mail_settings().await?;
        let settings = MailSettings {
            tag_prefix: field(&f, "tag_prefix").trim().to_owned(),
            reopen_within_days,
            stranger_tag: field(&f, "stranger_tag").to_owned(),
            allowed_domains: field(&f, "allowed_domains")
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            auto_reply: f.contains_key("auto_reply"),
            auto_replies_per_hour,
            notify_agents: f.contains_key("notify_agents"),
            // A form without the sender policy (an older page) keeps the current one.
            authentication: match f.contains_key("auth_method") {
                true => SenderPolicy {
                    method: field(&f, "auth_method").to_owned(),
                    authserv_id: field(&f, "authserv_id").trim().to_owned(),
                    unverified_staff: field(&f, "unverified_staff").to_owned(),
                },
                false => current.authentication,
            },
            // Per-mailbox policies are set through the API; the form keeps them.
            mailbox_authentication: current.mailbox_authentication,
            thanks_phrases: match f.contains_key("thanks_phrases") {
                true => field(&f, "thanks_phrases")
                    .lines()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                false => current.thanks_phrases,
            },
        };
        state.desk.set_mail_settings(&viewer.0.actor, &settings).await
    }
    .await;
    outcome("mail-settings", result)
}

pub async fn save_mailbox(State(state): State<AppState>, viewer: Viewer, Form(f): Form<Fields>) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    only_admins(&viewer)?;
    let optional = |name: &str| Some(field(&f, name).trim().to_owned()).filter(|v| !v.is_empty());
    let input = MailboxInput {
        name: field(&f, "name").to_owned(),
        host: field(&f, "host").to_owned(),
        port: optional("port").map(|p| p.parse().unwrap_or(-1)),
        security: optional("security"),
        username: field(&f, "username").to_owned(),
        auth: optional("auth"),
        secret: optional("secret"),
        folder: optional("folder"),
        processed_folder: optional("processed_folder"),
        poll_seconds: optional("poll_seconds").map(|p| p.parse().unwrap_or(-1)),
        enabled: Some(f.contains_key("enabled")),
        token_url: optional("token_url"),
        client_id: optional("client_id"),
        client_secret: optional("client_secret"),
        refresh_token: optional("refresh_token"),
        scope: optional("scope"),
    };
    let result = state.desk.put_mailbox(&viewer.0.actor, input).await.map(|_| ());
    outcome("mailboxes", result)
}

pub async fn delete_mailbox(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<Fields>,
) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    let result = state.desk.delete_mailbox(&viewer.0.actor, field(&f, "name")).await;
    outcome("mailboxes", result)
}

pub async fn save_templates(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<Fields>,
) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    only_admins(&viewer)?;
    // Only what differs from the built-in text is stored, so later
    // improvements of the defaults still reach the desk.
    let mut overrides = TemplateOverrides::new();
    for kind in templates::KINDS {
        for lang in Lang::ALL {
            let key = |part: &str| format!("{kind}.{}.{part}", lang.code());
            let (Some(subject), Some(body)) = (f.get(&key("subject")), f.get(&key("body"))) else { continue };
            let given = MailTemplate { subject: subject.trim().to_owned(), body: body.replace("\r\n", "\n") };
            let default = templates::default_template(kind, lang);
            if given.subject != default.subject || given.body.trim_end() != default.body.trim_end() {
                overrides.entry((*kind).to_owned()).or_default().insert(lang.code().to_owned(), given);
            }
        }
    }
    let result = state.desk.set_mail_templates(&viewer.0.actor, &overrides).await;
    outcome("templates", result)
}

pub async fn release(State(state): State<AppState>, viewer: Viewer, Form(f): Form<Fields>) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    let id: i64 = field(&f, "id").parse().map_err(|_| AppError::NotFound("message"))?;
    let result = state.desk.release_mail(&viewer.0.actor, id).await.map(|_| ());
    outcome("held", result)
}

/// A held message's raw bytes, as a download (never rendered).
pub async fn raw(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> UiResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("message"))?;
    let bytes = state.desk.raw_mail(&viewer.0.actor, id).await?;
    Ok(crate::api::raw_message_download(id, bytes))
}
