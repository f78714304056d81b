//! Changing a person: administrators change anything; anyone their own phone.

use axum::Json;
use axum::extract::{Path, State};
use mesa_app::PersonChanges;
use mesa_app::routing::UserPatch;
use mesa_core::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use super::contract::fields;
use super::directory::UserOut;
use super::routing::UserRoutingOut;
use crate::error::ErrorBody;
use crate::extract::{ApiJson, Auth};
use crate::{ApiError, AppState};

/// Every field is optional; absent fields are kept; `null` empties a reference or the phone.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    name: Option<String>,
    /// `requester`, `agent`, `admin` or `manager`.
    role: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    team_id: Option<Option<i64>>,
    /// Support level 1 to 3.
    #[schema(schema_with = fields::level)]
    level: Option<i64>,
    /// `false`: the person can no longer sign in (their tickets stay).
    active: Option<bool>,
    /// Receives mail-born tickets that have no team (agents and admins).
    dispatcher: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    department_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    building_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    /// The services (ids) the person may attend (administrators); `[]`: every service.
    competences: Option<Vec<i64>>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes a person (administrators; anyone may change only their own `phone`).
/// An administrator cannot remove their own administration rights.
#[utoipa::path(patch, path = "/users/{email}", tag = "users", security(("bearer" = [])), request_body = PersonPatch,
    params(("email" = String, Path, description = "the person's e-mail address")),
    responses((status = 200, body = UserRoutingOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(email): Path<String>,
    ApiJson(input): ApiJson<PersonPatch>,
) -> Result<Json<UserRoutingOut>, ApiError> {
    // Competences first: they are checked (administrators, known services)
    // before anything else about the person changes.
    if let Some(competences) = input.competences {
        let patch = UserPatch { competences: Some(competences), ..UserPatch::default() };
        state.desk.patch_user(&auth.actor, &email, patch).await?;
    }
    let role: Option<Role> = input.role.as_deref().map(str::parse).transpose()?;
    let changes = PersonChanges {
        name: input.name,
        role,
        team_id: input.team_id,
        level: input.level,
        active: input.active,
        dispatcher: input.dispatcher,
        department_id: input.department_id,
        building_id: input.building_id,
        phone: input.phone,
    };
    let user = match state.desk.change_person(&auth.actor, &email, changes).await {
        // An address that cannot exist is as missing as an unknown one.
        Err(mesa_app::AppError::Invalid(f)) if f.field == "email" => return Err(ApiError::not_found("user")),
        other => other?,
    };
    let competences = state.desk.competences(user.id).await?;
    Ok(Json(UserRoutingOut { user: UserOut::from(&user), competences }))
}
