//! Preventive maintenance plans (issue 17; seeds 002 and 004 maintain the
//! infrastructure on a yearly plan): a plan's fields and their checks, the
//! schedule of each activity on the desk's business days (`schedule`), and
//! how an occurrence stands for compliance.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validate::{FieldError, required_text};

pub mod schedule;

pub use schedule::{Occurrence, next_business_day, occurrences};

pub mod plan_limits {
    pub const NAME: usize = 200;
    pub const WHAT: usize = 2_000;
    pub const ITEM: usize = 200;
    pub const CHECK: usize = 300;
    pub const CHECKLIST: usize = 50;
    pub const ACTIVITIES: usize = 200;
    pub const DATES: usize = 366;
    /// The largest `n` of `every`: a year of days.
    pub const EVERY_N: u32 = 366;
    pub const YEAR_MIN: i32 = 2000;
    pub const YEAR_MAX: i32 = 2100;
    pub const READINGS: usize = 10_000;
}

named_enum!(
    /// The step of a recurring activity.
    EveryUnit, "every.unit" {
        Day => "day",
        Week => "week",
        Month => "month",
    }
);

named_enum!(
    /// What an activity's `item` names: an infrastructure item (free text,
    /// e.g. "UPS sede principal"), an asset by inventory tag, or an asset type.
    ItemKind, "item_kind" {
        Infrastructure => "infrastructure",
        Asset => "asset",
        AssetType => "asset_type",
    }
);

/// Every `n` days, weeks or months, counted from `starts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Every {
    pub unit: EveryUnit,
    pub n: u32,
}

/// When an activity falls due: a step from a start date, or given dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    Every { every: Every, starts: NaiveDate },
    Dates(Vec<NaiveDate>),
}

/// An activity as written (API body or form), before checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawActivity {
    pub what: String,
    pub item: String,
    pub item_kind: Option<String>,
    pub checklist: Vec<String>,
    /// (`unit`, `n`) as written.
    pub every: Option<(String, i64)>,
    /// The first date of an `every` activity; January 1st of the plan's year if absent.
    pub starts: Option<String>,
    pub dates: Option<Vec<String>>,
}

/// A plan as written, before checks; the team is resolved by the use case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPlan {
    pub name: String,
    pub year: i64,
    pub activities: Vec<RawActivity>,
}

/// A checked activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub what: String,
    pub item: String,
    pub item_kind: ItemKind,
    pub checklist: Vec<String>,
    pub recurrence: Recurrence,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFields {
    pub name: String,
    pub year: i32,
    pub activities: Vec<Activity>,
}

fn date(field: &'static str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "invalid", format!("{field} '{raw}' is not a date (YYYY-MM-DD)")))
}

fn in_year(field: &'static str, d: NaiveDate, year: i32) -> Result<NaiveDate, FieldError> {
    if d.year() != year {
        return Err(FieldError::new(field, "outside_year", format!("{field} {d} is outside the plan's year {year}")));
    }
    Ok(d)
}

impl Activity {
    pub fn parse(raw: &RawActivity, year: i32) -> Result<Activity, FieldError> {
        let what = required_text("activities.what", &raw.what, plan_limits::WHAT)?;
        let item = required_text("activities.item", &raw.item, plan_limits::ITEM)?;
        let item_kind = match raw.item_kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ItemKind::Infrastructure,
            Some(s) => ItemKind::parse(s)?,
        };
        if raw.checklist.len() > plan_limits::CHECKLIST {
            return Err(FieldError::new(
                "activities.checklist",
                "too_many",
                format!("a checklist has at most {} steps", plan_limits::CHECKLIST),
            ));
        }
        let checklist = raw
            .checklist
            .iter()
            .map(|c| required_text("activities.checklist", c, plan_limits::CHECK))
            .collect::<Result<Vec<_>, _>>()?;
        let recurrence = match (&raw.every, &raw.dates) {
            (Some(_), Some(_)) => {
                return Err(FieldError::new(
                    "activities.every",
                    "every_and_dates",
                    "an activity has either every or dates, not both",
                ));
            }
            (None, None) => {
                return Err(FieldError::new(
                    "activities.every",
                    "required",
                    "an activity needs every (a step) or dates",
                ));
            }
            (Some((unit, n)), None) => {
                let unit = EveryUnit::parse(unit.trim())?;
                if *n < 1 || *n > i64::from(plan_limits::EVERY_N) {
                    return Err(FieldError::new(
                        "every.n",
                        "out_of_range",
                        format!("every.n must be between 1 and {}", plan_limits::EVERY_N),
                    ));
                }
                let starts = match raw.starts.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(s) => in_year("activities.starts", date("activities.starts", s)?, year)?,
                    None => NaiveDate::from_ymd_opt(year, 1, 1)
                        .ok_or_else(|| FieldError::new("year", "out_of_range", "year is out of range"))?,
                };
                Recurrence::Every { every: Every { unit, n: *n as u32 }, starts }
            }
            (None, Some(dates)) => {
                if dates.is_empty() {
                    return Err(FieldError::new("activities.dates", "required", "dates must list at least one date"));
                }
                if dates.len() > plan_limits::DATES {
                    return Err(FieldError::new(
                        "activities.dates",
                        "too_many",
                        format!("dates lists at most {} dates", plan_limits::DATES),
                    ));
                }
                let mut parsed = dates
                    .iter()
                    .map(|d| in_year("activities.dates", date("activities.dates", d)?, year))
                    .collect::<Result<Vec<_>, _>>()?;
                parsed.sort();
                parsed.dedup();
                Recurrence::Dates(parsed)
            }
        };
        Ok(Activity { what, item, item_kind, checklist, recurrence })
    }
}

