//! The ticket lifecycle: which status may follow which, who may move it, and
//! what each move requires and changes. Every rule about statuses is here.
//!
//! new → assigned → in_progress → on_hold ⇄ in_progress → solved → closed;
//! a rejected solution or a reopen returns the ticket to in_progress.

use chrono::{DateTime, SecondsFormat, Utc};
use thiserror::Error;

use crate::Role;
use crate::ticket::{HoldReason, Outcome, Status, Ticket, limits};
use crate::validate::{FieldError, optional_text, required_text};

/// Whether the lifecycle allows going from `from` to `to` at all (whoever asks).
pub fn is_allowed(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (New, Assigned | InProgress | OnHold | Solved)
            | (Assigned, InProgress | OnHold | Solved)
            | (InProgress, OnHold | Solved)
            | (OnHold, InProgress | Solved)
            // approve, or reject the solution
            | (Solved, Closed | InProgress)
            // reopen
            | (Closed, InProgress)
    )
}

/// Whether `role` may ask for this (allowed) move. Requesters only approve or
/// reject a solution (seeds 002 and 004: the requester verifies and approves);
/// managers only read.
pub fn may_request(role: Role, from: Status, to: Status) -> bool {
    match role {
        Role::Agent | Role::Admin => true,
        Role::Requester => from == Status::Solved && matches!(to, Status::Closed | Status::InProgress),
        Role::Manager => false,
    }
}

/// The status a ticket takes when it gets an assignee.
pub fn after_assignment(status: Status) -> Status {
    if status == Status::New { Status::Assigned } else { status }
}

/// The status a ticket takes when staff answer the requester publicly
/// (seed 000: each recorded advance moves the case to "En progreso").
pub fn after_staff_reply(status: Status) -> Status {
    match status {
        Status::New | Status::Assigned => Status::InProgress,
        other => other,
    }
}

/// What someone asks for, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub to: Option<Status>,
    /// The hold reason for `on_hold`; why, for a rejection or a reopen.
    pub reason: Option<String>,
    pub resolution: Option<String>,
    pub outcome: Option<Outcome>,
    pub resume_at: Option<DateTime<Utc>>,
}

/// One recorded change of one field, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    pub fn new(field: &'static str, before: Option<String>, after: Option<String>) -> Self {
        Self { field, before, after }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("a ticket cannot go from {from} to {to}")]
    NotAllowed { from: Status, to: Status },
    #[error("you may not move this ticket from {from} to {to}")]
    Forbidden { from: Status, to: Status },
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

