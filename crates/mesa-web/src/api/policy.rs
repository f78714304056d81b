//! The desk's policy: SLA settings, automation settings, service targets,
//! (business calendars are in `calendars`). Staff read it; administrators change it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mesa_core::Priority;
use mesa_core::automation::AutomationSettings;
use mesa_core::sla::{SlaSettings, Target};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contract::bodies::{AutomationSettingsDoc, SlaSettingsDoc};
use super::contract::{Forbidden, fields};
use crate::extract::{ApiJson, Auth};
use crate::{ApiError, AppState};

/// Which hold reasons pause the clocks (`pausing_reasons`) and when to warn (`warn_at_percent`).
#[utoipa::path(get, path = "/settings/sla", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = SlaSettingsDoc), Forbidden))]
pub async fn get_sla_settings(State(state): State<AppState>, auth: Auth) -> Result<Json<SlaSettings>, ApiError> {
    Ok(Json(state.desk.policy_for(&auth.actor).await?.sla.clone()))
}

/// Replaces the SLA settings (administrators only).
#[utoipa::path(put, path = "/settings/sla", tag = "policy", security(("bearer" = [])), request_body = SlaSettingsDoc,
    responses((status = 204), Forbidden))]
pub async fn put_sla_settings(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<SlaSettings>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_sla_settings(&auth.actor, &settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Automation switches and times: `auto_close`, `auto_close_after_hours`,
/// `requester_timeout`, `requester_timeout_days`, `resume_on_date`,
/// `approval_reminder`, `approval_reminder_after_hours`.
#[utoipa::path(get, path = "/settings/automation", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = AutomationSettingsDoc), Forbidden))]
pub async fn get_automation_settings(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<AutomationSettings>, ApiError> {
    Ok(Json(state.desk.policy_for(&auth.actor).await?.automation.clone()))
}

/// Replaces the automation settings (administrators only; missing keys take their defaults).
#[utoipa::path(put, path = "/settings/automation", tag = "policy", security(("bearer" = [])), request_body = AutomationSettingsDoc,
    responses((status = 204), Forbidden))]
pub async fn put_automation_settings(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<AutomationSettings>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_automation_settings(&auth.actor, &settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TargetIo {
    /// Absent: the desk's default for the priority.
    service_id: Option<i64>,
    #[schema(schema_with = fields::required_priority)]
    priority: String,
    /// Business minutes to the first response.
    #[schema(minimum = 1)]
    response_minutes: i64,
    /// Business minutes to the solution.
    #[schema(minimum = 1)]
    resolution_minutes: i64,
    /// A calendar's name; absent: the default calendar.
    calendar: Option<String>,
}

/// Every configured target (priorities without one use the built-in defaults).
#[utoipa::path(get, path = "/sla-targets", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = Vec<TargetIo>), Forbidden))]
pub async fn list_targets(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<TargetIo>>, ApiError> {
    let policy = state.desk.policy_for(&auth.actor).await?;
    Ok(Json(
        policy
            .targets
            .iter()
            .map(|t| TargetIo {
                service_id: t.service_id,
                priority: t.priority.clone(),
                response_minutes: t.response_minutes,
                resolution_minutes: t.resolution_minutes,
                calendar: t.calendar_id.and_then(|id| policy.calendar_name(id)).map(str::to_owned),
            })
            .collect(),
    ))
}

/// Sets the target of a priority, desk-wide or for one service (administrators only).
#[utoipa::path(put, path = "/sla-targets", tag = "policy", security(("bearer" = [])), request_body = TargetIo,
    responses((status = 204), Forbidden))]
pub async fn put_target(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(t): ApiJson<TargetIo>,
) -> Result<StatusCode, ApiError> {
    let priority = Priority::parse(&t.priority)?;
    let target = Target { response_minutes: t.response_minutes, resolution_minutes: t.resolution_minutes };
    state.desk.put_sla_target(&auth.actor, t.service_id, priority, target, t.calendar.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
