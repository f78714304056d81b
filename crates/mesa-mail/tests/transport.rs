//! The transports against real servers: aiosmtpd for SMTP, Dovecot for IMAP
//! (see `mesa_testkit::mail_servers`). Each test starts its own servers.

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use mesa_mail::oauth::{OAuthError, RefreshRequest, TokenUrlError};
use mesa_mail::transport::{
    FetchedMessage, ImapAuth, ImapConfig, ImapMailbox, ImapSecurity, Secret, SendError, SmtpConfig, SmtpSender,
    TokenClient, TransportError,
};
use mesa_testkit::mail_servers::{Dovecot, SmtpSink};
use mesa_testkit::token_endpoint::TokenEndpoint;

/// A reply with 8-bit UTF-8 content and a line starting with a dot, which SMTP
/// must stuff and unstuff without the message changing.
const UTF8_MESSAGE: &[u8] = "From: Mesa <soporte@villaesperanza.gov.co>\r\n\
To: Ana Gómez <ana.gomez@villaesperanza.gov.co>\r\n\
Subject: =?UTF-8?Q?[#123]_Impresora_sin_t=C3=B3ner?=\r\n\
Message-ID: <t123.1@mesa.villaesperanza.gov.co>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Hola Ana: cambiamos el tóner de la impresora del 3.º piso.\r\n\
.Esta línea empieza con un punto; ¿llegó intacta? ñ € 😀\r\n\
\r\n\
-- \r\n\
Mesa de ayuda\r\n"
    .as_bytes();

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: requester{n}@example.org\r\nTo: soporte@example.org\r\nSubject: Solicitud {n}\r\n\
         Message-ID: <m{n}@example.org>\r\n\r\nCuerpo número {n}.\r\n"
    )
    .into_bytes()
}

fn imap_config(dovecot: &Dovecot) -> ImapConfig {
    ImapConfig::new(
        "127.0.0.1",
        dovecot.imap_port(),
        ImapSecurity::Plain,
        dovecot.user(),
        ImapAuth::Password(dovecot.password().into()),
    )
}

fn uids(messages: &[FetchedMessage]) -> Vec<u32> {
    messages.iter().map(|m| m.uid).collect()
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// ---------------------------------------------------------------- SMTP

#[tokio::test]
async fn a_sent_message_arrives_byte_for_byte_with_its_envelope() {
    let sink = SmtpSink::start();
    let sender = SmtpSender::new(&SmtpConfig::from_url(&sink.url()).unwrap()).unwrap();
    let recipients =
        vec!["ana.gomez@villaesperanza.gov.co".to_owned(), "jefe.sistemas@villaesperanza.gov.co".to_owned()];

    sender.send("rebotes@villaesperanza.gov.co", &recipients, UTF8_MESSAGE).await.unwrap();

    sink.wait_for(1, Duration::from_secs(10));
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&received[0].raw),
        String::from_utf8_lossy(UTF8_MESSAGE),
        "the message must arrive unchanged"
    );
    assert_eq!(received[0].raw, UTF8_MESSAGE);
    assert_eq!(received[0].mail_from, "rebotes@villaesperanza.gov.co");
    // The envelope decides, not the headers: the second recipient is a Bcc.
    assert_eq!(received[0].rcpt_to, recipients);
}

#[tokio::test]
async fn an_empty_envelope_sender_is_the_null_reverse_path() {
    let sink = SmtpSink::start();
    let sender = SmtpSender::new(&SmtpConfig::from_url(&sink.url()).unwrap()).unwrap();

    sender.send("", &["ana@example.org".to_owned()], &message(1)).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(matches!(received[0].mail_from.as_str(), "" | "<>"), "{:?}", received[0].mail_from);
}

#[tokio::test]
async fn sending_to_a_closed_port_is_a_transient_error() {
    let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{}", closed_port())).unwrap();
    let sender = SmtpSender::new(&config).unwrap();

    let error = sender.send("mesa@example.org", &["ana@example.org".to_owned()], &message(1)).await.unwrap_err();

    assert!(error.is_transient(), "{error}");
    assert_eq!(error.code(), None);
}

