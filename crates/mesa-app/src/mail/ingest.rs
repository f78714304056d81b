//! One received message → a new ticket, a reply on a ticket, or a held
//! message; never nothing.
//!
//! The order makes a crash at any point safe (issue 4): the raw bytes are
//! stored first, keyed by mailbox and Message-ID; then the ticket or thread
//! entry made from them is written in one transaction with everything else
//! the message brings (files, participants, its Message-ID, the mails it
//! sends, the outcome). The ticket or entry names the stored message (a
//! unique column), so a second attempt cannot write it twice. The caller
//! acknowledges the message to its source (IMAP flag, MTA exit code) only
//! after this returns.

use std::fmt;

use chrono::Utc;
use mesa_core::labels::text;
use mesa_core::lifecycle::{self, Change, TransitionInput};
use mesa_core::ticket::{TicketText, limits};
use mesa_core::{Actor, Email, Lang, Role, Status, Ticket, User};
use mesa_mail::{
    Disposition, Envelope, Mailbox, ParsedMail, Reference, ThreadDecision, ThreadFacts, TicketFacts, TicketState,
    Verdict, decide, disposition, neutralise_invisible, references_to_check, strip_reply_prefixes, subject_tag,
};
use mesa_store::{
    Attachment, InboxMessage, InboxResult, MailWrites, NewAttachment, NewEntry, NewUser, Participant, StoreError,
    TicketView,
};

use super::Notice;
use super::notify::NewTicketStaff;
use super::trust::{EntryKind, Trust, entry_kind};
use crate::tickets::{Planned, WRITE_ATTEMPTS, Written, backoff, excerpt, opened_view, sanitize_filename};
use crate::{AppError, AppResult, Desk, OpenTicket, failpoint};

/// What became of a message. Printed by `mesa mail ingest` as its last line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    Created {
        number: i64,
    },
    /// Added to a ticket's thread (and reopened it, if it was closed).
    Appended {
        number: i64,
    },
    /// Deliberately not turned into a ticket: a bounce, a loop, a message
    /// held for an admin, an unreadable one. It is stored raw all the same.
    Rejected {
        reason: String,
    },
    /// Not processed yet: the sender could not be checked (a DNS look-up
    /// failed). Stored; the MTA (exit 75) or the poller (left unseen) brings
    /// it again.
    Deferred {
        reason: String,
    },
}

impl fmt::Display for IngestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Created { number } => write!(f, "created {number}"),
            Self::Appended { number } => write!(f, "appended {number}"),
            Self::Rejected { reason } => write!(f, "rejected {reason}"),
            Self::Deferred { reason } => write!(f, "deferred {reason}"),
        }
    }
}

/// Why a message was held instead of joining a ticket: the state recorded
/// for it in the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// Not a mail Mesa could read (kept raw).
    Unparseable,
    /// A bounce, an auto-reply loop or our own mail.
    Rejected,
    /// Kept for an administrator to release or discard.
    Quarantined,
}

impl Held {
    fn as_str(self) -> &'static str {
        match self {
            Held::Unparseable => "unparseable",
            Held::Rejected => "rejected",
            Held::Quarantined => "quarantined",
        }
    }
}

/// What a message did to the ticket it joined: the outcome recorded for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joined {
    Created,
    Appended,
    Reopened,
}

impl Joined {
    fn as_str(self) -> &'static str {
        match self {
            Joined::Created => "created",
            Joined::Appended => "appended",
            Joined::Reopened => "reopened",
        }
    }
}

/// The end of processing: what to record and what to report.
enum Finished {
    Held {
        state: Held,
        reason: String,
    },
    Joined {
        how: Joined,
        ticket_id: i64,
        number: i64,
        /// The ticket's requester (not a participant of their own ticket).
        requester: String,
        /// Whether the message's To/Cc join the ticket (issue 11: only from
        /// an authenticated mail).
        admits_participants: bool,
        /// Whether its Message-ID is remembered for threading (not when it
        /// reused another message's).
        keeps_message_id: bool,
    },
}

