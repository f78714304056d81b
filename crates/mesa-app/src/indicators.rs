//! Indicators with goals and improvement actions (issue 17): administrators
//! define indicators; each month's value is worked out from that month's
//! report (`mesa_core::indicator::Formula`); a month that misses its goal
//! asks for an improvement action, tracked from open to verified.

use chrono::Utc;
use mesa_core::indicator::{ActionFields, ActionStatus, Direction, Formula, IndicatorFields, Month, may_move, met};
use mesa_core::report::{Period, Summary};
use mesa_core::{Actor, Email, Role};
pub use mesa_store::{ActionFilter, ActionRow};
use mesa_store::{IndicatorRow, NewAction, NewIndicator, StoreError};

use crate::reports::ReportQuery;
use crate::{AppError, AppResult, Desk};

/// An indicator as sent (API body or form).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorInput {
    pub code: String,
    pub name: String,
    pub formula: String,
    pub goal: f64,
    pub direction: Option<String>,
    pub archived: bool,
}

/// An indicator with its checked fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub formula: Formula,
    pub goal: f64,
    pub direction: Direction,
    pub archived: bool,
}

/// One indicator's value for a month, whether it met its goal, and the
/// improvement actions written for that month.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorValue {
    pub indicator: Indicator,
    pub value: Option<f64>,
    /// `None` when there was nothing to measure.
    pub met: Option<bool>,
    pub actions: Vec<ActionRow>,
}

impl IndicatorValue {
    /// A missed month without an action yet asks for one.
    pub fn action_required(&self) -> bool {
        self.met == Some(false) && self.actions.is_empty()
    }
}

/// A month's values.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthValues {
    pub month: Month,
    pub items: Vec<IndicatorValue>,
}

/// An improvement action as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionInput {
    pub indicator_id: i64,
    pub month: String,
    pub what: String,
    pub cause: Option<String>,
    /// The owner's e-mail (staff); default: who writes it.
    pub owner_email: Option<String>,
    pub due_date: String,
}

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::Admin { Ok(()) } else { Err(AppError::forbidden("only administrators define indicators")) }
}

/// Agents and administrators write and move improvement actions.
fn require_staff_writer(actor: &Actor) -> AppResult<()> {
    if matches!(actor.role, Role::Admin | Role::Agent) {
        Ok(())
    } else {
        Err(AppError::forbidden("only agents and administrators write improvement actions"))
    }
}

fn indicator_of(row: IndicatorRow) -> AppResult<Indicator> {
    let corrupt = |e: mesa_core::validate::FieldError| AppError::Internal(StoreError::Corrupt(e.message));
    Ok(Indicator {
        id: row.id,
        code: row.code,
        name: row.name,
        formula: Formula::parse(&row.formula).map_err(corrupt)?,
        goal: row.goal,
        direction: Direction::parse(&row.direction).map_err(corrupt)?,
        archived: row.archived,
    })
}

fn code_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict { code: "code_taken", message: "another indicator has that code".into() }
        }
        StoreError::NotFound => AppError::NotFound("indicator"),
        other => other.into(),
    }
}

fn stored(fields: &IndicatorFields) -> NewIndicator {
    NewIndicator {
        code: fields.code.clone(),
        name: fields.name.clone(),
        formula: fields.formula.as_str().to_owned(),
        goal: fields.goal,
        direction: fields.direction.as_str().to_owned(),
    }
}

fn check(input: &IndicatorInput) -> AppResult<IndicatorFields> {
    Ok(IndicatorFields::parse(&input.code, &input.name, &input.formula, input.goal, input.direction.as_deref())?)
}

impl Desk {
    /// The indicators, archived ones too when asked.
    pub async fn indicators(&self, actor: &Actor, include_archived: bool) -> AppResult<Vec<Indicator>> {
        crate::internal_readers_only(actor)?;
        self.store.indicators(include_archived).await?.into_iter().map(indicator_of).collect()
    }

    pub async fn indicator(&self, actor: &Actor, id: i64) -> AppResult<Indicator> {
        crate::internal_readers_only(actor)?;
        indicator_of(self.store.indicator(id).await.map_err(code_taken)?)
    }

    pub async fn create_indicator(&self, actor: &Actor, input: &IndicatorInput) -> AppResult<Indicator> {
        require_admin(actor)?;
        let fields = check(input)?;
        let id = self.store.create_indicator(&stored(&fields), actor.user_id, Utc::now()).await.map_err(code_taken)?;
        self.indicator(actor, id).await
    }

    pub async fn update_indicator(&self, actor: &Actor, id: i64, input: &IndicatorInput) -> AppResult<Indicator> {
        require_admin(actor)?;
        let fields = check(input)?;
        self.store.update_indicator(id, &stored(&fields), input.archived, Utc::now()).await.map_err(code_taken)?;
        self.indicator(actor, id).await
    }

    /// `YYYY-MM`, by default the last complete month in the desk's time zone.
    pub async fn indicator_month(&self, raw: Option<&str>) -> AppResult<Month> {
        match raw.filter(|m| !m.is_empty()) {
            Some(m) => Ok(Month::parse(m)?),
            None => Ok(Month::last_complete(self.desk_today().await?)),
        }
    }

