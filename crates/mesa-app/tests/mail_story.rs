//! The mail channel's story on SQLite and PostgreSQL: the corpus ingested
//! end to end, threading, loop protection, requesters by mail, idempotency.

#![forbid(unsafe_code)]

use chrono::Utc;
use mesa_app::mail::{MailboxInput, MailboxToken};
use mesa_app::routing::ServiceRoutingInput;
use mesa_app::{
    AppError, BlobStore, Desk, DeskSettings, IngestOutcome, MailIdentity, MailSettings, MailboxRow, NewServiceInput,
    OpenTicket, Store,
};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::ticket::TicketText;
use mesa_core::{Actor, Role, Status, User};
use mesa_mail::oauth::TokenGrant;
use mesa_mail::transport::Secret;
use mesa_testkit::dns::{DkimKey, TestDns};
use mesa_testkit::{TestDb, databases};

const SUPPORT: &str = "soporte@villaesperanza.gov.co";

/// The institution's DKIM key (its mail authenticates; see mail_trust.rs).
fn institution_key() -> &'static DkimKey {
    static KEY: std::sync::OnceLock<DkimKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| DkimKey::generate("villaesperanza.gov.co", "mesa"))
}

async fn desk(db: &TestDb) -> Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    let identity = MailIdentity {
        address: SUPPORT.into(),
        display_name: "Mesa de ayuda".into(),
        public_url: "https://mesa.villaesperanza.gov.co".into(),
    };
    // Senders are checked against a DNS server of the test's own: the
    // institution publishes its key; every other name does not exist.
    let dns = TestDns::start().await;
    institution_key().publish(&dns);
    let verifier = mesa_mail::SenderVerifier::with_servers(&[dns.addr()], std::time::Duration::from_secs(5)).unwrap();
    // The server lives as long as the test's runtime.
    std::mem::forget(dns);
    let settings = DeskSettings { mail: Some(identity), sender_verifier: Some(verifier), ..Default::default() };
    Desk::new(store, BlobStore::new(db.data_path()), settings)
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

async fn admin(desk: &Desk) -> User {
    desk.add_user(None, "admin@villaesperanza.gov.co", "Admin", Role::Admin, None).await.unwrap()
}

fn number(outcome: &IngestOutcome) -> i64 {
    match outcome {
        IngestOutcome::Created { number } | IngestOutcome::Appended { number } => *number,
        other => panic!("{other}"),
    }
}

fn mail(from: &str, extra_headers: &str, subject: &str, body: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {SUPPORT}\r\n{extra_headers}Subject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 19 Nov 2026 09:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// The outbox as (kind, recipients, raw) newest first.
async fn outbox(desk: &Desk, admin: &User) -> Vec<(String, String, Vec<u8>, String)> {
    desk.outbox(&actor(admin), 500)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.recipients, m.raw, m.message_id))
        .collect()
}

/// What each corpus message must become in an empty desk (numbers aside).
fn expected(file: &str) -> &'static str {
    match file {
        "19-reply-gmail-english.eml" => "appended", // its References name message 05
        "24-bounce-multipart-report.eml" | "27-read-receipt-mdn.eml" => "rejected delivery_report",
        "25-bounce-postmaster-plain.eml" => "rejected mailer_daemon",
        "26-bounce-null-return-path.eml" => "rejected null_return_path",
        "34-from-own-address.eml" | "35-x-loop-own-address.eml" => "rejected own_address",
        "37-missing-from.eml" => "rejected no_sender",
        "45-garbage-bytes.eml" => "rejected no_headers",
        "46-empty-file.eml" => "rejected empty",
        _ => "created",
    }
}

