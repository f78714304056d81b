//! The HTTP server loop: hyper's HTTP/1 connections with the limits a
//! server facing strangers needs, which `axum::serve` does not set.
//!
//! - A request's headers must arrive within `header_read` (hyper's own
//!   timer), so half-sent requests ("slowloris") do not hold a connection.
//! - A whole request, body included, must be answered within `request`
//!   (tower-http's timeout layer: 408).
//! - At most `max_connections` at once, and `max_per_client` from one
//!   address; past either, the connection gets a short 503 and is closed.
//! - On shutdown, no new connections; those in flight finish (up to
//!   `shutdown_grace`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::TimeoutLayer;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read: Duration,
    pub request: Duration,
    pub max_connections: usize,
    /// `0`: no limit per address (behind a load balancer every connection
    /// comes from its address).
    pub max_per_client: usize,
    pub shutdown_grace: Duration,
}

pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let app = app.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request));
    let total = Arc::new(Semaphore::new(limits.max_connections));
    let clients = ClientCounts::default();
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, or the peer left before accept.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = total.clone().try_acquire_owned() else {
            refuse(stream, "the server is at its connection limit");
            continue;
        };
        let Some(slot) = clients.take(peer.ip(), limits.max_per_client) else {
            refuse(stream, "too many connections from this address");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("connections still open after the shutdown grace period");
        }
    }
    Ok(())
}

/// Answers 503 in Mesa's error shape and closes, without reading the request.
fn refuse(mut stream: TcpStream, why: &'static str) {
    tokio::spawn(async move {
        let body = format!(r#"{{"error":{{"code":"unavailable","message":"{why}"}}}}"#);
        let head = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let write = async {
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await?;
            stream.shutdown().await
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), write).await;
    });
}

/// Open connections per client address; an entry lives only while its
/// address has a connection open, so the map is never larger than the
/// connection limit.
#[derive(Debug, Clone, Default)]
struct ClientCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

struct ClientSlot {
    counts: ClientCounts,
    ip: IpAddr,
}

impl ClientCounts {
    fn take(&self, ip: IpAddr, max: usize) -> Option<ClientSlot> {
        let mut counts = self.0.lock().expect("client counts");
        let open = counts.entry(ip).or_insert(0);
        if max > 0 && *open >= max {
            return None;
        }
        *open += 1;
        Some(ClientSlot { counts: self.clone(), ip })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().expect("client counts");
        if let Some(open) = counts.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_share_and_the_slot_comes_back_when_the_connection_ends() {
        let counts = ClientCounts::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = counts.take(a, 2).unwrap();
        let _second = counts.take(a, 2).unwrap();
        assert!(counts.take(a, 2).is_none());
        assert!(counts.take(b, 2).is_some(), "another address is not affected");
        drop(first);
        assert!(counts.take(a, 2).is_some());
        assert!(counts.take(a, 0).is_some(), "0 means no limit");
    }

    #[test]
    fn addresses_without_connections_are_forgotten() {
        let counts = ClientCounts::default();
        for i in 0..100u8 {
            drop(counts.take(IpAddr::from([10, 0, 0, i]), 4).unwrap());
        }
        assert!(counts.0.lock().unwrap().is_empty());
    }
}
