//! Maintenance pages (issue 17): the plans, a plan's form (administrators),
//! the month calendar of occurrences (planned, done, late, missed) and a
//! logbook per item with its entry form.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use mesa_app::AppError;
use mesa_app::maintenance::{LogbookEntryRow, LogbookRow};
use mesa_app::maintenance::{LogbookInput, OccurrenceStatus, PlanInput, PlanView};
use mesa_core::maintenance::{ItemKind, RawActivity, RawPlan, Recurrence};
use mesa_core::validate::FieldError;
use serde::Deserialize;

use super::session::Viewer;
use super::{Chrome, UiResult, page};
use crate::AppState;

type Fields = HashMap<String, String>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map_or("", String::as_str)
}

/// Empty activity rows a form offers beyond the plan's own.
const BLANK_ROWS: usize = 3;

/// One activity row of the plan form, as text.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub id: String,
    pub what: String,
    pub item: String,
    pub kind: String,
    pub checklist: String,
    /// `every` or `dates`.
    pub schedule: String,
    pub n: String,
    pub unit: String,
    pub starts: String,
    pub dates: String,
}

impl Row {
    fn blank() -> Row {
        Row {
            kind: "infrastructure".into(),
            schedule: "every".into(),
            n: "1".into(),
            unit: "month".into(),
            ..Row::default()
        }
    }

    fn of(a: &mesa_app::maintenance::ActivityView) -> Row {
        let (schedule, n, unit, starts, dates) = match &a.recurrence {
            Recurrence::Every { every, starts } => {
                ("every", every.n.to_string(), every.unit.as_str().to_owned(), starts.to_string(), String::new())
            }
            Recurrence::Dates(d) => (
                "dates",
                "1".to_owned(),
                "month".to_owned(),
                String::new(),
                d.iter().map(NaiveDate::to_string).collect::<Vec<_>>().join(", "),
            ),
        };
        Row {
            id: a.id.to_string(),
            what: a.what.clone(),
            item: a.item.clone(),
            kind: a.item_kind.as_str().to_owned(),
            checklist: a.checklist.join("\n"),
            schedule: schedule.into(),
            n,
            unit,
            starts,
            dates,
        }
    }

    fn typed(f: &Fields, i: usize) -> Row {
        let get = |k: &str| field(f, &format!("a{i}_{k}")).to_owned();
        Row {
            id: get("id"),
            what: get("what"),
            item: get("item"),
            kind: get("kind"),
            checklist: get("checklist"),
            schedule: get("schedule"),
            n: get("n"),
            unit: get("unit"),
            starts: get("starts"),
            dates: get("dates"),
        }
    }

    fn is_blank(&self) -> bool {
        self.what.trim().is_empty() && self.item.trim().is_empty() && self.checklist.trim().is_empty()
    }

    fn raw(&self) -> RawActivity {
        let every = (self.schedule != "dates").then(|| (self.unit.clone(), self.n.trim().parse::<i64>().unwrap_or(0)));
        let dates = (self.schedule == "dates").then(|| {
            self.dates
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        });
        RawActivity {
            what: self.what.clone(),
            item: self.item.clone(),
            item_kind: Some(self.kind.clone()),
            checklist: self.checklist.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            every,
            starts: (self.schedule != "dates").then(|| self.starts.clone()),
            dates,
        }
    }
}

#[derive(Template)]
#[template(path = "maintenance.html")]
struct IndexPage {
    c: Chrome,
    plans: Vec<PlanView>,
    logbooks: Vec<LogbookRow>,
    month: String,
}

/// Staff and managers (the use cases refuse requesters).
pub async fn index(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    let actor = &viewer.0.actor;
    let plans = state.desk.maintenance_plans(actor, true).await?;
    let logbooks = state.desk.logbooks(actor).await?;
    let c = Chrome::new(&viewer.0, "ui.maintenance.title", "maintenance");
    let month = Utc::now().format("%Y-%m").to_string();
    Ok(page(&IndexPage { c, plans, logbooks, month }))
}

#[derive(Template)]
#[template(path = "maintenance_plan.html")]
struct PlanPage {
    c: Chrome,
    /// `None`: a new plan.
    id: Option<i64>,
    name: String,
    year: String,
    team_id: String,
    teams: Vec<(i64, String)>,
    rows: Vec<Row>,
    error: Option<String>,
}

impl PlanPage {
    fn kinds(&self) -> Vec<(&'static str, String)> {
        ItemKind::ALL
            .iter()
            .map(|k| (k.as_str(), self.c.tr.t(&format!("ui.maintenance.kind.{}", k.as_str())).to_owned()))
            .collect()
    }