#[tokio::test]
async fn every_corpus_message_is_stored_and_gets_its_outcome_once() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mesa-mail/tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus has {} messages", files.len());
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let mut outcomes = Vec::new();
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let raw = std::fs::read(path).unwrap();
            let outcome = desk.ingest_mail("soporte", &raw).await.unwrap();
            let shown = outcome.to_string();
            let want = expected(&name);
            assert!(shown.starts_with(want), "{kind:?} {name}: {shown}, expected {want}");
            outcomes.push((name, raw, outcome));
        }
        // The reply found its ticket through References.
        let five = outcomes.iter().find(|(n, ..)| n.starts_with("05-")).map(|(.., o)| number(o)).unwrap();
        let nineteen = outcomes.iter().find(|(n, ..)| n.starts_with("19-")).map(|(.., o)| number(o)).unwrap();
        assert_eq!(five, nineteen);
        // Receiving everything again changes nothing and answers the same.
        let tickets_before = desk.store().list_tickets(&Default::default()).await.unwrap().1;
        let mails_before = outbox(&desk, &admin).await.len();
        for (name, raw, outcome) in &outcomes {
            assert_eq!(&desk.ingest_mail("soporte", raw).await.unwrap(), outcome, "{kind:?} {name} again");
        }
        assert_eq!(desk.store().list_tickets(&Default::default()).await.unwrap().1, tickets_before);
        assert_eq!(outbox(&desk, &admin).await.len(), mails_before);
        // Nothing is dropped: the rejected ones are listed for the admin, raw.
        let held = desk.held_mail(&actor(&admin), 100).await.unwrap();
        let rejected = outcomes.iter().filter(|(.., o)| matches!(o, IngestOutcome::Rejected { .. })).count();
        assert_eq!(held.len(), rejected, "{kind:?}");
        for h in &held {
            let raw = desk.raw_mail(&actor(&admin), h.id).await.unwrap();
            assert!(outcomes.iter().any(|(_, r, _)| r == &raw));
        }
        // Auto-replies, lists and bulk mail make tickets but get no acknowledgement.
        let answered: Vec<String> = outbox(&desk, &admin)
            .await
            .into_iter()
            .filter(|(kind, ..)| kind == "created")
            .filter_map(|(_, _, raw, _)| {
                mesa_mail::parse(&raw).unwrap().in_reply_to.first().map(|id| id.as_str().to_owned())
            })
            .collect();
        for quiet in ["28-", "30-", "31-", "32-", "33-"] {
            let (_, raw, _) = outcomes.iter().find(|(n, ..)| n.starts_with(quiet)).unwrap();
            let id = mesa_mail::parse(raw).unwrap().message_id.unwrap().as_str().to_owned();
            assert!(!answered.contains(&id), "{kind:?} {quiet} was acknowledged");
        }
        let (_, first, _) = &outcomes[0];
        let id = mesa_mail::parse(first).unwrap().message_id.unwrap().as_str().to_owned();
        assert!(answered.contains(&id), "{kind:?}: a person's mail is acknowledged");
    }
}

