//! Routing's tables (migration 0011): places' agents, services' routing
//! fields, competences, absences, round-robin turns, authorisations, and
//! the open load of the agents a case could go to.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mesa_core::Priority;

use crate::{Store, StoreError, StoreResult, with_pool, with_tx};

/// Buildings and departments have pre-assigned agents (seed 001).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    Building,
    Department,
}

impl PlaceKind {
    fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Building => "building",
            PlaceKind::Department => "department",
        }
    }
}

/// A service's routing fields; a service never configured has the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct ServiceRouting {
    pub service_id: i64,
    pub place_routing: bool,
    pub requires_authorization: bool,
    pub approver_id: Option<i64>,
}

impl ServiceRouting {
    pub fn default_for(service_id: i64) -> Self {
        Self { service_id, place_routing: true, requires_authorization: false, approver_id: None }
    }
}

/// An agent or admin as routing sees them, before their load is known.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoutingAgent {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team_id: Option<i64>,
    pub active: bool,
    pub absent: bool,
    /// Their most recent case (the highest ticket id assigned to them).
    pub latest_case: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Absence {
    pub id: i64,
    pub user_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A ticket's authorisation (seed 004).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Authorization {
    pub ticket_id: i64,
    pub approver_id: i64,
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub comment: Option<String>,
}

