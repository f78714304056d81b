//! Ticket routes.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mesa_app::{
    Attachment, Entry, HistoryRecord, ListQuery, MailVerdict, OpenTicket, TicketChanges, TicketPage, TicketView,
};
use mesa_app::{SlaFilter, SortOrder};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::sla::{Clock, SlaStatus};
use mesa_core::ticket::TicketText;
use mesa_core::{Channel, HoldReason, Outcome, Priority, Status, TicketType};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::contract::{Conflict, Forbidden, fields};
use crate::extract::{ApiJson, ApiMultipart, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    email: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TicketOut {
    /// The consecutive case number.
    number: i64,
    subject: String,
    description: String,
    #[serde(rename = "type")]
    ticket_type: &'static str,
    status: &'static str,
    priority: &'static str,
    service_id: Option<i64>,
    service: Option<String>,
    department_id: Option<i64>,
    department: Option<String>,
    building_id: Option<i64>,
    building: Option<String>,
    team_id: Option<i64>,
    team: Option<String>,
    level: u8,
    /// How it reached the desk: `web`, `mail`, `phone`, `walk_in` or `api`.
    channel: &'static str,
    requester: PersonOut,
    assignee: Option<PersonOut>,
    /// The assignee's e-mail (the routed one on creation), or null.
    assignee_email: Option<String>,
    contact_phone: Option<String>,
    remote_access_id: Option<String>,
    hold_reason: Option<&'static str>,
    resume_at: Option<DateTime<Utc>>,
    resolution: Option<String>,
    outcome: Option<&'static str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    solved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    /// When the first response is (or was) due, in business time.
    response_due_at: Option<DateTime<Utc>>,
    /// When the resolution is (or was) due, in business time.
    resolution_due_at: Option<DateTime<Utc>>,
    sla: SlaOut,
}

/// The state of both service-target clocks.
#[derive(Serialize, ToSchema)]
pub struct SlaOut {
    response: ClockOut,
    resolution: ClockOut,
}

#[derive(Serialize, ToSchema)]
pub struct ClockOut {
    /// `running`, `paused`, `met` or `breached`.
    state: &'static str,
    /// Past the warning share of the target while running.
    at_risk: bool,
    target_minutes: i64,
    /// Business minutes used so far.
    elapsed_minutes: i64,
    /// Business minutes left (negative once breached).
    remaining_minutes: i64,
    due_at: Option<DateTime<Utc>>,
}

impl From<&Clock> for ClockOut {
    fn from(c: &Clock) -> Self {
        Self {
            state: c.state.as_str(),
            at_risk: c.at_risk,
            target_minutes: c.target.num_minutes(),
            elapsed_minutes: c.elapsed.num_minutes(),
            remaining_minutes: c.remaining.num_minutes(),
            due_at: c.due_at,
        }
    }
}

impl From<(TicketView, SlaStatus)> for TicketOut {
    fn from((v, sla): (TicketView, SlaStatus)) -> Self {
        let t = v.ticket;
        Self {
            response_due_at: sla.response.due_at,
            resolution_due_at: sla.resolution.due_at,
            sla: SlaOut { response: (&sla.response).into(), resolution: (&sla.resolution).into() },
            number: t.number,
            subject: t.subject,
            description: t.description,
            ticket_type: t.ticket_type.as_str(),
            status: t.status.as_str(),
            priority: t.priority.as_str(),
            service_id: t.service_id,
            service: v.service_name,
            department_id: t.department_id,
            department: v.department_name,
            building_id: t.building_id,
            building: v.building_name,
            team_id: t.team_id,
            team: v.team_name,
            level: t.level.get(),
            channel: t.channel.as_str(),
            requester: PersonOut { email: v.requester_email, name: v.requester_name },
            assignee_email: v.assignee_email.clone(),
            assignee: v.assignee_email.zip(v.assignee_name).map(|(email, name)| PersonOut { email, name }),
            contact_phone: t.contact_phone,
            remote_access_id: t.remote_access_id,
            hold_reason: t.hold_reason.map(|r| r.as_str()),
            resume_at: t.resume_at,
            resolution: t.resolution,
            outcome: t.outcome.map(|o| o.as_str()),
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            solved_at: t.solved_at,
            closed_at: t.closed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    id: i64,
    author: Option<PersonOut>,
    /// Internal notes are never shown to requesters.
    internal: bool,
    body: String,
    created_at: DateTime<Utc>,
    /// For an entry that came by mail: the sender authentication verdict
    /// (`pass`, `fail`, `none`, `temperror`); `null` otherwise.
    sender_verdict: Option<String>,
}

impl From<Entry> for EntryOut {
    fn from(e: Entry) -> Self {
        Self {
            id: e.id,
            author: e.author_email.zip(e.author_name).map(|(email, name)| PersonOut { email, name }),
            internal: e.internal,
            body: e.body,
            created_at: e.created_at,
            sender_verdict: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    id: i64,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: DateTime<Utc>,
    /// Where to download it (same authorisation as the ticket).
    url: String,
}

impl From<Attachment> for AttachmentOut {
    fn from(a: Attachment) -> Self {
        Self {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// A ticket with its thread and attachments (internal notes only for staff).
#[derive(Serialize, ToSchema)]
pub struct TicketPageOut {
    #[serde(flatten)]
    ticket: TicketOut,
    thread: Vec<EntryOut>,
    attachments: Vec<AttachmentOut>,
    /// For a ticket opened by mail: the sender authentication verdict of
    /// that mail; `null` otherwise.
    sender_verdict: Option<String>,
    /// The device the ticket is about (issue 15), or null.
    asset_id: Option<i64>,
}

impl TicketPageOut {
    /// The page with the sender verdicts of the mails it came from.
    fn new(p: TicketPage, verdicts: &[MailVerdict]) -> Self {
        let verdict_of = |entry: Option<i64>| verdicts.iter().find(|v| v.entry_id == entry)?.verdict.clone();
        Self {
            sender_verdict: verdict_of(None),
            ticket: (p.view, p.sla).into(),
            thread: p
                .entries
                .into_iter()
                .map(|e| {
                    let sender_verdict = verdict_of(Some(e.id));
                    EntryOut { sender_verdict, ..e.into() }
                })
                .collect(),
            attachments: p.attachments.into_iter().map(Into::into).collect(),
            asset_id: None,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewTicketIn {
    #[schema(schema_with = fields::subject)]
    subject: String,
    #[schema(schema_with = fields::description)]
    description: String,
    /// `incident`, `service_request`, `maintenance` or `security_incident`;
    /// defaults to the service's type, else `incident`.
    #[serde(rename = "type")]
    #[schema(schema_with = fields::ticket_type)]
    ticket_type: Option<String>,
    /// `low`, `medium` (default), `high` or `critical`.
    #[schema(schema_with = fields::priority)]
    priority: Option<String>,
    #[schema(minimum = 1)]
    service_id: Option<i64>,
    #[schema(minimum = 1)]
    department_id: Option<i64>,
    #[schema(minimum = 1)]
    building_id: Option<i64>,
    #[schema(schema_with = fields::phone)]
    contact_phone: Option<String>,
    #[schema(schema_with = fields::remote_access_id)]
    remote_access_id: Option<String>,
    /// Agents and admins only: open on behalf of this person (created as a
    /// requester if unknown).
    #[schema(schema_with = fields::optional_email)]
    requester_email: Option<String>,
    #[schema(schema_with = fields::optional_name)]
    requester_name: Option<String>,
    /// The device the ticket is about (issue 15): a requester picks one
    /// assigned to them.
    #[schema(minimum = 1)]
    asset_id: Option<i64>,
    /// How the request reached the desk; default `api`. Staff opening on
    /// behalf of someone may say `phone` or `walk_in`.
    #[schema(schema_with = fields::channel)]
    channel: Option<String>,
}

fn parsed<T>(
    value: Option<&str>,
    parse: fn(&str) -> Result<T, mesa_core::validate::FieldError>,
) -> Result<Option<T>, ApiError> {
    Ok(value.map(parse).transpose()?)
}

/// Opens a ticket.
#[utoipa::path(post, path = "/tickets", tag = "tickets", security(("bearer" = [])), request_body = NewTicketIn,
    responses((status = 201, body = TicketOut), Forbidden))]
pub async fn create_ticket(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewTicketIn>,
) -> Result<(StatusCode, Json<TicketOut>), ApiError> {
    let text = TicketText::parse(
        &input.subject,
        &input.description,
        input.contact_phone.as_deref(),
        input.remote_access_id.as_deref(),
    )?;
    let open = OpenTicket {
        text,
        ticket_type: parsed(input.ticket_type.as_deref(), TicketType::parse)?,
        priority: parsed(input.priority.as_deref(), Priority::parse)?,
        service_id: input.service_id,
        department_id: input.department_id,
        building_id: input.building_id,
        requester_email: input.requester_email,
        requester_name: input.requester_name,
        channel: Some(parsed(input.channel.as_deref(), Channel::parse)?.unwrap_or(Channel::Api)),
    };
    if let Some(asset_id) = input.asset_id {
        state.desk.check_asset_choice(&auth.actor, asset_id).await?;
    }
    let view = state.desk.open_ticket(&auth.user, open).await?;
    if let Some(asset_id) = input.asset_id {
        state.desk.set_ticket_asset(&auth.actor, view.ticket.number, Some(asset_id)).await?;
    }
    Ok((StatusCode::CREATED, Json(state.desk.with_new_sla(view).await?.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// One status or several separated by commas (`new,assigned`).
    #[param(schema_with = fields::status_filter)]
    status: Option<String>,
    /// Full-text search over subject, description and thread; accents and case do not matter.
    q: Option<String>,
    /// `me`, `none` (unassigned) or an e-mail address.
    #[param(schema_with = fields::assignee_filter)]
    assignee: Option<String>,
    /// From 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    page: Option<u32>,
    /// 1 to 100, default 25.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// `breached` or `at_risk`: tickets whose running clocks are past their
    /// target, or past the warning share.
    #[param(schema_with = fields::sla_filter)]
    sla: Option<String>,
    /// `newest` (default), `oldest`, or `due` (soonest resolution due first).
    #[param(schema_with = fields::sort_order)]
    sort: Option<String>,
    /// `true`: only the tickets waiting for the caller's authorisation ("Por autorizar").
    awaiting_authorization: Option<bool>,
    /// Only the tickets that came by this channel.
    #[param(schema_with = fields::channel_filter)]
    channel: Option<String>,
    /// Only the tickets on hold for this reason: `vendor`, `warranty`,
    /// `requester`, `authorization` or `other`.
    #[param(schema_with = fields::hold_reason_filter)]
    hold_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketList {
    items: Vec<TicketOut>,
    /// How many tickets match. A search (`q`) counts up to 1,000 matches:
    /// when more match, `total` is 1,000 and `total_exact` is false.
    total: i64,
    /// False when more than `total` tickets match.
    total_exact: bool,
}

/// Lists tickets, newest first. Requesters see only their own.
#[utoipa::path(get, path = "/tickets", tag = "tickets", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = TicketList)))]
pub async fn list_tickets(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<TicketList>, ApiError> {
    let statuses = params
        .status
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Status::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let sla = SlaFilter::parse_param(params.sla.as_deref())?;
    let sort = SortOrder::parse_param(params.sort.as_deref())?;
    let query = ListQuery {
        statuses,
        q: params.q,
        assignee: params.assignee,
        page: params.page,
        per_page: params.per_page,
        sla,
        sort,
        awaiting_my_authorization: params.awaiting_authorization.unwrap_or(false),
        channel: parsed(params.channel.as_deref().filter(|c| !c.is_empty()), Channel::parse)?,
        hold_reason: parsed(params.hold_reason.as_deref().filter(|r| !r.is_empty()), HoldReason::parse)?,
        ..ListQuery::default()
    };
    let (items, total) = state.desk.list_tickets(&auth.actor, query).await?;
    let items = items.into_iter().map(Into::into).collect();
    Ok(Json(TicketList { items, total: total.count, total_exact: total.exact }))
}

/// A ticket with its thread and attachments.
#[utoipa::path(get, path = "/tickets/{number}", tag = "tickets", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketPageOut)))]
pub async fn get_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<TicketPageOut>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let page = state.desk.ticket(&auth.actor, number).await?;
    let verdicts = state.desk.mail_verdicts(&page).await?;
    let asset_id = state.desk.ticket_asset(&auth.actor, number).await?;
    Ok(Json(TicketPageOut { asset_id, ..TicketPageOut::new(page, &verdicts) }))
}

#[derive(Deserialize, ToSchema)]
pub struct TicketPatch {
    #[schema(schema_with = fields::priority)]
    priority: Option<String>,
    #[serde(rename = "type")]
    #[schema(schema_with = fields::ticket_type)]
    ticket_type: Option<String>,
    /// 1 to 3.
    #[schema(minimum = 1, maximum = 3)]
    level: Option<i64>,
    /// A service id, or `null` to remove the service (absent: unchanged).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    service_id: Option<Option<i64>>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Reclassifies a ticket (staff only); its service targets are recomputed.
#[utoipa::path(patch, path = "/tickets/{number}", tag = "tickets", security(("bearer" = [])), request_body = TicketPatch,
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketOut), Forbidden, Conflict))]
pub async fn patch_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<TicketPatch>,
) -> Result<Json<TicketOut>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let changes = TicketChanges {
        priority: parsed(input.priority.as_deref(), Priority::parse)?,
        ticket_type: parsed(input.ticket_type.as_deref(), TicketType::parse)?,
        level: input.level,
        service_id: input.service_id,
    };
    let view = state.desk.update_ticket(&auth.actor, number, changes).await?;
    Ok(Json(state.desk.with_sla(view).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyIn {
    #[schema(schema_with = fields::body)]
    body: String,
    /// An internal note (agents and admins only).
    #[serde(default)]
    internal: bool,
}

/// Adds a public reply or an internal note.
#[utoipa::path(post, path = "/tickets/{number}/replies", tag = "tickets", security(("bearer" = [])), request_body = ReplyIn,
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 201, body = EntryOut), Forbidden, Conflict))]
pub async fn add_reply(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<ReplyIn>,
) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    let entry = state.desk.reply(&auth.actor, parse_id(&number, "ticket")?, &input.body, input.internal).await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignIn {
    #[schema(schema_with = fields::email)]
    assignee_email: String,
    /// Required when the ticket already has another assignee: `absence`,
    /// `competence`, `direct_order` or `other` (seed 001).
    criterion: Option<String>,
    /// The comment; required when the ticket already has another assignee.
    #[schema(schema_with = fields::reason)]
    reason: Option<String>,
}

/// Assigns the ticket to an agent or administrator.
#[utoipa::path(post, path = "/tickets/{number}/assign", tag = "tickets", security(("bearer" = [])), request_body = AssignIn,
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketOut), Forbidden, Conflict))]
pub async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<AssignIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let view = state
        .desk
        .assign(&auth.actor, number, &input.assignee_email, input.criterion.as_deref(), input.reason.as_deref())
        .await?;
    Ok(Json(state.desk.with_sla(view).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionIn {
    /// The new status.
    #[schema(schema_with = fields::status)]
    to: String,
    /// For `on_hold`: `vendor`, `warranty`, `requester`, `authorization` or
    /// `other`. When rejecting a solution or reopening: why.
    #[schema(schema_with = fields::reason)]
    reason: Option<String>,
    /// For `solved`: what was done.
    #[schema(schema_with = fields::resolution)]
    resolution: Option<String>,
    /// For `solved`: `solved` (default) or `not_solved`.
    #[schema(schema_with = fields::outcome)]
    outcome: Option<String>,
    /// For `on_hold`: when to resume.
    resume_at: Option<DateTime<Utc>>,
}

/// Moves the ticket to another status.
#[utoipa::path(post, path = "/tickets/{number}/transitions", tag = "tickets", security(("bearer" = [])),
    request_body = TransitionIn, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketOut), Forbidden, Conflict))]
pub async fn transition(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<TransitionIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let input = TransitionInput {
        to: Some(Status::parse(&input.to).map_err(|e| mesa_core::validate::FieldError { field: "to", ..e })?),
        reason: input.reason,
        resolution: input.resolution,
        outcome: parsed(input.outcome.as_deref(), Outcome::parse)?,
        resume_at: input.resume_at,
    };
    let view = state.desk.transition(&auth.actor, number, input).await?;
    Ok(Json(state.desk.with_sla(view).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    id: i64,
    actor: Option<String>,
    field: String,
    before: Option<String>,
    after: Option<String>,
    at: DateTime<Utc>,
}

impl From<HistoryRecord> for HistoryOut {
    fn from(h: HistoryRecord) -> Self {
        Self {
            id: h.id,
            actor: h.actor_name,
            field: h.field,
            before: h.before_value,
            after: h.after_value,
            at: h.created_at,
        }
    }
}

/// Every change to the ticket, oldest first (internal lines only for staff).
#[utoipa::path(get, path = "/tickets/{number}/history", tag = "tickets", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = Vec<HistoryOut>)))]
pub async fn history(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<Vec<HistoryOut>>, ApiError> {
    let records = state.desk.history(&auth.actor, parse_id(&number, "ticket")?).await?;
    Ok(Json(records.into_iter().map(Into::into).collect()))
}

/// Uploads, with a body limit sized for one attachment, and downloads.
pub fn attachment_routes(max_attachment_bytes: usize) -> OpenApiRouter<AppState> {
    let upload_limit = DefaultBodyLimit::max(max_attachment_bytes.saturating_add(64 * 1024));
    OpenApiRouter::new().routes(routes!(upload)).layer(upload_limit).routes(routes!(download))
}

/// The upload form, for the document: one or more parts named `file`, and
/// no other.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Multipart upload; every part named `file` becomes an attachment.
#[utoipa::path(post, path = "/tickets/{number}/attachments", tag = "tickets", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "one or more parts named `file`"),
    responses((status = 201, body = Vec<AttachmentOut>), Forbidden, Conflict))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<(StatusCode, Json<Vec<AttachmentOut>>), ApiError> {
    let number = parse_id(&number, "ticket")?;
    // Every part is read before any is kept: an upload is all or nothing.
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            return Err(ApiError::validation(Some("file"), "send only parts named `file`"));
        }
        let filename = field.file_name().unwrap_or("archivo").to_owned();
        let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
        let bytes = field.bytes().await.map_err(multipart_error)?;
        files.push(mesa_app::NewFile { filename, content_type, bytes: bytes.to_vec() });
    }
    if files.is_empty() {
        return Err(ApiError::validation(Some("file"), "send at least one part named `file`"));
    }
    let saved = state.desk.attach_all(&auth.actor, number, files).await?.into_iter().map(Into::into).collect();
    Ok((StatusCode::CREATED, Json(saved)))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the upload is larger than the attachment limit")
    } else {
        ApiError::malformed(e.body_text())
    }
}

/// Downloads an attachment, always as a download (never rendered inline, so
/// an uploaded HTML or SVG file cannot run in Mesa's origin).
#[utoipa::path(get, path = "/attachments/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "attachment id")),
    responses((status = 200, description = "the file's bytes")))]
pub async fn download(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (att, bytes) = state.desk.attachment(&auth.actor, parse_id(&id, "attachment")?).await?;
    let content_type =
        HeaderValue::from_str(&att.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{}", percent_encode(&att.filename)))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600")),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987 encoding for a file name in a header.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
