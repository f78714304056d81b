//! Surveys over HTTP (issue 16): a ticket's survey link and answer for the
//! staff, the results for the report's readers, the survey settings and the
//! active survey (administrators edit both).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use mesa_app::AppError;
use mesa_app::surveys::{GroupBy, ResultGroup, TicketSurvey, survey_path};
use mesa_core::survey::results::Figures;
use mesa_core::survey::{Question, Survey, SurveySettings};
use mesa_core::validate::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Forbidden, capabilities};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::ui::link_base;
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct SurveyAnswerOut {
    /// The survey version answered.
    survey_version: i64,
    /// Question key → `1`…`5`, `true`/`false` or text.
    #[schema(value_type = Object)]
    answers: serde_json::Value,
    answered_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketSurveyOut {
    /// The requester's survey link (no sign-in); null while the ticket is not solved.
    link: Option<String>,
    /// The link's QR code, SVG and PNG.
    qr_svg: Option<String>,
    qr_png: Option<String>,
    /// `solved` (the solved mail), `sample` (the weekly sample) or `staff`.
    origin: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    answered_at: Option<DateTime<Utc>>,
    answer: Option<SurveyAnswerOut>,
}

fn ticket_survey_out(base: &str, s: TicketSurvey) -> TicketSurveyOut {
    let link = s.token.as_deref().map(|t| format!("{base}{}", survey_path(t)));
    TicketSurveyOut {
        qr_svg: link.as_ref().map(|l| format!("{l}/qr.svg")),
        qr_png: link.as_ref().map(|l| format!("{l}/qr.png")),
        link,
        origin: s.link.as_ref().map(|l| l.origin.clone()),
        expires_at: s.link.as_ref().map(|l| l.expires_at),
        answered_at: s.link.as_ref().and_then(|l| l.answered_at),
        answer: s.answer.map(|a| SurveyAnswerOut {
            survey_version: a.survey_version,
            answers: serde_json::to_value(&a.answers).expect("answers serialise"),
            answered_at: a.answered_at,
        }),
    }
}

/// The survey of a ticket (agents and administrators): the requester's
/// signed link, made when the ticket is solved or closed and has none (to
/// show its QR code on a phone or print it), and the answer, if any.
#[utoipa::path(get, path = "/tickets/{number}/survey", tag = "surveys", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketSurveyOut), Forbidden))]
pub async fn ticket_survey(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Result<Json<TicketSurveyOut>, ApiError> {
    let survey = state.desk.ticket_survey(&auth.actor, parse_id(&number, "ticket")?).await?;
    Ok(Json(ticket_survey_out(&link_base(&state, &headers), survey)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsParams {
    /// First day (YYYY-MM-DD, the desk's time zone); default: the first of this month.
    from: Option<NaiveDate>,
    /// Last day, included; default: today.
    to: Option<NaiveDate>,
    /// `agent`, `service` or `building`; without it (or empty), only the totals.
    #[param(schema_with = capabilities::group_by)]
    group_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultGroupOut {
    /// The agent's, service's or building's id; null for links without one.
    id: Option<i64>,
    name: Option<String>,
    /// `sent`, `answered`, `response_rate`, `questions` (`key`, `answers`,
    /// `average`, `distribution`) and `comments`.
    #[schema(value_type = Object)]
    figures: Figures,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsOut {
    from: NaiveDate,
    to: NaiveDate,
    group_by: Option<&'static str>,
    /// The figures of every link made in the period.
    #[schema(value_type = Object)]
    total: Figures,
    groups: Vec<ResultGroupOut>,
}

/// Survey results for links made from `from` to `to` (administrators and
/// managers): response rate, average per question, distribution, comments.
#[utoipa::path(get, path = "/surveys/results", tag = "surveys", security(("bearer" = [])), params(ResultsParams),
    responses((status = 200, body = ResultsOut), Forbidden))]
pub async fn results(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ResultsParams>,
) -> Result<Json<ResultsOut>, ApiError> {
    let tz = state.timezone;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let to = p.to.unwrap_or(today);
    let from = p.from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
    let group_by = p
        .group_by
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(GroupBy::parse)
        .transpose()
        .map_err(AppError::from)?;
    if from > to {
        return Err(AppError::from(FieldError::new("to", "invalid", "to must not be before from")).into());
    }
    let start = |d: NaiveDate| -> DateTime<Utc> {
        let midnight = d.and_hms_opt(0, 0, 0).expect("midnight");
        tz.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    };
    let end = to.succ_opt().ok_or_else(|| ApiError::validation(Some("to"), "to is out of range"))?;
    let r = state.desk.survey_results(&auth.actor, start(from), start(end), group_by).await?;
    Ok(Json(ResultsOut {
        from,
        to,
        group_by: group_by.map(GroupBy::as_str),
        total: r.total,
        groups: r
            .groups
            .into_iter()
            .map(|g: ResultGroup| ResultGroupOut { id: g.id, name: g.name, figures: g.figures })
            .collect(),
    }))
}

/// When surveys go out and for how long links work.
#[derive(Serialize, ToSchema)]
#[serde(default)]
pub struct SurveySettingsDoc {
    /// The link goes in the solved mail.
    at_solution: bool,
    /// The automation worker samples each week (seed 001).
    weekly_sample: bool,
    /// Requesters per agent in the weekly sample (1–50; default 3).
    #[schema(minimum = 1, maximum = 50)]
    sample_per_agent: u32,
    /// Nobody is asked twice within this many days (0–366; default 30).
    #[schema(minimum = 0, maximum = 366)]
    period_days: u32,
    /// A link works this many days (1–366; default 15).
    #[schema(minimum = 1, maximum = 366)]
    expires_days: u32,
}

impl Default for SurveySettingsDoc {
    fn default() -> Self {
        let d = SurveySettings::default();
        Self {
            at_solution: d.at_solution,
            weekly_sample: d.weekly_sample,
            sample_per_agent: d.sample_per_agent,
            period_days: d.period_days,
            expires_days: d.expires_days,
        }
    }
}

/// The survey settings (administrators).
#[utoipa::path(get, path = "/settings/surveys", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, body = SurveySettingsDoc), Forbidden))]
pub async fn get_settings(State(state): State<AppState>, auth: Auth) -> Result<Json<SurveySettings>, ApiError> {
    if !auth.actor.can_manage_catalog() {
        return Err(AppError::forbidden("only administrators read the survey settings").into());
    }
    Ok(Json(state.desk.survey_settings().await?))
}

/// Replaces the survey settings (administrators).
#[utoipa::path(put, path = "/settings/surveys", tag = "surveys", security(("bearer" = [])),
    request_body = SurveySettingsDoc, responses((status = 204), Forbidden))]
pub async fn put_settings(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(settings): ApiJson<SurveySettings>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_survey_settings(&auth.actor, &settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SurveyDoc {
    /// Set by the server (read only).
    #[serde(default)]
    version: i64,
    /// Each: `key` (a-z, 0-9, _), `kind` (`scale` 1–5, `yes_no`, `text`),
    /// `required`, `es` and `en` (the wording).
    #[schema(schema_with = capabilities::questions)]
    questions: Vec<Question>,
}

/// The active survey (staff).
#[utoipa::path(get, path = "/surveys/current", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, body = SurveyDoc), Forbidden))]
pub async fn get_survey(State(state): State<AppState>, auth: Auth) -> Result<Json<SurveyDoc>, ApiError> {
    if auth.actor.role == mesa_core::Role::Requester {
        return Err(AppError::forbidden("only staff read the survey").into());
    }
    let Survey { version, questions } = state.desk.active_survey().await?;
    Ok(Json(SurveyDoc { version, questions }))
}

/// Makes a new version of the survey the active one (administrators);
/// answers keep the version they answered.
#[utoipa::path(put, path = "/surveys/current", tag = "surveys", security(("bearer" = [])),
    request_body = SurveyDoc, responses((status = 200, body = SurveyDoc), Forbidden))]
pub async fn put_survey(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(doc): ApiJson<SurveyDoc>,
) -> Result<Json<SurveyDoc>, ApiError> {
    let Survey { version, questions } = state.desk.put_survey(&auth.actor, doc.questions).await?;
    Ok(Json(SurveyDoc { version, questions }))
}
