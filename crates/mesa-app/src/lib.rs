//! Mesa's use cases. Each takes the acting user, asks the domain what is
//! allowed, and tells the store what to persist. Adapters (web, CLI, mail)
//! call these and nothing below them.

#![forbid(unsafe_code)]

mod accounts;
mod auth;
mod automation;
mod calendars;
mod catalog;
mod directory;
mod error;
pub mod knowledge;
pub mod mail;
mod people;
mod policy;
pub mod routing;
pub mod surveys;
mod tickets;
mod words;
// Vendors, contracts, assets and warranty (issue 15).
pub mod assets;
pub mod vendors;
// Maintenance plans and logbooks (issue 17).
pub mod maintenance;
// Reports and the BI feed (issue 17).
pub mod reports;
// Indicators with goals and improvement actions (issue 17).
pub mod indicators;
// The institution's logo on documents (issue 17).
mod institution;
pub use institution::{LOGO_MAX_BYTES, LOGO_MAX_SIDE, LOGO_SETTING};

pub use accounts::{DeadLink, LinkView};
pub use auth::{MIN_PASSWORD_CHARS, SESSION_HOURS, Session, hash_password, new_token, same_secret};
pub use automation::AutomationLine;
pub use calendars::{CalendarEntry, MAX_HISTORY};
pub use catalog::{ItemChanges, ServiceChanges};
pub use directory::{NewServiceInput, UserChanges};
pub use error::{AppError, AppResult};
pub use mail::{IngestOutcome, MAX_THANKS_CHARS, MAX_THANKS_PHRASES, MailIdentity, MailSettings, SenderPolicy};
pub use mesa_store::{
    Absence, Attachment, Backend, BlobStore, Directory, DirectoryItem, Entry, HistoryRecord, InboxMessage, MailVerdict,
    MailboxRow, OutboxMail, PlaceKind, Service, ServiceRouting, SettingsChange, SlaFilter, SortOrder, Store,
    TicketView, Total,
};
pub use mesa_store::{ArticleRow, LessonRow, RevisionRow};
pub use mesa_store::{Asset, AssetTicket, Contract, Escalation, EscalationEvent, Vendor, VendorContact, WarrantyClaim};
pub use mesa_store::{FeedRow, NONE_NAME, ReportFilter};
pub use people::{ImportReport, PersonChanges};
pub use policy::{DEFAULT_CALENDAR, Policy};
pub use tickets::{ListQuery, NewFile, OpenTicket, TicketChanges, TicketPage};
pub use words::WordsMap;

use std::sync::Arc;

/// A test hook: when the environment variable `MESA_FAILPOINT` names this
/// point, the process dies on the spot, as a crash or `kill -9` would. The
/// crash tests use it to stop the mail ingester between two steps.
pub fn failpoint(name: &str) {
    if std::env::var_os("MESA_FAILPOINT").is_some_and(|v| v == name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}

/// Limits an institution may tune.
#[derive(Debug, Clone)]
pub struct DeskSettings {
    pub max_attachment_bytes: usize,
    /// Who mail comes from; `None`: Mesa queues no mail (it still ingests).
    pub mail: Option<MailIdentity>,
    /// Checks senders' DKIM/SPF/DMARC against DNS (mailboxes whose policy is
    /// `dns`); `None`: no resolver, so no sender authenticates that way.
    pub sender_verifier: Option<mesa_mail::SenderVerifier>,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self { max_attachment_bytes: 20 * 1024 * 1024, mail: None, sender_verifier: None }
    }
}

/// The help desk: the store, the attachment bytes and the settings.
#[derive(Debug, Clone)]
pub struct Desk {
    store: Store,
    blobs: BlobStore,
    settings: DeskSettings,
    policy: policy::PolicyCache,
    tokens: auth::TokenCache,
    /// Made on first use from a key kept in the database.
    signer: Arc<std::sync::OnceLock<mesa_mail::MessageIdSigner>>,
    mail_cache: mail::MailCache,
    words: words::WordsCache,
}

impl Desk {
    pub fn new(store: Store, blobs: BlobStore, settings: DeskSettings) -> Self {
        Self {
            store,
            blobs,
            settings,
            policy: policy::PolicyCache::default(),
            tokens: auth::TokenCache::default(),
            signer: Arc::default(),
            mail_cache: Default::default(),
            words: Default::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the database answers (for the health check).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    pub fn settings(&self) -> &DeskSettings {
        &self.settings
    }
}

/// Settings, calendars and targets are read by everyone who sees internal
/// notes: agents, leads and administrators, and managers (who read but do not
/// work tickets). Requesters never.
pub(crate) fn internal_readers_only(actor: &mesa_core::Actor) -> AppResult<()> {
    if actor.sees_internal() { Ok(()) } else { Err(AppError::forbidden("staff only")) }
}
