//! Threading: does an incoming message belong to a ticket, and which?
//!
//! The rule (PRODUCT.md §4, seed 000 step 2): a reply joins its ticket by
//! `In-Reply-To`/`References` naming a Message-ID the help desk sent or received,
//! or by the subject tag; never by the subject text alone. The decision is a pure
//! function: the caller looks the candidates up in storage ([`references_to_check`],
//! [`crate::subject_tag`]) and passes what it found as [`ThreadFacts`].

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use crate::mail::ParsedMail;
use crate::message_id::{MessageId, MessageIdSigner};

/// A reference worth looking up, in the order to try them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference<'a> {
    /// One of Mesa's own IDs with a valid signature: it names this ticket number,
    /// no look-up of the ID needed.
    Signed { id: &'a MessageId, ticket: i64 },
    /// Any other ID: look it up among the Message-IDs Mesa received or sent.
    Stored { id: &'a MessageId },
}

/// The references of `mail` to look up, most specific first (see
/// [`ParsedMail::thread_references`]). IDs shaped like Mesa's whose signature
/// does not verify are dropped: they are forged or altered, and must not reach a
/// ticket by any route.
pub fn references_to_check<'a>(mail: &'a ParsedMail, signer: &MessageIdSigner) -> Vec<Reference<'a>> {
    mail.thread_references()
        .into_iter()
        .filter_map(|id| match signer.verify(id.as_str()) {
            Some(ticket) => Some(Reference::Signed { id, ticket }),
            None if signer.looks_like_ours(id) => None,
            None => Some(Reference::Stored { id }),
        })
        .collect()
}

/// Whether a ticket is still open to replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    /// Any state before closed, solved included: a reply to a solved ticket is
    /// appended, and the lifecycle (mesa-core) decides whether it rejects the
    /// solution.
    Open,
    /// Closed at this instant.
    Closed { at: DateTime<Utc> },
}

/// What the caller knows about one ticket a message points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub number: i64,
    /// The requester's address.
    pub requester: String,
    /// Everyone on the ticket's thread so far (the To/Cc of its messages, see
    /// [`ParsedMail::participants`]).
    pub participants: Vec<String>,
    pub state: TicketState,
}

impl TicketFacts {
    /// Whether `address` is the requester or a participant (case-insensitive).
    fn involves(&self, address: &str) -> bool {
        self.requester.trim().eq_ignore_ascii_case(address)
            || self.participants.iter().any(|p| p.trim().eq_ignore_ascii_case(address))
    }
}

/// What the caller found for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadFacts {
    /// The ticket of the first [`Reference`] that resolved (signed, or found
    /// among stored Message-IDs).
    pub by_reference: Option<TicketFacts>,
    /// The ticket named by the subject tag, if it exists.
    pub by_tag: Option<TicketFacts>,
    /// Whether the author is one of the desk's agents (agents may write on any
    /// ticket).
    pub sender_is_agent: bool,
}

/// What to do when someone who is neither the requester, a participant nor an
/// agent writes with another ticket's tag in the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StrangerTagAction {
    /// Open a new ticket for them (the tag is ignored).
    #[default]
    NewTicket,
    /// Hold the message for an agent to decide.
    Quarantine,
}

/// The desk's configuration for threading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadPolicy {
    /// A reply this long after closing reopens the ticket; a later one opens a new
    /// ticket linked to the old. Calendar time, not business time: it answers
    /// "is this still the same conversation?", not an SLA.
    pub reopen_within: TimeDelta,
    pub stranger_tag: StrangerTagAction,
}

impl Default for ThreadPolicy {
    fn default() -> Self {
        Self { reopen_within: TimeDelta::days(14), stranger_tag: StrangerTagAction::NewTicket }
    }
}

/// Why a message is held for an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarantineReason {
    /// The subject carries ticket `ticket`'s tag but the author has no part in it.
    TagFromStranger { ticket: i64 },
    /// It answers a Message-ID of ticket `ticket` but the author has no part in it.
    ReferenceFromStranger { ticket: i64 },
    /// No `From` or `Sender` address: there is no one to attribute it to.
    NoSender,
}

