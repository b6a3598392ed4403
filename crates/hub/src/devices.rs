//! Device enrolment and token checks. A token is 32 random bytes shown once; the
//! hub keeps only its SHA-256 (enough for a high-entropy random secret).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use tally_sync::ReferenceBlock;

use crate::references::ReferenceConfig;
use crate::store::{write_with, DeviceRecord, HubStore, StoreResult};
use crate::HubError;

/// Prefix that makes a leaked token recognisable (and greppable by secret scanners).
pub const TOKEN_PREFIX: &str = "tally_dev_";

/// What an enrolment hands to the station, once.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Device id (the station's sync `client_id`).
    pub device_id: String,
    /// Bearer token. Shown once; the hub keeps only its hash.
    pub token: String,
    /// The station's first block of reference numbers, issued with the device (it
    /// also reaches the station with its first pull). `None` once every number
    /// has been issued.
    pub reference_block: Option<ReferenceBlock>,
}

/// SHA-256 of a token, lowercase hex.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Enrols a station of `outlet_id` and returns its token and first reference block.
pub fn enroll(
    store: &dyn HubStore,
    outlet_id: &str,
    station: &str,
    references: &ReferenceConfig,
    now: OffsetDateTime,
) -> StoreResult<Enrolment> {
    if station.trim().is_empty() {
        return Err(HubError::Invalid("a station needs a name".into()));
    }
    let token = new_token();
    let device_id = Uuid::now_v7().to_string();
    let record = DeviceRecord {
        id: device_id.clone(),
        outlet_id: outlet_id.to_string(),
        station: station.to_string(),
        last_seq: 0,
        revoked: false,
        enrolled_at: now,
        last_seen_at: None,
    };
    let reference_block = write_with(store, |tx| {
        match tx.outlet(outlet_id)? {
            Some(o) if !o.deleted => {}
            _ => {
                return Err(HubError::NotFound {
                    what: "outlet",
                    id: outlet_id.to_string(),
                })
            }
        }
        tx.insert_device(&record, &token_sha256(&token))?;
        crate::references::issue(tx, &record.id, references, now)
    });
    let reference_block = reference_block?;
    tracing::info!(device_id, outlet_id, station, "device enrolled");
    Ok(Enrolment {
        device_id,
        token,
        reference_block,
    })
}

/// Why a bearer token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header.
    Missing,
    /// No device has this token.
    Unknown,
    /// The device's token was revoked.
    Revoked,
}

impl AuthFailure {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "UNAUTHENTICATED",
            Self::Unknown => "UNKNOWN_DEVICE_TOKEN",
            Self::Revoked => "DEVICE_REVOKED",
        }
    }

    /// Human message.
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "this station is not signed in to the hub; enrol it first",
            Self::Unknown => "the hub does not know this station's token; enrol it again",
            Self::Revoked => "this station's access was revoked by an administrator",
        }
    }
}

/// The device holding `token`, if it may use the sync API.
pub fn authenticate(
    store: &dyn HubStore,
    token: &str,
) -> StoreResult<Result<DeviceRecord, AuthFailure>> {
    let hash = token_sha256(token);
    let device = crate::store::read_with(store, |tx| tx.device_by_token(&hash))?;
    Ok(match device {
        None => Err(AuthFailure::Unknown),
        Some(d) if d.revoked => Err(AuthFailure::Revoked),
        Some(d) => Ok(d),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_prefixed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert!(a.len() > TOKEN_PREFIX.len() + 40);
    }

    #[test]
    fn the_hash_is_not_the_token() {
        let t = new_token();
        let h = token_sha256(&t);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&t[TOKEN_PREFIX.len()..]));
    }
}
