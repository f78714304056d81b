//! The monthly report's vocabulary and figures (issue 17): the period, the
//! dimensions tickets are counted by, and the pure arithmetic (median, 90th
//! percentile, compliance) the use case applies to what the store counted.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::survey::results::Figures;
use crate::validate::FieldError;

/// The longest period a report covers, in days (three years and a bit).
pub const MAX_PERIOD_DAYS: i64 = 1_100;

/// A report's period: whole days `from..=to` in the desk's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The period `from..=to`; `to` before `from`, or longer than
    /// [`MAX_PERIOD_DAYS`], is refused.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
        if to < from {
            return Err(FieldError::new("to", "invalid", "to must not be before from"));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(FieldError::new("to", "too_long", format!("a report covers at most {MAX_PERIOD_DAYS} days")));
        }
        Ok(Period { from, to })
    }

    /// The calendar month before the one `today` is in.
    pub fn last_month(today: NaiveDate) -> Period {
        let first_this = today.with_day(1).expect("day 1 exists");
        let from = first_this.checked_sub_months(Months::new(1)).unwrap_or(first_this);
        let to = first_this.pred_opt().unwrap_or(first_this);
        Period { from, to }
    }

    /// Reads `from` and `to` (`YYYY-MM-DD`); a missing one defaults to last
    /// month's (both missing: last month).
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Period, FieldError> {
        let date = |field: &'static str, raw: &str| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new(field, "invalid", format!("{field} must be a date YYYY-MM-DD")))
        };
        let default = Period::last_month(today);
        let from = from.filter(|s| !s.trim().is_empty()).map(|raw| date("from", raw)).transpose()?;
        let to = to.filter(|s| !s.trim().is_empty()).map(|raw| date("to", raw)).transpose()?;
        // A missing end is last month's end, kept within the longest period
        // after the start; a missing start is last month's, or the end's
        // month when the end is earlier.
        let longest = Days::new(MAX_PERIOD_DAYS as u64 - 1);
        let (from, to) = match (from, to) {
            (Some(from), Some(to)) => (from, to),
            (Some(from), None) if from > default.to => (from, from),
            (Some(from), None) => (from, default.to.min(from + longest)),
            (None, Some(to)) if to < default.from => (to.with_day(1).expect("day 1"), to),
            (None, Some(to)) => (default.from, to),
            (None, None) => (default.from, default.to),
        };
        Period::new(from, to)
    }

    /// The instants `[start, end)` the period covers in `tz`.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of(self.from, tz), start_of(self.to + Days::new(1), tz))
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.from.iter_days().take_while(|d| *d <= self.to).collect()
    }
}

/// Midnight of `day` in `tz` (or the first instant after a gap there).
pub fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(midnight + chrono::TimeDelta::hours(1)))
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&midnight), |t| t.with_timezone(&Utc)),
    }
}

named_enum!(
    /// What tickets are counted by in a report's breakdowns.
    Dimension, "dimension" {
        Status => "status",
        Type => "type",
        Service => "service",
        Building => "building",
        Department => "department",
        Team => "team",
        Agent => "agent",
        Level => "level",
        Channel => "channel",
    }
);

impl Dimension {
    /// Whether the dimension's values are rows people name (a service, a
    /// building, an agent…) rather than a fixed list of values.
    pub fn names_rows(self) -> bool {
        matches!(
            self,
            Dimension::Service | Dimension::Building | Dimension::Department | Dimension::Team | Dimension::Agent
        )
    }
}

/// One line of a breakdown: a value of the dimension (its name as shown) and
/// how many tickets have it. `id` is the row's id for the dimensions that
/// name a row (service, building, …), `None` for "none" and for the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCount {
    pub name: String,
    pub id: Option<i64>,
    pub count: i64,
}

/// A median and a 90th percentile of durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimeFigures {
    /// How many durations they come from.
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

impl TimeFigures {
    /// The figures of `seconds` (any order; sorted here).
    pub fn of(mut seconds: Vec<i64>) -> TimeFigures {
        seconds.sort_unstable();
        TimeFigures { count: seconds.len() as u64, median_seconds: median(&seconds), p90_seconds: p90(&seconds) }
    }

    pub fn median_hours(&self) -> Option<f64> {
        self.median_seconds.map(hours)
    }

