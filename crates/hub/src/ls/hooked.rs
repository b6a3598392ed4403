//! A [`LightspeedPort`] that runs every call of another port through a
//! [`CallHook`]: benches and tests add latency or seeded faults around the
//! in-memory double without restating the whole trait each time.

use std::future::Future;

use tally_domain::LsConsignmentStatus;
use tally_sync::{OutletRow, ProductRow, SupplierRow};

use super::port::*;

/// What happens around each call of the inner port.
pub trait CallHook: Send + Sync + 'static {
    /// Runs `call` (the inner port's call, not started yet) or not, and answers.
    /// Not awaiting `call` means the inner port never sees the request.
    fn around<T: Send>(
        &self,
        call: impl Future<Output = LsResult<T>> + Send,
    ) -> impl Future<Output = LsResult<T>> + Send;
}

/// `inner`, with `hook` around every call.
pub struct Hooked<P, H> {
    /// The port that does the work.
    pub inner: P,
    /// What happens around each call.
    pub hook: H,
}

impl<P: LightspeedPort, H: CallHook> LightspeedPort for Hooked<P, H> {
    async fn find_consignment_by_reference(&self, r: &str) -> LsResult<Option<LsConsignment>> {
        self.hook
            .around(self.inner.find_consignment_by_reference(r))
            .await
    }
    async fn create_consignment(&self, n: &NewLsConsignment) -> LsResult<LsConsignment> {
        self.hook.around(self.inner.create_consignment(n)).await
    }
    async fn consignment(&self, id: &str) -> LsResult<LsConsignment> {
        self.hook.around(self.inner.consignment(id)).await
    }
    async fn set_status(&self, id: &str, s: LsConsignmentStatus) -> LsResult<LsConsignment> {
        self.hook.around(self.inner.set_status(id, s)).await
    }
    async fn set_name(&self, id: &str, name: &str) -> LsResult<LsConsignment> {
        self.hook.around(self.inner.set_name(id, name)).await
    }
    async fn delete_consignment(&self, id: &str) -> LsResult<()> {
        self.hook.around(self.inner.delete_consignment(id)).await
    }
    async fn lines(&self, id: &str) -> LsResult<Vec<LsLine>> {
        self.hook.around(self.inner.lines(id)).await
    }
    async fn add_line(&self, id: &str, l: &LsLine) -> LsResult<()> {
        self.hook.around(self.inner.add_line(id, l)).await
    }
    async fn put_line(&self, id: &str, l: &LsLine) -> LsResult<()> {
        self.hook.around(self.inner.put_line(id, l)).await
    }
    async fn delete_line(&self, id: &str, p: &str) -> LsResult<()> {
        self.hook.around(self.inner.delete_line(id, p)).await
    }
    async fn bulk_add_lines(&self, id: &str, l: &[LsLine]) -> LsResult<()> {
        self.hook.around(self.inner.bulk_add_lines(id, l)).await
    }
    async fn products_after(&self, a: i64, n: u32) -> LsResult<VersionPage<ProductRow>> {
        self.hook.around(self.inner.products_after(a, n)).await
    }
    async fn outlets_after(&self, a: i64, n: u32) -> LsResult<VersionPage<OutletRow>> {
        self.hook.around(self.inner.outlets_after(a, n)).await
    }
    async fn suppliers_after(&self, a: i64, n: u32) -> LsResult<VersionPage<SupplierRow>> {
        self.hook.around(self.inner.suppliers_after(a, n)).await
    }
    async fn consignments_after(
        &self,
        a: i64,
        n: u32,
    ) -> LsResult<VersionPage<LsConsignmentChange>> {
        self.hook.around(self.inner.consignments_after(a, n)).await
    }
    async fn inventory_after(&self, a: i64, n: u32) -> LsResult<VersionPage<LsStock>> {
        self.hook.around(self.inner.inventory_after(a, n)).await
    }
    async fn sales_after(&self, a: i64, n: u32) -> LsResult<VersionPage<LsSale>> {
        self.hook.around(self.inner.sales_after(a, n)).await
    }
    fn rate_budget(&self) -> Option<crate::edges::BudgetReading> {
        self.inner.rate_budget()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;
    use crate::ls::memory::MemoryLightspeed;

    /// Counts calls; refuses them while `refuse` is set.
    #[derive(Default)]
    struct Gate {
        calls: AtomicUsize,
        refuse: AtomicBool,
    }

    impl CallHook for Gate {
        async fn around<T: Send>(
            &self,
            call: impl Future<Output = LsResult<T>> + Send,
        ) -> LsResult<T> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.refuse.load(Ordering::SeqCst) {
                return Err(LsFailure::Rejected {
                    status: 418,
                    body: "refused by the hook".into(),
                });
            }
            call.await
        }
    }

    #[tokio::test]
    async fn every_call_goes_through_the_hook_and_a_refused_one_never_reaches_the_inner_port() {
        let port = Hooked {
            inner: MemoryLightspeed::new(),
            hook: Gate::default(),
        };
        assert!(port.lines("nope").await.is_err(), "the inner port answered");
        assert_eq!(port.inner.requests(), 1);
        port.hook.refuse.store(true, Ordering::SeqCst);
        let refused = port.outlets_after(0, 10).await.unwrap_err();
        assert_eq!(refused.code(), "LIGHTSPEED_REJECTED");
        assert_eq!(port.inner.requests(), 1, "the refused call was never made");
        assert_eq!(port.hook.calls.load(Ordering::SeqCst), 2);
    }
}
