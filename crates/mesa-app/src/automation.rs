//! One pass of the desk's automations (PRODUCT §8, issue 5): auto-close,
//! requester timeout, resume on date, approval reminders, SLA warnings and
//! breaches. Safe to run from several processes at once: ticket changes go
//! through version-checked writes and are re-planned on the fresh ticket;
//! one-off events are recorded under a unique key.

use std::fmt;

use chrono::{DateTime, Utc};
use mesa_core::automation::{self, Action, TicketState};
use mesa_core::labels::{Lang, text};
use mesa_core::lifecycle::{self, Change, TransitionInput};
use mesa_core::sla::{Clock, ClockState};
use mesa_core::{Role, Status};
use mesa_store::TicketView;

use crate::tickets::{Planned, WRITE_ATTEMPTS, Written, backoff};
use crate::{AppError, AppResult, Desk};

/// One thing automation did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationLine {
    pub number: i64,
    pub action: String,
}

impl fmt::Display for AutomationLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ticket {}: {}", self.number, self.action)
    }
}

fn state_of(view: &TicketView) -> TicketState {
    let t = &view.ticket;
    TicketState { status: t.status, hold_reason: t.hold_reason, resume_at: t.resume_at, status_since: t.status_since }
}

impl Desk {
    /// Runs every due automation as if the time were `now`.
    pub async fn run_automation(&self, now: DateTime<Utc>, dry_run: bool) -> AppResult<Vec<AutomationLine>> {
        let policy = self.policy().await?;
        let settings = &policy.automation;
        let candidates = self.store.automation_candidates(automation::not_before(settings, now), now).await?;
        let ids: Vec<i64> = candidates.iter().map(|v| v.ticket.id).collect();
        let history = self.store.status_history(&ids).await?;
        let recorded = self.store.events(&ids).await?;
        let leads: Vec<i64> = self
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Admin && u.active)
            .map(|u| u.id)
            .collect();
        let mut lines = Vec::new();
        for view in &candidates {
            let t = &view.ticket;
            let (_, calendar) = policy.target_for(t.service_id, t.priority);
            let line = |action: &str| AutomationLine { number: t.number, action: action.to_owned() };
            let mut changed = false;
            if let Some(action) = automation::due_action(&state_of(view), settings, calendar, now)
                && (dry_run || self.apply_automation(t.number, now).await?)
            {
                lines.push(line(action.as_str()));
                changed = true;
            }
            let done = recorded.get(&t.id).map_or(&[][..], Vec::as_slice);
            let mut events: Vec<(&str, Vec<i64>)> = Vec::new();
            // A ticket just closed needs no reminder to approve it.
            if !changed && automation::reminder_due(&state_of(view), settings, calendar, now) {
                events.push((Action::RemindApproval.as_str(), vec![t.requester_id]));
            }
            let sla = policy.sla_of(t, history.get(&t.id).map_or(&[][..], Vec::as_slice), now);
            let assignee_or_leads = t.assignee_id.map_or_else(|| leads.clone(), |id| vec![id]);
            for (name, clock) in [("response", &sla.response), ("resolution", &sla.resolution)] {
                for (kind, notify) in clock_events(name, clock, &assignee_or_leads, &leads) {
                    events.push((kind, notify));
                }
            }
            for (kind, notify) in events {
                if done.iter().any(|k| k == kind) {
                    continue;
                }
                let change = Change::new("event", None, Some(kind.to_owned()));
                if dry_run || self.store.record_event(t.id, kind, &change, &notify, now).await? {
                    lines.push(line(kind));
                }
            }
        }
        // Issue 17: the tickets of due maintenance (exactly once).
        lines.extend(self.open_due_maintenance(now, dry_run).await?);
        Ok(lines)
    }

    /// Applies whatever automation is due to the ticket as it is now;
    /// `false` when nothing is (any more) due, e.g. another process did it.
    async fn apply_automation(&self, number: i64, now: DateTime<Utc>) -> AppResult<bool> {
        let policy = self.policy().await?;
        for attempt in 0..WRITE_ATTEMPTS {
            if attempt > 0 {
                backoff(attempt).await;
            }
            let view = self.store.ticket_by_number(number).await?;
            let (_, calendar) = policy.target_for(view.ticket.service_id, view.ticket.priority);
            let Some(action) = automation::due_action(&state_of(&view), &policy.automation, calendar, now) else {
                return Ok(false);
            };
            let input = match action {
                Action::AutoClose => TransitionInput { to: Some(Status::Closed), ..Default::default() },
                Action::Resume => TransitionInput { to: Some(Status::InProgress), ..Default::default() },
                Action::RequesterTimeout => TransitionInput {
                    to: Some(Status::Solved),
                    resolution: Some(text(Lang::Es, "automation.requester_timeout").to_owned()),
                    ..Default::default()
                },
                Action::RemindApproval => return Ok(false),
            };
            // Automation acts with the desk lead's rights, recorded as "no actor".
            let (ticket, changes) = lifecycle::plan(&view.ticket, Role::Admin, input, now).map_err(AppError::from)?;
            let mut history = vec![(Change::new("automation", None, Some(action.as_str().to_owned())), false)];
            history.extend(changes.into_iter().map(|c| (c, false)));
            match self.write_planned(&view, Planned { ticket, entry: None, history }, None, now, None).await? {
                Written::Done(_) => return Ok(true),
                Written::Stale => continue,
            }
        }
        Ok(false)
    }
}

/// The once-only events a clock owes: a warning to the assignee when at
/// risk, and at breach a warning (if it never came) plus a breach notice to
/// the leads.
fn clock_events<'a>(name: &str, clock: &Clock, assignee: &[i64], leads: &[i64]) -> Vec<(&'a str, Vec<i64>)> {
    if clock.warn_at.is_none() {
        return Vec::new(); // stopped
    }
    let (warning, breach) = match name {
        "response" => ("response_warning", "response_breach"),
        _ => ("resolution_warning", "resolution_breach"),
    };
    match clock.state {
        ClockState::Breached => {
            let mut leads_and_assignee: Vec<i64> = leads.to_vec();
            leads_and_assignee.extend(assignee.iter().filter(|id| !leads.contains(id)));
            vec![(warning, assignee.to_vec()), (breach, leads_and_assignee)]
        }
        ClockState::Running if clock.at_risk => vec![(warning, assignee.to_vec())],
        _ => Vec::new(),
    }
}
