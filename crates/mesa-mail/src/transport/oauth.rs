//! The OAuth2 token endpoint over HTTPS: one `POST` of the refresh form, the
//! answer read by [`crate::oauth::parse_token_answer`].

use chrono::Utc;

use super::NETWORK_TIMEOUT;
use crate::oauth::{OAuthError, RefreshRequest, TokenGrant, check_token_url};

/// A token answer is a few hundred bytes; anything past this is not one.
const MAX_ANSWER: usize = 64 * 1024;

/// An HTTP client for token endpoints: rustls with the `ring` provider and the
/// Mozilla roots, no redirects (the form carries the refresh token and must go
/// only where the admin said), [`NETWORK_TIMEOUT`] per request. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TokenClient {
    http: reqwest::Client,
}

impl TokenClient {
    pub fn new() -> Result<TokenClient, OAuthError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(false) // http is allowed for loopback only, checked per request
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(NETWORK_TIMEOUT)
            .timeout(NETWORK_TIMEOUT)
            .user_agent(concat!("Mesa/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OAuthError::Network { host: String::new(), reason: super::smtp::error_chain(&e) })?;
        Ok(TokenClient { http })
    }

    /// Trades the refresh token for a new access token (RFC 6749 §6).
    #[tracing::instrument(skip_all, fields(client_id = %request.client_id))]
    pub async fn refresh(&self, request: &RefreshRequest) -> Result<TokenGrant, OAuthError> {
        let url = check_token_url(&request.token_url)?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let network = |e: reqwest::Error| OAuthError::Network {
            host: host.clone(),
            // The URL is the admin's and holds no secret, but keep messages short.
            reason: super::smtp::error_chain(&e.without_url()),
        };
        let sent_at = Utc::now();
        let mut response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(request.form())
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(OAuthError::Malformed { reason: format!("the answer is larger than {MAX_ANSWER} bytes") });
            }
            body.extend_from_slice(&chunk);
        }
        let grant = crate::oauth::parse_token_answer(status, &body, sent_at);
        match &grant {
            Ok(grant) => {
                tracing::info!(expires_at = %grant.expires_at, rotated = grant.refresh_token.is_some(), "access token refreshed")
            }
            Err(e) => tracing::warn!(error = %e, "access token not refreshed"),
        }
        grant
    }
}
