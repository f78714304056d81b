//! The e-mail channel's administration: policy, templates, IMAP mailboxes,
//! held messages and the outbox. Administrators only; secrets never leave
//! the server.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mesa_app::mail::MailboxInput;
use mesa_app::mail::templates::{self, Template, TemplateOverrides};
use mesa_app::{InboxMessage, IngestOutcome, MailSettings, MailboxRow, OutboxMail};
use mesa_core::Lang;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contract::bodies::MailSettingsDoc;
use super::contract::{Conflict, Forbidden};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

/// How incoming mail is threaded and answered.
#[utoipa::path(get, path = "/settings/mail", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = MailSettingsDoc), Forbidden))]
pub async fn get_mail_settings(State(state): State<AppState>, auth: Auth) -> Result<Json<MailSettings>, ApiError> {
    admin_only(&auth)?;
    Ok(Json(state.desk.mail_settings().await?))
}

/// Replaces the mail settings: `tag_prefix`, `reopen_within_days`, `stranger_tag`
/// (`new_ticket` or `quarantine`), `allowed_domains`, `auto_reply`,
/// `auto_replies_per_hour`, `notify_agents`, `authentication` (the sender
/// policy: `method` `dns`, `authentication_results` or `off`, `authserv_id`,
/// `unverified_staff` `internal_note` or `hold`) and `mailbox_authentication`
/// (mailbox name → sender policy). Missing keys take their defaults.
#[utoipa::path(put, path = "/settings/mail", tag = "mail", security(("bearer" = [])), request_body = MailSettingsDoc,
    responses((status = 204), Forbidden))]
pub async fn put_mail_settings(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<MailSettings>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_mail_settings(&auth.actor, &settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TemplatesOut {
    /// Every kind of mail.
    kinds: Vec<&'static str>,
    /// The placeholders templates may use, e.g. `{number}`.
    placeholders: Vec<&'static str>,
    /// The templates in force: kind → language → {subject, body}.
    #[schema(value_type = Object)]
    current: TemplateOverrides,
    /// The administrator's overrides only.
    #[schema(value_type = Object)]
    overrides: TemplateOverrides,
}

/// The mail templates per kind and language, with the admin's overrides.
#[utoipa::path(get, path = "/settings/mail-templates", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = TemplatesOut), Forbidden))]
pub async fn get_templates(State(state): State<AppState>, auth: Auth) -> Result<Json<TemplatesOut>, ApiError> {
    admin_only(&auth)?;
    let overrides = state.desk.mail_templates().await?;
    let mut current = TemplateOverrides::new();
    for kind in templates::KINDS {
        for lang in Lang::ALL {
            current
                .entry((*kind).to_owned())
                .or_default()
                .insert(lang.code().to_owned(), templates::template(&overrides, kind, lang));
        }
    }
    Ok(Json(TemplatesOut {
        kinds: templates::KINDS.to_vec(),
        placeholders: templates::PLACEHOLDERS.to_vec(),
        current,
        overrides,
    }))
}

/// Replaces the overrides: `{"created": {"es": {"subject": "…", "body": "…"}}}`.
/// An empty object restores every default.
#[utoipa::path(put, path = "/settings/mail-templates", tag = "mail", security(("bearer" = [])), request_body = Object,
    responses((status = 204), Forbidden))]
