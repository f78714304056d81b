//! The desk's policy: SLA settings, automation settings, service targets and
//! business calendars. Read from the store and cached for a few seconds, so
//! several server processes pick up an admin's change quickly without a
//! query per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mesa_core::automation::AutomationSettings;
use mesa_core::calendar::{BusinessCalendar, CalendarConfig};
use mesa_core::sla::{self, SlaSettings, SlaStatus, Target, Timeline};
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Priority, Ticket};
use mesa_store::{StatusRecord, TargetRow};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{AppError, AppResult, Desk};

/// How long a process trusts its copy of the policy.
const POLICY_TTL: Duration = Duration::from_secs(5);
pub const SLA_SETTINGS_KEY: &str = "sla";
pub const AUTOMATION_SETTINGS_KEY: &str = "automation";
/// The calendar used where none is named (the built-in Colombian one unless
/// an admin stores a calendar with this name).
pub const DEFAULT_CALENDAR: &str = "default";

#[derive(Debug)]
pub struct Policy {
    pub sla: SlaSettings,
    pub automation: AutomationSettings,
    pub targets: Vec<TargetRow>,
    /// Who gets a case (`crate::routing`).
    pub routing: mesa_core::routing::RoutingSettings,
    calendars: HashMap<i64, (String, BusinessCalendar)>,
    default_calendar: BusinessCalendar,
}

impl Policy {
    /// The name of a stored calendar.
    pub fn calendar_name(&self, id: i64) -> Option<&str> {
        self.calendars.get(&id).map(|(name, _)| name.as_str())
    }

    pub fn default_calendar(&self) -> &BusinessCalendar {
        &self.default_calendar
    }