    fn units(&self) -> Vec<(&'static str, String)> {
        ["day", "week", "month"]
            .into_iter()
            .map(|u| (u, self.c.tr.t(&format!("ui.maintenance.unit.{u}")).to_owned()))
            .collect()
    }

    fn action(&self) -> String {
        self.id.map_or_else(|| "/maintenance/plans".to_owned(), |id| format!("/maintenance/plans/{id}"))
    }
}

fn only_admins(viewer: &Viewer) -> UiResult<()> {
    if viewer.0.actor.can_manage_catalog() {
        Ok(())
    } else {
        Err(AppError::forbidden("only administrators edit maintenance plans").into())
    }
}

async fn teams(state: &AppState, _viewer: &Viewer) -> UiResult<Vec<(i64, String)>> {
    let items = state.desk.list_items(mesa_app::Directory::Teams).await?;
    Ok(items.into_iter().filter(|t| t.active).map(|t| (t.id, t.name)).collect())
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    only_admins(&viewer)?;
    let teams = teams(&state, &viewer).await?;
    let c = Chrome::new(&viewer.0, "ui.maintenance.new_plan", "maintenance");
    let rows = vec![Row::blank(); BLANK_ROWS];
    let year = Utc::now().year().to_string();
    Ok(page(&PlanPage { c, id: None, name: String::new(), year, team_id: String::new(), teams, rows, error: None }))
}

pub async fn edit_form(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> UiResult<Response> {
    only_admins(&viewer)?;
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound("maintenance plan"))?;
    let plan = state.desk.maintenance_plan(&viewer.0.actor, id).await?;
    let teams = teams(&state, &viewer).await?;
    let c = Chrome::new(&viewer.0, "ui.maintenance.edit_plan", "maintenance");
    let mut rows: Vec<Row> = plan.activities.iter().map(Row::of).collect();
    rows.extend(std::iter::repeat_n(Row::blank(), BLANK_ROWS));
    Ok(page(&PlanPage {
        c,
        id: Some(id),
        name: plan.plan.name,
        year: plan.plan.year.to_string(),
        team_id: plan.plan.team_id.to_string(),
        teams,
        rows,
        error: None,
    }))
}

fn error_text(c: &Chrome, e: &FieldError) -> String {
    format!("{} ({})", c.tr.t(&format!("ui.maintenance.error.{}", e.code)), e.field)
}