#[tokio::test]
async fn a_thread_by_mail_replies_reply_all_strangers_and_agents() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let agent = desk.add_user(None, "tecnico@villaesperanza.gov.co", "Técnico", Role::Agent, None).await.unwrap();

        // Ana writes, copying her boss (signed: her Cc joins the ticket).
        let first = institution_key().sign(&mail(
            "Ana Gómez <ana.gomez@villaesperanza.gov.co>",
            "Cc: Jefe <jefe@villaesperanza.gov.co>\r\n",
            "Impresora sin tóner",
            "La impresora del piso 3 no imprime.",
            "first@villaesperanza.gov.co",
        ));
        let n = number(&desk.ingest_mail("soporte", &first).await.unwrap());
        let page = desk.ticket(&actor(&admin), n).await.unwrap();
        assert_eq!(page.view.requester_email, "ana.gomez@villaesperanza.gov.co");
        assert_eq!(page.view.requester_name, "Ana Gómez");
        assert_eq!(page.view.ticket.subject, "Impresora sin tóner");

        // She is acknowledged with the number, threaded on her message.
        let mails = outbox(&desk, &admin).await;
        let (_, to, raw, ack_id) = mails.iter().find(|(k, ..)| k == "created").unwrap();
        assert_eq!(to, "ana.gomez@villaesperanza.gov.co");
        let ack = mesa_mail::parse(raw).unwrap();
        assert!(ack.subject.starts_with(&format!("[#{n}]")), "{}", ack.subject);
        assert!(ack.text.contains(&n.to_string()));
        assert_eq!(ack.in_reply_to[0].as_str(), "first@villaesperanza.gov.co");
        assert_eq!(ack.header("Auto-Submitted"), Some("auto-replied"));

        // Her answer to the acknowledgement joins the ticket (by In-Reply-To).
        let answer = mail(
            "ana.gomez@villaesperanza.gov.co",
            &format!("In-Reply-To: {ack_id}\r\n"),
            "RE: algo distinto",
            "Es la HP LaserJet.\r\n\r\nEl jue, Mesa escribió:\r\n> Recibimos su solicitud",
            "answer@villaesperanza.gov.co",
        );
        assert_eq!(desk.ingest_mail("soporte", &answer).await.unwrap(), IngestOutcome::Appended { number: n });
        // Her boss answers all with the tag only: a participant, so it joins too.
        let boss = mail("jefe@villaesperanza.gov.co", "", &format!("RE: [#{n}] Impresora"), "Es urgente.", "boss@x");
        assert_eq!(desk.ingest_mail("soporte", &boss).await.unwrap(), IngestOutcome::Appended { number: n });
        let page = desk.ticket(&actor(&admin), n).await.unwrap();
        assert_eq!(page.entries.len(), 2);
        assert!(page.entries[0].body.contains("> Recibimos"), "the full text is kept");

        // A stranger using the tag gets a ticket of their own...
        let stranger = mail("otro@gmail.com", "", &format!("RE: [#{n}] Impresora"), "Yo también.", "stranger@x");
        let other = number(&desk.ingest_mail("soporte", &stranger).await.unwrap());
        assert_ne!(other, n);
        // ...or is held, by policy.
        let quarantine = MailSettings { stranger_tag: "quarantine".into(), ..Default::default() };
        desk.set_mail_settings(&actor(&admin), &quarantine).await.unwrap();
        let stranger2 = mail("otro2@gmail.com", "", &format!("[#{n}] Hola"), "¿Me ayudan?", "stranger2@x");
        let held = desk.ingest_mail("soporte", &stranger2).await.unwrap();
        assert_eq!(held, IngestOutcome::Rejected { reason: "tag_from_stranger".into() });
        // A forged Mesa Message-ID does not thread either.
        let forged_id = format!("<mesa.{n}.1.00000000000000000000000000000000@villaesperanza.gov.co>");
        let forged = mail("otro3@gmail.com", &format!("In-Reply-To: {forged_id}\r\n"), "Hola", "x", "forged@x");
        assert!(
            matches!(desk.ingest_mail("soporte", &forged).await.unwrap(), IngestOutcome::Created { number } if number != n)
        );

        // The agent replies on the web: Ana and the participant get it, threaded.
        let a = actor(&agent);
        desk.assign(&a, n, agent.email.as_str(), None, None).await.unwrap();
        desk.reply(&a, n, "Cambiamos el tóner.", false).await.unwrap();
        desk.reply(&a, n, "Nota: pedir más tóner.", true).await.unwrap();
        let replies: Vec<_> = outbox(&desk, &admin).await.into_iter().filter(|(k, ..)| k == "public_reply").collect();
        let mut to: Vec<&str> = replies.iter().map(|(_, to, ..)| to.as_str()).collect();
        to.sort();
        assert_eq!(to, ["ana.gomez@villaesperanza.gov.co", "jefe@villaesperanza.gov.co"]);
        let reply = mesa_mail::parse(&replies[0].2).unwrap();
        assert!(reply.text.contains("Cambiamos el tóner.") && !reply.text.contains("pedir más"));
        let refs: Vec<&str> = reply.references.iter().map(|r| r.as_str()).collect();
        assert!(refs.contains(&"first@villaesperanza.gov.co"), "{refs:?}");
        assert!(reply.subject.contains(&format!("[#{n}]")));

        // Solved, then closed: a reply within the window reopens it.
        for input in [
            TransitionInput { to: Some(Status::Solved), resolution: Some("Tóner nuevo".into()), ..Default::default() },
            TransitionInput { to: Some(Status::Closed), ..Default::default() },
        ] {
            desk.transition(&a, n, input).await.unwrap();
        }
        let kinds: Vec<String> = outbox(&desk, &admin).await.into_iter().map(|(k, ..)| k).collect();
        assert!(kinds.contains(&"solved".to_owned()) && kinds.contains(&"closed".to_owned()), "{kinds:?}");
        let again =
            mail("ana.gomez@villaesperanza.gov.co", "", &format!("RE: [#{n}] x"), "Volvió a fallar.", "again@x");
        assert_eq!(desk.ingest_mail("soporte", &again).await.unwrap(), IngestOutcome::Appended { number: n });
        assert_eq!(desk.ticket(&actor(&admin), n).await.unwrap().view.ticket.status, Status::InProgress);
        // After the window, a new ticket that says which one it continues.
        desk.transition(
            &a,
            n,
            TransitionInput { to: Some(Status::Solved), resolution: Some("ok".into()), ..Default::default() },
        )
        .await
        .unwrap();
        desk.transition(&a, n, TransitionInput { to: Some(Status::Closed), ..Default::default() }).await.unwrap();
        let no_window = MailSettings { reopen_within_days: 0, ..Default::default() };
        desk.set_mail_settings(&actor(&admin), &no_window).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        let late = mail("ana.gomez@villaesperanza.gov.co", "", &format!("RE: [#{n}] x"), "Otra vez.", "late@x");
        let newer = number(&desk.ingest_mail("soporte", &late).await.unwrap());
        assert_ne!(newer, n);
        let page = desk.ticket(&actor(&admin), newer).await.unwrap();
        assert!(page.view.ticket.description.contains(&n.to_string()), "{}", page.view.ticket.description);
    }
}

