//! Tickets, their thread, history, attachments and search.

use chrono::{DateTime, Utc};
use mesa_core::lifecycle::Change;
use mesa_core::search::fold;
use mesa_core::sla::SlaStamp;
use mesa_core::ticket::{Level, TicketText};
use mesa_core::{Channel, HoldReason, Priority, Status, Ticket, TicketType};
use sqlx::AssertSqlSafe;

use crate::mail::{MailWrites, write_mail};
use crate::rows::TicketRow;
use crate::{Backend, Store, StoreError, StoreResult, with_pool, with_tx};

/// A ticket ready to be numbered and stored (checked by the use case).
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub text: TicketText,
    pub ticket_type: TicketType,
    pub priority: Priority,
    pub status: Status,
    pub service_id: Option<i64>,
    pub requester_id: i64,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub level: Level,
    /// Who opened it: the requester, or an agent on their behalf.
    pub created_by: i64,
    pub stamp: SlaStamp,
    /// The received message this ticket is made from (mail channel): a
    /// second attempt at the same message finds this ticket.
    pub source_mail_id: Option<i64>,
    /// Why a new ticket is on hold (seed 004: waiting for its authorisation).
    pub hold_reason: Option<HoldReason>,
    /// The routing decision's history value (`mesa_core::routing::Reason`),
    /// recorded with the ticket.
    pub routing_reason: Option<String>,
    /// The person who must authorise the work first (seed 004).
    pub approver_id: Option<i64>,
    /// How it reached the desk.
    pub channel: Channel,
}

/// A ticket with the names of what it refers to, as pages and the API show it.
#[derive(Debug, Clone)]
pub struct TicketView {
    pub ticket: Ticket,
    pub requester_email: String,
    pub requester_name: String,
    pub assignee_email: Option<String>,
    pub assignee_name: Option<String>,
    pub service_name: Option<String>,
    pub department_name: Option<String>,
    pub building_name: Option<String>,
    pub team_name: Option<String>,
    pub stamp: SlaStamp,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ViewRow {
    #[sqlx(flatten)]
    ticket: TicketRow,
    requester_email: String,
    requester_name: String,
    assignee_email: Option<String>,
    assignee_name: Option<String>,
    service_name: Option<String>,
    department_name: Option<String>,
    building_name: Option<String>,
    team_name: Option<String>,
}

impl TryFrom<ViewRow> for TicketView {
    type Error = StoreError;
    fn try_from(r: ViewRow) -> StoreResult<TicketView> {
        let stamp = r.ticket.stamp();
        Ok(TicketView {
            stamp,
            ticket: r.ticket.try_into()?,
            requester_email: r.requester_email,
            requester_name: r.requester_name,
            assignee_email: r.assignee_email,
            assignee_name: r.assignee_name,
            service_name: r.service_name,
            department_name: r.department_name,
            building_name: r.building_name,
            team_name: r.team_name,
        })
    }
}

/// Names by scalar subquery rather than six LEFT JOINs: the same rows, but
/// PostgreSQL plans a two-table join in a fraction of the time.
pub(crate) const VIEW_SELECT: &str = "SELECT t.*, r.email AS requester_email, r.name AS requester_name, \
     (SELECT a.email FROM users a WHERE a.id = t.assignee_id) AS assignee_email, \
     (SELECT a.name FROM users a WHERE a.id = t.assignee_id) AS assignee_name, \
     (SELECT s.name FROM services s WHERE s.id = t.service_id) AS service_name, \
     (SELECT d.name FROM departments d WHERE d.id = t.department_id) AS department_name, \
     (SELECT b.name FROM buildings b WHERE b.id = t.building_id) AS building_name, \
     (SELECT tm.name FROM teams tm WHERE tm.id = t.team_id) AS team_name \
     FROM tickets t JOIN users r ON r.id = t.requester_id";

/// One message of a ticket's thread.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub author_id: i64,
    pub internal: bool,
    pub body: String,
    /// The received message this entry is made from, if any.
    pub source_mail_id: Option<i64>,
}

/// One line of a ticket's append-only history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRecord {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub field: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

