//! From raw bytes to a [`ParsedMail`], without ever panicking or losing a message.
//!
//! MIME decoding (RFC 2045–2049: transfer encodings, charsets, RFC 2047 encoded
//! words, RFC 2231 parameters, multipart structure) is mail-parser's job. This
//! module wraps it so that:
//! - whatever the bytes, [`parse`] returns: either a [`ParsedMail`] whose
//!   `defects` say what was worked around, or [`Unparseable`] when there is no
//!   message to speak of. Either way the caller stores the raw bytes, so nothing
//!   is lost (PRODUCT.md §4: "a message that cannot be parsed is kept");
//! - a panic inside the parser (a bug on some input nobody foresaw) becomes an
//!   `Unparseable`, not a crashed mail worker retrying the same message forever;
//! - the result is owned, decoded and sanitised: no borrowed buffers, no unsafe
//!   HTML.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, FixedOffset, NaiveDate};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Address, Encoding, HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::html::{escape, html_to_text, is_too_deep, sanitize};
use crate::mail::{Attachment, Defect, HeaderField, Mailbox, ParsedMail};
use crate::message_id::MessageId;
use crate::params::rfc2231_param;
use crate::repair::repair;

/// Forwarded messages are parsed this many levels down; deeper ones stay
/// attachments. Each level holds its own copy of the bytes below it, so the depth
/// bounds memory to a small multiple of the message size.
const MAX_FORWARD_DEPTH: usize = 3;

/// Why a message could not be parsed at all. The caller keeps the raw bytes and
/// flags the message for an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unparseable message: {reason}")]
pub struct Unparseable {
    pub reason: UnparseableReason,
}

/// See [`Unparseable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnparseableReason {
    /// No bytes, or only white space.
    Empty,
    /// Nothing that reads as an RFC 5322 header (binary junk, a stray file).
    NoHeaders,
    /// The MIME parser failed on this input. A bug to report, with the raw message.
    ParserFailure,
}

impl UnparseableReason {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NoHeaders => "no_headers",
            Self::ParserFailure => "parser_failure",
        }
    }
}

impl fmt::Display for UnparseableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<UnparseableReason> for Unparseable {
    fn from(reason: UnparseableReason) -> Self {
        Self { reason }
    }
}

/// Parses one raw RFC 5322 message. Never panics; see the module documentation.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, Unparseable> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(UnparseableReason::Empty.into());
    }
    // The closure only reads `raw` and builds owned values, so a panic halfway
    // leaves nothing inconsistent behind.
    catch_unwind(AssertUnwindSafe(|| parse_repaired(raw))).unwrap_or(Err(UnparseableReason::ParserFailure.into()))
}

fn parse_repaired(raw: &[u8]) -> Result<ParsedMail, Unparseable> {
    let (bytes, mut defects) = repair(raw);
    let message = MessageParser::default().parse(bytes.as_ref()).ok_or(UnparseableReason::NoHeaders)?;
    if !has_a_known_header(&message) {
        return Err(UnparseableReason::NoHeaders.into());
    }
    let mut mail = convert(&message, 0);
    defects.append(&mut mail.defects);
    mail.defects = defects;
    Ok(mail)
}

/// Whether the top-level header holds any field a mail message has. Random bytes
/// that happen to contain a colon do not.
fn has_a_known_header(message: &Message<'_>) -> bool {
    message.parts.first().is_some_and(|root| {
        root.headers.iter().any(|h| {
            matches!(
                h.name,
                HeaderName::From
                    | HeaderName::Sender
                    | HeaderName::To
                    | HeaderName::Cc
                    | HeaderName::Subject
                    | HeaderName::Date
                    | HeaderName::MessageId
                    | HeaderName::Received
                    | HeaderName::ReturnPath
                    | HeaderName::MimeVersion
                    | HeaderName::ContentType
                    | HeaderName::ReplyTo
                    | HeaderName::InReplyTo
                    | HeaderName::References
                    | HeaderName::DeliveredTo
            )
        })
    })
}

