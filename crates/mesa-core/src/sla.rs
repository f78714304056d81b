//! Service targets (ANS / SLA): two clocks per ticket, first response and
//! resolution, measured in business time on a calendar, paused while the
//! ticket waits for a reason that pauses (configurable), and while a
//! solution waits for the requester's verdict.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::ticket::{HoldReason, Priority, Status};

/// Business time allowed for each clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Business minutes until the first public answer.
    pub response_minutes: i64,
    /// Business minutes until the ticket is solved.
    pub resolution_minutes: i64,
}

impl Target {
    /// Defaults per priority when neither the service nor the desk sets one
    /// (seed 002: a request is answered within 12 hours).
    pub fn default_for(priority: Priority) -> Target {
        let (response_h, resolution_h) = match priority {
            Priority::Critical => (1, 8),
            Priority::High => (4, 16),
            Priority::Medium => (8, 24),
            Priority::Low => (12, 40),
        };
        Target { response_minutes: response_h * 60, resolution_minutes: resolution_h * 60 }
    }
}

/// Which hold reasons stop the clocks, and when to warn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaSettings {
    /// Waiting for a vendor, a warranty or the requester pauses the clocks;
    /// waiting for an internal authorisation does not (it is the desk's own time).
    pub pausing_reasons: Vec<String>,
    /// Warn the assignee once this share of the target is used.
    pub warn_at_percent: u8,
}

impl Default for SlaSettings {
    fn default() -> Self {
        Self { pausing_reasons: vec!["vendor".into(), "warranty".into(), "requester".into()], warn_at_percent: 75 }
    }
}

impl SlaSettings {
    pub fn pauses(&self, reason: HoldReason) -> bool {
        self.pausing_reasons.iter().any(|r| r == reason.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Running,
    Paused,
    Met,
    Breached,
}

impl ClockState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Breached => "breached",
        }
    }
}

/// One clock as it stands at a given instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub state: ClockState,
    pub target: Duration,
    /// Business time used so far (up to the stop, if stopped).
    pub elapsed: Duration,
    /// `target - elapsed`: negative once breached.
    pub remaining: Duration,
    /// When the target is (or was) reached if the clock keeps running from
    /// now (or kept running until it stopped).
    pub due_at: Option<DateTime<Utc>>,
    /// When the warning share is reached, likewise; `None` once stopped.
    pub warn_at: Option<DateTime<Utc>>,
    /// Running and past the warning share.
    pub at_risk: bool,
}

/// A span during which the clocks stand still; `None` end: still paused.
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// What the clocks need to know about a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// Set while the ticket is solved or closed.
    pub solved_at: Option<DateTime<Utc>>,
    pub pauses: Vec<Pause>,
}

/// Rebuilds the pauses from a ticket's status history, oldest first: each
/// record is (when, field, value after). A hold pauses when its reason does;
/// a solution that was later rejected paused the clocks while it waited.
pub fn pauses_from_history<'a>(
    records: impl IntoIterator<Item = (DateTime<Utc>, &'a str, Option<&'a str>)>,
    settings: &SlaSettings,
) -> Vec<Pause> {
    let mut pauses = Vec::new();
    let mut open: Option<(DateTime<Utc>, bool)> = None; // start, pausing?
    for (at, field, after) in records {
        match (field, after) {
            ("status", Some(status)) => {
                if let Some((start, pausing)) = open.take()
                    && pausing
                {
                    pauses.push((start, Some(at)));
                }
                match Status::parse(status) {
                    // the reason follows in its own record of the same change
                    Ok(Status::OnHold) => open = Some((at, false)),
                    Ok(Status::Solved) => open = Some((at, true)),
                    _ => {}
                }
            }
            ("hold_reason", Some(reason)) => {
                if let Some((start, _)) = open
                    && let Ok(reason) = HoldReason::parse(reason)
                {
                    open = Some((start, settings.pauses(reason)));
                }
            }
            _ => {}
        }
    }
    if let Some((start, true)) = open {
        pauses.push((start, None));
    }
    pauses
}

/// Evaluates one clock from `start` to `stop` (the event it measures, if it
/// happened) at instant `now`.
pub fn clock(
    calendar: &BusinessCalendar,
    target: Duration,
    start: DateTime<Utc>,
    stop: Option<DateTime<Utc>>,
    pauses: &[Pause],
    warn_at_percent: u8,
    now: DateTime<Utc>,
) -> Clock {
    let end = stop.unwrap_or(now).max(start);
    let closed: Vec<(DateTime<Utc>, DateTime<Utc>)> = pauses.iter().map(|(a, b)| (*a, b.unwrap_or(end))).collect();
    let elapsed = calendar.business_time_between_with_pauses(start, end, &closed);
    let paused_now = stop.is_none() && pauses.iter().any(|(a, b)| b.is_none() && *a <= now);
    let state = match stop {
        Some(_) if elapsed <= target => ClockState::Met,
        Some(_) => ClockState::Breached,
        None if elapsed > target => ClockState::Breached,
        None if paused_now => ClockState::Paused,
        None => ClockState::Running,
    };
    let warn = target * i32::from(warn_at_percent.min(100)) / 100;
    let due_at = instant_at(calendar, start, target, &closed);
    let warn_at = if stop.is_some() { None } else { instant_at(calendar, start, warn, &closed) };
    Clock {
        state,
        target,
        elapsed,
        remaining: target - elapsed,
        due_at,
        warn_at,
        at_risk: state == ClockState::Running && elapsed >= warn,
    }
}

