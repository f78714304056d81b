//! Byte-level repairs made before the MIME parser sees a message.
//!
//! Real mail breaks the rules in a few recurring ways that a parser either
//! misreads or reads at great cost. Each repair here works on a copy (the caller
//! keeps the original bytes), records a [`Defect`], and is only made when needed,
//! so a well-formed message is parsed from the borrowed input untouched.

use std::borrow::Cow;

use crate::mail::Defect;

/// Most `message/rfc822` or `multipart/digest` parts honoured. Each level of
/// forwarding nests a structure that is dropped recursively, so an attacker could
/// otherwise exhaust the stack with a few megabytes of nested forwards. No real
/// conversation comes near this.
pub(crate) const MAX_NESTED_MESSAGES: usize = 32;

/// Applies every repair. Returns the bytes to parse and what was fixed.
pub(crate) fn repair(raw: &[u8]) -> (Cow<'_, [u8]>, Vec<Defect>) {
    let mut defects = Vec::new();
    let mut bytes = Cow::Borrowed(trim_leading_blank_lines(raw));
    if let Some(fixed) = repair_header_block(&bytes, &mut defects) {
        bytes = Cow::Owned(fixed);
    }
    if defuse_deep_nesting(&mut bytes) {
        defects.push(Defect::NestingTooDeep);
    }
    (bytes, defects)
}

/// A leading blank line would make the parser see an empty header block.
fn trim_leading_blank_lines(raw: &[u8]) -> &[u8] {
    let mut rest = raw;
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        if rest[..nl].iter().all(u8::is_ascii_whitespace) {
            rest = &rest[nl + 1..];
        } else {
            break;
        }
    }
    rest
}

/// Length of the header block, including the blank line that ends it (or the
/// whole input when there is none).
fn header_block_len(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(nl) = bytes[i..].iter().position(|&b| b == b'\n') {
        let next = i + nl + 1;
        match bytes.get(next) {
            Some(b'\n') => return next + 1,
            Some(b'\r') if bytes.get(next + 1) == Some(&b'\n') => return next + 2,
            None => return next,
            _ => i = next,
        }
    }
    bytes.len()
}

/// Drops header lines that are not `name: value` (and their continuation lines),
/// a leading mbox `From ` envelope line, and transcodes non-UTF-8 8-bit header
/// bytes from Windows-1252. Returns `None` when nothing needed fixing.
fn repair_header_block(bytes: &[u8], defects: &mut Vec<Defect>) -> Option<Vec<u8>> {
    let end = header_block_len(bytes);
    let (header, body) = bytes.split_at(end);

    let mut kept: Vec<u8> = Vec::with_capacity(header.len());
    let mut changed = false;
    let mut dropping = false;
    for (index, line) in header.split_inclusive(|&b| b == b'\n').enumerate() {
        let content = trim_eol(line);
        if content.is_empty() {
            kept.extend_from_slice(line); // the terminating blank line
            continue;
        }
        let is_continuation = matches!(content[0], b' ' | b'\t');
        if is_continuation {
            if dropping {
                changed = true;
            } else {
                kept.extend_from_slice(line);
            }
            continue;
        }
        if index == 0 && content.starts_with(b"From ") {
            // An mbox envelope line (from a pipe or an export): not a header, not a defect.
            changed = true;
            dropping = true;
            continue;
        }
        dropping = !is_header_field(content);
        if dropping {
            changed = true;
            if !defects.contains(&Defect::MalformedHeaderLine) {
                defects.push(Defect::MalformedHeaderLine);
            }
        } else {
            kept.extend_from_slice(line);
        }
    }

    if std::str::from_utf8(&kept).is_err() {
        defects.push(Defect::EightBitHeader);
        changed = true;
        kept = transcode_non_utf8_lines(&kept);
    }
    if !changed {
        return None;
    }
    let mut fixed = kept;
    fixed.extend_from_slice(body);
    Some(fixed)
}

/// Reads each header line that is not UTF-8 as Windows-1252 (a superset of
/// ISO-8859-1 for printable text), leaving UTF-8 lines (RFC 6532) alone.
fn transcode_non_utf8_lines(header: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + header.len() / 8);
    for line in header.split_inclusive(|&b| b == b'\n') {
        if std::str::from_utf8(line).is_ok() {
            out.extend_from_slice(line);
        } else {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(line);
            out.extend_from_slice(text.as_bytes());
        }
    }
    out
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `field-name ":"` per RFC 5322 §3.6.8 (printable ASCII but colon), allowing the
/// obsolete white space before the colon (§4.5).
fn is_header_field(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b))
}

