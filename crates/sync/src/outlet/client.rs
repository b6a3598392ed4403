//! HTTP client of the hub's sync API, authenticated with the device token.

use std::time::Duration;

use reqwest::StatusCode;

use crate::protocol::pull::{PullResponse, SnapshotResponse, DEFAULT_PULL_LIMIT};
use crate::protocol::push::{MutationEnvelope, PushRequest, PushResponse};
use crate::protocol::reference_block::ReferenceNumbers;
use crate::protocol::{ErrorBody, PROTOCOL_VERSION};
use crate::SyncError;
use uuid::Uuid;

/// Talks to one hub as one enrolled device.
#[derive(Clone)]
pub struct HubClient {
    base_url: String,
    device_id: String,
    token: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("HubClient")
            .field("base_url", &self.base_url)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl HubClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:4100`) as `device_id`.
    pub fn new(
        base_url: impl Into<String>,
        device_id: impl Into<String>,
        token: impl Into<String>,
        timeout: Duration,
    ) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| SyncError::Unreachable(e.to_string()))?;
        Ok(Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            device_id: device_id.into(),
            token: token.into(),
            http,
        })
    }

    /// The device id this client pushes as.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    async fn answer<T: serde::de::DeserializeOwned>(
        resp: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, SyncError> {
        let resp = resp.map_err(|e| SyncError::Unreachable(e.without_url().to_string()))?;
        let status = resp.status();
        if status.is_success() {
            return resp
                .json()
                .await
                .map_err(|e| SyncError::Malformed(e.without_url().to_string()));
        }
        let body: Option<ErrorBody> = resp.json().await.ok();
        if status == StatusCode::BAD_REQUEST
            && body
                .as_ref()
                .is_some_and(|b| b.code == "UNSUPPORTED_PROTOCOL")
        {
            return Err(SyncError::UnsupportedProtocol {
                ours: PROTOCOL_VERSION,
                theirs: 0,
            });
        }
        let (code, message) = body
            .map(|b| (b.code, b.message))
            .unwrap_or_else(|| ("HTTP".into(), status.to_string()));
        Err(SyncError::Hub {
            status: status.as_u16(),
            code,
            message,
        })
    }

    /// `POST /sync/push`.
    pub async fn push(&self, mutations: Vec<MutationEnvelope>) -> Result<PushResponse, SyncError> {
        let body = PushRequest::new(&self.device_id, mutations);
        let resp = self
            .http
            .post(format!("{}/sync/push", self.base_url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await;
        Self::answer(resp).await
    }

    /// `GET /sync/pull`, reporting the station's reference numbers and its own queue
    /// (waiting, needing a person) when given.
    pub async fn pull(
        &self,
        cursor: u64,
        limit: Option<u32>,
        references: Option<ReferenceNumbers>,
        backlog: Option<(u64, u64)>,
    ) -> Result<PullResponse, SyncError> {
        let mut query = vec![
            ("protocol", PROTOCOL_VERSION.to_string()),
            ("cursor", cursor.to_string()),
            ("limit", limit.unwrap_or(DEFAULT_PULL_LIMIT).to_string()),
        ];
        if let Some(r) = references {
            query.push(("refs_left", r.left.to_string()));
            query.push(("refs_highest", r.highest.to_string()));
        }
        if let Some((waiting, attention)) = backlog {
            query.push(("waiting", waiting.to_string()));
            query.push(("attention", attention.to_string()));
        }
        let resp = self
            .http
            .get(format!("{}/sync/pull", self.base_url))
            .query(&query)
            .bearer_auth(&self.token)
            .send()
            .await;
        Self::answer(resp).await
    }

    /// `GET /sync/consignment`: one consignment and its scan events as the hub has them.
    pub async fn snapshot(&self, id: Uuid) -> Result<SnapshotResponse, SyncError> {
        let resp = self
            .http
            .get(format!("{}/sync/consignment", self.base_url))
            .query(&[
                ("protocol", PROTOCOL_VERSION.to_string()),
                ("id", id.to_string()),
            ])
            .bearer_auth(&self.token)
            .send()
            .await;
        Self::answer(resp).await
    }
}
