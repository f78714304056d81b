//! Message-IDs: normalising the ones we receive and signing the ones we send.
//!
//! Threading trusts a reply because it names a Message-ID that Mesa knows. For the
//! IDs Mesa sends, that trust must not rest on a database lookup alone: anyone can
//! write `In-Reply-To: <mesa.123…@…>` to slip a message into ticket 123. So Mesa
//! signs its own IDs with an HMAC of the ticket number, and [`MessageIdSigner::verify`]
//! recognises a forged one without touching storage.

use std::collections::HashSet;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A Message-ID in the form Mesa stores and compares: no angle brackets, no
/// surrounding whitespace or comments, the domain (right of the last `@`) in lower
/// case and the left part exactly as received.
///
/// Why not lower-case it all: RFC 5322 §3.6.4 gives no rule to compare msg-ids other
/// than as the same string, and generators (Exchange among them) use mixed-case
/// base64-like left parts where `AbC` and `abc` are different messages. The domain is
/// a DNS name (case-insensitive per RFC 1035 §2.3.3), and some relays rewrite its
/// case, so folding that half costs nothing and avoids a missed match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

impl MessageId {
    /// Longest ID kept; RFC 5322 §2.1.1 caps a line at 998 octets, so anything
    /// longer is junk and would only bloat the index it is stored in.
    pub const MAX_LEN: usize = 998;

    /// Normalises one ID as found in a header (`<id>`, `id`, ` <id> (comment)`).
    /// Returns `None` for an empty, over-long or space-containing value.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let inner = match (raw.find('<'), raw.find('>')) {
            (Some(open), Some(close)) if open < close => &raw[open + 1..close],
            _ => raw.split(['(', ' ', '\t']).next().unwrap_or_default(),
        };
        let inner = inner.trim();
        if inner.is_empty()
            || inner.len() > Self::MAX_LEN
            || inner.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<')
        {
            return None;
        }
        let normalised = match inner.rfind('@') {
            Some(at) => format!("{}@{}", &inner[..at], inner[at + 1..].to_ascii_lowercase()),
            None => inner.to_owned(),
        };
        Some(Self(normalised))
    }

    /// All IDs in an `In-Reply-To` or `References` value, in header order, without
    /// duplicates. Takes every `<…>` group; when there is none (broken clients write
    /// bare IDs) it falls back to whitespace-separated words that contain an `@`.
    pub fn parse_list(raw: &str) -> Vec<Self> {
        let mut ids: Vec<Self> = Vec::new();
        let mut seen: HashSet<Self> = HashSet::new();
        let mut push = |id: Option<Self>| {
            if let Some(id) = id
                && seen.insert(id.clone())
            {
                ids.push(id);
            }
        };
        if raw.contains('<') {
            let mut rest = raw;
            while let Some(open) = rest.find('<') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('>') else { break };
                push(Self::parse(&after[..close]));
                rest = &after[close + 1..];
            }
        } else {
            for word in raw.split_whitespace().filter(|w| w.contains('@')) {
                push(Self::parse(word));
            }
        }
        ids
    }

    /// The normalised ID, without angle brackets.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ID as written in a header: `<id>`.
    pub fn to_header(&self) -> String {
        format!("<{}>", self.0)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for MessageId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a [`MessageIdSigner`] could not be built: both are configuration mistakes
/// that would otherwise surface only as forged replies being accepted or every
/// reply failing to thread.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    #[error("the Message-ID signing key must be at least {min} bytes, got {got}")]
    KeyTooShort { min: usize, got: usize },
    #[error("invalid Message-ID domain {0:?}: expected a bare host name such as mesa.example.gov.co")]
    InvalidDomain(String),
}

/// Signs and verifies the Message-IDs of the mail Mesa sends.
///
/// The ID is `<mesa.{ticket}.{unique:x}.{mac}@{domain}>`, where `mac` is the first
/// 16 bytes (32 hex digits) of HMAC-SHA-256 over `mesa.{ticket}.{unique:x}@{domain}`.
/// 128 bits is half the hash output, the truncation floor RFC 2104 §5 recommends.
/// The ticket number sits in clear text so the ID can be read in a log; the MAC is
/// what makes it trustworthy.
#[derive(Clone)]
pub struct MessageIdSigner {
    key: Vec<u8>,
    domain: String,
}