/// Renames, in place and at equal length, every `message/rfc822`,
/// `message/global` and `multipart/digest` media type (in a `Content-Type` field)
/// past the first [`MAX_NESTED_MESSAGES`], so the parser keeps those parts as
/// opaque data instead of nesting them. Equal length keeps every offset valid.
/// Returns whether anything was renamed.
fn defuse_deep_nesting(bytes: &mut Cow<'_, [u8]>) -> bool {
    const NESTING_TYPES: [(&[u8], &[u8]); 3] = [
        (b"message/rfc822", b"message/x-deep"),
        (b"message/global", b"message/x-deep"),
        (b"multipart/digest", b"multipart/x-dgst"),
    ];
    let mut positions: Vec<(usize, &[u8])> = NESTING_TYPES
        .iter()
        .flat_map(|(name, replacement)| {
            find_all_ignore_case(bytes, name)
                .into_iter()
                .filter(|&pos| is_content_type_value(bytes, pos))
                .map(move |pos| (pos, *replacement))
        })
        .collect();
    if positions.len() <= MAX_NESTED_MESSAGES {
        return false;
    }
    positions.sort_unstable_by_key(|(pos, _)| *pos);
    let owned = bytes.to_mut();
    for (pos, replacement) in positions.into_iter().skip(MAX_NESTED_MESSAGES) {
        owned[pos..pos + replacement.len()].copy_from_slice(replacement);
    }
    true
}

/// Whether the text at `pos` is the value of a `Content-Type:` field (folding
/// white space allowed in between), rather than words in a body.
fn is_content_type_value(bytes: &[u8], pos: usize) -> bool {
    const FIELD: &[u8] = b"content-type:";
    let before = bytes[..pos].trim_ascii_end();
    before.len() >= FIELD.len() && before[before.len() - FIELD.len()..].eq_ignore_ascii_case(FIELD)
}

fn find_all_ignore_case(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    let first = needle[0].to_ascii_lowercase();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(offset) = haystack[i..].iter().position(|b| b.to_ascii_lowercase() == first) {
        let at = i + offset;
        if haystack.get(at..at + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)) {
            found.push(at);
            i = at + needle.len();
        } else {
            i = at + 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(raw: &[u8]) -> (String, Vec<Defect>) {
        let (bytes, defects) = repair(raw);
        (String::from_utf8(bytes.into_owned()).unwrap(), defects)
    }

    #[test]
    fn a_clean_message_is_borrowed_untouched() {
        let raw = b"From: a@x.org\r\nSubject: hola\r\n  mundo\r\n\r\ncuerpo: sin cambios\r\n";
        let (bytes, defects) = repair(raw);
        assert!(matches!(bytes, Cow::Borrowed(_)));
        assert!(defects.is_empty());
    }

    #[test]
    fn lines_without_colon_are_dropped_with_their_continuations() {
        let (text, defects) =
            fixed(b"From: a@x.org\nEsto no es un encabezado\n sigue\nSubject: ok\n\nbody line without colon\n");
        assert_eq!(text, "From: a@x.org\nSubject: ok\n\nbody line without colon\n");
        assert_eq!(defects, [Defect::MalformedHeaderLine]);
    }

    #[test]
    fn an_mbox_envelope_line_is_dropped_silently() {
        let (text, defects) = fixed(b"From juan@x.org Mon Jun  3 10:00:00 2024\nFrom: juan@x.org\n\nhola");
        assert_eq!(text, "From: juan@x.org\n\nhola");
        assert!(defects.is_empty());
    }

    #[test]
    fn latin1_header_bytes_become_utf8_and_the_body_is_left_alone() {
        let (bytes, defects) = repair(b"Subject: Contrase\xf1a\n\ncuerpo \xf1");
        let mut expected = "Subject: Contraseña\n\ncuerpo ".as_bytes().to_vec();
        expected.push(0xf1);
        assert_eq!(&bytes[..], &expected[..]);
        assert_eq!(defects, [Defect::EightBitHeader]);
    }

    #[test]
    fn only_the_non_utf8_lines_are_transcoded() {
        let mut raw = "Subject: Contraseña\nFrom: Mar".as_bytes().to_vec();
        raw.extend_from_slice(b"\xeda <m@x.org>\n\n");
        let (text, _) = fixed(&raw);
        assert_eq!(text, "Subject: Contraseña\nFrom: María <m@x.org>\n\n");
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped() {
        let (bytes, _) = repair(b"\r\n   \r\nFrom: a@x.org\r\n\r\nx");
        assert_eq!(&bytes[..], b"From: a@x.org\r\n\r\nx");
    }

    #[test]
    fn utf8_header_bytes_are_fine() {
        let (bytes, defects) = repair("Subject: Contraseña\n\nx".as_bytes());
        assert!(matches!(bytes, Cow::Borrowed(_)));
        assert!(defects.is_empty());
    }

    #[test]
    fn nesting_past_the_limit_is_defused_at_equal_length() {
        let raw = "Content-Type: message/rfc822\n\n".repeat(MAX_NESTED_MESSAGES + 3);
        let (bytes, defects) = repair(raw.as_bytes());
        assert_eq!(bytes.len(), raw.len());
        let text = String::from_utf8(bytes.into_owned()).unwrap();
        assert_eq!(text.matches("message/rfc822").count(), MAX_NESTED_MESSAGES);
        assert_eq!(text.matches("message/x-deep").count(), 3);
        assert_eq!(defects, [Defect::NestingTooDeep]);
    }

    #[test]
    fn the_words_message_rfc822_in_a_body_are_not_touched() {
        let raw = format!("Subject: x\n\n{}", "see message/rfc822 here\n".repeat(MAX_NESTED_MESSAGES + 3));
        let (bytes, defects) = repair(raw.as_bytes());
        assert!(matches!(bytes, Cow::Borrowed(_)));
        assert!(defects.is_empty());
    }
}
