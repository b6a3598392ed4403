//! The sync crate's error type.

/// Something went wrong speaking the sync protocol.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The peer speaks a protocol version this build does not.
    #[error(
        "this station speaks sync protocol {ours}, the other side speaks {theirs}; update Tally"
    )]
    UnsupportedProtocol { ours: u32, theirs: u32 },
    /// A request or response body could not be read.
    #[error("the sync message could not be read: {0}")]
    Malformed(String),
    /// The hub could not be reached (offline, DNS, refused, timeout).
    #[error("the hub cannot be reached: {0}")]
    Unreachable(String),
    /// The hub answered with an error.
    #[error("the hub refused the request ({status} {code}): {message}")]
    Hub {
        /// HTTP status.
        status: u16,
        /// The hub's code.
        code: String,
        /// The hub's message.
        message: String,
    },
    /// The station's own store failed.
    #[error("the station's database failed: {0}")]
    Store(#[from] tally_store::StoreError),
    /// An outbox entry could not be turned into a protocol mutation.
    #[error("this change cannot be sent to the hub: {0}")]
    Untranslatable(String),
}

impl SyncError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedProtocol { .. } => "UNSUPPORTED_PROTOCOL",
            Self::Malformed(_) => "MALFORMED_REQUEST",
            Self::Unreachable(_) => "HUB_UNREACHABLE",
            Self::Hub { .. } => "HUB_REFUSED",
            Self::Store(_) => "STATION_STORE",
            Self::Untranslatable(_) => "UNTRANSLATABLE_CHANGE",
        }
    }
}
