//! Pages for surveys and knowledge (issue 16): a ticket's survey with its
//! QR code (staff), the knowledge base (search and read), and the lessons
//! learned waiting for the committee (administrators decide).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mesa_app::AppError;
use mesa_app::knowledge::{Article, LessonDecision};
use mesa_app::surveys::survey_path;
use serde::Deserialize;

use super::format::when;
use super::session::Viewer;
use super::{Chrome, UiResult, page};
use crate::AppState;

#[derive(Template)]
#[template(path = "ticket_survey.html")]
struct TicketSurveyPage {
    c: Chrome,
    number: i64,
    /// The survey page's path, when there is a link.
    path: Option<String>,
    /// The link still takes an answer (its QR code is shown).
    live: bool,
    expires: String,
    /// (question, answer) when answered.
    answers: Vec<(String, String)>,
    answered: String,
}

pub async fn ticket_survey(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> UiResult<Response> {
    let number: i64 = number.parse().map_err(|_| AppError::NotFound("ticket"))?;
    let survey = state.desk.ticket_survey(&viewer.0.actor, number).await?;
    let mut c = Chrome::new(&viewer.0, "ui.survey.title", "tickets");
    c.title = format!("{} · {} {number}", c.title, c.tr.t("ui.survey.about"));
    let questions = state.desk.active_survey().await?.questions;
    let lang = c.tr.lang();
    // In the survey's order; answers to questions of an older version last.
    let answers = survey
        .answer
        .as_ref()
        .map(|a| {
            let shown = |value: &mesa_core::survey::AnswerValue| match value {
                mesa_core::survey::AnswerValue::Score(n) => n.to_string(),
                mesa_core::survey::AnswerValue::YesNo(true) => c.tr.t("ui.survey.yes").to_owned(),
                mesa_core::survey::AnswerValue::YesNo(false) => c.tr.t("ui.survey.no").to_owned(),
                mesa_core::survey::AnswerValue::Text(t) => t.clone(),
            };
            let mut rows: Vec<(String, String)> = questions
                .iter()
                .filter_map(|q| a.answers.get(&q.key).map(|v| (q.label(lang).to_owned(), shown(v))))
                .collect();
            rows.extend(
                a.answers
                    .iter()
                    .filter(|(k, _)| !questions.iter().any(|q| &q.key == *k))
                    .map(|(k, v)| (k.clone(), shown(v))),
            );
            rows
        })
        .unwrap_or_default();
    // The QR code only while the link still takes an answer.
    let live = survey.link.as_ref().is_some_and(|l| l.answered_at.is_none() && l.expires_at > chrono::Utc::now());
    let p = TicketSurveyPage {
        number,
        path: survey.token.as_deref().map(survey_path),
        live,
        expires: survey.link.as_ref().map(|l| when(l.expires_at, state.timezone)).unwrap_or_default(),
        answered: survey.answer.as_ref().map(|a| when(a.answered_at, state.timezone)).unwrap_or_default(),
        answers,
        c,
    };
    Ok(page(&p))
}

struct ArticleRowView {
    id: i64,
    title: String,
    category: String,
    internal: bool,
    draft: bool,
}

#[derive(Template)]
#[template(path = "kb.html")]
struct KbPage {
    c: Chrome,
    q: String,
    items: Vec<ArticleRowView>,
}

#[derive(Deserialize)]
pub struct KbQuery {
    #[serde(default)]
    q: String,
}

pub async fn kb(State(state): State<AppState>, viewer: Viewer, Query(query): Query<KbQuery>) -> UiResult<Response> {
    let q = Some(query.q.as_str()).filter(|q| !q.trim().is_empty());
    let articles = state.desk.articles(&viewer.0.actor, q, 100).await?;
    let items = articles
        .into_iter()
        .map(|a: Article| ArticleRowView {
            id: a.row.id,
            title: a.row.title,
            category: a.row.category.unwrap_or_default(),
            internal: a.row.audience == "internal",
            draft: !a.row.published,
        })
        .collect();
    let c = Chrome::new(&viewer.0, "ui.kb.title", "kb");
    Ok(page(&KbPage { c, q: query.q, items }))
}

#[derive(Template)]
#[template(path = "kb_article.html")]
struct ArticlePage {
    c: Chrome,
    category: String,
    internal: bool,
    /// Sanitised by `mesa_app::knowledge::render_markdown`.
    html: String,
    ticket_number: Option<i64>,
    updated: String,
    revision: i64,
}

pub async fn article(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> UiResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("article"))?;
    let a = state.desk.article(&viewer.0.actor, id).await?;
    let mut c = Chrome::new(&viewer.0, "ui.kb.title", "kb");
    c.title = a.row.title.clone();
    Ok(page(&ArticlePage {
        c,
        category: a.row.category.unwrap_or_default(),
        internal: a.row.audience == "internal",
        html: a.html,
        ticket_number: a.row.ticket_number,
        updated: when(a.row.updated_at, state.timezone),
        revision: a.row.revision,
    }))
}

#[derive(Template)]
#[template(path = "lessons.html")]
struct LessonsPage {
    c: Chrome,
    lessons: Vec<mesa_app::LessonRow>,
}

pub async fn lessons(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    let lessons = state.desk.lessons(&viewer.0.actor, true).await?;
    let c = Chrome::new(&viewer.0, "ui.lessons.title", "lessons");
    Ok(page(&LessonsPage { c, lessons }))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> UiResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("lesson"))?;
    let decision = LessonDecision::parse(&f.decision).map_err(AppError::from)?;
    let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
    state.desk.decide_lesson(&viewer.0.actor, id, decision, reason).await?;
    Ok(Redirect::to("/lessons").into_response())
}
