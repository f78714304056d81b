//! Opening the tickets of due maintenance: part of the automation pass, and
//! exactly once whatever the number of processes (the occurrence's row is
//! unique per activity and due date and is written with the ticket).

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use mesa_core::labels::{Lang, text};
use mesa_core::maintenance::{ItemKind, occurrences};
use mesa_core::ticket::{Level, TicketText, limits};
use mesa_core::{Priority, Status, TicketType};
use mesa_store::NewTicket;

use super::ActivityView;
use crate::automation::AutomationLine;
use crate::{AppResult, Desk};

/// How far back a missed run still opens a ticket: a server down over a
/// long weekend catches up; an occurrence older than this (say, in a plan
/// written in June for the whole year) counts as missed instead.
pub const CATCH_UP_DAYS: u64 = 31;

/// What automation prints for each ticket it opens.
pub const MAINTENANCE_DUE: &str = "maintenance_due";

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { s.chars().take(max.saturating_sub(1)).chain(['…']).collect() }
}

/// The ticket's subject and description (in the desk's language, Spanish).
pub(crate) fn ticket_text(plan: &str, a: &ActivityView, due: NaiveDate) -> AppResult<TicketText> {
    let lang = Lang::Es;
    let subject = text(lang, "maintenance.ticket_subject").replace("{what}", &a.what).replace("{item}", &a.item);
    let mut description = format!(
        "{}\n\n{}: {}\n{}: {}\n{}: {}",
        a.what,
        text(lang, "maintenance.plan"),
        plan,
        text(lang, "maintenance.item"),
        a.item,
        text(lang, "maintenance.due"),
        due.format("%Y-%m-%d"),
    );
    if !a.checklist.is_empty() {
        description.push_str(&format!("\n\n{}:", text(lang, "maintenance.checklist")));
        for step in &a.checklist {
            description.push_str(&format!("\n- [ ] {step}"));
        }
    }
    Ok(TicketText::new(&cut(&subject, limits::SUBJECT), &cut(&description, limits::DESCRIPTION))?)
}

impl Desk {
    /// Opens a `maintenance` ticket for the owner team for each occurrence
    /// due by `now` (desk calendar's date) and not opened yet. In a dry run,
    /// says nothing (the numbers are not known before the tickets exist).
    pub(crate) async fn open_due_maintenance(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> AppResult<Vec<AutomationLine>> {
        if dry_run {
            return Ok(Vec::new());
        }
        let policy = self.policy().await?;
        let calendar = policy.default_calendar();
        let today = now.with_timezone(&calendar.timezone()).date_naive();
        let earliest = today.checked_sub_days(Days::new(CATCH_UP_DAYS)).unwrap_or(today);
        // A plan's last occurrences may be due early in the next year.
        let plans: Vec<_> = self
            .store
            .maintenance_plans(false)
            .await?
            .into_iter()
            .filter(|p| p.year == i64::from(today.year()) || p.year == i64::from(today.year()) - 1)
            .collect();
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let plans = self.with_activities(plans).await?;
        let ids: Vec<i64> = plans.iter().flat_map(|p| p.activities.iter().map(|a| a.id)).collect();
        let opened: HashSet<(i64, NaiveDate)> = self
            .store
            .maintenance_occurrences(&ids, earliest, today)
            .await?
            .into_iter()
            .map(|o| (o.activity_id, o.due_date))
            .collect();
        let mut lines = Vec::new();
        for view in &plans {
            let plan = &view.plan;
            let requester = self.store.user_by_id(plan.created_by).await?;
            for a in &view.activities {
                let due: Vec<NaiveDate> = occurrences(&a.recurrence, plan.year as i32, calendar)
                    .into_iter()
                    .map(|o| o.due)
                    .filter(|d| (earliest..=today).contains(d) && !opened.contains(&(a.id, *d)))
                    .collect();
                for due in due {
                    let new = NewTicket {
                        text: ticket_text(&plan.name, a, due)?,
                        ticket_type: TicketType::Maintenance,
                        priority: Priority::Medium,
                        status: Status::New,
                        service_id: None,
                        requester_id: requester.id,
                        department_id: requester.department_id,
                        building_id: requester.building_id,
                        assignee_id: None,
                        team_id: Some(plan.team_id),
                        level: Level::FIRST,
                        created_by: requester.id,
                        stamp: Default::default(),
                        source_mail_id: None,
                        hold_reason: None,
                        routing_reason: None,
                        approver_id: None,
                        channel: mesa_core::Channel::Api,
                    };
                    let (target, cal) = policy.target_for(None, new.priority);
                    let timeline = mesa_core::sla::Timeline {
                        created_at: now,
                        first_response_at: None,
                        solved_at: None,
                        pauses: vec![],
                    };
                    let new = NewTicket {
                        stamp: mesa_core::sla::evaluate(cal, target, &timeline, &policy.sla, now).stamp(),
                        ..new
                    };
                    if let Some(ticket) =
                        self.store.open_maintenance_occurrence(&new, a.id, due, &a.checklist, now).await?
                    {
                        if a.item_kind == ItemKind::Asset
                            && let Some(asset) = a.asset_id
                        {
                            self.store.set_ticket_asset(ticket.id, Some(asset)).await?;
                        }
                        tracing::info!(number = ticket.number, activity = a.id, %due, "maintenance ticket opened");
                        lines.push(AutomationLine { number: ticket.number, action: MAINTENANCE_DUE.to_owned() });
                    }
                }
            }
        }
        Ok(lines)
    }
}
