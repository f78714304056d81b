//! Receiving from an IMAP mailbox: fetch what is unseen, let the caller store it,
//! then acknowledge it (mark `\Seen`, or move it to a "processed" folder).
//!
//! One [`ImapMailbox`] is one logged-in session with one folder selected, so the
//! UIDs it hands out stay meaningful for its whole life. When a command fails
//! halfway, the session is dropped and every later call says
//! [`TransportError::Disconnected`]: the caller's worker connects again, fetches
//! again, and the messages it had not acknowledged come back.

use std::collections::HashSet;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::types::UnsolicitedResponse;
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

use super::{NETWORK_TIMEOUT, Secret, TransportError, folder_name};

/// At most this many messages come back from one [`ImapMailbox::fetch_unseen`],
/// oldest first, so a mailbox with a large backlog never has to fit in memory at
/// once; the caller acknowledges them and fetches again.
pub const FETCH_LIMIT: usize = 100;

/// Messages per `UID FETCH` command.
const FETCH_BATCH: usize = 20;

/// One `fetch_unseen` moves up to [`FETCH_LIMIT`] whole messages, attachments
/// included; slow links need more than [`NETWORK_TIMEOUT`] for that.
const FETCH_TIMEOUT: Duration = Duration::from_secs(300);

/// RFC 2177 asks clients to re-issue IDLE at least every 29 minutes.
const MAX_IDLE: Duration = Duration::from_secs(29 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS before logging in (port 143).
    StartTls,
    /// No TLS: only for servers on loopback or a trusted network.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImapAuth {
    /// `LOGIN user password`.
    Password(Secret),
    /// SASL XOAUTH2 (Microsoft 365, Google Workspace) with an access token the
    /// caller keeps fresh.
    XOAuth2 { access_token: Secret },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub username: String,
    pub auth: ImapAuth,
    /// The folder new mail arrives in.
    pub folder: String,
    /// Where acknowledged messages are moved; `None` marks them `\Seen` in place.
    /// Created on connect when missing.
    pub processed_folder: Option<String>,
    /// PEM certificates trusted besides the Mozilla roots: an organisation's own
    /// certificate authority (or a test server's).
    pub extra_roots_pem: Option<Vec<u8>>,
}

impl ImapConfig {
    /// A configuration reading `INBOX` and marking processed mail `\Seen`.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        security: ImapSecurity,
        username: impl Into<String>,
        auth: ImapAuth,
    ) -> ImapConfig {
        ImapConfig {
            host: host.into(),
            port,
            security,
            username: username.into(),
            auth,
            folder: "INBOX".to_owned(),
            processed_folder: None,
            extra_roots_pem: None,
        }
    }
}

/// One message as the server stores it. `(uid_validity, uid)` names it for good:
/// if the server ever changes `uid_validity`, old UIDs mean nothing anymore.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchedMessage {
    pub uid: u32,
    pub uid_validity: u32,
    pub raw: Vec<u8>,
}

impl fmt::Debug for FetchedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedMessage")
            .field("uid", &self.uid)
            .field("uid_validity", &self.uid_validity)
            .field("raw_len", &self.raw.len())
            .finish()
    }
}

/// What the server said it can do, read once after login.
#[derive(Debug, Clone, Copy)]
struct Capabilities {
    idle: bool,
    moves: bool,
    uidplus: bool,
}

/// A logged-in IMAP session with [`ImapConfig::folder`] selected.
pub struct ImapMailbox {
    host: String,
    folder: String,
    processed_folder: Option<String>,
    /// `None` after a failure left the protocol state unknown (or while IDLE
    /// holds the session).
    session: Option<Session<ImapStream>>,
    uid_validity: u32,
    capabilities: Capabilities,
}