impl Finished {
    fn outcome(self) -> IngestOutcome {
        match self {
            Finished::Joined { how: Joined::Created, number, .. } => IngestOutcome::Created { number },
            Finished::Joined { number, .. } => IngestOutcome::Appended { number },
            Finished::Held { reason, .. } => IngestOutcome::Rejected { reason },
        }
    }

    fn held(state: Held, reason: &str) -> Self {
        Finished::Held { state, reason: reason.to_owned() }
    }

    /// Joined to `view` by a message that `admits_participants` (or not)
    /// and `keeps_message_id` (or not).
    fn joined(how: Joined, view: &TicketView, admits_participants: bool, keeps_message_id: bool) -> Self {
        Finished::Joined {
            how,
            ticket_id: view.ticket.id,
            number: view.ticket.number,
            requester: view.requester_email.to_lowercase(),
            admits_participants,
            keeps_message_id,
        }
    }
}

/// Where processing a message got to.
enum Processed {
    /// Written with its ticket change, outcome included.
    Written(IngestOutcome),
    /// Not joined to a ticket (held), or joined by an earlier attempt: the
    /// outcome is still to be recorded.
    Finish(Finished),
}

impl Desk {
    /// Ingests one raw RFC 822 message received through `mailbox` (a
    /// configured mailbox's name, or the name given to the MTA pipe).
    pub async fn ingest_mail(&self, mailbox: &str, raw: &[u8]) -> AppResult<IngestOutcome> {
        self.ingest_mail_from(mailbox, raw, None).await
    }

    /// Ingests a message with the SMTP session it came in (`envelope`, from
    /// the MTA pipe), which lets SPF be checked.
    pub async fn ingest_mail_from(
        &self,
        mailbox: &str,
        raw: &[u8],
        envelope: Option<&Envelope>,
    ) -> AppResult<IngestOutcome> {
        let key = mesa_mail::storage_key(raw);
        let hash = mesa_mail::content_hash(raw);
        let stored = self.store.store_raw_mail(mailbox, &key, &hash, raw).await?;
        if stored.reused_message_id && stored.state == "pending" {
            tracing::warn!(mail = stored.id, "a different message reused a stored Message-ID; processed as its own");
        }
        failpoint("mail_after_store");
        self.ingest_stored(&stored, raw, envelope).await
    }

    async fn ingest_stored(
        &self,
        stored: &InboxMessage,
        raw: &[u8],
        envelope: Option<&Envelope>,
    ) -> AppResult<IngestOutcome> {
        if let Some(outcome) = earlier_outcome(stored) {
            return Ok(outcome);
        }
        let parsed = match std::panic::catch_unwind(|| mesa_mail::parse(raw)) {
            Ok(Ok(mail)) => mail,
            Ok(Err(e)) => return self.finish(stored, None, Finished::held(Held::Unparseable, e.reason.as_str())).await,
            Err(_) => return self.finish(stored, None, Finished::held(Held::Unparseable, "parser_failure")).await,
        };
        let auth = self.authenticate(stored, raw, &parsed, envelope).await?;
        self.store.record_mail_auth(stored.id, auth.verdict.as_str(), &auth.detail).await?;
        if auth.verdict == Verdict::TempError {
            tracing::info!(mail = stored.id, detail = %auth.detail, "sender not checkable now; deferred");
            return Ok(IngestOutcome::Deferred { reason: "sender_temperror".into() });
        }
        let trust = Trust { auth, reused_message_id: stored.reused_message_id };
        match self.process(stored, &parsed, &trust).await? {
            Processed::Written(outcome) => Ok(outcome),
            Processed::Finish(finished) => self.finish(stored, Some(&parsed), finished).await,
        }
    }

