//! Accounts, people, the catalog and the desk's words on SQLite and
//! PostgreSQL: password links (single use, expiry, no enumeration, rate),
//! verdicts from mail without a password, ticket links, the people import,
//! deactivation, renamed statuses in mails, and the close reason.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use mesa_app::{
    AppError, BlobStore, Desk, DeskSettings, Directory, ItemChanges, LinkView, MailIdentity, OpenTicket, PersonChanges,
    Store,
};
use mesa_core::account::LinkPurpose;
use mesa_core::lifecycle::TransitionInput;
use mesa_core::ticket::TicketText;
use mesa_core::{Actor, Role, Status, User};
use mesa_testkit::{TestDb, databases};

const PUBLIC: &str = "https://mesa.cajica.gov.co";

async fn desk(db: &TestDb) -> Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    let identity = MailIdentity {
        address: "soporte@cajica.gov.co".into(),
        display_name: "Mesa de ayuda".into(),
        public_url: PUBLIC.into(),
    };
    Desk::new(store, BlobStore::new(db.data_path()), DeskSettings { mail: Some(identity), ..Default::default() })
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

/// The outbox as (kind, recipients, text of the mail) newest first.
async fn mails(desk: &Desk, admin: &User) -> Vec<(String, String, String, String)> {
    desk.outbox(&actor(admin), 500)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            let parsed = mesa_mail::parse(&m.raw).expect("our own mail parses");
            (m.kind, m.recipients, parsed.subject, parsed.text)
        })
        .collect()
}

/// The token of the first link to `/links/…` in a text.
fn link_token(text: &str, nth: usize) -> String {
    let marker = format!("{PUBLIC}/links/");
    let at = text.match_indices(&marker).nth(nth).expect("a link in the mail").0 + marker.len();
    text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

#[tokio::test]
async fn a_password_link_works_once_and_unknown_addresses_get_no_mail() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@cajica.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let ana = desk.add_user(None, "ana@cajica.gov.co", "Ana", Role::Requester, None).await.unwrap();

        desk.request_password_mail("nadie@cajica.gov.co").await.unwrap();
        desk.request_password_mail("no es un correo").await.unwrap();
        assert!(mails(&desk, &admin).await.is_empty(), "{kind:?}: no mail for unknown addresses");

        desk.request_password_mail("ANA@cajica.gov.co").await.unwrap();
        let outbox = mails(&desk, &admin).await;
        assert_eq!(outbox.len(), 1);
        let (kind_of_mail, to, subject, text) = &outbox[0];
        assert_eq!((kind_of_mail.as_str(), to.as_str()), ("password_set", "ana@cajica.gov.co"), "first password");
        assert!(subject.contains("contraseña"), "{subject}");
        let token = link_token(text, 0);
        let now = Utc::now();
        match desk.link_view(&token, now).await.unwrap() {
            Ok(LinkView::Password { user, first_time }) => assert!(user.id == ana.id && first_time),
            other => panic!("{kind:?}: {other:?}"),
        }

        // A password that would be refused does not spend the link.
        let err = desk.set_password_with_link(&token, "corta", now).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f.field == "password"), "{err:?}");
        desk.set_password_with_link(&token, "una-clave-nueva-1", now).await.unwrap();
        assert!(desk.verify_password("ana@cajica.gov.co", "una-clave-nueva-1").await.unwrap().is_some());
        let again = desk.set_password_with_link(&token, "otra-clave-nueva-2", now).await.unwrap_err();
        assert!(matches!(again, AppError::Conflict { code: "link_invalid", .. }), "{kind:?}: used once");
        assert!(desk.verify_password("ana@cajica.gov.co", "otra-clave-nueva-2").await.unwrap().is_none());

        // Now it is a reset; a link older than its lifetime is refused.
        desk.request_password_mail("ana@cajica.gov.co").await.unwrap();
        let outbox = mails(&desk, &admin).await;
        assert_eq!(outbox[0].0, "password_reset");
        let token = link_token(&outbox[0].3, 0);
        let later = Utc::now() + LinkPurpose::Password.lifetime() + Duration::minutes(1);
        assert!(matches!(desk.link_view(&token, later).await.unwrap(), Err(mesa_app::DeadLink::Expired)));
        let expired = desk.set_password_with_link(&token, "clave-muy-tarde-3", later).await.unwrap_err();
        assert!(matches!(expired, AppError::Conflict { code: "link_invalid", .. }), "{kind:?}: expired");

        // At most three password mails an hour per address.
        desk.request_password_mail("ana@cajica.gov.co").await.unwrap();
        desk.request_password_mail("ana@cajica.gov.co").await.unwrap();
        desk.request_password_mail("ana@cajica.gov.co").await.unwrap();
        let password_mails = mails(&desk, &admin).await.iter().filter(|m| m.0.starts_with("password")).count();
        assert_eq!(password_mails, 3, "{kind:?}: the fourth within the hour is withheld");
    }
}

