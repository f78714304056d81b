//! The mail channel inside `mesa serve`: the outbox sender and one poller
//! per IMAP mailbox.
//!
//! - The sender claims each due mail before sending it (so two processes
//!   never send the same one), sends it, and marks it sent; a transient
//!   failure (server down, 4xx) is retried with exponential backoff, a
//!   permanent one (5xx) is given up and shown to the admin. A mail is
//!   never lost; if a process dies after the SMTP server accepted a mail
//!   and before it was marked sent, the mail goes out again (at least once).
//! - A poller holds a lease on its mailbox (one process per mailbox),
//!   fetches unseen messages without marking them, ingests each one, and
//!   acknowledges it (flag or move) only after the ingest committed. A
//!   broken message is stored raw and acknowledged; a database failure
//!   leaves the message unseen for the next round. One mailbox's trouble
//!   never stops another's.
//! - An `xoauth2` mailbox with a refresh token logs in with the access token
//!   stored for it while that is fresh, otherwise asks the token endpoint for
//!   a new one (and stores it, with a rotated refresh token, for every
//!   process); when the IMAP server refuses the token it is renewed once more.
//!   A failed renewal is the mailbox's `last_error`, like any other failure.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use mesa_app::Desk;
use mesa_app::mail::MailboxToken;
use mesa_mail::transport::{
    ImapAuth, ImapConfig, ImapMailbox, ImapSecurity, Secret, SmtpConfig, SmtpSender, TokenClient, TransportError,
};
use mesa_store::MailboxRow;
use tokio::task::JoinHandle;

use crate::config::MailConfig;

/// How often the outbox is looked at.
const OUTBOX_PERIOD: Duration = Duration::from_secs(2);
/// How long a claimed mail is left alone (one attempt's upper bound).
const CLAIM: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// After this many attempts a mail is given up.
const MAX_ATTEMPTS: i64 = 25;
/// How often the list of mailboxes is re-read.
const MAILBOX_REFRESH: Duration = Duration::from_secs(5);

pub fn spawn(desk: &Desk, mail: &MailConfig) -> Vec<JoinHandle<()>> {
    let mut workers = Vec::new();
    match (&mail.identity, &mail.smtp_url) {
        (Some(identity), Some(url)) => match SmtpConfig::from_url(url).and_then(|c| SmtpSender::new(&c)) {
            Ok(sender) => workers.push(tokio::spawn(send_outbox(desk.clone(), sender, identity.address.clone()))),
            Err(e) => tracing::error!(error = %e, "the SMTP URL is unusable: mail stays queued"),
        },
        (Some(_), None) => tracing::warn!("no SMTP server configured (MESA_SMTP_URL): mail stays queued"),
        _ => {}
    }
    match TokenClient::new() {
        Ok(tokens) => workers.push(tokio::spawn(supervise_mailboxes(desk.clone(), tokens))),
        Err(e) => tracing::error!(error = %e, "no HTTP client for OAuth2 token endpoints: mailboxes are not polled"),
    }
    workers
}

async fn send_outbox(desk: Desk, sender: SmtpSender, envelope_from: String) {
    let mut ticker = tokio::time::interval(OUTBOX_PERIOD);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(e) = send_due(&desk, &sender, &envelope_from).await {
            tracing::warn!(error = %e, "outbox pass failed");
        }
    }
}

