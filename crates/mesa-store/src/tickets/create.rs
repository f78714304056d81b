//! Writing new tickets: one round trip per ticket, and on SQLite a group
//! commit of the tickets that arrive together.

use chrono::Utc;
use mesa_core::Ticket;
use mesa_core::search::fold;

use super::NewTicket;
use crate::mail::{MailWrites, write_mail};
use crate::rows::TicketRow;
use crate::{Backend, Db, Store, StoreError, StoreResult, with_tx};

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
            let row: TicketRow = insert_new_ticket!(self, tx, new, now);
            let ticket = Ticket::try_from(row)?;
            let writes = follow(&ticket);
            write_mail!(tx, &writes, ticket.id, None::<i64>, now)?;
            tx.commit().await?;
            Ok(ticket)
        })
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

/// Binds a new ticket's `$1…$27` to `$query` (see `new_ticket_columns`).
macro_rules! bind_new_ticket {
    ($query:expr, $new:expr, $now:expr) => {{
        let new: &NewTicket = $new;
        $query
            .bind(new.text.subject().to_owned())
            .bind(new.text.description().to_owned())
            .bind(new.ticket_type.as_str())
            .bind(new.status.as_str())
            .bind(new.priority.as_str())
            .bind(new.service_id)
            .bind(new.requester_id)
            .bind(new.department_id)
            .bind(new.building_id)
            .bind(new.text.contact_phone().map(str::to_owned))
            .bind(new.text.remote_access_id().map(str::to_owned))
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
            .bind(fold(&format!("{} {}", new.text.subject(), new.text.description())))
            .bind(new.source_mail_id)
            .bind(new.hold_reason.map(|r| r.as_str()))
            .bind(new.routing_reason.clone())
            .bind(new.approver_id)
            .bind(new.channel.as_str())
    }};
}
pub(crate) use bind_new_ticket;

/// Numbers and inserts `$new` inside the open transaction `$tx` (whatever
/// else that transaction writes commits with it), giving the stored row.
macro_rules! insert_new_ticket {
    ($store:expr, $tx:ident, $new:expr, $now:expr) => {
        match $store.backend() {
            Backend::Sqlite => bind_new_ticket!(sqlx::query_as(SQLITE_CREATE_TICKET), $new, $now)
                .fetch_all(&mut *$tx)
                .await?
                .into_iter()
                .next()
                .ok_or(StoreError::NotFound)?,
            Backend::Postgres => {
                bind_new_ticket!(sqlx::query_as(POSTGRES_CREATE_TICKET), $new, $now).fetch_one(&mut *$tx).await?
            }
        }
    };
}
pub(crate) use insert_new_ticket;

/// The columns a new ticket is written with, `$1…$20`, `$23` and `$24`;
/// `$21` is who opens it, `$22` its folded text for the search index, `$25`
/// its routing decision and `$26` its approver (both may be NULL); `$27` is
/// its channel.
macro_rules! new_ticket_columns {
    () => {
        "number, subject, description, type, status, priority, service_id, requester_id, department_id,
         building_id, contact_phone, remote_access_id, assignee_id, team_id, level, created_at, updated_at,
         status_since, version, response_due_at, resolution_due_at, response_warn_at, resolution_warn_at, sla_paused,
         source_mail_id, hold_reason, channel"
    };
}

/// One query, one transaction (the savepoint is the transaction: it starts
/// with the counter's write, so it waits for other processes' writers like
/// `BEGIN IMMEDIATE` does). The ticket is read back before the release.
pub(crate) const SQLITE_CREATE_TICKET: &str = concat!(
    "SAVEPOINT create_ticket;
     UPDATE counters SET value = value + 1 WHERE name = 'ticket_number';
     INSERT INTO tickets (",
    new_ticket_columns!(),
    ") VALUES ((SELECT value FROM counters WHERE name = 'ticket_number'), $1, $2, $3, $4, $5, $6, $7, $8, $9,
       $10, $11, $12, $13, $14, $15, $15, $15, 1, $16, $17, $18, $19, $20, $23, $24, $27);
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

pub(crate) const POSTGRES_CREATE_TICKET: &str = concat!(
    "WITH n AS (UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value),
     t AS (INSERT INTO tickets (",
    new_ticket_columns!(),
    ") SELECT n.value, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15, 1,
         $16, $17, $18, $19, $20, $23, $24, $27 FROM n RETURNING *),
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
