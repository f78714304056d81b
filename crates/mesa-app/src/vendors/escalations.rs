//! Escalation of a ticket to a vendor under a contract (seed 001 step 7,
//! seed 003 steps 6–7): the ticket waits (`on_hold`, reason `vendor`)
//! while the vendor's own clocks run against the contract's targets.

use chrono::{DateTime, Utc};
use mesa_core::lifecycle::{self, Change, TransitionInput};
use mesa_core::sla::{Clock, ClockState};
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_core::vendors::{self, EscalationTimes, EventKind, vendor_limits};
use mesa_core::{Actor, HoldReason, Role, Status};
use mesa_store::{Contract, Escalation, EscalationEvent, NewEscalation, NewEscalationEvent, StoreError};

use crate::tickets::{Planned, WRITE_ATTEMPTS, backoff};
use crate::{AppError, AppResult, Desk};

#[derive(Debug, Clone, Default)]
pub struct EscalationInput {
    pub contract_id: i64,
    /// The vendor's own case number.
    pub vendor_case: Option<String>,
    /// What was sent to the vendor.
    pub note: String,
    /// When it was sent, if earlier than now (recorded after the fact).
    pub at: Option<DateTime<Utc>>,
}

/// An escalation with its contract, events and the vendor's clocks now.
#[derive(Debug, Clone)]
pub struct EscalationView {
    pub escalation: Escalation,
    pub contract: Contract,
    pub events: Vec<EscalationEvent>,
    pub response: Clock,
    pub resolution: Clock,
}

impl EscalationView {
    pub fn status(&self) -> &'static str {
        times(&self.escalation).status()
    }

    /// `Some(true)` met, `Some(false)` missed, `None` still running in time.
    pub fn met(clock: &Clock) -> Option<bool> {
        match clock.state {
            ClockState::Met => Some(true),
            ClockState::Breached => Some(false),
            ClockState::Running | ClockState::Paused => None,
        }
    }
}

fn times(e: &Escalation) -> EscalationTimes {
    EscalationTimes {
        escalated_at: e.escalated_at,
        responded_at: e.responded_at,
        solved_at: e.solved_at,
        closed_at: e.closed_at,
        last_event_at: e.last_event_at,
    }
}

fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("escalation"),
        other => other.into(),
    }
}