/// The instant at which `amount` business time, not counting pauses, has
/// passed since `start`. Pauses only push it later, so iterating from the
/// pause-free answer converges (at most once per pause).
fn instant_at(
    calendar: &BusinessCalendar,
    start: DateTime<Utc>,
    amount: Duration,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Option<DateTime<Utc>> {
    // A fixed point: `at` is the answer once the pauses before it are the
    // ones it was computed with (adding business time is strictly monotone).
    let mut paused = Duration::zero();
    let mut at = calendar.add_business_time(start, amount).ok()?;
    for _ in 0..=pauses.len() {
        let paused_before_at = calendar.paused_business_time(start, at, pauses);
        if paused_before_at == paused {
            break;
        }
        paused = paused_before_at;
        at = calendar.add_business_time(start, amount + paused).ok()?;
    }
    Some(at)
}

/// Both clocks of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaStatus {
    pub response: Clock,
    pub resolution: Clock,
}

/// What the store keeps of the clocks to find tickets cheaply: the instants
/// of still-running clocks (none once stopped), and whether they are paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlaStamp {
    pub response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub response_warn_at: Option<DateTime<Utc>>,
    pub resolution_warn_at: Option<DateTime<Utc>>,
    pub paused: bool,
}

impl SlaStatus {
    pub fn stamp(&self) -> SlaStamp {
        // a clock has a warning instant exactly while it has not stopped
        let open_due = |c: &Clock| c.due_at.filter(|_| c.warn_at.is_some());
        SlaStamp {
            response_due_at: open_due(&self.response),
            resolution_due_at: open_due(&self.resolution),
            response_warn_at: self.response.warn_at,
            resolution_warn_at: self.resolution.warn_at,
            paused: self.resolution.state == ClockState::Paused,
        }
    }
}

pub fn evaluate(
    calendar: &BusinessCalendar,
    target: Target,
    timeline: &Timeline,
    settings: &SlaSettings,
    now: DateTime<Utc>,
) -> SlaStatus {
    let warn = settings.warn_at_percent;
    SlaStatus {
        response: clock(
            calendar,
            capped(Duration::try_minutes(target.response_minutes)),
            timeline.created_at,
            timeline.first_response_at.or(timeline.solved_at),
            &timeline.pauses,
            warn,
            now,
        ),
        resolution: clock(
            calendar,
            capped(Duration::try_minutes(target.resolution_minutes)),
            timeline.created_at,
            timeline.solved_at,
            &timeline.pauses,
            warn,
            now,
        ),
    }
}

/// The longest target a clock runs against: a stored or typed target beyond
/// it (or beyond what a duration holds) counts as this long, never as a crash.
pub const LONGEST_TARGET: Duration = Duration::days(36_500);

