//! The domain's error type. Every error has a stable code the UI can switch on
//! and a message a person at the bench understands.

/// A stable, machine-readable error code (`SCREAMING_SNAKE`), never reworded.
pub type ErrorCode = &'static str;

/// A broken business rule. Returned before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The requested status change is not allowed for this kind and status.
    #[error("{kind} cannot go from {from} to {to}")]
    IllegalTransition {
        kind: &'static str,
        from: &'static str,
        to: &'static str,
    },
}

impl DomainError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::IllegalTransition { .. } => "ILLEGAL_TRANSITION",
        }
    }
}