impl fmt::Debug for ImapMailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapMailbox")
            .field("host", &self.host)
            .field("folder", &self.folder)
            .field("uid_validity", &self.uid_validity)
            .field("connected", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

impl ImapMailbox {
    /// Connects, logs in, creates the processed folder if it is missing and
    /// selects the folder to read.
    #[tracing::instrument(skip_all, fields(host = %config.host, port = config.port, user = %config.username))]
    pub async fn connect(config: &ImapConfig) -> Result<ImapMailbox, TransportError> {
        let host = config.host.clone();
        let timeout = |operation| Timeout { host: host.clone(), operation };
        let connector = || {
            tls_connector(config.extra_roots_pem.as_deref())
                .map_err(|reason| TransportError::Tls { host: host.clone(), reason })
        };
        let tcp = timeout("connect")
            .run(TcpStream::connect((config.host.as_str(), config.port)))
            .await?
            .map_err(|source| TransportError::Connect { host: host.clone(), port: config.port, source })?;

        let client = match config.security {
            ImapSecurity::Plain => {
                let mut client = Client::new(ImapStream::Plain(tcp));
                read_greeting(&mut client, &config.host).await?;
                client
            }
            ImapSecurity::Tls => {
                let tls = timeout("TLS handshake").run(tls_handshake(&connector()?, &config.host, tcp)).await??;
                let mut client = Client::new(ImapStream::Tls(Box::new(tls)));
                read_greeting(&mut client, &config.host).await?;
                client
            }
            ImapSecurity::StartTls => {
                let connector = connector()?;
                let mut client = Client::new(ImapStream::Plain(tcp));
                read_greeting(&mut client, &config.host).await?;
                timeout("STARTTLS").run(client.run_command_and_check_ok("STARTTLS", None)).await?.map_err(
                    |e| match e {
                        async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_) => {
                            TransportError::Unsupported { host: host.clone(), what: "STARTTLS" }
                        }
                        source => TransportError::Imap { host: host.clone(), operation: "STARTTLS", source },
                    },
                )?;
                // Whatever the server sent after its OK is dropped with the
                // plain stream's buffer: nothing unencrypted leaks into the TLS
                // session (the STARTTLS command-injection problem).
                let ImapStream::Plain(tcp) = client.into_inner() else { unreachable!("STARTTLS starts plain") };
                let tls = timeout("TLS handshake").run(tls_handshake(&connector, &config.host, tcp)).await??;
                Client::new(ImapStream::Tls(Box::new(tls)))
            }
        };

        let auth_error = |e: async_imap::error::Error| match e {
            async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason) => {
                TransportError::Auth { host: host.clone(), user: config.username.clone(), reason }
            }
            // The validation error would quote the offending character of the password.
            async_imap::error::Error::Validate(_) => TransportError::Auth {
                host: host.clone(),
                user: config.username.clone(),
                reason: "the user name or password contains a character IMAP cannot send".to_owned(),
            },
            source => TransportError::Imap { host: host.clone(), operation: "login", source },
        };
        let login = async {
            match &config.auth {
                ImapAuth::Password(password) => client.login(&config.username, password.expose()).await,
                ImapAuth::XOAuth2 { access_token } => {
                    let authenticator = XOAuth2 { user: &config.username, access_token };
                    client.authenticate("XOAUTH2", authenticator).await
                }
            }
        };
        let mut session = timeout("login").run(login).await?.map_err(|(e, _client)| auth_error(e))?;

        let capabilities = timeout("CAPABILITY")
            .run(session.capabilities())
            .await?
            .map_err(|source| TransportError::Imap { host: host.clone(), operation: "CAPABILITY", source })?;
        let capabilities = Capabilities {
            idle: capabilities.has_str("IDLE"),
            moves: capabilities.has_str("MOVE"),
            uidplus: capabilities.has_str("UIDPLUS"),
        };

        if let Some(processed) = &config.processed_folder {
            timeout("creating the processed folder").run(ensure_folder(&mut session, &host, processed)).await??;
        }

        let wire_folder = folder_name::encode(&config.folder);
        let mailbox = timeout("SELECT").run(session.select(&wire_folder)).await?.map_err(|e| match e {
            async_imap::error::Error::No(reason) => {
                TransportError::Folder { host: host.clone(), folder: config.folder.clone(), reason }
            }
            source => TransportError::Imap { host: host.clone(), operation: "SELECT", source },
        })?;
        // RFC 3501 makes UIDVALIDITY mandatory; a server without it cannot be
        // trusted with UIDs, and 0 would never match a stored value.
        let uid_validity = mailbox.uid_validity.unwrap_or(0);
        // The first fetch covers whatever was announced so far.
        drain_unsolicited(&mut session);
        tracing::debug!(uid_validity, exists = mailbox.exists, ?capabilities, "IMAP mailbox selected");

        Ok(ImapMailbox {
            host: config.host.clone(),
            folder: config.folder.clone(),
            processed_folder: config.processed_folder.as_deref().map(folder_name::encode),
            session: Some(session),
            uid_validity,
            capabilities,
        })
    }

    /// The folder's UIDVALIDITY, as reported when it was selected.
    pub fn uid_validity(&self) -> u32 {
        self.uid_validity
    }

    /// Whether [`ImapMailbox::wait_for_change`] can use IDLE (otherwise it sleeps).
    pub fn supports_idle(&self) -> bool {
        self.capabilities.idle
    }

    /// The oldest unseen, undeleted messages (at most [`FETCH_LIMIT`]), oldest
    /// first. Uses `BODY.PEEK[]`, so no flag changes: a message stays unseen until
    /// [`ImapMailbox::acknowledge`] is called for it.
    #[tracing::instrument(skip_all, fields(host = %self.host, folder = %self.folder))]
    pub async fn fetch_unseen(&mut self) -> Result<Vec<FetchedMessage>, TransportError> {
        let uid_validity = self.uid_validity;
        self.with_session("UID SEARCH/FETCH", FETCH_TIMEOUT, async |session| {
            // A server only shows mail that arrived since its last sync after a
            // command that may announce it; SEARCH works on the view from before.
            session.noop().await?;
            // Anything announced so far is covered by the search.
            drain_unsolicited(session);
            let found = session.uid_search("UNSEEN UNDELETED").await?;
            let mut uids: Vec<u32> = found.into_iter().collect();
            uids.sort_unstable();
            uids.truncate(FETCH_LIMIT);

            let mut messages = Vec::with_capacity(uids.len());
            for batch in uids.chunks(FETCH_BATCH) {
                let wanted: HashSet<u32> = batch.iter().copied().collect();
                let set = batch.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                let fetches: Vec<_> = session.uid_fetch(&set, "(UID BODY.PEEK[])").await?.try_collect().await?;
                for fetch in &fetches {
                    // Unsolicited FETCH responses (flag changes by someone else)
                    // carry no body; skip them.
                    if let (Some(uid), Some(body)) = (fetch.uid, fetch.body())
                        && wanted.contains(&uid)
                    {
                        messages.push(FetchedMessage { uid, uid_validity, raw: body.to_vec() });
                    }
                }
            }
            messages.sort_by_key(|m| m.uid);
            Ok(messages)
        })
        .await
    }

    /// Marks message `uid` as processed: moves it to the processed folder when one
    /// is configured (UID MOVE, or COPY + `\Deleted` + UID EXPUNGE on servers
    /// without MOVE), otherwise sets `\Seen`. Call it only after the message is
    /// safely stored.
    #[tracing::instrument(skip_all, fields(host = %self.host, folder = %self.folder, uid))]
    pub async fn acknowledge(&mut self, uid: u32) -> Result<(), TransportError> {
        let processed = self.processed_folder.clone();
        let capabilities = self.capabilities;
        self.with_session("acknowledge", NETWORK_TIMEOUT, async move |session| {
            let uid = uid.to_string();
            match processed {
                None => {
                    session.uid_store(&uid, "+FLAGS.SILENT (\\Seen)").await?.try_collect::<Vec<_>>().await?;
                }
                Some(folder) if capabilities.moves => session.uid_mv(&uid, &folder).await?,
                Some(folder) => {
                    session.uid_copy(&uid, &folder).await?;
                    session.uid_store(&uid, "+FLAGS.SILENT (\\Seen \\Deleted)").await?.try_collect::<Vec<_>>().await?;
                    // Without UIDPLUS only a plain EXPUNGE exists, and it would also
                    // remove messages someone else flagged \Deleted; leave ours
                    // flagged (fetch_unseen skips it) for the server's own cleanup.
                    if capabilities.uidplus {
                        session.uid_expunge(&uid).await?.try_collect::<Vec<_>>().await?;
                    }
                }
            }
            Ok(())
        })
        .await
    }

    /// Waits until the server reports a change in the folder (IDLE) or `max` has
    /// passed, whichever comes first. Servers without IDLE get a plain sleep of
    /// `max`. Either way the caller fetches again afterwards.
    #[tracing::instrument(skip_all, fields(host = %self.host, folder = %self.folder))]
    pub async fn wait_for_change(&mut self, max: Duration) -> Result<(), TransportError> {
        if !self.capabilities.idle {
            if self.session.is_none() {
                return Err(TransportError::Disconnected { host: self.host.clone() });
            }
            tokio::time::sleep(max).await;
            // Keeps the server from timing us out and notices a dead connection now.
            return self.with_session("NOOP", NETWORK_TIMEOUT, async |session| session.noop().await).await;
        }

        // Mail that arrived since the last fetch may have been announced already
        // (in a response to our own commands); IDLE would not repeat it.
        let already_changed = self
            .with_session("NOOP", NETWORK_TIMEOUT, async |session| {
                session.noop().await?;
                Ok(drain_unsolicited(session))
            })
            .await?;
        if already_changed {
            return Ok(());
        }

        let max = max.min(MAX_IDLE);
        // IDLE takes the session by value and gives it back on DONE; if anything
        // fails in between, the session is gone and stays `None`.
        let session = self.session.take().ok_or_else(|| TransportError::Disconnected { host: self.host.clone() })?;
        let mut idle = session.idle();
        match tokio::time::timeout(NETWORK_TIMEOUT, idle.init()).await {
            Ok(Ok(())) => {}
            Ok(Err(source)) => return Err(TransportError::Imap { host: self.host.clone(), operation: "IDLE", source }),
            Err(_) => return Err(self.timed_out("IDLE")),
        }
        let (wait, _interrupt) = idle.wait_with_timeout(max);
        let outcome = tokio::time::timeout(max, wait).await;
        if let Ok(Err(source)) = outcome {
            return Err(TransportError::Imap { host: self.host.clone(), operation: "IDLE", source });
        }
        match tokio::time::timeout(NETWORK_TIMEOUT, idle.done()).await {
            Ok(Ok(session)) => {
                self.session = Some(session);
                Ok(())
            }
            Ok(Err(source)) => Err(TransportError::Imap { host: self.host.clone(), operation: "DONE", source }),
            Err(_) => Err(self.timed_out("DONE")),
        }
    }

    /// Logs out politely; dropping the mailbox just closes the connection.
    pub async fn logout(mut self) -> Result<(), TransportError> {
        let host = self.host.clone();
        match self.session.take() {
            Some(mut session) => match tokio::time::timeout(NETWORK_TIMEOUT, session.logout()).await {
                Ok(result) => result.map_err(|source| TransportError::Imap { host, operation: "LOGOUT", source }),
                Err(_) => Err(self.timed_out("LOGOUT")),
            },
            None => Ok(()),
        }
    }

    /// Runs `operation` on the session with a timeout; on any failure the session
    /// is dropped, because the protocol state is no longer known.
    async fn with_session<T>(
        &mut self,
        name: &'static str,
        limit: Duration,
        operation: impl AsyncFnOnce(&mut Session<ImapStream>) -> Result<T, async_imap::error::Error>,
    ) -> Result<T, TransportError> {
        let Some(session) = self.session.as_mut() else {
            return Err(TransportError::Disconnected { host: self.host.clone() });
        };
        let outcome = tokio::time::timeout(limit, operation(session)).await;
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(source)) => {
                self.session = None;
                Err(TransportError::Imap { host: self.host.clone(), operation: name, source })
            }
            Err(_) => {
                self.session = None;
                Err(TransportError::Timeout { host: self.host.clone(), operation: name, seconds: limit.as_secs() })
            }
        }
    }

    fn timed_out(&self, operation: &'static str) -> TransportError {
        TransportError::Timeout { host: self.host.clone(), operation, seconds: NETWORK_TIMEOUT.as_secs() }
    }
}

