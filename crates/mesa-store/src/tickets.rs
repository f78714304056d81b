//! Tickets, their thread, history, attachments and search.

use chrono::{DateTime, Utc};
use mesa_core::lifecycle::Change;
use mesa_core::search::fold;
use mesa_core::sla::SlaStamp;
use mesa_core::ticket::{Level, TicketText};
use mesa_core::{HoldReason, Priority, Status, Ticket, TicketType};
use sqlx::AssertSqlSafe;

use crate::mail::{MailWrites, write_mail};
use crate::rows::TicketRow;
use crate::{Backend, Db, Store, StoreError, StoreResult, with_pool, with_tx};

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
    /// Count at most this many matches (`None`: count them all); see
    /// `mesa_core::search::COUNT_LIMIT`. Lists by status alone are always
    /// counted exactly: their counts are kept.
    pub count_limit: Option<u32>,
    /// Leave security incidents out (seed 003: only the security team,
    /// administrators and the requester see them).
    pub hide_security_incidents: bool,
    /// Only tickets waiting for this person's authorisation (seed 004).
    pub awaiting_approver: Option<i64>,
}

/// How many tickets a list matches in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// The number of matches, or the filter's `count_limit` when more match.
    pub count: i64,
    /// False when more than `count` match.
    pub exact: bool,
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
    ///
    /// The whole transaction is one round trip to the database: several
    /// statements in one query on SQLite, one statement with data-modifying
    /// CTEs on PostgreSQL (which also holds the counter's row lock only for
    /// that statement).
    #[tracing::instrument(skip_all)]
    pub async fn create_ticket(&self, new: &NewTicket) -> StoreResult<Ticket> {
        let now = Utc::now();
        let row: TicketRow = match &self.db {
            Db::Sqlite { new_tickets, .. } => {
                let (reply, answer) = tokio::sync::oneshot::channel();
                let query = bind_new_ticket!(sqlx::query_as::<_, TicketRow>(SQLITE_CREATE_TICKET), new, now);
                new_tickets
                    .send(NewTicketJob { query, reply })
                    .await
                    .map_err(|_| StoreError::Unavailable(sqlx::Error::PoolClosed))?;
                answer.await.map_err(|_| StoreError::Unavailable(sqlx::Error::PoolClosed))??
            }
            Db::Postgres(pool) => {
                bind_new_ticket!(sqlx::query_as::<_, TicketRow>(POSTGRES_CREATE_TICKET), new, now)
                    .fetch_one(pool)
                    .await?
            }
        };
        row.try_into()
    }

    /// Numbers and stores a ticket made from a received message, and in the
    /// same transaction what the message writes with it: `follow` gets the
    /// numbered ticket and returns its mails, files and outcome (rendered
    /// with the number). `Conflict` when the message already made a ticket.
    #[tracing::instrument(skip_all)]
    pub async fn create_ticket_from_mail<F>(&self, new: &NewTicket, follow: F) -> StoreResult<Ticket>
    where
        F: FnOnce(&Ticket) -> MailWrites + Send,
    {
        let now = Utc::now();
        with_tx!(self, |tx| {
            let row: TicketRow = match self.backend() {
                Backend::Sqlite => bind_new_ticket!(sqlx::query_as(SQLITE_CREATE_TICKET), new, now)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(StoreError::NotFound)?,
                Backend::Postgres => {
                    bind_new_ticket!(sqlx::query_as(POSTGRES_CREATE_TICKET), new, now).fetch_one(&mut *tx).await?
                }
            };
            let ticket = Ticket::try_from(row)?;
            let writes = follow(&ticket);
            write_mail!(tx, &writes, ticket.id, None::<i64>, now)?;
            tx.commit().await?;
            Ok(ticket)
        })
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

    /// A page of tickets, newest first, and how many match in all.
    ///
    /// The page's ids are found first (from an index alone when the filter
    /// allows), then only those rows are read with their names. The total
    /// comes from the per-status counts or from the search index alone when
    /// the filter is only statuses or only search terms, and stops at the
    /// filter's `count_limit`.
    #[tracing::instrument(skip_all)]
    pub async fn list_tickets(&self, filter: &TicketFilter) -> StoreResult<(Vec<TicketView>, Total)> {
        let (where_sql, mut args) = self.where_clause(filter);
        let per_page = filter.per_page.max(1);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let order = match filter.sort {
            SortOrder::Newest => "t.id DESC",
            SortOrder::Oldest => "t.id ASC",
            SortOrder::Due => "CASE WHEN t.resolution_due_at IS NULL THEN 1 ELSE 0 END, t.resolution_due_at, t.id",
        };
        let count_sql = AssertSqlSafe(self.count_sql(filter, &where_sql));
        let count_args = args.len();
        args.push(Arg::Int(i64::from(per_page)));
        args.push(Arg::Int(offset));
        let (limit, offset) = (args.len() - 1, args.len());
        let page_sql = match self.search_page_sql(filter) {
            Some(search) => format!("{search} LIMIT ${limit} OFFSET ${offset}"),
            None => format!("SELECT t.id FROM tickets t{where_sql} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}"),
        };
        let list_sql =
            AssertSqlSafe(format!("{VIEW_SELECT} JOIN ({page_sql}) page ON page.id = t.id ORDER BY {order}"));
        let (rows, total): (Vec<ViewRow>, i64) = with_pool!(self, read, |pool| {
            // PostgreSQL plans a search for its terms (common words walk the
            // newest tickets, rare ones read their few matches): a prepared
            // statement would settle on one generic plan for all of them.
            let cached = filter.terms.is_empty() || self.backend() == Backend::Sqlite;
            let mut list = sqlx::query_as(list_sql).persistent(cached);
            let mut count = sqlx::query_scalar(count_sql).persistent(cached);
            for (i, arg) in args.iter().enumerate() {
                let counted = i < count_args;
                match arg {
                    Arg::Int(v) => {
                        list = list.bind(*v);
                        if counted {
                            count = count.bind(*v);
                        }
                    }
                    Arg::Text(v) => {
                        list = list.bind(v.clone());
                        if counted {
                            count = count.bind(v.clone());
                        }
                    }
                    Arg::Time(v) => {
                        list = list.bind(*v);
                        if counted {
                            count = count.bind(*v);
                        }
                    }
                }
            }
            // Two connections: the page and the count cost about the same.
            let (rows, total): (_, Option<i64>) = tokio::try_join!(list.fetch_all(pool), count.fetch_one(pool))?;
            (rows, total.unwrap_or(0))
        });
        let items = rows.into_iter().map(TicketView::try_from).collect::<StoreResult<_>>()?;
        let total = match filter.count_limit.map(i64::from) {
            Some(limit) if total > limit => Total { count: limit, exact: false },
            _ => Total { count: total, exact: true },
        };
        Ok((items, total))
    }

    /// For a search by terms alone: the ids (`id`) of the matching tickets,
    /// each once, straight from the search index, without first collecting
    /// every match as `where_clause` does. Takes the same `$n` arguments (the
    /// terms).
    fn matches_sql(&self, filter: &TicketFilter) -> Option<String> {
        if !only_terms(filter) {
            return None;
        }
        let internal = filter.search_internal;
        if self.backend() == Backend::Postgres {
            let docs = postgres_docs(internal);
            return Some(format!(
                "SELECT ticket_id AS id FROM {docs} WHERE doc @@ ({})",
                postgres_query(filter.terms.len())
            ));
        }
        let public_only = if internal { "" } else { " AND (rowid & 1) = 0" };
        let mut sql =
            format!("SELECT DISTINCT rowid >> 21 AS id FROM ticket_fts WHERE ticket_fts MATCH $1{public_only}");
        for i in 2..=filter.terms.len() {
            let matches = self.term_matches(&format!("${i}"), internal);
            sql.push_str(&format!(" AND (rowid >> 21) IN ({matches})"));
        }
        Some(sql)
    }

    /// For a newest-first search by terms alone: `matches_sql` in the search
    /// index's order. SQLite's FTS5 index hands the ids out in rowid order;
    /// PostgreSQL, with one row per ticket (migration 0008), can walk the
    /// primary key backwards when the words are common. To be followed by
    /// LIMIT and OFFSET.
    fn search_page_sql(&self, filter: &TicketFilter) -> Option<String> {
        if filter.sort != SortOrder::Newest {
            return None;
        }
        let order = match self.backend() {
            Backend::Sqlite => "rowid DESC",
            Backend::Postgres => "ticket_id DESC",
        };
        self.matches_sql(filter).map(|sql| format!("{sql} ORDER BY {order}"))
    }

    /// The query counting what `filter` matches, with the same `$n` arguments
    /// as `where_clause` (which gave `where_sql`), up to one more than the
    /// filter's `count_limit`. A filter of statuses alone is summed from the
    /// counts kept by triggers (migration 0005); one of search terms alone
    /// counts index entries without reading the tickets.
    fn count_sql(&self, filter: &TicketFilter, where_sql: &str) -> String {
        if statuses_and_terms_only(filter) && filter.terms.is_empty() {
            let marks: Vec<String> = (1..=filter.statuses.len()).map(|i| format!("${i}")).collect();
            let only =
                if marks.is_empty() { String::new() } else { format!(" WHERE status IN ({})", marks.join(", ")) };
            // SUM of BIGINT is NUMERIC on PostgreSQL.
            return format!("SELECT CAST(COALESCE(SUM(tickets), 0) AS BIGINT) FROM ticket_status_counts{only}");
        }
        let rows = self.matches_sql(filter).unwrap_or_else(|| format!("SELECT t.id FROM tickets t{where_sql}"));
        match filter.count_limit {
            Some(limit) => format!("SELECT COUNT(*) FROM ({rows} LIMIT {}) counted", u64::from(limit) + 1),
            None => format!("SELECT COUNT(*) FROM ({rows}) counted"),
        }
    }

    /// The ids of the tickets whose text matches the search term `mark` (a
    /// `$n`), internal notes included only when `internal`. On SQLite the
    /// rowid holds the ticket id and the internal flag (migration 0005), and
    /// a ticket comes once per matching text; PostgreSQL has one row per
    /// ticket (migration 0008).
    fn term_matches(&self, mark: &str, internal: bool) -> String {
        match self.backend() {
            Backend::Sqlite => {
                let public_only = if internal { "" } else { " AND (rowid & 1) = 0" };
                format!("SELECT rowid >> 21 FROM ticket_fts WHERE ticket_fts MATCH {mark}{public_only}")
            }
            Backend::Postgres => {
                let docs = postgres_docs(internal);
                format!("SELECT ticket_id FROM {docs} WHERE doc @@ to_tsquery('simple', {mark})")
            }
        }
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
        if filter.hide_security_incidents {
            clauses.push("t.type <> 'security_incident'".into());
        }
        if let Some(approver) = filter.awaiting_approver {
            let mark = next(Arg::Int(approver), &mut args);
            clauses.push(format!(
                "t.id IN (SELECT ticket_id FROM ticket_authorizations WHERE approver_id = {mark} AND decision IS NULL)"
            ));
        }
        for term in &filter.terms {
            // Terms are letters and digits only (mesa_core::search::terms).
            let pattern = match self.backend() {
                Backend::Sqlite => format!("\"{term}\"*"),
                Backend::Postgres => format!("{term}:*"),
            };
            let mark = next(Arg::Text(pattern), &mut args);
            clauses.push(format!("t.id IN ({})", self.term_matches(&mark, filter.search_internal)));
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

/// A ticket to write, and where to say how it went.
pub(crate) struct NewTicketJob {
    query: sqlx::query::QueryAs<'static, sqlx::Sqlite, TicketRow, sqlx::sqlite::SqliteArguments>,
    reply: tokio::sync::oneshot::Sender<StoreResult<TicketRow>>,
}

/// How many new tickets at most share one SQLite transaction.
const GROUP_COMMIT_MAX: usize = 64;

/// Starts the task that writes new tickets on SQLite (group commit): the
/// tickets that arrive while a transaction is being written go together in
/// the next one, each in its own savepoint, so one that fails does not take
/// the others with it and leaves no gap in the numbers. Callers hear back
/// only after the commit. The task ends when the store is dropped.
pub(crate) fn spawn_ticket_writer(writer: sqlx::SqlitePool) -> tokio::sync::mpsc::Sender<NewTicketJob> {
    let (send, mut jobs) = tokio::sync::mpsc::channel::<NewTicketJob>(4 * GROUP_COMMIT_MAX);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(GROUP_COMMIT_MAX);
        while jobs.recv_many(&mut batch, GROUP_COMMIT_MAX).await > 0 {
            let results = write_new_tickets(&writer, std::mem::take(&mut batch)).await;
            for (reply, result) in results {
                // The caller may have gone away; the ticket exists anyway.
                let _ = reply.send(result);
            }
        }
    });
    send
}

/// What each ticket of a batch hears when the batch as a whole failed.
fn batch_failed(e: &StoreError) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("writing a batch of new tickets: {e}")))
}

