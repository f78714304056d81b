//! Satisfaction surveys (issue 16): the active survey and its versions, the
//! desk's survey settings, signed links per (ticket, requester), answering
//! once before the link expires, and the lead's notice of a low score.
//!
//! A link's token is the HMAC-SHA256 of (ticket, requester) under a random
//! key kept in the database (so every process makes the same link, and the
//! staff can show it again as a QR code); only the token's SHA-256 is
//! stored, so the table alone does not give the links away.

mod results;
mod sample;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use mesa_core::account::{LinkRefusal, LinkState};
use mesa_core::survey::{Answers, Question, Survey, SurveySettings, asks_survey, low_score};
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Lang, Role, Status, User};
use mesa_store::{NewSurveyLink, StoreError, SurveyLink, TicketView};
use sha2::Sha256;

pub use results::{GroupBy, ResultGroup, SurveyResults};
pub use sample::{SampleLine, SampleReport};

use crate::auth::token_digest;
use crate::{AppError, AppResult, Desk};

pub const SURVEY_SETTINGS_KEY: &str = "survey_settings";
const SURVEY_KEY_SETTING: &str = "survey_signing_key";

/// Why a survey link does not open (one page for all, 410 Gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadSurvey {
    Unknown,
    Answered,
    Expired,
}

/// What a survey link opens.
#[derive(Debug, Clone)]
pub struct SurveyForm {
    pub survey: Survey,
    pub number: i64,
    pub subject: String,
    /// The requester's language.
    pub lang: Lang,
    pub expires_at: DateTime<Utc>,
}

/// A ticket's survey as the staff see it.
#[derive(Debug, Clone)]
pub struct TicketSurvey {
    /// The token (its page is `/s/{token}`); `None` while the ticket is not solved.
    pub token: Option<String>,
    pub link: Option<SurveyLink>,
    pub answer: Option<StoredAnswer>,
}

#[derive(Debug, Clone)]
pub struct StoredAnswer {
    pub survey_version: i64,
    pub answers: Answers,
    pub answered_at: DateTime<Utc>,
}

/// The path of a survey link.
pub fn survey_path(token: &str) -> String {
    format!("/s/{token}")
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(StoreError::Corrupt(format!("{what}: {e}")))
}

