//! The command line (contract in README.md).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use mesa_app::{BlobStore, Desk, DeskSettings, Store};
use mesa_core::Role;

use crate::config::{self, DataConfig, FileConfig};

#[derive(Parser)]
#[command(name = "mesa", version, about = "Mesa: a help desk for the IT offices of public institutions")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Global {
    /// TOML configuration file.
    #[arg(long, global = true, env = "MESA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where Mesa keeps its SQLite file and attachments (created if missing).
    #[arg(long, global = true, env = "MESA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite file.
    #[arg(long, global = true, env = "MESA_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `warn,mesa=debug`.
    #[arg(long, global = true, env = "MESA_LOG")]
    pub log: Option<String>,
    /// How people reach Mesa, e.g. https://mesa.example.gov.co (https makes
    /// cookies Secure; links in mails start with it).
    #[arg(long, global = true, env = "MESA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The support address mail comes from (and replies go to); without it
    /// Mesa sends no mail.
    #[arg(long, global = true, env = "MESA_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The display name of the support address (default "Mesa").
    #[arg(long, global = true, env = "MESA_MAIL_FROM_NAME")]
    pub mail_from_name: Option<String>,
    /// Outgoing mail server: smtp://host:port, smtps://user:pass@host:465,
    /// smtp://host:587?tls=starttls.
    #[arg(long, global = true, env = "MESA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// DNS servers for checking senders (DKIM, SPF, DMARC): comma-separated
    /// IP or IP:PORT; default the system's.
    #[arg(long, global = true, env = "MESA_DNS_SERVERS")]
    pub dns_servers: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Runs the web server.
    Serve(ServeArgs),
    /// Manages users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manages API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Loads a realistic Spanish demo data set into an empty desk.
    Demo(DemoArgs),
    /// Business calendars: holidays and due dates.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Timed automations (auto-close, timeouts, resume, SLA warnings).
    #[command(subcommand)]
    Automation(AutomationCommand),
    /// The e-mail channel.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Satisfaction surveys: the weekly random sample.
    #[command(subcommand)]
    Survey(crate::survey_cli::SurveyCommand),
    /// The asset inventory.
    #[command(subcommand)]
    Asset(AssetCommand),
    /// Writes the management report of a period as CSV, XLSX or PDF
    /// (issue 17); prints `wrote FILE` as the last line.
    Report(crate::report_cli::ReportArgs),
}

