//! Table tests: one row per rule of the routing order.

use super::*;
use crate::ticket::Level;
use crate::{Priority, TicketType};

const NETWORKS: i64 = 10; // seed 001: not routed by place
const PRINTERS: i64 = 11;
const SUPPORT: i64 = 1;
const LEVEL2: i64 = 2;
const LEVEL3: i64 = 3;
const SECURITY: i64 = 9;

fn agent(id: i64, name: &str, team: i64) -> Candidate {
    Candidate {
        id,
        name: name.into(),
        email: format!("{}@funza.gov.co", name.to_lowercase()),
        team_id: Some(team),
        active: true,
        absent: false,
        competences: vec![],
        load: 0,
        latest_case: None,
    }
}

fn desk() -> Vec<Candidate> {
    vec![
        agent(1, "Carlos", SUPPORT),
        agent(2, "Ana", SUPPORT),
        agent(3, "Luis", LEVEL2),
        agent(4, "Marta", LEVEL3),
        agent(5, "Sofia", SECURITY),
    ]
}

fn settings() -> RoutingSettings {
    RoutingSettings {
        level_teams: vec![
            LevelTeam { service_id: None, level: 2, team_id: LEVEL2 },
            LevelTeam { service_id: None, level: 3, team_id: LEVEL3 },
        ],
        security_team_id: Some(SECURITY),
        ..Default::default()
    }
}

fn case(service: i64, place_routing: bool) -> Case {
    Case {
        service_id: Some(service),
        ticket_type: TicketType::Incident,
        building: Some(Place { id: 7, name: "Alcaldía".into(), agent_id: Some(1) }),
        department: None,
        level: Level::FIRST,
        default_level: Level::FIRST,
        service_team: Some(SUPPORT),
        place_routing,
        by_level: false,
    }
}

fn with(mut people: Vec<Candidate>, id: i64, change: impl Fn(&mut Candidate)) -> Vec<Candidate> {
    people.iter_mut().filter(|c| c.id == id).for_each(change);
    people
}

