//! Surveys, the weekly sample, the knowledge base and lessons learned on
//! SQLite and PostgreSQL: a link's signature, single use and expiry; the
//! solved mail's link; a low score reaching the lead; results; the sample's
//! rules with a fixed seed; accepted lessons invisible to requesters.

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, Utc};
use mesa_app::knowledge::{ArticleInput, LessonDecision, LessonInput};
use mesa_app::surveys::{DeadSurvey, GroupBy};
use mesa_app::{AppError, BlobStore, Desk, DeskSettings, MailIdentity, OpenTicket, Store};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::survey::SurveySettings;
use mesa_core::survey::sample::IsoWeek;
use mesa_core::ticket::TicketText;
use mesa_core::{Actor, Role, Status, TicketType, User};
use mesa_testkit::{TestDb, databases};

const PUBLIC: &str = "https://mesa.funza.gov.co";

async fn desk(db: &TestDb) -> Desk {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.expect("open store");
    let identity = MailIdentity {
        address: "soporte@funza.gov.co".into(),
        display_name: "Mesa TIC".into(),
        public_url: PUBLIC.into(),
    };
    Desk::new(store, BlobStore::new(db.data_path()), DeskSettings { mail: Some(identity), ..Default::default() })
}

fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, role: u.role }
}

/// The outbox as (kind, recipient, text), newest first.
async fn mails(desk: &Desk, admin: &User) -> Vec<(String, String, String)> {
    desk.outbox(&actor(admin), 500)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.recipients, mesa_mail::parse(&m.raw).expect("our mail parses").text))
        .collect()
}

