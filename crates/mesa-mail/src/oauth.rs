//! OAuth2 for XOAUTH2 mailboxes (Microsoft 365, Google Workspace), the pure
//! part: which token endpoints are acceptable, the refresh-token request
//! (RFC 6749 §6) as a form, the endpoint's answer turned into a token with its
//! expiry, and whether a stored token is still good. The HTTP call itself is
//! [`crate::transport::TokenClient`].

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use crate::transport::Secret;

/// A token is refreshed this long before it expires, so that it never runs out
/// between being read and being sent to the IMAP server.
pub const EXPIRY_MARGIN: TimeDelta = TimeDelta::seconds(60);

/// Assumed when the endpoint does not say (`expires_in` is only recommended by
/// RFC 6749); the usual lifetime at both big providers. A token refused earlier
/// is refreshed anyway.
const DEFAULT_LIFETIME_SECONDS: i64 = 3600;

/// Longer lifetimes are not believed (and would overflow the clock arithmetic).
const MAX_LIFETIME_SECONDS: i64 = 366 * 24 * 3600;

/// The provider's own words in an error are cut to this many characters
/// (Microsoft's descriptions carry trace ids and timestamps).
const MAX_DESCRIPTION: usize = 300;

/// Why a token endpoint URL is not accepted; [`TokenUrlError::code`] is the
/// stable field-error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenUrlError {
    #[error("the token URL is not a valid absolute URL")]
    Invalid,
    #[error("the token URL must use https:// (plain http only for 127.0.0.1 or localhost)")]
    NotHttps,
    #[error("the token URL still holds a placeholder such as {{tenant}}: put the real value in")]
    Placeholder,
    #[error("the token URL must not carry a user name or password")]
    Credentials,
}

impl TokenUrlError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenUrlError::Invalid | TokenUrlError::Credentials => "invalid_url",
            TokenUrlError::NotHttps => "not_https",
            TokenUrlError::Placeholder => "unfilled_placeholder",
        }
    }
}

/// Checks a token endpoint URL: `https://` anywhere, `http://` only on this
/// machine (tests, or a local proxy) — the refresh token and client secret
/// travel in the request body.
pub fn check_token_url(url: &str) -> Result<url::Url, TokenUrlError> {
    // Copied from the provider's documentation as is:
    // https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token
    if url.contains(['{', '}']) {
        return Err(TokenUrlError::Placeholder);
    }
    let parsed = url::Url::parse(url.trim()).map_err(|_| TokenUrlError::Invalid)?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TokenUrlError::Credentials);
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(TokenUrlError::Invalid),
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        "http" => Err(TokenUrlError::NotHttps),
        _ => Err(TokenUrlError::Invalid),
    }
}

/// What the poller sends to the token endpoint to get a fresh access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRequest {
    pub token_url: String,
    pub client_id: String,
    /// `None` for public clients (Microsoft allows them; Google needs a secret).
    pub client_secret: Option<Secret>,
    pub refresh_token: Secret,
    /// E.g. `https://outlook.office365.com/IMAP.AccessAsUser.All offline_access`;
    /// `None` asks for the scopes granted with the refresh token.
    pub scope: Option<String>,
}

impl RefreshRequest {
    /// The `application/x-www-form-urlencoded` body, client credentials in the
    /// body (`client_secret_post`), which both Microsoft and Google accept.
    pub fn form(&self) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "refresh_token");
        form.append_pair("refresh_token", self.refresh_token.expose());
        form.append_pair("client_id", &self.client_id);
        if let Some(secret) = &self.client_secret {
            form.append_pair("client_secret", secret.expose());
        }
        if let Some(scope) = &self.scope {
            form.append_pair("scope", scope);
        }
        form.finish()
    }
}

/// A fresh access token, when it expires, and the refresh token to use from
/// now on if the provider rotated it (Microsoft does; it must then be stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub access_token: Secret,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: Option<Secret>,
}

