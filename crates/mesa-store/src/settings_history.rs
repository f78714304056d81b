//! The settings history: who changed a setting, when, and what it was before
//! and after. Written in the same transaction as the change itself, so a
//! change is never without its record.

use chrono::{DateTime, Utc};

use crate::policy::CalendarRow;
use crate::{Store, StoreResult, with_pool, with_tx};

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SettingsChange {
    pub id: i64,
    /// What changed, e.g. `calendar:default`.
    pub subject: String,
    pub actor_id: Option<i64>,
    /// The actor's name and e-mail at the time of reading.
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    /// JSON before the change; `None` when it did not exist.
    pub before_value: Option<String>,
    /// JSON after the change.
    pub after_value: String,
    pub created_at: DateTime<Utc>,
}

/// The history subject of a calendar.
pub fn calendar_subject(name: &str) -> String {
    format!("calendar:{name}")
}

impl Store {
    /// Creates or replaces the calendar `name` and records the change with
    /// its previous value (the stored one, else `builtin_before`), unless
    /// nothing changed. Returns the stored row.
    #[tracing::instrument(skip_all)]
    pub async fn put_calendar_recorded(
        &self,
        name: &str,
        config: &str,
        actor_id: Option<i64>,
        builtin_before: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<CalendarRow> {
        with_tx!(self, |tx| {
            let before: Option<String> = sqlx::query_scalar("SELECT config FROM calendars WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            let before = before.or_else(|| builtin_before.map(str::to_owned));
            let row: CalendarRow = sqlx::query_as(
                "INSERT INTO calendars (name, config, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET config = excluded.config RETURNING id, name, config",
            )
            .bind(name)
            .bind(config)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if before.as_deref() != Some(config) {
                sqlx::query(
                    "INSERT INTO settings_history (subject, actor_id, before_value, after_value, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(calendar_subject(name))
                .bind(actor_id)
                .bind(&before)
                .bind(config)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(row)
        })
    }

    /// The latest recorded changes, newest first; only those of `subject`
    /// when given.
    #[tracing::instrument(skip_all)]
    pub async fn settings_history(&self, subject: Option<&str>, limit: i64) -> StoreResult<Vec<SettingsChange>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT h.id, h.subject, h.actor_id, u.name AS actor_name, u.email AS actor_email,
                    h.before_value, h.after_value, h.created_at
             FROM settings_history h LEFT JOIN users u ON u.id = h.actor_id
             WHERE $1 IS NULL OR h.subject = $1
             ORDER BY h.id DESC LIMIT $2"
        )
        .bind(subject)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }
}
