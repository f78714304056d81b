//! The working time of whole local days, summed per year and kept by each
//! calendar once asked for. The working time between two instants far apart
//! then costs a few lookups instead of a walk over every day in between: an
//! open ticket's clocks run from its creation, so a queue of year-old tickets
//! would otherwise walk 365 days per clock per ticket on every page.

use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::calendar::business_calendar::BusinessCalendar;

/// The first year whose totals are kept; days outside the kept years are
/// walked instead.
const FIRST_YEAR: i32 = 1970;
/// How many years are kept from [`FIRST_YEAR`] on (through 2200).
const YEARS: usize = 231;

/// Per kept year, filled on first use: the working time of the year's days
/// before each day (`[0]` is zero, `[n]` covers the first `n` days).
#[derive(Clone)]
pub(crate) struct DayTotals(Box<[OnceLock<Box<[TimeDelta]>>]>);

impl Default for DayTotals {
    fn default() -> Self {
        DayTotals((0..YEARS).map(|_| OnceLock::new()).collect())
    }
}

/// A cache: calendars are equal when their rules are.
impl PartialEq for DayTotals {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for DayTotals {}

impl fmt::Debug for DayTotals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept = self.0.iter().filter(|year| year.get().is_some()).count();
        f.debug_struct("DayTotals").field("kept_years", &kept).finish()
    }
}

impl BusinessCalendar {
    /// The working time of the local days `from..=to` (zero when `to <
    /// from`), the sum of each day's [`working_time_on`]; `None` when one of
    /// the days lies outside the kept years.
    ///
    /// [`working_time_on`]: BusinessCalendar::working_time_on
    pub(crate) fn working_time_of_days(&self, from: NaiveDate, to: NaiveDate) -> Option<TimeDelta> {
        let mut total = TimeDelta::zero();
        let mut day = from;
        while day <= to {
            let year = day.year();
            let sums = self.year_totals(year)?;
            let last = to.min(NaiveDate::from_ymd_opt(year, 12, 31)?);
            total += sums[last.ordinal() as usize] - sums[day.ordinal0() as usize];
            day = NaiveDate::from_ymd_opt(year + 1, 1, 1)?;
        }
        Some(total)
    }

    fn year_totals(&self, year: i32) -> Option<&[TimeDelta]> {
        let slot = self.day_totals.0.get(usize::try_from(year - FIRST_YEAR).ok()?)?;
        Some(slot.get_or_init(|| {
            let mut sums = vec![TimeDelta::zero()];
            let mut total = TimeDelta::zero();
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1);
            while let Some(date) = day.filter(|d| d.year() == year) {
                total += self.working_time_on(date);
                sums.push(total);
                day = date.succ_opt();
            }
            sums.into_boxed_slice()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn summed_day_by_day(cal: &BusinessCalendar, from: NaiveDate, to: NaiveDate) -> TimeDelta {
        from.iter_days().take_while(|day| *day <= to).map(|day| cal.working_time_on(day)).sum()
    }

    #[test]
    fn whole_days_add_up_to_their_working_hours_across_years() {
        let cal = BusinessCalendar::colombia_default();
        // 2026-11-23 is a Monday: a week of 8-hour days.
        assert_eq!(cal.working_time_of_days(d(2026, 11, 23), d(2026, 11, 29)), Some(TimeDelta::hours(40)));
        // Christmas and New Year's Day, two weekends and a year boundary.
        let (from, to) = (d(2026, 12, 20), d(2028, 1, 10));
        assert_eq!(cal.working_time_of_days(from, to), Some(summed_day_by_day(&cal, from, to)));
        assert_eq!(cal.working_time_of_days(to, from), Some(TimeDelta::zero()));
        assert_eq!(cal.working_time_of_days(d(2026, 12, 25), d(2026, 12, 25)), Some(TimeDelta::zero()));
    }

    #[test]
    fn days_outside_the_kept_years_are_not_answered() {
        let cal = BusinessCalendar::colombia_default();
        assert_eq!(cal.working_time_of_days(d(1969, 12, 31), d(1970, 1, 5)), None);
        assert_eq!(cal.working_time_of_days(d(2200, 12, 1), d(2201, 1, 5)), None);
        assert!(cal.working_time_of_days(d(1970, 1, 1), d(2200, 12, 31)).is_some());
    }

    #[test]
    fn kept_totals_do_not_make_a_calendar_different() {
        let cal = BusinessCalendar::colombia_default();
        cal.working_time_of_days(d(2026, 1, 1), d(2026, 1, 31));
        assert_eq!(cal.clone(), BusinessCalendar::colombia_default());
        assert_eq!(format!("{:?}", cal.day_totals), "DayTotals { kept_years: 1 }");
    }
}
