//! The knowledge base and lessons learned over HTTP (issue 16).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use mesa_app::AppError;
use mesa_app::knowledge::{Article, ArticleInput, LessonDecision, LessonInput};
use mesa_app::{LessonRow, RevisionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Conflict, Forbidden, capabilities};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    id: i64,
    title: String,
    /// Markdown, as written.
    body: String,
    /// The body rendered to sanitised HTML.
    html: String,
    category: Option<String>,
    /// `public` (requesters) or `internal` (staff).
    audience: String,
    published: bool,
    /// The case a lesson learned came from.
    ticket_number: Option<i64>,
    revision: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Article> for ArticleOut {
    fn from(a: Article) -> Self {
        let r = a.row;
        ArticleOut {
            id: r.id,
            title: r.title,
            body: r.body,
            html: a.html,
            category: r.category,
            audience: r.audience,
            published: r.published,
            ticket_number: r.ticket_number,
            revision: r.revision,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    items: Vec<ArticleOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct ArticleIn {
    #[schema(schema_with = capabilities::article_title)]
    title: String,
    /// Markdown.
    #[schema(schema_with = capabilities::article_body)]
    body: String,
    #[schema(schema_with = capabilities::article_category)]
    category: Option<String>,
    /// `public` or `internal`.
    #[schema(schema_with = capabilities::audience)]
    audience: String,
    #[serde(default)]
    published: bool,
}

impl From<ArticleIn> for ArticleInput {
    fn from(a: ArticleIn) -> Self {
        ArticleInput {
            title: a.title,
            body: a.body,
            category: a.category,
            audience: a.audience,
            published: a.published,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleParams {
    /// Words that must all appear (accents and case ignored).
    q: Option<String>,
    /// At most this many (1–500, default 50).
    limit: Option<i64>,
}

/// Articles the caller may read, newest first: requesters see published
/// public ones, managers every published one, staff all (drafts too).
#[utoipa::path(get, path = "/articles", tag = "knowledge", security(("bearer" = [])), params(ArticleParams),
    responses((status = 200, body = ArticleList)))]
pub async fn list_articles(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ArticleParams>,
) -> Result<Json<ArticleList>, ApiError> {
    let items = state.desk.articles(&auth.actor, p.q.as_deref(), p.limit.unwrap_or(50)).await?;
    Ok(Json(ArticleList { items: items.into_iter().map(Into::into).collect() }))
}

/// Writes an article (agents and administrators).
#[utoipa::path(post, path = "/articles", tag = "knowledge", security(("bearer" = [])), request_body = ArticleIn,
    responses((status = 201, body = ArticleOut), Forbidden))]
pub async fn create_article(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ArticleIn>,
) -> Result<(StatusCode, Json<ArticleOut>), ApiError> {
    let article = state.desk.create_article(&auth.actor, &input.into()).await?;
    Ok((StatusCode::CREATED, Json(article.into())))
}

/// One article, if the caller may read it.
#[utoipa::path(get, path = "/articles/{id}", tag = "knowledge", security(("bearer" = [])),
    params(("id" = i64, Path, description = "article id")), responses((status = 200, body = ArticleOut)))]
pub async fn get_article(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<ArticleOut>, ApiError> {
    Ok(Json(state.desk.article(&auth.actor, parse_id(&id, "article")?).await?.into()))
}

/// Replaces an article's text, keeping the old one as a revision (agents and administrators).
#[utoipa::path(put, path = "/articles/{id}", tag = "knowledge", security(("bearer" = [])), request_body = ArticleIn,
    params(("id" = i64, Path, description = "article id")), responses((status = 200, body = ArticleOut), Forbidden))]
