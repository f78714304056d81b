//! Ticket use cases: open, read, list, reply, assign, move, attach.

use chrono::{DateTime, Utc};
use mesa_core::courtesy::only_thanks;
use mesa_core::lifecycle::{self, Change, TransitionInput};
use mesa_core::sla::{SlaStamp, SlaStatus};
use mesa_core::ticket::{Level, TicketText, limits};
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_core::{Actor, Channel, Email, Priority, Role, Status, Ticket, TicketType, User, search};
use mesa_store::{
    Attachment, Directory, Entry, HistoryRecord, MailWrites, NewAttachment, NewEntry, NewTicket, NewUser, Service,
    SlaFilter, SortOrder, StatusRecord, StoreError, TicketFilter, TicketUpdate, TicketView, Total,
};

use crate::mail::Notice;
use crate::{AppError, AppResult, Desk};

/// What someone fills in to open a ticket (any channel).
#[derive(Debug, Clone)]
pub struct OpenTicket {
    /// Subject, description and contact details, checked by the adapter
    /// that read them.
    pub text: TicketText,
    pub ticket_type: Option<TicketType>,
    pub priority: Option<Priority>,
    pub service_id: Option<i64>,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    /// Staff only: open on behalf of this person (created if unknown).
    pub requester_email: Option<String>,
    pub requester_name: Option<String>,
    /// How it reached the desk; `None`: `mail` for a ticket made from a
    /// message, else `web`. Only staff may say `phone` or `walk_in`.
    pub channel: Option<Channel>,
}

impl OpenTicket {
    /// A request with this text and nothing else chosen.
    pub fn new(text: TicketText) -> Self {
        Self {
            text,
            ticket_type: None,
            priority: None,
            service_id: None,
            department_id: None,
            building_id: None,
            requester_email: None,
            requester_name: None,
            channel: None,
        }
    }
}

/// Fields staff may change on a ticket; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub priority: Option<Priority>,
    pub ticket_type: Option<TicketType>,
    pub level: Option<i64>,
    /// `Some(None)` removes the service.
    pub service_id: Option<Option<i64>>,
}

/// A file sent with a request, before it is checked and kept.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A ticket with what its page shows, filtered for the viewer.
pub struct TicketPage {
    pub view: TicketView,
    pub sla: SlaStatus,
    pub entries: Vec<Entry>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub statuses: Vec<Status>,
    pub q: Option<String>,
    /// `me`, `none`, or an e-mail address.
    pub assignee: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    pub sla: Option<SlaFilter>,
    pub sort: SortOrder,
    pub priority: Option<Priority>,
    pub service_id: Option<i64>,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Only the tickets waiting for the actor's authorisation ("Por autorizar").
    pub awaiting_my_authorization: bool,
    pub channel: Option<Channel>,
    /// Only the tickets on hold for this reason.
    pub hold_reason: Option<mesa_core::HoldReason>,
}

pub const MAX_PER_PAGE: u32 = 100;
const DEFAULT_PER_PAGE: u32 = 25;
/// How many times a change is retried when another one won the race.
pub(crate) const WRITE_ATTEMPTS: u32 = 12;

/// A ticket just opened, with the names in hand: its requester's and its
/// service's (the department, building and team names are left out).
pub(crate) fn opened_view(
    ticket: Ticket,
    requester: &User,
    service_name: Option<String>,
    stamp: SlaStamp,
) -> TicketView {
    TicketView {
        ticket,
        requester_email: requester.email.to_string(),
        requester_name: requester.name.clone(),
        assignee_email: None,
        assignee_name: None,
        service_name,
        department_name: None,
        building_name: None,
        team_name: None,
        stamp,
    }
}

/// Whether a planned change was written (with its entry's id), or lost the
/// race to another writer and must be planned again.
pub(crate) enum Written {
    Done(Option<i64>),
    Stale,
}

/// What a change to one ticket writes (see `Desk::change_ticket`).
pub(crate) struct Planned {
    pub ticket: Ticket,
    pub entry: Option<NewEntry>,
    pub history: Vec<(Change, bool)>,
}