impl QuarantineReason {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TagFromStranger { .. } => "tag_from_stranger",
            Self::ReferenceFromStranger { .. } => "reference_from_stranger",
            Self::NoSender => "no_sender",
        }
    }
}

impl fmt::Display for QuarantineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadDecision {
    /// Add it to this open ticket.
    Append { number: i64 },
    /// Add it to this closed ticket and reopen it.
    Reopen { number: i64 },
    /// Open a new ticket, linked to an old closed one when this continues it.
    NewTicket { linked_to: Option<i64> },
    /// Store it and let an agent decide.
    Quarantine { reason: QuarantineReason },
}

/// Decides where `mail` goes, given what the caller found.
///
/// 1. No `From`/`Sender` address → quarantine (`no_sender`).
/// 2. A resolved reference wins over the tag, and 3. otherwise the tag; either
///    only for the requester, a participant or an agent. Knowing a Message-ID
///    proves nothing (it was in every mail of the thread, forwards included),
///    so anyone else gets a new ticket or quarantine, per
///    [`ThreadPolicy::stranger_tag`]; never someone else's ticket.
/// 4. A matched ticket that is closed: within [`ThreadPolicy::reopen_within`]
///    of closing → reopen; later → new ticket linked to it.
/// 5. Nothing matched → new ticket. The subject text is never consulted.
pub fn decide(mail: &ParsedMail, facts: &ThreadFacts, policy: &ThreadPolicy, now: DateTime<Utc>) -> ThreadDecision {
    let Some(author) = mail.author() else {
        return ThreadDecision::Quarantine { reason: QuarantineReason::NoSender };
    };
    let member = |ticket: &TicketFacts| facts.sender_is_agent || ticket.involves(&author.address);
    if let Some(ticket) = &facts.by_reference {
        if member(ticket) {
            return join(ticket, policy, now);
        }
        return stranger(policy, QuarantineReason::ReferenceFromStranger { ticket: ticket.number });
    }
    if let Some(ticket) = &facts.by_tag {
        if member(ticket) {
            return join(ticket, policy, now);
        }
        return stranger(policy, QuarantineReason::TagFromStranger { ticket: ticket.number });
    }
    ThreadDecision::NewTicket { linked_to: None }
}

/// Someone outside a ticket pointing at it: a new ticket of their own, or held.
fn stranger(policy: &ThreadPolicy, reason: QuarantineReason) -> ThreadDecision {
    match policy.stranger_tag {
        StrangerTagAction::NewTicket => ThreadDecision::NewTicket { linked_to: None },
        StrangerTagAction::Quarantine => ThreadDecision::Quarantine { reason },
    }
}