#[tokio::test]
async fn loops_are_broken_and_unknown_senders_are_checked() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;

        // One sender writing many times gets a bounded number of acknowledgements.
        for i in 0..8 {
            let m = mail("bot@ejemplo.org", "", &format!("Caso {i}"), "texto", &format!("flood{i}@x"));
            assert!(matches!(desk.ingest_mail("soporte", &m).await.unwrap(), IngestOutcome::Created { .. }));
        }
        let acks = outbox(&desk, &admin).await.into_iter().filter(|(k, ..)| k == "created").count();
        assert_eq!(acks, MailSettings::default().auto_replies_per_hour as usize, "{kind:?}");

        // Our own acknowledgement coming back is rejected, not a ticket.
        let (_, _, raw, _) = outbox(&desk, &admin).await.into_iter().next().unwrap();
        let outcome = desk.ingest_mail("soporte", &raw).await.unwrap();
        assert_eq!(outcome, IngestOutcome::Rejected { reason: "own_address".into() });

        // Only the institution's domain may open tickets by mail; others wait for an admin.
        let settings = MailSettings { allowed_domains: vec!["villaesperanza.gov.co".into()], ..Default::default() };
        desk.set_mail_settings(&actor(&admin), &settings).await.unwrap();
        let outsider = mail("vendedor@spam.example", "", "Oferta", "Compre ya", "outsider@x");
        let outcome = desk.ingest_mail("soporte", &outsider).await.unwrap();
        assert_eq!(outcome, IngestOutcome::Rejected { reason: "sender_not_allowed".into() });
        let held = desk.held_mail(&actor(&admin), 10).await.unwrap();
        let id = held.iter().find(|h| h.reason.as_deref() == Some("sender_not_allowed")).unwrap().id;
        let released = desk.release_mail(&actor(&admin), id).await.unwrap();
        assert!(matches!(released, IngestOutcome::Created { .. }));
        // Released once: the same message received again reports the same ticket.
        assert_eq!(desk.ingest_mail("soporte", &outsider).await.unwrap(), released);
        let insider = mail("nuevo@villaesperanza.gov.co", "", "Hola", "Necesito VPN", "insider@x");
        assert!(matches!(desk.ingest_mail("soporte", &insider).await.unwrap(), IngestOutcome::Created { .. }));
        // A requester never reads the held list.
        let requester = desk.add_user(None, "r@villaesperanza.gov.co", "R", Role::Requester, None).await.unwrap();
        assert!(desk.held_mail(&actor(&requester), 10).await.is_err());
    }
}