impl Desk {
    pub async fn open_ticket(&self, actor: &User, input: OpenTicket) -> AppResult<TicketView> {
        let who = Actor { user_id: actor.id, role: actor.role };
        if !who.can_open_tickets() {
            return Err(AppError::forbidden("managers cannot open tickets"));
        }
        if let Some(c) = input.channel.filter(|c| matches!(c, Channel::Phone | Channel::WalkIn))
            && !actor.role.is_staff()
        {
            return Err(
                FieldError::new("channel", "not_allowed", format!("only the desk may open a ticket by {c}")).into()
            );
        }
        if let Some(p) = input.priority.filter(|p| !who.may_open_with_priority(*p)) {
            return Err(
                FieldError::new("priority", "not_allowed", format!("only the desk may open a ticket as {p}")).into()
            );
        }
        let requester =
            self.requester_for(actor, input.requester_email.as_deref(), input.requester_name.as_deref()).await?;
        let view = self.insert_ticket(&requester, actor.id, input, None).await?;
        let acknowledge = [mail_address(&requester)];
        self.notify(Notice::Created {
            view: &view,
            acknowledge: Some(&acknowledge),
            answering: None,
            dedupe: format!("ticket:{}", view.ticket.id),
        })
        .await;
        Ok(view)
    }

    /// Checks and stores a ticket for `requester`, opened by `created_by`
    /// (from the web, the API, or a mail: `source_mail_id`).
    pub(crate) async fn insert_ticket(
        &self,
        requester: &User,
        created_by: i64,
        input: OpenTicket,
        source_mail_id: Option<i64>,
    ) -> AppResult<TicketView> {
        let (new, service) = self.prepare_ticket(requester, created_by, input, source_mail_id).await?;
        let ticket = self.store.create_ticket(&new).await?;
        tracing::info!(number = ticket.number, "ticket opened");
        if ticket.department_id.is_some()
            || ticket.building_id.is_some()
            || ticket.team_id.is_some()
            || ticket.assignee_id.is_some()
        {
            return Ok(self.store.ticket_by_id(ticket.id).await?);
        }
        // Every name is already in hand: no need to read the ticket back.
        Ok(opened_view(ticket, requester, service.map(|s| s.name), new.stamp))
    }