#[test]
fn the_routing_order_table() {
    let level = |n| Level::new(n).unwrap();
    // (what, case, candidates, settings, expected assignee, team, level, history)
    type Row = (&'static str, Case, Vec<Candidate>, RoutingSettings, Option<i64>, Option<i64>, Level, &'static str);
    let rows: Vec<Row> = vec![
        (
            "a building's pre-assigned agent gets its cases",
            case(PRINTERS, true),
            desk(),
            settings(),
            Some(1),
            Some(SUPPORT),
            level(1),
            "building|Alcaldía|Carlos",
        ),
        (
            "a service not routed by place skips the building's agent",
            case(NETWORKS, false),
            with(desk(), 2, |c| c.load = 5),
            settings(),
            Some(1),
            Some(SUPPORT),
            level(1),
            "exempt|Carlos",
        ),
        (
            "an absent building agent: the team shares the case out",
            case(PRINTERS, true),
            with(desk(), 1, |c| c.absent = true),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "skipped|Carlos|absent|Ana",
        ),
        (
            "an inactive building agent gets nothing new",
            case(PRINTERS, true),
            with(desk(), 1, |c| c.active = false),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "skipped|Carlos|inactive|Ana",
        ),
        (
            "a building agent without the service's competence is skipped",
            case(PRINTERS, true),
            with(desk(), 1, |c| c.competences = vec![NETWORKS]),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "skipped|Carlos|no_competence|Ana",
        ),
        (
            "the team's least-loaded agent gets a case with no place",
            Case { building: None, ..case(PRINTERS, true) },
            with(desk(), 1, |c| c.load = 3),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "team|Ana",
        ),
        (
            "ties go to whoever got a case longest ago",
            Case { building: None, ..case(PRINTERS, true) },
            with(with(desk(), 1, |c| c.latest_case = Some(40)), 2, |c| c.latest_case = Some(12)),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "team|Ana",
        ),
        (
            "nobody available in the team: the case waits with the team",
            Case { building: None, ..case(PRINTERS, true) },
            with(with(desk(), 1, |c| c.absent = true), 2, |c| c.active = false),
            settings(),
            None,
            Some(SUPPORT),
            level(1),
            "team_nobody",
        ),
        (
            "no rule, place or team: unassigned",
            Case { building: None, service_team: None, service_id: None, ..case(PRINTERS, true) },
            desk(),
            settings(),
            None,
            None,
            level(1),
            "no_team",
        ),
        (
            "a rule naming an agent wins over the building",
            case(PRINTERS, true),
            desk(),
            RoutingSettings {
                rules: vec![Rule {
                    service_id: Some(PRINTERS),
                    agent_email: Some("ana@funza.gov.co".into()),
                    ..Default::default()
                }],
                ..settings()
            },
            Some(2),
            Some(SUPPORT),
            level(1),
            "rule|1|Ana",
        ),
        (
            "a rule on type naming a level sends the case to that level's team",
            Case { ticket_type: TicketType::Maintenance, ..case(PRINTERS, true) },
            desk(),
            RoutingSettings {
                rules: vec![
                    Rule { building_id: Some(99), team_id: Some(SUPPORT), ..Default::default() },
                    Rule { ticket_type: Some("maintenance".into()), level: Some(2), ..Default::default() },
                ],
                ..settings()
            },
            Some(3),
            Some(LEVEL2),
            level(2),
            "rule|2|Luis",
        ),
        (
            "a rule's absent agent falls back to the rule's team",
            case(PRINTERS, true),
            with(desk(), 2, |c| c.absent = true),
            RoutingSettings {
                rules: vec![Rule {
                    department_id: None,
                    agent_email: Some("ana@funza.gov.co".into()),
                    team_id: Some(SUPPORT),
                    ..Default::default()
                }],
                ..settings()
            },
            Some(1),
            Some(SUPPORT),
            level(1),
            "rule_skipped|1|Ana|absent|Carlos",
        ),
        (
            "escalation hands the case to the team of the new level",
            Case { level: level(2), by_level: true, ..case(PRINTERS, true) },
            desk(),
            settings(),
            Some(3),
            Some(LEVEL2),
            level(2),
            "level|2|Luis",
        ),
        (
            "level three has its own team",
            Case { level: level(3), by_level: true, ..case(PRINTERS, true) },
            desk(),
            settings(),
            Some(4),
            Some(LEVEL3),
            level(3),
            "level|3|Marta",
        ),
        (
            "de-escalation back to the service's level returns to the service's team",
            Case { level: level(1), by_level: true, ..case(PRINTERS, true) },
            with(desk(), 1, |c| c.load = 9),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "level|1|Ana",
        ),
        (
            "a service's own level team wins over the desk-wide one",
            Case { level: level(2), by_level: true, ..case(PRINTERS, true) },
            desk(),
            RoutingSettings {
                level_teams: vec![
                    LevelTeam { service_id: Some(PRINTERS), level: 2, team_id: LEVEL3 },
                    LevelTeam { service_id: None, level: 2, team_id: LEVEL2 },
                ],
                ..settings()
            },
            Some(4),
            Some(LEVEL3),
            level(2),
            "level|2|Marta",
        ),
        (
            "security incidents go to the security team, whatever the building or rules",
            Case { ticket_type: TicketType::SecurityIncident, ..case(PRINTERS, true) },
            desk(),
            RoutingSettings { rules: vec![Rule { team_id: Some(SUPPORT), ..Default::default() }], ..settings() },
            Some(5),
            Some(SECURITY),
            level(1),
            "security|Sofia",
        ),
        (
            "without a security team a security incident is routed like any case",
            Case { ticket_type: TicketType::SecurityIncident, ..case(PRINTERS, true) },
            desk(),
            RoutingSettings { security_team_id: None, ..settings() },
            Some(1),
            Some(SUPPORT),
            level(1),
            "building|Alcaldía|Carlos",
        ),
        (
            "the department's agent when the building has none",
            Case {
                building: Some(Place { id: 7, name: "Alcaldía".into(), agent_id: None }),
                department: Some(Place { id: 3, name: "Hacienda".into(), agent_id: Some(2) }),
                ..case(PRINTERS, true)
            },
            desk(),
            settings(),
            Some(2),
            Some(SUPPORT),
            level(1),
            "department|Hacienda|Ana",
        ),
    ];
    for (what, case, people, settings, assignee, team, level, history) in rows {
        let d = decide(&settings, &case, &people);
        assert_eq!((d.assignee_id, d.team_id, d.level), (assignee, team, level), "{what}");
        assert_eq!(d.reason.to_history(), history, "{what}");
    }
}

