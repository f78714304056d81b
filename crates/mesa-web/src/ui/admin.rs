//! Administration: users and roles, departments, buildings, teams, the
//! service catalog. Every form validates and names the field in error.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::{AppError, Directory, DirectoryItem, NewServiceInput, Service};
use mesa_app::{ItemChanges, PersonChanges, ServiceChanges, WordsMap};
use mesa_core::HoldReason;
use mesa_core::automation::AutomationSettings;
use mesa_core::labels::{Lang, text};
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
    users: Vec<(User, String)>,
    roles: Vec<(&'static str, String)>,
    departments: Vec<DirectoryItem>,
    buildings: Vec<DirectoryItem>,
    teams: Vec<DirectoryItem>,
    services: Vec<(Service, String)>,
    types: Vec<(&'static str, String)>,
    /// Which form failed, which field, and why (translated).
    error: Option<(String, String, String)>,
    saved: bool,
    sla: SlaSettings,
    automation: AutomationSettings,
    hold_reasons: Vec<(&'static str, String)>,
    /// The desk's words: (key, built-in Spanish, Spanish in force, built-in English, English in force).
    words: Vec<(String, &'static str, String, &'static str, String)>,
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

    /// Active items of the lists, for the selects of forms.
    fn active_teams(&self) -> Vec<&DirectoryItem> {
        self.teams.iter().filter(|i| i.active).collect()
    }

    fn active_departments(&self) -> Vec<&DirectoryItem> {
        self.departments.iter().filter(|i| i.active).collect()
    }

    fn active_buildings(&self) -> Vec<&DirectoryItem> {
        self.buildings.iter().filter(|i| i.active).collect()
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
    let tr = c.tr.clone();
    let saved = q.saved();
    let error = q.error(tr.clone());
    let users = state.desk.list_users(&viewer.0.actor).await?.into_iter().map(|u| {
        let role = tr.label(&u.role);
        (u, role)
    });
    let services = state.desk.list_services_with(true).await?.into_iter().map(|s| {
        let t = tr.label(&s.default_type);
        (s, t)
    });
    let desk_words = state.desk.desk_words().await?;
    let words = desk_words
        .labels(Lang::Es)
        .into_iter()
        .map(|(key, es)| {
            let en = desk_words.text(Lang::En, &key);
            (key.clone(), text(Lang::Es, &key), es, text(Lang::En, &key), en)
        })
        .collect();
    Ok(page(&AdminPage {
        users: users.collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), tr.label(r))).collect(),
        departments: state.desk.list_items_with(Directory::Departments, true).await?,
        buildings: state.desk.list_items_with(Directory::Buildings, true).await?,
        teams: state.desk.list_items_with(Directory::Teams, true).await?,
        services: services.collect(),
        types: TicketType::ALL.iter().map(|t| (t.as_str(), tr.label(t))).collect(),
        error,
        saved,
        sla: state.desk.policy().await?.sla.clone(),
        automation: state.desk.policy().await?.automation.clone(),
        hold_reasons: HoldReason::ALL.iter().map(|r| (r.as_str(), tr.label(r))).collect(),
        words,
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
    email: String,
    role: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    building_id: String,
    #[serde(default)]
    phone: String,
    level: i64,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    dispatcher: Option<String>,
}

/// An optional reference from a select (`""`: none).
fn reference(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

pub async fn edit_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<EditUserForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    only_admins(&viewer)?;
    let result = async {
        let changes = PersonChanges {
            role: Some(f.role.parse()?),
            team_id: Some(reference(&f.team_id)),
            department_id: Some(reference(&f.department_id)),
            building_id: Some(reference(&f.building_id)),
            phone: Some(Some(f.phone.trim().to_owned()).filter(|p| !p.is_empty())),
            level: Some(f.level),
            active: Some(f.active.is_some()),
            dispatcher: Some(f.dispatcher.is_some()),
            ..Default::default()
        };
        state.desk.change_person(&viewer.0.actor, &f.email, changes).await.map(|_| ())
    }
    .await;
    outcome("users", result)
}

#[derive(Deserialize)]
pub struct EditItemForm {
    #[serde(default)]
    csrf: String,
    kind: String,
    id: i64,
    name: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    active: Option<String>,
}

/// Renames a department, building or team, or (de)activates it.
pub async fn edit_item(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<EditItemForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    only_admins(&viewer)?;
    let dir = match f.kind.as_str() {
        "departments" => Directory::Departments,
        "buildings" => Directory::Buildings,
        "teams" => Directory::Teams,
        _ => return Err(AppError::NotFound("directory").into()),
    };
    let changes = ItemChanges {
        name: Some(f.name),
        detail: (dir == Directory::Buildings).then(|| Some(f.detail).filter(|d| !d.trim().is_empty())),
        active: Some(f.active.is_some()),
    };
    let result = state.desk.change_item(&viewer.0.actor, dir, f.id, changes).await.map(|_| ());
    outcome(&f.kind, result)
}

#[derive(Deserialize)]
pub struct EditServiceForm {
    #[serde(default)]
    csrf: String,
    id: i64,
    name: String,
    category: String,
    default_type: String,
    default_level: i64,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn edit_service(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<EditServiceForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    only_admins(&viewer)?;
    let result = async {
        let changes = ServiceChanges {
            name: Some(f.name),
            category: Some(f.category),
            default_type: Some(TicketType::parse(&f.default_type)?),
            default_level: Some(f.default_level),
            team_id: Some(reference(&f.team_id)),
            active: Some(f.active.is_some()),
        };
        state.desk.change_service(&viewer.0.actor, f.id, changes).await.map(|_| ())
    }
    .await;
    outcome("services", result)
}

/// The desk's words: one field per label key and language (`es:status.new`).
pub async fn save_words(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> UiResult<Response> {
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    viewer.check_csrf(csrf)?;
    only_admins(&viewer)?;
    let mut map = WordsMap::new();
    for (key, value) in &pairs {
        if let Some((lang, label)) = key.split_once(':') {
            map.entry(lang.to_owned()).or_default().insert(label.to_owned(), value.clone());
        }
    }
    let result = state.desk.set_desk_words(&viewer.0.actor, map).await.map(|_| ());
    outcome("words", result)
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
