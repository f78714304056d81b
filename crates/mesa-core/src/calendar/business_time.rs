//! Business-time arithmetic on a [`BusinessCalendar`].
//!
//! Instants go in and out as `DateTime<Utc>`; the calendar's time zone is only
//! used to find each day's working intervals (see
//! [`BusinessCalendar::working_intervals`]). Business time is *real elapsed
//! time inside working intervals*, with the calendar's precision (nanoseconds).
//! Working intervals are half-open `[start, end)`: 08:00 is working time, 17:00
//! is not.
//!
//! The walk goes interval by interval and day by day, never minute by minute:
//! adding 1 000 business hours visits about 175 days. The working time between
//! two instants weeks apart walks only the days at both ends and reads the
//! whole days in between from totals the calendar keeps per year.
//!
//! Definitions (the laws the property tests check):
//!
//! * [`add_business_time`](BusinessCalendar::add_business_time)`(s, d)` for
//!   `d > 0` is the instant at which exactly `d` of working time has elapsed since
//!   `s`; a start outside working time counts from the next working instant, and
//!   a result that lands on the end of an interval stays there (17:00, not 08:00
//!   the next working day). For `d == 0` it is `s` itself, even outside working
//!   time. Hence, for every `s` and all `d1, d2 >= 0`:
//!   - `business_time_between(s, add(s, d)) == d`;
//!   - `d1 <= d2` implies `add(s, d1) <= add(s, d2)`;
//!   - `add(add(s, d1), d2) == add(s, d1 + d2)` (no condition on `s`: zero is
//!     the identity and an interval end is where the next addition resumes);
//!   - for `d > 0` the result is a working instant or the end of an interval.
//! * [`business_time_between`](BusinessCalendar::business_time_between)`(a, b)`
//!   is the working time inside `[a, b)`, zero if `b <= a`; it is additive:
//!   `between(a, b) + between(b, c) == between(a, c)` for `a <= b <= c`.
//!
//! Seeds: the "72 horas hábiles" auto-close of seed 000 is
//! `add_business_time(solved_at, 72 h)`; the "8 días hábiles" on-hold limit of
//! seed 001 is `add_business_days(on_hold_since, 8)`.

use std::vec;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, TimeDelta, Utc};

use crate::calendar::business_calendar::{BusinessCalendar, MAX_SUPPORTED_YEAR};
use crate::calendar::error::CalendarError;

/// Below this many whole days between two instants the walk is as cheap as
/// the lookups of `between_by_whole_days`.
const WHOLE_DAYS_WORTH_KEEPING: i64 = 10;

/// Why the walk over working intervals stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    NoWorkingTime,
    OutOfRange,
}

/// Working intervals in time order from an instant on, each clipped to start no
/// earlier than that instant and tagged with the local date that owns it.
/// Ends when the calendar provably has no more working time (a week without
/// hours and no later special hours) or the year passes 9999 — never loops
/// forever.
struct WorkingIntervals<'a> {
    calendar: &'a BusinessCalendar,
    not_before: DateTime<Utc>,
    next_date: Option<NaiveDate>,
    day: vec::IntoIter<(DateTime<Utc>, DateTime<Utc>)>,
    day_date: NaiveDate,
    weekly_has_time: bool,
    last_special: Option<NaiveDate>,
    stop: Option<Stop>,
}

impl<'a> WorkingIntervals<'a> {
    fn new(calendar: &'a BusinessCalendar, from: DateTime<Utc>) -> Self {
        let local = calendar.local_date(from);
        // Start a day early: around a fall-back at midnight the previous local
        // day can still own working time after `from`.
        let first = local.pred_opt().unwrap_or(local);
        WorkingIntervals {
            calendar,
            not_before: from,
            next_date: Some(first),
            day: Vec::new().into_iter(),
            day_date: first,
            weekly_has_time: calendar.weekly_has_time(),
            last_special: calendar.last_special_working_date(),
            stop: None,
        }
    }

    fn error(&self, from: DateTime<Utc>) -> CalendarError {
        match self.stop {
            Some(Stop::OutOfRange) => CalendarError::OutOfRange,
            _ => CalendarError::NoWorkingTime(from),
        }
    }
}

impl Iterator for WorkingIntervals<'_> {
    type Item = (NaiveDate, DateTime<Utc>, DateTime<Utc>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            for (start, end) in self.day.by_ref() {
                if end > self.not_before {
                    return Some((self.day_date, start.max(self.not_before), end));
                }
            }
            let Some(date) = self.next_date.filter(|d| d.year() <= MAX_SUPPORTED_YEAR) else {
                self.stop = Some(Stop::OutOfRange);
                return None;
            };
            if !self.weekly_has_time && self.last_special.is_none_or(|last| date > last) {
                self.stop = Some(Stop::NoWorkingTime);
                return None;
            }
            self.day = self.calendar.working_intervals(date).into_iter();
            self.day_date = date;
            self.next_date = date.succ_opt();
        }
    }
}