fn join(ticket: &TicketFacts, policy: &ThreadPolicy, now: DateTime<Utc>) -> ThreadDecision {
    match ticket.state {
        TicketState::Open => ThreadDecision::Append { number: ticket.number },
        TicketState::Closed { at } if now - at <= policy.reopen_within => {
            ThreadDecision::Reopen { number: ticket.number }
        }
        TicketState::Closed { .. } => ThreadDecision::NewTicket { linked_to: Some(ticket.number) },
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::mail::Mailbox;
    use crate::subject::subject_tag;

    const REQUESTER: &str = "ana.gomez@villaesperanza.gov.co";
    const CC: &str = "jefe.tesoreria@villaesperanza.gov.co";
    const STRANGER: &str = "otro@gmail.com";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 14, 0, 0).unwrap()
    }

    fn mail_from(address: &str, subject: &str) -> ParsedMail {
        ParsedMail { from: Mailbox::new(None, address), subject: subject.into(), ..Default::default() }
    }

    fn ticket(number: i64, state: TicketState) -> TicketFacts {
        TicketFacts { number, requester: REQUESTER.into(), participants: vec![CC.into()], state }
    }

    fn open(number: i64) -> TicketFacts {
        ticket(number, TicketState::Open)
    }

    fn closed_days_ago(number: i64, days: i64) -> TicketFacts {
        ticket(number, TicketState::Closed { at: now() - TimeDelta::days(days) })
    }

    fn by_tag(t: TicketFacts) -> ThreadFacts {
        ThreadFacts { by_tag: Some(t), ..Default::default() }
    }

    fn by_reference(t: TicketFacts) -> ThreadFacts {
        ThreadFacts { by_reference: Some(t), ..Default::default() }
    }

    fn decide_default(mail: &ParsedMail, facts: &ThreadFacts) -> ThreadDecision {
        decide(mail, facts, &ThreadPolicy::default(), now())
    }

    #[test]
    fn a_reply_by_reference_appends_to_the_open_ticket() {
        let mail = mail_from(REQUESTER, "RE: Impresora");
        assert_eq!(decide_default(&mail, &by_reference(open(123))), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn the_requester_replying_with_the_tag_appends() {
        let mail = mail_from(REQUESTER, "RE: [#123] Impresora");
        assert_eq!(subject_tag(&mail.subject, ""), Some(123));
        assert_eq!(decide_default(&mail, &by_tag(open(123))), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn a_reply_all_from_a_cc_participant_appends() {
        let mail = mail_from("Jefe.Tesoreria@VillaEsperanza.gov.co", "RE: [#123] Impresora");
        assert_eq!(decide_default(&mail, &by_tag(open(123))), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn an_agent_may_write_on_any_ticket_by_tag() {
        let mail = mail_from("tecnico@villaesperanza.gov.co", "[#123] Visita programada");
        let facts = ThreadFacts { sender_is_agent: true, ..by_tag(open(123)) };
        assert_eq!(decide_default(&mail, &facts), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn a_tag_from_a_stranger_opens_a_new_ticket_by_default() {
        let mail = mail_from(STRANGER, "RE: [#123] Impresora");
        assert_eq!(decide_default(&mail, &by_tag(open(123))), ThreadDecision::NewTicket { linked_to: None });
    }

    #[test]
    fn a_tag_from_a_stranger_is_quarantined_when_the_policy_says_so() {
        let mail = mail_from(STRANGER, "RE: [#123] Impresora");
        let policy = ThreadPolicy { stranger_tag: StrangerTagAction::Quarantine, ..ThreadPolicy::default() };
        let decision = decide(&mail, &by_tag(open(123)), &policy, now());
        assert_eq!(decision, ThreadDecision::Quarantine { reason: QuarantineReason::TagFromStranger { ticket: 123 } });
        let ThreadDecision::Quarantine { reason } = decision else { unreachable!() };
        assert_eq!(reason.as_str(), "tag_from_stranger");
    }

    #[test]
    fn a_reference_wins_over_a_different_tag() {
        let mail = mail_from(REQUESTER, "RE: [#999] Impresora");
        let facts = ThreadFacts { by_reference: Some(open(123)), by_tag: Some(open(999)), sender_is_agent: false };
        assert_eq!(decide_default(&mail, &facts), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn a_stranger_who_knows_a_message_id_of_the_thread_never_joins_it() {
        let mail = mail_from(STRANGER, "RE: Impresora");
        assert_eq!(decide_default(&mail, &by_reference(open(123))), ThreadDecision::NewTicket { linked_to: None });
        let strict = ThreadPolicy { stranger_tag: StrangerTagAction::Quarantine, ..Default::default() };
        assert_eq!(
            decide(&mail, &by_reference(open(123)), &strict, now()),
            ThreadDecision::Quarantine { reason: QuarantineReason::ReferenceFromStranger { ticket: 123 } }
        );
        let agent = ThreadFacts { sender_is_agent: true, ..by_reference(open(123)) };
        assert_eq!(decide_default(&mail, &agent), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn a_reply_to_a_ticket_closed_within_the_window_reopens_it() {
        let mail = mail_from(REQUESTER, "RE: [#123] Impresora");
        assert_eq!(decide_default(&mail, &by_tag(closed_days_ago(123, 3))), ThreadDecision::Reopen { number: 123 });
        // The window's last instant still reopens.
        assert_eq!(
            decide_default(&mail, &by_reference(closed_days_ago(123, 14))),
            ThreadDecision::Reopen { number: 123 }
        );
    }

    #[test]
    fn a_reply_after_the_window_opens_a_linked_ticket() {
        let mail = mail_from(REQUESTER, "RE: [#123] Impresora");
        assert_eq!(
            decide_default(&mail, &by_tag(closed_days_ago(123, 15))),
            ThreadDecision::NewTicket { linked_to: Some(123) }
        );
        let short = ThreadPolicy { reopen_within: TimeDelta::days(2), ..ThreadPolicy::default() };
        assert_eq!(
            decide(&mail, &by_reference(closed_days_ago(123, 3)), &short, now()),
            ThreadDecision::NewTicket { linked_to: Some(123) }
        );
    }

    #[test]
    fn a_stranger_with_a_closed_tickets_tag_gets_no_link_to_it() {
        let mail = mail_from(STRANGER, "RE: [#123] Impresora");
        assert_eq!(
            decide_default(&mail, &by_tag(closed_days_ago(123, 1))),
            ThreadDecision::NewTicket { linked_to: None }
        );
    }

    #[test]
    fn subject_text_alone_never_joins() {
        // Same subject as an open ticket, from its own requester, but no tag and no
        // reference: the caller finds nothing, and the answer is a new ticket.
        let mail = mail_from(REQUESTER, "RE: Impresora del tercer piso no imprime");
        assert_eq!(subject_tag(&mail.subject, ""), None);
        assert_eq!(decide_default(&mail, &ThreadFacts::default()), ThreadDecision::NewTicket { linked_to: None });
    }

    #[test]
    fn mail_without_an_author_is_quarantined() {
        let mail = ParsedMail { subject: "RE: [#123] x".into(), ..Default::default() };
        assert_eq!(
            decide_default(&mail, &by_tag(open(123))),
            ThreadDecision::Quarantine { reason: QuarantineReason::NoSender }
        );
        // Sender stands in for a missing From.
        let mail = ParsedMail { sender: Mailbox::new(None, REQUESTER), ..mail };
        assert_eq!(decide_default(&mail, &by_tag(open(123))), ThreadDecision::Append { number: 123 });
    }

    #[test]
    fn forged_references_are_dropped_and_signed_ones_resolve_without_lookup() {
        let signer = MessageIdSigner::new(&[7u8; 32], "mesa.villaesperanza.gov.co").unwrap();
        let genuine = signer.new_id(123, 1);
        let forged = "<mesa.456.1.0123456789abcdef0123456789abcdef@mesa.villaesperanza.gov.co>";
        let mail = ParsedMail {
            from: Mailbox::new(None, STRANGER),
            in_reply_to: MessageId::parse_list(forged),
            references: MessageId::parse_list(&format!("<CAx1@mail.gmail.com> {genuine} {forged}")),
            ..Default::default()
        };
        let refs = references_to_check(&mail, &signer);
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert!(matches!(refs[0], Reference::Signed { ticket: 123, .. }));
        assert!(matches!(refs[1], Reference::Stored { id } if id.as_str() == "CAx1@mail.gmail.com"));

        // With only the forged ID there is nothing to look up, hence no facts, hence
        // a new ticket: the forgery reaches nothing.
        let only_forged = ParsedMail { in_reply_to: MessageId::parse_list(forged), references: vec![], ..mail };
        assert!(references_to_check(&only_forged, &signer).is_empty());
        assert_eq!(
            decide_default(&only_forged, &ThreadFacts::default()),
            ThreadDecision::NewTicket { linked_to: None }
        );
    }
}
