//! Splitting a reply into what the author wrote now and the history it quotes.
//!
//! Mail clients paste the whole conversation under every reply. Shown in full, a
//! ticket with ten replies repeats itself ten times; so the ticket view folds the
//! history and keeps it one click away. Nothing is dropped: the split is two slices
//! of the same text.
//!
//! Recognised starts of history, in the forms the desk's users' clients write them:
//! - an attribution line, possibly wrapped: `On Mon, 3 Jun 2024, Ana <a@x> wrote:`
//!   (Gmail, Apple Mail, Thunderbird) or `El lun, 3 jun 2024 a las 10:15, Ana
//!   (<a@x>) escribió:` (the same clients in Spanish);
//! - `-----Original Message-----` / `-----Mensaje original-----` (older Outlook);
//! - an Outlook header block, `De:`/`From:` followed by `Enviado:`/`Sent:`/
//!   `Fecha:`/`Date:` and `Para:`/`To:`/`Asunto:`/`Subject:`, with the
//!   `________________________________` rule Outlook puts above it;
//! - a trailing block of lines starting with `>`.
//!
//! Deliberately not history: `---------- Forwarded message ----------`
//! (`Mensaje reenviado`, `Begin forwarded message:`); nothing after such a line is
//! folded. A forward to the help desk usually *is* the request, and folding it
//! would hide it. Outlook writes forwards with the same header block as replies;
//! [`crate::ParsedMail::quote_split`] tells them apart by the subject's `RV:`/`FW:`.

/// The two halves of a message body. `quoted` is empty when no history was found
/// (or when folding it would leave nothing to show).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteSplit<'a> {
    /// What the author wrote, trailing blank lines removed.
    pub new_text: &'a str,
    /// The history, from its first line (the attribution or separator) to the end.
    pub quoted: &'a str,
}

impl QuoteSplit<'_> {
    /// Whether any history was found.
    pub fn has_quote(&self) -> bool {
        !self.quoted.is_empty()
    }
}

/// Splits `text` (with `\n` or `\r\n` line ends) at the start of its quoted
/// history. See the module documentation for what is recognised.
///
/// Interleaved answers (`> question` / answer / `> question` / answer) are not
/// split: a `>` block only counts when nothing but `>` lines follows it, and an
/// attribution line followed by `>` lines obeys the same rule, so a bottom-posted
/// or inline reply is never hidden.
pub fn split_quoted(text: &str) -> QuoteSplit<'_> {
    let lines: Vec<(usize, &str)> = line_starts(text);
    let whole = QuoteSplit { new_text: text.trim_end(), quoted: "" };
    let tail = quote_tail(&lines);
    for i in 0..lines.len() {
        if is_forward_marker(lines[i].1) {
            // What follows is a forwarded message: the content, not history.
            return whole;
        }
        let Some(start) = history_start(&lines, i, tail) else {
            continue;
        };
        let offset = lines[start].0;
        let new_text = text[..offset].trim_end();
        if new_text.trim().is_empty() {
            return whole;
        }
        return QuoteSplit { new_text, quoted: &text[offset..] };
    }
    whole
}

/// `(byte offset, line without its end)` for every line.
fn line_starts(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        out.push((offset, content.strip_suffix('\r').unwrap_or(content)));
        offset += line.len();
    }
    out
}

/// The index from which every line is blank or starts with `>` (the trailing
/// quote block), computed once so the split stays linear in the text's length.
fn quote_tail(lines: &[(usize, &str)]) -> usize {
    lines.iter().rposition(|(_, l)| !l.trim().is_empty() && !is_quote_line(l)).map_or(0, |last_text| last_text + 1)
}