fn survey_token(text: &str) -> String {
    let marker = format!("{PUBLIC}/s/");
    let at = text.find(&marker).expect("a survey link") + marker.len();
    text[at..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Opens a ticket for `requester`, assigns it to `agent` and solves it.
async fn solved(desk: &Desk, admin: &User, agent: &User, requester: &User, subject: &str, kind: TicketType) -> i64 {
    let open = OpenTicket {
        ticket_type: Some(kind),
        requester_email: Some(requester.email.as_str().into()),
        ..OpenTicket::new(TicketText::new(subject, "Detalle").unwrap())
    };
    let n = desk.open_ticket(admin, open).await.unwrap().ticket.number;
    desk.assign(&actor(admin), n, agent.email.as_str(), None, None).await.unwrap();
    let solve = TransitionInput { to: Some(Status::Solved), resolution: Some("Listo".into()), ..Default::default() };
    desk.transition(&actor(agent), n, solve).await.unwrap();
    n
}

#[tokio::test]
async fn a_survey_link_is_signed_answers_once_and_expires() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@funza.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let agent = desk.add_user(None, "tecnico@funza.gov.co", "Técnico", Role::Agent, None).await.unwrap();
        let ana = desk.add_user(None, "ana@funza.gov.co", "Ana", Role::Requester, None).await.unwrap();
        let n = solved(&desk, &admin, &agent, &ana, "Sin impresora", TicketType::Incident).await;

        // The solved mail carries the link (the desk sends surveys at solution by default).
        let outbox = mails(&desk, &admin).await;
        let solved_mail = outbox.iter().find(|m| m.0 == "solved" && m.1 == "ana@funza.gov.co").expect("solved mail");
        let token = survey_token(&solved_mail.2);
        assert_eq!(token.len(), 64, "{kind:?}: {}", solved_mail.2);

        // The staff see the same link (the token is an HMAC, made again).
        let staff = desk.ticket_survey(&actor(&agent), n).await.unwrap();
        assert_eq!(staff.token.as_deref(), Some(token.as_str()));
        assert!(staff.answer.is_none());
        let refused = desk.ticket_survey(&actor(&ana), n).await.unwrap_err();
        assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");

        // Signature: a changed character, or a well-formed made-up token, opens nothing.
        let now = Utc::now();
        let mut forged = token.clone().into_bytes();
        forged[10] = if forged[10] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).unwrap();
        for bad in [forged.as_str(), &"a".repeat(64), "nada", &token.to_uppercase()] {
            assert_eq!(desk.survey_form(bad, now).await.unwrap().unwrap_err(), DeadSurvey::Unknown, "{kind:?} {bad}");
        }
        let form = desk.survey_form(&token, now).await.unwrap().expect("a live link");
        assert_eq!((form.number, form.survey.version), (n, 1));
        assert!(form.expires_at > now + Duration::days(14) && form.expires_at <= now + Duration::days(15));

        // A refused answer spends nothing; a good one is taken once.
        let err = desk.answer_survey(&token, &answers(&[("overall", "9")]), now).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref f) if f.field == "answers" && f.code == "out_of_range"), "{err:?}");
        let good = answers(&[
            ("overall", "2"),
            ("timeliness", "4"),
            ("quality", "3"),
            ("resolved", "yes"),
            ("comment", "Tardaron en llegar"),
        ]);
        desk.answer_survey(&token, &good, now).await.unwrap().expect("answered");
        assert_eq!(desk.answer_survey(&token, &good, now).await.unwrap(), Err(DeadSurvey::Answered), "{kind:?}");
        assert_eq!(desk.survey_form(&token, now).await.unwrap().unwrap_err(), DeadSurvey::Answered);
        let staff = desk.ticket_survey(&actor(&admin), n).await.unwrap();
        let answer = staff.answer.expect("the answer");
        assert_eq!(answer.survey_version, 1);
        assert_eq!(answer.answers["comment"], mesa_core::survey::AnswerValue::Text("Tardaron en llegar".into()));

        // A score of 2 reaches the lead.
        let outbox = mails(&desk, &admin).await;
        let low = outbox.iter().find(|m| m.0 == "survey_low_score").expect("a low-score notice");
        assert_eq!(low.1, "lider@funza.gov.co");
        assert!(low.2.contains("Tardaron en llegar") && low.2.contains(&n.to_string()), "{}", low.2);

        // Expiry: another ticket's link, answered after its lifetime.
        let m = solved(&desk, &admin, &agent, &ana, "Sin correo", TicketType::Incident).await;
        let other = desk.ticket_survey(&actor(&agent), m).await.unwrap().token.unwrap();
        assert_ne!(other, token, "one link per (ticket, requester)");
        let later = now + Duration::days(16);
        assert_eq!(desk.survey_form(&other, later).await.unwrap().unwrap_err(), DeadSurvey::Expired);
        assert_eq!(desk.answer_survey(&other, &good, later).await.unwrap(), Err(DeadSurvey::Expired), "{kind:?}");
        desk.answer_survey(&other, &good, now).await.unwrap().expect("still open today");

        // Results: two answers for one agent, from the links made today.
        let today = Utc::now();
        let r = desk
            .survey_results(&actor(&admin), today - Duration::days(1), today + Duration::days(1), Some(GroupBy::Agent))
            .await
            .unwrap();
        assert_eq!((r.total.sent, r.total.answered, r.total.response_rate), (2, 2, 1.0));
        assert_eq!(r.groups.len(), 1);
        assert_eq!(r.groups[0].name.as_deref(), Some("Técnico"));
        let overall = r.total.questions.iter().find(|q| q.key == "overall").unwrap();
        assert_eq!((overall.average, overall.distribution["2"]), (Some(2.0), 2));
        assert!(desk.survey_results(&actor(&agent), today, today + Duration::days(1), None).await.is_err());
    }
}

#[tokio::test]
async fn a_solved_security_incident_asks_for_no_survey() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@funza.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let ana = desk.add_user(None, "ana@funza.gov.co", "Ana", Role::Requester, None).await.unwrap();
        solved(&desk, &admin, &admin, &ana, "Correo sospechoso", TicketType::SecurityIncident).await;
        solved(&desk, &admin, &admin, &ana, "Sin impresora", TicketType::Incident).await;
        // Newest first: the printer's solved mail, then the incident's.
        let survey = format!("{PUBLIC}/s/");
        let links: Vec<bool> =
            mails(&desk, &admin).await.iter().filter(|m| m.0 == "solved").map(|m| m.2.contains(&survey)).collect();
        assert_eq!(links, [true, false], "{kind:?}");
    }
}

