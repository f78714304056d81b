//! [`BusinessCalendar`]: when an institution works, in its own time zone.
//!
//! A day's working hours are decided in this order (the most specific wins):
//!
//! 1. special hours for that date (may be empty: closed that day);
//! 2. an extra non-working date: closed;
//! 3. a Colombian holiday, when the calendar observes them and the date is not
//!    listed as a worked holiday: closed;
//! 4. the regular hours of its weekday.
//!
//! Hours are local wall-clock intervals `[start, end)`; an end of `00:00` means
//! midnight at the end of the day ("24:00"), so `00:00-00:00` is the whole day.
//! They become real instants through [`BusinessCalendar::working_intervals`],
//! which settles daylight-saving transitions once for all the arithmetic:
//!
//! * a local time that does not exist (skipped by a spring-forward) is read as
//!   the first instant after the gap, so the skipped hour is never worked;
//! * a local time that occurs twice (repeated by a fall-back) is read as its
//!   first occurrence, so an interval spanning the repeated hour lasts one hour
//!   longer in real time, as it does for the people working it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calendar::day_totals::DayTotals;
use crate::calendar::days_off::{DayOff, MAX_DAY_OFF_NAME};
use crate::calendar::error::{CalendarError, ScheduleDay};
use crate::calendar::holidays::is_colombian_holiday;

/// A local working interval `[start, end)`; `end == 00:00` means midnight at the
/// end of the day.
pub type WorkingInterval = (NaiveTime, NaiveTime);

/// Monday first, as `Weekday::num_days_from_monday` indexes them.
const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

const SECONDS_PER_DAY: u32 = 86_400;

/// Last year the arithmetic walks into: answers after 31 December 9999 (local
/// time) are [`CalendarError::OutOfRange`].
pub const MAX_SUPPORTED_YEAR: i32 = 9999;

/// Working hours, holidays and exceptions of one institution in one time zone.
///
/// Always valid: it is only made through [`BusinessCalendar::builder`],
/// [`BusinessCalendar::colombia_default`] or a [`CalendarConfig`], all of which
/// run [`BusinessCalendar::validate`]. Serialises as a [`CalendarConfig`]
/// (intervals as `"08:00-12:00"` strings) and validates when deserialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarConfig", into = "CalendarConfig")]
pub struct BusinessCalendar {
    pub(crate) tz: Tz,
    pub(crate) weekly: [Vec<WorkingInterval>; 7],
    pub(crate) colombian_holidays: bool,
    pub(crate) non_working_dates: BTreeSet<NaiveDate>,
    /// Names of some of the non-working dates (why the institution is closed).
    pub(crate) day_off_names: BTreeMap<NaiveDate, String>,
    pub(crate) worked_holidays: BTreeSet<NaiveDate>,
    pub(crate) special_hours: BTreeMap<NaiveDate, Vec<WorkingInterval>>,
    /// Filled as business time is asked for; not part of the rules.
    pub(crate) day_totals: DayTotals,
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("hour < 24 and minute < 60")
}

/// Seconds from midnight to the end of an interval (00:00 = 24:00).
fn end_seconds(end: NaiveTime) -> u32 {
    match end.num_seconds_from_midnight() {
        0 => SECONDS_PER_DAY,
        s => s,
    }
}

fn validate_intervals(day: ScheduleDay, intervals: &[WorkingInterval]) -> Result<(), CalendarError> {
    let mut previous_end: Option<(u32, NaiveTime)> = None;
    for &(start, end) in intervals {
        for time in [start, end] {
            if time.nanosecond() != 0 {
                return Err(CalendarError::FractionalSecond { day, time });
            }
        }
        let (s, e) = (start.num_seconds_from_midnight(), end_seconds(end));
        if s >= e {
            return Err(CalendarError::EmptyInterval { day, start, end });
        }
        if let Some((pe, previous)) = previous_end
            && s < pe
        {
            return Err(CalendarError::UnsortedOrOverlapping { day, previous_end: previous, start });
        }
        previous_end = Some((e, end));
    }
    Ok(())
}

