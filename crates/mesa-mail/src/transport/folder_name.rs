//! IMAP folder names on the wire: modified UTF-7 (RFC 3501 §5.1.3), so a
//! folder an admin names "Atención" or "Procesados/Año 2026" is found.

/// The modified-UTF-7 form of `name`: printable ASCII stands for itself
/// (`&` as `&-`); anything else is UTF-16 in base64 with `,` for `/`,
/// without padding, between `&` and `-`.
pub(crate) fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            match c {
                '&' => out.push_str("&-"),
                c => out.push(c),
            }
        } else {
            pending.extend(c.encode_utf16(&mut [0; 2]).iter());
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Writes the UTF-16 units gathered so far as one `&…-` run: base64 with
/// `,` for `/` and without padding.
fn flush(units: &mut Vec<u16>, out: &mut String) {
    if units.is_empty() {
        return;
    }
    let bytes: Vec<u8> = units.drain(..).flat_map(u16::to_be_bytes).collect();
    out.push('&');
    out.extend(crate::compose::base64(&bytes).chars().filter(|&c| c != '=').map(|c| if c == '/' { ',' } else { c }));
    out.push('-');
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn ascii_stands_for_itself_and_the_ampersand_is_escaped() {
        assert_eq!(encode("INBOX"), "INBOX");
        assert_eq!(encode("Soporte/Procesados"), "Soporte/Procesados");
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
    }

    #[test]
    fn other_characters_are_utf16_in_modified_base64() {
        // The examples of RFC 3501 §5.1.3 and well-known client folder names.
        assert_eq!(encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(encode("Atención"), "Atenci&APM-n");
        assert_eq!(encode("Elementos enviados/Año"), "Elementos enviados/A&APE-o");
        assert_eq!(encode("Entwürfe"), "Entw&APw-rfe");
        // Outside the BMP: a surrogate pair in one run.
        assert_eq!(encode("📁"), "&2D3cwQ-");
    }
}