    async fn finish(
        &self,
        stored: &InboxMessage,
        mail: Option<&ParsedMail>,
        finished: Finished,
    ) -> AppResult<IngestOutcome> {
        let context = self.mail_context().await?;
        let result = inbox_result(mail, &finished, &context.own);
        self.store.finish_mail(stored.id, &result).await?;
        if let Finished::Held { state, reason } = &finished {
            tracing::info!(mail = stored.id, state = state.as_str(), reason, "mail held");
        }
        Ok(finished.outcome())
    }

    async fn process(&self, stored: &InboxMessage, mail: &ParsedMail, trust: &Trust) -> AppResult<Processed> {
        let context = self.mail_context().await?;
        let (own, settings) = (&context.own, &context.settings);
        let policy = settings.sender_policy(&stored.mailbox);
        let disposition = disposition(mail, own);
        if let Disposition::Reject(reason) = disposition {
            return Ok(Processed::Finish(Finished::held(Held::Rejected, reason.as_str())));
        }
        let signer = self.signer().await?;

        let mut by_reference = None;
        for reference in references_to_check(mail, &signer) {
            let found = match reference {
                Reference::Signed { ticket, .. } => optional(self.store.ticket_by_number(ticket).await)?,
                Reference::Stored { id } => match self.store.ticket_by_message_id(id.as_str()).await? {
                    Some(ticket_id) => optional(self.store.ticket_by_id(ticket_id).await)?,
                    None => None,
                },
            };
            if found.is_some() {
                by_reference = found;
                break;
            }
        }
        let by_tag = match subject_tag(&mail.subject, &settings.tag_prefix) {
            Some(number) => optional(self.store.ticket_by_number(number).await)?,
            None => None,
        };
        let author_user = match mail.author() {
            Some(author) => self.user_by_address(&author.address).await?,
            None => None,
        };
        let facts = ThreadFacts {
            by_reference: match &by_reference {
                Some(view) => Some(self.facts_of(view).await?),
                None => None,
            },
            by_tag: match &by_tag {
                Some(view) => Some(self.facts_of(view).await?),
                None => None,
            },
            sender_is_agent: author_user.as_ref().is_some_and(|u| u.role.is_staff() && u.active),
        };
        let decision = decide(mail, &facts, &settings.thread_policy(), Utc::now());
        let author = mail.author().cloned();
        let held = |state, reason: &str| Ok(Processed::Finish(Finished::held(state, reason)));
        match (decision, author) {
            (ThreadDecision::Quarantine { reason }, _) => held(Held::Quarantined, reason.as_str()),
            (_, None) => held(Held::Quarantined, "no_sender"),
            (ThreadDecision::NewTicket { linked_to }, Some(author)) => {
                let staff = author_user.as_ref().is_some_and(|u| u.role.is_staff());
                if staff && !trust.authenticated() && policy.unverified_staff == "hold" {
                    return held(Held::Quarantined, "staff_unverified");
                }
                let requester = match author_user {
                    Some(user) if user.active => user,
                    Some(_) => return held(Held::Quarantined, "sender_inactive"),
                    None if !settings.admits(&author.address) => return held(Held::Quarantined, "sender_not_allowed"),
                    None => match self.requester_by_mail(&author).await? {
                        Some(user) => user,
                        None => return held(Held::Quarantined, "sender_address_invalid"),
                    },
                };
                let auto_reply = disposition == Disposition::Process
                    && settings.auto_reply
                    && self.within_auto_reply_limit(&author.address, settings.auto_replies_per_hour).await?;
                let reply_to: Vec<Mailbox> = mail.reply_recipients().into_iter().cloned().collect();
                let acknowledge = auto_reply.then_some(reply_to.as_slice());
                let processed = self.ticket_from_mail(stored, mail, &requester, linked_to, acknowledge, trust).await?;
                failpoint("mail_after_ticket");
                Ok(processed)
            }
            (ThreadDecision::Append { number } | ThreadDecision::Reopen { number }, Some(author)) => {
                let reopen = matches!(decision, ThreadDecision::Reopen { .. });
                let view = match by_reference.into_iter().chain(by_tag).find(|v| v.ticket.number == number) {
                    Some(view) => view,
                    None => return Err(AppError::NotFound("ticket")),
                };
                let Some(writer) = (match author_user {
                    Some(user) => Some(user),
                    None => self.requester_by_mail(&author).await?,
                }) else {
                    return held(Held::Quarantined, "sender_address_invalid");
                };
                let body: String = match mail.text.trim() {
                    "" => text(writer.language, "mail.no_body").to_owned(),
                    body => body.to_owned(),
                };
                let staff = writer.role.is_staff() && writer.active;
                let Some(kind) = entry_kind(trust, policy, staff, &author.address, writer.language, &body) else {
                    return held(Held::Quarantined, "staff_unverified");
                };
                let answer_sender = disposition == Disposition::Process
                    && self.within_auto_reply_limit(&author.address, settings.auto_replies_per_hour).await?;
                let processed =
                    self.reply_from_mail(stored, mail, view, &writer, reopen, kind, trust, answer_sender).await?;
                failpoint("mail_after_ticket");
                Ok(processed)
            }
        }
    }