type Replies = Vec<(tokio::sync::oneshot::Sender<StoreResult<TicketRow>>, StoreResult<TicketRow>)>;

async fn write_new_tickets(writer: &sqlx::SqlitePool, batch: Vec<NewTicketJob>) -> Replies {
    let fail_all = |batch: Vec<NewTicketJob>, e: &StoreError| -> Replies {
        batch.into_iter().map(|job| (job.reply, Err(batch_failed(e)))).collect()
    };
    let mut conn = match writer.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail_all(batch, &e.into()),
    };
    if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        return fail_all(batch, &e.into());
    }
    let mut written: Vec<(tokio::sync::oneshot::Sender<StoreResult<TicketRow>>, StoreResult<TicketRow>)> =
        Vec::with_capacity(batch.len());
    for job in batch {
        let result = match job.query.fetch_all(&mut *conn).await {
            Ok(rows) => rows.into_iter().next().ok_or(StoreError::NotFound),
            Err(e) => {
                // Undo this ticket only (its number too).
                if let Err(undo) =
                    sqlx::query("ROLLBACK TO create_ticket; RELEASE create_ticket").execute(&mut *conn).await
                {
                    tracing::error!(error = %undo, "could not undo a failed new ticket; rolling back its batch");
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    let e = StoreError::from(undo);
                    let mut replies: Replies =
                        written.into_iter().map(|(reply, _)| (reply, Err(batch_failed(&e)))).collect();
                    replies.push((job.reply, Err(batch_failed(&e))));
                    return replies;
                }
                Err(e.into())
            }
        };
        written.push((job.reply, result));
    }
    if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        let e = StoreError::from(e);
        return written.into_iter().map(|(reply, _)| (reply, Err(batch_failed(&e)))).collect();
    }
    written
}