    /// Checks a new ticket's fields and fills in what follows from them
    /// (the service's defaults, the requester's place, the SLA clocks).
    /// Returns it with its service.
    pub(crate) async fn prepare_ticket(
        &self,
        requester: &User,
        created_by: i64,
        input: OpenTicket,
        source_mail_id: Option<i64>,
    ) -> AppResult<(NewTicket, Option<Service>)> {
        let text = input.text.clone();
        let service = match input.service_id {
            Some(id) => match self.store.service(id).await {
                Ok(s) if s.active => Some(s),
                Ok(_) | Err(StoreError::NotFound) => {
                    return Err(FieldError::new("service_id", "unknown", format!("service {id} does not exist")).into());
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let department_id = match input.department_id {
            Some(id) => Some(self.existing(Directory::Departments, id, "department_id").await?),
            None => requester.department_id,
        };
        let building_id = match input.building_id {
            Some(id) => Some(self.existing(Directory::Buildings, id, "building_id").await?),
            None => requester.building_id,
        };
        let text = text.or_phone(requester.phone.as_deref());
        let channel = input.channel.unwrap_or(if source_mail_id.is_some() { Channel::Mail } else { Channel::Web });
        let mut new = NewTicket {
            text,
            ticket_type: input.ticket_type.or(service.as_ref().map(|s| s.default_type)).unwrap_or(TicketType::Incident),
            priority: input.priority.unwrap_or(Priority::Medium),
            status: Status::New,
            service_id: service.as_ref().map(|s| s.id),
            requester_id: requester.id,
            department_id,
            building_id,
            assignee_id: None,
            team_id: service.as_ref().and_then(|s| s.team_id),
            level: service.as_ref().map_or(Level::FIRST, |s| s.default_level),
            created_by,
            stamp: Default::default(),
            source_mail_id,
            hold_reason: None,
            routing_reason: None,
            approver_id: None,
            channel,
        };
        self.route_new(&mut new, service.as_ref()).await?;
        let policy = self.policy().await?;
        let (target, calendar) = policy.target_for(new.service_id, new.priority);
        let now = Utc::now();
        let timeline =
            mesa_core::sla::Timeline { created_at: now, first_response_at: None, solved_at: None, pauses: vec![] };
        let new =
            NewTicket { stamp: mesa_core::sla::evaluate(calendar, target, &timeline, &policy.sla, now).stamp(), ..new };
        Ok((new, service))
    }

    /// The clocks of a ticket just opened, whose history has no status
    /// change yet (so none is read).
    pub async fn with_new_sla(&self, view: TicketView) -> AppResult<(TicketView, SlaStatus)> {
        let policy = self.policy().await?;
        let sla = policy.sla_of(&view.ticket, &[], Utc::now());
        Ok((view, sla))
    }

    /// The requester of a new ticket: the actor, or — for staff — the person
    /// named by e-mail, created as a requester if unknown.
    async fn requester_for(&self, actor: &User, email: Option<&str>, name: Option<&str>) -> AppResult<User> {
        // Checked whether or not it is used: a name the API refuses is
        // refused for a known requester too.
        let name = optional_text("requester_name", name, limits::NAME)?;
        let Some(raw) = email.filter(|e| !e.trim().is_empty()) else { return Ok(actor.clone()) };
        let email = Email::parse(raw).map_err(|e| FieldError { field: "requester_email", ..e })?;
        if email == actor.email {
            return Ok(actor.clone());
        }
        if !actor.role.is_staff() {
            return Err(AppError::forbidden("requesters open tickets only for themselves"));
        }
        if let Some(user) = self.store.user_by_email(&email).await? {
            return Ok(user);
        }
        let name = name.unwrap_or_else(|| email.local_part().to_owned());
        match self.store.create_user(&NewUser::new(email.clone(), name, Role::Requester)).await {
            Ok(user) => Ok(user),
            // Someone created them in the meantime.
            Err(StoreError::Conflict(_)) => self.store.user_by_email(&email).await?.ok_or(AppError::NotFound("user")),
            Err(e) => Err(e.into()),
        }
    }

    /// A ticket the actor may see; otherwise "not found", so that a
    /// requester cannot learn which numbers exist.
    pub(crate) async fn visible(&self, actor: &Actor, number: i64) -> AppResult<TicketView> {
        match self.store.ticket_by_number(number).await {
            Ok(view) if self.may_see(actor, &view.ticket).await? => Ok(view),
            Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound("ticket")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn ticket(&self, actor: &Actor, number: i64) -> AppResult<TicketPage> {
        let view = self.visible(actor, number).await?;
        let entries = self.store.entries(view.ticket.id, actor.sees_internal()).await?;
        let attachments = self.store.attachments(view.ticket.id).await?;
        let sla = self.sla_of_views(std::slice::from_ref(&view)).await?.pop().expect("one clock set per ticket");
        Ok(TicketPage { view, sla, entries, attachments })
    }

    /// The sanitised HTML of the mails `page`'s ticket (`None`) and its
    /// replies (`Some(entry)`) came from, for what the page shows only;
    /// inline images point at `mesa-blob:<sha256>`.
    pub async fn mail_html(&self, page: &TicketPage) -> AppResult<Vec<(Option<i64>, String)>> {
        let mut html = self.store.ticket_html(page.view.ticket.id).await?;
        html.retain(|(entry, _)| entry.is_none_or(|id| page.entries.iter().any(|e| e.id == id)));
        Ok(html)
    }

    /// A ticket with its clocks, as the API shows it.
    pub async fn with_sla(&self, view: TicketView) -> AppResult<(TicketView, SlaStatus)> {
        let sla = self.sla_of_views(std::slice::from_ref(&view)).await?.pop().expect("one clock set per ticket");
        Ok((view, sla))
    }

    /// The clocks of several tickets, in order, with one history query.
    pub(crate) async fn sla_of_views(&self, views: &[TicketView]) -> AppResult<Vec<SlaStatus>> {
        let policy = self.policy().await?;
        let ids: Vec<i64> = views.iter().map(|v| v.ticket.id).collect();
        let history = self.store.status_history(&ids).await?;
        let now = Utc::now();
        Ok(views
            .iter()
            .map(|v| policy.sla_of(&v.ticket, history.get(&v.ticket.id).map_or(&[][..], Vec::as_slice), now))
            .collect())
    }

    pub async fn list_tickets(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> AppResult<(Vec<(TicketView, SlaStatus)>, Total)> {
        let assignee_id = match query.assignee.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(Some(actor.user_id)),
            Some("none") => Some(None),
            Some(raw) => {
                let email = Email::parse(raw).map_err(|e| FieldError { field: "assignee", ..e })?;
                match self.store.user_by_email(&email).await? {
                    Some(user) => Some(Some(user.id)),
                    // Nobody by that address is assigned anything.
                    None => Some(Some(-1)),
                }
            }
        };
        let per_page = query.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(
                FieldError::new("per_page", "out_of_range", format!("per_page must be 1 to {MAX_PER_PAGE}")).into()
            );
        }
        let page = query.page.unwrap_or(1);
        if page == 0 {
            return Err(FieldError::new("page", "out_of_range", "page starts at 1").into());
        }
        let terms = query.q.as_deref().map(search::terms).unwrap_or_default();
        let filter = TicketFilter {
            statuses: query.statuses,
            assignee_id,
            // An approver's queue holds other people's tickets (seed 004).
            requester_id: (actor.role == Role::Requester && !query.awaiting_my_authorization).then_some(actor.user_id),
            priority: query.priority,
            service_id: query.service_id,
            department_id: query.department_id,
            building_id: query.building_id,
            team_id: query.team_id,
            created_from: query.created_from,
            created_before: query.created_before,
            terms: terms.clone(),
            search_internal: actor.sees_internal(),
            sla: query.sla,
            now: Some(Utc::now()),
            sort: query.sort,
            page,
            per_page,
            count_limit: (!terms.is_empty()).then_some(search::COUNT_LIMIT),
            hide_security_incidents: self.hides_security_incidents(actor).await?,
            awaiting_approver: query.awaiting_my_authorization.then_some(actor.user_id),
            channel: query.channel,
            hold_reason: query.hold_reason,
        };
        let (views, total) = self.store.list_tickets(&filter).await?;
        let clocks = self.sla_of_views(&views).await?;
        Ok((views.into_iter().zip(clocks).collect(), total))
    }

    pub async fn history(&self, actor: &Actor, number: i64) -> AppResult<Vec<HistoryRecord>> {
        let view = self.visible(actor, number).await?;
        Ok(self.store.history(view.ticket.id, actor.sees_internal()).await?)
    }

    /// Reads the ticket, plans a change with `plan`, and writes it; when
    /// another writer got there first, reads again and re-plans.
    pub(crate) async fn change_ticket<F>(
        &self,
        actor: &Actor,
        number: i64,
        plan: F,
    ) -> AppResult<(TicketView, Option<i64>)>
    where
        F: Fn(&TicketView) -> AppResult<Planned>,
    {
        for attempt in 0..WRITE_ATTEMPTS {
            if attempt > 0 {
                backoff(attempt).await;
            }
            let view = self.visible(actor, number).await?;
            let planned = plan(&view)?;
            match self.write_planned(&view, planned, Some(actor.user_id), Utc::now(), None).await? {
                Written::Done(entry_id) => return Ok((self.store.ticket_by_id(view.ticket.id).await?, entry_id)),
                Written::Stale => continue,
            }
        }
        Err(AppError::Conflict { code: "busy_ticket", message: "the ticket is changing too fast; try again".into() })
    }

    /// Writes a planned change with the ticket's clocks recomputed as they
    /// will be after it (its history plus the changes about to be recorded).
    pub(crate) async fn write_planned(
        &self,
        view: &TicketView,
        planned: Planned,
        actor_id: Option<i64>,
        now: DateTime<Utc>,
        mail: Option<&MailWrites>,
    ) -> AppResult<Written> {
        let policy = self.policy().await?;
        let mut history: Vec<StatusRecord> =
            self.store.status_history(&[view.ticket.id]).await?.remove(&view.ticket.id).unwrap_or_default();
        history.extend(
            planned
                .history
                .iter()
                .filter(|(c, _)| matches!(c.field, "status" | "hold_reason"))
                .map(|(c, _)| (now, c.field.to_owned(), c.after.clone())),
        );
        let stamp = policy.sla_of(&planned.ticket, &history, now).stamp();
        // Issue 17: a maintenance ticket solved or closed records its execution.
        let maintenance_done = (planned.ticket.ticket_type == TicketType::Maintenance
            && matches!(planned.ticket.status, Status::Solved | Status::Closed))
        .then(|| planned.ticket.clone());
        let update = TicketUpdate {
            ticket: &planned.ticket,
            entry: planned.entry,
            history: planned.history,
            actor_id,
            stamp,
            at: now,
            mail,
        };
        match self.store.update_ticket(update).await {
            Ok(entry_id) => {
                if let Some(ticket) = maintenance_done {
                    self.after_maintenance_change(&ticket, actor_id, now).await;
                }
                Ok(Written::Done(entry_id))
            }
            Err(StoreError::Conflict(_)) => Ok(Written::Stale),
            Err(e) => Err(e.into()),
        }
    }

    /// Adds a public reply or an internal note.
    pub async fn reply(&self, actor: &Actor, number: i64, body: &str, internal: bool) -> AppResult<Entry> {
        let body = required_text("body", body, limits::ENTRY_BODY)?;
        let context = self.mail_context().await?;
        let (view, entry_id) = self
            .change_ticket(actor, number, |view| {
                let t = &view.ticket;
                if internal && !actor.can_write_internal() {
                    return Err(AppError::forbidden("only agents write internal notes"));
                }
                if !actor.can_reply(t) {
                    return Err(AppError::forbidden("you may not reply to this ticket"));
                }
                if t.status == Status::Closed {
                    return Err(AppError::Conflict {
                        code: "ticket_closed",
                        message: "the ticket is closed; reopen it first".into(),
                    });
                }
                let mut next = t.clone();
                let staff_public = actor.role.is_staff() && !internal;
                if staff_public {
                    next.status = lifecycle::after_staff_reply(t.status);
                    next.first_response_at = t.first_response_at.or(Some(Utc::now()));
                }
                let field = if internal { "internal_note" } else { "public_reply" };
                let mut history = vec![(Change::new(field, None, Some(excerpt(&body))), internal)];
                let thanks = &context.settings.thanks_phrases;
                if !internal && let Some((reopened, changes)) = objection(t, actor.user_id, &body, thanks, Utc::now())?
                {
                    next = reopened;
                    history.extend(changes.into_iter().map(|c| (c, false)));
                } else {
                    history.extend(lifecycle::diff(t, &next).into_iter().map(|c| (c, false)));
                }
                let entry = NewEntry { author_id: actor.user_id, internal, body: body.clone(), source_mail_id: None };
                Ok(Planned { ticket: next, entry: Some(entry), history })
            })
            .await?;
        let entry_id = entry_id.expect("a reply writes an entry");
        if !internal {
            let author = self.store.user_by_id(actor.user_id).await?;
            let dedupe = format!("reply:{entry_id}");
            self.notify(Notice::Reply { view: &view, dedupe, author: &author, body: &body }).await;
        }
        let entries = self.store.entries(view.ticket.id, true).await?;
        entries.into_iter().find(|e| e.id == entry_id).ok_or(AppError::NotFound("entry"))
    }

    /// Assigns a ticket to an agent or admin. Taking a ticket away from
    /// another assignee needs a criterion (seed 001: absence, missing
    /// competence, direct order; or other) and a reason, and the desk's
    /// setting says who may (`routing::Reassigners`).
    pub async fn assign(
        &self,
        actor: &Actor,
        number: i64,
        assignee_email: &str,
        criterion: Option<&str>,
        reason: Option<&str>,
    ) -> AppResult<TicketView> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators assign tickets"));
        }
        let email = Email::parse(assignee_email).map_err(|e| FieldError { field: "assignee_email", ..e })?;
        let assignee = match self.store.user_by_email(&email).await? {
            Some(user) if user.role.is_staff() && user.active => user,
            _ => {
                return Err(FieldError::new(
                    "assignee_email",
                    "not_assignable",
                    "the assignee must be an active agent or administrator",
                )
                .into());
            }
        };
        let reason = optional_text("reason", reason, limits::REASON)?;
        let current = self.visible(actor, number).await?;
        let reassigning = current.ticket.assignee_id.is_some_and(|id| id != assignee.id);
        let criterion = self.reassignment_criterion(actor, reassigning, criterion).await?;
        let (view, _) = self
            .change_ticket(actor, number, |view| {
                let t = &view.ticket;
                if t.status == Status::Closed {
                    return Err(AppError::Conflict { code: "ticket_closed", message: "the ticket is closed".into() });
                }
                let reassigning = t.assignee_id.is_some_and(|id| id != assignee.id);
                if reassigning && criterion.is_none() {
                    return Err(FieldError::new("criterion", "required", "reassigning needs a criterion").into());
                }
                if reassigning && reason.is_none() {
                    return Err(FieldError::new("reason", "required", "say why the ticket is reassigned").into());
                }
                let mut next = t.clone();
                next.assignee_id = Some(assignee.id);
                next.status = lifecycle::after_assignment(t.status);
                let mut history = vec![(
                    Change::new("assignee", view.assignee_email.clone(), Some(assignee.email.to_string())),
                    false,
                )];
                if let Some(criterion) = criterion.filter(|_| reassigning) {
                    let after = Some(criterion.as_str().to_owned());
                    history.push((Change::new("reassignment_criterion", None, after), false));
                }
                if let Some(reason) = &reason {
                    history.push((Change::new("assignment_reason", None, Some(reason.clone())), false));
                }
                history.extend(lifecycle::diff(t, &next).into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await?;
        self.notify(Notice::Assigned { view: &view, by: actor.user_id, reason: reason.as_deref() }).await;
        Ok(view)
    }

    /// Reclassifies a ticket (staff only). The clocks are recomputed for the
    /// new service and priority as part of the write.
    pub async fn update_ticket(&self, actor: &Actor, number: i64, changes: TicketChanges) -> AppResult<TicketView> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators change tickets"));
        }
        let level = changes.level.map(Level::new).transpose()?;
        let service = match changes.service_id {
            Some(Some(id)) => match self.store.service(id).await {
                Ok(s) => Some(Some(s)),
                Err(StoreError::NotFound) => {
                    return Err(FieldError::new("service_id", "unknown", format!("service {id} does not exist")).into());
                }
                Err(e) => return Err(e.into()),
            },
            Some(None) => Some(None),
            None => None,
        };
        let (view, _) = self
            .change_ticket(actor, number, |view| {
                let t = &view.ticket;
                let mut next = t.clone();
                next.priority = changes.priority.unwrap_or(t.priority);
                next.ticket_type = changes.ticket_type.unwrap_or(t.ticket_type);
                next.level = level.unwrap_or(t.level);
                let mut history = Vec::new();
                if let Some(service) = &service {
                    next.service_id = service.as_ref().map(|s| s.id);
                    if next.service_id != t.service_id {
                        let after = service.as_ref().map(|s| s.name.clone());
                        history.push((Change::new("service", view.service_name.clone(), after), false));
                    }
                }
                history.extend(lifecycle::diff(t, &next).into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await?;
        if changes.service_id.is_some() || changes.ticket_type.is_some() {
            // Reclassified while still unassigned: route it again.
            return self.reroute_unassigned(actor, &view).await;
        }
        Ok(view)
    }

    /// Moves a ticket through its lifecycle (rules in `mesa_core::lifecycle`).
    pub async fn transition(&self, actor: &Actor, number: i64, input: TransitionInput) -> AppResult<TicketView> {
        let before = std::sync::Mutex::new(None);
        let (view, _) = self
            .change_ticket(actor, number, |view| {
                *before.lock().expect("status before") = Some(view.ticket.status);
                let (next, changes) = lifecycle::plan(&view.ticket, actor.role, input.clone(), Utc::now())?;
                Ok(Planned { ticket: next, entry: None, history: changes.into_iter().map(|c| (c, false)).collect() })
            })
            .await?;
        if let Some(before) = before.into_inner().expect("status before") {
            self.notify(Notice::Status { view: &view, before }).await;
        }
        Ok(view)
    }

    /// Stores a file for a ticket: bytes first (content-addressed), then the
    /// metadata, so a crash leaves at worst an unreferenced file.
    pub async fn attach(
        &self,
        actor: &Actor,
        number: i64,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> AppResult<Attachment> {
        let file =
            NewFile { filename: filename.to_owned(), content_type: content_type.to_owned(), bytes: bytes.to_vec() };
        self.attach_all(actor, number, vec![file]).await?.pop().ok_or(AppError::NotFound("attachment"))
    }

    /// Adds files to a ticket, all or none: every file is checked (size,
    /// name, type, the ticket open to them) before the first is kept.
    pub async fn attach_all(&self, actor: &Actor, number: i64, files: Vec<NewFile>) -> AppResult<Vec<Attachment>> {
        let limit = self.settings.max_attachment_bytes;
        if files.iter().any(|f| f.bytes.len() > limit) {
            return Err(AppError::TooLarge { limit });
        }
        let view = self.visible(actor, number).await?;
        if !actor.can_reply(&view.ticket) {
            return Err(AppError::forbidden("you may not add files to this ticket"));
        }
        // Same rule as replies: a closed ticket's record is final.
        if view.ticket.status == Status::Closed {
            return Err(AppError::Conflict {
                code: "ticket_closed",
                message: "the ticket is closed; reopen it first".into(),
            });
        }
        let mut checked = Vec::with_capacity(files.len());
        for file in files {
            let filename = required_text("filename", &sanitize_filename(&file.filename), 255)?;
            let content_type = optional_text("content_type", Some(&file.content_type), 255)?
                .unwrap_or_else(|| "application/octet-stream".into());
            checked.push((filename, content_type, file.bytes));
        }
        let mut saved = Vec::with_capacity(checked.len());
        for (filename, content_type, bytes) in checked {
            let sha256 = self.blobs.put(&bytes).await?;
            let new = NewAttachment {
                ticket_id: view.ticket.id,
                uploaded_by: actor.user_id,
                filename,
                content_type,
                size: bytes.len() as i64,
                sha256,
            };
            saved.push(self.store.insert_attachment(&new).await?);
        }
        Ok(saved)
    }

    /// An attachment and its bytes, for someone who may see its ticket.
    pub async fn attachment(&self, actor: &Actor, id: i64) -> AppResult<(Attachment, Vec<u8>)> {
        let att = match self.store.attachment(id).await {
            Ok(att) => att,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("attachment")),
            Err(e) => return Err(e.into()),
        };
        let view = self.store.ticket_by_id(att.ticket_id).await?;
        if !self.may_see(actor, &view.ticket).await? {
            return Err(AppError::NotFound("attachment"));
        }
        let bytes = self.blobs.get(&att.sha256).await?;
        Ok((att, bytes))
    }
}

/// A user's address for mail.
fn mail_address(user: &User) -> mesa_mail::Mailbox {
    mesa_mail::Mailbox::new(Some(&user.name), user.email.as_str())
        .unwrap_or_else(|| mesa_mail::Mailbox { name: None, address: user.email.as_str().to_owned() })
}

/// Waits a random time up to 2^attempt ms (capped at 100 ms), so writers
/// that collided on one ticket do not collide again in lockstep.
pub(crate) async fn backoff(attempt: u32) {
    let cap_ms = (1u64 << attempt.min(7)).min(100);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let jitter_us = u64::from(nanos) % (cap_ms * 1000);
    tokio::time::sleep(std::time::Duration::from_micros(jitter_us)).await;
}

/// The first line of a text, shortened, for the history.
pub(crate) fn excerpt(body: &str) -> String {
    const MAX: usize = 140;
    let line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// Keeps the last path component and drops control characters and quotes,
/// so a name is safe in a header and on any file system.
pub(crate) fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\'')).collect::<String>().trim().to_owned()
}

/// A requester's objection to a solution (web, API and mail): their public
/// reply `body` to a solved ticket that is not only a courtesy by `thanks`
/// moves it back to work, with the reason the history shows, so that the
/// automatic close does not take it. `None` when the reply changes nothing.
pub(crate) fn objection(
    t: &Ticket,
    author_id: i64,
    body: &str,
    thanks: &[String],
    now: DateTime<Utc>,
) -> Result<Option<(Ticket, Vec<Change>)>, lifecycle::TransitionError> {
    if t.status != Status::Solved || t.requester_id != author_id || only_thanks(body, thanks) {
        return Ok(None);
    }
    let input = TransitionInput {
        to: Some(Status::InProgress),
        reason: Some(mesa_core::labels::text(mesa_core::Lang::default(), "ticket.requester_objected").to_owned()),
        ..Default::default()
    };
    lifecycle::plan(t, Role::Agent, input, now).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_take_the_first_non_blank_line_and_cut_long_ones() {
        assert_eq!(excerpt("\n  Hola  \nmundo"), "Hola");
        let long = "á".repeat(200);
        assert_eq!(excerpt(&long).chars().count(), 141);
    }

    #[test]
    fn filenames_lose_paths_quotes_and_control_characters() {
        assert_eq!(sanitize_filename("C:\\Users\\ana\\factura \"1\".pdf"), "factura 1.pdf");
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("a\r\nb.txt"), "ab.txt");
    }
}