/// A token has the shape of an HMAC-SHA256 in lower-case hex.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Desk {
    pub async fn survey_settings(&self) -> AppResult<SurveySettings> {
        match self.store.setting(SURVEY_SETTINGS_KEY).await? {
            Some(raw) => serde_json::from_str(&raw).map_err(|e| corrupt("survey settings", e)),
            None => Ok(SurveySettings::default()),
        }
    }

    /// Replaces the survey settings (administrators only).
    pub async fn set_survey_settings(&self, actor: &Actor, settings: &SurveySettings) -> AppResult<()> {
        require_admin(actor)?;
        settings.check()?;
        let raw = serde_json::to_string(settings).expect("survey settings serialise");
        self.store.put_setting(SURVEY_SETTINGS_KEY, &raw).await?;
        Ok(())
    }

    /// The active survey (the default one, version 1, until an admin edits it).
    pub async fn active_survey(&self) -> AppResult<Survey> {
        if self.store.active_survey().await?.is_none() {
            let questions = serde_json::to_string(&Survey::default_survey().questions).expect("questions serialise");
            self.store.ensure_first_survey(&questions).await?;
        }
        let (version, raw) = self.store.active_survey().await?.ok_or(AppError::NotFound("survey"))?;
        let questions: Vec<Question> = serde_json::from_str(&raw).map_err(|e| corrupt("survey", e))?;
        Ok(Survey { version, questions })
    }

    /// Makes `questions` the next version of the survey (administrators
    /// only); answers already given keep the version they answered.
    pub async fn put_survey(&self, actor: &Actor, questions: Vec<Question>) -> AppResult<Survey> {
        require_admin(actor)?;
        self.active_survey().await?;
        let draft = Survey { version: 0, questions };
        draft.check()?;
        let raw = serde_json::to_string(&draft.questions).expect("questions serialise");
        let version = self.store.put_survey(&raw, actor.user_id).await?;
        Ok(Survey { version, ..draft })
    }

    /// The token of (ticket, requester): an HMAC under the desk's key.
    async fn survey_token(&self, ticket_id: i64, requester_id: i64) -> AppResult<String> {
        let key = self.store.setting_or_insert(SURVEY_KEY_SETTING, &crate::new_token()).await?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
        mac.update(format!("mesa-survey:{ticket_id}:{requester_id}").as_bytes());
        Ok(mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// What a new link for `view` records: its token's hash and the ticket's
    /// agent, service and building now.
    pub(crate) async fn new_survey_link(
        &self,
        view: &TicketView,
        origin: &'static str,
        settings: &SurveySettings,
        now: DateTime<Utc>,
    ) -> AppResult<(String, NewSurveyLink)> {
        let t = &view.ticket;
        let token = self.survey_token(t.id, t.requester_id).await?;
        let new = NewSurveyLink {
            token_hash: token_digest(&token),
            ticket_id: t.id,
            requester_id: t.requester_id,
            agent_id: t.assignee_id,
            service_id: t.service_id,
            building_id: t.building_id,
            origin,
            expires_at: now + settings.lifetime(),
        };
        Ok((token, new))
    }

    /// The ticket requester's link, made (or renewed, with `renew`) now if needed.
    pub(crate) async fn survey_link(
        &self,
        view: &TicketView,
        origin: &'static str,
        renew: bool,
    ) -> AppResult<(String, SurveyLink)> {
        let settings = self.survey_settings().await?;
        let (token, new) = self.new_survey_link(view, origin, &settings, Utc::now()).await?;
        let link = self.store.survey_link_for(&new, renew).await?;
        Ok((token, link))
    }

    /// The paragraph the solved mail carries when the desk sends surveys at
    /// solution (empty otherwise, and for anyone but an active requester).
    pub(crate) async fn survey_paragraph(&self, requester: &User, view: &TicketView, lang: Lang) -> String {
        let result: AppResult<String> = async {
            if requester.role != Role::Requester
                || !requester.active
                || !asks_survey(view.ticket.ticket_type)
                || !self.survey_settings().await?.at_solution
            {
                return Ok(String::new());
            }
            let (token, _) = self.survey_link(view, "solved", true).await?;
            let url = format!("{}{}", self.public_base(), survey_path(&token));
            Ok(format!("\n\n{}", mesa_core::labels::text(lang, "mail.survey_paragraph").replace("{survey_link}", &url)))
        }
        .await;
        result.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not make a survey link for the solved mail");
            String::new()
        })
    }

    /// Where links point: the public address mails use (empty when none is
    /// set: links are then relative, and the web layer adds its own host).
    pub fn public_base(&self) -> &str {
        self.settings.mail.as_ref().map_or("", |m| m.public_url.as_str())
    }

    /// A link by its token, and whether it still takes an answer.
    async fn live_link(&self, token: &str, now: DateTime<Utc>) -> AppResult<Result<SurveyLink, DeadSurvey>> {
        if !well_formed(token) {
            return Ok(Err(DeadSurvey::Unknown));
        }
        let Some(link) = self.store.survey_link_by_hash(&token_digest(token)).await? else {
            return Ok(Err(DeadSurvey::Unknown));
        };
        let state = LinkState { expires_at: link.expires_at, used_at: link.answered_at };
        Ok(match state.check(now) {
            Ok(()) => Ok(link),
            Err(LinkRefusal::Used) => Err(DeadSurvey::Answered),
            Err(LinkRefusal::Expired) => Err(DeadSurvey::Expired),
        })
    }

    /// What a survey link opens (no sign-in; nothing is spent).
    pub async fn survey_form(&self, token: &str, now: DateTime<Utc>) -> AppResult<Result<SurveyForm, DeadSurvey>> {
        let link = match self.live_link(token, now).await? {
            Ok(link) => link,
            Err(dead) => return Ok(Err(dead)),
        };
        let ticket = self.store.ticket_by_id(link.ticket_id).await?;
        let requester = self.store.user_by_id(link.requester_id).await?;
        Ok(Ok(SurveyForm {
            survey: self.active_survey().await?,
            number: ticket.ticket.number,
            subject: ticket.ticket.subject,
            lang: requester.language,
            expires_at: link.expires_at,
        }))
    }

    /// Whether a token names a link at all, answered or not (its QR code is
    /// drawn while it still takes an answer).
    pub async fn survey_link_alive(&self, token: &str, now: DateTime<Utc>) -> AppResult<Result<(), DeadSurvey>> {
        Ok(self.live_link(token, now).await?.map(|_| ()))
    }

    /// Answers the survey of a link, once. `raw`: question key → value as
    /// sent. A refused value is `AppError::Invalid` (field `answers`) and
    /// spends nothing. A low score notifies the desk's administrators.
    pub async fn answer_survey(
        &self,
        token: &str,
        raw: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> AppResult<Result<(), DeadSurvey>> {
        let link = match self.live_link(token, now).await? {
            Ok(link) => link,
            Err(dead) => return Ok(Err(dead)),
        };
        let survey = self.active_survey().await?;
        let answers = survey.parse_answers(raw).map_err(FieldError::from)?;
        let json = serde_json::to_string(&answers).expect("answers serialise");
        if !self.store.answer_survey(link.id, survey.version, &json, now).await? {
            // Another request answered it first, or it expired meanwhile.
            return Ok(Err(self.live_link(token, now).await?.err().unwrap_or(DeadSurvey::Answered)));
        }
        if let Some(score) = low_score(&answers) {
            self.notify_low_score(&link, score, &answers).await;
        }
        Ok(Ok(()))
    }

    /// Mails the desk's administrators (the lead) about a low score.
    async fn notify_low_score(&self, link: &SurveyLink, score: u8, answers: &Answers) {
        let result: AppResult<()> = async {
            let Some(renderer) = self.renderer().await? else { return Ok(()) };
            let ticket = self.store.ticket_by_id(link.ticket_id).await?;
            let comment = answers
                .values()
                .find_map(|a| match a {
                    mesa_core::survey::AnswerValue::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            let page = format!("{}/tickets/{}", self.public_base(), ticket.ticket.number);
            for lead in self.store.list_users().await?.into_iter().filter(|u| u.role == Role::Admin && u.active) {
                let values = [
                    ("number", ticket.ticket.number.to_string()),
                    ("subject", ticket.ticket.subject.clone()),
                    ("requester", ticket.requester_name.clone()),
                    ("assignee", ticket.assignee_name.clone().unwrap_or_default()),
                    ("score", score.to_string()),
                    ("body", comment.clone()),
                    ("link", page.clone()),
                ];
                let dedupe = format!("survey_low:{}:{}", link.id, lead.id);
                let mail = renderer.person_mail(&lead, "survey_low_score", &values, dedupe, Some(ticket.ticket.id));
                self.store.queue_mail(&mail).await?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not queue the low-score notice");
        }
    }

    /// A ticket's survey for the staff: the requester's link (made when the
    /// ticket is solved or closed and has none) and the answer, if any.
    pub async fn ticket_survey(&self, actor: &Actor, number: i64) -> AppResult<TicketSurvey> {
        if !actor.role.is_staff() {
            return Err(AppError::forbidden("only agents and administrators see a ticket's survey"));
        }
        let view = self.visible(actor, number).await?;
        let existing = self
            .store
            .survey_links_of_ticket(view.ticket.id)
            .await?
            .into_iter()
            .find(|l| l.requester_id == view.ticket.requester_id);
        let done = matches!(view.ticket.status, Status::Solved | Status::Closed);
        let (token, link) = match existing {
            Some(link) => (Some(self.survey_token(view.ticket.id, view.ticket.requester_id).await?), Some(link)),
            None if done => {
                let (token, link) = self.survey_link(&view, "staff", false).await?;
                (Some(token), Some(link))
            }
            None => (None, None),
        };
        let answer = match &link {
            Some(l) => match self.store.survey_answer(l.id).await? {
                Some(row) => Some(StoredAnswer {
                    survey_version: row.survey_version,
                    answers: serde_json::from_str(&row.answers).map_err(|e| corrupt("survey answer", e))?,
                    answered_at: row.created_at,
                }),
                None => None,
            },
            None => None,
        };
        Ok(TicketSurvey { token, link, answer })
    }
}

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_catalog() { Ok(()) } else { Err(AppError::forbidden("only administrators change the survey")) }
}
