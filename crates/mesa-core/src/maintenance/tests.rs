use chrono::NaiveDate;

use super::*;
use crate::calendar::BusinessCalendar;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn every(unit: EveryUnit, n: u32, starts: &str) -> Recurrence {
    Recurrence::Every { every: Every { unit, n }, starts: d(starts) }
}

fn pairs(r: &Recurrence, year: i32) -> Vec<(String, String)> {
    occurrences(r, year, &BusinessCalendar::colombia_default())
        .into_iter()
        .map(|o| (o.planned.to_string(), o.due.to_string()))
        .collect()
}

fn expect(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn monthly_from_a_month_end_keeps_month_ends_in_a_leap_year_and_skips_holidays_and_weekends() {
    // 2028 is a leap year; Apr 30 is a Sunday and May 1 a holiday; Sep 30 a
    // Saturday; Dec 31 a Sunday and Jan 1 2029 a holiday.
    assert_eq!(
        pairs(&every(EveryUnit::Month, 1, "2028-01-31"), 2028),
        expect(&[
            ("2028-01-31", "2028-01-31"),
            ("2028-02-29", "2028-02-29"),
            ("2028-03-31", "2028-03-31"),
            ("2028-04-30", "2028-05-02"),
            ("2028-05-31", "2028-05-31"),
            ("2028-06-30", "2028-06-30"),
            ("2028-07-31", "2028-07-31"),
            ("2028-08-31", "2028-08-31"),
            ("2028-09-30", "2028-10-02"),
            ("2028-10-31", "2028-10-31"),
            ("2028-11-30", "2028-11-30"),
            ("2028-12-31", "2029-01-02"),
        ])
    );
}

#[test]
fn a_month_end_in_a_common_year_is_february_28th_moved_off_the_weekend() {
    // 2027-02-28 is a Sunday.
    let got = pairs(&every(EveryUnit::Month, 1, "2027-01-31"), 2027);
    assert_eq!(got[1], ("2027-02-28".to_owned(), "2027-03-01".to_owned()));
    assert_eq!(got[2], ("2027-03-31".to_owned(), "2027-03-31".to_owned()));
    assert_eq!(got.len(), 12);
}

#[test]
fn quarterly_from_the_29th_of_february_goes_back_to_the_29th() {
    let got = pairs(&every(EveryUnit::Month, 3, "2028-02-29"), 2028);
    let planned: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(planned, ["2028-02-29", "2028-05-29", "2028-08-29", "2028-11-29"]);
    // 2028-05-29 is the Monday of Ascension (a holiday): due on Tuesday.
    assert_eq!(got[1].1, "2028-05-30");
}

#[test]
fn given_dates_move_past_holidays_and_weekends() {
    let r = Recurrence::Dates(vec![d("2027-12-08"), d("2027-12-25"), d("2027-12-31")]);
    assert_eq!(
        pairs(&r, 2027),
        expect(&[
            // Inmaculada Concepción (a Wednesday holiday)
            ("2027-12-08", "2027-12-09"),
            // a Saturday
            ("2027-12-25", "2027-12-27"),
            // a working Friday
            ("2027-12-31", "2027-12-31"),
        ])
    );
}

#[test]
fn daily_steps_over_a_holiday_weekend_make_one_occurrence_on_the_next_business_day() {
    // Fri Jan 1 2027 (holiday), Sat, Sun → Mon Jan 4.
    let got = pairs(&every(EveryUnit::Day, 1, "2027-01-01"), 2027);
    assert_eq!(
        &got[..3],
        &expect(&[("2027-01-01", "2027-01-04"), ("2027-01-05", "2027-01-05"), ("2027-01-06", "2027-01-06")])[..]
    );
    let dues: Vec<&String> = got.iter().map(|(_, due)| due).collect();
    let mut sorted = dues.clone();
    sorted.dedup();
    assert_eq!(dues.len(), sorted.len(), "one occurrence per due date");
}

#[test]
fn weekly_steps_count_from_the_start_and_stop_at_the_year_end() {
    let got = pairs(&every(EveryUnit::Week, 2, "2027-11-15"), 2027);
    let planned: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(planned, ["2027-11-15", "2027-11-29", "2027-12-13", "2027-12-27"]);
    // Nov 15 2027 is a Monday holiday (Independencia de Cartagena, moved).
    assert_eq!(got[0].1, "2027-11-16");
}

#[test]
fn a_calendar_with_no_working_day_leaves_dates_alone() {
    let closed = BusinessCalendar::builder(chrono_tz::America::Bogota).build().unwrap();
    assert_eq!(next_business_day(&closed, d("2027-12-25")), d("2027-12-25"));
}

fn raw_every() -> RawActivity {
    RawActivity {
        what: "Revisar UPS".into(),
        item: "UPS sede principal".into(),
        checklist: vec!["Medir carga".into(), "Revisar baterías".into()],
        every: Some(("month".into(), 1)),
        ..Default::default()
    }
}

fn plan(activities: Vec<RawActivity>) -> RawPlan {
    RawPlan { name: "Plan 2027".into(), year: 2027, activities }
}

#[test]
fn a_plan_with_a_monthly_activity_parses_with_january_first_as_start() {
    let p = PlanFields::parse(&plan(vec![raw_every()])).unwrap();
    assert_eq!(p.activities[0].item_kind, ItemKind::Infrastructure);
    assert_eq!(
        p.activities[0].recurrence,
        Recurrence::Every { every: Every { unit: EveryUnit::Month, n: 1 }, starts: d("2027-01-01") }
    );
}

#[test]
fn invalid_plans_are_rejected_with_the_field_and_a_code() {
    let cases: Vec<(RawPlan, &str, &str)> = vec![
        (
            plan(vec![RawActivity { dates: Some(vec!["2027-03-01".into()]), ..raw_every() }]),
            "activities.every",
            "every_and_dates",
        ),
        (plan(vec![RawActivity { every: None, ..raw_every() }]), "activities.every", "required"),
        (plan(vec![RawActivity { every: Some(("month".into(), 0)), ..raw_every() }]), "every.n", "out_of_range"),
        (plan(vec![RawActivity { every: Some(("year".into(), 1)), ..raw_every() }]), "every.unit", "invalid"),
        (
            plan(vec![RawActivity { every: None, dates: Some(vec!["2028-01-10".into()]), ..raw_every() }]),
            "activities.dates",
            "outside_year",
        ),
        (
            plan(vec![RawActivity { every: None, dates: Some(vec!["2027-02-30".into()]), ..raw_every() }]),
            "activities.dates",
            "invalid",
        ),
        (plan(vec![RawActivity { every: None, dates: Some(vec![]), ..raw_every() }]), "activities.dates", "required"),
        (
            plan(vec![RawActivity { starts: Some("2026-12-01".into()), ..raw_every() }]),
            "activities.starts",
            "outside_year",
        ),
        (plan(vec![RawActivity { what: "  ".into(), ..raw_every() }]), "activities.what", "required"),
        (plan(vec![RawActivity { item: "".into(), ..raw_every() }]), "activities.item", "required"),
        (plan(vec![RawActivity { checklist: vec![" ".into()], ..raw_every() }]), "activities.checklist", "required"),
        (plan(vec![RawActivity { item_kind: Some("room".into()), ..raw_every() }]), "item_kind", "invalid"),
        (RawPlan { year: 1999, ..plan(vec![]) }, "year", "out_of_range"),
        (RawPlan { name: " ".into(), ..plan(vec![]) }, "name", "required"),
    ];
    for (raw, field, code) in cases {
        let e = PlanFields::parse(&raw).unwrap_err();
        assert_eq!((e.field, e.code), (field, code), "{raw:?}");
    }
}

#[test]
fn compliance_tells_on_time_late_missed_and_upcoming() {
    let today = d("2027-06-15");
    let due = d("2027-06-10");
    assert_eq!(compliance(due, Some(d("2027-06-10")), today), Compliance::OnTime);
    assert_eq!(compliance(due, Some(d("2027-06-09")), today), Compliance::OnTime);
    assert_eq!(compliance(due, Some(d("2027-06-11")), today), Compliance::Late);
    assert_eq!(compliance(due, None, today), Compliance::Missed);
    assert_eq!(compliance(today, None, today), Compliance::Upcoming);
    assert_eq!(compliance(d("2027-07-01"), None, today), Compliance::Upcoming);
}

#[test]
fn a_stored_schedule_reads_back_as_the_same_recurrence() {
    for r in [every(EveryUnit::Week, 3, "2027-02-01"), Recurrence::Dates(vec![d("2027-05-05")])] {
        let json = serde_json::to_string(&StoredRecurrence::from(&r)).unwrap();
        let back: StoredRecurrence = serde_json::from_str(&json).unwrap();
        assert_eq!(Recurrence::try_from(back).unwrap(), r);
    }
}
