//! The database story: the same use cases on SQLite and PostgreSQL (when
//! MESA_TEST_POSTGRES_URL is set), each test on a fresh database.

#![forbid(unsafe_code)]

use std::sync::Arc;

use mesa_app::{BlobStore, Desk, DeskSettings, OpenTicket, Store, TicketChanges};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::ticket::TicketText;
use mesa_core::{Actor, Priority, Role, Status, User};
use mesa_testkit::{TestDb, databases};

async fn desk(db: &TestDb) -> Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    Desk::new(store, BlobStore::new(db.data_path()), DeskSettings::default())
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

fn ticket(subject: &str) -> OpenTicket {
    OpenTicket::new(TicketText::new(subject, "descripción").unwrap())
}

#[tokio::test]
async fn migrations_can_run_again_and_from_two_openers_at_once() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let (a, b) = tokio::join!(desk(&db), desk(&db));
        a.store().migrate().await.unwrap();
        b.store().ping().await.unwrap();
    }
}

#[tokio::test]
async fn numbers_have_no_gaps_or_duplicates_under_concurrent_creation() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = Arc::new(desk(&db).await);
        let agent = desk.add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let (desk, agent) = (desk.clone(), agent.clone());
            tasks.push(tokio::spawn(async move {
                let mut numbers = Vec::new();
                for j in 0..10 {
                    numbers.push(desk.open_ticket(&agent, ticket(&format!("t{i}-{j}"))).await.unwrap().ticket.number);
                }
                numbers
            }));
        }
        let mut all: Vec<i64> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (1..=160).collect::<Vec<i64>>(), "{kind:?}");
    }
}

#[tokio::test]
async fn numbers_stay_gapless_across_stores_even_when_some_creations_fail() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        // Three stores on one database, as three processes would have.
        let desks = [Arc::new(desk(&db).await), Arc::new(desk(&db).await), Arc::new(desk(&db).await)];
        let agent = desks[0].add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
        // Nobody has this id: the database refuses the ticket (foreign key).
        let ghost = User { id: 999_999, ..agent.clone() };
        let mut tasks = Vec::new();
        for i in 0..12 {
            let desk = desks[i % desks.len()].clone();
            let (agent, ghost) = (agent.clone(), ghost.clone());
            tasks.push(tokio::spawn(async move {
                let mut numbers = Vec::new();
                for j in 0..10 {
                    if (i + j) % 4 == 0 {
                        assert!(desk.open_ticket(&ghost, ticket("fantasma")).await.is_err());
                    }
                    numbers.push(
                        desk.open_ticket(&agent, ticket(&format!("impresora t{i}-{j}"))).await.unwrap().ticket.number,
                    );
                }
                numbers
            }));
        }
        let mut all: Vec<i64> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (1..=120).collect::<Vec<i64>>(), "{kind:?}");
        // The kept totals and the search index agree with what was written.
        let listed = |q: Option<&str>, statuses: Vec<Status>| mesa_app::ListQuery {
            q: q.map(str::to_owned),
            statuses,
            ..Default::default()
        };
        let who = actor(&agent);
        assert_eq!(desks[1].list_tickets(&who, listed(None, vec![])).await.unwrap().1.count, 120, "{kind:?}");
        assert_eq!(
            desks[2].list_tickets(&who, listed(None, vec![Status::New])).await.unwrap().1.count,
            120,
            "{kind:?}"
        );
        assert_eq!(
            desks[2].list_tickets(&who, listed(None, vec![Status::Closed])).await.unwrap().1.count,
            0,
            "{kind:?}"
        );
        assert_eq!(
            desks[0].list_tickets(&who, listed(Some("impresora"), vec![])).await.unwrap().1.count,
            120,
            "{kind:?}"
        );
        assert_eq!(desks[0].list_tickets(&who, listed(Some("fantasma"), vec![])).await.unwrap().1.count, 0, "{kind:?}");
    }
}