/// `target`, at most [`LONGEST_TARGET`].
pub fn capped(target: Option<Duration>) -> Duration {
    target.filter(|t| *t <= LONGEST_TARGET).unwrap_or(LONGEST_TARGET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_too_long_for_a_duration_is_capped_not_a_crash() {
        assert_eq!(capped(Duration::try_minutes(i64::MAX)), LONGEST_TARGET);
        assert_eq!(capped(Some(Duration::days(40_000))), LONGEST_TARGET);
        assert_eq!(capped(Some(Duration::hours(4))), Duration::hours(4));
    }
    use chrono::TimeZone;
    use chrono_tz::America::Bogota;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Bogota.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    fn cal() -> BusinessCalendar {
        BusinessCalendar::colombia_default()
    }

    #[test]
    fn a_running_clock_counts_business_time_only() {
        // Friday 16:00 + 4 business hours = Monday 11:00 (2026-11-20 is a Friday)
        let c = clock(&cal(), Duration::hours(4), at(2026, 11, 20, 16, 0), None, &[], 75, at(2026, 11, 23, 9, 0));
        assert_eq!(c.state, ClockState::Running);
        assert_eq!(c.elapsed, Duration::hours(2));
        assert_eq!(c.remaining, Duration::hours(2));
        assert_eq!(c.due_at, Some(at(2026, 11, 23, 11, 0)));
        assert_eq!(c.warn_at, Some(at(2026, 11, 23, 10, 0)));
        assert!(!c.at_risk);
    }

    #[test]
    fn a_clock_is_at_risk_past_the_warning_share_and_breached_past_the_target() {
        let start = at(2026, 11, 23, 8, 0);
        let c = clock(&cal(), Duration::hours(4), start, None, &[], 75, at(2026, 11, 23, 11, 30));
        assert!(c.at_risk);
        let c = clock(&cal(), Duration::hours(4), start, None, &[], 75, at(2026, 11, 23, 14, 0));
        assert_eq!((c.state, c.remaining), (ClockState::Breached, Duration::hours(-1)));
    }

    #[test]
    fn a_stopped_clock_is_met_or_breached_for_good() {
        let start = at(2026, 11, 23, 8, 0);
        let c = clock(&cal(), Duration::hours(4), start, Some(at(2026, 11, 23, 9, 0)), &[], 75, at(2026, 12, 30, 8, 0));
        assert_eq!((c.state, c.due_at, c.warn_at), (ClockState::Met, Some(at(2026, 11, 23, 12, 0)), None));
        let c =
            clock(&cal(), Duration::hours(1), start, Some(at(2026, 11, 23, 10, 0)), &[], 75, at(2026, 11, 23, 10, 0));
        assert_eq!(c.state, ClockState::Breached);
    }

    #[test]
    fn pauses_stop_the_clock_and_push_the_due_date() {
        let start = at(2026, 11, 23, 8, 0);
        // paused 09:00–11:00 (closed), so at 12:00 only 2 business hours are used
        let pauses = [(at(2026, 11, 23, 9, 0), Some(at(2026, 11, 23, 11, 0)))];
        let c = clock(&cal(), Duration::hours(4), start, None, &pauses, 75, at(2026, 11, 23, 12, 0));
        assert_eq!(c.elapsed, Duration::hours(2));
        assert_eq!(c.due_at, Some(at(2026, 11, 23, 15, 0)), "08–09, 11–12, 13–15");
        // still paused since 09:00
        let open = [(at(2026, 11, 23, 9, 0), None)];
        let c = clock(&cal(), Duration::hours(4), start, None, &open, 75, at(2026, 11, 24, 12, 0));
        assert_eq!((c.state, c.elapsed), (ClockState::Paused, Duration::hours(1)));
    }

    #[test]
    fn holds_pause_only_for_their_reasons_and_rejected_solutions_pause_too() {
        let settings = SlaSettings::default();
        let t = |h| at(2026, 11, 23, h, 0);
        let history = [
            (t(8), "created", Some("new")),
            (t(9), "status", Some("on_hold")),
            (t(9), "hold_reason", Some("vendor")),
            (t(10), "status", Some("in_progress")),
            (t(10), "hold_reason", None),
            (t(11), "status", Some("on_hold")),
            (t(11), "hold_reason", Some("authorization")),
            (t(13), "status", Some("in_progress")),
            (t(14), "status", Some("solved")),
            (t(15), "status", Some("in_progress")),
            (t(16), "status", Some("on_hold")),
            (t(16), "hold_reason", Some("requester")),
        ];
        let pauses = pauses_from_history(history, &settings);
        assert_eq!(pauses, vec![(t(9), Some(t(10))), (t(14), Some(t(15))), (t(16), None)]);
    }

    #[test]
    fn first_response_stops_the_response_clock_and_solving_stops_both() {
        let created = at(2026, 11, 23, 8, 0);
        let timeline = Timeline {
            created_at: created,
            first_response_at: Some(at(2026, 11, 23, 9, 0)),
            solved_at: None,
            pauses: vec![],
        };
        let s = evaluate(
            &cal(),
            Target::default_for(Priority::High),
            &timeline,
            &SlaSettings::default(),
            at(2026, 11, 23, 10, 0),
        );
        assert_eq!(s.response.state, ClockState::Met);
        assert_eq!(s.resolution.state, ClockState::Running);
        let solved = Timeline { first_response_at: None, solved_at: Some(at(2026, 11, 23, 9, 30)), ..timeline };
        let s = evaluate(
            &cal(),
            Target::default_for(Priority::High),
            &solved,
            &SlaSettings::default(),
            at(2026, 12, 23, 10, 0),
        );
        assert_eq!((s.response.state, s.resolution.state), (ClockState::Met, ClockState::Met));
    }

    #[test]
    fn default_targets_tighten_with_priority() {
        let mut last = i64::MAX;
        for p in [Priority::Low, Priority::Medium, Priority::High, Priority::Critical] {
            let t = Target::default_for(p);
            assert!(t.resolution_minutes < last && t.response_minutes <= t.resolution_minutes);
            last = t.resolution_minutes;
        }
        assert!(Target::default_for(Priority::Low).response_minutes <= 12 * 60, "seed 002: answered within 12 hours");
    }
}
