//! `mesa demo`: a living Spanish help desk for a first look (data in
//! `demo_catalog.rs`). Every ticket goes through the real use cases, so the
//! demo also exercises the lifecycle and history.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Context;
use mesa_app::{Desk, Directory, NewServiceInput, OpenTicket, hash_password};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::ticket::TicketText;
use mesa_core::{Actor, Email, Outcome, Priority, Role, Status, TicketType, User, search};
use mesa_store::NewUser;
use tracing::instrument::WithSubscriber;

use crate::demo_catalog as catalog;

/// The password of every demo account (shown by the command).
pub const DEMO_PASSWORD: &str = "mesa-demo-2026";
const REQUESTERS: usize = 60;

pub async fn is_empty(desk: &Desk) -> anyhow::Result<bool> {
    Ok(desk.store().list_users().await?.is_empty())
}

/// A small deterministic generator, so every demo looks the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn text(&mut self, texts: &'static [&'static str]) -> &'static str {
        texts[self.below(texts.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn actor(user: &User) -> Actor {
    Actor { user_id: user.id, role: user.role }
}

/// What a demo load made, for the short report the commands print.
pub struct Summary {
    pub services: usize,
    pub agents: usize,
    pub requesters: usize,
    pub tickets: usize,
    /// How many tickets ended in each status, in lifecycle order.
    pub by_status: BTreeMap<Status, usize>,
    pub lead_email: String,
    pub requester_email: String,
    pub token: String,
    pub took: Duration,
}

impl Summary {
    /// A few lines: what was loaded, and how to sign in.
    pub fn lines(&self) -> Vec<String> {
        let statuses: Vec<String> = self.by_status.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
        vec![
            format!(
                "demo loaded in {:.1} s: {} services, {} agents, {} requesters, {} tickets",
                self.took.as_secs_f64(),
                self.services,
                self.agents,
                self.requesters,
                self.tickets
            ),
            format!("tickets by status: {}", if statuses.is_empty() { "none".into() } else { statuses.join(", ") }),
            format!("every demo account's password: {DEMO_PASSWORD}"),
            format!("desk lead (admin): {}", self.lead_email),
            format!("a requester: {}", self.requester_email),
            format!("admin API token: {}", self.token),
        ]
    }
}

/// Loads the demo and prints its summary on stdout. While it loads, the
/// use cases' per-ticket log lines are held back (warnings and errors still
/// show), and a terminal gets a progress bar on stderr.
pub async fn load_and_report(desk: &Desk, tickets: usize) -> anyhow::Result<()> {
    let quiet = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .finish();
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(tickets as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("loading the demo desk {bar:40} {pos}/{len} tickets, {eta} left")
                .map_err(|e| anyhow::anyhow!("progress bar template: {e}"))?,
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let result = load(desk, tickets, &bar).with_subscriber(quiet).await;
    bar.finish_and_clear();
    for line in result?.lines() {
        println!("{line}");
    }
    Ok(())
}

pub async fn load(desk: &Desk, tickets: usize, progress: &indicatif::ProgressBar) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut by_status = BTreeMap::new();
    let mut dice = Dice(0x5eed_2026_c0ff_ee11);
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for name in catalog::DEPARTMENTS {
        ids.insert(name, desk.add_item(None, Directory::Departments, name, None).await?.id);
    }
    let departments: Vec<i64> = catalog::DEPARTMENTS.iter().map(|n| ids[n]).collect();
    let mut buildings = Vec::new();
    for (name, location) in catalog::BUILDINGS {
        buildings.push(desk.add_item(None, Directory::Buildings, name, Some(location)).await?.id);
    }
    for name in catalog::TEAMS {
        ids.insert(name, desk.add_item(None, Directory::Teams, name, None).await?.id);
    }
    let mut services = Vec::new();
    for s in catalog::SERVICES {
        let service = desk
            .add_service(
                None,
                NewServiceInput {
                    name: s.name.into(),
                    category: s.category.into(),
                    default_type: Some(TicketType::parse(s.ticket_type)?),
                    default_level: Some(s.level.into()),
                    team_id: Some(ids[s.team]),
                },
            )
            .await?;
        services.push(service);
    }

    // One Argon2 hash for every demo account keeps loading fast.
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut agents = Vec::new();
    for a in catalog::AGENTS {
        let mut new = NewUser::new(Email::parse(a.email)?, a.name, if a.admin { Role::Admin } else { Role::Agent });
        new.password_hash = Some(hash.clone());
        new.team_id = Some(ids[a.team]);
        new.level = a.level.into();
        agents.push(desk.store().create_user(&new).await?);
    }
    let mut requesters = Vec::new();
    for i in 0..REQUESTERS {
        let first = catalog::FIRST_NAMES[i % catalog::FIRST_NAMES.len()];
        let last = catalog::LAST_NAMES[(i * 7 + 3) % catalog::LAST_NAMES.len()];
        let local = search::terms(&format!("{first} {last}")).join(".");
        let email =
            Email::parse(&format!("{local}{}@{}", if i >= 30 { "2" } else { "" }, catalog::INSTITUTION_DOMAIN))?;
        let mut new = NewUser::new(email, format!("{first} {last}"), Role::Requester);
        new.password_hash = Some(hash.clone());
        new.department_id = Some(*dice.pick(&departments));
        new.building_id = Some(*dice.pick(&buildings));
        new.phone = Some(format!("601 8{:03} {:04}", dice.below(1000), dice.below(10000)));
        requesters.push(desk.store().create_user(&new).await?);
    }

    for i in 0..tickets {
        let sample = &catalog::TICKET_SAMPLES[i % catalog::TICKET_SAMPLES.len()];
        let service_index =
            catalog::SERVICES.iter().position(|s| s.name == sample.service).context("sample service")?;
        let service = &services[service_index];
        let requester = dice.pick(&requesters).clone();
        let priority = Priority::parse(sample.priority)?;
        // Only the desk opens a ticket as critical: an agent takes that call by phone.
        let (opener, on_behalf) = if priority == Priority::Critical {
            (dice.pick(&agents).clone(), Some(requester.email.to_string()))
        } else {
            (requester.clone(), None)
        };
        let view = desk
            .open_ticket(
                &opener,
                OpenTicket {
                    priority: Some(priority),
                    service_id: Some(service.id),
                    requester_email: on_behalf,
                    ..OpenTicket::new(TicketText::new(sample.subject, sample.description)?)
                },
            )
            .await?;
        let number = view.ticket.number;
        let target = match dice.below(100) {
            0..15 => Status::New,
            15..28 => Status::Assigned,
            28..52 => Status::InProgress,
            52..62 => Status::OnHold,
            62..77 => Status::Solved,
            _ => Status::Closed,
        };
        *by_status.entry(target).or_insert(0) += 1;
        progress.inc(1);
        if target == Status::New {
            continue;
        }
        let team_agents: Vec<&User> = agents.iter().filter(|a| a.team_id == service.team_id).collect();
        let agent = if team_agents.is_empty() { dice.pick(&agents) } else { *dice.pick(&team_agents) };
        let lead = agents.iter().find(|a| a.role == Role::Admin).unwrap_or(agent);
        desk.assign(&actor(lead), number, agent.email.as_str(), Some("other"), Some("demo")).await?;
        if target == Status::Assigned {
            continue;
        }
        desk.reply(&actor(agent), number, dice.text(catalog::AGENT_REPLIES), false).await?;
        if dice.chance(50) {
            desk.reply(&actor(agent), number, dice.text(catalog::INTERNAL_NOTES), true).await?;
        }
        if dice.chance(40) {
            desk.reply(&actor(&requester), number, dice.text(catalog::REQUESTER_REPLIES), false).await?;
        }
        if target == Status::InProgress {
            continue;
        }
        if target == Status::OnHold || dice.chance(20) {
            let reason = *dice.pick(&["vendor", "warranty", "requester", "authorization"]);
            let to_hold =
                TransitionInput { to: Some(Status::OnHold), reason: Some(reason.into()), ..Default::default() };
            desk.transition(&actor(agent), number, to_hold).await?;
            desk.reply(&actor(agent), number, dice.text(catalog::HOLD_NOTES), true).await?;
            if target == Status::OnHold {
                continue;
            }
            let resume = TransitionInput { to: Some(Status::InProgress), ..Default::default() };
            desk.transition(&actor(agent), number, resume).await?;
        }
        let not_solved = dice.chance(12);
        let resolution = if not_solved {
            dice.text(catalog::NOT_SOLVED_RESOLUTIONS)
        } else if service_index < catalog::SERVICES.len() && dice.chance(70) {
            catalog::RESOLUTIONS[service_index]
        } else {
            dice.text(&catalog::RESOLUTIONS[catalog::SERVICES.len()..])
        };
        let solve = TransitionInput {
            to: Some(Status::Solved),
            resolution: Some(resolution.into()),
            outcome: Some(if not_solved { Outcome::NotSolved } else { Outcome::Solved }),
            ..Default::default()
        };
        desk.transition(&actor(agent), number, solve).await?;
        if target == Status::Closed {
            let approve = TransitionInput { to: Some(Status::Closed), ..Default::default() };
            desk.transition(&actor(&requester), number, approve).await?;
        }
    }

    let lead = agents.iter().find(|a| a.role == Role::Admin).context("the catalog has an admin")?;
    let token = desk.create_token(lead.email.as_str()).await?;
    Ok(Summary {
        services: services.len(),
        agents: agents.len(),
        requesters: requesters.len(),
        tickets,
        by_status,
        lead_email: lead.email.to_string(),
        requester_email: requesters.first().map(|r| r.email.to_string()).unwrap_or_default(),
        token,
        took: started.elapsed(),
    })
}
