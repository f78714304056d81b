//! The IMAP mailboxes an admin sets up for the server to poll, and the
//! OAuth2 access tokens an `xoauth2` mailbox with a refresh token logs in with.

use chrono::{DateTime, Utc};
use mesa_core::Actor;
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_mail::oauth::{RefreshRequest, TokenGrant, check_token_url, is_fresh};
use mesa_mail::transport::Secret;
use mesa_store::{MailboxRow, NewMailbox, NewMailboxOAuth, StoreError};

use crate::{AppError, AppResult, Desk};

/// A mailbox as the admin fills it in. `secret` `None` keeps the stored one.
#[derive(Clone, Default)]
pub struct MailboxInput {
    pub name: String,
    pub host: String,
    pub port: Option<i64>,
    /// `tls` (default), `starttls` or `plain`.
    pub security: Option<String>,
    pub username: String,
    /// `password` (default) or `xoauth2`.
    pub auth: Option<String>,
    pub secret: Option<String>,
    pub folder: Option<String>,
    pub processed_folder: Option<String>,
    pub poll_seconds: Option<i64>,
    pub enabled: Option<bool>,
    /// OAuth2 refresh (`xoauth2` only): the provider's token endpoint; `None`
    /// for none, which drops any stored OAuth2 settings.
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    /// `None` keeps the stored one while the token endpoint and client id stay.
    pub client_secret: Option<String>,
    /// `None` keeps the stored one while the token endpoint and client id stay.
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
}

/// How the poller gets the access token of an `xoauth2` mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxToken {
    /// Log in with this one: the admin's own, or a stored one still fresh.
    Ready(Secret),
    /// Ask the token endpoint, then hand the answer to [`Desk::mailbox_token_granted`].
    Refresh(RefreshRequest),
}

impl std::fmt::Debug for MailboxInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxInput").field("name", &self.name).field("host", &self.host).finish_non_exhaustive()
    }
}

impl Desk {
    pub async fn mailboxes(&self, actor: &Actor) -> AppResult<Vec<MailboxRow>> {
        super::require_admin(actor)?;
        Ok(self.store.mailboxes().await?)
    }

    /// Every enabled mailbox (for the poller; no actor: the server itself).
    pub async fn enabled_mailboxes(&self) -> AppResult<Vec<MailboxRow>> {
        Ok(self.store.mailboxes().await?.into_iter().filter(|m| m.enabled).collect())
    }

    pub async fn mailbox_polled(&self, name: &str, error: Option<&str>) -> AppResult<()> {
        Ok(self.store.mailbox_polled(name, error).await?)
    }

    /// The access token mailbox `name` logs in with at `now`: the one stored
    /// while it is fresh (any server process may have refreshed it), otherwise
    /// a refresh. `refused` is a token the IMAP server just turned down: it is
    /// never offered again. A mailbox without a refresh token has only its
    /// secret.
    pub async fn mailbox_token(
        &self,
        name: &str,
        refused: Option<&Secret>,
        now: DateTime<Utc>,
    ) -> AppResult<MailboxToken> {
        let mailbox = match self.store.mailbox(name).await {
            Err(StoreError::NotFound) => return Err(AppError::NotFound("mailbox")),
            other => other?,
        };
        let Some(request) = refresh_request(&mailbox) else {
            return Ok(MailboxToken::Ready(Secret::new(mailbox.secret)));
        };
        if let (Some(token), Some(expires_at)) = (mailbox.oauth_access_token, mailbox.oauth_expires_at)
            && is_fresh(expires_at, now)
            && refused.is_none_or(|r| r.expose() != token)
        {
            return Ok(MailboxToken::Ready(Secret::new(token)));
        }
        Ok(MailboxToken::Refresh(request))
    }

    /// Keeps the token endpoint's answer to `request` for every process: the
    /// access token with its expiry, and the new refresh token if the provider
    /// rotated it. Returns false when the admin changed the refresh token
    /// meanwhile (their new one is kept; the answer is used once, not stored).
    pub async fn mailbox_token_granted(
        &self,
        name: &str,
        request: &RefreshRequest,
        grant: &TokenGrant,
    ) -> AppResult<bool> {
        Ok(self
            .store
            .store_mailbox_token(
                name,
                request.refresh_token.expose(),
                grant.access_token.expose(),
                grant.expires_at,
                grant.refresh_token.as_ref().map(Secret::expose),
            )
            .await?)
    }

