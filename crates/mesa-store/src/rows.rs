//! Rows as the database returns them, and their conversion into domain types.

use chrono::{DateTime, Utc};
use mesa_core::sla::SlaStamp;
use mesa_core::ticket::Level;
use mesa_core::{Channel, Email, HoldReason, Lang, Outcome, Priority, Role, Status, Ticket, TicketType, User};

use crate::StoreResult;

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    pub phone: Option<String>,
    pub level: i32,
    pub language: String,
    pub active: bool,
    pub dispatcher: bool,
}

pub(crate) const USER_COLUMNS: &str =
    "id, email, name, role, department_id, building_id, team_id, phone, level, language, active, dispatcher";
/// The same columns, for queries that join `users u`.
pub(crate) const USER_COLUMNS_U: &str = "u.id, u.email, u.name, u.role, u.department_id, u.building_id, u.team_id, u.phone, u.level, u.language, u.active, \
     u.dispatcher";

impl TryFrom<UserRow> for User {
    type Error = crate::StoreError;
    fn try_from(r: UserRow) -> StoreResult<User> {
        Ok(User {
            id: r.id,
            email: Email::parse(&r.email)?,
            name: r.name,
            role: r.role.parse::<Role>()?,
            department_id: r.department_id,
            building_id: r.building_id,
            team_id: r.team_id,
            phone: r.phone,
            level: Level::new(r.level.into())?,
            language: Lang::from_code(&r.language),
            active: r.active,
            dispatcher: r.dispatcher,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub description: String,
    #[sqlx(rename = "type")]
    pub ticket_type: String,
    pub status: String,
    pub priority: String,
    pub service_id: Option<i64>,
    pub requester_id: i64,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub contact_phone: Option<String>,
    pub remote_access_id: Option<String>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub level: i32,
    pub hold_reason: Option<String>,
    pub resume_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub status_since: Option<DateTime<Utc>>,
    pub response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub response_warn_at: Option<DateTime<Utc>>,
    pub resolution_warn_at: Option<DateTime<Utc>>,
    pub sla_paused: bool,
    pub channel: String,
}

impl TicketRow {
    pub fn stamp(&self) -> SlaStamp {
        SlaStamp {
            response_due_at: self.response_due_at,
            resolution_due_at: self.resolution_due_at,
            response_warn_at: self.response_warn_at,
            resolution_warn_at: self.resolution_warn_at,
            paused: self.sla_paused,
        }
    }
}

impl TryFrom<TicketRow> for Ticket {
    type Error = crate::StoreError;
    fn try_from(r: TicketRow) -> StoreResult<Ticket> {
        Ok(Ticket {
            id: r.id,
            number: r.number,
            subject: r.subject,
            description: r.description,
            ticket_type: TicketType::parse(&r.ticket_type)?,
            status: Status::parse(&r.status)?,
            priority: Priority::parse(&r.priority)?,
            service_id: r.service_id,
            requester_id: r.requester_id,
            department_id: r.department_id,
            building_id: r.building_id,
            contact_phone: r.contact_phone,
            remote_access_id: r.remote_access_id,
            assignee_id: r.assignee_id,
            team_id: r.team_id,
            level: Level::new(r.level.into())?,
            channel: Channel::parse(&r.channel)?,
            hold_reason: r.hold_reason.as_deref().map(HoldReason::parse).transpose()?,
            resume_at: r.resume_at,
            resolution: r.resolution,
            outcome: r.outcome.as_deref().map(Outcome::parse).transpose()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
            first_response_at: r.first_response_at,
            solved_at: r.solved_at,
            closed_at: r.closed_at,
            status_since: r.status_since.unwrap_or(r.updated_at),
            version: r.version,
        })
    }
}
