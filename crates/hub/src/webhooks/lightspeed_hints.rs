//! The hint handler over the hub's Lightspeed port: a consignment hint re-reads
//! that consignment (`GET /consignments/{id}`) and reconciles it exactly as the
//! poller would (forward moves applied through the domain, backward ones
//! reported); a product hint walks the products version cursor now instead of at
//! the next poll. Nothing from the webhook body itself is ever applied.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{HintError, HintHandler};
use crate::edges::HintKind;
use crate::ls::poller::{poll_page, reconcile, Feed, PollError};
use crate::ls::{LightspeedPort, LsConsignmentChange, LsFailure};
use crate::store::{read_with, write_with, HubStore};
use crate::HubError;

/// Most product pages one hint may walk (the poller does the rest).
const MAX_PAGES: usize = 20;

/// Re-reads hinted objects through `P`.
pub struct LightspeedHints<P> {
    store: Arc<dyn HubStore>,
    port: Arc<P>,
    page_size: u32,
}

impl<P> LightspeedHints<P> {
    /// A handler over the hub's store and Lightspeed port.
    pub fn new(store: Arc<dyn HubStore>, port: Arc<P>) -> Self {
        Self {
            store,
            port,
            page_size: 200,
        }
    }
}

fn from_ls(e: LsFailure) -> HintError {
    match e {
        LsFailure::Retryable { message, .. } => HintError::Retryable(message),
        LsFailure::Rejected { status, .. } => {
            HintError::Permanent(format!("Lightspeed answered HTTP {status} to the re-read"))
        }
    }
}

fn from_hub(e: HubError) -> HintError {
    HintError::Retryable(format!("{}: {e}", e.code()))
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, HubError> + Send + 'static,
) -> Result<R, HintError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HintError::Retryable(e.to_string()))?
        .map_err(from_hub)
}

impl<P: LightspeedPort> LightspeedHints<P> {
    async fn consignment(&self, ls_id: &str) -> Result<(), HintError> {
        let store = self.store.clone();
        let id = ls_id.to_string();
        let known =
            blocking(move || read_with(&*store, |tx| tx.consignment_by_lightspeed_id(&id))).await?;
        if known.is_none() {
            // Not one of Tally's (or its create is still in flight, which the saga
            // handles): nothing to re-read, no budget spent.
            return Ok(());
        }
        let remote = self.port.consignment(ls_id).await.map_err(from_ls)?;
        let change = LsConsignmentChange {
            id: remote.id,
            status: remote.status,
            reference: remote.reference,
            deleted: false,
        };
        let store = self.store.clone();
        blocking(move || {
            write_with(&*store, |tx| {
                reconcile(tx, &change, OffsetDateTime::now_utc())
            })
        })
        .await
    }

    async fn products(&self) -> Result<(), HintError> {
        for _ in 0..MAX_PAGES {
            match poll_page(&self.store, &*self.port, Feed::Products, self.page_size).await {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(PollError::Lightspeed(e)) => return Err(from_ls(e)),
                Err(PollError::Store(e)) => return Err(from_hub(e)),
            }
        }
        Ok(())
    }
}

impl<P: LightspeedPort> HintHandler for LightspeedHints<P> {
    async fn handle(&self, kind: HintKind, object_id: &str) -> Result<(), HintError> {
        match kind {
            HintKind::Consignment => self.consignment(object_id).await,
            HintKind::Product => self.products().await,
            HintKind::Inventory | HintKind::Other => Ok(()),
        }
    }
}
