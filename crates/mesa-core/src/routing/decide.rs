//! The routing decision: rule table, place, team by load, in that order.

use super::settings::RoutingSettings;
use crate::ticket::Level;
use crate::{Priority, TicketType};

/// What routing knows of the case.
#[derive(Debug, Clone)]
pub struct Case {
    pub service_id: Option<i64>,
    pub ticket_type: TicketType,
    pub building: Option<Place>,
    pub department: Option<Place>,
    /// The ticket's level (the service's default on opening).
    pub level: Level,
    /// The service's default level and team.
    pub default_level: Level,
    pub service_team: Option<i64>,
    /// False for services not tied to a place (seed 001: networks,
    /// telephony, mail accounts, backups): the building's agent is skipped.
    pub place_routing: bool,
    /// Escalation or de-escalation: straight to the team of the level.
    pub by_level: bool,
}

/// A building or department and the agent it is pre-assigned to.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub agent_id: Option<i64>,
}

/// An agent or administrator who could receive the case.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub active: bool,
    /// Inside one of their absences now.
    pub absent: bool,
    /// Services they may attend; empty: every service.
    pub competences: Vec<i64>,
    /// Open tickets weighted by priority (`weighted_load`).
    pub load: u32,
    /// Their most recent case, by ticket id (ties go to whoever got a case
    /// longest ago: round-robin).
    pub latest_case: Option<i64>,
}

/// Why an agent named by a rule or a place was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Absent,
    Inactive,
    NoCompetence,
}

impl Skip {
    pub const ALL: [Skip; 3] = [Skip::Absent, Skip::Inactive, Skip::NoCompetence];

    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Absent => "absent",
            Skip::Inactive => "inactive",
            Skip::NoCompetence => "no_competence",
        }
    }
}

/// Why the case went where it went; stored in the history as `code|arg|…`
/// and put into words by `routing::describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Security incident, to the security team.
    Security { agent: Option<String> },
    /// Rule `number` (1-based) of the table.
    Rule { number: usize, agent: Option<String>, skipped: Option<(String, Skip)> },
    /// The building's (or department's) pre-assigned agent.
    Place { building: bool, place: String, agent: String },
    /// The team's least-loaded agent; `exempt`: the service skips places.
    Team { agent: Option<String>, exempt: bool, skipped: Option<(String, Skip)> },
    /// Escalated or de-escalated to the team of `level`.
    Level { level: u8, agent: Option<String> },
    /// No rule, place or team applies: the case waits unassigned.
    NoTeam,
}

impl Reason {
    /// The stable value written to the history (`field = routing`).
    pub fn to_history(&self) -> String {
        let or_nobody = |code: &str, agent: &Option<String>, args: &[String]| {
            let mut parts = vec![match agent {
                Some(_) => code.to_owned(),
                None => format!("{code}_nobody"),
            }];
            parts.extend(args.iter().cloned());
            parts.extend(agent.iter().cloned());
            parts.join("|")
        };
        match self {
            Reason::Security { agent } => or_nobody("security", agent, &[]),
            Reason::Rule { number, agent, skipped: None } => or_nobody("rule", agent, &[number.to_string()]),
            Reason::Rule { number, agent, skipped: Some((who, skip)) } => {
                or_nobody("rule_skipped", agent, &[number.to_string(), who.clone(), skip.as_str().to_owned()])
            }
            Reason::Place { building, place, agent } => {
                let code = if *building { "building" } else { "department" };
                format!("{code}|{place}|{agent}")
            }
            Reason::Team { agent, skipped: Some((who, skip)), .. } => {
                or_nobody("skipped", agent, &[who.clone(), skip.as_str().to_owned()])
            }
            Reason::Team { agent, exempt: true, skipped: None } => or_nobody("exempt", agent, &[]),
            Reason::Team { agent, exempt: false, skipped: None } => or_nobody("team", agent, &[]),
            Reason::Level { level, agent } => or_nobody("level", agent, &[level.to_string()]),
            Reason::NoTeam => "no_team".to_owned(),
        }
    }
}

/// Where the case goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub level: Level,
    pub reason: Reason,
}

/// Open tickets weighted by priority: a critical case weighs as much as
/// four low ones.
pub fn weighted_load(counts: impl IntoIterator<Item = (Priority, i64)>) -> u32 {
    counts
        .into_iter()
        .map(|(p, n)| {
            let w = match p {
                Priority::Low => 1,
                Priority::Medium => 2,
                Priority::High => 3,
                Priority::Critical => 4,
            };
            u32::try_from(n.max(0)).unwrap_or(u32::MAX).saturating_mul(w)
        })
        .fold(0u32, u32::saturating_add)
}

fn competent(c: &Candidate, service_id: Option<i64>) -> bool {
    c.competences.is_empty() || service_id.is_none_or(|s| c.competences.contains(&s))
}

