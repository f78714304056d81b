//! The mails Mesa sends, per kind and language: defaults from the i18n
//! catalogs (`mail.<kind>.subject` / `.body`, `\n` for line breaks), which an
//! admin may override; `{placeholders}` filled in when a mail is queued.

use std::collections::BTreeMap;

use mesa_core::Lang;
use mesa_core::labels::text;
use mesa_core::validate::FieldError;
use serde::{Deserialize, Serialize};

/// Every kind of mail, in the order the admin page lists them.
pub const KINDS: &[&str] = &[
    "created",
    "public_reply",
    "status_changed",
    "solved",
    "closed",
    "agent_new_ticket",
    "agent_assigned",
    "authorization_requested",
    "requester_replied",
    "password_reset",
    "password_set",
    "attachment_dropped",
    "survey_invite",
    "survey_low_score",
];

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "tag",
    "number",
    "subject",
    "requester",
    "author",
    "body",
    "status",
    "reason",
    "resolution",
    "link",
    "approve_link",
    "reject_link",
    "assignee",
    "survey",
    "survey_link",
    "score",
];

pub const TEMPLATES_KEY: &str = "mail_templates";

/// A subject and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

/// The admin's overrides: kind → language code → template.
pub type TemplateOverrides = BTreeMap<String, BTreeMap<String, Template>>;

/// The built-in template of a kind in a language.
pub fn default_template(kind: &str, lang: Lang) -> Template {
    let unescape = |s: &str| s.replace("\\n", "\n");
    Template {
        subject: unescape(text(lang, &format!("mail.{kind}.subject"))),
        body: unescape(text(lang, &format!("mail.{kind}.body"))),
    }
}

/// The template in force: the admin's override, else the default.
pub fn template(overrides: &TemplateOverrides, kind: &str, lang: Lang) -> Template {
    overrides
        .get(kind)
        .and_then(|by_lang| by_lang.get(lang.code()))
        .cloned()
        .unwrap_or_else(|| default_template(kind, lang))
}

/// Checks overrides before they are stored: known kinds and languages,
/// bounded sizes, known placeholders only.
pub fn check(overrides: &TemplateOverrides) -> Result<(), FieldError> {
    for (kind, by_lang) in overrides {
        if !KINDS.contains(&kind.as_str()) {
            return Err(FieldError::new("templates", "unknown_kind", format!("no mail kind {kind:?}")));
        }
        for (code, t) in by_lang {
            if !Lang::ALL.iter().any(|l| l.code() == code) {
                return Err(FieldError::new("templates", "unknown_language", format!("no language {code:?}")));
            }
            if t.subject.trim().is_empty() || t.subject.len() > 250 || t.subject.contains(['\r', '\n']) {
                return Err(FieldError::new(
                    "templates",
                    "invalid_subject",
                    format!("{kind}/{code}: one line, 1 to 250 characters"),
                ));
            }
            if t.body.trim().is_empty() || t.body.len() > 20_000 {
                return Err(FieldError::new(
                    "templates",
                    "invalid_body",
                    format!("{kind}/{code}: 1 to 20000 characters"),
                ));
            }
            for name in placeholders_in(&t.subject).chain(placeholders_in(&t.body)) {
                if !PLACEHOLDERS.contains(&name) {
                    return Err(FieldError::new(
                        "templates",
                        "unknown_placeholder",
                        format!("{kind}/{code}: no placeholder {{{name}}}"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn placeholders_in(s: &str) -> impl Iterator<Item = &str> {
    s.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

/// Replaces `{name}` with its value; unknown names stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .split_once('}')
            .and_then(|(name, tail)| values.iter().find(|(n, _)| *n == name).map(|(_, v)| (v, tail)))
        {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The HTML part for a plain-text body: escaped, line breaks kept, links
/// clickable.
pub fn text_to_html(body: &str) -> String {
    let mut html = String::from("<div style=\"font-family:sans-serif;font-size:14px;line-height:1.4\">");
    for (i, line) in body.lines().enumerate() {
        if i > 0 {
            html.push_str("<br>\n");
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                html.push(' ');
            }
            if word.starts_with("https://") || word.starts_with("http://") {
                let url = mesa_mail::escape_html(word);
                html.push_str(&format!("<a href=\"{url}\">{url}</a>"));
            } else {
                html.push_str(&mesa_mail::escape_html(word));
            }
        }
    }
    html.push_str("</div>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_template_in_every_language_using_known_placeholders() {
        for kind in KINDS {
            for lang in Lang::ALL {
                let t = default_template(kind, lang);
                assert!(!t.subject.is_empty() && !t.subject.contains("??"), "{kind} {lang:?}");
                assert!(!t.body.is_empty() && !t.body.contains("??"), "{kind} {lang:?}");
                let mut overrides = TemplateOverrides::new();
                overrides.entry(kind.to_string()).or_default().insert(lang.code().into(), t);
                check(&overrides).unwrap();
            }
        }
    }

    #[test]
    fn the_created_template_carries_the_number_and_the_tag() {
        let t = default_template("created", Lang::Es);
        let subject = fill(&t.subject, &[("tag", "[#7]"), ("subject", "Impresora")]);
        assert!(subject.contains("[#7]"));
        assert!(fill(&t.body, &[("number", "7")]).contains('7'));
    }

    #[test]
    fn fill_replaces_known_names_and_leaves_other_braces() {
        assert_eq!(fill("{a} y {b} {c", &[("a", "1"), ("b", "{a}")]), "1 y {a} {c");
    }

    #[test]
    fn overrides_with_unknown_placeholders_or_kinds_are_refused() {
        let mut o = TemplateOverrides::new();
        o.entry("created".into())
            .or_default()
            .insert("es".into(), Template { subject: "{nope}".into(), body: "x".into() });
        assert_eq!(check(&o).unwrap_err().code, "unknown_placeholder");
        let mut o = TemplateOverrides::new();
        o.entry("spam".into()).or_default();
        assert_eq!(check(&o).unwrap_err().code, "unknown_kind");
    }

    #[test]
    fn html_parts_escape_text_and_link_urls() {
        let html = text_to_html("<b>hola</b>\nhttps://mesa.example/tickets/1");
        assert!(html.contains("&lt;b&gt;hola&lt;/b&gt;<br>"));
        assert!(html.contains("<a href=\"https://mesa.example/tickets/1\">"));
    }
}
