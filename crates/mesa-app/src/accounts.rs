//! Accounts without a help-desk visit: a person chooses (or resets) their
//! password from a mailed link, approves or rejects a solution from the
//! solved mail without a password, and follows a ticket mail's link into
//! that ticket only.
//!
//! Every link is 256 random bits (only its SHA-256 is stored), expires
//! (`LinkPurpose::lifetime`) and is spent by one conditional update, so it
//! works once even when two requests race.

use chrono::{DateTime, Utc};
use mesa_core::account::{LinkPurpose, LinkRefusal, PASSWORD_MAIL_WINDOW, may_send_password_mail};
use mesa_core::lifecycle::TransitionInput;
use mesa_core::ticket::limits;
use mesa_core::validate::{FieldError, optional_text};
use mesa_core::{Actor, Email, Status, User};
use mesa_store::{NewLink, StoreError, TicketView};

use crate::auth::token_digest;
use crate::{AppError, AppResult, Desk, hash_password, new_token};

/// What a mailed link opens, before it is used.
#[derive(Debug, Clone)]
pub enum LinkView {
    /// Choose a password (`first_time`: the person never had one).
    Password { user: User, first_time: bool },
    /// Approve or reject the solution of a ticket.
    Verdict { purpose: LinkPurpose, ticket: TicketView },
    /// Continue to one ticket, signed in for it only.
    TicketSignIn { ticket: TicketView },
}

/// Why a link no longer works (the same page for all three, so a link
/// reveals nothing about others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLink {
    Unknown,
    Used,
    Expired,
}

impl From<LinkRefusal> for DeadLink {
    fn from(r: LinkRefusal) -> Self {
        match r {
            LinkRefusal::Used => DeadLink::Used,
            LinkRefusal::Expired => DeadLink::Expired,
        }
    }
}

/// A link that does not work, as a use-case error (410 Gone in the API).
fn gone(why: DeadLink) -> AppError {
    let message = match why {
        DeadLink::Unknown => "this link is not valid",
        DeadLink::Used => "this link was already used",
        DeadLink::Expired => "this link has expired",
    };
    AppError::Conflict { code: "link_invalid", message: message.into() }
}

impl Desk {
    /// Makes a link for `user` and returns its address (the token is in it
    /// and nowhere else).
    pub(crate) async fn new_link(
        &self,
        user_id: i64,
        purpose: LinkPurpose,
        ticket_id: Option<i64>,
    ) -> AppResult<String> {
        let token = new_token();
        let digest = token_digest(&token);
        let expires_at = Utc::now() + purpose.lifetime();
        self.store.insert_link(&NewLink { token_hash: &digest, user_id, purpose, ticket_id, expires_at }).await?;
        let base = self.settings.mail.as_ref().map_or("", |m| m.public_url.as_str());
        Ok(format!("{base}/links/{token}"))
    }

    /// Mails a password link to `email` if it belongs to an active person,
    /// at most [`mesa_core::account::PASSWORD_MAILS_PER_WINDOW`] an hour.
    /// Answers the same whether or not anyone has that address, so the form
    /// cannot be used to learn who has an account.
    pub async fn request_password_mail(&self, email: &str) -> AppResult<()> {
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let Some(user) = self.store.user_by_email(&email).await?.filter(|u| u.active) else { return Ok(()) };
        let now = Utc::now();
        let recent = self.store.links_sent_since(user.id, LinkPurpose::Password, now - PASSWORD_MAIL_WINDOW).await?;
        if !may_send_password_mail(recent) {
            tracing::info!(user = user.id, "password mail withheld: too many in the last hour");
            return Ok(());
        }
        let Some(renderer) = self.renderer().await? else {
            tracing::warn!("a password mail was asked for but no mail is configured (MESA_MAIL_FROM)");
            return Ok(());
        };
        let first_time = self.store.password_hash(user.id).await?.is_none();
        let link = self.new_link(user.id, LinkPurpose::Password, None).await?;
        let kind = if first_time { "password_set" } else { "password_reset" };
        let mail = renderer.account_mail(&user, kind, &link);
        self.store.queue_mail(&mail).await?;
        Ok(())
    }

    /// What a link opens, without using it.
    pub async fn link_view(&self, token: &str, now: DateTime<Utc>) -> AppResult<Result<LinkView, DeadLink>> {
        if !token.starts_with("mesa_") || token.len() != 69 {
            return Ok(Err(DeadLink::Unknown));
        }
        let Some((link, state)) = self.store.link(&token_digest(token)).await? else {
            return Ok(Err(DeadLink::Unknown));
        };
        if let Err(refusal) = state.check(now) {
            return Ok(Err(refusal.into()));
        }
        let user = self.store.user_by_id(link.user_id).await?;
        if !user.active {
            return Ok(Err(DeadLink::Unknown));
        }
        let ticket = match link.ticket_id {
            Some(id) => Some(self.store.ticket_by_id(id).await?),
            None => None,
        };
        Ok(Ok(match (link.purpose, ticket) {
            (LinkPurpose::Password, _) => {
                let first_time = self.store.password_hash(user.id).await?.is_none();
                LinkView::Password { user, first_time }
            }
            (LinkPurpose::TicketSignIn, Some(ticket)) => LinkView::TicketSignIn { ticket },
            (purpose @ (LinkPurpose::Approve | LinkPurpose::Reject), Some(ticket)) => {
                LinkView::Verdict { purpose, ticket }
            }
            (_, None) => return Ok(Err(DeadLink::Unknown)),
        }))
    }

