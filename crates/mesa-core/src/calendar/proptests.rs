//! Property tests of the business-time laws stated in
//! [`business_time`](crate::calendar::business_time), over calendars chosen to be
//! awkward: lunch breaks, DST in New York, Madrid and Santiago and Havana (whose
//! switches happen at midnight), Lord Howe's half-hour DST, Samoa's skipped day
//! (30 December 2011), intervals that cross the skipped or repeated hour,
//! special hours, extra days off, worked holidays and a sparse week. Instants
//! range over 1990–2039.
//!
//! A second family draws the exceptions themselves: the default Colombian
//! calendar with random named days off, worked holidays, half days and closed
//! dates in 2026–2027 (instants from December 2025 to January 2028), checked
//! against the same laws and against the default calendar: days off only
//! postpone due dates, worked holidays only advance them.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use proptest::prelude::*;

use crate::calendar::{BusinessCalendar, colombian_holidays};

const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
const ALL_DAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const MIDNIGHT: NaiveTime = NaiveTime::MIN;

fn calendars() -> Vec<BusinessCalendar> {
    vec![
        BusinessCalendar::colombia_default(),
        // New York: office hours, a Sunday interval across the 02:00 switch and
        // a late Saturday interval ending at midnight.
        BusinessCalendar::builder(chrono_tz::America::New_York)
            .weekdays(&WEEKDAYS, &[(hm(9, 0), hm(17, 0))])
            .hours(Weekday::Sat, &[(hm(22, 0), MIDNIGHT)])
            .hours(Weekday::Sun, &[(hm(0, 30), hm(1, 30)), (hm(1, 45), hm(4, 0))])
            .colombian_holidays(false)
            .build()
            .unwrap(),
        // Madrid: boundaries inside the gap (02:30) and the repeated hour.
        BusinessCalendar::builder(chrono_tz::Europe::Madrid)
            .weekdays(&ALL_DAYS, &[(hm(0, 30), hm(2, 30)), (hm(2, 45), hm(3, 30)), (hm(8, 0), hm(14, 0))])
            .build()
            .unwrap(),
        // Round the clock in Santiago de Chile, where DST changes at midnight.
        BusinessCalendar::builder(chrono_tz::America::Santiago)
            .weekdays(&ALL_DAYS, &[(MIDNIGHT, MIDNIGHT)])
            .colombian_holidays(false)
            .build()
            .unwrap(),
        // Santiago, only around midnight at weekends.
        BusinessCalendar::builder(chrono_tz::America::Santiago)
            .hours(Weekday::Sat, &[(hm(23, 0), MIDNIGHT)])
            .hours(Weekday::Sun, &[(MIDNIGHT, hm(1, 0)), (hm(10, 0), hm(12, 0))])
            .colombian_holidays(false)
            .build()
            .unwrap(),
        // Bogotá with exceptions of every kind.
        BusinessCalendar::builder(chrono_tz::America::Bogota)
            .weekdays(&WEEKDAYS, &[(hm(7, 0), hm(12, 30)), (hm(14, 0), hm(16, 0))])
            .hours(Weekday::Sat, &[(hm(8, 0), hm(12, 0))])
            .non_working_dates([date(2026, 12, 24), date(2026, 12, 31), date(2027, 3, 1)])
            .worked_holidays([date(2026, 12, 8), date(2027, 1, 11)])
            .special_hours(date(2026, 12, 26), &[])
            .special_hours(date(2026, 12, 27), &[(hm(10, 0), hm(11, 0))])
            .special_hours(date(2027, 1, 1), &[(hm(9, 0), hm(9, 30)), (hm(9, 30), hm(10, 0))])
            .build()
            .unwrap(),
        // Samoa skipped 30 December 2011 entirely.
        BusinessCalendar::builder(chrono_tz::Pacific::Apia)
            .weekdays(&ALL_DAYS, &[(MIDNIGHT, hm(3, 0)), (hm(9, 0), hm(17, 0)), (hm(23, 0), MIDNIGHT)])
            .build()
            .unwrap(),
        // Lord Howe Island moves its clocks by 30 minutes at 02:00.
        BusinessCalendar::builder(chrono_tz::Australia::Lord_Howe)
            .weekdays(&ALL_DAYS, &[(hm(1, 0), hm(2, 15)), (hm(2, 20), hm(3, 0))])
            .build()
            .unwrap(),
        // Havana switches at midnight.
        BusinessCalendar::builder(chrono_tz::America::Havana)
            .weekdays(&ALL_DAYS, &[(MIDNIGHT, hm(0, 30)), (hm(0, 45), hm(1, 30)), (hm(23, 30), MIDNIGHT)])
            .build()
            .unwrap(),
        // Tehran round the clock: midnight switches until 2022, none since.
        BusinessCalendar::builder(chrono_tz::Asia::Tehran)
            .weekdays(&ALL_DAYS, &[(MIDNIGHT, MIDNIGHT)])
            .build()
            .unwrap(),
        // A sparse week: two hours on Wednesdays.
        BusinessCalendar::builder(chrono_tz::America::Bogota)
            .hours(Weekday::Wed, &[(hm(15, 0), hm(17, 0))])
            .build()
            .unwrap(),
    ]
}

