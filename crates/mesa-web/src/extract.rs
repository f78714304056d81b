//! Extractors that turn every bad input into our JSON error format.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use mesa_core::{Actor, User};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// The signed-in user, from `Authorization: Bearer <token>`.
pub struct Auth {
    pub actor: Actor,
    pub user: User,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or(mesa_app::AppError::Unauthenticated)?;
        let (actor, user) = state.desk.authenticate_token(token).await?;
        Ok(Auth { actor, user })
    }
}

/// JSON body: bad syntax is 400, a body of the wrong shape (missing or
/// mistyped field) 422, too large 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::validation(None, e.body_text())),
            Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::too_large("the request body is too large"))
            }
            Err(e) => Err(ApiError::malformed(e.body_text())),
        }
    }
}

/// Query string: a value of the wrong type is 422.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::validation(None, e.body_text())),
            Err(e) => Err(ApiError::malformed(e.body_text())),
        }
    }
}

/// The address the request came from: the TCP peer, as `mesa serve` passes
/// it (`None` where the server did not, e.g. a router in a unit test).
/// Forwarded headers are not read: a client could write anything there.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientAddr(peer.map(|c| c.0.ip())))
    }
}

/// A ticket number or id in the path: anything but a positive integer
/// cannot exist, so it is a 404.
pub fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| ApiError::not_found(what))
}
