//! One error shape everywhere: the router's own answers (404, 405) and the
//! rejections of axum's extractors (a bad path or query value, a form with
//! the wrong content type) come as plain text or an empty body. This layer
//! turns any error answer that is not already in Mesa's shape into the
//! JSON error body under `/api`, and into the translated error page
//! elsewhere.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// The longest extractor message kept as the error's message.
const MESSAGE_LIMIT: usize = 2048;

pub async fn uniform_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if is_api {
        if content_type.starts_with("application/json") {
            return res;
        }
        let (parts, body) = res.into_parts();
        let message = match axum::body::to_bytes(body, MESSAGE_LIMIT).await {
            // Extractors explain a client's mistake; our own failures stay hidden.
            Ok(bytes) if !bytes.is_empty() && status.is_client_error() => {
                String::from_utf8_lossy(&bytes).trim().to_owned()
            }
            _ => default_message(status).to_owned(),
        };
        let api_error = ApiError::new(status, code_for(status), message);
        keep_headers(&parts.headers, api_error.into_response())
    } else {
        if content_type.starts_with("text/html") {
            return res;
        }
        let headers = res.headers().clone();
        keep_headers(&headers, crate::ui::status_page(status))
    }
}

/// Headers the client needs to act on the error (which methods, when to
/// retry, how to authenticate).
fn keep_headers(from: &HeaderMap, mut to: Response) -> Response {
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = from.get(&name) {
            to.headers_mut().insert(name, value.clone());
        }
    }
    to
}

/// The stable code of an answer that had none.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "malformed_request",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "route not found",
        StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed on this route",
        StatusCode::REQUEST_TIMEOUT => "the request took too long to arrive",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "this content type is not accepted here",
        StatusCode::TOO_MANY_REQUESTS => "too many requests; try again later",
        StatusCode::SERVICE_UNAVAILABLE => "the service is temporarily unavailable",
        s if s.is_client_error() => "the request is not valid",
        _ => "something went wrong on our side",
    }
}
