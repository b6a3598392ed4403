//! Wire types of the outlet <-> hub protocol (JSON over HTTP).

pub mod mutation;
pub mod pull;
pub mod push;
pub mod reference_block;
pub mod rows;

// A calendar date on the wire: `YYYY-MM-DD`.
time::serde::format_description!(
    pub iso_date,
    Date,
    "[year]-[month]-[day]"
);

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. Bump on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// The body of every non-2xx answer from the hub's sync API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable SCREAMING_SNAKE code the client switches on.
    pub code: String,
    /// A sentence a person can read.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}
