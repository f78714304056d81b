//! The management report and the BI feed (issue 17).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use mesa_app::reports::{FEED_PAGE, FeedTicket, ReportQuery};
use mesa_app::{AppError, ReportFilter};
use mesa_core::Actor;
use mesa_core::report::{Compliance, NamedCount, Period, Summary, TimeFigures};
use mesa_core::validate::FieldError;
use mesa_core::{Channel, TicketType};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Forbidden, fields};
use crate::extract::{ApiQuery, FeedAuth};
use crate::{ApiError, AppState};

/// A report's period and filters (every filter optional).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// First day (YYYY-MM-DD, the desk's time zone); default: the first day of last month.
    pub from: Option<NaiveDate>,
    /// Last day, included; default: the last day of last month (or `from` when later).
    pub to: Option<NaiveDate>,
    #[param(minimum = 1)]
    pub service_id: Option<i64>,
    /// A ticket type.
    #[serde(rename = "type")]
    #[param(schema_with = fields::ticket_type_filter)]
    pub ticket_type: Option<String>,
    #[param(minimum = 1)]
    pub building_id: Option<i64>,
    #[param(minimum = 1)]
    pub department_id: Option<i64>,
    #[param(minimum = 1)]
    pub team_id: Option<i64>,
    /// The assignee's user id.
    #[param(minimum = 1)]
    pub agent_id: Option<i64>,
    #[param(minimum = 1, maximum = 3)]
    pub level: Option<i64>,
    #[param(schema_with = fields::channel_filter)]
    pub channel: Option<String>,
}

