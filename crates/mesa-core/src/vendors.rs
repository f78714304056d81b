//! Vendors, their support contracts and escalations to them (seed 001 step 7,
//! seed 003 step 6–7): a contract covers some services with its own
//! response and resolution targets in business hours on a named calendar;
//! the vendor's clocks run from the escalation, apart from the ticket's.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::Role;
use crate::calendar::BusinessCalendar;
use crate::sla::{self, Clock};
use crate::ticket::limits;
use crate::user::Email;
use crate::validate::{FieldError, optional_text, required_text};

/// Field limits, in characters.
pub mod vendor_limits {
    pub const NIT: usize = 20;
    pub const NUMBER: usize = 60;
    pub const OBJECT: usize = 2_000;
    pub const CASE: usize = 100;
    pub const NOTE: usize = 10_000;
    pub const CONTACTS: usize = 20;
    /// A year of business hours is about 2,000; ten years is plenty.
    pub const MAX_HOURS: i64 = 20_000;
}

/// Who reads vendors, contracts, escalations and the inventory: staff and
/// managers (read-only); requesters see only the devices assigned to them.
pub fn may_read(role: Role) -> bool {
    role != Role::Requester
}

/// Vendors, contracts and the inventory are the desk's configuration.
pub fn may_manage(role: Role) -> bool {
    role == Role::Admin
}

/// Escalating a ticket, recording warranty steps and assessments: staff.
/// The contract's supervisor also records the vendor's events (seed 003:
/// "el supervisor del contrato realiza seguimiento").
pub fn may_record_event(role: Role, user_id: i64, supervisor_id: i64) -> bool {
    role.is_staff() || user_id == supervisor_id
}

/// A contract ending within this many days is shown as expiring.
pub const EXPIRING_DAYS: i64 = 30;

/// A Colombian NIT ("número de identificación tributaria"), kept as
/// `digits-check` (e.g. `900123456-8`). The check digit, when given, must be
/// the DIAN's (modulo 11 with the weights of Orden 4 de 1989); when missing it
/// is computed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nit(String);

/// The DIAN's weights, from the rightmost digit leftwards.
const NIT_WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];

/// The check digit of a NIT's digits.
pub fn nit_check_digit(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > NIT_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0;
    for (c, w) in digits.chars().rev().zip(NIT_WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    let rest = sum % 11;
    Some(if rest > 1 { 11 - rest } else { rest })
}

impl Nit {
    pub fn parse(raw: &str) -> Result<Nit, FieldError> {
        let invalid = |why: &str| FieldError::new("nit", "invalid", format!("'{}' is not a NIT: {why}", raw.trim()));
        // People write 900.123.456-8, 900 123 456 - 8 or 9001234568.
        let cleaned: String = raw.chars().filter(|c| !matches!(c, '.' | ' ' | ',')).collect();
        let (digits, check) = match cleaned.split_once('-') {
            Some((d, c)) => (d.to_owned(), Some(c.to_owned())),
            None => (cleaned.clone(), None),
        };
        if digits.len() < 6 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("it must have 6 to 15 digits"));
        }
        let expected = nit_check_digit(&digits).ok_or_else(|| invalid("it must have 6 to 15 digits"))?;
        if let Some(check) = check {
            let given = check.parse::<u32>().ok().filter(|_| check.len() == 1);
            if given != Some(expected) {
                return Err(invalid("the check digit does not match"));
            }
        }
        Ok(Nit(format!("{digits}-{expected}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A vendor's contact person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

impl Contact {
    pub fn parse(name: &str, email: Option<&str>, phone: Option<&str>) -> Result<Contact, FieldError> {
        let name = required_text("contacts.name", name, limits::NAME)?;
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(Email::parse(e).map_err(|e| FieldError { field: "contacts.email", ..e })?),
            None => None,
        };
        let phone = optional_text("contacts.phone", phone, limits::PHONE)?;
        if email.is_none() && phone.is_none() {
            return Err(FieldError::new("contacts", "unreachable", format!("give {name} an e-mail or a phone")));
        }
        Ok(Contact { name, email, phone })
    }
}

/// A vendor, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorInput {
    pub name: String,
    pub nit: Nit,
    pub contacts: Vec<Contact>,
}

impl VendorInput {
    pub fn parse(name: &str, nit: &str, contacts: Vec<Contact>) -> Result<VendorInput, FieldError> {
        if contacts.len() > vendor_limits::CONTACTS {
            return Err(FieldError::new(
                "contacts",
                "too_many",
                format!("at most {} contacts", vendor_limits::CONTACTS),
            ));
        }
        Ok(VendorInput { name: required_text("name", name, limits::NAME)?, nit: Nit::parse(nit)?, contacts })
    }
}

/// A support contract's terms, checked (references are resolved by the use case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    pub number: String,
    pub object: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub response_hours: i64,
    pub resolution_hours: i64,
}

impl ContractTerms {
    pub fn parse(
        number: &str,
        object: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        response_hours: i64,
        resolution_hours: i64,
    ) -> Result<ContractTerms, FieldError> {
        let number = required_text("number", number, vendor_limits::NUMBER)?;
        let object = required_text("object", object, vendor_limits::OBJECT)?;
        if ends_on < starts_on {
            return Err(FieldError::new("ends_on", "before_start", "ends_on must not be before starts_on"));
        }
        let hours = |field: &'static str, h: i64| {
            if (1..=vendor_limits::MAX_HOURS).contains(&h) {
                Ok(h)
            } else {
                Err(FieldError::new(
                    field,
                    "out_of_range",
                    format!("{field} must be 1 to {} business hours", vendor_limits::MAX_HOURS),
                ))
            }
        };
        let response_hours = hours("response_hours", response_hours)?;
        let resolution_hours = hours("resolution_hours", resolution_hours)?;
        if resolution_hours < response_hours {
            return Err(FieldError::new(
                "resolution_hours",
                "below_response",
                "resolution_hours must not be less than response_hours",
            ));
        }
        Ok(ContractTerms { number, object, starts_on, ends_on, response_hours, resolution_hours })
    }
}