impl BusinessCalendar {
    /// Mesa's default: Monday to Friday 08:00–12:00 and 13:00–17:00 in
    /// America/Bogota, closed on Colombian holidays — the usual hours of the
    /// public institutions in the seeds.
    pub fn colombia_default() -> Self {
        let day = vec![(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))];
        let mut weekly: [Vec<WorkingInterval>; 7] = Default::default();
        for hours in weekly.iter_mut().take(5) {
            hours.clone_from(&day);
        }
        BusinessCalendar {
            tz: chrono_tz::America::Bogota,
            weekly,
            colombian_holidays: true,
            non_working_dates: BTreeSet::new(),
            day_off_names: BTreeMap::new(),
            worked_holidays: BTreeSet::new(),
            special_hours: BTreeMap::new(),
            day_totals: DayTotals::default(),
        }
    }

    /// Starts a calendar in `tz` with no working hours and Colombian holidays
    /// observed; add hours with the builder's methods.
    pub fn builder(tz: Tz) -> BusinessCalendarBuilder {
        BusinessCalendarBuilder {
            calendar: BusinessCalendar {
                tz,
                weekly: Default::default(),
                colombian_holidays: true,
                non_working_dates: BTreeSet::new(),
                day_off_names: BTreeMap::new(),
                worked_holidays: BTreeSet::new(),
                special_hours: BTreeMap::new(),
                day_totals: DayTotals::default(),
            },
        }
    }

    /// Checks every rule a calendar must satisfy: intervals of each weekday and
    /// of each special date are sorted, non-overlapping, with `start < end` and
    /// whole-second boundaries; no date is both non-working and given special
    /// hours or listed as a worked holiday; names of days off are not blank,
    /// have no control characters and are at most [`MAX_DAY_OFF_NAME`]
    /// characters long.
    pub fn validate(&self) -> Result<(), CalendarError> {
        for (&date, name) in &self.day_off_names {
            let trimmed = name.trim();
            if !self.non_working_dates.contains(&date)
                || trimmed.is_empty()
                || trimmed.len() != name.len()
                || name.chars().count() > MAX_DAY_OFF_NAME
                || name.chars().any(char::is_control)
            {
                return Err(CalendarError::InvalidDayOffName { date });
            }
        }
        for (day, intervals) in WEEK.iter().zip(self.weekly.iter()) {
            validate_intervals(ScheduleDay::Weekday(*day), intervals)?;
        }
        for (date, intervals) in &self.special_hours {
            validate_intervals(ScheduleDay::Date(*date), intervals)?;
        }
        for &date in &self.non_working_dates {
            if self.special_hours.contains_key(&date) {
                return Err(CalendarError::ConflictingDate {
                    date,
                    first: "a non-working date",
                    second: "a date with special hours",
                });
            }
            if self.worked_holidays.contains(&date) {
                return Err(CalendarError::ConflictingDate {
                    date,
                    first: "a non-working date",
                    second: "a worked holiday",
                });
            }
        }
        Ok(())
    }

    /// The calendar's time zone: all local hours are read in it.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Regular hours of a weekday.
    pub fn weekly_hours(&self, day: Weekday) -> &[WorkingInterval] {
        &self.weekly[day.num_days_from_monday() as usize]
    }

    /// Whether Colombian national holidays close the calendar.
    pub fn observes_colombian_holidays(&self) -> bool {
        self.colombian_holidays
    }

    /// Extra non-working dates (institution-specific days off).
    pub fn non_working_dates(&self) -> &BTreeSet<NaiveDate> {
        &self.non_working_dates
    }

    /// Colombian holidays on which this institution works its regular hours.
    pub fn worked_holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.worked_holidays
    }

    /// Dates whose hours replace the regular ones.
    pub fn special_hours(&self) -> &BTreeMap<NaiveDate, Vec<WorkingInterval>> {
        &self.special_hours
    }

    /// Whether `date` is a day off by date (not by weekday): one of the extra
    /// non-working dates, or a Colombian holiday this calendar observes and does
    /// not work. Special hours still open such a date.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.non_working_dates.contains(&date)
            || (self.colombian_holidays && !self.worked_holidays.contains(&date) && is_colombian_holiday(date))
    }

    /// The local hours that apply on `date`, after special hours, non-working
    /// dates and holidays (see the module docs for the order).
    pub fn hours_on(&self, date: NaiveDate) -> &[WorkingInterval] {
        if let Some(hours) = self.special_hours.get(&date) {
            return hours;
        }
        if self.is_holiday(date) {
            return &[];
        }
        self.weekly_hours(date.weekday())
    }

    /// The working intervals of local `date` as real instants, sorted and
    /// disjoint; intervals swallowed by a DST gap are left out. This is the one
    /// place where local hours meet the time zone.
    pub fn working_intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let hours = self.hours_on(date);
        let mut out = Vec::with_capacity(hours.len());
        for &(start, end) in hours {
            let start = self.resolve_local(date.and_time(start));
            let end = if end == NaiveTime::MIN {
                date.succ_opt().and_then(|next| self.resolve_local(next.and_time(NaiveTime::MIN)))
            } else {
                self.resolve_local(date.and_time(end))
            };
            if let (Some(start), Some(end)) = (start, end)
                && start < end
            {
                out.push((start, end));
            }
        }
        out
    }

    /// The working time of local `date`: its working intervals' lengths
    /// (after DST is applied).
    pub fn working_time_on(&self, date: NaiveDate) -> TimeDelta {
        self.working_intervals(date).iter().map(|&(start, end)| end - start).sum()
    }

    /// Whether `date` has any working time (after DST is applied).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.working_intervals(date).is_empty()
    }

    /// The instant at which the local clock first shows `local` (or, inside a
    /// spring-forward gap, the instant the gap ends). Monotone in `local`, which
    /// keeps converted intervals sorted and disjoint. `None` only at the edges
    /// of chrono's range.
    pub(crate) fn resolve_local(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
            LocalResult::None => self.end_of_gap(local),
        }
    }

    /// First whole-second instant whose local time is at or after `local`,
    /// for a `local` inside a DST gap. Offsets lie within ±16 h, so the answer
    /// lies within ±16 h of `local` read as UTC; a binary search over that
    /// window needs ~17 steps.
    fn end_of_gap(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let window = 16 * 3600;
        let guess = local.and_utc().timestamp();
        let (mut lo, mut hi) = (guess - window, guess + window);
        let reaches = |secs: i64| {
            DateTime::from_timestamp(secs, 0).map(|t| self.tz.from_utc_datetime(&t.naive_utc()).naive_local() >= local)
        };
        // Invariant: `lo` does not reach `local`, `hi` does.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if reaches(mid)? {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        DateTime::from_timestamp(hi, 0)
    }

    /// Local calendar date of an instant.
    pub(crate) fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Whether the regular week has any hours at all.
    pub(crate) fn weekly_has_time(&self) -> bool {
        self.weekly.iter().any(|day| !day.is_empty())
    }

    /// Last date with special hours that open it, if any.
    pub(crate) fn last_special_working_date(&self) -> Option<NaiveDate> {
        self.special_hours.iter().rev().find(|(_, hours)| !hours.is_empty()).map(|(date, _)| *date)
    }

    /// Upper bound of the local working time of a regular week plus generous
    /// DST slack, and of all special dates; used to reject impossible requests
    /// without walking to the year 9999.
    pub(crate) fn weekly_and_special_capacity(&self) -> (TimeDelta, TimeDelta) {
        let slack = TimeDelta::hours(3);
        let span = |hours: &[WorkingInterval]| -> TimeDelta {
            hours
                .iter()
                .map(|&(s, e)| TimeDelta::seconds(i64::from(end_seconds(e) - s.num_seconds_from_midnight())))
                .sum::<TimeDelta>()
                + slack
        };
        let weekly = self.weekly.iter().map(|h| span(h)).sum();
        let special = self.special_hours.values().map(|h| span(h)).sum();
        (weekly, special)
    }
}

