use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::Priority;
use crate::maintenance::ComplianceCounts;
use crate::report::{
    Compliance, Counts, FilterNames, MaintenanceCompliance, Period, Summary, TargetCompliance, TimeFigures,
};
use crate::survey::results::{Figures, QuestionFigures};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn target(response: (i64, i64), resolution: (i64, i64)) -> TargetCompliance {
    TargetCompliance {
        service: None,
        priority: Priority::Medium,
        tickets: 0,
        response: Compliance { met: response.0, missed: response.1 },
        resolution: Compliance { met: resolution.0, missed: resolution.1 },
    }
}

fn month_of_november() -> Summary {
    let distribution =
        |pairs: &[(&str, u64)]| pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect::<BTreeMap<_, _>>();
    Summary {
        institution: "Alcaldía".into(),
        period: Period { from: d("2026-11-01"), to: d("2026-11-30") },
        filters: FilterNames::default(),
        counts: Counts { opened: 40, solved: 30, closed: 20, backlog_start: 5, backlog_end: 15 },
        breakdowns: vec![],
        days: vec![],
        // 1 h, 2 h and 4 h: median 2 h.
        first_response: TimeFigures::of(vec![3_600, 7_200, 14_400]),
        resolution: TimeFigures::of(vec![]),
        targets: vec![target((8, 2), (6, 1)), target((1, 1), (1, 2))],
        assignments_by_criterion: vec![],
        reassignments_by_criterion: vec![],
        reassignments: 0,
        escalations: 0,
        de_escalations: 0,
        vendors: vec![],
        maintenance: vec![
            MaintenanceCompliance {
                plan: "A".into(),
                counts: ComplianceCounts { on_time: 3, late: 1, missed: 0, upcoming: 5 },
            },
            MaintenanceCompliance {
                plan: "B".into(),
                counts: ComplianceCounts { on_time: 0, late: 0, missed: 1, upcoming: 0 },
            },
        ],
        improvement_actions: vec![],
        surveys: Some(Figures {
            sent: 10,
            answered: 4,
            response_rate: 0.4,
            questions: vec![
                QuestionFigures {
                    key: "general".into(),
                    answers: 4,
                    average: Some(3.75),
                    distribution: distribution(&[("2", 1), ("4", 1), ("5", 2)]),
                },
                // Yes/no answers are not on the scale.
                QuestionFigures {
                    key: "resuelto".into(),
                    answers: 4,
                    average: Some(0.5),
                    distribution: distribution(&[("yes", 2), ("no", 2)]),
                },
            ],
            comments: vec![],
        }),
    }
}

#[test]
fn each_formula_over_a_hand_counted_month() {
    let s = month_of_november();
    let cases = [
        // 7 met of 10 judged.
        (Formula::ResolutionMetPercent, Some(70.0)),
        // 9 met of 12 judged.
        (Formula::ResponseMetPercent, Some(75.0)),
        // 3 answers of 4 or 5 out of 4 on the scale.
        (Formula::SurveySatisfiedPercent, Some(75.0)),
        // 3 on time of 5 due (upcoming ones do not count).
        (Formula::MaintenanceOnTimePercent, Some(60.0)),
        (Formula::MedianFirstResponseHours, Some(2.0)),
        (Formula::MedianResolutionHours, None),
        (Formula::SolvedPercent, Some(75.0)),
    ];
    for (formula, expected) in cases {
        assert_eq!(formula.value(&s), expected, "{formula}");
    }
    assert_eq!(cases.len(), Formula::ALL.len(), "every formula is in the table");
}

#[test]
fn nothing_to_measure_is_no_value_not_zero() {
    let mut s = month_of_november();
    s.targets.clear();
    s.surveys = None;
    s.maintenance.clear();
    s.counts.opened = 0;
    for f in [
        Formula::ResolutionMetPercent,
        Formula::ResponseMetPercent,
        Formula::SurveySatisfiedPercent,
        Formula::MaintenanceOnTimePercent,
        Formula::SolvedPercent,
    ] {
        assert_eq!(f.value(&s), None, "{f}");
    }
}

