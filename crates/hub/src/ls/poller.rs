//! The poller: walks Lightspeed's version cursors (outlets, suppliers, products,
//! consignments, then inventory and sales for reorder suggestions), persists each cursor with the rows it applied (so a restart
//! resumes where it stopped), and reconciles consignments someone changed in
//! Lightspeed: forward moves are applied through the domain's inbound mapping,
//! backward ones are refused and reported. The first walk of an empty hub is the
//! catalog seeding (the demo's first start against the fake).

use std::sync::Arc;

use time::OffsetDateTime;

use tally_domain::ConsignmentStatus;

use super::port::{LightspeedPort, LsConsignmentChange, LsFailure};
use crate::store::{write_with, Entity, HubStore, HubTx, InboundConflict, SagaState};
use crate::HubError;
use crate::{catalog, stock};

/// A Lightspeed feed walked by version cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feed {
    /// `/outlets`.
    Outlets,
    /// `/suppliers`.
    Suppliers,
    /// `/products`.
    Products,
    /// `/consignments`.
    Consignments,
    /// `/inventory`: stock and reorder points per outlet.
    Inventory,
    /// `/sales`: units sold per outlet and day.
    Sales,
}

impl Feed {
    /// Every feed, in the order a fresh hub needs them; a round reads the first with
    /// news, so stock and sales (last) only take what consignments leave.
    pub const ALL: [Feed; 6] = [
        Self::Outlets,
        Self::Suppliers,
        Self::Products,
        Self::Consignments,
        Self::Inventory,
        Self::Sales,
    ];

    /// The persisted cursor's name.
    pub fn cursor_name(self) -> &'static str {
        match self {
            Self::Outlets => "outlets",
            Self::Suppliers => "suppliers",
            Self::Products => "products",
            Self::Consignments => "consignments",
            Self::Inventory => "inventory",
            Self::Sales => "sales",
        }
    }
}

/// Why a poll step stopped.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Lightspeed failed.
    #[error(transparent)]
    Lightspeed(#[from] LsFailure),
    /// The hub's store failed.
    #[error(transparent)]
    Store(#[from] HubError),
}

async fn db<R: Send + 'static>(
    store: &Arc<dyn HubStore>,
    f: impl FnOnce(&mut dyn HubTx) -> Result<R, HubError> + Send + 'static,
) -> Result<R, HubError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || write_with(&*store, f))
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
}

/// Fetches and applies one page of `feed`; returns how many objects it held
/// (0 = caught up).
pub async fn poll_page<P: LightspeedPort>(
    store: &Arc<dyn HubStore>,
    port: &P,
    feed: Feed,
    page_size: u32,
) -> Result<usize, PollError> {
    let name = feed.cursor_name();
    let after = db(store, move |tx| Ok(tx.poll_cursor(name)?.unwrap_or(0))).await?;
    let (count, max) = match feed {
        Feed::Outlets => {
            let page = port.outlets_after(after, page_size).await?;
            let (n, max) = (page.items.len(), page.max_version);
            db(store, move |tx| {
                page.items
                    .iter()
                    .try_for_each(|r| catalog::put_outlet(tx, r))
            })
            .await?;
            (n, max)
        }
        Feed::Suppliers => {
            let page = port.suppliers_after(after, page_size).await?;
            let (n, max) = (page.items.len(), page.max_version);
            db(store, move |tx| {
                page.items
                    .iter()
                    .try_for_each(|r| catalog::put_supplier(tx, r))
            })
            .await?;
            (n, max)
        }
        Feed::Products => {
            let page = port.products_after(after, page_size).await?;
            let (n, max) = (page.items.len(), page.max_version);
            db(store, move |tx| {
                page.items
                    .iter()
                    .try_for_each(|r| catalog::put_product(tx, r))
            })
            .await?;
            (n, max)
        }
        Feed::Consignments => {
            let page = port.consignments_after(after, page_size).await?;
            let (n, max) = (page.items.len(), page.max_version);
            db(store, move |tx| {
                let now = OffsetDateTime::now_utc();
                page.items.iter().try_for_each(|c| reconcile(tx, c, now))
            })
            .await?;
            (n, max)
        }
        Feed::Inventory => {
            let page = port.inventory_after(after, page_size).await?;
            let (n, max) = (page.items.len(), page.max_version);
            db(store, move |tx| {
                let now = OffsetDateTime::now_utc();
                page.items
                    .iter()
                    .try_for_each(|s| stock::put_stock(tx, s, now))
            })
            .await?;
            (n, max)
        }
        Feed::Sales => {
            let page = port.sales_after(after, page_size).await?;
            let (n, max) = (page.items.len(), page.max_version);
            db(store, move |tx| {
                page.items
                    .iter()
                    .try_for_each(|s| stock::apply_sale(tx, s))?;
                tx.prune_sales_before(&stock::oldest_kept_day(OffsetDateTime::now_utc()))
            })
            .await?;
            (n, max)
        }
    };
    if let Some(max) = max {
        // Separate from the rows only in time, never in effect: re-applying a page
        // after a crash here is idempotent (upserts; inbound moves compare first).
        db(store, move |tx| tx.set_poll_cursor(name, max)).await?;
    }
    if count > 0 {
        tracing::debug!(feed = name, count, after, "poll page applied");
    }
    Ok(count)
}

/// Applies what Lightspeed says about a consignment Tally knows.
pub fn reconcile(
    tx: &mut dyn HubTx,
    c: &LsConsignmentChange,
    now: OffsetDateTime,
) -> Result<(), HubError> {
    let Some(id) = tx.consignment_by_lightspeed_id(&c.id)? else {
        // Not one of Tally's (made in Lightspeed directly): not imported.
        return Ok(());
    };
    let Some(mut h) = tx.consignment(id)? else {
        return Ok(());
    };
    // While Tally still has changes queued for Lightspeed, Lightspeed lags on
    // purpose; the saga brings it up to date (domain: inbound_status).
    if let Some(s) = tx.saga(id)? {
        if s.state == SagaState::Dead
            || (s.state == SagaState::Pending && s.done_gen < s.wanted_gen)
        {
            return Ok(());
        }
    }
    let conflict = |code: &str, message: String| InboundConflict {
        lightspeed_id: c.id.clone(),
        consignment_id: id,
        hub_status: h.status,
        ls_status: c.status,
        code: code.to_string(),
        message,
        at: now,
    };
    if c.deleted {
        if h.status == ConsignmentStatus::Cancelled {
            // The saga deletes an empty consignment Tally cancelled (Lightspeed
            // cannot cancel one without lines): that is its own doing.
            return Ok(());
        }
        let report = conflict(
            "DELETED_IN_LIGHTSPEED",
            format!("{} was deleted in Lightspeed", h.reference),
        );
        tracing::warn!(consignment_id = %id, "consignment deleted in Lightspeed; reported");
        return tx.record_inbound_conflict(&report);
    }
    match tally_domain::inbound_status(h.kind, h.status, c.status) {
        Ok(None) => Ok(()),
        Ok(Some(next)) => {
            tracing::info!(consignment_id = %id, from = h.status.as_str(), to = next.as_str(), "status changed in Lightspeed applied");
            h.status = next;
            h.version += 1;
            h.updated_at = now;
            tx.update_consignment(&h)?;
            tx.record_change(Entity::Consignment, &id.to_string())
        }
        Err(e) => {
            tracing::warn!(consignment_id = %id, code = e.code(), "inbound Lightspeed status refused");
            let report = conflict(e.code(), e.to_string());
            tx.record_inbound_conflict(&report)
        }
    }
}
