//! Users, departments, buildings, teams and the service catalog.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mesa_app::Directory;
use mesa_app::{DirectoryItem, NewServiceInput, Service};
use mesa_core::{Role, TicketType, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contract::{Conflict, Forbidden, fields};
use crate::extract::{ApiJson, Auth};
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
    let role: Role = input.role.parse().map_err(mesa_app::AppError::from)?;
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
}

impl From<DirectoryItem> for ItemOut {
    fn from(i: DirectoryItem) -> Self {
        Self { id: i.id, name: i.name, detail: i.detail }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewItemIn {
    #[schema(schema_with = fields::name)]
    name: String,
    #[schema(schema_with = fields::optional_name)]
    detail: Option<String>,
}

async fn list_items(state: AppState, dir: Directory) -> Result<Json<Vec<ItemOut>>, ApiError> {
    Ok(Json(state.desk.list_items(dir).await?.into_iter().map(ItemOut::from).collect()))
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

/// Departments (dependencias).
#[utoipa::path(get, path = "/departments", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<ItemOut>)))]
pub async fn list_departments(State(state): State<AppState>, _auth: Auth) -> Result<Json<Vec<ItemOut>>, ApiError> {
    list_items(state, Directory::Departments).await
}

/// Adds a department (administrators only).
#[utoipa::path(post, path = "/departments", tag = "directory", security(("bearer" = [])), request_body = NewItemIn,
    responses((status = 201, body = ItemOut), Forbidden, Conflict))]
pub async fn create_department(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewItemIn>,
) -> Result<(StatusCode, Json<ItemOut>), ApiError> {
    create_item(state, auth, Directory::Departments, input).await
}

/// Buildings and locations (sedes).
#[utoipa::path(get, path = "/buildings", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<ItemOut>)))]
pub async fn list_buildings(State(state): State<AppState>, _auth: Auth) -> Result<Json<Vec<ItemOut>>, ApiError> {
    list_items(state, Directory::Buildings).await
}

/// Adds a building (administrators only).
#[utoipa::path(post, path = "/buildings", tag = "directory", security(("bearer" = [])), request_body = NewItemIn,
    responses((status = 201, body = ItemOut), Forbidden, Conflict))]
pub async fn create_building(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewItemIn>,
) -> Result<(StatusCode, Json<ItemOut>), ApiError> {
    create_item(state, auth, Directory::Buildings, input).await
}

/// Support teams.
#[utoipa::path(get, path = "/teams", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<ItemOut>)))]
pub async fn list_teams(State(state): State<AppState>, _auth: Auth) -> Result<Json<Vec<ItemOut>>, ApiError> {
    list_items(state, Directory::Teams).await
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
}

impl From<Service> for ServiceOut {
    fn from(s: Service) -> Self {
        Self {
            id: s.id,
            name: s.name,
            category: s.category,
            default_type: s.default_type.as_str(),
            default_level: s.default_level.get(),
            team_id: s.team_id,
            active: s.active,
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
}

/// The service catalog.
#[utoipa::path(get, path = "/services", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<ServiceOut>)))]
pub async fn list_services(State(state): State<AppState>, _auth: Auth) -> Result<Json<Vec<ServiceOut>>, ApiError> {
    Ok(Json(state.desk.list_services().await?.into_iter().map(ServiceOut::from).collect()))
}

/// Adds a service to the catalog (administrators only).
#[utoipa::path(post, path = "/services", tag = "directory", security(("bearer" = [])), request_body = NewServiceIn,
    responses((status = 201, body = ServiceOut), Forbidden, Conflict))]
pub async fn create_service(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewServiceIn>,
) -> Result<(StatusCode, Json<ServiceOut>), ApiError> {
    let default_type =
        input.default_type.as_deref().map(TicketType::parse).transpose().map_err(mesa_app::AppError::from)?;
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
    Ok((StatusCode::CREATED, Json(service.into())))
}
