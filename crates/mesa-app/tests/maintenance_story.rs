//! Preventive maintenance plans and logbooks (issue 17) on SQLite and
//! PostgreSQL: plans checked and kept, staff only; due activities open one
//! maintenance ticket each, even with two desks running automation at once;
//! the checklist's ticks and the execution are recorded, with a logbook
//! entry; compliance per activity; logbooks by hand and as CSV.

use chrono::{DateTime, NaiveDate, Utc};
use mesa_app::maintenance::PlanInput;
use mesa_app::{AppError, BlobStore, Desk, DeskSettings, Directory, Store};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::maintenance::{RawActivity, RawPlan};
use mesa_core::{Actor, Role, Status, TicketType, User};
use mesa_testkit::{TestDb, databases};

async fn desk(db: &TestDb) -> Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    Desk::new(store, BlobStore::new(db.data_path()), DeskSettings::default())
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct People {
    admin: User,
    agent: User,
    ana: User,
    team: i64,
}

async fn people(desk: &Desk) -> People {
    let admin = desk.add_user(None, "lider@funza.gov.co", "Líder", Role::Admin, None).await.unwrap();
    let agent = desk.add_user(None, "tecnico@funza.gov.co", "Técnico", Role::Agent, None).await.unwrap();
    let ana = desk.add_user(None, "ana@funza.gov.co", "Ana", Role::Requester, None).await.unwrap();
    let team = desk.add_item(Some(&actor(&admin)), Directory::Teams, "Infraestructura", None).await.unwrap().id;
    People { admin, agent, ana, team }
}

fn ups(dates: &[&str]) -> RawActivity {
    RawActivity {
        what: "Revisión preventiva de la UPS".into(),
        item: "UPS sede principal".into(),
        checklist: vec!["Medir carga".into(), "Revisar baterías".into()],
        dates: Some(dates.iter().map(|d| (*d).to_owned()).collect()),
        ..Default::default()
    }
}

fn backups() -> RawActivity {
    RawActivity {
        what: "Prueba de restauración".into(),
        item: "copias de seguridad".into(),
        checklist: vec!["Restaurar una base de prueba".into()],
        every: Some(("month".into(), 1)),
        starts: Some("2027-01-31".into()),
        ..Default::default()
    }
}

fn plan(team: i64, activities: Vec<RawActivity>) -> PlanInput {
    PlanInput {
        raw: RawPlan { name: "Plan de mantenimiento 2027".into(), year: 2027, activities },
        team_id: team,
        activity_ids: vec![],
    }
}

fn field(e: AppError) -> &'static str {
    match e {
        AppError::Invalid(f) => f.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_plan_is_checked_kept_and_read_by_staff_only() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let p = people(&desk).await;
        let made = desk
            .create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![ups(&["2027-03-01"]), backups()]))
            .await
            .unwrap();
        assert_eq!(made.activities.len(), 2);
        assert_eq!(made.plan.team_name.as_deref(), Some("Infraestructura"));

        // Agents read, requesters and agents may not write, requesters may not read.
        assert_eq!(desk.maintenance_plans(&actor(&p.agent), false).await.unwrap().len(), 1);
        assert!(matches!(desk.maintenance_plans(&actor(&p.ana), false).await, Err(AppError::Forbidden(_))));
        assert!(matches!(
            desk.create_maintenance_plan(&actor(&p.agent), &plan(p.team, vec![])).await,
            Err(AppError::Forbidden(_))
        ));

        // Invalid plans name the field.
        let both = RawActivity { every: Some(("week".into(), 1)), ..ups(&["2027-03-01"]) };
        assert_eq!(
            field(desk.create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![both])).await.unwrap_err()),
            "activities.every"
        );
        assert_eq!(
            field(
                desk.create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![ups(&["2028-01-03"])]))
                    .await
                    .unwrap_err()
            ),
            "activities.dates"
        );
        assert_eq!(
            field(desk.create_maintenance_plan(&actor(&p.admin), &plan(9999, vec![])).await.unwrap_err()),
            "team_id"
        );
        let asset = RawActivity { item_kind: Some("asset".into()), item: "NO-EXISTE".into(), ..backups() };
        assert_eq!(
            field(desk.create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![asset])).await.unwrap_err()),
            "activities.item"
        );

        // An update keeps the activity named by id and removes the other.
        let keep = made.activities[1].id;
        let update = PlanInput {
            activity_ids: vec![Some(keep)],
            ..plan(p.team, vec![RawActivity { what: "Restauración completa".into(), ..backups() }])
        };
        let updated = desk.update_maintenance_plan(&actor(&p.admin), made.plan.id, &update).await.unwrap();
        assert_eq!(updated.activities.len(), 1);
        assert_eq!(updated.activities[0].id, keep);
        assert_eq!(updated.activities[0].what, "Restauración completa");

        // Archived plans leave the default list.
        desk.archive_maintenance_plan(&actor(&p.admin), made.plan.id, true).await.unwrap();
        assert!(desk.maintenance_plans(&actor(&p.agent), false).await.unwrap().is_empty());
        assert_eq!(desk.maintenance_plans(&actor(&p.agent), true).await.unwrap().len(), 1);
        assert!(matches!(desk.maintenance_plan(&actor(&p.agent), 424242).await, Err(AppError::NotFound(_))));
    }
}