/// Builds the owned view of one message (the top one or a forwarded one).
fn convert(message: &Message<'_>, depth: usize) -> ParsedMail {
    let Some(root) = message.parts.first() else {
        return ParsedMail::default();
    };
    let mut defects = Vec::new();
    let headers = raw_headers(message, root);
    let (message_id, in_reply_to, references) = threading_ids(&headers, &mut defects);
    let from = mailboxes(message.from()).into_iter().next();
    if from.is_none() {
        defects.push(Defect::MissingFrom);
    }
    let date = read_date(message, root, &mut defects);
    let (text, html, cid_haystack) = read_bodies(message, &mut defects);
    let (attachments, forwarded) = read_attachments(message, depth, &cid_haystack);
    structural_defects(message, &mut defects);

    ParsedMail {
        message_id,
        in_reply_to,
        references,
        subject: message.subject().map(clean_header_text).unwrap_or_default(),
        from,
        sender: mailboxes(message.sender()).into_iter().next(),
        reply_to: mailboxes(message.reply_to()),
        to: message.all_to().flat_map(|a| mailboxes(Some(a))).collect(),
        cc: message.all_cc().flat_map(|a| mailboxes(Some(a))).collect(),
        date,
        content_type: media_type(root).unwrap_or_else(|| "text/plain".into()),
        text,
        html,
        attachments,
        forwarded,
        headers,
        defects,
    }
}

/// `Message-ID`, `In-Reply-To` and `References`, read from the raw fields: the
/// parser's own reading drops IDs written without angle brackets.
fn threading_ids(
    headers: &[HeaderField],
    defects: &mut Vec<Defect>,
) -> (Option<MessageId>, Vec<MessageId>, Vec<MessageId>) {
    let values = |name: &'static str| {
        headers.iter().filter(move |h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    };
    let message_id = values("Message-ID").next().and_then(MessageId::parse);
    if message_id.is_none() {
        defects.push(Defect::MissingMessageId);
    }
    let id_list = |name| {
        let mut seen = HashSet::new();
        values(name).flat_map(MessageId::parse_list).filter(|id| seen.insert(id.clone())).collect::<Vec<_>>()
    };
    (message_id, id_list("In-Reply-To"), id_list("References"))
}

fn read_date(
    message: &Message<'_>,
    root: &MessagePart<'_>,
    defects: &mut Vec<Defect>,
) -> Option<DateTime<FixedOffset>> {
    if !root.headers.iter().any(|h| h.name == HeaderName::Date) {
        defects.push(Defect::MissingDate);
        return None;
    }
    let date = message.date().and_then(to_chrono);
    if date.is_none() {
        defects.push(Defect::MalformedDate);
    }
    date
}

/// The text body, the sanitised HTML body, and the raw HTML lower-cased (to find
/// which `cid:` images it shows). Each HTML part is sanitised once, whether it
/// feeds the HTML, the text, or both (HTML-only mail).
fn read_bodies(message: &Message<'_>, defects: &mut Vec<Defect>) -> (String, Option<String>, String) {
    let mut sanitized: HashMap<u32, String> = HashMap::new();
    let mut sanitize_part =
        |id: u32, html: &str| -> String { sanitized.entry(id).or_insert_with(|| sanitize(html)).clone() };
    let raw_html: Vec<&str> = message
        .html_body
        .iter()
        .filter_map(|&id| match &message.parts.get(id as usize)?.body {
            PartType::Html(html) => Some(html.as_ref()),
            _ => None,
        })
        .collect();
    if raw_html.iter().any(|h| is_too_deep(h)) {
        defects.push(Defect::HtmlTooDeep);
    }

    let mut text = Body::default();
    for &id in &message.text_body {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(t) => text.push_text(&fix_undeclared_charset(message, part, t, defects)),
            PartType::Html(h) => text.push_text(&html_to_text(&sanitize_part(id, h))),
            _ => {}
        }
    }

    let html = (!raw_html.is_empty()).then(|| {
        let mut joined = String::new();
        for &id in &message.html_body {
            match message.parts.get(id as usize).map(|p| &p.body) {
                Some(PartType::Html(h)) => joined.push_str(&sanitize_part(id, h)),
                // A text part between HTML parts (Apple Mail does this).
                Some(PartType::Text(t)) => {
                    joined.push_str("<pre>");
                    joined.push_str(&escape(t));
                    joined.push_str("</pre>");
                }
                _ => {}
            }
        }
        joined
    });
    (text.finish(), html, raw_html.concat().to_ascii_lowercase())
}

/// Non-body parts, and the forwarded messages among them parsed.
fn read_attachments(message: &Message<'_>, depth: usize, cid_haystack: &str) -> (Vec<Attachment>, Vec<ParsedMail>) {
    let mut attachments = Vec::new();
    let mut forwarded = Vec::new();
    for &id in &message.attachments {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        if let PartType::Message(nested) = &part.body {
            if depth < MAX_FORWARD_DEPTH {
                forwarded.push(convert(nested, depth + 1));
            }
        } else if is_blank_unnamed_text(part) {
            continue;
        }
        attachments.push(attachment(message, part, cid_haystack));
    }
    (attachments, forwarded)
}

