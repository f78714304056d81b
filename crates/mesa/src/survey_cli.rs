//! `mesa survey …`: the weekly random sample of satisfaction surveys (issue 16).

use std::process::ExitCode;

use anyhow::anyhow;
use clap::Subcommand;
use mesa_app::{DeskSettings, MailIdentity};
use mesa_core::survey::sample::IsoWeek;

use crate::cli::open_desk;
use crate::config::DataConfig;

#[derive(Subcommand)]
pub enum SurveyCommand {
    /// Picks, per agent, requesters served in a week to answer the survey
    /// (seed 001), makes their links and mails them. Prints one line per
    /// chosen ticket (`#NUMBER<TAB>agent<TAB>requester<TAB>link`), then
    /// `sampled N`. A week is sampled once (a second run samples nobody).
    Sample {
        /// The ISO week, e.g. 2026-W07 (default: the last complete week, in
        /// the desk's time zone).
        #[arg(long)]
        week: Option<String>,
        /// Print who would be chosen without making links or sending mail.
        #[arg(long)]
        dry_run: bool,
        /// The random seed: the same seed over the same tickets picks the same people.
        #[arg(long)]
        seed: Option<u64>,
    },
}

pub async fn run(data: &DataConfig, mail: Option<MailIdentity>, command: SurveyCommand) -> anyhow::Result<ExitCode> {
    match command {
        SurveyCommand::Sample { week, dry_run, seed } => {
            let desk = open_desk(data, DeskSettings { mail, ..DeskSettings::default() }).await?;
            let week = match week {
                Some(raw) => IsoWeek::parse(&raw).map_err(|e| anyhow!(e.message))?,
                None => {
                    let tz = desk.policy().await.map_err(|e| anyhow!(e))?.default_calendar().timezone();
                    IsoWeek::of(chrono::Utc::now().with_timezone(&tz).date_naive()).previous()
                }
            };
            let report = desk.survey_sample(week, seed, dry_run).await.map_err(|e| anyhow!(e))?;
            if report.already_sampled {
                eprintln!("week {} was already sampled", report.week);
            }
            for line in &report.lines {
                println!(
                    "#{}\t{}\t{}\t{}",
                    line.number,
                    line.agent_email,
                    line.requester_email,
                    line.link.as_deref().unwrap_or("-")
                );
            }
            eprintln!("week {} seed {}{}", report.week, report.seed, if dry_run { " (dry run)" } else { "" });
            println!("sampled {}", report.lines.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