    pub fn p90_hours(&self) -> Option<f64> {
        self.p90_seconds.map(hours)
    }
}

/// Seconds as hours, two decimals.
pub fn hours(seconds: i64) -> f64 {
    (seconds as f64 / 36.0).round() / 100.0
}

/// The median of sorted values: the middle one, or the mean of the two
/// middle ones (rounded down to the second); `None` when empty.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]).div_euclid(2)),
    }
}

/// The 90th percentile of sorted values by the nearest-rank method: the
/// smallest value with at least 90 % of the values at or below it.
pub fn p90(sorted: &[i64]) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * 9).div_ceil(10);
    Some(sorted[rank.max(1) - 1])
}

/// How many met a target and how many missed it (a clock still running in
/// time counts in neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compliance {
    pub met: i64,
    pub missed: i64,
}

impl Compliance {
    /// The share met, in percent with one decimal; `None` when nothing was judged.
    pub fn percent(&self) -> Option<f64> {
        percent_of(self.met as f64, (self.met + self.missed) as f64)
    }
}

/// `part` of `whole` in percent with one decimal; `None` when `whole` is 0.
pub fn percent_of(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part * 1000.0 / whole).round() / 10.0)
}

/// The compliance of the tickets under one service target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetCompliance {
    /// The target's service (`None`: the default targets) and priority.
    pub service: Option<String>,
    pub priority: crate::Priority,
    pub tickets: i64,
    pub response: Compliance,
    pub resolution: Compliance,
}

/// One vendor contract's compliance (issue 15's report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorCompliance {
    pub vendor: String,
    pub contract: String,
    pub escalations: i64,
    pub response: Compliance,
    pub resolution: Compliance,
}

/// A maintenance plan's occurrences due in the period, by how they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceCompliance {
    pub plan: String,
    pub counts: crate::maintenance::ComplianceCounts,
}

/// An improvement action a report lists: those not verified yet, and those
/// verified in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionLine {
    pub id: i64,
    /// The indicator's code.
    pub indicator: String,
    /// The month it answers, `YYYY-MM`.
    pub month: String,
    pub what: String,
    pub owner: String,
    pub due: NaiveDate,
    /// `open`, `done` or `verified`.
    pub status: String,
}

/// The period's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub opened: i64,
    pub solved: i64,
    pub closed: i64,
    /// Open (not solved nor closed) when the period starts, and when it ends.
    pub backlog_start: i64,
    pub backlog_end: i64,
}

/// A day's opened and solved tickets (the report's line chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub opened: i64,
    pub solved: i64,
}

/// The filters a report was made with, as names for the reader.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterNames(pub Vec<(Dimension, String)>);

/// A whole report, ready to show or export.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub institution: String,
    pub period: Period,
    pub filters: FilterNames,
    pub counts: Counts,
    pub breakdowns: Vec<(Dimension, Vec<NamedCount>)>,
    pub days: Vec<DayCount>,
    /// First response of the tickets opened in the period, in business time.
    pub first_response: TimeFigures,
    /// Resolution (opened → solved) of the tickets solved in the period.
    pub resolution: TimeFigures,
    pub targets: Vec<TargetCompliance>,
    /// Routing decisions in the period by criterion (`rule`, `team`, …).
    pub assignments_by_criterion: Vec<NamedCount>,
    /// Reassignments in the period by the criterion given (`absence`,
    /// `competence`, `direct_order`, `other`).
    pub reassignments_by_criterion: Vec<NamedCount>,
    /// Changes of assignee from one person to another in the period.
    pub reassignments: i64,
    /// Escalations to a higher level, and back down, in the period.
    pub escalations: i64,
    pub de_escalations: i64,
    pub vendors: Vec<VendorCompliance>,
    /// Preventive maintenance plans' occurrences due in the period.
    pub maintenance: Vec<MaintenanceCompliance>,
    /// Improvement actions still open, or verified in the period.
    pub improvement_actions: Vec<ActionLine>,
    /// The survey results of the links sent in the period, for the readers
    /// allowed to see them (administrators and managers).
    pub surveys: Option<Figures>,
}

impl Summary {
    /// The breakdown by `dimension` (empty when not computed).
    pub fn breakdown(&self, dimension: Dimension) -> &[NamedCount] {
        self.breakdowns.iter().find(|(d, _)| *d == dimension).map_or(&[], |(_, rows)| rows.as_slice())
    }
}