/// Instants from 1990 to 2039, often aligned to the minute, half hour or hour
/// so that interval boundaries are hit exactly; sometimes with nanoseconds.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (
        631_152_000i64..2_208_988_800,
        prop_oneof![Just(1i64), Just(60), Just(1800), Just(3600)],
        prop_oneof![3 => Just(0u32), 1 => 0u32..1_000_000_000],
    )
        .prop_map(|(secs, align, nanos)| DateTime::from_timestamp(secs - secs.rem_euclid(align), nanos).unwrap())
}

/// Durations from zero to `max_secs` seconds, often whole multiples of one of
/// `aligns` (seconds); sometimes with nanoseconds.
fn span(max_secs: i64, aligns: [i64; 3]) -> impl Strategy<Value = Duration> {
    (
        0i64..max_secs,
        prop_oneof![Just(aligns[0]), Just(aligns[1]), Just(aligns[2])],
        prop_oneof![3 => Just(0i64), 1 => 0i64..1_000_000_000],
    )
        .prop_map(|(secs, align, nanos)| {
            Duration::seconds(secs - secs.rem_euclid(align)) + Duration::nanoseconds(nanos)
        })
}

/// Durations from zero to 300 hours, often whole minutes or hours.
fn duration() -> impl Strategy<Value = Duration> {
    span(300 * 3600, [1, 60, 3600])
}

/// Spans from zero to three years, often whole hours or days.
fn long_span() -> impl Strategy<Value = Duration> {
    span(3 * 366 * 86_400, [1, 3600, 86_400])
}

fn calendar() -> impl Strategy<Value = BusinessCalendar> {
    let all = calendars();
    (0..all.len()).prop_map(move |i| all[i].clone())
}

/// Whether `t` is the end of one of the working intervals around it.
fn is_interval_end(cal: &BusinessCalendar, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&cal.timezone()).date_naive();
    [local.pred_opt(), Some(local), local.succ_opt()]
        .into_iter()
        .flatten()
        .flat_map(|d| cal.working_intervals(d))
        .any(|(_, end)| end == t)
}

fn add(cal: &BusinessCalendar, t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    cal.add_business_time(t, d).expect("every test calendar has working time")
}

/// Random exceptions on the default calendar in 2026–2027.
#[derive(Debug, Clone)]
struct Exceptions {
    /// Named extra days off.
    days_off: Vec<NaiveDate>,
    /// Dates whose special hours close them.
    closed: Vec<NaiveDate>,
    /// Half days (08:00–12:00) and odd hours (13:30–19:00).
    special: Vec<(NaiveDate, bool)>,
    /// National holidays the institution works.
    worked: Vec<NaiveDate>,
}

impl Exceptions {
    fn calendar(&self) -> BusinessCalendar {
        let day = [(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))];
        let mut b = BusinessCalendar::builder(chrono_tz::America::Bogota).weekdays(&WEEKDAYS, &day);
        for (i, &date) in self.days_off.iter().enumerate() {
            b = b.named_day_off(date, format!("Día cívico {i}"));
        }
        for &date in &self.closed {
            b = b.special_hours(date, &[]);
        }
        for &(date, half) in &self.special {
            b = b.special_hours(date, &[if half { (hm(8, 0), hm(12, 0)) } else { (hm(13, 30), hm(19, 0)) }]);
        }
        b.worked_holidays(self.worked.iter().copied()).build().expect("exceptions on distinct dates are valid")
    }

    /// Only the exceptions that take working time away.
    fn only_removals(&self) -> BusinessCalendar {
        Exceptions { special: Vec::new(), worked: Vec::new(), ..self.clone() }.calendar()
    }

    /// Only the worked holidays.
    fn only_worked(&self) -> BusinessCalendar {
        Exceptions { worked: self.worked.clone(), ..Exceptions::none() }.calendar()
    }

    fn none() -> Self {
        Exceptions { days_off: Vec::new(), closed: Vec::new(), special: Vec::new(), worked: Vec::new() }
    }
}