    async fn facts_of(&self, view: &TicketView) -> AppResult<TicketFacts> {
        let participants = self.store.participants(view.ticket.id).await?.into_iter().map(|p| p.email).collect();
        let state = match (view.ticket.status, view.ticket.closed_at) {
            (Status::Closed, Some(at)) => TicketState::Closed { at },
            (Status::Closed, None) => TicketState::Closed { at: view.ticket.updated_at },
            _ => TicketState::Open,
        };
        Ok(TicketFacts { number: view.ticket.number, requester: view.requester_email.clone(), participants, state })
    }

    async fn user_by_address(&self, address: &str) -> AppResult<Option<User>> {
        match Email::parse(address) {
            Ok(email) => Ok(self.store.user_by_email(&email).await?),
            Err(_) => Ok(None),
        }
    }

    /// The account of someone writing in: found, or created as a requester.
    async fn requester_by_mail(&self, author: &Mailbox) -> AppResult<Option<User>> {
        let Ok(email) = Email::parse(&author.address) else { return Ok(None) };
        if let Some(user) = self.store.user_by_email(&email).await? {
            return Ok(Some(user));
        }
        let name: String = author
            .name
            .as_deref()
            .map(neutralise_invisible)
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.local_part())
            .chars()
            .take(limits::NAME)
            .collect();
        match self.store.create_user(&NewUser::new(email.clone(), name, Role::Requester)).await {
            Ok(user) => {
                tracing::info!(user = user.id, "requester created from mail");
                Ok(Some(user))
            }
            Err(StoreError::Conflict(_)) => Ok(self.store.user_by_email(&email).await?),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the ticket, written with the message's files, its mails (the
    /// acknowledgement to `acknowledge`, if any; the notice of dropped
    /// attachments with it) and its outcome.
    async fn ticket_from_mail(
        &self,
        stored: &InboxMessage,
        mail: &ParsedMail,
        requester: &User,
        linked_to: Option<i64>,
        acknowledge: Option<&[Mailbox]>,
        trust: &Trust,
    ) -> AppResult<Processed> {
        let lang = requester.language;
        let subject: String = match neutralise_invisible(strip_reply_prefixes(&mail.subject)).trim() {
            "" => text(lang, "mail.no_subject").to_owned(),
            s => s.chars().take(limits::SUBJECT).collect(),
        };
        let mut description = String::new();
        if let Some(old) = linked_to {
            description.push_str(&text(lang, "mail.continues").replace("{number}", &old.to_string()));
            description.push_str("\n\n");
        }
        if trust.auth.verdict == Verdict::Fail {
            description.push_str(&text(lang, "mail.unverified").replace("{verdict}", trust.auth.verdict.as_str()));
            description.push_str("\n\n");
        }
        match mail.text.trim() {
            "" => description.push_str(text(lang, "mail.no_body")),
            body => description.push_str(body),
        }
        let (attachments, html, dropped) = self.files_of(stored, mail, requester.id, &[]).await?;
        let dropped_lines = super::dropped::lines(&dropped, lang, self.settings.max_attachment_bytes);
        let description: String = with_dropped(&description, &dropped_lines, limits::DESCRIPTION);
        let input = OpenTicket::new(TicketText::new(&subject, &description)?);
        let (new, service) = self.prepare_ticket(requester, requester.id, input, Some(stored.id)).await?;
        let renderer = self.renderer().await?;
        let agents = match &renderer {
            Some(renderer) => self.agents_to_notify(renderer, new.team_id).await?,
            None => Vec::new(),
        };
        let approver = match new.approver_id {
            Some(id) => Some(self.store.user_by_id(id).await?),
            None => None,
        };
        let context = self.mail_context().await?;
        let answering = mail.message_id.as_ref().map(|id| id.to_header());
        let service_name = service.map(|s| s.name);
        let sender = mail.author().cloned();
        let written = self
            .store
            .create_ticket_from_mail(&new, |ticket| {
                let view = opened_view(ticket.clone(), requester, service_name, new.stamp);
                let dedupe = format!("mail:{}", stored.id);
                let outbox = match &renderer {
                    Some(r) => {
                        let staff = NewTicketStaff { agents: &agents, approver: approver.as_ref() };
                        let mut outbox = r.created(&view, requester, staff, acknowledge, answering.clone(), &dedupe);
                        if let (Some(to), Some(_), false) = (&sender, acknowledge, dropped_lines.is_empty()) {
                            outbox.extend(r.attachments_dropped(&view, to, lang, answering, &dropped_lines, &dedupe));
                        }
                        outbox
                    }
                    None => Vec::new(),
                };
                let finished =
                    Finished::joined(Joined::Created, &view, trust.authenticated(), !trust.reused_message_id);
                let result = inbox_result(Some(mail), &finished, &context.own);
                MailWrites { inbox_id: stored.id, result, outbox, attachments, html }
            })
            .await;
        match written {
            Ok(ticket) => {
                tracing::info!(number = ticket.number, "ticket opened from mail");
                Ok(Processed::Written(IngestOutcome::Created { number: ticket.number }))
            }
            // An earlier attempt, or another process, made it.
            Err(StoreError::Conflict(_)) => self.made_before(stored).await,
            Err(e) => Err(e.into()),
        }
    }

    /// What became of a message whose ticket or entry exists already: the
    /// outcome recorded with it or, when an older version wrote the ticket
    /// without its outcome, that outcome to record now.
    async fn made_before(&self, stored: &InboxMessage) -> AppResult<Processed> {
        let stored = self.store.inbox_message(stored.id).await?;
        if let Some(outcome) = earlier_outcome(&stored) {
            return Ok(Processed::Written(outcome));
        }
        if let Some(id) = self.store.ticket_from_mail(stored.id).await? {
            let view = self.store.ticket_by_id(id).await?;
            return Ok(Processed::Finish(Finished::joined(Joined::Created, &view, false, false)));
        }
        if let Some(ticket_id) = self.store.entry_from_mail(stored.id).await? {
            let view = self.store.ticket_by_id(ticket_id).await?;
            return Ok(Processed::Finish(Finished::joined(Joined::Appended, &view, false, false)));
        }
        Err(AppError::Conflict { code: "busy", message: "try again".into() })
    }

    /// Adds the message to a ticket's thread as `kind` says (a public reply
    /// reopening a closed ticket, or a note that changes nothing), written
    /// with its files, the mails it sends and its outcome. `answer_sender`:
    /// the loop rules allow a notice to its sender (dropped attachments).
    #[allow(clippy::too_many_arguments)]
    async fn reply_from_mail(
        &self,
        stored: &InboxMessage,
        mail: &ParsedMail,
        view: TicketView,
        author: &User,
        reopen: bool,
        kind: EntryKind,
        trust: &Trust,
        answer_sender: bool,
    ) -> AppResult<Processed> {
        let existing = match mail.attachments.is_empty() {
            true => Vec::new(),
            false => self.store.attachments(view.ticket.id).await?,
        };
        let (attachments, html, dropped) = self.files_of(stored, mail, author.id, &existing).await?;
        let dropped_lines = super::dropped::lines(&dropped, author.language, self.settings.max_attachment_bytes);
        let body = with_dropped(&kind.body, &dropped_lines, limits::ENTRY_BODY);
        let renderer = self.renderer().await?;
        let context = self.mail_context().await?;
        let staff = author.role.is_staff();
        let reopen = reopen && kind.changes_ticket;
        let sender = mail.author().cloned();
        let mut current = view;
        for attempt in 0..WRITE_ATTEMPTS {
            if attempt > 0 {
                backoff(attempt).await;
                // A racing process (or a first attempt) may have written it:
                // a unique violation on the message shows up as a stale write.
                if self.store.entry_from_mail(stored.id).await?.is_some() {
                    return self.made_before(stored).await;
                }
                current = self.store.ticket_by_id(current.ticket.id).await?;
            }
            let t = &current.ticket;
            let now = Utc::now();
            let (mut next, mut history) = if reopen && t.status == Status::Closed {
                let input = TransitionInput {
                    to: Some(Status::InProgress),
                    reason: Some(text(Lang::default(), "mail.reopened").to_owned()),
                    ..Default::default()
                };
                let (next, changes) = lifecycle::plan(t, Role::Agent, input, now)?;
                (next, changes.into_iter().map(|c| (c, false)).collect::<Vec<_>>())
            } else if kind.changes_ticket
                && !kind.internal
                && let Some((next, changes)) =
                    crate::tickets::objection(t, author.id, &kind.body, &context.settings.thanks_phrases, now)?
            {
                (next, changes.into_iter().map(|c| (c, false)).collect::<Vec<_>>())
            } else {
                (t.clone(), Vec::new())
            };
            let reopened = next.status != t.status && matches!(t.status, Status::Closed | Status::Solved);
            if staff && kind.changes_ticket {
                let before = next.clone();
                next.status = lifecycle::after_staff_reply(next.status);
                next.first_response_at = next.first_response_at.or(Some(now));
                history.extend(lifecycle::diff(&before, &next).into_iter().map(|c| (c, false)));
            }
            let field = if kind.internal { "internal_note" } else { "public_reply" };
            history.insert(0, (Change::new(field, None, Some(excerpt(&body))), kind.internal));
            // The ticket as the reply leaves it, for the mails and the outcome.
            let after = TicketView {
                ticket: Ticket { version: next.version + 1, updated_at: now, ..next.clone() },
                ..current.clone()
            };
            let mut outbox = Vec::new();
            if let Some(renderer) = &renderer {
                if kind.notifies {
                    let dedupe = format!("mail:{}:reply", stored.id);
                    let quoted = mail.quote_split().new_text.to_owned();
                    let notice = Notice::Reply { view: &after, dedupe, author, body: &quoted };
                    outbox = self.mails_for(renderer, notice).await?;
                }
                if let (Some(to), true, false) = (&sender, answer_sender, dropped_lines.is_empty()) {
                    let answering = mail.message_id.as_ref().map(|id| id.to_header());
                    let dedupe = format!("mail:{}", stored.id);
                    outbox.extend(renderer.attachments_dropped(
                        &after,
                        to,
                        author.language,
                        answering,
                        &dropped_lines,
                        &dedupe,
                    ));
                }
            }
            let outcome = if reopen || reopened { Joined::Reopened } else { Joined::Appended };
            let finished = Finished::joined(outcome, &after, kind.admits_participants, !trust.reused_message_id);
            let result = inbox_result(Some(mail), &finished, &context.own);
            let writes = MailWrites {
                inbox_id: stored.id,
                result,
                outbox,
                attachments: attachments.clone(),
                html: html.clone(),
            };
            let entry = NewEntry {
                author_id: author.id,
                internal: kind.internal,
                body: body.clone(),
                source_mail_id: Some(stored.id),
            };
            let planned = Planned { ticket: next, entry: Some(entry), history };
            match self.write_planned(&current, planned, Some(author.id), now, Some(&writes)).await? {
                Written::Done(_) => {
                    return Ok(Processed::Written(IngestOutcome::Appended { number: after.ticket.number }));
                }
                Written::Stale => continue,
            }
        }
        Err(AppError::Conflict { code: "busy_ticket", message: "the ticket is changing too fast; try again".into() })
    }

    /// The files of a message, stored in the blob store, as the rows to
    /// write for them (less those already on the ticket: `existing`), and
    /// its HTML body with its inline images pointing at them.
    async fn files_of(
        &self,
        stored: &InboxMessage,
        mail: &ParsedMail,
        uploaded_by: i64,
        existing: &[Attachment],
    ) -> AppResult<(Vec<NewAttachment>, Option<String>, Vec<super::dropped::DroppedPart>)> {
        let mut files = Vec::new();
        let mut inline = Vec::new();
        let mut dropped = Vec::new();
        for (i, file) in mail.attachments.iter().enumerate() {
            let filename: String = match file.filename.as_deref().map(sanitize_filename) {
                Some(name) if !name.is_empty() => neutralise_invisible(&name).chars().take(255).collect(),
                _ => format!("adjunto-{}-{}.{}", stored.id, i + 1, extension_for(&file.content_type)),
            };
            if file.bytes.len() > self.settings.max_attachment_bytes {
                tracing::warn!(mail = stored.id, size = file.bytes.len(), "attachment over the size limit not stored");
                dropped.push(super::dropped::DroppedPart {
                    name: filename,
                    size: file.bytes.len(),
                    reason: super::dropped::DropReason::TooLarge,
                });
                continue;
            }
            let sha256 = self.blobs.put(&file.bytes).await?;
            if let Some(cid) = &file.content_id {
                inline.push((cid.clone(), format!("mesa-blob:{sha256}")));
            }
            if existing.iter().any(|a| a.sha256 == sha256 && a.filename == filename) {
                continue;
            }
            let content_type: String = file.content_type.chars().take(255).collect();
            files.push(NewAttachment {
                // Written with the ticket the message joins.
                ticket_id: 0,
                uploaded_by,
                filename,
                content_type,
                size: file.bytes.len() as i64,
                sha256,
            });
        }
        let html = mail.html.as_deref().map(|html| mesa_mail::repoint_sources(html, "cid", &inline));
        Ok((files, html, dropped))
    }

    /// Whether `address` may get another automatic answer this hour.
    async fn within_auto_reply_limit(&self, address: &str, per_hour: u32) -> AppResult<bool> {
        let since = Utc::now() - chrono::TimeDelta::hours(1);
        // The message being processed is not yet marked with its sender.
        let earlier = self.store.mail_count_from(address, since).await?;
        Ok(earlier < i64::from(per_hour))
    }

    /// Lets an administrator release a quarantined message: it is processed
    /// again as a new ticket for its sender.
    pub async fn release_mail(&self, actor: &Actor, id: i64) -> AppResult<IngestOutcome> {
        super::require_admin(actor)?;
        let stored = match self.store.inbox_message(id).await {
            Ok(m) => m,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("message")),
            Err(e) => return Err(e.into()),
        };
        if stored.state != "quarantined" {
            return Err(AppError::Conflict {
                code: "not_quarantined",
                message: format!("message {id} is {}, not quarantined", stored.state),
            });
        }
        let raw = self.store.inbox_raw(id).await?;
        let mail = mesa_mail::parse(&raw)
            .map_err(|_| AppError::Conflict { code: "unparseable", message: "the message cannot be read".into() })?;
        let Some(author) = mail.author().cloned() else {
            return Err(AppError::Conflict { code: "no_sender", message: "the message has no sender".into() });
        };
        let Some(requester) = self.requester_by_mail(&author).await? else {
            return Err(AppError::Conflict { code: "no_sender", message: "the sender's address is invalid".into() });
        };
        let verdict = stored.auth_verdict.as_deref().and_then(Verdict::parse).unwrap_or(Verdict::None);
        let trust = Trust {
            auth: mesa_mail::SenderAuth::new(verdict, stored.auth_detail.clone().unwrap_or_default()),
            reused_message_id: stored.reused_message_id,
        };
        match self.ticket_from_mail(&stored, &mail, &requester, None, None, &trust).await? {
            Processed::Written(outcome) => Ok(outcome),
            Processed::Finish(finished) => self.finish(&stored, Some(&mail), finished).await,
        }
    }
}

