//! What the saga worker needs from Lightspeed, as a trait. The adapter over the
//! `tally-lightspeed` client implements it for real; tests use a double.

use std::future::Future;
use std::time::Duration;

use rust_decimal::Decimal;
use tally_domain::{LsConsignmentStatus, LsConsignmentType};
use tally_sync::{OutletRow, ProductRow, SupplierRow};

/// A Lightspeed consignment header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsConsignment {
    /// Lightspeed id.
    pub id: String,
    /// Type.
    pub kind: LsConsignmentType,
    /// Status.
    pub status: LsConsignmentStatus,
    /// Reference (Tally stamps its marker here).
    pub reference: Option<String>,
    /// Display name (Tally's human reference, and a return's authorisation number).
    pub name: Option<String>,
}

/// A consignment to create (always `OPEN` / `STOCKTAKE_SCHEDULED`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLsConsignment {
    /// Type.
    pub kind: LsConsignmentType,
    /// Initial status.
    pub status: LsConsignmentStatus,
    /// Display name (the human reference).
    pub name: String,
    /// Tally's marker, searched for before any re-create.
    pub reference: String,
    /// Receiving (or counting) outlet.
    pub outlet_id: String,
    /// Sending outlet (transfers).
    pub source_outlet_id: Option<String>,
    /// Supplier (orders, returns).
    pub supplier_id: Option<String>,
}

/// One consignment line in Lightspeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsLine {
    /// Product id.
    pub product_id: String,
    /// Count ordered / sent.
    pub count: Decimal,
    /// Count received (stock added).
    pub received: Decimal,
    /// Unit cost.
    pub cost: Option<Decimal>,
}

/// One page of a version-cursor walk (`GET /things?after=V`).
#[derive(Debug, Clone, PartialEq)]
pub struct VersionPage<T> {
    /// Objects changed after the cursor, deleted ones included (flagged).
    pub items: Vec<T>,
    /// `version.max` of the page; the next cursor. `None` on an empty page.
    pub max_version: Option<i64>,
}

/// A consignment as the poller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsConsignmentChange {
    /// Lightspeed id.
    pub id: String,
    /// Status now.
    pub status: LsConsignmentStatus,
    /// Reference (Tally's marker when Tally made it).
    pub reference: Option<String>,
    /// Deleted in Lightspeed.
    pub deleted: bool,
}

/// Stock of a product at an outlet as the poller reads it (`GET /inventory`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsStock {
    /// Outlet.
    pub outlet_id: String,
    /// Product.
    pub product_id: String,
    /// Units on hand (`inventory_level`; none reported reads as 0).
    pub on_hand: Decimal,
    /// The outlet's reorder point, when set.
    pub reorder_point: Option<Decimal>,
    /// Lightspeed's own restock amount, when set.
    pub reorder_amount: Option<Decimal>,
    /// Deleted in Lightspeed (no stock kept there any more).
    pub deleted: bool,
}

/// A register sale as the poller reads it (`GET /sales`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsSale {
    /// Lightspeed id.
    pub id: String,
    /// Outlet.
    pub outlet_id: String,
    /// Sale day `YYYY-MM-DD` (UTC), when its date could be read.
    pub day: Option<String>,
    /// Completed (its units left stock); false once voided or deleted.
    pub completed: bool,
    /// (product id, units) per line item.
    pub lines: Vec<(String, Decimal)>,
}

/// How a Lightspeed call failed, as the saga needs to know it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LsFailure {
    /// Try again later (429, 5xx, timeouts, lost connections, 409).
    #[error("Lightspeed is unavailable for now: {message}")]
    Retryable {
        /// What happened.
        message: String,
        /// Lightspeed's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
        /// A 429: every caller should wait, not just this saga.
        rate_limited: bool,
    },
    /// Lightspeed refused the request (4xx other than 409/429): do not repeat it.
    #[error("Lightspeed refused the request ({status}): {body}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Response body, kept for the dead-letter list.
        body: String,
    },
}

impl LsFailure {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Retryable { .. } => "LIGHTSPEED_UNAVAILABLE",
            Self::Rejected { .. } => "LIGHTSPEED_REJECTED",
        }
    }
}