impl Desk {
    /// Sends a ticket to a vendor: only a contract in force that covers the
    /// ticket's service takes it; the ticket goes on hold for the vendor.
    pub async fn escalate_to_vendor(
        &self,
        actor: &Actor,
        number: i64,
        input: EscalationInput,
    ) -> AppResult<EscalationView> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators escalate to vendors"));
        }
        let note = required_text("note", &input.note, vendor_limits::NOTE)?;
        let vendor_case = optional_text("vendor_case", input.vendor_case.as_deref(), vendor_limits::CASE)?;
        let contract = match self.store.contract(input.contract_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => {
                let message = format!("contract {} does not exist", input.contract_id);
                return Err(FieldError::new("contract_id", "unknown", message).into());
            }
            Err(e) => return Err(e.into()),
        };
        let now = Utc::now();
        let at = input.at.unwrap_or(now);
        if at > now {
            return Err(FieldError::new("at", "in_future", "an escalation cannot be sent in the future").into());
        }
        let today = self.desk_today().await?;
        let (view, _) = self
            .change_ticket(actor, number, |view| {
                let t = &view.ticket;
                if !vendors::may_take(contract.starts_on, contract.ends_on, &contract.service_ids, t.service_id, today)
                {
                    return Err(FieldError::new(
                        "contract_id",
                        "not_applicable",
                        "the contract is not in force or does not cover the ticket's service",
                    )
                    .into());
                }
                let hold = TransitionInput {
                    to: Some(Status::OnHold),
                    reason: Some(HoldReason::Vendor.as_str().to_owned()),
                    ..Default::default()
                };
                let (next, changes) = lifecycle::plan(t, actor.role, hold, Utc::now())?;
                let mut history = vec![(
                    Change::new(
                        "vendor_escalation",
                        None,
                        Some(format!("{}|{}", contract.number, vendor_case.clone().unwrap_or_default())),
                    ),
                    false,
                )];
                history.extend(changes.into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await?;
        let new = NewEscalation {
            ticket_id: view.ticket.id,
            contract_id: contract.id,
            vendor_case,
            note,
            escalated_by: actor.user_id,
            escalated_at: at,
        };
        let escalation = self.store.insert_escalation(&new).await?;
        tracing::info!(number, escalation = escalation.id, "escalated to a vendor");
        self.escalation_view(escalation, contract).await
    }

    /// An escalation with its vendor clocks (staff, managers, the supervisor).
    pub async fn escalation(&self, actor: &Actor, id: i64) -> AppResult<EscalationView> {
        let escalation = self.store.escalation(id).await.map_err(not_found)?;
        let contract = self.store.contract(escalation.contract_id).await?;
        if !(vendors::may_read(actor.role) || actor.user_id == contract.supervisor_id) {
            return Err(AppError::NotFound("escalation"));
        }
        self.escalation_view(escalation, contract).await
    }

    /// A ticket's escalations (whoever may see the ticket's internal side).
    pub async fn ticket_escalations(&self, actor: &Actor, number: i64) -> AppResult<Vec<EscalationView>> {
        let view = self.visible(actor, number).await?;
        if !vendors::may_read(actor.role) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for e in self.store.ticket_escalations(view.ticket.id).await? {
            let contract = self.store.contract(e.contract_id).await?;
            out.push(self.escalation_view(e, contract).await?);
        }
        Ok(out)
    }

    async fn escalation_view(&self, escalation: Escalation, contract: Contract) -> AppResult<EscalationView> {
        let policy = self.policy().await?;
        let calendar = policy.calendar_named(&contract.calendar).unwrap_or(policy.default_calendar());
        let (response, resolution) = vendors::vendor_clocks(
            calendar,
            contract.response_hours,
            contract.resolution_hours,
            &times(&escalation),
            Utc::now(),
        );
        let events = self.store.escalation_events(escalation.id).await?;
        Ok(EscalationView { escalation, contract, events, response, resolution })
    }

    /// Records what happened with the vendor. When the vendor solves it (or
    /// the escalation is closed) and nothing else keeps the ticket waiting
    /// for a vendor, the ticket goes back to `in_progress` with its agent.
    pub async fn escalation_event(
        &self,
        actor: &Actor,
        id: i64,
        kind: EventKind,
        note: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> AppResult<EscalationView> {
        let note = optional_text("note", note, vendor_limits::NOTE)?;
        if kind == EventKind::FollowUp && note.is_none() {
            return Err(FieldError::new("note", "required", "a follow-up needs a note").into());
        }
        let mut written = None;
        for attempt in 0..WRITE_ATTEMPTS {
            if attempt > 0 {
                backoff(attempt).await;
            }
            let escalation = self.store.escalation(id).await.map_err(not_found)?;
            let contract = self.store.contract(escalation.contract_id).await?;
            if !vendors::may_read(actor.role) && actor.user_id != contract.supervisor_id {
                return Err(AppError::NotFound("escalation"));
            }
            if !vendors::may_record_event(actor.role, actor.user_id, contract.supervisor_id) {
                return Err(AppError::forbidden("only agents, administrators and the contract's supervisor"));
            }
            let now = Utc::now();
            let next = times(&escalation).apply(kind, at.unwrap_or(now), now).map_err(|e| match e.code {
                "closed" => AppError::Conflict { code: "escalation_closed", message: e.message },
                "already" => AppError::Conflict { code: "already_recorded", message: e.message },
                _ => AppError::Invalid(e),
            })?;
            let event = NewEscalationEvent {
                escalation_id: id,
                version: escalation.version,
                kind: kind.as_str(),
                note: note.as_deref(),
                happened_at: next.last_event_at.unwrap_or(now),
                author_id: actor.user_id,
                responded_at: next.responded_at,
                solved_at: next.solved_at,
                closed_at: next.closed_at,
            };
            match self.store.record_escalation_event(&event).await {
                Ok(()) => {
                    written = Some(escalation);
                    break;
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        let Some(escalation) = written else {
            return Err(AppError::Conflict {
                code: "busy_escalation",
                message: "the escalation is changing too fast; try again".into(),
            });
        };
        if matches!(kind, EventKind::Solved | EventKind::Closed) {
            self.resume_after_vendor(actor, escalation.ticket_id, escalation.ticket_number).await?;
        }
        self.escalation(actor, id).await
    }

    /// Takes the ticket off its vendor hold when no escalation of it is open.
    async fn resume_after_vendor(&self, actor: &Actor, ticket_id: i64, number: i64) -> AppResult<()> {
        let open = self.store.ticket_escalations(ticket_id).await?;
        if open.iter().any(|e| e.solved_at.is_none() && e.closed_at.is_none()) {
            return Ok(());
        }
        // The desk resumes its own work: the supervisor need not be staff.
        let desk = Actor { user_id: actor.user_id, role: Role::Agent };
        let result = self
            .change_ticket(&desk, number, |view| {
                let t = &view.ticket;
                if t.status != Status::OnHold || t.hold_reason != Some(HoldReason::Vendor) {
                    return Err(AppError::Conflict { code: "not_waiting", message: String::new() });
                }
                let resume = TransitionInput { to: Some(Status::InProgress), ..Default::default() };
                let (next, changes) = lifecycle::plan(t, desk.role, resume, Utc::now())?;
                Ok(Planned { ticket: next, entry: None, history: changes.into_iter().map(|c| (c, false)).collect() })
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            // Someone already took the ticket off hold (or put it on hold for another reason).
            Err(AppError::Conflict { code: "not_waiting", .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