/// Sends every mail that is due now.
pub async fn send_due(desk: &Desk, sender: &SmtpSender, envelope_from: &str) -> anyhow::Result<usize> {
    let store = desk.store();
    let mut sent = 0;
    loop {
        let now = Utc::now();
        let due = store.due_mail(now, 50).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        let mut claimed_any = false;
        for mail in due {
            if !store.claim_mail(&mail, now, now + CLAIM).await? {
                continue;
            }
            claimed_any = true;
            match sender.send(envelope_from, &mail.recipient_list(), &mail.raw).await {
                Ok(()) => {
                    store.mark_mail_sent(mail.id, Utc::now()).await?;
                    tracing::info!(mail = mail.id, kind = %mail.kind, "mail sent");
                    sent += 1;
                }
                Err(e) => {
                    let attempts = mail.attempts + 1;
                    // A refused login (530/534/535) is the desk's configuration, not
                    // the mail's fault: keep retrying until an admin fixes it.
                    let retry = e.is_transient() || matches!(e.code(), Some(530 | 534 | 535));
                    let retry_at = (retry && attempts < MAX_ATTEMPTS).then(|| Utc::now() + backoff(attempts));
                    tracing::warn!(mail = mail.id, attempts, error = %e, gives_up = retry_at.is_none(), "mail not sent");
                    store.mark_mail_failed(mail.id, &e.to_string(), retry_at, Utc::now()).await?;
                }
            }
        }
        if !claimed_any {
            return Ok(sent);
        }
    }
}

/// 30 s, 1 min, 2 min… up to 6 hours between attempts.
fn backoff(attempts: i64) -> chrono::TimeDelta {
    let seconds = 30i64.saturating_mul(1 << attempts.clamp(1, 20).saturating_sub(1)).min(6 * 3600);
    chrono::TimeDelta::seconds(seconds)
}

