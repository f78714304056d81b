//! What a hostile or careless client meets: one error shape everywhere,
//! small rules decided once, uploads that are all or nothing, sign-in that
//! backs off instead of locking, and a server that slow clients cannot hold.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use mesa_testkit::databases;
use reqwest::StatusCode;
use reqwest::header::{ALLOW, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::{Desk, PASSWORD, code, split};
use crate::web::{Web, cookie_value, csrf_in};

fn is_json(headers: &reqwest::header::HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

fn is_html(headers: &reqwest::header::HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

#[tokio::test]
async fn router_and_extractor_errors_come_as_json_under_the_api_and_as_a_page_on_the_web() {
    for db in databases() {
        let desk = Desk::start(db).await;
        // 405 from the router: JSON with its code and the Allow header
        let res = desk.http.delete(desk.server.url("/api/v1/tickets")).bearer_auth(&desk.admin).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(res.headers().contains_key(ALLOW));
        let (_, body) = split(res).await;
        assert_eq!(code(&body), "method_not_allowed");
        // a query value axum's own extractor refuses
        let res = desk
            .http
            .get(desk.server.url("/api/v1/mail/held?limit=abc"))
            .bearer_auth(&desk.admin)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
        assert!(is_json(res.headers()));
        let (_, body) = split(res).await;
        assert!(!code(&body).is_empty() && body["error"]["message"].as_str().unwrap().contains("limit"), "{body}");
        // the web: a bad path value, a wrong content type, an unknown page
        let web = Web::sign_in(&desk, "ana@mesa.test").await;
        let (page, html) = web.get("/files/abc").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(is_html(&page.headers) && html.contains("<main"), "{html}");
        assert!(page.headers.contains_key(CONTENT_SECURITY_POLICY));
        let res = web
            .http
            .post(format!("{}/logout", web.base))
            .header("cookie", format!("mesa_session={}", web.cookie))
            .header(CONTENT_TYPE, "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(is_html(res.headers()));
        let (page, _) = web.get("/no-such-page").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(is_html(&page.headers));
    }
}

#[tokio::test]
async fn only_the_desk_opens_a_ticket_as_critical() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let ticket =
            json!({"subject": "Se cayó la red", "description": "Nadie tiene internet", "priority": "critical"});
        let (status, body) = desk.post(&desk.ana, "/api/v1/tickets", ticket.clone()).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("priority")));
        let (status, body) = desk.post(&desk.agent, "/api/v1/tickets", ticket).await;
        assert_eq!((status, body["priority"].as_str()), (StatusCode::CREATED, Some("critical")));
        let high = json!({"subject": "Impresora", "description": "No imprime", "priority": "high"});
        let (status, _) = desk.post(&desk.ana, "/api/v1/tickets", high).await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

fn two_files(size: usize) -> Form {
    let part = |name: &str| Part::bytes(vec![b'x'; size]).file_name(name.to_owned()).mime_str("text/plain").unwrap();
    Form::new().part("file", part("uno.txt")).part("file", part("dos.txt"))
}

#[tokio::test]
async fn an_upload_is_all_or_nothing_and_a_closed_ticket_takes_no_files() {
    for db in databases() {
        let desk = Desk::start_with(db, &["--max-attachment-mb", "1"]).await;
        let n = desk.open(&desk.ana, "Factura", "Adjunto dos archivos").await;
        let url = desk.server.url(&format!("/api/v1/tickets/{n}/attachments"));
        // each file fits, both together do not: nothing is kept
        let res = desk.http.post(&url).bearer_auth(&desk.ana).multipart(two_files(700 * 1024)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let (_, page) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(page["attachments"].as_array().unwrap().len(), 0, "the first file was not kept either");
        // an uploaded HTML file is served with the sandbox policy on the web
        let html = Form::new().part(
            "file",
            Part::bytes(b"<script>alert(1)</script>".to_vec()).file_name("p.html").mime_str("text/html").unwrap(),
        );
        let (status, saved) =
            split(desk.http.post(&url).bearer_auth(&desk.ana).multipart(html).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::CREATED);
        let web = Web::sign_in(&desk, "ana@mesa.test").await;
        let (page, _) = web.get(&format!("/files/{}", saved[0]["id"])).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.headers[CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("sandbox"));
        // closed: replies and files are refused alike
        desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Listo"})).await;
        let (status, _) = desk.transition(&desk.agent, n, json!({"to": "closed"})).await;
        assert_eq!(status, StatusCode::OK);
        let res = desk.http.post(&url).bearer_auth(&desk.ana).multipart(two_files(10)).send().await.unwrap();
        let (status, body) = split(res).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "ticket_closed"));
    }
}

async fn try_sign_in(desk: &Desk, email: &str, password: &str) -> (StatusCode, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = http.get(desk.server.url("/login")).send().await.unwrap();
    let login_cookie = cookie_value(&res, "mesa_login_csrf").unwrap();
    let token = csrf_in(&res.text().await.unwrap());
    let res = http
        .post(desk.server.url("/login"))
        .header("cookie", format!("mesa_login_csrf={login_cookie}"))
        .form(&[("email", email), ("password", password), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn wrong_passwords_slow_an_account_down_without_locking_its_owner_out() {
    for db in databases() {
        let desk = Desk::start(db).await;
        // five free failures, then waits of 1, 2, 4 s…
        for _ in 0..7 {
            let (status, _) = try_sign_in(&desk, "lider@mesa.test", "no-es-la-clave").await;
            assert_eq!(status, StatusCode::OK, "the form comes back with an error");
        }
        // right now even the right password must wait…
        let (status, html) = try_sign_in(&desk, "lider@mesa.test", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Espere un momento"), "{html}");
        // …but seconds, not fifteen minutes (the wait never passes a minute)
        let start = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let (status, _) = try_sign_in(&desk, "lider@mesa.test", PASSWORD).await;
            if status == StatusCode::SEE_OTHER {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "the owner is locked out");
        }
    }
}

/// Opens a connection from `source` (any 127.x address is this machine) and
/// sends the start of a request that never ends.
async fn half_request(source: IpAddr, server: SocketAddr) -> Option<TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind(SocketAddr::new(source, 0)).ok()?;
    let mut stream = socket.connect(server).await.ok()?;
    stream.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n").await.ok()?;
    Some(stream)
}

#[tokio::test]
async fn health_answers_under_a_slowloris_and_half_sent_requests_are_dropped() {
    let db = databases()[0];
    let desk = Desk::start_with(db, &["--header-timeout-secs", "2", "--max-connections-per-client", "64"]).await;
    let server: SocketAddr = desk.server.base_url.trim_start_matches("http://").parse().unwrap();
    let attacker = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let mut held = Vec::new();
    for _ in 0..5_000 {
        if let Some(stream) = half_request(attacker, server).await {
            held.push(stream);
        }
    }
    assert!(held.len() > 4_000, "the connections were made ({})", held.len());
    let started = Instant::now();
    let (status, _) = desk.get(&desk.admin, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(2), "health took {:?}", started.elapsed());
    // after the header timeout every half-sent request has been closed
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut closed = 0;
    for stream in held.iter_mut() {
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(_)) | Ok(Err(_)) => closed += 1,
            Err(_) => {}
        }
    }
    assert_eq!(closed, held.len(), "every slow connection was answered or closed");
}

#[tokio::test]
async fn past_the_connection_limit_a_client_gets_a_503_in_the_error_shape() {
    let db = databases()[0];
    let desk = Desk::start_with(db, &["--max-connections", "8", "--max-connections-per-client", "0"]).await;
    let server: SocketAddr = desk.server.base_url.trim_start_matches("http://").parse().unwrap();
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(half_request(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)), server).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(server).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), extra.read_to_string(&mut answer)).await.unwrap().unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains(r#""code":"unavailable""#), "{answer}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _) = desk.get(&desk.admin, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK, "capacity comes back when connections close");
}
