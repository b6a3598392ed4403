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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tally_domain::{ConsignmentStatus as S, LsConsignmentStatus as L};
    use tokio::sync::{watch, Notify};
    use uuid::Uuid;

    use super::*;
    use crate::ls::memory::MemoryLightspeed;
    use crate::ls::{SagaWorker, WorkerConfig};
    use crate::store::SagaState;
    use crate::testing::*;

    /// A sent transfer that the saga worker has pushed to `ls`; its Lightspeed id.
    async fn pushed_transfer(f: &mut Fixture, ls: &Arc<MemoryLightspeed>) -> (Uuid, String) {
        let id = Uuid::now_v7();
        let a1 = f.dev_a1.clone();
        let ms = vec![
            transfer(id, &[(0, 1)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 1, &a1),
            go(id, S::Packing, S::Packed),
            go(id, S::Packed, S::Sent),
        ];
        f.push(&a1, STAFF_A, ms);
        let mut w = SagaWorker::new(
            f.store.clone(),
            ls.clone(),
            WorkerConfig {
                idle_ms: 1,
                backoff_base_ms: 1,
                backoff_max_ms: 5,
                poll: false,
                ..WorkerConfig::default()
            },
            Arc::new(Notify::new()),
        );
        let (_tx, mut rx) = watch::channel(false);
        for _ in 0..200 {
            w.run_due(&mut rx).await.unwrap();
            let pending = read_with(&*f.store, |tx| tx.sagas_in_state(SagaState::Pending)).unwrap();
            if pending.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let rid = f.consignment(id).lightspeed_id.expect("pushed");
        (id, rid)
    }

    #[tokio::test]
    async fn a_consignment_hint_applies_what_lightspeed_says_on_re_read() {
        let mut f = Fixture::new();
        let ls = Arc::new(MemoryLightspeed::new());
        let (id, rid) = pushed_transfer(&mut f, &ls).await;
        let hints = LightspeedHints::new(f.store.clone(), ls.clone());
        // The webhook's body is never looked at: a hint while Lightspeed still
        // says SENT changes nothing, whatever a (forged or stale) body claimed.
        hints.handle(HintKind::Consignment, &rid).await.unwrap();
        assert_eq!(f.consignment(id).status, S::Sent);
        ls.force_status(&rid, L::Received);
        let before = ls.requests();
        hints.handle(HintKind::Consignment, &rid).await.unwrap();
        assert_eq!(f.consignment(id).status, S::Received);
        assert_eq!(ls.requests(), before + 1, "one GET re-read");
    }

    #[tokio::test]
    async fn a_hint_about_a_consignment_tally_does_not_know_spends_no_request() {
        let f = Fixture::new();
        let ls = Arc::new(MemoryLightspeed::new());
        let hints = LightspeedHints::new(f.store.clone(), ls.clone());
        hints
            .handle(HintKind::Consignment, "not-ours-123")
            .await
            .unwrap();
        assert_eq!(ls.requests(), 0);
    }

    #[tokio::test]
    async fn a_product_hint_walks_the_product_cursor_now() {
        let f = Fixture::new();
        let ls = Arc::new(MemoryLightspeed::new());
        ls.put_product(tally_sync::ProductRow {
            id: "ls-prod-9".into(),
            sku: "SKU9".into(),
            name: "Hose fitting".into(),
            variant_name: None,
            supplier_id: None,
            supplier_code: None,
            supply_price: None,
            active: true,
            codes: vec![],
            deleted: false,
        });
        let hints = LightspeedHints::new(f.store.clone(), ls.clone());
        hints.handle(HintKind::Product, "ls-prod-9").await.unwrap();
        let p = read_with(&*f.store, |tx| tx.product("ls-prod-9")).unwrap();
        assert_eq!(p.map(|p| p.name).as_deref(), Some("Hose fitting"));
    }
}