/// If history starts at line `i`, the index of its first line (which may be a
/// separator rule just above `i`). `tail` is [`quote_tail`].
fn history_start(lines: &[(usize, &str)], i: usize, tail: usize) -> Option<usize> {
    let line = lines[i].1.trim();
    if is_original_message_rule(line) {
        return Some(i);
    }
    if is_outlook_header_block(lines, i) {
        return Some(rule_above(lines, i).unwrap_or(i));
    }
    if let Some(last) = attribution_end(lines, i) {
        let rest = &lines[last + 1..];
        let first_after = rest.iter().find(|(_, l)| !l.trim().is_empty());
        let quotes_follow = first_after.is_some_and(|(_, l)| is_quote_line(l));
        if !quotes_follow || last + 1 >= tail {
            return Some(i);
        }
        return None;
    }
    if is_quote_line(lines[i].1) && i >= tail {
        return Some(i);
    }
    None
}

fn is_quote_line(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// `-----Original Message-----` and its translations.
fn is_original_message_rule(line: &str) -> bool {
    let inner = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    line.starts_with("--")
        && line.ends_with("--")
        && ["original message", "mensaje original", "mensagem original"].iter().any(|m| inner.eq_ignore_ascii_case(m))
}

/// `---------- Forwarded message ---------` (Gmail), `Begin forwarded message:`
/// (Apple Mail), and their Spanish forms.
fn is_forward_marker(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    let inner = lower.trim_matches(|c: char| c == '-' || c.is_whitespace());
    ["forwarded message", "mensaje reenviado", "begin forwarded message:", "inicio del mensaje reenviado:"]
        .contains(&inner)
}

/// A line of `_` or `-` (Outlook's rule above a quoted header block).
fn is_rule(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 10 && (line.chars().all(|c| c == '_') || line.chars().all(|c| c == '-'))
}

/// The rule line just above `i` (blank lines allowed between), if any.
fn rule_above(lines: &[(usize, &str)], i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| !lines[j].1.trim().is_empty()).filter(|&j| is_rule(lines[j].1))
}

/// A `Field:` line label, tolerating the `*bold*` markers that HTML-to-text
/// conversions leave (`*De:* Ana`).
fn field_label(line: &str) -> Option<String> {
    let line = line.trim().trim_start_matches('*');
    let colon = line.find(':')?;
    let label = line[..colon].trim().to_lowercase();
    (label.len() <= 12).then_some(label)
}

fn is_outlook_header_block(lines: &[(usize, &str)], i: usize) -> bool {
    if !matches!(field_label(lines[i].1).as_deref(), Some("de" | "from")) {
        return false;
    }
    let labels: Vec<String> = lines.iter().skip(i + 1).take(5).filter_map(|(_, l)| field_label(l)).collect();
    let has = |names: &[&str]| labels.iter().any(|l| names.contains(&l.as_str()));
    has(&["enviado", "sent", "fecha", "date", "enviado el"]) && has(&["para", "to", "asunto", "subject", "cc"])
}

