//! Subjects: the ticket tag Mesa puts in them, and the reply prefixes clients add.
//!
//! The tag (`[#123]`, `[Mesa #123]`, `[#2027-000123]`) is one of the two ways a
//! reply finds its ticket. The rest of the subject never is: two requesters writing
//! "Impresora no imprime" are two tickets (PRODUCT.md §4).

/// The ticket number in the first `[<prefix>#<number>]` tag of `subject`.
///
/// - `prefix` is the configured tag prefix (`""` for `[#123]`, `"Mesa"` for
///   `[Mesa #123]`), matched ignoring ASCII case and the spaces around it.
/// - `<number>` is the ticket number, optionally after a four-digit year and a
///   dash (`[#2027-000123]` → 123): the year is display decoration, the ticket
///   number alone identifies the ticket (numbers are consecutive, not per year).
/// - The leftmost tag wins: Mesa puts its tag first, and older tags further right
///   belong to messages forwarded into this one.
/// - Brackets are required, so "factura #123" in a subject never threads.
///   Zero, and numbers that do not fit an `i64`, are not tickets.
pub fn subject_tag(subject: &str, prefix: &str) -> Option<i64> {
    let prefix = prefix.trim();
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        if let Some(number) = read_tag(rest, prefix) {
            return Some(number);
        }
    }
    None
}

/// Reads `<prefix> #<number>]` at the start of `s`.
fn read_tag(s: &str, prefix: &str) -> Option<i64> {
    let s = s.trim_start();
    let head = s.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let s = s[prefix.len()..].trim_start().strip_prefix('#')?;
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (mut digits, mut s) = s.split_at(digits_end);
    if digits.len() == 4 && s.starts_with('-') {
        // [#2027-000123]: skip the year.
        let after = &s[1..];
        let end = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
        (digits, s) = after.split_at(end);
    }
    if digits.is_empty() || !s.trim_start().starts_with(']') {
        return None;
    }
    digits.parse::<i64>().ok().filter(|&n| n > 0)
}

/// Reply and forward prefixes mail clients in Colombia add: English `Re`/`Fw`/
/// `Fwd`, Outlook-Spanish `RV` (reenviar), Portuguese/Brazilian `Res`/`Enc`,
/// French `Tr`, German `AW`/`WG`.
const REPLY_PREFIXES: &[&str] = &["re", "res", "aw", "sv", "antw", "ref"];
const FORWARD_PREFIXES: &[&str] = &["fw", "fwd", "rv", "tr", "enc", "wg"];

/// The subject without leading reply/forward prefixes (`RE: RV: Fwd: Re[2]:`),
/// for a new ticket's title. Tags and everything after the prefixes stay.
pub fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim();
    while let Some((_, after)) = leading_prefix(rest) {
        rest = after.trim_start();
    }
    rest
}

/// Whether the outermost prefix marks a forward (`RV:`, `Fwd:`…). The body of a
/// forward is the request itself, so it is not folded as quoted history.
pub fn is_forward(subject: &str) -> bool {
    leading_prefix(subject.trim())
        .is_some_and(|(word, _)| FORWARD_PREFIXES.contains(&word.to_ascii_lowercase().as_str()))
}

/// `("RE", rest)` for `"RE: rest"`, also `Re[2]:`, `Re(2):` and the full-width
/// colon some Asian-locale clients write.
fn leading_prefix(s: &str) -> Option<(&str, &str)> {
    let word_end = s.find(|c: char| !c.is_ascii_alphabetic())?;
    let word = &s[..word_end];
    let known = |list: &[&str]| list.iter().any(|p| p.eq_ignore_ascii_case(word));
    if !known(REPLY_PREFIXES) && !known(FORWARD_PREFIXES) {
        return None;
    }
    let mut after = &s[word_end..];
    if let Some(counted) = after.strip_prefix(['[', '(']) {
        let close = counted.find([']', ')'])?;
        if !counted[..close].chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        after = &counted[close + 1..];
    }
    let after = after.trim_start();
    let after = after.strip_prefix(':').or_else(|| after.strip_prefix('：'))?;
    Some((word, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tag() {
        assert_eq!(subject_tag("RE: [#123] Pantalla azul", ""), Some(123));
        assert_eq!(subject_tag("[ #45 ] x", ""), Some(45));
    }

    #[test]
    fn configured_prefix_and_year_form() {
        assert_eq!(subject_tag("RE: [Mesa #2027-000123] Correo", "Mesa"), Some(123));
        assert_eq!(subject_tag("[mesa#77] x", "Mesa"), Some(77));
        assert_eq!(subject_tag("[Mesa #77] x", ""), None, "a bare [# tag is expected");
        assert_eq!(subject_tag("[#77] x", "Mesa"), None);
        assert_eq!(subject_tag("[#2027-000123]", ""), Some(123));
    }

    #[test]
    fn leftmost_tag_wins_and_junk_is_skipped() {
        assert_eq!(subject_tag("RE: [#12] RV: [#9] x", ""), Some(12));
        assert_eq!(subject_tag("[URGENTE] [#abc] [#0] [#99999999999999999999] [#8]", ""), Some(8));
    }

    #[test]
    fn a_number_without_brackets_is_not_a_tag() {
        assert_eq!(subject_tag("Factura #123 pendiente", ""), None);
        assert_eq!(subject_tag("[#123 sin cerrar", ""), None);
        assert_eq!(subject_tag("", ""), None);
    }

    #[test]
    fn prefixes_are_stripped_in_any_mix() {
        assert_eq!(strip_reply_prefixes("RE: RV: Fwd: Solicitud de cuenta"), "Solicitud de cuenta");
        assert_eq!(strip_reply_prefixes("Re[2]: re(3):  [#5] Hola"), "[#5] Hola");
        assert_eq!(strip_reply_prefixes("Reunión: mañana"), "Reunión: mañana");
        assert_eq!(strip_reply_prefixes("RES：Equipo"), "Equipo");
        assert_eq!(strip_reply_prefixes("Recordatorio"), "Recordatorio");
    }

    #[test]
    fn forwards_are_told_from_replies_by_the_outer_prefix() {
        assert!(is_forward("RV: Impresora"));
        assert!(is_forward("Fwd: RE: Impresora"));
        assert!(!is_forward("RE: RV: Impresora"));
        assert!(!is_forward("Impresora"));
    }
}
