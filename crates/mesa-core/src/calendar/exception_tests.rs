//! Table tests of the exceptions an institution adds to the default calendar
//! (Monday–Friday 08:00–12:00 and 13:00–17:00 in Bogotá): a mayor's día cívico
//! inside a 72-hour window, half days on 24 and 31 December, a national holiday
//! the institution works, and the holiday of Ley 2578 de 2026. Each row gives
//! the due date with and without the exception, so it shows what the
//! exception moves.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

use crate::calendar::{BusinessCalendar, BusinessCalendarBuilder};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

/// The default calendar as a builder, to add exceptions to.
fn default_builder() -> BusinessCalendarBuilder {
    let day = [(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))];
    BusinessCalendar::builder(chrono_tz::America::Bogota)
        .weekdays(&[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri], &day)
}

struct Row {
    what: &'static str,
    exceptions: fn(BusinessCalendarBuilder) -> BusinessCalendarBuilder,
    start: &'static str,
    hours: i64,
    without: &'static str,
    with: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        what: "a día cívico on Wednesday inside the 72-hour auto-close window (seed 000) adds a day",
        exceptions: |b| b.named_day_off(d(2026, 11, 25), "Día cívico"),
        start: "2026-11-20T16:00:00-05:00",
        hours: 72,
        without: "2026-12-03T16:00:00-05:00",
        with: "2026-12-04T16:00:00-05:00",
    },
    Row {
        what: "the municipality's anniversary and a día cívico in one window add two days",
        exceptions: |b| b.named_day_off(d(2026, 11, 25), "Día cívico").named_day_off(d(2026, 12, 1), "Aniversario"),
        start: "2026-11-20T16:00:00-05:00",
        hours: 72,
        without: "2026-12-03T16:00:00-05:00",
        with: "2026-12-07T16:00:00-05:00",
    },
    Row {
        what: "a día cívico on a Saturday or on a holiday changes nothing",
        exceptions: |b| b.named_day_off(d(2026, 11, 21), "Día cívico").named_day_off(d(2026, 12, 8), "Día cívico"),
        start: "2026-11-20T16:00:00-05:00",
        hours: 72,
        without: "2026-12-03T16:00:00-05:00",
        with: "2026-12-03T16:00:00-05:00",
    },
    Row {
        what: "a half day on 24 December leaves four hours that day",
        exceptions: |b| b.special_hours(d(2026, 12, 24), &[(hm(8, 0), hm(12, 0))]),
        start: "2026-12-23T15:00:00-05:00",
        hours: 8,
        without: "2026-12-24T15:00:00-05:00",
        with: "2026-12-28T10:00:00-05:00",
    },
    Row {
        what: "a half day on 31 December, then New Year's Day",
        exceptions: |b| b.special_hours(d(2026, 12, 31), &[(hm(8, 0), hm(12, 0))]),
        start: "2026-12-30T09:00:00-05:00",
        hours: 16,
        without: "2027-01-04T09:00:00-05:00",
        with: "2027-01-04T14:00:00-05:00",
    },
    Row {
        what: "a due date at the end of a half day stays at 12:00",
        exceptions: |b| b.special_hours(d(2026, 12, 24), &[(hm(8, 0), hm(12, 0))]),
        start: "2026-12-24T08:00:00-05:00",
        hours: 4,
        without: "2026-12-24T12:00:00-05:00",
        with: "2026-12-24T12:00:00-05:00",
    },
    Row {
        what: "a removed holiday (8 December worked) is a full working day",
        exceptions: |b| b.worked_holidays([d(2026, 12, 8)]),
        start: "2026-12-07T08:00:00-05:00",
        hours: 16,
        without: "2026-12-09T17:00:00-05:00",
        with: "2026-12-08T17:00:00-05:00",
    },
    Row {
        what: "a worked holiday on a Saturday adds nothing: the week has no Saturday hours",
        exceptions: |b| b.worked_holidays([d(2027, 5, 1)]),
        start: "2027-04-30T16:00:00-05:00",
        hours: 2,
        without: "2027-05-03T09:00:00-05:00",
        with: "2027-05-03T09:00:00-05:00",
    },
    Row {
        what: "the Chiquinquirá Monday of Ley 2578 de 2026 closes the desk unless it is worked",
        exceptions: |b| b.worked_holidays([d(2026, 7, 13)]),
        start: "2026-07-10T16:00:00-05:00",
        hours: 2,
        without: "2026-07-14T09:00:00-05:00",
        with: "2026-07-13T09:00:00-05:00",
    },
    Row {
        what: "the Monday after 9 July 2025 was worked: the law applies from 2026",
        exceptions: |b| b,
        start: "2025-07-11T16:00:00-05:00",
        hours: 2,
        without: "2025-07-14T09:00:00-05:00",
        with: "2025-07-14T09:00:00-05:00",
    },
];

#[test]
fn each_exception_moves_the_due_date_as_the_table_says() {
    let plain = BusinessCalendar::colombia_default();
    assert_eq!(default_builder().build().unwrap(), plain);
    for row in ROWS {
        let cal = (row.exceptions)(default_builder()).build().unwrap();
        let start = at(row.start);
        let hours = TimeDelta::hours(row.hours);
        assert_eq!(plain.add_business_time(start, hours).unwrap(), at(row.without), "without: {}", row.what);
        assert_eq!(cal.add_business_time(start, hours).unwrap(), at(row.with), "with: {}", row.what);
        assert_eq!(cal.business_time_between(start, at(row.with)), hours, "{}", row.what);
    }
}

#[test]
fn exception_days_have_the_working_time_they_promise() {
    let cal = default_builder()
        .named_day_off(d(2026, 11, 25), "Día cívico")
        .special_hours(d(2026, 12, 24), &[(hm(8, 0), hm(12, 0))])
        .special_hours(d(2026, 12, 30), &[])
        .worked_holidays([d(2026, 12, 8)])
        .build()
        .unwrap();
    assert_eq!(cal.working_time_on(d(2026, 11, 25)), TimeDelta::zero());
    assert_eq!(cal.working_time_on(d(2026, 12, 24)), TimeDelta::hours(4));
    assert_eq!(cal.working_time_on(d(2026, 12, 30)), TimeDelta::zero());
    assert_eq!(cal.working_time_on(d(2026, 12, 8)), TimeDelta::hours(8));
    assert_eq!(cal.working_time_on(d(2026, 12, 25)), TimeDelta::zero());
    assert_eq!(cal.day_off_name(d(2026, 11, 25)), Some("Día cívico"));
    assert!(cal.is_holiday(d(2026, 11, 25)) && !cal.is_holiday(d(2026, 12, 8)));
}
