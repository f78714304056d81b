//! Indicators with goals, and improvement actions (issue 17): an indicator
//! is a formula from a fixed set over a month's report, a goal and a
//! direction; a month that misses its goal asks for an improvement action,
//! tracked from `open` to `done` to `verified`.

use chrono::{Datelike, Months, NaiveDate};

use crate::report::{Summary, percent_of};
use crate::validate::{FieldError, optional_text, required_text};

pub mod limits {
    pub const CODE: usize = 40;
    pub const NAME: usize = 200;
    pub const WHAT: usize = 4_000;
    pub const CAUSE: usize = 4_000;
    /// The largest goal (percentages and hours both fit).
    pub const GOAL_MAX: f64 = 1_000_000.0;
}

named_enum!(
    /// What an indicator measures over a month:
    /// - `resolution_met_percent`, `response_met_percent`: tickets opened in
    ///   the month that met their resolution (first-response) target, of
    ///   those judged (met or missed), in percent;
    /// - `survey_satisfied_percent`: scale answers of 4 or 5, of all scale
    ///   answers to the links sent in the month, in percent;
    /// - `maintenance_on_time_percent`: maintenance occurrences due in the
    ///   month done on time, of those already due, in percent;
    /// - `median_first_response_hours`, `median_resolution_hours`: business
    ///   hours, of the tickets opened (solved) in the month;
    /// - `solved_percent`: tickets solved in the month per 100 opened in it
    ///   (above 100 when the backlog shrinks).
    Formula, "formula" {
        ResolutionMetPercent => "resolution_met_percent",
        ResponseMetPercent => "response_met_percent",
        SurveySatisfiedPercent => "survey_satisfied_percent",
        MaintenanceOnTimePercent => "maintenance_on_time_percent",
        MedianFirstResponseHours => "median_first_response_hours",
        MedianResolutionHours => "median_resolution_hours",
        SolvedPercent => "solved_percent",
    }
);

named_enum!(
    /// Whether the goal is a floor or a ceiling.
    Direction, "direction" {
        AtLeast => "at_least",
        AtMost => "at_most",
    }
);

named_enum!(
    /// Where an improvement action stands: written, carried out, checked.
    ActionStatus, "status" {
        Open => "open",
        Done => "done",
        Verified => "verified",
    }
);

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Formula {
    /// The value over `s` (a month's report); `None` when there is nothing
    /// to measure (no ticket judged, no survey answered…).
    pub fn value(self, s: &Summary) -> Option<f64> {
        match self {
            Formula::ResolutionMetPercent | Formula::ResponseMetPercent => {
                let (met, missed) = s.targets.iter().fold((0, 0), |(met, missed), t| {
                    let c = if self == Formula::ResolutionMetPercent { &t.resolution } else { &t.response };
                    (met + c.met, missed + c.missed)
                });
                percent_of(met as f64, (met + missed) as f64)
            }
            Formula::SurveySatisfiedPercent => {
                let figures = s.surveys.as_ref()?;
                let (mut high, mut all) = (0u64, 0u64);
                for q in &figures.questions {
                    for (value, n) in &q.distribution {
                        if let Ok(score) = value.parse::<u8>() {
                            all += n;
                            if score >= 4 {
                                high += n;
                            }
                        }
                    }
                }
                percent_of(high as f64, all as f64)
            }
            Formula::MaintenanceOnTimePercent => {
                let (on_time, due) = s.maintenance.iter().fold((0u32, 0u32), |(on_time, due), m| {
                    (on_time + m.counts.on_time, due + m.counts.on_time + m.counts.late + m.counts.missed)
                });
                percent_of(f64::from(on_time), f64::from(due))
            }
            Formula::MedianFirstResponseHours => s.first_response.median_hours().map(round1),
            Formula::MedianResolutionHours => s.resolution.median_hours().map(round1),
            Formula::SolvedPercent => percent_of(s.counts.solved as f64, s.counts.opened as f64),
        }
    }

    /// The direction that suits the formula when an admin does not say:
    /// percentages are floors, times are ceilings.
    pub fn natural_direction(self) -> Direction {
        match self {
            Formula::MedianFirstResponseHours | Formula::MedianResolutionHours => Direction::AtMost,
            _ => Direction::AtLeast,
        }
    }
}

