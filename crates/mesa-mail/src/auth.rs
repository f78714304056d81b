//! Sender authentication: did the domain in `From` send this message?
//!
//! `From` is text anyone can type. Mesa only believes it when the author's
//! domain vouches for the message, and there are two ways to learn that:
//!
//! - **Mesa checks it** ([`SenderVerifier`]): DKIM signatures, SPF for the
//!   envelope (when the MTA pipe passes the SMTP session, [`Envelope`]) and
//!   DMARC alignment with the `From` domain, through `mail-auth` and DNS
//!   look-ups bounded by a timeout.
//! - **The institution's MTA checked it** ([`from_authentication_results`]):
//!   the `Authentication-Results` header (RFC 8601) stamped by the MTA whose
//!   `authserv-id` the admin names. Headers with any other id are ignored:
//!   a sender can write any header it likes, only its own MTA's is trusted.
//!
//! Either way the answer is a [`Verdict`]; what a verdict allows is the
//! desk's policy (mesa-app), not decided here.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mail_auth::dkim::Signature;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, SpfOutput, SpfResult};

use crate::mail::ParsedMail;

/// What Mesa concluded about a message's `From`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The `From` domain vouches for it: DMARC passed, or a DKIM signature (or
    /// SPF) of a domain aligned with `From` verified.
    Pass,
    /// The `From` domain publishes DMARC and the message does not satisfy it.
    Fail,
    /// Nothing authenticates it: no aligned signature, no policy, or no check
    /// configured. Not proof of forgery, not proof of anything.
    None,
    /// A DNS look-up failed or timed out: try the message again later.
    TempError,
}

impl Verdict {
    /// Stable lower-case name (stored, shown, in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::None => "none",
            Self::TempError => "temperror",
        }
    }

    /// The verdict named by [`Verdict::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pass" => Some(Self::Pass),
            "fail" => Some(Self::Fail),
            "none" => Some(Self::None),
            "temperror" => Some(Self::TempError),
            _ => None,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict and how it was reached, e.g. `dkim=pass header.d=cajica.gov.co;
/// spf=none; dmarc=pass` (kept with the raw message for the admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderAuth {
    pub verdict: Verdict,
    pub detail: String,
}

impl SenderAuth {
    pub fn new(verdict: Verdict, detail: impl Into<String>) -> Self {
        Self { verdict, detail: detail.into() }
    }
}

/// The SMTP session a message arrived in, as the MTA knows it (`mail ingest`
/// only: a message read from IMAP has lost it). Needed for SPF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The address of the client that handed the message to the MTA.
    pub client_ip: IpAddr,
    /// The name it gave in `HELO`/`EHLO`.
    pub helo: String,
    /// `MAIL FROM` (empty for bounces).
    pub mail_from: String,
}

/// Whether `a` and `b` are aligned in DMARC's relaxed mode: the same domain or
/// one inside the other. (Without the public suffix list this is stricter than
/// organisational alignment for siblings such as `a.example.org` and
/// `b.example.org`, never looser.)
pub fn aligned(a: &str, b: &str) -> bool {
    let (a, b) =
        (a.trim().trim_end_matches('.').to_ascii_lowercase(), b.trim().trim_end_matches('.').to_ascii_lowercase());
    !a.is_empty() && !b.is_empty() && (a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}")))
}

fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d.trim_end_matches('>'))
}

/// Checks messages against DNS: DKIM, SPF (with an [`Envelope`]) and DMARC.
#[derive(Clone)]
pub struct SenderVerifier {
    authenticator: MessageAuthenticator,
    timeout: Duration,
    /// The name Mesa gives itself in SPF macros (`%{r}`).
    host: String,
}

impl fmt::Debug for SenderVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SenderVerifier").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// The resolver could not be set up (e.g. an unreadable `/etc/resolv.conf`).
#[derive(Debug, thiserror::Error)]
#[error("DNS resolver: {0}")]
pub struct ResolverError(String);

impl SenderVerifier {
    /// Asks the system's resolvers (`/etc/resolv.conf`). `timeout` bounds each
    /// message's look-ups together.
    pub fn system(timeout: Duration) -> Result<Self, ResolverError> {
        let (config, mut options) =
            mail_auth::hickory_resolver::system_conf::read_system_conf().map_err(|e| ResolverError(e.to_string()))?;
        options.timeout = timeout.min(options.timeout);
        Self::build(config, options, timeout)
    }

