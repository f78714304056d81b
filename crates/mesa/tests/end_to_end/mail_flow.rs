//! The mail channel against real servers: Dovecot (IMAP) and an SMTP
//! receiver on loopback, with `mesa serve` polling and sending.

use std::time::{Duration, Instant};

use mesa_testkit::mail_servers::{Dovecot, SmtpSink};
use mesa_testkit::{TestServer, databases};
use serde_json::{Value, json};

use crate::support::{Desk, bin};

const SUPPORT: &str = "soporte@villaesperanza.gov.co";

pub(crate) fn serve_args(sink: &SmtpSink) -> Vec<String> {
    vec![
        "--mail-from".into(),
        SUPPORT.into(),
        "--smtp-url".into(),
        sink.url(),
        "--public-url".into(),
        "https://mesa.villaesperanza.gov.co".into(),
    ]
}

pub(crate) async fn add_mailbox(desk: &Desk, dovecot: &Dovecot) {
    let body = json!({
        "host": "127.0.0.1", "port": dovecot.imap_port(), "security": "plain",
        "username": Dovecot::USER, "secret": Dovecot::PASSWORD, "poll_seconds": 5
    });
    let (status, saved) = desk.post_put("PUT", &desk.admin, "/api/v1/mailboxes/soporte", body).await;
    assert_eq!(status, 200, "{saved}");
    assert!(saved.get("secret").is_none(), "the secret never comes back");
}

/// Polls `check` every 200 ms for up to 60 s.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub(crate) fn new_request(id: &str) -> Vec<u8> {
    format!(
        "From: Clara Ruiz <clara.ruiz@villaesperanza.gov.co>\r\nTo: {SUPPORT}\r\n\
         Subject: =?UTF-8?Q?Sin_conexi=C3=B3n_en_la_Secretar=C3=ADa?=\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 26 Nov 2026 08:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         No hay internet en la oficina 204 desde esta mañana.\r\n"
    )
    .into_bytes()
}

/// The mails the sink received for `to`, parsed.
pub(crate) fn mails_to(sink: &SmtpSink, to: &str) -> Vec<mesa_mail::ParsedMail> {
    sink.received()
        .into_iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(to)))
        .map(|m| mesa_mail::parse(&m.raw).expect("Mesa's mail parses"))
        .collect()
}

