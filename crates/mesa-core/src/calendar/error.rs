//! The one error type of the calendar module.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};

/// Which schedule an invalid working interval belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduleDay {
    /// The regular hours of a weekday.
    Weekday(Weekday),
    /// The special hours of one date.
    Date(NaiveDate),
}

impl fmt::Display for ScheduleDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleDay::Weekday(w) => write!(f, "{w}"),
            ScheduleDay::Date(d) => write!(f, "{d}"),
        }
    }
}

/// Everything that can go wrong when configuring a [`BusinessCalendar`] or doing
/// arithmetic with it. Configuration variants are the administrator's fault
/// (show the message); the arithmetic ones mean the calendar cannot answer.
///
/// [`BusinessCalendar`]: crate::calendar::BusinessCalendar
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// `start >= end` (an end of 00:00 means midnight at the end of the day).
    #[error("working interval {start}-{end} on {day} is empty: the start must be before the end")]
    EmptyInterval { day: ScheduleDay, start: NaiveTime, end: NaiveTime },
    /// Intervals of one day must be sorted and must not overlap.
    #[error(
        "working intervals on {day} are unsorted or overlap: one starts at {start}, before the previous one ends at {previous_end}"
    )]
    UnsortedOrOverlapping { day: ScheduleDay, previous_end: NaiveTime, start: NaiveTime },
    /// Interval boundaries are whole seconds so that configurations round-trip.
    #[error("working interval boundary {time} on {day} has a fraction of a second")]
    FractionalSecond { day: ScheduleDay, time: NaiveTime },
    /// A date given two contradictory roles, e.g. both non-working and with
    /// special hours.
    #[error("{date} is listed both as {first} and as {second}")]
    ConflictingDate { date: NaiveDate, first: &'static str, second: &'static str },
    /// The name of an extra day off is blank, padded, too long or has control
    /// characters (or names a date that is not a day off).
    #[error("the name of the day off {date} must be 1 to 100 characters without line breaks")]
    InvalidDayOffName { date: NaiveDate },
    /// Not an IANA time-zone name known to chrono-tz.
    #[error("unknown time zone {0:?}; expected an IANA name such as \"America/Bogota\"")]
    UnknownTimeZone(String),
    /// A time range string that is not `HH:MM-HH:MM`.
    #[error(
        "cannot read time range {0:?}; expected \"HH:MM-HH:MM\" such as \"08:00-12:00\" (\"24:00\" is allowed as an end)"
    )]
    InvalidTimeRange(String),
    /// Business time only moves forwards.
    #[error("negative duration {0}: business time can only be added forwards")]
    NegativeDuration(Duration),
    /// The calendar has no working time at or after this instant, so the
    /// answer does not exist (instead of looping forever).
    #[error("the calendar has no working time at or after {0}")]
    NoWorkingTime(DateTime<Utc>),
    /// The answer would fall after 31 December 9999 (local time).
    #[error("the result would fall after the year 9999")]
    OutOfRange,
}
