//! Mail you can trust (issue 11) through the real path: Dovecot (IMAP) into
//! `mesa serve`, an SMTP receiver for what goes out, and the testkit's DNS
//! server answering the sender checks (the institution, `mesa.test`, signs
//! its mail with a key made here and publishes `p=reject`). Also `mail
//! ingest`: exit 75 while the sender cannot be checked.

use std::io::Write;
use std::process::{Command, Stdio};

use mesa_testkit::dns::{DkimKey, TestDns};
use mesa_testkit::mail_servers::{Dovecot, SmtpSink};
use mesa_testkit::{TestDb, databases};
use serde_json::Value;

use super::mail_flow::{add_mailbox, eventually, mails_to, serve_args};
use crate::support::{Desk, bin};

const SUPPORT: &str = "soporte@villaesperanza.gov.co";
const ANA: &str = "ana@mesa.test";
const AGENT: &str = "tecnico@mesa.test";

fn mail(from: &str, extra_headers: &str, subject: &str, body: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {SUPPORT}\r\n{extra_headers}Subject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 26 Nov 2026 08:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn ticket(desk: &Desk, number: i64) -> Value {
    desk.get(&desk.agent, &format!("/api/v1/tickets/{number}")).await.1
}

async fn thread_len(desk: &Desk, number: i64) -> usize {
    ticket(desk, number).await["thread"].as_array().map_or(0, Vec::len)
}

async fn total(desk: &Desk) -> i64 {
    desk.get(&desk.agent, "/api/v1/tickets").await.1["total"].as_i64().unwrap_or_default()
}

#[tokio::test]
async fn through_imap_forged_senders_strangers_reused_ids_dropped_files_and_hidden_characters_end_safely() {
    for kind in databases() {
        let dns = TestDns::start().await;
        let key = DkimKey::generate("mesa.test", "sel1");
        key.publish(&dns);
        dns.txt("_dmarc.mesa.test", "v=DMARC1; p=reject");
        let dovecot = Dovecot::start();
        let sink = SmtpSink::start();
        let mut args = serve_args(&sink);
        args.extend(["--dns-servers".into(), dns.addr().to_string(), "--max-attachment-mb".into(), "1".into()]);
        let desk = Desk::start_with(kind, &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
        add_mailbox(&desk, &dovecot).await;

        // Ana writes, signed, copying her boss.
        dovecot.deliver(&key.sign(&mail(ANA, "Cc: jefe@mesa.test\r\n", "Impresora", "No imprime.", "a1@mesa.test")));
        let n = eventually("the ticket", || async {
            let (_, list) = desk.get(&desk.agent, "/api/v1/tickets").await;
            list["items"].as_array().and_then(|items| items.first()).and_then(|t| t["number"].as_i64())
        })
        .await;

        // 1. A forged agent reply: an internal note, no status change, nothing mailed.
        dovecot.deliver(&mail(AGENT, "", &format!("Re: [#{n}] Impresora"), "Clave en http://x", "f1@x"));
        let t = eventually("the forged reply", || async {
            let t = ticket(&desk, n).await;
            (t["thread"].as_array().map_or(0, Vec::len) == 1).then_some(t)
        })
        .await;
        assert_eq!(t["thread"][0]["internal"], true, "{kind:?}");
        assert!(t["thread"][0]["body"].as_str().unwrap().contains("remitente no verificado"));
        assert_eq!(t["thread"][0]["sender_verdict"], "fail", "{kind:?}: a forged agent fails DMARC");
        assert_eq!(t["sender_verdict"], "pass", "{kind:?}: Ana's signed mail opened it");
        assert_eq!(t["status"], "new");

        // 2. A forged requester mail copying an attacker: appended, unverified, no participant.
        dovecot.deliver(&mail(ANA, "Cc: attacker@evil.test\r\n", &format!("RE: [#{n}] x"), "Cópienlo", "f2@x"));
        eventually("the forged requester mail", || async { (thread_len(&desk, n).await == 2).then_some(()) }).await;

        // The agent's real mail: a public reply to Ana and her boss, never the attacker.
        dovecot.deliver(&key.sign(&mail(AGENT, "", &format!("Re: [#{n}] Impresora"), "Cambiamos el tóner.", "r1@x")));
        // Each participant's copy is its own mail in the outbox: wait for both.
        eventually("the real reply sent to Ana and her boss", || async {
            let sent = |to: &str| mails_to(&sink, to).iter().any(|m| m.text.contains("Cambiamos el tóner"));
            (sent(ANA) && sent("jefe@mesa.test")).then_some(())
        })
        .await;
        assert!(mails_to(&sink, "attacker@evil.test").is_empty(), "{kind:?}");
        assert!(mails_to(&sink, ANA).iter().all(|m| !m.text.contains("http://x")), "the forged text never went out");
        let t = ticket(&desk, n).await;
        assert_eq!(t["status"], "in_progress");
        assert_eq!(t["thread"][2]["sender_verdict"], "pass", "{kind:?}: the agent's signed reply");

        // 3. A stranger who knows the first Message-ID: a ticket of their own.
        dovecot.deliver(&mail("otro@gmail.test", "In-Reply-To: <a1@mesa.test>\r\n", "Re: Impresora", "Y yo?", "s1@x"));
        eventually("the stranger's own ticket", || async { (total(&desk).await == 2).then_some(()) }).await;
        assert_eq!(thread_len(&desk, n).await, 3);

        // 4. A different message reusing a Message-ID: processed as its own.
        dovecot.deliver(&mail("maria@gmail.test", "", "Correo caído", "No me llega el correo.", "s1@x"));
        eventually("the reused Message-ID's ticket", || async { (total(&desk).await == 3).then_some(()) }).await;

        // 5. An attachment over the limit: a line on the ticket, a notice to the sender.
        // 1.2 MiB decoded, over the 1 MiB limit; base64 in 76-character lines.
        let big = "QUFB"
            .repeat(19 * 22_000)
            .as_bytes()
            .chunks(76)
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n");
        let raw = format!(
            "From: pedro@gmail.test\r\nTo: {SUPPORT}\r\nSubject: Planos\r\nMessage-ID: <big@x>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAdjunto.\r\n\
             --b\r\nContent-Type: application/zip; name=\"planos.zip\"\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"planos.zip\"\r\n\r\n{big}\r\n--b--\r\n"
        );
        dovecot.deliver(raw.as_bytes());
        let notice = eventually("the notice of the dropped file", || async {
            mails_to(&sink, "pedro@gmail.test").into_iter().find(|m| m.text.contains("planos.zip"))
        })
        .await;
        assert!(notice.text.contains("adjunto omitido: planos.zip"), "{}", notice.text);

        // 6. A right-to-left override in a subject is not shown.
        dovecot.deliver(&mail("luis@gmail.test", "", "=?UTF-8?Q?Factura_=E2=80=AEfdp.exe?=", "x", "rlo@x"));
        let subject = eventually("the ticket with the hidden character", || async {
            let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?q=factura").await;
            list["items"].as_array().and_then(|i| i.first()).map(|t| t["subject"].as_str().unwrap_or("").to_owned())
        })
        .await;
        assert_eq!(subject, "Factura fdp.exe");

        // While DNS fails, a signed mail stays unseen in the mailbox; then it is read.
        let seen = dovecot.seen_count("INBOX");
        dns.failing("mesa.test");
        dovecot.deliver(&key.sign(&mail(ANA, "", "Pantalla", "Parpadea.", "t1@mesa.test")));
        tokio::time::sleep(std::time::Duration::from_secs(8)).await;
        assert_eq!(dovecot.seen_count("INBOX"), seen, "{kind:?}: left unseen");
        dns.heal();
        eventually("the deferred message read", || async { (dovecot.seen_count("INBOX") == seen + 1).then_some(()) })
            .await;
        let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?q=pantalla").await;
        assert_eq!(list["total"], 1);
    }
}

/// `mesa mail ingest` with `args` and `raw` on stdin (blocking: run it off
/// the runtime that serves the test DNS).
fn ingest(args: Vec<String>, raw: Vec<u8>) -> std::process::Output {
    let mut command = Command::new(bin());
    command.args(args).env("MESA_LOG", "warn").env_remove("MESA_FAILPOINT");
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&raw).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn mail_ingest_exits_75_while_the_sender_cannot_be_checked_and_0_once_it_can() {
    for kind in databases() {
        let dns = TestDns::start().await;
        let key = DkimKey::generate("mesa.test", "sel1");
        key.publish(&dns);
        dns.failing("mesa.test");
        let db = TestDb::new(kind).await;
        let raw = key.sign(&mail(ANA, "", "Impresora", "No imprime.", "p1@mesa.test"));
        let mut args: Vec<String> =
            ["mail", "ingest", "--mailbox", "soporte", "--mail-from", SUPPORT].into_iter().map(String::from).collect();
        args.extend(db.cli_args());
        let envelope = ["--client-ip", "192.0.2.10", "--helo", "mail.mesa.test", "--sender", ANA];
        args.extend(envelope.into_iter().map(String::from));
        args.extend(["--dns-servers".to_owned(), dns.addr().to_string()]);

        let out = tokio::task::spawn_blocking({
            let (args, raw) = (args.clone(), raw.clone());
            move || ingest(args, raw)
        })
        .await
        .unwrap();
        assert_eq!(out.status.code(), Some(75), "{kind:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("deferred sender_temperror"));
        dns.heal();
        let out = tokio::task::spawn_blocking(move || ingest(args, raw)).await.unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("created"), "{}", String::from_utf8_lossy(&out.stdout));
    }
}
