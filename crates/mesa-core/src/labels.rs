//! The i18n layer: Spanish and English catalogs of `key = text` lines, and
//! the labels of every domain value. Spanish is the default language.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::Role;
use crate::ticket::{HoldReason, Outcome, Priority, Status, TicketType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Es, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    /// Reads `es`, `en`, `es-CO`, `en-US`…; anything else is Spanish.
    pub fn from_code(code: &str) -> Lang {
        match code.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Es,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Es => include_str!("../i18n/es.txt"),
            Lang::En => include_str!("../i18n/en.txt"),
        }
    }
}

fn parse_catalog(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalog(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ES: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    let cell = match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    };
    cell.get_or_init(|| parse_catalog(lang.source()))
}

/// The text for `key`; a missing key shows itself, so it is noticed rather
/// than hidden (the tests make sure none is missing).
pub fn text(lang: Lang, key: &str) -> &'static str {
    catalog(lang).get(key).copied().unwrap_or("??")
}

/// Every domain value that people see has a label.
pub trait Labelled {
    fn label_key(&self) -> String;

    fn label(&self, lang: Lang) -> &'static str {
        text(lang, &self.label_key())
    }
}

macro_rules! labelled {
    ($($ty:ty => $prefix:literal),+ $(,)?) => {
        $(impl Labelled for $ty {
            fn label_key(&self) -> String {
                format!("{}.{}", $prefix, self.as_str())
            }
        })+
    };
}

labelled!(
    Status => "status",
    HoldReason => "hold_reason",
    Outcome => "outcome",
    TicketType => "type",
    Priority => "priority",
    Role => "role",
);

/// All domain labels of one language, as `key → text` (served by the API).
pub fn domain_labels(lang: Lang) -> Vec<(String, &'static str)> {
    let mut keys: Vec<String> = Vec::new();
    keys.extend(Status::ALL.iter().map(Labelled::label_key));
    keys.extend(HoldReason::ALL.iter().map(Labelled::label_key));
    keys.extend(Outcome::ALL.iter().map(Labelled::label_key));
    keys.extend(TicketType::ALL.iter().map(Labelled::label_key));
    keys.extend(Priority::ALL.iter().map(Labelled::label_key));
    keys.extend(Role::ALL.iter().map(Labelled::label_key));
    keys.into_iter()
        .map(|k| {
            let t = text(lang, &k);
            (k, t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_exactly_the_same_keys() {
        let mut es: Vec<_> = catalog(Lang::Es).keys().collect();
        let mut en: Vec<_> = catalog(Lang::En).keys().collect();
        es.sort();
        en.sort();
        assert_eq!(es, en);
    }

    #[test]
    fn every_domain_value_has_a_label_in_every_language() {
        for lang in Lang::ALL {
            for (key, text) in domain_labels(lang) {
                assert_ne!(text, "??", "{key} has no {} label", lang.code());
                assert!(!text.is_empty());
            }
        }
    }

    #[test]
    fn spanish_is_the_default_and_labels_read_naturally() {
        assert_eq!(Lang::default(), Lang::Es);
        assert_eq!(Status::InProgress.label(Lang::Es), "En progreso");
        assert_eq!(Status::InProgress.label(Lang::En), "In progress");
        assert_eq!(HoldReason::Warranty.label(Lang::Es), "Garantía");
    }

    #[test]
    fn language_codes_fall_back_to_spanish() {
        assert_eq!(Lang::from_code("en-US"), Lang::En);
        assert_eq!(Lang::from_code("es-CO"), Lang::Es);
        assert_eq!(Lang::from_code("fr"), Lang::Es);
        assert_eq!(Lang::from_code(""), Lang::Es);
    }
}
