//! The one error the UI sees: a stable code to switch on and a message a person
//! understands, with what to do next.

use serde::Serialize;

/// An error from a use case. `code` is stable (SCREAMING_SNAKE) and never reworded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message} ({code})")]
pub struct AppError {
    /// Stable machine-readable code.
    pub code: String,
    /// Human message for the bench.
    pub message: String,
}

impl AppError {
    /// Builds an error from a stable code and a message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl From<tally_domain::DomainError> for AppError {
    fn from(e: tally_domain::DomainError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<tally_store::StoreError> for AppError {
    fn from(e: tally_store::StoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}
