//! The e-mail channel's tables: raw messages received, Message-IDs of each
//! ticket's thread, participants, the outbox and the IMAP mailboxes.

use chrono::{DateTime, Utc};

use crate::tickets::NewAttachment;
use crate::{Store, StoreResult, with_pool, with_tx};

/// A received message as stored (raw bytes first, before anything else).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxMessage {
    pub id: i64,
    pub mailbox: String,
    pub message_key: String,
    pub size: i64,
    pub received_at: DateTime<Utc>,
    /// `pending`, `done`, `rejected`, `quarantined` or `unparseable`.
    pub state: String,
    pub reason: Option<String>,
    /// `created`, `appended` or `reopened` when done.
    pub outcome: Option<String>,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<i64>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub processed_at: Option<DateTime<Utc>>,
    /// A different message that came with a Message-ID already stored: kept
    /// under a key of its own and processed as itself.
    pub reused_message_id: bool,
    /// Sender authentication: `pass`, `fail`, `none` or `temperror`.
    pub auth_verdict: Option<String>,
    pub auth_detail: Option<String>,
}

impl InboxMessage {
    /// A message just stored, not yet processed.
    fn pending(id: i64, mailbox: &str, message_key: &str, size: usize, now: DateTime<Utc>, reused: bool) -> Self {
        InboxMessage {
            id,
            mailbox: mailbox.to_owned(),
            message_key: message_key.to_owned(),
            size: size as i64,
            // As stored: the database keeps microseconds.
            received_at: now,
            state: "pending".into(),
            reason: None,
            outcome: None,
            ticket_id: None,
            ticket_number: None,
            sender: None,
            subject: None,
            processed_at: None,
            reused_message_id: reused,
            auth_verdict: None,
            auth_detail: None,
        }
    }
}

const INBOX_SELECT: &str = "SELECT m.id, m.mailbox, m.message_key, m.size, m.received_at, m.state, m.reason, \
     m.outcome, m.ticket_id, t.number AS ticket_number, m.sender, m.subject, m.processed_at, \
     m.reused_message_id, m.auth_verdict, m.auth_detail FROM mail_inbox m LEFT JOIN tickets t ON t.id = m.ticket_id";

const OUTBOX_SELECT: &str = "SELECT id, ticket_id, kind, recipients, message_id, raw, attempts, created_at, \
     sent_at, failed_at, last_error FROM mail_outbox";

/// How processing a stored message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxResult {
    pub state: &'static str,
    /// People to add to the ticket (its To/Cc).
    pub participants: Vec<Participant>,
    /// The message's own Message-ID, remembered for the ticket's thread.
    pub message_id: Option<String>,
    pub reason: Option<String>,
    pub outcome: Option<&'static str>,
    pub ticket_id: Option<i64>,
    pub sender: Option<String>,
    pub subject: Option<String>,
}

/// A participant of a ticket's mail (To/Cc besides the requester).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Participant {
    pub email: String,
    pub name: Option<String>,
}

/// A rendered mail waiting to be sent.
#[derive(Debug, Clone)]
pub struct NewOutboxMail {
    /// Queuing the same key twice queues one mail (e.g. `created:<ticket>`).
    pub dedupe_key: String,
    pub ticket_id: Option<i64>,
    pub kind: String,
    pub recipients: Vec<String>,
    pub message_id: String,
    pub raw: Vec<u8>,
}