#[tokio::test]
async fn files_in_mail_become_attachments_once() {
    let raw = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../mesa-mail/tests/corpus/14-multipart-mixed-pdf-and-image.eml"),
    )
    .unwrap();
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let n = number(&desk.ingest_mail("soporte", &raw).await.unwrap());
        let files = desk.ticket(&actor(&admin), n).await.unwrap().attachments;
        assert_eq!(files.len(), 2, "{kind:?}: {files:?}");
        // A retried message (same Message-ID, another mailbox's copy too) adds nothing.
        desk.ingest_mail("soporte", &raw).await.unwrap();
        assert_eq!(desk.ticket(&actor(&admin), n).await.unwrap().attachments.len(), 2);
        // The requester (created from the mail) can download them.
        let page = desk.ticket(&actor(&admin), n).await.unwrap();
        let requester = desk.store().user_by_id(page.view.ticket.requester_id).await.unwrap();
        let (_, bytes) = desk.attachment(&actor(&requester), files[0].id).await.unwrap();
        assert_eq!(bytes.len() as i64, files[0].size);
    }
}

#[tokio::test]
async fn tickets_opened_on_the_web_are_acknowledged_by_mail_and_agents_hear_of_assignments() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let agent = desk.add_user(None, "tecnico@villaesperanza.gov.co", "Técnico", Role::Agent, None).await.unwrap();
        let requester = desk.add_user(None, "ana@villaesperanza.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let input = OpenTicket::new(TicketText::new("VPN", "No conecta").unwrap());
        let n = desk.open_ticket(&requester, input).await.unwrap().ticket.number;
        desk.assign(&actor(&admin), n, agent.email.as_str(), None, None).await.unwrap();
        let mails = outbox(&desk, &admin).await;
        let kinds: Vec<(&str, &str)> = mails.iter().map(|(k, to, ..)| (k.as_str(), to.as_str())).collect();
        assert!(kinds.contains(&("created", "ana@villaesperanza.gov.co")), "{kinds:?}");
        assert!(kinds.contains(&("agent_assigned", "tecnico@villaesperanza.gov.co")), "{kinds:?}");
        // The requester's answer by mail goes to the assignee.
        let (_, _, raw, _) = mails.iter().find(|(k, ..)| k == "created").unwrap();
        let ack = mesa_mail::parse(raw).unwrap();
        let answer = mail(
            "ana@villaesperanza.gov.co",
            &format!("In-Reply-To: <{}>\r\n", ack.message_id.unwrap().as_str()),
            &format!("RE: {}", ack.subject),
            "Sigue sin conectar.",
            "ana-answer@x",
        );
        assert_eq!(desk.ingest_mail("soporte", &answer).await.unwrap(), IngestOutcome::Appended { number: n });
        let kinds: Vec<String> =
            outbox(&desk, &admin).await.into_iter().map(|(k, to, ..)| format!("{k} {to}")).collect();
        assert!(kinds.contains(&"requester_replied tecnico@villaesperanza.gov.co".to_owned()), "{kinds:?}");
    }
}

#[tokio::test]
async fn a_service_approver_is_asked_by_mail_when_a_ticket_waits_for_them() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let approver = desk.add_user(None, "jefe@villaesperanza.gov.co", "Jefe", Role::Requester, None).await.unwrap();
        let requester = desk.add_user(None, "ana@villaesperanza.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let input = NewServiceInput {
            name: "Carpetas".into(),
            category: "Infra".into(),
            default_type: None,
            default_level: None,
            team_id: None,
        };
        let service = desk.add_service(Some(&actor(&admin)), input).await.unwrap();
        let routing = ServiceRoutingInput {
            requires_authorization: Some(true),
            approver_email: Some(Some(approver.email.as_str().to_owned())),
            ..Default::default()
        };
        desk.set_service_routing(&actor(&admin), service.id, &routing).await.unwrap();
        let mut input = OpenTicket::new(TicketText::new("Carpeta de contratos", "Necesito acceso").unwrap());
        input.service_id = Some(service.id);
        let n = desk.open_ticket(&requester, input).await.unwrap().ticket.number;
        let asked: Vec<(String, String)> = outbox(&desk, &admin)
            .await
            .into_iter()
            .filter(|(k, ..)| k == "authorization_requested")
            .map(|(_, to, raw, _)| (to, String::from_utf8_lossy(&raw).into_owned()))
            .collect();
        assert_eq!(asked.len(), 1, "{asked:?}");
        assert_eq!(asked[0].0, "jefe@villaesperanza.gov.co");
        let text = mesa_mail::parse(asked[0].1.as_bytes()).unwrap().text;
        assert!(text.contains(&format!("/tickets/{n}#authorization")), "{text}");
        // A ticket without a pending authorisation asks nobody.
        let plain = OpenTicket::new(TicketText::new("VPN", "No conecta").unwrap());
        desk.open_ticket(&requester, plain).await.unwrap();
        let count = outbox(&desk, &admin).await.iter().filter(|(k, ..)| k == "authorization_requested").count();
        assert_eq!(count, 1);
    }
}