impl PlanFields {
    pub fn parse(raw: &RawPlan) -> Result<PlanFields, FieldError> {
        let name = required_text("name", &raw.name, plan_limits::NAME)?;
        if !(i64::from(plan_limits::YEAR_MIN)..=i64::from(plan_limits::YEAR_MAX)).contains(&raw.year) {
            return Err(FieldError::new(
                "year",
                "out_of_range",
                format!("year must be between {} and {}", plan_limits::YEAR_MIN, plan_limits::YEAR_MAX),
            ));
        }
        let year = raw.year as i32;
        if raw.activities.len() > plan_limits::ACTIVITIES {
            return Err(FieldError::new(
                "activities",
                "too_many",
                format!("a plan has at most {} activities", plan_limits::ACTIVITIES),
            ));
        }
        let activities = raw.activities.iter().map(|a| Activity::parse(a, year)).collect::<Result<Vec<_>, _>>()?;
        Ok(PlanFields { name, year, activities })
    }
}

/// The schedule as stored (JSON in the activity's row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredRecurrence {
    Every { unit: String, n: u32, starts: NaiveDate },
    Dates(Vec<NaiveDate>),
}

impl From<&Recurrence> for StoredRecurrence {
    fn from(r: &Recurrence) -> Self {
        match r {
            Recurrence::Every { every, starts } => {
                StoredRecurrence::Every { unit: every.unit.as_str().to_owned(), n: every.n, starts: *starts }
            }
            Recurrence::Dates(d) => StoredRecurrence::Dates(d.clone()),
        }
    }
}

impl TryFrom<StoredRecurrence> for Recurrence {
    type Error = FieldError;
    fn try_from(s: StoredRecurrence) -> Result<Self, FieldError> {
        Ok(match s {
            StoredRecurrence::Every { unit, n, starts } => {
                Recurrence::Every { every: Every { unit: EveryUnit::parse(&unit)?, n: n.max(1) }, starts }
            }
            StoredRecurrence::Dates(d) => Recurrence::Dates(d),
        })
    }
}

named_enum!(
    /// How one occurrence stands for compliance.
    Compliance, "compliance" {
        OnTime => "on_time",
        Late => "late",
        Missed => "missed",
        Upcoming => "upcoming",
    }
);

/// An occurrence due on `due` and done on `done` (if it was), seen on `today`:
/// done by its due date → on time; done after → late; not done and its due
/// date passed → missed; otherwise upcoming (due today or later).
pub fn compliance(due: NaiveDate, done: Option<NaiveDate>, today: NaiveDate) -> Compliance {
    match done {
        Some(d) if d <= due => Compliance::OnTime,
        Some(_) => Compliance::Late,
        None if due < today => Compliance::Missed,
        None => Compliance::Upcoming,
    }
}

/// Occurrences counted by how they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComplianceCounts {
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub upcoming: u32,
}

impl ComplianceCounts {
    pub fn add(&mut self, c: Compliance) {
        match c {
            Compliance::OnTime => self.on_time += 1,
            Compliance::Late => self.late += 1,
            Compliance::Missed => self.missed += 1,
            Compliance::Upcoming => self.upcoming += 1,
        }
    }

    pub fn merge(&mut self, o: &ComplianceCounts) {
        self.on_time += o.on_time;
        self.late += o.late;
        self.missed += o.missed;
        self.upcoming += o.upcoming;
    }

    pub fn total(&self) -> u32 {
        self.on_time + self.late + self.missed + self.upcoming
    }

    /// Done on time out of the occurrences already due (not upcoming), in
    /// percent; `None` when none is due yet.
    pub fn on_time_percent(&self) -> Option<f64> {
        let due = self.on_time + self.late + self.missed;
        (due > 0).then(|| f64::from(self.on_time) * 100.0 / f64::from(due))
    }
}

/// A logbook entry's own fields, checked (the file is checked by the use case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogbookFields {
    pub item: String,
    pub date: NaiveDate,
    pub work: String,
    pub readings: Option<String>,
}

impl LogbookFields {
    pub fn parse(item: &str, date_raw: &str, work: &str, readings: Option<&str>) -> Result<LogbookFields, FieldError> {
        let item = required_text("item", item, plan_limits::ITEM)?;
        if item.chars().any(char::is_control) {
            return Err(FieldError::new("item", "invalid", "item has control characters"));
        }
        Ok(LogbookFields {
            item,
            date: date("date", date_raw)?,
            work: required_text("work", work, plan_limits::WHAT)?,
            readings: crate::validate::optional_text("readings", readings, plan_limits::READINGS)?,
        })
    }
}

#[cfg(test)]
mod tests;
