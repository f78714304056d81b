//! Links mailed to people: what each one is for, how long it lasts, and how
//! many password mails one address may receive. The store keeps them (only
//! a digest) and spends each one once.

use chrono::{DateTime, Duration, Utc};

use crate::validate::FieldError;

/// What a mailed link lets its holder do, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkPurpose {
    /// Choose a password: a forgotten one, or the first one of a person
    /// created from a mail or by staff.
    Password,
    /// Approve the solution of one ticket (seeds 002, 004: the requester
    /// verifies and approves), without signing in.
    Approve,
    /// Reject the solution of one ticket, saying why, without signing in.
    Reject,
    /// Open a session that reaches one ticket only (a link in a ticket mail).
    TicketSignIn,
}

impl LinkPurpose {
    pub const ALL: [LinkPurpose; 4] =
        [LinkPurpose::Password, LinkPurpose::Approve, LinkPurpose::Reject, LinkPurpose::TicketSignIn];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Password => "password",
            LinkPurpose::Approve => "approve",
            LinkPurpose::Reject => "reject",
            LinkPurpose::TicketSignIn => "ticket_sign_in",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| FieldError::new("purpose", "invalid", format!("no link purpose {raw:?}")))
    }

    /// How long a link works. A password link is short-lived (it gives the
    /// whole account); a verdict link outlives the three business days a
    /// solved ticket waits before it closes itself (seed 000: 72 hours).
    pub fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::Password => Duration::hours(2),
            LinkPurpose::Approve | LinkPurpose::Reject => Duration::days(14),
            LinkPurpose::TicketSignIn => Duration::days(7),
        }
    }

    /// Whether the link names a ticket.
    pub fn needs_ticket(self) -> bool {
        !matches!(self, LinkPurpose::Password)
    }
}

/// At most this many password mails per address in [`PASSWORD_MAIL_WINDOW`]:
/// enough for a mistyped attempt or two, too few to flood a mailbox.
pub const PASSWORD_MAILS_PER_WINDOW: i64 = 3;
pub const PASSWORD_MAIL_WINDOW: Duration = Duration::hours(1);

/// Whether another password mail may go to an address that received
/// `recent` of them in the last window.
pub fn may_send_password_mail(recent: i64) -> bool {
    recent < PASSWORD_MAILS_PER_WINDOW
}

/// A link as stored, and why it may no longer work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkState {
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    Used,
    Expired,
}

impl LinkState {
    /// `Ok` while the link is unused and unexpired at `now`.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), LinkRefusal> {
        if self.used_at.is_some() {
            Err(LinkRefusal::Used)
        } else if now >= self.expires_at {
            Err(LinkRefusal::Expired)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_through_their_names() {
        for p in LinkPurpose::ALL {
            assert_eq!(LinkPurpose::parse(p.as_str()).unwrap(), p);
        }
        assert!(LinkPurpose::parse("admin").is_err());
    }

    #[test]
    fn password_links_are_short_lived_and_verdict_links_outlive_the_auto_close() {
        assert!(LinkPurpose::Password.lifetime() <= Duration::hours(2));
        assert!(LinkPurpose::Approve.lifetime() > Duration::hours(72));
        assert!(!LinkPurpose::Password.needs_ticket() && LinkPurpose::Reject.needs_ticket());
    }

    #[test]
    fn a_link_works_once_and_only_before_it_expires() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let fresh = LinkState { expires_at: now + Duration::minutes(1), used_at: None };
        assert_eq!(fresh.check(now), Ok(()));
        assert_eq!(fresh.check(now + Duration::minutes(1)), Err(LinkRefusal::Expired));
        let used = LinkState { used_at: Some(now), ..fresh };
        assert_eq!(used.check(now), Err(LinkRefusal::Used));
    }

    #[test]
    fn the_fourth_password_mail_within_the_hour_is_not_sent() {
        assert!(may_send_password_mail(0) && may_send_password_mail(2));
        assert!(!may_send_password_mail(3));
    }
}
