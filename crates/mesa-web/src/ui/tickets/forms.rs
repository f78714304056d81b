//! The new-request form and file uploads to a ticket.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::{AppError, Directory, DirectoryItem, OpenTicket, Service};
use mesa_core::TicketType;
use mesa_core::ticket::TicketText;
use mesa_core::validate::FieldError;

use crate::AppState;
use crate::ui::session::Viewer;
use crate::ui::{Chrome, UiError, UiResult, page};

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
    let text = TicketText::parse(
        &get("subject").unwrap_or_default(),
        &get("description").unwrap_or_default(),
        get("contact_phone").as_deref(),
        get("remote_access_id").as_deref(),
    );
    let tr = crate::ui::Tr::new(viewer.0.user.language, viewer.0.words.clone());
    let text = match text {
        Ok(text) => text,
        Err(f) => return new_page(&state, &viewer, Some(field_message(&tr, &f))).await,
    };
    let input = OpenTicket {
        text,
        ticket_type: get("type").map(|t| TicketType::parse(&t)).transpose()?,
        priority: None,
        service_id: get("service_id").and_then(|s| s.parse().ok()),
        department_id: get("department_id").and_then(|s| s.parse().ok()),
        building_id: get("building_id").and_then(|s| s.parse().ok()),
        requester_email: None,
        requester_name: None,
        channel: Some(mesa_core::Channel::Web),
    };
    let view = match state.desk.open_ticket(&viewer.0.user, input).await {
        Ok(view) => view,
        Err(AppError::Invalid(f)) => return new_page(&state, &viewer, Some(field_message(&tr, &f))).await,
        Err(e) => return Err(e.into()),
    };
    let number = view.ticket.number;
    state.desk.attach_all(&viewer.0.actor, number, files).await?;
    Ok(Redirect::to(&format!("/tickets/{number}")).into_response())
}

/// A refused field as the form shows it: the field's label and what is wrong.
fn field_message(tr: &crate::ui::Tr, f: &FieldError) -> String {
    format!("{}: {}", tr.t(&format!("ui.field.{}", f.field)), tr.t(&format!("ui.error.{}", f.code)))
}