    /// Sets the password of a password link's owner and spends the link
    /// (and every other password link they hold); ends their sessions.
    pub async fn set_password_with_link(&self, token: &str, password: &str, now: DateTime<Utc>) -> AppResult<User> {
        // A password that would be refused must not spend the link.
        let hash = hash_password(password)?;
        let link = self
            .store
            .spend_link(&token_digest(token), LinkPurpose::Password, now)
            .await?
            .ok_or_else(|| gone(DeadLink::Unknown))?;
        let user = self.store.user_by_id(link.user_id).await?;
        if !user.active {
            return Err(gone(DeadLink::Unknown));
        }
        self.store.set_password_hash(user.id, &hash).await?;
        self.store.spend_links_of(user.id, LinkPurpose::Password, now).await?;
        self.store.delete_sessions_of(user.id).await?;
        tracing::info!(user = user.id, "password set from a mailed link");
        Ok(user)
    }

    /// Approves (`Approve`) or rejects (`Reject`, with a reason) the solution
    /// of the link's ticket as its requester, who needs no password for it.
    pub async fn verdict_with_link(
        &self,
        token: &str,
        purpose: LinkPurpose,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<TicketView> {
        let view = match self.link_view(token, now).await? {
            Ok(view) => view,
            Err(why) => return Err(gone(why)),
        };
        let LinkView::Verdict { purpose: linked, ticket } = view else { return Err(gone(DeadLink::Unknown)) };
        if linked != purpose {
            return Err(gone(DeadLink::Unknown));
        }
        let reason = optional_text("reason", reason, limits::REASON)?;
        if purpose == LinkPurpose::Reject && reason.is_none() {
            return Err(FieldError::new("reason", "required", "say why the solution is rejected").into());
        }
        if ticket.ticket.status != Status::Solved {
            return Err(AppError::Conflict {
                code: "invalid_transition",
                message: "the ticket no longer waits for your verdict".into(),
            });
        }
        let link =
            self.store.spend_link(&token_digest(token), purpose, now).await?.ok_or_else(|| gone(DeadLink::Used))?;
        let requester = self.store.user_by_id(link.user_id).await?;
        let actor = Actor { user_id: requester.id, role: requester.role };
        let to = if purpose == LinkPurpose::Approve { Status::Closed } else { Status::InProgress };
        let input = TransitionInput { to: Some(to), reason, ..Default::default() };
        self.transition(&actor, ticket.ticket.number, input).await
    }

    /// Spends a ticket link and opens a session that reaches that ticket
    /// only; returns the cookie value and the ticket's number.
    pub async fn ticket_session_with_link(&self, token: &str, now: DateTime<Utc>) -> AppResult<(String, i64)> {
        let link = self
            .store
            .spend_link(&token_digest(token), LinkPurpose::TicketSignIn, now)
            .await?
            .ok_or_else(|| gone(DeadLink::Unknown))?;
        let user = self.store.user_by_id(link.user_id).await?;
        let ticket_id = link.ticket_id.ok_or_else(|| gone(DeadLink::Unknown))?;
        let ticket = match self.store.ticket_by_id(ticket_id).await {
            Ok(view) => view,
            Err(StoreError::NotFound) => return Err(gone(DeadLink::Unknown)),
            Err(e) => return Err(e.into()),
        };
        if !user.active || ticket.ticket.requester_id != user.id {
            return Err(gone(DeadLink::Unknown));
        }
        let cookie = self.open_session(&user, Some(ticket.ticket.number)).await?;
        Ok((cookie, ticket.ticket.number))
    }

    /// The one-time links a requester's ticket mail carries: `link` signs
    /// them in to that ticket only; for a solved ticket, `approve_link` and
    /// `reject_link` give the verdict without signing in. Staff and other
    /// recipients get the plain page address instead (see README).
    pub(crate) async fn requester_links(
        &self,
        requester: &User,
        view: &TicketView,
        solved: bool,
    ) -> AppResult<Vec<(&'static str, String)>> {
        if requester.role != mesa_core::Role::Requester || !requester.active {
            return Ok(Vec::new());
        }
        let id = view.ticket.id;
        let mut links = vec![("link", self.new_link(requester.id, LinkPurpose::TicketSignIn, Some(id)).await?)];
        if solved {
            links.push(("approve_link", self.new_link(requester.id, LinkPurpose::Approve, Some(id)).await?));
            links.push(("reject_link", self.new_link(requester.id, LinkPurpose::Reject, Some(id)).await?));
        }
        Ok(links)
    }
}
