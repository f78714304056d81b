//! The mails a ticket's life produces, rendered and queued in the outbox
//! (the binary's sender delivers them, retrying while SMTP is down).
//!
//! Each mail has a dedupe key, so queuing twice (a retried message, a
//! retried request) queues once. Nothing is ever sent to the desk's own
//! addresses. Threading: every mail carries a signed Message-ID, and
//! `In-Reply-To`/`References` to the ticket's earlier messages.

use std::sync::Arc;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::Utc;
use mesa_core::labels::{Labelled, text};
use mesa_core::{HoldReason, Lang, Status, User};
use mesa_mail::{AutoSubmitted, Mailbox, MessageIdSigner, Outgoing, render};
use mesa_store::{NewOutboxMail, TicketView};

use super::templates;
use super::{MailContext, MailIdentity};
use crate::{AppResult, Desk};

/// Something that happened to a ticket that people may be mailed about.
pub(crate) enum Notice<'a> {
    /// A new ticket. `acknowledge`: where the acknowledgement with its number
    /// goes (`None`: no acknowledgement, e.g. an auto-reply came in).
    /// `answering`: the Message-ID of the mail that opened it.
    Created { view: &'a TicketView, acknowledge: Option<&'a [Mailbox]>, answering: Option<String>, dedupe: String },
    /// A public reply (never an internal note). `dedupe`: what makes it
    /// unique (its entry, or the message it came from).
    Reply { view: &'a TicketView, dedupe: String, author: &'a User, body: &'a str },
    /// The ticket moved from `before` to its current status.
    Status { view: &'a TicketView, before: Status },
    /// The ticket was assigned by `by`.
    Assigned { view: &'a TicketView, by: i64, reason: Option<&'a str> },
}

/// Placeholder values a notice gives its mail.
type Values = Vec<(&'static str, String)>;

/// One mail to queue.
struct Planned<'a> {
    to: Mailbox,
    lang: Lang,
    kind: &'static str,
    dedupe: String,
    auto: AutoSubmitted,
    answering: Option<String>,
    values: Vec<(&'static str, String)>,
    view: &'a TicketView,
}

impl Desk {
    /// Queues the mails for `notice`. A failure is logged, not returned: the
    /// change it reports is already committed and must not look failed.
    pub(crate) async fn notify(&self, notice: Notice<'_>) {
        if let Err(e) = self.queue_mails(notice).await {
            tracing::warn!(error = %e, "could not queue a notification");
        }
    }

    async fn queue_mails(&self, notice: Notice<'_>) -> AppResult<()> {
        let Some(renderer) = self.renderer().await? else { return Ok(()) };
        for mail in self.mails_for(&renderer, notice).await? {
            self.store.queue_mail(&mail).await?;
        }
        Ok(())
    }

    /// The mails for `notice`, rendered and not queued: for a caller that
    /// writes them with the change they report.
    pub(crate) async fn mails_for(&self, renderer: &Renderer, notice: Notice<'_>) -> AppResult<Vec<NewOutboxMail>> {
        let planned = self.plan_mails(renderer, notice).await?;
        let Some(first) = planned.first() else { return Ok(Vec::new()) };
        let thread = self.store.message_ids_of(first.view.ticket.id).await?;
        Ok(planned.into_iter().filter_map(|mail| renderer.render(mail, &thread)).collect())
    }

    /// What rendering mails takes, when mail is configured.
    pub(crate) async fn renderer(&self) -> AppResult<Option<Renderer>> {
        let Some(identity) = self.settings.mail.clone() else { return Ok(None) };
        Ok(Some(Renderer { identity, context: self.mail_context().await?, signer: self.signer().await? }))
    }

    /// The agents of `team` who hear of its new tickets (none unless the
    /// policy says so).
    pub(crate) async fn agents_to_notify(&self, renderer: &Renderer, team: Option<i64>) -> AppResult<Vec<User>> {
        let Some(team) = team.filter(|_| renderer.context.settings.notify_agents) else { return Ok(Vec::new()) };
        let users = self.store.list_users().await?;
        Ok(users.into_iter().filter(|u| u.team_id == Some(team) && u.role.is_staff() && u.active).collect())
    }

    /// The approver a new ticket waits for, when it waits for one.
    pub(crate) async fn pending_approver(&self, view: &TicketView) -> AppResult<Option<User>> {
        if view.ticket.hold_reason != Some(HoldReason::Authorization) {
            return Ok(None);
        }
        match self.store.authorization(view.ticket.id).await? {
            Some(a) if a.decision.is_none() => Ok(Some(self.store.user_by_id(a.approver_id).await?)),
            _ => Ok(None),
        }
    }

    async fn plan_mails<'a>(&self, renderer: &Renderer, notice: Notice<'a>) -> AppResult<Vec<Planned<'a>>> {
        let (identity, settings) = (&renderer.identity, &renderer.context.settings);
        let mut out = Vec::new();
        match notice {
            Notice::Created { view, acknowledge, answering, dedupe } => {
                let requester = self.store.user_by_id(view.ticket.requester_id).await?;
                let agents = self.agents_to_notify(renderer, view.ticket.team_id).await?;
                let approver = self.pending_approver(view).await?;
                let staff = NewTicketStaff { agents: &agents, approver: approver.as_ref() };
                out = created_mails(view, &requester, staff, acknowledge, answering, &dedupe);
            }
            Notice::Reply { view, dedupe, author, body } => {
                let base = [("author", author.name.clone()), ("body", body.to_owned())];
                let mut recipients: Vec<(Mailbox, Lang, &'static str, Values)> = Vec::new();
                if author.role.is_staff() {
                    let requester = self.store.user_by_id(view.ticket.requester_id).await?;
                    let links = self.requester_links(&requester, view, false).await?;
                    recipients.push((mailbox_of(&requester), requester.language, "public_reply", links));
                    for p in self.store.participants(view.ticket.id).await? {
                        if let Some(m) = Mailbox::new(p.name.as_deref(), &p.email) {
                            recipients.push((m, Lang::default(), "public_reply", Vec::new()));
                        }
                    }
                } else if settings.notify_agents
                    && let Some(assignee) = view.ticket.assignee_id
                {
                    let agent = self.store.user_by_id(assignee).await?;
                    recipients.push((mailbox_of(&agent), agent.language, "requester_replied", Vec::new()));
                }
                for (to, lang, kind, mut values) in recipients {
                    if to.address.eq_ignore_ascii_case(author.email.as_str()) {
                        continue;
                    }
                    values.extend(base.iter().cloned());
                    out.push(Planned {
                        dedupe: format!("{dedupe}:{}", to.address),
                        to,
                        lang,
                        kind,
                        auto: AutoSubmitted::AutoGenerated,
                        answering: None,
                        values,
                        view,
                    });
                }
            }
            Notice::Status { view, before } => {
                let t = &view.ticket;
                let kind = match (before, t.status) {
                    (_, Status::Solved) => "solved",
                    (_, Status::Closed) => "closed",
                    (_, Status::OnHold) => "status_changed",
                    (Status::OnHold | Status::Solved | Status::Closed, Status::InProgress) => "status_changed",
                    _ => return Ok(out),
                };
                let requester = self.store.user_by_id(t.requester_id).await?;
                let lang = requester.language;
                let words = &renderer.context.words;
                let reason = t
                    .hold_reason
                    .map(|r| text(lang, "mail.hold_reason").replace("{reason}", &words.text(lang, &r.label_key())))
                    .unwrap_or_default();
                // One-time links first: the values given first win.
                let mut values = self.requester_links(&requester, view, kind == "solved").await?;
                if kind == "solved" {
                    values.push(("survey", self.survey_paragraph(&requester, view, lang).await));
                }
                values.extend([
                    ("reason", reason),
                    ("resolution", t.resolution.clone().unwrap_or_default()),
                    ("approve_link", format!("{}/tickets/{}#approve", identity.public_url, t.number)),
                    ("reject_link", format!("{}/tickets/{}#reject", identity.public_url, t.number)),
                ]);
                out.push(Planned {
                    to: mailbox_of(&requester),
                    lang,
                    kind,
                    dedupe: format!("status:{}:{}", t.id, t.version),
                    auto: AutoSubmitted::AutoGenerated,
                    answering: None,
                    values,
                    view,
                });
            }
            Notice::Assigned { view, by, reason } => {
                let Some(assignee) = view.ticket.assignee_id else { return Ok(out) };
                if !settings.notify_agents || assignee == by {
                    return Ok(out);
                }
                let agent = self.store.user_by_id(assignee).await?;
                out.push(Planned {
                    to: mailbox_of(&agent),
                    lang: agent.language,
                    kind: "agent_assigned",
                    dedupe: format!("assign:{}:{}", view.ticket.id, view.ticket.version),
                    auto: AutoSubmitted::AutoGenerated,
                    answering: None,
                    values: vec![("reason", reason.unwrap_or_default().to_owned())],
                    view,
                });
            }
        }
        Ok(out)
    }
}

/// Renders mails without reading anything: what a transaction that writes
/// them with their ticket calls (see `Store::create_ticket_from_mail`).
pub(crate) struct Renderer {
    identity: MailIdentity,
    context: Arc<MailContext>,
    signer: MessageIdSigner,
}

impl Renderer {
    /// The mails a new ticket sends: the acknowledgement to `acknowledge`
    /// (in the requester's language) and the team's agents' notices.
    pub(crate) fn created(
        &self,
        view: &TicketView,
        requester: &User,
        staff: NewTicketStaff<'_>,
        acknowledge: Option<&[Mailbox]>,
        answering: Option<String>,
        dedupe: &str,
    ) -> Vec<NewOutboxMail> {
        created_mails(view, requester, staff, acknowledge, answering, dedupe)
            .into_iter()
            .filter_map(|mail| self.render(mail, &[]))
            .collect()
    }

    /// The notice to `to` (a mail's sender) that attachments of their mail
    /// were not kept (`dropped`: one line each), answering their message.
    pub(crate) fn attachments_dropped(
        &self,
        view: &TicketView,
        to: &Mailbox,
        lang: Lang,
        answering: Option<String>,
        dropped: &[String],
        dedupe: &str,
    ) -> Option<NewOutboxMail> {
        let author = to.name.clone().unwrap_or_else(|| to.address.clone());
        let mail = Planned {
            to: to.clone(),
            lang,
            kind: "attachment_dropped",
            dedupe: format!("{dedupe}:dropped:{}", to.address),
            auto: if answering.is_some() { AutoSubmitted::AutoReplied } else { AutoSubmitted::AutoGenerated },
            answering,
            values: vec![
                ("author", mesa_mail::neutralise_invisible(&author).into_owned()),
                ("body", dropped.join("\n")),
            ],
            view,
        };
        self.render(mail, &[])
    }

    /// The mail, ready to queue; `thread`: the ticket's Message-IDs so far.
    /// `None` for a mail to one of the desk's own addresses.
    fn render(&self, mail: Planned<'_>, thread: &[String]) -> Option<NewOutboxMail> {
        let (identity, settings) = (&self.identity, &self.context.settings);
        if self.context.own.iter().any(|o| o.eq_ignore_ascii_case(&mail.to.address)) {
            return None;
        }
        let view = mail.view;
        let t = &view.ticket;
        let message_id = self.signer.new_id(t.number, OsRng.next_u64());
        let thread: Vec<String> = thread.iter().map(|id| format!("<{id}>")).collect();
        let mut references: Vec<String> = thread.iter().rev().take(10).rev().cloned().collect();
        // The message being answered is recorded with its outcome, after this.
        if let Some(answering) = &mail.answering
            && !references.contains(answering)
        {
            references.push(answering.clone());
        }
        let in_reply_to = mail.answering.clone().or_else(|| references.last().cloned());

        let template = templates::template(&self.context.templates, mail.kind, mail.lang);
        // The notice's own values first: `fill` takes the first of a name.
        let mut values: Vec<(&str, String)> = mail.values.iter().map(|(k, v)| (*k, v.clone())).collect();
        values.extend([
            ("tag", settings.tag(t.number)),
            ("number", t.number.to_string()),
            ("subject", t.subject.clone()),
            ("requester", view.requester_name.clone()),
            ("assignee", view.assignee_name.clone().unwrap_or_default()),
            ("status", self.context.words.text(mail.lang, &t.status.label_key())),
            ("link", format!("{}/tickets/{}", identity.public_url, t.number)),
        ]);
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let subject = templates::fill(&template.subject, &pairs);
        let body = templates::fill(&template.body, &pairs);
        let html = templates::text_to_html(&body);
        let from = Mailbox::new(Some(&identity.display_name), &identity.address)
            .unwrap_or_else(|| Mailbox { name: None, address: identity.address.clone() });
        let raw = render(&Outgoing {
            from: &from,
            to: std::slice::from_ref(&mail.to),
            subject: &subject,
            message_id: &message_id,
            in_reply_to: in_reply_to.as_deref(),
            references: &references,
            text: &body,
            html: &html,
            date: Utc::now(),
            auto_submitted: mail.auto,
            language: mail.lang.code(),
        });
        Some(NewOutboxMail {
            dedupe_key: mail.dedupe,
            ticket_id: Some(t.id),
            kind: mail.kind.to_owned(),
            recipients: vec![mail.to.address.clone()],
            message_id,
            raw,
        })
    }
}

impl Renderer {
    /// A mail about a person's account (a password link), not about a
    /// ticket: no subject tag, no thread.
    pub(crate) fn account_mail(&self, user: &User, kind: &'static str, link: &str) -> NewOutboxMail {
        let identity = &self.identity;
        let to = mailbox_of(user);
        let template = templates::template(&self.context.templates, kind, user.language);
        let pairs = [("requester", user.name.as_str()), ("link", link)];
        let subject = templates::fill(&template.subject, &pairs);
        let body = templates::fill(&template.body, &pairs);
        let html = templates::text_to_html(&body);
        let from = Mailbox::new(Some(&identity.display_name), &identity.address)
            .unwrap_or_else(|| Mailbox { name: None, address: identity.address.clone() });
        let unique = OsRng.next_u64();
        let message_id = self.signer.new_id(0, unique);
        let raw = render(&Outgoing {
            from: &from,
            to: std::slice::from_ref(&to),
            subject: &subject,
            message_id: &message_id,
            in_reply_to: None,
            references: &[],
            text: &body,
            html: &html,
            date: Utc::now(),
            auto_submitted: AutoSubmitted::AutoGenerated,
            language: user.language.code(),
        });
        NewOutboxMail {
            dedupe_key: format!("{kind}:{}:{unique:x}", user.id),
            ticket_id: None,
            kind: kind.to_owned(),
            recipients: vec![to.address],
            message_id,
            raw,
        }
    }
}

impl Renderer {
    /// A mail to one person about a ticket outside its thread (surveys:
    /// an invitation, a low score for the lead), with the given values.
    pub(crate) fn person_mail(
        &self,
        user: &User,
        kind: &'static str,
        values: &[(&str, String)],
        dedupe: String,
        ticket_id: Option<i64>,
    ) -> NewOutboxMail {
        let identity = &self.identity;
        let to = mailbox_of(user);
        let template = templates::template(&self.context.templates, kind, user.language);
        let mut pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.push(("requester", user.name.as_str()));
        let subject = templates::fill(&template.subject, &pairs);
        let body = templates::fill(&template.body, &pairs);
        let html = templates::text_to_html(&body);
        let from = Mailbox::new(Some(&identity.display_name), &identity.address)
            .unwrap_or_else(|| Mailbox { name: None, address: identity.address.clone() });
        let message_id = self.signer.new_id(0, OsRng.next_u64());
        let raw = render(&Outgoing {
            from: &from,
            to: std::slice::from_ref(&to),
            subject: &subject,
            message_id: &message_id,
            in_reply_to: None,
            references: &[],
            text: &body,
            html: &html,
            date: Utc::now(),
            auto_submitted: AutoSubmitted::AutoGenerated,
            language: user.language.code(),
        });
        NewOutboxMail {
            dedupe_key: dedupe,
            ticket_id,
            kind: kind.to_owned(),
            recipients: vec![to.address],
            message_id,
            raw,
        }
    }
}

/// Who hears of a new ticket besides its requester: the team's agents, and
/// the approver it waits for, if any.
#[derive(Clone, Copy)]
pub(crate) struct NewTicketStaff<'a> {
    pub agents: &'a [User],
    pub approver: Option<&'a User>,
}