#[test]
fn a_goal_is_met_in_its_direction() {
    assert_eq!(met(Some(90.0), 90.0, Direction::AtLeast), Some(true));
    assert_eq!(met(Some(89.9), 90.0, Direction::AtLeast), Some(false));
    assert_eq!(met(Some(8.0), 8.0, Direction::AtMost), Some(true));
    assert_eq!(met(Some(8.1), 8.0, Direction::AtMost), Some(false));
    assert_eq!(met(None, 8.0, Direction::AtMost), None);
}

#[test]
fn indicator_fields_are_checked() {
    let ok = IndicatorFields::parse("IND-01", "Cumplimiento", "resolution_met_percent", 90.0, None).unwrap();
    assert_eq!((ok.code.as_str(), ok.direction), ("IND-01", Direction::AtLeast));
    let time = IndicatorFields::parse("T1", "Primera respuesta", "median_first_response_hours", 4.0, None).unwrap();
    assert_eq!(time.direction, Direction::AtMost, "times are ceilings unless said");
    let field = |r: Result<IndicatorFields, FieldError>| r.unwrap_err().field;
    assert_eq!(field(IndicatorFields::parse("", "n", "solved_percent", 1.0, None)), "code");
    assert_eq!(field(IndicatorFields::parse("a b", "n", "solved_percent", 1.0, None)), "code");
    assert_eq!(field(IndicatorFields::parse("A", " ", "solved_percent", 1.0, None)), "name");
    assert_eq!(field(IndicatorFields::parse("A", "n", "magic", 1.0, None)), "formula");
    assert_eq!(field(IndicatorFields::parse(" A", "n", "solved_percent", 1.0, None)), "code");
    assert_eq!(field(IndicatorFields::parse("A", "n", "response_met_percent", 1.0e7, None)), "goal");
    assert_eq!(field(IndicatorFields::parse("A", "n", "response_met_percent", -1.0, None)), "goal");
    assert_eq!(field(IndicatorFields::parse("A", "n", "response_met_percent", f64::NAN, None)), "goal");
    assert_eq!(field(IndicatorFields::parse("A", "n", "response_met_percent", 1.0, Some("up"))), "direction");
    assert_eq!(field(IndicatorFields::parse("A", "n", "response_met_percent", 1.0, Some(""))), "direction");
    assert!(IndicatorFields::parse("A", "n", "solved_percent", 110.0, None).is_ok(), "solved per 100 opened");
    assert!(IndicatorFields::parse("A", "n", "median_resolution_hours", 500.0, None).is_ok());
}

#[test]
fn months_parse_and_step() {
    let m = Month::parse("2028-02").unwrap();
    assert_eq!((m.first_day(), m.last_day()), (d("2028-02-01"), d("2028-02-29")));
    assert_eq!(m.to_string(), "2028-02");
    assert_eq!(Month::parse("2026-12").unwrap().next().to_string(), "2027-01");
    assert_eq!(Month::last_complete(d("2026-01-15")).to_string(), "2025-12");
    for bad in ["2026-13", "2026-1", "26-01", "2026/01", "", "1999-12", " 2026-01", "2026-+1"] {
        assert!(Month::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn actions_move_open_done_verified() {
    use ActionStatus::*;
    assert!(may_move(Open, Done) && may_move(Done, Verified) && may_move(Done, Open));
    assert!(!may_move(Open, Verified) && !may_move(Verified, Open) && !may_move(Verified, Done));
    assert!(!may_move(Open, Open));
    let a = ActionFields::parse("Capacitar", Some(" "), "2026-12-15").unwrap();
    assert_eq!((a.cause, a.due), (None, d("2026-12-15")));
    assert_eq!(ActionFields::parse("x", None, "mañana").unwrap_err().field, "due_date");
    assert_eq!(ActionFields::parse(" ", None, "2026-12-15").unwrap_err().field, "what");
}
