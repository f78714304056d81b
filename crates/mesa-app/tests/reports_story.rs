//! The management report and the BI feed (issue 17) on SQLite and
//! PostgreSQL, checked against a fixture computed by hand: November 2026 in
//! Bogotá, with the Colombian holidays of Monday 2 and Monday 16 November,
//! and the default calendar (Monday to Friday 08:00–12:00 and 13:00–17:00).
//!
//! | ticket | opened (local)   | first response   | solved           | closed    | channel |
//! |--------|------------------|------------------|------------------|-----------|---------|
//! | H      | Tue 20 Oct 09:00 | 20 Oct 09:30     | 21 Oct 09:00     | 22 Oct    | web     |
//! | C      | Fri 30 Oct 16:00 | Tue 3 Nov 09:00  | Tue 3 Nov 11:00  |           | web     |
//! | B      | Tue 3 Nov 10:00  | 3 Nov 10:30      | Wed 4 Nov 10:00  |           | web     |
//! | D      | Mon 9 Nov 08:00  | 9 Nov 12:30      |                  |           | api     |
//! | A      | Fri 13 Nov 16:00 | Tue 17 Nov 09:00 | Tue 17 Nov 15:00 |           | phone   |
//! | F      | Mon 23 Nov 09:00 | 23 Nov 09:15     | 23 Nov 10:00     | 25 Nov    | web     |
//! | E      | Thu 26 Nov 14:00 |                  |                  |           | walk_in |
//!
//! Business hours: first responses of the tickets opened in November are
//! A 2 h (Fri 16–17, the holiday skipped, Tue 8–9), B 0.5 h, D 4 h (lunch
//! not counted), F 0.25 h: median (0.5 + 2) / 2 = 1.25 h, 90th percentile
//! (nearest rank, 4th of 4) 4 h. Resolutions of the tickets solved in
//! November are A 7 h, B 8 h, C 4 h (across the holiday of 2 November),
//! F 1 h: median (4 + 7) / 2 = 5.5 h, 90th percentile 8 h.

use chrono::{DateTime, NaiveDate, Utc};
use mesa_app::reports::{FEED_PAGE, ReportQuery};
use mesa_app::{AppError, BlobStore, Desk, DeskSettings, OpenTicket, ReportFilter, Store};
use mesa_core::report::{Dimension, Period};
use mesa_core::ticket::TicketText;
use mesa_core::{Actor, Channel, Priority, Role, TicketType, User};
use mesa_testkit::{TestDb, databases};

async fn desk(db: &TestDb) -> Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    Desk::new(store, BlobStore::new(db.data_path()), DeskSettings::default())
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A Bogotá local time (UTC−5) as the UTC text both databases store.
fn at(local: &str) -> String {
    let t = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap() + chrono::TimeDelta::hours(5);
    format!("'{}'", t.and_utc().to_rfc3339())
}

fn or_null(local: Option<&str>) -> String {
    local.map_or_else(|| "NULL".to_owned(), at)
}

struct Fixture {
    desk: Desk,
    admin: User,
    agent: User,
    ana: User,
}

/// One row of the table above: opens the ticket through the use case (so
/// its channel is set as in production), then dates it.
#[allow(clippy::too_many_arguments)]
async fn ticket(
    db: &TestDb,
    f: &Fixture,
    kind: TicketType,
    channel: Option<Channel>,
    status: &str,
    opened: &str,
    response: Option<&str>,
    solved: Option<&str>,
    closed: Option<&str>,
) -> i64 {
    let open = OpenTicket {
        ticket_type: Some(kind),
        requester_email: Some(f.ana.email.as_str().into()),
        channel,
        ..OpenTicket::new(TicketText::new("Caso", "Detalle").unwrap())
    };
    let n = f.desk.open_ticket(&f.admin, open).await.unwrap().ticket.number;
    db.execute_sql(&format!(
        "UPDATE tickets SET status = '{status}', created_at = {}, first_response_at = {}, solved_at = {},
            closed_at = {}, updated_at = {} WHERE number = {n}",
        at(opened),
        or_null(response),
        or_null(solved),
        or_null(closed),
        at(opened),
    ))
    .await;
    n
}

