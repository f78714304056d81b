//! The desk's words for statuses, reasons, types, priorities and roles.

use axum::Json;
use axum::extract::State;
use mesa_app::WordsMap;

use super::contract::bodies::DeskWordsDoc;
use crate::error::ErrorBody;
use crate::extract::{ApiJson, Auth};
use crate::{ApiError, AppState};

/// The desk's own words (only those that differ from the built-in ones):
/// `{"es": {"status.new": "Radicado", …}, "en": {…}}`, language → label key
/// (as `GET /labels` names them) → word.
#[utoipa::path(get, path = "/settings/labels", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = DeskWordsDoc), (status = 401, body = ErrorBody)))]
pub async fn get_labels(State(state): State<AppState>, _auth: Auth) -> Result<Json<WordsMap>, ApiError> {
    Ok(Json(state.desk.desk_words().await?.overrides().clone()))
}

/// Replaces the desk's words (administrators only); pages, mails and
/// `GET /labels` use them. `{}` restores the built-in words.
#[utoipa::path(put, path = "/settings/labels", tag = "policy", security(("bearer" = [])), request_body = DeskWordsDoc,
    responses((status = 200, body = DeskWordsDoc), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_labels(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(map): ApiJson<WordsMap>,
) -> Result<Json<WordsMap>, ApiError> {
    Ok(Json(state.desk.set_desk_words(&auth.actor, map).await?.overrides().clone()))
}
