//! People: roles and e-mail addresses.

use std::fmt;
use std::str::FromStr;

use crate::validate::FieldError;

/// What a person may do in Mesa (PRODUCT.md, "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Opens requests and follows their own tickets.
    Requester,
    /// Works the queue.
    Agent,
    /// Desk lead: everything an agent does, plus configuration and users.
    Admin,
    /// Read-only: reports, indicators, history.
    Manager,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Requester, Role::Agent, Role::Admin, Role::Manager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Manager => "manager",
        }
    }

    /// Agents and admins work tickets and can be assignees.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| FieldError::new("role", "invalid", "role must be one of requester, agent, admin, manager"))
    }
}

/// A syntactically plausible e-mail address, stored lower-case so that
/// `Ana@X.gov.co` and `ana@x.gov.co` are one person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_lowercase();
        let invalid = || FieldError::new("email", "invalid", format!("'{}' is not an e-mail address", raw.trim()));
        // Characters, as the API document's maxLength counts them (not bytes).
        let too_long = raw.trim().chars().count() > Self::MAX_LEN;
        if too_long || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok || value.contains(['<', '>', ',', ';', '"']) {
            return Err(invalid());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, used as a display name when none is known.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

named_enum!(
    /// What an API token may do (issue 17): everything its user may (`full`),
    /// or only read the BI feed and the reports (`feed`), for a BI tool.
    TokenScope, "scope" {
        Full => "full",
        Feed => "feed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        // 250 two-byte letters and "@a.co": 255 characters, 505 bytes.
        let long = format!("{}@a.co", "ñ".repeat(250));
        assert!(Email::parse(&long).is_err());
        let fits = format!("{}@a.co", "ñ".repeat(249));
        assert!(Email::parse(&fits).is_ok(), "254 characters are taken even when they are more bytes");
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn only_agents_and_admins_are_staff() {
        assert!(Role::Agent.is_staff() && Role::Admin.is_staff());
        assert!(!Role::Requester.is_staff() && !Role::Manager.is_staff());
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        let e = Email::parse("  Ana.Perez@Alcaldia.GOV.co ").unwrap();
        assert_eq!(e.as_str(), "ana.perez@alcaldia.gov.co");
        assert_eq!(e.local_part(), "ana.perez");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in ["", "ana", "ana@", "@x.co", "ana@x", "a b@x.co", "ana@x..co", "a@b@c.co", "<a@b.co>", "ana@.x.co"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}

/// A person known to Mesa. Credentials live in the store, never here.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    pub phone: Option<String>,
    pub level: crate::ticket::Level,
    pub language: crate::Lang,
    pub active: bool,
    /// Receives mail-born tickets that have no team.
    pub dispatcher: bool,
}