/// Checks a move and returns the ticket as it will be, with the changes to
/// record. Pure: the caller persists the result.
pub fn plan(
    ticket: &Ticket,
    role: Role,
    input: TransitionInput,
    now: DateTime<Utc>,
) -> Result<(Ticket, Vec<Change>), TransitionError> {
    let from = ticket.status;
    let to = input.to.ok_or_else(|| FieldError::new("to", "required", "to must name the new status"))?;
    if !is_allowed(from, to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    if !may_request(role, from, to) {
        return Err(TransitionError::Forbidden { from, to });
    }
    let reason = optional_text("reason", input.reason.as_deref(), limits::REASON)?;
    // Checked whatever the target, so text that would be dropped is refused
    // the same way as text that would be kept.
    optional_text("resolution", input.resolution.as_deref(), limits::RESOLUTION)?;

    let mut next = ticket.clone();
    next.status = to;
    let mut extra = Vec::new();
    if from == Status::OnHold {
        next.hold_reason = None;
        next.resume_at = None;
    }
    match to {
        Status::Assigned if ticket.assignee_id.is_none() => {
            return Err(FieldError::new("assignee", "required", "assign the ticket to someone first").into());
        }
        Status::OnHold => {
            let raw =
                reason.as_deref().ok_or_else(|| FieldError::new("reason", "required", "a hold needs a reason"))?;
            next.hold_reason = Some(HoldReason::parse(raw)?);
            if let Some(at) = input.resume_at
                && at <= now
            {
                return Err(FieldError::new("resume_at", "in_past", "resume_at must be in the future").into());
            }
            next.resume_at = input.resume_at;
        }
        Status::Solved => {
            let resolution = input.resolution.as_deref().unwrap_or_default();
            next.resolution = Some(required_text("resolution", resolution, limits::RESOLUTION)?);
            next.outcome = Some(input.outcome.unwrap_or(Outcome::Solved));
            next.solved_at = Some(now);
        }
        Status::Closed => {
            next.closed_at = Some(now);
            // seed 004: the lead closes a case "indicando … el motivo".
            if let Some(reason) = &reason {
                extra.push(Change::new("close_reason", None, Some(reason.clone())));
            }
        }
        Status::InProgress if matches!(from, Status::Solved | Status::Closed) => {
            // A requester who rejects a solution must say why (PRODUCT §2).
            if role == Role::Requester && reason.is_none() {
                return Err(FieldError::new("reason", "required", "say why the solution is rejected").into());
            }
            let field = if from == Status::Solved { "rejection_reason" } else { "reopen_reason" };
            extra.push(Change::new(field, None, reason));
            next.resolution = None;
            next.outcome = None;
            next.solved_at = None;
            next.closed_at = None;
        }
        _ => {}
    }
    let mut changes = diff(ticket, &next);
    changes.extend(extra);
    Ok((next, changes))
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The recorded changes between two versions of a ticket's own fields
/// (references such as the assignee are recorded by the use case that
/// changes them, with readable names).
pub fn diff(old: &Ticket, new: &Ticket) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |field, before: Option<String>, after: Option<String>| {
        if before != after {
            changes.push(Change::new(field, before, after));
        }
    };
    push("status", Some(old.status.to_string()), Some(new.status.to_string()));
    push("subject", Some(old.subject.clone()), Some(new.subject.clone()));
    push("type", Some(old.ticket_type.to_string()), Some(new.ticket_type.to_string()));
    push("priority", Some(old.priority.to_string()), Some(new.priority.to_string()));
    push("level", Some(old.level.get().to_string()), Some(new.level.get().to_string()));
    push("contact_phone", old.contact_phone.clone(), new.contact_phone.clone());
    push("remote_access_id", old.remote_access_id.clone(), new.remote_access_id.clone());
    push("hold_reason", old.hold_reason.map(|r| r.to_string()), new.hold_reason.map(|r| r.to_string()));
    push("resume_at", old.resume_at.map(time_text), new.resume_at.map(time_text));
    push("resolution", old.resolution.clone(), new.resolution.clone());
    push("outcome", old.outcome.map(|o| o.to_string()), new.outcome.map(|o| o.to_string()));
    changes
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::ticket::{Level, Priority, TicketType};

    /// A plausible ticket owned by `requester_id`, assigned to user 20.
    pub(crate) fn sample_ticket(requester_id: i64) -> Ticket {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        Ticket {
            id: 1,
            number: 1,
            subject: "Impresora".into(),
            description: "No imprime".into(),
            ticket_type: TicketType::Incident,
            status: Status::New,
            priority: Priority::Medium,
            service_id: None,
            requester_id,
            department_id: None,
            building_id: None,
            contact_phone: None,
            remote_access_id: None,
            assignee_id: Some(20),
            team_id: None,
            level: Level::FIRST,
            channel: crate::ticket::Channel::Web,
            hold_reason: None,
            resume_at: None,
            resolution: None,
            outcome: None,
            created_at: t,
            updated_at: t,
            first_response_at: None,
            solved_at: None,
            closed_at: None,
            status_since: t,
            version: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::Priority;
    use Status::*;

    fn ticket(status: Status) -> Ticket {
        let mut t = tests_support::sample_ticket(10);
        t.status = status;
        t.hold_reason = (status == OnHold).then_some(HoldReason::Vendor);
        t.resolution = matches!(status, Solved | Closed).then(|| "Listo".into());
        t.outcome = matches!(status, Solved | Closed).then_some(Outcome::Solved);
        t
    }

    /// Everything a move could need, so that only the table decides.
    fn complete_input(to: Status) -> TransitionInput {
        TransitionInput {
            to: Some(to),
            reason: Some(if to == OnHold { "vendor" } else { "porque sí" }.into()),
            resolution: Some("Se cambió el tóner".into()),
            outcome: None,
            resume_at: None,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    /// The lifecycle written out as a table, independently of `is_allowed`:
    /// row = from, column = to, in the order of `Status::ALL`.
    const EXPECTED: [[bool; 6]; 6] = [
        //          new    assig  in_pr  hold   solved closed
        /* new */
        [false, true, true, true, true, false],
        /* assigned */ [false, false, true, true, true, false],
        /* in_progress */ [false, false, false, true, true, false],
        /* on_hold */ [false, false, true, false, true, false],
        /* solved */ [false, false, true, false, false, true],
        /* closed */ [false, false, true, false, false, false],
    ];

    #[test]
    fn every_from_to_pair_matches_the_lifecycle_table() {
        for (i, from) in Status::ALL.iter().enumerate() {
            for (j, to) in Status::ALL.iter().enumerate() {
                assert_eq!(is_allowed(*from, *to), EXPECTED[i][j], "{from} → {to}");
            }
        }
    }

    #[test]
    fn every_pair_and_role_is_planned_as_the_table_and_roles_say() {
        for (i, from) in Status::ALL.iter().enumerate() {
            for (j, to) in Status::ALL.iter().enumerate() {
                for role in Role::ALL {
                    let result = plan(&ticket(*from), role, complete_input(*to), now());
                    let role_may = match role {
                        Role::Agent | Role::Admin => true,
                        Role::Requester => *from == Solved && matches!(to, Closed | InProgress),
                        Role::Manager => false,
                    };
                    match (EXPECTED[i][j], role_may) {
                        (false, _) => assert_eq!(
                            result.unwrap_err(),
                            TransitionError::NotAllowed { from: *from, to: *to },
                            "{role}: {from} → {to}"
                        ),
                        (true, false) => assert_eq!(
                            result.unwrap_err(),
                            TransitionError::Forbidden { from: *from, to: *to },
                            "{role}: {from} → {to}"
                        ),
                        (true, true) => {
                            let (next, changes) = result.unwrap_or_else(|e| panic!("{role}: {from} → {to}: {e}"));
                            assert_eq!(next.status, *to);
                            assert!(changes.iter().any(|c| c.field == "status"));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn hold_needs_a_known_reason() {
        let t = ticket(InProgress);
        let mut input = complete_input(OnHold);
        input.reason = None;
        assert!(matches!(plan(&t, Role::Agent, input, now()), Err(TransitionError::Invalid(e)) if e.field == "reason"));
        let mut input = complete_input(OnHold);
        input.reason = Some("lunch".into());
        assert!(matches!(plan(&t, Role::Agent, input, now()), Err(TransitionError::Invalid(e)) if e.code == "invalid"));
    }

    #[test]
    fn hold_records_reason_and_resume_date_and_resuming_clears_them() {
        let mut input = complete_input(OnHold);
        input.reason = Some("warranty".into());
        input.resume_at = Some(now() + chrono::Duration::days(2));
        let (held, changes) = plan(&ticket(InProgress), Role::Agent, input, now()).unwrap();
        assert_eq!(held.hold_reason, Some(HoldReason::Warranty));
        assert_eq!(held.resume_at, Some(now() + chrono::Duration::days(2)));
        assert!(changes.iter().any(|c| c.field == "hold_reason" && c.after.as_deref() == Some("warranty")));

        let (resumed, changes) = plan(&held, Role::Agent, complete_input(InProgress), now()).unwrap();
        assert_eq!((resumed.hold_reason, resumed.resume_at), (None, None));
        assert!(changes.iter().any(|c| c.field == "hold_reason" && c.after.is_none()));
    }

    #[test]
    fn resume_date_must_be_in_the_future() {
        let mut input = complete_input(OnHold);
        input.resume_at = Some(now());
        let err = plan(&ticket(InProgress), Role::Agent, input, now()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(e) if e.field == "resume_at"));
    }

    #[test]
    fn an_over_long_resolution_is_refused_whatever_the_target() {
        let mut t = ticket(Status::Assigned);
        t.assignee_id = Some(2);
        let input = TransitionInput {
            to: Some(Status::InProgress),
            resolution: Some("x".repeat(limits::RESOLUTION + 1)),
            ..Default::default()
        };
        let err = plan(&t, Role::Agent, input, now()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(e) if e.field == "resolution"));
    }

    #[test]
    fn solving_needs_a_resolution_and_defaults_the_outcome_to_solved() {
        let mut input = complete_input(Solved);
        input.resolution = Some("  ".into());
        let err = plan(&ticket(InProgress), Role::Agent, input, now()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(e) if e.field == "resolution"));

        let (solved, _) = plan(&ticket(InProgress), Role::Agent, complete_input(Solved), now()).unwrap();
        assert_eq!(solved.outcome, Some(Outcome::Solved));
        assert_eq!(solved.solved_at, Some(now()));

        let mut input = complete_input(Solved);
        input.outcome = Some(Outcome::NotSolved);
        let (not_solved, _) = plan(&ticket(InProgress), Role::Agent, input, now()).unwrap();
        assert_eq!(not_solved.outcome, Some(Outcome::NotSolved));
    }

    #[test]
    fn a_requester_must_say_why_they_reject_a_solution() {
        let mut input = complete_input(InProgress);
        input.reason = None;
        let err = plan(&ticket(Solved), Role::Requester, input.clone(), now()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(e) if e.field == "reason"));
        // staff may reopen without a reason
        assert!(plan(&ticket(Solved), Role::Agent, input, now()).is_ok());
    }

    #[test]
    fn rejecting_clears_the_solution_and_records_why() {
        let (reopened, changes) = plan(&ticket(Solved), Role::Requester, complete_input(InProgress), now()).unwrap();
        assert_eq!((reopened.resolution, reopened.outcome, reopened.solved_at), (None, None, None));
        assert!(changes.contains(&Change::new("rejection_reason", None, Some("porque sí".into()))));
    }

    #[test]
    fn closing_stamps_the_time() {
        let (closed, _) = plan(&ticket(Solved), Role::Requester, complete_input(Closed), now()).unwrap();
        assert_eq!(closed.closed_at, Some(now()));
    }

    #[test]
    fn a_manual_close_records_the_reason_given() {
        let mut input = complete_input(Closed);
        input.reason = Some("El solicitante no respondió en tres días".into());
        let (_, changes) = plan(&ticket(Solved), Role::Admin, input, now()).unwrap();
        let expected = Change::new("close_reason", None, Some("El solicitante no respondió en tres días".into()));
        assert!(changes.contains(&expected), "{changes:?}");
        let mut silent = complete_input(Closed);
        silent.reason = None;
        let (_, changes) = plan(&ticket(Solved), Role::Admin, silent, now()).unwrap();
        assert!(changes.iter().all(|c| c.field != "close_reason"));
    }

    #[test]
    fn assigned_status_needs_an_assignee() {
        let mut t = ticket(New);
        t.assignee_id = None;
        let err = plan(&t, Role::Admin, complete_input(Assigned), now()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(e) if e.field == "assignee"));
    }

    #[test]
    fn a_missing_target_status_is_a_validation_error() {
        let err = plan(&ticket(New), Role::Agent, TransitionInput::default(), now()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(e) if e.field == "to"));
    }

    #[test]
    fn automatic_moves_on_assignment_and_first_staff_reply() {
        for s in Status::ALL {
            let expected_assign = if *s == New { Assigned } else { *s };
            assert_eq!(after_assignment(*s), expected_assign);
            let expected_reply = if matches!(s, New | Assigned) { InProgress } else { *s };
            assert_eq!(after_staff_reply(*s), expected_reply);
            // automatic moves never break the table
            if after_assignment(*s) != *s {
                assert!(is_allowed(*s, after_assignment(*s)));
            }
            if after_staff_reply(*s) != *s {
                assert!(is_allowed(*s, after_staff_reply(*s)));
            }
        }
    }

    #[test]
    fn diff_lists_only_fields_that_changed() {
        let a = ticket(New);
        let mut b = a.clone();
        assert!(diff(&a, &b).is_empty());
        b.priority = Priority::High;
        assert_eq!(diff(&a, &b), vec![Change::new("priority", Some("medium".into()), Some("high".into()))]);
    }
}
