//! Maintenance plans, their compliance, maintenance checklists and logbooks
//! over HTTP (issue 17).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use mesa_app::maintenance::{
    ActivityCompliance, ActivityView, ComplianceCounts, ComplianceReport, LogbookInput, OccurrenceStatus,
    PlanCompliance, PlanInput, PlanView,
};
use mesa_app::maintenance::{ChecklistRow, LogbookEntryRow, LogbookRow};
use mesa_core::maintenance::{RawActivity, RawPlan, Recurrence};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Conflict, Forbidden, capabilities};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EveryIo {
    /// `day`, `week` or `month`.
    #[schema(value_type = String, pattern = "^(day|week|month)$")]
    unit: String,
    #[schema(minimum = 1, maximum = 366)]
    n: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    /// On an update: the id of the plan's activity this one keeps (its
    /// occurrences stay with it). Absent: a new activity.
    id: Option<i64>,
    /// What is done (free text).
    #[schema(schema_with = capabilities::maintenance_what)]
    what: String,
    /// The item: an infrastructure item's name (e.g. "UPS sede principal"),
    /// an asset's inventory tag or an asset type, as `item_kind` says.
    #[schema(schema_with = capabilities::maintenance_item)]
    item: String,
    /// `infrastructure` (default), `asset` (item is an inventory tag) or `asset_type`.
    #[schema(value_type = Option<String>, pattern = "^(infrastructure|asset|asset_type)$")]
    item_kind: Option<String>,
    /// The steps to tick on the ticket (each not blank).
    #[serde(default)]
    #[schema(max_items = 50)]
    checklist: Vec<String>,
    /// Every `n` days, weeks or months from `starts`. Exactly one of `every` and `dates`.
    every: Option<EveryIo>,
    /// The first date of `every` (in the plan's year); default January 1st.
    #[schema(value_type = Option<String>, format = Date)]
    starts: Option<String>,
    /// Given dates (`YYYY-MM-DD`, in the plan's year).
    #[schema(value_type = Option<Vec<String>>, max_items = 366)]
    dates: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    #[schema(schema_with = capabilities::maintenance_name)]
    name: String,
    #[schema(minimum = 2000, maximum = 2100)]
    year: i64,
    /// The owner team: the maintenance tickets are opened for it.
    team_id: i64,
    #[schema(max_items = 200)]
    activities: Vec<ActivityIn>,
}

impl From<PlanIn> for PlanInput {
    fn from(p: PlanIn) -> Self {
        let activity_ids = p.activities.iter().map(|a| a.id).collect();
        let activities = p
            .activities
            .into_iter()
            .map(|a| RawActivity {
                what: a.what,
                item: a.item,
                item_kind: a.item_kind,
                checklist: a.checklist,
                every: a.every.map(|e| (e.unit, e.n)),
                starts: a.starts,
                dates: a.dates,
            })
            .collect();
        PlanInput { raw: RawPlan { name: p.name, year: p.year, activities }, team_id: p.team_id, activity_ids }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OccurrenceOut {
    /// The date the plan names.
    planned: NaiveDate,
    /// The business day it is due (a holiday or weekend moves to the next business day).
    due: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityOut {
    id: i64,
    what: String,
    item: String,
    item_kind: String,
    /// The asset `item` names, when `item_kind` is `asset`.
    asset_id: Option<i64>,
    checklist: Vec<String>,
    every: Option<EveryIo>,
    starts: Option<NaiveDate>,
    dates: Option<Vec<NaiveDate>>,
    /// Every occurrence in the plan's year.
    schedule: Vec<OccurrenceOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    id: i64,
    name: String,
    year: i64,
    team_id: i64,
    team_name: Option<String>,
    archived: bool,
    activities: Vec<ActivityOut>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanList {
    items: Vec<PlanOut>,
}

async fn activity_out(state: &AppState, a: ActivityView, year: i64) -> Result<ActivityOut, ApiError> {
    let schedule = state
        .desk
        .maintenance_schedule(&a, year)
        .await?
        .into_iter()
        .map(|o| OccurrenceOut { planned: o.planned, due: o.due })
        .collect();
    let (every, starts, dates) = match a.recurrence {
        Recurrence::Every { every, starts } => {
            (Some(EveryIo { unit: every.unit.as_str().to_owned(), n: i64::from(every.n) }), Some(starts), None)
        }
        Recurrence::Dates(d) => (None, None, Some(d)),
    };
    Ok(ActivityOut {
        id: a.id,
        what: a.what,
        item: a.item,
        item_kind: a.item_kind.as_str().to_owned(),
        asset_id: a.asset_id,
        checklist: a.checklist,
        every,
        starts,
        dates,
        schedule,
    })
}

async fn plan_out(state: &AppState, v: PlanView) -> Result<PlanOut, ApiError> {
    let mut activities = Vec::with_capacity(v.activities.len());
    for a in v.activities {
        activities.push(activity_out(state, a, v.plan.year).await?);
    }
    let p = v.plan;
    Ok(PlanOut {
        id: p.id,
        name: p.name,
        year: p.year,
        team_id: p.team_id,
        team_name: p.team_name,
        archived: p.archived,
        activities,
        created_at: p.created_at,
        updated_at: p.updated_at,
    })
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PlanParams {
    /// Include archived plans.
    archived: Option<bool>,
}

/// Maintenance plans (staff and managers read them), newest year first.
#[utoipa::path(get, path = "/maintenance-plans", tag = "maintenance", security(("bearer" = [])), params(PlanParams),
    responses((status = 200, body = PlanList), Forbidden))]
pub async fn list_plans(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<PlanParams>,
) -> Result<Json<PlanList>, ApiError> {
    let mut items = Vec::new();
    for v in state.desk.maintenance_plans(&auth.actor, p.archived.unwrap_or(false)).await? {
        items.push(plan_out(&state, v).await?);
    }
    Ok(Json(PlanList { items }))
}

/// Adds a plan (administrators only). Each activity has either `every` or
/// `dates`; dates lie in the plan's year; the team must exist.
#[utoipa::path(post, path = "/maintenance-plans", tag = "maintenance", security(("bearer" = [])), request_body = PlanIn,
    responses((status = 201, body = PlanOut), Forbidden))]
pub async fn create_plan(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<PlanIn>,
) -> Result<(StatusCode, Json<PlanOut>), ApiError> {
    let plan = state.desk.create_maintenance_plan(&auth.actor, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(plan_out(&state, plan).await?)))
}