/// Whether a contract is in force on `today` (both ends included).
pub fn is_active(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> bool {
    starts_on <= today && today <= ends_on
}

/// Whether an active contract ends within [`EXPIRING_DAYS`] of `today`.
pub fn is_expiring(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> bool {
    is_active(starts_on, ends_on, today) && (ends_on - today).num_days() <= EXPIRING_DAYS
}

/// Whether a contract may take an escalation of a ticket of `service_id`
/// on `today`: in force and covering the service (a ticket without a
/// service cannot be matched to a contract).
pub fn may_take(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    service_ids: &[i64],
    service_id: Option<i64>,
    today: NaiveDate,
) -> bool {
    is_active(starts_on, ends_on, today) && service_id.is_some_and(|s| service_ids.contains(&s))
}

named_enum!(
    /// What happens to an escalation after it is sent.
    EventKind, "kind" {
        Responded => "responded",
        Solved => "solved",
        FollowUp => "follow_up",
        Closed => "closed",
    }
);

/// An escalation's recorded instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationTimes {
    pub escalated_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The latest recorded event, if any.
    pub last_event_at: Option<DateTime<Utc>>,
}

impl EscalationTimes {
    pub fn status(&self) -> &'static str {
        if self.closed_at.is_some() {
            "closed"
        } else if self.solved_at.is_some() {
            "solved"
        } else if self.responded_at.is_some() {
            "responded"
        } else {
            "open"
        }
    }

    /// Checks an event at `at` (recorded at `now`) and returns the times after it.
    pub fn apply(&self, kind: EventKind, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, FieldError> {
        if at > now {
            return Err(FieldError::new("at", "in_future", "an event cannot happen in the future"));
        }
        let floor = self.last_event_at.unwrap_or(self.escalated_at).max(self.escalated_at);
        if at < floor {
            return Err(FieldError::new("at", "out_of_order", "an event cannot come before the previous one"));
        }
        if self.closed_at.is_some() {
            return Err(FieldError::new("kind", "closed", "the escalation is closed"));
        }
        let mut next = *self;
        next.last_event_at = Some(at);
        match kind {
            EventKind::Responded if self.responded_at.is_some() || self.solved_at.is_some() => {
                return Err(FieldError::new("kind", "already", "the vendor has already responded"));
            }
            EventKind::Responded => next.responded_at = Some(at),
            EventKind::Solved if self.solved_at.is_some() => {
                return Err(FieldError::new("kind", "already", "the vendor has already solved it"));
            }
            EventKind::Solved => next.solved_at = Some(at),
            EventKind::FollowUp => {}
            EventKind::Closed => next.closed_at = Some(at),
        }
        Ok(next)
    }
}

/// The vendor's two clocks on the contract's calendar: the response clock
/// stops at the first response (or the solution), the resolution clock at
/// the solution (or when the escalation is closed without one).
pub fn vendor_clocks(
    calendar: &BusinessCalendar,
    response_hours: i64,
    resolution_hours: i64,
    times: &EscalationTimes,
    now: DateTime<Utc>,
) -> (Clock, Clock) {
    const WARN_PERCENT: u8 = 75;
    let response_stop = times.responded_at.or(times.solved_at).or(times.closed_at);
    let resolution_stop = times.solved_at.or(times.closed_at);
    (
        sla::clock(
            calendar,
            sla::capped(Duration::try_hours(response_hours)),
            times.escalated_at,
            response_stop,
            &[],
            WARN_PERCENT,
            now,
        ),
        sla::clock(
            calendar,
            sla::capped(Duration::try_hours(resolution_hours)),
            times.escalated_at,
            resolution_stop,
            &[],
            WARN_PERCENT,
            now,
        ),
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::sla::ClockState;

    fn bogota(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::America::Bogota.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn nits_are_checked_and_normalised_with_the_dian_digit() {
        // DIAN's own NIT is 800.197.268-4.
        assert_eq!(Nit::parse("800.197.268-4").unwrap().as_str(), "800197268-4");
        assert_eq!(Nit::parse("800197268").unwrap().as_str(), "800197268-4");
        assert_eq!(Nit::parse(" 800 197 268 - 4 ").unwrap().as_str(), "800197268-4");
        assert_eq!(Nit::parse("800197268-5").unwrap_err().code, "invalid");
        assert_eq!(Nit::parse("abc").unwrap_err().field, "nit");
        assert_eq!(Nit::parse("12345").unwrap_err().code, "invalid");
    }

    #[test]
    fn check_digits_of_zero_and_one_remainders_are_kept() {
        for digits in ["899999063", "860034313", "830000500"] {
            let d = nit_check_digit(digits).unwrap();
            assert!(d <= 9, "{digits}: {d}");
        }
        // Universidad Nacional: 899.999.063-3
        assert_eq!(nit_check_digit("899999063"), Some(3));
    }

    #[test]
    fn contacts_need_a_name_and_a_way_to_reach_them() {
        assert!(Contact::parse("Soporte", Some("soporte@proveedor.co"), None).is_ok());
        assert!(Contact::parse("Soporte", None, Some("6015550000")).is_ok());
        assert_eq!(Contact::parse("Soporte", None, Some(" ")).unwrap_err().code, "unreachable");
        assert_eq!(Contact::parse("", Some("a@b.co"), None).unwrap_err().field, "contacts.name");
        assert_eq!(Contact::parse("X", Some("nope"), None).unwrap_err().field, "contacts.email");
    }

    #[test]
    fn contract_terms_need_an_order_in_dates_and_targets() {
        let ok = ContractTerms::parse("CT-1", "Soporte", day(2026, 1, 1), day(2026, 12, 31), 4, 16).unwrap();
        assert_eq!(ok.number, "CT-1");
        let err = ContractTerms::parse("CT-1", "x", day(2026, 2, 1), day(2026, 1, 1), 4, 16).unwrap_err();
        assert_eq!(err.field, "ends_on");
        let err = ContractTerms::parse("CT-1", "x", day(2026, 1, 1), day(2026, 1, 1), 0, 16).unwrap_err();
        assert_eq!(err.field, "response_hours");
        let err = ContractTerms::parse("CT-1", "x", day(2026, 1, 1), day(2026, 1, 1), 8, 4).unwrap_err();
        assert_eq!(err.code, "below_response");
        assert_eq!(ContractTerms::parse(" ", "x", day(2026, 1, 1), day(2026, 1, 1), 1, 1).unwrap_err().field, "number");
    }

    #[test]
    fn a_contract_takes_escalations_only_while_in_force_and_for_its_services() {
        let (from, to) = (day(2026, 1, 1), day(2026, 6, 30));
        assert!(may_take(from, to, &[1, 2], Some(2), day(2026, 6, 30)));
        assert!(!may_take(from, to, &[1, 2], Some(2), day(2026, 7, 1)));
        assert!(!may_take(from, to, &[1, 2], Some(2), day(2025, 12, 31)));
        assert!(!may_take(from, to, &[1, 2], Some(3), day(2026, 3, 1)));
        assert!(!may_take(from, to, &[1, 2], None, day(2026, 3, 1)));
    }

    #[test]
    fn only_admins_manage_and_requesters_do_not_read() {
        for role in Role::ALL {
            assert_eq!(may_manage(role), role == Role::Admin);
            assert_eq!(may_read(role), role != Role::Requester);
            assert_eq!(may_record_event(role, 7, 9), role.is_staff());
            assert!(may_record_event(role, 9, 9), "the supervisor follows the case up");
        }
    }

    #[test]
    fn contracts_expire_within_thirty_days() {
        let from = day(2026, 1, 1);
        assert!(is_expiring(from, day(2026, 3, 31), day(2026, 3, 1)));
        assert!(!is_expiring(from, day(2026, 3, 31), day(2026, 2, 28)));
        assert!(!is_expiring(from, day(2026, 3, 31), day(2026, 4, 1)), "ended, not expiring");
    }

    fn times(at: DateTime<Utc>) -> EscalationTimes {
        EscalationTimes { escalated_at: at, responded_at: None, solved_at: None, closed_at: None, last_event_at: None }
    }

    #[test]
    fn events_follow_the_escalation_in_order() {
        let t0 = bogota(2026, 11, 23, 9, 0);
        let now = bogota(2026, 11, 30, 9, 0);
        let e = times(t0);
        assert_eq!(e.apply(EventKind::Responded, t0 - Duration::hours(1), now).unwrap_err().code, "out_of_order");
        assert_eq!(e.apply(EventKind::Responded, now + Duration::hours(1), now).unwrap_err().code, "in_future");
        let e = e.apply(EventKind::Responded, t0 + Duration::hours(5), now).unwrap();
        assert_eq!(e.status(), "responded");
        assert_eq!(e.apply(EventKind::Responded, t0 + Duration::hours(6), now).unwrap_err().code, "already");
        let e = e.apply(EventKind::FollowUp, t0 + Duration::hours(6), now).unwrap();
        assert_eq!(e.apply(EventKind::Solved, t0 + Duration::hours(5), now).unwrap_err().code, "out_of_order");
        let e = e.apply(EventKind::Solved, t0 + Duration::hours(7), now).unwrap();
        assert_eq!(e.status(), "solved");
        let e = e.apply(EventKind::Closed, t0 + Duration::hours(8), now).unwrap();
        assert_eq!(e.status(), "closed");
        assert_eq!(e.apply(EventKind::FollowUp, t0 + Duration::hours(9), now).unwrap_err().code, "closed");
    }

    #[test]
    fn the_vendor_clocks_run_on_business_hours() {
        let cal = BusinessCalendar::colombia_default();
        // Monday 2026-11-23 09:00 Bogotá; 4 business hours → 14:00 (lunch 12–13).
        let t0 = bogota(2026, 11, 23, 9, 0);
        let mut e = times(t0);
        let now = bogota(2026, 11, 30, 9, 0);
        e.responded_at = Some(bogota(2026, 11, 23, 15, 0));
        e.solved_at = Some(bogota(2026, 11, 24, 16, 0));
        let (response, resolution) = vendor_clocks(&cal, 4, 16, &e, now);
        assert_eq!(response.due_at, Some(bogota(2026, 11, 23, 14, 0)));
        assert_eq!(response.state, ClockState::Breached);
        // 16 business hours: Mon 7h left after 9:00, Tue 8h → Wed 09:00.
        assert_eq!(resolution.due_at, Some(bogota(2026, 11, 25, 9, 0)));
        assert_eq!(resolution.state, ClockState::Met);
    }

    #[test]
    fn a_running_vendor_clock_is_breached_once_past_due() {
        let cal = BusinessCalendar::colombia_default();
        let t0 = bogota(2026, 11, 23, 9, 0);
        let (response, resolution) = vendor_clocks(&cal, 4, 16, &times(t0), bogota(2026, 11, 23, 15, 0));
        assert_eq!((response.state, resolution.state), (ClockState::Breached, ClockState::Running));
    }
}
