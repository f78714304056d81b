//! Who really sent a message, and what that lets it do (issue 11).
//!
//! Every message gets a [`Verdict`] before it touches a ticket: from Mesa's
//! own DKIM/SPF/DMARC checks, or from the `Authentication-Results` header of
//! the institution's MTA, per mailbox ([`SenderPolicy`]). Then:
//!
//! - a staff member's mail is their reply (or, with `#interno`, their
//!   internal note) only when it authenticates; otherwise it is kept as an
//!   internal note marked unverified (nothing sent, nothing changed) or held
//!   for an admin, per `unverified_staff`;
//! - anyone else's mail that fails DMARC is appended marked unverified and
//!   changes nothing (no reopening, no participants);
//! - the To/Cc of a mail join the ticket only when it authenticates;
//! - a failed DNS look-up (`temperror`) leaves the message for later.

use chrono::{TimeDelta, Utc};
use mesa_core::Lang;
use mesa_core::labels::text;
use mesa_mail::{Envelope, ParsedMail, SenderAuth, Verdict, from_authentication_results};
use mesa_store::{InboxMessage, MailVerdict};

use super::settings::SenderPolicy;
use crate::{AppResult, Desk, TicketPage};

/// How long a message whose sender cannot be checked (DNS keeps failing)
/// is retried before it is processed as unverified: a day, as MTAs retry.
const TEMPERROR_PATIENCE: TimeDelta = TimeDelta::hours(24);

/// The staff command that makes a mail an internal note, on the first line.
const INTERNAL_MARKERS: [&str; 2] = ["#interno", "#internal"];

/// What Mesa knows about a message's origin while processing it.
#[derive(Debug, Clone)]
pub(crate) struct Trust {
    pub auth: SenderAuth,
    /// A different message that came with a Message-ID already stored.
    pub reused_message_id: bool,
}

impl Trust {
    pub fn authenticated(&self) -> bool {
        self.auth.verdict == Verdict::Pass
    }
}

/// How a mail becomes a thread entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryKind {
    pub internal: bool,
    /// Reopens, moves the status, stamps the first response.
    pub changes_ticket: bool,
    /// Mails the reply to the people on the ticket.
    pub notifies: bool,
    /// Its To/Cc join the ticket.
    pub admits_participants: bool,
    /// The body, as stored.
    pub body: String,
}

/// What a mail from `author_is_staff` with this `trust` becomes on a ticket
/// (`None`: held for an admin), its `body` already cut to size.
pub(crate) fn entry_kind(
    trust: &Trust,
    policy: &SenderPolicy,
    author_is_staff: bool,
    author: &str,
    lang: Lang,
    body: &str,
) -> Option<EntryKind> {
    let verdict = trust.auth.verdict.as_str();
    if author_is_staff && !trust.authenticated() {
        if policy.unverified_staff == "hold" {
            return None;
        }
        let note = text(lang, "mail.unverified_staff").replace("{verdict}", verdict).replace("{author}", author);
        return Some(EntryKind {
            internal: true,
            changes_ticket: false,
            notifies: false,
            admits_participants: false,
            body: format!("{note}\n\n{body}"),
        });
    }
    if author_is_staff {
        return Some(match without_internal_marker(body) {
            Some(note) => EntryKind {
                internal: true,
                changes_ticket: false,
                notifies: false,
                admits_participants: false,
                body: note,
            },
            None => EntryKind {
                internal: false,
                changes_ticket: true,
                notifies: true,
                admits_participants: true,
                body: body.to_owned(),
            },
        });
    }
    if trust.auth.verdict == Verdict::Fail {
        let mark = text(lang, "mail.unverified").replace("{verdict}", verdict);
        return Some(EntryKind {
            internal: false,
            changes_ticket: false,
            notifies: true,
            admits_participants: false,
            body: format!("{mark}\n\n{body}"),
        });
    }
    Some(EntryKind {
        internal: false,
        changes_ticket: true,
        notifies: true,
        admits_participants: trust.authenticated(),
        body: body.to_owned(),
    })
}

/// `body` without its first line when that line is a staff command for an
/// internal note (`#interno`); `None` when it has none.
pub(crate) fn without_internal_marker(body: &str) -> Option<String> {
    let trimmed = body.trim_start();
    let (first, rest) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
    let first = first.trim();
    INTERNAL_MARKERS.iter().any(|m| first.eq_ignore_ascii_case(m)).then(|| rest.trim_start().to_owned())
}