impl fmt::Debug for MessageIdSigner {
    // The key is a secret: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageIdSigner").field("domain", &self.domain).field("key", &"<redacted>").finish()
    }
}

const LOCAL_PREFIX: &str = "mesa";
const MAC_BYTES: usize = 16;

impl MessageIdSigner {
    /// Shortest key accepted. 32 random bytes is what the configuration should hold;
    /// 16 is the floor below which brute force starts to look cheap.
    pub const MIN_KEY_LEN: usize = 16;

    /// `key`: a secret of at least [`Self::MIN_KEY_LEN`] random bytes, the same on
    /// every server process. `domain`: the right-hand side of the IDs, normally the
    /// help desk's mail domain.
    pub fn new(key: &[u8], domain: &str) -> Result<Self, SignerError> {
        if key.len() < Self::MIN_KEY_LEN {
            return Err(SignerError::KeyTooShort { min: Self::MIN_KEY_LEN, got: key.len() });
        }
        let domain = domain.trim();
        let valid = !domain.is_empty()
            && domain.len() <= 253
            && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !domain.starts_with('.')
            && !domain.ends_with('.');
        if !valid {
            return Err(SignerError::InvalidDomain(domain.to_owned()));
        }
        Ok(Self { key: key.to_vec(), domain: domain.to_ascii_lowercase() })
    }

    /// The domain the IDs are issued under.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// A new Message-ID for a mail about `ticket_number`, ready for the header
    /// (with angle brackets). `unique` must differ between two mails of the same
    /// ticket (a sequence or random number): RFC 5322 §3.6.4 wants IDs unique.
    pub fn new_id(&self, ticket_number: i64, unique: u64) -> String {
        let body = format!("{LOCAL_PREFIX}.{ticket_number}.{unique:x}");
        let mac = self.mac(&body);
        format!("<{body}.{}@{}>", hex(&mac[..MAC_BYTES]), self.domain)
    }

    /// The ticket number of an ID this signer issued, or `None` if the ID is not
    /// ours or its MAC does not match (forged or altered). Accepts the ID with or
    /// without brackets. The MAC is compared in constant time.
    pub fn verify(&self, id: &str) -> Option<i64> {
        let id = MessageId::parse(id)?;
        let (local, domain) = id.as_str().rsplit_once('@')?;
        if domain != self.domain {
            return None;
        }
        let (body, mac_hex) = local.rsplit_once('.')?;
        let mut fields = body.split('.');
        let (Some(LOCAL_PREFIX), Some(number_field), Some(unique), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        let number: i64 = number_field.parse().ok()?;
        // Re-render the number so that "0123" or "+123" cannot pass as 123.
        if number.to_string() != number_field || u64::from_str_radix(unique, 16).is_err() {
            return None;
        }
        let tag = unhex(mac_hex)?;
        if tag.len() != MAC_BYTES {
            return None;
        }
        let mut mac = self.hmac();
        mac.update(format!("{body}@{domain}").as_bytes());
        mac.verify_truncated_left(&tag).ok()?;
        Some(number)
    }

    /// Whether `id` has the shape of an ID this signer issues (our prefix, our
    /// domain), whatever its MAC. Threading uses it to drop forged look-alikes
    /// instead of looking them up in storage.
    pub fn looks_like_ours(&self, id: &MessageId) -> bool {
        id.as_str()
            .rsplit_once('@')
            .is_some_and(|(local, domain)| domain == self.domain && local.starts_with(&format!("{LOCAL_PREFIX}.")))
    }

    fn hmac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts any key length")
    }

