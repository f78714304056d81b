//! Health, labels and the signed-in user.

use axum::Json;
use axum::extract::State;
use mesa_core::labels::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

use super::directory::UserOut;
use crate::extract::{ApiQuery, Auth};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Liveness and database check (no authentication).
#[utoipa::path(get, path = "/health", tag = "meta",
    responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.desk.ping().await?;
    Ok(Json(Health { status: "ok" }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LabelsQuery {
    /// `es` (default) or `en`.
    lang: Option<String>,
}

/// Spanish or English labels of every status, reason, type, priority and
/// role, in the desk's words where the admin gave some (`PUT /settings/labels`).
#[utoipa::path(get, path = "/labels", tag = "meta", params(LabelsQuery),
    responses((status = 200, body = BTreeMap<String, String>)))]
pub async fn labels(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LabelsQuery>,
) -> Result<Json<BTreeMap<String, String>>, ApiError> {
    let lang = q.lang.as_deref().map_or(Lang::Es, Lang::from_code);
    Ok(Json(state.desk.desk_words().await?.labels(lang).into_iter().collect()))
}

/// The user the token belongs to.
#[utoipa::path(get, path = "/me", tag = "meta", security(("bearer" = [])),
    responses((status = 200, body = UserOut)))]
pub async fn me(auth: Auth) -> Json<UserOut> {
    Json(UserOut::from(&auth.user))
}