async fn fixture(db: &TestDb) -> (Fixture, [i64; 7]) {
    let desk = desk(db).await;
    let admin = desk.add_user(None, "lider@funza.gov.co", "Líder", Role::Admin, None).await.unwrap();
    let agent = desk.add_user(None, "tecnico@funza.gov.co", "Técnico", Role::Agent, None).await.unwrap();
    let ana = desk.add_user(None, "ana@funza.gov.co", "Ana", Role::Requester, None).await.unwrap();
    let f = Fixture { desk, admin, agent, ana };
    use TicketType::{Incident, ServiceRequest};
    let h = ticket(
        db,
        &f,
        Incident,
        None,
        "closed",
        "2026-10-20 09:00",
        Some("2026-10-20 09:30"),
        Some("2026-10-21 09:00"),
        Some("2026-10-22 09:00"),
    )
    .await;
    let c = ticket(
        db,
        &f,
        Incident,
        None,
        "solved",
        "2026-10-30 16:00",
        Some("2026-11-03 09:00"),
        Some("2026-11-03 11:00"),
        None,
    )
    .await;
    let b = ticket(
        db,
        &f,
        ServiceRequest,
        Some(Channel::Web),
        "solved",
        "2026-11-03 10:00",
        Some("2026-11-03 10:30"),
        Some("2026-11-04 10:00"),
        None,
    )
    .await;
    let dd = ticket(
        db,
        &f,
        Incident,
        Some(Channel::Api),
        "in_progress",
        "2026-11-09 08:00",
        Some("2026-11-09 12:30"),
        None,
        None,
    )
    .await;
    let a = ticket(
        db,
        &f,
        Incident,
        Some(Channel::Phone),
        "solved",
        "2026-11-13 16:00",
        Some("2026-11-17 09:00"),
        Some("2026-11-17 15:00"),
        None,
    )
    .await;
    let ff = ticket(
        db,
        &f,
        Incident,
        None,
        "closed",
        "2026-11-23 09:00",
        Some("2026-11-23 09:15"),
        Some("2026-11-23 10:00"),
        Some("2026-11-25 10:00"),
    )
    .await;
    let e = ticket(db, &f, Incident, Some(Channel::WalkIn), "new", "2026-11-26 14:00", None, None, None).await;
    (f, [h, c, b, dd, a, ff, e])
}

fn november() -> ReportQuery {
    ReportQuery { period: Period::new(d("2026-11-01"), d("2026-11-30")).unwrap(), filter: ReportFilter::default() }
}

fn names(lines: &[mesa_core::report::NamedCount]) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = lines.iter().map(|l| (l.name.clone(), l.count)).collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = list.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_summary_matches_the_hand_computed_fixture() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let (f, [_, _, _, d_ticket, ..]) = fixture(&db).await;
        // D went to the agent, then to the lead: one reassignment in November.
        f.desk.assign(&actor(&f.admin), d_ticket, f.agent.email.as_str(), None, None).await.unwrap();
        f.desk
            .assign(&actor(&f.admin), d_ticket, f.admin.email.as_str(), Some("absence"), Some("Vacaciones"))
            .await
            .unwrap();
        db.execute_sql(&format!(
            "UPDATE ticket_history SET created_at = {} WHERE field IN ('assignee', 'reassignment_criterion')",
            at("2026-11-10 10:00")
        ))
        .await;

        let s = f.desk.report_summary(&actor(&f.admin), &november()).await.unwrap();
        let c = s.counts;
        assert_eq!(
            (c.opened, c.solved, c.closed, c.backlog_start, c.backlog_end),
            (5, 4, 1, 1, 2),
            "{kind:?}: opened A B D E F; solved A B C F; closed F; open on 1 Nov: C; on 1 Dec: D E"
        );
        assert_eq!(s.first_response.count, 4);
        assert_eq!(s.first_response.median_hours(), Some(1.25), "{kind:?}");
        assert_eq!(s.first_response.p90_hours(), Some(4.0), "{kind:?}");
        assert_eq!(s.resolution.count, 4);
        assert_eq!(s.resolution.median_hours(), Some(5.5), "{kind:?}: C's 4 h skip the holiday of 2 November");
        assert_eq!(s.resolution.p90_hours(), Some(8.0), "{kind:?}");

        assert_eq!(
            names(s.breakdown(Dimension::Channel)),
            pairs(&[("web", 2), ("api", 1), ("phone", 1), ("walk_in", 1)]),
            "{kind:?}"
        );
        assert_eq!(names(s.breakdown(Dimension::Type)), pairs(&[("incident", 4), ("service_request", 1)]));
        assert_eq!(
            names(s.breakdown(Dimension::Status)),
            pairs(&[("solved", 2), ("in_progress", 1), ("new", 1), ("closed", 1)])
        );
        assert_eq!(names(s.breakdown(Dimension::Level)), pairs(&[("1", 5)]));
        assert_eq!(names(s.breakdown(Dimension::Service)), pairs(&[("none", 5)]));
        assert_eq!(names(s.breakdown(Dimension::Agent)), pairs(&[("Líder", 1), ("none", 4)]), "{kind:?}");
        assert_eq!(s.reassignments, 1, "{kind:?}: the agent → the lead");
        assert_eq!(names(&s.reassignments_by_criterion), pairs(&[("absence", 1)]), "{kind:?}");
        assert_eq!((s.escalations, s.de_escalations), (0, 0));

        // One target (the default one for medium priority: 8 h / 24 h).
        assert_eq!(s.targets.len(), 1, "{kind:?}");
        let t = &s.targets[0];
        assert_eq!((t.service.as_deref(), t.priority, t.tickets), (None, Priority::Medium, 5));
        assert_eq!((t.response.met, t.response.missed), (4, 1), "{kind:?}: E never answered, due 27 Nov");
        assert_eq!(t.resolution.met, 3, "{kind:?}: A, B and F");
        assert!((1..=2).contains(&t.resolution.missed), "{kind:?}: D (due 11 Nov), and E once 1 Dec is past");

        assert_eq!(s.days.len(), 30);
        let day = |n: &str| s.days.iter().find(|x| x.day == d(n)).unwrap();
        assert_eq!((day("2026-11-03").opened, day("2026-11-03").solved), (1, 1), "B opened, C solved");
        assert_eq!((day("2026-11-23").opened, day("2026-11-23").solved), (1, 1), "F");
        assert!(s.surveys.is_some(), "the lead sees the survey results");
        let agent_view = f.desk.report_summary(&actor(&f.agent), &november()).await.unwrap();
        assert!(agent_view.surveys.is_none(), "agents do not");
        assert_eq!(agent_view.counts, s.counts);
    }
}

