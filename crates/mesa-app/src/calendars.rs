//! Calendar administration: every calendar the desk uses (the built-in
//! default too, so a client can read it, change it and put it back), changes
//! recorded in the settings history, and a preview of a due date.

use chrono::{DateTime, TimeDelta, Utc};
use mesa_core::Actor;
use mesa_core::calendar::{BusinessCalendar, CalendarConfig};
use mesa_core::validate::FieldError;
use mesa_store::{SettingsChange, calendar_subject};

use crate::policy::DEFAULT_CALENDAR;
use crate::{AppError, AppResult, Desk, internal_readers_only};

/// Most changes one history request returns.
pub const MAX_HISTORY: i64 = 200;

/// A calendar as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub name: String,
    /// `true` for the built-in Colombian default while no calendar named
    /// `default` is stored.
    pub builtin: bool,
    pub config: CalendarConfig,
}

fn admins_only(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_catalog() { Ok(()) } else { Err(AppError::forbidden("only administrators change the policy")) }
}

fn invalid_calendar(e: impl ToString) -> AppError {
    FieldError::new("calendar", "invalid", e.to_string()).into()
}

impl Desk {
    /// Every calendar, by name; the built-in default first when no calendar
    /// named `default` is stored (staff).
    pub async fn calendars(&self, actor: &Actor) -> AppResult<Vec<CalendarEntry>> {
        internal_readers_only(actor)?;
        let mut out = Vec::new();
        for row in self.store.calendars().await? {
            let config: CalendarConfig = serde_json::from_str(&row.config).map_err(invalid_calendar)?;
            out.push(CalendarEntry { name: row.name, builtin: false, config });
        }
        if !out.iter().any(|c| c.name == DEFAULT_CALENDAR) {
            out.insert(
                0,
                CalendarEntry {
                    name: DEFAULT_CALENDAR.to_owned(),
                    builtin: true,
                    config: BusinessCalendar::colombia_default().to_config(),
                },
            );
        }
        Ok(out)
    }

    /// One calendar by name (staff).
    pub async fn calendar(&self, actor: &Actor, name: &str) -> AppResult<CalendarEntry> {
        self.calendars(actor).await?.into_iter().find(|c| c.name == name).ok_or(AppError::NotFound("calendar"))
    }

    /// Creates or replaces a named calendar (checked before it is stored) and
    /// records the change in the settings history (administrators).
    pub async fn put_calendar(&self, actor: &Actor, name: &str, config: CalendarConfig) -> AppResult<()> {
        admins_only(actor)?;
        let name = mesa_core::validate::required_text("name", name, 100)?;
        let calendar = config.build().map_err(invalid_calendar)?;
        let raw = serde_json::to_string(&calendar.to_config()).expect("calendar serialises");
        let builtin = (name == DEFAULT_CALENDAR).then(|| {
            serde_json::to_string(&BusinessCalendar::colombia_default().to_config()).expect("calendar serialises")
        });
        self.store.put_calendar_recorded(&name, &raw, Some(actor.user_id), builtin.as_deref(), Utc::now()).await?;
        self.forget_policy();
        Ok(())
    }

    /// The latest settings changes, newest first, of one calendar or of all
    /// (administrators).
    pub async fn settings_history(
        &self,
        actor: &Actor,
        calendar: Option<&str>,
        limit: i64,
    ) -> AppResult<Vec<SettingsChange>> {
        admins_only(actor)?;
        let subject = calendar.map(calendar_subject);
        Ok(self.store.settings_history(subject.as_deref(), limit.clamp(1, MAX_HISTORY)).await?)
    }

    /// When `duration` of business time after `start` ends on calendar
    /// `name` (staff).
    pub async fn preview_due(
        &self,
        actor: &Actor,
        name: &str,
        start: DateTime<Utc>,
        duration: TimeDelta,
    ) -> AppResult<DateTime<Utc>> {
        internal_readers_only(actor)?;
        let policy = self.policy().await?;
        let calendar = policy.calendar_named(name).ok_or(AppError::NotFound("calendar"))?;
        calendar
            .add_business_time(start, duration)
            .map_err(|e| FieldError::new("duration", "out_of_range", e.to_string()).into())
    }
}
