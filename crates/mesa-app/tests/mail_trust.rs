//! Mail you can trust (issue 11), on SQLite and PostgreSQL: the six ways the
//! mail channel was abused, each turned into its safe outcome, with
//! DKIM-signed and unsigned messages (Ed25519 keys made here, DNS answers
//! from the testkit's DNS server, through Mesa's real resolver).

use std::time::Duration;

use mesa_app::{BlobStore, Desk, DeskSettings, IngestOutcome, MailIdentity, MailSettings, SenderPolicy, Store};
use mesa_core::{Actor, Role, Status, User};
use mesa_mail::SenderVerifier;
use mesa_testkit::dns::{DkimKey, TestDns};
use mesa_testkit::{TestDb, databases};

const SUPPORT: &str = "soporte@villaesperanza.gov.co";
const DOMAIN: &str = "villaesperanza.gov.co";
const ANA: &str = "ana.gomez@villaesperanza.gov.co";
const AGENT: &str = "tecnico@villaesperanza.gov.co";

/// A desk whose senders are checked against `dns`, where the institution
/// publishes a DKIM key and `p=reject`.
struct Setup {
    desk: Desk,
    dns: TestDns,
    key: DkimKey,
    admin: User,
    agent: User,
}

async fn setup(db: &TestDb, max_attachment_bytes: usize) -> Setup {
    let dns = TestDns::start().await;
    let key = DkimKey::generate(DOMAIN, "mesa2026");
    key.publish(&dns);
    dns.txt(&format!("_dmarc.{DOMAIN}"), "v=DMARC1; p=reject");
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    let identity = MailIdentity {
        address: SUPPORT.into(),
        display_name: "Mesa de ayuda".into(),
        public_url: "https://mesa.villaesperanza.gov.co".into(),
    };
    let verifier = SenderVerifier::with_servers(&[dns.addr()], Duration::from_secs(3)).expect("resolver");
    let settings = DeskSettings { mail: Some(identity), sender_verifier: Some(verifier), max_attachment_bytes };
    let desk = Desk::new(store, BlobStore::new(db.data_path()), settings);
    let admin = desk.add_user(None, "admin@villaesperanza.gov.co", "Admin", Role::Admin, None).await.unwrap();
    let agent = desk.add_user(None, AGENT, "Técnico", Role::Agent, None).await.unwrap();
    Setup { desk, dns, key, admin, agent }
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

fn mail(from: &str, extra_headers: &str, subject: &str, body: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {SUPPORT}\r\n{extra_headers}Subject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 19 Nov 2026 09:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn number(outcome: &IngestOutcome) -> i64 {
    match outcome {
        IngestOutcome::Created { number } | IngestOutcome::Appended { number } => *number,
        other => panic!("not joined: {other}"),
    }
}

/// Ana opens a ticket with a signed mail; its number.
async fn ticket_by_ana(s: &Setup, id: &str) -> i64 {
    let first = s.key.sign(&mail(ANA, "", "Impresora sin tóner", "No imprime.", id));
    number(&s.desk.ingest_mail("soporte", &first).await.unwrap())
}

/// The outbox as (kind, recipients).
async fn outbox(s: &Setup) -> Vec<(String, String)> {
    s.desk.outbox(&actor(&s.admin), 500).await.unwrap().into_iter().map(|m| (m.kind, m.recipients)).collect()
}

async fn participants(s: &Setup, n: i64) -> Vec<String> {
    let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
    s.desk.store().participants(page.view.ticket.id).await.unwrap().into_iter().map(|p| p.email).collect()
}

#[tokio::test]
async fn a_forged_agent_reply_becomes_an_unverified_internal_note_and_a_signed_one_a_reply() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        let n = ticket_by_ana(&s, "first@villaesperanza.gov.co").await;
        let before = outbox(&s).await.len();

        // Case 1: anyone can write From: the agent.
        let forged = mail(AGENT, "", &format!("Re: [#{n}] Impresora"), "Ingrese a http://phish.example", "f1@x");
        assert_eq!(s.desk.ingest_mail("soporte", &forged).await.unwrap(), IngestOutcome::Appended { number: n });
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        let note = page.entries.last().unwrap();
        assert!(note.internal, "{:?}: kept, but only for staff", kind);
        assert!(note.body.starts_with("[remitente no verificado: fail]"), "{}", note.body);
        assert_eq!(page.view.ticket.status, Status::New, "no status change");
        assert_eq!(page.view.ticket.first_response_at, None, "no first response");
        assert_eq!(outbox(&s).await.len(), before, "nothing mailed to the requester");
        let verdicts = s.desk.mail_verdicts(&page).await.unwrap();
        let shown = verdicts.iter().find(|v| v.entry_id == Some(note.id)).unwrap();
        assert_eq!(shown.verdict.as_deref(), Some("fail"));
        assert_eq!(verdicts.iter().find(|v| v.entry_id.is_none()).unwrap().verdict.as_deref(), Some("pass"));

        // The agent's real, signed mail is their public reply.
        let real = s.key.sign(&mail(AGENT, "", &format!("Re: [#{n}] Impresora"), "Cambiamos el tóner.", "r1@x"));
        assert_eq!(s.desk.ingest_mail("soporte", &real).await.unwrap(), IngestOutcome::Appended { number: n });
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        assert!(!page.entries.last().unwrap().internal);
        assert_eq!(page.view.ticket.status, Status::InProgress);
        assert!(page.view.ticket.first_response_at.is_some());
        assert!(outbox(&s).await.iter().any(|(k, to)| k == "public_reply" && to == ANA));

        // `#interno` from authenticated staff: an internal note, mailed to no one.
        let sent = outbox(&s).await.len();
        let note = s.key.sign(&mail(AGENT, "", &format!("Re: [#{n}] x"), "#interno\r\nPedir tóner.", "r2@x"));
        s.desk.ingest_mail("soporte", &note).await.unwrap();
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        let last = page.entries.last().unwrap();
        assert!(last.internal && last.body == "Pedir tóner.", "{last:?}");
        assert_eq!(outbox(&s).await.len(), sent);

        // The policy may hold unverified staff mail instead.
        let hold = SenderPolicy { unverified_staff: "hold".into(), ..Default::default() };
        let settings = MailSettings { authentication: hold, ..Default::default() };
        s.desk.set_mail_settings(&actor(&s.admin), &settings).await.unwrap();
        let forged = mail(AGENT, "", &format!("Re: [#{n}] Impresora"), "Otra vez", "f2@x");
        let held = s.desk.ingest_mail("soporte", &forged).await.unwrap();
        assert_eq!(held, IngestOutcome::Rejected { reason: "staff_unverified".into() });
        drop(s.dns);
    }
}

