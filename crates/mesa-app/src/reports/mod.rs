//! The management report (issue 17): a period's counts, breakdowns,
//! business-hour times, service-target and vendor compliance, routing and
//! survey results. The store counts and groups; the clocks and the figures
//! (`mesa_core::report`) are worked out here.

mod feed;

pub use feed::{FEED_PAGE, FeedTicket};

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use mesa_core::report::{
    self, ActionLine, Compliance, DayCount, Dimension, FilterNames, MaintenanceCompliance, NamedCount, Period, Summary,
    TargetCompliance, TimeFigures, VendorCompliance,
};
use mesa_core::sla::{self, ClockState, Timeline};
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Priority, Role};
use mesa_store::{Directory, ReportFilter, ReportTicket};

use crate::policy::Policy;
use crate::{AppError, AppResult, Desk};

/// Who reads reports and the feed: everyone but requesters.
pub fn may_read(role: Role) -> bool {
    role != Role::Requester
}

fn require_read(actor: &Actor) -> AppResult<()> {
    if may_read(actor.role) { Ok(()) } else { Err(AppError::forbidden("requesters do not read reports or the feed")) }
}

/// What a report is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    pub period: Period,
    pub filter: ReportFilter,
}

impl Desk {
    /// The period `from..=to` (`YYYY-MM-DD`), by default last month in the
    /// desk's time zone.
    pub async fn report_period(&self, from: Option<&str>, to: Option<&str>) -> AppResult<Period> {
        let today = self.desk_today().await?;
        Ok(Period::parse(from, to, today)?)
    }

    /// Checks the filter's references (an unknown service, building… is a
    /// field error, not an empty report).
    async fn filter_names(&self, filter: &ReportFilter) -> AppResult<FilterNames> {
        let mut names = Vec::new();
        let missing = |field: &'static str| move |_| AppError::Invalid(FieldError::new(field, "unknown", "not found"));
        if let Some(id) = filter.service_id {
            names.push((Dimension::Service, self.store.service(id).await.map_err(missing("service_id"))?.name));
        }
        if let Some(t) = filter.ticket_type {
            names.push((Dimension::Type, t.as_str().to_owned()));
        }
        for (dimension, dir, id, field) in [
            (Dimension::Building, Directory::Buildings, filter.building_id, "building_id"),
            (Dimension::Department, Directory::Departments, filter.department_id, "department_id"),
            (Dimension::Team, Directory::Teams, filter.team_id, "team_id"),
        ] {
            if let Some(id) = id {
                names.push((dimension, self.store.item(dir, id).await.map_err(missing(field))?.name));
            }
        }
        if let Some(id) = filter.agent_id {
            names.push((Dimension::Agent, self.store.user_by_id(id).await.map_err(missing("agent_id"))?.name));
        }
        if let Some(level) = filter.level {
            mesa_core::ticket::Level::new(level)?;
            names.push((Dimension::Level, level.to_string()));
        }
        if let Some(c) = filter.channel {
            names.push((Dimension::Channel, c.as_str().to_owned()));
        }
        Ok(FilterNames(names))
    }

    /// The report of `query` (staff, managers and `feed` tokens; never
    /// requesters). Survey results are in it for the readers allowed to see
    /// them (administrators and managers).
    pub async fn report_summary(&self, actor: &Actor, query: &ReportQuery) -> AppResult<Summary> {
        require_read(actor)?;
        let filters = self.filter_names(&query.filter).await?;
        let policy = self.policy().await?;
        let calendar = policy.default_calendar();
        let tz = calendar.timezone();
        let (start, end) = query.period.bounds(tz);
        let f = &query.filter;
        let store = &self.store;
        let (counts, opened, solved, holds, routing, criteria, moves) = tokio::try_join!(
            store.report_counts(f, start, end),
            store.report_opened(f, start, end),
            store.report_solved(f, start, end),
            store.report_holds(f, start, end),
            store.report_history_values("routing", f, start, end),
            store.report_history_values("reassignment_criterion", f, start, end),
            store.report_moves(f, start, end),
        )?;
        let mut breakdowns = Vec::with_capacity(Dimension::ALL.len());
        for dimension in Dimension::ALL {
            breakdowns.push((*dimension, store.report_breakdown(*dimension, f, start, end).await?));
        }
        let first_response = TimeFigures::of(
            opened
                .iter()
                .filter_map(|t| Some(calendar.business_time_between(t.created_at, t.first_response_at?).num_seconds()))
                .collect(),
        );
        let resolution = TimeFigures::of(
            solved
                .iter()
                .map(|(created, solved)| calendar.business_time_between(*created, *solved).num_seconds())
                .collect(),
        );
        let days = per_day(&query.period, tz, &opened, &solved);
        let targets = self.target_compliance(&policy, &opened, &holds, Utc::now()).await?;
        let (reassignments, escalations, de_escalations) = moves;
        let vendors = if mesa_core::vendors::may_read(actor.role) {
            self.vendor_report(actor)
                .await?
                .contracts
                .into_iter()
                .map(|c| VendorCompliance {
                    vendor: c.vendor_name,
                    contract: c.number,
                    escalations: c.escalations,
                    response: Compliance { met: c.response_met, missed: c.response_missed },
                    resolution: Compliance { met: c.resolution_met, missed: c.resolution_missed },
                })
                .collect()
        } else {
            Vec::new()
        };
        let maintenance = self
            .maintenance_compliance(actor, query.period.from, query.period.to, Utc::now())
            .await?
            .plans
            .into_iter()
            .filter(|p| f.team_id.is_none_or(|team| team == p.team_id) && p.counts.total() > 0)
            .map(|p| MaintenanceCompliance { plan: p.name, counts: p.counts })
            .collect();
        let actions = mesa_store::ActionFilter { open_or_verified_since: Some(start), ..Default::default() };
        let improvement_actions = store
            .improvement_actions(&actions)
            .await?
            .into_iter()
            .filter(|a| a.created_at < end)
            .map(|a| ActionLine {
                id: a.id,
                indicator: a.indicator_code,
                month: a.month,
                what: a.what,
                owner: a.owner_name,
                due: a.due_date,
                status: a.status,
            })
            .collect();
        let surveys = match actor.role {
            Role::Admin | Role::Manager => {
                let mut total = self.survey_results(actor, start, end, None).await?.total;
                // The report carries figures, not the requesters' words.
                total.comments.clear();
                Some(total)
            }
            _ => None,
        };
        Ok(Summary {
            institution: self.institution_name().await?,
            period: query.period,
            filters,
            counts,
            breakdowns,
            days,
            first_response,
            resolution,
            targets,
            assignments_by_criterion: by_criterion(routing),
            reassignments_by_criterion: criteria
                .into_iter()
                .map(|(name, count)| NamedCount { name, id: None, count })
                .collect(),
            reassignments,
            escalations,
            de_escalations,
            vendors,
            maintenance,
            improvement_actions,
            surveys,
        })
    }

