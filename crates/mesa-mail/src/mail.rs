//! What a parsed message looks like to the rest of Mesa.
//!
//! Everything here is owned and decoded: UTF-8 text, lower-cased addresses,
//! normalised Message-IDs. The raw bytes are not kept here; the caller already has
//! them and stores them next to the ticket, so a wrong decision can be replayed.

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, FixedOffset};

use crate::message_id::MessageId;
use crate::quote::{QuoteSplit, split_quoted};
use crate::subject::is_forward;

/// One parsed message: the facts threading, loop protection and display need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedMail {
    /// `Message-ID`, normalised. `None` (with [`Defect::MissingMessageId`]) when
    /// absent or unusable; the caller then makes one up to store the message.
    pub message_id: Option<MessageId>,
    /// `In-Reply-To`, normalised, in header order.
    pub in_reply_to: Vec<MessageId>,
    /// `References`, normalised, in header order (oldest first, RFC 5322 §3.6.4).
    pub references: Vec<MessageId>,
    /// Decoded subject (RFC 2047 words joined), `""` when missing.
    pub subject: String,
    /// First address of `From`. `None` (with [`Defect::MissingFrom`]) when the
    /// header is absent or holds no usable address.
    pub from: Option<Mailbox>,
    /// `Sender`, when present (mail sent on behalf of someone else).
    pub sender: Option<Mailbox>,
    /// `Reply-To`: where answers must go instead of `From` (RFC 5322 §3.6.2).
    pub reply_to: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// `Date`, with the sender's offset. `None` when missing or unreadable (see
    /// `defects`); the caller uses the time of receipt instead.
    pub date: Option<DateTime<FixedOffset>>,
    /// Top-level media type, lower case, e.g. `multipart/report`.
    pub content_type: String,
    /// The whole body as plain text, quoted history included (fold it for display
    /// with [`ParsedMail::quote_split`]). Derived from the HTML when the mail has no
    /// text part. Line ends are `\n`.
    pub text: String,
    /// The HTML body, already sanitised (no scripts, styles, event handlers or
    /// `javascript:` links; `cid:` image sources kept). `None` for text-only mail.
    pub html: Option<String>,
    /// Every non-body part, inline images included.
    pub attachments: Vec<Attachment>,
    /// Messages attached as `message/rfc822` (forwards), parsed. Each one is also
    /// in `attachments` as the original `.eml` bytes.
    pub forwarded: Vec<ParsedMail>,
    /// The top-level header fields, raw (encoded words not decoded), unfolded.
    pub headers: Vec<HeaderField>,
    /// What was wrong with the message and how it was worked around. Not empty
    /// means "show the agent the raw message is worth a look", never "dropped".
    pub defects: Vec<Defect>,
}

