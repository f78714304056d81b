//! The indicators page (issue 17): a month's values against their goals,
//! the improvement actions, and (for administrators) a new indicator. A
//! refused form comes back with its error and what was typed.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::AppError;
use mesa_app::indicators::{ActionFilter, ActionRow};
use mesa_app::indicators::{ActionInput, IndicatorInput, IndicatorValue};
use mesa_core::indicator::{ActionStatus, Direction, Formula, Month};
use mesa_core::validate::FieldError;
use serde::Deserialize;

use super::session::Viewer;
use super::{Chrome, UiResult, page};
use crate::AppState;

/// What was typed in the new indicator form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IndicatorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub formula: String,
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub direction: String,
}

/// What was typed in the new action form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub indicator_id: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub owner_email: String,
    #[serde(default)]
    pub due_date: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    c: Chrome,
    month: String,
    values: Vec<IndicatorValue>,
    actions: Vec<ActionRow>,
    formulas: Vec<(&'static str, String)>,
    directions: Vec<(&'static str, String)>,
    indicator_form: IndicatorForm,
    action_form: ActionForm,
    /// The error and which form it belongs to (`indicator`, `action`, `status`).
    error: Option<(String, &'static str)>,
    may_write: bool,
}

impl IndicatorsPage {
    fn value_text(&self, v: &IndicatorValue) -> String {
        v.value.map_or_else(|| self.c.tr.t("ui.indicators.no_value").to_owned(), |x| format!("{x}"))
    }

    fn goal_text(&self, v: &IndicatorValue) -> String {
        let sign = match v.indicator.direction {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        };
        format!("{sign} {}", v.indicator.goal)
    }

    fn met_text(&self, v: &IndicatorValue) -> String {
        let key = match v.met {
            Some(true) => "ui.indicators.met",
            Some(false) => "ui.indicators.missed",
            None => "ui.indicators.no_value",
        };
        self.c.tr.t(key).to_owned()
    }

    fn formula_text(&self, v: &IndicatorValue) -> String {
        self.c.tr.t(&format!("indicator.formula.{}", v.indicator.formula.as_str())).to_owned()
    }

    fn status_text(&self, a: &ActionRow) -> String {
        self.c.tr.t(&format!("ui.indicators.status.{}", a.status)).to_owned()
    }

    fn error_for(&self, form: &str) -> Option<String> {
        self.error.as_ref().filter(|(_, f)| *f == form).map(|(e, _)| e.clone())
    }

    fn is_chosen(&self, chosen: &str, value: impl std::fmt::Display) -> bool {
        chosen == value.to_string()
    }

    fn next_steps(&self, a: &ActionRow) -> Vec<(&'static str, String)> {
        let Ok(from) = ActionStatus::parse(&a.status) else { return Vec::new() };
        ActionStatus::ALL
            .iter()
            .filter(|to| mesa_core::indicator::may_move(from, **to))
            .filter(|to| **to != ActionStatus::Verified || self.c.is_admin)
            .map(|to| (to.as_str(), self.c.tr.t(&format!("ui.indicators.move.{}", to.as_str())).to_owned()))
            .collect()
    }
}

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

fn error_text(c: &Chrome, e: &AppError) -> String {
    match e {
        AppError::Invalid(FieldError { field, code, .. }) => {
            format!("{}: {}", c.tr.t(&format!("ui.indicators.field.{field}")), c.tr.t(&format!("ui.error.{code}")))
        }
        AppError::Conflict { code: "code_taken", .. } => {
            format!("{}: {}", c.tr.t("ui.indicators.field.code"), c.tr.t("ui.error.taken"))
        }
        AppError::Conflict { .. } => c.tr.t("ui.indicators.error.changed").to_owned(),
        _ => c.tr.t("ui.error.invalid").to_owned(),
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    month: Month,
    forms: (IndicatorForm, ActionForm),
    error: Option<(String, &'static str)>,
) -> UiResult<Response> {
    let actor = &viewer.0.actor;
    let values = state.desk.indicator_values(actor, month).await?.items;
    let actions = state.desk.improvement_actions(actor, &ActionFilter::default()).await?;
    let c = Chrome::new(&viewer.0, "ui.indicators.title", "indicators");
    let tr = c.tr.clone();
    let (indicator_form, mut action_form) = forms;
    if action_form.month.is_empty() {
        action_form.month = month.to_string();
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = IndicatorsPage {
        month: month.to_string(),
        values,
        actions,
        formulas: Formula::ALL
            .iter()
            .map(|f| (f.as_str(), tr.t(&format!("indicator.formula.{}", f.as_str())).to_owned()))
            .collect(),
        directions: Direction::ALL
            .iter()
            .map(|d| (d.as_str(), tr.t(&format!("ui.indicators.direction.{}", d.as_str())).to_owned()))
            .collect(),
        indicator_form,
        action_form,
        error,
        may_write: matches!(actor.role, mesa_core::Role::Admin | mesa_core::Role::Agent),
        c,
    };
    Ok((status, page(&body)).into_response())
}

/// `/indicators?month=YYYY-MM` (default: last month).
pub async fn index(State(state): State<AppState>, viewer: Viewer, Query(q): Query<MonthQuery>) -> UiResult<Response> {
    let (month, error) = match state.desk.indicator_month(q.month.as_deref()).await {
        Ok(m) => (m, None),
        Err(e @ AppError::Invalid(_)) => {
            let c = Chrome::new(&viewer.0, "ui.indicators.title", "indicators");
            (state.desk.indicator_month(None).await?, Some((error_text(&c, &e), "month")))
        }
        Err(e) => return Err(e.into()),
    };
    render(&state, &viewer, month, Default::default(), error).await
}

/// A new indicator (administrators).
pub async fn create_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<IndicatorForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let goal = f.goal.trim().replace(',', ".").parse::<f64>().unwrap_or(f64::NAN);
    let input = IndicatorInput {
        code: f.code.clone(),
        name: f.name.clone(),
        formula: f.formula.clone(),
        goal,
        // "As the formula suggests" is the empty choice.
        direction: Some(f.direction.clone()).filter(|d| !d.is_empty()),
        archived: false,
    };
    match state.desk.create_indicator(&viewer.0.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/indicators").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let month = state.desk.indicator_month(None).await?;
            let c = Chrome::new(&viewer.0, "ui.indicators.title", "indicators");
            let error = Some((error_text(&c, &e), "indicator"));
            render(&state, &viewer, month, (f, ActionForm::default()), error).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A new improvement action (agents and administrators).
pub async fn create_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<ActionForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let input = ActionInput {
        indicator_id: f.indicator_id.trim().parse().unwrap_or(0),
        month: f.month.clone(),
        what: f.what.clone(),
        cause: Some(f.cause.clone()),
        owner_email: Some(f.owner_email.clone()).filter(|e| !e.trim().is_empty()),
        due_date: f.due_date.clone(),
    };
    match state.desk.create_improvement_action(&viewer.0.actor, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/indicators?month={}", a.month)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::NotFound(_))) => {
            let month = match Month::parse(&f.month) {
                Ok(m) => m,
                Err(_) => state.desk.indicator_month(None).await?,
            };
            let c = Chrome::new(&viewer.0, "ui.indicators.title", "indicators");
            let error = Some((error_text(&c, &e), "action"));
            render(&state, &viewer, month, (IndicatorForm::default(), f), error).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    month: String,
}

/// Moves an action (done, verified, reopened).
pub async fn move_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("improvement action"))?;
    let month = match Month::parse(&f.month) {
        Ok(m) => m,
        Err(_) => state.desk.indicator_month(None).await?,
    };
    match state.desk.move_improvement_action(&viewer.0.actor, id, &f.status).await {
        Ok(_) => Ok(Redirect::to(&format!("/indicators?month={month}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let c = Chrome::new(&viewer.0, "ui.indicators.title", "indicators");
            let error = Some((error_text(&c, &e), "status"));
            render(&state, &viewer, month, Default::default(), error).await
        }
        Err(e) => Err(e.into()),
    }
}
