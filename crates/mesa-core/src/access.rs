//! Who may see and do what. Every route asks here; nothing else decides.

use crate::{Priority, Role, Ticket};

/// The signed-in person a request acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
}

impl Actor {
    /// A requester sees only their own tickets; everyone else sees all.
    pub fn can_view(&self, ticket: &Ticket) -> bool {
        self.role != Role::Requester || ticket.requester_id == self.user_id
    }

    /// Internal notes (and their history) are for staff and managers only.
    pub fn sees_internal(&self) -> bool {
        self.role != Role::Requester
    }

    /// Public replies and attachments: the requester on their own ticket, and staff.
    pub fn can_reply(&self, ticket: &Ticket) -> bool {
        self.role.is_staff() || (self.role == Role::Requester && ticket.requester_id == self.user_id)
    }

    pub fn can_write_internal(&self) -> bool {
        self.role.is_staff()
    }

    /// Assignment, and opening tickets on behalf of someone else.
    pub fn can_work_tickets(&self) -> bool {
        self.role.is_staff()
    }

    /// Managers only read; everyone else may open a ticket.
    pub fn can_open_tickets(&self) -> bool {
        self.role != Role::Manager
    }

    /// The priority a new ticket may be opened with: a requester says how
    /// urgent it is up to `high`; `critical` (the tightest targets, for an
    /// outage) is the desk's call, set by staff.
    pub fn may_open_with_priority(&self, priority: Priority) -> bool {
        priority != Priority::Critical || self.role.is_staff()
    }

    pub fn can_manage_users(&self) -> bool {
        self.role == Role::Admin
    }

    /// Services, departments, buildings and teams.
    pub fn can_manage_catalog(&self) -> bool {
        self.role == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::tests_support::sample_ticket;

    fn actor(role: Role, user_id: i64) -> Actor {
        Actor { user_id, role }
    }

    #[test]
    fn a_requester_sees_only_their_own_tickets() {
        let t = sample_ticket(10);
        assert!(actor(Role::Requester, 10).can_view(&t));
        assert!(!actor(Role::Requester, 11).can_view(&t));
        for role in [Role::Agent, Role::Admin, Role::Manager] {
            assert!(actor(role, 99).can_view(&t));
        }
    }

    #[test]
    fn only_staff_write_internal_notes_and_requesters_never_see_them() {
        for role in Role::ALL {
            let a = actor(role, 1);
            assert_eq!(a.can_write_internal(), matches!(role, Role::Agent | Role::Admin));
            assert_eq!(a.sees_internal(), role != Role::Requester);
        }
    }

    #[test]
    fn replies_come_from_staff_or_the_ticket_owner() {
        let t = sample_ticket(10);
        assert!(actor(Role::Requester, 10).can_reply(&t));
        assert!(!actor(Role::Requester, 11).can_reply(&t));
        assert!(!actor(Role::Manager, 1).can_reply(&t));
        assert!(actor(Role::Agent, 1).can_reply(&t));
    }

    #[test]
    fn only_admins_manage_users_and_catalog() {
        for role in Role::ALL {
            assert_eq!(actor(role, 1).can_manage_users(), role == Role::Admin);
            assert_eq!(actor(role, 1).can_manage_catalog(), role == Role::Admin);
            assert_eq!(actor(role, 1).can_open_tickets(), role != Role::Manager);
            assert_eq!(actor(role, 1).can_work_tickets(), role.is_staff());
        }
    }

    #[test]
    fn only_staff_open_tickets_as_critical() {
        for role in [Role::Requester, Role::Agent, Role::Admin, Role::Manager] {
            let a = actor(role, 1);
            assert_eq!(a.may_open_with_priority(Priority::Critical), role.is_staff(), "{role:?}");
            for p in [Priority::Low, Priority::Medium, Priority::High] {
                assert!(a.may_open_with_priority(p), "{role:?} {p:?}");
            }
        }
    }
}
