//! `mesa report …`: the management report as a file, for a monthly cron job
//! (issue 17).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use mesa_app::DeskSettings;
use mesa_app::reports::ReportQuery;
use mesa_core::{Actor, Lang, Role};

use crate::cli::open_desk;
use crate::config::DataConfig;

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Csv,
    Xlsx,
    Pdf,
}

#[derive(Args)]
pub struct ReportArgs {
    /// First day, YYYY-MM-DD (the desk's time zone); default: the first day of last month.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included; default: the last day of last month.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    /// Where to write the file (replaced if it exists).
    #[arg(long)]
    pub out: PathBuf,
    /// The language of the XLSX and PDF: `es` (default) or `en`.
    #[arg(long, default_value = "es")]
    pub lang: String,
}

/// Writes the report and prints `wrote FILE` as the last line.
pub async fn run(data: &DataConfig, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let lang = match args.lang.as_str() {
        "es" => Lang::Es,
        "en" => Lang::En,
        other => return Err(anyhow!("--lang must be es or en, not {other}")),
    };
    let desk = open_desk(data, DeskSettings::default()).await?;
    let period = desk.report_period(args.from.as_deref(), args.to.as_deref()).await.map_err(|e| anyhow!(e))?;
    // A local command runs as the desk itself: the report with everything
    // an administrator sees (surveys included).
    let desk_itself = Actor { user_id: 0, role: Role::Admin };
    let query = ReportQuery { period, filter: Default::default() };
    let summary = desk.report_summary(&desk_itself, &query).await.map_err(|e| anyhow!(e))?;
    let bytes = match args.format {
        ReportFormat::Csv => mesa_export::csv(&summary),
        ReportFormat::Xlsx => mesa_export::xlsx(&summary, lang).context("writing the spreadsheet")?,
        ReportFormat::Pdf => mesa_export::pdf(&summary, lang, desk.document_logo().await.map_err(|e| anyhow!(e))?),
    };
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