/// The outcome to record for a message (`mail`: unless unreadable), with
/// what it adds to its ticket: its To/Cc as participants (not the
/// requester, not the desk's `own` addresses) and its Message-ID.
fn inbox_result(mail: Option<&ParsedMail>, finished: &Finished, own: &[String]) -> InboxResult {
    let subject = mail.map(|m| neutralise_invisible(&m.subject).chars().take(limits::SUBJECT).collect());
    let sender = mail.and_then(|m| m.author()).map(|a| a.address.clone());
    match finished {
        Finished::Held { state, reason } => InboxResult {
            state: state.as_str(),
            participants: Vec::new(),
            message_id: None,
            reason: Some(reason.clone()),
            outcome: None,
            ticket_id: None,
            sender,
            subject,
        },
        Finished::Joined { how, ticket_id, requester, admits_participants, keeps_message_id, .. } => {
            let participants = match mail {
                Some(mail) if *admits_participants => mail
                    .participants(own)
                    .into_iter()
                    .filter(|m| &m.address != requester)
                    .map(|m| Participant { email: m.address.clone(), name: m.name.clone() })
                    .collect(),
                _ => Vec::new(),
            };
            InboxResult {
                state: "done",
                participants,
                message_id: mail
                    .filter(|_| *keeps_message_id)
                    .and_then(|m| m.message_id.as_ref())
                    .map(|id| id.as_str().to_owned()),
                reason: None,
                outcome: Some(how.as_str()),
                ticket_id: Some(*ticket_id),
                sender,
                subject,
            }
        }
    }
}

