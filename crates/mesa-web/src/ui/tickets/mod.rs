//! Ticket pages: queues, filters and bulk actions (`list`), the new-request
//! form and uploads (`forms`), a ticket's page with its thread and actions
//! (`show`), and here the dashboard and the list row they share.

mod forms;
mod list;
mod show;

pub use forms::{create, new_form, upload};
pub use list::{bulk, list};
pub use show::{assign, change_status, file, reply, show};

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::{ListQuery, SlaFilter, SortOrder, TicketView};
use mesa_core::sla::{Clock, ClockState, SlaStatus};
use mesa_core::{Priority, Status};

use crate::AppState;
use crate::ui::format::{business_minutes, when};
use crate::ui::session::Viewer;
use crate::ui::{Chrome, UiResult, page};

/// A ticket as a row of a list.
pub struct Row {
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub status_label: String,
    pub priority: Priority,
    pub priority_label: String,
    pub requester: String,
    pub assignee: String,
    pub service: String,
    pub updated: String,
    pub light: Light,
}

/// A traffic light for a service-target clock.
pub struct Light {
    /// `ok`, `risk`, `late`, `paused`, `done`
    pub class: &'static str,
    pub label: &'static str,
    pub left: String,
    pub due: String,
}

fn light(state: &AppState, tr: &crate::ui::Tr, clock: &Clock) -> Light {
    let (class, key) = match (clock.state, clock.at_risk) {
        (ClockState::Breached, _) => ("late", "ui.sla.breached"),
        (ClockState::Met, _) => ("done", "ui.sla.met"),
        (ClockState::Paused, _) => ("paused", "ui.sla.paused"),
        (ClockState::Running, true) => ("risk", "ui.sla.at_risk"),
        (ClockState::Running, false) => ("ok", "ui.sla.on_time"),
    };
    Light {
        class,
        label: tr.t(key),
        left: business_minutes(clock.remaining.num_minutes()),
        due: clock.due_at.map(|t| when(t, state.timezone)).unwrap_or_default(),
    }
}

fn row(state: &AppState, tr: &crate::ui::Tr, view: TicketView, sla: &SlaStatus) -> Row {
    let t = &view.ticket;
    Row {
        number: t.number,
        subject: t.subject.clone(),
        status: t.status,
        status_label: tr.label(&t.status),
        priority: t.priority,
        priority_label: tr.label(&t.priority),
        requester: view.requester_name.clone(),
        assignee: view.assignee_name.clone().unwrap_or_default(),
        service: view.service_name.clone().unwrap_or_default(),
        updated: when(t.updated_at, state.timezone),
        light: light(state, tr, &sla.resolution),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    by_status: Vec<(&'static str, String, i64)>,
    queues: Vec<(&'static str, &'static str, i64)>,
    oldest: Vec<Row>,
}

pub async fn dashboard(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    let session = &viewer.0;
    if !session.actor.sees_internal() {
        return Ok(Redirect::to("/tickets").into_response());
    }
    let c = Chrome::new(session, "ui.dashboard.title", "dashboard");
    let tr = c.tr.clone();
    let actor = &session.actor;
    let desk = &state.desk;
    let count = |query: ListQuery| async move {
        desk.list_tickets(actor, ListQuery { per_page: Some(1), ..query }).await.map(|(_, total)| total.count)
    };
    let mut by_status = Vec::new();
    for s in Status::ALL {
        by_status.push((
            s.as_str(),
            tr.label(s),
            count(ListQuery { statuses: vec![*s], ..ListQuery::default() }).await?,
        ));
    }
    let open = vec![Status::New, Status::Assigned, Status::InProgress, Status::OnHold];
    let queues = vec![
        (
            "mine",
            tr.t("ui.queue.mine"),
            count(ListQuery { assignee: Some("me".into()), statuses: open.clone(), ..ListQuery::default() }).await?,
        ),
        (
            "unassigned",
            tr.t("ui.queue.unassigned"),
            count(ListQuery { assignee: Some("none".into()), statuses: open.clone(), ..ListQuery::default() }).await?,
        ),
        (
            "awaiting",
            tr.t("ui.queue.awaiting"),
            count(ListQuery { statuses: vec![Status::Solved], ..ListQuery::default() }).await?,
        ),
        (
            "breached",
            tr.t("ui.sla.breached"),
            count(ListQuery { sla: Some(SlaFilter::Breached), ..ListQuery::default() }).await?,
        ),
        (
            "at_risk",
            tr.t("ui.sla.at_risk"),
            count(ListQuery { sla: Some(SlaFilter::AtRisk), ..ListQuery::default() }).await?,
        ),
    ];
    let (oldest, _) = state
        .desk
        .list_tickets(
            actor,
            ListQuery { statuses: open, sort: SortOrder::Oldest, per_page: Some(8), ..ListQuery::default() },
        )
        .await?;
    let oldest = oldest.into_iter().map(|(v, sla)| row(&state, &tr, v, &sla)).collect();
    Ok(page(&DashboardPage { c, by_status, queues, oldest }))
}
