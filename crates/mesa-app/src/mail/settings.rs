//! The desk's e-mail policy, as the admin sets it.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use mesa_core::validate::FieldError;
use mesa_mail::{StrangerTagAction, ThreadPolicy};
use serde::{Deserialize, Serialize};

/// How the desk treats incoming mail. Stored as JSON under [`MAIL_SETTINGS_KEY`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// Put before `#` in the subject tag: `""` gives `[#123]`, `"Mesa"` gives `[Mesa #123]`.
    pub tag_prefix: String,
    /// A reply this many days after closing reopens the ticket; a later one
    /// opens a new ticket linked to it.
    pub reopen_within_days: u32,
    /// Someone outside a ticket writing with its tag: `new_ticket` or `quarantine`.
    pub stranger_tag: String,
    /// When not empty, only senders from these domains become requesters by
    /// mail (e.g. the institution's); others are quarantined.
    pub allowed_domains: Vec<String>,
    /// Acknowledge every new ticket by mail with its number (seed 000).
    pub auto_reply: bool,
    /// At most this many automatic answers per sender and hour (loop brake).
    pub auto_replies_per_hour: u32,
    /// Mail agents about new tickets for their team and assignments.
    pub notify_agents: bool,
    /// How senders are authenticated and what an unauthenticated one may do
    /// (see docs/security.md), for every mailbox without its own entry in
    /// `mailbox_authentication`.
    pub authentication: SenderPolicy,
    /// Per mailbox (an IMAP mailbox's name, or the name `mail ingest` gets).
    pub mailbox_authentication: BTreeMap<String, SenderPolicy>,
    /// A requester's public reply to a solved ticket reopens it unless it is
    /// only one of these courtesies (`mesa_core::courtesy`).
    pub thanks_phrases: Vec<String>,
}

/// The most courtesy phrases, and the longest one.
pub const MAX_THANKS_PHRASES: usize = 50;
pub const MAX_THANKS_CHARS: usize = 100;

/// How one mailbox authenticates senders (issue 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SenderPolicy {
    /// `dns`: Mesa checks DKIM, SPF (with the MTA's envelope) and DMARC
    /// itself. `authentication_results`: Mesa reads the verdict the
    /// institution's MTA stamped (only its `authserv_id`'s header). `off`:
    /// nothing is checked, so nothing authenticates (every sender is
    /// unverified; staff mail becomes internal notes).
    pub method: String,
    /// The `authserv-id` of the institution's MTA (`authentication_results`).
    pub authserv_id: String,
    /// A staff member's mail that does not authenticate: `internal_note`
    /// (kept on the ticket as an internal note marked unverified, nothing
    /// sent, nothing changed) or `hold` (quarantined for an admin).
    pub unverified_staff: String,
}

impl Default for SenderPolicy {
    fn default() -> Self {
        Self { method: "dns".into(), authserv_id: String::new(), unverified_staff: "internal_note".into() }
    }
}

impl SenderPolicy {
    fn check(&self) -> Result<(), FieldError> {
        if !matches!(self.method.as_str(), "dns" | "authentication_results" | "off") {
            return Err(FieldError::new(
                "authentication",
                "invalid",
                "the method is dns, authentication_results or off",
            ));
        }
        if self.method == "authentication_results"
            && (self.authserv_id.trim().is_empty()
                || self.authserv_id.len() > 255
                || self.authserv_id.chars().any(|c| c.is_whitespace() || c == ';' || c.is_control()))
        {
            return Err(FieldError::new(
                "authserv_id",
                "invalid",
                "authentication_results needs the authserv-id of the institution's MTA (e.g. mx.cajica.gov.co)",
            ));
        }
        if !matches!(self.unverified_staff.as_str(), "internal_note" | "hold") {
            return Err(FieldError::new("unverified_staff", "invalid", "unverified_staff is internal_note or hold"));
        }
        Ok(())
    }
}

pub const MAIL_SETTINGS_KEY: &str = "mail";

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            tag_prefix: String::new(),
            reopen_within_days: 14,
            stranger_tag: "new_ticket".into(),
            allowed_domains: Vec::new(),
            auto_reply: true,
            auto_replies_per_hour: 5,
            notify_agents: true,
            authentication: SenderPolicy::default(),
            mailbox_authentication: BTreeMap::new(),
            thanks_phrases: mesa_core::courtesy::DEFAULT_THANKS.iter().map(|p| p.to_string()).collect(),
        }
    }
}