    /// Asks these DNS servers (UDP, falling back to TCP), e.g. the
    /// institution's own resolver.
    pub fn with_servers(servers: &[SocketAddr], timeout: Duration) -> Result<Self, ResolverError> {
        if servers.is_empty() {
            return Err(ResolverError("no DNS server given".into()));
        }
        let name_servers = servers
            .iter()
            .map(|addr| {
                let mut server = NameServerConfig::udp_and_tcp(addr.ip());
                for connection in &mut server.connections {
                    connection.port = addr.port();
                }
                server
            })
            .collect();
        let mut options = ResolverOpts::default();
        options.timeout = timeout;
        options.attempts = 1;
        Self::build(ResolverConfig::from_name_servers(name_servers), options, timeout)
    }

    fn build(config: ResolverConfig, mut options: ResolverOpts, timeout: Duration) -> Result<Self, ResolverError> {
        // A forged message must not poison answers for the next one longer than
        // the records' own TTLs; hickory's cache honours them.
        options.cache_size = 1024;
        let authenticator = MessageAuthenticator::new(config, options).map_err(|e| ResolverError(e.to_string()))?;
        Ok(Self { authenticator, timeout, host: "mesa".into() })
    }

    /// The verdict on `raw`: DKIM for every signature, SPF when the envelope
    /// is known, then DMARC for the `From` domain. Never fails: a look-up that
    /// fails or times out makes [`Verdict::TempError`].
    pub async fn verify(&self, raw: &[u8], envelope: Option<&Envelope>) -> SenderAuth {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return SenderAuth::new(Verdict::None, "unreadable headers");
        };
        let from_domain = match message.from.first().map(|a| domain_of(a).to_owned()) {
            Some(d) if !d.is_empty() => d,
            _ => return SenderAuth::new(Verdict::None, "no From domain"),
        };
        let checks = async {
            let dkim = self.authenticator.verify_dkim(&message).await;
            let (spf, mail_from_domain) = match envelope {
                Some(e) => {
                    let mail_from =
                        if e.mail_from.is_empty() { format!("postmaster@{}", e.helo) } else { e.mail_from.clone() };
                    let params = SpfParameters::verify_mail_from(e.client_ip, &e.helo, &self.host, &mail_from);
                    let spf = self.authenticator.verify_spf(params).await;
                    (spf, domain_of(&mail_from).to_owned())
                }
                None => (SpfOutput::new(from_domain.clone()).with_result(SpfResult::None), from_domain.clone()),
            };
            let dmarc = self
                .authenticator
                .verify_dmarc(DmarcParameters {
                    message: &message,
                    dkim_output: &dkim,
                    dkim2_output: None,
                    rfc5321_mail_from_domain: &mail_from_domain,
                    spf_output: &spf,
                })
                .await;
            let signatures: Vec<(DkimResult, Option<String>)> =
                dkim.iter().map(|o| (o.result().clone(), o.signature().map(|s: &Signature| s.d.clone()))).collect();
            let spf_result = envelope.map(|_| (spf.result(), mail_from_domain));
            (signatures, spf_result, dmarc.result())
        };
        match tokio::time::timeout(self.timeout, checks).await {
            Err(_) => SenderAuth::new(Verdict::TempError, "DNS look-ups timed out"),
            Ok((signatures, spf, dmarc)) => combine(&from_domain, &signatures, spf.as_ref(), &dmarc),
        }
    }
}