fn due_lines(lines: &[mesa_app::AutomationLine]) -> Vec<i64> {
    lines.iter().filter(|l| l.action == "maintenance_due").map(|l| l.number).collect()
}

#[tokio::test]
async fn a_due_activity_opens_one_maintenance_ticket_even_with_two_desks_at_once() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let first = desk(&db).await;
        let second = desk(&db).await;
        let p = people(&first).await;
        // Dec 8 2027 is a holiday (a Wednesday): due on Thursday Dec 9.
        first
            .create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![ups(&["2027-03-01", "2027-12-08"])]))
            .await
            .unwrap();

        assert!(due_lines(&first.run_automation(at("2027-02-26T15:00:00Z"), false).await.unwrap()).is_empty());
        let now = at("2027-03-01T14:00:00Z");
        let (a, b) = tokio::join!(first.run_automation(now, false), second.run_automation(now, false));
        let mut opened = due_lines(&a.unwrap());
        opened.extend(due_lines(&b.unwrap()));
        assert_eq!(opened.len(), 1, "{kind:?}: one ticket across both desks");
        let page = first.ticket(&actor(&p.agent), opened[0]).await.unwrap();
        let t = &page.view.ticket;
        assert_eq!(t.ticket_type, TicketType::Maintenance);
        assert_eq!(t.team_id, Some(p.team));
        assert!(t.subject.contains("UPS sede principal"), "{}", t.subject);
        assert!(t.description.contains("- [ ] Revisar baterías"));
        let steps = first.maintenance_checklist(&actor(&p.agent), opened[0]).await.unwrap();
        assert_eq!(steps.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(), ["Medir carga", "Revisar baterías"]);
        assert!(due_lines(&second.run_automation(now, false).await.unwrap()).is_empty(), "once");

        // The holiday moves the second date.
        assert!(due_lines(&first.run_automation(at("2027-12-08T15:00:00Z"), false).await.unwrap()).is_empty());
        assert_eq!(due_lines(&first.run_automation(at("2027-12-09T15:00:00Z"), false).await.unwrap()).len(), 1);
        // A run more than a month late no longer opens the old occurrence.
        let late =
            first.create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![ups(&["2027-06-01"])])).await.unwrap();
        assert!(due_lines(&first.run_automation(at("2027-08-02T15:00:00Z"), false).await.unwrap()).is_empty());
        let report = first
            .maintenance_compliance(&actor(&p.agent), day("2027-06-01"), day("2027-06-30"), at("2027-08-02T15:00:00Z"))
            .await
            .unwrap();
        let plan = report.plans.iter().find(|x| x.plan_id == late.plan.id).unwrap();
        assert_eq!(plan.counts.missed, 1);
    }
}

