//! Routing in a ticket's life: on opening, on reclassification while
//! unassigned, on escalation, on authorisation; and the reassignment rule.

use chrono::Utc;
use mesa_core::lifecycle::{self, Change};
use mesa_core::routing::{Reassigners, ReassignmentCriterion};
use mesa_core::ticket::{Level, limits};
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_core::{Actor, HoldReason, Outcome, Role, Status};
use mesa_store::{NewTicket, Service, StoreError, TicketView};

use super::ToRoute;
use crate::mail::Notice;
use crate::tickets::Planned;
use crate::{AppError, AppResult, Desk};

/// An approver's answer (seed 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationDecision {
    Approve,
    Reject,
}

impl AuthorizationDecision {
    /// The names the API takes.
    pub const NAMES: [&str; 2] = ["approve", "reject"];

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "approve" => Ok(Self::Approve),
            "reject" => Ok(Self::Reject),
            _ => Err(FieldError::new("decision", "invalid", "decision must be approve or reject")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
        }
    }
}

impl Desk {
    /// Fills in who a new ticket goes to: its approver first when its
    /// service needs an authorisation (it then waits on hold), else the
    /// routing decision.
    pub(crate) async fn route_new(&self, new: &mut NewTicket, service: Option<&Service>) -> AppResult<()> {
        if let Some(s) = service {
            let r = self.store.service_routing(s.id).await?;
            if r.requires_authorization
                && let Some(approver) = r.approver_id
            {
                let name = self.store.user_by_id(approver).await?.name;
                new.status = Status::OnHold;
                new.hold_reason = Some(HoldReason::Authorization);
                new.approver_id = Some(approver);
                new.routing_reason = Some(format!("authorization|{name}"));
                return Ok(());
            }
        }
        let what = ToRoute {
            ticket_type: new.ticket_type,
            service,
            building_id: new.building_id,
            department_id: new.department_id,
            level: new.level,
            by_level: false,
        };
        let decision = self.route(what, Utc::now()).await?;
        new.assignee_id = decision.assignee_id;
        new.team_id = decision.team_id.or(new.team_id);
        new.level = decision.level;
        if decision.assignee_id.is_some() {
            new.status = Status::Assigned;
        }
        if decision.assignee_id.is_some() || decision.team_id.is_some() {
            new.routing_reason = Some(decision.reason.to_history());
        }
        Ok(())
    }

