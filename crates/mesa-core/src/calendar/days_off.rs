//! A calendar's own days: the extra days off an institution gives (a mayor's
//! día cívico, the municipality's anniversary) with their names, and the list
//! of a year's special days (national holidays, worked holidays, days off and
//! special hours) that the administration screen and the CLI show.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calendar::business_calendar::{BusinessCalendar, TimeRange};
use crate::calendar::holidays::{Law, colombian_holidays};

/// Longest name of an extra day off, in characters.
pub const MAX_DAY_OFF_NAME: usize = 100;

/// An extra non-working date with an optional reason. In configuration it is
/// either a bare date (`"2026-12-24"`) or `{"date": "2026-12-24", "name": "Día
/// cívico"}`; it serialises back to the shorter form when it has no name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DayOff {
    pub date: NaiveDate,
    pub name: Option<String>,
}

impl DayOff {
    pub fn named(date: NaiveDate, name: impl Into<String>) -> Self {
        DayOff { date, name: Some(name.into()) }
    }
}

impl From<NaiveDate> for DayOff {
    fn from(date: NaiveDate) -> Self {
        DayOff { date, name: None }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedDayOff {
    date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DayOffForm {
    Date(NaiveDate),
    Named(NamedDayOff),
}

impl Serialize for DayOff {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.name {
            None => self.date.serialize(serializer),
            Some(name) => NamedDayOff { date: self.date, name: Some(name.clone()) }.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for DayOff {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match DayOffForm::deserialize(deserializer) {
            Ok(DayOffForm::Date(date)) => Ok(date.into()),
            Ok(DayOffForm::Named(n)) => Ok(DayOff { date: n.date, name: n.name }),
            Err(_) => Err(serde::de::Error::custom(
                "expected a date \"YYYY-MM-DD\" or {\"date\": \"YYYY-MM-DD\", \"name\": \"...\"}",
            )),
        }
    }
}

/// What makes a date special in a calendar's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialDayKind {
    /// A national holiday the calendar closes on.
    NationalHoliday,
    /// A national holiday on which this institution works (or that the
    /// calendar does not observe at all).
    WorkedHoliday,
    /// One of the institution's extra days off.
    DayOff,
    /// A date whose hours replace the regular ones (e.g. half days).
    SpecialHours,
}

/// One special date of a year, for people to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: SpecialDayKind,
    /// Spanish name of the holiday, or the day off's name (`None`: unnamed).
    pub name: Option<String>,
    /// The law behind a national holiday.
    pub law: Option<Law>,
    /// The hours of a date with special hours (empty: closed).
    pub hours: Vec<TimeRange>,
}

impl BusinessCalendar {
    /// The name of an extra day off, if it was given one.
    pub fn day_off_name(&self, date: NaiveDate) -> Option<&str> {
        self.day_off_names.get(&date).map(String::as_str)
    }

    /// The extra days off with their names, by date.
    pub fn days_off(&self) -> Vec<DayOff> {
        self.non_working_dates
            .iter()
            .map(|&date| DayOff { date, name: self.day_off_names.get(&date).cloned() })
            .collect()
    }

    /// Every special date of `year`, sorted by date: the national holidays
    /// (closed, or worked when listed as worked holidays or when the calendar
    /// does not observe them), the extra days off and the dates with special
    /// hours. A date can appear twice (a holiday with special hours).
    pub fn special_days(&self, year: i32) -> Vec<SpecialDay> {
        let mut out: Vec<SpecialDay> = colombian_holidays(year)
            .into_iter()
            .map(|h| SpecialDay {
                date: h.date,
                kind: if self.colombian_holidays && !self.worked_holidays.contains(&h.date) {
                    SpecialDayKind::NationalHoliday
                } else {
                    SpecialDayKind::WorkedHoliday
                },
                name: Some(h.name_es.to_owned()),
                law: Some(h.law),
                hours: Vec::new(),
            })
            .collect();
        out.extend(self.days_off().into_iter().filter(|d| d.date.year() == year).map(|d| SpecialDay {
            date: d.date,
            kind: SpecialDayKind::DayOff,
            name: d.name,
            law: None,
            hours: Vec::new(),
        }));
        out.extend(self.special_hours.iter().filter(|(date, _)| date.year() == year).map(|(&date, hours)| {
            SpecialDay {
                date,
                kind: SpecialDayKind::SpecialHours,
                name: None,
                law: None,
                hours: hours.iter().map(|&i| i.into()).collect(),
            }
        }));
        // Stable: holidays sharing a date keep the order of their feasts.
        out.sort_by_key(|d| (d.date, d.kind));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarConfig;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_day_off_reads_as_a_bare_date_or_with_a_name_and_prints_back_the_same() {
        let days: Vec<DayOff> =
            serde_json::from_str(r#"["2026-12-24", {"date": "2026-08-20", "name": "Día cívico"}]"#).unwrap();
        assert_eq!(days, [DayOff::from(d(2026, 12, 24)), DayOff::named(d(2026, 8, 20), "Día cívico")]);
        assert_eq!(
            serde_json::to_string(&days).unwrap(),
            r#"["2026-12-24",{"date":"2026-08-20","name":"Día cívico"}]"#
        );
        for bad in [r#"["2026-02-30"]"#, r#"[{"date": "2026-08-20", "reason": "x"}]"#, r#"[7]"#] {
            assert!(serde_json::from_str::<Vec<DayOff>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn special_days_list_holidays_days_off_worked_holidays_and_special_hours_of_the_year() {
        let config: CalendarConfig = serde_json::from_value(serde_json::json!({
            "timezone": "America/Bogota",
            "hours": {"monday": ["08:00-17:00"]},
            "non_working_dates": [{"date": "2026-08-20", "name": "Día cívico"}, "2027-01-04"],
            "worked_holidays": ["2026-12-08"],
            "special_hours": {"2026-12-24": ["08:00-12:00"]}
        }))
        .unwrap();
        let cal = config.build().unwrap();
        let days = cal.special_days(2026);
        assert_eq!(days.len(), 19 + 2);
        let civic = days.iter().find(|x| x.date == d(2026, 8, 20)).unwrap();
        assert_eq!((civic.kind, civic.name.as_deref()), (SpecialDayKind::DayOff, Some("Día cívico")));
        let worked = days.iter().find(|x| x.date == d(2026, 12, 8)).unwrap();
        assert_eq!(worked.kind, SpecialDayKind::WorkedHoliday);
        let half = days.iter().find(|x| x.date == d(2026, 12, 24)).unwrap();
        assert_eq!((half.kind, half.hours.len()), (SpecialDayKind::SpecialHours, 1));
        let july = days.iter().find(|x| x.date == d(2026, 7, 13)).unwrap();
        assert_eq!((july.kind, july.law), (SpecialDayKind::NationalHoliday, Some(Law::Ley2578De2026)));
        assert!(days.windows(2).all(|w| w[0].date <= w[1].date));
        assert!(days.iter().all(|x| x.date.year() == 2026)); // 2027-01-04 is next year's
        assert_eq!(cal.day_off_name(d(2026, 8, 20)), Some("Día cívico"));
        assert_eq!(cal.day_off_name(d(2027, 1, 4)), None);
        let no_holidays = CalendarConfig { colombian_holidays: false, ..cal.to_config() }.build().unwrap();
        assert!(
            no_holidays
                .special_days(2026)
                .iter()
                .filter(|x| x.law.is_some())
                .all(|x| x.kind == SpecialDayKind::WorkedHoliday)
        );
    }
}
