//! The desk's policy (settings, calendars, service targets) and the
//! bookkeeping of automation: once-only events, notifications, leases.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mesa_core::lifecycle::Change;
use sqlx::AssertSqlSafe;

use crate::tickets::{TicketView, VIEW_SELECT, ViewRow};
use crate::{Store, StoreResult, with_pool, with_tx};

/// A service target row (`service_id` `None`: the desk's default for that priority).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TargetRow {
    pub service_id: Option<i64>,
    pub priority: String,
    pub response_minutes: i64,
    pub resolution_minutes: i64,
    pub calendar_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    /// `mesa_core::calendar::CalendarConfig` as JSON.
    pub config: String,
}

/// One status-relevant history line: when, field, value after.
pub type StatusRecord = (DateTime<Utc>, String, Option<String>);

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        )
        .bind(key)
        .bind(value)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn calendars(&self) -> StoreResult<Vec<CalendarRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as("SELECT id, name, config FROM calendars ORDER BY name")
            .fetch_all(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn sla_targets(&self) -> StoreResult<Vec<TargetRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT service_id, priority, response_minutes, resolution_minutes, calendar_id FROM sla_targets
             ORDER BY service_id, priority"
        )
        .fetch_all(pool)
        .await)?)
    }

    /// Sets the target for a (service, priority) pair, replacing any earlier one.
    #[tracing::instrument(skip_all)]
    pub async fn put_sla_target(&self, row: &TargetRow) -> StoreResult<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM sla_targets WHERE COALESCE(service_id, 0) = COALESCE($1, 0) AND priority = $2")
                .bind(row.service_id)
                .bind(&row.priority)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sla_targets (service_id, priority, response_minutes, resolution_minutes, calendar_id)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(row.service_id)
            .bind(&row.priority)
            .bind(row.response_minutes)
            .bind(row.resolution_minutes)
            .bind(row.calendar_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records that `kind` happened to a ticket, with its history line and
    /// the notifications it owes, unless it was recorded before. Returns
    /// whether this call recorded it: exactly one caller ever gets `true`.
    #[tracing::instrument(skip_all)]
    pub async fn record_event(
        &self,
        ticket_id: i64,
        kind: &str,
        change: &Change,
        notify: &[i64],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        with_tx!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO ticket_events (ticket_id, kind, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(ticket_id)
            .bind(kind)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            sqlx::query(crate::tickets::HISTORY_INSERT)
                .bind(ticket_id)
                .bind(None::<i64>)
                .bind(change.field)
                .bind(&change.before)
                .bind(&change.after)
                .bind(false)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for user_id in notify {
                sqlx::query("INSERT INTO notifications (user_id, ticket_id, kind, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(user_id)
                    .bind(ticket_id)
                    .bind(kind)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Notifications not yet sent, oldest first: (user, ticket, kind).
    #[tracing::instrument(skip_all)]
    pub async fn pending_notifications(&self) -> StoreResult<Vec<(i64, i64, String)>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT user_id, ticket_id, kind FROM notifications WHERE sent_at IS NULL ORDER BY id"
        )
        .fetch_all(pool)
        .await)?)
    }

    /// Takes or renews the lease `name` for `holder` until `until`; an
    /// expired lease (its holder died) is taken over.
    #[tracing::instrument(skip_all)]
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let taken = with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.expires_at < $4 OR leases.holder = $2"
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(taken == 1)
    }

    /// Tickets automation may have to act on at `now`: solved or on hold
    /// for a while, with a resume date, or with a running clock past its
    /// warning instant and not yet breached on record.
    #[tracing::instrument(skip_all)]
    pub async fn automation_candidates(
        &self,
        solved_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<TicketView>> {
        let sql = AssertSqlSafe(format!(
            "{VIEW_SELECT} WHERE (t.status = 'solved' AND t.status_since <= $1)
               OR t.status = 'on_hold'
               OR (NOT t.sla_paused AND t.response_warn_at <= $2 AND NOT EXISTS
                    (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'response_breach'))
               OR (NOT t.sla_paused AND t.resolution_warn_at <= $2 AND NOT EXISTS
                    (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'resolution_breach'))
             ORDER BY t.id"
        ));
        let rows: Vec<ViewRow> =
            with_pool!(self, read, |pool| sqlx::query_as(sql).bind(solved_before).bind(now).fetch_all(pool).await)?;
        rows.into_iter().map(TicketView::try_from).collect()
    }

    /// The status and hold-reason history of several tickets, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn status_history(&self, ticket_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<StatusRecord>>> {
        let mut out: HashMap<i64, Vec<StatusRecord>> = HashMap::new();
        if ticket_ids.is_empty() {
            return Ok(out);
        }
        // Ids are integers from our own rows.
        let ids = ticket_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = AssertSqlSafe(format!(
            "SELECT ticket_id, created_at, field, after_value FROM ticket_history
             WHERE ticket_id IN ({ids}) AND field IN ('status', 'hold_reason') ORDER BY id"
        ));
        let rows: Vec<(i64, DateTime<Utc>, String, Option<String>)> =
            with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        for (ticket_id, at, field, after) in rows {
            out.entry(ticket_id).or_default().push((at, field, after));
        }
        Ok(out)
    }
}

impl Store {
    /// The once-only events already recorded for these tickets.
    #[tracing::instrument(skip_all)]
    pub async fn events(&self, ticket_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        if ticket_ids.is_empty() {
            return Ok(out);
        }
        let ids = ticket_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = AssertSqlSafe(format!("SELECT ticket_id, kind FROM ticket_events WHERE ticket_id IN ({ids})"));
        let rows: Vec<(i64, String)> = with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        for (id, kind) in rows {
            out.entry(id).or_default().push(kind);
        }
        Ok(out)
    }
}