pub async fn put_templates(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(overrides): ApiJson<std::collections::BTreeMap<String, std::collections::BTreeMap<String, Template>>>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_mail_templates(&auth.actor, &overrides).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A mailbox as shown: everything but its secret.
#[derive(Serialize, ToSchema)]
pub struct MailboxOut {
    name: String,
    host: String,
    port: i64,
    /// `tls`, `starttls` or `plain`.
    security: String,
    username: String,
    /// `password` or `xoauth2`.
    auth: String,
    folder: String,
    processed_folder: Option<String>,
    poll_seconds: i64,
    enabled: bool,
    last_polled_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    /// The OAuth2 token endpoint the server renews the access token at (`xoauth2`).
    token_url: Option<String>,
    client_id: Option<String>,
    scope: Option<String>,
    /// Whether a client secret is stored (it is never shown).
    client_secret_set: bool,
    /// Whether a refresh token is stored (it is never shown).
    refresh_token_set: bool,
    /// When the current access token expires, if the server renewed one.
    access_token_expires_at: Option<DateTime<Utc>>,
}

impl From<MailboxRow> for MailboxOut {
    fn from(m: MailboxRow) -> Self {
        Self {
            client_secret_set: m.oauth_client_secret.is_some(),
            refresh_token_set: m.oauth_refresh_token.is_some(),
            access_token_expires_at: m.oauth_access_token.as_ref().and(m.oauth_expires_at),
            token_url: m.oauth_token_url,
            client_id: m.oauth_client_id,
            scope: m.oauth_scope,
            name: m.name,
            host: m.host,
            port: m.port,
            security: m.security,
            username: m.username,
            auth: m.auth,
            folder: m.folder,
            processed_folder: m.processed_folder,
            poll_seconds: m.poll_seconds,
            enabled: m.enabled,
            last_polled_at: m.last_polled_at,
            last_error: m.last_error,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxIn {
    host: String,
    /// Default 993 for `tls`, 143 otherwise.
    port: Option<i64>,
    /// `tls` (default), `starttls` or `plain`.
    security: Option<String>,
    username: String,
    /// `password` (default) or `xoauth2`.
    auth: Option<String>,
    /// The password, app password or OAuth2 access token; omit to keep the stored
    /// one. Not needed for `xoauth2` with a refresh token.
    secret: Option<String>,
    /// Default `INBOX`.
    folder: Option<String>,
    /// Move processed mail here instead of marking it seen.
    processed_folder: Option<String>,
    /// Seconds between polls when the server has no IDLE (default 60).
    poll_seconds: Option<i64>,
    enabled: Option<bool>,
    /// `xoauth2` only: the OAuth2 token endpoint, e.g.
    /// `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` or
    /// `https://oauth2.googleapis.com/token`; the server then renews the access
    /// token itself. Omit to drop any OAuth2 refresh settings. `https` only
    /// (plain `http` for 127.0.0.1 or localhost).
    token_url: Option<String>,
    /// The application (client) id; required with `token_url`.
    client_id: Option<String>,
    /// The client secret, for confidential clients (Google); write-only: omit to
    /// keep the stored one (as long as `token_url` and `client_id` stay).
    client_secret: Option<String>,
    /// The refresh token; write-only: omit to keep the stored one (as long as
    /// `token_url` and `client_id` stay).
    refresh_token: Option<String>,
    /// Scopes to ask for, space-separated (e.g.
    /// `https://outlook.office365.com/IMAP.AccessAsUser.All offline_access`).
    scope: Option<String>,
}

/// The IMAP mailboxes the server polls.
#[utoipa::path(get, path = "/mailboxes", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = [MailboxOut]), Forbidden))]
pub async fn list_mailboxes(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<MailboxOut>>, ApiError> {
    Ok(Json(state.desk.mailboxes(&auth.actor).await?.into_iter().map(MailboxOut::from).collect()))
}

/// Creates or replaces a mailbox; the server starts polling it within seconds.
#[utoipa::path(put, path = "/mailboxes/{name}", tag = "mail", security(("bearer" = [])), request_body = MailboxIn,
    params(("name" = String, Path, description = "the mailbox's name")),
    responses((status = 200, body = MailboxOut), Forbidden))]
pub async fn put_mailbox(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<MailboxIn>,
) -> Result<Json<MailboxOut>, ApiError> {
    let input = MailboxInput {
        name,
        host: input.host,
        port: input.port,
        security: input.security,
        username: input.username,
        auth: input.auth,
        secret: input.secret,
        folder: input.folder,
        processed_folder: input.processed_folder,
        poll_seconds: input.poll_seconds,
        enabled: input.enabled,
        token_url: input.token_url,
        client_id: input.client_id,
        client_secret: input.client_secret,
        refresh_token: input.refresh_token,
        scope: input.scope,
    };
    Ok(Json(state.desk.put_mailbox(&auth.actor, input).await?.into()))
}

/// Stops polling a mailbox and forgets it (its messages stay).
#[utoipa::path(delete, path = "/mailboxes/{name}", tag = "mail", security(("bearer" = [])),
    params(("name" = String, Path, description = "the mailbox's name")),
    responses((status = 204), Forbidden))]
pub async fn delete_mailbox(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.desk.delete_mailbox(&auth.actor, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct HeldMail {
    id: i64,
    mailbox: String,
    received_at: DateTime<Utc>,
    /// `quarantined`, `unparseable`, `rejected`, or `pending` (not yet processed).
    state: String,
    /// Why, e.g. `tag_from_stranger`, `sender_not_allowed`, `delivery_report`.
    reason: Option<String>,
    sender: Option<String>,
    subject: Option<String>,
    size: i64,
    /// Sender authentication: `pass`, `fail`, `none` or `temperror`
    /// (`null`: not checked yet).
    sender_verdict: Option<String>,
    /// How the verdict was reached (DKIM/SPF/DMARC results).
    sender_verdict_detail: Option<String>,
    /// A different message had already used its Message-ID.
    reused_message_id: bool,
}

impl From<InboxMessage> for HeldMail {
    fn from(m: InboxMessage) -> Self {
        Self {
            id: m.id,
            mailbox: m.mailbox,
            received_at: m.received_at,
            state: m.state,
            reason: m.reason,
            sender: m.sender,
            subject: m.subject,
            size: m.size,
            sender_verdict: m.auth_verdict,
            sender_verdict_detail: m.auth_detail,
            reused_message_id: m.reused_message_id,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// At most this many (1 to 500, default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

impl LimitQuery {
    fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(100),
            Some(n @ 1..=500) => Ok(n),
            Some(_) => Err(ApiError::validation(Some("limit"), "limit must be 1 to 500")),
        }
    }
}

/// Received messages that did not become tickets, newest first: quarantined,
/// unreadable, rejected (bounces, loops), or still pending.
#[utoipa::path(get, path = "/mail/held", tag = "mail", security(("bearer" = [])), params(LimitQuery),
    responses((status = 200, body = [HeldMail]), Forbidden))]
pub async fn list_held(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> Result<Json<Vec<HeldMail>>, ApiError> {
    let items = state.desk.held_mail(&auth.actor, q.limit()?).await?;
    Ok(Json(items.into_iter().map(HeldMail::from).collect()))
}

/// The raw message, exactly as received (`message/rfc822`, as a download).
#[utoipa::path(get, path = "/mail/held/{id}/raw", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "message id")),
    responses((status = 200, description = "the raw message", content_type = "message/rfc822"), Forbidden))]
pub async fn held_raw(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id, "message")?;
    Ok(raw_message_download(id, state.desk.raw_mail(&auth.actor, id).await?))
}