#[test]
fn load_weighs_priority() {
    assert_eq!(weighted_load([(Priority::Low, 4)]), weighted_load([(Priority::Critical, 1)]));
    assert!(weighted_load([(Priority::High, 1)]) > weighted_load([(Priority::Medium, 1)]));
    assert_eq!(weighted_load([(Priority::Low, -3)]), 0);
}

#[test]
fn competence_only_restricts_agents_who_recorded_some() {
    let mut people = desk();
    people.retain(|c| c.team_id == Some(SUPPORT));
    people[1].competences = vec![NETWORKS];
    people[0].load = 10;
    let d = decide(&settings(), &Case { building: None, ..case(PRINTERS, true) }, &people);
    assert_eq!(d.assignee_id, Some(1), "Ana may only attend networks");
    let d = decide(&settings(), &Case { building: None, ..case(NETWORKS, false) }, &people);
    assert_eq!(d.assignee_id, Some(2));
}

#[test]
fn reasons_read_in_spanish_and_english() {
    use crate::Lang;
    assert_eq!(describe(Lang::Es, "building|Alcaldía|Carlos"), "edificio Alcaldía → Carlos");
    assert_eq!(describe(Lang::Es, "skipped|Carlos|absent|Ana"), "Carlos ausente: reparto del equipo → Ana");
    assert_eq!(describe(Lang::En, "skipped|Carlos|absent|Ana"), "Carlos absent: team distribution → Ana");
    assert_eq!(describe(Lang::Es, "mystery|x"), "mystery|x");
    for code in [
        "security",
        "security_nobody",
        "rule",
        "rule_nobody",
        "rule_skipped",
        "rule_skipped_nobody",
        "building",
        "department",
        "skipped",
        "skipped_nobody",
        "exempt",
        "exempt_nobody",
        "team",
        "team_nobody",
        "level",
        "level_nobody",
        "no_team",
        "authorization",
    ] {
        for lang in Lang::ALL {
            assert_ne!(crate::labels::text(lang, &format!("routing.reason.{code}")), "??", "{code}");
        }
    }
}

#[test]
fn the_document_is_checked_and_names_the_field() {
    let bad_level = RoutingSettings { rules: vec![Rule { level: Some(4), ..Default::default() }], ..settings() };
    assert_eq!(bad_level.validate().unwrap_err().field, "rules");
    let empty_rule = RoutingSettings { rules: vec![Rule { service_id: Some(1), ..Default::default() }], ..settings() };
    assert!(empty_rule.validate().unwrap_err().message.contains("rule 1"));
    let bad_type = RoutingSettings {
        rules: vec![Rule { ticket_type: Some("x".into()), team_id: Some(1), ..Default::default() }],
        ..settings()
    };
    assert_eq!(bad_type.validate().unwrap_err().field, "rules");
    let twice =
        RoutingSettings { level_teams: vec![LevelTeam { service_id: None, level: 2, team_id: 1 }; 2], ..settings() };
    assert_eq!(twice.validate().unwrap_err().field, "level_teams");
    assert!(settings().validate().is_ok());
}

#[test]
fn reassignment_criteria_have_stable_names() {
    for c in ReassignmentCriterion::ALL {
        assert_eq!(ReassignmentCriterion::parse(c.as_str()).unwrap(), c);
    }
    assert_eq!(ReassignmentCriterion::parse("whim").unwrap_err().field, "criterion");
}

#[test]
fn only_the_security_team_admins_and_the_requester_see_security_incidents() {
    use crate::Role;
    use crate::lifecycle::tests_support::sample_ticket;
    let mut t = sample_ticket(10);
    t.ticket_type = TicketType::SecurityIncident;
    let sees = |role, user, team| may_see_security_incident(&t, role, user, team, Some(SECURITY));
    assert!(sees(Role::Admin, 1, None));
    assert!(sees(Role::Requester, 10, None));
    assert!(sees(Role::Agent, 2, Some(SECURITY)));
    assert!(!sees(Role::Agent, 2, Some(SUPPORT)));
    assert!(!sees(Role::Manager, 3, None));
    assert!(!sees(Role::Requester, 11, None));
    t.ticket_type = TicketType::Incident;
    assert!(may_see_security_incident(&t, Role::Agent, 2, Some(SUPPORT), Some(SECURITY)));
}