/// If line `i` begins an attribution ("On … wrote:", "El … escribió:"), possibly
/// wrapped over up to three lines, the index of its last line.
fn attribution_end(lines: &[(usize, &str)], i: usize) -> Option<usize> {
    const OPENERS: [&str; 4] = ["on ", "el ", "em ", "le "];
    const CLOSERS: [&str; 6] = ["wrote:", "escribió:", "escribio:", "escreveu:", "a écrit :", "a écrit:"];
    let first = lines[i].1.trim_start();
    if !OPENERS.iter().any(|o| first.get(..o.len()).is_some_and(|p| p.eq_ignore_ascii_case(o))) {
        return None;
    }
    let mut joined = String::new();
    for (j, (_, line)) in lines.iter().enumerate().skip(i).take(3) {
        if j > i && line.trim().is_empty() {
            return None;
        }
        joined.push_str(line.trim());
        joined.push(' ');
        if joined.len() > 400 {
            return None;
        }
        let lower = joined.trim_end().to_lowercase();
        if CLOSERS.iter().any(|c| lower.ends_with(c)) {
            return Some(j);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (&str, &str) {
        let s = split_quoted(text);
        (s.new_text, s.quoted)
    }

    #[test]
    fn gmail_english_attribution_with_quote_lines() {
        let text = "Ya funciona, gracias.\n\nOn Mon, 3 Jun 2024 at 10:15, Mesa <soporte@x.gov.co> wrote:\n> Reiniciamos el equipo.\n>\n> Saludos\n";
        assert_eq!(
            split(text),
            (
                "Ya funciona, gracias.",
                "On Mon, 3 Jun 2024 at 10:15, Mesa <soporte@x.gov.co> wrote:\n> Reiniciamos el equipo.\n>\n> Saludos\n"
            )
        );
    }

    #[test]
    fn wrapped_spanish_attribution() {
        let text = "Sigue fallando.\r\n\r\nEl lun, 3 jun 2024 a las 10:15, Mesa de Ayuda (<soporte@x.gov.co>)\r\nescribió:\r\n\r\n> ¿Puede reiniciar?\r\n";
        let (new, quoted) = split(text);
        assert_eq!(new, "Sigue fallando.");
        assert!(quoted.starts_with("El lun, 3 jun"), "{quoted}");
    }

    #[test]
    fn outlook_spanish_header_block_with_rule() {
        let text = "Adjunto la foto.\n\n________________________________\nDe: Mesa de Ayuda <soporte@x.gov.co>\nEnviado: lunes, 3 de junio de 2024 10:15\nPara: Ana Gómez <ana@x.gov.co>\nAsunto: RE: [#123] Impresora\n\nTexto anterior\n";
        let (new, quoted) = split(text);
        assert_eq!(new, "Adjunto la foto.");
        assert!(quoted.starts_with("______"), "{quoted}");
    }

    #[test]
    fn outlook_bold_labels_from_html_conversion() {
        let text =
            "Listo.\n\n*From:* Mesa <s@x.gov.co>\n*Sent:* Monday, June 3, 2024 10:15 AM\n*To:* Ana\n*Subject:* RE: x\n";
        assert_eq!(split(text).0, "Listo.");
    }

    #[test]
    fn original_message_rule_in_both_languages() {
        assert_eq!(split("Gracias\n-----Original Message-----\nFrom: x\n").0, "Gracias");
        assert_eq!(split("Gracias\n----- Mensaje original -----\nDe: x\n").0, "Gracias");
    }

    #[test]
    fn trailing_quote_block_without_attribution() {
        assert_eq!(split("Ok\n> antes\n> más\n\n"), ("Ok", "> antes\n> más\n\n"));
    }

    #[test]
    fn interleaved_answers_are_not_folded() {
        let text = "On Mon, Ana wrote:\n> ¿Qué modelo?\nHP 404\n> ¿Qué piso?\nTercero\n";
        assert_eq!(split(text), (text.trim_end(), ""));
        let text = "Respondo abajo.\n> ¿Qué modelo?\nHP 404\n";
        assert_eq!(split(text).1, "");
    }

    #[test]
    fn a_lone_de_line_in_the_body_is_not_a_header_block() {
        let text = "Solicitud:\nDe: la oficina de tesorería\nnecesitamos un equipo.\n";
        assert_eq!(split(text).1, "");
    }

    #[test]
    fn a_forwarded_message_is_content_not_history() {
        let text = "Por favor revisar.\n\n---------- Forwarded message ---------\nDe: Ana <ana@x.gov.co>\nDate: lun, 3 jun 2024\nSubject: Impresora\nTo: jefe@x.gov.co\n\nNo imprime.\n";
        assert_eq!(split(text).1, "");
        assert_eq!(split("Mira esto\n\nInicio del mensaje reenviado:\n\n> De: x\n").1, "");
    }

    #[test]
    fn a_long_quote_with_text_after_it_is_split_in_linear_time() {
        let text = format!("Hola\n{}respuesta al final\n", "> cita\n".repeat(200_000));
        assert_eq!(split(&text).1, "");
        let text = format!("Hola\n{}", "> cita\n".repeat(200_000));
        assert_eq!(split(&text).0, "Hola");
    }

    #[test]
    fn nothing_to_show_means_no_fold() {
        let text = "> solo cita\n> nada nuevo\n";
        assert_eq!(split(text), (text.trim_end(), ""));
        assert_eq!(split(""), ("", ""));
    }
}
