//! Business calendars: every calendar the desk uses (the built-in `default`
//! too), changing one, a due-date preview, and the settings history in which
//! every change is recorded.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use mesa_app::{CalendarEntry, SettingsChange};
use mesa_core::calendar::CalendarConfig;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ErrorBody;
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct CalendarOut {
    name: String,
    /// True for the built-in Colombian default while no calendar named
    /// `default` is stored; putting its `config` back stores it unchanged.
    builtin: bool,
    /// `timezone`, `hours` per weekday (`"08:00-12:00"` ranges),
    /// `colombian_holidays`, `non_working_dates` (dates, or `{"date", "name"}`),
    /// `worked_holidays`, `special_hours` (date → ranges; `[]` closes the date).
    #[schema(value_type = Object)]
    config: serde_json::Value,
}

impl From<CalendarEntry> for CalendarOut {
    fn from(c: CalendarEntry) -> Self {
        CalendarOut {
            name: c.name,
            builtin: c.builtin,
            config: serde_json::to_value(&c.config).expect("calendar config serialises"),
        }
    }
}

/// Every calendar, the built-in `default` included (a stored `default` replaces it).
#[utoipa::path(get, path = "/calendars", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = Vec<CalendarOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_calendars(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<CalendarOut>>, ApiError> {
    Ok(Json(state.desk.calendars(&auth.actor).await?.into_iter().map(CalendarOut::from).collect()))
}

/// One calendar by name (`default` always exists).
#[utoipa::path(get, path = "/calendars/{name}", tag = "policy", security(("bearer" = [])),
    params(("name" = String, Path, description = "calendar name")),
    responses((status = 200, body = CalendarOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> Result<Json<CalendarOut>, ApiError> {
    Ok(Json(state.desk.calendar(&auth.actor, &name).await?.into()))
}

/// Creates or replaces a calendar (administrators only); the change is
/// recorded in the settings history.
#[utoipa::path(put, path = "/calendars/{name}", tag = "policy", security(("bearer" = [])), request_body = Object,
    params(("name" = String, Path, description = "calendar name")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    ApiJson(config): ApiJson<CalendarConfig>,
) -> Result<StatusCode, ApiError> {
    state.desk.put_calendar(&auth.actor, &name, config).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// RFC 3339 instant the business time starts counting from.
    start: DateTime<Utc>,
    /// Business hours to add (may be fractional).
    #[param(minimum = 0, maximum = 100000)]
    hours: f64,
}

#[derive(Serialize, ToSchema)]
pub struct DueOut {
    /// The instant `hours` business hours after `start`.
    due_at: DateTime<Utc>,
}

/// Preview: when `hours` business hours after `start` end on this calendar.
#[utoipa::path(get, path = "/calendars/{name}/due", tag = "policy", security(("bearer" = [])),
    params(("name" = String, Path, description = "calendar name"), DueParams),
    responses((status = 200, body = DueOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview_due(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    ApiQuery(p): ApiQuery<DueParams>,
) -> Result<Json<DueOut>, ApiError> {
    if !p.hours.is_finite() || !(0.0..=100_000.0).contains(&p.hours) {
        return Err(ApiError::validation(Some("hours"), "hours must be 0 to 100000"));
    }
    let duration = TimeDelta::milliseconds((p.hours * 3_600_000.0).round() as i64);
    let due_at = state.desk.preview_due(&auth.actor, &name, p.start, duration).await?;
    Ok(Json(DueOut { due_at }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Only the changes of this calendar.
    calendar: Option<String>,
    /// At most this many changes (1 to 200; default 50).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SettingsChangeOut {
    id: i64,
    /// What changed, e.g. `calendar:default`.
    subject: String,
    /// Who changed it (absent if the user is gone).
    actor: Option<ActorOut>,
    at: DateTime<Utc>,
    /// The value before (absent: it did not exist).
    #[schema(value_type = Option<Object>)]
    before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    after: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ActorOut {
    email: String,
    name: String,
}

impl From<SettingsChange> for SettingsChangeOut {
    fn from(c: SettingsChange) -> Self {
        let json = |raw: &str| serde_json::from_str(raw).unwrap_or(serde_json::Value::String(raw.to_owned()));
        SettingsChangeOut {
            id: c.id,
            subject: c.subject,
            actor: match (c.actor_email, c.actor_name) {
                (Some(email), Some(name)) => Some(ActorOut { email, name }),
                _ => None,
            },
            at: c.created_at,
            before: c.before_value.as_deref().map(json),
            after: json(&c.after_value),
        }
    }
}

/// The settings history, newest first: who changed a calendar, when, and its
/// value before and after (administrators only).
#[utoipa::path(get, path = "/settings/history", tag = "policy", security(("bearer" = [])), params(HistoryParams),
    responses((status = 200, body = Vec<SettingsChangeOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn settings_history(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> Result<Json<Vec<SettingsChangeOut>>, ApiError> {
    let changes = state.desk.settings_history(&auth.actor, p.calendar.as_deref(), p.limit.unwrap_or(50)).await?;
    Ok(Json(changes.into_iter().map(SettingsChangeOut::from).collect()))
}