impl SummaryParams {
    /// The query these parameters ask for; the period defaults to last
    /// month in the desk's time zone.
    pub async fn query(&self, state: &AppState) -> Result<ReportQuery, AppError> {
        let period = match (self.from, self.to) {
            (Some(from), Some(to)) => Period::new(from, to)?,
            (from, to) => {
                let (from, to) = (from.map(|d| d.to_string()), to.map(|d| d.to_string()));
                state.desk.report_period(from.as_deref(), to.as_deref()).await?
            }
        };
        let choice = |raw: &Option<String>| raw.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
        let filter = ReportFilter {
            service_id: self.service_id,
            ticket_type: choice(&self.ticket_type).as_deref().map(TicketType::parse).transpose()?,
            building_id: self.building_id,
            department_id: self.department_id,
            team_id: self.team_id,
            agent_id: self.agent_id,
            level: self.level,
            channel: choice(&self.channel).as_deref().map(Channel::parse).transpose()?,
        };
        Ok(ReportQuery { period, filter })
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportCountsOut {
    /// Opened in the period.
    opened: i64,
    /// Solved in the period.
    solved: i64,
    /// Closed in the period.
    closed: i64,
    /// Neither solved nor closed when the period starts.
    backlog_start: i64,
    /// Neither solved nor closed when the period ends.
    backlog_end: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NamedCountOut {
    /// A row's name (service, building, department, team, agent; `none` for
    /// tickets without one) or a stable value (`new`, `incident`, `2`, `mail`).
    name: String,
    /// The row's id; null for `none` and the enumerated dimensions.
    id: Option<i64>,
    count: i64,
}

impl From<NamedCount> for NamedCountOut {
    fn from(n: NamedCount) -> Self {
        Self { name: n.name, id: n.id, count: n.count }
    }
}

/// The tickets opened in the period, counted by each dimension.
#[derive(Serialize, ToSchema, Default)]
pub struct BreakdownsOut {
    status: Vec<NamedCountOut>,
    #[serde(rename = "type")]
    ticket_type: Vec<NamedCountOut>,
    service: Vec<NamedCountOut>,
    building: Vec<NamedCountOut>,
    department: Vec<NamedCountOut>,
    team: Vec<NamedCountOut>,
    agent: Vec<NamedCountOut>,
    level: Vec<NamedCountOut>,
    channel: Vec<NamedCountOut>,
}

/// Business hours (the desk calendar), two decimals; null when none was measured.
#[derive(Serialize, ToSchema)]
pub struct TimesOut {
    /// How many tickets were measured.
    count: u64,
    median_hours: Option<f64>,
    /// The 90th percentile (nearest rank).
    p90_hours: Option<f64>,
}

impl From<TimeFigures> for TimesOut {
    fn from(f: TimeFigures) -> Self {
        Self { count: f.count, median_hours: f.median_hours(), p90_hours: f.p90_hours() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClockComplianceOut {
    met: i64,
    missed: i64,
    /// met / (met + missed), in percent with one decimal; null when none was judged.
    percent: Option<f64>,
}

impl From<Compliance> for ClockComplianceOut {
    fn from(c: Compliance) -> Self {
        Self { met: c.met, missed: c.missed, percent: c.percent() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TargetOut {
    /// The target's service; null for the default targets.
    service: Option<String>,
    priority: &'static str,
    /// Tickets opened in the period under this target.
    tickets: i64,
    response: ClockComplianceOut,
    resolution: ClockComplianceOut,
}

#[derive(Serialize, ToSchema)]
pub struct VendorComplianceOut {
    vendor: String,
    contract: String,
    escalations: i64,
    response: ClockComplianceOut,
    resolution: ClockComplianceOut,
}

#[derive(Serialize, ToSchema)]
pub struct MaintenanceOut {
    plan: String,
    counts: super::maintenance::CountsOut,
}

#[derive(Serialize, ToSchema)]
pub struct ActionLineOut {
    id: i64,
    /// The indicator's code.
    indicator: String,
    /// The month it answers, `YYYY-MM`.
    month: String,
    what: String,
    owner: String,
    due_date: NaiveDate,
    /// `open`, `done` or `verified`.
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct DayOut {
    day: NaiveDate,
    opened: i64,
    solved: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryOut {
    institution: String,
    from: NaiveDate,
    to: NaiveDate,
    counts: ReportCountsOut,
    breakdowns: BreakdownsOut,
    /// Of the tickets opened in the period.
    first_response: TimesOut,
    /// Of the tickets solved in the period (opened → solved).
    resolution: TimesOut,
    /// Service-target compliance of the tickets opened in the period.
    targets: Vec<TargetOut>,
    /// Routing decisions in the period by criterion (`security`, `rule`,
    /// `building`, `department`, `team`, `level`, `no_team`).
    assignments_by_criterion: Vec<NamedCountOut>,
    /// Reassignments in the period by the criterion given (`absence`,
    /// `competence`, `direct_order`, `other`).
    reassignments_by_criterion: Vec<NamedCountOut>,
    /// Changes of assignee away from someone in the period.
    reassignments: i64,
    escalations: i64,
    de_escalations: i64,
    /// Vendor contracts' compliance (all escalations to date).
    vendors: Vec<VendorComplianceOut>,
    /// Preventive maintenance: per plan with occurrences due in the period
    /// (of the team filtered, if any), how they stand.
    maintenance: Vec<MaintenanceOut>,
    /// Improvement actions not verified yet, or verified in the period.
    improvement_actions: Vec<ActionLineOut>,
    /// Survey results of the links made in the period (`sent`, `answered`,
    /// `response_rate`, `questions`); null for agents.
    #[schema(value_type = Option<Object>)]
    surveys: Option<mesa_core::survey::results::Figures>,
    days: Vec<DayOut>,
}

impl From<Summary> for SummaryOut {
    fn from(s: Summary) -> Self {
        let mut breakdowns = BreakdownsOut::default();
        for (dimension, lines) in s.breakdowns {
            use mesa_core::report::Dimension as D;
            let lines = lines.into_iter().map(Into::into).collect();
            match dimension {
                D::Status => breakdowns.status = lines,
                D::Type => breakdowns.ticket_type = lines,
                D::Service => breakdowns.service = lines,
                D::Building => breakdowns.building = lines,
                D::Department => breakdowns.department = lines,
                D::Team => breakdowns.team = lines,
                D::Agent => breakdowns.agent = lines,
                D::Level => breakdowns.level = lines,
                D::Channel => breakdowns.channel = lines,
            }
        }
        Self {
            institution: s.institution,
            from: s.period.from,
            to: s.period.to,
            counts: ReportCountsOut {
                opened: s.counts.opened,
                solved: s.counts.solved,
                closed: s.counts.closed,
                backlog_start: s.counts.backlog_start,
                backlog_end: s.counts.backlog_end,
            },
            breakdowns,
            first_response: s.first_response.into(),
            resolution: s.resolution.into(),
            targets: s
                .targets
                .into_iter()
                .map(|t| TargetOut {
                    service: t.service,
                    priority: t.priority.as_str(),
                    tickets: t.tickets,
                    response: t.response.into(),
                    resolution: t.resolution.into(),
                })
                .collect(),
            assignments_by_criterion: s.assignments_by_criterion.into_iter().map(Into::into).collect(),
            reassignments_by_criterion: s.reassignments_by_criterion.into_iter().map(Into::into).collect(),
            reassignments: s.reassignments,
            escalations: s.escalations,
            de_escalations: s.de_escalations,
            vendors: s
                .vendors
                .into_iter()
                .map(|v| VendorComplianceOut {
                    vendor: v.vendor,
                    contract: v.contract,
                    escalations: v.escalations,
                    response: v.response.into(),
                    resolution: v.resolution.into(),
                })
                .collect(),
            maintenance: s
                .maintenance
                .into_iter()
                .map(|m| MaintenanceOut { plan: m.plan, counts: m.counts.into() })
                .collect(),
            improvement_actions: s
                .improvement_actions
                .into_iter()
                .map(|a| ActionLineOut {
                    id: a.id,
                    indicator: a.indicator,
                    month: a.month,
                    what: a.what,
                    owner: a.owner,
                    due_date: a.due,
                    status: a.status,
                })
                .collect(),
            surveys: s.surveys,
            days: s.days.into_iter().map(|d| DayOut { day: d.day, opened: d.opened, solved: d.solved }).collect(),
        }
    }
}

/// The management report of a period (staff, managers and `feed` tokens):
/// counts, breakdowns, business-hour times, compliance, routing, surveys.
#[utoipa::path(get, path = "/reports/summary", tag = "reports", security(("bearer" = [])), params(SummaryParams),
    responses((status = 200, body = SummaryOut), Forbidden))]
pub async fn summary(
    State(state): State<AppState>,
    auth: FeedAuth,
    ApiQuery(params): ApiQuery<SummaryParams>,
) -> Result<Json<SummaryOut>, ApiError> {
    let query = params.query(&state).await?;
    Ok(Json(state.desk.report_summary(&auth.actor, &query).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only tickets changed at or after this instant (RFC 3339) or day
    /// (YYYY-MM-DD, from midnight UTC); default: every ticket.
    #[param(pattern = r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?$")]
    since: Option<String>,
}

fn parse_since(raw: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    let raw = raw.unwrap_or("");
    if raw.is_empty() {
        return Ok(DateTime::<Utc>::UNIX_EPOCH);
    }
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        AppError::from(FieldError::new("since", "invalid", "since must be YYYY-MM-DD or an RFC 3339 instant")).into()
    })
}

/// One ticket of the feed, as both formats write it.
#[derive(Serialize, ToSchema)]
pub struct FeedTicketOut {
    number: i64,
    #[serde(rename = "type")]
    ticket_type: String,
    status: String,
    priority: String,
    channel: String,
    level: i32,
    service: Option<String>,
    department: Option<String>,
    building: Option<String>,
    team: Option<String>,
    /// The assignee's name.
    agent: Option<String>,
    /// `solved` or `not_solved` once solved.
    outcome: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    solved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    /// Business minutes (desk calendar) from opening to the first response.
    first_response_minutes: Option<i64>,
    /// Business minutes from opening to the solution.
    resolution_minutes: Option<i64>,
}

impl From<FeedTicket> for FeedTicketOut {
    fn from(t: FeedTicket) -> Self {
        let r = t.row;
        Self {
            number: r.number,
            ticket_type: r.ticket_type,
            status: r.status,
            priority: r.priority,
            channel: r.channel,
            level: r.level,
            service: r.service,
            department: r.department,
            building: r.building,
            team: r.team,
            agent: r.agent,
            outcome: r.outcome,
            created_at: r.created_at,
            updated_at: r.updated_at,
            first_response_at: r.first_response_at,
            solved_at: r.solved_at,
            closed_at: r.closed_at,
            first_response_minutes: t.first_response_minutes,
            resolution_minutes: t.resolution_minutes,
        }
    }
}

/// The CSV columns, in order (the names of [`FeedTicketOut`]'s fields).
const FEED_COLUMNS: [&str; 19] = [
    "number",
    "type",
    "status",
    "priority",
    "channel",
    "level",
    "service",
    "department",
    "building",
    "team",
    "agent",
    "outcome",
    "created_at",
    "updated_at",
    "first_response_at",
    "solved_at",
    "closed_at",
    "first_response_minutes",
    "resolution_minutes",
];

fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
        .collect();
    format!("{}\r\n", quoted.join(","))
}

fn csv_row(t: FeedTicketOut) -> String {
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let opt = |s: Option<String>| s.unwrap_or_default();
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    csv_line(&[
        t.number.to_string(),
        t.ticket_type,
        t.status,
        t.priority,
        t.channel,
        t.level.to_string(),
        opt(t.service),
        opt(t.department),
        opt(t.building),
        opt(t.team),
        opt(t.agent),
        opt(t.outcome),
        t.created_at.to_rfc3339(),
        t.updated_at.to_rfc3339(),
        time(t.first_response_at),
        time(t.solved_at),
        time(t.closed_at),
        num(t.first_response_minutes),
        num(t.resolution_minutes),
    ])
}

#[derive(Clone, Copy, PartialEq)]
enum FeedFormat {
    Csv,
    Json,
}

/// Where the feed's stream stands: the last id written, how many rows so
/// far, and whether it has ended.
struct FeedCursor {
    after: i64,
    rows: u64,
    done: bool,
}

/// The feed, written a page at a time as the client reads it: the body is a
/// stream, so a year of tickets never sits in memory. A failure after the
/// first page ends the body early (the status line is already sent).
fn feed_response(state: AppState, actor: Actor, since: DateTime<Utc>, format: FeedFormat) -> Response {
    use futures_util::StreamExt;
    let start = FeedCursor { after: 0, rows: 0, done: false };
    let pages = futures_util::stream::unfold(start, move |cursor| {
        let state = state.clone();
        async move {
            if cursor.done {
                return None;
            }
            let page = match state.desk.feed_page(&actor, since, cursor.after, FEED_PAGE).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "the feed stopped");
                    return Some((Err(std::io::Error::other(e.to_string())), FeedCursor { done: true, ..cursor }));
                }
            };
            let mut next = FeedCursor {
                after: page.last().map_or(cursor.after, |t| t.row.id),
                rows: cursor.rows,
                done: (page.len() as i64) < FEED_PAGE,
            };
            let mut chunk = String::new();
            if cursor.rows == 0 && cursor.after == 0 {
                match format {
                    FeedFormat::Csv => chunk.push_str(&csv_line(&FEED_COLUMNS.map(str::to_owned))),
                    FeedFormat::Json => chunk.push_str("{\"items\":["),
                }
            }
            for t in page {
                let out = FeedTicketOut::from(t);
                match format {
                    FeedFormat::Csv => chunk.push_str(&csv_row(out)),
                    FeedFormat::Json => {
                        if next.rows > 0 {
                            chunk.push(',');
                        }
                        chunk.push_str(&serde_json::to_string(&out).expect("a feed row serialises"));
                    }
                }
                next.rows += 1;
            }
            if next.done && format == FeedFormat::Json {
                chunk.push_str("]}");
            }
            Some((Ok(axum::body::Bytes::from(chunk)), next))
        }
    });
    let content_type = match format {
        FeedFormat::Csv => "text/csv; charset=utf-8",
        FeedFormat::Json => "application/json",
    };
    ([(header::CONTENT_TYPE, content_type)], Body::from_stream(pages.boxed())).into_response()
}

/// The BI feed as CSV: one line per ticket (its dimensions and times, no
/// free text), streamed in id order. Staff, managers and `feed` tokens.
#[utoipa::path(get, path = "/feed/tickets.csv", tag = "reports", security(("bearer" = [])), params(FeedParams),
    responses((status = 200, content_type = "text/csv", body = String), Forbidden))]
pub async fn feed_csv(
    State(state): State<AppState>,
    auth: FeedAuth,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> Result<Response, ApiError> {
    feed(state, auth, params, FeedFormat::Csv).await
}

#[derive(Serialize, ToSchema)]
pub struct FeedOut {
    items: Vec<FeedTicketOut>,
}

/// The BI feed as JSON (`{"items":[…]}`), streamed in id order.
#[utoipa::path(get, path = "/feed/tickets.json", tag = "reports", security(("bearer" = [])), params(FeedParams),
    responses((status = 200, body = FeedOut), Forbidden))]
pub async fn feed_json(
    State(state): State<AppState>,
    auth: FeedAuth,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> Result<Response, ApiError> {
    feed(state, auth, params, FeedFormat::Json).await
}

async fn feed(state: AppState, auth: FeedAuth, params: FeedParams, format: FeedFormat) -> Result<Response, ApiError> {
    let since = parse_since(params.since.as_deref())?;
    // The first page is read here, so a refusal is a plain error answer.
    state.desk.feed_page(&auth.actor, since, 0, 1).await?;
    Ok(feed_response(state, auth.actor, since, format))
}
