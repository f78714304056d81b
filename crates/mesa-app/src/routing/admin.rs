//! What routing reads, administered: the routing document, places' agents,
//! services' routing fields, competences, absences, and the user fields
//! routing depends on.

use chrono::{DateTime, Utc};
use mesa_core::routing::RoutingSettings;
use mesa_core::ticket::Level;
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Email, Role, User};
use mesa_store::{Absence, Directory, PlaceKind, ServiceRouting, StoreError};

use super::ROUTING_SETTINGS_KEY;
use crate::{AppError, AppResult, Desk};

/// A building's or department's agent: `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PlaceInput {
    pub agent_email: Option<Option<String>>,
}

/// A service's routing fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ServiceRoutingInput {
    pub place_routing: Option<bool>,
    pub requires_authorization: Option<bool>,
    /// `Some(None)` clears the approver.
    pub approver_email: Option<Option<String>>,
}

/// `PATCH /users/{email}`: what routing needs to change on a person.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// `Some(None)` takes them out of their team.
    pub team_id: Option<Option<i64>>,
    pub level: Option<i64>,
    pub active: Option<bool>,
    /// Service ids; empty: every service.
    pub competences: Option<Vec<i64>>,
}

fn admin_only(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::Admin { Ok(()) } else { Err(AppError::forbidden("only administrators may do this")) }
}

impl Desk {
    pub async fn routing_settings(&self, actor: &Actor) -> AppResult<RoutingSettings> {
        if !actor.role.is_staff() && actor.role != Role::Manager {
            return Err(AppError::forbidden("staff only"));
        }
        Ok(self.policy().await?.routing.clone())
    }

