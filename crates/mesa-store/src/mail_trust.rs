//! What Mesa knows about where a received message came from: its content
//! hash (to tell a redelivery from a reused Message-ID) and its sender
//! authentication verdict, shown on the entry it became.

use crate::{Store, StoreResult, with_pool};

/// The verdict on the mail behind a ticket (`entry_id` `None`: the mail that
/// opened it) or one of its entries.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailVerdict {
    pub entry_id: Option<i64>,
    /// `pass`, `fail`, `none` or `temperror`; `None` for mail stored before
    /// Mesa checked senders.
    pub verdict: Option<String>,
    pub reused_message_id: bool,
}

impl Store {
    /// The content hash a stored message was stored with (`None` for
    /// messages stored before hashes were kept).
    #[tracing::instrument(skip_all)]
    pub(crate) async fn content_hash_of(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(with_pool!(self, write, |pool| sqlx::query_scalar("SELECT content_hash FROM mail_inbox WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    /// Records the sender authentication of a stored message.
    #[tracing::instrument(skip_all)]
    pub async fn record_mail_auth(&self, id: i64, verdict: &str, detail: &str) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "UPDATE mail_inbox SET auth_verdict = $1, auth_detail = $2 WHERE id = $3"
        )
        .bind(verdict)
        .bind(detail)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The verdicts of the mails a ticket and its entries came from.
    #[tracing::instrument(skip_all)]
    pub async fn mail_verdicts(&self, ticket_id: i64) -> StoreResult<Vec<MailVerdict>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT NULL AS entry_id, m.auth_verdict AS verdict, m.reused_message_id
               FROM tickets t JOIN mail_inbox m ON m.id = t.source_mail_id WHERE t.id = $1
             UNION ALL
             SELECT e.id AS entry_id, m.auth_verdict AS verdict, m.reused_message_id
               FROM ticket_entries e JOIN mail_inbox m ON m.id = e.source_mail_id WHERE e.ticket_id = $1"
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await)?)
    }
}
