//! Administration of the business calendars: weekly hours, the year's
//! national holidays (and which ones the institution works), its own days off
//! with their names, special hours such as the half days of 24 and 31
//! December, a preview of a due date, and the history of every change.
//!
//! Each small form posts to one route with an `action`; a form that fails is
//! shown again with the message beside it and what the admin typed.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use mesa_app::{AppError, CalendarEntry, DEFAULT_CALENDAR};
use mesa_core::Lang;
use mesa_core::calendar::{CalendarConfig, CalendarError, DayOff, TimeRange, WeeklyHours, colombian_holidays};
use serde::Deserialize;

use super::admin::only_admins;
use super::format::{urlencode, when};
use super::session::Viewer;
use super::{Chrome, UiResult, page};
use crate::AppState;

const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// One of the year's national holidays as the page shows it.
struct HolidayRow {
    iso: String,
    date: String,
    name: &'static str,
    law: &'static str,
    worked: bool,
}

struct HistoryRow {
    at: String,
    who: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    c: Chrome,
    names: Vec<(String, bool)>,
    name: String,
    builtin: bool,
    year: i32,
    timezone: String,
    observes: bool,
    /// Form field, label key, intervals as typed.
    week: Vec<(&'static str, String, String)>,
    holidays: Vec<HolidayRow>,
    /// ISO date, shown date, name.
    days_off: Vec<(String, String, String)>,
    /// ISO date, shown date, hours (empty: closed).
    special: Vec<(String, String, String)>,
    preview_start: String,
    preview_hours: String,
    preview_due: Option<String>,
    history: Vec<HistoryRow>,
    /// The failing form and its translated message.
    error: Option<(String, String)>,
    /// What the admin typed in the failing form.
    input: HashMap<String, String>,
    saved: bool,
}

impl CalendarPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == form).map(|(_, m)| m.as_str())
    }

    /// The typed value of a field of the failing form, else `fallback`.
    fn typed<'a>(&'a self, form: &str, field: &str, fallback: &'a str) -> &'a str {
        match &self.error {
            Some((f, _)) if f == form => self.input.get(field).map_or("", String::as_str),
            _ => fallback,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    name: Option<String>,
    year: Option<i32>,
    start: Option<String>,
    hours: Option<String>,
    saved: Option<String>,
}

/// Intervals as the forms show them: `08:00-12:00, 13:00-17:00`.
fn ranges_text(ranges: &[TimeRange]) -> String {
    ranges.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn parse_ranges(text: &str) -> Result<Vec<TimeRange>, CalendarError> {
    text.split([',', ';', '\n']).map(str::trim).filter(|r| !r.is_empty()).map(str::parse).collect()
}

fn week_days(hours: &WeeklyHours) -> [&Vec<TimeRange>; 7] {
    [&hours.monday, &hours.tuesday, &hours.wednesday, &hours.thursday, &hours.friday, &hours.saturday, &hours.sunday]
}

fn short_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The message key of a calendar that does not validate.
fn calendar_error_key(e: &CalendarError) -> &'static str {
    match e {
        CalendarError::UnknownTimeZone(_) => "ui.calendar.error.timezone",
        CalendarError::InvalidTimeRange(_) => "ui.calendar.error.range",
        CalendarError::ConflictingDate { .. } => "ui.calendar.error.conflict",
        CalendarError::InvalidDayOffName { .. } => "ui.calendar.error.name",
        _ => "ui.calendar.error.intervals",
    }
}

/// Why a form failed, as a message key.
struct Failure(&'static str);

impl From<CalendarError> for Failure {
    fn from(e: CalendarError) -> Self {
        Failure(calendar_error_key(&e))
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: CalendarQuery,
    error: Option<(String, String)>,
    input: HashMap<String, String>,
) -> UiResult<CalendarPage> {
    let actor = &viewer.0.actor;
    let c = Chrome::new(&viewer.0, "ui.calendar.title", "admin");
    let all = state.desk.calendars(actor).await?;
    let name = q.name.unwrap_or_else(|| DEFAULT_CALENDAR.to_owned());
    let entry: CalendarEntry = all.iter().find(|e| e.name == name).cloned().ok_or(AppError::NotFound("calendar"))?;
    let config = &entry.config;
    let tz: Tz = config.timezone.parse().unwrap_or(state.timezone);
    let year = q.year.filter(|y| (1900..=2200).contains(y)).unwrap_or_else(|| Utc::now().with_timezone(&tz).year());
    let english = c.tr.lang() == Lang::En;
    let holidays = colombian_holidays(year)
        .into_iter()
        .map(|h| HolidayRow {
            iso: h.date.to_string(),
            date: short_date(h.date),
            name: if english { h.name_en } else { h.name_es },
            law: h.law.citation(),
            worked: !config.colombian_holidays || config.worked_holidays.contains(&h.date),
        })
        .collect();
    let unnamed = c.tr.t("ui.calendar.unnamed_day_off");
    let days_off = config
        .non_working_dates
        .iter()
        .map(|d| (d.date.to_string(), short_date(d.date), d.name.clone().unwrap_or_else(|| unnamed.to_owned())))
        .collect();
    let closed = c.tr.t("ui.calendar.closed");
    let special = config
        .special_hours
        .iter()
        .map(|(date, hours)| {
            let shown = if hours.is_empty() { closed.to_owned() } else { ranges_text(hours) };
            (date.to_string(), short_date(*date), shown)
        })
        .collect();
    // The preview: a local start in the calendar's zone plus business hours.
    let preview_start = q.start.unwrap_or_else(|| Utc::now().with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string());
    let preview_hours = q.hours.unwrap_or_else(|| "72".to_owned());
    let mut preview_due = None;
    let mut error = error;
    if let (Ok(local), Ok(hours)) =
        (NaiveDateTime::parse_from_str(&preview_start, "%Y-%m-%dT%H:%M"), preview_hours.trim().parse::<f64>())
        && hours.is_finite()
        && (0.0..=100_000.0).contains(&hours)
        && let Some(start) = tz.from_local_datetime(&local).earliest()
    {
        let duration = TimeDelta::milliseconds((hours * 3_600_000.0).round() as i64);
        match state.desk.preview_due(actor, &name, start.with_timezone(&Utc), duration).await {
            Ok(due) => preview_due = Some(format!("{} ({})", when(due, tz), tz.name())),
            Err(AppError::Invalid(_)) => {
                error.get_or_insert(("preview".into(), c.tr.t("ui.calendar.error.no_working_time").into()));
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        error.get_or_insert(("preview".into(), c.tr.t("ui.calendar.error.preview").into()));
    }
    let desk_tz = state.timezone;
    let history = state
        .desk
        .settings_history(actor, Some(&name), 20)
        .await?
        .into_iter()
        .map(|h| HistoryRow {
            at: when(h.created_at, desk_tz),
            who: h.actor_name.unwrap_or_else(|| "—".into()),
            before: h.before_value.as_deref().map(pretty).unwrap_or_else(|| "—".into()),
            after: pretty(&h.after_value),
        })
        .collect();
    Ok(CalendarPage {
        names: all.iter().map(|e| (e.name.clone(), e.builtin)).collect(),
        builtin: entry.builtin,
        year,
        timezone: config.timezone.clone(),
        observes: config.colombian_holidays,
        week: WEEKDAYS
            .iter()
            .zip(week_days(&config.hours))
            .map(|(day, ranges)| (*day, format!("ui.calendar.day.{day}"), ranges_text(ranges)))
            .collect(),
        holidays,
        days_off,
        special,
        preview_start,
        preview_hours,
        preview_due,
        history,
        error,
        input,
        saved: q.saved.is_some(),
        name,
        c,
    })
}

/// Stored JSON, indented for reading.
fn pretty(raw: &str) -> String {
    serde_json::from_str::<serde_json::Value>(raw)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| raw.to_owned())
}

pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CalendarQuery>,
) -> UiResult<Response> {
    only_admins(&viewer)?;
    Ok(page(&render(&state, &viewer, q, None, HashMap::new()).await?))
}

type Fields = HashMap<String, String>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or_default()
}

fn parse_date(text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Failure("ui.calendar.error.date"))
}

/// Applies one form's change to a calendar's configuration.
fn apply(action: &str, f: &Fields, config: &mut CalendarConfig) -> Result<(), Failure> {
    match action {
        "hours" => {
            config.timezone = field(f, "timezone").trim().to_owned();
            config.colombian_holidays = f.contains_key("colombian_holidays");
            let mut hours = WeeklyHours::default();
            let slots = [
                &mut hours.monday,
                &mut hours.tuesday,
                &mut hours.wednesday,
                &mut hours.thursday,
                &mut hours.friday,
                &mut hours.saturday,
                &mut hours.sunday,
            ];
            for (slot, day) in slots.into_iter().zip(WEEKDAYS) {
                *slot = parse_ranges(field(f, day))?;
            }
            config.hours = hours;
        }
        "add_day_off" => {
            let date = parse_date(field(f, "date"))?;
            let name = field(f, "name").trim();
            config.non_working_dates.retain(|d| d.date != date);
            config.worked_holidays.retain(|d| *d != date);
            config.special_hours.remove(&date);
            config.non_working_dates.push(if name.is_empty() { date.into() } else { DayOff::named(date, name) });
            config.non_working_dates.sort();
        }
        "remove_day_off" => {
            let date = parse_date(field(f, "date"))?;
            config.non_working_dates.retain(|d| d.date != date);
        }
        "work_holiday" => {
            let date = parse_date(field(f, "date"))?;
            config.worked_holidays.retain(|d| *d != date);
            if field(f, "worked") == "1" {
                config.non_working_dates.retain(|d| d.date != date);
                config.worked_holidays.push(date);
                config.worked_holidays.sort();
            }
        }
        "add_special" => {
            let date = parse_date(field(f, "date"))?;
            config.non_working_dates.retain(|d| d.date != date);
            config.special_hours.insert(date, parse_ranges(field(f, "hours"))?);
        }
        "remove_special" => {
            let date = parse_date(field(f, "date"))?;
            config.special_hours.remove(&date);
        }
        _ => return Err(Failure("ui.calendar.error.unknown_action")),
    }
    Ok(())
}

/// Which section a form belongs to (its anchor and where its error shows).
fn form_of(action: &str) -> &'static str {
    match action {
        "hours" => "hours",
        "add_day_off" | "remove_day_off" => "days-off",
        "work_holiday" => "holidays",
        "add_special" | "remove_special" => "special",
        "create" => "calendars",
        _ => "hours",
    }
}