#[tokio::test]
async fn a_requester_without_a_password_approves_or_rejects_from_the_solved_mail_once() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@cajica.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let agent = desk.add_user(None, "tecnico@cajica.gov.co", "Técnico", Role::Agent, None).await.unwrap();
        // Opened by staff on behalf of someone who never had a password.
        let open = |subject: &str| OpenTicket {
            requester_email: Some("clara@cajica.gov.co".into()),
            ..OpenTicket::new(TicketText::new(subject, "Sin red").unwrap())
        };
        let first = desk.open_ticket(&agent, open("Sin red")).await.unwrap().ticket.number;
        let second = desk.open_ticket(&agent, open("Impresora")).await.unwrap().ticket.number;
        for n in [first, second] {
            let solve = TransitionInput {
                to: Some(Status::Solved),
                resolution: Some("Se reinició el switch".into()),
                ..Default::default()
            };
            desk.transition(&actor(&agent), n, solve).await.unwrap();
        }
        let outbox = mails(&desk, &admin).await;
        let solved: Vec<_> = outbox.iter().filter(|m| m.0 == "solved").collect();
        assert_eq!(solved.len(), 2);
        // Newest first: the second ticket's mail, then the first's.
        let (second_mail, first_mail) = (&solved[0].3, &solved[1].3);
        assert!(first_mail.contains(&format!("{PUBLIC}/links/")), "{first_mail}");

        // The solved mail's links: approve, then reject (the template's order).
        let approve = link_token(first_mail, 0);
        match desk.link_view(&approve, Utc::now()).await.unwrap() {
            Ok(LinkView::Verdict { purpose: LinkPurpose::Approve, ticket }) => assert_eq!(ticket.ticket.number, first),
            other => panic!("{kind:?}: {other:?}"),
        }
        let view = desk.verdict_with_link(&approve, LinkPurpose::Approve, None, Utc::now()).await.unwrap();
        assert_eq!(view.ticket.status, Status::Closed);
        let again = desk.verdict_with_link(&approve, LinkPurpose::Approve, None, Utc::now()).await.unwrap_err();
        assert!(matches!(again, AppError::Conflict { code: "link_invalid", .. }), "{kind:?}: {again:?}");

        // Rejecting asks why, and the reason is recorded.
        let reject = link_token(second_mail, 1);
        let no_reason = desk.verdict_with_link(&reject, LinkPurpose::Reject, None, Utc::now()).await.unwrap_err();
        assert!(matches!(no_reason, AppError::Invalid(ref f) if f.field == "reason"));
        // An approve link cannot be used to reject, nor the other way round.
        let wrong = desk.verdict_with_link(&reject, LinkPurpose::Approve, None, Utc::now()).await.unwrap_err();
        assert!(matches!(wrong, AppError::Conflict { code: "link_invalid", .. }));
        let view =
            desk.verdict_with_link(&reject, LinkPurpose::Reject, Some("Sigue sin imprimir"), Utc::now()).await.unwrap();
        assert_eq!(view.ticket.status, Status::InProgress);
        let history = desk.history(&actor(&admin), second).await.unwrap();
        assert!(
            history
                .iter()
                .any(|h| h.field == "rejection_reason" && h.after_value.as_deref() == Some("Sigue sin imprimir"))
        );

        // A staff reply's mail carries a link that opens a session reaching
        // that ticket only.
        desk.reply(&actor(&agent), second, "Vamos a revisarla hoy.", false).await.unwrap();
        let outbox = mails(&desk, &admin).await;
        let reply = outbox.iter().find(|m| m.0 == "public_reply").expect("a reply mail");
        let sign_in = link_token(&reply.3, 0);
        let (cookie, number) = desk.ticket_session_with_link(&sign_in, Utc::now()).await.unwrap();
        assert_eq!(number, second);
        let session = desk.session(&cookie).await.unwrap().expect("a session");
        assert_eq!((session.ticket_number, session.user.email.as_str()), (Some(second), "clara@cajica.gov.co"));
        assert!(desk.ticket_session_with_link(&sign_in, Utc::now()).await.is_err(), "{kind:?}: once");
    }
}