/// Whether `filter` filters by statuses and search terms, or by nothing.
fn statuses_and_terms_only(filter: &TicketFilter) -> bool {
    matches!(
        filter,
        TicketFilter {
            assignee_id: None,
            requester_id: None,
            priority: None,
            service_id: None,
            department_id: None,
            building_id: None,
            team_id: None,
            created_from: None,
            created_before: None,
            sla: None,
            hide_security_incidents: false,
            awaiting_approver: None,
            ..
        }
    )
}

/// Whether `filter` is search terms and nothing else (the sort and page aside).
fn only_terms(filter: &TicketFilter) -> bool {
    statuses_and_terms_only(filter) && filter.statuses.is_empty() && !filter.terms.is_empty()
}

/// The PostgreSQL search documents of the tickets: with internal notes or without.
fn postgres_docs(internal: bool) -> &'static str {
    if internal { "ticket_docs_staff" } else { "ticket_docs_public" }
}

/// One PostgreSQL text query matching all of the terms `$1…$terms`.
fn postgres_query(terms: usize) -> String {
    let each: Vec<String> = (1..=terms).map(|i| format!("to_tsquery('simple', ${i})")).collect();
    each.join(" && ")
}

/// Binds a new ticket's `$1…$26` to `$query` (see `new_ticket_columns`).
macro_rules! bind_new_ticket {
    ($query:expr, $new:expr, $now:expr) => {{
        let new: &NewTicket = $new;
        $query
            .bind(new.text.subject.clone())
            .bind(new.text.description.clone())
            .bind(new.ticket_type.as_str())
            .bind(new.status.as_str())
            .bind(new.priority.as_str())
            .bind(new.service_id)
            .bind(new.requester_id)
            .bind(new.department_id)
            .bind(new.building_id)
            .bind(new.text.contact_phone.clone())
            .bind(new.text.remote_access_id.clone())
            .bind(new.assignee_id)
            .bind(new.team_id)
            .bind(i32::from(new.level.get()))
            .bind($now)
            .bind(new.stamp.response_due_at)
            .bind(new.stamp.resolution_due_at)
            .bind(new.stamp.response_warn_at)
            .bind(new.stamp.resolution_warn_at)
            .bind(new.stamp.paused)
            .bind(new.created_by)
            .bind(fold(&format!("{} {}", new.text.subject, new.text.description)))
            .bind(new.source_mail_id)
            .bind(new.hold_reason.map(|r| r.as_str()))
            .bind(new.routing_reason.clone())
            .bind(new.approver_id)
    }};
}
use bind_new_ticket;

