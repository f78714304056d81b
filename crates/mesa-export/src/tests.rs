use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use mesa_core::maintenance::ComplianceCounts;
use mesa_core::report::{
    Compliance, Counts, DayCount, Dimension, FilterNames, MaintenanceCompliance, NamedCount, Period, Summary,
    TargetCompliance, TimeFigures,
};
use mesa_core::{Lang, Priority};

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn sample() -> Summary {
    Summary {
        institution: "Alcaldía de Funza".into(),
        period: Period { from: d("2026-11-01"), to: d("2026-11-02") },
        filters: FilterNames(vec![(Dimension::Channel, "mail".into())]),
        counts: Counts { opened: 7, solved: 4, closed: 2, backlog_start: 3, backlog_end: 6 },
        breakdowns: vec![
            (Dimension::Channel, vec![NamedCount { name: "mail".into(), id: None, count: 7 }]),
            (
                Dimension::Service,
                vec![
                    NamedCount { name: "Correo".into(), id: Some(3), count: 5 },
                    NamedCount { name: "none".into(), id: None, count: 2 },
                ],
            ),
        ],
        days: vec![
            DayCount { day: d("2026-11-01"), opened: 4, solved: 1 },
            DayCount { day: d("2026-11-02"), opened: 3, solved: 3 },
        ],
        first_response: TimeFigures::of(vec![3_600, 5_400]),
        resolution: TimeFigures::of(vec![]),
        targets: vec![TargetCompliance {
            service: Some("Correo".into()),
            priority: Priority::High,
            tickets: 3,
            response: Compliance { met: 2, missed: 1 },
            resolution: Compliance { met: 0, missed: 0 },
        }],
        assignments_by_criterion: vec![NamedCount { name: "rule".into(), id: None, count: 4 }],
        reassignments_by_criterion: vec![NamedCount { name: "absence".into(), id: None, count: 1 }],
        reassignments: 1,
        escalations: 2,
        de_escalations: 0,
        vendors: vec![],
        maintenance: vec![MaintenanceCompliance {
            plan: "Plan 2026".into(),
            counts: ComplianceCounts { on_time: 3, late: 1, missed: 0, upcoming: 2 },
        }],
        improvement_actions: vec![mesa_core::report::ActionLine {
            id: 7,
            indicator: "IND-01".into(),
            month: "2026-10".into(),
            what: "Capacitar al equipo".into(),
            owner: "Técnico".into(),
            due: d("2026-11-20"),
            status: "open".into(),
        }],
        surveys: None,
    }
}

#[test]
fn the_csv_has_one_figure_a_line_with_stable_codes() {
    let text = String::from_utf8(csv(&sample())).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "section,item,measure,value");
    for expected in [
        "period,,from,2026-11-01",
        "filter,channel,name,mail",
        "summary,opened,count,7",
        "summary,backlog_end,count,6",
        "times,first_response,median_hours,1.25",
        "times,resolution,median_hours,",
        "by_service,Correo,count,5",
        "by_service,none,count,2",
        "by_channel,mail,count,7",
        "targets,Correo/high,response_percent,66.7",
        "routing,rule,count,4",
        "reassignments,absence,count,1",
        "days,2026-11-02,solved,3",
        "maintenance,Plan 2026,late,1",
        "maintenance,Plan 2026,on_time_percent,75",
        "improvement_actions,7,due_date,2026-11-20",
        "improvement_actions,7,status,Open",
    ] {
        assert!(lines.contains(&expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn the_xlsx_reads_back_with_numbers_dates_and_a_sheet_per_table() {
    let bytes = xlsx(&sample(), Lang::Es).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    for expected in ["Cifras del periodo", "Canal", "Servicio", "Abiertos y solucionados por día"] {
        assert!(names.iter().any(|n| n == expected), "{expected} not in {names:?}");
    }
    let first = book.worksheet_range("Cifras del periodo").unwrap();
    assert_eq!(first.get_value((0, 0)), Some(&Data::String("Alcaldía de Funza".into())));
    assert!(matches!(first.get_value((1, 1)), Some(Data::DateTime(_))), "the period is a date");
    assert_eq!(first.get_value((4, 0)), Some(&Data::String("Abiertos".into())));
    assert_eq!(first.get_value((4, 1)), Some(&Data::Float(7.0)), "counts are numbers");
    let service = book.worksheet_range("Servicio").unwrap();
    assert_eq!(service.get_value((2, 0)), Some(&Data::String("(sin dato)".into())));
    assert_eq!(service.get_value((2, 1)), Some(&Data::Float(2.0)));
    let days = book.worksheet_range("Abiertos y solucionados por día").unwrap();
    match days.get_value((1, 0)) {
        Some(Data::DateTime(dt)) => assert_eq!(dt.as_f64(), 46327.0, "2026-11-01 as an Excel serial"),
        other => panic!("a date expected, got {other:?}"),
    }
    let times = book.worksheet_range("Tiempos en horas hábiles").unwrap();
    assert_eq!(times.get_value((1, 2)), Some(&Data::Float(1.25)));
}

#[test]
fn the_pdf_has_the_institution_period_and_figures() {
    let bytes = pdf(&sample(), Lang::Es, None);
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    for expected in ["Alcaldía de Funza", "Informe de gestión", "2026-11-01 – 2026-11-02", "Canal: Correo", "66.7"]
    {
        assert!(text.contains(expected), "{expected:?} missing from {text:?}");
    }
}

#[test]
fn sheet_names_are_short_clean_and_unique() {
    let mut taken = Vec::new();
    assert_eq!(sheet_name("a/b", &mut taken), "a b");
    assert_eq!(sheet_name("A B", &mut taken), "A B 2");
    assert!(sheet_name(&"x".repeat(40), &mut taken).chars().count() <= 31);
}
