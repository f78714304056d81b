//! The queues and filters of the agent workspace, the requester's list, and
//! bulk actions.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use mesa_app::{Directory, DirectoryItem, ListQuery, Service, SlaFilter, SortOrder};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::{Priority, Status, User};
use serde::Deserialize;

use super::{Row, row};
use crate::AppState;
use crate::ui::format::urlencode;
use crate::ui::session::Viewer;
use crate::ui::{Chrome, UiError, UiResult, page};

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
    /// How the ticket reached the desk, and why it waits (issue 13).
    channel: Option<String>,
    hold_reason: Option<String>,
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
    channels: Vec<(&'static str, String)>,
    hold_reasons: Vec<(&'static str, String)>,
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
        query.statuses = vec![Status::parse(s)?];
    }
    query.priority = f.priority.as_deref().filter(|s| !s.is_empty()).map(Priority::parse).transpose()?;
    query.channel = f.channel.as_deref().filter(|s| !s.is_empty()).map(mesa_core::Channel::parse).transpose()?;
    query.hold_reason =
        f.hold_reason.as_deref().filter(|s| !s.is_empty()).map(mesa_core::HoldReason::parse).transpose()?;
    query.service_id = id(&f.service);
    query.department_id = id(&f.department);
    query.building_id = id(&f.building);
    if let Some(a) = f.assignee.as_deref().filter(|s| !s.is_empty()) {
        query.assignee = Some(a.to_owned());
    }
    query.sla = SlaFilter::parse_param(f.sla.as_deref())?;
    query.sort = SortOrder::parse_param(f.sort.as_deref())?;
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
        state.desk.staff_members(&session.actor).await?.into_iter().filter(|u| u.role.is_staff()).collect()
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
        ("channel", f.channel.clone()),
        ("hold_reason", f.hold_reason.clone()),
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
        channels: mesa_core::Channel::ALL.iter().map(|v| (v.as_str(), tr.label(v))).collect(),
        hold_reasons: mesa_core::HoldReason::ALL.iter().map(|v| (v.as_str(), tr.label(v))).collect(),
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
                let to = Status::parse(&form.to)?;
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
