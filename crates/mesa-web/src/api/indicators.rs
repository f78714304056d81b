//! Indicators with goals, their monthly values and improvement actions over
//! HTTP (issue 17).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use mesa_app::indicators::{ActionFilter, ActionRow};
use mesa_app::indicators::{ActionInput, Indicator, IndicatorInput, IndicatorValue, MonthValues};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Conflict, Forbidden, capabilities};
use super::maintenance::csv_response;
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorIn {
    /// A short stable code for the quality system (e.g. `IND-MA-01`), unique.
    #[schema(schema_with = capabilities::indicator_code)]
    code: String,
    #[schema(schema_with = capabilities::indicator_name)]
    name: String,
    /// `resolution_met_percent`, `response_met_percent`,
    /// `survey_satisfied_percent`, `maintenance_on_time_percent`,
    /// `median_first_response_hours`, `median_resolution_hours` or
    /// `solved_percent`.
    #[schema(schema_with = capabilities::formula)]
    formula: String,
    /// The goal, from 0 to 1,000,000 (a percentage or hours, as the formula says).
    #[schema(minimum = 0, maximum = 1_000_000)]
    goal: f64,
    /// `at_least` or `at_most`; default: at least for percentages, at most
    /// for times.
    #[schema(schema_with = capabilities::direction)]
    direction: Option<String>,
    /// On a replacement: archived indicators get no more monthly values.
    #[serde(default)]
    archived: bool,
}

impl From<IndicatorIn> for IndicatorInput {
    fn from(i: IndicatorIn) -> Self {
        IndicatorInput {
            code: i.code,
            name: i.name,
            formula: i.formula,
            goal: i.goal,
            direction: i.direction,
            archived: i.archived,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    id: i64,
    code: String,
    name: String,
    formula: &'static str,
    goal: f64,
    direction: &'static str,
    archived: bool,
}

impl From<Indicator> for IndicatorOut {
    fn from(i: Indicator) -> Self {
        Self {
            id: i.id,
            code: i.code,
            name: i.name,
            formula: i.formula.as_str(),
            goal: i.goal,
            direction: i.direction.as_str(),
            archived: i.archived,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorList {
    items: Vec<IndicatorOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchivedParams {
    /// Include archived indicators.
    archived: Option<bool>,
}

/// The indicators (staff and managers).
#[utoipa::path(get, path = "/indicators", tag = "reports", security(("bearer" = [])), params(ArchivedParams),
    responses((status = 200, body = IndicatorList), Forbidden))]
pub async fn list_indicators(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<ArchivedParams>,
) -> Result<Json<IndicatorList>, ApiError> {
    let items = state.desk.indicators(&auth.actor, params.archived.unwrap_or(false)).await?;
    Ok(Json(IndicatorList { items: items.into_iter().map(Into::into).collect() }))
}

/// Defines an indicator (administrators). 409 `code_taken` when another has the code.
#[utoipa::path(post, path = "/indicators", tag = "reports", security(("bearer" = [])), request_body = IndicatorIn,
    responses((status = 201, body = IndicatorOut), Forbidden, Conflict))]
pub async fn create_indicator(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<IndicatorIn>,
) -> Result<(StatusCode, Json<IndicatorOut>), ApiError> {
    let made = state.desk.create_indicator(&auth.actor, &input.into()).await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

/// One indicator.
#[utoipa::path(get, path = "/indicators/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "indicator id")),
    responses((status = 200, body = IndicatorOut), Forbidden))]
pub async fn get_indicator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<IndicatorOut>, ApiError> {
    Ok(Json(state.desk.indicator(&auth.actor, parse_id(&id, "indicator")?).await?.into()))
}

/// Replaces an indicator (administrators); `archived: true` archives it.
#[utoipa::path(put, path = "/indicators/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "indicator id")), request_body = IndicatorIn,
    responses((status = 200, body = IndicatorOut), Forbidden, Conflict))]