#[tokio::test]
async fn ticking_and_solving_a_maintenance_ticket_records_the_execution_and_the_logbook() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let p = people(&desk).await;
        desk.create_maintenance_plan(&actor(&p.admin), &plan(p.team, vec![ups(&["2027-03-01", "2027-04-01"])]))
            .await
            .unwrap();
        let n = due_lines(&desk.run_automation(at("2027-03-01T14:00:00Z"), false).await.unwrap())[0];

        assert!(matches!(desk.tick_maintenance_step(&actor(&p.ana), n, 0, true).await, Err(AppError::Forbidden(_))));
        assert!(matches!(desk.tick_maintenance_step(&actor(&p.agent), n, 7, true).await, Err(AppError::NotFound(_))));
        let steps = desk.tick_maintenance_step(&actor(&p.agent), n, 0, true).await.unwrap();
        assert!(steps[0].done && !steps[1].done);
        assert_eq!(steps[0].done_by_name.as_deref(), Some("Técnico"));
        let history = desk.history(&actor(&p.agent), n).await.unwrap();
        assert!(history.iter().any(|h| h.field == "checklist_done" && h.after_value.as_deref() == Some("Medir carga")));

        desk.assign(&actor(&p.admin), n, p.agent.email.as_str(), None, None).await.unwrap();
        let solve = TransitionInput {
            to: Some(Status::Solved),
            resolution: Some("Carga al 40 %".into()),
            ..Default::default()
        };
        desk.transition(&actor(&p.agent), n, solve).await.unwrap();

        let entries = desk.logbook(&actor(&p.agent), "ups SEDE principal").await.unwrap();
        assert_eq!(entries.len(), 1, "the logbook is found in any case");
        assert_eq!(entries[0].ticket_number, Some(n));
        assert_eq!(entries[0].author_name.as_deref(), Some("Técnico"));
        assert!(entries[0].work.contains("Carga al 40 %"));
        assert_eq!(entries[0].readings.as_deref(), Some("[x] Medir carga\n[ ] Revisar baterías"));

        // Closing afterwards records nothing twice.
        let close = TransitionInput { to: Some(Status::Closed), ..Default::default() };
        desk.transition(&actor(&p.admin), n, close).await.unwrap();
        assert_eq!(desk.logbook(&actor(&p.agent), "UPS sede principal").await.unwrap().len(), 1);

        // March done (before its due date, since the test runs earlier): on time;
        // April never opened: missed by May, upcoming before.
        let report = desk
            .maintenance_compliance(&actor(&p.agent), day("2027-03-01"), day("2027-04-30"), at("2027-05-03T15:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            (report.counts.on_time, report.counts.late, report.counts.missed, report.counts.upcoming),
            (1, 0, 1, 0)
        );
        let occurrence = &report.plans[0].activities[0].occurrences[0];
        assert_eq!(occurrence.ticket_number, Some(n));
        assert_eq!(occurrence.done_by_name.as_deref(), Some("Técnico"));
        let before = desk
            .maintenance_compliance(&actor(&p.agent), day("2027-03-01"), day("2027-04-30"), at("2027-03-15T15:00:00Z"))
            .await
            .unwrap();
        assert_eq!(before.counts.upcoming, 1);
        assert!(matches!(
            desk.maintenance_compliance(&actor(&p.ana), day("2027-03-01"), day("2027-04-30"), Utc::now()).await,
            Err(AppError::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn a_logbook_takes_entries_by_hand_with_a_file_and_exports_csv() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let p = people(&desk).await;
        let input = mesa_app::maintenance::LogbookInput {
            item: "Aire acondicionado centro de datos".into(),
            date: "2027-05-10".into(),
            work: "Limpieza de filtros".into(),
            readings: Some("=22 °C, humedad 45 %".into()),
            file: Some(mesa_app::NewFile {
                filename: "lectura.txt".into(),
                content_type: "text/plain".into(),
                bytes: b"22 C".to_vec(),
            }),
        };
        let entry = desk.add_logbook_entry(&actor(&p.agent), input.clone()).await.unwrap();
        assert_eq!(entry.attachment_name.as_deref(), Some("lectura.txt"));
        let (_, bytes) = desk.logbook_file(&actor(&p.agent), entry.id).await.unwrap();
        assert_eq!(bytes, b"22 C");
        assert!(matches!(desk.add_logbook_entry(&actor(&p.ana), input.clone()).await, Err(AppError::Forbidden(_))));
        let bad = mesa_app::maintenance::LogbookInput { date: "2027-13-01".into(), ..input.clone() };
        assert_eq!(field(desk.add_logbook_entry(&actor(&p.agent), bad).await.unwrap_err()), "date");
        let blank = mesa_app::maintenance::LogbookInput { work: " ".into(), file: None, ..input };
        assert_eq!(field(desk.add_logbook_entry(&actor(&p.agent), blank).await.unwrap_err()), "work");

        let books = desk.logbooks(&actor(&p.agent)).await.unwrap();
        assert_eq!(books.len(), 1);
        assert_eq!(books[0].entries, 1);
        let csv =
            String::from_utf8(desk.logbook_csv(&actor(&p.agent), "aire acondicionado centro de datos").await.unwrap())
                .unwrap();
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let row = rows.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "2027-05-10");
        assert_eq!(&row[2], "Técnico");
        assert_eq!(&row[4], "'=22 °C, humedad 45 %", "a formula-looking cell is neutralised");
        assert_eq!(&row[6], "lectura.txt");
    }
}