    fn mac(&self, body: &str) -> Vec<u8> {
        let mut mac = self.hmac();
        mac.update(format!("{body}@{}", self.domain).as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key a received message is stored under, so that receiving it again
/// (an MTA retry, an IMAP message seen twice) is recognised: `id:<Message-ID>`,
/// or `sha256:<hex>` of the bytes when it has none. Reads only the header
/// block, line by line, so it works on bytes [`crate::parse`] would refuse.
pub fn storage_key(raw: &[u8]) -> String {
    use sha2::Digest;
    let header_end = find_header_end(raw);
    let mut value: Option<String> = None;
    let mut in_message_id = false;
    for line in raw[..header_end].split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if in_message_id && let Some(v) = value.as_mut() {
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        in_message_id = false;
        if let Some((name, rest)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("message-id")
        {
            in_message_id = true;
            value = Some(rest.trim().to_owned());
        }
    }
    match value.as_deref().and_then(MessageId::parse) {
        Some(id) => format!("id:{}", id.as_str()),
        None => format!("sha256:{}", hex(&Sha256::digest(raw))),
    }
}

/// What a message says, hashed: `sha256:<hex>` of its header fields and body,
/// without the trace fields each hop adds (`Received`, `Return-Path`,
/// `Delivered-To`, `X-Original-To`, `Authentication-Results`, `Received-SPF`,
/// `ARC-*`). The same message delivered twice hashes the same; a different
/// message that reuses a Message-ID does not. Line ends are normalised.
pub fn content_hash(raw: &[u8]) -> String {
    use sha2::Digest;
    const TRACE: [&str; 6] =
        ["received", "return-path", "delivered-to", "x-original-to", "authentication-results", "received-spf"];
    let header_end = find_header_end(raw);
    let mut hasher = Sha256::new();
    let mut skipping = false;
    for line in raw[..header_end].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            let name = line.split(|b| *b == b':').next().unwrap_or_default();
            let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
            skipping = TRACE.contains(&name.as_str()) || name.starts_with("arc-");
        }
        if !skipping {
            hasher.update(line);
            hasher.update(b"\n");
        }
    }
    hasher.update(b"\n");
    for line in raw[header_end..].split(|b| *b == b'\n') {
        hasher.update(line.strip_suffix(b"\r").unwrap_or(line));
        hasher.update(b"\n");
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// Where the header block ends (the first empty line), or the whole input.
fn find_header_end(raw: &[u8]) -> usize {
    let mut start = 0;
    for (i, b) in raw.iter().enumerate() {
        if *b == b'\n' {
            let line = &raw[start..i];
            if line.is_empty() || line == b"\r" {
                return start;
            }
            start = i + 1;
        }
    }
    raw.len()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_ignore_trace_fields_but_not_what_the_message_says() {
        let one = b"Received: from a by b\r\n\tid 1\r\nFrom: a@b.co\r\nMessage-ID: <x@y>\r\n\r\nHola\r\n";
        let relayed =
            b"Received: from c by d\r\nDelivered-To: s@b.co\r\nFrom: a@b.co\r\nMessage-ID: <x@y>\r\n\r\nHola\n";
        let other = b"From: a@b.co\r\nMessage-ID: <x@y>\r\n\r\nAdios\r\n";
        assert_eq!(content_hash(one), content_hash(relayed));
        assert_ne!(content_hash(one), content_hash(other));
    }

    #[test]
    fn storage_keys_use_the_message_id_or_the_bytes() {
        let with_id =
            b"From: a@b.co\r\nMessage-ID:\r\n <ABC@Example.COM>\r\nSubject: x\r\n\r\nMessage-ID: <body@x>\r\n";
        assert_eq!(storage_key(with_id), "id:ABC@example.com");
        let without = b"From: a@b.co\r\nSubject: x\r\n\r\nMessage-ID: <body@x>\r\n";
        let key = storage_key(without);
        assert!(key.starts_with("sha256:") && key.len() == 7 + 64, "{key}");
        assert_ne!(storage_key(b"other"), key);
        assert!(storage_key(b"").starts_with("sha256:"));
    }

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn signer() -> MessageIdSigner {
        MessageIdSigner::new(KEY, "Mesa.VillaEsperanza.gov.co").unwrap()
    }

    #[test]
    fn parse_strips_brackets_and_comments_and_lowercases_only_the_domain() {
        let id = MessageId::parse("  <CAFx9Zk+AbC@Mail.Gmail.COM> (Juan's message)").unwrap();
        assert_eq!(id.as_str(), "CAFx9Zk+AbC@mail.gmail.com");
        assert_eq!(id.to_header(), "<CAFx9Zk+AbC@mail.gmail.com>");
        assert_eq!(MessageId::parse("bare@Example.ORG").unwrap().as_str(), "bare@example.org");
    }

    #[test]
    fn parse_rejects_empty_and_junk() {
        assert_eq!(MessageId::parse("<>"), None);
        assert_eq!(MessageId::parse("   "), None);
        assert_eq!(MessageId::parse(&format!("<{}@x>", "a".repeat(2000))), None);
    }

    #[test]
    fn parse_list_keeps_order_and_drops_duplicates() {
        let ids = MessageId::parse_list("<a@X.org>\r\n <b@y.org> <a@x.org>\t<c@z.org> trailing");
        let ids: Vec<_> = ids.iter().map(MessageId::as_str).collect();
        assert_eq!(ids, ["a@x.org", "b@y.org", "c@z.org"]);
        let bare = MessageId::parse_list("one@x.org two@y.org notanid");
        assert_eq!(bare.len(), 2);
    }

    #[test]
    fn a_signed_id_verifies_to_its_ticket_number() {
        let s = signer();
        let id = s.new_id(123, 0xdead_beef);
        assert!(id.starts_with("<mesa.123.deadbeef."), "{id}");
        assert!(id.ends_with("@mesa.villaesperanza.gov.co>"), "{id}");
        assert_eq!(s.verify(&id), Some(123));
        assert_eq!(s.verify(id.trim_matches(['<', '>'])), Some(123));
    }

    #[test]
    fn verification_survives_a_relay_that_upper_cases_the_mac_or_domain() {
        let s = signer();
        let id = s.new_id(7, 1);
        let (local, domain) = id.trim_matches(['<', '>']).rsplit_once('@').unwrap();
        let (body, mac) = local.rsplit_once('.').unwrap();
        let shouted = format!("<{body}.{}@{}>", mac.to_uppercase(), domain.to_uppercase());
        assert_eq!(s.verify(&shouted), Some(7));
    }

    #[test]
    fn a_forged_or_altered_id_is_refused() {
        let s = signer();
        let id = s.new_id(123, 42);
        // Same MAC, other ticket number.
        assert_eq!(s.verify(&id.replace("mesa.123.", "mesa.124.")), None);
        // Leading zero must not alias the same number.
        assert_eq!(s.verify(&id.replace("mesa.123.", "mesa.0123.")), None);
        // One MAC digit changed.
        let mut bad = id.clone();
        let pos = bad.find('@').unwrap() - 1;
        let last = if bad.as_bytes()[pos] == b'0' { "1" } else { "0" };
        bad.replace_range(pos..pos + 1, last);
        assert_eq!(s.verify(&bad), None);
        // Made-up MAC, truncated MAC, other domain, other key.
        assert_eq!(s.verify("<mesa.123.2a.00000000000000000000000000000000@mesa.villaesperanza.gov.co>"), None);
        assert_eq!(s.verify("<mesa.123.2a.abcd@mesa.villaesperanza.gov.co>"), None);
        assert_eq!(s.verify(&id.replace("villaesperanza", "otra")), None);
        let other = MessageIdSigner::new(b"another-secret-key-of-32-bytes!!", "mesa.villaesperanza.gov.co").unwrap();
        assert_eq!(other.verify(&id), None);
        assert_eq!(s.verify("<CAFx9Zk@mail.gmail.com>"), None);
    }

    #[test]
    fn looks_like_ours_flags_look_alikes_whatever_their_mac() {
        let s = signer();
        let forged = MessageId::parse("<mesa.9.1.ffff@mesa.villaesperanza.gov.co>").unwrap();
        assert!(s.looks_like_ours(&forged));
        assert_eq!(s.verify(forged.as_str()), None);
        assert!(!s.looks_like_ours(&MessageId::parse("<mesa.9.1.ffff@gmail.com>").unwrap()));
    }

    #[test]
    fn a_weak_key_or_bad_domain_is_a_configuration_error() {
        assert_eq!(MessageIdSigner::new(b"short", "x.org").unwrap_err(), SignerError::KeyTooShort { min: 16, got: 5 });
        assert!(matches!(MessageIdSigner::new(KEY, "a@b"), Err(SignerError::InvalidDomain(_))));
        assert!(matches!(MessageIdSigner::new(KEY, ""), Err(SignerError::InvalidDomain(_))));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let shown = format!("{:?}", signer());
        assert!(!shown.contains("0123456789"), "{shown}");
    }
}
