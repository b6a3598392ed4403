//! The store's error type. Every variant has a stable code the UI can switch on and a
//! message a person at the packing bench understands.

use tally_domain::{DomainError, ErrorCode};

/// Anything the store can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `PRAGMA integrity_check` failed or SQLite reported a corrupt file.
    #[error("the local database is damaged ({detail}); stop and call support, do not delete it")]
    Corrupt { detail: String },

    /// An audit entry does not match its hash or its predecessor.
    #[error(
        "the audit log has been altered at entry {entry_id} ({detail}); stop and call support"
    )]
    AuditChainBroken { entry_id: i64, detail: String },

    /// The database was written by a newer version of Tally than this one.
    #[error("this database was written by a newer Tally (schema {db_version}, this app knows up to {app_version}); install the newer version")]
    MigrationDowngrade { db_version: i64, app_version: i64 },

    /// A migration applied to the database is not shipped with this app, or one was skipped.
    #[error(
        "database migration {version} ({name}) is missing from this app; the install is incomplete"
    )]
    MigrationMissing { version: i64, name: String },

    /// A migration applied to the database differs from the one shipped (edited after release).
    #[error("database migration {version} ({name}) differs from the one this app ships; the install is inconsistent")]
    MigrationDivergent { version: i64, name: String },

    /// Applying migrations failed for another reason.
    #[error("could not upgrade the local database: {detail}")]
    MigrationFailed { detail: String },

    /// A row the action needs does not exist.
    #[error("{entity} {id} was not found")]
    NotFound { entity: &'static str, id: String },

    /// Optimistic concurrency: the row changed since the caller read it.
    #[error("{entity} {id} changed on another screen or station (version {actual}, expected {expected}); reload and try again")]
    VersionConflict {
        entity: &'static str,
        id: String,
        expected: i64,
        actual: i64,
    },

    /// Input that can never be stored (empty code, zero delta, unknown reason...).
    #[error("{field}: {reason}")]
    BadInput { field: &'static str, reason: String },

    /// An evidence file name that is not a SHA-256 hex digest (never a path).
    #[error("'{given}' is not a valid evidence reference")]
    EvidenceBadHash { given: String },

    /// An evidence file referenced by hash is not on disk.
    #[error("evidence file {hash} is missing from this station")]
    EvidenceMissing { hash: String },

    /// An evidence file's contents no longer match its hash.
    #[error("evidence file {hash} is damaged (its contents changed)")]
    EvidenceCorrupt { hash: String },

    /// The station has not been provisioned (no station row).
    #[error("this station is not set up yet (no station id or outlet)")]
    StationNotSet,

    /// No reference numbers left in this station's blocks.
    #[error("this station has run out of reference numbers; connect to the hub to get more")]
    ReferenceBlockExhausted,

    /// Another process holds the write lock longer than the busy timeout.
    #[error("the local database is busy; try again")]
    Busy,

    /// The disk is full.
    #[error("the disk is full; nothing was saved")]
    DiskFull,

    /// A store action wrote no audit entry or no outbox mutation (a bug, refused).
    #[error(
        "internal error: action '{action}' did not record its audit entry and outbox mutation"
    )]
    IncompleteAction { action: String },

    /// Hashing or checking a PIN failed (not a wrong PIN: that is `Ok(false)`).
    #[error("could not check the PIN: {detail}")]
    PinHash { detail: String },

    /// A stored value could not be decoded (bad UUID, decimal, enum name, JSON).
    #[error("a stored value is unreadable ({detail}); the database may be damaged")]
    Decode { detail: String },

    /// A file system error outside SQLite (evidence files, directories).
    #[error("could not {context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// A row broke a database constraint (missing referenced row, CHECK, UNIQUE).
    #[error("nothing was saved: the change refers to something this station does not have or breaks a database rule ({detail})")]
    Constraint { detail: String },

    /// Any other SQLite error.
    #[error("local database error: {0}")]
    Sqlite(#[source] rusqlite::Error),

    /// A business rule from `tally-domain` refused the action.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl StoreError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Corrupt { .. } => "STORE_CORRUPT",
            Self::AuditChainBroken { .. } => "AUDIT_CHAIN_BROKEN",
            Self::MigrationDowngrade { .. } => "MIGRATION_DOWNGRADE",
            Self::MigrationMissing { .. } => "MIGRATION_MISSING",
            Self::MigrationDivergent { .. } => "MIGRATION_DIVERGENT",
            Self::MigrationFailed { .. } => "MIGRATION_FAILED",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::VersionConflict { .. } => "VERSION_CONFLICT",
            Self::BadInput { .. } => "BAD_INPUT",
            Self::EvidenceBadHash { .. } => "EVIDENCE_BAD_HASH",
            Self::EvidenceMissing { .. } => "EVIDENCE_MISSING",
            Self::EvidenceCorrupt { .. } => "EVIDENCE_CORRUPT",
            Self::StationNotSet => "STATION_NOT_SET",
            Self::ReferenceBlockExhausted => "REFERENCE_BLOCK_EXHAUSTED",
            Self::Busy => "STORE_BUSY",
            Self::DiskFull => "STORE_DISK_FULL",
            Self::IncompleteAction { .. } => "INCOMPLETE_ACTION",
            Self::PinHash { .. } => "PIN_HASH_FAILED",
            Self::Decode { .. } => "STORE_DECODE",
            Self::Io { .. } => "STORE_IO",
            Self::Constraint { .. } => "STORE_CONSTRAINT",
            Self::Sqlite(_) => "STORE_SQLITE",
            Self::Domain(e) => e.code(),
        }
    }

    pub(crate) fn bad_input(field: &'static str, reason: impl Into<String>) -> Self {
        Self::BadInput {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn decode(detail: impl Into<String>) -> Self {
        Self::Decode {
            detail: detail.into(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DatabaseCorrupt | C::NotADatabase) => Self::Corrupt {
                detail: e.to_string(),
            },
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Busy,
            Some(C::DiskFull) => Self::DiskFull,
            Some(C::ConstraintViolation) => Self::Constraint {
                detail: e.to_string(),
            },
            _ => Self::Sqlite(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::decode(format!("JSON: {e}"))
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_keep_their_own_code() {
        let e: StoreError = DomainError::IllegalTransition {
            kind: "outlet_transfer",
            from: "received",
            to: "packing",
        }
        .into();
        assert_eq!(e.code(), "ILLEGAL_TRANSITION");
    }

    #[test]
    fn sqlite_busy_maps_to_store_busy() {
        let e: StoreError = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        )
        .into();
        assert_eq!(e.code(), "STORE_BUSY");
    }
}
