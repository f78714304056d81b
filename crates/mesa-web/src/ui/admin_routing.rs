//! Administration of routing (issue 14): buildings' and departments'
//! agents, services' routing fields, agents' competences and absences, and
//! the desk's routing document (security team, who reassigns, level teams,
//! rule table).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone};
use mesa_app::routing::{PlaceInput, ServiceRoutingInput};
use mesa_app::{Absence, AppError, Directory, DirectoryItem, PlaceKind, Service};
use mesa_core::User;
use mesa_core::routing::{Reassigners, RoutingSettings};
use mesa_core::validate::FieldError;

use super::admin::{AdminQuery, only_admins};
use super::format::when;
use super::session::Viewer;
use super::{Chrome, UiError, UiResult, page};
use crate::AppState;

/// A kind of place (`building`, `department`), its title key, and its
/// places with their agent's e-mail.
type PlaceRows = (&'static str, &'static str, Vec<(DirectoryItem, String)>);
/// An agent, their competences and their absences (id, from, to).
type AgentRow = (User, Vec<i64>, Vec<(i64, String, String)>);

#[derive(Template)]
#[template(path = "admin_routing.html")]
struct RoutingPage {
    c: Chrome,
    places: Vec<PlaceRows>,
    /// service, routed by place, requires authorisation, approver e-mail.
    services: Vec<(Service, bool, bool, String)>,
    agents: Vec<AgentRow>,
    all_services: Vec<Service>,
    teams: Vec<DirectoryItem>,
    security_team_id: Option<i64>,
    admins_reassign: bool,
    /// The rule table and the level teams as JSON, for the text areas.
    rules_json: String,
    level_teams_json: String,
    error: Option<(String, String, String)>,
    saved: bool,
}

impl RoutingPage {
    fn error_for(&self, form: &str) -> Option<(String, String)> {
        self.error.as_ref().filter(|(f, _, _)| f == form).map(|(_, field, msg)| (field.clone(), msg.clone()))
    }

    fn staff(&self) -> Vec<&User> {
        self.agents.iter().map(|(u, _, _)| u).filter(|u| u.active).collect()
    }
}

pub async fn index(State(state): State<AppState>, viewer: Viewer, Query(q): Query<AdminQuery>) -> UiResult<Response> {
    only_admins(&viewer)?;
    let actor = &viewer.0.actor;
    let c = Chrome::new(&viewer.0, "ui.routing.title", "admin");
    let saved = q.saved();
    let error = q.error(c.tr.clone());
    let tz = state.timezone;
    let mut places = Vec::new();
    for (kind, dir, key, title) in [
        (PlaceKind::Building, Directory::Buildings, "building", "ui.admin.buildings"),
        (PlaceKind::Department, Directory::Departments, "department", "ui.admin.departments"),
    ] {
        let agents = state.desk.place_agents(kind).await?;
        let items = state.desk.list_items(dir).await?;
        let rows = items.into_iter().map(|i| {
            let agent = agents.get(&i.id).cloned().unwrap_or_default();
            (i, agent)
        });
        places.push((key, title, rows.collect()));
    }
    let routing: HashMap<_, _> = state.desk.services_routing().await?;
    let all_services = state.desk.list_services().await?;
    let services = all_services
        .iter()
        .map(|s| match routing.get(&s.id) {
            Some((r, email)) => {
                (s.clone(), r.place_routing, r.requires_authorization, email.clone().unwrap_or_default())
            }
            None => (s.clone(), true, false, String::new()),
        })
        .collect();
    let mut agents = Vec::new();
    for user in state.desk.list_users(actor).await?.into_iter().filter(|u| u.role.is_staff()) {
        let competences = state.desk.competences(user.id).await?;
        let absences = state.desk.absences(actor, user.email.as_str()).await?;
        let absences = absences.into_iter().map(|a: Absence| (a.id, when(a.starts_at, tz), when(a.ends_at, tz)));
        agents.push((user, competences, absences.collect()));
    }
    let settings = state.desk.routing_settings(actor).await?;
    Ok(page(&RoutingPage {
        places,
        services,
        agents,
        all_services,
        teams: state.desk.list_items(Directory::Teams).await?,
        security_team_id: settings.security_team_id,
        admins_reassign: settings.reassignment == Reassigners::Admins,
        rules_json: serde_json::to_string_pretty(&settings.rules).unwrap_or_default(),
        level_teams_json: serde_json::to_string_pretty(&settings.level_teams).unwrap_or_default(),
        error,
        saved,
        c,
    }))
}

/// Back to the page with the failing form's field marked, or "saved".
fn outcome(form: &str, result: Result<(), AppError>) -> UiResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/routing?saved=1#{form}")).into_response()),
        Err(AppError::Invalid(f)) => {
            Ok(Redirect::to(&format!("/admin/routing?form={form}&field={}&code={}#{form}", f.field, f.code))
                .into_response())
        }
        Err(e) => Err(UiError::from(e)),
    }
}