/// The routing criteria a report counts assignments by.
pub const CRITERIA: [&str; 7] = ["security", "rule", "building", "department", "team", "level", "no_team"];

/// The routing criterion of a history value (`mesa_core::routing::Reason`):
/// a rule (skipped agent or not), a place, the team's least-loaded agent
/// (exempt, or after skipping someone), a level, security, or no team
/// (`rule|3|ana@x` → `rule`). Unknown codes are kept as they are.
pub fn criterion(history_value: &str) -> &str {
    let code = history_value.split('|').next().unwrap_or(history_value);
    match code.strip_suffix("_nobody").unwrap_or(code) {
        "rule" | "rule_skipped" => "rule",
        "team" | "skipped" | "exempt" => "team",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 2, 9]), Some(2));
        assert_eq!(median(&[1, 2, 4, 9]), Some(3));
        assert_eq!(median(&[1, 2]), Some(1), "1.5 rounds down to the second");
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        assert_eq!(p90(&[]), None);
        assert_eq!(p90(&[7]), Some(7));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(p90(&ten), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(p90(&eleven), Some(10), "ceil(9.9) = 10th value");
        assert_eq!(p90(&[1, 100]), Some(100));
    }

    #[test]
    fn time_figures_sort_and_convert_to_hours() {
        let f = TimeFigures::of(vec![7_200, 3_600, 36_000]);
        assert_eq!((f.count, f.median_seconds, f.p90_seconds), (3, Some(7_200), Some(36_000)));
        assert_eq!(f.median_hours(), Some(2.0));
        assert_eq!(hours(5_400), 1.5);
        assert_eq!(hours(100), 0.03);
        assert_eq!(TimeFigures::of(vec![]).median_hours(), None);
    }

    #[test]
    fn compliance_percent_has_one_decimal() {
        assert_eq!(Compliance { met: 2, missed: 1 }.percent(), Some(66.7));
        assert_eq!(Compliance { met: 0, missed: 0 }.percent(), None);
        assert_eq!(Compliance { met: 4, missed: 0 }.percent(), Some(100.0));
    }

    #[test]
    fn last_month_crosses_years_and_leap_februaries() {
        assert_eq!(Period::last_month(d("2026-01-15")), Period { from: d("2025-12-01"), to: d("2025-12-31") });
        assert_eq!(Period::last_month(d("2024-03-01")), Period { from: d("2024-02-01"), to: d("2024-02-29") });
    }

    #[test]
    fn periods_parse_with_defaults_and_refuse_bad_input() {
        let today = d("2026-12-01");
        assert_eq!(Period::parse(None, None, today).unwrap(), Period { from: d("2026-11-01"), to: d("2026-11-30") });
        assert_eq!(Period::parse(Some("2026-12-01"), None, today).unwrap().to, d("2026-12-01"));
        assert_eq!(Period::parse(Some("2026-13-01"), None, today).unwrap_err().field, "from");
        assert_eq!(Period::parse(Some("2026-11-02"), Some("2026-11-01"), today).unwrap_err().field, "to");
        assert_eq!(Period::parse(Some("2020-01-01"), Some("2026-01-01"), today).unwrap_err().code, "too_long");
    }

    #[test]
    fn bounds_are_local_midnights() {
        let bogota: Tz = "America/Bogota".parse().unwrap();
        let (start, end) = Period { from: d("2026-11-01"), to: d("2026-11-30") }.bounds(bogota);
        assert_eq!(start.to_rfc3339(), "2026-11-01T05:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-01T05:00:00+00:00");
        assert_eq!(Period { from: d("2026-11-01"), to: d("2026-11-03") }.days().len(), 3);
    }

    #[test]
    fn criteria_drop_the_arguments_and_nobody() {
        assert_eq!(criterion("rule|3|ana@x.co"), "rule");
        assert_eq!(criterion("team_nobody"), "team");
        assert_eq!(criterion("rule_skipped_nobody|2|ana@x.co|absent"), "rule");
        assert_eq!(criterion("exempt|ana@x.co"), "team");
        assert_eq!(criterion("building|Sede norte|ana@x.co"), "building");
        assert_eq!(criterion("security"), "security");
    }
}