/// The columns a new ticket is written with, `$1…$20`, `$23` and `$24`;
/// `$21` is who opens it, `$22` its folded text for the search index, `$25`
/// its routing decision and `$26` its approver (both may be NULL).
macro_rules! new_ticket_columns {
    () => {
        "number, subject, description, type, status, priority, service_id, requester_id, department_id,
         building_id, contact_phone, remote_access_id, assignee_id, team_id, level, created_at, updated_at,
         status_since, version, response_due_at, resolution_due_at, response_warn_at, resolution_warn_at, sla_paused,
         source_mail_id, hold_reason"
    };
}

/// One query, one transaction (the savepoint is the transaction: it starts
/// with the counter's write, so it waits for other processes' writers like
/// `BEGIN IMMEDIATE` does). The ticket is read back before the release.
const SQLITE_CREATE_TICKET: &str = concat!(
    "SAVEPOINT create_ticket;
     UPDATE counters SET value = value + 1 WHERE name = 'ticket_number';
     INSERT INTO tickets (",
    new_ticket_columns!(),
    ") VALUES ((SELECT value FROM counters WHERE name = 'ticket_number'), $1, $2, $3, $4, $5, $6, $7, $8, $9,
       $10, $11, $12, $13, $14, $15, $15, $15, 1, $16, $17, $18, $19, $20, $23, $24);
     INSERT INTO ticket_history (ticket_id, actor_id, field, before_value, after_value, internal, created_at)
       SELECT id, $21, 'created', NULL, $4, 0, $15 FROM tickets
        WHERE number = (SELECT value FROM counters WHERE name = 'ticket_number');
     INSERT INTO ticket_history (ticket_id, actor_id, field, before_value, after_value, internal, created_at)
       SELECT id, NULL, 'routing', NULL, $25, 1, $15 FROM tickets
        WHERE number = (SELECT value FROM counters WHERE name = 'ticket_number') AND $25 IS NOT NULL;
     INSERT INTO ticket_authorizations (ticket_id, approver_id)
       SELECT id, $26 FROM tickets
        WHERE number = (SELECT value FROM counters WHERE name = 'ticket_number') AND $26 IS NOT NULL;
     INSERT INTO ticket_search (body, ticket_id, internal)
       SELECT $22, id, 0 FROM tickets WHERE number = (SELECT value FROM counters WHERE name = 'ticket_number');
     SELECT * FROM tickets WHERE number = (SELECT value FROM counters WHERE name = 'ticket_number');
     RELEASE create_ticket;"
);

