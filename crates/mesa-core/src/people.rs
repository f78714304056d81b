//! People as a desk receives them from an HR spreadsheet: one row per person,
//! checked and matched against the directory by name.

use crate::Role;
use crate::search::fold;
use crate::ticket::{Level, limits};
use crate::user::Email;
use crate::validate::{FieldError, optional_text, required_text};

/// The columns an import file must have, and the ones it may have.
pub const REQUIRED_COLUMNS: [&str; 5] = ["email", "name", "role", "department", "phone"];
pub const OPTIONAL_COLUMNS: [&str; 3] = ["building", "team", "level"];

/// One row of an import file, as written (trimmed; empty cells are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPerson {
    pub email: String,
    pub name: String,
    pub role: String,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub building: Option<String>,
    pub team: Option<String>,
    pub level: Option<String>,
}

/// A row that passed the checks; directory names are resolved by the use
/// case, which knows the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub email: Email,
    pub name: String,
    /// `None`: the cell was empty (a new person is a requester; a known one
    /// keeps their role).
    pub role: Option<Role>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub building: Option<String>,
    pub team: Option<String>,
    pub level: Option<Level>,
}

impl PersonRow {
    pub fn parse(raw: &RawPerson) -> Result<PersonRow, FieldError> {
        let level = match raw.level.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(l) => Some(Level::new(
                l.parse::<i64>().map_err(|_| FieldError::new("level", "invalid", "level must be 1, 2 or 3"))?,
            )?),
        };
        Ok(PersonRow {
            email: Email::parse(&raw.email)?,
            name: required_text("name", &raw.name, limits::NAME)?,
            role: Some(raw.role.trim()).filter(|r| !r.is_empty()).map(role_from_word).transpose()?,
            department: optional_text("department", raw.department.as_deref(), limits::NAME)?,
            phone: optional_text("phone", raw.phone.as_deref(), limits::PHONE)?,
            building: optional_text("building", raw.building.as_deref(), limits::NAME)?,
            team: optional_text("team", raw.team.as_deref(), limits::NAME)?,
            level,
        })
    }
}

/// A role as an HR sheet may write it: the English name or the Spanish
/// word, in any case and with or without accents.
pub fn role_from_word(word: &str) -> Result<Role, FieldError> {
    let folded = fold(word.trim());
    let role = match folded.as_str() {
        "requester" | "solicitante" | "usuario" | "funcionario" => Role::Requester,
        "agent" | "agente" | "tecnico" => Role::Agent,
        "admin" | "administrator" | "administrador" | "lider" => Role::Admin,
        "manager" | "gerente" | "directivo" | "consulta" => Role::Manager,
        _ => {
            return Err(FieldError::new(
                "role",
                "invalid",
                format!("role {:?} is not requester, agent, admin or manager", word.trim()),
            ));
        }
    };
    Ok(role)
}

/// Whether two directory names are the same name, ignoring case, accents
/// and repeated spaces ("Secretaría de Hacienda" = "secretaria  de hacienda").
pub fn same_name(a: &str, b: &str) -> bool {
    name_key(a) == name_key(b)
}

/// The form of a name that [`same_name`] compares.
pub fn name_key(name: &str) -> String {
    fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(email: &str, role: &str) -> RawPerson {
        RawPerson { email: email.into(), name: "Ana Pérez".into(), role: role.into(), ..Default::default() }
    }

    #[test]
    fn roles_are_read_in_english_or_spanish_and_empty_means_requester() {
        assert_eq!(role_from_word("Agente").unwrap(), Role::Agent);
        assert_eq!(role_from_word("TÉCNICO").unwrap(), Role::Agent);
        assert_eq!(role_from_word("admin").unwrap(), Role::Admin);
        assert_eq!(role_from_word("jefe supremo").unwrap_err().field, "role");
    }

    #[test]
    fn department_names_match_ignoring_accents_case_and_spaces() {
        assert!(same_name("Secretaría de Hacienda", "secretaria  DE hacienda"));
        assert!(!same_name("Secretaría de Hacienda", "Secretaría de Salud"));
    }

    #[test]
    fn a_row_names_its_bad_field() {
        assert_eq!(PersonRow::parse(&raw("no-es-correo", "agente")).unwrap_err().field, "email");
        let mut bad_level = raw("ana@x.gov.co", "agente");
        bad_level.level = Some("7".into());
        assert_eq!(PersonRow::parse(&bad_level).unwrap_err().field, "level");
        let mut no_name = raw("ana@x.gov.co", "");
        no_name.name = " ".into();
        assert_eq!(PersonRow::parse(&no_name).unwrap_err().field, "name");
        let ok = PersonRow::parse(&raw(" Ana@X.gov.co ", "")).unwrap();
        assert_eq!((ok.email.as_str(), ok.role, ok.level), ("ana@x.gov.co", None, None));
    }
}