impl Desk {
    /// The sender verdicts of the mails `page`'s ticket (`entry_id` `None`)
    /// and its visible entries came from, for the page to show.
    pub async fn mail_verdicts(&self, page: &TicketPage) -> AppResult<Vec<MailVerdict>> {
        let mut verdicts = self.store.mail_verdicts(page.view.ticket.id).await?;
        verdicts.retain(|v| v.entry_id.is_none_or(|id| page.entries.iter().any(|e| e.id == id)));
        Ok(verdicts)
    }

    /// The sender authentication of a message received through `mailbox`,
    /// per that mailbox's policy. `temperror` stays `temperror` for
    /// [`TEMPERROR_PATIENCE`] after the message arrived; then it is `none`.
    pub(crate) async fn authenticate(
        &self,
        stored: &InboxMessage,
        raw: &[u8],
        mail: &ParsedMail,
        envelope: Option<&Envelope>,
    ) -> AppResult<SenderAuth> {
        let context = self.mail_context().await?;
        let policy = context.settings.sender_policy(&stored.mailbox);
        let auth = match policy.method.as_str() {
            "authentication_results" => from_authentication_results(mail, &policy.authserv_id),
            "off" => SenderAuth::new(Verdict::None, "sender authentication is off"),
            _ => match &self.settings.sender_verifier {
                Some(verifier) => verifier.verify(raw, envelope).await,
                None => SenderAuth::new(Verdict::None, "no DNS resolver configured"),
            },
        };
        if auth.verdict == Verdict::TempError && Utc::now() - stored.received_at > TEMPERROR_PATIENCE {
            return Ok(SenderAuth::new(Verdict::None, format!("{} (for over a day)", auth.detail)));
        }
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(verdict: Verdict) -> Trust {
        Trust { auth: SenderAuth::new(verdict, ""), reused_message_id: false }
    }

    #[test]
    fn staff_mail_is_a_reply_only_when_it_authenticates() {
        let policy = SenderPolicy::default();
        let reply = entry_kind(&trust(Verdict::Pass), &policy, true, "a@b.co", Lang::Es, "Listo").unwrap();
        assert!(!reply.internal && reply.changes_ticket && reply.notifies);
        for verdict in [Verdict::None, Verdict::Fail] {
            let note = entry_kind(&trust(verdict), &policy, true, "a@b.co", Lang::Es, "Listo").unwrap();
            assert!(note.internal && !note.changes_ticket && !note.notifies && !note.admits_participants);
            assert!(note.body.contains("remitente no verificado"), "{}", note.body);
        }
        let hold = SenderPolicy { unverified_staff: "hold".into(), ..Default::default() };
        assert_eq!(entry_kind(&trust(Verdict::None), &hold, true, "a@b.co", Lang::Es, "x"), None);
    }

    #[test]
    fn the_internal_marker_works_for_authenticated_staff_only() {
        let policy = SenderPolicy::default();
        let note =
            entry_kind(&trust(Verdict::Pass), &policy, true, "a", Lang::Es, "#interno\nSolo para el equipo").unwrap();
        assert!(note.internal && !note.notifies);
        assert_eq!(note.body, "Solo para el equipo");
        let requester = entry_kind(&trust(Verdict::Pass), &policy, false, "a", Lang::Es, "#interno\nhola").unwrap();
        assert!(!requester.internal);
        assert_eq!(without_internal_marker("  #Interno  \r\nx"), Some("x".into()));
        assert_eq!(without_internal_marker("Hola #interno"), None);
    }

    #[test]
    fn a_requester_failing_dmarc_changes_nothing_and_only_a_pass_admits_participants() {
        let policy = SenderPolicy::default();
        let failed = entry_kind(&trust(Verdict::Fail), &policy, false, "a", Lang::Es, "hola").unwrap();
        assert!(!failed.internal && !failed.changes_ticket && !failed.admits_participants);
        assert!(failed.body.starts_with("[remitente no verificado: fail]"));
        let none = entry_kind(&trust(Verdict::None), &policy, false, "a", Lang::Es, "hola").unwrap();
        assert!(none.changes_ticket && !none.admits_participants);
        let pass = entry_kind(&trust(Verdict::Pass), &policy, false, "a", Lang::Es, "hola").unwrap();
        assert!(pass.admits_participants);
    }
}