    /// Each active indicator's value for `month`, from the month's report.
    pub async fn indicator_values(&self, actor: &Actor, month: Month) -> AppResult<MonthValues> {
        crate::internal_readers_only(actor)?;
        let indicators = self.indicators(actor, false).await?;
        let summary = self.month_summary(actor, month).await?;
        let filter = ActionFilter { month: Some(month.to_string()), ..Default::default() };
        let actions = self.store.improvement_actions(&filter).await?;
        let items = indicators
            .into_iter()
            .map(|indicator| {
                let value = indicator.formula.value(&summary);
                let actions = actions.iter().filter(|a| a.indicator_id == indicator.id).cloned().collect();
                IndicatorValue { met: met(value, indicator.goal, indicator.direction), value, actions, indicator }
            })
            .collect();
        Ok(MonthValues { month, items })
    }

    /// The month's report, as an administrator sees it (survey figures
    /// included: the indicators need them whoever reads the values).
    async fn month_summary(&self, actor: &Actor, month: Month) -> AppResult<Summary> {
        let period = Period::new(month.first_day(), month.last_day())?;
        let as_admin = Actor { user_id: actor.user_id, role: Role::Admin };
        self.report_summary(&as_admin, &ReportQuery { period, filter: Default::default() }).await
    }

    /// The month's values as a flat CSV for a quality-management system:
    /// `code,name,period,value,goal,direction,met` (met is `yes`, `no` or
    /// empty when nothing was measured).
    pub async fn indicator_values_csv(&self, actor: &Actor, month: Month) -> AppResult<Vec<u8>> {
        let values = self.indicator_values(actor, month).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| AppError::Internal(StoreError::Corrupt(format!("writing CSV: {e}")));
        w.write_record(["code", "name", "period", "value", "goal", "direction", "met"]).map_err(io)?;
        for v in &values.items {
            let i = &v.indicator;
            let met = match v.met {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            };
            let value = v.value.map(|x| x.to_string()).unwrap_or_default();
            let (period, goal) = (month.to_string(), i.goal.to_string());
            let code = crate::maintenance::spreadsheet_safe(&i.code);
            let name = crate::maintenance::spreadsheet_safe(&i.name);
            w.write_record([code.as_str(), name.as_str(), &period, &value, &goal, i.direction.as_str(), met])
                .map_err(io)?;
        }
        w.into_inner().map_err(|e| AppError::Internal(StoreError::Corrupt(format!("writing CSV: {e}"))))
    }

    /// Writes an improvement action for a month of an indicator.
    pub async fn create_improvement_action(&self, actor: &Actor, input: &ActionInput) -> AppResult<ActionRow> {
        require_staff_writer(actor)?;
        let fields = ActionFields::parse(&input.what, input.cause.as_deref(), &input.due_date)?;
        let month = Month::parse(&input.month)?;
        let indicator = self.store.indicator(input.indicator_id).await.map_err(|e| match e {
            StoreError::NotFound => AppError::Invalid(mesa_core::validate::FieldError::new(
                "indicator_id",
                "unknown",
                "no indicator has that id",
            )),
            other => other.into(),
        })?;
        let owner_id = match input.owner_email.as_deref() {
            None => actor.user_id,
            Some(raw) => {
                let unknown = || {
                    AppError::Invalid(mesa_core::validate::FieldError::new(
                        "owner_email",
                        "unknown",
                        "the owner is a member of the staff",
                    ))
                };
                let email = Email::parse(raw).map_err(|_| unknown())?;
                let owner = self.store.user_by_email(&email).await?.ok_or_else(unknown)?;
                if owner.role == Role::Requester || !owner.active {
                    return Err(unknown());
                }
                owner.id
            }
        };
        let new = NewAction {
            indicator_id: indicator.id,
            month: month.to_string(),
            what: fields.what,
            cause: fields.cause,
            owner_id,
            due_date: fields.due,
        };
        let id = self.store.create_improvement_action(&new, actor.user_id, Utc::now()).await?;
        tracing::info!(action = id, indicator = indicator.id, %month, "improvement action written");
        Ok(self.store.improvement_action(id).await?)
    }

    /// The actions `filter` asks for.
    pub async fn improvement_actions(&self, actor: &Actor, filter: &ActionFilter) -> AppResult<Vec<ActionRow>> {
        crate::internal_readers_only(actor)?;
        if let Some(s) = &filter.status {
            ActionStatus::parse(s)?;
        }
        Ok(self.store.improvement_actions(filter).await?)
    }

    /// Moves an action: open → done → verified (administrators verify), or
    /// done back to open.
    pub async fn move_improvement_action(&self, actor: &Actor, id: i64, to: &str) -> AppResult<ActionRow> {
        require_staff_writer(actor)?;
        let to = ActionStatus::parse(to)?;
        if to == ActionStatus::Verified && actor.role != Role::Admin {
            return Err(AppError::forbidden("only administrators verify improvement actions"));
        }
        let action = self.store.improvement_action(id).await.map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound("improvement action"),
            other => other.into(),
        })?;
        let from =
            ActionStatus::parse(&action.status).map_err(|e| AppError::Internal(StoreError::Corrupt(e.message)))?;
        if !may_move(from, to) {
            return Err(AppError::Conflict {
                code: "invalid_transition",
                message: format!("an improvement action cannot go from {from} to {to}"),
            });
        }
        self.store.move_improvement_action(id, from.as_str(), to.as_str(), actor.user_id, Utc::now()).await.map_err(
            |e| match e {
                StoreError::Conflict(_) => {
                    AppError::Conflict { code: "stale", message: "the action changed meanwhile; read it again".into() }
                }
                other => other.into(),
            },
        )?;
        Ok(self.store.improvement_action(id).await?)
    }
}