/// A plan with its activities and their schedule.
#[utoipa::path(get, path = "/maintenance-plans/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = PlanOut), Forbidden))]
pub async fn get_plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<PlanOut>, ApiError> {
    let plan = state.desk.maintenance_plan(&auth.actor, parse_id(&id, "maintenance plan")?).await?;
    Ok(Json(plan_out(&state, plan).await?))
}

/// Replaces a plan (administrators only). An activity sent with the `id` of
/// one of the plan's activities keeps it; the plan's other activities are
/// removed (their past occurrences are kept).
#[utoipa::path(put, path = "/maintenance-plans/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "plan id")), request_body = PlanIn,
    responses((status = 200, body = PlanOut), Forbidden))]
pub async fn put_plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PlanIn>,
) -> Result<Json<PlanOut>, ApiError> {
    let id = parse_id(&id, "maintenance plan")?;
    let plan = state.desk.update_maintenance_plan(&auth.actor, id, &body.into()).await?;
    Ok(Json(plan_out(&state, plan).await?))
}

/// Archives a plan (administrators only): it opens no more tickets; its
/// tickets, executions and logbook entries stay.
#[utoipa::path(post, path = "/maintenance-plans/{id}/archive", tag = "maintenance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 204, description = "archived"), Forbidden))]
pub async fn archive_plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.desk.archive_maintenance_plan(&auth.actor, parse_id(&id, "maintenance plan")?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CountsOut {
    on_time: u32,
    late: u32,
    missed: u32,
    upcoming: u32,
    total: u32,
    /// On time out of the occurrences already due, in percent; null when none is due.
    on_time_percent: Option<f64>,
}

impl From<ComplianceCounts> for CountsOut {
    fn from(c: ComplianceCounts) -> Self {
        Self {
            on_time: c.on_time,
            late: c.late,
            missed: c.missed,
            upcoming: c.upcoming,
            total: c.total(),
            on_time_percent: c.on_time_percent(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OccurrenceStatusOut {
    planned: NaiveDate,
    due: NaiveDate,
    /// `on_time`, `late`, `missed` or `upcoming`.
    status: String,
    ticket_number: Option<i64>,
    done_at: Option<DateTime<Utc>>,
    done_by: Option<String>,
}

impl From<OccurrenceStatus> for OccurrenceStatusOut {
    fn from(o: OccurrenceStatus) -> Self {
        Self {
            planned: o.planned,
            due: o.due,
            status: o.status.as_str().to_owned(),
            ticket_number: o.ticket_number,
            done_at: o.done_at,
            done_by: o.done_by_name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityComplianceOut {
    activity_id: i64,
    what: String,
    item: String,
    counts: CountsOut,
    occurrences: Vec<OccurrenceStatusOut>,
}

impl From<ActivityCompliance> for ActivityComplianceOut {
    fn from(a: ActivityCompliance) -> Self {
        Self {
            activity_id: a.activity_id,
            what: a.what,
            item: a.item,
            counts: a.counts.into(),
            occurrences: a.occurrences.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanComplianceOut {
    plan_id: i64,
    name: String,
    year: i64,
    team_id: i64,
    team_name: Option<String>,
    counts: CountsOut,
    activities: Vec<ActivityComplianceOut>,
}

impl From<PlanCompliance> for PlanComplianceOut {
    fn from(p: PlanCompliance) -> Self {
        Self {
            plan_id: p.plan_id,
            name: p.name,
            year: p.year,
            team_id: p.team_id,
            team_name: p.team_name,
            counts: p.counts.into(),
            activities: p.activities.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ComplianceOut {
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    counts: CountsOut,
    /// The plans with occurrences due in the period.
    items: Vec<PlanComplianceOut>,
}

impl From<ComplianceReport> for ComplianceOut {
    fn from(r: ComplianceReport) -> Self {
        Self {
            from: r.from,
            to: r.to,
            today: r.today,
            counts: r.counts.into(),
            items: r.plans.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First due date counted (default: the first day of last month).
    from: Option<NaiveDate>,
    /// Last due date counted (default: the last day of last month); at most three years after `from`.
    to: Option<NaiveDate>,
}

/// The last calendar month before `today`.
pub(crate) fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_this = today.with_day(1).unwrap_or(today);
    let first_last = first_this.checked_sub_months(Months::new(1)).unwrap_or(first_this);
    (first_last, first_this.pred_opt().unwrap_or(first_this))
}

/// Maintenance plan compliance for a period: each occurrence due in it is
/// done on time, late, missed (its due date passed, not done) or upcoming.
#[utoipa::path(get, path = "/maintenance-plans/compliance", tag = "maintenance", security(("bearer" = [])),
    params(PeriodParams), responses((status = 200, body = ComplianceOut), Forbidden))]
pub async fn compliance(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> Result<Json<ComplianceOut>, ApiError> {
    let (first, last) = last_month(Utc::now().date_naive());
    let report = state
        .desk
        .maintenance_compliance(&auth.actor, p.from.unwrap_or(first), p.to.unwrap_or(last), Utc::now())
        .await?;
    Ok(Json(report.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistStepOut {
    /// The step's index, from 0.
    position: i64,
    label: String,
    done: bool,
    done_by: Option<String>,
    done_at: Option<DateTime<Utc>>,
}

impl From<ChecklistRow> for ChecklistStepOut {
    fn from(c: ChecklistRow) -> Self {
        Self { position: c.position, label: c.label, done: c.done, done_by: c.done_by_name, done_at: c.done_at }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistOut {
    items: Vec<ChecklistStepOut>,
}

/// A maintenance ticket's checklist (staff and managers; empty for other tickets).
#[utoipa::path(get, path = "/tickets/{number}/checklist", tag = "maintenance", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = ChecklistOut), Forbidden))]
pub async fn get_checklist(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<ChecklistOut>, ApiError> {
    let rows = state.desk.maintenance_checklist(&auth.actor, parse_id(&number, "ticket")?).await?;
    Ok(Json(ChecklistOut { items: rows.into_iter().map(Into::into).collect() }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepIn {
    done: bool,
}

/// Ticks or unticks a step (agents and administrators); recorded in the ticket's history.
#[utoipa::path(put, path = "/tickets/{number}/checklist/{position}", tag = "maintenance", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number"), ("position" = i64, Path, description = "step index, from 0")),
    request_body = StepIn, responses((status = 200, body = ChecklistOut), Forbidden, Conflict))]
pub async fn put_step(
    State(state): State<AppState>,
    auth: Auth,
    Path((number, position)): Path<(String, String)>,
    ApiJson(body): ApiJson<StepIn>,
) -> Result<Json<ChecklistOut>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let position =
        position.parse::<i64>().ok().filter(|p| *p >= 0).ok_or_else(|| ApiError::not_found("checklist step"))?;
    let rows = state.desk.tick_maintenance_step(&auth.actor, number, position, body.done).await?;
    Ok(Json(ChecklistOut { items: rows.into_iter().map(Into::into).collect() }))
}

#[derive(Serialize, ToSchema)]
pub struct LogbookOut {
    item: String,
    entries: i64,
    last_date: NaiveDate,
}

impl From<LogbookRow> for LogbookOut {
    fn from(l: LogbookRow) -> Self {
        Self { item: l.item, entries: l.entries, last_date: l.last_date }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LogbookList {
    items: Vec<LogbookOut>,
}

/// Every logbook (an item with at least one entry).
#[utoipa::path(get, path = "/logbooks", tag = "maintenance", security(("bearer" = [])),
    responses((status = 200, body = LogbookList), Forbidden))]
pub async fn list_logbooks(State(state): State<AppState>, auth: Auth) -> Result<Json<LogbookList>, ApiError> {
    let items = state.desk.logbooks(&auth.actor).await?.into_iter().map(Into::into).collect();
    Ok(Json(LogbookList { items }))
}

#[derive(Serialize, ToSchema)]
pub struct LogbookEntryOut {
    id: i64,
    item: String,
    date: NaiveDate,
    author: Option<String>,
    work: String,
    readings: Option<String>,
    /// The maintenance ticket the entry was made from.
    ticket_number: Option<i64>,
    /// The file's name; download it from `/logbook-entries/{id}/file`.
    attachment: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<LogbookEntryRow> for LogbookEntryOut {
    fn from(e: LogbookEntryRow) -> Self {
        Self {
            id: e.id,
            item: e.item,
            date: e.entry_date,
            author: e.author_name,
            work: e.work,
            readings: e.readings,
            ticket_number: e.ticket_number,
            attachment: e.attachment_name,
            created_at: e.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LogbookEntryList {
    items: Vec<LogbookEntryOut>,
}

/// An item's logbook, newest first (the item's name in the path, any case).
#[utoipa::path(get, path = "/logbooks/{item}/entries", tag = "maintenance", security(("bearer" = [])),
    params(("item" = String, Path, description = "the item's name, e.g. `UPS sede principal`")),
    responses((status = 200, body = LogbookEntryList), Forbidden))]
pub async fn logbook_entries(
    State(state): State<AppState>,
    auth: Auth,
    Path(item): Path<String>,
) -> Result<Json<LogbookEntryList>, ApiError> {
    let items = state.desk.logbook(&auth.actor, &item).await?.into_iter().map(Into::into).collect();
    Ok(Json(LogbookEntryList { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogbookEntryIn {
    /// `YYYY-MM-DD`; today when absent.
    date: Option<NaiveDate>,
    /// What was done.
    #[schema(schema_with = capabilities::maintenance_what)]
    work: String,
    /// Readings and observations.
    #[schema(max_length = 10000)]
    readings: Option<String>,
}

/// Writes an entry by hand (agents and administrators).
#[utoipa::path(post, path = "/logbooks/{item}/entries", tag = "maintenance", security(("bearer" = [])),
    params(("item" = String, Path, description = "the item's name")), request_body = LogbookEntryIn,
    responses((status = 201, body = LogbookEntryOut), Forbidden))]
pub async fn add_logbook_entry(
    State(state): State<AppState>,
    auth: Auth,
    Path(item): Path<String>,
    ApiJson(body): ApiJson<LogbookEntryIn>,
) -> Result<(StatusCode, Json<LogbookEntryOut>), ApiError> {
    let input = LogbookInput {
        item,
        date: body.date.map(|d| d.to_string()).unwrap_or_default(),
        work: body.work,
        readings: body.readings,
        file: None,
    };
    let entry = state.desk.add_logbook_entry(&auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}

/// An item's logbook as CSV (oldest first): date, item, author, work, readings, ticket, file.
#[utoipa::path(get, path = "/logbooks/{item}/entries.csv", tag = "maintenance", security(("bearer" = [])),
    params(("item" = String, Path, description = "the item's name")),
    responses((status = 200, description = "text/csv", content_type = "text/csv"), Forbidden))]
pub async fn logbook_csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(item): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = state.desk.logbook_csv(&auth.actor, &item).await?;
    Ok(csv_response(bytes, "logbook.csv"))
}

pub(crate) fn csv_response(bytes: Vec<u8>, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// An entry's file, always as a download.
#[utoipa::path(get, path = "/logbook-entries/{id}/file", tag = "maintenance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "logbook entry id")),
    responses((status = 200, description = "the file's bytes"), Forbidden))]
pub async fn logbook_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (entry, bytes) = state.desk.logbook_file(&auth.actor, parse_id(&id, "logbook entry")?).await?;
    let content_type = entry
        .attachment_type
        .as_deref()
        .and_then(|t| HeaderValue::from_str(t).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'")),
        ],
        bytes,
    )
        .into_response())
}
