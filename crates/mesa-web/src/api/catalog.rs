//! Editing the catalog: departments, buildings, teams and services accept
//! any of their fields and `active` (`false` deactivates: gone from lists
//! and forms unless `?include_inactive=true`, kept on old tickets).

use axum::Json;
use axum::extract::{Path, State};
use mesa_app::{Directory, ItemChanges, ServiceChanges};
use mesa_core::TicketType;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::contract::fields;
use super::directory::{ItemOut, ServiceOut};
use crate::error::ErrorBody;
use crate::extract::{ApiJson, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `true`: deactivated entries too.
    #[serde(default)]
    pub include_inactive: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    #[schema(schema_with = fields::name_change)]
    name: Option<String>,
    /// A building's address; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = fields::optional_name)]
    detail: Option<Option<String>>,
    active: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    #[schema(schema_with = fields::name_change)]
    name: Option<String>,
    #[schema(schema_with = fields::name_change)]
    category: Option<String>,
    #[schema(schema_with = fields::ticket_type)]
    default_type: Option<String>,
    #[schema(schema_with = fields::level)]
    default_level: Option<i64>,
    /// `null`: no team.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    team_id: Option<Option<i64>>,
    active: Option<bool>,
}

fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

async fn patch_item(
    state: AppState,
    auth: Auth,
    dir: Directory,
    id: &str,
    p: ItemPatch,
) -> Result<Json<ItemOut>, ApiError> {
    let id = parse_id(id, "item")?;
    let changes = ItemChanges { name: p.name, detail: p.detail, active: p.active };
    Ok(Json(state.desk.change_item(&auth.actor, dir, id, changes).await?.into()))
}

/// Changes or deactivates a department (administrators only).
#[utoipa::path(patch, path = "/departments/{id}", tag = "directory", security(("bearer" = [])), request_body = ItemPatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_department(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<ItemPatch>,
) -> Result<Json<ItemOut>, ApiError> {
    patch_item(state, auth, Directory::Departments, &id, p).await
}

/// Changes or deactivates a building (administrators only).
#[utoipa::path(patch, path = "/buildings/{id}", tag = "directory", security(("bearer" = [])), request_body = ItemPatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_building(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<ItemPatch>,
) -> Result<Json<ItemOut>, ApiError> {
    patch_item(state, auth, Directory::Buildings, &id, p).await
}

/// Changes or deactivates a team (administrators only).
#[utoipa::path(patch, path = "/teams/{id}", tag = "directory", security(("bearer" = [])), request_body = ItemPatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = ItemOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<ItemPatch>,
) -> Result<Json<ItemOut>, ApiError> {
    patch_item(state, auth, Directory::Teams, &id, p).await
}

/// Changes or deactivates a service (administrators only).
#[utoipa::path(patch, path = "/services/{id}", tag = "directory", security(("bearer" = [])), request_body = ServicePatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = ServiceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_service(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<ServicePatch>,
) -> Result<Json<ServiceOut>, ApiError> {
    let id = parse_id(&id, "service")?;
    let default_type = p.default_type.as_deref().map(TicketType::parse).transpose()?;
    let changes = ServiceChanges {
        name: p.name,
        category: p.category,
        default_type,
        default_level: p.default_level,
        team_id: p.team_id,
        active: p.active,
    };
    let service = state.desk.change_service(&auth.actor, id, changes).await?;
    let routing = state.desk.services_routing().await?;
    let routing = routing.get(&service.id);
    Ok(Json(ServiceOut::with_routing(service, routing)))
}