#[tokio::test]
async fn concurrent_changes_to_one_ticket_are_all_kept() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = Arc::new(desk(&db).await);
        let agent = desk.add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
        let n = desk.open_ticket(&agent, ticket("compartido")).await.unwrap().ticket.number;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (desk, who) = (desk.clone(), actor(&agent));
            tasks.push(tokio::spawn(async move { desk.reply(&who, n, &format!("nota {i}"), true).await }));
        }
        for t in tasks {
            t.await.unwrap().expect("every writer eventually wins its turn");
        }
        let page = desk.ticket(&actor(&agent), n).await.unwrap();
        assert_eq!(page.entries.len(), 8, "{kind:?}");
        let history = desk.history(&actor(&agent), n).await.unwrap();
        assert_eq!(history.iter().filter(|h| h.field == "internal_note").count(), 8);
    }
}

#[tokio::test]
async fn tokens_and_passwords_authenticate_only_their_owner() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let ana = desk.add_user(None, "ana@mesa.test", "Ana", Role::Requester, Some("una-clave-larga")).await.unwrap();
        let token = desk.create_token("ANA@mesa.test").await.unwrap();
        let (who, user) = desk.authenticate_token(&token).await.unwrap();
        assert_eq!((who.user_id, user.email.as_str()), (ana.id, "ana@mesa.test"));
        assert!(desk.authenticate_token(&token.replace('a', "b")).await.is_err());
        assert!(desk.verify_password("ana@mesa.test", "una-clave-larga").await.unwrap().is_some());
        assert!(desk.verify_password("ana@mesa.test", "otra-clave-larga").await.unwrap().is_none());
        assert!(desk.verify_password("nadie@mesa.test", "una-clave-larga").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_stale_copy_cannot_overwrite_a_newer_ticket() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let agent = desk.add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
        let view = desk.open_ticket(&agent, ticket("versión")).await.unwrap();
        let stale = view.ticket.clone();
        desk.transition(
            &actor(&agent),
            stale.number,
            TransitionInput { to: Some(Status::InProgress), ..Default::default() },
        )
        .await
        .unwrap();
        let mut overwrite = stale.clone();
        overwrite.status = Status::Solved;
        let update = mesa_store::TicketUpdate {
            ticket: &overwrite,
            entry: None,
            history: vec![],
            actor_id: None,
            stamp: Default::default(),
            at: chrono::Utc::now(),
            mail: None,
        };
        let err = desk.store().update_ticket(update).await.unwrap_err();
        assert!(matches!(err, mesa_store::StoreError::Conflict(ref c) if c == "stale_ticket"), "{kind:?}: {err}");
        let page = desk.ticket(&actor(&agent), stale.number).await.unwrap();
        assert_eq!(page.view.ticket.status, Status::InProgress);
    }
}

#[tokio::test]
async fn an_event_is_recorded_exactly_once_however_many_try_at_once() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = Arc::new(desk(&db).await);
        let agent = desk.add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
        let view = desk.open_ticket(&agent, ticket("evento")).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (desk, id, user) = (desk.clone(), view.ticket.id, agent.id);
            tasks.push(tokio::spawn(async move {
                let change = mesa_core::lifecycle::Change::new("event", None, Some("resolution_breach".into()));
                desk.store().record_event(id, "resolution_breach", &change, &[user], chrono::Utc::now()).await.unwrap()
            }));
        }
        let mut winners = 0;
        for t in tasks {
            winners += usize::from(t.await.unwrap());
        }
        assert_eq!(winners, 1, "{kind:?}");
        assert_eq!(desk.store().pending_notifications().await.unwrap().len(), 1);
        let history = desk.history(&actor(&agent), view.ticket.number).await.unwrap();
        assert_eq!(history.iter().filter(|h| h.field == "event").count(), 1);
    }
}

#[tokio::test]
async fn one_lease_holder_at_a_time_and_an_expired_lease_is_taken_over() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let now = chrono::Utc::now();
        let later = now + chrono::Duration::minutes(3);
        assert!(desk.store().try_lease("automation", "a", later, now).await.unwrap());
        assert!(!desk.store().try_lease("automation", "b", later, now).await.unwrap());
        assert!(desk.store().try_lease("automation", "a", later, now).await.unwrap(), "the holder renews");
        let after_expiry = later + chrono::Duration::seconds(1);
        assert!(
            desk.store()
                .try_lease("automation", "b", after_expiry + chrono::Duration::minutes(3), after_expiry)
                .await
                .unwrap()
        );
    }
}

