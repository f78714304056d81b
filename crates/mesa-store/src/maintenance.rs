//! Maintenance plans, their occurrences (one row per activity and due date,
//! so a ticket is opened once whatever the number of processes), maintenance
//! checklists and logbooks (migration 0018).

use chrono::{DateTime, NaiveDate, Utc};
use mesa_core::Ticket;
use mesa_core::search::fold;

use crate::rows::TicketRow;
use crate::tickets::{
    HISTORY_INSERT, POSTGRES_CREATE_TICKET, SQLITE_CREATE_TICKET, bind_new_ticket, insert_new_ticket,
};
use crate::{Backend, NewTicket, Store, StoreError, StoreResult, with_pool, with_tx};

/// A plan as stored, with its team's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub team_id: i64,
    pub team_name: Option<String>,
    pub archived: bool,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PLAN_SELECT: &str = "SELECT p.id, p.name, p.year, p.team_id, t.name AS team_name, p.archived, p.created_by,
        p.created_at, p.updated_at
   FROM maintenance_plans p LEFT JOIN teams t ON t.id = p.team_id";

/// An activity as stored; `checklist` and `recurrence` are JSON.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub plan_id: i64,
    pub position: i64,
    pub what: String,
    pub item: String,
    pub item_kind: String,
    pub asset_id: Option<i64>,
    pub checklist: String,
    pub recurrence: String,
}

const ACTIVITY_COLUMNS: &str =
    "a.id, a.plan_id, a.position, a.what, a.item, a.item_kind, a.asset_id, a.checklist, a.recurrence";

/// An activity to write; `id` keeps an existing activity of the same plan.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub id: Option<i64>,
    pub what: String,
    pub item: String,
    pub item_kind: String,
    pub asset_id: Option<i64>,
    pub checklist: String,
    pub recurrence: String,
}

/// A plan to write.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub year: i64,
    pub team_id: i64,
    pub activities: Vec<NewActivity>,
}

/// An occurrence whose ticket was opened, with the ticket's number and the
/// name of who did the work.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OccurrenceRow {
    pub id: i64,
    pub activity_id: i64,
    pub due_date: NaiveDate,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<i64>,
    pub done_by_name: Option<String>,
}

const OCCURRENCE_SELECT: &str = "SELECT o.id, o.activity_id, o.due_date, o.ticket_id, t.number AS ticket_number,
        o.opened_at, o.done_at, o.done_by, u.name AS done_by_name
   FROM maintenance_occurrences o
   LEFT JOIN tickets t ON t.id = o.ticket_id
   LEFT JOIN users u ON u.id = o.done_by";

/// One step of a maintenance ticket's checklist.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChecklistRow {
    pub position: i64,
    pub label: String,
    pub done: bool,
    pub done_by: Option<i64>,
    pub done_by_name: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

/// A file kept with a logbook entry (bytes in the blob store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogbookFile {
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
}

/// A logbook entry to write.
#[derive(Debug, Clone)]
pub struct NewLogbookEntry {
    pub item: String,
    pub entry_date: NaiveDate,
    pub author_id: Option<i64>,
    pub work: String,
    pub readings: Option<String>,
    pub file: Option<LogbookFile>,
    pub ticket_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LogbookEntryRow {
    pub id: i64,
    pub item: String,
    pub entry_date: NaiveDate,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub work: String,
    pub readings: Option<String>,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment_sha256: Option<String>,
    pub attachment_size: Option<i64>,
    pub ticket_number: Option<i64>,
    pub created_at: DateTime<Utc>,
}

const LOGBOOK_SELECT: &str = "SELECT e.id, e.item, e.entry_date, e.author_id, u.name AS author_name, e.work,
        e.readings, e.attachment_name, e.attachment_type, e.attachment_sha256, e.attachment_size,
        t.number AS ticket_number, e.created_at
   FROM logbook_entries e
   LEFT JOIN users u ON u.id = e.author_id
   LEFT JOIN tickets t ON t.id = e.ticket_id";

/// A logbook: its item, how many entries and the latest date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LogbookRow {
    pub item: String,
    pub entries: i64,
    pub last_date: NaiveDate,
}

