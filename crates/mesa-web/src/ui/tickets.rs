//! Ticket pages: queues and filters, the new-request form, a ticket's page
//! with its thread and actions, bulk actions, the dashboard.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use mesa_app::{AppError, Directory, DirectoryItem, ListQuery, OpenTicket, Service, SlaFilter, SortOrder, TicketView};
use mesa_core::lifecycle::{self, TransitionInput};
use mesa_core::sla::{Clock, ClockState, SlaStatus};
use mesa_core::{HoldReason, Outcome, Priority, Role, Status, TicketType, User};
use serde::Deserialize;

use super::format::{business_minutes, when};
use super::session::Viewer;
use super::{Chrome, UiError, UiResult, page};
use crate::AppState;

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

fn light(state: &AppState, tr: &super::Tr, clock: &Clock) -> Light {
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

fn row(state: &AppState, tr: &super::Tr, view: TicketView, sla: &SlaStatus) -> Row {
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

/// The queues of the agent workspace, and the requester's "my requests".
const QUEUES: [&str; 7] = ["mine", "team", "unassigned", "on_hold", "awaiting", "authorize", "all"];

#[derive(Deserialize, Default)]
pub struct ListParams {
    queue: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    service: Option<String>,
    department: Option<String>,
    building: Option<String>,
    assignee: Option<String>,
    sla: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    /// `aaaa-mm-dd`, in the desk's time zone, both inclusive.
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
}

fn id(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.parse().ok())
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    total: i64,
    /// False when more than `total` tickets match (a search counts up to a limit).
    total_exact: bool,
    queue: String,
    queues: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    services: Vec<Service>,
    departments: Vec<DirectoryItem>,
    buildings: Vec<DirectoryItem>,
    agents: Vec<User>,
    f: ListParams,
    page: u32,
    pages: u32,
    query_base: String,
}

impl ListPage {
    fn sel(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }

    fn sel_id(&self, value: &Option<String>, option: &i64) -> bool {
        id(value) == Some(*option)
    }
}

const PER_PAGE: u32 = 25;

pub async fn list(State(state): State<AppState>, viewer: Viewer, Query(f): Query<ListParams>) -> UiResult<Response> {
    let session = &viewer.0;
    let staff = session.actor.sees_internal();
    let queue = f
        .queue
        .clone()
        // "Por autorizar" (seed 004) is also for an approver who is not staff.
        .filter(|q| (staff && QUEUES.contains(&q.as_str())) || q == "authorize")
        .unwrap_or_else(|| if session.actor.role.is_staff() { "mine".into() } else { "all".into() });
    let open = vec![Status::New, Status::Assigned, Status::InProgress, Status::OnHold];
    let mut query =
        ListQuery { page: Some(f.page.unwrap_or(1).max(1)), per_page: Some(PER_PAGE), ..ListQuery::default() };
    match queue.as_str() {
        "mine" => {
            query.assignee = Some("me".into());
            query.statuses = open.clone();
        }
        "team" => {
            query.team_id = session.user.team_id.or(Some(-1));
            query.statuses = open.clone();
        }
        "unassigned" => {
            query.assignee = Some("none".into());
            query.statuses = open.clone();
        }
        "on_hold" => query.statuses = vec![Status::OnHold],
        "awaiting" => query.statuses = vec![Status::Solved],
        "authorize" => query.awaiting_my_authorization = true,
        _ => {}
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        query.statuses = vec![Status::parse(s).map_err(AppError::from)?];
    }
    query.priority =
        f.priority.as_deref().filter(|s| !s.is_empty()).map(Priority::parse).transpose().map_err(AppError::from)?;
    query.service_id = id(&f.service);
    query.department_id = id(&f.department);
    query.building_id = id(&f.building);
    if let Some(a) = f.assignee.as_deref().filter(|s| !s.is_empty()) {
        query.assignee = Some(a.to_owned());
    }
    query.sla = match f.sla.as_deref() {
        Some("breached") => Some(SlaFilter::Breached),
        Some("at_risk") => Some(SlaFilter::AtRisk),
        _ => None,
    };
    query.sort = match f.sort.as_deref() {
        Some("due") => SortOrder::Due,
        Some("oldest") => SortOrder::Oldest,
        _ => SortOrder::Newest,
    };
    query.q = f.q.clone();
    let day_start = |raw: &Option<String>, days_after: i64| {
        raw.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| (d + chrono::Duration::days(days_after)).and_hms_opt(0, 0, 0))
            .and_then(|t| state.timezone.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    query.created_from = day_start(&f.from, 0);
    query.created_before = day_start(&f.to, 1);
    let page_no = query.page.unwrap_or(1);
    let (items, total) = state.desk.list_tickets(&session.actor, query).await?;
    let mut c = Chrome::new(session, if staff { "ui.queue.title" } else { "ui.portal.my_requests" }, "tickets");
    c.nav = "tickets";
    let tr = c.tr.clone();
    let rows = items.into_iter().map(|(v, sla)| row(&state, &tr, v, &sla)).collect();
    let agents = if staff {
        state
            .desk
            .store()
            .list_staff()
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|u| u.role.is_staff())
            .collect()
    } else {
        Vec::new()
    };
    let mut keep: Vec<String> = Vec::new();
    for (k, v) in [
        ("queue", Some(queue.clone())),
        ("status", f.status.clone()),
        ("priority", f.priority.clone()),
        ("service", f.service.clone()),
        ("department", f.department.clone()),
        ("building", f.building.clone()),
        ("assignee", f.assignee.clone()),
        ("sla", f.sla.clone()),
        ("q", f.q.clone()),
        ("sort", f.sort.clone()),
        ("from", f.from.clone()),
        ("to", f.to.clone()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            keep.push(format!("{k}={}", urlencode(&v)));
        }
    }
    let pages = ((total.count as u32).div_ceil(PER_PAGE)).max(1);
    Ok(page(&ListPage {
        rows,
        total: total.count,
        total_exact: total.exact,
        queues: QUEUES.iter().map(|q| (*q, tr.t(&format!("ui.queue.{q}")))).collect(),
        statuses: Status::ALL.iter().map(|s| (s.as_str(), tr.label(s))).collect(),
        priorities: Priority::ALL.iter().map(|p| (p.as_str(), tr.label(p))).collect(),
        services: state.desk.list_services().await?,
        departments: state.desk.list_items(Directory::Departments).await?,
        buildings: state.desk.list_items(Directory::Buildings).await?,
        agents,
        queue,
        f,
        page: page_no,
        pages,
        query_base: keep.join("&"),
        c,
    }))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct BulkForm {
    #[serde(default)]
    csrf: String,
    /// Comma-separated numbers (the checked rows).
    #[serde(default)]
    numbers: Vec<i64>,
    action: String,
    #[serde(default)]
    assignee_email: String,
    #[serde(default)]
    to: String,
}

/// Assign or move several tickets at once; each goes through the same use
/// cases as on its own page, so the rules are the same.
pub async fn bulk(State(state): State<AppState>, viewer: Viewer, body: axum::body::Bytes) -> UiResult<Response> {
    let form: BulkForm = serde_html_form_like(&body).ok_or(UiError::Csrf)?;
    viewer.check_csrf(&form.csrf)?;
    let actor = &viewer.0.actor;
    for number in form.numbers {
        let result = match form.action.as_str() {
            "assign" => {
                state.desk.assign(actor, number, &form.assignee_email, Some("other"), Some("bulk")).await.map(|_| ())
            }
            "status" => {
                let to = Status::parse(&form.to).map_err(AppError::from)?;
                state
                    .desk
                    .transition(actor, number, TransitionInput { to: Some(to), ..Default::default() })
                    .await
                    .map(|_| ())
            }
            _ => Ok(()),
        };
        // One ticket that cannot move does not stop the others.
        if let Err(e) = result {
            tracing::info!(number, error = %e, "bulk action skipped a ticket");
        }
    }
    Ok(Redirect::to("/tickets").into_response())
}

/// Parses `a=1&numbers=2&numbers=3` (repeated keys become a list).
fn serde_html_form_like(body: &[u8]) -> Option<BulkForm> {
    let mut form = BulkForm {
        csrf: String::new(),
        numbers: vec![],
        action: String::new(),
        assignee_email: String::new(),
        to: String::new(),
    };
    for (k, v) in url_pairs(body) {
        match k.as_str() {
            "csrf" => form.csrf = v,
            "numbers" => form.numbers.push(v.parse().ok()?),
            "action" => form.action = v,
            "assignee_email" => form.assignee_email = v,
            "to" => form.to = v,
            _ => {}
        }
    }
    Some(form)
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex =
                        std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "new_ticket.html")]
struct NewPage {
    c: Chrome,
    services: Vec<Service>,
    departments: Vec<DirectoryItem>,
    buildings: Vec<DirectoryItem>,
    types: Vec<(&'static str, String)>,
    error: Option<String>,
    max_mb: usize,
}

async fn new_page(state: &AppState, viewer: &Viewer, error: Option<String>) -> UiResult<Response> {
    let c = Chrome::new(&viewer.0, "ui.new.title", "new");
    let tr = c.tr.clone();
    Ok(page(&NewPage {
        services: state.desk.list_services().await?.into_iter().filter(|s| s.active).collect(),
        departments: state.desk.list_items(Directory::Departments).await?,
        buildings: state.desk.list_items(Directory::Buildings).await?,
        types: TicketType::ALL.iter().map(|t| (t.as_str(), tr.label(t))).collect(),
        error,
        max_mb: state.desk.settings().max_attachment_bytes / (1024 * 1024),
        c,
    }))
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    new_page(&state, &viewer, None).await
}

/// Reads a multipart form whose CSRF token comes before any file, so no
/// file of a forged post is read; returns the text fields and the files.
async fn read_form(
    state: &AppState,
    viewer: &Viewer,
    mut form: Multipart,
) -> UiResult<(Vec<(String, String)>, Vec<mesa_app::NewFile>)> {
    let too_large = || UiError::App(AppError::TooLarge { limit: state.desk.settings().max_attachment_bytes });
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut files: Vec<mesa_app::NewFile> = Vec::new();
    let mut csrf_checked = false;
    while let Some(field) = form.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            if !csrf_checked {
                return Err(UiError::Csrf);
            }
            let filename = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            if !filename.is_empty() && !bytes.is_empty() {
                files.push(mesa_app::NewFile { filename, content_type, bytes: bytes.to_vec() });
            }
            continue;
        }
        let value = field.text().await.unwrap_or_default();
        if name == "csrf" {
            viewer.check_csrf(&value)?;
            csrf_checked = true;
        }
        fields.push((name, value));
    }
    if !csrf_checked {
        return Err(UiError::Csrf);
    }
    Ok((fields, files))
}

