//! Routing on the ticket page (issue 14): the history in words, the
//! reassignment criteria, escalation and the approver's decision.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::routing::AuthorizationDecision;
use mesa_core::routing::{ReassignmentCriterion, describe};
use serde::Deserialize;

use super::session::Viewer;
use super::{Tr, UiResult};
use crate::AppState;

/// A history value as people read it: routing decisions and reassignment
/// criteria are stored as codes.
pub(super) fn history_value(tr: &Tr, field: &str, after: String) -> String {
    match field {
        "routing" => describe(tr.lang(), &after),
        "reassignment_criterion" => {
            let label = tr.t(&format!("criterion.{after}"));
            if label == "??" { after } else { label.to_owned() }
        }
        _ => after,
    }
}

/// The reassignment criteria (seed 001) with their labels.
pub(super) fn criteria(tr: &Tr) -> Vec<(&'static str, &'static str)> {
    ReassignmentCriterion::ALL.iter().map(|c| (c.as_str(), tr.t(&format!("criterion.{}", c.as_str())))).collect()
}

#[derive(Deserialize)]
pub struct LevelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    reason: String,
}

/// Escalates (`up`) or de-escalates the ticket.
pub async fn change_level(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<i64>,
    Form(form): Form<LevelForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    state.desk.escalate(&viewer.0.actor, number, &form.reason, form.direction != "down").await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

#[derive(Deserialize)]
pub struct AuthorizationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

/// The approver's decision (seed 004).
pub async fn authorization(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<i64>,
    Form(form): Form<AuthorizationForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let decision = AuthorizationDecision::parse(&form.decision)?;
    let comment = Some(form.comment.as_str()).filter(|c| !c.trim().is_empty());
    state.desk.decide_authorization(&viewer.0.actor, number, decision, comment).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}
