//! IMAP mailboxes that log in with OAuth2 (XOAUTH2) and renew their access
//! token themselves: `mesa serve` against Dovecot and a fake token endpoint.

use mesa_testkit::databases;
use mesa_testkit::mail_servers::{Dovecot, SmtpSink};
use mesa_testkit::token_endpoint::TokenEndpoint;
use serde_json::{Value, json};

use crate::mail_flow::{eventually, new_request, serve_args};
use crate::support::Desk;

const CLIENT_SECRET: &str = "client-secret-e2e";
const SCOPE: &str = "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access";

/// A mailbox on `dovecot` with no access token, only what renews one.
fn oauth_mailbox(dovecot: &Dovecot, endpoint: &TokenEndpoint, refresh_token: &str) -> Value {
    json!({
        "host": "127.0.0.1", "port": dovecot.imap_port(), "security": "plain",
        "username": Dovecot::USER, "auth": "xoauth2", "poll_seconds": 5,
        "token_url": endpoint.url(), "client_id": TokenEndpoint::CLIENT_ID,
        "client_secret": CLIENT_SECRET, "refresh_token": refresh_token, "scope": SCOPE
    })
}

/// None of the credentials, given or obtained, in `text`.
fn assert_no_secrets(text: &str, endpoint: &TokenEndpoint) {
    for secret in [
        CLIENT_SECRET,
        TokenEndpoint::REFRESH_TOKEN,
        &endpoint.current_refresh_token(),
        Dovecot::XOAUTH2_TOKEN,
        "mesa-test-access-token",
    ] {
        assert!(!text.contains(secret), "{secret:?} leaked: {text}");
    }
}

async fn mailbox(desk: &Desk, name: &str) -> Value {
    let (status, list) = desk.get(&desk.admin, "/api/v1/mailboxes").await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().iter().find(|m| m["name"] == name).cloned().unwrap_or_else(|| panic!("{name}: {list}"))
}

#[tokio::test]
async fn a_mailbox_with_only_a_refresh_token_turns_mail_into_tickets_and_never_shows_its_secrets() {
    for kind in databases() {
        let dovecot = Dovecot::start_with_xoauth2();
        let endpoint = TokenEndpoint::start_rotating();
        let sink = SmtpSink::start();
        let args = serve_args(&sink);
        let desk = Desk::start_with(kind, &args.iter().map(String::as_str).collect::<Vec<_>>()).await;

        let body = oauth_mailbox(&dovecot, &endpoint, TokenEndpoint::REFRESH_TOKEN);
        let (status, saved) = desk.post_put("PUT", &desk.admin, "/api/v1/mailboxes/soporte", body).await;
        assert_eq!(status, 200, "{kind:?}: {saved}");
        assert_eq!(saved["token_url"], endpoint.url());
        assert_eq!((&saved["client_id"], &saved["scope"]), (&json!(TokenEndpoint::CLIENT_ID), &json!(SCOPE)));
        assert_eq!((&saved["client_secret_set"], &saved["refresh_token_set"]), (&json!(true), &json!(true)));
        assert_no_secrets(&saved.to_string(), &endpoint);

        dovecot.deliver(&new_request("oauth-1@villaesperanza.gov.co"));
        eventually("the ticket from the OAuth2 mailbox", || async {
            let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?q=conexion").await;
            (list["total"] == 1).then_some(())
        })
        .await;
        eventually("the message marked seen", || async { (dovecot.seen_count("INBOX") == 1).then_some(()) }).await;

        // One renewal, with the client's credentials; the rotated refresh token kept.
        let requests = endpoint.requests();
        assert_eq!(requests.len(), 1, "{kind:?}: {requests:?}");
        assert_eq!(requests[0]["client_secret"], CLIENT_SECRET);
        assert_eq!(requests[0]["scope"], SCOPE);
        let shown = mailbox(&desk, "soporte").await;
        assert!(shown["last_error"].is_null(), "{kind:?}: {shown}");
        assert!(shown["access_token_expires_at"].is_string(), "{shown}");
        assert_no_secrets(&shown.to_string(), &endpoint);
    }
}

#[tokio::test]
async fn a_revoked_refresh_token_is_the_mailboxs_error_and_other_mailboxes_go_on() {
    for kind in databases() {
        let dovecot = Dovecot::start_with_xoauth2();
        let endpoint = TokenEndpoint::start();
        let desk = Desk::start(kind).await;
        let revoked = oauth_mailbox(&dovecot, &endpoint, "1//revoked-refresh-token");
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/mailboxes/antiguo", revoked).await;
        assert_eq!(status, 200, "{body}");
        let good = oauth_mailbox(&dovecot, &endpoint, TokenEndpoint::REFRESH_TOKEN);
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/mailboxes/soporte", good).await;
        assert_eq!(status, 200, "{body}");

        let error = eventually("the revoked mailbox's error", || async {
            mailbox(&desk, "antiguo").await["last_error"].as_str().map(str::to_owned)
        })
        .await;
        assert!(error.contains("invalid_grant") && error.contains("OAuth2 access token"), "{kind:?}: {error}");
        assert!(!error.contains("revoked-refresh-token"), "{error}");

        dovecot.deliver(&new_request("oauth-2@villaesperanza.gov.co"));
        eventually("the ticket from the working mailbox", || async {
            let (_, list) = desk.get(&desk.agent, "/api/v1/tickets").await;
            (list["total"] == 1).then_some(())
        })
        .await;
        assert!(mailbox(&desk, "soporte").await["last_error"].is_null(), "{kind:?}");
    }
}

#[tokio::test]
async fn a_token_endpoint_that_is_not_https_is_refused_with_422() {
    let desk = Desk::start(mesa_testkit::Db::Sqlite).await;
    let body = json!({
        "host": "imap.example.org", "username": "soporte@example.org", "auth": "xoauth2",
        "token_url": "http://login.example.org/token", "client_id": "c", "refresh_token": "r"
    });

    let (status, error) = desk.post_put("PUT", &desk.admin, "/api/v1/mailboxes/soporte", body).await;

    assert_eq!(status, 422, "{error}");
    assert_eq!(error["error"]["code"], "validation_failed");
    assert_eq!(error["error"]["field"], "token_url");
    assert!(error["error"]["message"].as_str().unwrap().contains("https"), "{error}");
}
