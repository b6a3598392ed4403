//! Storage behind a trait, so PostgreSQL can serve a large chain later.
//!
//! [`HubStore`] opens transactions; [`HubTx`] is everything the hub reads and
//! writes inside one. The rules (what to write) live in `push`, `devices`, `pull`
//! and are shared by every backend; a backend only stores. SQLite is the default
//! ([`SqliteHubStore`]).

mod records;
mod sqlite;

pub use records::*;
pub use sqlite::SqliteHubStore;

use rust_decimal::Decimal;
use tally_sync::{
    ApprovalRow, BoxRow, HistoryRow, LineRow, OutletRow, ProductRow, ReferenceBlock, RemovedLine,
    ScanEventRow, ScanRecorded, StaffRow, SupplierReturnRow, SupplierRow,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::HubError;

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, HubError>;

/// A place the hub keeps its state. Implementations are blocking; the async
/// server calls them from `spawn_blocking`.
pub trait HubStore: Send + Sync + 'static {
    /// Runs `f` in a write transaction; commits if it returns `Ok`, rolls back otherwise.
    fn write(&self, f: &mut dyn FnMut(&mut dyn HubTx) -> StoreResult<()>) -> StoreResult<()>;
    /// Runs `f` in a read-only snapshot.
    fn read(&self, f: &mut dyn FnMut(&mut dyn HubTx) -> StoreResult<()>) -> StoreResult<()>;
}

/// Runs `f` in a write transaction and returns its value.
pub fn write_with<R>(
    store: &dyn HubStore,
    f: impl FnOnce(&mut dyn HubTx) -> StoreResult<R>,
) -> StoreResult<R> {
    run_once(|body| store.write(body), f)
}

/// Runs `f` in a read snapshot and returns its value.
pub fn read_with<R>(
    store: &dyn HubStore,
    f: impl FnOnce(&mut dyn HubTx) -> StoreResult<R>,
) -> StoreResult<R> {
    run_once(|body| store.read(body), f)
}

