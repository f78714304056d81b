//! `mesa`: the help desk's one binary.

#![forbid(unsafe_code)]

mod automation_worker;
mod calendar_lines;
mod cli;
mod config;
mod demo;
mod demo_catalog;
mod http_server;
mod mail_ingest;
mod mail_worker;
mod serve;
mod survey_cli;
// Reports (issue 17).
mod report_cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let file = match config::FileConfig::load(cli.global.config.as_deref()) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("mesa: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(cli.global.log.as_deref().or(file.log.as_deref()));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(cli::run(cli, file)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mesa: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `--log`/`MESA_LOG` (or `RUST_LOG`) sets the filter.
fn init_logging(filter: Option<&str>) {
    let filter = filter
        .map(str::to_owned)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info,sqlx=warn".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
