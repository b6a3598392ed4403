//! Every failure of a Lightspeed call, classified as retryable or rejected, with a
//! stable code and a message a person at a packing bench can act on.

use std::time::Duration;

/// What a caller should do with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass<'a> {
    /// Try again later (timeouts, connection errors, 429, 5xx, 408/409).
    Retryable,
    /// Lightspeed (or the client, before sending) refused it: retrying the same
    /// request will fail again. `status`/`body` are kept for the dead-letter list.
    Rejected {
        status: Option<u16>,
        body: Option<&'a str>,
    },
}

/// The one error type of this crate.
#[derive(Debug, thiserror::Error)]
pub enum LsError {
    #[error("Lightspeed did not answer in time; the change may or may not have been made")]
    Timeout,
    #[error("could not reach Lightspeed ({0}); nothing was sent")]
    Connect(String),
    #[error("the connection to Lightspeed broke ({0}); the change may or may not have been made")]
    Network(String),
    #[error("Lightspeed's rate limit was reached; trying again in {} s", .retry_after.as_secs_f32().ceil())]
    RateLimited { retry_after: Duration },
    #[error("Lightspeed had a problem (HTTP {status}); the change may or may not have been made")]
    Server { status: u16, body: String },
    #[error("Lightspeed reported a conflict (HTTP {status}); will try again")]
    Conflict { status: u16, body: String },
    #[error("Lightspeed refused the request (HTTP {status}): {message}")]
    Rejected {
        status: u16,
        message: String,
        body: String,
    },
    #[error("Lightspeed no longer accepts Tally's authorisation (HTTP {status}); reconnect the store in Settings")]
    AuthRevoked { status: u16, body: String },
    #[error("Lightspeed sent an answer Tally could not read (HTTP {status}): {detail}")]
    Decode {
        status: u16,
        detail: String,
        body: String,
    },
    #[error("could not save the Lightspeed token: {0}")]
    TokenStore(String),
    #[error("Lightspeed credentials are missing: {0}")]
    Credentials(String),
    #[error("the request was not sent: {0}")]
    InvalidRequest(String),
}

impl LsError {
    /// Stable code for logs, the outbox and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            LsError::Timeout => "LS_TIMEOUT",
            LsError::Connect(_) => "LS_CONNECT",
            LsError::Network(_) => "LS_NETWORK",
            LsError::RateLimited { .. } => "LS_RATE_LIMITED",
            LsError::Server { .. } => "LS_SERVER_ERROR",
            LsError::Conflict { .. } => "LS_CONFLICT",
            LsError::Rejected { status, .. } => match status {
                400 => "LS_BAD_REQUEST",
                401 | 403 => "LS_UNAUTHORIZED",
                404 => "LS_NOT_FOUND",
                422 => "LS_UNPROCESSABLE",
                _ => "LS_REJECTED",
            },
            LsError::AuthRevoked { .. } => "LS_AUTH_REVOKED",
            LsError::Decode { .. } => "LS_DECODE",
            LsError::TokenStore(_) => "LS_TOKEN_STORE",
            LsError::Credentials(_) => "LS_CREDENTIALS",
            LsError::InvalidRequest(_) => "LS_INVALID_REQUEST",
        }
    }

    /// Retryable or rejected.
    pub fn class(&self) -> ErrorClass<'_> {
        match self {
            LsError::Timeout
            | LsError::Connect(_)
            | LsError::Network(_)
            | LsError::RateLimited { .. }
            | LsError::Server { .. }
            | LsError::Conflict { .. } => ErrorClass::Retryable,
            _ => ErrorClass::Rejected {
                status: self.status(),
                body: self.body(),
            },
        }
    }

    /// True when trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.class() == ErrorClass::Retryable
    }

    /// True when the request may have been applied although no success came back
    /// (a lost acknowledgement): re-read before repeating a non-idempotent call.
    pub fn may_have_applied(&self) -> bool {
        matches!(
            self,
            LsError::Timeout | LsError::Network(_) | LsError::Server { .. }
        )
    }

    /// The HTTP status Lightspeed answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            LsError::RateLimited { .. } => Some(429),
            LsError::Server { status, .. }
            | LsError::Conflict { status, .. }
            | LsError::Rejected { status, .. }
            | LsError::AuthRevoked { status, .. }
            | LsError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The response body Lightspeed sent, kept for the dead-letter list.
    pub fn body(&self) -> Option<&str> {
        match self {
            LsError::Server { body, .. }
            | LsError::Conflict { body, .. }
            | LsError::Rejected { body, .. }
            | LsError::AuthRevoked { body, .. }
            | LsError::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// How long Lightspeed asked us to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LsError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Maps a non-success answer to an error (429 handled by the caller, who
    /// knows the Retry-After).
    pub(crate) fn from_status(status: u16, body: String) -> Self {
        match status {
            408 => LsError::Timeout,
            409 => LsError::Conflict { status, body },
            500..=599 => LsError::Server { status, body },
            _ => LsError::Rejected {
                status,
                message: error_message(&body),
                body,
            },
        }
    }
}

/// The human part of Lightspeed's `{"error", "message"}` (either may be missing).
fn error_message(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let pick = |k: &str| v.get(k).and_then(|m| m.as_str()).map(str::to_string);
    pick("message")
        .or_else(|| pick("error"))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_retryable_or_rejected_with_the_body_kept() {
        for s in [500, 502, 503, 504, 409, 408] {
            assert!(LsError::from_status(s, String::new()).is_retryable(), "{s}");
        }
        let e = LsError::from_status(
            400,
            r#"{"error":"Bad Request","message":"no products"}"#.into(),
        );
        assert_eq!(e.code(), "LS_BAD_REQUEST");
        assert_eq!(
            e.class(),
            ErrorClass::Rejected {
                status: Some(400),
                body: Some(r#"{"error":"Bad Request","message":"no products"}"#)
            }
        );
        assert!(e.to_string().contains("no products"));
        assert_eq!(
            LsError::from_status(404, "{}".into()).code(),
            "LS_NOT_FOUND"
        );
        let only_error = LsError::from_status(422, r#"{"error":"bad type"}"#.into());
        assert!(only_error.to_string().contains("bad type"));
    }

    #[test]
    fn only_unknown_outcomes_may_have_applied() {
        assert!(LsError::Timeout.may_have_applied());
        assert!(LsError::Network("reset".into()).may_have_applied());
        assert!(!LsError::Connect("refused".into()).may_have_applied());
        assert!(!LsError::RateLimited {
            retry_after: Duration::from_secs(1)
        }
        .may_have_applied());
    }
}
