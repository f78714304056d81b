//! Helpers for the end-to-end tests: a running server with an admin, an
//! agent and two requesters, and a small JSON client.

#![allow(dead_code)]

use std::path::Path;

use mesa_testkit::{Db, TestDb, TestServer, run_cli};
use reqwest::StatusCode;
use serde_json::Value;

pub const PASSWORD: &str = "contraseña-segura-1";

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_mesa"))
}

/// `mesa ARGS… --data-dir … [--database-url …]`, asserting success; returns stdout.
pub fn mesa(db: &TestDb, args: &[&str], stdin: Option<&str>) -> String {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.extend(db.cli_args());
    let out = run_cli(bin(), &all, stdin);
    assert!(out.status.success(), "mesa {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Adds a user through the CLI and returns a fresh API token for them.
pub fn user_with_token(db: &TestDb, email: &str, role: &str) -> String {
    mesa(db, &["user", "add", "--email", email, "--name", email, "--role", role, "--password-stdin"], Some(PASSWORD));
    let out = mesa(db, &["token", "create", "--email", email], None);
    out.lines().last().expect("a token line").trim().to_owned()
}

/// A running desk with one user of each kind.
pub struct Desk {
    pub db: TestDb,
    pub server: TestServer,
    pub http: reqwest::Client,
    pub admin: String,
    pub agent: String,
    pub ana: String,
    pub beto: String,
    pub manager: String,
}

impl Desk {
    pub async fn start(kind: Db) -> Desk {
        Desk::start_with(kind, &[]).await
    }

    pub async fn start_with(kind: Db, serve_args: &[&str]) -> Desk {
        let db = TestDb::new(kind).await;
        let admin = user_with_token(&db, "lider@mesa.test", "admin");
        let agent = user_with_token(&db, "tecnico@mesa.test", "agent");
        let ana = user_with_token(&db, "ana@mesa.test", "requester");
        let beto = user_with_token(&db, "beto@mesa.test", "requester");
        let manager = user_with_token(&db, "gerente@mesa.test", "manager");
        let server = TestServer::start(bin(), &db, serve_args);
        // No pooled connections: the server ends idle keep-alive connections
        // (its header-read timeout), and a request sent on one just as it
        // closes fails with `IncompleteMessage` (a flake seen in CI).
        let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("an HTTP client");
        Desk { db, server, http, admin, agent, ana, beto, manager }
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let res = self.http.get(self.server.url(path)).bearer_auth(token).send().await.expect("GET");
        split(res).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self.http.post(self.server.url(path)).bearer_auth(token).json(&body).send().await.expect("POST");
        split(res).await
    }

    /// Any method with a JSON body.
    pub async fn post_put(&self, method: &str, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .request(method.parse().expect("method"), self.server.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        split(res).await
    }

    pub async fn post_raw(&self, token: &str, path: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let res = self
            .http
            .post(self.server.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("POST");
        split(res).await
    }

    /// Opens a ticket as `token` and returns its number.
    pub async fn open(&self, token: &str, subject: &str, description: &str) -> i64 {
        let (status, body) = self
            .post(token, "/api/v1/tickets", serde_json::json!({"subject": subject, "description": description}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["number"].as_i64().expect("number")
    }

    pub async fn transition(&self, token: &str, number: i64, body: Value) -> (StatusCode, Value) {
        self.post(token, &format!("/api/v1/tickets/{number}/transitions"), body).await
    }
}

pub async fn split(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.expect("body");
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, value)
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error body: {body}"))
}