/// Why no access token came back. The messages name the provider's error code
/// (`invalid_grant`, `invalid_client`…) and never a token or secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error(transparent)]
    Url(#[from] TokenUrlError),
    /// The provider said no, with an OAuth2 error (RFC 6749 §5.2).
    #[error("the token endpoint refused the refresh: {}", describe(.error, .description.as_deref()))]
    Refused { error: String, description: Option<String> },
    /// An HTTP error without an OAuth2 error body (a proxy, an outage).
    #[error("the token endpoint answered HTTP {status}")]
    Status { status: u16 },
    #[error("the token endpoint's answer is not a usable token: {reason}")]
    Malformed { reason: String },
    #[error("cannot reach the token endpoint {host}: {reason}")]
    Network { host: String, reason: String },
}

impl OAuthError {
    /// Whether trying again later can help without an admin changing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            OAuthError::Network { .. } => true,
            OAuthError::Status { status } => *status >= 500 || *status == 429,
            OAuthError::Refused { error, .. } => matches!(error.as_str(), "temporarily_unavailable" | "server_error"),
            OAuthError::Url(_) | OAuthError::Malformed { .. } => false,
        }
    }
}

fn describe(error: &str, description: Option<&str>) -> String {
    match description {
        Some(d) => format!("{error} ({d})"),
        None => error.to_owned(),
    }
}

/// The JSON of a token answer, success (RFC 6749 §5.1) or error (§5.2).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    token_type: Option<String>,
    /// A number, or a string of digits (Azure AD's v1 endpoint).
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Reads the token endpoint's answer (its HTTP status and body) received at `now`.
pub fn parse_token_answer(status: u16, body: &[u8], now: DateTime<Utc>) -> Result<TokenGrant, OAuthError> {
    let answer: Option<TokenAnswer> = serde_json::from_slice(body).ok();
    let Some(answer) = answer else {
        return Err(if (200..300).contains(&status) {
            OAuthError::Malformed { reason: "the body is not a JSON object".into() }
        } else {
            OAuthError::Status { status }
        });
    };
    if let Some(error) = answer.error.as_deref().map(printable).filter(|e| !e.is_empty()) {
        let description = answer.error_description.as_deref().map(printable).filter(|d| !d.is_empty());
        return Err(OAuthError::Refused { error, description });
    }
    if !(200..300).contains(&status) {
        return Err(OAuthError::Status { status });
    }
    let access_token = answer
        .access_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| OAuthError::Malformed { reason: "it has no access_token".into() })?;
    if let Some(kind) = answer.token_type.as_deref()
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(OAuthError::Malformed { reason: format!("token_type {:?} is not Bearer", printable(kind)) });
    }
    let lifetime = match &answer.expires_in {
        None | Some(serde_json::Value::Null) => Some(DEFAULT_LIFETIME_SECONDS),
        Some(serde_json::Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    }
    .ok_or_else(|| OAuthError::Malformed { reason: "expires_in is not a number of seconds".into() })?;
    let lifetime = TimeDelta::seconds(lifetime.clamp(0, MAX_LIFETIME_SECONDS));
    Ok(TokenGrant {
        access_token: Secret::new(access_token),
        expires_at: now + lifetime,
        refresh_token: answer.refresh_token.filter(|t| !t.trim().is_empty()).map(Secret::new),
    })
}

/// Whether a token that expires at `expires_at` may still be sent at `now`
/// (with [`EXPIRY_MARGIN`] to spare).
pub fn is_fresh(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now + EXPIRY_MARGIN < expires_at
}

