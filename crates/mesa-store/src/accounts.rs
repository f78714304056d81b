//! Links mailed to people (password, approve, reject, ticket sign-in): only
//! the SHA-256 of each is kept, and each one is spent once.

use chrono::{DateTime, Utc};
use mesa_core::account::{LinkPurpose, LinkState};

use crate::{Store, StoreResult, with_pool};

#[derive(Debug, Clone)]
pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub purpose: LinkPurpose,
    pub ticket_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
}

/// What a link was for, once it is found (or spent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpentLink {
    pub user_id: i64,
    pub purpose: LinkPurpose,
    pub ticket_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    user_id: i64,
    purpose: String,
    ticket_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LinkStateRow {
    #[sqlx(flatten)]
    link: LinkRow,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

impl TryFrom<LinkRow> for SpentLink {
    type Error = crate::StoreError;
    fn try_from(r: LinkRow) -> StoreResult<SpentLink> {
        Ok(SpentLink { user_id: r.user_id, purpose: LinkPurpose::parse(&r.purpose)?, ticket_id: r.ticket_id })
    }
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn insert_link(&self, new: &NewLink<'_>) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO auth_links (token_hash, user_id, purpose, ticket_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(new.token_hash)
        .bind(new.user_id)
        .bind(new.purpose.as_str())
        .bind(new.ticket_id)
        .bind(Utc::now())
        .bind(new.expires_at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A link and whether it still works, without spending it (the page a
    /// link opens shows its form first).
    #[tracing::instrument(skip_all)]
    pub async fn link(&self, token_hash: &str) -> StoreResult<Option<(SpentLink, LinkState)>> {
        let row: Option<LinkStateRow> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT user_id, purpose, ticket_id, expires_at, used_at FROM auth_links WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
        row.map(|r| Ok((SpentLink::try_from(r.link)?, LinkState { expires_at: r.expires_at, used_at: r.used_at })))
            .transpose()
    }

    /// Spends an unused, unexpired link of `purpose` in one statement, so
    /// two requests racing with one link cannot both succeed. `None`: no such
    /// link, or it was used, or it expired.
    #[tracing::instrument(skip_all)]
    pub async fn spend_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SpentLink>> {
        let row: Option<LinkRow> = with_pool!(self, write, |pool| sqlx::query_as(
            "UPDATE auth_links SET used_at = $3
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
             RETURNING user_id, purpose, ticket_id"
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        row.map(SpentLink::try_from).transpose()
    }

    /// Spends every unused link of a user for `purpose` (after a password is
    /// set, the other password links in their mailbox stop working).
    #[tracing::instrument(skip_all)]
    pub async fn spend_links_of(&self, user_id: i64, purpose: LinkPurpose, now: DateTime<Utc>) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "UPDATE auth_links SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL"
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// How many links of `purpose` a user was sent since `since` (the rate
    /// of password mails, shared by every server process).
    #[tracing::instrument(skip_all)]
    pub async fn links_sent_since(&self, user_id: i64, purpose: LinkPurpose, since: DateTime<Utc>) -> StoreResult<i64> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_links WHERE user_id = $1 AND purpose = $2 AND created_at > $3"
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(since)
        .fetch_one(pool)
        .await)?)
    }
}