/// What a received message writes besides its ticket or thread entry, in
/// the same transaction as them (so a crash leaves all of it or none): its
/// files, the mails it sends, and its outcome. Each is written for the
/// ticket it joins.
#[derive(Debug, Clone)]
pub struct MailWrites {
    /// The stored message (`mail_inbox`).
    pub inbox_id: i64,
    pub result: InboxResult,
    pub outbox: Vec<NewOutboxMail>,
    pub attachments: Vec<NewAttachment>,
    /// The message's sanitised HTML body, kept beside the ticket's or the
    /// reply's text.
    pub html: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMail {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub kind: String,
    /// Comma-separated addresses.
    pub recipients: String,
    pub message_id: String,
    pub raw: Vec<u8>,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl OutboxMail {
    pub fn recipient_list(&self) -> Vec<String> {
        self.recipients.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}

/// An IMAP mailbox the server polls.
#[derive(Clone, sqlx::FromRow)]
pub struct MailboxRow {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: i64,
    /// `tls`, `starttls` or `plain`.
    pub security: String,
    pub username: String,
    /// `password` or `xoauth2`.
    pub auth: String,
    /// The password or access token. Never shown, never logged.
    pub secret: String,
    pub folder: String,
    pub processed_folder: Option<String>,
    pub poll_seconds: i64,
    pub enabled: bool,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// With a token endpoint an `xoauth2` mailbox renews its access token
    /// itself (OAuth2 refresh grant); without one, `secret` is the token.
    pub oauth_token_url: Option<String>,
    pub oauth_client_id: Option<String>,
    /// Never shown, never logged.
    pub oauth_client_secret: Option<String>,
    /// Never shown, never logged; replaced when the provider rotates it.
    pub oauth_refresh_token: Option<String>,
    pub oauth_scope: Option<String>,
    /// The current access token, shared by every server process. Never shown.
    pub oauth_access_token: Option<String>,
    pub oauth_expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for MailboxRow {
    // The secret is a credential: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxRow")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("auth", &self.auth)
            .field("secret", &"<redacted>")
            .field("folder", &self.folder)
            .field("oauth_token_url", &self.oauth_token_url)
            .field("oauth_client_id", &self.oauth_client_id)
            .field("oauth_expires_at", &self.oauth_expires_at)
            .finish_non_exhaustive()
    }
}

/// A mailbox as the admin writes it (the secret `None`: keep the stored one).
#[derive(Clone)]
pub struct NewMailbox {
    pub name: String,
    pub host: String,
    pub port: i64,
    pub security: String,
    pub username: String,
    pub auth: String,
    pub secret: Option<String>,
    pub folder: String,
    pub processed_folder: Option<String>,
    pub poll_seconds: i64,
    pub enabled: bool,
    /// `None`: no refresh (the secret is the access token); any stored OAuth2
    /// settings and tokens are dropped.
    pub oauth: Option<NewMailboxOAuth>,
}

/// The OAuth2 refresh settings of an `xoauth2` mailbox. The two secrets,
/// `None`, keep the stored ones as long as the client (token endpoint and
/// client id) is the same: credentials belong to their client.
#[derive(Clone)]
pub struct NewMailboxOAuth {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
}

const MAILBOX_COLUMNS: &str = "id, name, host, port, security, username, auth, secret, folder, processed_folder, \
     poll_seconds, enabled, last_polled_at, last_error, oauth_token_url, oauth_client_id, oauth_client_secret, \
     oauth_refresh_token, oauth_scope, oauth_access_token, oauth_expires_at";

impl Store {
    /// The setting `key`, stored as `value` first if it has none; with
    /// several processes racing, all get the first stored value.
    #[tracing::instrument(skip_all)]
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING"
        )
        .bind(key)
        .bind(value)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(with_pool!(self, write, |pool| sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(pool)
            .await)?)
    }

    /// Stores a received message unless (mailbox, key) is already stored
    /// with the same `content_hash` ([`mesa_mail::content_hash`]); either way
    /// returns the stored row. A different message under a stored key (a
    /// reused Message-ID) is stored as its own, under `key#hash`, flagged.
    /// This is the first thing done with any message, so nothing is lost
    /// whatever happens next.
    #[tracing::instrument(skip_all)]
    pub async fn store_raw_mail(
        &self,
        mailbox: &str,
        message_key: &str,
        content_hash: &str,
        raw: &[u8],
    ) -> StoreResult<InboxMessage> {
        let stored = self.insert_raw_mail(mailbox, message_key, content_hash, raw, false).await?;
        if stored.reused_message_id || self.content_hash_of(stored.id).await?.is_none_or(|h| h == content_hash) {
            return Ok(stored);
        }
        let own_key = format!("{message_key}#{content_hash}");
        self.insert_raw_mail(mailbox, &own_key, content_hash, raw, true).await
    }

    async fn insert_raw_mail(
        &self,
        mailbox: &str,
        message_key: &str,
        content_hash: &str,
        raw: &[u8],
        reused: bool,
    ) -> StoreResult<InboxMessage> {
        let now = Utc::now();
        let inserted: Option<i64> = with_pool!(self, write, |pool| sqlx::query_scalar(
            "INSERT INTO mail_inbox (mailbox, message_key, raw, size, received_at, state, content_hash,
                 reused_message_id)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) ON CONFLICT (mailbox, message_key) DO NOTHING RETURNING id"
        )
        .bind(mailbox)
        .bind(message_key)
        .bind(raw)
        .bind(raw.len() as i64)
        .bind(now)
        .bind(content_hash)
        .bind(reused)
        .fetch_optional(pool)
        .await)?;
        if let Some(id) = inserted {
            return Ok(InboxMessage::pending(id, mailbox, message_key, raw.len(), now, reused));
        }
        let sql = sqlx::AssertSqlSafe(format!("{INBOX_SELECT} WHERE m.mailbox = $1 AND m.message_key = $2"));
        Ok(with_pool!(self, write, |pool| sqlx::query_as(sql).bind(mailbox).bind(message_key).fetch_one(pool).await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn inbox_message(&self, id: i64) -> StoreResult<InboxMessage> {
        let sql = sqlx::AssertSqlSafe(format!("{INBOX_SELECT} WHERE m.id = $1"));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn inbox_raw(&self, id: i64) -> StoreResult<Vec<u8>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar("SELECT raw FROM mail_inbox WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    /// Received messages in the given states, newest first (the admin's list
    /// of quarantined and unreadable mail).
    #[tracing::instrument(skip_all)]
    pub async fn inbox_messages(&self, states: &[&str], limit: i64) -> StoreResult<Vec<InboxMessage>> {
        let mut placeholders = String::new();
        for i in 0..states.len() {
            placeholders.push_str(if i == 0 { "" } else { ", " });
            placeholders.push_str(&format!("${}", i + 1));
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "{INBOX_SELECT} WHERE m.state IN ({placeholders}) ORDER BY m.id DESC LIMIT {}",
            limit.clamp(1, 1000)
        ));
        with_pool!(self, read, |pool| {
            let mut query = sqlx::query_as(sql);
            for state in states {
                query = query.bind(*state);
            }
            Ok(query.fetch_all(pool).await?)
        })
    }

    /// Records how processing a message ended, with what it adds to its
    /// ticket (participants, its Message-ID), in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn finish_mail(&self, id: i64, result: &InboxResult) -> StoreResult<()> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            finish_inbox!(tx, id, result, result.ticket_id, now)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many messages from `sender` were received since `since` (the
    /// rate limit on automatic answers).
    #[tracing::instrument(skip_all)]
    pub async fn mail_count_from(&self, sender: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_inbox WHERE sender = $1 AND received_at >= $2"
        )
        .bind(sender)
        .bind(since)
        .fetch_one(pool)
        .await)?)
    }