    /// Replaces the routing document after checking it and what it names.
    pub async fn set_routing_settings(&self, actor: &Actor, settings: &RoutingSettings) -> AppResult<()> {
        Self::require_policy_admin(actor)?;
        settings.validate()?;
        let teams: Vec<i64> = self.store.list_items(Directory::Teams, true).await?.into_iter().map(|t| t.id).collect();
        let services: Vec<i64> = self.store.list_services().await?.into_iter().map(|s| s.id).collect();
        let unknown = |field: &'static str, what: &str, id: i64| {
            AppError::from(FieldError::new(field, "unknown", format!("{what} {id} does not exist")))
        };
        if let Some(team) = settings.security_team_id
            && !teams.contains(&team)
        {
            return Err(unknown("security_team_id", "team", team));
        }
        for lt in &settings.level_teams {
            if !teams.contains(&lt.team_id) {
                return Err(unknown("level_teams", "team", lt.team_id));
            }
            if let Some(s) = lt.service_id
                && !services.contains(&s)
            {
                return Err(unknown("level_teams", "service", s));
            }
        }
        for rule in &settings.rules {
            if let Some(team) = rule.team_id
                && !teams.contains(&team)
            {
                return Err(unknown("rules", "team", team));
            }
            if let Some(s) = rule.service_id
                && !services.contains(&s)
            {
                return Err(unknown("rules", "service", s));
            }
            if let Some(email) = &rule.agent_email {
                self.staff_member(email, "rules").await?;
            }
        }
        self.put_json(ROUTING_SETTINGS_KEY, settings).await
    }

    /// Checks that `email` names an active agent or administrator (422 naming `field`).
    pub async fn check_assignable(&self, email: &str, field: &'static str) -> AppResult<()> {
        self.staff_member(email, field).await.map(|_| ())
    }

    /// Checks that `email` names an active user (422 naming `field`).
    pub async fn check_active_user(&self, raw: &str, field: &'static str) -> AppResult<()> {
        let email = Email::parse(raw).map_err(|e| FieldError { field, ..e })?;
        match self.store.user_by_email(&email).await? {
            Some(u) if u.active => Ok(()),
            _ => Err(FieldError::new(field, "unknown", format!("{email} is not an active user")).into()),
        }
    }

    /// A department, building or team by id.
    pub async fn item(&self, dir: Directory, id: i64) -> AppResult<mesa_store::DirectoryItem> {
        match self.store.item(dir, id).await {
            Ok(item) => Ok(item),
            Err(StoreError::NotFound) => Err(AppError::NotFound("item")),
            Err(e) => Err(e.into()),
        }
    }

    /// A service by id.
    pub async fn service(&self, id: i64) -> AppResult<mesa_store::Service> {
        match self.store.service(id).await {
            Ok(s) => Ok(s),
            Err(StoreError::NotFound) => Err(AppError::NotFound("service")),
            Err(e) => Err(e.into()),
        }
    }

    /// An active agent or administrator named by e-mail, or a 422 naming `field`.
    async fn staff_member(&self, raw: &str, field: &'static str) -> AppResult<User> {
        let email = Email::parse(raw).map_err(|e| FieldError { field, ..e })?;
        match self.store.user_by_email(&email).await? {
            Some(u) if u.role.is_staff() && u.active => Ok(u),
            _ => Err(FieldError::new(
                field,
                "not_assignable",
                format!("{email} is not an active agent or administrator"),
            )
            .into()),
        }
    }

    /// Sets a building's or department's pre-assigned agent (seed 001).
    pub async fn set_place(&self, actor: &Actor, kind: PlaceKind, id: i64, input: &PlaceInput) -> AppResult<()> {
        admin_only(actor)?;
        let dir = match kind {
            PlaceKind::Building => Directory::Buildings,
            PlaceKind::Department => Directory::Departments,
        };
        match self.store.item(dir, id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => return Err(AppError::NotFound(dir.singular())),
            Err(e) => return Err(e.into()),
        }
        let Some(agent) = &input.agent_email else { return Ok(()) };
        let agent_id = match agent.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(email) => Some(self.staff_member(email, "agent_email").await?.id),
            None => None,
        };
        Ok(self.store.set_place_agent(kind, id, agent_id).await?)
    }

    /// Every place of a kind with its agent's e-mail.
    pub async fn place_agents(&self, kind: PlaceKind) -> AppResult<std::collections::HashMap<i64, String>> {
        Ok(self.store.place_agents(kind).await?)
    }

    /// Changes a service's routing fields (seed 001 exempt services, seed
    /// 004 authorisation by a named approver).
    pub async fn set_service_routing(
        &self,
        actor: &Actor,
        service_id: i64,
        input: &ServiceRoutingInput,
    ) -> AppResult<ServiceRouting> {
        admin_only(actor)?;
        match self.store.service(service_id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => return Err(AppError::NotFound("service")),
            Err(e) => return Err(e.into()),
        }
        let mut r = self.store.service_routing(service_id).await?;
        if let Some(p) = input.place_routing {
            r.place_routing = p;
        }
        if let Some(a) = input.requires_authorization {
            r.requires_authorization = a;
        }
        if let Some(approver) = &input.approver_email {
            r.approver_id = match approver.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                Some(raw) => {
                    let email = Email::parse(raw).map_err(|e| FieldError { field: "approver_email", ..e })?;
                    match self.store.user_by_email(&email).await? {
                        Some(u) if u.active => Some(u.id),
                        _ => {
                            return Err(FieldError::new(
                                "approver_email",
                                "unknown",
                                format!("{email} is not an active user"),
                            )
                            .into());
                        }
                    }
                }
                None => None,
            };
        }
        if r.requires_authorization && r.approver_id.is_none() {
            return Err(FieldError::new(
                "approver_email",
                "required",
                "a service that requires authorisation needs an approver",
            )
            .into());
        }
        self.store.set_service_routing(&r).await?;
        Ok(r)
    }

    /// The routing fields of every service, with the approvers' e-mails.
    pub async fn services_routing(
        &self,
    ) -> AppResult<std::collections::HashMap<i64, (ServiceRouting, Option<String>)>> {
        let rows = self.store.services_routing().await?;
        let mut out = std::collections::HashMap::new();
        for (id, r) in rows {
            let email = match r.approver_id {
                Some(a) => Some(self.store.user_by_id(a).await?.email.to_string()),
                None => None,
            };
            out.insert(id, (r, email));
        }
        Ok(out)
    }

    pub async fn service_routing(&self, service_id: i64) -> AppResult<(ServiceRouting, Option<String>)> {
        let r = self.store.service_routing(service_id).await?;
        let email = match r.approver_id {
            Some(a) => Some(self.store.user_by_id(a).await?.email.to_string()),
            None => None,
        };
        Ok((r, email))
    }

    /// The person named by `email`, for an administrator or themself.
    async fn person(&self, actor: &Actor, email: &str) -> AppResult<User> {
        // An address that is no address names nobody.
        let email = Email::parse(email).map_err(|_| AppError::NotFound("user"))?;
        let user = self.store.user_by_email(&email).await?.ok_or(AppError::NotFound("user"))?;
        if actor.role != Role::Admin && actor.user_id != user.id {
            // Not revealing who exists to someone who may not ask.
            return Err(AppError::NotFound("user"));
        }
        Ok(user)
    }

    /// Records an absence (by the agent or an administrator); routing gives
    /// them nothing new while it lasts.
    pub async fn add_absence(
        &self,
        actor: &Actor,
        email: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<Absence> {
        let user = self.person(actor, email).await?;
        if !user.role.is_staff() {
            return Err(FieldError::new("email", "not_staff", "only agents and administrators have absences").into());
        }
        if to <= from {
            return Err(FieldError::new("to", "before_from", "the absence must end after it starts").into());
        }
        Ok(self.store.add_absence(user.id, from, to, actor.user_id).await?)
    }

    pub async fn absences(&self, actor: &Actor, email: &str) -> AppResult<Vec<Absence>> {
        let user = self.person(actor, email).await?;
        Ok(self.store.absences(user.id).await?)
    }

    pub async fn delete_absence(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let absence = match self.store.absence(id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("absence")),
            Err(e) => return Err(e.into()),
        };
        if actor.role != Role::Admin && absence.user_id != actor.user_id {
            return Err(AppError::NotFound("absence"));
        }
        Ok(self.store.delete_absence(id).await?)
    }

    /// The e-mails of the agents whose recorded competences leave `service_id` out.
    pub async fn lacking_competence(&self, service_id: i64) -> AppResult<Vec<String>> {
        let all = self.store.all_competences().await?;
        let mut out = Vec::new();
        for (user, services) in all {
            if !services.contains(&service_id) {
                out.push(self.store.user_by_id(user).await?.email.to_string());
            }
        }
        Ok(out)
    }

    pub async fn competences(&self, user_id: i64) -> AppResult<Vec<i64>> {
        Ok(self.store.competences(user_id).await?)
    }

    /// Replaces a person's competences (the services they may attend).
    pub async fn set_competences(&self, actor: &Actor, user_id: i64, services: &[i64]) -> AppResult<()> {
        admin_only(actor)?;
        let known: Vec<i64> = self.store.list_services().await?.into_iter().map(|s| s.id).collect();
        if let Some(bad) = services.iter().find(|s| !known.contains(s)) {
            return Err(FieldError::new("competences", "unknown", format!("service {bad} does not exist")).into());
        }
        let mut services = services.to_vec();
        services.sort_unstable();
        services.dedup();
        Ok(self.store.set_competences(user_id, &services).await?)
    }

    /// Changes a person's team, level, access and competences
    /// (administrators only; `PATCH /users/{email}`).
    pub async fn patch_user(&self, actor: &Actor, email: &str, patch: UserPatch) -> AppResult<User> {
        admin_only(actor)?;
        let email = Email::parse(email)?;
        let user = self.store.user_by_email(&email).await?.ok_or(AppError::NotFound("user"))?;
        if let Some(level) = patch.level {
            Level::new(level)?;
        }
        if let Some(services) = &patch.competences {
            let known: Vec<i64> = self.store.list_services().await?.into_iter().map(|s| s.id).collect();
            if let Some(bad) = services.iter().find(|s| !known.contains(s)) {
                return Err(FieldError::new("competences", "unknown", format!("service {bad} does not exist")).into());
            }
        }
        if patch.team_id.is_some() || patch.level.is_some() || patch.active.is_some() {
            let changes = crate::UserChanges {
                role: user.role,
                team_id: patch.team_id.unwrap_or(user.team_id),
                level: patch.level.unwrap_or(i64::from(user.level.get())),
                active: patch.active.unwrap_or(user.active),
            };
            self.update_user(actor, user.id, changes).await?;
        }
        if let Some(services) = &patch.competences {
            self.set_competences(actor, user.id, services).await?;
        }
        Ok(self.store.user_by_id(user.id).await?)
    }
}