/// Damage in the MIME structure the parser recovered from.
fn structural_defects(message: &Message<'_>, defects: &mut Vec<Defect>) {
    let has_multipart = message.parts.iter().any(|p| matches!(p.body, PartType::Multipart(_)));
    let closed = if has_multipart { closed_boundaries(&message.raw_message) } else { HashSet::new() };
    let undecodable = message.parts.iter().any(|p| p.is_encoding_problem && p.offset_end > p.offset_body);
    if message.parts.iter().any(|p| is_unterminated_multipart(p, &closed)) {
        defects.push(Defect::UnterminatedMultipart);
    }
    if undecodable {
        defects.push(Defect::UndecodablePart);
    }
}

/// The top-level fields as written: name, value unfolded (RFC 5322 §2.2.3).
fn raw_headers(message: &Message<'_>, root: &MessagePart<'_>) -> Vec<HeaderField> {
    root.headers
        .iter()
        .map(|h| {
            let raw = message.raw_message.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default();
            let value = String::from_utf8_lossy(raw);
            let unfolded: String = value.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
            HeaderField { name: h.name.as_str().to_owned(), value: unfolded.trim().to_owned() }
        })
        .collect()
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| Mailbox::new(a.name.as_deref().map(clean_header_text).as_deref(), a.address.as_deref()?))
        .collect()
}

/// Folded or encoded header text can carry line breaks and runs of spaces.
fn clean_header_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn to_chrono(d: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    if !d.is_valid() {
        return None;
    }
    let offset_secs =
        (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60) * if d.tz_before_gmt { -1 } else { 1 };
    let offset = FixedOffset::east_opt(offset_secs)?;
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?
        .and_hms_opt(u32::from(d.hour), u32::from(d.minute), u32::from(d.second))?
        .and_local_timezone(offset)
        .single()
}

/// `type/subtype`, lower case, no parameters.
fn media_type(part: &MessagePart<'_>) -> Option<String> {
    let ct = part.content_type()?;
    let subtype = ct.subtype().unwrap_or("octet-stream");
    Some(format!("{}/{}", ct.ctype(), subtype).to_ascii_lowercase())
}

/// A text part that declares no charset and decoded to replacement characters was
/// most likely written in Windows-1252/ISO-8859-1 by an old client: read it so.
fn fix_undeclared_charset<'a>(
    message: &Message<'_>,
    part: &MessagePart<'_>,
    text: &'a str,
    defects: &mut Vec<Defect>,
) -> Cow<'a, str> {
    let declared = part.content_type().is_some_and(|ct| ct.attribute("charset").is_some());
    if declared || !text.contains('\u{FFFD}') {
        return Cow::Borrowed(text);
    }
    match transfer_decoded(message, part) {
        Some(bytes) if std::str::from_utf8(&bytes).is_err() => {
            if !defects.contains(&Defect::UndeclaredCharset) {
                defects.push(Defect::UndeclaredCharset);
            }
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
            Cow::Owned(decoded.into_owned())
        }
        _ => Cow::Borrowed(text),
    }
}

/// The part's body with its transfer encoding removed but its charset untouched.
fn transfer_decoded(message: &Message<'_>, part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let raw = message.raw_message.get(part.offset_body as usize..part.offset_end as usize)?;
    match part.encoding {
        Encoding::None => Some(raw.to_vec()),
        Encoding::QuotedPrintable => quoted_printable_decode(raw),
        Encoding::Base64 => base64_decode(raw),
    }
}

fn attachment(message: &Message<'_>, part: &MessagePart<'_>, cid_haystack: &str) -> Attachment {
    let bytes = match &part.body {
        // Text was converted to UTF-8 by the parser; an attachment must be
        // returned as sent (a CSV in Latin-1 stays Latin-1).
        PartType::Text(_) | PartType::Html(_) => {
            transfer_decoded(message, part).unwrap_or_else(|| part.contents().to_vec())
        }
        _ => part.contents().to_vec(),
    };
    let content_id =
        part.content_id().map(|id| id.trim().trim_matches(['<', '>']).trim().to_owned()).filter(|id| !id.is_empty());
    let inline =
        content_id.as_deref().is_some_and(|id| cid_haystack.contains(&format!("cid:{}", id.to_ascii_lowercase())));
    let default_type = match part.body {
        PartType::Message(_) => "message/rfc822",
        PartType::Text(_) => "text/plain",
        PartType::Html(_) => "text/html",
        _ => "application/octet-stream",
    };
    let filename = raw_part_header(message, part, &HeaderName::ContentDisposition)
        .and_then(|v| rfc2231_param(&v, "filename"))
        .or_else(|| raw_part_header(message, part, &HeaderName::ContentType).and_then(|v| rfc2231_param(&v, "name")))
        .or_else(|| part.attachment_name().map(str::to_owned));
    Attachment {
        filename: filename.as_deref().and_then(safe_filename),
        content_type: media_type(part).unwrap_or_else(|| default_type.into()),
        content_id,
        inline,
        bytes,
    }
}