impl Store {
    /// The agent pre-assigned to a building or department.
    #[tracing::instrument(skip_all)]
    pub async fn place_agent(&self, kind: PlaceKind, place_id: i64) -> StoreResult<Option<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT agent_id FROM place_agents WHERE kind = $1 AND place_id = $2"
        )
        .bind(kind.as_str())
        .bind(place_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Every place of a kind with its agent's e-mail.
    #[tracing::instrument(skip_all)]
    pub async fn place_agents(&self, kind: PlaceKind) -> StoreResult<HashMap<i64, String>> {
        let rows: Vec<(i64, String)> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT p.place_id, u.email FROM place_agents p JOIN users u ON u.id = p.agent_id WHERE p.kind = $1"
        )
        .bind(kind.as_str())
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().collect())
    }

    /// Sets (or with `None` clears) a place's agent.
    #[tracing::instrument(skip_all)]
    pub async fn set_place_agent(&self, kind: PlaceKind, place_id: i64, agent_id: Option<i64>) -> StoreResult<()> {
        with_pool!(self, write, |pool| match agent_id {
            Some(agent) => sqlx::query(
                "INSERT INTO place_agents (kind, place_id, agent_id) VALUES ($1, $2, $3)
                 ON CONFLICT (kind, place_id) DO UPDATE SET agent_id = excluded.agent_id",
            )
            .bind(kind.as_str())
            .bind(place_id)
            .bind(agent)
            .execute(pool)
            .await
            .map(|_| ()),
            None => sqlx::query("DELETE FROM place_agents WHERE kind = $1 AND place_id = $2")
                .bind(kind.as_str())
                .bind(place_id)
                .execute(pool)
                .await
                .map(|_| ()),
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn service_routing(&self, service_id: i64) -> StoreResult<ServiceRouting> {
        let row: Option<ServiceRouting> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT service_id, place_routing, requires_authorization, approver_id FROM service_routing
             WHERE service_id = $1"
        )
        .bind(service_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.unwrap_or(ServiceRouting::default_for(service_id)))
    }

    /// The routing fields of every configured service.
    #[tracing::instrument(skip_all)]
    pub async fn services_routing(&self) -> StoreResult<HashMap<i64, ServiceRouting>> {
        let rows: Vec<ServiceRouting> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT service_id, place_routing, requires_authorization, approver_id FROM service_routing"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(|r| (r.service_id, r)).collect())
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_service_routing(&self, r: &ServiceRouting) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO service_routing (service_id, place_routing, requires_authorization, approver_id)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (service_id) DO UPDATE SET place_routing = excluded.place_routing,
               requires_authorization = excluded.requires_authorization, approver_id = excluded.approver_id"
        )
        .bind(r.service_id)
        .bind(r.place_routing)
        .bind(r.requires_authorization)
        .bind(r.approver_id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Agents and admins with whether they are absent at `now` and their
    /// most recent case (from the assignee index: no write per routing).
    #[tracing::instrument(skip_all)]
    pub async fn routing_agents(&self, now: DateTime<Utc>) -> StoreResult<Vec<RoutingAgent>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.team_id, u.active,
                    EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.ends_at > $1 AND a.starts_at <= $1)
                      AS absent,
                    (SELECT MAX(t.id) FROM tickets t WHERE t.assignee_id = u.id) AS latest_case
             FROM users u WHERE u.role IN ('agent', 'admin') ORDER BY u.id"
        )
        .bind(now)
        .fetch_all(pool)
        .await)?)
    }

    /// Every recorded competence: user → services.
    #[tracing::instrument(skip_all)]
    pub async fn all_competences(&self) -> StoreResult<HashMap<i64, Vec<i64>>> {
        let rows: Vec<(i64, i64)> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT user_id, service_id FROM user_competences ORDER BY user_id, service_id"
        )
        .fetch_all(pool)
        .await)?;
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for (user, service) in rows {
            out.entry(user).or_default().push(service);
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    pub async fn competences(&self, user_id: i64) -> StoreResult<Vec<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT service_id FROM user_competences WHERE user_id = $1 ORDER BY service_id"
        )
        .bind(user_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Replaces a user's competences.
    #[tracing::instrument(skip_all)]
    pub async fn set_competences(&self, user_id: i64, services: &[i64]) -> StoreResult<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM user_competences WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for service in services {
                sqlx::query("INSERT INTO user_competences (user_id, service_id) VALUES ($1, $2)")
                    .bind(user_id)
                    .bind(service)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Open tickets per assignee and priority, for the given agents (from
    /// the counts the triggers of migration 0017 keep).
    #[tracing::instrument(skip_all)]
    /// Every agent's open tickets by priority (the whole `agent_open_load`
    /// table: a few rows per agent), read in one go beside the agents.
    pub async fn open_load_all(&self) -> StoreResult<HashMap<i64, Vec<(Priority, i64)>>> {
        let rows: Vec<(i64, String, i64)> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT assignee_id, priority, tickets FROM agent_open_load WHERE tickets > 0"
        )
        .fetch_all(pool)
        .await)?;
        let mut out: HashMap<i64, Vec<(Priority, i64)>> = HashMap::new();
        for (agent, priority, n) in rows {
            out.entry(agent).or_default().push((Priority::parse(&priority)?, n));
        }
        Ok(out)
    }

    pub async fn open_load(&self, agent_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<(Priority, i64)>>> {
        if agent_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (1..=agent_ids.len()).map(|i| format!("${i}")).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT assignee_id, priority, tickets FROM agent_open_load
             WHERE assignee_id IN ({}) AND tickets > 0",
            marks.join(", ")
        ));
        let rows: Vec<(i64, String, i64)> = with_pool!(self, read, |pool| {
            let mut q = sqlx::query_as(sql);
            for id in agent_ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await
        })?;
        let mut out: HashMap<i64, Vec<(Priority, i64)>> = HashMap::new();
        for (agent, priority, n) in rows {
            out.entry(agent).or_default().push((Priority::parse(&priority)?, n));
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    pub async fn add_absence(
        &self,
        user_id: i64,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        created_by: i64,
    ) -> StoreResult<Absence> {
        Ok(with_pool!(self, write, |pool| sqlx::query_as(
            "INSERT INTO absences (user_id, starts_at, ends_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id, user_id, starts_at, ends_at"
        )
        .bind(user_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(created_by)
        .bind(Utc::now())
        .fetch_one(pool)
        .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn absences(&self, user_id: i64) -> StoreResult<Vec<Absence>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT id, user_id, starts_at, ends_at FROM absences WHERE user_id = $1 ORDER BY starts_at, id"
        )
        .bind(user_id)
        .fetch_all(pool)
        .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn absence(&self, id: i64) -> StoreResult<Absence> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT id, user_id, starts_at, ends_at FROM absences WHERE id = $1"
        )
        .bind(id)
        .fetch_one(pool)
        .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn delete_absence(&self, id: i64) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query("DELETE FROM absences WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn authorization(&self, ticket_id: i64) -> StoreResult<Option<Authorization>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT ticket_id, approver_id, decision, decided_by, comment FROM ticket_authorizations
             WHERE ticket_id = $1"
        )
        .bind(ticket_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Records the decision once; `Conflict` when it was already taken.
    #[tracing::instrument(skip_all)]
    pub async fn decide_authorization(
        &self,
        ticket_id: i64,
        decision: &str,
        decided_by: i64,
        comment: Option<&str>,
    ) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE ticket_authorizations SET decision = $1, decided_by = $2, comment = $3, decided_at = $4
             WHERE ticket_id = $5 AND decision IS NULL"
        )
        .bind(decision)
        .bind(decided_by)
        .bind(comment)
        .bind(Utc::now())
        .bind(ticket_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::Conflict("authorization_decided".into()));
        }
        Ok(())
    }

    /// Numbers of the tickets waiting for `approver_id`'s authorisation ("Por autorizar").
    #[tracing::instrument(skip_all)]
    pub async fn awaiting_authorization(&self, approver_id: i64) -> StoreResult<Vec<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT t.number FROM ticket_authorizations a JOIN tickets t ON t.id = a.ticket_id
             WHERE a.approver_id = $1 AND a.decision IS NULL ORDER BY t.number"
        )
        .bind(approver_id)
        .fetch_all(pool)
        .await)?)
    }
}