#[derive(Subcommand)]
pub enum AssetCommand {
    /// Adds and updates devices from a CSV file, matched by inventory tag
    /// (header `inventory_tag,type,brand,model,serial,status,purchase_date,warranty_end`,
    /// optionally `building_id,department_id,assigned_to_email,vendor_id`).
    /// Prints one line per refused row, then `imported N, updated N, refused N`.
    Import {
        /// The CSV file (UTF-8, comma-separated, with a header row).
        file: PathBuf,
        /// Check the file and print what would happen, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Prints the whole inventory as CSV, in the import's columns.
    Export,
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// Reads one raw RFC 822 message on standard input (an MTA pipe) and
    /// prints `created N`, `appended N`, `rejected REASON` or `deferred
    /// REASON` as its last line. Exits 75 (EX_TEMPFAIL) when the database is
    /// unreachable or the sender cannot be checked now (DNS), so the MTA
    /// tries again later.
    Ingest {
        /// The mailbox the message came through (for idempotency and the
        /// admin's lists); default `pipe`.
        #[arg(long, default_value = "pipe")]
        mailbox: String,
        /// The SMTP client's address, for SPF (Postfix: `${client_address}`).
        #[arg(long)]
        client_ip: Option<std::net::IpAddr>,
        /// The name it gave in HELO/EHLO (Postfix: `${client_helo}`).
        #[arg(long, default_value = "")]
        helo: String,
        /// The envelope sender, MAIL FROM (Postfix: `${sender}`).
        #[arg(long, default_value = "")]
        sender: String,
    },
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Prints the Colombian public holidays of a year: `YYYY-MM-DD<TAB>name`.
    /// With --calendar, also that calendar's extra days off (third column
    /// `local`) and the holidays it works (third column `worked`).
    Holidays {
        #[arg(long)]
        year: i32,
        /// A calendar of the desk (`default` is always there).
        #[arg(long)]
        calendar: Option<String>,
    },
    /// Prints the instant N business hours after --start.
    Due {
        /// RFC 3339 instant, e.g. 2026-12-24T15:00:00-05:00.
        #[arg(long)]
        start: String,
        /// Business hours to add; may be fractional (4.5).
        #[arg(long)]
        hours: f64,
        /// A calendar stored in the desk (default: the desk's default calendar).
        #[arg(long)]
        calendar: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AutomationCommand {
    /// Runs one pass of every due automation, printing one line per action.
    Run {
        /// Act as if the time were this RFC 3339 instant.
        #[arg(long)]
        now: Option<String>,
        /// Print what would be done without doing it.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks a free port).
    #[arg(long, env = "MESA_LISTEN")]
    pub listen: Option<String>,
    /// IANA time zone for dates shown to people (default America/Bogota).
    #[arg(long, env = "MESA_TIMEZONE")]
    pub timezone: Option<String>,
    /// Largest attachment accepted, in MiB (default 20).
    #[arg(long, env = "MESA_MAX_ATTACHMENT_MB")]
    pub max_attachment_mb: Option<u64>,
    /// Load the demo data first if the desk is empty.
    #[arg(long)]
    pub demo: bool,
    /// Seconds between automation passes (0: no automation in this process).
    #[arg(long, env = "MESA_AUTOMATION_INTERVAL_SECS", default_value_t = 60)]
    pub automation_interval_secs: u64,
    #[command(flatten)]
    pub limits: config::LimitArgs,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Adds a user.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// requester, agent, admin or manager.
        #[arg(long)]
        role: String,
        /// Read the password (at least 10 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Adds and updates people from a CSV file (header
    /// `email,name,role,department,phone`, optionally `building,team,level`).
    /// Prints one line per refused row, then `imported N, updated N, refused N`.
    Import {
        /// The CSV file (UTF-8, comma-separated, with a header row).
        file: PathBuf,
        /// Check the file and print what would happen, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Creates an API token for a user and prints it as the last line.
    Create {
        #[arg(long)]
        email: String,
        /// `full` (default): everything the user may do; `feed`: read the
        /// BI feed and the reports only (issue 17).
        #[arg(long, default_value = "full")]
        scope: String,
    },
}

#[derive(Args)]
pub struct DemoArgs {
    /// How many tickets to create.
    #[arg(long, default_value_t = 300)]
    pub tickets: usize,
}

/// Opens (and migrates) the database; creates the data directory.
pub async fn open_desk(data: &DataConfig, settings: DeskSettings) -> anyhow::Result<Desk> {
    std::fs::create_dir_all(&data.data_dir)
        .with_context(|| format!("creating data directory {}", data.data_dir.display()))?;
    let store = Store::open(&data.data_dir, data.database_url.as_deref()).await.context("opening the database")?;
    Ok(Desk::new(store, BlobStore::new(&data.data_dir), settings))
}

pub async fn run(cli: Cli, file: FileConfig) -> anyhow::Result<ExitCode> {
    let data = config::resolve_data(&file, cli.global.data_dir.clone(), cli.global.database_url.clone());
    let public_url = cli.global.public_url.clone();
    let mail = config::resolve_mail(
        &file,
        cli.global.mail_from.clone(),
        cli.global.mail_from_name.clone(),
        public_url.clone(),
        cli.global.smtp_url.clone(),
        cli.global.dns_servers.clone(),
    )?;
    match cli.command {
        Command::Serve(args) => {
            let serve = config::resolve_serve(
                &file,
                args.listen,
                args.timezone,
                args.max_attachment_mb,
                public_url,
                args.limits,
            )?;
            let settings = DeskSettings {
                max_attachment_bytes: serve.max_attachment_bytes,
                mail: mail.identity.clone(),
                sender_verifier: mail.sender_verifier(),
            };
            let desk = open_desk(&data, settings).await?;
            if args.demo && crate::demo::is_empty(&desk).await? {
                crate::demo::load_and_report(&desk, DemoArgs { tickets: 300 }.tickets).await?;
            }
            let worker = (args.automation_interval_secs > 0).then(|| {
                crate::automation_worker::spawn(
                    desk.clone(),
                    std::time::Duration::from_secs(args.automation_interval_secs),
                )
            });
            let mail_workers = crate::mail_worker::spawn(&desk, &mail);
            crate::serve::serve(desk, serve).await?;
            if let Some(worker) = worker {
                worker.abort();
            }
            for worker in mail_workers {
                worker.abort();
            }
        }
        Command::User(UserCommand::Add { email, name, role, password_stdin }) => {
            let role: Role = role.parse().map_err(|e: mesa_core::validate::FieldError| anyhow::anyhow!(e.message))?;
            let password = if password_stdin { Some(read_password()?) } else { None };
            let desk = open_desk(&data, DeskSettings::default()).await?;
            let user = desk.add_user(None, &email, &name, role, password.as_deref()).await.map_err(user_error)?;
            println!("user {} ({}) added as {}", user.email, user.name, user.role);
        }
        Command::User(UserCommand::Import { file, dry_run }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let desk = open_desk(&data, DeskSettings::default()).await?;
            let report = desk.import_people(&bytes, dry_run).await.map_err(user_error)?;
            for line in &report.refused {
                println!("{line}");
            }
            println!("{}", report.summary());
        }
        Command::Token(TokenCommand::Create { email, scope }) => {
            let scope = mesa_core::user::TokenScope::parse(&scope).map_err(|e| anyhow::anyhow!(e.message))?;
            let desk = open_desk(&data, DeskSettings::default()).await?;
            let token = desk.create_scoped_token(&email, scope).await.map_err(user_error)?;
            println!("{token}");
        }
        Command::Calendar(CalendarCommand::Holidays { year, calendar }) => {
            if !(1..=9999).contains(&year) {
                bail!("--year must be 1 to 9999");
            }
            match calendar {
                None => {
                    for h in mesa_core::calendar::colombian_holidays(year) {
                        println!("{}\t{}", h.date.format("%Y-%m-%d"), h.name_es);
                    }
                }
                Some(name) => {
                    let policy = open_desk(&data, DeskSettings::default()).await?.policy().await?;
                    let cal = policy.calendar_named(&name).with_context(|| format!("no calendar named '{name}'"))?;
                    for line in crate::calendar_lines::days_off_lines(cal, year) {
                        println!("{line}");
                    }
                }
            }
        }
        Command::Calendar(CalendarCommand::Due { start, hours, calendar }) => {
            let start = chrono::DateTime::parse_from_rfc3339(&start)
                .with_context(|| format!("--start '{start}' is not an RFC 3339 instant"))?
                .with_timezone(&chrono::Utc);
            if !hours.is_finite() || hours < 0.0 {
                bail!("--hours must be a non-negative number");
            }
            let amount = chrono::Duration::milliseconds((hours * 3_600_000.0).round() as i64);
            // Without a desk named on the command line, the built-in calendar.
            let uses_desk = calendar.is_some() || cli.global.data_dir.is_some() || cli.global.database_url.is_some();
            let policy =
                if uses_desk { Some(open_desk(&data, DeskSettings::default()).await?.policy().await?) } else { None };
            let builtin = mesa_core::calendar::BusinessCalendar::colombia_default();
            let cal = match (&policy, calendar.as_deref()) {
                (Some(p), Some(name)) => {
                    p.calendar_named(name).with_context(|| format!("no calendar named '{name}'"))?
                }
                (Some(p), None) => p.default_calendar(),
                (None, _) => &builtin,
            };
            let due = cal.add_business_time(start, amount).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", due.with_timezone(&cal.timezone()).to_rfc3339());
        }
        Command::Automation(AutomationCommand::Run { now, dry_run }) => {
            let now = match now {
                Some(raw) => chrono::DateTime::parse_from_rfc3339(&raw)
                    .with_context(|| format!("--now '{raw}' is not an RFC 3339 instant"))?
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let desk = open_desk(&data, DeskSettings::default()).await?;
            let lines = desk.run_automation(now, dry_run).await.map_err(user_error)?;
            for line in &lines {
                println!("{line}");
            }
            if lines.is_empty() {
                eprintln!("nothing to do");
            }
        }
        Command::Mail(MailCommand::Ingest { mailbox, client_ip, helo, sender }) => {
            let envelope = client_ip.map(|client_ip| mesa_mail::Envelope { client_ip, helo, mail_from: sender });
            return crate::mail_ingest::run(&data, mail, &mailbox, envelope).await;
        }
        Command::Survey(command) => return crate::survey_cli::run(&data, mail.identity.clone(), command).await,
        Command::Report(args) => return crate::report_cli::run(&data, args).await,
        Command::Asset(AssetCommand::Import { file, dry_run }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let desk = open_desk(&data, DeskSettings::default()).await?;
            let report = desk.import_assets(&bytes, dry_run).await.map_err(user_error)?;
            for line in &report.refused {
                println!("{line}");
            }
            println!("{}", report.summary());
        }
        Command::Asset(AssetCommand::Export) => {
            let desk = open_desk(&data, DeskSettings::default()).await?;
            let csv = desk.export_assets().await.map_err(user_error)?;
            std::io::Write::write_all(&mut std::io::stdout(), &csv).context("writing the CSV")?;
        }
        Command::Demo(args) => {
            let desk = open_desk(&data, DeskSettings::default()).await?;
            if !crate::demo::is_empty(&desk).await? {
                bail!("the desk already has users; the demo loads only into an empty data directory");
            }
            crate::demo::load_and_report(&desk, args.tickets).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or("").to_owned();
    if password.is_empty() {
        bail!("--password-stdin: standard input is empty");
    }
    Ok(password)
}

/// A use-case error as one readable line.
fn user_error(e: mesa_app::AppError) -> anyhow::Error {
    match e {
        mesa_app::AppError::Invalid(f) => anyhow::anyhow!(f.message),
        other => anyhow::Error::new(other),
    }
}