/// The provider's text on one line, without control characters, cut short.
fn printable(text: &str) -> String {
    let clean: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned();
    match clean.char_indices().nth(MAX_DESCRIPTION) {
        Some((at, _)) => format!("{}…", &clean[..at]),
        None => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn request() -> RefreshRequest {
        RefreshRequest {
            token_url: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token".into(),
            client_id: "9e5f94bc-e8a4-4e73-b8be-63364c29d753".into(),
            client_secret: None,
            refresh_token: Secret::new("0.AXo&a=b+c/d"),
            scope: None,
        }
    }

    fn form_pairs(form: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(form.as_bytes()).into_owned().collect()
    }

    #[test]
    fn the_refresh_form_names_the_grant_token_and_client_and_encodes_them() {
        let form = request().form();
        assert_eq!(
            form_pairs(&form),
            vec![
                ("grant_type".into(), "refresh_token".into()),
                ("refresh_token".into(), "0.AXo&a=b+c/d".into()),
                ("client_id".into(), "9e5f94bc-e8a4-4e73-b8be-63364c29d753".into()),
            ]
        );
        assert!(form.contains("refresh_token=0.AXo%26a%3Db%2Bc%2Fd"), "{form}");
    }

    #[test]
    fn the_client_secret_and_scope_are_sent_only_when_given() {
        let with_both = RefreshRequest {
            client_secret: Some(Secret::new("s3cr3t")),
            scope: Some("https://mail.google.com/".into()),
            ..request()
        };
        let pairs = form_pairs(&with_both.form());
        assert!(pairs.contains(&("client_secret".into(), "s3cr3t".into())));
        assert!(pairs.contains(&("scope".into(), "https://mail.google.com/".into())));
        let names: Vec<String> = form_pairs(&request().form()).into_iter().map(|(k, _)| k).collect();
        assert!(!names.contains(&"client_secret".into()) && !names.contains(&"scope".into()));
    }

    #[test]
    fn debug_output_of_requests_and_grants_hides_the_secrets() {
        let request = RefreshRequest { client_secret: Some(Secret::new("client-pw")), ..request() };
        let printed = format!("{request:?}");
        assert!(!printed.contains("client-pw") && !printed.contains("AXo"), "{printed}");
        let grant = parse_token_answer(200, br#"{"access_token":"at-1","refresh_token":"rt-2"}"#, at(0)).unwrap();
        let printed = format!("{grant:?}");
        assert!(!printed.contains("at-1") && !printed.contains("rt-2"), "{printed}");
    }

    #[test]
    fn a_token_answer_gives_the_token_and_its_expiry_from_expires_in() {
        let body = br#"{"token_type":"Bearer","scope":"IMAP.AccessAsUser.All","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi"}"#;
        let grant = parse_token_answer(200, body, at(0)).unwrap();
        assert_eq!(grant.access_token.expose(), "eyJ0eXAi");
        assert_eq!(grant.expires_at, at(3599));
        assert_eq!(grant.refresh_token, None);
    }

    #[test]
    fn a_rotated_refresh_token_is_returned_for_storing() {
        let body = br#"{"access_token":"a","expires_in":10,"refresh_token":"new-refresh","token_type":"bearer"}"#;
        let grant = parse_token_answer(200, body, at(0)).unwrap();
        assert_eq!(grant.refresh_token.as_ref().map(Secret::expose), Some("new-refresh"));
        assert_eq!(grant.expires_at, at(10));
    }

    #[test]
    fn expires_in_may_be_a_string_missing_or_absurd() {
        let grant = parse_token_answer(200, br#"{"access_token":"a","expires_in":"3600"}"#, at(0)).unwrap();
        assert_eq!(grant.expires_at, at(3600));
        let grant = parse_token_answer(200, br#"{"access_token":"a"}"#, at(0)).unwrap();
        assert_eq!(grant.expires_at, at(DEFAULT_LIFETIME_SECONDS));
        let grant = parse_token_answer(200, br#"{"access_token":"a","expires_in":-5}"#, at(0)).unwrap();
        assert_eq!(grant.expires_at, at(0));
        let grant = parse_token_answer(200, br#"{"access_token":"a","expires_in":1e300}"#, at(0)).unwrap();
        assert_eq!(grant.expires_at, at(MAX_LIFETIME_SECONDS));
        let error = parse_token_answer(200, br#"{"access_token":"a","expires_in":"soon"}"#, at(0)).unwrap_err();
        assert!(matches!(error, OAuthError::Malformed { .. }), "{error:?}");
    }

    #[test]
    fn an_oauth_error_names_the_providers_code_and_description() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS70000: The provided grant has expired.\r\nTrace ID: 1"}"#;
        let error = parse_token_answer(400, body, at(0)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the token endpoint refused the refresh: invalid_grant (AADSTS70000: The provided grant has expired.  Trace ID: 1)"
        );
        assert!(!error.is_transient());
        let google = parse_token_answer(400, br#"{"error":"invalid_client"}"#, at(0)).unwrap_err();
        assert_eq!(google.to_string(), "the token endpoint refused the refresh: invalid_client");
    }

    #[test]
    fn long_descriptions_are_cut() {
        let body = format!(r#"{{"error":"invalid_grant","error_description":"{}"}}"#, "x".repeat(5000));
        let error = parse_token_answer(400, body.as_bytes(), at(0)).unwrap_err().to_string();
        assert!(error.len() < 400, "{}", error.len());
        assert!(error.ends_with("…)"));
    }

    #[test]
    fn an_http_error_without_json_is_reported_by_status() {
        let error = parse_token_answer(502, b"<html>Bad gateway</html>", at(0)).unwrap_err();
        assert_eq!(error, OAuthError::Status { status: 502 });
        assert!(error.is_transient());
        assert_eq!(parse_token_answer(401, b"{}", at(0)).unwrap_err(), OAuthError::Status { status: 401 });
        assert!(!OAuthError::Status { status: 401 }.is_transient());
    }

    #[test]
    fn a_success_without_a_token_or_with_another_token_type_is_malformed() {
        for body in [&b"not json"[..], b"[]", br#"{"expires_in":3600}"#, br#"{"access_token":""}"#] {
            let error = parse_token_answer(200, body, at(0)).unwrap_err();
            assert!(matches!(error, OAuthError::Malformed { .. }), "{error:?}");
        }
        let error = parse_token_answer(200, br#"{"access_token":"a","token_type":"mac"}"#, at(0)).unwrap_err();
        assert!(error.to_string().contains("\"mac\" is not Bearer"), "{error}");
    }

    #[test]
    fn a_token_is_fresh_until_a_minute_before_it_expires() {
        assert!(is_fresh(at(3600), at(0)));
        assert!(is_fresh(at(61), at(0)));
        assert!(!is_fresh(at(60), at(0)));
        assert!(!is_fresh(at(0), at(0)));
        assert!(!is_fresh(at(-10), at(0)));
    }

    #[test]
    fn token_urls_must_be_https_except_on_this_machine() {
        for good in [
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            "https://oauth2.googleapis.com/token",
            "http://127.0.0.1:8080/token",
            "http://localhost/token",
            "http://[::1]:9000/token",
        ] {
            assert!(check_token_url(good).is_ok(), "{good}");
        }
        assert_eq!(check_token_url("http://oauth2.googleapis.com/token"), Err(TokenUrlError::NotHttps));
        assert_eq!(check_token_url("http://10.0.0.1/token"), Err(TokenUrlError::NotHttps));
        assert_eq!(check_token_url("ftp://example.org/token"), Err(TokenUrlError::Invalid));
        assert_eq!(check_token_url("login.microsoftonline.com/x"), Err(TokenUrlError::Invalid));
        assert_eq!(check_token_url("https://user:pw@example.org/token"), Err(TokenUrlError::Credentials));
        let placeholder = check_token_url("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token");
        assert_eq!(placeholder, Err(TokenUrlError::Placeholder));
        assert_eq!(TokenUrlError::NotHttps.code(), "not_https");
    }
}
