//! Configuration: defaults, overridden by the TOML file (`--config`),
//! overridden by `MESA_*` environment variables, overridden by flags (clap
//! merges the last two).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

/// The config file's keys; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub timezone: Option<String>,
    pub max_attachment_mb: Option<u64>,
    pub log: Option<String>,
    pub public_url: Option<String>,
    pub mail_from: Option<String>,
    pub mail_from_name: Option<String>,
    pub smtp_url: Option<String>,
    /// DNS servers for checking senders (DKIM/SPF/DMARC), `HOST:PORT` or IP;
    /// empty: the system's (`/etc/resolv.conf`).
    pub dns_servers: Option<Vec<String>>,
    pub dns_timeout_secs: Option<u64>,
    pub header_timeout_secs: Option<u64>,
    pub request_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_connections_per_client: Option<usize>,
}

/// The HTTP server's limits (flags or `MESA_*`; the file's keys have the
/// same names).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LimitArgs {
    /// Seconds a client has to send a request's headers (default 10).
    #[arg(long, env = "MESA_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds to receive and answer a whole request, body included (default 120).
    #[arg(long, env = "MESA_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Connections open at once (default 4096, and at most what the
    /// process's file limit allows).
    #[arg(long, env = "MESA_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Connections open at once from one address (default 128; 0: no limit,
    /// for a server behind a load balancer).
    #[arg(long, env = "MESA_MAX_CONNECTIONS_PER_CLIENT")]
    pub max_connections_per_client: Option<usize>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else { return Ok(FileConfig::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./mesa-data";
pub const DEFAULT_TIMEZONE: &str = "America/Bogota";
pub const DEFAULT_MAX_ATTACHMENT_MB: u64 = 20;
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 120;
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 128;

/// Where the data lives: the resolved database settings.
#[derive(Clone)]
pub struct DataConfig {
    pub data_dir: PathBuf,
    /// `None`: the SQLite file inside `data_dir`.
    pub database_url: Option<String>,
}

impl std::fmt::Debug for DataConfig {
    // The URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataConfig")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub timezone: chrono_tz::Tz,
    pub max_attachment_bytes: usize,
    /// How people reach Mesa (e.g. `https://mesa.alcaldia.gov.co`); an
    /// `https` URL makes cookies `Secure`.
    pub public_url: Option<String>,
    pub limits: crate::http_server::Limits,
}

pub fn resolve_data(file: &FileConfig, data_dir: Option<PathBuf>, database_url: Option<String>) -> DataConfig {
    DataConfig {
        data_dir: data_dir.or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        database_url: database_url.or_else(|| file.database_url.clone()).filter(|u| !u.trim().is_empty()),
    }
}

pub fn resolve_serve(
    file: &FileConfig,
    listen: Option<String>,
    timezone: Option<String>,
    max_attachment_mb: Option<u64>,
    public_url: Option<String>,
    limits: LimitArgs,
) -> anyhow::Result<ServeConfig> {
    let listen = listen.or_else(|| file.listen.clone()).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen: SocketAddr = listen.parse().with_context(|| format!("listen address '{listen}' is not HOST:PORT"))?;
    let timezone = timezone.or_else(|| file.timezone.clone()).unwrap_or_else(|| DEFAULT_TIMEZONE.to_owned());
    let timezone: chrono_tz::Tz =
        timezone.parse().map_err(|_| anyhow::anyhow!("unknown time zone '{timezone}' (use an IANA name)"))?;
    let mb = max_attachment_mb.or(file.max_attachment_mb).unwrap_or(DEFAULT_MAX_ATTACHMENT_MB);
    if mb == 0 || mb > 2048 {
        bail!("max attachment size must be 1 to 2048 MiB, not {mb}");
    }
    let public_url = public_url.or_else(|| file.public_url.clone()).filter(|u| !u.trim().is_empty());
    if let Some(url) = &public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        bail!("public URL '{url}' must start with http:// or https://");
    }
    let secs = |flag: Option<u64>, key: Option<u64>, default: u64, what: &str| -> anyhow::Result<Duration> {
        match flag.or(key).unwrap_or(default) {
            0 => bail!("{what} must be at least 1 second"),
            n => Ok(Duration::from_secs(n)),
        }
    };
    let max_connections =
        limits.max_connections.or(file.max_connections).unwrap_or(DEFAULT_MAX_CONNECTIONS).min(usable_descriptors());
    if max_connections == 0 {
        bail!("max connections must be at least 1");
    }
    let limits = crate::http_server::Limits {
        header_read: secs(
            limits.header_timeout_secs,
            file.header_timeout_secs,
            DEFAULT_HEADER_TIMEOUT_SECS,
            "header timeout",
        )?,
        request: secs(
            limits.request_timeout_secs,
            file.request_timeout_secs,
            DEFAULT_REQUEST_TIMEOUT_SECS,
            "request timeout",
        )?,
        max_connections,
        max_per_client: limits
            .max_connections_per_client
            .or(file.max_connections_per_client)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PER_CLIENT),
        shutdown_grace: Duration::from_secs(30),
    };
    Ok(ServeConfig { listen, timezone, max_attachment_bytes: (mb * 1024 * 1024) as usize, public_url, limits })
}

