//! What the sync indicator shows.

use serde::Serialize;

/// Connection to the hub as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    /// Last contact with the hub succeeded.
    Online,
    /// The hub could not be reached; work is kept locally.
    Offline,
    /// Not tried yet.
    Unknown,
}

/// The sync indicator's figures, all from the local store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SyncStatus {
    /// Online, offline or unknown.
    pub connection: Connection,
    /// Mutations waiting to be pushed.
    pub pending: u32,
    /// Mutations pushed but not yet acknowledged.
    pub in_flight: u32,
    /// Mutations the hub refused; a person must fix or discard them.
    pub needs_attention: u32,
    /// Last successful exchange with the hub (RFC 3339).
    pub last_sync_at: Option<String>,
    /// Last error, in words, when offline.
    pub last_error: Option<String>,
}
