//! The lines of `mesa calendar holidays --calendar NAME`: the national
//! holidays the calendar closes on, the holidays it works, and its own extra
//! days off, sorted by date.

use mesa_core::calendar::{BusinessCalendar, SpecialDayKind};
use mesa_core::labels::{Lang, text};

/// `YYYY-MM-DD<TAB>name` for a national holiday the calendar closes on,
/// `…<TAB>worked` for one it works, `…<TAB>local` for the desk's own day off.
pub fn days_off_lines(calendar: &BusinessCalendar, year: i32) -> Vec<String> {
    calendar
        .special_days(year)
        .into_iter()
        .filter_map(|day| {
            let mark = match day.kind {
                SpecialDayKind::NationalHoliday => "",
                SpecialDayKind::WorkedHoliday => "\tworked",
                SpecialDayKind::DayOff => "\tlocal",
                SpecialDayKind::SpecialHours => return None,
            };
            let name = day.name.unwrap_or_else(|| text(Lang::Es, "ui.calendar.unnamed_day_off").to_owned());
            Some(format!("{}\t{name}{mark}", day.date.format("%Y-%m-%d")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use mesa_core::calendar::CalendarConfig;

    #[test]
    fn a_desks_days_off_are_listed_among_the_holidays_and_marked() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let config = CalendarConfig {
            non_working_dates: vec![mesa_core::calendar::DayOff::named(d(8, 20), "Día cívico"), d(12, 24).into()],
            worked_holidays: vec![d(12, 8)],
            special_hours: [(d(12, 31), vec!["08:00-12:00".parse().unwrap()])].into(),
            ..BusinessCalendar::colombia_default().to_config()
        };
        let lines = days_off_lines(&config.build().unwrap(), 2026);
        assert_eq!(lines.len(), 19 + 2);
        assert!(lines.contains(&"2026-08-20\tDía cívico\tlocal".to_owned()));
        assert!(lines.contains(&"2026-12-24\tDía no laborable\tlocal".to_owned()));
        assert!(lines.contains(&"2026-12-08\tDía de la Inmaculada Concepción\tworked".to_owned()));
        assert!(lines.contains(&"2026-07-13\tDía de Nuestra Señora del Rosario de Chiquinquirá".to_owned()));
        assert!(!lines.iter().any(|l| l.starts_with("2026-12-31")), "special hours are not a day off");
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted);
    }
}
