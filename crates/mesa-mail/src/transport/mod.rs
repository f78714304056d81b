//! The e-mail transports: sending through an SMTP relay ([`SmtpSender`]),
//! receiving from an IMAP mailbox ([`ImapMailbox`]), and renewing the OAuth2
//! access token such a mailbox logs in with ([`TokenClient`]).
//!
//! These adapters move bytes only. Rendering, parsing and threading stay in the
//! pure part of this crate; retries live in the caller's outbox, which is why
//! [`SendError`] says whether a failure is worth retrying. Receiving follows
//! "acknowledge after commit": [`ImapMailbox::fetch_unseen`] never changes a flag,
//! so a crash between fetching and storing a message loses nothing.
//!
//! Secrets (passwords, OAuth tokens) are held in [`Secret`], whose `Debug` hides
//! them, and no error message built here contains them.

mod folder_name;
mod imap;
mod oauth;
mod smtp;

use std::fmt;

pub use imap::{FETCH_LIMIT, FetchedMessage, ImapAuth, ImapConfig, ImapMailbox, ImapSecurity};
pub use oauth::TokenClient;
pub use smtp::{SendError, SmtpConfig, SmtpCredentials, SmtpSecurity, SmtpSender};

/// How long any single network step (connect, TLS handshake, one command) may
/// take before the server is considered unreachable.
pub const NETWORK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A password or token: printable only on purpose, through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it to a server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a transport could not be configured, connected or used. Messages name the
/// server and the user but never a password or token.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("invalid {what} URL: {reason}")]
    InvalidUrl { what: &'static str, reason: String },
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("{host} rejected the credentials of {user}: {reason}")]
    Auth { host: String, user: String, reason: String },
    #[error("{host} does not offer {what}")]
    Unsupported { host: String, what: &'static str },
    #[error("IMAP folder {folder:?} on {host}: {reason}")]
    Folder { host: String, folder: String, reason: String },
    #[error("IMAP {operation} on {host} failed: {source}")]
    Imap {
        host: String,
        operation: &'static str,
        #[source]
        source: async_imap::error::Error,
    },
    #[error("IMAP {operation} on {host} timed out after {seconds} s")]
    Timeout { host: String, operation: &'static str, seconds: u64 },
    /// An earlier failure left the IMAP session in an unknown state; connect again.
    #[error("the IMAP session with {host} was lost after an earlier error; connect again")]
    Disconnected { host: String },
}

impl TransportError {
    /// Whether retrying later can help: network trouble can, bad configuration or
    /// rejected credentials cannot until someone changes them.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Imap { .. }
                | TransportError::Timeout { .. }
                | TransportError::Disconnected { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(secret.expose(), "hunter2");
    }
}