/// Builds a [`BusinessCalendar`] step by step; [`build`](Self::build) validates.
///
/// ```
/// use chrono::{NaiveTime, Weekday};
/// use mesa_core::calendar::BusinessCalendar;
/// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
/// let cal = BusinessCalendar::builder(chrono_tz::America::Bogota)
///     .weekdays(&[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
///               &[(t(7), t(13)), (t(14), t(16))])
///     .hours(Weekday::Sat, &[(t(8), t(12))])
///     .build()
///     .unwrap();
/// assert_eq!(cal.weekly_hours(Weekday::Sat).len(), 1);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BusinessCalendarBuilder {
    calendar: BusinessCalendar,
}

impl BusinessCalendarBuilder {
    /// Replaces the regular hours of one weekday.
    pub fn hours(mut self, day: Weekday, intervals: &[WorkingInterval]) -> Self {
        self.calendar.weekly[day.num_days_from_monday() as usize] = intervals.to_vec();
        self
    }

    /// Replaces the regular hours of several weekdays with the same intervals.
    pub fn weekdays(mut self, days: &[Weekday], intervals: &[WorkingInterval]) -> Self {
        for &day in days {
            self = self.hours(day, intervals);
        }
        self
    }

    /// Whether Colombian national holidays close the calendar (default: yes).
    pub fn colombian_holidays(mut self, observe: bool) -> Self {
        self.calendar.colombian_holidays = observe;
        self
    }