/// Whether `agent_id` may take the case now, and if not, why.
fn availability(candidates: &[Candidate], agent_id: i64, service_id: Option<i64>) -> Result<&Candidate, Skip> {
    let c = candidates.iter().find(|c| c.id == agent_id).ok_or(Skip::Inactive)?;
    if !c.active {
        Err(Skip::Inactive)
    } else if c.absent {
        Err(Skip::Absent)
    } else if !competent(c, service_id) {
        Err(Skip::NoCompetence)
    } else {
        Ok(c)
    }
}

/// The team's available, competent agent with the least load; ties go
/// round-robin: to whoever got their latest case longest ago, then the lowest id.
fn least_loaded(candidates: &[Candidate], team: i64, service_id: Option<i64>) -> Option<&Candidate> {
    candidates
        .iter()
        .filter(|c| c.team_id == Some(team) && c.active && !c.absent && competent(c, service_id))
        .min_by_key(|c| (c.load, c.latest_case, c.id))
}

/// Decides who gets the case. The order is: security incidents to the
/// security team; the first matching rule of the table; the building's,
/// then the department's pre-assigned agent (unless the service is not
/// routed by place); the team of the level, least-loaded agent first.
pub fn decide(settings: &RoutingSettings, case: &Case, candidates: &[Candidate]) -> Decision {
    let team_of_level = |level: Level| settings.team_for(case.service_id, case.service_team, case.default_level, level);
    let pick = |team: Option<i64>| -> (Option<i64>, Option<String>) {
        match team.and_then(|t| least_loaded(candidates, t, case.service_id)) {
            Some(c) => (Some(c.id), Some(c.name.clone())),
            None => (None, None),
        }
    };
    let decision = |assignee_id, team_id, level, reason| Decision { assignee_id, team_id, level, reason };

    // seed 003: security incidents follow their own path.
    if case.ticket_type == TicketType::SecurityIncident
        && let Some(team) = settings.security_team_id
    {
        let (id, agent) = pick(Some(team));
        return decision(id, Some(team), case.level, Reason::Security { agent });
    }

    if case.by_level {
        let team = team_of_level(case.level);
        if team.is_none() {
            return decision(None, None, case.level, Reason::NoTeam);
        }
        let (id, agent) = pick(team);
        return decision(id, team, case.level, Reason::Level { level: case.level.get(), agent });
    }

    let matches_id = |want: Option<i64>, have: Option<i64>| want.is_none_or(|w| Some(w) == have);
    for (i, rule) in settings.rules.iter().enumerate() {
        let matches = matches_id(rule.service_id, case.service_id)
            && matches_id(rule.building_id, case.building_id())
            && matches_id(rule.department_id, case.department_id())
            && rule.ticket_type.as_ref().is_none_or(|_| rule.ticket_type() == Some(case.ticket_type));
        if !matches {
            continue;
        }
        let number = i + 1;
        let level = rule.level().unwrap_or(case.level);
        let team = rule.team_id.or_else(|| team_of_level(level));
        let mut skipped = None;
        if let Some(email) = &rule.agent_email {
            match candidates.iter().find(|c| c.email.eq_ignore_ascii_case(email)) {
                Some(named) => match availability(candidates, named.id, case.service_id) {
                    Ok(c) => {
                        let team = team.or(c.team_id);
                        let reason = Reason::Rule { number, agent: Some(c.name.clone()), skipped: None };
                        return decision(Some(c.id), team, level, reason);
                    }
                    Err(skip) => skipped = Some((named.name.clone(), skip)),
                },
                None => skipped = Some((email.clone(), Skip::Inactive)),
            }
        }
        let (id, agent) = pick(team);
        return decision(id, team, level, Reason::Rule { number, agent, skipped });
    }

    let team = team_of_level(case.level);
    let mut skipped = None;
    let places = [(true, &case.building), (false, &case.department)];
    let has_place_agent = places.iter().any(|(_, p)| p.as_ref().is_some_and(|p| p.agent_id.is_some()));
    if case.place_routing {
        for (building, place) in places {
            let Some(place) = place else { continue };
            let Some(agent_id) = place.agent_id else { continue };
            match availability(candidates, agent_id, case.service_id) {
                Ok(c) => {
                    let reason = Reason::Place { building, place: place.name.clone(), agent: c.name.clone() };
                    return decision(Some(c.id), team.or(c.team_id), case.level, reason);
                }
                Err(skip) => {
                    if skipped.is_none() {
                        let name = candidates
                            .iter()
                            .find(|c| c.id == agent_id)
                            .map_or_else(|| place.name.clone(), |c| c.name.clone());
                        skipped = Some((name, skip));
                    }
                }
            }
        }
    }
    if team.is_none() {
        return decision(None, None, case.level, Reason::NoTeam);
    }
    let (id, agent) = pick(team);
    let exempt = !case.place_routing && has_place_agent;
    decision(id, team, case.level, Reason::Team { agent, exempt, skipped })
}

impl Case {
    fn building_id(&self) -> Option<i64> {
        self.building.as_ref().map(|p| p.id)
    }

    fn department_id(&self) -> Option<i64> {
        self.department.as_ref().map(|p| p.id)
    }
}
