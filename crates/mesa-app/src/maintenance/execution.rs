//! A maintenance ticket's checklist (each tick recorded in its history) and
//! its execution: when the ticket is first solved or closed, the date and
//! who did it are recorded against its occurrence, with a logbook entry.

use chrono::{DateTime, Utc};
use mesa_core::labels::{Lang, text};
use mesa_core::{Actor, Status, Ticket, TicketType};
use mesa_store::{ChecklistRow, NewLogbookEntry, StoreError};

use super::activity_view;
use crate::{AppError, AppResult, Desk};

impl Desk {
    /// A maintenance ticket's checklist (empty for other tickets).
    pub async fn maintenance_checklist(&self, actor: &Actor, number: i64) -> AppResult<Vec<ChecklistRow>> {
        if !actor.sees_internal() {
            return Err(AppError::forbidden("staff only"));
        }
        let view = self.visible(actor, number).await?;
        Ok(self.store.maintenance_checklist(view.ticket.id).await?)
    }

    /// Ticks (or unticks) step `position` (from 0) of a ticket's checklist.
    pub async fn tick_maintenance_step(
        &self,
        actor: &Actor,
        number: i64,
        position: i64,
        done: bool,
    ) -> AppResult<Vec<ChecklistRow>> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents tick a maintenance checklist"));
        }
        let view = self.visible(actor, number).await?;
        if view.ticket.status == Status::Closed {
            return Err(AppError::Conflict {
                code: "ticket_closed",
                message: "the ticket is closed; reopen it first".into(),
            });
        }
        match self.store.tick_maintenance_step(view.ticket.id, position, done, actor.user_id, Utc::now()).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => return Err(AppError::NotFound("checklist step")),
            Err(e) => return Err(e.into()),
        }
        Ok(self.store.maintenance_checklist(view.ticket.id).await?)
    }

    /// Called after every ticket change: a maintenance ticket just solved or
    /// closed records its occurrence's execution (once) and writes the
    /// item's logbook entry. Failures are logged, never undo the change.
    pub(crate) async fn after_maintenance_change(&self, ticket: &Ticket, actor_id: Option<i64>, now: DateTime<Utc>) {
        if ticket.ticket_type != TicketType::Maintenance || !matches!(ticket.status, Status::Solved | Status::Closed) {
            return;
        }
        if let Err(e) = self.record_execution(ticket, actor_id, now).await {
            tracing::error!(error = %e, number = ticket.number, "recording a maintenance execution failed");
        }
    }

    async fn record_execution(&self, ticket: &Ticket, actor_id: Option<i64>, now: DateTime<Utc>) -> AppResult<()> {
        let Some(occurrence) = self.store.maintenance_occurrence_of(ticket.id).await? else {
            return Ok(());
        };
        if occurrence.done_at.is_some() {
            return Ok(());
        }
        let activity = activity_view(&self.store.maintenance_activity(occurrence.activity_id).await?)?;
        let steps = self.store.maintenance_checklist(ticket.id).await?;
        let lang = Lang::Es;
        let readings = (!steps.is_empty()).then(|| {
            steps
                .iter()
                .map(|s| format!("[{}] {}", if s.done { "x" } else { " " }, s.label))
                .collect::<Vec<_>>()
                .join("\n")
        });
        let mut work = format!("{} ({} #{})", activity.what, text(lang, "maintenance.ticket"), ticket.number);
        if let Some(resolution) = ticket.resolution.as_deref().filter(|r| !r.trim().is_empty()) {
            work.push_str(&format!("\n{resolution}"));
        }
        let who = actor_id.or(ticket.assignee_id);
        let calendar = self.policy().await?.default_calendar().clone();
        let entry = NewLogbookEntry {
            item: activity.item.clone(),
            entry_date: now.with_timezone(&calendar.timezone()).date_naive(),
            author_id: who,
            work,
            readings,
            file: None,
            ticket_id: Some(ticket.id),
        };
        if self.store.record_maintenance_execution(ticket.id, who, now, &entry).await? {
            tracing::info!(number = ticket.number, "maintenance execution recorded");
        }
        Ok(())
    }
}