pub async fn put_indicator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<IndicatorIn>,
) -> Result<Json<IndicatorOut>, ApiError> {
    let id = parse_id(&id, "indicator")?;
    Ok(Json(state.desk.update_indicator(&auth.actor, id, &input.into()).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ActionOut {
    id: i64,
    indicator_id: i64,
    indicator_code: String,
    /// The month it answers, `YYYY-MM`.
    month: String,
    what: String,
    cause: Option<String>,
    owner_id: i64,
    owner_name: String,
    due_date: NaiveDate,
    /// `open`, `done` or `verified`.
    status: String,
    created_at: DateTime<Utc>,
    done_at: Option<DateTime<Utc>>,
    verified_at: Option<DateTime<Utc>>,
}

impl From<ActionRow> for ActionOut {
    fn from(a: ActionRow) -> Self {
        Self {
            id: a.id,
            indicator_id: a.indicator_id,
            indicator_code: a.indicator_code,
            month: a.month,
            what: a.what,
            cause: a.cause,
            owner_id: a.owner_id,
            owner_name: a.owner_name,
            due_date: a.due_date,
            status: a.status,
            created_at: a.created_at,
            done_at: a.done_at,
            verified_at: a.verified_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ValueOut {
    indicator: IndicatorOut,
    /// The month's value; null when there was nothing to measure.
    value: Option<f64>,
    /// Whether the value meets the goal; null without a value.
    met: Option<bool>,
    /// The month missed its goal and has no improvement action yet.
    action_required: bool,
    actions: Vec<ActionOut>,
}

impl From<IndicatorValue> for ValueOut {
    fn from(v: IndicatorValue) -> Self {
        let action_required = v.action_required();
        Self {
            value: v.value,
            met: v.met,
            action_required,
            actions: v.actions.into_iter().map(Into::into).collect(),
            indicator: v.indicator.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MonthValuesOut {
    month: String,
    items: Vec<ValueOut>,
}

impl From<MonthValues> for MonthValuesOut {
    fn from(m: MonthValues) -> Self {
        Self { month: m.month.to_string(), items: m.items.into_iter().map(Into::into).collect() }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthParams {
    /// `YYYY-MM`; default: last month in the desk's time zone.
    #[param(schema_with = capabilities::month_filter)]
    month: Option<String>,
}

/// Each active indicator's value for a month, whether it met its goal, and
/// the month's improvement actions (staff and managers).
#[utoipa::path(get, path = "/indicators/values", tag = "reports", security(("bearer" = [])), params(MonthParams),
    responses((status = 200, body = MonthValuesOut), Forbidden))]
pub async fn values(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<MonthParams>,
) -> Result<Json<MonthValuesOut>, ApiError> {
    let month = state.desk.indicator_month(params.month.as_deref()).await?;
    Ok(Json(state.desk.indicator_values(&auth.actor, month).await?.into()))
}

/// The month's values as a flat CSV for a quality-management system:
/// `code,name,period,value,goal,direction,met` (`yes`, `no`, or empty when
/// nothing was measured).
#[utoipa::path(get, path = "/indicators/values.csv", tag = "reports", security(("bearer" = [])), params(MonthParams),
    responses((status = 200, description = "text/csv", content_type = "text/csv"), Forbidden))]
pub async fn values_csv(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<MonthParams>,
) -> Result<Response, ApiError> {
    let month = state.desk.indicator_month(params.month.as_deref()).await?;
    let bytes = state.desk.indicator_values_csv(&auth.actor, month).await?;
    Ok(csv_response(bytes, &format!("indicators-{month}.csv")))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    #[schema(minimum = 1)]
    indicator_id: i64,
    /// The month that missed its goal, `YYYY-MM`.
    #[schema(schema_with = capabilities::month)]
    month: String,
    /// What will be done.
    #[schema(schema_with = capabilities::action_what)]
    what: String,
    /// Why the goal was missed.
    #[schema(schema_with = capabilities::action_cause)]
    cause: Option<String>,
    /// Who carries it out (an agent, manager or administrator); default: who writes it.
    #[schema(schema_with = super::contract::fields::optional_email)]
    owner_email: Option<String>,
    /// By when, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    due_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActionList {
    items: Vec<ActionOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionParams {
    /// `open`, `done` or `verified`.
    #[param(schema_with = capabilities::action_status_filter)]
    status: Option<String>,
    #[param(schema_with = capabilities::month_filter)]
    month: Option<String>,
}

/// Improvement actions, by due date (staff and managers).
#[utoipa::path(get, path = "/improvement-actions", tag = "reports", security(("bearer" = [])), params(ActionParams),
    responses((status = 200, body = ActionList), Forbidden))]
pub async fn list_actions(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<ActionParams>,
) -> Result<Json<ActionList>, ApiError> {
    let month = match params.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Some(mesa_core::indicator::Month::parse(m)?.to_string()),
        None => None,
    };
    let filter = ActionFilter {
        status: params.status.filter(|s| !s.is_empty()),
        indicator_id: None,
        month,
        open_or_verified_since: None,
    };
    let items = state.desk.improvement_actions(&auth.actor, &filter).await?;
    Ok(Json(ActionList { items: items.into_iter().map(Into::into).collect() }))
}

/// Writes an improvement action for a month of an indicator (agents and administrators).
#[utoipa::path(post, path = "/improvement-actions", tag = "reports", security(("bearer" = [])), request_body = ActionIn,
    responses((status = 201, body = ActionOut), Forbidden))]
pub async fn create_action(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ActionIn>,
) -> Result<(StatusCode, Json<ActionOut>), ApiError> {
    let input = ActionInput {
        indicator_id: input.indicator_id,
        month: input.month,
        what: input.what,
        cause: input.cause,
        owner_email: input.owner_email,
        due_date: input.due_date,
    };
    let made = state.desk.create_improvement_action(&auth.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// `done` (from open), `verified` (from done, administrators) or `open` (from done).
    #[schema(schema_with = capabilities::action_status)]
    status: String,
}

/// Moves an improvement action: open → done → verified, or done back to
/// open. 409 `invalid_transition` for any other move.
#[utoipa::path(post, path = "/improvement-actions/{id}/status", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "action id")), request_body = StatusIn,
    responses((status = 200, body = ActionOut), Forbidden, Conflict))]
pub async fn move_action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusIn>,
) -> Result<Json<ActionOut>, ApiError> {
    let id = parse_id(&id, "improvement action")?;
    Ok(Json(state.desk.move_improvement_action(&auth.actor, id, &input.status).await?.into()))
}