#[tokio::test]
async fn a_mail_becomes_a_ticket_is_acknowledged_and_the_conversation_stays_threaded() {
    for kind in databases() {
        let dovecot = Dovecot::start();
        let sink = SmtpSink::start();
        let args = serve_args(&sink);
        let desk = Desk::start_with(kind, &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
        add_mailbox(&desk, &dovecot).await;

        dovecot.deliver(&new_request("clara-1@villaesperanza.gov.co"));
        let number = eventually("the ticket", || async {
            let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?q=conexion").await;
            list["items"].as_array().and_then(|items| items.first()).and_then(|t| t["number"].as_i64())
        })
        .await;
        // The acknowledgement reaches Clara with the number (seed 000: the filing reference).
        let ack = eventually("the acknowledgement", || async {
            mails_to(&sink, "clara.ruiz@villaesperanza.gov.co").into_iter().next()
        })
        .await;
        assert!(ack.subject.starts_with(&format!("[#{number}]")), "{kind:?}: {}", ack.subject);
        assert!(ack.text.contains(&number.to_string()));
        assert_eq!(ack.in_reply_to[0].as_str(), "clara-1@villaesperanza.gov.co");
        // The message is acknowledged to the mailbox only after it was stored.
        eventually("the message marked seen", || async { (dovecot.seen_count("INBOX") == 1).then_some(()) }).await;

        // Clara answers the acknowledgement: the same ticket.
        let answer = format!(
            "From: clara.ruiz@villaesperanza.gov.co\r\nTo: {SUPPORT}\r\nSubject: RE: {}\r\n\
             Message-ID: <clara-2@villaesperanza.gov.co>\r\nIn-Reply-To: <{}>\r\n\
             References: <clara-1@villaesperanza.gov.co> <{}>\r\n\r\nEl cable está conectado.\r\n\r\n\
             El jue., Mesa escribió:\r\n> Recibimos su solicitud\r\n",
            ack.subject,
            ack.message_id.as_ref().unwrap().as_str(),
            ack.message_id.as_ref().unwrap().as_str()
        );
        dovecot.deliver(answer.as_bytes());
        let ticket: Value = eventually("the answer on the ticket", || async {
            let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{number}")).await;
            (t["thread"].as_array().map_or(0, Vec::len) == 1).then_some(t)
        })
        .await;
        assert!(ticket["thread"][0]["body"].as_str().unwrap().contains("El cable está conectado."));
        let (_, list) = desk.get(&desk.agent, "/api/v1/tickets").await;
        assert_eq!(list["total"], 1, "{kind:?}: no second ticket");

        // The agent answers on the web; the mail goes out threaded under Clara's messages.
        let (status, _) = desk
            .post(
                &desk.agent,
                &format!("/api/v1/tickets/{number}/replies"),
                json!({"body": "Reiniciamos el switch del piso 2.", "internal": false}),
            )
            .await;
        assert_eq!(status, 201);
        let reply = eventually("the agent's reply by mail", || async {
            mails_to(&sink, "clara.ruiz@villaesperanza.gov.co").into_iter().find(|m| m.text.contains("switch"))
        })
        .await;
        let refs: Vec<&str> = reply.references.iter().map(|r| r.as_str()).collect();
        assert!(
            refs.contains(&"clara-1@villaesperanza.gov.co") && refs.contains(&"clara-2@villaesperanza.gov.co"),
            "{refs:?}"
        );
        assert!(!reply.in_reply_to.is_empty());
        assert!(reply.subject.contains(&format!("[#{number}]")));
        assert!(reply.html.as_deref().unwrap_or_default().contains("switch"), "an HTML part too");
        let (_, outbox) = desk.get(&desk.admin, "/api/v1/mail/outbox").await;
        assert!(outbox.as_array().unwrap().iter().all(|m| m["failed_at"].is_null()), "{outbox}");
    }
}

#[tokio::test]
async fn a_server_killed_between_storing_and_acknowledging_loses_and_duplicates_nothing() {
    for kind in databases() {
        let dovecot = Dovecot::start();
        let sink = SmtpSink::start();
        let args = serve_args(&sink);
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut desk = Desk::start_with(kind, &arg_refs).await;
        add_mailbox(&desk, &dovecot).await;

        // The server is replaced by one that dies right after ingesting a
        // message, before flagging it in the mailbox.
        desk.server = TestServer::start_with_env(bin(), &desk.db, &arg_refs, &[("MESA_FAILPOINT", "mail_before_ack")]);
        dovecot.deliver(&new_request("crash-1@villaesperanza.gov.co"));
        assert!(desk.server.wait_for_exit(Duration::from_secs(90)), "{kind:?}: the failpoint must kill the server");
        assert_eq!(dovecot.seen_count("INBOX"), 0, "not acknowledged");

        // A fresh server takes the mailbox over once the dead one's lease lapses.
        desk.server = TestServer::start(bin(), &desk.db, &arg_refs);
        eventually("the message marked seen", || async { (dovecot.seen_count("INBOX") == 1).then_some(()) }).await;
        let (_, list) = desk.get(&desk.agent, "/api/v1/tickets").await;
        assert_eq!(list["total"], 1, "{kind:?}: one ticket, not two");
        let acks = eventually("the acknowledgement", || async {
            let acks = mails_to(&sink, "clara.ruiz@villaesperanza.gov.co");
            (!acks.is_empty()).then_some(acks)
        })
        .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(acks.len().max(mails_to(&sink, "clara.ruiz@villaesperanza.gov.co").len()), 1, "acknowledged once");
    }
}