    /// The ticket a stored message created, if a first attempt got that far.
    #[tracing::instrument(skip_all)]
    pub async fn ticket_from_mail(&self, mail_id: i64) -> StoreResult<Option<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar("SELECT id FROM tickets WHERE source_mail_id = $1")
            .bind(mail_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// The ticket a stored message became a thread entry of, if it did.
    #[tracing::instrument(skip_all)]
    pub async fn entry_from_mail(&self, mail_id: i64) -> StoreResult<Option<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT ticket_id FROM ticket_entries WHERE source_mail_id = $1"
        )
        .bind(mail_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// The ticket whose thread holds this Message-ID (the first one that did,
    /// should two).
    #[tracing::instrument(skip_all)]
    pub async fn ticket_by_message_id(&self, message_id: &str) -> StoreResult<Option<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT ticket_id FROM mail_message_ids WHERE message_id = $1 ORDER BY created_at LIMIT 1"
        )
        .bind(message_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// The Message-IDs of a ticket's thread, oldest first (for `References`).
    #[tracing::instrument(skip_all)]
    pub async fn message_ids_of(&self, ticket_id: i64) -> StoreResult<Vec<String>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT message_id FROM mail_message_ids WHERE ticket_id = $1 ORDER BY created_at, message_id"
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn participants(&self, ticket_id: i64) -> StoreResult<Vec<Participant>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT email, name FROM ticket_participants WHERE ticket_id = $1 ORDER BY email"
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Queues a mail and remembers its Message-ID for the ticket's thread;
    /// `false` when one with the same dedupe key is queued already.
    #[tracing::instrument(skip_all)]
    pub async fn queue_mail(&self, mail: &NewOutboxMail) -> StoreResult<bool> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            let queued = queue_outbox!(tx, mail, mail.ticket_id, now)?;
            tx.commit().await?;
            Ok(queued)
        })
    }

    /// The HTML bodies of a ticket's mail: (the reply's entry, or `None`
    /// for the mail that opened it; the sanitised HTML).
    #[tracing::instrument(skip_all)]
    pub async fn ticket_html(&self, ticket_id: i64) -> StoreResult<Vec<(Option<i64>, String)>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT entry_id, html FROM ticket_html WHERE ticket_id = $1 ORDER BY entry_id"
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Mails due for a (first or next) attempt, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn due_mail(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<OutboxMail>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{OUTBOX_SELECT} WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                 ORDER BY id LIMIT $2"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }

    /// The outbox, newest first (for the admin and the tests).
    #[tracing::instrument(skip_all)]
    pub async fn outbox(&self, limit: i64) -> StoreResult<Vec<OutboxMail>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{OUTBOX_SELECT} ORDER BY id DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }

    /// Takes a due mail for one sending attempt: pushes its next attempt to
    /// `until`, so no other process picks it up meanwhile. `false` when
    /// another process took it first.
    #[tracing::instrument(skip_all)]
    pub async fn claim_mail(&self, mail: &OutboxMail, now: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<bool> {
        let done = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1
             WHERE id = $2 AND attempts = $3 AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $4"
        )
        .bind(until)
        .bind(mail.id)
        .bind(mail.attempts)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    #[tracing::instrument(skip_all)]
    pub async fn mark_mail_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2"
        )
        .bind(at)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt: try again at `retry_at`, or (`None`) give up.
    #[tracing::instrument(skip_all)]
    pub async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1,
               next_attempt_at = COALESCE($2, next_attempt_at),
               failed_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END WHERE id = $4"
        )
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn mailboxes(&self) -> StoreResult<Vec<MailboxRow>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes ORDER BY name"));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn mailbox(&self, name: &str) -> StoreResult<MailboxRow> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE name = $1"));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(name).fetch_one(pool).await)?)
    }

    /// Creates or replaces the mailbox called `new.name`. The cached access
    /// token is dropped: whatever changed, the next poll asks for a new one.
    #[tracing::instrument(skip_all)]
    pub async fn put_mailbox(&self, new: &NewMailbox) -> StoreResult<MailboxRow> {
        // $13–$17: the OAuth2 settings; a secret left out ($15, $16) is kept
        // only for the same token endpoint and client id.
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO mailboxes (name, host, port, security, username, auth, secret, folder, processed_folder,
               poll_seconds, enabled, created_at, oauth_token_url, oauth_client_id, oauth_client_secret,
               oauth_refresh_token, oauth_scope)
             VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, ''), $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port,
               security = excluded.security, username = excluded.username, auth = excluded.auth,
               secret = CASE WHEN $7 IS NULL THEN mailboxes.secret ELSE excluded.secret END,
               folder = excluded.folder, processed_folder = excluded.processed_folder,
               poll_seconds = excluded.poll_seconds, enabled = excluded.enabled,
               oauth_token_url = excluded.oauth_token_url, oauth_client_id = excluded.oauth_client_id,
               oauth_client_secret = CASE WHEN $15 IS NOT NULL THEN excluded.oauth_client_secret
                 WHEN mailboxes.oauth_token_url = $13 AND mailboxes.oauth_client_id = $14
                 THEN mailboxes.oauth_client_secret END,
               oauth_refresh_token = CASE WHEN $16 IS NOT NULL THEN excluded.oauth_refresh_token
                 WHEN mailboxes.oauth_token_url = $13 AND mailboxes.oauth_client_id = $14
                 THEN mailboxes.oauth_refresh_token END,
               oauth_scope = excluded.oauth_scope, oauth_access_token = NULL, oauth_expires_at = NULL
             RETURNING {MAILBOX_COLUMNS}"
        ));
        let oauth = new.oauth.as_ref();
        Ok(with_pool!(self, write, |pool| sqlx::query_as(sql)
            .bind(&new.name)
            .bind(&new.host)
            .bind(new.port)
            .bind(&new.security)
            .bind(&new.username)
            .bind(&new.auth)
            .bind(&new.secret)
            .bind(&new.folder)
            .bind(&new.processed_folder)
            .bind(new.poll_seconds)
            .bind(new.enabled)
            .bind(Utc::now())
            .bind(oauth.map(|o| &o.token_url))
            .bind(oauth.map(|o| &o.client_id))
            .bind(oauth.and_then(|o| o.client_secret.as_ref()))
            .bind(oauth.and_then(|o| o.refresh_token.as_ref()))
            .bind(oauth.and_then(|o| o.scope.as_ref()))
            .fetch_one(pool)
            .await)?)
    }

    /// Stores a freshly granted access token, and the refresh token that
    /// replaces `used_refresh_token` if the provider rotated it; only while
    /// the mailbox still has `used_refresh_token` (an admin who entered a new
    /// one meanwhile wins). Returns whether it was stored.
    #[tracing::instrument(skip_all)]
    pub async fn store_mailbox_token(
        &self,
        name: &str,
        used_refresh_token: &str,
        access_token: &str,
        expires_at: DateTime<Utc>,
        rotated_refresh_token: Option<&str>,
    ) -> StoreResult<bool> {
        let stored = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE mailboxes SET oauth_access_token = $1, oauth_expires_at = $2,
               oauth_refresh_token = COALESCE($3, oauth_refresh_token)
             WHERE name = $4 AND oauth_refresh_token = $5"
        )
        .bind(access_token)
        .bind(expires_at)
        .bind(rotated_refresh_token)
        .bind(name)
        .bind(used_refresh_token)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(stored > 0)
    }

    #[tracing::instrument(skip_all)]
    pub async fn delete_mailbox(&self, name: &str) -> StoreResult<bool> {
        let done = with_pool!(self, write, |pool| sqlx::query("DELETE FROM mailboxes WHERE name = $1")
            .bind(name)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Notes the outcome of a poll (shown to the admin).
    #[tracing::instrument(skip_all)]
    pub async fn mailbox_polled(&self, name: &str, error: Option<&str>) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "UPDATE mailboxes SET last_polled_at = $1, last_error = $2 WHERE name = $3"
        )
        .bind(Utc::now())
        .bind(error)
        .bind(name)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Remembers one Message-ID of a ticket's thread, inside the transaction
/// `$tx` (a macro, so that it compiles for either backend's transaction).
macro_rules! insert_message_id {
    ($tx:expr, $message_id:expr, $ticket_id:expr, $direction:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO mail_message_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (message_id, ticket_id) DO NOTHING",
        )
        .bind($message_id)
        .bind($ticket_id)
        .bind($direction)
        .bind($now)
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use insert_message_id;

/// Queues `$mail` for ticket `$ticket_id` and remembers its Message-ID for
/// the ticket's thread; `Ok(false)` when its dedupe key is queued already.
macro_rules! queue_outbox {
    ($tx:expr, $mail:expr, $ticket_id:expr, $now:expr) => {
        async {
            let mail: &$crate::NewOutboxMail = $mail;
            let ticket_id: Option<i64> = $ticket_id;
            let done = sqlx::query(
                "INSERT INTO mail_outbox (dedupe_key, ticket_id, kind, recipients, message_id, raw, created_at,
                   next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(&mail.dedupe_key)
            .bind(ticket_id)
            .bind(&mail.kind)
            .bind(mail.recipients.join(", "))
            .bind(&mail.message_id)
            .bind(&mail.raw)
            .bind($now)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if done == 1
                && let Some(ticket_id) = ticket_id
            {
                let bare = mail.message_id.trim_matches(['<', '>']);
                $crate::mail::insert_message_id!($tx, bare, ticket_id, "out", $now)?;
            }
            Ok::<bool, sqlx::Error>(done == 1)
        }
        .await
    };
}

/// Records how processing stored message `$id` ended, with what it adds to
/// ticket `$ticket_id` (participants, its Message-ID).
macro_rules! finish_inbox {
    ($tx:expr, $id:expr, $result:expr, $ticket_id:expr, $now:expr) => {
        async {
            let result: &$crate::InboxResult = $result;
            let ticket_id: Option<i64> = $ticket_id;
            if let Some(ticket_id) = ticket_id {
                for p in &result.participants {
                    sqlx::query(
                        "INSERT INTO ticket_participants (ticket_id, email, name, created_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (ticket_id, email) DO NOTHING",
                    )
                    .bind(ticket_id)
                    .bind(p.email.to_lowercase())
                    .bind(&p.name)
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?;
                }
                if let Some(message_id) = &result.message_id {
                    $crate::mail::insert_message_id!($tx, message_id, ticket_id, "in", $now)?;
                }
            }
            sqlx::query(
                "UPDATE mail_inbox SET state = $1, reason = $2, outcome = $3, ticket_id = $4, sender = $5,
                   subject = $6, processed_at = $7 WHERE id = $8",
            )
            .bind(result.state)
            .bind(&result.reason)
            .bind(result.outcome)
            .bind(ticket_id)
            .bind(&result.sender)
            .bind(&result.subject)
            .bind($now)
            .bind($id)
            .execute(&mut *$tx)
            .await?;
            Ok::<(), sqlx::Error>(())
        }
        .await
    };
}

/// Writes `$writes` (a received message's files, mails, HTML and outcome)
/// for ticket `$ticket_id` (and its new entry `$entry_id`, for a reply)
/// inside transaction `$tx`.
macro_rules! write_mail {
    ($tx:expr, $writes:expr, $ticket_id:expr, $entry_id:expr, $now:expr) => {
        async {
            let writes: &$crate::MailWrites = $writes;
            let ticket_id: i64 = $ticket_id;
            if let Some(html) = &writes.html {
                sqlx::query("INSERT INTO ticket_html (ticket_id, entry_id, html) VALUES ($1, $2, $3)")
                    .bind(ticket_id)
                    .bind($entry_id)
                    .bind(html)
                    .execute(&mut *$tx)
                    .await?;
            }
            for file in &writes.attachments {
                $crate::tickets::insert_attachment!($tx, file, ticket_id, $now)?;
            }
            for mail in &writes.outbox {
                $crate::mail::queue_outbox!($tx, mail, Some(ticket_id), $now)?;
            }
            $crate::mail::finish_inbox!($tx, writes.inbox_id, &writes.result, Some(ticket_id), $now)?;
            Ok::<(), sqlx::Error>(())
        }
        .await
    };
}
pub(crate) use {finish_inbox, queue_outbox, write_mail};