fn last_supported_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(MAX_SUPPORTED_YEAR, 12, 31).expect("9999-12-31 is a valid date")
}

impl BusinessCalendar {
    /// Whether `t` lies inside a working interval (`start <= t < end`).
    pub fn is_working_instant(&self, t: DateTime<Utc>) -> bool {
        let local = self.local_date(t);
        [local.pred_opt(), Some(local), local.succ_opt()]
            .into_iter()
            .flatten()
            .flat_map(|date| self.working_intervals(date))
            .any(|(start, end)| start <= t && t < end)
    }

    /// `t` itself if it is a working instant, otherwise the start of the next
    /// working interval; `None` if the calendar has no working time at or after
    /// `t` (or none before the year 9999 ends).
    pub fn next_working_instant(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        WorkingIntervals::new(self, t).next().map(|(_, start, _)| start)
    }

    /// The instant at which `duration` of working time has elapsed since
    /// `start` (see the module docs for the exact definition and its laws).
    ///
    /// Errors: [`CalendarError::NegativeDuration`];
    /// [`CalendarError::NoWorkingTime`] when the calendar runs out of working
    /// time (e.g. no hours at all); [`CalendarError::OutOfRange`] past 9999.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use mesa_core::calendar::BusinessCalendar;
    /// let cal = BusinessCalendar::colombia_default();
    /// // Thursday 24 Dec 2026, 15:00 in Bogotá (UTC−5); 25 Dec is Navidad.
    /// let start = Utc.with_ymd_and_hms(2026, 12, 24, 20, 0, 0).unwrap();
    /// let due = cal.add_business_time(start, Duration::hours(8)).unwrap();
    /// // 2 h on the 24th, 4 h + 2 h on Monday the 28th → 15:00 Bogotá.
    /// assert_eq!(due, Utc.with_ymd_and_hms(2026, 12, 28, 20, 0, 0).unwrap());
    /// ```
    pub fn add_business_time(&self, start: DateTime<Utc>, duration: Duration) -> Result<DateTime<Utc>, CalendarError> {
        if duration < TimeDelta::zero() {
            return Err(CalendarError::NegativeDuration(duration));
        }
        if duration.is_zero() {
            return Ok(start);
        }
        if self.weekly_has_time() && duration > self.capacity_until_year_9999(start) {
            return Err(CalendarError::OutOfRange);
        }
        let mut remaining = duration;
        let mut intervals = WorkingIntervals::new(self, start);
        for (_, from, end) in intervals.by_ref() {
            let available = end - from;
            if remaining <= available {
                return Ok(from + remaining);
            }
            remaining -= available;
        }
        Err(intervals.error(start))
    }

    /// Same local wall-clock time on the `n`-th following working day.
    ///
    /// Exact definition, for `n >= 1`:
    /// 1. the start is normalised to [`next_working_instant`](Self::next_working_instant)
    ///    (a start outside working hours — evening, lunch, weekend, holiday —
    ///    counts from when work resumes; a start exactly at 17:00 counts from the
    ///    next morning);
    /// 2. let `D0` be the local date owning that instant and `T` its local time;
    ///    `D` is the `n`-th working day after `D0` (a working day has at least one
    ///    working interval; weekends, holidays and non-working dates are skipped);
    /// 3. the result is `T` on `D` (DST resolved as for working hours), clamped
    ///    into `D`'s hours when they differ from `D0`'s: before the first interval
    ///    → its start; in a break → the start of the next interval; after the
    ///    last → its end.
    ///
    /// So the result is always on `D` and is a working instant or an interval
    /// end, and roughly `n` full working days of business time separate it from
    /// the normalised start. `n == 0` returns `start` unchanged. Errors as for
    /// [`add_business_time`](Self::add_business_time).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use mesa_core::calendar::BusinessCalendar;
    /// let cal = BusinessCalendar::colombia_default();
    /// // Tuesday 31 March 2026, 10:00 Bogotá; Jueves and Viernes Santo follow.
    /// let start = Utc.with_ymd_and_hms(2026, 3, 31, 15, 0, 0).unwrap();
    /// let due = cal.add_business_days(start, 2).unwrap();
    /// assert_eq!(due, Utc.with_ymd_and_hms(2026, 4, 6, 15, 0, 0).unwrap()); // Monday 10:00
    /// ```
    pub fn add_business_days(&self, start: DateTime<Utc>, n: u32) -> Result<DateTime<Utc>, CalendarError> {
        if n == 0 {
            return Ok(start);
        }
        let mut intervals = WorkingIntervals::new(self, start);
        let Some((first_day, resume, _)) = intervals.next() else {
            return Err(intervals.error(start));
        };
        if i64::from(n) > (last_supported_date() - first_day).num_days() {
            return Err(CalendarError::OutOfRange);
        }
        let wall_clock = resume.with_timezone(&self.tz).time();
        let mut day = first_day;
        let mut counted = 0;
        while counted < n {
            let Some((date, _, _)) = intervals.next() else {
                return Err(intervals.error(start));
            };
            if date != day {
                day = date;
                counted += 1;
            }
        }
        let day_intervals = self.working_intervals(day);
        let target = self.resolve_local(day.and_time(wall_clock)).ok_or(CalendarError::OutOfRange)?;
        for &(from, end) in &day_intervals {
            if target < from {
                return Ok(from);
            }
            if target < end {
                return Ok(target);
            }
        }
        day_intervals.last().map(|&(_, end)| end).ok_or(CalendarError::OutOfRange)
    }

