//! A fake OAuth2 token endpoint on loopback, standing in for Microsoft's or
//! Google's: it trades one known refresh token for [`Dovecot::XOAUTH2_TOKEN`]
//! and answers `{"error":"invalid_grant"}` to anything else, and keeps every
//! request it got so tests can look at what was sent.
//!
//! It runs on its own thread with its own runtime, so it answers while the
//! test blocks, and stops accepting when dropped.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{Value, json};

use crate::mail_servers::Dovecot;

/// One request as received: its form fields.
pub type TokenRequest = BTreeMap<String, String>;

pub struct TokenEndpoint {
    url: String,
    state: Arc<Mutex<EndpointState>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

struct EndpointState {
    /// The refresh token accepted now.
    refresh_token: String,
    /// Whether each grant hands out a new refresh token and forgets the old one.
    rotate: bool,
    access_token: String,
    expires_in: i64,
    requests: Vec<TokenRequest>,
}

impl TokenEndpoint {
    /// The refresh token the endpoint accepts at first.
    pub const REFRESH_TOKEN: &str = "1//mesa-test-refresh-token";
    pub const CLIENT_ID: &str = "mesa-test-client";

    /// Accepts [`TokenEndpoint::REFRESH_TOKEN`] for good (as Google does).
    pub fn start() -> TokenEndpoint {
        TokenEndpoint::launch(false)
    }

    /// Rotates the refresh token on every grant and then accepts only the new
    /// one: a client that does not store it fails on its next refresh.
    pub fn start_rotating() -> TokenEndpoint {
        TokenEndpoint::launch(true)
    }

    fn launch(rotate: bool) -> TokenEndpoint {
        let state = Arc::new(Mutex::new(EndpointState {
            refresh_token: TokenEndpoint::REFRESH_TOKEN.to_owned(),
            rotate,
            access_token: Dovecot::XOAUTH2_TOKEN.to_owned(),
            expires_in: 3599,
            requests: Vec::new(),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the token endpoint");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let url = format!("http://{}/oauth2/v2.0/token", listener.local_addr().expect("its address"));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().route("/oauth2/v2.0/token", post(grant)).with_state(state.clone());
        // Not joined on drop: a client's idle keep-alive connection would hold
        // the graceful shutdown up; the thread ends with it or with the test.
        std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the endpoint's runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("the token endpoint");
            });
        });
        TokenEndpoint { url, state, shutdown: Some(shutdown) }
    }

    /// The token endpoint's URL (`http://127.0.0.1:PORT/oauth2/v2.0/token`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.lock().requests.clone()
    }

    /// The refresh token the endpoint accepts now (after rotations).
    pub fn current_refresh_token(&self) -> String {
        self.lock().refresh_token.clone()
    }

    /// From now on, grants hand out `token` instead of [`Dovecot::XOAUTH2_TOKEN`].
    pub fn hand_out(&self, token: &str) {
        self.lock().access_token = token.to_owned();
    }

    fn lock(&self) -> MutexGuard<'_, EndpointState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn grant(
    State(state): State<Arc<Mutex<EndpointState>>>,
    Form(form): Form<TokenRequest>,
) -> (StatusCode, Json<Value>) {
    let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    state.requests.push(form.clone());
    let field = |name: &str| form.get(name).map(String::as_str);
    if field("grant_type") != Some("refresh_token") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "unsupported_grant_type"})));
    }
    if field("client_id") != Some(TokenEndpoint::CLIENT_ID) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client"})));
    }
    if field("refresh_token") != Some(state.refresh_token.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "The refresh token is expired or revoked."})),
        );
    }
    let mut answer = json!({
        "token_type": "Bearer",
        "access_token": state.access_token,
        "expires_in": state.expires_in,
    });
    if state.rotate {
        let next = format!("{}-{}", TokenEndpoint::REFRESH_TOKEN, state.requests.len());
        answer["refresh_token"] = Value::String(next.clone());
        state.refresh_token = next;
    }
    (StatusCode::OK, Json(answer))
}

impl Drop for TokenEndpoint {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