/// A received message as a download (`message/rfc822`), never rendered: the
/// API and the admin page serve it alike.
pub(crate) fn raw_message_download(id: i64, raw: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"mensaje-{id}.eml\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("message/rfc822")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'")),
        ],
        raw,
    )
        .into_response()
}

#[derive(Serialize, ToSchema)]
pub struct Released {
    /// `created N`.
    outcome: String,
    number: Option<i64>,
}

/// Turns a quarantined message into a new ticket for its sender.
#[utoipa::path(post, path = "/mail/held/{id}/release", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "message id")),
    responses((status = 200, body = Released), Forbidden, Conflict))]
pub async fn release_held(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Released>, ApiError> {
    let outcome = state.desk.release_mail(&auth.actor, parse_id(&id, "message")?).await?;
    let number = match &outcome {
        IngestOutcome::Created { number } | IngestOutcome::Appended { number } => Some(*number),
        IngestOutcome::Rejected { .. } | IngestOutcome::Deferred { .. } => None,
    };
    Ok(Json(Released { outcome: outcome.to_string(), number }))
}

#[derive(Serialize, ToSchema)]
pub struct OutboxOut {
    id: i64,
    ticket_id: Option<i64>,
    kind: String,
    recipients: Vec<String>,
    message_id: String,
    attempts: i64,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    /// Set when the mail was given up (a permanent refusal).
    failed_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl From<OutboxMail> for OutboxOut {
    fn from(m: OutboxMail) -> Self {
        Self {
            recipients: m.recipient_list(),
            id: m.id,
            ticket_id: m.ticket_id,
            kind: m.kind,
            message_id: m.message_id,
            attempts: m.attempts,
            created_at: m.created_at,
            sent_at: m.sent_at,
            failed_at: m.failed_at,
            last_error: m.last_error,
        }
    }
}

/// Outgoing mail, newest first: queued, sent, or given up.
#[utoipa::path(get, path = "/mail/outbox", tag = "mail", security(("bearer" = [])), params(LimitQuery),
    responses((status = 200, body = [OutboxOut]), Forbidden))]
pub async fn list_outbox(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> Result<Json<Vec<OutboxOut>>, ApiError> {
    let items = state.desk.outbox(&auth.actor, q.limit()?).await?;
    Ok(Json(items.into_iter().map(OutboxOut::from).collect()))
}

fn admin_only(auth: &Auth) -> Result<(), ApiError> {
    if auth.actor.can_manage_catalog() {
        Ok(())
    } else {
        Err(mesa_app::AppError::forbidden("only administrators manage e-mail").into())
    }
}
