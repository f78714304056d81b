//! MIME parameter values split and encoded per RFC 2231, read from the raw header.
//!
//! mail-parser decodes each `filename*N*` segment on its own, but RFC 2231 §4.1
//! puts the charset only on the first segment; later segments of an ISO-8859-1
//! name then decode as broken UTF-8 (`Secretar�a`). File names are what people
//! search attachments by, so this reads the parameter again, whole.

/// The value of parameter `name` in a raw `Content-Disposition` or `Content-Type`
/// value, when it is given in RFC 2231 form (`name*=` or `name*0*=`…). `None` when
/// the parameter is absent or given in the plain `name="…"` form (the MIME
/// parser handles that one well).
pub(crate) fn rfc2231_param(header_value: &str, name: &str) -> Option<String> {
    let mut segments: Vec<(u32, bool, String)> = Vec::new();
    for param in split_params(header_value).into_iter().skip(1) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('*')) else {
            continue;
        };
        let (index, encoded) = match rest {
            "" => (0, true),
            _ => {
                let (digits, encoded) = match rest.strip_suffix('*') {
                    Some(d) => (d, true),
                    None => (rest, false),
                };
                (digits.parse().ok()?, encoded)
            }
        };
        segments.push((index, encoded, unquote(value.trim()).to_owned()));
    }
    if segments.is_empty() {
        return None;
    }
    segments.sort_by_key(|(index, _, _)| *index);

    let mut charset = None;
    let mut bytes = Vec::new();
    for (position, (_, encoded, value)) in segments.iter().enumerate() {
        if !encoded {
            bytes.extend_from_slice(value.as_bytes());
            continue;
        }
        let mut value = value.as_str();
        if position == 0 {
            // charset'language'value
            let mut parts = value.splitn(3, '\'');
            if let (Some(cs), Some(_lang), Some(rest)) = (parts.next(), parts.next(), parts.next()) {
                charset = Some(cs.to_owned());
                value = rest;
            }
        }
        bytes.extend(percent_decode(value));
    }
    let encoding = charset
        .as_deref()
        .and_then(|cs| encoding_rs::Encoding::for_label(cs.trim().as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(&bytes);
    Some(text.into_owned())
}

/// Splits `type; a=1; b="x;y"` at semicolons outside quotes.
fn split_params(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

fn percent_decode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_encoded_value() {
        let v = "attachment;\r\n filename*=UTF-8''Informe%20t%C3%A9cnico%20n%C2%BA%203.pdf";
        assert_eq!(rfc2231_param(v, "filename").as_deref(), Some("Informe técnico nº 3.pdf"));
    }

    #[test]
    fn continuations_share_the_first_segments_charset() {
        let v = "attachment; filename*1*=Secretar%EDa%20de%20Hacienda.xlsx;\n filename*0*=ISO-8859-1'es'Inventario%20de%20equipos%20";
        assert_eq!(rfc2231_param(v, "filename").as_deref(), Some("Inventario de equipos Secretaría de Hacienda.xlsx"));
    }

    #[test]
    fn plain_continuations_and_quotes() {
        let v = "application/pdf; name*0=\"acta;de \"; name*1=\"comité.pdf\"";
        assert_eq!(rfc2231_param(v, "name").as_deref(), Some("acta;de comité.pdf"));
    }

    #[test]
    fn the_plain_form_is_left_to_the_mime_parser() {
        assert_eq!(rfc2231_param("attachment; filename=\"a.pdf\"", "filename"), None);
        assert_eq!(rfc2231_param("attachment; filenames*=x", "filename"), None);
    }
}