/// A change to write in one transaction: the ticket as it is to be (its
/// `version` the one it was read at), a thread entry, and what to record.
#[derive(Debug, Clone)]
pub struct TicketUpdate<'a> {
    pub ticket: &'a Ticket,
    pub entry: Option<NewEntry>,
    /// Each change, and whether it is internal (hidden from the requester).
    pub history: Vec<(Change, bool)>,
    pub actor_id: Option<i64>,
    pub stamp: SlaStamp,
    /// When the change happens (the clock automation runs at, in tests too).
    pub at: DateTime<Utc>,
    /// A received message the change comes from, written with it.
    pub mail: Option<&'a MailWrites>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    pub uploaded_by: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub ticket_id: i64,
    pub uploaded_by: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

mod create;
mod search;

pub(crate) use create::{
    NewTicketJob, POSTGRES_CREATE_TICKET, SQLITE_CREATE_TICKET, bind_new_ticket, insert_new_ticket, spawn_ticket_writer,
};
pub use search::{SlaFilter, SortOrder, TicketFilter, Total};

impl Store {
    /// Writes a ticket change, its thread entry and its history atomically.
    /// Returns the new entry's id. `Conflict("stale_ticket")` when someone
    /// else changed the ticket since it was read.
    #[tracing::instrument(skip_all)]
    pub async fn update_ticket(&self, update: TicketUpdate<'_>) -> StoreResult<Option<i64>> {
        let t = update.ticket;
        let now = update.at;
        let backend = self.backend();
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE tickets SET subject = $1, description = $2, type = $3, status = $4, priority = $5,
                   service_id = $6, department_id = $7, building_id = $8, contact_phone = $9,
                   remote_access_id = $10, assignee_id = $11, team_id = $12, level = $13, hold_reason = $14,
                   resume_at = $15, resolution = $16, outcome = $17, updated_at = $18, first_response_at = $19,
                   solved_at = $20, closed_at = $21, version = version + 1,
                   status_since = CASE WHEN status <> $4 THEN $18 ELSE status_since END,
                   response_due_at = $24, resolution_due_at = $25, response_warn_at = $26,
                   resolution_warn_at = $27, sla_paused = $28
                 WHERE id = $22 AND version = $23",
            )
            .bind(&t.subject)
            .bind(&t.description)
            .bind(t.ticket_type.as_str())
            .bind(t.status.as_str())
            .bind(t.priority.as_str())
            .bind(t.service_id)
            .bind(t.department_id)
            .bind(t.building_id)
            .bind(&t.contact_phone)
            .bind(&t.remote_access_id)
            .bind(t.assignee_id)
            .bind(t.team_id)
            .bind(i32::from(t.level.get()))
            .bind(t.hold_reason.map(|r| r.as_str()))
            .bind(t.resume_at)
            .bind(&t.resolution)
            .bind(t.outcome.map(|o| o.as_str()))
            .bind(now)
            .bind(t.first_response_at)
            .bind(t.solved_at)
            .bind(t.closed_at)
            .bind(t.id)
            .bind(t.version)
            .bind(update.stamp.response_due_at)
            .bind(update.stamp.resolution_due_at)
            .bind(update.stamp.response_warn_at)
            .bind(update.stamp.resolution_warn_at)
            .bind(update.stamp.paused)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("stale_ticket".into()));
            }
            let mut entry_id = None;
            if let Some(entry) = &update.entry {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO ticket_entries (ticket_id, author_id, internal, body, created_at, source_mail_id)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(t.id)
                .bind(entry.author_id)
                .bind(entry.internal)
                .bind(&entry.body)
                .bind(now)
                .bind(entry.source_mail_id)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(search_insert_sql(backend))
                    .bind(fold(&entry.body))
                    .bind(t.id)
                    .bind(entry.internal)
                    .execute(&mut *tx)
                    .await?;
                entry_id = Some(id);
            }
            for (change, internal) in &update.history {
                sqlx::query(HISTORY_INSERT)
                    .bind(t.id)
                    .bind(update.actor_id)
                    .bind(change.field)
                    .bind(&change.before)
                    .bind(&change.after)
                    .bind(*internal)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(writes) = update.mail {
                write_mail!(tx, writes, t.id, entry_id, now)?;
            }
            tx.commit().await?;
            Ok(entry_id)
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn ticket_by_number(&self, number: i64) -> StoreResult<TicketView> {
        let sql = AssertSqlSafe(format!("{VIEW_SELECT} WHERE t.number = $1"));
        let row: ViewRow = with_pool!(self, read, |pool| sqlx::query_as(sql).bind(number).fetch_one(pool).await)?;
        row.try_into()
    }

    #[tracing::instrument(skip_all)]
    pub async fn ticket_by_id(&self, id: i64) -> StoreResult<TicketView> {
        let sql = AssertSqlSafe(format!("{VIEW_SELECT} WHERE t.id = $1"));
        let row: ViewRow = with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?;
        row.try_into()
    }

    /// The thread, oldest first; internal notes only when asked for.
    #[tracing::instrument(skip_all)]
    pub async fn entries(&self, ticket_id: i64, include_internal: bool) -> StoreResult<Vec<Entry>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT e.id, e.ticket_id, e.author_id, u.name AS author_name, u.email AS author_email, e.internal,
                    e.body, e.created_at
             FROM ticket_entries e LEFT JOIN users u ON u.id = e.author_id
             WHERE e.ticket_id = $1 AND (NOT e.internal OR $2) ORDER BY e.id"
        )
        .bind(ticket_id)
        .bind(include_internal)
        .fetch_all(pool)
        .await)?)
    }

    /// The history, oldest first; internal lines only when asked for.
    #[tracing::instrument(skip_all)]
    pub async fn history(&self, ticket_id: i64, include_internal: bool) -> StoreResult<Vec<HistoryRecord>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT h.id, h.actor_id, u.name AS actor_name, h.field, h.before_value, h.after_value, h.internal,
                    h.created_at
             FROM ticket_history h LEFT JOIN users u ON u.id = h.actor_id
             WHERE h.ticket_id = $1 AND (NOT h.internal OR $2) ORDER BY h.id"
        )
        .bind(ticket_id)
        .bind(include_internal)
        .fetch_all(pool)
        .await)?)
    }

    /// Records an attachment's metadata (its bytes are already in the blob
    /// store) and its line in the history.
    #[tracing::instrument(skip_all)]
    pub async fn insert_attachment(&self, new: &NewAttachment) -> StoreResult<Attachment> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            let att = insert_attachment!(tx, new, new.ticket_id, now)?;
            tx.commit().await?;
            Ok(att)
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn attachment(&self, id: i64) -> StoreResult<Attachment> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as("SELECT * FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn attachments(&self, ticket_id: i64) -> StoreResult<Vec<Attachment>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as("SELECT * FROM attachments WHERE ticket_id = $1 ORDER BY id")
            .bind(ticket_id)
            .fetch_all(pool)
            .await)?)
    }
}