pub async fn save(State(state): State<AppState>, viewer: Viewer, Form(f): Form<Fields>) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    only_admins(&viewer)?;
    let actor = &viewer.0.actor;
    let action = field(&f, "action");
    let form = form_of(action);
    let year = field(&f, "year").parse().ok();
    let (name, result) = if action == "create" {
        let name = field(&f, "new_name").trim().to_owned();
        let valid = !name.is_empty()
            && name.len() <= 100
            && name.chars().all(|ch| ch.is_alphanumeric() || "-_.".contains(ch))
            && !state.desk.calendars(actor).await?.iter().any(|e| e.name == name);
        let result = if valid {
            let config = mesa_core::calendar::BusinessCalendar::colombia_default().to_config();
            state.desk.put_calendar(actor, &name, config).await?;
            Ok(())
        } else {
            Err(Failure("ui.calendar.error.new_name"))
        };
        (name, result)
    } else {
        let name = field(&f, "calendar").to_owned();
        let mut config = state.desk.calendar(actor, &name).await?.config;
        // Checked here first so that the message says what is wrong.
        let checked = apply(action, &f, &mut config).and_then(|()| Ok(config.clone().build().map(|_| ())?));
        if checked.is_ok() {
            state.desk.put_calendar(actor, &name, config).await?;
        }
        (name, checked)
    };
    match result {
        Ok(()) => {
            let year = year.map(|y: i32| format!("&year={y}")).unwrap_or_default();
            Ok(Redirect::to(&format!("/admin/calendars?name={}{year}&saved=1#{form}", urlencode(&name)))
                .into_response())
        }
        Err(Failure(key)) => {
            let shown = if action == "create" { DEFAULT_CALENDAR.to_owned() } else { name };
            let tr = Chrome::new(&viewer.0, "ui.calendar.title", "admin").tr;
            let q = CalendarQuery { name: Some(shown), year, ..CalendarQuery::default() };
            let body = render(&state, &viewer, q, Some((form.to_owned(), tr.t(key).to_owned())), f).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&body)).into_response())
        }
    }
}