    /// Adds extra non-working dates (institutional days off).
    pub fn non_working_dates(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.calendar.non_working_dates.extend(dates);
        self
    }

    /// Adds one extra non-working date with its name (e.g. "Día cívico").
    pub fn named_day_off(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        self.calendar.non_working_dates.insert(date);
        self.calendar.day_off_names.insert(date, name.into());
        self
    }

    /// Removes dates from the holiday set: on these the regular hours apply.
    pub fn worked_holidays(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.calendar.worked_holidays.extend(dates);
        self
    }

    /// Sets the hours of one date, overriding weekday, holiday and worked-holiday
    /// rules; an empty slice closes the date.
    pub fn special_hours(mut self, date: NaiveDate, intervals: &[WorkingInterval]) -> Self {
        self.calendar.special_hours.insert(date, intervals.to_vec());
        self
    }

    /// Validates and returns the calendar.
    pub fn build(self) -> Result<BusinessCalendar, CalendarError> {
        self.calendar.validate()?;
        // Totals kept while the rules were still changing would be wrong.
        Ok(BusinessCalendar { day_totals: DayTotals::default(), ..self.calendar })
    }
}

/// A working interval in configuration form: `"08:00-12:00"`, seconds optional
/// (`"08:00:30-12:00"`), `"24:00"` allowed as an end for midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    pub start: NaiveTime,
    /// `00:00` means midnight at the end of the day.
    pub end: NaiveTime,
}

impl From<WorkingInterval> for TimeRange {
    fn from((start, end): WorkingInterval) -> Self {
        TimeRange { start, end }
    }
}

impl From<TimeRange> for WorkingInterval {
    fn from(range: TimeRange) -> Self {
        (range.start, range.end)
    }
}

fn parse_clock(text: &str, is_end: bool) -> Option<NaiveTime> {
    let text = text.trim();
    if is_end && (text == "24:00" || text == "24:00:00") {
        return Some(NaiveTime::MIN);
    }
    NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

impl FromStr for TimeRange {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || CalendarError::InvalidTimeRange(s.to_owned());
        let (start, end) = s.split_once('-').ok_or_else(invalid)?;
        Ok(TimeRange {
            start: parse_clock(start, false).ok_or_else(invalid)?,
            end: parse_clock(end, true).ok_or_else(invalid)?,
        })
    }
}

fn write_clock(f: &mut fmt::Formatter<'_>, t: NaiveTime, is_end: bool) -> fmt::Result {
    if is_end && t == NaiveTime::MIN {
        return f.write_str("24:00");
    }
    if t.second() == 0 {
        write!(f, "{:02}:{:02}", t.hour(), t.minute())
    } else {
        write!(f, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_clock(f, self.start, false)?;
        f.write_str("-")?;
        write_clock(f, self.end, true)
    }
}

impl Serialize for TimeRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Regular hours per weekday in configuration form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monday: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tuesday: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wednesday: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thursday: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub friday: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saturday: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sunday: Vec<TimeRange>,
}