    /// Working time inside `[a, b)`; zero if `b <= a`. Working time after the
    /// year 9999 is not counted.
    pub fn business_time_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        if b <= a {
            return TimeDelta::zero();
        }
        self.between_by_whole_days(a, b).unwrap_or_else(|| self.walk_between(a, b))
    }

    /// [`business_time_between`](Self::business_time_between) by walking
    /// every working interval in `[a, b)`.
    pub(crate) fn walk_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        WorkingIntervals::new(self, a)
            .take_while(|&(_, from, _)| from < b)
            .map(|(_, from, end)| end.min(b) - from)
            .sum()
    }

    /// For a span of several weeks: walks the first and last days and takes
    /// the whole local days in between from the kept per-day totals (see
    /// `day_totals`). Days two or more away from the local dates of `a` and
    /// `b` lie wholly inside `[a, b)` whatever the time zone does; they start
    /// and end at their local midnights, the same instants at which
    /// [`working_intervals`](Self::working_intervals) starts and ends a day.
    /// `None` for shorter spans, or outside the kept years.
    fn between_by_whole_days(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Option<Duration> {
        let first = self.local_date(a).checked_add_days(Days::new(2))?;
        let last = self.local_date(b).checked_sub_days(Days::new(2))?;
        if last.signed_duration_since(first).num_days() < WHOLE_DAYS_WORTH_KEEPING {
            return None;
        }
        let inner_start = self.resolve_local(first.and_time(NaiveTime::MIN))?;
        let inner_end = self.resolve_local(last.succ_opt()?.and_time(NaiveTime::MIN))?;
        if !(a <= inner_start && inner_start <= inner_end && inner_end <= b) {
            return None;
        }
        let whole_days = self.working_time_of_days(first, last)?;
        Some(self.walk_between(a, inner_start) + whole_days + self.walk_between(inner_end, b))
    }

    /// Working time inside `[a, b)` minus the working time covered by `pauses`
    /// (e.g. a ticket on hold waiting for the requester). Pauses are `[start,
    /// end)` spans that may overlap each other, touch, lie partly or wholly
    /// outside `[a, b)`, or be empty/reversed (ignored); overlapping time is
    /// subtracted once.
    pub fn business_time_between_with_pauses(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Duration {
        self.business_time_between(a, b) - self.paused_business_time(a, b, pauses)
    }

    /// The working time inside `[a, b)` that `pauses` cover (each moment
    /// once): what [`business_time_between_with_pauses`] takes away.
    ///
    /// [`business_time_between_with_pauses`]: Self::business_time_between_with_pauses
    pub fn paused_business_time(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Duration {
        let mut clipped: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            pauses.iter().map(|&(from, to)| (from.max(a), to.min(b))).filter(|(from, to)| from < to).collect();
        clipped.sort_unstable();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(clipped.len());
        for (from, to) in clipped {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        merged.iter().map(|&(from, to)| self.business_time_between(from, to)).sum()
    }

    /// A generous upper bound of the working time between `start` and the end
    /// of 9999, so that absurd durations fail at once instead of walking
    /// millions of days.
    fn capacity_until_year_9999(&self, start: DateTime<Utc>) -> Duration {
        let (per_week, special) = self.weekly_and_special_capacity();
        let days = (last_supported_date() - self.local_date(start)).num_days().max(0);
        let weeks = i32::try_from(days / 7 + 2).unwrap_or(i32::MAX);
        per_week.checked_mul(weeks).and_then(|t| t.checked_add(&special)).unwrap_or(TimeDelta::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone, Weekday};
    use chrono_tz::Tz;

    const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    const ALL_DAYS: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// An instant given as local wall-clock time in `tz` (must be unambiguous).
    fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("unambiguous local time").with_timezone(&Utc)
    }

    fn bog(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        at(chrono_tz::America::Bogota, y, mo, d, h, mi)
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    fn default_cal() -> BusinessCalendar {
        BusinessCalendar::colombia_default()
    }

    fn always_open(tz: Tz) -> BusinessCalendar {
        BusinessCalendar::builder(tz)
            .weekdays(&ALL_DAYS, &[(NaiveTime::MIN, NaiveTime::MIN)])
            .colombian_holidays(false)
            .build()
            .unwrap()
    }

    // ----- add_business_time on the default Colombian calendar -----

    #[test]
    fn christmas_eve_afternoon_plus_8h_skips_navidad_and_the_weekend() {
        let cal = default_cal();
        // Thu 24 Dec 2026 15:00: 2 h left; Fri 25 Navidad; Sat/Sun; Mon 28: 4 h + 2 h.
        let due = cal.add_business_time(bog(2026, 12, 24, 15, 0), hours(8)).unwrap();
        assert_eq!(due, bog(2026, 12, 28, 15, 0));
    }

    #[test]
    fn new_years_eve_skips_ano_nuevo_and_the_weekend() {
        let cal = default_cal();
        // Thu 31 Dec 2026 16:00 + 2 h: 1 h that day, Fri 1 Jan 2027 Año Nuevo,
        // weekend, Mon 4 Jan 08:00 + 1 h (Reyes is Monday 11 Jan in 2027).
        let due = cal.add_business_time(bog(2026, 12, 31, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2027, 1, 4, 9, 0));
        let due = cal.add_business_time(bog(2027, 1, 8, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2027, 1, 12, 9, 0)); // skips Monday 11 Jan, Reyes
    }

    #[test]
    fn holy_week_2026_skips_jueves_and_viernes_santo() {
        let cal = default_cal();
        // Wed 1 Apr 16:00 + 2 h → 1 h Wednesday, Thu 2 + Fri 3 holidays, weekend,
        // Mon 6 Apr 09:00.
        let due = cal.add_business_time(bog(2026, 4, 1, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2026, 4, 6, 9, 0));
        assert_eq!(cal.business_time_between(bog(2026, 4, 1, 0, 0), bog(2026, 4, 6, 0, 0)), hours(8));
    }

    #[test]
    fn lunch_break_is_not_working_time() {
        let cal = default_cal();
        // Tue 10 Mar 2026, 11:00 + 2 h → 11–12 and 13–14.
        let due = cal.add_business_time(bog(2026, 3, 10, 11, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 14, 0));
        // Ending exactly at the lunch break stays at 12:00.
        let due = cal.add_business_time(bog(2026, 3, 10, 11, 0), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 12, 0));
        // Starting during lunch counts from 13:00.
        let due = cal.add_business_time(bog(2026, 3, 10, 12, 30), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 14, 0));
    }

    #[test]
    fn weekend_is_skipped() {
        let cal = default_cal();
        // Fri 13 Mar 2026 16:00 + 2 h → Mon 16 Mar 09:00.
        let due = cal.add_business_time(bog(2026, 3, 13, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2026, 3, 16, 9, 0));
    }

    #[test]
    fn start_outside_working_hours_counts_from_the_next_working_instant() {
        let cal = default_cal();
        // Saturday.
        let due = cal.add_business_time(bog(2026, 3, 14, 10, 0), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 16, 9, 0));
        // Early morning.
        let due = cal.add_business_time(bog(2026, 3, 10, 6, 0), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 9, 0));
        // Evening.
        let due = cal.add_business_time(bog(2026, 3, 10, 20, 0), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 11, 9, 0));
        // Exactly at 17:00 (an interval end is not working time).
        let due = cal.add_business_time(bog(2026, 3, 10, 17, 0), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 11, 9, 0));
    }

    #[test]
    fn a_result_exactly_at_the_end_of_the_day_stays_at_17_00() {
        let cal = default_cal();
        let due = cal.add_business_time(bog(2026, 3, 10, 13, 0), hours(4)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 17, 0));
        let due = cal.add_business_time(bog(2026, 3, 10, 8, 0), hours(8)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 17, 0));
        // Before a weekend too: not Monday 08:00.
        let due = cal.add_business_time(bog(2026, 3, 13, 16, 0), hours(1)).unwrap();
        assert_eq!(due, bog(2026, 3, 13, 17, 0));
    }

    #[test]
    fn fractional_hours_work() {
        let cal = default_cal();
        let due = cal.add_business_time(bog(2026, 3, 10, 8, 0), Duration::minutes(270)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 13, 30)); // 4.5 h across lunch
        let due = cal.add_business_time(bog(2026, 3, 10, 8, 0), Duration::seconds(4 * 3600 + 1)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 13, 0) + Duration::seconds(1));
        let due = cal.add_business_time(bog(2026, 3, 10, 8, 0), Duration::milliseconds(1500)).unwrap();
        assert_eq!(due, bog(2026, 3, 10, 8, 0) + Duration::milliseconds(1500));
    }

    #[test]
    fn a_monday_holiday_is_skipped() {
        let cal = default_cal();
        // Fri 9 Jan 2026 16:00 + 2 h; Mon 12 Jan is Reyes → Tue 13 Jan 09:00.
        let due = cal.add_business_time(bog(2026, 1, 9, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2026, 1, 13, 9, 0));
        // 2025: Sagrado Corazón and San Pedro share Monday 30 June.
        let due = cal.add_business_time(bog(2025, 6, 27, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2025, 7, 1, 9, 0));
    }

    #[test]
    fn zero_duration_is_the_identity_even_outside_working_time() {
        let cal = default_cal();
        let saturday = bog(2026, 3, 14, 10, 0);
        assert_eq!(cal.add_business_time(saturday, Duration::zero()), Ok(saturday));
        assert_eq!(cal.add_business_days(saturday, 0), Ok(saturday));
    }

    #[test]
    fn negative_durations_are_rejected() {
        let cal = default_cal();
        assert!(matches!(
            cal.add_business_time(bog(2026, 3, 10, 9, 0), hours(-1)),
            Err(CalendarError::NegativeDuration(_))
        ));
    }

    #[test]
    fn seed_000_auto_close_after_72_business_hours() {
        let cal = default_cal();
        // Solved Tue 14 Apr 2026 10:00 → 72 h = 9 working days → Mon 27 Apr 10:00
        // (no holidays in between).
        let solved = bog(2026, 4, 14, 10, 0);
        let close = cal.add_business_time(solved, hours(72)).unwrap();
        assert_eq!(close, bog(2026, 4, 27, 10, 0));
        assert_eq!(cal.business_time_between(solved, close), hours(72));
    }

    #[test]
    fn special_hours_and_extra_days_off_are_respected() {
        let cal = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEKDAYS, &[(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))])
            .special_hours(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(), &[(hm(8, 0), hm(12, 0))])
            .non_working_dates([NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()])
            .build()
            .unwrap();
        // Thu 24 Dec 11:00 + 2 h: 1 h until 12:00, Navidad, weekend, Mon 28 off,
        // Tue 29 08:00 + 1 h.
        let due = cal.add_business_time(bog(2026, 12, 24, 11, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2026, 12, 29, 9, 0));
        // A worked holiday opens with the regular hours.
        let worked = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEKDAYS, &[(hm(8, 0), hm(17, 0))])
            .worked_holidays([NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()])
            .build()
            .unwrap();
        let due = worked.add_business_time(bog(2026, 12, 7, 16, 0), hours(2)).unwrap();
        assert_eq!(due, bog(2026, 12, 8, 9, 0));
    }

    #[test]
    fn a_thousand_business_hours_and_more_are_walked_per_interval() {
        let cal = default_cal();
        let start = bog(2026, 1, 2, 8, 0);
        let due = cal.add_business_time(start, hours(1000)).unwrap();
        assert_eq!(cal.business_time_between(start, due), hours(1000));
        assert_eq!(due.year(), 2026);
        // ~50 years of office hours still answers quickly.
        let due = cal.add_business_time(start, hours(100_000)).unwrap();
        assert_eq!(cal.business_time_between(start, due), hours(100_000));
        assert!((2070..2090).contains(&due.year()), "{due}");
        // Beyond what exists before 10000 fails at once.
        assert_eq!(cal.add_business_time(start, Duration::MAX), Err(CalendarError::OutOfRange));
        assert_eq!(cal.add_business_days(start, u32::MAX), Err(CalendarError::OutOfRange));
    }

    // ----- calendars without working time terminate -----

    #[test]
    fn a_calendar_without_working_time_returns_errors_instead_of_looping() {
        let empty = BusinessCalendar::builder(chrono_tz::America::Bogota).build().unwrap();
        let t = bog(2026, 3, 10, 9, 0);
        assert_eq!(empty.add_business_time(t, hours(1)), Err(CalendarError::NoWorkingTime(t)));
        assert_eq!(empty.add_business_days(t, 1), Err(CalendarError::NoWorkingTime(t)));
        assert_eq!(empty.next_working_instant(t), None);
        assert!(!empty.is_working_instant(t));
        assert_eq!(empty.business_time_between(t, t + hours(10_000)), Duration::zero());
        assert_eq!(empty.add_business_time(t, Duration::zero()), Ok(t));
    }

    #[test]
    fn a_calendar_with_only_special_hours_runs_out() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 5).unwrap();
        let cal = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .special_hours(day, &[(hm(9, 0), hm(11, 0))])
            .build()
            .unwrap();
        let t = bog(2026, 1, 1, 0, 0);
        assert_eq!(cal.add_business_time(t, hours(2)), Ok(bog(2026, 5, 5, 11, 0)));
        assert_eq!(cal.add_business_time(t, hours(3)), Err(CalendarError::NoWorkingTime(t)));
        assert_eq!(cal.next_working_instant(t), Some(bog(2026, 5, 5, 9, 0)));
        assert_eq!(cal.next_working_instant(bog(2026, 5, 5, 11, 0)), None);
        // Closing every remaining day does not hang either.
        let closed = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&[Weekday::Sat], &[(hm(9, 0), hm(10, 0))])
            .special_hours(NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(), &[])
            .build()
            .unwrap();
        assert_eq!(closed.add_business_time(bog(2026, 3, 13, 0, 0), hours(1)), Ok(bog(2026, 3, 21, 10, 0)));
    }

    // ----- next_working_instant / is_working_instant -----

    #[test]
    fn working_instants_are_half_open_intervals() {
        let cal = default_cal();
        assert!(cal.is_working_instant(bog(2026, 3, 10, 8, 0)));
        assert!(cal.is_working_instant(bog(2026, 3, 10, 11, 59)));
        assert!(!cal.is_working_instant(bog(2026, 3, 10, 12, 0)));
        assert!(!cal.is_working_instant(bog(2026, 3, 10, 17, 0)));
        assert!(!cal.is_working_instant(bog(2026, 3, 14, 10, 0))); // Saturday
        assert!(!cal.is_working_instant(bog(2026, 4, 2, 10, 0))); // Jueves Santo
        let t = bog(2026, 3, 10, 9, 30);
        assert_eq!(cal.next_working_instant(t), Some(t));
        assert_eq!(cal.next_working_instant(bog(2026, 3, 10, 12, 0)), Some(bog(2026, 3, 10, 13, 0)));
        assert_eq!(cal.next_working_instant(bog(2026, 4, 1, 17, 0)), Some(bog(2026, 4, 6, 8, 0)));
    }

    // ----- business_time_between (with pauses) -----

    #[test]
    fn business_time_between_counts_only_working_intervals() {
        let cal = default_cal();
        assert_eq!(cal.business_time_between(bog(2026, 3, 9, 0, 0), bog(2026, 3, 16, 0, 0)), hours(40));
        assert_eq!(
            cal.business_time_between(bog(2026, 3, 10, 11, 30), bog(2026, 3, 10, 13, 30)),
            Duration::minutes(60)
        );
        assert_eq!(cal.business_time_between(bog(2026, 3, 10, 13, 30), bog(2026, 3, 10, 11, 30)), Duration::zero());
    }

    #[test]
    fn pauses_are_merged_clipped_and_subtracted_once() {
        let cal = default_cal();
        let a = bog(2026, 3, 9, 8, 0); // Monday
        let b = bog(2026, 3, 13, 17, 0); // Friday: 40 h
        assert_eq!(cal.business_time_between_with_pauses(a, b, &[]), hours(40));
        let pauses = [
            // Tuesday 10:00–Wednesday 10:00 = 6 h + 2 h = 8 h …
            (bog(2026, 3, 10, 10, 0), bog(2026, 3, 11, 10, 0)),
            // … overlapping Tuesday 15:00–Wednesday 09:00, counted once.
            (bog(2026, 3, 10, 15, 0), bog(2026, 3, 11, 9, 0)),
            // Partly before `a`: Sunday to Monday 09:00 = 1 h.
            (bog(2026, 3, 8, 12, 0), bog(2026, 3, 9, 9, 0)),
            // Wholly outside, and reversed: ignored.
            (bog(2026, 3, 20, 8, 0), bog(2026, 3, 20, 17, 0)),
            (bog(2026, 3, 12, 12, 0), bog(2026, 3, 12, 9, 0)),
        ];
        assert_eq!(cal.business_time_between_with_pauses(a, b, &pauses), hours(31));
        let everything = [(a - hours(100), b + hours(100))];
        assert_eq!(cal.business_time_between_with_pauses(a, b, &everything), Duration::zero());
    }

    // ----- add_business_days -----

    #[test]
    fn business_days_keep_the_local_time_and_skip_holy_week() {
        let cal = default_cal();
        let start = bog(2026, 3, 31, 10, 0); // Tuesday
        assert_eq!(cal.add_business_days(start, 1), Ok(bog(2026, 4, 1, 10, 0)));
        assert_eq!(cal.add_business_days(start, 2), Ok(bog(2026, 4, 6, 10, 0)));
    }

    #[test]
    fn seed_001_eight_business_days_over_christmas() {
        let cal = default_cal();
        // Tue 22 Dec 2026 10:00: 23, 24, (25), 28, 29, 30, 31, (1 Jan), 4, 5 Jan.
        let due = cal.add_business_days(bog(2026, 12, 22, 10, 0), 8).unwrap();
        assert_eq!(due, bog(2027, 1, 5, 10, 0));
    }

    #[test]
    fn business_days_from_outside_working_hours_start_when_work_resumes() {
        let cal = default_cal();
        // Friday evening → counts from Monday 08:00 → Tuesday 08:00.
        assert_eq!(cal.add_business_days(bog(2026, 3, 13, 18, 0), 1), Ok(bog(2026, 3, 17, 8, 0)));
        // Saturday → same.
        assert_eq!(cal.add_business_days(bog(2026, 3, 14, 10, 0), 1), Ok(bog(2026, 3, 17, 8, 0)));
        // Exactly 17:00 is outside working time as well.
        assert_eq!(cal.add_business_days(bog(2026, 3, 10, 17, 0), 1), Ok(bog(2026, 3, 12, 8, 0)));
        // Lunch → 13:00 next day.
        assert_eq!(cal.add_business_days(bog(2026, 3, 10, 12, 30), 1), Ok(bog(2026, 3, 11, 13, 0)));
    }

    #[test]
    fn business_days_clamp_into_shorter_special_hours() {
        let short = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        let cal = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEKDAYS, &[(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))])
            .special_hours(short, &[(hm(9, 0), hm(11, 0))])
            .build()
            .unwrap();
        let wed = |h, m| bog(2026, 12, 23, h, m);
        assert_eq!(cal.add_business_days(wed(16, 0), 1), Ok(bog(2026, 12, 24, 11, 0)));
        assert_eq!(cal.add_business_days(wed(8, 30), 1), Ok(bog(2026, 12, 24, 9, 0)));
        assert_eq!(cal.add_business_days(wed(10, 15), 1), Ok(bog(2026, 12, 24, 10, 15)));
        // And a break: 09:00–10:00 and 14:00–16:00 on the special day.
        let gap = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEKDAYS, &[(hm(8, 0), hm(17, 0))])
            .special_hours(short, &[(hm(9, 0), hm(10, 0)), (hm(14, 0), hm(16, 0))])
            .build()
            .unwrap();
        assert_eq!(gap.add_business_days(wed(12, 0), 1), Ok(bog(2026, 12, 24, 14, 0)));
    }

    // ----- daylight saving time -----

    fn new_york_office() -> BusinessCalendar {
        BusinessCalendar::builder(chrono_tz::America::New_York)
            .weekdays(&WEEKDAYS, &[(hm(9, 0), hm(17, 0))])
            .colombian_holidays(false)
            .build()
            .unwrap()
    }

    #[test]
    fn new_york_office_hours_follow_the_local_clock_across_both_switches() {
        let cal = new_york_office();
        // Fri 6 Mar 2026 16:00 EST (21:00Z) + 2 h → Mon 9 Mar 10:00 EDT (14:00Z).
        assert_eq!(cal.add_business_time(utc(2026, 3, 6, 21, 0), hours(2)), Ok(utc(2026, 3, 9, 14, 0)));
        // Fri 30 Oct 16:00 EDT (20:00Z) + 2 h → Mon 2 Nov 10:00 EST (15:00Z).
        assert_eq!(cal.add_business_time(utc(2026, 10, 30, 20, 0), hours(2)), Ok(utc(2026, 11, 2, 15, 0)));
        // Business days keep the wall clock: Fri 10:00 EST → Mon 10:00 EDT.
        assert_eq!(cal.add_business_days(utc(2026, 3, 6, 15, 0), 1), Ok(utc(2026, 3, 9, 14, 0)));
    }

    #[test]
    fn round_the_clock_days_last_23_and_25_hours_on_switch_days() {
        let ny = always_open(chrono_tz::America::New_York);
        let spring = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let fall = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(ny.working_time_on(spring), hours(23));
        assert_eq!(ny.working_time_on(fall), hours(25));
        // Business time is real elapsed time: Sat 7 Mar 12:00 EST + 24 h is
        // Sun 8 Mar 13:00 EDT.
        assert_eq!(
            ny.add_business_time(at(chrono_tz::America::New_York, 2026, 3, 7, 12, 0), hours(24)),
            Ok(at(chrono_tz::America::New_York, 2026, 3, 8, 13, 0))
        );
        let madrid = always_open(chrono_tz::Europe::Madrid);
        // Sat 28 Mar 23:00 CET (22:00Z) + 3 h = 01:00Z = 03:00 CEST on the 29th.
        assert_eq!(madrid.add_business_time(utc(2026, 3, 28, 22, 0), hours(3)), Ok(utc(2026, 3, 29, 1, 0)));
    }

    #[test]
    fn an_interval_containing_the_skipped_hour_is_one_hour_shorter() {
        let cal = BusinessCalendar::builder(chrono_tz::America::New_York)
            .hours(Weekday::Sun, &[(hm(1, 0), hm(4, 0))])
            .colombian_holidays(false)
            .build()
            .unwrap();
        let sunday = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // A normal Sunday: 01:00–04:00 EST = 06:00Z–09:00Z.
        assert_eq!(cal.working_intervals(sunday(3, 1)), vec![(utc(2026, 3, 1, 6, 0), utc(2026, 3, 1, 9, 0))]);
        // 8 Mar 2026: 02:00–03:00 does not exist; 01:00 EST–04:00 EDT = 2 h.
        assert_eq!(cal.working_intervals(sunday(3, 8)), vec![(utc(2026, 3, 8, 6, 0), utc(2026, 3, 8, 8, 0))]);
        // 1 Nov 2026: 01:00 happens twice (first: EDT); 01:00 EDT–04:00 EST = 4 h.
        assert_eq!(cal.working_intervals(sunday(11, 1)), vec![(utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 9, 0))]);
        // Adding across it: Sun 8 Mar 01:30 EST (06:30Z) + 1 h → 03:30 EDT (07:30Z).
        assert_eq!(cal.add_business_time(utc(2026, 3, 8, 6, 30), hours(1)), Ok(utc(2026, 3, 8, 7, 30)));
        // Sun 1 Nov 00:00 + 4 h of work (01:00 EDT … 04:00 EST) ends at 09:00Z.
        assert_eq!(cal.add_business_time(utc(2026, 11, 1, 4, 0), hours(4)), Ok(utc(2026, 11, 1, 9, 0)));
        assert!(cal.is_working_instant(utc(2026, 11, 1, 6, 30))); // second 01:30
    }

    #[test]
    fn madrid_boundaries_inside_the_gap_or_the_repeated_hour() {
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let fall = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        let cal = BusinessCalendar::builder(chrono_tz::Europe::Madrid)
            .hours(Weekday::Sun, &[(hm(2, 30), hm(5, 0))])
            .special_hours(spring + Duration::days(7), &[(hm(2, 0), hm(2, 45))])
            .colombian_holidays(false)
            .build()
            .unwrap();
        // 29 Mar: 02:00 CET jumps to 03:00 CEST (01:00Z). 02:30 does not exist and
        // reads as 03:00 CEST: 01:00Z–03:00Z, 2 h.
        assert_eq!(cal.working_intervals(spring), vec![(utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 3, 0))]);
        // 25 Oct: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice and reads
        // as the first (CEST, 00:30Z); 05:00 CET = 04:00Z: 3.5 h.
        assert_eq!(cal.working_intervals(fall), vec![(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4, 0))]);
        // A normal Sunday: 2.5 h.
        let normal = cal.working_intervals(spring + Duration::days(14));
        assert_eq!(normal[0].1 - normal[0].0, Duration::minutes(150));
        // An interval entirely inside the gap cannot be worked (special hours
        // on a normal Sunday a week later keep it workable).
        let gap_only = BusinessCalendar::builder(chrono_tz::Europe::Madrid)
            .special_hours(spring, &[(hm(2, 0), hm(2, 45))])
            .colombian_holidays(false)
            .build()
            .unwrap();
        assert!(!gap_only.is_working_day(spring));
        assert_eq!(gap_only.next_working_instant(utc(2026, 3, 28, 0, 0)), None);
        assert!(cal.is_working_day(spring + Duration::days(7)));
    }

    #[test]
    fn business_days_land_on_the_end_of_a_gap() {
        // Saturday and Sunday 01:00–04:00 in New York; Sat 7 Mar 02:30 EST + 1
        // day → Sun 8 Mar 02:30, which does not exist → 03:00 EDT (07:00Z).
        let cal = BusinessCalendar::builder(chrono_tz::America::New_York)
            .weekdays(&[Weekday::Sat, Weekday::Sun], &[(hm(1, 0), hm(4, 0))])
            .colombian_holidays(false)
            .build()
            .unwrap();
        assert_eq!(cal.add_business_days(utc(2026, 3, 7, 7, 30), 1), Ok(utc(2026, 3, 8, 7, 0)));
    }

    #[test]
    fn a_skipped_calendar_day_has_no_working_time() {
        // Samoa jumped from 29 to 31 December 2011 (UTC−10 to UTC+14).
        let apia = always_open(chrono_tz::Pacific::Apia);
        let day = |d| NaiveDate::from_ymd_opt(2011, 12, d).unwrap();
        assert!(!apia.is_working_day(day(30)));
        assert_eq!(apia.working_intervals(day(29)).len(), 1);
        let from = apia.working_intervals(day(29))[0].0;
        let to = apia.working_intervals(day(31))[0].1;
        assert_eq!(apia.business_time_between(from, to), hours(48));
        assert_eq!(apia.add_business_days(from + hours(10), 1), Ok(from + hours(34)));
    }

    #[test]
    fn bogota_has_no_dst_and_matches_plain_offsets() {
        let cal = default_cal();
        assert_eq!(bog(2026, 7, 1, 8, 0), utc(2026, 7, 1, 13, 0));
        assert_eq!(
            cal.working_intervals(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
            vec![(utc(2026, 7, 1, 13, 0), utc(2026, 7, 1, 17, 0)), (utc(2026, 7, 1, 18, 0), utc(2026, 7, 1, 22, 0)),]
        );
    }
}
