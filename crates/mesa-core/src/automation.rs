//! Timed automations (PRODUCT §8): what is due for a ticket at an instant.
//! Pure planning; the use case applies the action through the lifecycle.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::ticket::{HoldReason, Status};

/// Each automation can be switched off; times are business time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutomationSettings {
    /// Close solved tickets the requester did not reject (seed 000: 72
    /// business hours; seed 002: two days; seed 004: three days).
    pub auto_close: bool,
    pub auto_close_after_hours: f64,
    /// Tickets waiting for the requester become solved (seed 001: after 8
    /// business days).
    pub requester_timeout: bool,
    pub requester_timeout_days: u32,
    /// Tickets on hold come back when their resume date arrives.
    pub resume_on_date: bool,
    /// Remind the requester of a solution waiting for approval, once.
    pub approval_reminder: bool,
    pub approval_reminder_after_hours: f64,
}

impl Default for AutomationSettings {
    fn default() -> Self {
        Self {
            auto_close: true,
            auto_close_after_hours: 72.0,
            requester_timeout: true,
            requester_timeout_days: 8,
            resume_on_date: true,
            approval_reminder: true,
            approval_reminder_after_hours: 24.0,
        }
    }
}

/// Something automation does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// solved → closed
    AutoClose,
    /// on_hold (requester) → solved
    RequesterTimeout,
    /// on_hold → in_progress
    Resume,
    /// a reminder to approve or reject the solution
    RemindApproval,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AutoClose => "auto_close",
            Action::RequesterTimeout => "requester_timeout",
            Action::Resume => "resume",
            Action::RemindApproval => "approval_reminder",
        }
    }
}

/// What automation needs to know of a ticket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TicketState {
    pub status: Status,
    pub hold_reason: Option<HoldReason>,
    pub resume_at: Option<DateTime<Utc>>,
    /// When the ticket entered its current status.
    pub status_since: DateTime<Utc>,
}

fn hours(h: f64) -> Duration {
    Duration::milliseconds((h * 3_600_000.0).round() as i64)
}

/// The state-changing action due at `now`, if any (reminders are separate:
/// they change nothing and may be due at the same time).
pub fn due_action(
    t: &TicketState,
    s: &AutomationSettings,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Option<Action> {
    match t.status {
        Status::Solved if s.auto_close => {
            let due = calendar.add_business_time(t.status_since, hours(s.auto_close_after_hours)).ok()?;
            (due <= now).then_some(Action::AutoClose)
        }
        Status::OnHold => {
            if s.resume_on_date && t.resume_at.is_some_and(|at| at <= now) {
                return Some(Action::Resume);
            }
            if s.requester_timeout && t.hold_reason == Some(HoldReason::Requester) {
                let due = calendar.add_business_days(t.status_since, s.requester_timeout_days).ok()?;
                return (due <= now).then_some(Action::RequesterTimeout);
            }
            None
        }
        _ => None,
    }
}

/// Whether the approval reminder is due (the caller records it once).
pub fn reminder_due(t: &TicketState, s: &AutomationSettings, calendar: &BusinessCalendar, now: DateTime<Utc>) -> bool {
    t.status == Status::Solved
        && s.approval_reminder
        && calendar
            .add_business_time(t.status_since, hours(s.approval_reminder_after_hours))
            .is_ok_and(|due| due <= now)
}

/// The earliest instant a ticket in `status` since `since` can have an
/// automation due: business time is never shorter than wall time, so
/// anything newer is skipped without computing its calendar.
pub fn not_before(s: &AutomationSettings, now: DateTime<Utc>) -> DateTime<Utc> {
    let shortest = s.auto_close_after_hours.min(s.approval_reminder_after_hours).max(0.0);
    now - hours(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::Bogota;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Bogota.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc)
    }

    fn state(status: Status, since: DateTime<Utc>) -> TicketState {
        TicketState { status, hold_reason: None, resume_at: None, status_since: since }
    }

    fn cal() -> BusinessCalendar {
        BusinessCalendar::colombia_default()
    }

    #[test]
    fn solved_tickets_close_after_72_business_hours_not_72_clock_hours() {
        let s = AutomationSettings::default();
        // solved Monday 2026-11-23 09:00; 72 business hours = 9 working days
        let t = state(Status::Solved, at(2026, 11, 23, 9));
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 11, 26, 9)), None, "72 clock hours are not enough");
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 12, 4, 9)), Some(Action::AutoClose));
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 12, 4, 8)), None);
        let off = AutomationSettings { auto_close: false, ..s };
        assert_eq!(due_action(&t, &off, &cal(), at(2027, 1, 1, 9)), None);
    }

    #[test]
    fn waiting_for_the_requester_ends_after_8_business_days() {
        let s = AutomationSettings::default();
        let mut t = state(Status::OnHold, at(2026, 11, 23, 9));
        t.hold_reason = Some(HoldReason::Requester);
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 12, 2, 9)), None);
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 12, 3, 9)), Some(Action::RequesterTimeout));
        t.hold_reason = Some(HoldReason::Vendor);
        assert_eq!(due_action(&t, &s, &cal(), at(2027, 1, 30, 9)), None, "vendor holds do not time out");
    }

    #[test]
    fn a_resume_date_brings_the_ticket_back_first() {
        let s = AutomationSettings::default();
        let mut t = state(Status::OnHold, at(2026, 11, 23, 9));
        t.hold_reason = Some(HoldReason::Requester);
        t.resume_at = Some(at(2026, 11, 25, 8));
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 11, 24, 8)), None);
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 11, 25, 8)), Some(Action::Resume));
        assert_eq!(due_action(&t, &s, &cal(), at(2026, 12, 30, 8)), Some(Action::Resume));
    }

    #[test]
    fn reminders_come_after_their_own_delay() {
        let s = AutomationSettings::default();
        let t = state(Status::Solved, at(2026, 11, 23, 9));
        assert!(!reminder_due(&t, &s, &cal(), at(2026, 11, 24, 9)));
        assert!(reminder_due(&t, &s, &cal(), at(2026, 11, 26, 9)));
        assert!(!reminder_due(&state(Status::Closed, at(2026, 11, 23, 9)), &s, &cal(), at(2026, 12, 30, 9)));
    }

    #[test]
    fn other_statuses_have_nothing_due() {
        for status in [Status::New, Status::Assigned, Status::InProgress, Status::Closed] {
            assert_eq!(
                due_action(
                    &state(status, at(2020, 1, 1, 9)),
                    &AutomationSettings::default(),
                    &cal(),
                    at(2026, 1, 1, 9)
                ),
                None
            );
        }
    }

    #[test]
    fn settings_read_from_partial_json_keep_their_defaults() {
        let s: AutomationSettings = serde_json_like();
        assert_eq!(s.requester_timeout_days, 8);
        assert!(!s.auto_close);
    }

    /// serde's own value deserializer, so core needs no JSON crate.
    fn serde_json_like() -> AutomationSettings {
        use serde::de::IntoDeserializer;
        use std::collections::BTreeMap;
        let map: BTreeMap<String, bool> = [("auto_close".to_owned(), false)].into();
        let de: serde::de::value::MapDeserializer<'_, _, serde::de::value::Error> = map.into_deserializer();
        AutomationSettings::deserialize(de).unwrap()
    }
}