/// Keeps one poller running per enabled mailbox, restarting it when the
/// admin changes the mailbox.
async fn supervise_mailboxes(desk: Desk, tokens: TokenClient) {
    let mut running: HashMap<String, (String, JoinHandle<()>)> = HashMap::new();
    loop {
        match desk.enabled_mailboxes().await {
            Ok(mailboxes) => {
                let wanted: HashMap<String, MailboxRow> = mailboxes.into_iter().map(|m| (m.name.clone(), m)).collect();
                running.retain(|name, (fingerprint, handle)| {
                    let keep =
                        wanted.get(name).is_some_and(|m| &fingerprint_of(m) == fingerprint) && !handle.is_finished();
                    if !keep {
                        handle.abort();
                    }
                    keep
                });
                for (name, mailbox) in wanted {
                    running.entry(name).or_insert_with(|| {
                        let poller = poll_mailbox(desk.clone(), tokens.clone(), mailbox.clone());
                        (fingerprint_of(&mailbox), tokio::spawn(poller))
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the mailboxes"),
        }
        tokio::time::sleep(MAILBOX_REFRESH).await;
    }
}

/// Everything that, changed, needs a new connection (the secret included,
/// hashed so it does not sit in memory twice in clear). Not the refresh and
/// access tokens: the poller itself replaces them, and reads them afresh at
/// every connection anyway.
fn fingerprint_of(m: &MailboxRow) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&m.host, m.port, &m.security, &m.username, &m.auth, &m.secret, &m.folder, &m.processed_folder, m.poll_seconds)
        .hash(&mut h);
    (&m.oauth_token_url, &m.oauth_client_id, &m.oauth_client_secret, &m.oauth_scope).hash(&mut h);
    format!("{:x}", h.finish())
}

fn imap_config(m: &MailboxRow, auth: ImapAuth) -> anyhow::Result<ImapConfig> {
    let security = match m.security.as_str() {
        "tls" => ImapSecurity::Tls,
        "starttls" => ImapSecurity::StartTls,
        "plain" => ImapSecurity::Plain,
        other => anyhow::bail!("unknown security {other:?}"),
    };
    let port = u16::try_from(m.port).map_err(|_| anyhow::anyhow!("port {} out of range", m.port))?;
    let mut config = ImapConfig::new(m.host.clone(), port, security, m.username.clone(), auth);
    config.folder = m.folder.clone();
    config.processed_folder = m.processed_folder.clone();
    Ok(config)
}

async fn poll_mailbox(desk: Desk, tokens: TokenClient, mailbox: MailboxRow) {
    let holder = format!("{}-{}", std::process::id(), Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let lease = format!("mailbox:{}", mailbox.name);
    let period = Duration::from_secs(u64::try_from(mailbox.poll_seconds).unwrap_or(60).max(1));
    let mut failures: u64 = 0;
    loop {
        let now = Utc::now();
        match desk.store().try_lease(&lease, &holder, now + lease_length(period), now).await {
            Ok(true) => match poll_session(&desk, &tokens, &mailbox, &lease, &holder, period).await {
                Ok(()) => failures = 0,
                Err(e) => {
                    failures += 1;
                    let message = format!("{e:#}");
                    tracing::warn!(mailbox = %mailbox.name, error = %message, "mailbox poll failed");
                    let _ = desk.mailbox_polled(&mailbox.name, Some(&message)).await;
                }
            },
            Ok(false) => {}
            Err(e) => tracing::warn!(mailbox = %mailbox.name, error = %e, "mailbox lease unavailable"),
        }
        // Quick retries at first, then at most once a minute.
        let pause = Duration::from_secs((5 * failures).clamp(5, 60)).min(period.max(Duration::from_secs(5)));
        tokio::time::sleep(pause).await;
    }
}

/// A poller renews its lease every round (at most `period` apart); a killed
/// poller's lease lapses soon after, and another process takes over.
fn lease_length(period: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(period * 2 + Duration::from_secs(5)).unwrap_or(chrono::TimeDelta::minutes(5))
}

/// One connection: fetch, ingest, acknowledge, wait for news; until an error.
async fn poll_session(
    desk: &Desk,
    tokens: &TokenClient,
    mailbox: &MailboxRow,
    lease: &str,
    holder: &str,
    period: Duration,
) -> anyhow::Result<()> {
    let mut session = connect(desk, tokens, mailbox).await?;
    loop {
        for message in session.fetch_unseen().await? {
            match desk.ingest_mail(&mailbox.name, &message.raw).await {
                // Stored, but its sender cannot be checked now: left unseen
                // for the next round.
                Ok(outcome @ mesa_app::IngestOutcome::Deferred { .. }) => {
                    tracing::info!(mailbox = %mailbox.name, uid = message.uid, %outcome, "mail left for later");
                }
                Ok(outcome) => {
                    tracing::info!(mailbox = %mailbox.name, uid = message.uid, %outcome, "mail ingested");
                    mesa_app::failpoint("mail_before_ack");
                    session.acknowledge(message.uid).await?;
                }
                // Left unseen: the next round tries again (ingest is idempotent).
                Err(e) => tracing::warn!(mailbox = %mailbox.name, uid = message.uid, error = %e, "mail not ingested"),
            }
        }
        desk.mailbox_polled(&mailbox.name, None).await?;
        let now = Utc::now();
        if !desk.store().try_lease(lease, holder, now + lease_length(period), now).await? {
            return Ok(());
        }
        session.wait_for_change(period).await?;
    }
}

/// Logs in to the mailbox. An `xoauth2` mailbox gets its access token from
/// [`access_token`]; with a refresh token, a token the server refuses is
/// renewed and tried once more (it may have been revoked before it expired).
async fn connect(desk: &Desk, tokens: &TokenClient, mailbox: &MailboxRow) -> anyhow::Result<ImapMailbox> {
    if mailbox.auth != "xoauth2" {
        let config = imap_config(mailbox, ImapAuth::Password(Secret::new(mailbox.secret.clone())))?;
        return Ok(ImapMailbox::connect(&config).await?);
    }
    let token = access_token(desk, tokens, &mailbox.name, None).await?;
    let config = imap_config(mailbox, ImapAuth::XOAuth2 { access_token: token.clone() })?;
    match ImapMailbox::connect(&config).await {
        Err(TransportError::Auth { .. }) if mailbox.oauth_token_url.is_some() => {
            tracing::info!(mailbox = %mailbox.name, "the access token was refused; renewing it once");
            let token = access_token(desk, tokens, &mailbox.name, Some(&token)).await?;
            let config = imap_config(mailbox, ImapAuth::XOAuth2 { access_token: token })?;
            Ok(ImapMailbox::connect(&config).await?)
        }
        connected => Ok(connected?),
    }
}

/// The access token to log in with: the stored one while fresh (and not the
/// one just `refused`), otherwise a new one from the token endpoint, stored
/// for every process.
async fn access_token(
    desk: &Desk,
    tokens: &TokenClient,
    name: &str,
    refused: Option<&Secret>,
) -> anyhow::Result<Secret> {
    match desk.mailbox_token(name, refused, Utc::now()).await? {
        MailboxToken::Ready(token) => Ok(token),
        MailboxToken::Refresh(request) => {
            let grant = tokens.refresh(&request).await.context("renewing the OAuth2 access token")?;
            if !desk.mailbox_token_granted(name, &request, &grant).await? {
                tracing::warn!(mailbox = %name, "the refresh token was changed meanwhile; this access token is not kept");
            }
            Ok(grant.access_token)
        }
    }
}

#[cfg(test)]
mod tests {
    use mesa_app::mail::MailboxInput;
    use mesa_app::{BlobStore, DeskSettings, Store};
    use mesa_core::{Actor, Role};
    use mesa_testkit::mail_servers::Dovecot;
    use mesa_testkit::token_endpoint::TokenEndpoint;
    use mesa_testkit::{Db, TestDb, databases};

    use super::*;

    /// A desk with one `xoauth2` mailbox on `127.0.0.1:port` that renews its
    /// tokens at `endpoint` with `refresh_token`.
    async fn desk_with_mailbox(db: &TestDb, port: u16, endpoint: &TokenEndpoint, refresh_token: &str) -> Desk {
        let store = Store::open(db.data_path(), db.database_url.as_deref()).await.unwrap();
        let desk = Desk::new(store, BlobStore::new(db.data_path()), DeskSettings::default());
        let admin = desk.add_user(None, "admin@mesa.test", "Admin", Role::Admin, None).await.unwrap();
        let input = MailboxInput {
            name: "soporte".into(),
            host: "127.0.0.1".into(),
            port: Some(port.into()),
            security: Some("plain".into()),
            username: Dovecot::USER.into(),
            auth: Some("xoauth2".into()),
            token_url: Some(endpoint.url().into()),
            client_id: Some(TokenEndpoint::CLIENT_ID.into()),
            refresh_token: Some(refresh_token.into()),
            ..Default::default()
        };
        desk.put_mailbox(&Actor { user_id: admin.id, role: admin.role }, input).await.unwrap();
        desk
    }

    /// Puts `token` in the store as the mailbox's current access token.
    async fn store_access_token(desk: &Desk, token: &str, expires_at: chrono::DateTime<Utc>) {
        let mailbox = desk.store().mailbox("soporte").await.unwrap();
        let refresh_token = mailbox.oauth_refresh_token.unwrap();
        assert!(desk.store().store_mailbox_token("soporte", &refresh_token, token, expires_at, None).await.unwrap());
    }

    #[tokio::test]
    async fn an_expired_token_is_renewed_and_stored_with_the_rotated_refresh_token_then_reused() {
        for kind in databases() {
            let db = TestDb::new(kind).await;
            let endpoint = TokenEndpoint::start_rotating();
            let desk = desk_with_mailbox(&db, 143, &endpoint, TokenEndpoint::REFRESH_TOKEN).await;
            let tokens = TokenClient::new().unwrap();
            store_access_token(&desk, "ya29.expired", Utc::now() - chrono::TimeDelta::minutes(5)).await;

            let token = access_token(&desk, &tokens, "soporte", None).await.unwrap();

            assert_eq!(token.expose(), Dovecot::XOAUTH2_TOKEN, "{kind:?}");
            assert_eq!(endpoint.requests().len(), 1);
            let stored = desk.store().mailbox("soporte").await.unwrap();
            assert_eq!(stored.oauth_access_token.as_deref(), Some(Dovecot::XOAUTH2_TOKEN));
            let lifetime = stored.oauth_expires_at.unwrap() - Utc::now();
            assert!((3500..3600).contains(&lifetime.num_seconds()), "{kind:?}: {lifetime}");
            assert_eq!(stored.oauth_refresh_token, Some(endpoint.current_refresh_token()), "rotated and stored");
            assert_ne!(endpoint.current_refresh_token(), TokenEndpoint::REFRESH_TOKEN);

            // Fresh: taken from the store, no second request.
            access_token(&desk, &tokens, "soporte", None).await.unwrap();
            assert_eq!(endpoint.requests().len(), 1, "{kind:?}");

            // Expired again: the endpoint now only accepts the rotated refresh token.
            store_access_token(&desk, "ya29.expired-again", Utc::now() + chrono::TimeDelta::seconds(30)).await;
            let token = access_token(&desk, &tokens, "soporte", None).await.unwrap();
            assert_eq!(token.expose(), Dovecot::XOAUTH2_TOKEN, "{kind:?}");
            assert_eq!(endpoint.requests()[1]["refresh_token"], endpoint.requests()[0]["refresh_token"].clone() + "-1");
        }
    }

    #[tokio::test]
    async fn a_token_the_server_refuses_is_renewed_once_and_the_mailbox_logs_in() {
        let dovecot = Dovecot::start_with_xoauth2();
        let endpoint = TokenEndpoint::start();
        let db = TestDb::new(Db::Sqlite).await;
        let desk = desk_with_mailbox(&db, dovecot.imap_port(), &endpoint, TokenEndpoint::REFRESH_TOKEN).await;
        // Revoked before its time: the store still thinks it good for an hour.
        store_access_token(&desk, "ya29.revoked", Utc::now() + chrono::TimeDelta::hours(1)).await;
        let mailbox = desk.store().mailbox("soporte").await.unwrap();

        let session = connect(&desk, &TokenClient::new().unwrap(), &mailbox).await.unwrap();

        assert_eq!(endpoint.requests().len(), 1);
        session.logout().await.unwrap();
        let stored = desk.store().mailbox("soporte").await.unwrap();
        assert_eq!(stored.oauth_access_token.as_deref(), Some(Dovecot::XOAUTH2_TOKEN));
    }

    #[tokio::test]
    async fn a_renewed_token_that_is_refused_too_fails_the_login_after_one_renewal() {
        let dovecot = Dovecot::start_with_xoauth2();
        let endpoint = TokenEndpoint::start();
        endpoint.hand_out("ya29.for-another-account");
        let db = TestDb::new(Db::Sqlite).await;
        let desk = desk_with_mailbox(&db, dovecot.imap_port(), &endpoint, TokenEndpoint::REFRESH_TOKEN).await;
        let mailbox = desk.store().mailbox("soporte").await.unwrap();

        let error = connect(&desk, &TokenClient::new().unwrap(), &mailbox).await.unwrap_err();

        assert!(matches!(error.downcast_ref::<TransportError>(), Some(TransportError::Auth { .. })), "{error:#}");
        assert_eq!(endpoint.requests().len(), 2, "the first token, then one renewal, and no more");
        assert!(!format!("{error:#}").contains("for-another-account"), "{error:#}");
    }

    #[tokio::test]
    async fn a_revoked_refresh_token_is_an_error_naming_invalid_grant_without_secrets() {
        let endpoint = TokenEndpoint::start();
        let db = TestDb::new(Db::Sqlite).await;
        let desk = desk_with_mailbox(&db, 143, &endpoint, "1//revoked-refresh-token").await;
        let mailbox = desk.store().mailbox("soporte").await.unwrap();

        let error = format!("{:#}", connect(&desk, &TokenClient::new().unwrap(), &mailbox).await.unwrap_err());

        assert!(error.starts_with("renewing the OAuth2 access token: "), "{error}");
        assert!(error.contains("invalid_grant"), "{error}");
        assert!(!error.contains("revoked-refresh-token"), "{error}");
        assert_eq!(desk.store().mailbox("soporte").await.unwrap().oauth_access_token, None);
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_six_hours() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(5).num_seconds(), 480);
        assert_eq!(backoff(30).num_seconds(), 6 * 3600);
    }
}
