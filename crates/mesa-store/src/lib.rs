//! Mesa's persistence: one [`Store`] over SQLite and PostgreSQL.
//!
//! The SQL is written once (with `$n` placeholders, which SQLite accepts) and
//! run on whichever pool the store holds; only full-text search differs per
//! backend. The same story tests run on both databases.

#![forbid(unsafe_code)]

mod accounts;
mod blobs;
mod checkpointer;
mod directory;
mod error;
mod knowledge;
mod mail;
mod mail_trust;
mod people;
mod policy;
mod routing;
mod rows;
mod sessions;
mod settings_history;
mod surveys;
mod tickets;
mod users;
// Vendors, contracts, assets and warranty (issue 15).
mod assets;
mod vendors;
// Maintenance plans and logbooks (issue 17).
mod maintenance;
// Reports and the BI feed (issue 17).
mod reports;
// Indicators and improvement actions (issue 17).
mod indicators;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use accounts::{NewLink, SpentLink};
pub use assets::{
    AssessmentRow, Asset, AssetFilter, AssetRecord, AssetTicket, NewAssessment, NewWarrantyClaim, WarrantyClaim,
};
pub use blobs::{BlobStore, Sha256Hex};
pub use directory::{Directory, DirectoryItem, NewService, Service};
pub use error::{StoreError, StoreResult};
pub use mail::{
    InboxMessage, InboxResult, MailWrites, MailboxRow, NewMailbox, NewMailboxOAuth, NewOutboxMail, OutboxMail,
    Participant,
};
pub use mail_trust::MailVerdict;
pub use people::UserRecord;
pub use policy::{CalendarRow, StatusRecord, TargetRow};
pub use routing::{Absence, Authorization, PlaceKind, RoutingAgent, ServiceRouting};
pub use sessions::StoredSession;
pub use settings_history::{SettingsChange, calendar_subject};
pub use tickets::{
    Attachment, Entry, HistoryRecord, NewAttachment, NewEntry, NewTicket, SlaFilter, SortOrder, TicketFilter,
    TicketUpdate, TicketView, Total,
};
pub use users::NewUser;
pub use vendors::{
    Contract, Escalation, EscalationEvent, NewContract, NewEscalation, NewEscalationEvent, Vendor, VendorContact,
};
// Surveys and knowledge (issue 16).
pub use indicators::{ActionFilter, ActionRow, IndicatorRow, NewAction, NewIndicator};
pub use knowledge::{ArticleFields, ArticleFilter, ArticleRow, LessonRow, NewLesson, RevisionRow};
pub use reports::{FeedRow, NONE_NAME, ReportFilter, ReportTicket};
pub use surveys::{NewSurveyLink, SampleCandidateRow, SurveyAnswerRow, SurveyLink, SurveyResultRow};
// Maintenance plans and logbooks (issue 17).
pub use maintenance::{
    ActivityRow, ChecklistRow, LogbookEntryRow, LogbookFile, LogbookRow, NewActivity, NewLogbookEntry, NewPlan,
    OccurrenceRow, PlanRow, logbook_key,
};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Db {
    /// SQLite allows one writer at a time: a one-connection writer pool
    /// queues writes in-process instead of spinning on SQLITE_BUSY; readers
    /// run in parallel thanks to WAL.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
        /// The database file, beside which migrations take their lock.
        file: std::path::PathBuf,
        /// New tickets go to one task that commits them in groups.
        new_tickets: tokio::sync::mpsc::Sender<tickets::NewTicketJob>,
        /// Another task checkpoints the WAL, so commits never do.
        _checkpointer: checkpointer::Checkpointer,
    },
    Postgres(PgPool),
}

/// The database. Cheap to clone (pools are shared).
#[derive(Clone)]
pub struct Store {
    db: Db,
}

impl std::fmt::Debug for Store {
    // Never print connection strings: they may hold passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish()
    }
}

/// Runs `$body` with `$pool` bound to the backend's reader (or writer) pool.
/// The body is compiled once per backend, so the same SQL serves both.
macro_rules! with_pool {
    ($store:expr, read, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { reader: $pool, .. } => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
    ($store:expr, write, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { writer: $pool, .. } => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx`. On SQLite the
/// transaction is IMMEDIATE, so it takes the write lock up front and waits
/// for other processes instead of failing half-way.
macro_rules! with_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { writer, .. } => {
                #[allow(unused_mut)]
                let mut $tx = writer.begin_with("BEGIN IMMEDIATE").await?;
                $body
            }
            $crate::Db::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                $body
            }
        }
    };
}
pub(crate) use {with_pool, with_tx};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The SQLite file inside a data directory.
pub const SQLITE_FILE: &str = "mesa.db";

impl Store {
    /// Opens the database named by `url` (`postgres://…`), or the SQLite
    /// file inside `data_dir` when there is no URL, and brings its schema up
    /// to date. Safe to call from several processes at once.
    pub async fn open(data_dir: &Path, url: Option<&str>) -> StoreResult<Store> {
        let store = match url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Store::open_postgres(url).await?
            }
            Some(url) if url.starts_with("sqlite:") => {
                let options = SqliteConnectOptions::from_str(url)?;
                Store::open_sqlite_with(options).await?
            }
            Some(_) => return Err(StoreError::Config("database URL must start with postgres:// or sqlite:".into())),
            None => Store::open_sqlite(&data_dir.join(SQLITE_FILE)).await?,
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn open_sqlite(path: &Path) -> StoreResult<Store> {
        Store::open_sqlite_with(SqliteConnectOptions::new().filename(path)).await
    }

    async fn open_sqlite_with(options: SqliteConnectOptions) -> StoreResult<Store> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads through a shared memory map of the file (the kernel's
            // page cache, one copy for every connection) instead of each
            // connection copying pages into a large cache of its own.
            .pragma("mmap_size", "1073741824");
        let file = options.get_filename().to_path_buf();
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            // Commits leave checkpoints to the checkpointer (checkpointer.rs);
            // the log is cut back to 64 MiB after each.
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", "-32000")
                    .pragma("wal_autocheckpoint", "0")
                    .pragma("journal_size_limit", "67108864"),
            )
            .await?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() as u32 * 2).max(4);
        let reader = SqlitePoolOptions::new()
            .max_connections(readers)
            .connect_with(options.pragma("cache_size", "-8000"))
            .await?;
        let new_tickets = tickets::spawn_ticket_writer(writer.clone());
        let _checkpointer = checkpointer::spawn_checkpointer(writer.clone(), reader.clone());
        Ok(Store { db: Db::Sqlite { writer, reader, file, new_tickets, _checkpointer } })
    }

    pub async fn open_postgres(url: &str) -> StoreResult<Store> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Store { db: Db::Postgres(pool) })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations. Concurrent processes do not race:
    /// PostgreSQL takes an advisory lock (sqlx does it); for SQLite, where
    /// sqlx takes none, an exclusive lock on a file beside the database.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite { writer, file, .. } => {
                let mut lock_path = file.clone().into_os_string();
                lock_path.push(".migrate-lock");
                let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
                    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(lock_path)?;
                    lock.lock()?;
                    Ok(lock)
                })
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
                let result = SQLITE_MIGRATIONS.run(writer).await;
                drop(lock);
                result?;
            }
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Checks the database answers (used by the health check).
    pub async fn ping(&self) -> StoreResult<()> {
        with_pool!(self, read, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { writer, reader, .. } => {
                reader.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
