//! Indicators and improvement actions (migration 0020).

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Store, StoreError, StoreResult, with_pool};

/// An indicator as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub formula: String,
    pub goal: f64,
    pub direction: String,
    pub archived: bool,
}

/// An indicator to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIndicator {
    pub code: String,
    pub name: String,
    pub formula: String,
    pub goal: f64,
    pub direction: String,
}

const INDICATOR_SELECT: &str = "SELECT id, code, name, formula, goal, direction, archived FROM indicators";

/// An improvement action with its indicator's code and its owner's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActionRow {
    pub id: i64,
    pub indicator_id: i64,
    pub indicator_code: String,
    pub month: String,
    pub what: String,
    pub cause: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_date: NaiveDate,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// An improvement action to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub indicator_id: i64,
    pub month: String,
    pub what: String,
    pub cause: Option<String>,
    pub owner_id: i64,
    pub due_date: NaiveDate,
}

const ACTION_SELECT: &str = "SELECT a.id, a.indicator_id, i.code AS indicator_code, a.month, a.what, a.cause,
        a.owner_id, u.name AS owner_name, a.due_date, a.status, a.created_at, a.done_at, a.verified_at
   FROM improvement_actions a JOIN indicators i ON i.id = a.indicator_id JOIN users u ON u.id = a.owner_id";

/// Which actions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter {
    pub status: Option<String>,
    pub indicator_id: Option<i64>,
    pub month: Option<String>,
    /// Not verified yet, or verified on or after this instant (the actions a
    /// report of a period lists).
    pub open_or_verified_since: Option<DateTime<Utc>>,
}

impl Store {
    /// Every indicator (archived ones when asked), by code.
    pub async fn indicators(&self, include_archived: bool) -> StoreResult<Vec<IndicatorRow>> {
        let sql = format!("{INDICATOR_SELECT} WHERE $1 OR NOT archived ORDER BY code");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(include_archived)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn indicator(&self, id: i64) -> StoreResult<IndicatorRow> {
        let sql = format!("{INDICATOR_SELECT} WHERE id = $1");
        with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }

    /// Adds an indicator; `Conflict` when its code is taken.
    pub async fn create_indicator(&self, new: &NewIndicator, by: i64, now: DateTime<Utc>) -> StoreResult<i64> {
        Ok(with_pool!(self, write, |pool| {
            sqlx::query_scalar(
            "INSERT INTO indicators (code, name, formula, goal, direction, archived, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7, $7) RETURNING id"
        )
        .bind(&new.code)
        .bind(&new.name)
        .bind(&new.formula)
        .bind(new.goal)
        .bind(&new.direction)
        .bind(by)
        .bind(now)
        .fetch_one(pool)
        .await
        })?)
    }

    /// Replaces an indicator's fields and archived flag; `Conflict` when the
    /// new code is another's.
    pub async fn update_indicator(
        &self,
        id: i64,
        new: &NewIndicator,
        archived: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE indicators SET code = $2, name = $3, formula = $4, goal = $5, direction = $6, archived = $7,
                updated_at = $8 WHERE id = $1"
        )
        .bind(id)
        .bind(&new.code)
        .bind(&new.name)
        .bind(&new.formula)
        .bind(new.goal)
        .bind(&new.direction)
        .bind(archived)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn create_improvement_action(&self, new: &NewAction, by: i64, now: DateTime<Utc>) -> StoreResult<i64> {
        Ok(with_pool!(self, write, |pool| sqlx::query_scalar(
            "INSERT INTO improvement_actions (indicator_id, month, what, cause, owner_id, due_date, status, created_by,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8) RETURNING id"
        )
        .bind(new.indicator_id)
        .bind(&new.month)
        .bind(&new.what)
        .bind(&new.cause)
        .bind(new.owner_id)
        .bind(new.due_date)
        .bind(by)
        .bind(now)
        .fetch_one(pool)
        .await)?)
    }

    pub async fn improvement_action(&self, id: i64) -> StoreResult<ActionRow> {
        let sql = format!("{ACTION_SELECT} WHERE a.id = $1");
        with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?
            .ok_or(StoreError::NotFound)
    }

    /// The actions `filter` asks for, by due date.
    pub async fn improvement_actions(&self, filter: &ActionFilter) -> StoreResult<Vec<ActionRow>> {
        let sql = format!(
            "{ACTION_SELECT}
              WHERE ($1 IS NULL OR a.status = $1) AND ($2 IS NULL OR a.indicator_id = $2) AND ($3 IS NULL OR a.month = $3)
                AND ($4 IS NULL OR a.status <> 'verified' OR a.verified_at >= $4)
              ORDER BY a.due_date, a.id"
        );
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&filter.status)
            .bind(filter.indicator_id)
            .bind(&filter.month)
            .bind(filter.open_or_verified_since)
            .fetch_all(pool)
            .await)?)
    }

    /// Moves an action from `from` to `to` (the status read; `Conflict` when
    /// it changed since), stamping when it was done or verified and by whom.
    pub async fn move_improvement_action(
        &self,
        id: i64,
        from: &str,
        to: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE improvement_actions SET status = $3, updated_at = $5,
                done_at = CASE WHEN $3 = 'done' THEN $5 WHEN $3 = 'open' THEN NULL ELSE done_at END,
                verified_by = CASE WHEN $3 = 'verified' THEN $4 ELSE verified_by END,
                verified_at = CASE WHEN $3 = 'verified' THEN $5 ELSE verified_at END
              WHERE id = $1 AND status = $2"
        )
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(by)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 { Err(StoreError::Conflict("stale".into())) } else { Ok(()) }
    }
}