pub(crate) const HISTORY_INSERT: &str =
    "INSERT INTO ticket_history (ticket_id, actor_id, field, before_value, after_value, internal, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Adds the folded text `$1` of an entry of ticket `$2` (internal when `$3`)
/// to the search index. On PostgreSQL the ticket's documents grow (migration
/// 0008): an internal note only the staff's.
fn search_insert_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "INSERT INTO ticket_search (body, ticket_id, internal) VALUES ($1, $2, $3)",
        Backend::Postgres => {
            "WITH d AS (SELECT strip(to_tsvector('simple', $1)) AS doc),
                  p AS (UPDATE ticket_docs_public SET doc = ticket_docs_public.doc || d.doc FROM d
                         WHERE ticket_id = $2 AND NOT $3)
             UPDATE ticket_docs_staff SET doc = ticket_docs_staff.doc || d.doc FROM d WHERE ticket_id = $2"
        }
    }
}

/// Inserts attachment `$new` on ticket `$ticket_id`, with its history line.
macro_rules! insert_attachment {
    ($tx:expr, $new:expr, $ticket_id:expr, $now:expr) => {
        async {
            let new: &$crate::NewAttachment = $new;
            let ticket_id: i64 = $ticket_id;
            let att: $crate::Attachment = sqlx::query_as(
                "INSERT INTO attachments (ticket_id, uploaded_by, filename, content_type, size, sha256, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            )
            .bind(ticket_id)
            .bind(new.uploaded_by)
            .bind(&new.filename)
            .bind(&new.content_type)
            .bind(new.size)
            .bind(&new.sha256)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
            sqlx::query($crate::tickets::HISTORY_INSERT)
                .bind(ticket_id)
                .bind(new.uploaded_by)
                .bind("attachment")
                .bind(None::<String>)
                .bind(&new.filename)
                .bind(false)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
            Ok::<$crate::Attachment, sqlx::Error>(att)
        }
        .await
    };
}
pub(crate) use insert_attachment;