    /// Creates or replaces a mailbox, checked field by field.
    pub async fn put_mailbox(&self, actor: &Actor, input: MailboxInput) -> AppResult<MailboxRow> {
        super::require_admin(actor)?;
        let name = required_text("name", &input.name, 60)?;
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err(FieldError::new("name", "invalid", "use letters, digits, - _ or . in the name").into());
        }
        let host = required_text("host", &input.host, 253)?;
        if host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(FieldError::new("host", "invalid", "the host is a name or an address").into());
        }
        let security = input.security.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("tls");
        let default_port = match security {
            "tls" => 993,
            "starttls" | "plain" => 143,
            _ => return Err(FieldError::new("security", "invalid", "security is tls, starttls or plain").into()),
        };
        let port = input.port.unwrap_or(default_port);
        if !(1..=65535).contains(&port) {
            return Err(FieldError::new("port", "out_of_range", "the port is 1 to 65535").into());
        }
        let auth = input.auth.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("password");
        if !matches!(auth, "password" | "xoauth2") {
            return Err(FieldError::new("auth", "invalid", "auth is password or xoauth2").into());
        }
        let username = required_text("username", &input.username, 320)?;
        let secret = optional_text("secret", input.secret.as_deref(), 8192)?;
        let stored = match self.store.mailbox(&name).await {
            Ok(stored) => Some(stored),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let oauth = oauth_settings(&input, auth, stored.as_ref())?;
        let has_secret = secret.is_some() || stored.as_ref().is_some_and(|m| !m.secret.is_empty());
        if !has_secret && oauth.is_none() {
            return Err(FieldError::new(
                "secret",
                "required",
                "give the password, or an access token or refresh token",
            )
            .into());
        }
        let folder = optional_text("folder", input.folder.as_deref(), 200)?.unwrap_or_else(|| "INBOX".into());
        let processed_folder = optional_text("processed_folder", input.processed_folder.as_deref(), 200)?;
        let poll_seconds = input.poll_seconds.unwrap_or(60);
        if !(5..=86_400).contains(&poll_seconds) {
            return Err(FieldError::new("poll_seconds", "out_of_range", "poll_seconds is 5 to 86400").into());
        }
        let new = NewMailbox {
            name,
            host,
            port,
            security: security.to_owned(),
            username,
            auth: auth.to_owned(),
            secret,
            folder,
            processed_folder,
            poll_seconds,
            enabled: input.enabled.unwrap_or(true),
            oauth,
        };
        let saved = self.store.put_mailbox(&new).await?;
        self.forget_mail_context();
        Ok(saved)
    }

    pub async fn delete_mailbox(&self, actor: &Actor, name: &str) -> AppResult<()> {
        super::require_admin(actor)?;
        let deleted = self.store.delete_mailbox(name).await?;
        self.forget_mail_context();
        if deleted { Ok(()) } else { Err(AppError::NotFound("mailbox")) }
    }
}

/// The OAuth2 refresh settings as given, checked; `None` when there is no
/// token endpoint (then nothing else of OAuth2 may be given either).
fn oauth_settings(
    input: &MailboxInput,
    auth: &str,
    stored: Option<&MailboxRow>,
) -> Result<Option<NewMailboxOAuth>, FieldError> {
    let token_url = optional_text("token_url", input.token_url.as_deref(), 2000)?;
    let client_id = optional_text("client_id", input.client_id.as_deref(), 500)?;
    let client_secret = optional_text("client_secret", input.client_secret.as_deref(), 2000)?;
    let refresh_token = optional_text("refresh_token", input.refresh_token.as_deref(), 8192)?;
    let scope = optional_text("scope", input.scope.as_deref(), 1000)?;
    let Some(token_url) = token_url else {
        if client_id.is_some() || client_secret.is_some() || refresh_token.is_some() || scope.is_some() {
            return Err(FieldError::new("token_url", "required", "the OAuth2 refresh needs the token endpoint"));
        }
        return Ok(None);
    };
    if auth != "xoauth2" {
        return Err(FieldError::new("token_url", "needs_xoauth2", "a token endpoint needs auth xoauth2"));
    }
    check_token_url(&token_url).map_err(|e| FieldError::new("token_url", e.code(), e.to_string()))?;
    let Some(client_id) = client_id else {
        return Err(FieldError::new("client_id", "required", "the OAuth2 refresh needs the client id"));
    };
    // Secrets belong to their client: they are kept only for the same one.
    let same_client = stored.is_some_and(|m| {
        m.oauth_token_url.as_deref() == Some(token_url.as_str()) && m.oauth_client_id.as_deref() == Some(&client_id)
    });
    let kept_refresh_token = same_client && stored.is_some_and(|m| m.oauth_refresh_token.is_some());
    if refresh_token.is_none() && !kept_refresh_token {
        return Err(FieldError::new(
            "refresh_token",
            "required",
            "give the refresh token (a new one when the token endpoint or client id changes)",
        ));
    }
    Ok(Some(NewMailboxOAuth { token_url, client_id, client_secret, refresh_token, scope }))
}

/// The refresh grant a mailbox is set up for, if it has one.
fn refresh_request(m: &MailboxRow) -> Option<RefreshRequest> {
    if m.auth != "xoauth2" {
        return None;
    }
    Some(RefreshRequest {
        token_url: m.oauth_token_url.clone()?,
        client_id: m.oauth_client_id.clone()?,
        client_secret: m.oauth_client_secret.clone().map(Secret::new),
        refresh_token: Secret::new(m.oauth_refresh_token.clone()?),
        scope: m.oauth_scope.clone(),
    })
}