#[tokio::test]
async fn a_recipient_refused_with_5xx_is_a_permanent_error() {
    let sink = SmtpSink::start();
    let sender = SmtpSender::new(&SmtpConfig::from_url(&sink.url()).unwrap()).unwrap();

    let error = sender.send("mesa@example.org", &["reject-me@example.org".to_owned()], &message(1)).await.unwrap_err();

    assert!(matches!(error, SendError::Permanent { code: Some(550), .. }), "{error}");
    assert!(error.to_string().contains("mailbox unavailable"), "{error}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_recipient_refused_with_4xx_is_a_transient_error() {
    let sink = SmtpSink::start();
    let sender = SmtpSender::new(&SmtpConfig::from_url(&sink.url()).unwrap()).unwrap();

    let error = sender.send("mesa@example.org", &["defer-me@example.org".to_owned()], &message(1)).await.unwrap_err();

    assert!(matches!(error, SendError::Transient { code: Some(451), .. }), "{error}");
}

#[tokio::test]
async fn an_invalid_address_is_a_permanent_error_before_any_connection() {
    let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{}", closed_port())).unwrap();
    let sender = SmtpSender::new(&config).unwrap();

    let bad_recipient = sender.send("mesa@example.org", &["not an address".to_owned()], &message(1)).await;
    let bad_sender = sender.send("mesa at example.org", &["ana@example.org".to_owned()], &message(1)).await;
    let nobody = sender.send("mesa@example.org", &[], &message(1)).await;

    for result in [bad_recipient, bad_sender, nobody] {
        let error = result.unwrap_err();
        assert!(!error.is_transient(), "{error}");
    }
}

// ---------------------------------------------------------------- IMAP

#[tokio::test]
async fn fetching_never_marks_messages_seen_until_they_are_acknowledged() {
    let dovecot = Dovecot::start();
    for n in 1..=3 {
        dovecot.deliver(&message(n));
    }
    let mut mailbox = ImapMailbox::connect(&imap_config(&dovecot)).await.unwrap();

    let first = mailbox.fetch_unseen().await.unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first.iter().map(|m| m.raw.clone()).collect::<Vec<_>>(), vec![message(1), message(2), message(3)]);
    assert!(first.iter().all(|m| m.uid_validity == mailbox.uid_validity() && m.uid_validity != 0));

    let again = mailbox.fetch_unseen().await.unwrap();
    assert_eq!(uids(&again), uids(&first), "fetching must not change any flag");
    assert_eq!(dovecot.seen_count("INBOX"), 0);

    mailbox.acknowledge(first[0].uid).await.unwrap();

    let rest = mailbox.fetch_unseen().await.unwrap();
    assert_eq!(uids(&rest), uids(&first[1..]));
    assert_eq!(dovecot.seen_count("INBOX"), 1);
    assert_eq!(dovecot.message_count("INBOX"), 3, "\\Seen keeps the message in place");
    mailbox.logout().await.unwrap();
}

