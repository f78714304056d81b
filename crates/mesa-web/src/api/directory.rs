//! Users, departments, buildings, teams and the service catalog.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mesa_app::Directory;
use mesa_app::PlaceKind;
use mesa_app::{DirectoryItem, NewServiceInput, Service};
use mesa_core::{Role, TicketType, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::ListParams;
use super::contract::{Conflict, Forbidden, fields};
use super::routing::{PlaceOut, ServiceRoutingIn, nullable};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    id: i64,
    email: String,
    name: String,
    /// `requester`, `agent`, `admin` or `manager`.
    role: &'static str,
    department_id: Option<i64>,
    building_id: Option<i64>,
    team_id: Option<i64>,
    level: u8,
    language: &'static str,
    active: bool,
    phone: Option<String>,
    /// Receives mail-born tickets that have no team.
    dispatcher: bool,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.to_string(),
            name: u.name.clone(),
            role: u.role.as_str(),
            department_id: u.department_id,
            building_id: u.building_id,
            team_id: u.team_id,
            level: u.level.get(),
            language: u.language.code(),
            active: u.active,
            phone: u.phone.clone(),
            dispatcher: u.dispatcher,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserIn {
    #[schema(schema_with = fields::email)]
    email: String,
    #[schema(schema_with = fields::name)]
    name: String,
    /// `requester`, `agent`, `admin` or `manager`.
    #[schema(schema_with = fields::role)]
    role: String,
    /// At least 10 characters; stored as an Argon2 hash.
    #[schema(schema_with = fields::password)]
    password: Option<String>,
}

/// All users (administrators only).
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserOut>), Forbidden))]
pub async fn list_users(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<UserOut>>, ApiError> {
    let users = state.desk.list_users(&auth.actor).await?;
    Ok(Json(users.iter().map(UserOut::from).collect()))
}

/// Creates a user (administrators only).
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])), request_body = NewUserIn,
    responses((status = 201, body = UserOut), Forbidden, Conflict))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewUserIn>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    if !auth.actor.can_manage_users() {
        return Err(mesa_app::AppError::forbidden("only administrators manage users").into());
    }
    let role: Role = input.role.parse()?;
    let user =
        state.desk.add_user(Some(&auth.actor), &input.email, &input.name, role, input.password.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&user))))
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    id: i64,
    name: String,
    /// A building's address or location.
    detail: Option<String>,
    /// `false`: deactivated (listed only with `?include_inactive=true`).
    active: bool,
}

impl From<DirectoryItem> for ItemOut {
    fn from(i: DirectoryItem) -> Self {
        Self { id: i.id, name: i.name, detail: i.detail, active: i.active }
    }
}

/// A new team.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItemIn {
    #[schema(schema_with = fields::name)]
    name: String,
    #[schema(schema_with = fields::optional_name)]
    detail: Option<String>,
}

/// A new building or department.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlaceIn {
    #[schema(schema_with = fields::name)]
    name: String,
    #[schema(schema_with = fields::optional_name)]
    detail: Option<String>,
    /// Buildings and departments: the pre-assigned agent (seed 001); blank
    /// or null: none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = fields::email_or_none)]
    agent_email: Option<Option<String>>,
}

async fn list_items(state: AppState, dir: Directory, q: ListParams) -> Result<Json<Vec<ItemOut>>, ApiError> {
    let items = state.desk.list_items_with(dir, q.include_inactive).await?;
    Ok(Json(items.into_iter().map(ItemOut::from).collect()))
}

async fn create_item(
    state: AppState,
    auth: Auth,
    dir: Directory,
    input: NewItemIn,
) -> Result<(StatusCode, Json<ItemOut>), ApiError> {
    let item = state.desk.add_item(Some(&auth.actor), dir, &input.name, input.detail.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

async fn list_places(
    state: AppState,
    kind: PlaceKind,
    dir: Directory,
    q: ListParams,
) -> Result<Json<Vec<PlaceOut>>, ApiError> {
    let agents = state.desk.place_agents(kind).await?;
    Ok(Json(
        state
            .desk
            .list_items_with(dir, q.include_inactive)
            .await?
            .into_iter()
            .map(|i| PlaceOut {
                agent_email: agents.get(&i.id).cloned(),
                id: i.id,
                name: i.name,
                detail: i.detail,
                active: i.active,
            })
            .collect(),
    ))
}

async fn create_place(
    state: AppState,
    auth: Auth,
    kind: PlaceKind,
    dir: Directory,
    input: NewPlaceIn,
) -> Result<(StatusCode, Json<PlaceOut>), ApiError> {
    // The agent is checked before the place is made, so a bad address adds nothing.
    if let Some(email) = input.agent_email.as_ref().and_then(|e| e.as_deref()).filter(|e| !e.trim().is_empty()) {
        state.desk.check_assignable(email, "agent_email").await?;
    }
    let item = state.desk.add_item(Some(&auth.actor), dir, &input.name, input.detail.as_deref()).await?;
    let place = mesa_app::routing::PlaceInput { agent_email: input.agent_email.clone() };
    state.desk.set_place(&auth.actor, kind, item.id, &place).await?;
    let agent_email = state.desk.place_agents(kind).await?.remove(&item.id);
    Ok((
        StatusCode::CREATED,
        Json(PlaceOut { id: item.id, name: item.name, detail: item.detail, agent_email, active: item.active }),
    ))
}

/// Departments (dependencias), with their pre-assigned agents.
#[utoipa::path(get, path = "/departments", tag = "directory", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Vec<PlaceOut>)))]
pub async fn list_departments(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<PlaceOut>>, ApiError> {
    list_places(state, PlaceKind::Department, Directory::Departments, q).await
}

/// Adds a department (administrators only), optionally with its `agent_email`.
#[utoipa::path(post, path = "/departments", tag = "directory", security(("bearer" = [])), request_body = NewPlaceIn,
    responses((status = 201, body = PlaceOut), Forbidden, Conflict))]
pub async fn create_department(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewPlaceIn>,
) -> Result<(StatusCode, Json<PlaceOut>), ApiError> {
    create_place(state, auth, PlaceKind::Department, Directory::Departments, input).await
}

/// Buildings and locations (sedes), with their pre-assigned agents.
#[utoipa::path(get, path = "/buildings", tag = "directory", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Vec<PlaceOut>)))]
pub async fn list_buildings(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<PlaceOut>>, ApiError> {
    list_places(state, PlaceKind::Building, Directory::Buildings, q).await
}

/// Adds a building (administrators only), optionally with its `agent_email`.
#[utoipa::path(post, path = "/buildings", tag = "directory", security(("bearer" = [])), request_body = NewPlaceIn,
    responses((status = 201, body = PlaceOut), Forbidden, Conflict))]
