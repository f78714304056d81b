//! Maintenance plan compliance for a period: each occurrence due in it is
//! done on time, late, missed or upcoming (`mesa_core::maintenance::compliance`),
//! counted per activity, per plan and in total. The month calendar and the
//! reports read the same figures.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use mesa_core::Actor;
use mesa_core::maintenance::{ComplianceCounts, compliance, occurrences};
use mesa_core::validate::FieldError;

use super::require_read;
use crate::{AppResult, Desk};

/// The longest period one answer covers (the report's, about three years).
pub use mesa_core::report::MAX_PERIOD_DAYS;

/// One occurrence and how it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct OccurrenceStatus {
    pub planned: NaiveDate,
    pub due: NaiveDate,
    pub status: mesa_core::maintenance::Compliance,
    pub ticket_number: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityCompliance {
    pub activity_id: i64,
    pub what: String,
    pub item: String,
    pub counts: ComplianceCounts,
    pub occurrences: Vec<OccurrenceStatus>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanCompliance {
    pub plan_id: i64,
    pub name: String,
    pub year: i64,
    pub team_id: i64,
    pub team_name: Option<String>,
    pub counts: ComplianceCounts,
    pub activities: Vec<ActivityCompliance>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The desk's date the figures were taken on.
    pub today: NaiveDate,
    pub counts: ComplianceCounts,
    pub plans: Vec<PlanCompliance>,
}

impl Desk {
    /// Compliance of every plan (archived ones too: their past counts) for
    /// occurrences due from `from` to `to` (inclusive), as of `now`.
    pub async fn maintenance_compliance(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<ComplianceReport> {
        require_read(actor)?;
        if to < from {
            return Err(FieldError::new("to", "before_from", "to is before from").into());
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(FieldError::new("to", "too_long", "the period is longer than three years").into());
        }
        let policy = self.policy().await?;
        let calendar = policy.default_calendar();
        let today = now.with_timezone(&calendar.timezone()).date_naive();
        let plans: Vec<_> = self
            .store
            .maintenance_plans(true)
            .await?
            .into_iter()
            // Due dates may move into January of the next year.
            .filter(|p| p.year >= i64::from(from.year()) - 1 && p.year <= i64::from(to.year()))
            .collect();
        let plans = self.with_activities(plans).await?;
        let ids: Vec<i64> = plans.iter().flat_map(|p| p.activities.iter().map(|a| a.id)).collect();
        let opened: HashMap<(i64, NaiveDate), _> = self
            .store
            .maintenance_occurrences(&ids, from, to)
            .await?
            .into_iter()
            .map(|o| ((o.activity_id, o.due_date), o))
            .collect();
        let mut report = ComplianceReport { from, to, today, counts: ComplianceCounts::default(), plans: Vec::new() };
        for view in plans {
            let mut plan = PlanCompliance {
                plan_id: view.plan.id,
                name: view.plan.name.clone(),
                year: view.plan.year,
                team_id: view.plan.team_id,
                team_name: view.plan.team_name.clone(),
                counts: ComplianceCounts::default(),
                activities: Vec::new(),
            };
            for a in &view.activities {
                let mut activity = ActivityCompliance {
                    activity_id: a.id,
                    what: a.what.clone(),
                    item: a.item.clone(),
                    counts: ComplianceCounts::default(),
                    occurrences: Vec::new(),
                };
                for o in occurrences(&a.recurrence, view.plan.year as i32, calendar) {
                    if o.due < from || o.due > to {
                        continue;
                    }
                    let row = opened.get(&(a.id, o.due));
                    let done_at = row.and_then(|r| r.done_at);
                    let done = done_at.map(|t| t.with_timezone(&calendar.timezone()).date_naive());
                    let status = compliance(o.due, done, today);
                    activity.counts.add(status);
                    activity.occurrences.push(OccurrenceStatus {
                        planned: o.planned,
                        due: o.due,
                        status,
                        ticket_number: row.and_then(|r| r.ticket_number),
                        done_at,
                        done_by_name: row.and_then(|r| r.done_by_name.clone()),
                    });
                }
                if activity.occurrences.is_empty() {
                    continue;
                }
                plan.counts.merge(&activity.counts);
                plan.activities.push(activity);
            }
            if plan.activities.is_empty() {
                continue;
            }
            report.counts.merge(&plan.counts);
            report.plans.push(plan);
        }
        Ok(report)
    }
}
