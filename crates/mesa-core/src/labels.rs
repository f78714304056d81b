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

    /// The locale pages declare (`lang`), so a browser that formats date
    /// fields by the page's language shows the desk's day-month-year order:
    /// Colombian Spanish, or British English (also day first).
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Es => "es-CO",
            Lang::En => "en-GB",
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

/// The CLDR plural category of the whole number `n` in `lang`: Spanish and
/// English both say `one` for exactly 1 and `other` for everything else
/// (Spanish's `many`, for exact millions written in words, never applies to
/// numbers written in digits).
pub fn plural_category(lang: Lang, n: i64) -> &'static str {
    match lang {
        Lang::Es | Lang::En if n == 1 => "one",
        Lang::Es | Lang::En => "other",
    }
}

/// A counted phrase: the text of `key.one` or `key.other` (by
/// [`plural_category`]) with `{n}` replaced by `n` written the language's
/// way: "1 caso", "25 casos", "10.000 casos"; "1 ticket", "10,000 tickets".
pub fn count(lang: Lang, key: &str, n: i64) -> String {
    let form = text(lang, &format!("{key}.{}", plural_category(lang, n)));
    form.replace("{n}", &number(lang, n))
}

/// A whole number with the language's digit grouping: Spanish groups with
/// a dot from five digits on (2026, 10.000), English with a comma from four
/// (2,026).
pub fn number(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let (separator, min_digits) = match lang {
        Lang::Es => ('.', 5),
        Lang::En => (',', 4),
    };
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    if digits.len() < min_digits {
        out.push_str(&digits);
        return out;
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(d);
    }
    out
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
    crate::Channel => "channel",
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
    keys.extend(crate::Channel::ALL.iter().map(Labelled::label_key));
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
    fn counts_agree_with_their_number_in_both_languages() {
        assert_eq!(count(Lang::Es, "ui.queue.count", 1), "1 caso");
        assert_eq!(count(Lang::Es, "ui.queue.count", 0), "0 casos");
        assert_eq!(count(Lang::Es, "ui.queue.count", 25), "25 casos");
        assert_eq!(count(Lang::En, "ui.queue.count", 1), "1 ticket");
        assert_eq!(count(Lang::En, "ui.queue.count", 2), "2 tickets");
        assert_eq!(count(Lang::Es, "ui.queue.count_more", 1000), "más de 1000 casos");
        assert_eq!(count(Lang::En, "ui.queue.count_more", 1000), "more than 1,000 tickets");
    }

    #[test]
    fn numbers_are_grouped_the_languages_way() {
        assert_eq!(number(Lang::Es, 2026), "2026");
        assert_eq!(number(Lang::Es, 10_000), "10.000");
        assert_eq!(number(Lang::Es, 1_234_567), "1.234.567");
        assert_eq!(number(Lang::En, 999), "999");
        assert_eq!(number(Lang::En, 1_000), "1,000");
        assert_eq!(number(Lang::En, -123_456), "-123,456");
    }

    #[test]
    fn every_plural_key_has_both_forms_and_names_its_number() {
        for lang in Lang::ALL {
            for (key, value) in catalog(lang) {
                let Some(base) = key.strip_suffix(".one").or_else(|| key.strip_suffix(".other")) else { continue };
                // A value's label that merely ends in `.other` (the reassignment
                // criterion `other`) is no plural: it has no `.one` and no number.
                if !value.contains("{n}") && text(lang, &format!("{base}.one")) == "??" {
                    continue;
                }
                for form in ["one", "other"] {
                    let text = text(lang, &format!("{base}.{form}"));
                    assert_ne!(text, "??", "{base}.{form} is missing in {}", lang.code());
                    assert!(text.contains("{n}"), "{base}.{form} ({}) does not show its number", lang.code());
                }
                assert!(value.contains("{n}"));
            }
        }
    }

    #[test]
    fn language_codes_fall_back_to_spanish() {
        assert_eq!(Lang::from_code("en-US"), Lang::En);
        assert_eq!(Lang::from_code("es-CO"), Lang::Es);
        assert_eq!(Lang::from_code("fr"), Lang::Es);
        assert_eq!(Lang::from_code(""), Lang::Es);
    }
}