#[tokio::test]
async fn renamed_statuses_reach_the_mails_and_a_manual_close_keeps_its_reason() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@cajica.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let ana = desk.add_user(None, "ana@cajica.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let words = BTreeMap::from([(
            "es".to_owned(),
            BTreeMap::from([
                ("status.on_hold".to_owned(), "En espera del proveedor".to_owned()),
                ("status.new".to_owned(), "Radicado".to_owned()),
            ]),
        )]);
        let agent = desk.add_user(None, "tecnico@cajica.gov.co", "Técnico", Role::Agent, None).await.unwrap();
        let refused = desk.set_desk_words(&actor(&agent), words.clone()).await.unwrap_err();
        assert!(matches!(refused, AppError::Forbidden(_)));
        desk.set_desk_words(&actor(&admin), words).await.unwrap();
        let labels: BTreeMap<_, _> = desk.desk_words().await.unwrap().labels(mesa_core::Lang::Es).into_iter().collect();
        assert_eq!(labels["status.new"], "Radicado");

        let n = desk
            .open_ticket(&ana, OpenTicket::new(TicketText::new("Portátil", "No enciende").unwrap()))
            .await
            .unwrap()
            .ticket
            .number;
        let hold = TransitionInput { to: Some(Status::OnHold), reason: Some("vendor".into()), ..Default::default() };
        desk.transition(&actor(&admin), n, hold).await.unwrap();
        let outbox = mails(&desk, &admin).await;
        let status_mail = outbox.iter().find(|m| m.0 == "status_changed").expect("a status mail");
        assert!(status_mail.2.contains("En espera del proveedor"), "{kind:?}: {}", status_mail.2);

        // seed 004: the lead closes "indicando … el motivo".
        let solve =
            TransitionInput { to: Some(Status::Solved), resolution: Some("Garantía".into()), ..Default::default() };
        desk.transition(&actor(&admin), n, solve).await.unwrap();
        let close = TransitionInput {
            to: Some(Status::Closed),
            reason: Some("El solicitante no respondió".into()),
            ..Default::default()
        };
        desk.transition(&actor(&admin), n, close).await.unwrap();
        let history = desk.history(&actor(&ana), n).await.unwrap();
        assert!(
            history
                .iter()
                .any(|h| h.field == "close_reason" && h.after_value.as_deref() == Some("El solicitante no respondió")),
            "{kind:?}: {history:?}"
        );
    }
}

#[tokio::test]
async fn people_are_imported_once_and_a_second_run_changes_nothing() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@cajica.gov.co", "Líder", Role::Admin, None).await.unwrap();
        desk.add_item(None, Directory::Departments, "Secretaría de Hacienda", None).await.unwrap();
        desk.add_item(None, Directory::Teams, "Soporte en sitio", None).await.unwrap();
        desk.add_user(None, "ana@cajica.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let csv = "email,name,role,department,phone,team,level\n\
                   ana@cajica.gov.co,Ana Gómez,,secretaria de HACIENDA,3001234567,,\n\
                   beto@cajica.gov.co,Beto Ruiz,agente,Secretaría de Hacienda,,Soporte en sitio,2\n\
                   no-es-correo,Nadie,,,,,\n\
                   carla@cajica.gov.co,Carla,,Secretaría de Magia,,,\n\
                   beto@cajica.gov.co,Beto Otra Vez,,,,,\n";
        let dry = desk.import_people(csv.as_bytes(), true).await.unwrap();
        assert_eq!((dry.imported, dry.updated, dry.refused.len()), (1, 1, 3), "{kind:?}: {dry:?}");
        assert_eq!(dry.summary(), "imported 1, updated 1, refused 3");
        assert!(desk.user_by_email("beto@cajica.gov.co").await.unwrap().is_none(), "a dry run writes nothing");
        assert!(dry.refused.iter().any(|l| l.starts_with("line 4:")), "{:?}", dry.refused);
        assert!(dry.refused.iter().any(|l| l.starts_with("line 5:") && l.contains("Magia")), "{:?}", dry.refused);

        let real = desk.import_people(csv.as_bytes(), false).await.unwrap();
        assert_eq!(real, dry);
        let beto = desk.user_by_email("beto@cajica.gov.co").await.unwrap().unwrap();
        assert_eq!((beto.role, beto.level.get(), beto.team_id.is_some()), (Role::Agent, 2, true));
        let ana = desk.user_by_email("ana@cajica.gov.co").await.unwrap().unwrap();
        assert_eq!((ana.name.as_str(), ana.phone.as_deref()), ("Ana Gómez", Some("3001234567")));
        assert!(ana.department_id.is_some() && ana.role == Role::Requester);

        let again = desk.import_people(csv.as_bytes(), false).await.unwrap();
        assert_eq!(again.summary(), "imported 0, updated 0, refused 3", "{kind:?}");
        assert_eq!(again.unchanged, 2);
        assert_eq!(desk.list_users(&actor(&admin)).await.unwrap().len(), 3);

        let missing = desk.import_people(b"email,name\nx@y.co,X\n", false).await.unwrap_err();
        assert!(matches!(missing, AppError::Invalid(ref f) if f.code == "missing_column"));
    }
}

