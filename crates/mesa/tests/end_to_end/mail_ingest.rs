//! `mesa mail ingest`: the MTA-pipe contract, idempotency, exit 75, and a
//! crash between storing and acknowledging.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use mesa_app::{BlobStore, DeskSettings, Store};
use mesa_testkit::{Db, TestDb, databases};

use crate::support::bin;

const SUPPORT: &str = "soporte@villaesperanza.gov.co";

/// `mesa mail ingest` with `raw` on stdin and extra environment.
fn ingest(db: &TestDb, raw: &[u8], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(bin());
    command.args(["mail", "ingest", "--mailbox", "soporte", "--mail-from", SUPPORT]).args(db.cli_args());
    command.env("MESA_LOG", "warn").env_remove("MESA_FAILPOINT");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    child.wait_with_output().unwrap()
}

fn last_line(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_owned()
}

fn message(id: &str, extra: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: =?ISO-8859-1?Q?Jos=E9_P=E9rez?= <jose.perez@villaesperanza.gov.co>\r\nTo: {SUPPORT}\r\n{extra}\
         Subject: {subject}\r\nMessage-ID: <{id}>\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\nEl computador no enciende desde la ma=F1ana.\r\n"
    )
    .into_bytes()
}

async fn open(db: &TestDb) -> mesa_app::Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.unwrap();
    mesa_app::Desk::new(store, BlobStore::new(db.data_path()), DeskSettings::default())
}

#[tokio::test]
async fn ingest_prints_created_then_appended_and_repeats_itself_for_the_same_message() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let first = message("pc-1@villaesperanza.gov.co", "", "Computador no enciende");
        assert_eq!(last_line(&ingest(&db, &first, &[])), "created 1");
        assert_eq!(last_line(&ingest(&db, &first, &[])), "created 1", "{kind:?}: an MTA retry");
        let reply = message("pc-2@villaesperanza.gov.co", "In-Reply-To: <pc-1@villaesperanza.gov.co>\r\n", "RE: x");
        assert_eq!(last_line(&ingest(&db, &reply, &[])), "appended 1");
        let tagged = message("pc-3@villaesperanza.gov.co", "", "Re: [#1] otra cosa");
        assert_eq!(last_line(&ingest(&db, &tagged, &[])), "appended 1");
        let bounce = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../mesa-mail/tests/corpus/24-bounce-multipart-report.eml"),
        )
        .unwrap();
        assert_eq!(last_line(&ingest(&db, &bounce, &[])), "rejected delivery_report");
        assert_eq!(last_line(&ingest(&db, b"", &[])), "rejected empty");
        // The requester was created from the mail, accents and all.
        let desk = open(&db).await;
        let view = desk.store().ticket_by_number(1).await.unwrap();
        assert_eq!(view.requester_name, "José Pérez");
        assert!(view.ticket.description.contains("mañana"));
        assert_eq!(desk.store().entries(view.ticket.id, true).await.unwrap().len(), 2);
        // The acknowledgement waits in the outbox, once.
        let outbox = desk.store().outbox(50).await.unwrap();
        assert_eq!(outbox.iter().filter(|m| m.kind == "created").count(), 1, "{kind:?}");
    }
}

#[test]
fn ingest_exits_75_when_the_database_is_unreachable() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new(Db::Sqlite));
    let mut command = Command::new(bin());
    command
        .args(["mail", "ingest", "--data-dir"])
        .arg(db.data_path())
        .args(["--database-url", "postgres://postgres@127.0.0.1:1/nowhere"])
        .env("MESA_LOG", "warn");
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&message("x@y", "", "Hola")).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("try again"));
}