pub async fn create_building(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewPlaceIn>,
) -> Result<(StatusCode, Json<PlaceOut>), ApiError> {
    create_place(state, auth, PlaceKind::Building, Directory::Buildings, input).await
}

/// Support teams.
#[utoipa::path(get, path = "/teams", tag = "directory", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Vec<ItemOut>)))]
pub async fn list_teams(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<ItemOut>>, ApiError> {
    list_items(state, Directory::Teams, q).await
}

/// Adds a team (administrators only).
#[utoipa::path(post, path = "/teams", tag = "directory", security(("bearer" = [])), request_body = NewItemIn,
    responses((status = 201, body = ItemOut), Forbidden, Conflict))]
pub async fn create_team(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewItemIn>,
) -> Result<(StatusCode, Json<ItemOut>), ApiError> {
    create_item(state, auth, Directory::Teams, input).await
}

#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    id: i64,
    name: String,
    category: String,
    default_type: &'static str,
    default_level: u8,
    team_id: Option<i64>,
    active: bool,
    /// False: not routed by place (seed 001).
    place_routing: bool,
    requires_authorization: bool,
    approver_email: Option<String>,
}

impl ServiceOut {
    pub(super) fn with_routing(s: Service, routing: Option<&(mesa_app::ServiceRouting, Option<String>)>) -> Self {
        Self {
            id: s.id,
            name: s.name,
            category: s.category,
            default_type: s.default_type.as_str(),
            default_level: s.default_level.get(),
            team_id: s.team_id,
            active: s.active,
            place_routing: routing.is_none_or(|(r, _)| r.place_routing),
            requires_authorization: routing.is_some_and(|(r, _)| r.requires_authorization),
            approver_email: routing.and_then(|(_, e)| e.clone()),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewServiceIn {
    #[schema(schema_with = fields::name)]
    name: String,
    #[schema(schema_with = fields::name)]
    category: String,
    /// `incident` (default), `service_request`, `maintenance`, `security_incident`.
    #[schema(schema_with = fields::ticket_type)]
    default_type: Option<String>,
    /// 1 (default) to 3.
    #[schema(minimum = 1, maximum = 3)]
    default_level: Option<i64>,
    #[schema(minimum = 1)]
    team_id: Option<i64>,
    /// Routing fields (default: routed by place, no authorisation).
    #[serde(flatten)]
    routing: ServiceRoutingIn,
}

/// The service catalog.
#[utoipa::path(get, path = "/services", tag = "directory", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Vec<ServiceOut>)))]
pub async fn list_services(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<ServiceOut>>, ApiError> {
    let routing = state.desk.services_routing().await?;
    let services = state.desk.list_services_with(q.include_inactive).await?;
    Ok(Json(
        services
            .into_iter()
            .map(|s| {
                let r = routing.get(&s.id);
                ServiceOut::with_routing(s, r)
            })
            .collect(),
    ))
}

/// Adds a service to the catalog (administrators only).
#[utoipa::path(post, path = "/services", tag = "directory", security(("bearer" = [])), request_body = NewServiceIn,
    responses((status = 201, body = ServiceOut), Forbidden, Conflict))]
pub async fn create_service(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewServiceIn>,
) -> Result<(StatusCode, Json<ServiceOut>), ApiError> {
    let default_type = input.default_type.as_deref().map(TicketType::parse).transpose()?;
    if let Some(Some(email)) = &input.routing.approver_email {
        state.desk.check_active_user(email, "approver_email").await?;
    }
    if input.routing.requires_authorization == Some(true) && !matches!(input.routing.approver_email, Some(Some(_))) {
        let e = mesa_core::validate::FieldError::new(
            "approver_email",
            "required",
            "a service that requires authorisation needs an approver",
        );
        return Err(e.into());
    }
    let service = state
        .desk
        .add_service(
            Some(&auth.actor),
            NewServiceInput {
                name: input.name,
                category: input.category,
                default_type,
                default_level: input.default_level,
                team_id: input.team_id,
            },
        )
        .await?;
    if !input.routing.is_empty() {
        state.desk.set_service_routing(&auth.actor, service.id, &input.routing.input()).await?;
    }
    let routing = state.desk.service_routing(service.id).await?;
    Ok((StatusCode::CREATED, Json(ServiceOut::with_routing(service, Some(&routing)))))
}