#[tokio::test]
async fn filters_narrow_every_figure_and_unknown_references_are_refused() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let (f, _) = fixture(&db).await;
        let web =
            ReportQuery { filter: ReportFilter { channel: Some(Channel::Web), ..Default::default() }, ..november() };
        let s = f.desk.report_summary(&actor(&f.admin), &web).await.unwrap();
        // Web: H (October), C (opened in October), B, F.
        assert_eq!(
            (s.counts.opened, s.counts.solved, s.counts.closed, s.counts.backlog_start, s.counts.backlog_end),
            (2, 3, 1, 1, 0),
            "{kind:?}"
        );
        assert_eq!(s.first_response.median_hours(), Some(0.38), "{kind:?}: B 0.5 h and F 0.25 h");
        assert_eq!(s.resolution.median_hours(), Some(4.0), "{kind:?}: C 4, B 8, F 1");
        let kinds = ReportQuery {
            filter: ReportFilter { ticket_type: Some(TicketType::ServiceRequest), ..Default::default() },
            ..november()
        };
        assert_eq!(f.desk.report_summary(&actor(&f.admin), &kinds).await.unwrap().counts.opened, 1);

        let unknown =
            ReportQuery { filter: ReportFilter { service_id: Some(999), ..Default::default() }, ..november() };
        let err = f.desk.report_summary(&actor(&f.admin), &unknown).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref e) if e.field == "service_id"), "{err:?}");
        let err = f.desk.report_summary(&actor(&f.ana), &november()).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "requesters never read reports: {err:?}");
    }
}

#[tokio::test]
async fn the_feed_pages_by_id_from_a_date_without_free_text() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let (f, numbers) = fixture(&db).await;
        let since: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut seen = Vec::new();
        let mut after = 0;
        loop {
            let page = f.desk.feed_page(&actor(&f.agent), since, after, 2).await.unwrap();
            assert!(page.len() <= 2);
            let Some(last) = page.last() else { break };
            after = last.row.id;
            seen.extend(page.into_iter().map(|t| (t.row.number, t.row.channel.clone(), t.first_response_minutes)));
        }
        // Changed since 1 November: B, D, A, F, E (updated_at is the opening here).
        let [_, _, b, d_ticket, a, ff, e] = numbers;
        assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), vec![b, d_ticket, a, ff, e], "{kind:?}");
        let a_row = seen.iter().find(|s| s.0 == a).unwrap();
        assert_eq!((a_row.1.as_str(), a_row.2), ("phone", Some(120)), "{kind:?}: 2 business hours");
        const { assert!(FEED_PAGE >= 1000) };
        let err = f.desk.feed_page(&actor(&f.ana), since, 0, 10).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    }
}

#[tokio::test]
async fn channels_are_set_at_opening_and_only_staff_say_phone_or_walk_in() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let ana = desk.add_user(None, "ana@funza.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let open = |channel| OpenTicket { channel, ..OpenTicket::new(TicketText::new("Sin red", "x").unwrap()) };
        let web = desk.open_ticket(&ana, open(None)).await.unwrap();
        assert_eq!(web.ticket.channel, Channel::Web, "{kind:?}: the default");
        let api = desk.open_ticket(&ana, open(Some(Channel::Api))).await.unwrap();
        assert_eq!(desk.store().ticket_by_id(api.ticket.id).await.unwrap().ticket.channel, Channel::Api);
        let err = desk.open_ticket(&ana, open(Some(Channel::Phone))).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref e) if e.field == "channel"), "{err:?}");
    }
}