#[tokio::test]
async fn a_forged_requester_mail_adds_no_participant_and_a_signed_one_does() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        let n = ticket_by_ana(&s, "first@villaesperanza.gov.co").await;

        // Case 2: forged From: Ana, copying the attacker.
        let forged = mail(ANA, "Cc: attacker@evil.example\r\n", &format!("RE: [#{n}] x"), "Cópienlo.", "f@x");
        assert_eq!(s.desk.ingest_mail("soporte", &forged).await.unwrap(), IngestOutcome::Appended { number: n });
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        let entry = page.entries.last().unwrap();
        assert!(entry.body.starts_with("[remitente no verificado: fail]"), "{}", entry.body);
        assert!(participants(&s, n).await.is_empty(), "{:?}", kind);

        // The agent's next reply goes to Ana only.
        s.desk.reply(&actor(&s.agent), n, "Revisamos.", false).await.unwrap();
        let to: Vec<String> =
            outbox(&s).await.into_iter().filter(|(k, _)| k == "public_reply").map(|(_, to)| to).collect();
        assert_eq!(to, [ANA]);

        // Ana's real mail copying a colleague adds the colleague.
        let real = s.key.sign(&mail(
            ANA,
            "Cc: Jefe <jefe@villaesperanza.gov.co>\r\n",
            &format!("RE: [#{n}] x"),
            "Copio a mi jefe.",
            "r@x",
        ));
        s.desk.ingest_mail("soporte", &real).await.unwrap();
        assert_eq!(participants(&s, n).await, ["jefe@villaesperanza.gov.co"]);

        // A closed ticket is not reopened by a forged mail.
        let a = actor(&s.agent);
        for input in [
            mesa_core::lifecycle::TransitionInput {
                to: Some(Status::Solved),
                resolution: Some("ok".into()),
                ..Default::default()
            },
            mesa_core::lifecycle::TransitionInput { to: Some(Status::Closed), ..Default::default() },
        ] {
            s.desk.transition(&a, n, input).await.unwrap();
        }
        let forged = mail(ANA, "", &format!("RE: [#{n}] x"), "Reabran.", "f3@x");
        s.desk.ingest_mail("soporte", &forged).await.unwrap();
        assert_eq!(s.desk.ticket(&actor(&s.admin), n).await.unwrap().view.ticket.status, Status::Closed);
    }
}

