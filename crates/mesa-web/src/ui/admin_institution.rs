//! The institution as its documents print it (issue 17): its name and its
//! logo, shown here and uploaded as a PNG. A refused form comes back with
//! its error and, for the name, what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::AppError;
use serde::Deserialize;

use super::admin::only_admins;
use super::session::Viewer;
use super::{Chrome, UiError, UiResult, page};
use crate::AppState;

#[derive(Template)]
#[template(path = "admin_institution.html")]
struct InstitutionPage {
    c: Chrome,
    name: String,
    has_logo: bool,
    max_kib: usize,
    max_side: u32,
    /// The error and which form it belongs to (`name` or `logo`).
    error: Option<(String, &'static str)>,
}

impl InstitutionPage {
    fn error_for(&self, form: &str) -> Option<String> {
        self.error.as_ref().filter(|(_, f)| *f == form).map(|(e, _)| e.clone())
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    name: Option<String>,
    error: Option<(String, &'static str)>,
) -> UiResult<Response> {
    let c = Chrome::new(&viewer.0, "ui.institution.title", "admin");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = InstitutionPage {
        name: match name {
            Some(typed) => typed,
            None => state.desk.institution_name().await?,
        },
        has_logo: state.desk.logo_png().await?.is_some(),
        max_kib: mesa_app::LOGO_MAX_BYTES / 1024,
        max_side: mesa_app::LOGO_MAX_SIDE,
        error,
        c,
    };
    Ok((status, page(&body)).into_response())
}

fn message(c: &Chrome, e: &AppError) -> String {
    match e {
        AppError::Invalid(f) => c.tr.t(&format!("ui.institution.error.{}", f.code)).to_owned(),
        AppError::TooLarge { .. } => c.tr.t("ui.institution.error.too_large").to_owned(),
        _ => c.tr.t("ui.error.invalid").to_owned(),
    }
}

pub async fn index(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    only_admins(&viewer)?;
    render(&state, &viewer, None, None).await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub async fn save_name(State(state): State<AppState>, viewer: Viewer, Form(f): Form<NameForm>) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    only_admins(&viewer)?;
    match state.desk.set_institution_name(&viewer.0.actor, &f.name).await {
        Ok(()) => Ok(Redirect::to("/admin/institution").into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let c = Chrome::new(&viewer.0, "ui.institution.title", "admin");
            let error = Some((message(&c, &e), "name"));
            render(&state, &viewer, Some(f.name), error).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The logo form: a PNG file (`logo`), or `remove` to take it away.
pub async fn save_logo(State(state): State<AppState>, viewer: Viewer, mut form: Multipart) -> UiResult<Response> {
    only_admins(&viewer)?;
    let too_large = || UiError::App(AppError::TooLarge { limit: mesa_app::LOGO_MAX_BYTES });
    let (mut csrf, mut png, mut remove) = (String::new(), Vec::new(), false);
    while let Some(field) = form.next_field().await.map_err(|_| too_large())? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "remove" => remove = true,
            "logo" => {
                // Read only after the form proved it came from this page.
                viewer.check_csrf(&csrf)?;
                png = field.bytes().await.map_err(|_| too_large())?.to_vec();
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let result = if remove {
        state.desk.clear_logo(&viewer.0.actor).await
    } else {
        state.desk.set_logo(&viewer.0.actor, &png).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/institution").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::TooLarge { .. })) => {
            let c = Chrome::new(&viewer.0, "ui.institution.title", "admin");
            let error = Some((message(&c, &e), "logo"));
            render(&state, &viewer, None, error).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The logo for the page's preview (administrators).
pub async fn logo(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    only_admins(&viewer)?;
    let png = state.desk.logo_png().await?.ok_or(AppError::NotFound("logo"))?;
    Ok(crate::api::logo_response(png))
}