/// Whether `value` meets `goal` in `direction`; `None` without a value.
pub fn met(value: Option<f64>, goal: f64, direction: Direction) -> Option<bool> {
    value.map(|v| match direction {
        Direction::AtLeast => v >= goal,
        Direction::AtMost => v <= goal,
    })
}

/// An indicator as an admin defines it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorFields {
    /// A short stable code for the quality system (e.g. `IND-MA-01`).
    pub code: String,
    pub name: String,
    pub formula: Formula,
    pub goal: f64,
    pub direction: Direction,
}

impl IndicatorFields {
    pub fn parse(
        code: &str,
        name: &str,
        formula: &str,
        goal: f64,
        direction: Option<&str>,
    ) -> Result<IndicatorFields, FieldError> {
        let code_raw_len = code.len();
        // Checked as sent: a code has no spaces, not even around it.
        let code = required_text("code", code, limits::CODE)?;
        if code.len() != code_raw_len || !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(FieldError::new("code", "invalid", "a code is letters, digits, '-', '_' or '.'"));
        }
        let formula = Formula::parse(formula)?;
        if !goal.is_finite() || !(0.0..=limits::GOAL_MAX).contains(&goal) {
            return Err(FieldError::new("goal", "out_of_range", "the goal is a number from 0 to 1,000,000"));
        }
        let direction = match direction {
            Some(d) => Direction::parse(d)?,
            None => formula.natural_direction(),
        };
        Ok(IndicatorFields { code, name: required_text("name", name, limits::NAME)?, formula, goal, direction })
    }
}

/// A calendar month, the period of an indicator's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// `YYYY-MM`.
    pub fn parse(raw: &str) -> Result<Month, FieldError> {
        let bad = || FieldError::new("month", "invalid", "a month is YYYY-MM");
        let (y, m) = raw.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || m.len() != 2 || !digits(y) || !digits(m) {
            return Err(bad());
        }
        let first =
            NaiveDate::from_ymd_opt(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, 1).ok_or_else(bad)?;
        if !(2000..=2100).contains(&first.year()) {
            return Err(FieldError::new("month", "out_of_range", "the year is from 2000 to 2100"));
        }
        Ok(Month { first })
    }

    /// The month before the one `today` is in (an indicator's default).
    pub fn last_complete(today: NaiveDate) -> Month {
        let this = today.with_day(1).expect("day 1 exists");
        Month { first: this - Months::new(1) }
    }

    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    pub fn last_day(self) -> NaiveDate {
        (self.first + Months::new(1)).pred_opt().expect("a day before")
    }

    pub fn next(self) -> Month {
        Month { first: self.first + Months::new(1) }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// An improvement action as written, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionFields {
    pub what: String,
    pub cause: Option<String>,
    pub due: NaiveDate,
}

impl ActionFields {
    pub fn parse(what: &str, cause: Option<&str>, due: &str) -> Result<ActionFields, FieldError> {
        let due = NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("due_date", "invalid", "the due date is YYYY-MM-DD"))?;
        Ok(ActionFields {
            what: required_text("what", what, limits::WHAT)?,
            cause: optional_text("cause", cause, limits::CAUSE)?,
            due,
        })
    }
}

/// Whether an action may move from `from` to `to`: open → done → verified,
/// and done back to open (the check found it was not done). Only
/// administrators verify (the caller checks the role).
pub fn may_move(from: ActionStatus, to: ActionStatus) -> bool {
    matches!(
        (from, to),
        (ActionStatus::Open, ActionStatus::Done)
            | (ActionStatus::Done, ActionStatus::Verified)
            | (ActionStatus::Done, ActionStatus::Open)
    )
}

#[cfg(test)]
mod tests;
