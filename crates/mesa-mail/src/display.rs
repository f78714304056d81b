//! Text from a mail, made safe to show: no invisible formatting characters.
//!
//! A right-to-left override (U+202E) in a subject makes `[#18] factura.exe.pdf`
//! read as something else; zero-width characters make two names look equal.
//! Where subjects and names are shown, Unicode's format characters (general
//! category Cf: bidi embeddings, overrides and isolates, marks, zero-width
//! joiners and spaces, the BOM, tags) are removed. The raw mail keeps them.

use std::borrow::Cow;

/// Whether `c` is a format character (Unicode general category Cf, Unicode 15).
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// `text` without format characters (and with control characters other
/// than tab and new line as spaces), ready to show as a subject or a name.
pub fn neutralise_invisible(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_invisible_format(c) || (c.is_control() && c != '\n' && c != '\t');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|c| !is_invisible_format(*c))
            .map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_override_is_removed_and_plain_text_is_untouched() {
        assert_eq!(neutralise_invisible("Factura \u{202E}fdp.exe"), "Factura fdp.exe");
        assert_eq!(neutralise_invisible("Ana\u{200B} Gómez\u{2066}"), "Ana Gómez");
        assert!(matches!(neutralise_invisible("Impresora sin tóner — ¿ayuda?"), Cow::Borrowed(_)));
        assert_eq!(neutralise_invisible("a\u{7}b"), "a b");
    }

    #[test]
    fn arabic_and_hebrew_letters_stay() {
        assert_eq!(neutralise_invisible("שלום مرحبا"), "שלום مرحبا");
    }
}