/// Adds files to a ticket from its page.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<i64>,
    form: Multipart,
) -> UiResult<Response> {
    let (_, files) = read_form(&state, &viewer, form).await?;
    state.desk.attach_all(&viewer.0.actor, number, files).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

/// The new-request form (multipart, so files come with it).
pub async fn create(State(state): State<AppState>, viewer: Viewer, form: Multipart) -> UiResult<Response> {
    let (fields, files) = read_form(&state, &viewer, form).await?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty());
    let input = OpenTicket {
        subject: get("subject").unwrap_or_default(),
        description: get("description").unwrap_or_default(),
        ticket_type: get("type").map(|t| TicketType::parse(&t)).transpose().map_err(AppError::from)?,
        priority: None,
        service_id: get("service_id").and_then(|s| s.parse().ok()),
        department_id: get("department_id").and_then(|s| s.parse().ok()),
        building_id: get("building_id").and_then(|s| s.parse().ok()),
        contact_phone: get("contact_phone"),
        remote_access_id: get("remote_access_id"),
        requester_email: None,
        requester_name: None,
    };
    let tr = super::Tr::new(viewer.0.user.language, viewer.0.words.clone());
    let view = match state.desk.open_ticket(&viewer.0.user, input).await {
        Ok(view) => view,
        Err(AppError::Invalid(f)) => {
            let message =
                format!("{}: {}", tr.t(&format!("ui.field.{}", f.field)), tr.t(&format!("ui.error.{}", f.code)));
            return new_page(&state, &viewer, Some(message)).await;
        }
        Err(e) => return Err(e.into()),
    };
    let number = view.ticket.number;
    state.desk.attach_all(&viewer.0.actor, number, files).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

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
        details.push((tr.t("ui.field.routing"), super::routing::history_value(&tr, "routing", why)));
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
        state
            .desk
            .store()
            .list_staff()
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|u| u.role.is_staff() && u.active)
            .collect()
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
            after: super::routing::history_value(&tr, &h.field, h.after_value.unwrap_or_default()),
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
        criteria: super::routing::criteria(&tr),
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
    let to = Status::parse(&form.to).map_err(AppError::from)?;
    let resume_at = NaiveDate::parse_from_str(form.resume_on.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| state.timezone.from_local_datetime(&d.and_hms_opt(8, 0, 0)?).earliest())
        .map(|t| t.with_timezone(&Utc));
    let nonempty = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let input = TransitionInput {
        to: Some(to),
        reason: nonempty(form.reason),
        resolution: nonempty(form.resolution),
        outcome: nonempty(form.outcome).map(|o| Outcome::parse(&o)).transpose().map_err(AppError::from)?,
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