#[tokio::test]
async fn the_weekly_sample_follows_its_rules_with_a_fixed_seed() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@funza.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let settings = SurveySettings { at_solution: false, ..SurveySettings::default() };
        desk.set_survey_settings(&actor(&admin), &settings).await.unwrap();
        let busy = desk.add_user(None, "busy@funza.gov.co", "Busy", Role::Agent, None).await.unwrap();
        let quiet = desk.add_user(None, "quiet@funza.gov.co", "Quiet", Role::Agent, None).await.unwrap();
        let mut people = Vec::new();
        for i in 0..7 {
            people.push(
                desk.add_user(None, &format!("p{i}@funza.gov.co"), &format!("P{i}"), Role::Requester, None)
                    .await
                    .unwrap(),
            );
        }
        // The busy agent serves five people (one twice); the quiet one two,
        // one of them by a security incident.
        for (i, p) in people[..5].iter().enumerate() {
            solved(&desk, &admin, &busy, p, &format!("Caso {i}"), TicketType::Incident).await;
        }
        solved(&desk, &admin, &busy, &people[0], "Otra vez", TicketType::ServiceRequest).await;
        solved(&desk, &admin, &quiet, &people[5], "Correo", TicketType::Incident).await;
        solved(&desk, &admin, &quiet, &people[6], "Phishing", TicketType::SecurityIncident).await;

        let tz = desk.policy().await.unwrap().default_calendar().timezone();
        let week = IsoWeek::of(Utc::now().with_timezone(&tz).date_naive());
        let dry = desk.survey_sample(week, Some(42), true).await.unwrap();
        assert_eq!(dry.lines, desk.survey_sample(week, Some(42), true).await.unwrap().lines, "{kind:?}: reproducible");
        let by = |agent: &str| dry.lines.iter().filter(|l| l.agent_email == agent).count();
        assert_eq!((by("busy@funza.gov.co"), by("quiet@funza.gov.co")), (3, 1), "{kind:?}: {:?}", dry.lines);
        let chosen: HashSet<&str> = dry.lines.iter().map(|l| l.requester_email.as_str()).collect();
        assert_eq!(chosen.len(), dry.lines.len(), "nobody twice");
        assert!(!chosen.contains("p6@funza.gov.co"), "never a security incident");
        assert!(dry.lines.iter().all(|l| l.link.is_none()), "a dry run makes no links");

        let real = desk.survey_sample(week, Some(42), false).await.unwrap();
        assert_eq!(real.lines.len(), 4);
        assert_eq!(
            real.lines.iter().map(|l| l.number).collect::<Vec<_>>(),
            dry.lines.iter().map(|l| l.number).collect::<Vec<_>>()
        );
        assert!(real.lines.iter().all(|l| l.link.as_deref().is_some_and(|u| u.starts_with(&format!("{PUBLIC}/s/")))));
        let invites: Vec<_> = mails(&desk, &admin).await.into_iter().filter(|m| m.0 == "survey_invite").collect();
        assert_eq!(invites.len(), 4, "{kind:?}: one invitation each");
        assert!(invites.iter().all(|m| m.2.contains("/s/")));

        // The week is sampled once; people asked stay out of the next weeks' period.
        let again = desk.survey_sample(week, Some(7), false).await.unwrap();
        assert!(again.already_sampled && again.lines.is_empty());
        let next = desk.survey_sample(IsoWeek::parse(&week.to_string()).unwrap(), None, true).await.unwrap();
        assert!(next.already_sampled);

        // The automation worker's step: only when the desk samples weekly, the
        // last complete week, once.
        let in_a_week = Utc::now() + Duration::days(7);
        assert!(desk.weekly_survey_sample(in_a_week).await.unwrap().is_none(), "weekly_sample is off");
        let on = SurveySettings { weekly_sample: true, ..settings.clone() };
        desk.set_survey_settings(&actor(&admin), &on).await.unwrap();
        assert!(desk.weekly_survey_sample(in_a_week).await.unwrap().is_none(), "{kind:?}: this week was sampled");
        let in_two_weeks = Utc::now() + Duration::days(14);
        let worker = desk.weekly_survey_sample(in_two_weeks).await.unwrap().expect("next week is sampled");
        assert_eq!(
            (worker.week, worker.lines.len()),
            (IsoWeek::of((in_two_weeks - Duration::days(7)).with_timezone(&tz).date_naive()), 0)
        );
        assert!(desk.weekly_survey_sample(in_two_weeks).await.unwrap().is_none(), "{kind:?}: once");
    }
}