#[tokio::test]
async fn a_stranger_who_knows_a_message_id_gets_a_ticket_of_their_own_and_their_cc_joins_nothing() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        let n = ticket_by_ana(&s, "first@villaesperanza.gov.co").await;
        let outsider_key = DkimKey::generate("gmail.example", "s1");
        outsider_key.publish(&s.dns);

        // Case 3, unsigned and signed: the Message-ID was in a mail they saw.
        for (signed, id) in [(false, "s1@gmail.example"), (true, "s2@gmail.example")] {
            let raw = mail(
                "otro@gmail.example",
                "In-Reply-To: <first@villaesperanza.gov.co>\r\nCc: spy@evil.example\r\n",
                "Re: Impresora",
                "Yo también quiero saber.",
                id,
            );
            let raw = if signed { outsider_key.sign(&raw) } else { raw };
            let other = number(&s.desk.ingest_mail("soporte", &raw).await.unwrap());
            assert_ne!(other, n, "{:?} signed {signed}: never someone else's ticket", kind);
            // Their Cc joins their own ticket only when the mail authenticates.
            let spy = participants(&s, other).await.contains(&"spy@evil.example".to_owned());
            assert_eq!(spy, signed);
        }
        assert!(participants(&s, n).await.is_empty());
        assert_eq!(s.desk.ticket(&actor(&s.admin), n).await.unwrap().entries.len(), 0);

        // Or held, by policy.
        let quarantine = MailSettings { stranger_tag: "quarantine".into(), ..Default::default() };
        s.desk.set_mail_settings(&actor(&s.admin), &quarantine).await.unwrap();
        let raw = mail("tercero@gmail.example", "In-Reply-To: <first@villaesperanza.gov.co>\r\n", "Re: x", "?", "s3@x");
        let held = s.desk.ingest_mail("soporte", &raw).await.unwrap();
        assert_eq!(held, IngestOutcome::Rejected { reason: "reference_from_stranger".into() });
    }
}

#[tokio::test]
async fn a_different_message_with_a_reused_message_id_is_kept_and_processed_as_its_own() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        let first = mail("pedro@gmail.example", "", "Impresora", "No imprime.", "same@x");
        let n = number(&s.desk.ingest_mail("soporte", &first).await.unwrap());

        // Case 4: the same Message-ID on a different message.
        let other = mail("maria@gmail.example", "", "Correo caído", "No me llega el correo.", "same@x");
        let m = number(&s.desk.ingest_mail("soporte", &other).await.unwrap());
        assert_ne!(m, n, "{:?}", kind);
        let page = s.desk.ticket(&actor(&s.admin), m).await.unwrap();
        assert_eq!(page.view.requester_email, "maria@gmail.example");
        let verdicts = s.desk.mail_verdicts(&page).await.unwrap();
        assert!(verdicts.iter().any(|v| v.entry_id.is_none() && v.reused_message_id), "flagged");

        // Each is still deduplicated against itself: a redelivery (with one
        // more Received line) is the message already processed.
        let redelivered =
            [b"Received: from mx2 by mx1; Thu, 19 Nov 2026 09:01:00 -0500\r\n".as_slice(), &other].concat();
        assert_eq!(s.desk.ingest_mail("soporte", &redelivered).await.unwrap(), IngestOutcome::Created { number: m });
        assert_eq!(s.desk.ingest_mail("soporte", &first).await.unwrap(), IngestOutcome::Created { number: n });
        // Both raw messages are kept.
        let stored = s.desk.store().inbox_messages(&["done"], 10).await.unwrap();
        assert_eq!(stored.len(), 2);
        for row in &stored {
            let raw = s.desk.raw_mail(&actor(&s.admin), row.id).await.unwrap();
            assert!(raw == first || raw == other);
        }
    }
}

#[tokio::test]
async fn a_dropped_attachment_is_written_on_the_entry_and_its_sender_is_told() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1000).await;
        let big = "A".repeat(4000);
        let body = format!(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Les envío el informe.\r\n--b\r\nContent-Type: application/pdf; name=\"informe.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"informe.pdf\"\r\n\r\n{big}\r\n--b--\r\n"
        );
        let raw = format!(
            "From: Pedro <pedro@gmail.example>\r\nTo: {SUPPORT}\r\nSubject: Informe\r\nMessage-ID: <big@x>\r\n\
             Date: Thu, 19 Nov 2026 09:00:00 -0500\r\nMIME-Version: 1.0\r\n{body}"
        );
        // Case 5.
        let n = number(&s.desk.ingest_mail("soporte", raw.as_bytes()).await.unwrap());
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        assert!(
            page.view.ticket.description.contains("adjunto omitido: informe.pdf, 3.9 KB, supera el límite de 1000 B"),
            "{:?}: {}",
            kind,
            page.view.ticket.description
        );
        assert!(page.attachments.is_empty());
        let notices: Vec<_> = outbox(&s).await.into_iter().filter(|(k, _)| k == "attachment_dropped").collect();
        assert_eq!(notices, [("attachment_dropped".to_owned(), "pedro@gmail.example".to_owned())]);

        // A reply with one: the line is on the entry. An auto-reply gets no notice (loop rules).
        let reply = raw
            .replace("Message-ID: <big@x>", "Message-ID: <big2@x>\r\nAuto-Submitted: auto-replied")
            .replace("Subject: Informe", &format!("Subject: RE: [#{n}] Informe"));
        s.desk.ingest_mail("soporte", reply.as_bytes()).await.unwrap();
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        assert!(page.entries.last().unwrap().body.contains("adjunto omitido: informe.pdf"));
        assert_eq!(outbox(&s).await.iter().filter(|(k, _)| k == "attachment_dropped").count(), 1);
    }
}