const POSTGRES_CREATE_TICKET: &str = concat!(
    "WITH n AS (UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value),
     t AS (INSERT INTO tickets (",
    new_ticket_columns!(),
    ") SELECT n.value, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15, 1,
         $16, $17, $18, $19, $20, $23, $24 FROM n RETURNING *),
     h AS (INSERT INTO ticket_history (ticket_id, actor_id, field, before_value, after_value, internal, created_at)
           SELECT t.id, $21, 'created', NULL, $4, FALSE, $15 FROM t),
     r AS (INSERT INTO ticket_history (ticket_id, actor_id, field, before_value, after_value, internal, created_at)
           SELECT t.id, NULL, 'routing', NULL, $25::TEXT, TRUE, $15 FROM t WHERE $25::TEXT IS NOT NULL),
     a AS (INSERT INTO ticket_authorizations (ticket_id, approver_id)
           SELECT t.id, $26::BIGINT FROM t WHERE $26::BIGINT IS NOT NULL),
     d AS (SELECT t.id, strip(to_tsvector('simple', $22)) AS doc FROM t),
     p AS (INSERT INTO ticket_docs_public (ticket_id, doc) SELECT id, doc FROM d),
     s AS (INSERT INTO ticket_docs_staff (ticket_id, doc) SELECT id, doc FROM d)
     SELECT * FROM t"
);

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