/// Percent-encodes a calendar name for a query string.
#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_day_off_replaces_a_worked_holiday_or_special_hours_on_the_same_date() {
        let mut config = mesa_core::calendar::BusinessCalendar::colombia_default().to_config();
        let date = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        apply("work_holiday", &fields(&[("date", "2026-12-08"), ("worked", "1")]), &mut config).ok().unwrap();
        assert_eq!(config.worked_holidays, [date]);
        apply("add_day_off", &fields(&[("date", "2026-12-08"), ("name", " Día cívico ")]), &mut config).ok().unwrap();
        assert!(config.worked_holidays.is_empty());
        assert_eq!(config.non_working_dates, [DayOff::named(date, "Día cívico")]);
        assert!(config.clone().build().is_ok());
        assert!(apply("add_day_off", &fields(&[("date", "8/12/2026")]), &mut config).is_err());
        assert!(apply("hours", &fields(&[("timezone", "America/Bogota"), ("monday", "8-12")]), &mut config).is_err());
        apply("hours", &fields(&[("timezone", "America/Bogota"), ("friday", "07:00-12:00; 13:00-16:00")]), &mut config)
            .ok()
            .unwrap();
        assert_eq!(ranges_text(&config.hours.friday), "07:00-12:00, 13:00-16:00");
        assert!(config.hours.monday.is_empty() && !config.colombian_holidays);
        assert_eq!(urlencode("sede norte"), "sede%20norte");
    }
}