async fn save(state: AppState, viewer: Viewer, id: Option<i64>, f: Fields) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    only_admins(&viewer)?;
    let count = field(&f, "rows").parse::<usize>().unwrap_or(0).min(mesa_core::maintenance::plan_limits::ACTIVITIES);
    let rows: Vec<Row> = (0..count).map(|i| Row::typed(&f, i)).collect();
    let kept: Vec<&Row> = rows.iter().filter(|r| !r.is_blank()).collect();
    let input = PlanInput {
        raw: RawPlan {
            name: field(&f, "name").to_owned(),
            year: field(&f, "year").trim().parse().unwrap_or(0),
            activities: kept.iter().map(|r| r.raw()).collect(),
        },
        team_id: field(&f, "team_id").parse().unwrap_or(0),
        activity_ids: kept.iter().map(|r| r.id.parse().ok()).collect(),
    };
    let actor = &viewer.0.actor;
    let result = match id {
        None => state.desk.create_maintenance_plan(actor, &input).await,
        Some(id) => state.desk.update_maintenance_plan(actor, id, &input).await,
    };
    match result {
        Ok(plan) => Ok(Redirect::to(&format!("/maintenance?saved={}", plan.plan.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let c = Chrome::new(
                &viewer.0,
                if id.is_some() { "ui.maintenance.edit_plan" } else { "ui.maintenance.new_plan" },
                "maintenance",
            );
            let error = Some(error_text(&c, &e));
            let body = PlanPage {
                c,
                id,
                name: field(&f, "name").to_owned(),
                year: field(&f, "year").to_owned(),
                team_id: field(&f, "team_id").to_owned(),
                teams: teams(&state, &viewer).await?,
                rows,
                error,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(State(state): State<AppState>, viewer: Viewer, Form(f): Form<Fields>) -> UiResult<Response> {
    save(state, viewer, None, f).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> UiResult<Response> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound("maintenance plan"))?;
    save(state, viewer, Some(id), f).await
}

/// One day of the month grid.
pub struct Cell {
    pub date: Option<NaiveDate>,
    pub items: Vec<(String, OccurrenceStatus)>,
}

#[derive(Template)]
#[template(path = "maintenance_calendar.html")]
struct CalendarPage {
    c: Chrome,
    month: NaiveDate,
    weeks: Vec<Vec<Cell>>,
    previous: String,
    next: String,
}

impl CalendarPage {
    fn status(&self, o: &OccurrenceStatus) -> String {
        self.c.tr.t(&format!("ui.maintenance.status.{}", o.status.as_str())).to_owned()
    }

    fn weekday(&self, i: &usize) -> String {
        let day = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][*i % 7];
        self.c.tr.t(&format!("ui.calendar.day.{day}")).to_owned()
    }
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
}

pub async fn calendar(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<MonthQuery>,
) -> UiResult<Response> {
    let today = Utc::now().date_naive();
    let month = q
        .month
        .as_deref()
        .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let next_month = month.checked_add_months(Months::new(1)).unwrap_or(month);
    let last = next_month.pred_opt().unwrap_or(month);
    let report = state.desk.maintenance_compliance(&viewer.0.actor, month, last, Utc::now()).await?;
    let mut by_day: HashMap<NaiveDate, Vec<(String, OccurrenceStatus)>> = HashMap::new();
    for plan in report.plans {
        for a in plan.activities {
            for o in a.occurrences {
                by_day.entry(o.due).or_default().push((format!("{} — {}", a.item, a.what), o));
            }
        }
    }
    let mut weeks = Vec::new();
    let lead = month.weekday().num_days_from_monday() as usize;
    let mut week: Vec<Cell> = (0..lead).map(|_| Cell { date: None, items: Vec::new() }).collect();
    let mut d = month;
    while d <= last {
        week.push(Cell { date: Some(d), items: by_day.remove(&d).unwrap_or_default() });
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        d = d.checked_add_days(Days::new(1)).unwrap_or(next_month);
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(Cell { date: None, items: Vec::new() });
        }
        weeks.push(week);
    }
    let previous = month.checked_sub_months(Months::new(1)).unwrap_or(month).format("%Y-%m").to_string();
    let next = next_month.format("%Y-%m").to_string();
    let c = Chrome::new(&viewer.0, "ui.maintenance.calendar", "maintenance");
    Ok(page(&CalendarPage { c, month, weeks, previous, next }))
}

#[derive(Template)]
#[template(path = "logbook.html")]
struct LogbookPage {
    c: Chrome,
    item: String,
    item_path: String,
    entries: Vec<LogbookEntryRow>,
    can_write: bool,
    error: Option<String>,
    date: String,
    work: String,
    readings: String,
}

/// Percent-encodes an item's name for a path.
fn encode(item: &str) -> String {
    item.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn logbook_page(
    state: &AppState,
    viewer: &Viewer,
    item: &str,
    error: Option<String>,
    typed: (String, String, String),
) -> UiResult<LogbookPage> {
    let entries = state.desk.logbook(&viewer.0.actor, item).await?;
    let c = Chrome::new(&viewer.0, "ui.maintenance.logbook", "maintenance");
    let (date, work, readings) = typed;
    Ok(LogbookPage {
        can_write: viewer.0.actor.can_work_tickets(),
        c,
        item: item.trim().to_owned(),
        item_path: encode(item.trim()),
        entries,
        error,
        date,
        work,
        readings,
    })
}

pub async fn logbook(State(state): State<AppState>, viewer: Viewer, Path(item): Path<String>) -> UiResult<Response> {
    let today = Utc::now().date_naive().to_string();
    Ok(page(&logbook_page(&state, &viewer, &item, None, (today, String::new(), String::new())).await?))
}

pub async fn add_entry(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(item): Path<String>,
    Form(f): Form<Fields>,
) -> UiResult<Response> {
    viewer.check_csrf(field(&f, "csrf"))?;
    let typed = (field(&f, "date").to_owned(), field(&f, "work").to_owned(), field(&f, "readings").to_owned());
    let input = LogbookInput {
        item: item.clone(),
        date: typed.0.clone(),
        work: typed.1.clone(),
        readings: Some(typed.2.clone()),
        file: None,
    };
    match state.desk.add_logbook_entry(&viewer.0.actor, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/logbooks/{}", encode(item.trim()))).into_response()),
        Err(AppError::Invalid(e)) => {
            let c = Chrome::new(&viewer.0, "ui.maintenance.logbook", "maintenance");
            let error = Some(error_text(&c, &e));
            let body = logbook_page(&state, &viewer, &item, error, typed).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
