//! The hub's error type: storage, configuration and request failures. Rule
//! breaks found while applying a mutation are not errors of the hub: they become
//! `rejected` results (see `push::apply`).

/// A failure of the hub itself (not a refused mutation).
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The database failed.
    #[error("the hub database failed: {0}")]
    Storage(String),
    /// The database schema could not be brought up to date.
    #[error("the hub database could not be migrated: {0}")]
    Migration(String),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("the hub database holds a value it cannot read: {0}")]
    Corrupt(String),
    /// The configuration is unusable.
    #[error("the hub configuration is wrong: {0}")]
    Config(String),
    /// Binding or serving HTTP failed.
    #[error("the hub could not serve on {addr}: {message}")]
    Serve { addr: String, message: String },
    /// An admin operation named something that does not exist.
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    /// An admin operation was given a bad value.
    #[error("{0}")]
    Invalid(String),
    /// The Lightspeed tokens cannot be kept (keychain unusable, file unreadable).
    #[error("the hub cannot keep the Lightspeed token: {0}")]
    TokenStore(String),
    /// A blocking task died.
    #[error("a hub task stopped unexpectedly: {0}")]
    Task(String),
}

impl HubError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Storage(_) => "HUB_STORAGE",
            Self::Migration(_) => "HUB_MIGRATION",
            Self::Corrupt(_) => "HUB_CORRUPT_VALUE",
            Self::Config(_) => "HUB_CONFIG",
            Self::Serve { .. } => "HUB_SERVE",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Invalid(_) => "INVALID",
            Self::TokenStore(_) => "HUB_TOKEN_STORE",
            Self::Task(_) => "HUB_TASK",
        }
    }
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.to_string())
    }
}