#[tokio::test]
async fn an_accepted_lesson_is_an_internal_article_requesters_never_see() {
    for kind in databases() {
        let db = TestDb::new(kind).await;
        let desk = desk(&db).await;
        let admin = desk.add_user(None, "lider@funza.gov.co", "Líder", Role::Admin, None).await.unwrap();
        let agent = desk.add_user(None, "tecnico@funza.gov.co", "Técnico", Role::Agent, None).await.unwrap();
        let ana = desk.add_user(None, "ana@funza.gov.co", "Ana", Role::Requester, None).await.unwrap();

        let guide = ArticleInput {
            title: "Cambiar la contraseña del dominio".into(),
            body: "1. Presione **Ctrl+Alt+Supr**\n2. Elija *Cambiar contraseña*".into(),
            category: Some("Guías".into()),
            audience: "public".into(),
            published: true,
        };
        let refused = desk.create_article(&actor(&ana), &guide).await.unwrap_err();
        assert!(matches!(refused, AppError::Forbidden(_)));
        let public = desk.create_article(&actor(&agent), &guide).await.unwrap();
        assert!(public.html.contains("<strong>Ctrl+Alt+Supr</strong>"));

        let n = solved(&desk, &admin, &agent, &ana, "Contraseña bloqueada", TicketType::Incident).await;
        let lesson = LessonInput {
            title: "Desbloqueo de contraseñas en el dominio".into(),
            what_happened: "La contraseña se bloqueó tras tres intentos".into(),
            cause: "Política de bloqueo del controlador de dominio".into(),
            next_time: "Desbloquear desde la consola y pedir cambio de contraseña".into(),
        };
        assert!(matches!(desk.propose_lesson(&actor(&ana), n, &lesson).await, Err(AppError::Forbidden(_))));
        let proposed = desk.propose_lesson(&actor(&agent), n, &lesson).await.unwrap();
        assert_eq!(desk.lessons(&actor(&admin), true).await.unwrap().len(), 1, "the committee's agenda");
        let not_admin = desk.decide_lesson(&actor(&agent), proposed.id, LessonDecision::Accept, None).await;
        assert!(matches!(not_admin, Err(AppError::Forbidden(_))));
        let decided = desk.decide_lesson(&actor(&admin), proposed.id, LessonDecision::Accept, None).await.unwrap();
        let article_id = decided.article_id.expect("an article");
        let twice = desk.decide_lesson(&actor(&admin), proposed.id, LessonDecision::Reject, Some("no")).await;
        assert!(matches!(twice, Err(AppError::Conflict { code: "already_decided", .. })), "{kind:?}");

        let internal = desk.article(&actor(&agent), article_id).await.unwrap();
        assert_eq!((internal.row.audience.as_str(), internal.row.ticket_number), ("internal", Some(n)));
        assert!(matches!(desk.article(&actor(&ana), article_id).await, Err(AppError::NotFound(_))), "{kind:?}");

        // Search folds accents both ways; requesters get public articles only.
        let staff_hits = desk.articles(&actor(&agent), Some("CONTRASENAS dominio"), 50).await.unwrap();
        assert_eq!(staff_hits.len(), 1, "{kind:?}: 'contraseñas' only in the lesson");
        let staff_all = desk.articles(&actor(&agent), Some("contrasena"), 50).await.unwrap();
        assert_eq!(staff_all.len(), 2);
        let ana_hits = desk.articles(&actor(&ana), Some("contraseña"), 50).await.unwrap();
        assert_eq!(ana_hits.iter().map(|a| a.row.id).collect::<Vec<_>>(), [public.row.id], "{kind:?}");
        let suggestions =
            desk.suggest_articles(&actor(&ana), "No puedo cambiar mi contraseña del dominio", 5).await.unwrap();
        assert!(!suggestions.is_empty() && suggestions.iter().all(|a| a.row.audience == "public"), "{kind:?}");
        let staff_suggestions = desk.suggest_articles(&actor(&agent), "contraseña bloqueada dominio", 5).await.unwrap();
        assert_eq!(staff_suggestions[0].row.id, article_id, "most words matched first");

        // A rejected lesson keeps its reason (required).
        let second = desk.propose_lesson(&actor(&agent), n, &lesson).await.unwrap();
        let no_reason = desk.decide_lesson(&actor(&admin), second.id, LessonDecision::Reject, None).await;
        assert!(matches!(no_reason, Err(AppError::Invalid(ref f)) if f.field == "reason"));
        let rejected = desk
            .decide_lesson(&actor(&admin), second.id, LessonDecision::Reject, Some("Ya documentada"))
            .await
            .unwrap();
        assert_eq!((rejected.decision.as_deref(), rejected.article_id), (Some("reject"), None));

        // Revisions keep the history.
        let mut edited = guide.clone();
        edited.body.push_str("\n3. Escriba la nueva");
        desk.update_article(&actor(&admin), public.row.id, &edited).await.unwrap();
        let revisions = desk.article_revisions(&actor(&agent), public.row.id).await.unwrap();
        assert_eq!(revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), [2, 1]);
    }
}
