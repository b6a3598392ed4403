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
}

impl SyncError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedProtocol { .. } => "UNSUPPORTED_PROTOCOL",
            Self::Malformed(_) => "MALFORMED_REQUEST",
        }
    }
}