#[tokio::test]
async fn acknowledging_moves_the_message_to_the_processed_folder() {
    let dovecot = Dovecot::start();
    let config = ImapConfig { processed_folder: Some("Procesados".into()), ..imap_config(&dovecot) };
    dovecot.deliver(&message(1));
    dovecot.deliver(&message(2));

    let mut mailbox = ImapMailbox::connect(&config).await.unwrap();
    let fetched = mailbox.fetch_unseen().await.unwrap();
    assert_eq!(fetched.len(), 2);
    mailbox.acknowledge(fetched[0].uid).await.unwrap();

    assert_eq!(uids(&mailbox.fetch_unseen().await.unwrap()), vec![fetched[1].uid]);
    assert_eq!(dovecot.message_count("Procesados"), 1);
    assert_eq!(dovecot.message_count("INBOX"), 1);
    drop(mailbox);

    // The folder exists now; connecting again must not try to create it twice.
    let mut again = ImapMailbox::connect(&config).await.unwrap();
    assert_eq!(again.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn folder_names_with_accents_are_found_and_created() {
    let dovecot = Dovecot::start();
    let config = ImapConfig { processed_folder: Some("Atención".into()), ..imap_config(&dovecot) };
    dovecot.deliver(&message(1));
    let mut mailbox = ImapMailbox::connect(&config).await.unwrap();
    let fetched = mailbox.fetch_unseen().await.unwrap();
    mailbox.acknowledge(fetched[0].uid).await.unwrap();
    drop(mailbox);
    // Dovecot keeps the name as IMAP's modified UTF-7, as every client sends it.
    assert_eq!(dovecot.message_count("Atenci&APM-n"), 1, "{}", dovecot.log());
    // Reading from that folder finds the message moved there.
    let reader = ImapConfig { folder: "Atención".into(), processed_folder: None, ..imap_config(&dovecot) };
    let mut mailbox = ImapMailbox::connect(&reader).await.unwrap();
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn without_move_acknowledging_copies_deletes_and_expunges() {
    let dovecot = Dovecot::start_with_capabilities("IMAP4rev1 LITERAL+ UIDPLUS");
    let config = ImapConfig { processed_folder: Some("Processed".into()), ..imap_config(&dovecot) };
    dovecot.deliver(&message(1));
    dovecot.deliver(&message(2));

    let mut mailbox = ImapMailbox::connect(&config).await.unwrap();
    assert!(!mailbox.supports_idle());
    let fetched = mailbox.fetch_unseen().await.unwrap();
    mailbox.acknowledge(fetched[0].uid).await.unwrap();

    assert_eq!(uids(&mailbox.fetch_unseen().await.unwrap()), vec![fetched[1].uid]);
    assert_eq!(dovecot.message_count("Processed"), 1);
    assert_eq!(dovecot.message_count("INBOX"), 1, "the original is expunged");
}

#[tokio::test]
async fn idle_returns_as_soon_as_new_mail_is_delivered() {
    let dovecot = Dovecot::start();
    let mut mailbox = ImapMailbox::connect(&imap_config(&dovecot)).await.unwrap();
    assert!(mailbox.supports_idle());
    assert!(mailbox.fetch_unseen().await.unwrap().is_empty());

    let started = Instant::now();
    let wait = mailbox.wait_for_change(Duration::from_secs(60));
    let deliver = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        dovecot.deliver(&message(1));
    };
    let (waited, ()) = tokio::time::timeout(Duration::from_secs(30), async { tokio::join!(wait, deliver) })
        .await
        .expect("IDLE did not notice the delivery within 30 s");
    waited.unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));

    // The session survives IDLE.
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn idle_returns_at_once_when_mail_arrived_after_the_last_fetch() {
    let dovecot = Dovecot::start();
    let mut mailbox = ImapMailbox::connect(&imap_config(&dovecot)).await.unwrap();
    assert!(mailbox.fetch_unseen().await.unwrap().is_empty());
    dovecot.deliver(&message(1));

    tokio::time::timeout(Duration::from_secs(20), mailbox.wait_for_change(Duration::from_secs(60)))
        .await
        .expect("mail that is already there must end the wait")
        .unwrap();
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn idle_gives_up_after_the_maximum_wait_and_keeps_the_session() {
    let dovecot = Dovecot::start();
    let mut mailbox = ImapMailbox::connect(&imap_config(&dovecot)).await.unwrap();

    let started = Instant::now();
    mailbox.wait_for_change(Duration::from_millis(700)).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(20), "{waited:?}");

    dovecot.deliver(&message(1));
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn without_idle_waiting_is_a_sleep() {
    let dovecot = Dovecot::start_with_capabilities("IMAP4rev1 LITERAL+ UIDPLUS");
    let mut mailbox = ImapMailbox::connect(&imap_config(&dovecot)).await.unwrap();

    let started = Instant::now();
    mailbox.wait_for_change(Duration::from_millis(500)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500));

    dovecot.deliver(&message(1));
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_authentication_error() {
    let dovecot = Dovecot::start();
    let config = ImapConfig { auth: ImapAuth::Password("not-the-password".into()), ..imap_config(&dovecot) };

    let error = ImapMailbox::connect(&config).await.unwrap_err();

    assert!(matches!(error, TransportError::Auth { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("rejected the credentials of mesa"), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn xoauth2_logs_in_with_a_valid_token_and_is_refused_with_another() {
    let dovecot = Dovecot::start_with_xoauth2();
    dovecot.deliver(&message(1));
    let with_token =
        |token: &str| ImapConfig { auth: ImapAuth::XOAuth2 { access_token: token.into() }, ..imap_config(&dovecot) };

    let mut mailbox = ImapMailbox::connect(&with_token(Dovecot::XOAUTH2_TOKEN)).await.unwrap();
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);

    let error = ImapMailbox::connect(&with_token("ya29.revoked-token")).await.unwrap_err();
    assert!(matches!(error, TransportError::Auth { .. }), "{error:?}");
    assert!(!error.to_string().contains("revoked-token"), "{error}");
}

#[tokio::test]
async fn a_server_without_xoauth2_refuses_the_token_as_an_authentication_error() {
    let dovecot = Dovecot::start();
    let config =
        ImapConfig { auth: ImapAuth::XOAuth2 { access_token: "ya29.secret-token".into() }, ..imap_config(&dovecot) };

    let error = ImapMailbox::connect(&config).await.unwrap_err();

    assert!(matches!(error, TransportError::Auth { .. }), "{error:?}");
    assert!(!error.to_string().contains("secret-token"), "{error}");
}

// ---------------------------------------------------------------- OAuth2 token endpoint

fn refresh_request(endpoint: &TokenEndpoint, refresh_token: &str) -> RefreshRequest {
    RefreshRequest {
        token_url: endpoint.url().to_owned(),
        client_id: TokenEndpoint::CLIENT_ID.into(),
        client_secret: Some(Secret::new("client-secret-1")),
        refresh_token: Secret::new(refresh_token),
        scope: Some("https://outlook.office365.com/IMAP.AccessAsUser.All offline_access".into()),
    }
}

#[tokio::test]
async fn a_refresh_token_buys_an_access_token_that_logs_into_dovecot() {
    let dovecot = Dovecot::start_with_xoauth2();
    dovecot.deliver(&message(1));
    let endpoint = TokenEndpoint::start();
    let before = chrono::Utc::now();

    let grant =
        TokenClient::new().unwrap().refresh(&refresh_request(&endpoint, TokenEndpoint::REFRESH_TOKEN)).await.unwrap();

    assert_eq!(grant.access_token.expose(), Dovecot::XOAUTH2_TOKEN);
    let lifetime = grant.expires_at - before;
    assert!((3590..=3600).contains(&lifetime.num_seconds()), "{lifetime}");
    assert_eq!(grant.refresh_token, None, "this endpoint does not rotate");
    let sent = &endpoint.requests()[0];
    assert_eq!(sent["grant_type"], "refresh_token");
    assert_eq!(sent["refresh_token"], TokenEndpoint::REFRESH_TOKEN);
    assert_eq!(sent["client_secret"], "client-secret-1");
    assert_eq!(sent["scope"], "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access");
    let config = ImapConfig { auth: ImapAuth::XOAuth2 { access_token: grant.access_token }, ..imap_config(&dovecot) };
    let mut mailbox = ImapMailbox::connect(&config).await.unwrap();
    assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_rotating_endpoint_hands_back_the_next_refresh_token() {
    let endpoint = TokenEndpoint::start_rotating();
    let client = TokenClient::new().unwrap();

    let grant = client.refresh(&refresh_request(&endpoint, TokenEndpoint::REFRESH_TOKEN)).await.unwrap();

    let next = grant.refresh_token.expect("a rotated refresh token");
    assert_eq!(next.expose(), endpoint.current_refresh_token());
    assert!(client.refresh(&refresh_request(&endpoint, next.expose())).await.is_ok());
    let reused = client.refresh(&refresh_request(&endpoint, TokenEndpoint::REFRESH_TOKEN)).await.unwrap_err();
    assert!(matches!(&reused, OAuthError::Refused { error, .. } if error == "invalid_grant"), "{reused:?}");
}

#[tokio::test]
async fn a_revoked_refresh_token_is_refused_with_the_providers_error_and_no_secret() {
    let endpoint = TokenEndpoint::start();

    let error = TokenClient::new().unwrap().refresh(&refresh_request(&endpoint, "1//revoked")).await.unwrap_err();

    let text = error.to_string();
    assert!(text.contains("invalid_grant") && text.contains("expired or revoked"), "{text}");
    assert!(!text.contains("1//revoked") && !text.contains("client-secret-1"), "{text}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_transient_network_error() {
    let request = RefreshRequest {
        token_url: format!("http://127.0.0.1:{}/token", closed_port()),
        client_id: "c".into(),
        client_secret: None,
        refresh_token: Secret::new("r"),
        scope: None,
    };

    let error = TokenClient::new().unwrap().refresh(&request).await.unwrap_err();

    assert!(matches!(&error, OAuthError::Network { host, .. } if host == "127.0.0.1"), "{error:?}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_plain_http_token_endpoint_off_this_machine_is_never_called() {
    let request = RefreshRequest {
        token_url: "http://oauth2.example.org/token".into(),
        client_id: "c".into(),
        client_secret: None,
        refresh_token: Secret::new("r"),
        scope: None,
    };

    let error = TokenClient::new().unwrap().refresh(&request).await.unwrap_err();

    assert_eq!(error, OAuthError::Url(TokenUrlError::NotHttps));
}

#[tokio::test]
async fn a_missing_folder_is_named_in_the_error() {
    let dovecot = Dovecot::start();
    let config = ImapConfig { folder: "Soporte".into(), ..imap_config(&dovecot) };

    let error = ImapMailbox::connect(&config).await.unwrap_err();

    assert!(matches!(&error, TransportError::Folder { folder, .. } if folder == "Soporte"), "{error:?}");
}

#[tokio::test]
async fn connecting_to_a_closed_port_is_a_transient_connect_error() {
    let config =
        ImapConfig::new("127.0.0.1", closed_port(), ImapSecurity::Plain, "mesa", ImapAuth::Password("x".into()));

    let error = ImapMailbox::connect(&config).await.unwrap_err();

    assert!(matches!(error, TransportError::Connect { .. }), "{error:?}");
    assert!(error.is_transient());
}

// ---------------------------------------------------------------- TLS

#[tokio::test]
async fn smtp_sends_over_starttls_and_implicit_tls_trusting_a_private_ca() {
    for sink in [SmtpSink::start_starttls(), SmtpSink::start_implicit_tls()] {
        let mut config = SmtpConfig::from_url(&sink.url()).unwrap();
        config.extra_roots_pem = Some(sink.ca_pem().to_vec());
        let sender = SmtpSender::new(&config).unwrap();

        sender.send("mesa@example.org", &["ana@example.org".to_owned()], UTF8_MESSAGE).await.unwrap();

        assert_eq!(sink.wait_for(1, Duration::from_secs(10)), vec![UTF8_MESSAGE.to_vec()], "{}", sink.url());
    }
}

#[tokio::test]
async fn smtp_refuses_a_certificate_it_does_not_trust() {
    let sink = SmtpSink::start_implicit_tls();
    let sender = SmtpSender::new(&SmtpConfig::from_url(&sink.url()).unwrap()).unwrap();

    let error = sender.send("mesa@example.org", &["ana@example.org".to_owned()], &message(1)).await.unwrap_err();

    assert!(error.is_transient(), "{error}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn imap_works_over_starttls_and_implicit_tls_trusting_a_private_ca() {
    let dovecot = Dovecot::start_tls();
    dovecot.deliver(&message(1));
    for (security, port) in [(ImapSecurity::StartTls, dovecot.imap_port()), (ImapSecurity::Tls, dovecot.imaps_port())] {
        let config =
            ImapConfig { security, port, extra_roots_pem: Some(dovecot.ca_pem().to_vec()), ..imap_config(&dovecot) };
        let mut mailbox = ImapMailbox::connect(&config).await.unwrap_or_else(|e| panic!("{security:?}: {e}"));
        assert_eq!(mailbox.fetch_unseen().await.unwrap().len(), 1, "{security:?}");
        mailbox.wait_for_change(Duration::from_millis(200)).await.unwrap();
        mailbox.logout().await.unwrap();
    }
}

#[tokio::test]
async fn imap_refuses_a_certificate_it_does_not_trust() {
    let dovecot = Dovecot::start_tls();
    let config = ImapConfig { security: ImapSecurity::Tls, port: dovecot.imaps_port(), ..imap_config(&dovecot) };

    let error = ImapMailbox::connect(&config).await.unwrap_err();

    assert!(matches!(error, TransportError::Tls { .. }), "{error:?}");
}

#[tokio::test]
async fn smtp_starttls_never_falls_back_to_plain_text() {
    let sink = SmtpSink::start();
    let config = SmtpConfig::from_url(&format!("{}?tls=starttls", sink.url())).unwrap();
    let sender = SmtpSender::new(&config).unwrap();

    let result = sender.send("mesa@example.org", &["ana@example.org".to_owned()], &message(1)).await;

    assert!(result.is_err(), "a server without STARTTLS must not get the message");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn imap_starttls_never_falls_back_to_plain_text() {
    let dovecot = Dovecot::start();
    let config = ImapConfig { security: ImapSecurity::StartTls, ..imap_config(&dovecot) };

    let error = ImapMailbox::connect(&config).await.unwrap_err();

    assert!(matches!(error, TransportError::Unsupported { what: "STARTTLS", .. }), "{error:?}");
}
