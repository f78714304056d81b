//! Sending already-rendered messages through an SMTP relay.
//!
//! The relay is named by one URL, the contract the configuration file and the
//! admin UI share:
//!
//! - `smtp://127.0.0.1:2525` — plain SMTP, no TLS (a local relay);
//! - `smtp://host:587?tls=starttls` — STARTTLS required, the connection fails
//!   rather than continuing unencrypted;
//! - `smtps://user:pass@host:465` — TLS from the first byte (implicit TLS).
//!
//! User and password are percent-decoded (`p%40ss` is `p@ss`). `?tls=none` says
//! plain explicitly and `?ehlo=mesa.example.org` sets the name we greet with
//! (default: the address literal `[127.0.0.1]`, which RFC 5321 allows).

use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use percent_encoding::percent_decode_str;

use super::{NETWORK_TIMEOUT, Secret, TransportError};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS at all: only for relays on loopback or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS; refusing the upgrade is an error.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: Secret,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<SmtpCredentials>,
    /// The name sent in EHLO; `None` sends the address literal `[127.0.0.1]`.
    pub ehlo_name: Option<String>,
    pub timeout: Duration,
    /// PEM certificates trusted besides the Mozilla roots: an organisation's own
    /// certificate authority (or a test server's). Not part of the URL.
    pub extra_roots_pem: Option<Vec<u8>>,
}

impl SmtpConfig {
    /// Parses a relay URL (see the module documentation). Errors never repeat
    /// the URL, because it may hold a password.
    pub fn from_url(url: &str) -> Result<SmtpConfig, TransportError> {
        let invalid = |reason: &str| TransportError::InvalidUrl { what: "SMTP", reason: reason.to_owned() };
        let parsed = url::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        let (mut security, default_port) = match parsed.scheme() {
            "smtp" => (SmtpSecurity::None, 25),
            "smtps" => (SmtpSecurity::Tls, 465),
            other => return Err(invalid(&format!("scheme {other:?} is neither smtp nor smtps"))),
        };
        let host = match parsed.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(invalid("the host is missing")),
        };
        let port = parsed.port().unwrap_or(default_port);
        if parsed.path() != "" && parsed.path() != "/" {
            return Err(invalid("a path is not allowed"));
        }

        let mut ehlo_name = None;
        for (key, value) in parsed.query_pairs() {
            match (&*key, &*value) {
                ("tls", "none") if security == SmtpSecurity::None => {}
                ("tls", "starttls") if security == SmtpSecurity::None => security = SmtpSecurity::StartTls,
                ("tls", _) if security == SmtpSecurity::Tls => {
                    return Err(invalid("smtps:// always uses implicit TLS; drop the tls parameter"));
                }
                ("tls", other) => return Err(invalid(&format!("tls={other:?}: expected none or starttls"))),
                ("ehlo", name) if !name.is_empty() => ehlo_name = Some(name.to_owned()),
                (other, _) => return Err(invalid(&format!("unknown parameter {other:?}"))),
            }
        }

        let decode = |s: &str| percent_decode_str(s).decode_utf8().map(|s| s.into_owned());
        let username = decode(parsed.username()).map_err(|_| invalid("the user name is not valid UTF-8"))?;
        let password = match parsed.password() {
            Some(p) => Some(decode(p).map_err(|_| invalid("the password is not valid UTF-8"))?),
            None => None,
        };
        let credentials = match (username.is_empty(), password) {
            (true, None) => None,
            (false, Some(password)) => Some(SmtpCredentials { username, password: Secret::new(password) }),
            (false, None) => return Err(invalid("a user name needs a password (user:password@host)")),
            (true, Some(_)) => return Err(invalid("a password needs a user name (user:password@host)")),
        };
        // A password sent in the clear over the network is a leak waiting to happen;
        // a relay on the same machine is the one place where that is fine.
        if credentials.is_some() && security == SmtpSecurity::None && !is_loopback(&host) {
            return Err(invalid(&format!(
                "refusing to send a password unencrypted to {host}; use smtps:// or ?tls=starttls"
            )));
        }
        Ok(SmtpConfig { host, port, security, credentials, ehlo_name, timeout: NETWORK_TIMEOUT, extra_roots_pem: None })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why a message was not handed over to the relay, split the way an outbox needs:
/// retry later, or give up and tell someone.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Connection refused, timeout, TLS trouble, a 4xx reply: retry with backoff.
    #[error("sending failed temporarily: {reason}")]
    Transient { code: Option<u16>, reason: String },
    /// A 5xx reply or an address that cannot be sent to: retrying will not help.
    #[error("sending failed permanently: {reason}")]
    Permanent { code: Option<u16>, reason: String },
}

impl SendError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient { .. })
    }

    /// The SMTP reply code, when the server gave one.
    pub fn code(&self) -> Option<u16> {
        match self {
            SendError::Transient { code, .. } | SendError::Permanent { code, .. } => *code,
        }
    }

    fn from_lettre(e: lettre::transport::smtp::Error) -> SendError {
        let code = e.status().and_then(|c| c.to_string().parse().ok());
        let reason = error_chain(&e);
        if e.is_permanent() {
            SendError::Permanent { code, reason }
        } else {
            // 4xx replies and everything below SMTP (refused, reset, timeout, TLS,
            // a garbled reply) can go away by itself; a misconfiguration shows up
            // as the same error retried, which the outbox surfaces.
            SendError::Transient { code, reason }
        }
    }
}