#[tokio::test]
async fn the_same_message_delivered_twice_at_once_is_written_once() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let first = mail("Ana <ana@villaesperanza.gov.co>", "", "Sin impresora", "No imprime.", "twice-1@x.co");
        // Two deliveries racing (an IMAP poller and a retried MTA pipe): each
        // stores or finds the raw message, then both try to write the ticket.
        let (a, b) = tokio::join!(desk.ingest_mail("soporte", &first), desk.ingest_mail("soporte", &first));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b, "{kind:?}: both report the same outcome");
        assert!(matches!(a, IngestOutcome::Created { .. }), "{kind:?}: {a:?}");
        let n = number(&a);
        let reply = mail(
            "Ana <ana@villaesperanza.gov.co>",
            "In-Reply-To: <twice-1@x.co>\r\n",
            "Re: Sin impresora",
            "Ya reinicié el equipo.",
            "twice-2@x.co",
        );
        let (a, b) = tokio::join!(desk.ingest_mail("soporte", &reply), desk.ingest_mail("soporte", &reply));
        assert_eq!(a.unwrap(), IngestOutcome::Appended { number: n }, "{kind:?}");
        assert_eq!(b.unwrap(), IngestOutcome::Appended { number: n }, "{kind:?}");

        let (_, total) = desk.store().list_tickets(&Default::default()).await.unwrap();
        assert_eq!(total.count, 1, "{kind:?}: one ticket");
        let page = desk.ticket(&actor(&admin), n).await.unwrap();
        assert_eq!(page.entries.len(), 1, "{kind:?}: one reply: {:?}", page.entries);
        let acks = outbox(&desk, &admin).await.into_iter().filter(|m| m.0 == "created").count();
        assert_eq!(acks, 1, "{kind:?}: acknowledged once");
    }
}

#[tokio::test]
async fn the_html_of_a_mail_and_of_its_replies_is_kept_for_whoever_sees_them() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mesa-mail/tests/corpus");
    let first = std::fs::read(corpus.join("12-multipart-alternative.eml")).unwrap();
    let reply = b"From: Ana Gomez <ana.gomez@villaesperanza.gov.co>\r\nTo: soporte@villaesperanza.gov.co\r\n\
        Subject: Re: Clave del SIIF bloqueada\r\nMessage-ID: <alt-12-re@villaesperanza.gov.co>\r\n\
        In-Reply-To: <alt-12@villaesperanza.gov.co>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
        <p>Sigue <i>bloqueada</i>.</p><script>alert(1)</script>\r\n";
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = admin(&desk).await;
        let n = number(&desk.ingest_mail("soporte", &first).await.unwrap());
        assert_eq!(desk.ingest_mail("soporte", reply).await.unwrap(), IngestOutcome::Appended { number: n });
        let page = desk.ticket(&actor(&admin), n).await.unwrap();
        assert_eq!(
            page.view.ticket.description.trim(),
            "Se me bloqueó la clave del SIIF después de tres intentos.\n(versión texto)"
        );
        let html = desk.mail_html(&page).await.unwrap();
        let opened = &html.iter().find(|(entry, _)| entry.is_none()).expect("the first mail's HTML").1;
        assert!(opened.contains("<b>SIIF</b>") && opened.contains("(versión html)"), "{kind:?}: {opened}");
        let entry = page.entries[0].id;
        let replied = &html.iter().find(|(e, _)| *e == Some(entry)).expect("the reply's HTML").1;
        assert_eq!(replied, "<p>Sigue <i>bloqueada</i>.</p>", "{kind:?}: sanitised");
        // The requester sees both on their own ticket.
        let ana = desk.store().user_by_id(page.view.ticket.requester_id).await.unwrap();
        let hers = desk.ticket(&actor(&ana), n).await.unwrap();
        assert_eq!(desk.mail_html(&hers).await.unwrap().len(), 2, "{kind:?}");
    }
}