impl WeeklyHours {
    fn days(&self) -> [&Vec<TimeRange>; 7] {
        [&self.monday, &self.tuesday, &self.wednesday, &self.thursday, &self.friday, &self.saturday, &self.sunday]
    }

    fn days_mut(&mut self) -> [&mut Vec<TimeRange>; 7] {
        [
            &mut self.monday,
            &mut self.tuesday,
            &mut self.wednesday,
            &mut self.thursday,
            &mut self.friday,
            &mut self.saturday,
            &mut self.sunday,
        ]
    }
}

fn default_true() -> bool {
    true
}

/// Serialisable form of a [`BusinessCalendar`], e.g. in JSON:
///
/// ```json
/// { "timezone": "America/Bogota",
///   "hours": { "monday": ["08:00-12:00", "13:00-17:00"], "saturday": ["08:00-12:00"] },
///   "colombian_holidays": true,
///   "non_working_dates": ["2026-12-24", {"date": "2026-08-20", "name": "Día cívico"}],
///   "worked_holidays": [],
///   "special_hours": { "2026-12-31": ["08:00-12:00"] } }
/// ```
///
/// Missing fields default to: no hours, holidays observed, no exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// IANA time-zone name.
    pub timezone: String,
    #[serde(default)]
    pub hours: WeeklyHours,
    #[serde(default = "default_true")]
    pub colombian_holidays: bool,
    /// Extra days off, each a bare date or a date with a name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_working_dates: Vec<DayOff>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worked_holidays: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub special_hours: BTreeMap<NaiveDate, Vec<TimeRange>>,
}

impl CalendarConfig {
    /// Parses and validates into a calendar.
    pub fn build(self) -> Result<BusinessCalendar, CalendarError> {
        BusinessCalendar::try_from(self)
    }
}

impl TryFrom<CalendarConfig> for BusinessCalendar {
    type Error = CalendarError;

    fn try_from(config: CalendarConfig) -> Result<Self, Self::Error> {
        let tz: Tz = config.timezone.parse().map_err(|_| CalendarError::UnknownTimeZone(config.timezone.clone()))?;
        let mut weekly: [Vec<WorkingInterval>; 7] = Default::default();
        for (slot, day) in weekly.iter_mut().zip(config.hours.days()) {
            *slot = day.iter().map(|&r| r.into()).collect();
        }
        // A date listed twice keeps its last name, as a map key would.
        let mut day_off_names = BTreeMap::new();
        for day in &config.non_working_dates {
            match &day.name {
                Some(name) => day_off_names.insert(day.date, name.clone()),
                None => day_off_names.remove(&day.date),
            };
        }
        let calendar = BusinessCalendar {
            tz,
            weekly,
            colombian_holidays: config.colombian_holidays,
            non_working_dates: config.non_working_dates.iter().map(|d| d.date).collect(),
            day_off_names,
            worked_holidays: config.worked_holidays.into_iter().collect(),
            special_hours: config
                .special_hours
                .into_iter()
                .map(|(date, ranges)| (date, ranges.into_iter().map(Into::into).collect()))
                .collect(),
            day_totals: DayTotals::default(),
        };
        calendar.validate()?;
        Ok(calendar)
    }
}

impl From<BusinessCalendar> for CalendarConfig {
    fn from(calendar: BusinessCalendar) -> Self {
        let mut hours = WeeklyHours::default();
        for (slot, day) in hours.days_mut().into_iter().zip(calendar.weekly.iter()) {
            *slot = day.iter().map(|&i| i.into()).collect();
        }
        CalendarConfig {
            timezone: calendar.tz.name().to_owned(),
            hours,
            colombian_holidays: calendar.colombian_holidays,
            non_working_dates: calendar.days_off(),
            worked_holidays: calendar.worked_holidays.into_iter().collect(),
            special_hours: calendar
                .special_hours
                .into_iter()
                .map(|(date, hours)| (date, hours.into_iter().map(Into::into).collect()))
                .collect(),
        }
    }
}

