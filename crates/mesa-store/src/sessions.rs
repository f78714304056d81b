//! Browser sessions: the cookie holds a random id; the database keeps its
//! SHA-256, the user, the CSRF token and the expiry.

use chrono::{DateTime, Utc};
use mesa_core::User;
use sqlx::AssertSqlSafe;

use crate::rows::{USER_COLUMNS_U, UserRow};
use crate::{Store, StoreResult, with_pool};

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(Utc::now())
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The active user and CSRF token of an unexpired session.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<(User, String)>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS_U}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active"
        ));
        let row: Option<SessionRow> =
            with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id_hash).bind(now).fetch_optional(pool).await)?;
        row.map(|r| Ok((User::try_from(r.user)?, r.csrf_token))).transpose()
    }

    #[tracing::instrument(skip_all)]
    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query("DELETE FROM sessions WHERE id_hash = $1 OR expires_at < $2")
            .bind(id_hash)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Ends every session of a user (after a password change).
    #[tracing::instrument(skip_all)]
    pub async fn delete_sessions_of(&self, user_id: i64) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
