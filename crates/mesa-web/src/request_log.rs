//! One log line per request: method, path (never the query string or
//! headers, which may carry search terms or tokens), status and latency.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    response.headers_mut().insert("x-content-type-options", axum::http::HeaderValue::from_static("nosniff"));
    let status = response.status().as_u16();
    let micros = start.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::error!(%method, path, status, latency_us = micros, "request");
    } else {
        tracing::info!(%method, path, status, latency_us = micros, "request");
    }
    response
}
