//! Administration: users and roles, departments, buildings, teams, the
//! service catalog. Every form validates and names the field in error.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::{AppError, Directory, DirectoryItem, NewServiceInput, Service, UserChanges};
use mesa_core::HoldReason;
use mesa_core::automation::AutomationSettings;
use mesa_core::sla::SlaSettings;
use mesa_core::{Role, TicketType, User};
use serde::Deserialize;

use super::session::Viewer;
use super::{Chrome, Tr, UiError, UiResult, page};
use crate::AppState;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Chrome,
    users: Vec<(User, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    departments: Vec<DirectoryItem>,
    buildings: Vec<DirectoryItem>,
    teams: Vec<DirectoryItem>,
    services: Vec<(Service, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    /// Which form failed, which field, and why (translated).
    error: Option<(String, String, String)>,
    saved: bool,
    sla: SlaSettings,
    automation: AutomationSettings,
    hold_reasons: Vec<(&'static str, &'static str)>,
}

impl AdminPage {
    fn error_for(&self, form: &str) -> Option<(String, String)> {
        self.error.as_ref().filter(|(f, _, _)| f == form).map(|(_, field, msg)| (field.clone(), msg.clone()))
    }

    fn directories(&self) -> Vec<(&'static str, &'static str, &Vec<DirectoryItem>)> {
        vec![
            ("departments", "ui.admin.departments", &self.departments),
            ("buildings", "ui.admin.buildings", &self.buildings),
            ("teams", "ui.admin.teams", &self.teams),
        ]
    }

    fn pauses(&self, reason: &str) -> bool {
        self.sla.pausing_reasons.iter().any(|r| r == reason)
    }

    fn team_name(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id)).map(|t| t.name.clone()).unwrap_or_default()
    }
}

/// An administration page's query after a form: which form failed, on which
/// field and why, or that it was saved.
#[derive(Deserialize, Default)]
pub struct AdminQuery {
    form: Option<String>,
    field: Option<String>,
    code: Option<String>,
    saved: Option<String>,
}

impl AdminQuery {
    pub(super) fn saved(&self) -> bool {
        self.saved.is_some()
    }

    /// The failing form, its field, and the translated message.
    pub(super) fn error(self, tr: Tr) -> Option<(String, String, String)> {
        let (form, field, code) = (self.form?, self.field?, self.code?);
        let message = format!("{}: {}", tr.t(&format!("ui.field.{field}")), tr.t(&format!("ui.error.{code}")));
        Some((form, field, message))
    }
}

pub(super) fn only_admins(viewer: &Viewer) -> UiResult<()> {
    if viewer.0.actor.can_manage_users() { Ok(()) } else { Err(AppError::forbidden("administrators only").into()) }
}

pub async fn index(State(state): State<AppState>, viewer: Viewer, Query(q): Query<AdminQuery>) -> UiResult<Response> {
    only_admins(&viewer)?;
    let c = Chrome::new(&viewer.0, "ui.admin.title", "admin");
    let tr = c.tr;
    let saved = q.saved();
    let error = q.error(tr);
    let users = state.desk.list_users(&viewer.0.actor).await?.into_iter().map(|u| {
        let role = tr.label(&u.role);
        (u, role)
    });
    let services = state.desk.list_services().await?.into_iter().map(|s| {
        let t = tr.label(&s.default_type);
        (s, t)
    });
    Ok(page(&AdminPage {
        users: users.collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), tr.label(r))).collect(),
        departments: state.desk.list_items(Directory::Departments).await?,
        buildings: state.desk.list_items(Directory::Buildings).await?,
        teams: state.desk.list_items(Directory::Teams).await?,
        services: services.collect(),
        types: TicketType::ALL.iter().map(|t| (t.as_str(), tr.label(t))).collect(),
        error,
        saved,
        sla: state.desk.policy().await?.sla.clone(),
        automation: state.desk.policy().await?.automation.clone(),
        hold_reasons: HoldReason::ALL.iter().map(|r| (r.as_str(), tr.label(r))).collect(),
        c,
    }))
}