    /// Routes a ticket again after its service or type changed, if it is
    /// still new and unassigned.
    pub(crate) async fn reroute_unassigned(&self, actor: &Actor, view: &TicketView) -> AppResult<TicketView> {
        let t = &view.ticket;
        if t.assignee_id.is_some() || t.status != Status::New {
            return Ok(view.clone());
        }
        let service = self.service_of(t.service_id).await?;
        let what = ToRoute {
            ticket_type: t.ticket_type,
            service: service.as_ref(),
            building_id: t.building_id,
            department_id: t.department_id,
            level: t.level,
            by_level: false,
        };
        let decision = self.route(what, Utc::now()).await?;
        if decision.assignee_id.is_none() && decision.team_id == t.team_id {
            return Ok(view.clone());
        }
        let names = self.assignee_names(decision.assignee_id).await?;
        let (view, _) = self
            .change_ticket(actor, t.number, |current| {
                let c = &current.ticket;
                if c.assignee_id.is_some() || c.status != Status::New {
                    return Ok(Planned { ticket: c.clone(), entry: None, history: vec![] });
                }
                let mut next = c.clone();
                next.assignee_id = decision.assignee_id;
                next.team_id = decision.team_id.or(c.team_id);
                next.level = decision.level;
                next.status = if next.assignee_id.is_some() { Status::Assigned } else { c.status };
                let mut history = vec![(Change::new("routing", None, Some(decision.reason.to_history())), true)];
                if next.assignee_id.is_some() {
                    history.push((Change::new("assignee", None, names.clone()), false));
                }
                history.extend(lifecycle::diff(c, &next).into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await?;
        Ok(view)
    }

    /// Raises (`up`) or lowers a ticket's level by one and hands it to the
    /// team of that level for its service (seed 003), routing inside it.
    pub async fn escalate(&self, actor: &Actor, number: i64, reason: &str, up: bool) -> AppResult<TicketView> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators escalate tickets"));
        }
        let reason = required_text("reason", reason, limits::REASON)?;
        let view = self.visible(actor, number).await?;
        let t = &view.ticket;
        if !t.status.is_open() {
            return Err(AppError::Conflict { code: "ticket_closed", message: "the ticket is solved or closed".into() });
        }
        let target = i64::from(t.level.get()) + if up { 1 } else { -1 };
        let level = Level::new(target).map_err(|_| AppError::Conflict {
            code: "level_limit",
            message: if up {
                "the ticket is already at level 3".into()
            } else {
                "the ticket is already at level 1".into()
            },
        })?;
        let service = self.service_of(t.service_id).await?;
        let what = ToRoute {
            ticket_type: t.ticket_type,
            service: service.as_ref(),
            building_id: t.building_id,
            department_id: t.department_id,
            level,
            by_level: true,
        };
        let decision = self.route(what, Utc::now()).await?;
        let names = self.assignee_names(decision.assignee_id).await?;
        let field = if up { "escalation" } else { "de_escalation" };
        let (view, _) = self
            .change_ticket(actor, number, |current| {
                let c = &current.ticket;
                let mut next = c.clone();
                next.level = level;
                next.team_id = decision.team_id.or(c.team_id);
                next.assignee_id = decision.assignee_id;
                next.status = match (next.assignee_id, c.status) {
                    (Some(_), s) => lifecycle::after_assignment(s),
                    (None, Status::Assigned) => Status::New,
                    (None, s) => s,
                };
                let mut history = vec![
                    (Change::new(field, None, Some(reason.clone())), false),
                    (Change::new("routing", None, Some(decision.reason.to_history())), true),
                ];
                if next.assignee_id != c.assignee_id {
                    history.push((Change::new("assignee", current.assignee_email.clone(), names.clone()), false));
                }
                history.extend(lifecycle::diff(c, &next).into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await?;
        self.notify(Notice::Assigned { view: &view, by: actor.user_id, reason: Some(&reason) }).await;
        Ok(view)
    }

    /// The approver's (or an administrator's) decision on a ticket waiting
    /// for authorisation (seed 004): approved, it is routed; rejected, it is
    /// closed as not solved with the comment as its resolution.
    pub async fn decide_authorization(
        &self,
        actor: &Actor,
        number: i64,
        decision: AuthorizationDecision,
        comment: Option<&str>,
    ) -> AppResult<TicketView> {
        let comment = optional_text("comment", comment, limits::RESOLUTION)?;
        if decision == AuthorizationDecision::Reject && comment.is_none() {
            return Err(FieldError::new("comment", "required", "say why the request is rejected").into());
        }
        let view = self.visible(actor, number).await?;
        let t = &view.ticket;
        let pending = self.store.authorization(t.id).await?;
        let Some(auth) = pending else {
            return Err(AppError::Conflict {
                code: "no_authorization",
                message: "this ticket does not wait for an authorisation".into(),
            });
        };
        if auth.approver_id != actor.user_id && actor.role != Role::Admin {
            return Err(AppError::forbidden("only the named approver or an administrator decides"));
        }
        if auth.decision.is_some() || t.status != Status::OnHold || t.hold_reason != Some(HoldReason::Authorization) {
            return Err(AppError::Conflict {
                code: "authorization_decided",
                message: "the authorisation was already decided".into(),
            });
        }
        let routed = match decision {
            AuthorizationDecision::Approve => {
                let service = self.service_of(t.service_id).await?;
                let what = ToRoute {
                    ticket_type: t.ticket_type,
                    service: service.as_ref(),
                    building_id: t.building_id,
                    department_id: t.department_id,
                    level: t.level,
                    by_level: false,
                };
                Some(self.route(what, Utc::now()).await?)
            }
            AuthorizationDecision::Reject => None,
        };
        let names = self.assignee_names(routed.as_ref().and_then(|d| d.assignee_id)).await?;
        match self.store.decide_authorization(t.id, decision.as_str(), actor.user_id, comment.as_deref()).await {
            Err(StoreError::Conflict(_)) => {
                return Err(AppError::Conflict {
                    code: "authorization_decided",
                    message: "the authorisation was already decided".into(),
                });
            }
            other => other?,
        }
        let before = t.status;
        let (view, _) = self
            .change_ticket(actor, number, |current| {
                let c = &current.ticket;
                let now = Utc::now();
                let mut next = c.clone();
                next.hold_reason = None;
                next.resume_at = None;
                let mut history = vec![(Change::new("authorization", None, Some(decision.as_str().to_owned())), false)];
                if let Some(comment) = &comment {
                    history.push((Change::new("authorization_comment", None, Some(comment.clone())), false));
                }
                match &routed {
                    Some(d) => {
                        next.assignee_id = d.assignee_id;
                        next.team_id = d.team_id.or(c.team_id);
                        next.level = d.level;
                        next.status = if d.assignee_id.is_some() { Status::Assigned } else { Status::New };
                        history.push((Change::new("routing", None, Some(d.reason.to_history())), true));
                        if d.assignee_id.is_some() {
                            history.push((Change::new("assignee", None, names.clone()), false));
                        }
                    }
                    None => {
                        next.status = Status::Closed;
                        next.outcome = Some(Outcome::NotSolved);
                        next.resolution = comment.clone();
                        next.solved_at = Some(now);
                        next.closed_at = Some(now);
                    }
                }
                history.extend(lifecycle::diff(c, &next).into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await?;
        self.notify(Notice::Status { view: &view, before }).await;
        if view.ticket.assignee_id.is_some() {
            self.notify(Notice::Assigned { view: &view, by: actor.user_id, reason: None }).await;
        }
        Ok(view)
    }

    /// Whether `actor` may decide the pending authorisation of `ticket`.
    pub async fn may_decide_authorization(&self, actor: &Actor, ticket: &mesa_core::Ticket) -> AppResult<bool> {
        if ticket.status != Status::OnHold || ticket.hold_reason != Some(HoldReason::Authorization) {
            return Ok(false);
        }
        Ok(self
            .store
            .authorization(ticket.id)
            .await?
            .is_some_and(|a| a.decision.is_none() && (a.approver_id == actor.user_id || actor.role == Role::Admin)))
    }

    /// Numbers of the tickets waiting for `actor`'s authorisation ("Por autorizar").
    pub async fn awaiting_my_authorization(&self, actor: &Actor) -> AppResult<Vec<i64>> {
        Ok(self.store.awaiting_authorization(actor.user_id).await?)
    }

    /// Checks a (re)assignment against the desk's rule (seed 001): taking a
    /// ticket from its assignee needs a criterion, and the setting says who
    /// may do it. Returns the parsed criterion.
    pub(crate) async fn reassignment_criterion(
        &self,
        actor: &Actor,
        reassigning: bool,
        criterion: Option<&str>,
    ) -> AppResult<Option<ReassignmentCriterion>> {
        let parsed = criterion.filter(|c| !c.trim().is_empty()).map(ReassignmentCriterion::parse).transpose()?;
        if !reassigning {
            return Ok(parsed);
        }
        if self.policy().await?.routing.reassignment == Reassigners::Admins && actor.role != Role::Admin {
            return Err(AppError::forbidden("only administrators reassign tickets"));
        }
        match parsed {
            Some(c) => Ok(Some(c)),
            None => Err(FieldError::new(
                "criterion",
                "required",
                "reassigning needs a criterion: absence, competence, direct_order or other",
            )
            .into()),
        }
    }

    async fn service_of(&self, id: Option<i64>) -> AppResult<Option<Service>> {
        match id {
            Some(id) => match self.store.service(id).await {
                Ok(s) => Ok(Some(s)),
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e.into()),
            },
            None => Ok(None),
        }
    }

    async fn assignee_names(&self, id: Option<i64>) -> AppResult<Option<String>> {
        match id {
            Some(id) => Ok(Some(self.store.user_by_id(id).await?.email.to_string())),
            None => Ok(None),
        }
    }
}