/// Hands `f` to `open` (a [`HubStore`] method, which takes an object-safe `FnMut`
/// returning nothing) and gives back `f`'s value. A backend that ran the body twice
/// or not at all is an error, never a silently repeated or missing write.
fn run_once<R>(
    open: impl FnOnce(&mut dyn FnMut(&mut dyn HubTx) -> StoreResult<()>) -> StoreResult<()>,
    f: impl FnOnce(&mut dyn HubTx) -> StoreResult<R>,
) -> StoreResult<R> {
    let mut f = Some(f);
    let mut out = None;
    open(&mut |tx| {
        let f = f
            .take()
            .ok_or_else(|| HubError::Storage("transaction body ran twice".into()))?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| HubError::Storage("transaction body did not run".into()))
}

/// Everything the hub reads and writes inside one transaction.
pub trait HubTx {
    // -- units: one mutation is one unit inside a push transaction --------------
    /// Starts a nested unit (a savepoint).
    fn begin_unit(&mut self) -> StoreResult<()>;
    /// Keeps the unit's writes.
    fn commit_unit(&mut self) -> StoreResult<()>;
    /// Undoes the unit's writes.
    fn rollback_unit(&mut self) -> StoreResult<()>;

    // -- devices ----------------------------------------------------------------
    /// Adds an enrolled device with the SHA-256 of its token.
    fn insert_device(&mut self, device: &DeviceRecord, token_sha256: &str) -> StoreResult<()>;
    /// The device whose token hashes to `token_sha256`.
    fn device_by_token(&mut self, token_sha256: &str) -> StoreResult<Option<DeviceRecord>>;
    /// A device by id.
    fn device(&mut self, id: &str) -> StoreResult<Option<DeviceRecord>>;
    /// Every device.
    fn devices(&mut self) -> StoreResult<Vec<DeviceRecord>>;
    /// Records the highest seq answered for a device.
    fn set_device_last_seq(&mut self, id: &str, seq: u64) -> StoreResult<()>;
    /// Revokes (or restores) a device's token.
    fn set_device_revoked(&mut self, id: &str, revoked: bool) -> StoreResult<()>;
    /// Notes that the device was heard from.
    fn touch_device(&mut self, id: &str, at: OffsetDateTime) -> StoreResult<()>;
    /// Records what a station reported of its own queue (waiting, needing a person).
    fn set_device_backlog(
        &mut self,
        id: &str,
        waiting: u64,
        attention: u64,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// What a station last reported of its queue: (waiting, needing a person).
    fn device_backlog(&mut self, id: &str) -> StoreResult<Option<(u64, u64)>>;

    // -- reference-number blocks --------------------------------------------------
    /// The last number of the highest block ever issued to any device (0 for none).
    fn highest_reference_issued(&mut self) -> StoreResult<u32>;
    /// The highest block issued to one device.
    fn latest_reference_block(&mut self, device_id: &str) -> StoreResult<Option<ReferenceBlock>>;
    /// Records a block as issued to a device (refused if it overlaps one issued).
    fn insert_reference_block(
        &mut self,
        device_id: &str,
        block: ReferenceBlock,
        at: OffsetDateTime,
    ) -> StoreResult<()>;

    // -- mutation log -----------------------------------------------------------
    /// The answer already given to a mutation id.
    fn logged_outcome(&mut self, mutation_id: Uuid) -> StoreResult<Option<LoggedOutcome>>;
    /// Remembers the answer to a mutation.
    fn log_outcome(&mut self, entry: &LoggedOutcome) -> StoreResult<()>;
    /// Whether `device` already had a change answered under `seq` (any mutation id).
    fn seq_answered(&mut self, device_id: &str, seq: u64) -> StoreResult<bool>;

    // -- reference data -----------------------------------------------------------
    /// Inserts or replaces an outlet.
    fn upsert_outlet(&mut self, row: &OutletRow) -> StoreResult<()>;
    /// An outlet by id.
    fn outlet(&mut self, id: &str) -> StoreResult<Option<OutletRow>>;
    /// Inserts or replaces a supplier.
    fn upsert_supplier(&mut self, row: &SupplierRow) -> StoreResult<()>;
    /// A supplier by id.
    fn supplier(&mut self, id: &str) -> StoreResult<Option<SupplierRow>>;
    /// Inserts or replaces a product.
    fn upsert_product(&mut self, row: &ProductRow) -> StoreResult<()>;
    /// A product by id.
    fn product(&mut self, id: &str) -> StoreResult<Option<ProductRow>>;
    /// Number of products stored (deleted included).
    fn product_count(&mut self) -> StoreResult<u64>;
    /// Inserts or replaces a staff member.
    fn upsert_staff(&mut self, row: &StaffRow) -> StoreResult<()>;
    /// A staff member by id.
    fn staff(&mut self, id: &str) -> StoreResult<Option<StaffRow>>;

    // -- consignments -------------------------------------------------------------
    /// A consignment's header.
    fn consignment(&mut self, id: Uuid) -> StoreResult<Option<ConsignmentHeader>>;
    /// Adds a consignment header.
    fn insert_consignment(&mut self, header: &ConsignmentHeader) -> StoreResult<()>;
    /// Replaces a consignment header.
    fn update_consignment(&mut self, header: &ConsignmentHeader) -> StoreResult<()>;
    /// Every consignment id (for admin and tests; small chains).
    fn consignment_ids(&mut self) -> StoreResult<Vec<Uuid>>;
    /// The consignment with this Lightspeed id.
    fn consignment_by_lightspeed_id(&mut self, ls_id: &str) -> StoreResult<Option<Uuid>>;
    /// Lines of a consignment, by product id.
    fn lines(&mut self, consignment: Uuid) -> StoreResult<Vec<LineRow>>;
    /// One line.
    fn line(&mut self, consignment: Uuid, product_id: &str) -> StoreResult<Option<LineRow>>;
    /// Inserts or replaces a line.
    fn upsert_line(&mut self, consignment: Uuid, line: &LineRow) -> StoreResult<()>;
    /// Deletes a line (remembering its id for pull).
    fn delete_line(&mut self, consignment: Uuid, product_id: &str) -> StoreResult<()>;
    /// Lines removed from a consignment.
    fn removed_lines(&mut self, consignment: Uuid) -> StoreResult<Vec<RemovedLine>>;
    /// Appends a scan event; `false` if its id was already stored.
    fn insert_scan_event(&mut self, event: &ScanRecorded) -> StoreResult<bool>;
    /// Boxes of a consignment, by number.
    fn boxes(&mut self, consignment: Uuid) -> StoreResult<Vec<BoxRow>>;
    /// One box and its consignment.
    fn parcel(&mut self, box_id: Uuid) -> StoreResult<Option<(Uuid, BoxRow)>>;
    /// Inserts or replaces a box.
    fn upsert_box(&mut self, consignment: Uuid, row: &BoxRow) -> StoreResult<()>;
    /// Opens a receive session if it is new; returns whether it is closed.
    fn ensure_receipt_session(
        &mut self,
        consignment: Uuid,
        session: Uuid,
        by: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// A session's count of one product: (received, damaged), if recorded.
    fn receipt_line(
        &mut self,
        session: Uuid,
        product_id: &str,
    ) -> StoreResult<Option<(Decimal, Decimal)>>;
    /// Records a session's count of one product (absolute within the session).
    fn put_receipt_line(
        &mut self,
        consignment: Uuid,
        session: Uuid,
        product_id: &str,
        received: Decimal,
        damaged: Decimal,
    ) -> StoreResult<()>;
    /// Signs and closes a session.
    fn close_receipt_session(
        &mut self,
        session: Uuid,
        signed_by: &str,
        signature: Option<&str>,
        driver_signature: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Whether any closed session of the consignment carries the receiver's signature.
    fn receipt_signed(&mut self, consignment: Uuid) -> StoreResult<bool>;
    /// A scan event as pulled.
    fn scan_event(&mut self, id: Uuid) -> StoreResult<Option<ScanEventRow>>;
    /// Ids of a consignment's scan events, oldest first.
    fn scan_event_ids(&mut self, consignment: Uuid) -> StoreResult<Vec<Uuid>>;
    /// Stores an approval decision; `false` if its id was already stored.
    fn insert_approval(&mut self, consignment: Uuid, row: &ApprovalRow) -> StoreResult<bool>;
    /// Approval decisions, oldest first.
    fn approvals(&mut self, consignment: Uuid) -> StoreResult<Vec<ApprovalRow>>;
    /// A supplier return's authorisation number, reasons and credits, if any were set.
    fn supplier_return(&mut self, consignment: Uuid) -> StoreResult<Option<SupplierReturnRow>>;
    /// Replaces a supplier return's authorisation number, reasons and credits.
    fn put_supplier_return(
        &mut self,
        consignment: Uuid,
        row: &SupplierReturnRow,
    ) -> StoreResult<()>;
    /// Records one change applied to a consignment (a replayed mutation id is ignored).
    fn insert_history(&mut self, consignment: Uuid, row: &HistoryRow) -> StoreResult<()>;
    /// Every change applied to a consignment, oldest first.
    fn history(&mut self, consignment: Uuid) -> StoreResult<Vec<HistoryRow>>;
    /// Whether the outlet has a stocktake being counted (outgoing moves wait).
    fn stocktake_counting(&mut self, outlet_id: &str) -> StoreResult<bool>;

    // -- pull change log --------------------------------------------------------
    /// Moves the row to the end of the change log (a new, higher seq).
    fn record_change(&mut self, entity: Entity, id: &str) -> StoreResult<()>;
    /// Up to `limit` change-log entries after `cursor`, in seq order.
    fn changes_after(&mut self, cursor: u64, limit: u32) -> StoreResult<Vec<ChangeEntry>>;
    /// Where the row stands in the change log now (its latest change), if logged.
    fn change_seq(&mut self, entity: Entity, id: &str) -> StoreResult<Option<u64>>;

    // -- Lightspeed saga outbox -------------------------------------------------
    /// Asks the worker to bring Lightspeed up to the consignment's current state.
    fn mark_saga_dirty(
        &mut self,
        consignment: Uuid,
        priority: SagaPriority,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// One saga.
    fn saga(&mut self, consignment: Uuid) -> StoreResult<Option<SagaRecord>>;
    /// Replaces a saga's bookkeeping.
    fn update_saga(&mut self, saga: &SagaRecord) -> StoreResult<()>;
    /// Pending sagas due at `now`, most urgent first.
    fn due_sagas(&mut self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<SagaRecord>>;
    /// Sagas by state (`pending` or `dead`).
    fn sagas_in_state(&mut self, state: SagaState) -> StoreResult<Vec<SagaRecord>>;

    // -- poller cursors -----------------------------------------------------------
    /// A persisted Lightspeed version cursor.
    fn poll_cursor(&mut self, name: &str) -> StoreResult<Option<i64>>;
    /// Persists a Lightspeed version cursor.
    fn set_poll_cursor(&mut self, name: &str, version: i64) -> StoreResult<()>;
    /// Reports a Lightspeed change that was not applied.
    fn record_inbound_conflict(&mut self, c: &InboundConflict) -> StoreResult<()>;
    /// Reported conflicts, oldest first.
    fn inbound_conflicts(&mut self) -> StoreResult<Vec<InboundConflict>>;

    // -- stock facts (reorder suggestions) ----------------------------------------
    /// Stores (or replaces) an outlet's stock of a product.
    fn upsert_stock_level(&mut self, row: &StockLevel) -> StoreResult<()>;
    /// An outlet's stock of a product, if Lightspeed reported one.
    fn stock_level(&mut self, outlet_id: &str, product_id: &str)
        -> StoreResult<Option<StockLevel>>;
    /// Replaces the lines kept for a sale (none for a voided or deleted one); returns
    /// the (outlet, product) pairs whose sales changed, old lines' and new lines'.
    fn replace_sale_lines(
        &mut self,
        sale_id: &str,
        lines: &[SaleLine],
    ) -> StoreResult<Vec<(String, String)>>;
    /// Units sold per day of a product at an outlet from `since` (`YYYY-MM-DD`) on,
    /// oldest first, days without sales left out.
    fn daily_sales(
        &mut self,
        outlet_id: &str,
        product_id: &str,
        since: &str,
    ) -> StoreResult<Vec<(String, Decimal)>>;
    /// Forgets sale lines of days before `day`.
    fn prune_sales_before(&mut self, day: &str) -> StoreResult<()>;
}

#[cfg(test)]
mod run_once_tests {
    use super::*;

    type Body<'a> = &'a mut dyn FnMut(&mut dyn HubTx) -> StoreResult<()>;

    /// A backend that runs each body `times` times in the real SQLite store.
    struct Repeats {
        inner: SqliteHubStore,
        times: usize,
    }

    impl HubStore for Repeats {
        fn write(&self, f: Body<'_>) -> StoreResult<()> {
            (0..self.times).try_for_each(|_| self.inner.write(&mut *f))
        }
        fn read(&self, f: Body<'_>) -> StoreResult<()> {
            (0..self.times).try_for_each(|_| self.inner.read(&mut *f))
        }
    }

    fn store(times: usize) -> (tempfile::TempDir, Repeats) {
        let dir = tempfile::tempdir().unwrap();
        let inner = SqliteHubStore::open(&dir.path().join("hub.db")).unwrap();
        (dir, Repeats { inner, times })
    }

    fn outlet() -> OutletRow {
        OutletRow {
            id: "o1".into(),
            name: "Ponsonby".into(),
            deleted: false,
        }
    }

    #[test]
    fn reads_and_writes_hand_back_the_bodys_value() {
        let (_dir, s) = store(1);
        let put = write_with(&s, |tx| tx.upsert_outlet(&outlet()).map(|()| 7)).unwrap();
        assert_eq!(put, 7);
        let back = read_with(&s, |tx| tx.outlet("o1")).unwrap();
        assert_eq!(back.map(|o| o.name).as_deref(), Some("Ponsonby"));
    }

    #[test]
    fn a_backend_that_runs_the_body_twice_or_never_is_an_error() {
        for times in [0, 2] {
            let (_dir, s) = store(times);
            let w = write_with(&s, |tx| tx.upsert_outlet(&outlet())).unwrap_err();
            let r = read_with(&s, |tx| tx.outlet("o1")).unwrap_err();
            let want = if times == 0 {
                "did not run"
            } else {
                "ran twice"
            };
            for e in [w, r] {
                assert_eq!(e.code(), "HUB_STORAGE");
                assert!(e.to_string().contains(want), "{times}: {e}");
            }
        }
    }
}