/// `text` with the lines about dropped attachments after it, within `limit`
/// characters (the lines are kept; the text is cut).
fn with_dropped(text: &str, dropped: &[String], limit: usize) -> String {
    if dropped.is_empty() {
        return text.chars().take(limit).collect();
    }
    let tail = format!("\n\n{}", dropped.join("\n"));
    let room = limit.saturating_sub(tail.chars().count());
    let mut out: String = text.chars().take(room).collect();
    out.push_str(&tail);
    out.chars().take(limit).collect()
}

fn optional(result: Result<TicketView, StoreError>) -> AppResult<Option<TicketView>> {
    match result {
        Ok(view) => Ok(Some(view)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The outcome of a message processed before, if it was.
fn earlier_outcome(stored: &InboxMessage) -> Option<IngestOutcome> {
    match (stored.state.as_str(), stored.outcome.as_deref(), stored.ticket_number) {
        ("pending", ..) => None,
        ("done", Some("created"), Some(number)) => Some(IngestOutcome::Created { number }),
        ("done", Some(_), Some(number)) => Some(IngestOutcome::Appended { number }),
        (state, ..) => Some(IngestOutcome::Rejected { reason: stored.reason.clone().unwrap_or_else(|| state.into()) }),
    }
}

fn extension_for(content_type: &str) -> &'static str {
    match content_type.to_ascii_lowercase().as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}