// ------------------------------------------------------------ OAuth2 mailboxes

const TOKEN_URL: &str = "https://login.microsoftonline.com/villaesperanza.gov.co/oauth2/v2.0/token";

fn oauth_mailbox(refresh_token: Option<&str>) -> MailboxInput {
    MailboxInput {
        name: "soporte".into(),
        host: "outlook.office365.com".into(),
        username: SUPPORT.into(),
        auth: Some("xoauth2".into()),
        token_url: Some(TOKEN_URL.into()),
        client_id: Some("client-1".into()),
        client_secret: Some("client-secret-1".into()),
        refresh_token: refresh_token.map(str::to_owned),
        scope: Some("https://outlook.office365.com/IMAP.AccessAsUser.All offline_access".into()),
        ..Default::default()
    }
}

fn field_error(result: Result<MailboxRow, AppError>) -> (&'static str, &'static str) {
    match result {
        Err(AppError::Invalid(f)) => (f.field, f.code),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn grant(access_token: &str, expires_at: chrono::DateTime<Utc>, rotated: Option<&str>) -> TokenGrant {
    TokenGrant { access_token: Secret::new(access_token), expires_at, refresh_token: rotated.map(Secret::new) }
}

#[tokio::test]
async fn an_xoauth2_mailbox_keeps_its_refresh_settings_and_its_secrets_only_for_the_same_client() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = actor(&admin(&desk).await);

        // Only a refresh token: no access token to paste.
        let saved = desk.put_mailbox(&admin, oauth_mailbox(Some("rt-1"))).await.unwrap();
        assert_eq!(saved.oauth_token_url.as_deref(), Some(TOKEN_URL), "{kind:?}");
        assert_eq!(saved.oauth_refresh_token.as_deref(), Some("rt-1"));
        assert_eq!(saved.oauth_client_secret.as_deref(), Some("client-secret-1"));
        assert_eq!(saved.secret, "");
        assert!(!format!("{saved:?}").contains("rt-1") && !format!("{saved:?}").contains("client-secret-1"));

        // Saved again without the write-only fields: both kept.
        let again = MailboxInput { client_secret: None, ..oauth_mailbox(None) };
        let saved = desk.put_mailbox(&admin, again).await.unwrap();
        assert_eq!(saved.oauth_refresh_token.as_deref(), Some("rt-1"), "{kind:?}");
        assert_eq!(saved.oauth_client_secret.as_deref(), Some("client-secret-1"));

        // Another client: the old secrets are not its own, a refresh token is needed.
        let other_client =
            MailboxInput { client_id: Some("client-2".into()), client_secret: None, ..oauth_mailbox(None) };
        assert_eq!(field_error(desk.put_mailbox(&admin, other_client.clone()).await), ("refresh_token", "required"));
        let other_client = MailboxInput { refresh_token: Some("rt-2".into()), ..other_client };
        let saved = desk.put_mailbox(&admin, other_client).await.unwrap();
        assert_eq!(saved.oauth_client_secret, None, "{kind:?}: the first client's secret is dropped");
        assert_eq!(saved.oauth_refresh_token.as_deref(), Some("rt-2"));

        // Without a token endpoint: back to a pasted access token, which is then required.
        let plain =
            MailboxInput { token_url: None, client_id: None, client_secret: None, scope: None, ..oauth_mailbox(None) };
        assert_eq!(field_error(desk.put_mailbox(&admin, plain.clone()).await), ("secret", "required"));
        let saved =
            desk.put_mailbox(&admin, MailboxInput { secret: Some("ya29.pasted".into()), ..plain }).await.unwrap();
        assert_eq!(
            (saved.oauth_token_url, saved.oauth_client_id, saved.oauth_refresh_token, saved.oauth_scope),
            (None, None, None, None),
            "{kind:?}"
        );
        assert_eq!(
            desk.mailbox_token("soporte", None, Utc::now()).await.unwrap(),
            MailboxToken::Ready(Secret::new("ya29.pasted"))
        );
    }
}