#[tokio::test]
async fn a_crash_at_any_step_neither_loses_nor_duplicates_the_message() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let raw = message("crash-1@villaesperanza.gov.co", "Cc: jefe@villaesperanza.gov.co\r\n", "Sin red");
        // Killed right after storing the raw message, then after writing the ticket (with its
        // outcome and acknowledgement), before the caller could report it.
        for point in ["mail_after_store", "mail_after_ticket"] {
            let out = ingest(&db, &raw, &[("MESA_FAILPOINT", point)]);
            assert!(!out.status.success(), "{kind:?} {point}: the process must die");
            assert!(String::from_utf8_lossy(&out.stdout).trim().is_empty(), "no outcome was reported");
        }
        let desk = open(&db).await;
        let (_, stored) = desk.store().list_tickets(&Default::default()).await.unwrap();
        assert_eq!(stored.count, 1, "{kind:?}: the ticket written before the crash");
        // The MTA delivers again: the same ticket, finished, not a second one.
        assert_eq!(last_line(&ingest(&db, &raw, &[])), "created 1");
        assert_eq!(last_line(&ingest(&db, &raw, &[])), "created 1");
        let (_, total) = desk.store().list_tickets(&Default::default()).await.unwrap();
        assert_eq!(total.count, 1, "{kind:?}");
        let ticket = desk.store().ticket_by_number(1).await.unwrap();
        let participants = desk.store().participants(ticket.ticket.id).await.unwrap();
        // Unsigned, its sender unverified: its Cc does not join (issue 11), at any step.
        assert_eq!(participants.len(), 0, "{kind:?}: an unauthenticated mail's Cc never joins");
        let acks = desk.store().outbox(50).await.unwrap().into_iter().filter(|m| m.kind == "created").count();
        assert_eq!(acks, 1, "{kind:?}: acknowledged once");
    }
}

/// A reply by José to ticket 1 (by its tag) saying `body`.
fn reply_saying(id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: =?ISO-8859-1?Q?Jos=E9_P=E9rez?= <jose.perez@villaesperanza.gov.co>\r\nTo: {SUPPORT}\r\n\
         Subject: Re: [#1] Computador no enciende\r\nMessage-ID: <{id}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\nEl lun, Mesa escribió:\r\n> Solucionado.\r\n"
    )
    .into_bytes()
}

// Issue 13: a requester's answer to a solution by mail stops the automatic
// close when it objects, and not when it only thanks.
#[tokio::test]
async fn an_objection_by_mail_reopens_a_solved_ticket_and_a_thank_you_does_not() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        assert_eq!(
            last_line(&ingest(&db, &message("ob-1@villaesperanza.gov.co", "", "Computador no enciende"), &[])),
            "created 1"
        );
        let desk = open(&db).await;
        let agent = desk
            .add_user(None, "tecnica@villaesperanza.gov.co", "Técnica", mesa_core::Role::Agent, None)
            .await
            .unwrap();
        let actor = mesa_core::Actor { user_id: agent.id, role: agent.role };
        let solve = || mesa_core::lifecycle::TransitionInput {
            to: Some(mesa_core::Status::Solved),
            resolution: Some("Se cambió la fuente".into()),
            ..Default::default()
        };
        desk.transition(&actor, 1, solve()).await.unwrap();

        let thanks = reply_saying("ob-2@villaesperanza.gov.co", "¡Muchas gracias!\r\n--\r\nJosé");
        assert_eq!(last_line(&ingest(&db, &thanks, &[])), "appended 1");
        let status = |desk: &mesa_app::Desk| {
            let store = desk.store().clone();
            async move { store.ticket_by_number(1).await.unwrap().ticket.status }
        };
        assert_eq!(status(&desk).await, mesa_core::Status::Solved, "{kind:?}: a thank-you leaves it solved");

        let objection = reply_saying("ob-3@villaesperanza.gov.co", "Gracias, pero sigue sin encender.");
        assert_eq!(last_line(&ingest(&db, &objection, &[])), "appended 1");
        assert_eq!(status(&desk).await, mesa_core::Status::InProgress, "{kind:?}: an objection reopens it");
        let history = desk.history(&actor, 1).await.unwrap();
        let reason = history.iter().find(|h| h.field == "rejection_reason").and_then(|h| h.after_value.clone());
        assert_eq!(reason.as_deref(), Some("el solicitante respondió a la solución"));
    }
}
