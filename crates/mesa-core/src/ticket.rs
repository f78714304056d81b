//! The ticket and its vocabulary (PRODUCT.md §1).

use chrono::{DateTime, Utc};

use crate::validate::{FieldError, optional_text, required_text};

/// Declares a closed set of values with a stable snake_case name, used in the
/// API, the database and the i18n catalogs alike.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    FieldError::new($field, "invalid", format!("{} must be one of: {}", $field, names.join(", ")))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// Where a ticket stands in its lifecycle; the rules live in `lifecycle`.
    Status, "status" {
        New => "new",
        Assigned => "assigned",
        InProgress => "in_progress",
        OnHold => "on_hold",
        Solved => "solved",
        Closed => "closed",
    }
);

named_enum!(
    /// What kind of work a ticket is (seed 004 tells support from maintenance;
    /// seed 003 gives security incidents their own path).
    TicketType, "type" {
        Incident => "incident",
        ServiceRequest => "service_request",
        Maintenance => "maintenance",
        SecurityIncident => "security_incident",
    }
);

named_enum!(
    Priority, "priority" {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

named_enum!(
    /// Why a ticket waits (seed 001: warranty, vendor escalation, requester
    /// unavailable; seed 004: authorisation by the IT lead).
    HoldReason, "reason" {
        Vendor => "vendor",
        Warranty => "warranty",
        Requester => "requester",
        Authorization => "authorization",
        Other => "other",
    }
);

named_enum!(
    /// Whether a solved ticket was actually fixed (seed 001: "No resuelto",
    /// e.g. missing materials).
    Outcome, "outcome" {
        Solved => "solved",
        NotSolved => "not_solved",
    }
);

named_enum!(
    /// How a ticket reached the desk (issues 13 and 17): the web form, a
    /// mail, a phone call or a visit taken down by staff, or the API.
    Channel, "channel" {
        Web => "web",
        Mail => "mail",
        Phone => "phone",
        WalkIn => "walk_in",
        Api => "api",
    }
);

named_enum!(
    /// A list filter on the service-target clocks.
    SlaFilter, "sla" {
        Breached => "breached",
        AtRisk => "at_risk",
    }
);

named_enum!(
    /// The order of a ticket list (`due`: soonest resolution due date first,
    /// tickets without one last).
    SortOrder, "sort" {
        Newest => "newest",
        Oldest => "oldest",
        Due => "due",
    }
);

// `named_enum!` takes no `#[default]` on a variant.
#[allow(clippy::derivable_impls)]
impl Default for SortOrder {
    fn default() -> Self {
        SortOrder::Newest
    }
}

impl SlaFilter {
    /// A list's `sla` parameter: empty or absent is no filter.
    pub fn parse_param(raw: Option<&str>) -> Result<Option<Self>, FieldError> {
        raw.filter(|s| !s.is_empty()).map(Self::parse).transpose()
    }
}

impl SortOrder {
    /// A list's `sort` parameter: empty or absent is the default order.
    pub fn parse_param(raw: Option<&str>) -> Result<Self, FieldError> {
        Ok(raw.filter(|s| !s.is_empty()).map(Self::parse).transpose()?.unwrap_or_default())
    }
}

impl Status {
    /// Open tickets are the backlog: not yet solved or closed.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Solved | Status::Closed)
    }
}

/// Support levels 1–3 (seed 003: level 1/2/3; seed 002: technician → engineer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u8);

impl Level {
    pub const FIRST: Level = Level(1);
    /// The highest level.
    pub const MAX: i64 = 3;

    pub fn new(value: i64) -> Result<Self, FieldError> {
        match value {
            1..=Self::MAX => Ok(Level(value as u8)),
            _ => Err(FieldError::new("level", "invalid", "level must be 1, 2 or 3")),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A ticket as stored. Ids refer to rows of the store; the domain only
/// compares them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub id: i64,
    /// The consecutive case number people see ("radicado", seed 000).
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub ticket_type: TicketType,
    pub status: Status,
    pub priority: Priority,
    pub service_id: Option<i64>,
    pub requester_id: i64,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub contact_phone: Option<String>,
    pub remote_access_id: Option<String>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub level: Level,
    /// How it reached the desk.
    pub channel: Channel,
    pub hold_reason: Option<HoldReason>,
    pub resume_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub outcome: Option<Outcome>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the ticket entered its current status (the store keeps it).
    pub status_since: DateTime<Utc>,
    /// Bumped on every update; the store refuses a write based on a stale copy.
    pub version: i64,
}

/// Field limits, in characters.
pub mod limits {
    pub const SUBJECT: usize = 250;
    pub const DESCRIPTION: usize = 50_000;
    pub const PHONE: usize = 40;
    pub const REMOTE_ACCESS_ID: usize = 100;
    pub const ENTRY_BODY: usize = 50_000;
    pub const RESOLUTION: usize = 10_000;
    pub const REASON: usize = 1_000;
    pub const NAME: usize = 200;
}

/// The free-text part of a new ticket, checked. References (service,
/// department, …) are resolved by the use case, which knows the store.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketText {
    subject: String,
    description: String,
    contact_phone: Option<String>,
    remote_access_id: Option<String>,
}

impl TicketText {
    /// A subject and a description, without contact details.
    pub fn new(subject: &str, description: &str) -> Result<Self, FieldError> {
        Self::parse(subject, description, None, None)
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn contact_phone(&self) -> Option<&str> {
        self.contact_phone.as_deref()
    }

    pub fn remote_access_id(&self) -> Option<&str> {
        self.remote_access_id.as_deref()
    }

    /// This text, with `phone` as the contact phone when it has none (the
    /// requester's own, kept on their profile).
    pub fn or_phone(mut self, phone: Option<&str>) -> Self {
        if self.contact_phone.is_none() {
            self.contact_phone = phone.map(|p| p.chars().take(limits::PHONE).collect());
        }
        self
    }

    pub fn parse(
        subject: &str,
        description: &str,
        contact_phone: Option<&str>,
        remote_access_id: Option<&str>,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            subject: required_text("subject", subject, limits::SUBJECT)?,
            description: required_text("description", description, limits::DESCRIPTION)?,
            contact_phone: optional_text("contact_phone", contact_phone, limits::PHONE)?,
            remote_access_id: optional_text("remote_access_id", remote_access_id, limits::REMOTE_ACCESS_ID)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_value_round_trips_through_its_name() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), *s);
        }
        for t in TicketType::ALL {
            assert_eq!(TicketType::parse(t.as_str()).unwrap(), *t);
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()).unwrap(), *p);
        }
        for r in HoldReason::ALL {
            assert_eq!(HoldReason::parse(r.as_str()).unwrap(), *r);
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()).unwrap(), *o);
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()).unwrap(), *c);
        }
    }

    #[test]
    fn unknown_names_are_rejected_with_the_allowed_list() {
        let err = Priority::parse("urgent").unwrap_err();
        assert_eq!(err.field, "priority");
        assert!(err.message.contains("low, medium, high, critical"));
    }

    #[test]
    fn levels_are_one_to_three() {
        assert!(Level::new(0).is_err() && Level::new(4).is_err());
        assert_eq!(Level::new(3).unwrap().get(), 3);
    }

    #[test]
    fn ticket_text_requires_subject_and_description() {
        assert_eq!(TicketText::parse(" ", "x", None, None).unwrap_err().field, "subject");
        assert_eq!(TicketText::parse("x", "", None, None).unwrap_err().field, "description");
        let long = "a".repeat(limits::SUBJECT + 1);
        assert_eq!(TicketText::parse(&long, "x", None, None).unwrap_err().code, "too_long");
    }
}