#[tokio::test]
async fn token_endpoints_are_checked_field_by_field() {
    let db = TestDb::new(mesa_testkit::Db::Sqlite).await;
    let desk = desk(&db).await;
    let admin = actor(&admin(&desk).await);
    let with_url = |url: &str| MailboxInput { token_url: Some(url.into()), ..oauth_mailbox(Some("rt")) };

    let cases = [
        (with_url("http://login.microsoftonline.com/t/oauth2/v2.0/token"), ("token_url", "not_https")),
        (
            with_url("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
            ("token_url", "unfilled_placeholder"),
        ),
        (with_url("token endpoint"), ("token_url", "invalid_url")),
        (MailboxInput { auth: Some("password".into()), ..oauth_mailbox(Some("rt")) }, ("token_url", "needs_xoauth2")),
        (MailboxInput { client_id: None, ..oauth_mailbox(Some("rt")) }, ("client_id", "required")),
        (oauth_mailbox(None), ("refresh_token", "required")),
        (MailboxInput { token_url: None, ..oauth_mailbox(Some("rt")) }, ("token_url", "required")),
    ];
    for (input, expected) in cases {
        assert_eq!(field_error(desk.put_mailbox(&admin, input).await), expected);
    }
    assert!(desk.put_mailbox(&admin, with_url("http://127.0.0.1:8080/token")).await.is_ok(), "loopback may be http");
}

#[tokio::test]
async fn the_stored_access_token_is_used_while_fresh_and_a_rotated_refresh_token_replaces_the_old_one() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = actor(&admin(&desk).await);
        desk.put_mailbox(&admin, oauth_mailbox(Some("rt-1"))).await.unwrap();
        let now = Utc::now();

        // Nothing stored yet: refresh, with everything the grant needs.
        let MailboxToken::Refresh(request) = desk.mailbox_token("soporte", None, now).await.unwrap() else {
            panic!("{kind:?}: a mailbox without an access token must refresh");
        };
        assert_eq!(request.refresh_token.expose(), "rt-1");
        assert_eq!(request.client_secret.as_ref().map(Secret::expose), Some("client-secret-1"));
        assert_eq!(
            request.scope.as_deref(),
            Some("https://outlook.office365.com/IMAP.AccessAsUser.All offline_access")
        );

        // The answer is stored for every process, with the rotated refresh token.
        let expires_at = now + chrono::TimeDelta::seconds(3599);
        assert!(
            desk.mailbox_token_granted("soporte", &request, &grant("at-1", expires_at, Some("rt-2"))).await.unwrap()
        );
        let stored = desk.store().mailbox("soporte").await.unwrap();
        assert_eq!(stored.oauth_refresh_token.as_deref(), Some("rt-2"), "{kind:?}");
        assert_eq!(stored.oauth_expires_at.map(|t| t.timestamp()), Some(expires_at.timestamp()));
        assert_eq!(desk.mailbox_token("soporte", None, now).await.unwrap(), MailboxToken::Ready(Secret::new("at-1")));

        // Within a minute of its expiry, or refused by the server: refresh, now with rt-2.
        let late = expires_at - chrono::TimeDelta::seconds(30);
        let MailboxToken::Refresh(request) = desk.mailbox_token("soporte", None, late).await.unwrap() else {
            panic!("{kind:?}: an expiring token must be refreshed");
        };
        assert_eq!(request.refresh_token.expose(), "rt-2");
        let refused = Secret::new("at-1");
        assert!(matches!(desk.mailbox_token("soporte", Some(&refused), now).await.unwrap(), MailboxToken::Refresh(_)));

        // An admin who enters a new refresh token meanwhile wins over a late answer.
        desk.put_mailbox(&admin, oauth_mailbox(Some("rt-admin"))).await.unwrap();
        assert!(
            !desk.mailbox_token_granted("soporte", &request, &grant("at-2", expires_at, Some("rt-3"))).await.unwrap()
        );
        let stored = desk.store().mailbox("soporte").await.unwrap();
        assert_eq!(stored.oauth_refresh_token.as_deref(), Some("rt-admin"), "{kind:?}");
        assert_eq!(stored.oauth_access_token, None, "saving the mailbox dropped the cached token");
    }
}
