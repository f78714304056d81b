//! Bad input gets a clear JSON error with a stable code, never a 500.

use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Desk, code};

#[tokio::test]
async fn malformed_incomplete_and_oversized_bodies_are_refused_with_their_own_codes() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let t = &desk.ana;
        let (status, body) = desk.post_raw(t, "/api/v1/tickets", "{\"subject\": ").await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "malformed_request"));
        let (status, body) = desk.post_raw(t, "/api/v1/tickets", "[1, 2]").await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (status, body) = desk.post(t, "/api/v1/tickets", json!({"subject": "sin descripción"})).await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        assert!(body["error"]["message"].as_str().unwrap().contains("description"));
        let (status, body) = desk.post(t, "/api/v1/tickets", json!({"subject": 42, "description": "x"})).await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (status, body) = desk.post(t, "/api/v1/tickets", json!({"subject": "   ", "description": "x"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("subject")));
        let long = "á".repeat(251);
        let (status, body) = desk.post(t, "/api/v1/tickets", json!({"subject": long, "description": "x"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("subject")));
        let (status, body) = desk
            .post(t, "/api/v1/tickets", json!({"subject": "x", "description": "y", "priority": "urgentísima"}))
            .await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("priority")));
        let (status, body) = post_oversized(&desk, t).await;
        assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
        let res = desk
            .http
            .post(desk.server.url("/api/v1/tickets"))
            .bearer_auth(t)
            .header("content-type", "text/plain")
            .body("subject=x")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        // nothing was created by any of that
        let (_, list) = desk.get(&desk.admin, "/api/v1/tickets").await;
        assert_eq!(list["total"], 0);
    }
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404_and_bad_query_values_422() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "x", "y").await;
        for path in [
            "/api/v1/tickets/999999",
            "/api/v1/tickets/abc",
            "/api/v1/tickets/-1",
            "/api/v1/tickets/999999/history",
            "/api/v1/attachments/12345",
            "/api/v1/no-such-route",
        ] {
            let (status, body) = desk.get(&desk.admin, path).await;
            assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{path}");
        }
        for query in ["status=flying", "per_page=0", "per_page=1000", "page=0", "page=abc", "assignee=not-an-email"] {
            let (status, body) = desk.get(&desk.admin, &format!("/api/v1/tickets?{query}")).await;
            assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{query}");
        }
        let (status, body) = desk.post(&desk.agent, &format!("/api/v1/tickets/{n}/replies"), json!({"body": ""})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")));
        let (status, body) = desk.post(&desk.agent, "/api/v1/tickets/999999/replies", json!({"body": "hola"})).await;
        assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
        let (status, body) =
            desk.transition(&desk.agent, n, json!({"to": "on_hold", "reason": "vendor", "resume_at": "mañana"})).await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (status, body) = desk
            .transition(
                &desk.agent,
                n,
                json!({"to": "on_hold", "reason": "vendor", "resume_at": "2001-01-01T00:00:00Z"}),
            )
            .await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("resume_at")));
        let (status, _) = desk.get(&desk.admin, "/api/v1/tickets?status=new,in_progress&page=2&per_page=5").await;
        assert_eq!(status, StatusCode::OK);
    }
}

/// Sends a 2 MiB JSON body over a raw socket, reading the answer while
/// writing: the server answers 413 without reading the whole body, which
/// an ordinary client reports as a broken pipe instead of the answer.
async fn post_oversized(desk: &Desk, token: &str) -> (StatusCode, serde_json::Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = desk.server.base_url.trim_start_matches("http://").to_owned();
    let body = format!("{{\"subject\":\"x\",\"description\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let head = format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(head.as_bytes()).await;
        let _ = writer.write_all(body.as_bytes()).await;
    });
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), reader.read_to_end(&mut raw)).await;
    writing.abort();
    let text = String::from_utf8_lossy(&raw);
    let status: u16 = text.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("an HTTP status line");
    let json_start = text.find("{\"error\"").expect("an error body");
    let json_end = text.rfind('}').unwrap() + 1;
    (StatusCode::from_u16(status).unwrap(), serde_json::from_str(&text[json_start..json_end]).unwrap())
}