/// Empties the channel of responses the server sent on its own and says whether
/// any of them announced new or removed messages.
fn drain_unsolicited(session: &mut Session<ImapStream>) -> bool {
    let mut changed = false;
    while let Ok(response) = session.unsolicited_responses.try_recv() {
        changed |= matches!(
            response,
            UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_) | UnsolicitedResponse::Expunge(_)
        );
    }
    changed
}

/// A timeout for one step of connecting, named for the error message.
struct Timeout {
    host: String,
    operation: &'static str,
}

impl Timeout {
    async fn run<T>(self, future: impl Future<Output = T>) -> Result<T, TransportError> {
        tokio::time::timeout(NETWORK_TIMEOUT, future).await.map_err(|_| TransportError::Timeout {
            host: self.host,
            operation: self.operation,
            seconds: NETWORK_TIMEOUT.as_secs(),
        })
    }
}

async fn read_greeting(client: &mut Client<ImapStream>, host: &str) -> Result<(), TransportError> {
    let greeting = Timeout { host: host.to_owned(), operation: "greeting" }.run(client.read_response()).await?;
    match greeting {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(TransportError::Imap {
            host: host.to_owned(),
            operation: "greeting",
            source: async_imap::error::Error::ConnectionLost,
        }),
        Err(e) => Err(TransportError::Imap { host: host.to_owned(), operation: "greeting", source: e.into() }),
    }
}

