//! The IMAP mailboxes an admin sets up for the server to poll.

use mesa_core::Actor;
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_store::{MailboxRow, NewMailbox, StoreError};

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
        let exists = match self.store.mailbox(&name).await {
            Ok(_) => true,
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if secret.is_none() && !exists {
            return Err(FieldError::new("secret", "required", "give the password or access token").into());
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
