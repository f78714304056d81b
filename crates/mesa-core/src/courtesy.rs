//! Whether a requester's reply to a solved ticket is only a courtesy
//! ("gracias", "ok, gracias") or an objection, which reopens the ticket so
//! that it is not closed automatically (issue 13).
//!
//! A reply is a courtesy when, folded (case and accents) and reduced to its
//! own words (up to a signature line `--` or the quoted message), it starts with one of the desk's
//! phrases and adds at most [`MAX_EXTRA_WORDS`] words (a sign-off such as
//! "Ana" or "quedo atento"), none of them a word of objection ("no",
//! "pero", "sigue"…), and asks nothing (no `?`). Anything else is an
//! objection.

use crate::search::fold;

/// The phrases a new desk starts with (the admin edits them).
pub const DEFAULT_THANKS: &[&str] = &[
    "gracias",
    "muchas gracias",
    "mil gracias",
    "ok",
    "ok gracias",
    "listo",
    "listo gracias",
    "perfecto",
    "perfecto gracias",
    "excelente",
    "excelente gracias",
    "muy amable",
    "recibido",
    "thanks",
    "thank you",
];

/// Words after the phrase that may close a courtesy (a name, "quedo atento").
pub const MAX_EXTRA_WORDS: usize = 3;

/// Words that turn a thank-you into an objection.
const OBJECTION: &[&str] = &[
    "no",
    "pero",
    "sigue",
    "siguen",
    "aun",
    "todavia",
    "falla",
    "fallando",
    "error",
    "problema",
    "persiste",
    "not",
    "but",
    "still",
    "again",
    "nuevamente",
    "otra",
];

/// The reply's own text: up to a signature line (`--`), a quoted line
/// (`>`) or the line that introduces a quote ("El lun., … escribió:").
fn own_text(reply: &str) -> String {
    reply
        .lines()
        .take_while(|l| {
            let l = l.trim();
            let folded = fold(l);
            l != "--" && !l.starts_with('>') && !folded.ends_with("escribio:") && !folded.ends_with("wrote:")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of `text`, folded, letters and digits only.
fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Whether `reply` is only a courtesy by `phrases`.
pub fn only_thanks(reply: &str, phrases: &[String]) -> bool {
    let own = own_text(reply);
    if own.contains('?') {
        return false;
    }
    let said = words(&own);
    if said.is_empty() {
        return true;
    }
    phrases.iter().map(|p| words(&own_text(p))).filter(|p| !p.is_empty()).any(|phrase| {
        said.starts_with(&phrase)
            && said.len() - phrase.len() <= MAX_EXTRA_WORDS
            && !said[phrase.len()..].iter().any(|w| OBJECTION.contains(&w.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desk() -> Vec<String> {
        DEFAULT_THANKS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn thanks_in_spanish_are_courtesies() {
        for reply in [
            "Gracias",
            "¡Muchas gracias!",
            "ok, gracias",
            "Listo, gracias. Ana",
            "Perfecto gracias quedo atenta",
            "GRACIAS\n\n--\nAna Pérez\nSecretaría de Hacienda\nNo imprima este correo",
            "Gracias\n\nEl lun., 30 nov. 2026, Mesa <soporte@x.gov.co> escribió:\n> ¿El problema sigue?",
            "Recibido.",
            "",
        ] {
            assert!(only_thanks(reply, &desk()), "{reply:?} is a courtesy");
        }
    }

    #[test]
    fn objections_reopen() {
        for reply in [
            "Gracias, pero sigue sin imprimir",
            "No funciona",
            "Gracias ¿y el otro equipo?",
            "El problema persiste",
            "ok pero no",
            "Gracias, aún no me llega el correo",
            "Gracias. Sin embargo el equipo vuelve a reiniciarse solo cada hora",
        ] {
            assert!(!only_thanks(reply, &desk()), "{reply:?} is an objection");
        }
    }

    #[test]
    fn the_desk_decides_its_phrases() {
        let mine = vec!["de acuerdo".to_string()];
        assert!(only_thanks("De acuerdo.", &mine));
        assert!(!only_thanks("Gracias", &mine), "not one of this desk's phrases");
        assert!(!only_thanks("Gracias", &[]), "with no phrases every reply reopens");
    }
}
