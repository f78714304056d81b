//! Preventive maintenance plans (issue 17; seeds 002 and 004): plans and
//! their activities, the tickets automation opens for due occurrences
//! (`due.rs`), checklists and executions (`execution.rs`), compliance
//! (`compliance.rs`) and logbooks (`logbooks.rs`).

mod compliance;
mod due;
mod execution;
mod logbooks;

pub use compliance::{ActivityCompliance, ComplianceReport, OccurrenceStatus, PlanCompliance};
pub use logbooks::LogbookInput;
pub(crate) use logbooks::cell as spreadsheet_safe;
pub use mesa_core::maintenance::ComplianceCounts;
pub use mesa_store::{ChecklistRow, LogbookEntryRow, LogbookRow, OccurrenceRow, PlanRow};

use mesa_core::maintenance::{ItemKind, Occurrence, PlanFields, RawPlan, Recurrence, StoredRecurrence, occurrences};
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Role};
use mesa_store::{ActivityRow, Directory, NewActivity, NewPlan, StoreError};

use crate::{AppError, AppResult, Desk};

/// A plan as sent (API body or form): its fields, its owner team, and for
/// each activity the id of the existing activity it keeps (on an update).
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub raw: RawPlan,
    pub team_id: i64,
    pub activity_ids: Vec<Option<i64>>,
}

/// An activity as the API and pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityView {
    pub id: i64,
    pub what: String,
    pub item: String,
    pub item_kind: ItemKind,
    pub asset_id: Option<i64>,
    pub checklist: Vec<String>,
    pub recurrence: Recurrence,
}

/// A plan with its current activities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanView {
    pub plan: PlanRow,
    pub activities: Vec<ActivityView>,
}

/// Plans are read by staff and managers, written by administrators.
pub(crate) fn require_read(actor: &Actor) -> AppResult<()> {
    if actor.sees_internal() { Ok(()) } else { Err(AppError::forbidden("staff only")) }
}

fn require_write(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("only administrators edit maintenance plans"))
    }
}

fn plan_not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("maintenance plan"),
        other => other.into(),
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn activity_view(row: &ActivityRow) -> AppResult<ActivityView> {
    let checklist: Vec<String> = serde_json::from_str(&row.checklist).map_err(|e| internal("stored checklist", e))?;
    let stored: StoredRecurrence =
        serde_json::from_str(&row.recurrence).map_err(|e| internal("stored recurrence", e))?;
    Ok(ActivityView {
        id: row.id,
        what: row.what.clone(),
        item: row.item.clone(),
        item_kind: ItemKind::parse(&row.item_kind)?,
        asset_id: row.asset_id,
        checklist,
        recurrence: Recurrence::try_from(stored)?,
    })
}

impl Desk {
    /// Every plan (archived ones too when asked), with its activities.
    pub async fn maintenance_plans(&self, actor: &Actor, include_archived: bool) -> AppResult<Vec<PlanView>> {
        require_read(actor)?;
        let plans = self.store.maintenance_plans(include_archived).await?;
        self.with_activities(plans).await
    }

    pub async fn maintenance_plan(&self, actor: &Actor, id: i64) -> AppResult<PlanView> {
        require_read(actor)?;
        let plan = self.store.maintenance_plan(id).await.map_err(plan_not_found)?;
        Ok(self.with_activities(vec![plan]).await?.remove(0))
    }

    pub(crate) async fn with_activities(&self, plans: Vec<PlanRow>) -> AppResult<Vec<PlanView>> {
        let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let rows = self.store.maintenance_activities(&ids).await?;
        plans
            .into_iter()
            .map(|plan| {
                let activities =
                    rows.iter().filter(|a| a.plan_id == plan.id).map(activity_view).collect::<AppResult<Vec<_>>>()?;
                Ok(PlanView { plan, activities })
            })
            .collect()
    }

    /// Checks a plan and resolves its team and assets.
    async fn plan_record(&self, input: &PlanInput) -> AppResult<NewPlan> {
        let fields = PlanFields::parse(&input.raw)?;
        let team_id = self.existing(Directory::Teams, input.team_id, "team_id").await?;
        let mut activities = Vec::with_capacity(fields.activities.len());
        for (i, a) in fields.activities.iter().enumerate() {
            let asset_id = match a.item_kind {
                ItemKind::Asset => Some(self.store.asset_id_by_tag(&a.item).await?.ok_or_else(|| {
                    FieldError::new(
                        "activities.item",
                        "unknown_asset",
                        format!("no asset has the inventory tag '{}'", a.item),
                    )
                })?),
                _ => None,
            };
            activities.push(NewActivity {
                id: input.activity_ids.get(i).copied().flatten(),
                what: a.what.clone(),
                item: a.item.clone(),
                item_kind: a.item_kind.as_str().to_owned(),
                asset_id,
                checklist: serde_json::to_string(&a.checklist).map_err(|e| internal("checklist", e))?,
                recurrence: serde_json::to_string(&StoredRecurrence::from(&a.recurrence))
                    .map_err(|e| internal("recurrence", e))?,
            });
        }
        Ok(NewPlan { name: fields.name, year: i64::from(fields.year), team_id, activities })
    }

    pub async fn create_maintenance_plan(&self, actor: &Actor, input: &PlanInput) -> AppResult<PlanView> {
        require_write(actor)?;
        let plan = self.plan_record(input).await?;
        let id = self.store.create_maintenance_plan(&plan, actor.user_id, chrono::Utc::now()).await?;
        self.maintenance_plan(actor, id).await
    }

    /// Replaces a plan's fields and activities (see
    /// `Store::update_maintenance_plan` for what happens to activities).
    pub async fn update_maintenance_plan(&self, actor: &Actor, id: i64, input: &PlanInput) -> AppResult<PlanView> {
        require_write(actor)?;
        self.store.maintenance_plan(id).await.map_err(plan_not_found)?;
        let plan = self.plan_record(input).await?;
        self.store.update_maintenance_plan(id, &plan, chrono::Utc::now()).await.map_err(plan_not_found)?;
        self.maintenance_plan(actor, id).await
    }

    /// When an activity falls due in its plan's year, on the desk calendar's business days.
    pub async fn maintenance_schedule(&self, activity: &ActivityView, year: i64) -> AppResult<Vec<Occurrence>> {
        let policy = self.policy().await?;
        Ok(occurrences(&activity.recurrence, year as i32, policy.default_calendar()))
    }

    /// Archives a plan (DELETE): it opens no more tickets; its occurrences,
    /// tickets and logbook entries stay.
    pub async fn archive_maintenance_plan(&self, actor: &Actor, id: i64, archived: bool) -> AppResult<PlanView> {
        require_write(actor)?;
        self.store.set_maintenance_plan_archived(id, archived, chrono::Utc::now()).await.map_err(plan_not_found)?;
        self.maintenance_plan(actor, id).await
    }
}