impl ParsedMail {
    /// First value of a header field, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).next()
    }

    /// Every value of a header field, in order.
    pub fn header_all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.headers.iter().filter(move |h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }

    /// Whether the message has this defect.
    pub fn has_defect(&self, defect: Defect) -> bool {
        self.defects.contains(&defect)
    }

    /// Who wrote the message, for attributing it to a person: `From`, or `Sender`
    /// when `From` is unusable. Not `Reply-To`: that says where to answer, not who
    /// is speaking.
    pub fn author(&self) -> Option<&Mailbox> {
        self.from.as_ref().or(self.sender.as_ref())
    }

    /// Where an answer to this message goes: `Reply-To` when present, otherwise
    /// the author (RFC 5322 §3.6.2).
    pub fn reply_recipients(&self) -> Vec<&Mailbox> {
        if self.reply_to.is_empty() { self.author().into_iter().collect() } else { self.reply_to.iter().collect() }
    }

    /// The people copied on this message (`To` and `Cc`), without the help desk's
    /// own addresses, without the author and without duplicates: they become the
    /// ticket's participants, so a reply-all from any of them threads.
    pub fn participants<S: AsRef<str>>(&self, own_addresses: &[S]) -> Vec<&Mailbox> {
        let mut seen: HashSet<&str> = self.author().map(|m| m.address.as_str()).into_iter().collect();
        self.to
            .iter()
            .chain(&self.cc)
            .filter(|m| !is_own_address(&m.address, own_addresses) && seen.insert(&m.address))
            .collect()
    }

    /// Message-IDs this message answers, most specific first: `In-Reply-To`, then
    /// `References` newest to oldest (RFC 5322 §3.6.4 appends the parent last), no
    /// duplicates. Threading looks them up in this order.
    pub fn thread_references(&self) -> Vec<&MessageId> {
        let mut seen = HashSet::new();
        self.in_reply_to.iter().chain(self.references.iter().rev()).filter(|id| seen.insert(*id)).collect()
    }

    /// The body split into what the author wrote now and the quoted history, for
    /// folding the history in the ticket view. A forward (`RV:`, `Fwd:` outermost)
    /// is never split: what it carries is the request.
    pub fn quote_split(&self) -> QuoteSplit<'_> {
        if is_forward(&self.subject) {
            return QuoteSplit { new_text: self.text.trim_end(), quoted: "" };
        }
        split_quoted(&self.text)
    }
}

/// Whether `address` is one of `own` (case-insensitive).
pub(crate) fn is_own_address<S: AsRef<str>>(address: &str, own: &[S]) -> bool {
    own.iter().any(|o| o.as_ref().trim().eq_ignore_ascii_case(address))
}

/// A person's address with their display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Decoded display name, if any.
    pub name: Option<String>,
    /// The address, lower-cased. RFC 5321 §2.4 lets the local part be
    /// case-sensitive, but no mail system a public office uses treats
    /// `Juan.Perez@` and `juan.perez@` as two people, and Mesa must not open two
    /// requester records for them.
    pub address: String,
}

impl Mailbox {
    /// Builds a mailbox if `address` looks like `local@domain`.
    pub fn new(name: Option<&str>, address: &str) -> Option<Self> {
        let address = address.trim().trim_matches(['<', '>']).trim();
        let (local, domain) = address.rsplit_once('@')?;
        if local.is_empty() || domain.is_empty() || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let name = name
            .map(|n| n.trim().trim_matches('"').trim())
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(address))
            .map(str::to_owned);
        Some(Self { name, address: address.to_lowercase() })
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

/// A non-body part: a file, an inline image, a forwarded message.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name from `Content-Disposition` or `Content-Type` (RFC 2231 and
    /// RFC 2047 decoded), reduced to its last path segment and stripped of control
    /// characters so it can never name a path. `None` when the sender gave none.
    pub filename: Option<String>,
    /// Media type, lower case, without parameters, e.g. `application/pdf`.
    pub content_type: String,
    /// `Content-ID` without angle brackets (RFC 2392), the key `cid:` URLs use.
    pub content_id: Option<String>,
    /// True when the HTML body shows this part through a `cid:` reference, so the
    /// ticket view draws it in the body rather than in the attachment list. A part
    /// marked `inline` that no HTML references stays false: hiding it would lose it.
    pub inline: bool,
    /// The decoded content (transfer encoding removed, charset untouched).
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Attachment {
    // Bytes can be megabytes: print their length, not their content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("content_id", &self.content_id)
            .field("inline", &self.inline)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A raw header field: name as written, value unfolded and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    pub name: String,
    pub value: String,
}

/// Something wrong with a message that parsing worked around. The message is
/// still usable; the defect tells an agent why it may look odd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Defect {
    /// No usable `Message-ID`.
    MissingMessageId,
    /// No usable `From` address.
    MissingFrom,
    /// No `Date` header.
    MissingDate,
    /// A `Date` that does not read as an RFC 5322 date.
    MalformedDate,
    /// A header line with no colon or an invalid field name; it was skipped.
    MalformedHeaderLine,
    /// Raw 8-bit bytes in the header that are not UTF-8 (RFC 6532 allows only
    /// UTF-8); read as Windows-1252, the usual culprit.
    EightBitHeader,
    /// 8-bit text part with no declared charset that is not UTF-8; read as
    /// Windows-1252.
    UndeclaredCharset,
    /// A multipart whose closing boundary never comes (RFC 2046 §5.1.1); the
    /// parts found were kept.
    UnterminatedMultipart,
    /// A part whose transfer encoding or structure could not be decoded; kept as
    /// raw text.
    UndecodablePart,
    /// Forwarded messages nested too deep; the deeper ones are kept as opaque
    /// attachments.
    NestingTooDeep,
    /// HTML nested too deep to parse safely; shown as its plain text.
    HtmlTooDeep,
}