/// The verdict from each check's result.
fn combine(
    from_domain: &str,
    signatures: &[(DkimResult, Option<String>)],
    spf: Option<&(SpfResult, String)>,
    dmarc: &DmarcResult,
) -> SenderAuth {
    let mut detail = Vec::new();
    let mut aligned_pass = false;
    let mut temporary = false;
    for (result, domain) in signatures {
        let d = domain.as_deref().unwrap_or("?");
        let name = match result {
            DkimResult::Pass => {
                aligned_pass |= aligned(d, from_domain);
                "pass"
            }
            DkimResult::Neutral(_) => "neutral",
            DkimResult::Fail(_) => "fail",
            DkimResult::PermError(_) => "permerror",
            DkimResult::TempError(_) => {
                temporary = true;
                "temperror"
            }
            DkimResult::None => "none",
        };
        detail.push(format!("dkim={name} header.d={d}"));
    }
    if signatures.is_empty() {
        detail.push("dkim=none".into());
    }
    match spf {
        Some((result, domain)) => {
            let name = match result {
                SpfResult::Pass => {
                    aligned_pass |= aligned(domain, from_domain);
                    "pass"
                }
                SpfResult::Fail => "fail",
                SpfResult::SoftFail => "softfail",
                SpfResult::Neutral => "neutral",
                SpfResult::TempError => {
                    temporary = true;
                    "temperror"
                }
                SpfResult::PermError => "permerror",
                SpfResult::None => "none",
            };
            detail.push(format!("spf={name} smtp.mailfrom={domain}"));
        }
        None => detail.push("spf=none (no envelope)".into()),
    }
    let verdict = match dmarc {
        DmarcResult::Pass => Verdict::Pass,
        DmarcResult::Fail(_) => Verdict::Fail,
        DmarcResult::TempError(_) => Verdict::TempError,
        // No policy published (or an unreadable one): an aligned signature
        // still authenticates; a look-up that failed is worth another try.
        DmarcResult::None | DmarcResult::PermError(_) if aligned_pass => Verdict::Pass,
        DmarcResult::None | DmarcResult::PermError(_) if temporary => Verdict::TempError,
        DmarcResult::None | DmarcResult::PermError(_) => Verdict::None,
    };
    let dmarc_name = match dmarc {
        DmarcResult::Pass => "pass",
        DmarcResult::Fail(_) => "fail",
        DmarcResult::TempError(_) => "temperror",
        DmarcResult::PermError(_) => "permerror",
        DmarcResult::None => "none",
    };
    detail.push(format!("dmarc={dmarc_name} header.from={from_domain}"));
    SenderAuth::new(verdict, detail.join("; "))
}

/// The verdict the institution's MTA stamped on `mail`: the first
/// `Authentication-Results` header whose authserv-id is `authserv_id`
/// (case-insensitive). The MTA prepends its header, and RFC 8601 §5 has it
/// remove any arriving header that claims its id, so one from the sender
/// cannot pass for it. No such header is [`Verdict::None`].
pub fn from_authentication_results(mail: &ParsedMail, authserv_id: &str) -> SenderAuth {
    let from_domain = mail.author().map(|a| domain_of(&a.address).to_owned()).unwrap_or_default();
    let trusted = mail.header_all("authentication-results").find_map(|value| {
        let results = ResultsHeader::parse(value)?;
        results.authserv_id.eq_ignore_ascii_case(authserv_id.trim()).then_some(results)
    });
    let Some(results) = trusted else {
        return SenderAuth::new(Verdict::None, format!("no Authentication-Results from {authserv_id}"));
    };
    let detail = format!("{}: {}", results.authserv_id, results.summary());
    let first = |method: &str| results.methods.iter().find(|m| m.method == method);
    let verdict = match first("dmarc").map(|m| m.result.as_str()) {
        Some("pass") => Verdict::Pass,
        Some("fail") => Verdict::Fail,
        Some("temperror") => Verdict::TempError,
        _ => {
            let aligned_pass = results.methods.iter().any(|m| {
                m.result == "pass"
                    && match m.method.as_str() {
                        "dkim" => m.property("header.d").or_else(|| m.property("header.i").map(domain_of)),
                        "spf" => m.property("smtp.mailfrom").map(|v| if v.contains('@') { domain_of(v) } else { v }),
                        _ => None,
                    }
                    .is_some_and(|d| aligned(d, &from_domain))
            });
            let temporary = results.methods.iter().any(|m| m.result == "temperror");
            if aligned_pass {
                Verdict::Pass
            } else if temporary {
                Verdict::TempError
            } else {
                Verdict::None
            }
        }
    };
    SenderAuth::new(verdict, detail)
}

/// One `Authentication-Results` header (RFC 8601 §2.2), the parts Mesa reads.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ResultsHeader {
    authserv_id: String,
    methods: Vec<MethodResult>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct MethodResult {
    method: String,
    result: String,
    properties: Vec<(String, String)>,
}

