//! The survey page a link opens (no sign-in; phone-sized), its answer, and
//! the link's QR code as SVG or PNG. A used or expired link gets a clear
//! page with 410 Gone; a refused answer shows the form again, as typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use mesa_app::AppError;
use mesa_app::surveys::{DeadSurvey, SurveyForm, survey_path};
use mesa_core::Lang;
use mesa_core::survey::QuestionKind;

use super::{Tr, UiError, page, qr};
use crate::AppState;

struct QuestionView {
    key: String,
    kind: &'static str,
    label: String,
    required: bool,
    /// (value, text) of each choice.
    options: Vec<(String, String)>,
    /// What was sent for it.
    value: String,
    invalid: bool,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    tr: Tr,
    /// `form`, `thanks` or `dead`.
    state: &'static str,
    number: i64,
    subject: String,
    questions: Vec<QuestionView>,
    error: Option<String>,
    action: String,
}

fn questions(form: &SurveyForm, tr: &Tr, sent: &BTreeMap<String, String>, invalid: Option<&str>) -> Vec<QuestionView> {
    form.survey
        .questions
        .iter()
        .map(|q| {
            let (kind, options) = match q.kind {
                QuestionKind::Scale => (
                    "scale",
                    (1..=5)
                        .map(|n| {
                            let text = match n {
                                1 => format!("1 ({})", tr.t("ui.survey.low")),
                                5 => format!("5 ({})", tr.t("ui.survey.high")),
                                n => n.to_string(),
                            };
                            (n.to_string(), text)
                        })
                        .collect(),
                ),
                QuestionKind::YesNo => (
                    "yes_no",
                    vec![("yes".into(), tr.t("ui.survey.yes").into()), ("no".into(), tr.t("ui.survey.no").into())],
                ),
                QuestionKind::Text => ("text", Vec::new()),
            };
            QuestionView {
                key: q.key.clone(),
                kind,
                label: q.label(form.lang).to_owned(),
                required: q.required,
                options,
                value: sent.get(&q.key).cloned().unwrap_or_default(),
                invalid: invalid == Some(q.key.as_str()),
            }
        })
        .collect()
}

fn simple_page(lang: Lang, state: &'static str, status: StatusCode) -> Response {
    let p = SurveyPage {
        tr: Tr::plain(lang),
        state,
        number: 0,
        subject: String::new(),
        questions: Vec::new(),
        error: None,
        action: String::new(),
    };
    (status, page(&p)).into_response()
}

fn dead_page() -> Response {
    simple_page(Lang::Es, "dead", StatusCode::GONE)
}

fn form_page(
    token: &str,
    form: &SurveyForm,
    sent: &BTreeMap<String, String>,
    error: Option<(String, &str)>,
) -> Response {
    let tr = Tr::plain(form.lang);
    let invalid = error.as_ref().map(|(key, _)| key.as_str());
    let p = SurveyPage {
        questions: questions(form, &tr, sent, invalid),
        error: error.as_ref().map(|(key, code)| {
            let label =
                form.survey.questions.iter().find(|q| &q.key == key).map_or(key.as_str(), |q| q.label(form.lang));
            tr.t("ui.survey.answer_error")
                .replace("{question}", label)
                .replace("{problem}", tr.t(&format!("ui.error.{code}")))
        }),
        tr,
        state: "form",
        number: form.number,
        subject: form.subject.clone(),
        action: survey_path(token),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, page(&p)).into_response()
}

pub async fn form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.desk.survey_form(&token, Utc::now()).await {
        Ok(Ok(form)) => form_page(&token, &form, &BTreeMap::new(), None),
        Ok(Err(_)) => dead_page(),
        Err(e) => UiError::from(e).into_response(),
    }
}

/// Answers once; the token in the address is the only credential (as for
/// the mailed links), so the form needs no CSRF token.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(sent): Form<BTreeMap<String, String>>,
) -> Response {
    let now = Utc::now();
    let form = match state.desk.survey_form(&token, now).await {
        Ok(Ok(form)) => form,
        Ok(Err(_)) => return dead_page(),
        Err(e) => return UiError::from(e).into_response(),
    };
    match state.desk.answer_survey(&token, &sent, now).await {
        Ok(Ok(())) => simple_page(form.lang, "thanks", StatusCode::OK),
        Ok(Err(DeadSurvey::Unknown | DeadSurvey::Answered | DeadSurvey::Expired)) => dead_page(),
        Err(AppError::Invalid(field)) => {
            // The message names the question: `question "key": code`.
            let key = field.message.split('"').nth(1).unwrap_or_default().to_owned();
            form_page(&token, &form, &sent, Some((key, field.code)))
        }
        Err(e) => UiError::from(e).into_response(),
    }
}

/// Where links point: the configured public address, else this request's host.
pub(crate) fn link_base(state: &AppState, headers: &HeaderMap) -> String {
    let base = state.desk.public_base();
    if !base.is_empty() {
        return base.to_owned();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

async fn qr_of(state: &AppState, headers: &HeaderMap, token: &str) -> Result<String, Response> {
    match state.desk.survey_link_alive(token, Utc::now()).await {
        Ok(Ok(())) => Ok(format!("{}{}", link_base(state, headers), survey_path(token))),
        Ok(Err(_)) => Err(dead_page()),
        Err(e) => Err(UiError::from(e).into_response()),
    }
}

fn image(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

pub async fn qr_svg(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    let link = match qr_of(&state, &headers, &token).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    match qr::svg(&link, Tr::plain(Lang::Es).t("ui.survey.title")) {
        Some(svg) => image("image/svg+xml", svg),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn qr_png(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    let link = match qr_of(&state, &headers, &token).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    match qr::png(&link) {
        Some(png) => image("image/png", png),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