impl BusinessCalendar {
    /// The configuration form of this calendar.
    pub fn to_config(&self) -> CalendarConfig {
        self.clone().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as ValueError, StrDeserializer};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn colombia_default_is_valid_and_has_the_documented_hours() {
        let cal = BusinessCalendar::colombia_default();
        cal.validate().unwrap();
        assert_eq!(cal.timezone(), chrono_tz::America::Bogota);
        assert!(cal.observes_colombian_holidays());
        for day in &WEEK[..5] {
            assert_eq!(cal.weekly_hours(*day), &[(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))]);
        }
        assert!(cal.weekly_hours(Weekday::Sat).is_empty());
        assert!(cal.weekly_hours(Weekday::Sun).is_empty());
    }

    #[test]
    fn validation_rejects_empty_unsorted_overlapping_and_fractional_intervals() {
        let b = || BusinessCalendar::builder(chrono_tz::America::Bogota);
        let err = b().hours(Weekday::Mon, &[(hm(12, 0), hm(8, 0))]).build();
        assert!(matches!(err, Err(CalendarError::EmptyInterval { .. })));
        let err = b().hours(Weekday::Mon, &[(hm(8, 0), hm(8, 0))]).build();
        assert!(matches!(err, Err(CalendarError::EmptyInterval { .. })));
        let err = b().hours(Weekday::Tue, &[(hm(13, 0), hm(17, 0)), (hm(8, 0), hm(12, 0))]).build();
        assert!(matches!(err, Err(CalendarError::UnsortedOrOverlapping { .. })));
        let err = b().hours(Weekday::Tue, &[(hm(8, 0), hm(13, 0)), (hm(12, 0), hm(17, 0))]).build();
        assert!(matches!(err, Err(CalendarError::UnsortedOrOverlapping { .. })));
        let fractional = NaiveTime::from_hms_milli_opt(9, 0, 0, 500).unwrap();
        let err = b().hours(Weekday::Wed, &[(hm(8, 0), fractional)]).build();
        assert!(matches!(err, Err(CalendarError::FractionalSecond { .. })));
        let err = b().special_hours(d(2026, 5, 4), &[(hm(9, 0), hm(10, 0)), (hm(9, 30), hm(11, 0))]).build();
        assert_eq!(
            err.unwrap_err().to_string(),
            "working intervals on 2026-05-04 are unsorted or overlap: one starts at 09:30:00, \
             before the previous one ends at 10:00:00"
        );
        // Touching intervals and a whole day (00:00 end = midnight) are fine.
        b().hours(Weekday::Thu, &[(hm(8, 0), hm(12, 0)), (hm(12, 0), hm(17, 0))])
            .hours(Weekday::Sun, &[(NaiveTime::MIN, NaiveTime::MIN)])
            .hours(Weekday::Sat, &[(hm(22, 0), NaiveTime::MIN)])
            .build()
            .unwrap();
    }

    #[test]
    fn validation_rejects_contradictory_dates() {
        let date = d(2026, 12, 24);
        let err = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .non_working_dates([date])
            .special_hours(date, &[(hm(8, 0), hm(12, 0))])
            .build();
        assert!(matches!(err, Err(CalendarError::ConflictingDate { .. })));
        let holiday = d(2026, 12, 8);
        let err = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .non_working_dates([holiday])
            .worked_holidays([holiday])
            .build();
        assert!(matches!(err, Err(CalendarError::ConflictingDate { .. })));
    }

    #[test]
    fn hours_on_applies_special_then_non_working_then_holiday_then_weekday() {
        let cal = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEK[..5], &[(hm(8, 0), hm(17, 0))])
            .non_working_dates([d(2026, 12, 24)])
            .worked_holidays([d(2026, 12, 8)])
            .special_hours(d(2026, 12, 25), &[(hm(9, 0), hm(11, 0))])
            .special_hours(d(2026, 12, 30), &[])
            .build()
            .unwrap();
        assert_eq!(cal.hours_on(d(2026, 12, 23)), &[(hm(8, 0), hm(17, 0))]);
        assert!(cal.hours_on(d(2026, 12, 24)).is_empty()); // extra day off
        assert_eq!(cal.hours_on(d(2026, 12, 25)), &[(hm(9, 0), hm(11, 0))]); // special beats holiday
        assert_eq!(cal.hours_on(d(2026, 12, 8)), &[(hm(8, 0), hm(17, 0))]); // worked holiday
        assert!(cal.hours_on(d(2026, 11, 16)).is_empty()); // Independencia de Cartagena
        assert!(cal.hours_on(d(2026, 12, 30)).is_empty()); // special: closed
        assert!(cal.hours_on(d(2026, 12, 26)).is_empty()); // Saturday
        assert!(cal.is_holiday(d(2026, 12, 24)));
        assert!(!cal.is_holiday(d(2026, 12, 8)));
        let no_holidays = BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEK[..5], &[(hm(8, 0), hm(17, 0))])
            .colombian_holidays(false)
            .build()
            .unwrap();
        assert!(!no_holidays.hours_on(d(2026, 11, 16)).is_empty());
    }

    #[test]
    fn time_ranges_parse_and_print() {
        let r: TimeRange = "08:00-12:00".parse().unwrap();
        assert_eq!((r.start, r.end), (hm(8, 0), hm(12, 0)));
        let r: TimeRange = " 13:00 - 24:00 ".parse().unwrap();
        assert_eq!((r.start, r.end), (hm(13, 0), NaiveTime::MIN));
        assert_eq!(r.to_string(), "13:00-24:00");
        let r: TimeRange = "08:00:30-12:00".parse().unwrap();
        assert_eq!(r.to_string(), "08:00:30-12:00");
        for bad in ["", "08:00", "8-12", "24:00-12:00", "08:00-25:00", "08:00–12:00"] {
            assert!(bad.parse::<TimeRange>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_range_deserialises_from_a_string() {
        let de: StrDeserializer<'_, ValueError> = "07:30-24:00".into_deserializer();
        let r = TimeRange::deserialize(de).unwrap();
        assert_eq!((r.start, r.end), (hm(7, 30), NaiveTime::MIN));
        let de: StrDeserializer<'_, ValueError> = "nonsense".into_deserializer();
        assert!(TimeRange::deserialize(de).is_err());
    }

    #[test]
    fn config_round_trips_and_validates() {
        let config = CalendarConfig {
            timezone: "America/Bogota".into(),
            hours: WeeklyHours {
                monday: vec!["08:00-12:00".parse().unwrap(), "13:00-17:00".parse().unwrap()],
                saturday: vec!["08:00-12:00".parse().unwrap()],
                ..WeeklyHours::default()
            },
            colombian_holidays: true,
            non_working_dates: vec![DayOff::named(d(2026, 8, 20), "Día cívico"), d(2026, 12, 24).into()],
            worked_holidays: vec![d(2026, 12, 8)],
            special_hours: [(d(2026, 12, 31), vec!["08:00-12:00".parse().unwrap()])].into(),
        };
        let cal = config.clone().build().unwrap();
        assert_eq!(cal.weekly_hours(Weekday::Sat), &[(hm(8, 0), hm(12, 0))]);
        assert_eq!(cal.to_config(), config);
        assert_eq!(
            BusinessCalendar::try_from(BusinessCalendar::colombia_default().to_config()).unwrap(),
            BusinessCalendar::colombia_default()
        );
        let bad_zone = CalendarConfig { timezone: "Colombia/Cajica".into(), ..config.clone() };
        assert_eq!(bad_zone.build(), Err(CalendarError::UnknownTimeZone("Colombia/Cajica".into())));
        let mut blank_name = config.clone();
        blank_name.non_working_dates.push(DayOff::named(d(2026, 9, 1), " "));
        assert_eq!(blank_name.build(), Err(CalendarError::InvalidDayOffName { date: d(2026, 9, 1) }));
        let mut long_name = config.clone();
        long_name.non_working_dates.push(DayOff::named(d(2026, 9, 1), "x".repeat(MAX_DAY_OFF_NAME + 1)));
        assert!(long_name.build().is_err());
        let mut overlapping = config;
        overlapping.hours.friday = vec!["08:00-12:00".parse().unwrap(), "11:00-17:00".parse().unwrap()];
        assert!(overlapping.build().is_err());
    }
}
