//! Who gets a case: the routing table and the rules that read it.
//!
//! Seed 001 (Funza): buildings and departments are pre-assigned to agents,
//! some services are not tied to a place, and a case changes hands only for
//! an absence, a missing competence or a direct order. Seed 003: levels 1–3
//! and a separate path for security incidents. Seed 004: some services need
//! a named person's authorisation before work starts.
//!
//! `decide` is pure: the use case hands it the case, the places and the
//! candidates (with their load and availability) and records its answer.

mod decide;
mod settings;
#[cfg(test)]
mod tests;

pub use decide::{Candidate, Case, Decision, Place, Reason, Skip, decide, weighted_load};
pub use settings::{LevelTeam, Reassigners, ReassignmentCriterion, RoutingSettings, Rule};

use crate::labels::{Lang, text};
use crate::{Role, Ticket, TicketType};

/// Whether someone may see a security incident (seed 003: its own path):
/// the security team, administrators and the requester. Other tickets are
/// not restricted here (`Actor::can_view` still applies).
pub fn may_see_security_incident(
    ticket: &Ticket,
    role: Role,
    user_id: i64,
    user_team: Option<i64>,
    security_team: Option<i64>,
) -> bool {
    if ticket.ticket_type != TicketType::SecurityIncident {
        return true;
    }
    role == Role::Admin
        || ticket.requester_id == user_id
        || ticket.assignee_id == Some(user_id)
        || (role == Role::Agent && user_team.is_some() && user_team == security_team)
}

/// The history line of a routing decision in `lang`, from the value stored
/// by `Reason::to_history` (`code|arg|arg`); unknown values show as stored.
pub fn describe(lang: Lang, stored: &str) -> String {
    let mut parts = stored.split('|');
    let code = parts.next().unwrap_or_default();
    let template = text(lang, &format!("routing.reason.{code}"));
    if template == "??" {
        return stored.to_owned();
    }
    let args: Vec<&str> = parts.collect();
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg);
    }
    // A skipped agent's reason is itself a label.
    for skip in Skip::ALL {
        out = out.replace(&format!("[{}]", skip.as_str()), text(lang, &format!("routing.skip.{}", skip.as_str())));
    }
    out
}
