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
    ticket_number: Option<i64>,
}

/// A session as stored: whose, its CSRF token, and the one ticket it
/// reaches when it was opened by a ticket link (`None`: everything the user
/// may see).
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub user: User,
    pub csrf_token: String,
    pub ticket_number: Option<i64>,
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        ticket_number: Option<i64>,
    ) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ticket_number)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(Utc::now())
        .bind(expires_at)
        .bind(ticket_number)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The active user, CSRF token and reach of an unexpired session.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<StoredSession>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS_U}, s.csrf_token, s.ticket_number FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active"
        ));
        let row: Option<SessionRow> =
            with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id_hash).bind(now).fetch_optional(pool).await)?;
        row.map(|r| {
            Ok(StoredSession {
                user: User::try_from(r.user)?,
                csrf_token: r.csrf_token,
                ticket_number: r.ticket_number,
            })
        })
        .transpose()
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