/// The mails a new ticket sends (see [`Renderer::created`]).
fn created_mails<'a>(
    view: &'a TicketView,
    requester: &User,
    staff: NewTicketStaff<'_>,
    acknowledge: Option<&[Mailbox]>,
    answering: Option<String>,
    dedupe: &str,
) -> Vec<Planned<'a>> {
    let mut out = Vec::new();
    for to in acknowledge.unwrap_or_default() {
        out.push(Planned {
            to: to.clone(),
            lang: requester.language,
            kind: "created",
            dedupe: format!("{dedupe}:created:{}", to.address),
            auto: if answering.is_some() { AutoSubmitted::AutoReplied } else { AutoSubmitted::AutoGenerated },
            answering: answering.clone(),
            values: vec![("body", view.ticket.description.clone())],
            view,
        });
    }
    for agent in staff.agents {
        out.push(Planned {
            to: mailbox_of(agent),
            lang: agent.language,
            kind: "agent_new_ticket",
            dedupe: format!("new:{}:{}", view.ticket.id, agent.id),
            auto: AutoSubmitted::AutoGenerated,
            answering: None,
            values: vec![("body", view.ticket.description.clone())],
            view,
        });
    }
    // The service's approver decides before the work starts (seed 004).
    if let Some(approver) = staff.approver {
        out.push(Planned {
            to: mailbox_of(approver),
            lang: approver.language,
            kind: "authorization_requested",
            dedupe: format!("authorize:{}:{}", view.ticket.id, approver.id),
            auto: AutoSubmitted::AutoGenerated,
            answering: None,
            values: vec![("body", view.ticket.description.clone())],
            view,
        });
    }
    out
}

fn mailbox_of(user: &User) -> Mailbox {
    Mailbox::new(Some(&user.name), user.email.as_str())
        .unwrap_or_else(|| Mailbox { name: None, address: user.email.as_str().to_owned() })
}
