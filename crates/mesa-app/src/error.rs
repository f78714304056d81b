use mesa_core::lifecycle::TransitionError;
use mesa_core::validate::FieldError;
use mesa_store::StoreError;
use thiserror::Error;

pub type AppResult<T> = Result<T, AppError>;

/// Why a use case refused or failed. The first variants are the user's
/// doing (shown to them); `Unavailable` and `Internal` are ours (logged,
/// hidden behind a generic message).
#[derive(Debug, Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    /// Also used for things that exist but may not be seen, so their
    /// existence is not revealed.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] StoreError),
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("resource"),
            StoreError::Unavailable(_) => AppError::Unavailable(e),
            other => AppError::Internal(other),
        }
    }
}

impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotAllowed { .. } => {
                AppError::Conflict { code: "invalid_transition", message: e.to_string() }
            }
            TransitionError::Forbidden { .. } => AppError::Forbidden(e.to_string()),
            TransitionError::Invalid(field) => AppError::Invalid(field),
        }
    }
}