    pub fn calendar_named(&self, name: &str) -> Option<&BusinessCalendar> {
        if name == DEFAULT_CALENDAR {
            return Some(&self.default_calendar);
        }
        self.calendars.values().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The target for a ticket: its service's, else the desk's for its
    /// priority, else the built-in default; with the calendar it runs on.
    pub fn target_for(&self, service_id: Option<i64>, priority: Priority) -> (Target, &BusinessCalendar) {
        let row = service_id
            .and_then(|id| self.targets.iter().find(|t| t.service_id == Some(id) && t.priority == priority.as_str()))
            .or_else(|| self.targets.iter().find(|t| t.service_id.is_none() && t.priority == priority.as_str()));
        match row {
            Some(row) => (
                Target { response_minutes: row.response_minutes, resolution_minutes: row.resolution_minutes },
                row.calendar_id.and_then(|id| self.calendars.get(&id)).map_or(&self.default_calendar, |(_, c)| c),
            ),
            None => (Target::default_for(priority), &self.default_calendar),
        }
    }

    /// Both clocks of a ticket, from its status history.
    pub fn sla_of(&self, ticket: &Ticket, history: &[StatusRecord], now: DateTime<Utc>) -> SlaStatus {
        let (target, calendar) = self.target_for(ticket.service_id, ticket.priority);
        let records = history.iter().map(|(at, field, after)| (*at, field.as_str(), after.as_deref()));
        let timeline = Timeline {
            created_at: ticket.created_at,
            first_response_at: ticket.first_response_at,
            solved_at: ticket.solved_at,
            pauses: sla::pauses_from_history(records, &self.sla),
        };
        sla::evaluate(calendar, target, &timeline, &self.sla, now)
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyCache(Arc<Mutex<Option<Cached>>>);

/// A policy and when it was read.
type Cached = (Instant, Arc<Policy>);

fn parse_json<T: DeserializeOwned>(what: &'static str, raw: &str) -> Result<T, AppError> {
    serde_json::from_str(raw).map_err(|e| AppError::Invalid(FieldError::new(what, "invalid", e.to_string())))
}

impl Desk {
    /// The current policy as the staff read it (see
    /// [`crate::internal_readers_only`]).
    pub async fn policy_for(&self, actor: &Actor) -> AppResult<Arc<Policy>> {
        crate::internal_readers_only(actor)?;
        self.policy().await
    }

    /// The current policy (cached for a few seconds).
    pub async fn policy(&self) -> AppResult<Arc<Policy>> {
        if let Some((at, policy)) = self.policy.0.lock().expect("policy cache").as_ref()
            && at.elapsed() < POLICY_TTL
        {
            return Ok(policy.clone());
        }
        let policy = Arc::new(self.load_policy().await?);
        *self.policy.0.lock().expect("policy cache") = Some((Instant::now(), policy.clone()));
        Ok(policy)
    }

    pub(crate) fn forget_policy(&self) {
        *self.policy.0.lock().expect("policy cache") = None;
    }

    async fn load_policy(&self) -> AppResult<Policy> {
        let store = &self.store;
        let sla = match store.setting(SLA_SETTINGS_KEY).await? {
            Some(raw) => parse_json("sla", &raw)?,
            None => SlaSettings::default(),
        };
        let automation = match store.setting(AUTOMATION_SETTINGS_KEY).await? {
            Some(raw) => parse_json("automation", &raw)?,
            None => AutomationSettings::default(),
        };
        let routing = match store.setting(crate::routing::ROUTING_SETTINGS_KEY).await? {
            Some(raw) => parse_json("routing", &raw)?,
            None => Default::default(),
        };
        let mut calendars = HashMap::new();
        let mut default_calendar = BusinessCalendar::colombia_default();
        for row in store.calendars().await? {
            let config: CalendarConfig = parse_json("calendar", &row.config)?;
            let calendar = config.build().map_err(|e| FieldError::new("calendar", "invalid", e.to_string()))?;
            if row.name == DEFAULT_CALENDAR {
                default_calendar = calendar.clone();
            }
            calendars.insert(row.id, (row.name, calendar));
        }
        Ok(Policy { sla, automation, targets: store.sla_targets().await?, routing, calendars, default_calendar })
    }

    pub(crate) fn require_policy_admin(actor: &mesa_core::Actor) -> AppResult<()> {
        if actor.can_manage_catalog() {
            Ok(())
        } else {
            Err(AppError::forbidden("only administrators change the policy"))
        }
    }

    pub async fn set_sla_settings(&self, actor: &mesa_core::Actor, settings: &SlaSettings) -> AppResult<()> {
        Self::require_policy_admin(actor)?;
        for reason in &settings.pausing_reasons {
            mesa_core::HoldReason::parse(reason).map_err(|e| FieldError { field: "pausing_reasons", ..e })?;
        }
        if settings.warn_at_percent == 0 || settings.warn_at_percent > 100 {
            return Err(FieldError::new("warn_at_percent", "out_of_range", "warn_at_percent must be 1 to 100").into());
        }
        self.put_json(SLA_SETTINGS_KEY, settings).await
    }

    pub async fn set_automation_settings(
        &self,
        actor: &mesa_core::Actor,
        settings: &AutomationSettings,
    ) -> AppResult<()> {
        Self::require_policy_admin(actor)?;
        for (field, hours) in [
            ("auto_close_after_hours", settings.auto_close_after_hours),
            ("approval_reminder_after_hours", settings.approval_reminder_after_hours),
        ] {
            if !(0.0..=10_000.0).contains(&hours) {
                return Err(FieldError::new(field, "out_of_range", format!("{field} must be 0 to 10000")).into());
            }
        }
        self.put_json(AUTOMATION_SETTINGS_KEY, settings).await
    }

    pub(crate) async fn put_json<T: Serialize>(&self, key: &str, value: &T) -> AppResult<()> {
        let raw = serde_json::to_string(value).expect("settings serialise");
        self.store.put_setting(key, &raw).await?;
        self.forget_policy();
        Ok(())
    }

    /// Sets a target for a priority, desk-wide or for one service.
    pub async fn put_sla_target(
        &self,
        actor: &mesa_core::Actor,
        service_id: Option<i64>,
        priority: Priority,
        target: Target,
        calendar: Option<&str>,
    ) -> AppResult<()> {
        Self::require_policy_admin(actor)?;
        if target.response_minutes <= 0 || target.resolution_minutes <= 0 {
            return Err(FieldError::new("target", "out_of_range", "targets must be positive minutes").into());
        }
        if let Some(id) = service_id {
            self.store.service(id).await.map_err(|_| FieldError::new("service_id", "unknown", "no such service"))?;
        }
        let calendar_id = match calendar {
            None => None,
            Some(name) => Some(
                self.store
                    .calendars()
                    .await?
                    .into_iter()
                    .find(|c| c.name == name)
                    .ok_or_else(|| FieldError::new("calendar", "unknown", format!("no calendar named {name}")))?
                    .id,
            ),
        };
        self.store
            .put_sla_target(&TargetRow {
                service_id,
                priority: priority.as_str().into(),
                response_minutes: target.response_minutes,
                resolution_minutes: target.resolution_minutes,
                calendar_id,
            })
            .await?;
        self.forget_policy();
        Ok(())
    }
}