/// A part's header field as written (for re-reading what the MIME parser got wrong).
fn raw_part_header(message: &Message<'_>, part: &MessagePart<'_>, name: &HeaderName<'_>) -> Option<String> {
    let header = part.headers.iter().find(|h| &h.name == name)?;
    let raw = message.raw_message.get(header.offset_start as usize..header.offset_end as usize)?;
    Some(String::from_utf8_lossy(raw).into_owned())
}

/// The last path segment, without control characters; `None` if nothing is left.
/// The name is shown and offered for download, never used as a path, but a name
/// like `..\..\boot.ini` should not even look like one.
fn safe_filename(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    (!cleaned.is_empty()).then(|| cleaned.to_owned())
}

/// Empty text parts without a name (clients add them between attachments) are
/// noise, not attachments.
fn is_blank_unnamed_text(part: &MessagePart<'_>) -> bool {
    matches!(&part.body, PartType::Text(t) if t.trim().is_empty()) && part.attachment_name().is_none()
}

/// Boundaries whose closing delimiter line (`--boundary--`, RFC 2046 §5.1.1)
/// appears in the message, collected in one pass so checking every multipart
/// stays linear however deep the nesting.
fn closed_boundaries(raw: &[u8]) -> HashSet<&[u8]> {
    raw.split(|&b| b == b'\n')
        .filter_map(|line| {
            let line = line.trim_ascii_end();
            line.strip_prefix(b"--")?.strip_suffix(b"--")
        })
        .collect()
}

/// A multipart whose closing delimiter never appears.
fn is_unterminated_multipart(part: &MessagePart<'_>, closed: &HashSet<&[u8]>) -> bool {
    if !matches!(part.body, PartType::Multipart(_)) {
        return false;
    }
    part.content_type()
        .and_then(|ct| ct.attribute("boundary"))
        .is_some_and(|boundary| !closed.contains(boundary.as_bytes()))
}

/// The plain-text body being assembled from one or more parts.
#[derive(Default)]
struct Body(String);

impl Body {
    fn push_text(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n");
        if text.trim().is_empty() {
            return;
        }
        if !self.0.is_empty() {
            self.0.push_str("\n\n");
        }
        self.0.push_str(text.trim_end());
    }

    fn finish(self) -> String {
        self.0.trim_start_matches(['\n', '\r']).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_paths_and_control_characters() {
        assert_eq!(safe_filename("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(safe_filename("/etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_filename("acta\u{0}\r\n final.pdf").as_deref(), Some("acta final.pdf"));
        assert_eq!(safe_filename(" ... "), None);
    }

    #[test]
    fn header_fields_are_kept_raw_and_unfolded() {
        let raw = b"From: a@x.org\r\nSubject: =?UTF-8?Q?Hola?=\r\n mundo\r\nX-Custom:  uno\r\n\tdos \r\n\r\ncuerpo\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.header("subject"), Some("=?UTF-8?Q?Hola?= mundo"));
        assert_eq!(mail.subject, "Hola mundo");
        assert_eq!(mail.header("X-CUSTOM"), Some("uno\tdos"));
        assert_eq!(mail.text, "cuerpo");
    }

    #[test]
    fn whitespace_only_input_is_empty_and_headerless_text_has_no_headers() {
        assert_eq!(parse(b" \r\n\t").unwrap_err().reason, UnparseableReason::Empty);
        assert_eq!(parse(b"Hola, necesito ayuda con la impresora").unwrap_err().reason, UnparseableReason::NoHeaders);
        assert_eq!(
            parse(b"\x00\x01\x02: \xff\xfe\n\n\x00").unwrap_err().to_string(),
            "unparseable message: no_headers"
        );
    }

    #[test]
    fn a_text_part_with_a_declared_charset_is_not_second_guessed() {
        let raw = b"From: a@x.org\nContent-Type: text/plain; charset=utf-8\n\nbad \xe9 byte\n";
        let mail = parse(raw).unwrap();
        assert!(mail.text.contains('\u{FFFD}'));
        assert!(!mail.has_defect(Defect::UndeclaredCharset));
    }
}
