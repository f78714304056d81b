//! The e-mail channel's use cases: ingesting a raw message into a ticket
//! (`ingest`), queuing the mails a ticket's life produces (`notify`), the
//! desk's mail policy and templates, and the IMAP mailboxes an admin sets up.
//! Parsing, threading and rendering are `mesa_mail`'s; the network is the
//! binary's.

mod dropped;
mod ingest;
mod mailboxes;
mod notify;
mod settings;
pub mod templates;
mod trust;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use mesa_core::Actor;
use mesa_mail::MessageIdSigner;
use mesa_store::StoreError;

pub use ingest::IngestOutcome;
pub use mailboxes::{MailboxInput, MailboxToken};
pub(crate) use notify::Notice;
pub use settings::{MAIL_SETTINGS_KEY, MAX_THANKS_CHARS, MAX_THANKS_PHRASES, MailSettings, SenderPolicy};
pub use templates::{Template, TemplateOverrides};

use crate::{AppError, AppResult, Desk};

/// Who Mesa's mail comes from and where its links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailIdentity {
    /// The support address: `From` of every mail, and never a requester.
    pub address: String,
    /// The display name in `From` (e.g. "Mesa de ayuda TI").
    pub display_name: String,
    /// The web address links in mails start with, without a trailing slash.
    pub public_url: String,
}

const SIGNING_KEY_SETTING: &str = "mail_signing_key";

/// How long a process trusts its copy of the mail policy (as for the SLA
/// policy: other processes see an admin's change within seconds).
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// What every message needs: the settings, the templates, the desk's own
/// addresses. Read once per [`CACHE_TTL`], not once per message.
#[derive(Debug)]
pub(crate) struct MailContext {
    pub settings: MailSettings,
    pub templates: TemplateOverrides,
    pub own: Vec<String>,
    /// How the desk names statuses and reasons in its mails.
    pub words: Arc<mesa_core::words::DeskWords>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct MailCache(Arc<Mutex<Option<CachedContext>>>);

/// A mail context and when it was read.
type CachedContext = (Instant, Arc<MailContext>);

impl Desk {
    /// Signs Mesa's Message-IDs. The key is made once per database (random,
    /// 32 bytes) so that every server process shares it.
    pub(crate) async fn signer(&self) -> AppResult<MessageIdSigner> {
        if let Some(signer) = self.signer.get() {
            return Ok(signer.clone());
        }
        let candidate = crate::new_token();
        let key = self.store.setting_or_insert(SIGNING_KEY_SETTING, &candidate).await?;
        let domain = self
            .settings
            .mail
            .as_ref()
            .and_then(|m| m.address.rsplit_once('@').map(|(_, d)| d.to_owned()))
            .unwrap_or_else(|| "localhost".into());
        let signer = MessageIdSigner::new(key.as_bytes(), &domain)
            .or_else(|_| MessageIdSigner::new(key.as_bytes(), "localhost"))
            .map_err(|e| AppError::Internal(StoreError::Config(e.to_string())))?;
        Ok(self.signer.get_or_init(|| signer).clone())
    }

    /// The mail policy, templates and own addresses (cached for a few seconds).
    pub(crate) async fn mail_context(&self) -> AppResult<Arc<MailContext>> {
        if let Some((at, context)) = self.mail_cache.0.lock().expect("mail cache").as_ref()
            && at.elapsed() < CACHE_TTL
        {
            return Ok(context.clone());
        }
        let context = Arc::new(MailContext {
            settings: self.mail_settings().await?,
            templates: self.mail_templates().await?,
            own: self.own_addresses().await?,
            words: self.desk_words().await?,
        });
        *self.mail_cache.0.lock().expect("mail cache") = Some((Instant::now(), context.clone()));
        Ok(context)
    }

    pub(crate) fn forget_mail_context(&self) {
        *self.mail_cache.0.lock().expect("mail cache") = None;
    }

    /// The desk's own addresses: the support address and every mailbox's
    /// login that is an address. Mail from them is never a ticket.
    pub(crate) async fn own_addresses(&self) -> AppResult<Vec<String>> {
        let mut own: Vec<String> = self.settings.mail.iter().map(|m| m.address.to_lowercase()).collect();
        for mailbox in self.store.mailboxes().await? {
            if mailbox.username.contains('@') {
                own.push(mailbox.username.to_lowercase());
            }
        }
        Ok(own)
    }

    pub async fn mail_settings(&self) -> AppResult<MailSettings> {
        match self.store.setting(MAIL_SETTINGS_KEY).await? {
            Some(raw) => serde_json::from_str(&raw).map_err(|e| {
                AppError::Internal(StoreError::Config(format!("stored mail settings are unreadable: {e}")))
            }),
            None => Ok(MailSettings::default()),
        }
    }

    pub async fn set_mail_settings(&self, actor: &Actor, settings: &MailSettings) -> AppResult<()> {
        require_admin(actor)?;
        settings.check()?;
        let raw = serde_json::to_string(settings).expect("mail settings serialise");
        self.store.put_setting(MAIL_SETTINGS_KEY, &raw).await?;
        self.forget_mail_context();
        Ok(())
    }

    pub async fn mail_templates(&self) -> AppResult<TemplateOverrides> {
        match self.store.setting(templates::TEMPLATES_KEY).await? {
            Some(raw) => serde_json::from_str(&raw).map_err(|e| {
                AppError::Internal(StoreError::Config(format!("stored mail templates are unreadable: {e}")))
            }),
            None => Ok(TemplateOverrides::new()),
        }
    }

    /// Replaces the admin's template overrides (an empty map restores the defaults).
    pub async fn set_mail_templates(&self, actor: &Actor, overrides: &TemplateOverrides) -> AppResult<()> {
        require_admin(actor)?;
        templates::check(overrides)?;
        let raw = serde_json::to_string(overrides).expect("templates serialise");
        self.store.put_setting(templates::TEMPLATES_KEY, &raw).await?;
        self.forget_mail_context();
        Ok(())
    }

    /// Received messages that did not become tickets (quarantined, rejected,
    /// unreadable), newest first: what the admin reviews.
    pub async fn held_mail(&self, actor: &Actor, limit: i64) -> AppResult<Vec<mesa_store::InboxMessage>> {
        require_admin(actor)?;
        Ok(self
            .store
            .inbox_messages(&["quarantined", "unparseable", "rejected", "pending"], limit.clamp(1, 500))
            .await?)
    }

    /// The raw bytes of a received message (admins only).
    pub async fn raw_mail(&self, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
        require_admin(actor)?;
        match self.store.inbox_raw(id).await {
            Ok(raw) => Ok(raw),
            Err(StoreError::NotFound) => Err(AppError::NotFound("message")),
            Err(e) => Err(e.into()),
        }
    }

    /// The outbox, newest first (admins only).
    pub async fn outbox(&self, actor: &Actor, limit: i64) -> AppResult<Vec<mesa_store::OutboxMail>> {
        require_admin(actor)?;
        Ok(self.store.outbox(limit.clamp(1, 500)).await?)
    }
}

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_catalog() { Ok(()) } else { Err(AppError::forbidden("only administrators manage e-mail")) }
}