/// Connections the process can hold: its open-file limit (raised to the
/// hard limit first) less a reserve for the database, files and mail.
fn usable_descriptors() -> usize {
    const RESERVE: u64 = 256;
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    limit.saturating_sub(RESERVE).max(16) as usize
}

/// The mail channel's settings.
#[derive(Clone, Default)]
pub struct MailConfig {
    /// `None` when no support address is configured: no mail is queued.
    pub identity: Option<mesa_app::MailIdentity>,
    /// Where the outbox is sent; may hold a password.
    pub smtp_url: Option<String>,
    /// DNS servers for sender authentication; empty: the system's.
    pub dns_servers: Vec<SocketAddr>,
    /// Bounds each message's DNS look-ups together (then `temperror`).
    pub dns_timeout: std::time::Duration,
}

pub const DEFAULT_DNS_TIMEOUT_SECS: u64 = 10;

impl MailConfig {
    /// The resolver senders are checked with, or `None` (logged) when none
    /// can be set up: then no sender authenticates through DNS.
    pub fn sender_verifier(&self) -> Option<mesa_mail::SenderVerifier> {
        let verifier = if self.dns_servers.is_empty() {
            mesa_mail::SenderVerifier::system(self.dns_timeout)
        } else {
            mesa_mail::SenderVerifier::with_servers(&self.dns_servers, self.dns_timeout)
        };
        match verifier {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "no DNS resolver for sender authentication: every sender is unverified");
                None
            }
        }
    }
}

/// DNS servers as given (`HOST:PORT`, or an IP for port 53).
pub fn parse_dns_servers(values: &[String]) -> anyhow::Result<Vec<SocketAddr>> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<SocketAddr>()
                .or_else(|_| v.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| anyhow::anyhow!("DNS server '{v}' is not an IP address or IP:PORT"))
        })
        .collect()
}

impl std::fmt::Debug for MailConfig {
    // The SMTP URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("identity", &self.identity)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("dns_servers", &self.dns_servers)
            .finish()
    }
}

