//! The routing table, stored and exchanged as one JSON document.

use serde::{Deserialize, Serialize};

use crate::TicketType;
use crate::ticket::Level;
use crate::user::Email;
use crate::validate::FieldError;

/// The desk's routing document (`GET/PUT /api/v1/settings/routing`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingSettings {
    /// Checked in order before anything else; the first that matches wins.
    pub rules: Vec<Rule>,
    /// The team that works a service at a level (`service_id` absent: every
    /// service); escalation hands the ticket to it.
    pub level_teams: Vec<LevelTeam>,
    /// The team that receives security incidents and alone sees them.
    pub security_team_id: Option<i64>,
    /// Who may take a ticket from its assignee (seed 001: the administrator only).
    pub reassignment: Reassigners,
}

/// A row of the rule table: what it matches (absent matches anything) and
/// what it names (at least one of agent, team, level).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    pub service_id: Option<i64>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    /// A ticket type name (`incident`, `service_request`, …).
    #[serde(rename = "type")]
    pub ticket_type: Option<String>,
    pub agent_email: Option<String>,
    pub team_id: Option<i64>,
    pub level: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelTeam {
    #[serde(default)]
    pub service_id: Option<i64>,
    pub level: u8,
    pub team_id: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reassigners {
    /// Only administrators take a ticket from its assignee (seed 001).
    Admins,
    /// Any agent may (the default, as before routing existed).
    #[default]
    Agents,
}

/// Why a ticket changes hands (seed 001, "Re-asignación de caso"), plus `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReassignmentCriterion {
    Absence,
    Competence,
    DirectOrder,
    Other,
}

impl ReassignmentCriterion {
    pub const ALL: [ReassignmentCriterion; 4] = [Self::Absence, Self::Competence, Self::DirectOrder, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Absence => "absence",
            Self::Competence => "competence",
            Self::DirectOrder => "direct_order",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw.trim()).ok_or_else(|| {
            FieldError::new(
                "criterion",
                "invalid",
                "criterion must be one of: absence, competence, direct_order, other",
            )
        })
    }
}

impl Rule {
    pub(crate) fn ticket_type(&self) -> Option<TicketType> {
        self.ticket_type.as_deref().and_then(|t| TicketType::parse(t).ok())
    }

    pub(crate) fn level(&self) -> Option<Level> {
        self.level.and_then(|l| Level::new(i64::from(l)).ok())
    }
}

impl RoutingSettings {
    /// Checks the document's shape (references to rows and users are
    /// checked by the use case, which knows the store).
    pub fn validate(&self) -> Result<(), FieldError> {
        for (i, rule) in self.rules.iter().enumerate() {
            let n = i + 1;
            if let Some(t) = &rule.ticket_type {
                TicketType::parse(t)
                    .map_err(|e| FieldError::new("rules", "invalid", format!("rule {n}: {}", e.message)))?;
            }
            if let Some(level) = rule.level {
                Level::new(i64::from(level))
                    .map_err(|_| FieldError::new("rules", "invalid", format!("rule {n}: level must be 1, 2 or 3")))?;
            }
            if let Some(email) = &rule.agent_email {
                Email::parse(email).map_err(|_| {
                    FieldError::new("rules", "invalid", format!("rule {n}: agent_email is not an e-mail address"))
                })?;
            }
            if rule.agent_email.is_none() && rule.team_id.is_none() && rule.level.is_none() {
                return Err(FieldError::new("rules", "invalid", format!("rule {n} names no agent, team or level")));
            }
        }
        for (i, lt) in self.level_teams.iter().enumerate() {
            if Level::new(i64::from(lt.level)).is_err() {
                return Err(FieldError::new(
                    "level_teams",
                    "invalid",
                    format!("entry {}: level must be 1, 2 or 3", i + 1),
                ));
            }
            let twin = self.level_teams[..i].iter().any(|o| o.service_id == lt.service_id && o.level == lt.level);
            if twin {
                return Err(FieldError::new(
                    "level_teams",
                    "duplicate",
                    format!("entry {}: that service and level already have a team", i + 1),
                ));
            }
        }
        Ok(())
    }

    /// The team that works `service_id` at `level`: the service's own entry,
    /// else the service's team when the level is its default, else the
    /// desk-wide entry for the level, else the service's team.
    pub fn team_for(
        &self,
        service_id: Option<i64>,
        service_team: Option<i64>,
        default_level: Level,
        level: Level,
    ) -> Option<i64> {
        let entry = |sid: Option<i64>| {
            self.level_teams.iter().find(|lt| lt.service_id == sid && lt.level == level.get()).map(|lt| lt.team_id)
        };
        if let Some(team) = service_id.and_then(|id| entry(Some(id))) {
            return Some(team);
        }
        if level == default_level && service_team.is_some() {
            return service_team;
        }
        entry(None).or(service_team)
    }
}