/// Creates `folder` unless the server already lists it.
async fn ensure_folder(session: &mut Session<ImapStream>, host: &str, folder: &str) -> Result<(), TransportError> {
    let imap_error = |source| TransportError::Imap { host: host.to_owned(), operation: "LIST", source };
    let wire = folder_name::encode(folder);
    let quoted = format!("\"{}\"", wire.replace('\\', "\\\\").replace('"', "\\\""));
    let names: Vec<_> =
        session.list(Some(""), Some(&quoted)).await.map_err(imap_error)?.try_collect().await.map_err(imap_error)?;
    if names.iter().any(|n| n.name() == wire) {
        return Ok(());
    }
    session.create(&wire).await.map_err(|e| TransportError::Folder {
        host: host.to_owned(),
        folder: folder.to_owned(),
        reason: format!("cannot create it: {e}"),
    })
}

/// The SASL XOAUTH2 initial response; the server's challenge (an error report
/// in JSON, if any) needs no answer beyond the same string.
struct XOAuth2<'a> {
    user: &'a str,
    access_token: &'a Secret,
}

impl async_imap::Authenticator for XOAuth2<'_> {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.access_token.expose())
    }
}

async fn tls_handshake(
    connector: &TlsConnector,
    host: &str,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, TransportError> {
    let tls_error = |reason: String| TransportError::Tls { host: host.to_owned(), reason };
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| tls_error(format!("{host:?} is not a valid server name")))?;
    connector.connect(name, tcp).await.map_err(|e| tls_error(super::smtp::error_chain(&e)))
}

