//! Mesa's use cases. Each takes the acting user, asks the domain what is
//! allowed, and tells the store what to persist. Adapters (web, CLI, mail)
//! call these and nothing below them.

mod auth;
mod automation;
mod directory;
mod error;
mod policy;
mod tickets;

pub use auth::{SESSION_HOURS, Session, hash_password, new_token, same_secret};
pub use automation::AutomationLine;
pub use directory::{NewServiceInput, UserChanges};
pub use error::{AppError, AppResult};
pub use mesa_store::{
    Attachment, Backend, BlobStore, Directory, DirectoryItem, Entry, HistoryRecord, Service, SlaFilter, SortOrder,
    Store, TicketView,
};
pub use policy::{DEFAULT_CALENDAR, Policy};
pub use tickets::{ListQuery, OpenTicket, TicketChanges, TicketPage};

/// Limits an institution may tune.
#[derive(Debug, Clone)]
pub struct DeskSettings {
    pub max_attachment_bytes: usize,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self { max_attachment_bytes: 20 * 1024 * 1024 }
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
}

impl Desk {
    pub fn new(store: Store, blobs: BlobStore, settings: DeskSettings) -> Self {
        Self { store, blobs, settings, policy: policy::PolicyCache::default(), tokens: auth::TokenCache::default() }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &DeskSettings {
        &self.settings
    }
}
