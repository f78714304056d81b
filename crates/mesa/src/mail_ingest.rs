//! `mesa mail ingest`: one message from an MTA pipe into the desk.
//!
//! Exit codes follow sysexits(3), which MTAs act on: 0 when the message is
//! stored and handled (whatever the outcome), 75 (EX_TEMPFAIL) when the
//! database cannot be reached or fails, so the MTA keeps the message and
//! tries again; the message is never acknowledged before it is stored.

use std::io::Read;
use std::process::ExitCode;

use mesa_app::DeskSettings;

use crate::config::{DataConfig, MailConfig};

/// EX_TEMPFAIL: try again later.
const TEMPFAIL: u8 = 75;

pub async fn run(data: &DataConfig, mail: MailConfig, mailbox: &str) -> anyhow::Result<ExitCode> {
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut raw) {
        eprintln!("mesa: reading the message from standard input: {e}");
        return Ok(ExitCode::from(TEMPFAIL));
    }
    let settings = DeskSettings { mail: mail.identity, ..DeskSettings::default() };
    let desk = match crate::cli::open_desk(data, settings).await {
        Ok(desk) => desk,
        Err(e) => {
            eprintln!("mesa: the database is unreachable, try again later: {e:#}");
            return Ok(ExitCode::from(TEMPFAIL));
        }
    };
    let result = desk.ingest_mail(mailbox, &raw).await;
    desk.store().close().await;
    match result {
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
