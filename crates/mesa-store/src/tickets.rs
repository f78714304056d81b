//! Tickets, their thread, history, attachments and search.

use chrono::{DateTime, Utc};
use mesa_core::lifecycle::Change;
use mesa_core::search::fold;
use mesa_core::sla::SlaStamp;
use mesa_core::ticket::{Level, TicketText};
use mesa_core::{Priority, Status, Ticket, TicketType};
use sqlx::AssertSqlSafe;

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

pub(crate) const VIEW_SELECT: &str = "SELECT t.*, r.email AS requester_email, r.name AS requester_name, \
     a.email AS assignee_email, a.name AS assignee_name, s.name AS service_name, \
     d.name AS department_name, b.name AS building_name, tm.name AS team_name \
     FROM tickets t JOIN users r ON r.id = t.requester_id \
     LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN services s ON s.id = t.service_id \
     LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN buildings b ON b.id = t.building_id \
     LEFT JOIN teams tm ON tm.id = t.team_id";

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

/// Which tickets a list shows, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    /// `Some(None)`: unassigned only.
    pub assignee_id: Option<Option<i64>>,
    pub requester_id: Option<i64>,
    pub priority: Option<Priority>,
    pub service_id: Option<i64>,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this instant.
    pub created_before: Option<DateTime<Utc>>,
    /// Folded search terms (`mesa_core::search::terms`); all must match.
    pub terms: Vec<String>,
    /// Whether internal notes count for the search.
    pub search_internal: bool,
    /// Only tickets whose running clocks are breached, or at risk.
    pub sla: Option<SlaFilter>,
    /// The instant `sla` is judged at.
    pub now: Option<DateTime<Utc>>,
    pub sort: SortOrder,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    Breached,
    AtRisk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Newest,
    Oldest,
    /// Soonest resolution due date first; tickets without one last.
    Due,
}