pub async fn put_article(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ArticleIn>,
) -> Result<Json<ArticleOut>, ApiError> {
    Ok(Json(state.desk.update_article(&auth.actor, parse_id(&id, "article")?, &input.into()).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RevisionOut {
    revision: i64,
    title: String,
    /// Who wrote it (user id).
    author_id: Option<i64>,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct RevisionList {
    items: Vec<RevisionOut>,
}

/// An article's revisions, newest first.
#[utoipa::path(get, path = "/articles/{id}/revisions", tag = "knowledge", security(("bearer" = [])),
    params(("id" = i64, Path, description = "article id")), responses((status = 200, body = RevisionList)))]
pub async fn article_revisions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<RevisionList>, ApiError> {
    let rows: Vec<RevisionRow> = state.desk.article_revisions(&auth.actor, parse_id(&id, "article")?).await?;
    let items = rows
        .into_iter()
        .map(|r| RevisionOut { revision: r.revision, title: r.title, author_id: r.author_id, created_at: r.created_at })
        .collect();
    Ok(Json(RevisionList { items }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What is being typed (a new request's subject and description, a ticket's text).
    q: String,
}

/// Published articles matching what is being typed, best first (at most
/// five): requesters get public ones only (deflection while they write a request).
#[utoipa::path(get, path = "/articles/suggestions", tag = "knowledge", security(("bearer" = [])), params(SuggestParams),
    responses((status = 200, body = ArticleList)))]
pub async fn suggest_articles(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<SuggestParams>,
) -> Result<Json<ArticleList>, ApiError> {
    let items = state.desk.suggest_articles(&auth.actor, &p.q, 5).await?;
    Ok(Json(ArticleList { items: items.into_iter().map(Into::into).collect() }))
}

#[derive(Serialize, ToSchema)]
pub struct LessonOut {
    id: i64,
    ticket_number: i64,
    title: String,
    what_happened: String,
    cause: String,
    next_time: String,
    /// Who proposed it (user id).
    proposed_by: i64,
    created_at: DateTime<Utc>,
    /// `accept`, `reject`, or null while pending.
    decision: Option<String>,
    reason: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    /// The internal article an accepted lesson became.
    article_id: Option<i64>,
}

impl From<LessonRow> for LessonOut {
    fn from(l: LessonRow) -> Self {
        LessonOut {
            id: l.id,
            ticket_number: l.ticket_number,
            title: l.title,
            what_happened: l.what_happened,
            cause: l.cause,
            next_time: l.next_time,
            proposed_by: l.proposed_by,
            created_at: l.created_at,
            decision: l.decision,
            reason: l.reason,
            decided_at: l.decided_at,
            article_id: l.article_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LessonList {
    items: Vec<LessonOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct LessonIn {
    #[schema(schema_with = capabilities::article_title)]
    title: String,
    #[schema(schema_with = capabilities::lesson_text)]
    what_happened: String,
    #[schema(schema_with = capabilities::lesson_text)]
    cause: String,
    #[schema(schema_with = capabilities::lesson_text)]
    next_time: String,
}

/// Proposes a lesson learned from a solved or closed ticket (agents and
/// administrators); it waits for an administrator's decision.
#[utoipa::path(post, path = "/tickets/{number}/lessons", tag = "knowledge", security(("bearer" = [])),
    request_body = LessonIn, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 201, body = LessonOut), Forbidden, Conflict))]
pub async fn propose_lesson(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<LessonIn>,
) -> Result<(StatusCode, Json<LessonOut>), ApiError> {
    let input = LessonInput {
        title: input.title,
        what_happened: input.what_happened,
        cause: input.cause,
        next_time: input.next_time,
    };
    let lesson = state.desk.propose_lesson(&auth.actor, parse_id(&number, "ticket")?, &input).await?;
    Ok((StatusCode::CREATED, Json(lesson.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LessonParams {
    /// Only those waiting for a decision (the committee's agenda).
    pending: Option<bool>,
}

/// Lessons learned, oldest first (agents and administrators).
#[utoipa::path(get, path = "/lessons", tag = "knowledge", security(("bearer" = [])), params(LessonParams),
    responses((status = 200, body = LessonList), Forbidden))]
pub async fn list_lessons(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LessonParams>,
) -> Result<Json<LessonList>, ApiError> {
    let rows = state.desk.lessons(&auth.actor, p.pending.unwrap_or(false)).await?;
    Ok(Json(LessonList { items: rows.into_iter().map(Into::into).collect() }))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `accept` or `reject`.
    #[schema(schema_with = capabilities::lesson_decision)]
    decision: String,
    /// Required to reject.
    #[schema(schema_with = capabilities::lesson_reason)]
    reason: Option<String>,
}

/// Accepts a lesson (it becomes an internal article linked to its ticket)
/// or rejects it with a reason (administrators only).
#[utoipa::path(post, path = "/lessons/{id}/decision", tag = "knowledge", security(("bearer" = [])),
    request_body = DecisionIn, params(("id" = i64, Path, description = "lesson id")),
    responses((status = 200, body = LessonOut), Forbidden, Conflict))]
pub async fn decide_lesson(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionIn>,
) -> Result<Json<LessonOut>, ApiError> {
    let id = parse_id(&id, "lesson")?;
    let decision = LessonDecision::parse(&input.decision).map_err(AppError::from)?;
    let lesson = state.desk.decide_lesson(&auth.actor, id, decision, input.reason.as_deref()).await?;
    Ok(Json(lesson.into()))
}