/// rustls with the `ring` provider, the Mozilla root certificates and any extra
/// roots from the configuration.
fn tls_connector(extra_roots_pem: Option<&[u8]>) -> Result<TlsConnector, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(pem) = extra_roots_pem {
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("cannot read the extra root certificates: {e}"))?;
        if certificates.is_empty() {
            return Err("the extra root certificates hold no PEM certificate".to_owned());
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|e| format!("unusable extra root certificate: {e}"))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The connection under the IMAP client: plain TCP or TLS, chosen at run time.
enum ImapStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl fmt::Debug for ImapStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImapStream::Plain(_) => "ImapStream::Plain",
            ImapStream::Tls(_) => "ImapStream::Tls",
        })
    }
}

impl AsyncRead for ImapStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            ImapStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            ImapStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ImapStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            ImapStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            ImapStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            ImapStream::Plain(s) => Pin::new(s).poll_flush(cx),
            ImapStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            ImapStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            ImapStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xoauth2_string_follows_the_sasl_format() {
        let token = Secret::new("ya29.token");
        let mut auth = XOAuth2 { user: "soporte@example.org", access_token: &token };
        let response = async_imap::Authenticator::process(&mut auth, b"");
        assert_eq!(response, "user=soporte@example.org\x01auth=Bearer ya29.token\x01\x01");
    }

    #[test]
    fn debug_output_hides_passwords_and_tokens() {
        let mut config =
            ImapConfig::new("imap.example.org", 993, ImapSecurity::Tls, "u", ImapAuth::Password("pw-1".into()));
        assert!(!format!("{config:?}").contains("pw-1"));
        config.auth = ImapAuth::XOAuth2 { access_token: "tok-2".into() };
        assert!(!format!("{config:?}").contains("tok-2"));
        assert_eq!(config.folder, "INBOX");
    }
}