impl MailSettings {
    pub fn check(&self) -> Result<(), FieldError> {
        if self.tag_prefix.len() > 20 || self.tag_prefix.chars().any(|c| matches!(c, '[' | ']' | '#') || c.is_control())
        {
            return Err(FieldError::new(
                "tag_prefix",
                "invalid",
                "the tag prefix is up to 20 characters without [ ] #",
            ));
        }
        if self.reopen_within_days > 3650 {
            return Err(FieldError::new("reopen_within_days", "out_of_range", "reopen_within_days must be 0 to 3650"));
        }
        if !matches!(self.stranger_tag.as_str(), "new_ticket" | "quarantine") {
            return Err(FieldError::new("stranger_tag", "invalid", "stranger_tag is new_ticket or quarantine"));
        }
        if let Some(bad) = self.allowed_domains.iter().find(|d| !valid_domain(d)) {
            return Err(FieldError::new("allowed_domains", "invalid", format!("{bad:?} is not a domain name")));
        }
        if self.auto_replies_per_hour > 1000 {
            return Err(FieldError::new("auto_replies_per_hour", "out_of_range", "auto_replies_per_hour is 0 to 1000"));
        }
        let bad_phrase =
            |p: &String| p.trim().is_empty() || p.chars().count() > MAX_THANKS_CHARS || p.chars().any(char::is_control);
        if self.thanks_phrases.len() > MAX_THANKS_PHRASES || self.thanks_phrases.iter().any(bad_phrase) {
            return Err(FieldError::new(
                "thanks_phrases",
                "invalid",
                format!("up to {MAX_THANKS_PHRASES} phrases of one line and 1 to {MAX_THANKS_CHARS} characters"),
            ));
        }
        self.authentication.check()?;
        for policy in self.mailbox_authentication.values() {
            policy.check()?;
        }
        Ok(())
    }

    pub fn thread_policy(&self) -> ThreadPolicy {
        ThreadPolicy {
            reopen_within: TimeDelta::days(i64::from(self.reopen_within_days)),
            stranger_tag: if self.stranger_tag == "quarantine" {
                StrangerTagAction::Quarantine
            } else {
                StrangerTagAction::NewTicket
            },
        }
    }

    /// Whether someone writing from `address` may become a requester by mail.
    pub fn admits(&self, address: &str) -> bool {
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        self.allowed_domains.is_empty()
            || self.allowed_domains.iter().any(|d| {
                let d = d.trim().trim_start_matches('@');
                domain.eq_ignore_ascii_case(d)
                    || domain.to_ascii_lowercase().ends_with(&format!(".{}", d.to_ascii_lowercase()))
            })
    }

    /// How mail received through `mailbox` is authenticated.
    pub fn sender_policy(&self, mailbox: &str) -> &SenderPolicy {
        self.mailbox_authentication.get(mailbox).unwrap_or(&self.authentication)
    }

    /// The tag Mesa puts first in the subjects it sends.
    pub fn tag(&self, number: i64) -> String {
        match self.tag_prefix.trim() {
            "" => format!("[#{number}]"),
            prefix => format!("[{prefix} #{number}]"),
        }
    }
}

fn valid_domain(d: &str) -> bool {
    let d = d.trim().trim_start_matches('@');
    !d.is_empty() && d.contains('.') && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_domains_admit_the_domain_and_its_subdomains_only() {
        let s = MailSettings { allowed_domains: vec!["cajica.gov.co".into()], ..Default::default() };
        assert!(s.admits("ana@cajica.gov.co"));
        assert!(s.admits("ana@deportes.CAJICA.gov.co"));
        assert!(!s.admits("ana@gmail.com"));
        assert!(!s.admits("ana@notcajica.gov.co"));
        assert!(MailSettings::default().admits("anyone@anywhere.org"));
    }

    #[test]
    fn tags_follow_the_prefix_and_are_read_back_by_the_parser() {
        let plain = MailSettings::default();
        assert_eq!(plain.tag(42), "[#42]");
        assert_eq!(mesa_mail::subject_tag(&format!("{} Impresora", plain.tag(42)), ""), Some(42));
        let named = MailSettings { tag_prefix: "Mesa".into(), ..Default::default() };
        assert_eq!(named.tag(42), "[Mesa #42]");
        assert_eq!(mesa_mail::subject_tag(&named.tag(42), "Mesa"), Some(42));
    }

    #[test]
    fn bad_settings_name_the_field() {
        let bad = MailSettings { stranger_tag: "drop".into(), ..Default::default() };
        assert_eq!(bad.check().unwrap_err().field, "stranger_tag");
        let bad = MailSettings { allowed_domains: vec!["not a domain".into()], ..Default::default() };
        assert_eq!(bad.check().unwrap_err().field, "allowed_domains");
        let trusting_anyone = SenderPolicy { method: "authentication_results".into(), ..Default::default() };
        let bad = MailSettings {
            mailbox_authentication: [("soporte".to_owned(), trusting_anyone)].into(),
            ..Default::default()
        };
        assert_eq!(bad.check().unwrap_err().field, "authserv_id");
        assert!(MailSettings::default().check().is_ok());
    }
}
