//! Routing over HTTP: the routing document, places' agents, services'
//! routing fields, people's competences and absences, escalation and
//! authorisation (issue 14).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use mesa_app::Directory;
use mesa_app::PlaceKind;
use mesa_app::routing::{AuthorizationDecision, PlaceInput, ServiceRoutingInput};
use mesa_core::routing::RoutingSettings;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::contract::bodies::RoutingSettingsDoc;
use super::contract::fields;
use super::directory::UserOut;
use super::tickets::TicketOut;
use crate::error::ErrorBody;
use crate::extract::{ApiJson, Auth, parse_id};
use crate::{ApiError, AppState};

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The routing document: `rules` (each matches `service_id`, `building_id`,
/// `department_id`, `type` and names `agent_email`, `team_id` and/or
/// `level`; first match wins), `level_teams` (`service_id` or null, `level`,
/// `team_id`), `security_team_id`, and `reassignment` (`admins` or `agents`).
#[utoipa::path(get, path = "/settings/routing", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = RoutingSettingsDoc), (status = 403, body = ErrorBody)))]
pub async fn get_routing(State(state): State<AppState>, auth: Auth) -> Result<Json<RoutingSettings>, ApiError> {
    Ok(Json(state.desk.routing_settings(&auth.actor).await?))
}

/// Replaces the routing document (administrators only); the error names the field.
#[utoipa::path(put, path = "/settings/routing", tag = "routing", security(("bearer" = [])), request_body = RoutingSettingsDoc,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_routing(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<RoutingSettings>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_routing_settings(&auth.actor, &settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct LevelIn {
    /// Why the level changes (kept in the history).
    #[schema(schema_with = fields::required_reason)]
    reason: String,
}

/// Raises the ticket's level by one and hands it to that level's team for its service.
#[utoipa::path(post, path = "/tickets/{number}/escalate", tag = "routing", security(("bearer" = [])), request_body = LevelIn,
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn escalate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<LevelIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let view = state.desk.escalate(&auth.actor, parse_id(&number, "ticket")?, &input.reason, true).await?;
    Ok(Json(state.desk.with_sla(view).await?.into()))
}

