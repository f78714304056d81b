//! Field validation shared by every channel, so the web form, the API and the
//! mail ingester reject the same inputs with the same words.

use thiserror::Error;

/// A field that failed validation: which one, and why (in English; the web
/// layer translates the `code`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self { field, code, message: message.into() }
    }
}

/// Trims `value` and checks it is non-empty and at most `max` characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
    }
    bounded(field, value, max)
}

/// Trims an optional value; empty becomes `None`; checks the length.
pub fn optional_text(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    if value.chars().count() > max {
        return Err(FieldError::new(field, "too_long", format!("{field} must be at most {max} characters")));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_rejects_blank() {
        assert_eq!(required_text("subject", "  hola ", 10).unwrap(), "hola");
        assert_eq!(required_text("subject", "   ", 10).unwrap_err().code, "required");
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(required_text("s", "ñññññ", 5).is_ok());
        assert_eq!(required_text("s", "ññññññ", 5).unwrap_err().code, "too_long");
    }

    #[test]
    fn optional_text_turns_blank_into_none() {
        assert_eq!(optional_text("p", Some("  "), 5).unwrap(), None);
        assert_eq!(optional_text("p", None, 5).unwrap(), None);
        assert_eq!(optional_text("p", Some(" 123 "), 5).unwrap(), Some("123".into()));
    }
}
