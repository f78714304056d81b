//! The desk's own words: how each status, hold reason, type, priority and
//! role reads at one institution (seed 001 says "Abierto", "En espera",
//! "No resuelto"; seed 000 says "Solucionado", "Cerrado"). Only the words
//! change; the lifecycle does not.

use std::collections::BTreeMap;

use crate::labels::{Lang, domain_labels, text};
use crate::validate::FieldError;

/// The longest word an admin may give a value (it shows in badges).
pub const MAX_WORD: usize = 60;

/// Language code → label key (as `GET /api/v1/labels` names them) → text.
/// Keys not given keep the built-in text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskWords(BTreeMap<String, BTreeMap<String, String>>);

impl DeskWords {
    /// Checks an admin's words: known languages and keys, one line of
    /// 1 to [`MAX_WORD`] characters each.
    pub fn parse(raw: BTreeMap<String, BTreeMap<String, String>>) -> Result<DeskWords, FieldError> {
        let mut words = BTreeMap::new();
        for (code, by_key) in raw {
            let Some(lang) = Lang::ALL.into_iter().find(|l| l.code() == code) else {
                return Err(FieldError::new("labels", "unknown_language", format!("no language {code:?}")));
            };
            let known: Vec<String> = domain_labels(lang).into_iter().map(|(k, _)| k).collect();
            let mut checked = BTreeMap::new();
            for (key, word) in by_key {
                if !known.contains(&key) {
                    return Err(FieldError::new("labels", "unknown_key", format!("no label {key:?}")));
                }
                // Checked as sent (a line break or padding past the limit is
                // refused, as the API document says), then trimmed.
                if word.chars().count() > MAX_WORD || word.chars().any(char::is_control) || word.trim().is_empty() {
                    return Err(FieldError::new(
                        "labels",
                        "invalid_word",
                        format!("{code}/{key}: one line of 1 to {MAX_WORD} characters"),
                    ));
                }
                let word = word.trim();
                // A word equal to the built-in one is no change.
                if word != text(lang, &key) {
                    checked.insert(key, word.to_owned());
                }
            }
            if !checked.is_empty() {
                words.insert(code, checked);
            }
        }
        Ok(DeskWords(words))
    }

    /// The admin's words only.
    pub fn overrides(&self) -> &BTreeMap<String, BTreeMap<String, String>> {
        &self.0
    }

    /// The desk's word for `key`, if the admin gave one.
    pub fn get(&self, lang: Lang, key: &str) -> Option<&str> {
        self.0.get(lang.code()).and_then(|m| m.get(key)).map(String::as_str)
    }

    /// The text of a label key: the desk's word, else the catalog's.
    pub fn text(&self, lang: Lang, key: &str) -> String {
        self.get(lang, key).map_or_else(|| text(lang, key).to_owned(), str::to_owned)
    }

    /// Every domain label of a language with the desk's words in place.
    pub fn labels(&self, lang: Lang) -> Vec<(String, String)> {
        domain_labels(lang)
            .into_iter()
            .map(|(k, t)| {
                let word = self.get(lang, &k).unwrap_or(t).to_owned();
                (k, word)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(pairs: &[(&str, &str, &str)]) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut raw: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (lang, key, word) in pairs {
            raw.entry(lang.to_string()).or_default().insert(key.to_string(), word.to_string());
        }
        raw
    }

    #[test]
    fn a_renamed_status_reads_as_the_desk_says_and_the_rest_as_built_in() {
        let w =
            DeskWords::parse(words(&[("es", "status.new", " Radicado "), ("en", "status.solved", "Fixed")])).unwrap();
        assert_eq!(w.text(Lang::Es, "status.new"), "Radicado");
        assert_eq!(w.text(Lang::Es, "status.closed"), "Cerrado");
        assert_eq!(w.text(Lang::En, "status.solved"), "Fixed");
        let labels: BTreeMap<_, _> = w.labels(Lang::Es).into_iter().collect();
        assert_eq!(labels["status.new"], "Radicado");
        assert_eq!(labels.len(), domain_labels(Lang::Es).len());
    }

    #[test]
    fn unknown_keys_languages_and_empty_words_are_refused() {
        assert_eq!(DeskWords::parse(words(&[("es", "status.lost", "x")])).unwrap_err().code, "unknown_key");
        assert_eq!(DeskWords::parse(words(&[("fr", "status.new", "x")])).unwrap_err().code, "unknown_language");
        assert_eq!(DeskWords::parse(words(&[("es", "status.new", " ")])).unwrap_err().code, "invalid_word");
        assert_eq!(DeskWords::parse(words(&[("es", "status.new", "a\nb")])).unwrap_err().code, "invalid_word");
        // As sent, not once trimmed: the API document refuses these too.
        assert_eq!(DeskWords::parse(words(&[("es", "status.new", "Hecho\n")])).unwrap_err().code, "invalid_word");
        let padded = format!("{}Hecho", " ".repeat(MAX_WORD));
        assert_eq!(DeskWords::parse(words(&[("es", "status.new", &padded)])).unwrap_err().code, "invalid_word");
        assert_eq!(
            DeskWords::parse(words(&[("es", "status.new", " Hecho ")])).unwrap().get(Lang::Es, "status.new"),
            Some("Hecho")
        );
    }

    #[test]
    fn the_built_in_word_is_not_kept_as_an_override() {
        let w = DeskWords::parse(words(&[("es", "status.closed", "Cerrado")])).unwrap();
        assert!(w.overrides().is_empty());
    }
}