#[tokio::test]
async fn a_deactivated_department_leaves_the_forms_and_stays_on_old_tickets() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@cajica.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let ana = desk.add_user(None, "ana@cajica.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let old = desk.add_item(None, Directory::Departments, "Almacén", None).await.unwrap();
        let open = |department_id| OpenTicket {
            department_id: Some(department_id),
            ..OpenTicket::new(TicketText::new("Sin red", "x").unwrap())
        };
        let n = desk.open_ticket(&ana, open(old.id)).await.unwrap().ticket.number;

        let refused = desk.change_item(&actor(&ana), Directory::Departments, old.id, ItemChanges::default()).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))));
        let off = ItemChanges { name: Some("Almacén general".into()), active: Some(false), ..Default::default() };
        let changed = desk.change_item(&actor(&admin), Directory::Departments, old.id, off).await.unwrap();
        assert_eq!((changed.name.as_str(), changed.active), ("Almacén general", false));

        assert!(desk.list_items(Directory::Departments).await.unwrap().is_empty(), "{kind:?}");
        assert_eq!(desk.list_items_with(Directory::Departments, true).await.unwrap().len(), 1);
        let page = desk.ticket(&actor(&admin), n).await.unwrap();
        assert_eq!(page.view.department_name.as_deref(), Some("Almacén general"), "kept on the old ticket");
        let err = desk.open_ticket(&ana, open(old.id)).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f.field == "department_id"), "{err:?}");
        let person = PersonChanges { department_id: Some(Some(old.id)), ..Default::default() };
        assert!(desk.change_person(&actor(&admin), "ana@cajica.gov.co", person).await.is_err());

        let on = ItemChanges { active: Some(true), ..Default::default() };
        desk.change_item(&actor(&admin), Directory::Departments, old.id, on).await.unwrap();
        assert_eq!(desk.list_items(Directory::Departments).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_person_changes_their_own_phone_and_only_admins_change_the_rest() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@cajica.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let ana = desk.add_user(None, "ana@cajica.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let agent = desk.add_user(None, "tecnico@cajica.gov.co", "Técnico", Role::Agent, None).await.unwrap();
        let phone = PersonChanges { phone: Some(Some("601 555 0101".into())), ..Default::default() };
        let me = desk.change_person(&actor(&ana), "ana@cajica.gov.co", phone.clone()).await.unwrap();
        assert_eq!(me.phone.as_deref(), Some("601 555 0101"));
        let level = PersonChanges { level: Some(3), ..Default::default() };
        assert!(matches!(
            desk.change_person(&actor(&ana), "ana@cajica.gov.co", level).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            desk.change_person(&actor(&ana), "tecnico@cajica.gov.co", phone).await,
            Err(AppError::Forbidden(_))
        ));
        let team = desk.add_item(None, Directory::Teams, "Redes", None).await.unwrap();
        let changes = PersonChanges {
            team_id: Some(Some(team.id)),
            level: Some(2),
            dispatcher: Some(true),
            ..Default::default()
        };
        let changed = desk.change_person(&actor(&admin), "tecnico@cajica.gov.co", changes).await.unwrap();
        assert_eq!((changed.team_id, changed.level.get(), changed.dispatcher), (Some(team.id), 2, true));
        let not_staff = PersonChanges { dispatcher: Some(true), ..Default::default() };
        assert!(desk.change_person(&actor(&admin), "ana@cajica.gov.co", not_staff).await.is_err());
        let lockout = PersonChanges { active: Some(false), ..Default::default() };
        let err = desk.change_person(&actor(&admin), "lider@cajica.gov.co", lockout).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f.code == "self_lockout"));
        let _ = agent;
    }
}
