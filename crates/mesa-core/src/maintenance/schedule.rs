//! When an activity falls due in its plan's year: the nominal dates of its
//! recurrence, each moved to the next business day of the desk calendar
//! (seeds 002 and 004: maintenance is done on working days).

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{EveryUnit, Recurrence};
use crate::calendar::BusinessCalendar;

/// One occurrence: the date the plan names and the business day it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub planned: NaiveDate,
    pub due: NaiveDate,
}

/// How far a date may move looking for a business day (a calendar with no
/// working day at all leaves dates where they are).
const SEARCH_DAYS: u64 = 400;

/// `date` itself if it is a business day of `calendar`, else the next one.
pub fn next_business_day(calendar: &BusinessCalendar, date: NaiveDate) -> NaiveDate {
    let mut d = date;
    for _ in 0..SEARCH_DAYS {
        if calendar.is_working_day(d) {
            return d;
        }
        match d.checked_add_days(Days::new(1)) {
            Some(next) => d = next,
            None => return date,
        }
    }
    date
}

/// The `k`-th nominal date of a step from `starts`. Months are counted from
/// the start each time, so a day missing from a short month is that month's
/// last day and the next month goes back to the start's day (Jan 31 → Feb
/// 28 or 29 → Mar 31).
fn nth(starts: NaiveDate, unit: EveryUnit, n: u32, k: u32) -> Option<NaiveDate> {
    let steps = n.checked_mul(k)?;
    match unit {
        EveryUnit::Day => starts.checked_add_days(Days::new(u64::from(steps))),
        EveryUnit::Week => starts.checked_add_days(Days::new(u64::from(steps) * 7)),
        EveryUnit::Month => starts.checked_add_months(Months::new(steps)),
    }
}

/// Every occurrence whose planned date lies in `year`, in order, each due on
/// the next business day of `calendar` (which may be in January of the next
/// year). Two planned dates moved onto the same business day make one
/// occurrence (the first).
pub fn occurrences(recurrence: &Recurrence, year: i32, calendar: &BusinessCalendar) -> Vec<Occurrence> {
    let planned: Vec<NaiveDate> = match recurrence {
        Recurrence::Dates(dates) => dates.iter().copied().filter(|d| d.year() == year).collect(),
        Recurrence::Every { every, starts } => {
            let mut dates = Vec::new();
            for k in 0.. {
                match nth(*starts, every.unit, every.n, k) {
                    Some(d) if d.year() == year => dates.push(d),
                    Some(d) if d.year() < year => continue,
                    _ => break,
                }
            }
            dates
        }
    };
    let mut out: Vec<Occurrence> = Vec::with_capacity(planned.len());
    for p in planned {
        let due = next_business_day(calendar, p);
        if out.last().is_some_and(|o| o.due >= due) {
            continue;
        }
        out.push(Occurrence { planned: p, due });
    }
    out
}
