//! What routing adds to opening a ticket (`cargo bench -p mesa-app --bench routing`).
//!
//! Loads a desk with `MESA_BENCH_TICKETS` tickets (default 100000) spread
//! over 20 agents in two teams (a fifth of them open), a building with a
//! pre-assigned agent, an exempt service and an absence; then times
//! `Desk::preview_route` — every read and the decision that `open_ticket`
//! now does before it writes — `MESA_BENCH_QUERIES` times (default 1000),
//! after 100 untimed ones, and prints p50/p99/max. Runs on SQLite, and on PostgreSQL too when
//! `MESA_TEST_POSTGRES_URL` is set.

use std::time::{Duration, Instant};

use chrono::Utc;
use mesa_app::routing::{PlaceInput, ServiceRoutingInput, UserPatch};
use mesa_app::{BlobStore, Desk, DeskSettings, Directory, NewServiceInput, PlaceKind, Store};
use mesa_core::ticket::{Level, TicketText};
use mesa_core::{Actor, Priority, Role, Status, TicketType};
use mesa_store::NewTicket;
use mesa_testkit::{TestDb, databases};

/// Routing decisions made, untimed, before each case is measured.
const WARM_UP: usize = 100;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let tickets = env_number("MESA_BENCH_TICKETS", 100_000);
    let queries = env_number("MESA_BENCH_QUERIES", 1_000);
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
        let desk = Desk::new(store.clone(), BlobStore::new(db.data_path()), DeskSettings::default());
        let admin = desk.add_user(None, "admin@bench.test", "Admin", Role::Admin, None).await.unwrap();
        let actor = Actor { user_id: admin.id, role: admin.role };
        let requester = desk.add_user(None, "req@bench.test", "Req", Role::Requester, None).await.unwrap();
        let mut teams = Vec::new();
        for name in ["Soporte", "Redes"] {
            teams.push(desk.add_item(Some(&actor), Directory::Teams, name, None).await.unwrap().id);
        }
        let mut agents = Vec::new();
        for i in 0..20 {
            let email = format!("agente{i}@bench.test");
            let a = desk.add_user(None, &email, &format!("Agente {i}"), Role::Agent, None).await.unwrap();
            let patch = UserPatch { team_id: Some(Some(teams[i % 2])), ..Default::default() };
            desk.patch_user(&actor, &email, patch).await.unwrap();
            agents.push(a);
        }
        let building = desk.add_item(Some(&actor), Directory::Buildings, "Alcaldía", None).await.unwrap().id;
        let place = PlaceInput { agent_email: Some(Some("agente0@bench.test".into())) };
        desk.set_place(&actor, PlaceKind::Building, building, &place).await.unwrap();
        let service = |name: &str, team| NewServiceInput {
            name: name.into(),
            category: "TI".into(),
            default_type: None,
            default_level: None,
            team_id: Some(team),
        };
        let printers = desk.add_service(Some(&actor), service("Impresoras", teams[0])).await.unwrap().id;
        let networks = desk.add_service(Some(&actor), service("Redes", teams[1])).await.unwrap().id;
        let exempt = ServiceRoutingInput { place_routing: Some(false), ..Default::default() };
        desk.set_service_routing(&actor, networks, &exempt).await.unwrap();
        let now = Utc::now();
        desk.add_absence(
            &actor,
            "agente2@bench.test",
            now - chrono::Duration::hours(1),
            now + chrono::Duration::days(1),
        )
        .await
        .unwrap();

        let started = Instant::now();
        let mut pending = Vec::new();
        for i in 0..tickets {
            let agent = &agents[i % agents.len()];
            let open = i % 5 == 0;
            let new = NewTicket {
                text: TicketText::parse("Carga", "Ticket de carga", None, None).unwrap(),
                ticket_type: TicketType::Incident,
                priority: Priority::ALL[i % 4],
                status: if open { Status::Assigned } else { Status::Closed },
                service_id: Some(if i % 2 == 0 { printers } else { networks }),
                requester_id: requester.id,
                department_id: None,
                building_id: Some(building),
                assignee_id: Some(agent.id),
                team_id: agent.team_id,
                level: Level::FIRST,
                created_by: requester.id,
                stamp: Default::default(),
                source_mail_id: None,
                hold_reason: None,
                routing_reason: None,
                approver_id: None,
                channel: mesa_core::Channel::Api,
            };
            let store = store.clone();
            pending.push(tokio::spawn(async move { store.create_ticket(&new).await.unwrap() }));
            if pending.len() == 64 {
                for p in pending.drain(..) {
                    p.await.unwrap();
                }
            }
        }
        for p in pending {
            p.await.unwrap();
        }
        println!("{kind:?}: loaded {tickets} tickets in {:.1} s", started.elapsed().as_secs_f64());

        for (what, service) in [("building agent", printers), ("exempt service, team load", networks)] {
            // Untimed first: a running server's pool and caches are warm
            // (the load above leaves the database busy settling its writes).
            for _ in 0..WARM_UP {
                desk.preview_route(TicketType::Incident, Some(service), Some(building), None).await.unwrap();
            }
            let mut times = Vec::with_capacity(queries);
            for _ in 0..queries {
                let t = Instant::now();
                let d = desk.preview_route(TicketType::Incident, Some(service), Some(building), None).await.unwrap();
                times.push(t.elapsed());
                assert!(d.assignee_id.is_some());
            }
            times.sort();
            println!(
                "{kind:?} routing ({what}) at {tickets} tickets: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
                pct(&times, 0.5).as_secs_f64() * 1e3,
                pct(&times, 0.99).as_secs_f64() * 1e3,
                times.last().unwrap().as_secs_f64() * 1e3,
            );
        }
    }
}
