//! What templates call: translations, dates in the desk's time zone, labels.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::sync::Arc;

use mesa_core::labels::{Labelled, Lang, count, text};
use mesa_core::words::DeskWords;

/// The translator a template holds: `{{ tr.t("ui.nav.tickets") }}`; domain
/// values read in the desk's words (`tr.label(status)`).
#[derive(Debug, Clone)]
pub struct Tr {
    lang: Lang,
    words: Arc<DeskWords>,
}

impl Tr {
    pub fn new(lang: Lang, words: Arc<DeskWords>) -> Tr {
        Tr { lang, words }
    }

    /// Built-in words only (pages shown before anyone signs in).
    pub fn plain(lang: Lang) -> Tr {
        Tr { lang, words: Arc::default() }
    }

    pub fn t(&self, key: &str) -> &'static str {
        text(self.lang, key)
    }

    pub fn label(&self, value: &dyn Labelled) -> String {
        self.words.text(self.lang, &value.label_key())
    }

    /// A counted phrase in the right plural form: `{{ c.tr.n("ui.queue.count", total) }}`
    /// reads "1 caso" or "25 casos" (keys `….one` and `….other`).
    pub fn n(&self, key: &str, n: &i64) -> String {
        count(self.lang, key, *n)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The page's `lang`: `es-CO` or `en-GB` (day-month-year dates).
    pub fn locale(&self) -> &'static str {
        self.lang.locale()
    }
}

/// `dd/mm/aaaa hh:mm` in the desk's time zone (Colombian format).
pub fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string()
}

/// Business minutes as "3 h 20 min" (negative: overdue).
pub fn business_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "−" } else { "" };
    let m = minutes.abs();
    match (m / 60, m % 60) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, m) => format!("{sign}{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_colombian_and_in_the_desk_zone() {
        let t = DateTime::parse_from_rfc3339("2026-11-23T13:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(when(t, chrono_tz::America::Bogota), "23/11/2026 08:05");
    }

    #[test]
    fn the_queue_counts_its_tickets_in_the_right_plural() {
        assert_eq!(Tr::plain(Lang::Es).n("ui.queue.count", &1), "1 caso");
        assert_eq!(Tr::plain(Lang::Es).n("ui.queue.count", &3), "3 casos");
        assert_eq!(Tr::plain(Lang::En).n("ui.queue.count", &1), "1 ticket");
        assert_eq!(Tr::plain(Lang::En).n("ui.mail.attempts", &2), "2 attempts");
    }

    #[test]
    fn business_time_reads_in_hours_and_minutes() {
        assert_eq!(business_minutes(200), "3 h 20 min");
        assert_eq!(business_minutes(120), "2 h");
        assert_eq!(business_minutes(-45), "−45 min");
    }
}

#[cfg(test)]
mod catalog_tests {
    use mesa_core::labels::{Lang, text};

    /// A key is translated when it exists, or when it is a counted phrase
    /// with both plural forms.
    fn translated(lang: Lang, key: &str) -> bool {
        text(lang, key) != "??" || ["one", "other"].iter().all(|form| text(lang, &format!("{key}.{form}")) != "??")
    }

    /// Every `ui.*` key written in a template or in the UI code exists in
    /// both catalogs (dynamic keys are listed by the code that builds them).
    #[test]
    fn every_ui_key_in_templates_and_code_is_translated() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        let mut folders = vec![dir.join("templates"), dir.join("src/ui")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                match path.is_dir() {
                    true => folders.push(path),
                    false => sources.push(std::fs::read_to_string(path).unwrap()),
                }
            }
        }
        let mut keys: Vec<String> = Vec::new();
        for source in &sources {
            for part in source.split('"').skip(1).step_by(2) {
                if part.starts_with("ui.") && !part.ends_with('.') && !part.contains('{') {
                    keys.push(part.to_owned());
                }
            }
        }
        let dynamic = ["mine", "team", "unassigned", "on_hold", "awaiting", "all"].map(|q| format!("ui.queue.{q}"));
        keys.extend(dynamic);
        assert!(keys.len() > 100, "the scan found the keys");
        for key in keys {
            for lang in Lang::ALL {
                assert!(translated(lang, &key), "{key} is missing from the {} catalog", lang.code());
            }
        }
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a
/// query value or a `filename*` parameter.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
