//! Business calendars for Colombian public institutions: national holidays
//! for any year, working hours per weekday in any time zone, and business-time
//! arithmetic for SLA (ANS) due dates, automatic closing and paused clocks.
//!
//! * [`colombian_holidays`] / [`is_colombian_holiday`]: the national holidays
//!   of Ley 51 de 1983 and, from 2026, Ley 2578 de 2026, each with its law (see
//!   [`holidays`] for the laws, every change since 1983 and the years before 1984).
//! * [`BusinessCalendar`]: time zone, hours per weekday (several intervals a
//!   day), holidays, extra non-working dates, worked holidays and special hours;
//!   [`BusinessCalendar::colombia_default`] is Monday–Friday 08:00–12:00 and
//!   13:00–17:00 in America/Bogota.
//! * Arithmetic, all in `DateTime<Utc>`: [`BusinessCalendar::add_business_time`],
//!   [`BusinessCalendar::add_business_days`],
//!   [`BusinessCalendar::business_time_between`],
//!   [`BusinessCalendar::business_time_between_with_pauses`],
//!   [`BusinessCalendar::next_working_instant`],
//!   [`BusinessCalendar::is_working_instant`].
//!
//! Chosen definitions, in one place:
//! * working intervals are half-open: 08:00 works, 17:00 does not;
//! * adding zero business time returns the start unchanged, even outside
//!   working time; a positive addition that ends on an interval end stays
//!   there (17:00, not 08:00 the next day);
//! * `add_business_days(start, n)` is the same local time on the n-th working
//!   day after the day on which work (re)starts from `start`; see its docs;
//! * DST: a skipped local time reads as the end of the gap, a repeated one as
//!   its first occurrence; business time is real elapsed time;
//! * a calendar that runs out of working time answers
//!   [`CalendarError::NoWorkingTime`], never loops; answers past the year 9999
//!   are [`CalendarError::OutOfRange`].

pub mod business_calendar;
pub mod business_time;
mod day_totals;
pub mod days_off;
pub mod error;
#[cfg(test)]
mod exception_tests;
pub mod holidays;
#[cfg(test)]
mod proptests;

pub use business_calendar::{
    BusinessCalendar, BusinessCalendarBuilder, CalendarConfig, MAX_SUPPORTED_YEAR, TimeRange, WeeklyHours,
    WorkingInterval,
};
pub use days_off::{DayOff, MAX_DAY_OFF_NAME, SpecialDay, SpecialDayKind};
pub use error::{CalendarError, ScheduleDay};
pub use holidays::{
    Holiday, LEY_51_FIRST_YEAR, LEY_2578_FIRST_YEAR, Law, colombian_holidays, colombian_holidays_on, easter_sunday,
    is_colombian_holiday,
};
