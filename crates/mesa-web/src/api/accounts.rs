//! Accounts without signing in: asking for a password link by mail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ErrorBody;
use crate::extract::ApiJson;
use crate::{ApiError, AppState};

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetIn {
    email: String,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetOut {
    /// Always `accepted`: the answer does not tell whether the address has an account.
    status: &'static str,
}

/// Mails a link to choose a password (a forgotten one, or the first one)
/// when the address belongs to an active person; at most three an hour per
/// address. No sign-in. The answer is the same for every address, and the
/// work is done after answering, so neither the body nor the time tells who
/// has an account.
#[utoipa::path(post, path = "/password-resets", tag = "users", request_body = PasswordResetIn,
    responses((status = 202, body = PasswordResetOut), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PasswordResetIn>,
) -> Result<(StatusCode, Json<PasswordResetOut>), ApiError> {
    spawn_password_mail(&state, input.email);
    Ok((StatusCode::ACCEPTED, Json(PasswordResetOut { status: "accepted" })))
}

/// Asks for the password mail in the background (the web form does too).
pub(crate) fn spawn_password_mail(state: &AppState, email: String) {
    let desk = state.desk.clone();
    tokio::spawn(async move {
        if let Err(e) = desk.request_password_mail(&email).await {
            tracing::warn!(error = %e, "could not queue a password mail");
        }
    });
}