pub fn resolve_mail(
    file: &FileConfig,
    mail_from: Option<String>,
    mail_from_name: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    dns_servers: Option<String>,
) -> anyhow::Result<MailConfig> {
    let dns = match dns_servers {
        Some(flag) => parse_dns_servers(&[flag])?,
        None => parse_dns_servers(file.dns_servers.as_deref().unwrap_or_default())?,
    };
    let timeout = file.dns_timeout_secs.unwrap_or(DEFAULT_DNS_TIMEOUT_SECS);
    if timeout == 0 || timeout > 120 {
        bail!("dns_timeout_secs must be 1 to 120, not {timeout}");
    }
    let dns_timeout = std::time::Duration::from_secs(timeout);
    let address =
        mail_from.or_else(|| file.mail_from.clone()).map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty());
    let smtp_url = smtp_url.or_else(|| file.smtp_url.clone()).filter(|u| !u.trim().is_empty());
    let Some(address) = address else {
        if smtp_url.is_some() {
            bail!("an SMTP server is configured but no support address: set MESA_MAIL_FROM (or mail_from)");
        }
        return Ok(MailConfig { identity: None, smtp_url: None, dns_servers: dns, dns_timeout });
    };
    if mesa_core::Email::parse(&address).is_err() {
        bail!("the support address '{address}' is not an e-mail address");
    }
    let display_name = mail_from_name.or_else(|| file.mail_from_name.clone()).unwrap_or_else(|| "Mesa".into());
    let public_url = public_url
        .or_else(|| file.public_url.clone())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| format!("http://{DEFAULT_LISTEN}"));
    let public_url = public_url.trim().trim_end_matches('/').to_owned();
    Ok(MailConfig {
        identity: Some(mesa_app::MailIdentity { address, display_name: display_name.trim().to_owned(), public_url }),
        smtp_url,
        dns_servers: dns,
        dns_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_env_win_over_the_file_and_the_file_over_defaults() {
        let file: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/mesa\"\nmax_attachment_mb = 5").unwrap();
        let serve = resolve_serve(&file, None, None, None, None, LimitArgs::default()).unwrap();
        assert_eq!(serve.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(serve.max_attachment_bytes, 5 * 1024 * 1024);
        assert_eq!(serve.timezone, chrono_tz::America::Bogota);
        assert_eq!(serve.limits.header_read, Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS));
        assert_eq!(serve.limits.max_per_client, DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
        let serve =
            resolve_serve(&file, Some("127.0.0.1:1".into()), Some("UTC".into()), Some(1), None, LimitArgs::default())
                .unwrap();
        assert_eq!(serve.listen.to_string(), "127.0.0.1:1");
        assert_eq!(serve.timezone, chrono_tz::UTC);
        let data = resolve_data(&file, None, None);
        assert_eq!(data.data_dir, PathBuf::from("/srv/mesa"));
        assert!(data.database_url.is_none());
        let data = resolve_data(&FileConfig::default(), None, None);
        assert_eq!(data.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    }

    #[test]
    fn bad_values_are_explained() {
        let file = FileConfig::default();
        assert!(
            resolve_serve(&file, Some("nope".into()), None, None, None, LimitArgs::default())
                .unwrap_err()
                .to_string()
                .contains("HOST:PORT")
        );
        assert!(resolve_serve(&file, None, Some("Mars/Base".into()), None, None, LimitArgs::default()).is_err());
        assert!(resolve_serve(&file, None, None, Some(0), None, LimitArgs::default()).is_err());
        let no_wait = LimitArgs { header_timeout_secs: Some(0), ..LimitArgs::default() };
        assert!(
            resolve_serve(&file, None, None, None, None, no_wait).unwrap_err().to_string().contains("header timeout")
        );
        assert!(toml::from_str::<FileConfig>("colour = 1").is_err());
    }

    #[test]
    fn mail_needs_a_valid_support_address_and_never_prints_the_smtp_password() {
        let file = FileConfig::default();
        assert!(resolve_mail(&file, None, None, None, None, None).unwrap().identity.is_none());
        assert!(resolve_mail(&file, None, None, None, Some("smtp://x".into()), None).is_err());
        assert!(resolve_mail(&file, Some("not-an-address".into()), None, None, None, None).is_err());
        let mail = resolve_mail(
            &file,
            Some("Soporte@Cajica.gov.co".into()),
            None,
            Some("https://mesa.cajica.gov.co/".into()),
            Some("smtps://u:hunter22@h:465".into()),
            Some("127.0.0.1:5353, 10.0.0.1".into()),
        )
        .unwrap();
        let identity = mail.identity.as_ref().unwrap();
        assert_eq!(identity.address, "soporte@cajica.gov.co");
        assert_eq!(identity.public_url, "https://mesa.cajica.gov.co");
        assert!(!format!("{mail:?}").contains("hunter22"));
        assert_eq!(mail.dns_servers, vec!["127.0.0.1:5353".parse().unwrap(), "10.0.0.1:53".parse().unwrap()]);
        assert!(resolve_mail(&file, None, None, None, None, Some("not-a-server".into())).is_err());
    }

    #[test]
    fn the_database_url_is_never_printed() {
        let data = resolve_data(&FileConfig::default(), None, Some("postgres://u:secret@h/db".into()));
        assert!(!format!("{data:?}").contains("secret"));
    }
}
