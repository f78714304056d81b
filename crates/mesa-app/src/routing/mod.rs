//! Routing use cases: who gets a case when it is opened, reclassified while
//! unassigned, escalated or authorised (the rules: `mesa_core::routing`),
//! and the administration of what routing reads.

mod admin;
mod flow;

pub use admin::{PlaceInput, ServiceRoutingInput, UserPatch};
pub use flow::AuthorizationDecision;

use chrono::{DateTime, Utc};
use mesa_core::routing::{self, Candidate, Case, Decision, Place};
use mesa_core::ticket::Level;
use mesa_core::{Actor, Role, Ticket, TicketType};
use mesa_store::{Directory, PlaceKind, Service, ServiceRouting, StoreError};

use crate::{AppResult, Desk};

/// The settings key of the routing document.
pub const ROUTING_SETTINGS_KEY: &str = "routing";

/// What a ticket to be routed looks like, whether new or stored.
pub(crate) struct ToRoute<'a> {
    pub ticket_type: TicketType,
    pub service: Option<&'a Service>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub level: Level,
    /// Straight to the team of `level` (escalation).
    pub by_level: bool,
}

impl Desk {
    /// Asks the core where a case goes, with the agents' availability and
    /// load read now.
    pub(crate) async fn route(&self, what: ToRoute<'_>, now: DateTime<Utc>) -> AppResult<Decision> {
        // The reads do not depend on one another: run at once, they cost the
        // slowest of them rather than their sum (issue 14's ≤ 1 ms target).
        let service_routing = async {
            match what.service {
                Some(s) => Ok(self.store.service_routing(s.id).await?),
                None => Ok(ServiceRouting::default_for(0)),
            }
        };
        let (policy, service_routing, building, department, candidates) = tokio::try_join!(
            self.policy(),
            service_routing,
            self.place(PlaceKind::Building, Directory::Buildings, what.building_id),
            self.place(PlaceKind::Department, Directory::Departments, what.department_id),
            self.candidates(now),
        )?;
        let case = Case {
            service_id: what.service.map(|s| s.id),
            ticket_type: what.ticket_type,
            building,
            department,
            level: what.level,
            default_level: what.service.map_or(Level::FIRST, |s| s.default_level),
            service_team: what.service.and_then(|s| s.team_id),
            place_routing: service_routing.place_routing,
            by_level: what.by_level,
        };
        Ok(routing::decide(&policy.routing, &case, &candidates))
    }

    /// Where a case with these fields would go now (nothing is written):
    /// the whole cost routing adds to opening a ticket.
    pub async fn preview_route(
        &self,
        ticket_type: TicketType,
        service_id: Option<i64>,
        building_id: Option<i64>,
        department_id: Option<i64>,
    ) -> AppResult<Decision> {
        let service = match service_id {
            Some(id) => Some(self.store.service(id).await?),
            None => None,
        };
        let level = service.as_ref().map_or(Level::FIRST, |s| s.default_level);
        let what =
            ToRoute { ticket_type, service: service.as_ref(), building_id, department_id, level, by_level: false };
        self.route(what, Utc::now()).await
    }

    async fn place(&self, kind: PlaceKind, dir: Directory, id: Option<i64>) -> AppResult<Option<Place>> {
        let Some(id) = id else { return Ok(None) };
        let (item, agent_id) = tokio::join!(self.store.item(dir, id), self.store.place_agent(kind, id));
        let name = match item {
            Ok(item) => item.name,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(Place { id, name, agent_id: agent_id? }))
    }

    /// Every agent and admin with their availability, competences and load.
    pub(crate) async fn candidates(&self, now: DateTime<Utc>) -> AppResult<Vec<Candidate>> {
        let (agents, competences, loads) =
            tokio::join!(self.store.routing_agents(now), self.store.all_competences(), self.store.open_load_all());
        let (agents, mut competences, mut loads) = (agents?, competences?, loads?);
        Ok(agents
            .into_iter()
            .map(|a| Candidate {
                competences: competences.remove(&a.id).unwrap_or_default(),
                load: routing::weighted_load(loads.remove(&a.id).unwrap_or_default()),
                id: a.id,
                name: a.name,
                email: a.email,
                team_id: a.team_id,
                active: a.active,
                absent: a.absent,
                latest_case: a.latest_case,
            })
            .collect())
    }

    /// Whether `actor` may see `ticket` beyond the role rule: security
    /// incidents are for the security team, administrators and the
    /// requester (seed 003); an approver sees what waits for them (seed 004).
    pub(crate) async fn may_see(&self, actor: &Actor, ticket: &Ticket) -> AppResult<bool> {
        if !actor.can_view(ticket) {
            // A requester may be the named approver of someone else's ticket.
            return Ok(actor.role == Role::Requester
                && self.store.authorization(ticket.id).await?.is_some_and(|a| a.approver_id == actor.user_id));
        }
        if ticket.ticket_type != TicketType::SecurityIncident {
            return Ok(true);
        }
        let security_team = self.policy().await?.routing.security_team_id;
        let team = self.store.user_by_id(actor.user_id).await?.team_id;
        Ok(routing::may_see_security_incident(ticket, actor.role, actor.user_id, team, security_team))
    }

    /// Whether lists shown to `actor` leave security incidents out.
    pub(crate) async fn hides_security_incidents(&self, actor: &Actor) -> AppResult<bool> {
        if matches!(actor.role, Role::Admin | Role::Requester) {
            return Ok(false);
        }
        let Some(security_team) = self.policy().await?.routing.security_team_id else { return Ok(false) };
        Ok(self.store.user_by_id(actor.user_id).await?.team_id != Some(security_team))
    }
}