/// `e` and its causes on one line ("Connection error: Connection refused").
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Sends raw messages through one relay. Each send opens its own connection: an
/// outbox sends in bursts minutes apart, and a pooled connection the relay has
/// silently dropped would only turn into confusing errors.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender").field("host", &self.host).finish_non_exhaustive()
    }
}

impl SmtpSender {
    pub fn new(config: &SmtpConfig) -> Result<SmtpSender, TransportError> {
        let tls_error = |e: lettre::transport::smtp::Error| TransportError::Tls {
            host: config.host.clone(),
            reason: error_chain(&e),
        };
        let tls_parameters = || {
            let mut builder =
                TlsParameters::builder(config.host.clone()).certificate_store(CertificateStore::WebpkiRoots);
            if let Some(pem) = &config.extra_roots_pem {
                builder = builder.add_root_certificate(Certificate::from_pem(pem).map_err(tls_error)?);
            }
            builder.build_rustls().map_err(tls_error)
        };
        let tls = match config.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        if let Some(name) = &config.ehlo_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        if let Some(c) = &config.credentials {
            builder = builder.credentials(Credentials::new(c.username.clone(), c.password.expose().to_owned()));
        }
        Ok(SmtpSender { transport: builder.build(), host: config.host.clone() })
    }

    /// Hands `raw_message` (a complete RFC 5322 message, CRLF line ends) to the
    /// relay exactly as given: the envelope comes from the arguments, never from
    /// the headers, so Bcc recipients and bounce addresses work. An empty
    /// `envelope_from` sends the null reverse path `<>` (for bounces and
    /// auto-replies, RFC 5321 §4.5.5).
    #[tracing::instrument(skip_all, fields(relay = %self.host, recipients = recipients.len()))]
    pub async fn send(&self, envelope_from: &str, recipients: &[String], raw_message: &[u8]) -> Result<(), SendError> {
        let invalid = |what: &str, address: &str| SendError::Permanent {
            code: None,
            reason: format!("invalid {what} address {address:?}"),
        };
        let from = match envelope_from {
            "" => None,
            address => Some(address.parse::<Address>().map_err(|_| invalid("sender", address))?),
        };
        let to = recipients
            .iter()
            .map(|r| r.parse::<Address>().map_err(|_| invalid("recipient", r)))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(from, to)
            .map_err(|e| SendError::Permanent { code: None, reason: format!("invalid envelope: {e}") })?;
        // lettre always ends DATA with CRLF "." CRLF; the first CRLF there is the
        // message's own last line break, so it must not be sent twice.
        let data = raw_message.strip_suffix(b"\r\n").unwrap_or(raw_message);
        match self.transport.send_raw(&envelope, data).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let error = SendError::from_lettre(e);
                tracing::warn!(%error, "SMTP send failed");
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_loopback_url_has_no_tls_and_no_credentials() {
        let c = SmtpConfig::from_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.security), ("127.0.0.1", 2525, SmtpSecurity::None));
        assert!(c.credentials.is_none());
        assert_eq!(c.ehlo_name, None);
    }

    #[test]
    fn smtps_means_implicit_tls_on_port_465_with_decoded_credentials() {
        let c = SmtpConfig::from_url("smtps://mesa%40example.org:p%40ss%3Aw%2Frd@mail.example.org").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.security), ("mail.example.org", 465, SmtpSecurity::Tls));
        let credentials = c.credentials.unwrap();
        assert_eq!(credentials.username, "mesa@example.org");
        assert_eq!(credentials.password.expose(), "p@ss:w/rd");
    }

    #[test]
    fn starttls_is_asked_for_in_the_query() {
        let c = SmtpConfig::from_url("smtp://user:pw@mail.example.org:587?tls=starttls&ehlo=mesa.example.org").unwrap();
        assert_eq!((c.port, c.security), (587, SmtpSecurity::StartTls));
        assert_eq!(c.ehlo_name.as_deref(), Some("mesa.example.org"));
    }

    #[test]
    fn plain_smtp_defaults_to_port_25_and_accepts_tls_none() {
        let c = SmtpConfig::from_url("smtp://relay.example.org?tls=none").unwrap();
        assert_eq!((c.port, c.security), (25, SmtpSecurity::None));
    }

    #[test]
    fn a_password_is_never_sent_unencrypted_beyond_loopback() {
        let e = SmtpConfig::from_url("smtp://user:secret@mail.example.org:587").unwrap_err();
        assert!(e.to_string().contains("unencrypted"), "{e}");
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(SmtpConfig::from_url("smtp://user:secret@localhost:2525").is_ok());
    }

    #[test]
    fn bad_urls_are_rejected_with_a_reason() {
        for url in [
            "http://mail.example.org",
            "smtp://",
            "smtp://mail.example.org?tls=maybe",
            "smtps://mail.example.org?tls=starttls",
            "smtp://mail.example.org?tsl=starttls",
            "smtp://user@mail.example.org?tls=starttls",
            "smtp://mail.example.org/path",
            "not a url",
        ] {
            let e = SmtpConfig::from_url(url).unwrap_err();
            assert!(matches!(e, TransportError::InvalidUrl { .. }), "{url}: {e}");
        }
    }

    #[test]
    fn debug_output_hides_the_password() {
        let c = SmtpConfig::from_url("smtps://user:hunter2@mail.example.org").unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter2") && debug.contains("<redacted>"), "{debug}");
    }
}
