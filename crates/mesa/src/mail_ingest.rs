//! `mesa mail ingest`: one message from an MTA pipe into the desk.
//!
//! Exit codes follow sysexits(3), which MTAs act on: 0 when the message is
//! stored and handled (whatever the outcome), 75 (EX_TEMPFAIL) when the
//! database cannot be reached or fails, or the sender cannot be checked now
//! (a DNS look-up failed), so the MTA keeps the message and tries again; the
//! message is never acknowledged before it is stored.

use std::io::Read;
use std::process::ExitCode;

use mesa_app::{DeskSettings, IngestOutcome};

use crate::config::{DataConfig, MailConfig};

/// EX_TEMPFAIL: try again later.
const TEMPFAIL: u8 = 75;

pub async fn run(
    data: &DataConfig,
    mail: MailConfig,
    mailbox: &str,
    envelope: Option<mesa_mail::Envelope>,
) -> anyhow::Result<ExitCode> {
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut raw) {
        eprintln!("mesa: reading the message from standard input: {e}");
        return Ok(ExitCode::from(TEMPFAIL));
    }
    let sender_verifier = mail.sender_verifier();
    let settings = DeskSettings { mail: mail.identity, sender_verifier, ..DeskSettings::default() };
    let desk = match crate::cli::open_desk(data, settings).await {
        Ok(desk) => desk,
        Err(e) => {
            eprintln!("mesa: the database is unreachable, try again later: {e:#}");
            return Ok(ExitCode::from(TEMPFAIL));
        }
    };
    let result = desk.ingest_mail_from(mailbox, &raw, envelope.as_ref()).await;
    desk.store().close().await;
    match result {
        // Stored, but the sender cannot be checked now: the MTA keeps it.
        Ok(outcome @ IngestOutcome::Deferred { .. }) => {
            println!("{outcome}");
            Ok(ExitCode::from(TEMPFAIL))
        }
        Ok(outcome) => {
            println!("{outcome}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            // Stored raw if the database answered; either way the MTA keeps
            // the message and tries again.
            eprintln!("mesa: the message could not be processed now, try again later: {e:#}");
            Ok(ExitCode::from(TEMPFAIL))
        }
    }
}
