//! Lessons learned (seed 001, step 9): after documenting a case, the agent
//! may propose a lesson; the administrator decides (the monthly committee,
//! whose agenda is the list of pending lessons). An accepted lesson becomes
//! an internal article linked to its ticket; a rejected one keeps its reason.

use mesa_core::labels::text;
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_core::{Actor, Lang, Status};
use mesa_store::{LessonRow, NewLesson, StoreError};

use super::{Audience, fields};
use crate::{AppError, AppResult, Desk};

#[derive(Debug, Clone)]
pub struct LessonInput {
    pub title: String,
    pub what_happened: String,
    pub cause: String,
    pub next_time: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonDecision {
    Accept,
    Reject,
}

impl LessonDecision {
    pub const ALL: [LessonDecision; 2] = [LessonDecision::Accept, LessonDecision::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            LessonDecision::Accept => "accept",
            LessonDecision::Reject => "reject",
        }
    }

    pub fn parse(raw: &str) -> Result<LessonDecision, FieldError> {
        match raw {
            "accept" => Ok(LessonDecision::Accept),
            "reject" => Ok(LessonDecision::Reject),
            _ => Err(FieldError::new("decision", "invalid", "decision must be one of: accept, reject")),
        }
    }
}

impl Desk {
    /// Proposes a lesson from a solved (or closed) ticket (agents and administrators).
    pub async fn propose_lesson(&self, actor: &Actor, number: i64, input: &LessonInput) -> AppResult<LessonRow> {
        if !actor.role.is_staff() {
            return Err(AppError::forbidden("only agents and administrators propose lessons"));
        }
        let view = self.visible(actor, number).await?;
        let title = required_text("title", &input.title, super::limits::TITLE)?;
        let what_happened = required_text("what_happened", &input.what_happened, super::limits::LESSON_TEXT)?;
        let cause = required_text("cause", &input.cause, super::limits::LESSON_TEXT)?;
        let next_time = required_text("next_time", &input.next_time, super::limits::LESSON_TEXT)?;
        if !matches!(view.ticket.status, Status::Solved | Status::Closed) {
            return Err(AppError::Conflict {
                code: "not_solved",
                message: "a lesson is proposed from a solved or closed ticket".into(),
            });
        }
        let new = NewLesson {
            ticket_id: view.ticket.id,
            title: &title,
            what_happened: &what_happened,
            cause: &cause,
            next_time: &next_time,
            proposed_by: actor.user_id,
        };
        Ok(self.store.create_lesson(&new).await?)
    }

    /// Lessons (staff); `pending_only`: the committee's agenda.
    pub async fn lessons(&self, actor: &Actor, pending_only: bool) -> AppResult<Vec<LessonRow>> {
        if !actor.role.is_staff() {
            return Err(AppError::forbidden("only agents and administrators see lessons"));
        }
        Ok(self.store.lessons(pending_only).await?)
    }

    /// Accepts (into an internal article linked to the ticket) or rejects
    /// (with a reason) a pending lesson (administrators only).
    pub async fn decide_lesson(
        &self,
        actor: &Actor,
        id: i64,
        decision: LessonDecision,
        reason: Option<&str>,
    ) -> AppResult<LessonRow> {
        if !actor.can_manage_catalog() {
            return Err(AppError::forbidden("only administrators decide lessons"));
        }
        let reason = optional_text("reason", reason, super::limits::REASON)?;
        if decision == LessonDecision::Reject && reason.is_none() {
            return Err(FieldError::new("reason", "required", "say why the lesson is rejected").into());
        }
        let lesson = match self.store.lesson(id).await {
            Ok(l) => l,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("lesson")),
            Err(e) => return Err(e.into()),
        };
        let article = (decision == LessonDecision::Accept).then(|| {
            let lang = Lang::Es;
            let body = format!(
                "## {}\n\n{}\n\n## {}\n\n{}\n\n## {}\n\n{}\n\n{} #{}\n",
                text(lang, "lesson.what_happened"),
                lesson.what_happened,
                text(lang, "lesson.cause"),
                lesson.cause,
                text(lang, "lesson.next_time"),
                lesson.next_time,
                text(lang, "lesson.ticket"),
                lesson.ticket_number,
            );
            fields(lesson.title.clone(), body, Some(text(lang, "lesson.category").to_owned()), Audience::Internal, true)
        });
        let decided =
            self.store.decide_lesson(id, decision.as_str(), reason.as_deref(), actor.user_id, article.as_ref()).await?;
        if !decided {
            return Err(AppError::Conflict {
                code: "already_decided",
                message: "this lesson was already decided".into(),
            });
        }
        Ok(self.store.lesson(id).await?)
    }
}