fn exceptions() -> impl Strategy<Value = Exceptions> {
    let holidays: Vec<NaiveDate> =
        colombian_holidays(2026).into_iter().chain(colombian_holidays(2027)).map(|h| h.date).collect();
    (proptest::collection::btree_map(0u64..730, 0u8..4, 0..30), proptest::sample::subsequence(holidays, 0..8)).prop_map(
        |(days, worked)| {
            let mut e = Exceptions { worked, ..Exceptions::none() };
            for (offset, kind) in days {
                let date = date(2026, 1, 1) + chrono::Days::new(offset);
                if e.worked.contains(&date) {
                    continue;
                }
                match kind {
                    0 => e.days_off.push(date),
                    1 => e.closed.push(date),
                    2 => e.special.push((date, true)),
                    _ => e.special.push((date, false)),
                }
            }
            e
        },
    )
}

/// Instants from December 2025 to January 2028, often on the minute or hour.
fn instant_near_exceptions() -> impl Strategy<Value = DateTime<Utc>> {
    (1_764_547_200i64..1_832_976_000, prop_oneof![Just(1i64), Just(60), Just(3600)])
        .prop_map(|(secs, align)| DateTime::from_timestamp(secs - secs.rem_euclid(align), 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn calendars_with_exceptions_keep_the_laws_of_business_time(
        e in exceptions(), start in instant_near_exceptions(), d1 in duration(), d2 in duration()
    ) {
        let cal = e.calendar();
        let end = add(&cal, start, d1);
        prop_assert_eq!(cal.business_time_between(start, end), d1);
        prop_assert_eq!(add(&cal, end, d2), add(&cal, start, d1 + d2));
        if d1 > TimeDelta::zero() {
            prop_assert!(cal.is_working_instant(end) || is_interval_end(&cal, end));
        }
        prop_assert_eq!(BusinessCalendar::try_from(cal.to_config()).unwrap(), cal);
    }

    #[test]
    fn days_off_only_postpone_and_worked_holidays_only_advance_due_dates(
        e in exceptions(), start in instant_near_exceptions(), d in duration()
    ) {
        let plain = BusinessCalendar::colombia_default();
        let base = add(&plain, start, d);
        prop_assert!(add(&e.only_removals(), start, d) >= base);
        prop_assert!(add(&e.only_worked(), start, d) <= base);
    }

    #[test]
    fn each_exception_day_has_the_working_time_it_promises(e in exceptions()) {
        let cal = e.calendar();
        for &date in e.days_off.iter().chain(&e.closed) {
            prop_assert_eq!(cal.working_time_on(date), TimeDelta::zero());
        }
        for &(date, half) in &e.special {
            let hours = if half { TimeDelta::hours(4) } else { TimeDelta::minutes(330) };
            prop_assert_eq!(cal.working_time_on(date), hours);
        }
        let plain = BusinessCalendar::colombia_default();
        for &date in &e.worked {
            let weekday_hours = plain.weekly_hours(chrono::Datelike::weekday(&date)).len() as i64 * 4;
            prop_assert_eq!(cal.working_time_on(date), TimeDelta::hours(weekday_hours));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn business_time_between_start_and_add_is_the_duration(
        cal in calendar(), start in instant(), d in duration()
    ) {
        let end = add(&cal, start, d);
        prop_assert!(end >= start);
        prop_assert_eq!(cal.business_time_between(start, end), d);
    }

    #[test]
    fn add_is_monotone_in_the_duration(
        cal in calendar(), start in instant(), d1 in duration(), d2 in duration()
    ) {
        let (short, long) = if d1 <= d2 { (d1, d2) } else { (d2, d1) };
        prop_assert!(add(&cal, start, short) <= add(&cal, start, long));
    }

    #[test]
    fn add_is_additive_from_any_start(
        cal in calendar(), start in instant(), d1 in duration(), d2 in duration()
    ) {
        let stepwise = add(&cal, add(&cal, start, d1), d2);
        prop_assert_eq!(stepwise, add(&cal, start, d1 + d2));
    }

    #[test]
    fn a_positive_addition_ends_on_a_working_instant_or_an_interval_end(
        cal in calendar(), start in instant(), d in duration()
    ) {
        prop_assume!(d > TimeDelta::zero());
        let end = add(&cal, start, d);
        prop_assert!(end > start);
        prop_assert!(cal.is_working_instant(end) || is_interval_end(&cal, end));
    }

    #[test]
    fn business_time_between_is_additive(
        cal in calendar(), a in instant(), gap1 in duration(), gap2 in duration()
    ) {
        let b = a + gap1 * 2;
        let c = b + gap2 * 2;
        prop_assert_eq!(
            cal.business_time_between(a, b) + cal.business_time_between(b, c),
            cal.business_time_between(a, c)
        );
        prop_assert_eq!(cal.business_time_between(c, a), TimeDelta::zero());
    }

    #[test]
    fn long_spans_read_from_the_kept_day_totals_count_what_the_walk_counts(
        cal in calendar(), a in instant(), span in long_span()
    ) {
        let b = a + span;
        prop_assert_eq!(cal.business_time_between(a, b), cal.walk_between(a, b));
    }

    #[test]
    fn next_working_instant_is_the_first_working_instant(
        cal in calendar(), t in instant()
    ) {
        let next = cal.next_working_instant(t).expect("has working time");
        prop_assert!(next >= t);
        prop_assert!(cal.is_working_instant(next));
        prop_assert_eq!(cal.business_time_between(t, next), TimeDelta::zero());
        if cal.is_working_instant(t) {
            prop_assert_eq!(next, t);
        }
    }

    #[test]
    fn is_working_instant_agrees_with_business_time(cal in calendar(), t in instant()) {
        let a_moment = cal.business_time_between(t, t + Duration::nanoseconds(1));
        prop_assert_eq!(cal.is_working_instant(t), a_moment > TimeDelta::zero());
    }

    #[test]
    fn business_days_land_on_a_working_day_and_grow_with_n(
        cal in calendar(), start in instant(), n in 1u32..25
    ) {
        let r1 = cal.add_business_days(start, n).unwrap();
        let r2 = cal.add_business_days(start, n + 1).unwrap();
        prop_assert!(start < r1 && r1 < r2);
        for r in [r1, r2] {
            prop_assert!(cal.is_working_instant(r) || is_interval_end(&cal, r));
        }
        // Exactly n working days lie strictly between the day work resumes and
        // the result's day, which is itself a working day.
        let resume = cal.next_working_instant(start).unwrap();
        prop_assert!(cal.business_time_between(resume, r1) > TimeDelta::zero());
        prop_assert_eq!(cal.add_business_days(resume, n).unwrap(), r1);
    }

    #[test]
    fn pauses_subtract_their_union(
        cal in calendar(),
        a in instant(),
        span in duration(),
        pauses in proptest::collection::vec((instant(), duration()), 0..5),
    ) {
        let b = a + span * 3;
        let pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            pauses.into_iter().map(|(p, len)| (p, p + len)).collect();
        let total = cal.business_time_between(a, b);
        let paused = cal.business_time_between_with_pauses(a, b, &pauses);
        prop_assert!(paused >= TimeDelta::zero() && paused <= total);
        // Order does not matter, and splitting a pause in two changes nothing.
        let mut reversed = pauses.clone();
        reversed.reverse();
        prop_assert_eq!(cal.business_time_between_with_pauses(a, b, &reversed), paused);
        if let Some(&(p0, p1)) = pauses.first() {
            let mid = p0 + (p1 - p0) / 2;
            let mut split = pauses.clone();
            split[0] = (p0, mid);
            split.push((mid, p1));
            prop_assert_eq!(cal.business_time_between_with_pauses(a, b, &split), paused);
            // A single pause: exactly its working time inside [a, b) goes.
            let alone = cal.business_time_between_with_pauses(a, b, &[(p0, p1)]);
            prop_assert_eq!(alone, total - cal.business_time_between(p0.max(a), p1.min(b)));
        }
    }
}

#[test]
fn every_property_calendar_is_valid_and_round_trips_through_its_config() {
    for cal in calendars() {
        cal.validate().unwrap();
        assert_eq!(BusinessCalendar::try_from(cal.to_config()).unwrap(), cal);
    }
}