enum Arg {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

impl Store {
    /// Numbers and stores a new ticket. The number comes from a counter row
    /// updated in the same transaction, so numbers are consecutive with no
    /// gaps or duplicates, whatever the number of processes.
    #[tracing::instrument(skip_all)]
    pub async fn create_ticket(&self, new: &NewTicket) -> StoreResult<Ticket> {
        let now = Utc::now();
        let backend = self.backend();
        let row: TicketRow = with_tx!(self, |tx| {
            let number: i64 = sqlx::query_scalar(
                "UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value",
            )
            .fetch_one(&mut *tx)
            .await?;
            let row: TicketRow = sqlx::query_as(
                "INSERT INTO tickets (number, subject, description, type, status, priority, service_id, requester_id,
                   department_id, building_id, contact_phone, remote_access_id, assignee_id, team_id, level,
                   created_at, updated_at, status_since, version, response_due_at, resolution_due_at,
                   response_warn_at, resolution_warn_at, sla_paused, source_mail_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $16, 1,
                   $17, $18, $19, $20, $21, $22) RETURNING *",
            )
            .bind(number)
            .bind(&new.text.subject)
            .bind(&new.text.description)
            .bind(new.ticket_type.as_str())
            .bind(new.status.as_str())
            .bind(new.priority.as_str())
            .bind(new.service_id)
            .bind(new.requester_id)
            .bind(new.department_id)
            .bind(new.building_id)
            .bind(&new.text.contact_phone)
            .bind(&new.text.remote_access_id)
            .bind(new.assignee_id)
            .bind(new.team_id)
            .bind(i32::from(new.level.get()))
            .bind(now)
            .bind(new.stamp.response_due_at)
            .bind(new.stamp.resolution_due_at)
            .bind(new.stamp.response_warn_at)
            .bind(new.stamp.resolution_warn_at)
            .bind(new.stamp.paused)
            .bind(new.source_mail_id)
            .fetch_one(&mut *tx)
            .await?;
            let doc = fold(&format!("{} {}", new.text.subject, new.text.description));
            sqlx::query(search_insert_sql(backend)).bind(doc).bind(row.id).bind(false).execute(&mut *tx).await?;
            sqlx::query(HISTORY_INSERT)
                .bind(row.id)
                .bind(new.created_by)
                .bind("created")
                .bind(None::<String>)
                .bind(new.status.as_str())
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        row.try_into()
    }

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

    /// A page of tickets, newest first, and how many match in all.
    #[tracing::instrument(skip_all)]
    pub async fn list_tickets(&self, filter: &TicketFilter) -> StoreResult<(Vec<TicketView>, i64)> {
        let (where_sql, args) = self.where_clause(filter);
        let per_page = filter.per_page.max(1);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let order = match filter.sort {
            SortOrder::Newest => "t.id DESC",
            SortOrder::Oldest => "t.id ASC",
            SortOrder::Due => "CASE WHEN t.resolution_due_at IS NULL THEN 1 ELSE 0 END, t.resolution_due_at, t.id",
        };
        let list_sql =
            AssertSqlSafe(format!("{VIEW_SELECT}{where_sql} ORDER BY {order} LIMIT {per_page} OFFSET {offset}"));
        let count_sql = AssertSqlSafe(format!("SELECT COUNT(*) FROM tickets t{where_sql}"));
        let (rows, total): (Vec<ViewRow>, i64) = with_pool!(self, read, |pool| {
            let mut list = sqlx::query_as(list_sql);
            let mut count = sqlx::query_scalar(count_sql);
            for arg in &args {
                match arg {
                    Arg::Int(v) => {
                        list = list.bind(*v);
                        count = count.bind(*v);
                    }
                    Arg::Text(v) => {
                        list = list.bind(v.clone());
                        count = count.bind(v.clone());
                    }
                    Arg::Time(v) => {
                        list = list.bind(*v);
                        count = count.bind(*v);
                    }
                }
            }
            let rows = list.fetch_all(pool).await?;
            let total = count.fetch_one(pool).await?;
            (rows, total)
        });
        let items = rows.into_iter().map(TicketView::try_from).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// Builds ` WHERE …` over `tickets t` with `$n` placeholders.
    fn where_clause(&self, filter: &TicketFilter) -> (String, Vec<Arg>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut args = Vec::new();
        let next = |arg: Arg, args: &mut Vec<Arg>| {
            args.push(arg);
            format!("${}", args.len())
        };
        if !filter.statuses.is_empty() {
            let marks: Vec<String> =
                filter.statuses.iter().map(|s| next(Arg::Text(s.as_str().into()), &mut args)).collect();
            clauses.push(format!("t.status IN ({})", marks.join(", ")));
        }
        match filter.assignee_id {
            Some(Some(id)) => clauses.push(format!("t.assignee_id = {}", next(Arg::Int(id), &mut args))),
            Some(None) => clauses.push("t.assignee_id IS NULL".into()),
            None => {}
        }
        for (column, value) in [
            ("t.requester_id", filter.requester_id),
            ("t.service_id", filter.service_id),
            ("t.department_id", filter.department_id),
            ("t.building_id", filter.building_id),
            ("t.team_id", filter.team_id),
        ] {
            if let Some(id) = value {
                clauses.push(format!("{column} = {}", next(Arg::Int(id), &mut args)));
            }
        }
        if let Some(t) = filter.created_from {
            clauses.push(format!("t.created_at >= {}", next(Arg::Time(t), &mut args)));
        }
        if let Some(t) = filter.created_before {
            clauses.push(format!("t.created_at < {}", next(Arg::Time(t), &mut args)));
        }
        if let Some(p) = filter.priority {
            clauses.push(format!("t.priority = {}", next(Arg::Text(p.as_str().into()), &mut args)));
        }
        if let Some(sla) = filter.sla {
            let now = next(Arg::Time(filter.now.unwrap_or_else(Utc::now)), &mut args);
            // Running clocks only: the store keeps due instants of those alone.
            clauses.push(match sla {
                SlaFilter::Breached => {
                    format!("NOT t.sla_paused AND (t.resolution_due_at < {now} OR t.response_due_at < {now})")
                }
                SlaFilter::AtRisk => format!(
                    "NOT t.sla_paused AND ((t.resolution_warn_at <= {now} AND t.resolution_due_at >= {now}) \
                     OR (t.response_warn_at <= {now} AND t.response_due_at >= {now}))"
                ),
            });
        }
        let public_only = if filter.search_internal { "" } else { " AND internal = 0" };
        for term in &filter.terms {
            // Terms are letters and digits only (mesa_core::search::terms).
            let clause = match self.backend() {
                Backend::Sqlite => {
                    let mark = next(Arg::Text(format!("\"{term}\"*")), &mut args);
                    format!(
                        "t.id IN (SELECT ticket_id FROM ticket_search WHERE ticket_search MATCH {mark}{public_only})"
                    )
                }
                Backend::Postgres => {
                    let mark = next(Arg::Text(format!("{term}:*")), &mut args);
                    if let Some(sla) = filter.sla {
                        let now = next(Arg::Time(filter.now.unwrap_or_else(Utc::now)), &mut args);
                        // Running clocks only: the store keeps due instants of those alone.
                        clauses.push(match sla {
                SlaFilter::Breached => format!(
                    "NOT t.sla_paused AND (t.resolution_due_at < {now} OR t.response_due_at < {now})"
                ),
                SlaFilter::AtRisk => format!(
                    "NOT t.sla_paused AND ((t.resolution_warn_at <= {now} AND t.resolution_due_at >= {now}) \
                     OR (t.response_warn_at <= {now} AND t.response_due_at >= {now}))"
                ),
            });
                    }
                    let public_only = if filter.search_internal { "" } else { " AND NOT internal" };
                    format!(
                        "t.id IN (SELECT ticket_id FROM ticket_search WHERE doc @@ to_tsquery('simple', {mark}){public_only})"
                    )
                }
            };
            clauses.push(clause);
        }
        let sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        (sql, args)
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
            let att: Attachment = sqlx::query_as(
                "INSERT INTO attachments (ticket_id, uploaded_by, filename, content_type, size, sha256, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            )
            .bind(new.ticket_id)
            .bind(new.uploaded_by)
            .bind(&new.filename)
            .bind(&new.content_type)
            .bind(new.size)
            .bind(&new.sha256)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(HISTORY_INSERT)
                .bind(new.ticket_id)
                .bind(new.uploaded_by)
                .bind("attachment")
                .bind(None::<String>)
                .bind(&new.filename)
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
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

fn search_insert_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "INSERT INTO ticket_search (body, ticket_id, internal) VALUES ($1, $2, $3)",
        Backend::Postgres => {
            "INSERT INTO ticket_search (doc, ticket_id, internal) VALUES (to_tsvector('simple', $1), $2, $3)"
        }
    }
}