    /// Per service target (service and priority), how many of the tickets
    /// opened met or missed each clock, judged as the ticket page does
    /// (business time of the target's calendar, holds paused).
    async fn target_compliance(
        &self,
        policy: &Policy,
        opened: &[ReportTicket],
        holds: &HashMap<i64, Vec<mesa_store::StatusRecord>>,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<TargetCompliance>> {
        let mut rows: BTreeMap<(Option<i64>, Priority), TargetCompliance> = BTreeMap::new();
        for t in opened {
            let priority = Priority::parse(&t.priority)?;
            let (target, calendar) = policy.target_for(t.service_id, priority);
            // The target's own row: the service's, else the default one.
            let service = t
                .service_id
                .filter(|id| policy.targets.iter().any(|r| r.service_id == Some(*id) && r.priority == t.priority));
            let history = holds.get(&t.id).map(Vec::as_slice).unwrap_or_default();
            let records = history.iter().map(|(at, field, after)| (*at, field.as_str(), after.as_deref()));
            let timeline = Timeline {
                created_at: t.created_at,
                first_response_at: t.first_response_at,
                solved_at: t.solved_at,
                pauses: sla::pauses_from_history(records, &policy.sla),
            };
            let status = sla::evaluate(calendar, target, &timeline, &policy.sla, now);
            let row = rows.entry((service, priority)).or_insert_with(|| TargetCompliance {
                service: None,
                priority,
                tickets: 0,
                response: Compliance::default(),
                resolution: Compliance::default(),
            });
            row.tickets += 1;
            judge(&mut row.response, status.response.state);
            judge(&mut row.resolution, status.resolution.state);
        }
        let mut out = Vec::with_capacity(rows.len());
        for ((service, _), mut row) in rows {
            if let Some(id) = service {
                row.service = Some(self.store.service(id).await?.name);
            }
            out.push(row);
        }
        Ok(out)
    }
}

fn judge(c: &mut Compliance, state: ClockState) {
    match state {
        ClockState::Met => c.met += 1,
        ClockState::Breached => c.missed += 1,
        _ => {}
    }
}

/// Routing decisions counted by criterion, in [`report::CRITERIA`] order
/// (unknown codes after them).
fn by_criterion(values: Vec<(String, i64)>) -> Vec<NamedCount> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for (value, n) in values {
        *counts.entry(report::criterion(&value).to_owned()).or_default() += n;
    }
    let mut out: Vec<NamedCount> = report::CRITERIA
        .iter()
        .filter_map(|c| counts.remove(*c).map(|count| NamedCount { name: (*c).to_owned(), id: None, count }))
        .collect();
    out.extend(counts.into_iter().map(|(name, count)| NamedCount { name, id: None, count }));
    out
}

/// Opened and solved per day of the period, in the desk's time zone.
fn per_day(
    period: &Period,
    tz: chrono_tz::Tz,
    opened: &[ReportTicket],
    solved: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<DayCount> {
    let mut days: BTreeMap<NaiveDate, DayCount> =
        period.days().into_iter().map(|day| (day, DayCount { day, opened: 0, solved: 0 })).collect();
    for t in opened {
        if let Some(d) = days.get_mut(&t.created_at.with_timezone(&tz).date_naive()) {
            d.opened += 1;
        }
    }
    for (_, at) in solved {
        if let Some(d) = days.get_mut(&at.with_timezone(&tz).date_naive()) {
            d.solved += 1;
        }
    }
    days.into_values().collect()
}