/// Lowers the ticket's level by one and hands it to that level's team.
#[utoipa::path(post, path = "/tickets/{number}/de-escalate", tag = "routing", security(("bearer" = [])), request_body = LevelIn,
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn de_escalate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<LevelIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let view = state.desk.escalate(&auth.actor, parse_id(&number, "ticket")?, &input.reason, false).await?;
    Ok(Json(state.desk.with_sla(view).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AuthorizationIn {
    #[schema(schema_with = fields::authorization_decision)]
    decision: String,
    /// Required to reject: it becomes the resolution.
    #[schema(schema_with = fields::reason)]
    comment: Option<String>,
}

/// The named approver (or an administrator) authorises the work or rejects it.
#[utoipa::path(post, path = "/tickets/{number}/authorization", tag = "routing", security(("bearer" = [])),
    request_body = AuthorizationIn, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn authorization(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<AuthorizationIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let decision = AuthorizationDecision::parse(&input.decision)?;
    let view = state.desk.decide_authorization(&auth.actor, number, decision, input.comment.as_deref()).await?;
    Ok(Json(state.desk.with_sla(view).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct UserRoutingOut {
    #[serde(flatten)]
    pub(super) user: UserOut,
    /// The services (ids) the person may attend; empty: every service.
    pub(super) competences: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct AbsenceIn {
    /// RFC 3339.
    from: DateTime<Utc>,
    /// RFC 3339, after `from`.
    to: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AbsenceOut {
    id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl From<mesa_app::Absence> for AbsenceOut {
    fn from(a: mesa_app::Absence) -> Self {
        Self { id: a.id, from: a.starts_at, to: a.ends_at }
    }
}

/// A person's absences (administrators, or the person).
#[utoipa::path(get, path = "/users/{email}/absences", tag = "routing", security(("bearer" = [])),
    params(("email" = String, Path, description = "the person's e-mail")),
    responses((status = 200, body = Vec<AbsenceOut>), (status = 404, body = ErrorBody)))]
pub async fn list_absences(
    State(state): State<AppState>,
    auth: Auth,
    Path(email): Path<String>,
) -> Result<Json<Vec<AbsenceOut>>, ApiError> {
    Ok(Json(state.desk.absences(&auth.actor, &email).await?.into_iter().map(Into::into).collect()))
}

/// Records an absence: routing gives the person nothing new while it lasts.
#[utoipa::path(post, path = "/users/{email}/absences", tag = "routing", security(("bearer" = [])), request_body = AbsenceIn,
    params(("email" = String, Path, description = "the person's e-mail")),
    responses((status = 201, body = AbsenceOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_absence(
    State(state): State<AppState>,
    auth: Auth,
    Path(email): Path<String>,
    ApiJson(input): ApiJson<AbsenceIn>,
) -> Result<(StatusCode, Json<AbsenceOut>), ApiError> {
    let absence = state.desk.add_absence(&auth.actor, &email, input.from, input.to).await?;
    Ok((StatusCode::CREATED, Json(absence.into())))
}

/// Removes an absence (administrators, or its owner).
#[utoipa::path(delete, path = "/absences/{id}", tag = "routing", security(("bearer" = [])),
    params(("id" = i64, Path, description = "absence id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_absence(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.desk.delete_absence(&auth.actor, parse_id(&id, "absence")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceIn {
    /// A new name (optional).
    #[schema(schema_with = fields::name_change)]
    name: Option<String>,
    /// A new detail (optional; null clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = fields::optional_name)]
    detail: Option<Option<String>>,
    /// The pre-assigned agent; blank or null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = fields::email_or_none)]
    agent_email: Option<Option<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct PlaceOut {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) detail: Option<String>,
    /// The pre-assigned agent (seed 001), or null.
    pub(super) agent_email: Option<String>,
    /// `false`: deactivated (listed only with `?include_inactive=true`).
    pub(super) active: bool,
}

async fn put_place(
    state: AppState,
    auth: Auth,
    kind: PlaceKind,
    dir: Directory,
    id: &str,
    input: PlaceIn,
) -> Result<Json<PlaceOut>, ApiError> {
    let id = parse_id(id, "place")?;
    if input.name.is_some() || input.detail.is_some() {
        let changes = mesa_app::ItemChanges { name: input.name.clone(), detail: input.detail.clone(), active: None };
        state.desk.change_item(&auth.actor, dir, id, changes).await?;
    }
    state.desk.set_place(&auth.actor, kind, id, &PlaceInput { agent_email: input.agent_email }).await?;
    let item = state.desk.item(dir, id).await?;
    let agents = state.desk.place_agents(kind).await?;
    Ok(Json(PlaceOut {
        agent_email: agents.get(&id).cloned(),
        id: item.id,
        name: item.name,
        detail: item.detail,
        active: item.active,
    }))
}

/// Changes a building: name, detail, pre-assigned agent (administrators only).
#[utoipa::path(put, path = "/buildings/{id}", tag = "directory", security(("bearer" = [])), request_body = PlaceIn,
    params(("id" = i64, Path, description = "building id")),
    responses((status = 200, body = PlaceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_building(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PlaceIn>,
) -> Result<Json<PlaceOut>, ApiError> {
    put_place(state, auth, PlaceKind::Building, Directory::Buildings, &id, input).await
}

/// Changes a department: name, detail, pre-assigned agent (administrators only).
#[utoipa::path(put, path = "/departments/{id}", tag = "directory", security(("bearer" = [])), request_body = PlaceIn,
    params(("id" = i64, Path, description = "department id")),
    responses((status = 200, body = PlaceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_department(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PlaceIn>,
) -> Result<Json<PlaceOut>, ApiError> {
    put_place(state, auth, PlaceKind::Department, Directory::Departments, &id, input).await
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ServiceRoutingIn {
    /// False for services not tied to a place (seed 001): the building's agent is skipped.
    pub(super) place_routing: Option<bool>,
    /// Tickets start on hold until the approver decides (seed 004).
    pub(super) requires_authorization: Option<bool>,
    /// The approver (any active user); null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub(super) approver_email: Option<Option<String>>,
}

impl ServiceRoutingIn {
    pub(super) fn input(&self) -> ServiceRoutingInput {
        ServiceRoutingInput {
            place_routing: self.place_routing,
            requires_authorization: self.requires_authorization,
            approver_email: self.approver_email.clone(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.place_routing.is_none() && self.requires_authorization.is_none() && self.approver_email.is_none()
    }
}

/// Changes a service's routing fields (administrators only).
#[utoipa::path(put, path = "/services/{id}", tag = "directory", security(("bearer" = [])), request_body = ServiceRoutingIn,
    params(("id" = i64, Path, description = "service id")),
    responses((status = 200, body = super::directory::ServiceOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_service(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ServiceRoutingIn>,
) -> Result<Json<super::directory::ServiceOut>, ApiError> {
    let id = parse_id(&id, "service")?;
    state.desk.set_service_routing(&auth.actor, id, &input.input()).await?;
    let service = state.desk.service(id).await?;
    let routing = state.desk.service_routing(id).await?;
    Ok(Json(super::directory::ServiceOut::with_routing(service, Some(&routing))))
}