impl Defect {
    /// Stable snake_case name, for logs, storage and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingMessageId => "missing_message_id",
            Self::MissingFrom => "missing_from",
            Self::MissingDate => "missing_date",
            Self::MalformedDate => "malformed_date",
            Self::MalformedHeaderLine => "malformed_header_line",
            Self::EightBitHeader => "eight_bit_header",
            Self::UndeclaredCharset => "undeclared_charset",
            Self::UnterminatedMultipart => "unterminated_multipart",
            Self::UndecodablePart => "undecodable_part",
            Self::NestingTooDeep => "nesting_too_deep",
            Self::HtmlTooDeep => "html_too_deep",
        }
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(name: Option<&str>, address: &str) -> Mailbox {
        Mailbox::new(name, address).unwrap()
    }

    #[test]
    fn mailbox_lowercases_and_rejects_non_addresses() {
        let m = mb(Some(" \"Juan Pérez\" "), "<Juan.Perez@VillaEsperanza.gov.co>");
        assert_eq!(m.address, "juan.perez@villaesperanza.gov.co");
        assert_eq!(m.name.as_deref(), Some("Juan Pérez"));
        assert_eq!(m.to_string(), "Juan Pérez <juan.perez@villaesperanza.gov.co>");
        assert_eq!(Mailbox::new(None, "undisclosed-recipients"), None);
        assert_eq!(Mailbox::new(None, "@x.org"), None);
        assert_eq!(Mailbox::new(None, "a b@x.org"), None);
    }

    #[test]
    fn reply_goes_to_reply_to_then_author() {
        let mut mail = ParsedMail { from: Some(mb(None, "a@x.org")), ..Default::default() };
        assert_eq!(mail.reply_recipients(), [&mb(None, "a@x.org")]);
        mail.reply_to = vec![mb(None, "b@x.org")];
        assert_eq!(mail.reply_recipients(), [&mb(None, "b@x.org")]);
    }

    #[test]
    fn participants_skip_author_own_addresses_and_duplicates() {
        let mail = ParsedMail {
            from: Some(mb(None, "a@x.org")),
            to: vec![mb(None, "soporte@x.org"), mb(None, "b@x.org")],
            cc: vec![mb(None, "A@x.org"), mb(None, "c@x.org"), mb(None, "b@x.org")],
            ..Default::default()
        };
        let got: Vec<_> = mail.participants(&["SOPORTE@x.org"]).iter().map(|m| m.address.as_str()).collect();
        assert_eq!(got, ["b@x.org", "c@x.org"]);
    }

    #[test]
    fn thread_references_put_in_reply_to_first_then_newest_reference() {
        let id = |s| MessageId::parse(s).unwrap();
        let mail = ParsedMail {
            in_reply_to: vec![id("<c@x>")],
            references: vec![id("<a@x>"), id("<b@x>"), id("<c@x>")],
            ..Default::default()
        };
        let got: Vec<_> = mail.thread_references().iter().map(|m| m.as_str()).collect();
        assert_eq!(got, ["c@x", "b@x", "a@x"]);
    }
}