/// Migration 0008 (PostgreSQL) folds the per-text search rows of earlier
/// versions into one row per ticket, keeping internal notes out of what a
/// requester searches, and gives a ticket without words a row to grow.
#[tokio::test]
async fn postgres_search_rows_of_earlier_versions_become_one_row_per_ticket() {
    if !databases().contains(&mesa_testkit::Db::Postgres) {
        return;
    }
    let db = TestDb::new(mesa_testkit::Db::Postgres).await;
    let desk = desk(&db).await;
    let agent = desk.add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
    let requester = desk.add_user(None, "ana@mesa.test", "Ana", Role::Requester, None).await.unwrap();
    let printer = desk.open_ticket(&requester, ticket("impresora")).await.unwrap().ticket.number;
    desk.reply(&actor(&agent), printer, "toner agotado", false).await.unwrap();
    desk.reply(&actor(&agent), printer, "clave del proveedor", true).await.unwrap();
    let screen = desk.open_ticket(&requester, ticket("monitor")).await.unwrap().ticket.number;
    // The tables as version 0007 left them: one row per text; the screen's
    // texts had no words.
    db.execute_postgres(
        "DROP TABLE ticket_docs_public, ticket_docs_staff;
         CREATE TABLE ticket_search (id BIGSERIAL PRIMARY KEY, ticket_id BIGINT NOT NULL REFERENCES tickets(id),
                                     internal BOOLEAN NOT NULL, doc TSVECTOR NOT NULL);
         INSERT INTO ticket_search (ticket_id, internal, doc)
              SELECT id, FALSE, to_tsvector('simple', subject || ' ' || description) FROM tickets
               WHERE subject <> 'monitor';
         INSERT INTO ticket_search (ticket_id, internal, doc)
              SELECT ticket_id, internal, to_tsvector('simple', body) FROM ticket_entries;",
    )
    .await;
    db.execute_postgres(include_str!("../../mesa-store/migrations/postgres/0008_search_per_ticket.sql")).await;

    let found = |who: &User, q: &str| {
        let (desk, who, q) = (&desk, actor(who), q.to_owned());
        async move {
            let query = mesa_app::ListQuery { q: Some(q), ..Default::default() };
            let (items, total) = desk.list_tickets(&who, query).await.unwrap();
            (items.iter().map(|(t, _)| t.ticket.number).collect::<Vec<_>>(), total.count)
        }
    };
    assert_eq!(found(&agent, "impresora toner").await, (vec![printer], 1));
    assert_eq!(found(&agent, "clave").await, (vec![printer], 1));
    assert_eq!(found(&requester, "toner").await, (vec![printer], 1));
    assert_eq!(found(&requester, "clave").await, (vec![], 0), "an internal note is not searched for a requester");
    assert_eq!(found(&agent, "monitor").await, (vec![], 0));
    desk.reply(&actor(&agent), screen, "pantalla parpadea", false).await.unwrap();
    assert_eq!(found(&requester, "pantalla").await, (vec![screen], 1));
}