/// A form's fields in order (several with one name for multi-selects).
type Pairs = Form<Vec<(String, String)>>;

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn id_of(pairs: &[(String, String)], name: &'static str) -> Result<i64, AppError> {
    field(pairs, name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| FieldError::new(name, "invalid", "not a number").into())
}

/// A building's or department's agent.
pub async fn place(State(state): State<AppState>, viewer: Viewer, Form(p): Pairs) -> UiResult<Response> {
    viewer.check_csrf(field(&p, "csrf").unwrap_or_default())?;
    only_admins(&viewer)?;
    let form = field(&p, "kind").unwrap_or_default().to_owned();
    let kind = match form.as_str() {
        "building" => PlaceKind::Building,
        "department" => PlaceKind::Department,
        _ => return Err(AppError::NotFound("place").into()),
    };
    let result = async {
        let id = id_of(&p, "id")?;
        let agent = field(&p, "agent_email").map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned);
        state.desk.set_place(&viewer.0.actor, kind, id, &PlaceInput { agent_email: Some(agent) }).await
    }
    .await;
    outcome(&form, result)
}

/// A service's routing fields.
pub async fn service(State(state): State<AppState>, viewer: Viewer, Form(p): Pairs) -> UiResult<Response> {
    viewer.check_csrf(field(&p, "csrf").unwrap_or_default())?;
    only_admins(&viewer)?;
    let result = async {
        let id = id_of(&p, "service_id")?;
        let approver = field(&p, "approver_email").map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned);
        let input = ServiceRoutingInput {
            place_routing: Some(field(&p, "place_routing").is_some()),
            requires_authorization: Some(field(&p, "requires_authorization").is_some()),
            approver_email: Some(approver),
        };
        state.desk.set_service_routing(&viewer.0.actor, id, &input).await.map(|_| ())
    }
    .await;
    outcome("services", result)
}

/// An agent's competences (a multi-select of services).
pub async fn competences(State(state): State<AppState>, viewer: Viewer, Form(p): Pairs) -> UiResult<Response> {
    viewer.check_csrf(field(&p, "csrf").unwrap_or_default())?;
    only_admins(&viewer)?;
    let result = async {
        let user_id = id_of(&p, "user_id")?;
        let services: Vec<i64> =
            p.iter().filter(|(k, _)| k == "competences").filter_map(|(_, v)| v.parse().ok()).collect();
        state.desk.set_competences(&viewer.0.actor, user_id, &services).await
    }
    .await;
    outcome("agents", result)
}

/// `aaaa-mm-dd` at the start of that day in the desk's zone.
fn day_start(
    raw: Option<&str>,
    tz: chrono_tz::Tz,
    name: &'static str,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let date = raw
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .ok_or_else(|| FieldError::new(name, "invalid", "a date aaaa-mm-dd"))?;
    let local = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| FieldError::new(name, "invalid", "a date aaaa-mm-dd").into())
}

/// An absence from one day to another (both included), by an administrator.
pub async fn add_absence(State(state): State<AppState>, viewer: Viewer, Form(p): Pairs) -> UiResult<Response> {
    viewer.check_csrf(field(&p, "csrf").unwrap_or_default())?;
    only_admins(&viewer)?;
    let tz = state.timezone;
    let result = async {
        let email = field(&p, "email").unwrap_or_default();
        let from = day_start(field(&p, "from"), tz, "from")?;
        let to = day_start(field(&p, "to"), tz, "to")? + chrono::Duration::days(1);
        state.desk.add_absence(&viewer.0.actor, email, from, to).await.map(|_| ())
    }
    .await;
    outcome("agents", result)
}

pub async fn delete_absence(State(state): State<AppState>, viewer: Viewer, Form(p): Pairs) -> UiResult<Response> {
    viewer.check_csrf(field(&p, "csrf").unwrap_or_default())?;
    let result = async {
        let id = id_of(&p, "absence_id")?;
        state.desk.delete_absence(&viewer.0.actor, id).await
    }
    .await;
    outcome("agents", result)
}

/// The routing document: security team, who reassigns, level teams and rules.
pub async fn settings(State(state): State<AppState>, viewer: Viewer, Form(p): Pairs) -> UiResult<Response> {
    viewer.check_csrf(field(&p, "csrf").unwrap_or_default())?;
    only_admins(&viewer)?;
    let result = async {
        let json = |name: &'static str| -> Result<serde_json::Value, AppError> {
            let raw = field(&p, name).map(str::trim).filter(|v| !v.is_empty()).unwrap_or("[]");
            serde_json::from_str(raw).map_err(|e| FieldError::new(name, "invalid", e.to_string()).into())
        };
        let doc = serde_json::json!({
            "rules": json("rules")?,
            "level_teams": json("level_teams")?,
            "security_team_id": field(&p, "security_team_id").and_then(|v| v.parse::<i64>().ok()),
            "reassignment": if field(&p, "reassignment") == Some("agents") { "agents" } else { "admins" },
        });
        let settings: RoutingSettings =
            serde_json::from_value(doc).map_err(|e| FieldError::new("rules", "invalid", e.to_string()))?;
        state.desk.set_routing_settings(&viewer.0.actor, &settings).await
    }
    .await;
    outcome("settings", result)
}
