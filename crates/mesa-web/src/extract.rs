//! Extractors that turn every bad input into our JSON error format.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Query, Request};
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

/// Who reads the reports and the BI feed (issue 17): a bearer token of any
/// scope, `feed` included (the use cases refuse requesters).
pub struct FeedAuth {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for FeedAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(mesa_app::AppError::Unauthenticated)?;
        let (actor, _, _) = state.desk.authenticate_feed_token(token).await?;
        Ok(FeedAuth { actor })
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
}

/// JSON body: bad syntax is 400, a body of the wrong shape (not an object,
/// a missing or mistyped field) 422, too large 413. Every body Mesa reads is
/// a JSON object, as the OpenAPI document says (serde alone would also read a
/// struct from an array).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(value)) => value,
            Err(JsonRejection::JsonDataError(e)) => return Err(ApiError::validation(None, e.body_text())),
            Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::too_large("the request body is too large"));
            }
            Err(e) => return Err(ApiError::malformed(e.body_text())),
        };
        if !value.is_object() {
            return Err(ApiError::validation(None, "the request body must be a JSON object"));
        }
        serde_json::from_value(whole_numbers_as_integers(value))
            .map(ApiJson)
            .map_err(|e| ApiError::validation(None, format!("the JSON body does not fit: {e}")))
    }
}

/// JSON has one number type: `62.0` is the integer 62 (as JSON Schema
/// says), so a float without a fraction is read as an integer, which serde
/// would refuse for an integer field. Fields that take fractions still read
/// integers.
fn whole_numbers_as_integers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Up to 2^53, where every whole float is exact.
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                Value::from(f as i64)
            } else {
                Value::Number(n)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(whole_numbers_as_integers).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, whole_numbers_as_integers(v))).collect()),
        other => other,
    }
}

/// A multipart body; a missing or wrong content type is 400 in our JSON
/// error format (axum's own rejection is plain text).
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|e: MultipartRejection| ApiError::malformed(e.body_text()))
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