/// Back to the page with the failing form's field marked, or "saved".
fn outcome(form: &str, result: Result<(), AppError>) -> UiResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin?saved=1").into_response()),
        Err(AppError::Invalid(f)) => {
            Ok(Redirect::to(&format!("/admin?form={form}&field={}&code={}#{form}", f.field, f.code)).into_response())
        }
        Err(AppError::Conflict { .. }) => {
            Ok(Redirect::to(&format!("/admin?form={form}&field=name&code=taken#{form}")).into_response())
        }
        Err(e) => Err(UiError::from(e)),
    }
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    email: String,
    name: String,
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn add_user(State(state): State<AppState>, viewer: Viewer, Form(f): Form<UserForm>) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    only_admins(&viewer)?;
    let result = async {
        let role: Role = f.role.parse()?;
        let password = Some(f.password.as_str()).filter(|p| !p.is_empty());
        state.desk.add_user(Some(&viewer.0.actor), &f.email, &f.name, role, password).await.map(|_| ())
    }
    .await;
    outcome("users", result)
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    csrf: String,
    kind: String,
    name: String,
    #[serde(default)]
    detail: String,
}

pub async fn add_item(State(state): State<AppState>, viewer: Viewer, Form(f): Form<ItemForm>) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let dir = match f.kind.as_str() {
        "departments" => Directory::Departments,
        "buildings" => Directory::Buildings,
        "teams" => Directory::Teams,
        _ => return Err(AppError::NotFound("directory").into()),
    };
    let detail = Some(f.detail.as_str()).filter(|d| !d.trim().is_empty());
    let result = state.desk.add_item(Some(&viewer.0.actor), dir, &f.name, detail).await.map(|_| ());
    outcome(&f.kind, result)
}

#[derive(Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    csrf: String,
    name: String,
    category: String,
    default_type: String,
    default_level: i64,
    #[serde(default)]
    team_id: String,
}

pub async fn add_service(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<ServiceForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let result = async {
        let input = NewServiceInput {
            name: f.name,
            category: f.category,
            default_type: Some(TicketType::parse(&f.default_type)?),
            default_level: Some(f.default_level),
            team_id: f.team_id.parse().ok(),
        };
        state.desk.add_service(Some(&viewer.0.actor), input).await.map(|_| ())
    }
    .await;
    outcome("services", result)
}

#[derive(Deserialize)]
pub struct EditUserForm {
    #[serde(default)]
    csrf: String,
    user_id: i64,
    role: String,
    #[serde(default)]
    team_id: String,
    level: i64,
    #[serde(default)]
    active: Option<String>,
}

pub async fn edit_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<EditUserForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let result = async {
        let changes = UserChanges {
            role: f.role.parse()?,
            team_id: f.team_id.parse().ok(),
            level: f.level,
            active: f.active.is_some(),
        };
        state.desk.update_user(&viewer.0.actor, f.user_id, changes).await
    }
    .await;
    outcome("users", result)
}

/// Checkbox lists and numbers of the settings form.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace('+', " ")))
        .collect()
}

pub async fn settings(State(state): State<AppState>, viewer: Viewer, body: axum::body::Bytes) -> UiResult<Response> {
    let pairs = form_pairs(&body);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    viewer.check_csrf(get("csrf").unwrap_or_default())?;
    only_admins(&viewer)?;
    let number = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok());
    let sla = SlaSettings {
        pausing_reasons: pairs.iter().filter(|(k, _)| k == "pausing_reasons").map(|(_, v)| v.clone()).collect(),
        warn_at_percent: number("warn_at_percent").map_or(0, |n| n.clamp(0.0, 255.0) as u8),
    };
    let automation = AutomationSettings {
        auto_close: get("auto_close").is_some(),
        auto_close_after_hours: number("auto_close_after_hours").unwrap_or(-1.0),
        requester_timeout: get("requester_timeout").is_some(),
        requester_timeout_days: number("requester_timeout_days").map_or(0, |n| n.clamp(0.0, 10_000.0) as u32),
        resume_on_date: get("resume_on_date").is_some(),
        approval_reminder: get("approval_reminder").is_some(),
        approval_reminder_after_hours: number("approval_reminder_after_hours").unwrap_or(-1.0),
    };
    let result = async {
        state.desk.set_sla_settings(&viewer.0.actor, &sla).await?;
        state.desk.set_automation_settings(&viewer.0.actor, &automation).await
    }
    .await;
    outcome("settings", result)
}