/// A search counts its matches up to `search::COUNT_LIMIT` and then says
/// "more"; lists without search terms are always counted exactly.
#[tokio::test]
async fn a_search_counts_up_to_the_limit_and_then_says_more() {
    use mesa_app::{ListQuery, Total};
    use mesa_core::search::COUNT_LIMIT;
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = Arc::new(desk(&db).await);
        let agent = desk.add_user(None, "agente@mesa.test", "Agente", Role::Agent, None).await.unwrap();
        let limit = COUNT_LIMIT as usize;
        let mut tasks = Vec::new();
        for task in 0..8 {
            let (desk, agent) = (desk.clone(), agent.clone());
            tasks.push(tokio::spawn(async move {
                for i in (task..limit).step_by(8) {
                    desk.open_ticket(&agent, ticket(&format!("impresora {i}"))).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let who = actor(&agent);
        let total = |q: Option<&str>, statuses: Vec<Status>| {
            let (desk, who) = (desk.clone(), who);
            let query = ListQuery { q: q.map(str::to_owned), statuses, ..Default::default() };
            async move { desk.list_tickets(&who, query).await.unwrap().1 }
        };
        let exact = |count: usize| Total { count: count as i64, exact: true };
        let more = Total { count: limit as i64, exact: false };
        assert_eq!(total(Some("impresora"), vec![]).await, exact(limit), "{kind:?}: exactly the limit");
        desk.open_ticket(&agent, ticket("impresora nueva")).await.unwrap();
        assert_eq!(total(Some("impresora"), vec![]).await, more, "{kind:?}");
        assert_eq!(total(Some("IMPRESORA"), vec![Status::New]).await, more, "{kind:?}: terms and a status");
        assert_eq!(total(Some("impresora nueva"), vec![]).await, exact(1), "{kind:?}");
        assert_eq!(total(None, vec![]).await, exact(limit + 1), "{kind:?}: no search, no limit");
        assert_eq!(total(None, vec![Status::New]).await, exact(limit + 1), "{kind:?}");
        // The page is still there beyond what was counted.
        let query = ListQuery { q: Some("impresora".into()), page: Some(41), per_page: Some(25), ..Default::default() };
        let (items, _) = desk.list_tickets(&who, query).await.unwrap();
        assert_eq!(items.len(), 1, "{kind:?}: the 1,001st match is on page 41");
    }
}

/// Routing reads each agent's open tickets per priority from counts that the
/// database's triggers keep (migration 0017): they follow assignment,
/// reassignment, priority changes and the end of a ticket.
#[tokio::test]
async fn agents_open_load_follows_assignment_priority_and_status() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "jefe@mesa.test", "Jefe", Role::Admin, None).await.unwrap();
        let ana = desk.add_user(None, "ana@mesa.test", "Ana", Role::Agent, None).await.unwrap();
        let luis = desk.add_user(None, "luis@mesa.test", "Luis", Role::Agent, None).await.unwrap();
        let lead = actor(&admin);
        let mut numbers = Vec::new();
        for subject in ["Impresora", "Red", "Correo"] {
            numbers.push(desk.open_ticket(&admin, ticket(subject)).await.unwrap().ticket.number);
        }
        let load = || async {
            let mut rows: Vec<(i64, String, i64)> = desk
                .store()
                .open_load(&[ana.id, luis.id])
                .await
                .unwrap()
                .into_iter()
                .flat_map(|(agent, per)| per.into_iter().map(move |(p, n)| (agent, p.as_str().to_owned(), n)))
                .collect();
            rows.sort();
            rows
        };
        assert_eq!(load().await, vec![], "{kind:?}: nothing assigned yet");

        desk.assign(&lead, numbers[0], "ana@mesa.test", None, None).await.unwrap();
        desk.assign(&lead, numbers[1], "ana@mesa.test", None, None).await.unwrap();
        desk.assign(&lead, numbers[2], "luis@mesa.test", None, None).await.unwrap();
        let medium = Priority::Medium.as_str().to_owned();
        assert_eq!(load().await, vec![(ana.id, medium.clone(), 2), (luis.id, medium.clone(), 1)], "{kind:?}");

        let high = TicketChanges { priority: Some(Priority::High), ..Default::default() };
        desk.update_ticket(&lead, numbers[1], high).await.unwrap();
        desk.assign(&lead, numbers[0], "luis@mesa.test", Some("absence"), Some("vacaciones")).await.unwrap();
        let solve =
            TransitionInput { to: Some(Status::Solved), resolution: Some("Listo".into()), ..Default::default() };
        desk.transition(&lead, numbers[2], solve).await.unwrap();
        let expected = vec![(ana.id, Priority::High.as_str().to_owned(), 1), (luis.id, medium, 1)];
        assert_eq!(load().await, expected, "{kind:?}");
    }
}