impl MethodResult {
    fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl ResultsHeader {
    fn parse(value: &str) -> Option<Self> {
        let value = strip_comments(value);
        let mut parts = split_unquoted(&value, ';').into_iter();
        // authserv-id [version]
        let authserv_id = parts.next()?.split_whitespace().next()?.to_owned();
        let mut methods = Vec::new();
        for part in parts {
            let mut tokens = split_unquoted(part.trim(), ' ').into_iter().filter(|t| !t.is_empty());
            let Some((method, result)) = tokens.next().and_then(|t| t.split_once('=')) else { continue };
            let method = method.split('/').next().unwrap_or(method).trim().to_ascii_lowercase();
            let properties = tokens
                .filter_map(|t| t.split_once('='))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_owned()))
                .collect();
            methods.push(MethodResult { method, result: result.trim().to_ascii_lowercase(), properties });
        }
        Some(Self { authserv_id, methods })
    }

    fn summary(&self) -> String {
        self.methods.iter().map(|m| format!("{}={}", m.method, m.result)).collect::<Vec<_>>().join("; ")
    }
}

/// `value` without RFC 5322 comments (`(…)`, nested, outside quotes).
fn strip_comments(value: &str) -> String {
    let (mut out, mut depth, mut quoted, mut escaped) = (String::new(), 0u32, false, false);
    for c in value.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                if depth == 0 {
                    out.push(c);
                }
            }
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(if c.is_whitespace() { ' ' } else { c }),
            _ => {}
        }
    }
    out
}

/// `value` split at `sep` outside double quotes.
fn split_unquoted(value: &str, sep: char) -> Vec<&str> {
    let (mut parts, mut start, mut quoted) = (Vec::new(), 0, false);
    for (i, c) in value.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&value[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&value[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail_with(headers: &str) -> ParsedMail {
        let raw = format!(
            "{headers}From: Ana <ana@cajica.gov.co>\r\nTo: soporte@cajica.gov.co\r\nSubject: x\r\n\r\nhola\r\n"
        );
        crate::parse(raw.as_bytes()).expect("parses")
    }

    #[test]
    fn only_the_named_mta_s_results_count() {
        let forged = "Authentication-Results: mx.attacker.example; dmarc=pass header.from=cajica.gov.co\r\n";
        let mail = mail_with(forged);
        assert_eq!(from_authentication_results(&mail, "mx.cajica.gov.co").verdict, Verdict::None);
        let ours = "Authentication-Results: mx.cajica.gov.co; dkim=pass header.d=cajica.gov.co; dmarc=fail (p=reject) header.from=cajica.gov.co\r\n";
        let mail = mail_with(&format!("{ours}{forged}"));
        let auth = from_authentication_results(&mail, "MX.cajica.gov.co");
        assert_eq!(auth.verdict, Verdict::Fail);
        assert!(auth.detail.contains("dmarc=fail"), "{}", auth.detail);
    }

    #[test]
    fn an_aligned_dkim_pass_counts_without_a_dmarc_result() {
        let mail = mail_with(
            "Authentication-Results: mx.cajica.gov.co 1; dkim=pass (good signature) header.d=cajica.gov.co header.s=s1; spf=none\r\n",
        );
        assert_eq!(from_authentication_results(&mail, "mx.cajica.gov.co").verdict, Verdict::Pass);
        let other = mail_with("Authentication-Results: mx.cajica.gov.co; dkim=pass header.d=mailer.example\r\n");
        assert_eq!(from_authentication_results(&other, "mx.cajica.gov.co").verdict, Verdict::None);
        let temp = mail_with("Authentication-Results: mx.cajica.gov.co; dkim=temperror header.d=cajica.gov.co\r\n");
        assert_eq!(from_authentication_results(&temp, "mx.cajica.gov.co").verdict, Verdict::TempError);
        let spf =
            mail_with("Authentication-Results: mx.cajica.gov.co; spf=pass smtp.mailfrom=bounce@mail.cajica.gov.co\r\n");
        assert_eq!(from_authentication_results(&spf, "mx.cajica.gov.co").verdict, Verdict::Pass);
    }

    #[test]
    fn alignment_is_the_domain_or_one_inside_it() {
        assert!(aligned("cajica.gov.co", "CAJICA.gov.co."));
        assert!(aligned("mail.cajica.gov.co", "cajica.gov.co"));
        assert!(!aligned("notcajica.gov.co", "cajica.gov.co"));
        assert!(!aligned("", "cajica.gov.co"));
    }

    #[test]
    fn verdicts_round_trip_their_names() {
        for v in [Verdict::Pass, Verdict::Fail, Verdict::None, Verdict::TempError] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("softfail"), None);
    }
}