#[tokio::test]
async fn invisible_format_characters_are_not_shown_but_kept_in_the_raw_mail() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        // Case 6: U+202E turns "fdp.exe" into what looks like "exe.pdf".
        let raw = mail(
            "=?UTF-8?Q?Ana=E2=80=8B_G=C3=B3mez?= <ana2@gmail.example>",
            "",
            "=?UTF-8?Q?Factura_=E2=80=AEfdp.exe?=",
            "Adjunto factura.",
            "rlo@x",
        );
        let n = number(&s.desk.ingest_mail("soporte", &raw).await.unwrap());
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        assert_eq!(page.view.ticket.subject, "Factura fdp.exe", "{:?}", kind);
        assert_eq!(page.view.requester_name, "Ana Gómez");
        let stored = s.desk.store().inbox_messages(&["done"], 1).await.unwrap().remove(0);
        assert_eq!(stored.subject.as_deref(), Some("Factura fdp.exe"));
        let kept = s.desk.raw_mail(&actor(&s.admin), stored.id).await.unwrap();
        assert_eq!(kept, raw, "the raw mail keeps every byte");
    }
}

#[tokio::test]
async fn a_dns_failure_defers_the_message_until_the_sender_can_be_checked() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        s.dns.failing(DOMAIN);
        let raw = s.key.sign(&mail(ANA, "", "Impresora", "No imprime.", "temp@x"));
        let deferred = s.desk.ingest_mail("soporte", &raw).await.unwrap();
        assert_eq!(deferred, IngestOutcome::Deferred { reason: "sender_temperror".into() }, "{:?}", kind);
        let row = s.desk.store().inbox_messages(&["pending"], 1).await.unwrap().remove(0);
        assert_eq!(row.auth_verdict.as_deref(), Some("temperror"));
        // The MTA (or the poller) brings it again once DNS answers.
        s.dns.heal();
        assert!(matches!(s.desk.ingest_mail("soporte", &raw).await.unwrap(), IngestOutcome::Created { .. }));
    }
}

#[tokio::test]
async fn the_trusted_mta_s_authentication_results_decide_and_anyone_else_s_are_ignored() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let s = setup(&db, 1 << 20).await;
        let n = ticket_by_ana(&s, "first@villaesperanza.gov.co").await;
        let policy = SenderPolicy {
            method: "authentication_results".into(),
            authserv_id: "mx.villaesperanza.gov.co".into(),
            ..Default::default()
        };
        let settings =
            MailSettings { mailbox_authentication: [("soporte".to_owned(), policy)].into(), ..Default::default() };
        s.desk.set_mail_settings(&actor(&s.admin), &settings).await.unwrap();

        // A header the sender wrote itself, claiming another server's pass.
        let forged = mail(
            AGENT,
            "Authentication-Results: mx.evil.example; dmarc=pass header.from=villaesperanza.gov.co\r\n",
            &format!("Re: [#{n}] x"),
            "Falso.",
            "ar1@x",
        );
        s.desk.ingest_mail("soporte", &forged).await.unwrap();
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        assert!(page.entries.last().unwrap().internal, "{:?}", kind);
        // The institution's MTA vouches for the real one (prepended on top).
        let real = mail(AGENT, "", &format!("Re: [#{n}] x"), "Verdadero.", "ar2@x");
        let stamped = [
            b"Authentication-Results: mx.villaesperanza.gov.co; dkim=pass header.d=villaesperanza.gov.co; dmarc=pass header.from=villaesperanza.gov.co\r\n".as_slice(),
            &real,
        ]
        .concat();
        s.desk.ingest_mail("soporte", &stamped).await.unwrap();
        let page = s.desk.ticket(&actor(&s.admin), n).await.unwrap();
        assert!(!page.entries.last().unwrap().internal);
        assert_eq!(page.view.ticket.status, Status::InProgress);
    }
}
