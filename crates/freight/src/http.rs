//! Sending a request and sorting the outcome into retryable and rejected errors.

use serde::de::DeserializeOwned;

use crate::carrier::CarrierKind;
use crate::error::FreightError;

/// A response body read in full, with its status.
pub(crate) struct Answer {
    pub status: reqwest::StatusCode,
    pub body: Vec<u8>,
    pub retry_after_secs: Option<u64>,
}

/// Sends and reads the whole body; transport failures become `Unreachable`.
pub(crate) async fn send(
    carrier: CarrierKind,
    req: reqwest::RequestBuilder,
) -> Result<Answer, FreightError> {
    let resp = req.send().await.map_err(|e| unreachable(carrier, &e))?;
    let status = resp.status();
    let retry_after_secs = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    // A body cut off after the headers means the server acted but we lost the answer.
    let body = resp.bytes().await.map_err(|e| FreightError::Unreachable {
        carrier,
        detail: format!("answer lost: {e}"),
        may_have_arrived: true,
    })?;
    Ok(Answer {
        status,
        body: body.to_vec(),
        retry_after_secs,
    })
}

fn unreachable(carrier: CarrierKind, e: &reqwest::Error) -> FreightError {
    // Only a failed connect proves the request never reached the carrier.
    FreightError::Unreachable {
        carrier,
        detail: if e.is_timeout() {
            "timed out".to_owned()
        } else {
            e.to_string()
        },
        may_have_arrived: !e.is_connect(),
    }
}

impl Answer {
    /// The error for a non-success status; `reason` extracts the carrier's message.
    pub fn error(
        &self,
        carrier: CarrierKind,
        reason: impl Fn(&[u8]) -> Option<String>,
    ) -> FreightError {
        let status = self.status.as_u16();
        match status {
            401 | 403 => FreightError::AuthRejected { carrier },
            429 => FreightError::RateLimited {
                carrier,
                retry_after_secs: self.retry_after_secs.unwrap_or(5),
            },
            500..=599 => FreightError::CarrierUnavailable { carrier, status },
            _ => FreightError::Rejected {
                carrier,
                status,
                reason: reason(&self.body).unwrap_or_else(|| format!("HTTP {status}")),
            },
        }
    }

    /// Parses a success body as JSON.
    pub fn json<T: DeserializeOwned>(&self, carrier: CarrierKind) -> Result<T, FreightError> {
        serde_json::from_slice(&self.body).map_err(|e| FreightError::BadResponse {
            carrier,
            detail: e.to_string(),
        })
    }
}