/// Result of a Lightspeed call.
pub type LsResult<T> = Result<T, LsFailure>;

/// The Lightspeed operations the saga uses. Every implementation spends the
/// hub's one shared rate budget.
pub trait LightspeedPort: Send + Sync + 'static {
    /// The consignment whose `reference` is exactly `reference`, if any.
    fn find_consignment_by_reference(
        &self,
        reference: &str,
    ) -> impl Future<Output = LsResult<Option<LsConsignment>>> + Send;
    /// `POST /consignments`.
    fn create_consignment(
        &self,
        new: &NewLsConsignment,
    ) -> impl Future<Output = LsResult<LsConsignment>> + Send;
    /// `GET /consignments/{id}`.
    fn consignment(&self, id: &str) -> impl Future<Output = LsResult<LsConsignment>> + Send;
    /// `PUT /consignments/{id}` with a new status.
    fn set_status(
        &self,
        id: &str,
        status: LsConsignmentStatus,
    ) -> impl Future<Output = LsResult<LsConsignment>> + Send;
    /// `PUT /consignments/{id}` with a new display name (the marker in `reference`
    /// is left alone).
    fn set_name(
        &self,
        id: &str,
        name: &str,
    ) -> impl Future<Output = LsResult<LsConsignment>> + Send;
    /// `DELETE /consignments/{id}` (an empty consignment cancelled in Tally:
    /// Lightspeed refuses any status change, cancel included, without lines).
    fn delete_consignment(&self, id: &str) -> impl Future<Output = LsResult<()>> + Send;
    /// `GET /consignments/{id}/products`.
    fn lines(&self, id: &str) -> impl Future<Output = LsResult<Vec<LsLine>>> + Send;
    /// `POST /consignments/{id}/products` (one line).
    fn add_line(&self, id: &str, line: &LsLine) -> impl Future<Output = LsResult<()>> + Send;
    /// `PUT /consignments/{id}/products/{product_id}` (absolute values).
    fn put_line(&self, id: &str, line: &LsLine) -> impl Future<Output = LsResult<()>> + Send;
    /// `DELETE /consignments/{id}/products/{product_id}`.
    fn delete_line(&self, id: &str, product_id: &str) -> impl Future<Output = LsResult<()>> + Send;
    /// `POST /consignments/{id}/bulk` (≤ 500 lines; ADDS on some types).
    fn bulk_add_lines(
        &self,
        id: &str,
        lines: &[LsLine],
    ) -> impl Future<Output = LsResult<()>> + Send;

    /// `GET /products?after=V&page_size=N`.
    fn products_after(
        &self,
        after: i64,
        page_size: u32,
    ) -> impl Future<Output = LsResult<VersionPage<ProductRow>>> + Send;
    /// `GET /outlets?after=V`.
    fn outlets_after(
        &self,
        after: i64,
        page_size: u32,
    ) -> impl Future<Output = LsResult<VersionPage<OutletRow>>> + Send;
    /// `GET /suppliers?after=V`.
    fn suppliers_after(
        &self,
        after: i64,
        page_size: u32,
    ) -> impl Future<Output = LsResult<VersionPage<SupplierRow>>> + Send;
    /// `GET /consignments?after=V`.
    fn consignments_after(
        &self,
        after: i64,
        page_size: u32,
    ) -> impl Future<Output = LsResult<VersionPage<LsConsignmentChange>>> + Send;
    /// `GET /inventory?after=V`.
    fn inventory_after(
        &self,
        after: i64,
        page_size: u32,
    ) -> impl Future<Output = LsResult<VersionPage<LsStock>>> + Send;
    /// `GET /sales?after=V`.
    fn sales_after(
        &self,
        after: i64,
        page_size: u32,
    ) -> impl Future<Output = LsResult<VersionPage<LsSale>>> + Send;

    /// The shared rate budget as Lightspeed last reported it (admin dashboard).
    fn rate_budget(&self) -> Option<crate::edges::BudgetReading> {
        None
    }
}
