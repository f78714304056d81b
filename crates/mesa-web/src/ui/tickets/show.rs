//! A ticket's page: its thread, details, history and files, and the actions
//! on it (reply, assign, change status).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use mesa_app::AppError;
use mesa_core::lifecycle::{self, TransitionInput};
use mesa_core::{HoldReason, Outcome, Role, Status, User};
use serde::Deserialize;

use super::{Light, light};
use crate::AppState;
use crate::ui::format::{urlencode, when};
use crate::ui::session::Viewer;
use crate::ui::{Chrome, UiError, UiResult, page};

pub struct EntryView {
    pub author: String,
    pub internal: bool,
    pub staff: bool,
    pub body: String,
    /// Quoted history of a reply by mail, shown folded (the full text is kept).
    pub quoted: String,
    /// The mail it came from, as sanitised HTML (shown on request).
    pub html: Option<String>,
    /// Whether the mail it came from authenticated its sender (issue 11).
    pub sender: Option<SenderBadge>,
    pub at: String,
}

/// The sender verdict of a mail, as the page shows it.
pub struct SenderBadge {
    pub verified: bool,
    pub label: String,
    /// Another message had already used its Message-ID.
    pub reused_message_id: Option<&'static str>,
}

pub struct HistoryView {
    pub actor: String,
    pub field: String,
    pub before: String,
    pub after: String,
    pub at: String,
}

pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPageT {
    c: Chrome,
    number: i64,
    subject: String,
    description: String,
    /// The mail that opened the ticket, as sanitised HTML (shown on request).
    description_html: Option<String>,
    description_sender: Option<SenderBadge>,
    status: Status,
    status_label: String,
    priority_label: String,
    type_label: String,
    details: Vec<(&'static str, String)>,
    response: Light,
    resolution: Light,
    entries: Vec<EntryView>,
    history: Vec<HistoryView>,
    files: Vec<FileView>,
    /// Allowed moves for this viewer (status value, label).
    moves: Vec<(&'static str, &'static str)>,
    hold_reasons: Vec<(&'static str, String)>,
    outcomes: Vec<(&'static str, String)>,
    agents: Vec<User>,
    is_requester: bool,
    can_reply: bool,
    my_email: String,
    /// Routing (issue 14): agents without the service's competence (the
    /// assign form warns), the criteria, and what this viewer may do.
    no_competence: Vec<String>,
    criteria: Vec<(&'static str, &'static str)>,
    can_change_level: bool,
    can_authorize: bool,
}

impl TicketPageT {
    fn lacks(&self, email: &str) -> bool {
        self.no_competence.iter().any(|e| e == email)
    }

    fn can(&self, status: &str) -> bool {
        self.moves.iter().any(|(s, _)| *s == status)
    }
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, Path(number): Path<String>) -> UiResult<Response> {
    let number: i64 = number.parse().map_err(|_| UiError::App(AppError::NotFound("ticket")))?;
    let session = &viewer.0;
    let ticket_page = state.desk.ticket(&session.actor, number).await?;
    let history = state.desk.history(&session.actor, number).await?;
    let c = Chrome::new(session, "ui.ticket.title", "tickets");
    let tr = c.tr.clone();
    let view = &ticket_page.view;
    let t = &view.ticket;
    let tz = state.timezone;
    let mut details: Vec<(&'static str, String)> = vec![
        (tr.t("ui.field.requester"), format!("{} <{}>", view.requester_name, view.requester_email)),
        (tr.t("ui.field.assignee"), view.assignee_name.clone().unwrap_or_else(|| tr.t("ui.ticket.unassigned").into())),
        (tr.t("ui.field.service_id"), view.service_name.clone().unwrap_or_default()),
        (tr.t("ui.field.team"), view.team_name.clone().unwrap_or_default()),
        (tr.t("ui.field.level"), t.level.get().to_string()),
        (tr.t("ui.field.channel"), tr.label(&t.channel).to_owned()),
        (tr.t("ui.field.department_id"), view.department_name.clone().unwrap_or_default()),
        (tr.t("ui.field.building_id"), view.building_name.clone().unwrap_or_default()),
        (tr.t("ui.field.contact_phone"), t.contact_phone.clone().unwrap_or_default()),
        (tr.t("ui.field.remote_access_id"), t.remote_access_id.clone().unwrap_or_default()),
        (tr.t("ui.field.created"), when(t.created_at, tz)),
    ];
    if let Some(reason) = t.hold_reason {
        details.push((tr.t("ui.field.reason"), tr.label(&reason).to_owned()));
    }
    if let Some(at) = t.resume_at {
        details.push((tr.t("ui.field.resume_at"), when(at, tz)));
    }
    if let Some(resolution) = &t.resolution {
        details.push((tr.t("ui.field.resolution"), resolution.clone()));
    }
    if let Some(outcome) = t.outcome {
        details.push((tr.t("ui.field.outcome"), tr.label(&outcome).to_owned()));
    }
    // Who the case went to and why (internal: staff only see it).
    if let Some(last) = history.iter().rev().find(|h| h.field == "routing") {
        let why = last.after_value.clone().unwrap_or_default();
        details.push((tr.t("ui.field.routing"), crate::ui::routing::history_value(&tr, "routing", why)));
    }
    details.retain(|(_, v)| !v.is_empty());
    let moves = Status::ALL
        .iter()
        .filter(|to| {
            lifecycle::is_allowed(t.status, **to) && lifecycle::may_request(session.actor.role, t.status, **to)
        })
        .filter(|to| **to != Status::Assigned)
        .map(|to| (to.as_str(), tr.t(&format!("ui.move.{}", to.as_str()))))
        .collect();
    let agents = if session.actor.can_work_tickets() {
        state.desk.staff_members(&session.actor).await?.into_iter().filter(|u| u.role.is_staff() && u.active).collect()
    } else {
        Vec::new()
    };
    let history = history
        .into_iter()
        .map(|h| HistoryView {
            actor: h.actor_name.unwrap_or_else(|| tr.t("ui.history.system").into()),
            field: {
                let key = format!("ui.history.{}", h.field);
                let label = tr.t(&key);
                if label == "??" { h.field.clone() } else { label.to_owned() }
            },
            before: h.before_value.unwrap_or_default(),
            after: crate::ui::routing::history_value(&tr, &h.field, h.after_value.unwrap_or_default()),
            at: when(h.created_at, tz),
        })
        .collect();
    let mail_html = state.desk.mail_html(&ticket_page).await?;
    // Inline images of mail point at the attachments stored from it.
    let blobs: Vec<(String, String)> =
        ticket_page.attachments.iter().map(|a| (a.sha256.clone(), format!("/files/{}", a.id))).collect();
    let html_of = |entry: Option<i64>| {
        let (_, html) = mail_html.iter().find(|(e, _)| *e == entry)?;
        Some(mesa_mail::repoint_sources(html, "mesa-blob", &blobs))
    };
    let verdicts = state.desk.mail_verdicts(&ticket_page).await?;
    let sender_of = |entry: Option<i64>| {
        let v = verdicts.iter().find(|v| v.entry_id == entry)?;
        let verdict = v.verdict.as_deref()?;
        let verified = verdict == "pass";
        let label = match verified {
            true => tr.t("ui.ticket.sender_verified").to_owned(),
            false => tr.t("ui.ticket.sender_unverified").replace("{verdict}", verdict),
        };
        let reused_message_id = v.reused_message_id.then(|| tr.t("ui.ticket.reused_message_id"));
        Some(SenderBadge { verified, label, reused_message_id })
    };
    let body = TicketPageT {
        number: t.number,
        subject: t.subject.clone(),
        description: t.description.clone(),
        description_html: html_of(None),
        description_sender: sender_of(None),
        status: t.status,
        status_label: tr.label(&t.status),
        priority_label: tr.label(&t.priority),
        type_label: tr.label(&t.ticket_type),
        details,
        response: light(&state, &tr, &ticket_page.sla.response),
        resolution: light(&state, &tr, &ticket_page.sla.resolution),
        entries: ticket_page
            .entries
            .iter()
            .map(|e| {
                let split = mesa_mail::split_quoted(&e.body);
                EntryView {
                    author: e.author_name.clone().unwrap_or_default(),
                    internal: e.internal,
                    staff: e.author_id != Some(t.requester_id),
                    body: split.new_text.to_owned(),
                    quoted: split.quoted.to_owned(),
                    html: html_of(Some(e.id)),
                    sender: sender_of(Some(e.id)),
                    at: when(e.created_at, tz),
                }
            })
            .collect(),
        history,
        files: ticket_page
            .attachments
            .iter()
            .map(|a| FileView { id: a.id, name: a.filename.clone(), size: format!("{:.1} KB", a.size as f64 / 1024.0) })
            .collect(),
        moves,
        hold_reasons: HoldReason::ALL.iter().map(|r| (r.as_str(), tr.label(r))).collect(),
        outcomes: Outcome::ALL.iter().map(|o| (o.as_str(), tr.label(o))).collect(),
        agents,
        no_competence: match (session.actor.can_work_tickets(), t.service_id) {
            (true, Some(service)) => state.desk.lacking_competence(service).await?,
            _ => Vec::new(),
        },
        criteria: crate::ui::routing::criteria(&tr),
        can_change_level: session.actor.can_work_tickets() && t.status.is_open(),
        can_authorize: state.desk.may_decide_authorization(&session.actor, t).await?,
        is_requester: session.actor.role == Role::Requester,
        can_reply: session.actor.can_reply(t) && t.status != Status::Closed,
        my_email: session.user.email.to_string(),
        c,
    };
    Ok(page(&body))
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    body: String,
    #[serde(default)]
    internal: Option<String>,
}

pub async fn reply(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<i64>,
    Form(form): Form<ReplyForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    state.desk.reply(&viewer.0.actor, number, &form.body, form.internal.is_some()).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    assignee_email: String,
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    reason: String,
}

pub async fn assign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<i64>,
    Form(form): Form<AssignForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let reason = Some(form.reason.as_str()).filter(|r| !r.trim().is_empty());
    let criterion = Some(form.criterion.as_str()).filter(|c| !c.trim().is_empty());
    state.desk.assign(&viewer.0.actor, number, &form.assignee_email, criterion, reason).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    outcome: String,
    /// `aaaa-mm-dd` from a date input: resume at 08:00 that day, desk time.
    #[serde(default)]
    resume_on: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<i64>,
    Form(form): Form<StatusForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let to = Status::parse(&form.to)?;
    let resume_at = NaiveDate::parse_from_str(form.resume_on.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| state.timezone.from_local_datetime(&d.and_hms_opt(8, 0, 0)?).earliest())
        .map(|t| t.with_timezone(&Utc));
    let nonempty = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let input = TransitionInput {
        to: Some(to),
        reason: nonempty(form.reason),
        resolution: nonempty(form.resolution),
        outcome: nonempty(form.outcome).map(|o| Outcome::parse(&o)).transpose()?,
        resume_at,
    };
    state.desk.transition(&viewer.0.actor, number, input).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

/// An attachment, for the signed-in viewer (same rules as the API).
pub async fn file(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> UiResult<Response> {
    let (att, bytes) = state.desk.attachment(&viewer.0.actor, id).await?;
    let content_type =
        HeaderValue::from_str(&att.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{}", urlencode(&att.filename)))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'")),
        ],
        bytes,
    )
        .into_response())
}