/// The key a logbook is found by: the folded item name.
pub fn logbook_key(item: &str) -> String {
    fold(item.trim())
}

/// Inserts `$entry` into `logbook_entries` on `$tx`, with `$occurrence`.
macro_rules! insert_logbook_entry {
    ($tx:expr, $entry:expr, $occurrence:expr, $now:expr) => {{
        let e: &NewLogbookEntry = $entry;
        let file = e.file.as_ref();
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO logbook_entries (item, item_key, entry_date, author_id, work, readings, attachment_name,
                 attachment_type, attachment_sha256, attachment_size, ticket_id, occurrence_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(e.item.trim())
        .bind(logbook_key(&e.item))
        .bind(e.entry_date)
        .bind(e.author_id)
        .bind(e.work.as_str())
        .bind(e.readings.as_deref())
        .bind(file.map(|f| f.name.as_str()))
        .bind(file.map(|f| f.content_type.as_str()))
        .bind(file.map(|f| f.sha256.as_str()))
        .bind(file.map(|f| f.size))
        .bind(e.ticket_id)
        .bind($occurrence)
        .bind($now)
        .fetch_optional(&mut *$tx)
        .await?
    }};
}

/// Inserts activity `$a` of plan `$plan_id` at `$position` on `$tx`; its id.
macro_rules! insert_activity {
    ($tx:expr, $plan_id:expr, $position:expr, $a:expr, $now:expr) => {{
        let a: &NewActivity = $a;
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO maintenance_activities (plan_id, position, what, item, item_kind, asset_id, checklist,
                 recurrence, removed, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9) RETURNING id",
        )
        .bind($plan_id)
        .bind($position)
        .bind(a.what.as_str())
        .bind(a.item.as_str())
        .bind(a.item_kind.as_str())
        .bind(a.asset_id)
        .bind(a.checklist.as_str())
        .bind(a.recurrence.as_str())
        .bind($now)
        .fetch_one(&mut *$tx)
        .await?
    }};
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn maintenance_plans(&self, include_archived: bool) -> StoreResult<Vec<PlanRow>> {
        let sql = format!("{PLAN_SELECT} WHERE $1 OR NOT p.archived ORDER BY p.year DESC, p.name, p.id");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(include_archived)
            .fetch_all(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn maintenance_plan(&self, id: i64) -> StoreResult<PlanRow> {
        let sql = format!("{PLAN_SELECT} WHERE p.id = $1");
        with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }

    /// The current activities of the given plans, in plan order.
    #[tracing::instrument(skip_all)]
    pub async fn maintenance_activities(&self, plan_ids: &[i64]) -> StoreResult<Vec<ActivityRow>> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = plan_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM maintenance_activities a
              WHERE a.plan_id IN ({list}) AND NOT a.removed ORDER BY a.plan_id, a.position, a.id"
        );
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await)?)
    }

    /// Stores a plan and its activities; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn create_maintenance_plan(&self, plan: &NewPlan, by: i64, now: DateTime<Utc>) -> StoreResult<i64> {
        with_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO maintenance_plans (name, year, team_id, archived, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, FALSE, $4, $5, $5) RETURNING id",
            )
            .bind(&plan.name)
            .bind(plan.year)
            .bind(plan.team_id)
            .bind(by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for (position, a) in plan.activities.iter().enumerate() {
                insert_activity!(tx, id, position as i64, a, now);
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Replaces a plan's fields and activities. An activity given with the
    /// id of one of the plan's activities is updated in place (its
    /// occurrences stay with it); the plan's other activities are removed
    /// (kept for their occurrences, no longer scheduled).
    #[tracing::instrument(skip_all)]
    pub async fn update_maintenance_plan(&self, id: i64, plan: &NewPlan, now: DateTime<Utc>) -> StoreResult<()> {
        with_tx!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE maintenance_plans SET name = $1, year = $2, team_id = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(&plan.name)
            .bind(plan.year)
            .bind(plan.team_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(StoreError::NotFound);
            }
            let existing: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM maintenance_activities WHERE plan_id = $1 AND NOT removed")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
            let mut kept = Vec::new();
            for (position, a) in plan.activities.iter().enumerate() {
                match a.id.filter(|aid| existing.contains(aid) && !kept.contains(aid)) {
                    Some(aid) => {
                        sqlx::query(
                            "UPDATE maintenance_activities SET position = $1, what = $2, item = $3, item_kind = $4,
                                 asset_id = $5, checklist = $6, recurrence = $7 WHERE id = $8",
                        )
                        .bind(position as i64)
                        .bind(&a.what)
                        .bind(&a.item)
                        .bind(&a.item_kind)
                        .bind(a.asset_id)
                        .bind(&a.checklist)
                        .bind(&a.recurrence)
                        .bind(aid)
                        .execute(&mut *tx)
                        .await?;
                        kept.push(aid);
                    }
                    None => kept.push(insert_activity!(tx, id, position as i64, a, now)),
                }
            }
            for aid in existing.into_iter().filter(|aid| !kept.contains(aid)) {
                sqlx::query("UPDATE maintenance_activities SET removed = TRUE WHERE id = $1")
                    .bind(aid)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Archives (or restores) a plan; archived plans open no more tickets.
    #[tracing::instrument(skip_all)]
    pub async fn set_maintenance_plan_archived(&self, id: i64, archived: bool, now: DateTime<Utc>) -> StoreResult<()> {
        let n = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE maintenance_plans SET archived = $1, updated_at = $2 WHERE id = $3"
        )
        .bind(archived)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// The opened occurrences of the given activities due in `[from, to]`.
    #[tracing::instrument(skip_all)]
    pub async fn maintenance_occurrences(
        &self,
        activity_ids: &[i64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<OccurrenceRow>> {
        if activity_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = activity_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!(
            "{OCCURRENCE_SELECT} WHERE o.activity_id IN ({list}) AND o.due_date >= $1 AND o.due_date <= $2
              ORDER BY o.due_date, o.activity_id"
        );
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await)?)
    }

    /// The occurrence a ticket was opened for, if any.
    #[tracing::instrument(skip_all)]
    pub async fn maintenance_occurrence_of(&self, ticket_id: i64) -> StoreResult<Option<OccurrenceRow>> {
        let sql = format!("{OCCURRENCE_SELECT} WHERE o.ticket_id = $1");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ticket_id)
            .fetch_optional(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn maintenance_activity(&self, id: i64) -> StoreResult<ActivityRow> {
        let sql = format!("SELECT {ACTIVITY_COLUMNS} FROM maintenance_activities a WHERE a.id = $1");
        with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }

    /// Opens the ticket of an occurrence, once: the occurrence's row (unique
    /// per activity and due date), the numbered ticket and its checklist are
    /// written in one transaction. `None` when the occurrence was already
    /// opened (by this or another process).
    #[tracing::instrument(skip_all)]
    pub async fn open_maintenance_occurrence(
        &self,
        new: &NewTicket,
        activity_id: i64,
        due_date: NaiveDate,
        checklist: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Ticket>> {
        with_tx!(self, |tx| {
            let claimed: Option<i64> = sqlx::query_scalar(
                "INSERT INTO maintenance_occurrences (activity_id, due_date, opened_at) VALUES ($1, $2, $3)
                 ON CONFLICT (activity_id, due_date) DO NOTHING RETURNING id",
            )
            .bind(activity_id)
            .bind(due_date)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(occurrence) = claimed else {
                return Ok(None);
            };
            let row: TicketRow = insert_new_ticket!(self, tx, new, now);
            let ticket = Ticket::try_from(row)?;
            sqlx::query("UPDATE maintenance_occurrences SET ticket_id = $1 WHERE id = $2")
                .bind(ticket.id)
                .bind(occurrence)
                .execute(&mut *tx)
                .await?;
            for (position, label) in checklist.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO maintenance_checklist (ticket_id, position, label, done) VALUES ($1, $2, $3, FALSE)",
                )
                .bind(ticket.id)
                .bind(position as i64)
                .bind(label)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Some(ticket))
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn maintenance_checklist(&self, ticket_id: i64) -> StoreResult<Vec<ChecklistRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT c.position, c.label, c.done, c.done_by, u.name AS done_by_name, c.done_at
               FROM maintenance_checklist c LEFT JOIN users u ON u.id = c.done_by
              WHERE c.ticket_id = $1 ORDER BY c.position"
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Ticks (or unticks) a checklist step and records it in the ticket's
    /// history, in one transaction. `false` when the step already was so.
    #[tracing::instrument(skip_all)]
    pub async fn tick_maintenance_step(
        &self,
        ticket_id: i64,
        position: i64,
        done: bool,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        with_tx!(self, |tx| {
            let label: Option<String> = sqlx::query_scalar(
                "UPDATE maintenance_checklist SET done = $1, done_by = $2, done_at = $3
                  WHERE ticket_id = $4 AND position = $5 AND done <> $1 RETURNING label",
            )
            .bind(done)
            .bind(done.then_some(by))
            .bind(done.then_some(now))
            .bind(ticket_id)
            .bind(position)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(label) = label else {
                let exists: Option<i64> = sqlx::query_scalar(
                    "SELECT position FROM maintenance_checklist WHERE ticket_id = $1 AND position = $2",
                )
                .bind(ticket_id)
                .bind(position)
                .fetch_optional(&mut *tx)
                .await?;
                return if exists.is_some() { Ok(false) } else { Err(StoreError::NotFound) };
            };
            let field = if done { "checklist_done" } else { "checklist_undone" };
            sqlx::query(HISTORY_INSERT)
                .bind(ticket_id)
                .bind(by)
                .bind(field)
                .bind(None::<String>)
                .bind(label)
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records the execution of the occurrence a ticket was opened for (the
    /// first time it is solved or closed) and, in the same transaction, the
    /// logbook entry made from it. `false` when the ticket is no occurrence's
    /// or its execution was already recorded.
    #[tracing::instrument(skip_all)]
    pub async fn record_maintenance_execution(
        &self,
        ticket_id: i64,
        by: Option<i64>,
        at: DateTime<Utc>,
        entry: &NewLogbookEntry,
    ) -> StoreResult<bool> {
        with_tx!(self, |tx| {
            let occurrence: Option<i64> = sqlx::query_scalar(
                "UPDATE maintenance_occurrences SET done_at = $1, done_by = $2
                  WHERE ticket_id = $3 AND done_at IS NULL RETURNING id",
            )
            .bind(at)
            .bind(by)
            .bind(ticket_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(occurrence) = occurrence else {
                return Ok(false);
            };
            insert_logbook_entry!(tx, entry, Some(occurrence), at);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Writes a logbook entry by hand; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn add_logbook_entry(&self, entry: &NewLogbookEntry, now: DateTime<Utc>) -> StoreResult<i64> {
        with_tx!(self, |tx| {
            let id = insert_logbook_entry!(tx, entry, None::<i64>, now).ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every logbook, by item name.
    #[tracing::instrument(skip_all)]
    pub async fn logbooks(&self) -> StoreResult<Vec<LogbookRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT MIN(item) AS item, COUNT(*) AS entries, MAX(entry_date) AS last_date
               FROM logbook_entries GROUP BY item_key ORDER BY MIN(item)"
        )
        .fetch_all(pool)
        .await)?)
    }

    /// A logbook's entries, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn logbook_entries(&self, item: &str) -> StoreResult<Vec<LogbookEntryRow>> {
        let sql = format!("{LOGBOOK_SELECT} WHERE e.item_key = $1 ORDER BY e.entry_date DESC, e.id DESC");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(logbook_key(item))
            .fetch_all(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn logbook_entry(&self, id: i64) -> StoreResult<LogbookEntryRow> {
        let sql = format!("{LOGBOOK_SELECT} WHERE e.id = $1");
        with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// The id of the asset with this inventory tag.
    #[tracing::instrument(skip_all)]
    pub async fn asset_id_by_tag(&self, tag: &str) -> StoreResult<Option<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar("SELECT id FROM assets WHERE inventory_tag = $1")
            .bind(tag.trim())
            .fetch_optional(pool)
            .await)?)
    }
}
